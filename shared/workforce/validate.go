package workforce

import (
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/period"
)

// maxCount bounds counts far above any real organisation, so a typo of extra digits is
// caught rather than summed into government figures.
const maxCount = 10_000_000

// Normalise checks raw fields against the catalogue and the register and builds the
// Return. It names every problem at once; the Return is usable only when there are none.
func Normalise(raw []RawField, reg Register, now time.Time) (Return, []Problem) {
	var ps []Problem
	byKey := make(map[string]RawField, len(raw))
	for _, rf := range raw {
		key := strings.TrimSpace(rf.Key)
		rf.Key = key
		if _, ok := FieldByKey(key); !ok {
			ps = append(ps, problemAt(rf, "unknown_field", fmt.Sprintf("%q is not a field of the return. Check the spelling against the template; field names are like ddat_headcount.", key)))
			continue
		}
		if _, dup := byKey[key]; dup {
			ps = append(ps, problemAt(rf, "duplicate_field", fmt.Sprintf("%s is given more than once; give each field once.", key)))
			continue
		}
		rf.Value = strings.TrimSpace(rf.Value)
		if rf.Value == "" {
			continue // blank is absent: required fields are reported below
		}
		byKey[key] = rf
	}

	r := Return{Values: map[string]string{}}
	org, orgOK := checkOrg(byKey, reg, &ps)
	q, periodOK := checkPeriod(byKey, now, &ps)
	if orgOK {
		r.Org, r.Kind = org.Code, org.Kind
		r.Values[KeyOrg] = org.Code
	}
	if periodOK {
		r.Period = q
		r.Values[KeyPeriod] = q.String()
	}
	if orgOK && periodOK && !org.ActiveOn(q.ReferenceDate()) {
		ps = append(ps, problemAt(byKey[KeyOrg], "organisation_inactive", fmt.Sprintf("%s was not active on %s, the reference date of %s.", org.Code, q.ReferenceDate().Format("2 January 2006"), q)))
	}

	for _, f := range Fields {
		if f.Type == TypeOrg || f.Type == TypePeriod {
			continue
		}
		rf, given := byKey[f.Key]
		if orgOK && !f.AppliesTo(r.Kind) {
			if given {
				ps = append(ps, problemAt(rf, "not_applicable", fmt.Sprintf("Local-government bodies answer only the identity fields and the two yes/no leadership questions; leave %s (%s) blank.", f.Label, f.Key)))
			}
			continue
		}
		if !given {
			if !f.Optional && orgOK {
				ps = append(ps, Problem{Field: f.Key, Code: "required", Message: fmt.Sprintf("%s (%s) is required.", f.Label, f.Key)})
			}
			continue
		}
		v, p := normaliseValue(f, rf.Value)
		if p != "" {
			ps = append(ps, problemAt(rf, p, valueMessage(f, rf.Value, p)))
			continue
		}
		r.Values[f.Key] = v
	}
	if len(ps) == 0 {
		for _, rule := range Rules {
			if msg, broken := rule.broken(r); broken {
				ps = append(ps, problemAt(byKey[rule.Report], rule.Code, msg))
			}
		}
	}
	return r, ps
}

func checkOrg(byKey map[string]RawField, reg Register, ps *[]Problem) (Organisation, bool) {
	rf, ok := byKey[KeyOrg]
	if !ok {
		*ps = append(*ps, Problem{Field: KeyOrg, Code: "required", Message: "Organisation (org) is required, for example HMRC."})
		return Organisation{}, false
	}
	code := strings.ToUpper(rf.Value)
	o, ok := reg[code]
	if !ok {
		*ps = append(*ps, problemAt(rf, "unknown_organisation", fmt.Sprintf("%q is not an organisation in the register. Use your organisation's code from the template's list, for example HMRC.", rf.Value)))
		return Organisation{}, false
	}
	return o, true
}

func checkPeriod(byKey map[string]RawField, now time.Time, ps *[]Problem) (period.Quarter, bool) {
	rf, ok := byKey[KeyPeriod]
	if !ok {
		*ps = append(*ps, Problem{Field: KeyPeriod, Code: "required", Message: "Quarter (period) is required, for example 2025-26-Q1."})
		return period.Quarter{}, false
	}
	q, err := period.ParseQuarter(rf.Value)
	if err != nil {
		*ps = append(*ps, problemAt(rf, "invalid_period", err.Error()+"."))
		return q, false
	}
	if q.ReferenceDate().After(now) {
		*ps = append(*ps, problemAt(rf, "future_period", fmt.Sprintf("%s has not ended yet: a return counts staff in post on %s, so it can be sent from then.", q, q.ReferenceDate().Format("2 January 2006"))))
		return q, false
	}
	if q.StartYear < 2020 {
		*ps = append(*ps, problemAt(rf, "period_too_early", fmt.Sprintf("%s is before 2020-21, when this collection began.", q)))
		return q, false
	}
	return q, true
}

// normaliseValue returns the canonical text of a value, or a problem code.
func normaliseValue(f Field, s string) (string, string) {
	switch f.Type {
	case TypeCount:
		n, code := parseCount(s)
		if code != "" {
			return "", code
		}
		if n < f.Min {
			return "", "below_minimum"
		}
		return strconv.FormatInt(n, 10), ""
	case TypeFTE:
		h, code := parseFTE(s)
		if code != "" {
			return "", code
		}
		return formatHundredths(h), ""
	case TypeYesNo:
		switch strings.ToLower(s) {
		case "yes", "y", "true":
			return "yes", ""
		case "no", "n", "false":
			return "no", ""
		}
		return "", "not_yes_no"
	case TypeEmail:
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
			return "", "invalid_email"
		}
		return s, ""
	default:
		if !utf8.ValidString(s) {
			return "", "invalid_text"
		}
		if f.MaxLen > 0 && utf8.RuneCountInString(s) > f.MaxLen {
			return "", "too_long"
		}
		return s, ""
	}
}

func valueMessage(f Field, raw, code string) string {
	switch code {
	case "not_a_number":
		return fmt.Sprintf("%s (%s) must be a number; %q is not.", f.Label, f.Key, raw)
	case "negative":
		return fmt.Sprintf("%s (%s) cannot be negative; it is %s.", f.Label, f.Key, raw)
	case "not_whole_number":
		return fmt.Sprintf("%s (%s) must be a whole number of people; %s is not.", f.Label, f.Key, raw)
	case "too_many_decimals":
		return fmt.Sprintf("%s (%s) can have at most 2 decimal places; %s has more.", f.Label, f.Key, raw)
	case "too_large":
		return fmt.Sprintf("%s (%s) is %s, which is larger than any organisation; check for extra digits.", f.Label, f.Key, raw)
	case "below_minimum":
		return fmt.Sprintf("%s (%s) must be at least %d.", f.Label, f.Key, f.Min)
	case "not_yes_no":
		return fmt.Sprintf("%s (%s) must be yes or no; %q is neither.", f.Label, f.Key, raw)
	case "invalid_email":
		return fmt.Sprintf("%s (%s) %q is not an email address.", f.Label, f.Key, raw)
	case "too_long":
		return fmt.Sprintf("%s (%s) can be at most %s characters; it has %s.", f.Label, f.Key, numfmt.Int(int64(f.MaxLen)), numfmt.Int(int64(utf8.RuneCountInString(raw))))
	}
	return fmt.Sprintf("%s (%s) is not valid.", f.Label, f.Key)
}

// parseCount reads a whole number, allowing thousands separators ("1,250") and the
// trailing ".0" spreadsheets write for whole numbers.
func parseCount(s string) (int64, string) {
	h, code := parseFTE(s)
	if code == "too_many_decimals" {
		return 0, "not_whole_number"
	}
	if code != "" {
		return 0, code
	}
	if h%100 != 0 {
		return 0, "not_whole_number"
	}
	return h / 100, ""
}

// parseFTE reads a decimal ≥ 0 with at most 2 places into hundredths. A spreadsheet may
// store 1234.45 as 1234.4500000000001; such binary noise is rounded away.
func parseFTE(s string) (int64, string) {
	t := strings.ReplaceAll(s, ",", "")
	if strings.Contains(s, ",") && !thousandsRE.MatchString(s) {
		return 0, "not_a_number"
	}
	if strings.HasPrefix(t, "-") {
		if f, err := strconv.ParseFloat(t, 64); err == nil && f != 0 {
			return 0, "negative"
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "nan") {
		return 0, "not_a_number"
	}
	if f < 0 {
		return 0, "negative"
	}
	if f > maxCount {
		return 0, "too_large"
	}
	h := math.Round(f * 100)
	if math.Abs(f*100-h) > 1e-6 {
		return 0, "too_many_decimals"
	}
	return int64(h), ""
}

func parseHundredths(s string) (int64, bool) {
	h, code := parseFTE(s)
	return h, code == ""
}

func formatHundredths(h int64) string { return fmt.Sprintf("%d.%02d", h/100, h%100) }

// fteText writes hundredths for people: 1234.50 → "1,234.5".
func fteText(h int64) string {
	s := numfmt.Int(h / 100)
	if h%100 == 0 {
		return s
	}
	return strings.TrimRight(fmt.Sprintf("%s.%02d", s, h%100), "0")
}

func problemAt(rf RawField, code, msg string) Problem {
	return Problem{Field: rf.Key, Cell: rf.Cell, Line: rf.Line, Code: code, Message: msg}
}
