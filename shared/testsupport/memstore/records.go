package memstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
)

var _ collection.RecordStore = (*Records)(nil)

// Records keeps reminder records, as dynamo.Store does under REMIND#<period>: a claim is
// written only where no record is, and only the claiming run may finish or release it.
// The zero value is empty and ready to use; it is safe for concurrent use.
type Records struct {
	mu   sync.Mutex
	recs map[string]collection.Record // by quarter, stage and organisation
}

func recordKey(r collection.Record) string {
	return r.Period.String() + " " + string(r.Stage) + "#" + r.Org
}

// errNotOurClaim is what the table's failed condition becomes.
var errNotOurClaim = errors.New("memstore: the reminder is not this run's claim")

// Claim records r unless its reminder and organisation have a record.
func (s *Records) Claim(_ context.Context, r collection.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recs[recordKey(r)]; ok {
		return collection.ErrClaimed
	}
	if s.recs == nil {
		s.recs = map[string]collection.Record{}
	}
	s.recs[recordKey(r)] = r
	return nil
}

// Finish replaces r.Run's claim with r.
func (s *Records) Finish(_ context.Context, r collection.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ours(r) {
		return errNotOurClaim
	}
	s.recs[recordKey(r)] = r
	return nil
}

// Release deletes r.Run's claim.
func (s *Records) Release(_ context.Context, r collection.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ours(r) {
		return errNotOurClaim
	}
	delete(s.recs, recordKey(r))
	return nil
}

func (s *Records) ours(r collection.Record) bool {
	old, ok := s.recs[recordKey(r)]
	return ok && old.Run == r.Run && old.Status == collection.RecordSending
}

// Records lists q's records in the table's order: stage, then organisation.
func (s *Records) Records(_ context.Context, q period.Quarter) ([]collection.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []collection.Record
	for _, r := range s.recs {
		if r.Period == q {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b collection.Record) int { return strings.Compare(recordKey(a), recordKey(b)) })
	return out, nil
}
