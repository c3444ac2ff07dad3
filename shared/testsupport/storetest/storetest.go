// Package storetest checks that a workforce.ReturnStore keeps the contract the service
// relies on: Append is atomic and conditional on the current pointer, an idempotency
// record is written only where none is live, a conflict writes nothing, and racing
// appends of one number leave exactly one winner. memstore's tests run it, and so do the
// adapter tests against DynamoDB Local (infra/e2e/integration), so the in-memory store and the
// real adapter are held to the same rules.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// ReturnStore runs the contract against s. It writes only under organisation codes of its
// own, in quarters of the 1900s, so it can share a table with other tests: no rollup or
// list of the collection's quarters reads them. s must expire idempotency records by the
// wall clock.
func ReturnStore(t *testing.T, s workforce.ReturnStore) {
	ctx := context.Background()
	run := newRun(t)

	t.Run("append is conditional on the current pointer", func(t *testing.T) {
		org, q := run.org("APPEND"), run.quarter(0)
		if cur, err := s.Current(ctx, org, q); err != nil || cur != nil {
			t.Fatalf("current of a new return: %+v, %v; want nil", cur, err)
		}
		wantErr(t, s.Append(ctx, version(org, q, 2), nil), workforce.ErrVersionConflict, "version 2 with no version 1")
		v1 := version(org, q, 1)
		wantErr(t, s.Append(ctx, v1, nil), nil, "version 1")
		wantErr(t, s.Append(ctx, version(org, q, 1), nil), workforce.ErrVersionConflict, "version 1 again")
		wantErr(t, s.Append(ctx, version(org, q, 3), nil), workforce.ErrVersionConflict, "version 3 after 1")
		v2 := version(org, q, 2)
		wantErr(t, s.Append(ctx, v2, nil), nil, "version 2")

		cur, err := s.Current(ctx, org, q)
		if err != nil || cur == nil || !reflect.DeepEqual(*cur, v2) {
			t.Errorf("current %+v, %v; want version 2 as written, %+v", cur, err, v2)
		}
		got, err := s.Version(ctx, org, q, 1)
		if err != nil || got == nil || !reflect.DeepEqual(*got, v1) {
			t.Errorf("version 1 %+v, %v; want %+v", got, err, v1)
		}
		if got, err := s.Version(ctx, org, q, 3); err != nil || got != nil {
			t.Errorf("version 3 %+v, %v; want nil", got, err)
		}
		vs, err := s.Versions(ctx, org, q)
		if err != nil || len(vs) != 2 || vs[0].Number != 1 || vs[1].Number != 2 {
			t.Errorf("versions %+v, %v; want 1 and 2, oldest first", vs, err)
		}
		// What a caller does with a version it read does not change the store.
		cur.Values[workforce.KeyHeadcount] = "changed"
		if again, _ := s.Current(ctx, org, q); again.Values[workforce.KeyHeadcount] != v2.Values[workforce.KeyHeadcount] {
			t.Errorf("changing a read version changed the store: %+v", again.Values)
		}
	})

	t.Run("current versions by organisation and by quarter", func(t *testing.T) {
		a, b := run.org("BYA"), run.org("BYB")
		early, late := run.quarter(1), run.quarter(2)
		for _, v := range []workforce.Version{version(b, late, 1), version(a, late, 1), version(a, early, 1), version(a, late, 2)} {
			wantErr(t, s.Append(ctx, v, nil), nil, fmt.Sprintf("%s %s version %d", v.Org, v.Period, v.Number))
		}
		byOrg, err := s.CurrentByOrg(ctx, a)
		if err != nil || len(byOrg) != 2 || byOrg[0].Period != early || byOrg[1].Period != late || byOrg[1].Number != 2 {
			t.Errorf("current by organisation %+v, %v; want %s then %s version 2", byOrg, err, early, late)
		}
		byPeriod, err := s.CurrentByPeriod(ctx, late)
		var ours []string
		for _, v := range byPeriod {
			if strings.HasPrefix(v.Org, run.prefix) {
				ours = append(ours, fmt.Sprintf("%s v%d", v.Org, v.Number))
			}
		}
		if want := []string{a + " v2", b + " v1"}; err != nil || !reflect.DeepEqual(ours, want) {
			t.Errorf("current by quarter %q, %v; want %q", ours, err, want)
		}
	})

	t.Run("an idempotency record is written with its version or not at all", func(t *testing.T) {
		org, q := run.org("IDEM"), run.quarter(3)
		rec := record(run, "with-version", time.Now().Add(time.Hour))
		wantErr(t, s.Append(ctx, version(org, q, 1), &rec), nil, "version 1 with a record")
		got, err := s.Idempotency(ctx, rec.Scope, rec.Key)
		if err != nil || got == nil || got.RequestHash != rec.RequestHash || !got.Created || !reflect.DeepEqual(got.Receipts, rec.Receipts) ||
			got.ExpiresAt.Unix() != rec.ExpiresAt.Unix() {
			t.Errorf("record %+v, %v; want %+v", got, err, rec)
		}

		// The key is taken: nothing is written, whatever the version.
		wantErr(t, s.Append(ctx, version(org, q, 2), &rec), workforce.ErrIdempotencyConflict, "version 2 under a taken key")
		if v, _ := s.Version(ctx, org, q, 2); v != nil {
			t.Errorf("version 2 was written although its record was refused")
		}
		wantErr(t, s.Append(ctx, version(org, q, 1), &rec), workforce.ErrIdempotencyConflict, "a taken number under a taken key")

		// The number is taken: the record is not written either.
		fresh := record(run, "with-taken-number", time.Now().Add(time.Hour))
		wantErr(t, s.Append(ctx, version(org, q, 1), &fresh), workforce.ErrVersionConflict, "a taken number with a new record")
		if got, err := s.Idempotency(ctx, fresh.Scope, fresh.Key); err != nil || got != nil {
			t.Errorf("record %+v, %v written although its version was refused", got, err)
		}
	})

	t.Run("an idempotency record is written where none is live", func(t *testing.T) {
		rec := record(run, "put", time.Now().Add(time.Hour))
		rec.Created = false
		wantErr(t, s.PutIdempotency(ctx, rec), nil, "a new record")
		again := rec
		again.RequestHash = "another request"
		wantErr(t, s.PutIdempotency(ctx, again), workforce.ErrIdempotencyConflict, "a second record for the key")
		if got, _ := s.Idempotency(ctx, rec.Scope, rec.Key); got == nil || got.RequestHash != rec.RequestHash || got.Created {
			t.Errorf("record %+v, want the first", got)
		}
		other := rec
		other.Scope += "-other"
		wantErr(t, s.PutIdempotency(ctx, other), nil, "the same key from another sender")

		expired := record(run, "expired", time.Now().Add(-time.Hour))
		wantErr(t, s.PutIdempotency(ctx, expired), nil, "an expired record")
		if got, err := s.Idempotency(ctx, expired.Scope, expired.Key); err != nil || got != nil {
			t.Errorf("expired record read as %+v, %v; want nil", got, err)
		}
		live := expired
		live.RequestHash, live.ExpiresAt = "after expiry", time.Now().Add(time.Hour)
		wantErr(t, s.PutIdempotency(ctx, live), nil, "a record over an expired one")
		if got, _ := s.Idempotency(ctx, live.Scope, live.Key); got == nil || got.RequestHash != "after expiry" {
			t.Errorf("record %+v, want the one written over the expired one", got)
		}
		org, q := run.org("IDEMEXP"), run.quarter(3)
		gone := record(run, "expired-append", time.Now().Add(-time.Hour))
		wantErr(t, s.PutIdempotency(ctx, gone), nil, "an expired record")
		gone.ExpiresAt = time.Now().Add(time.Hour)
		wantErr(t, s.Append(ctx, version(org, q, 1), &gone), nil, "a version with a record over an expired one")
	})

	t.Run("racing appends of one number have one winner", func(t *testing.T) {
		org, q := run.org("RACE"), run.quarter(4)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v := version(org, q, 1)
				v.SubmissionID = fmt.Sprint("racer-", i)
				errs[i] = s.Append(ctx, v, nil)
			})
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, workforce.ErrVersionConflict):
				t.Errorf("racer %d: %v, want success or ErrVersionConflict", i, err)
			}
		}
		vs, err := s.Versions(ctx, org, q)
		if won != 1 || err != nil || len(vs) != 1 {
			t.Errorf("%d won, versions %+v (%v); want one of each", won, vs, err)
		}
	})
}

// run names what one call of ReturnStore writes.
type run struct {
	prefix string // of organisation codes
	year   int    // of quarters
}

func newRun(t *testing.T) run {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return run{prefix: "ST" + strings.ToUpper(hex.EncodeToString(b)), year: 1900 + int(b[0])%90}
}

func (r run) org(name string) string { return r.prefix + "-" + name }

func (r run) quarter(i int) period.Quarter {
	return period.FromIndex(period.Quarter{StartYear: r.year, Q: 1}.Index() + i)
}

// version is a version as the service writes one, with every field set and times in UTC
// to the nanosecond, as the table keeps them.
func version(org string, q period.Quarter, n int) workforce.Version {
	at := time.Date(2025, 7, 20, 9, 0, 0, 123456789, time.UTC).Add(time.Duration(n) * time.Minute)
	return workforce.Version{SubmissionID: fmt.Sprintf("sub-%s-%d", org, n), Org: org, Period: q, Number: n,
		Kind:     workforce.CivilService,
		Values:   map[string]string{workforce.KeyOrg: org, workforce.KeyPeriod: q.String(), workforce.KeyHeadcount: fmt.Sprint(1000 + n)},
		Warnings: []workforce.Problem{{Field: workforce.KeyHeadcount, Code: "headcount_change", Message: "Headcount changed."}},
		SHA256:   fmt.Sprintf("content-%d", n), FileSHA256: fmt.Sprintf("file-%d", n), FileKey: fmt.Sprintf("uploads/%s/%s/%d.json", org, q, n),
		Format: "json", ReceivedAt: at, FirstReceivedAt: at.Add(-time.Duration(n-1) * time.Minute), SubmittedBy: "subject"}
}

func record(r run, key string, expires time.Time) workforce.IdempotencyRecord {
	at := time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC)
	return workforce.IdempotencyRecord{Scope: "sub:" + r.prefix, Key: key, RequestHash: "hash of " + key, Created: true,
		ExpiresAt: expires, Receipts: []workforce.Receipt{{SubmissionID: "sub-1", Org: r.prefix, Period: "1900-01-Q1", Version: 1,
			SHA256: "content-1", ReceivedAt: at, Warnings: []workforce.Problem{}}}}
}

func wantErr(t *testing.T, err, want error, what string) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}
