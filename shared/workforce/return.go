package workforce

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/ddat-workforce/returns/shared/period"
)

// Return is one organisation's normalised return for one quarter. Values holds the
// canonical text of every field given: counts as digits ("1250"), FTE with two decimal
// places ("1234.50"), yes/no as "yes" or "no", text trimmed. Two returns with the same
// Values are the same content, whatever format they arrived in.
type Return struct {
	Org    string
	Period period.Quarter
	Kind   OrgKind
	Values map[string]string
}

// Has reports whether the field was given.
func (r Return) Has(key string) bool { _, ok := r.Values[key]; return ok }

// Count is a count field's value (0 when absent).
func (r Return) Count(key string) int64 {
	n, _ := strconv.ParseInt(r.Values[key], 10, 64)
	return n
}

// Hundredths is an FTE field's value in hundredths (0 when absent).
func (r Return) Hundredths(key string) int64 {
	n, _ := parseHundredths(r.Values[key])
	return n
}

// YesNo is a yes/no field's value.
func (r Return) YesNo(key string) bool { return r.Values[key] == "yes" }

// ContentHash is the SHA-256 of the canonical values in catalogue order: the identity of
// the content, used to recognise a duplicate submission. Annotations (the reason for a
// revision) are left out: they say why the figures were sent, not what they are.
func (r Return) ContentHash() string {
	h := sha256.New()
	for _, f := range Fields {
		if !f.Content() {
			continue
		}
		if v, ok := r.Values[f.Key]; ok {
			h.Write([]byte(f.Key))
			h.Write([]byte{'='})
			h.Write([]byte(strconv.Quote(v)))
			h.Write([]byte{'\n'})
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TypedValues renders Values for JSON: counts as integers, FTE as numbers, yes/no as
// booleans, text as strings.
func TypedValues(values map[string]string) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		if f, ok := FieldByKey(k); ok {
			out[k] = TypedValue(f, v)
		}
	}
	return out
}

// TypedValue renders one canonical value of f for JSON, as TypedValues does.
func TypedValue(f Field, v string) any {
	switch f.Type {
	case TypeCount:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	case TypeFTE:
		return jsonNumber(v)
	case TypeYesNo:
		return v == "yes"
	}
	return v
}

// jsonNumber keeps "1234.50" exact in JSON output rather than passing through float64.
type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) {
	s := string(n)
	if strings.Contains(s, ".") { // only zeros after the point are insignificant
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return []byte(s), nil
}
