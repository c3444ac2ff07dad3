package workforce

import (
	"context"
	"sort"
	"strings"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/textsafe"
)

// ReadForbidden refuses p a request about another organisation's returns. It names p's
// own organisation and says nothing of the other, not even whether it exists.
func ReadForbidden(p Principal) error {
	return Errorf(EForbidden, "You can read returns only for your own organisation (%s).", textsafe.OrNone(p.Org))
}

// List is the current version of every return p asks for and may read: org's when org
// is not "" (a submitter's own when it is), otherwise every organisation's in the
// register; only quarter q's when q is not nil. Sorted by organisation, then quarter.
func (s *Service) List(ctx context.Context, p Principal, org string, q *period.Quarter) ([]Version, error) {
	org = strings.ToUpper(strings.TrimSpace(org))
	if !ReadReturns.EveryOrg(p) {
		// An empty organisation would list every organisation's returns.
		if org == "" {
			org = p.Org
		}
		if !ReadReturns.Allows(p, org) {
			return nil, ReadForbidden(p)
		}
	}
	var vs []Version
	var err error
	switch {
	case org != "":
		vs, err = s.Returns.CurrentByOrg(ctx, org)
	case q != nil:
		vs, err = s.Returns.CurrentByPeriod(ctx, *q)
	default:
		var reg Register
		if reg, err = s.Register(ctx); err == nil {
			for code := range reg {
				var more []Version
				if more, err = s.Returns.CurrentByOrg(ctx, code); err != nil {
					break
				}
				vs = append(vs, more...)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(vs))
	for _, v := range vs {
		if q == nil || v.Period == *q {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Org != out[j].Org {
			return out[i].Org < out[j].Org
		}
		return out[i].Period.String() < out[j].Period.String()
	})
	return out, nil
}

// ReturnView is one version of a return and the history shown with it.
type ReturnView struct {
	Version Version
	// Current is the number of the current version.
	Current int
	// History is every version up to the current one, oldest first. A version written
	// after the current pointer was read is not shown as history yet.
	History []Version
	// SignOffs are the versions' sign-offs, by version number.
	SignOffs map[int]SignOff
}

// View reads version n of org's return for q, or the current version when n is 0. Whether
// p may read org's returns is decided before anything is read, so a caller learns nothing
// about an organisation that is not theirs.
func (s *Service) View(ctx context.Context, p Principal, org string, q period.Quarter, n int) (ReturnView, error) {
	if !ReadReturns.Allows(p, org) {
		return ReturnView{}, ReadForbidden(p)
	}
	all, err := s.Returns.Versions(ctx, org, q)
	if err != nil {
		return ReturnView{}, err
	}
	cur, err := s.Returns.Current(ctx, org, q)
	if err != nil {
		return ReturnView{}, err
	}
	if cur == nil {
		return ReturnView{}, Errorf(ENotFound, "%s has no return for %s.", org, q)
	}
	v := cur
	if n != 0 {
		v = nil
		for i := range all {
			if all[i].Number == n {
				v = &all[i]
			}
		}
		if v == nil {
			return ReturnView{}, Errorf(ENotFound, "%s %s has no version %d; it has %d.", org, q, n, len(all))
		}
	}
	signOffs, err := s.SignOffs.SignOffs(ctx, org, q)
	if err != nil {
		return ReturnView{}, err
	}
	view := ReturnView{Version: *v, Current: cur.Number, History: []Version{}, SignOffs: make(map[int]SignOff, len(signOffs))}
	for _, so := range signOffs {
		view.SignOffs[so.Version] = so
	}
	for _, x := range all {
		if x.Number <= cur.Number {
			view.History = append(view.History, x)
		}
	}
	return view, nil
}
