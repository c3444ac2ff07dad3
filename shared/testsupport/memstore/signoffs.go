package memstore

import (
	"context"
	"slices"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var _ workforce.SignOffStore = (*Store)(nil)

// current is the last of vs as the current item holds it: with its sign-off while the
// version it signs off is current. s.mu is held.
func (s *Store) current(k orgPeriod, vs []workforce.Version) workforce.Version {
	v := vs[len(vs)-1]
	for _, so := range s.signOffs[k] {
		if so.Version == v.Number {
			v.SignOff = &so
		}
	}
	return copyVersion(v)
}

// SignOffs lists an organisation-period's sign-offs, oldest version first.
func (s *Store) SignOffs(_ context.Context, org string, q period.Quarter) ([]workforce.SignOff, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.signOffs[orgPeriod{org, q}])
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	slices.SortFunc(out, func(a, b workforce.SignOff) int { return a.Version - b.Version })
	return out, nil
}

// PutSignOff records so on condition that its version has no sign-off (ErrSignedOff) and
// is current with its hash (ErrNotCurrent); otherwise nothing is written.
func (s *Store) PutSignOff(_ context.Context, so workforce.SignOff) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := orgPeriod{so.Org, so.Period}
	for _, x := range s.signOffs[k] {
		if x.Version == so.Version {
			return workforce.ErrSignedOff
		}
	}
	vs := s.versions[k]
	if len(vs) == 0 || vs[len(vs)-1].Number != so.Version || vs[len(vs)-1].SHA256 != so.SHA256 {
		return workforce.ErrNotCurrent
	}
	if s.signOffs == nil {
		s.signOffs = map[orgPeriod][]workforce.SignOff{}
	}
	s.signOffs[k] = append(s.signOffs[k], so)
	return nil
}
