package memstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ddat-workforce/returns/shared/ingest"
)

var _ ingest.Store = (*Extracts)(nil)

// Extracts keeps staff extracts' records, as dynamo.Store does: an id is created once, a
// claim takes a pending record or one whose lease has run out, and an update is refused
// when the status changed under it. The zero value is empty and ready to use; it
// is safe for concurrent use.
type Extracts struct {
	mu sync.Mutex
	m  map[string]ingest.Extract
}

func (s *Extracts) CreateExtract(_ context.Context, e ingest.Extract) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[e.ID]; ok {
		return errors.New("memstore: extract " + e.ID + " exists")
	}
	if s.m == nil {
		s.m = map[string]ingest.Extract{}
	}
	s.m[e.ID] = e
	return nil
}

func (s *Extracts) Extract(_ context.Context, id string) (*ingest.Extract, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok {
		return nil, nil
	}
	return &e, nil
}

func (s *Extracts) ClaimExtract(_ context.Context, id string, now, until time.Time) (*ingest.Extract, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok {
		return nil, false, nil
	}
	if e.Status != ingest.Pending && !(e.Status == ingest.Processing && e.LeaseUntil.Before(now)) {
		return &e, false, nil
	}
	e.Status, e.LeaseUntil, e.StartedAt = ingest.Processing, until, now
	s.m[id] = e
	return &e, true, nil
}

func (s *Extracts) UpdateExtract(_ context.Context, e ingest.Extract, from ingest.Status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[e.ID].Status != from {
		return ingest.ErrStatusChanged
	}
	s.m[e.ID] = e
	return nil
}
