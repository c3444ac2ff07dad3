package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
)

// RecordStore runs the reminder records' contract against s: a claim is written only
// where no record is, only the run that claimed a reminder may finish or release it, a
// finished record cannot be released, and of racing claims exactly one wins. It writes
// only in quarters of the 1900s, under organisation codes of its own.
func RecordStore(t *testing.T, s collection.RecordStore) {
	ctx := context.Background()
	run := newRun(t)
	q := run.quarter(0)
	claim := func(org string, stage collection.Stage, runID string) collection.Record {
		return collection.Record{Period: q, Stage: stage, Org: org, Day: time.Date(1901, 7, 16, 0, 0, 0, 0, time.UTC), Run: runID,
			Status: collection.RecordSending, ClaimedAt: time.Date(1901, 7, 16, 7, 0, 1, 123456789, time.UTC)}
	}

	t.Run("a claim is written once", func(t *testing.T) {
		c := claim(run.org("ONCE"), collection.StageDueSoon, "run-1")
		wantErr(t, s.Claim(ctx, c), nil, "the first claim")
		wantErr(t, s.Claim(ctx, c), collection.ErrClaimed, "the same claim again")
		other := c
		other.Run = "run-2"
		wantErr(t, s.Claim(ctx, other), collection.ErrClaimed, "another run's claim")
		// Another stage, or another organisation, is another reminder.
		wantErr(t, s.Claim(ctx, claim(c.Org, collection.StageDueToday, "run-2")), nil, "the next stage")
		wantErr(t, s.Claim(ctx, claim(run.org("ONCE2"), collection.StageDueSoon, "run-2")), nil, "another organisation")
	})

	t.Run("only the claiming run finishes or releases", func(t *testing.T) {
		c := claim(run.org("FINISH"), collection.StageOverdue, "run-1")
		wantErr(t, s.Claim(ctx, c), nil, "claim")
		done := c
		done.Status, done.Messages, done.Failed, done.SentAt = collection.RecordSent, 2, 1, c.ClaimedAt.Add(1500*time.Millisecond)
		notOurs := done
		notOurs.Run = "run-2"
		if err := s.Finish(ctx, notOurs); err == nil {
			t.Error("another run finished the claim")
		}
		if err := s.Release(ctx, notOurs); err == nil {
			t.Error("another run released the claim")
		}
		wantErr(t, s.Finish(ctx, done), nil, "finish")
		if err := s.Release(ctx, done); err == nil {
			t.Error("a sent record was released")
		}
		if err := s.Finish(ctx, done); err == nil {
			t.Error("a sent record was finished twice")
		}
		wantErr(t, s.Claim(ctx, c), collection.ErrClaimed, "claim after finishing")
		got := find(t, s, q, c.Org, c.Stage)
		if got == nil || !reflect.DeepEqual(*got, done) {
			t.Errorf("record %+v, want %+v", got, done)
		}
	})

	t.Run("a released claim may be claimed again", func(t *testing.T) {
		c := claim(run.org("RELEASE"), collection.StageDueSoon, "run-1")
		wantErr(t, s.Claim(ctx, c), nil, "claim")
		wantErr(t, s.Release(ctx, c), nil, "release")
		if got := find(t, s, q, c.Org, c.Stage); got != nil {
			t.Errorf("a released claim is still there: %+v", got)
		}
		again := c
		again.Run = "run-2"
		wantErr(t, s.Claim(ctx, again), nil, "claim again")
		if got := find(t, s, q, c.Org, c.Stage); got == nil || !reflect.DeepEqual(*got, again) {
			t.Errorf("record %+v, want %+v", got, again)
		}
	})

	t.Run("racing claims have one winner", func(t *testing.T) {
		org := run.org("RACE")
		var wins, claimed atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				switch err := s.Claim(ctx, claim(org, collection.StageDueToday, "racer-"+string(rune('a'+i)))); {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, collection.ErrClaimed):
					claimed.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || claimed.Load() != 7 {
			t.Errorf("%d claims won and %d found it claimed, want 1 and 7", wins.Load(), claimed.Load())
		}
	})

	t.Run("a quarter's records, in stage order", func(t *testing.T) {
		org := run.org("LIST")
		for _, st := range []collection.Stage{collection.StageOverdue, collection.StageDueSoon, collection.StageDueToday} {
			wantErr(t, s.Claim(ctx, claim(org, st, "run-1")), nil, "claim "+string(st))
		}
		other := claim(org, collection.StageDueSoon, "run-1")
		other.Period = q.Next()
		wantErr(t, s.Claim(ctx, other), nil, "claim in the next quarter")
		rs, err := s.Records(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var stages []collection.Stage
		for _, r := range rs {
			if r.Period != q {
				t.Errorf("a record of %s among %s's", r.Period, q)
			}
			if r.Org == org {
				stages = append(stages, r.Stage)
			}
		}
		if !reflect.DeepEqual(stages, collection.Stages()) {
			t.Errorf("stages %v, want %v", stages, collection.Stages())
		}
	})
}

func find(t *testing.T, s collection.RecordStore, q period.Quarter, org string, stage collection.Stage) *collection.Record {
	t.Helper()
	rs, err := s.Records(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Org == org && r.Stage == stage {
			return &r
		}
	}
	return nil
}
