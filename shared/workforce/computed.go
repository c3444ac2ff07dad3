package workforce

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// FormatExtract is a return the service computed from a staff extract (SPEC §10).
const FormatExtract Format = "extract"

// ComputedFromExtract reports whether f is one of the fields a staff extract computes:
// the workforce, job family, grade and entrant fields. The organisation gives the rest.
func ComputedFromExtract(f Field) bool {
	switch f.Section.ID {
	case SectionWorkforce.ID, SectionFamily.ID, SectionGrade.ID, SectionEntrants.ID:
		return true
	}
	return false
}

// Computed is a return computed from a staff extract: the fields computed from its rows
// with the answers the organisation gave when it asked to send it, the extract's SHA-256
// and its row count. The extract itself is never kept.
type Computed struct {
	Principal Principal
	Fields    []RawField
	// SourceSHA256 is the extract's SHA-256 and Rows its staff rows.
	SourceSHA256 string
	Rows         int
	// IdempotencyKey is the extract's id: an extract delivered twice makes one version.
	IdempotencyKey string
}

// SubmitComputed stores a computed return exactly as Submit stores any other: the same
// validation, authorisation, duplicates, versions and idempotency, with format extract.
func (s *Service) SubmitComputed(ctx context.Context, c Computed) (Receipt, bool, error) {
	body, err := json.Marshal(c.Fields) // what the request amounts to, for its idempotency hash
	if err != nil {
		return Receipt{}, false, err
	}
	body = append(body, "\n"+c.SourceSHA256...)
	return s.Submit(ctx, Upload{Principal: c.Principal, Format: FormatExtract, Body: body,
		IdempotencyKey: c.IdempotencyKey, computed: &c})
}

// CheckExtractAnswers validates what an organisation gives beside a staff extract — its
// organisation, quarter, the leadership answers and the optional identity fields — with
// the rules of any return, before the extract is sent. The computed fields stand in as
// figures that break no rule, so only the answers' own problems are reported; a computed
// field given is a problem, since the extract decides it.
func (s *Service) CheckExtractAnswers(ctx context.Context, p Principal, raw []RawField) (Return, error) {
	if org := rawValue(raw, KeyOrg); org != "" && !mayWrite(p, org) {
		return Return{}, forbiddenWrite(p, org)
	}
	var ps []Problem
	given := make([]RawField, 0, len(raw)+len(Fields))
	for _, rf := range raw {
		if f, ok := FieldByKey(strings.TrimSpace(rf.Key)); ok && ComputedFromExtract(f) {
			ps = append(ps, Problem{Field: f.Key, Code: "computed_field", Message: fmt.Sprintf(
				"%s (%s) is computed from the extract; leave it out.", f.Label, f.Key)})
			continue
		}
		given = append(given, rf)
	}
	reg, err := s.registerFor(ctx, raw)
	if err != nil {
		return Return{}, err
	}
	if o, ok := reg[strings.ToUpper(rawValue(raw, KeyOrg))]; ok && o.Kind != CivilService {
		// Nothing else can be said: none of the computed fields applies to it.
		return Return{}, Invalid("A staff extract is for a civil-service organisation.", []Problem{{Field: KeyOrg, Code: "extract_not_applicable", Message: fmt.Sprintf(
			"%s is a local-government body, which answers only the two yes/no leadership questions; send them as a return, not with a staff extract.", o.Code)}})
	}
	for _, f := range Fields {
		if ComputedFromExtract(f) {
			given = append(given, RawField{Key: f.Key, Value: placeholder(f)})
		}
	}
	ret, more := Normalise(given, reg, s.now())
	ps = append(ps, more...)
	if len(ps) > 0 {
		return Return{}, Invalid(fmt.Sprintf("The answers have %d %s; no extract can be sent until they are put right.", len(ps), plural(len(ps), "problem", "problems")), ps)
	}
	if !mayWrite(p, ret.Org) {
		return Return{}, forbiddenWrite(p, ret.Org)
	}
	for _, f := range Fields {
		if ComputedFromExtract(f) {
			delete(ret.Values, f.Key)
		}
	}
	return ret, nil
}

// placeholder is a computed field's stand-in while the answers are checked: one person
// in post, full time, in no other group, which every rule allows.
func placeholder(f Field) string {
	switch f.Key {
	case KeyHeadcount:
		return "1"
	case KeyFTE:
		return "1"
	}
	return "0"
}

// ExtractAnswerKeys are the fields an organisation may give beside an extract, in
// catalogue order: identity and leadership.
func ExtractAnswerKeys() []string {
	var ks []string
	for _, f := range Fields {
		if !ComputedFromExtract(f) {
			ks = append(ks, f.Key)
		}
	}
	return ks
}
