package workforce

import (
	"context"
	"fmt"

	"github.com/ddat-workforce/returns/shared/period"
)

// CodeRevisionReasonRequired is the problem code of a revision sent without its reason.
const CodeRevisionReasonRequired = "revision_reason_required"

// reasonProblem is the problem of v when it would follow cur (a revision) without saying
// why, nil when it is a first version or gives a reason. row is v's data row of a bulk
// file, 0 for a single return.
func reasonProblem(v Version, cur *Version, row int) *Problem {
	if cur == nil || v.RevisionReason() != "" {
		return nil
	}
	f, _ := FieldByKey(KeyRevisionReason)
	return &Problem{Field: KeyRevisionReason, Row: row, Code: CodeRevisionReasonRequired, Message: fmt.Sprintf(
		"Say why you are changing this return: %s %s already has version %d, received on %s, so this would be version %d. "+
			"Give the reason as '%s' (%s), up to %d characters: in the template, the last question of '%s'.",
		v.Org, v.Period, cur.Number, period.LongDate(cur.ReceivedAt.UTC()), cur.Number+1,
		f.Label, f.Key, MaxRevisionReason, f.Section.Title)}
}

// Change is one field whose value differs between a version and the one before it, as
// canonical text. Old or New is nil when the field was not given in that version.
type Change struct {
	Field    Field
	Old, New *string
}

// Changes lists the content fields whose values differ from prev to v, in catalogue
// order. prev is nil for a first version, which changes every field it gives from
// nothing. Annotations (the reason itself) are not changes.
func Changes(prev, v *Version) []Change {
	var out []Change
	for _, f := range Fields {
		if !f.Content() {
			continue
		}
		c := Change{Field: f, New: valueOf(v.Values, f.Key)}
		if prev != nil {
			c.Old = valueOf(prev.Values, f.Key)
		}
		if (c.Old == nil) == (c.New == nil) && (c.Old == nil || *c.Old == *c.New) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// Revision is version n of a return with the version before it (nil for version 1).
type Revision struct {
	Version  Version
	Previous *Version
}

// Revision reads version n of org's return for q and the version before it, for the
// changes between them. Version n must exist and be no later than the current version
// (a version being written is not yet history).
func (s *Service) Revision(ctx context.Context, org string, q period.Quarter, n int) (Revision, error) {
	cur, err := s.Returns.Current(ctx, org, q)
	if err != nil {
		return Revision{}, err
	}
	if cur == nil {
		return Revision{}, Errorf(ENotFound, "%s has no return for %s.", org, q)
	}
	if n > cur.Number {
		return Revision{}, Errorf(ENotFound, "%s %s has no version %d; it has %d.", org, q, n, cur.Number)
	}
	v := cur
	if n != cur.Number {
		if v, err = s.Returns.Version(ctx, org, q, n); err != nil {
			return Revision{}, err
		}
		if v == nil {
			return Revision{}, Errorf(ENotFound, "%s %s has no version %d.", org, q, n)
		}
	}
	r := Revision{Version: *v}
	if n > 1 {
		if r.Previous, err = s.Returns.Version(ctx, org, q, n-1); err != nil {
			return Revision{}, err
		}
		if r.Previous == nil {
			return Revision{}, fmt.Errorf("%s %s has version %d but not version %d", org, q, n, n-1)
		}
	}
	return r, nil
}

func valueOf(values map[string]string, key string) *string {
	if v, ok := values[key]; ok {
		return &v
	}
	return nil
}
