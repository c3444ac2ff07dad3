package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/testsupport/storetest"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The contract infra/e2e/integration also runs against the DynamoDB adapter.
func TestReturnStoreContract(t *testing.T) { storetest.ReturnStore(t, &memstore.Store{}) }

// And the sign-off contract, which infra/e2e/integration runs against DynamoDB too.
func TestSignOffStoreContract(t *testing.T) { storetest.SignOffStore(t, &memstore.Store{}) }

// Records expire by the store's clock when it has one, to the second as in the table.
func TestIdempotencyExpiresByTheStoreClock(t *testing.T) {
	now := time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC)
	s := &memstore.Store{Now: func() time.Time { return now }}
	ctx := context.Background()
	rec := workforce.IdempotencyRecord{Scope: "sub:a", Key: "k", RequestHash: "h", ExpiresAt: now.Add(time.Hour)}
	if err := s.PutIdempotency(ctx, rec); err != nil {
		t.Fatal(err)
	}
	now = rec.ExpiresAt.Add(999 * time.Millisecond)
	if got, _ := s.Idempotency(ctx, "sub:a", "k"); got == nil {
		t.Error("a record read within its last second is gone")
	}
	if err := s.PutIdempotency(ctx, rec); !errors.Is(err, workforce.ErrIdempotencyConflict) {
		t.Errorf("put within the record's last second: %v, want a conflict", err)
	}
	now = rec.ExpiresAt.Add(time.Second)
	if got, _ := s.Idempotency(ctx, "sub:a", "k"); got != nil {
		t.Errorf("expired record read as %+v", got)
	}
	if err := s.PutIdempotency(ctx, rec); err != nil {
		t.Errorf("put over an expired record: %v", err)
	}
}

func TestRollupRevisionsAreConditional(t *testing.T) {
	s := &memstore.Store{}
	ctx := context.Background()
	rec := func(month string, rev int) rollup.Record {
		return rollup.Record{Month: month, Revision: rev, InputsFingerprint: fmt.Sprint("fp", rev), SnapshotKey: fmt.Sprintf("rollups/%s/r%d", month, rev),
			CreatedAt: time.Date(2025, 11, 1, 6, 0, 0, 0, time.UTC), Reports: []rollup.Report{{Edition: rollup.EditionPublished, Format: rollup.FormatXLSX, Key: "k"}}}
	}
	if got, err := s.LatestRollup(ctx, "2025-10"); got != nil || err != nil {
		t.Fatalf("latest of a new month: %+v, %v", got, err)
	}
	for _, tc := range []struct {
		rec  rollup.Record
		want error
	}{
		{rec("2025-10", 2), rollup.ErrRevisionConflict},
		{rec("2025-10", 1), nil},
		{rec("2025-10", 1), rollup.ErrRevisionConflict},
		{rec("2025-10", 2), nil},
		{rec("2025-09", 1), nil},
	} {
		if err := s.PutRollup(ctx, tc.rec); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("put %s r%d: %v, want %v", tc.rec.Month, tc.rec.Revision, err, tc.want)
		}
	}
	latest, _ := s.LatestRollup(ctx, "2025-10")
	first, _ := s.Rollup(ctx, "2025-10", 1)
	if !reflect.DeepEqual(*latest, rec("2025-10", 2)) || !reflect.DeepEqual(*first, rec("2025-10", 1)) {
		t.Errorf("latest %+v, revision 1 %+v", latest, first)
	}
	if none, _ := s.Rollup(ctx, "2025-10", 3); none != nil {
		t.Errorf("revision 3 %+v, want nil", none)
	}
	latest.Reports[0].Key = "changed"
	if again, _ := s.LatestRollup(ctx, "2025-10"); again.Reports[0].Key != "k" {
		t.Error("changing a read record changed the store")
	}
	all, _ := s.Rollups(ctx)
	if len(all) != 2 || all[0].Month != "2025-09" || all[1].Month != "2025-10" || all[1].Revision != 2 {
		t.Errorf("rollups %+v, want each month's latest, oldest month first", all)
	}

	// Racing runs of one revision: one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 8 {
		wg.Go(func() {
			if err := s.PutRollup(ctx, rec("2025-11", 1)); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d racing runs took revision 1, want one", won)
	}
}

func TestRegister(t *testing.T) {
	s := &memstore.Store{}
	ctx := context.Background()
	for _, o := range []workforce.Organisation{{Code: "LEEDS", Name: "Leeds"}, {Code: "HMRC", Name: "HMRC"}, {Code: "LEEDS", Name: "Leeds City Council"}} {
		if err := s.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	orgs, _ := s.Organisations(ctx)
	if len(orgs) != 2 || orgs[0].Code != "HMRC" || orgs[1].Name != "Leeds City Council" {
		t.Errorf("register %+v, want two, in code order, the second replaced", orgs)
	}
	if o, _ := s.Organisation(ctx, "DSIT"); o != nil {
		t.Errorf("DSIT %+v, want nil", o)
	}
}

func TestBucketWritesAKeyOnce(t *testing.T) {
	var b memstore.Bucket
	ctx := context.Background()
	if err := b.PutUpload(ctx, "uploads/a", []byte("one"), ""); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "uploads/a", []byte("two"), "text/csv"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second put: %v, want fs.ErrExist", err)
	}
	if o, _ := b.Object("uploads/a"); string(o.Body) != "one" || o.ContentType != "application/octet-stream" {
		t.Errorf("object %+v, want the first put's", o)
	}
	if err := b.Put(ctx, "reports/x.xlsx", []byte("x"), "application/x"); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteUpload(ctx, "reports/x.xlsx"); err == nil {
		t.Error("a report was deleted as an upload")
	}
	if err := b.DeleteUpload(ctx, "uploads/a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "uploads/a"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a deleted upload: %v, want fs.ErrNotExist", err)
	}
	if keys := b.Keys(""); !reflect.DeepEqual(keys, []string{"reports/x.xlsx"}) {
		t.Errorf("keys %q", keys)
	}
}
