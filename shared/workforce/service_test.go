package workforce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The service over memstore: what Submit, SubmitBulk and Check promise whatever the
// store, with the store's faults and races made on purpose. The same paths run against
// DynamoDB Local and versitygw in infra/e2e/integration.

var (
	hmrc  = workforce.Principal{Subject: "u-hmrc", Org: "HMRC", Roles: []string{"submitter"}}
	leeds = workforce.Principal{Subject: "u-leeds", Org: "LEEDS", Roles: []string{"submitter"}}
	admin = workforce.Principal{Subject: "u-admin", Roles: []string{"admin"}}
	q1    = period.MustQuarter("2025-26-Q1")
)

// julyDay is on time for 2025-26-Q1, which is due on 30 July 2025.
var julyDay = time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC)

// clock is a settable clock that goroutines may read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)         { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// env is a service over an empty memstore holding the test register, and its clock.
type env struct {
	clock *clock
	store *memstore.Store
	files *memstore.Bucket
	svc   *workforce.Service
}

func newEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	c := &clock{t: now}
	e := &env{clock: c, store: &memstore.Store{Now: c.Now}, files: &memstore.Bucket{}}
	for _, o := range workforce.TestRegister {
		if err := e.store.PutOrganisation(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	e.svc = &workforce.Service{Returns: e.store, Organisations: e.store, SignOffs: e.store, Files: e.files, DueDays: 30, Now: c.Now}
	return e
}

// returnJSON is HMRC's valid return for 2025-26-Q1 with changes, as JSON. It gives a
// revision_reason, which a revision must: the reason is not content, so returns that
// differ only in it are the same return, and a version 1 keeps one it is given.
func returnJSON(t *testing.T, changes ...string) []byte {
	t.Helper()
	v := workforce.ValidValues()
	v[workforce.KeyRevisionReason] = "Figures corrected."
	for i := 0; i+1 < len(changes); i += 2 {
		v[changes[i]] = changes[i+1]
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) submit(t *testing.T, p workforce.Principal, body []byte, key string) (workforce.Receipt, bool) {
	t.Helper()
	rc, created, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: p, Format: workforce.FormatJSON, Body: body, IdempotencyKey: key})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return rc, created
}

// versions checks that org's versions for q are numbered 1…n without a gap, that the
// current version is the last, and that each points at a stored file; it returns n.
func (e *env) versions(t *testing.T, org string, q period.Quarter) int {
	t.Helper()
	ctx := context.Background()
	vs, err := e.store.Versions(ctx, org, q)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v.Number != i+1 {
			t.Fatalf("version %d is numbered %d: %+v", i+1, v.Number, vs)
		}
		if _, ok := e.files.Object(v.FileKey); v.FileKey != "" && !ok {
			t.Errorf("version %d points at %s, which is not stored", v.Number, v.FileKey)
		}
	}
	cur, err := e.store.Current(ctx, org, q)
	if err != nil {
		t.Fatal(err)
	}
	if (cur == nil) != (len(vs) == 0) || cur != nil && !reflect.DeepEqual(*cur, vs[len(vs)-1]) {
		t.Fatalf("current %+v, want the last of %d versions", cur, len(vs))
	}
	return len(vs)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if workforce.ErrorCode(err) != code {
		t.Fatalf("error %v (code %s), want code %s", err, workforce.ErrorCode(err), code)
	}
}

// A request sent again with its Idempotency-Key gets the first answer again, receipt and
// status, even after later submissions have changed the return, and stores nothing more.
func TestIdempotentReplayGivesTheFirstAnswer(t *testing.T) {
	e := newEnv(t, julyDay)
	first, created := e.submit(t, hmrc, returnJSON(t), "key-1")
	if !created || first.Version != 1 {
		t.Fatalf("first answer %+v, created %v", first, created)
	}
	e.clock.Advance(time.Hour)
	again, created := e.submit(t, hmrc, returnJSON(t), "key-1")
	if !created || !reflect.DeepEqual(again, first) {
		t.Errorf("replay %+v (created %v), want the first answer %+v (created)", again, created, first)
	}

	// A correction makes version 2; the first key still answers version 1.
	e.submit(t, hmrc, returnJSON(t, "headcount", "70100"), "")
	if again, _ := e.submit(t, hmrc, returnJSON(t), "key-1"); !reflect.DeepEqual(again, first) {
		t.Errorf("replay after a correction %+v, want %+v", again, first)
	}

	// A request whose first answer was a duplicate is replayed as a duplicate, 200.
	dup, created := e.submit(t, hmrc, returnJSON(t, "headcount", "70100"), "key-2")
	if created || !dup.Duplicate || dup.Version != 2 {
		t.Fatalf("duplicate %+v, created %v", dup, created)
	}
	if again, created := e.submit(t, hmrc, returnJSON(t, "headcount", "70100"), "key-2"); created || !reflect.DeepEqual(again, dup) {
		t.Errorf("replay of a duplicate %+v (created %v), want %+v (not created)", again, created, dup)
	}
	if n := e.versions(t, "HMRC", q1); n != 2 {
		t.Errorf("%d versions, want 2", n)
	}
	if keys := e.files.Keys("uploads/"); len(keys) != 2 {
		t.Errorf("files %q, want one for each version", keys)
	}
}

// The same key with another request is a conflict, 409, and stores nothing: a different
// body, or the same values in another format.
func TestIdempotencyKeyWithAnotherRequestIsAConflict(t *testing.T) {
	e := newEnv(t, julyDay)
	e.submit(t, hmrc, returnJSON(t), "key-1")
	for name, up := range map[string]workforce.Upload{
		"another body":   {Format: workforce.FormatJSON, Body: returnJSON(t, "headcount", "70100")},
		"another format": {Format: workforce.FormatCSV, Body: sample.CSV(workforce.ValidValues())},
	} {
		t.Run(name, func(t *testing.T) {
			up.Principal, up.IdempotencyKey = hmrc, "key-1"
			_, _, err := e.svc.Submit(context.Background(), up)
			wantCode(t, err, workforce.EConflict)
			if !strings.Contains(workforce.ErrorMessage(err), `"key-1"`) {
				t.Errorf("message %q does not name the key", workforce.ErrorMessage(err))
			}
		})
	}
	if n := e.versions(t, "HMRC", q1); n != 1 {
		t.Errorf("%d versions, want 1", n)
	}
	if keys := e.files.Keys(""); len(keys) != 1 {
		t.Errorf("files %q, want the first request's only", keys)
	}
}

// A replay is authorised like a first request: a token whose subject sent the key but
// that may no longer submit the return gets 403, not the recorded answer. Keys are
// scoped to their sender: another user's same key is a request of its own.
func TestIdempotentReplayIsAuthorisedLikeAFirstRequest(t *testing.T) {
	e := newEnv(t, julyDay)
	e.submit(t, hmrc, returnJSON(t), "key-1")
	for name, p := range map[string]workforce.Principal{
		"moved to another organisation": {Subject: hmrc.Subject, Org: "LEEDS", Roles: []string{"submitter"}},
		"no longer a submitter":         {Subject: hmrc.Subject, Org: "HMRC", Roles: []string{"leader"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: p, Format: workforce.FormatJSON, Body: returnJSON(t), IdempotencyKey: "key-1"})
			wantCode(t, err, workforce.EForbidden)
		})
	}
	colleague := workforce.Principal{Subject: "u-hmrc-2", Org: "HMRC", Roles: []string{"submitter"}}
	rc, created := e.submit(t, colleague, returnJSON(t, "headcount", "70100"), "key-1")
	if !created || rc.Version != 2 {
		t.Errorf("a colleague's request with the same key: %+v (created %v), want version 2 created", rc, created)
	}
}

// An expired idempotency record is absent: the key can be used for a new request, which
// records its own answer. Until it expires it is not.
func TestExpiredIdempotencyRecordIsAbsent(t *testing.T) {
	e := newEnv(t, julyDay)
	e.submit(t, hmrc, returnJSON(t), "key-1")
	changed := returnJSON(t, "headcount", "70100")

	e.clock.Advance(24*time.Hour - time.Second)
	_, _, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: changed, IdempotencyKey: "key-1"})
	wantCode(t, err, workforce.EConflict)

	e.clock.Advance(2 * time.Second)
	rc, created := e.submit(t, hmrc, changed, "key-1")
	if !created || rc.Version != 2 {
		t.Fatalf("after expiry: %+v (created %v), want version 2 created", rc, created)
	}
	if again, created := e.submit(t, hmrc, changed, "key-1"); !created || !reflect.DeepEqual(again, rc) {
		t.Errorf("replay of the new record %+v (created %v), want %+v", again, created, rc)
	}
	// The key now stands for the second request: the first body with it is the conflict.
	_, _, err = e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: returnJSON(t), IdempotencyKey: "key-1"})
	wantCode(t, err, workforce.EConflict)
}

// returnsWith is the memstore with some of its methods replaced, to make faults and races
// happen on purpose.
type returnsWith struct {
	*memstore.Store
	append  func(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error
	version func(ctx context.Context, org string, q period.Quarter, n int) (*workforce.Version, error)
}

func (r returnsWith) Append(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
	if r.append != nil {
		return r.append(ctx, v, idem)
	}
	return r.Store.Append(ctx, v, idem)
}

func (r returnsWith) Version(ctx context.Context, org string, q period.Quarter, n int) (*workforce.Version, error) {
	if r.version != nil {
		return r.version(ctx, org, q, n)
	}
	return r.Store.Version(ctx, org, q, n)
}

// filesWith is the memstore bucket with its writes replaceable.
type filesWith struct {
	*memstore.Bucket
	put    func(ctx context.Context, key string, body []byte, contentType string) error
	delete func(ctx context.Context, key string) error
}

func (f filesWith) PutUpload(ctx context.Context, key string, body []byte, contentType string) error {
	if f.put != nil {
		return f.put(ctx, key, body, contentType)
	}
	return f.Bucket.PutUpload(ctx, key, body, contentType)
}

func (f filesWith) DeleteUpload(ctx context.Context, key string) error {
	if f.delete != nil {
		return f.delete(ctx, key)
	}
	return f.Bucket.DeleteUpload(ctx, key)
}

// competitor appends, as another submission would, the next version of v's return with
// content sha.
func competitor(t *testing.T, s *memstore.Store, v workforce.Version, sha string, n int) {
	t.Helper()
	ctx := context.Background()
	cur, err := s.Current(ctx, v.Org, v.Period)
	if err != nil {
		t.Fatal(err)
	}
	other := workforce.Version{SubmissionID: fmt.Sprintf("other-%d", n), Org: v.Org, Period: v.Period, Kind: v.Kind,
		Values: v.Values, SHA256: sha, Number: 1, ReceivedAt: v.ReceivedAt.Add(-time.Minute), FirstReceivedAt: v.ReceivedAt.Add(-time.Minute)}
	if cur != nil {
		other.Number, other.FirstReceivedAt = cur.Number+1, cur.FirstReceivedAt
	}
	if err := s.Append(ctx, other, nil); err != nil {
		t.Fatalf("competitor: %v", err)
	}
}

// When another submission takes the version number first, the service reads the new
// current version and tries again: the numbers stay contiguous, the new version follows
// the other's and keeps version 1's arrival, and the idempotency record is written with it.
func TestRetryAfterVersionConflict(t *testing.T) {
	for _, others := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d other submissions first", others), func(t *testing.T) {
			e := newEnv(t, julyDay)
			calls := 0
			e.svc.Returns = returnsWith{Store: e.store, append: func(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
				if calls++; calls <= others {
					competitor(t, e.store, v, fmt.Sprintf("other content %d", calls), calls)
				}
				return e.store.Append(ctx, v, idem)
			}}
			rc, created := e.submit(t, hmrc, returnJSON(t), "key-1")
			if !created || rc.Version != others+1 || calls != others+1 {
				t.Fatalf("receipt %+v (created %v) after %d appends, want version %d created", rc, created, calls, others+1)
			}
			if n := e.versions(t, "HMRC", q1); n != others+1 {
				t.Errorf("%d versions, want %d", n, others+1)
			}
			cur, _ := e.store.Current(context.Background(), "HMRC", q1)
			first, _ := e.store.Version(context.Background(), "HMRC", q1, 1)
			if cur.SubmissionID != rc.SubmissionID || !cur.FirstReceivedAt.Equal(first.ReceivedAt) {
				t.Errorf("current %s first received %s, want ours (%s) keeping version 1's arrival %s", cur.SubmissionID, cur.FirstReceivedAt, rc.SubmissionID, first.ReceivedAt)
			}
			if again, created := e.submit(t, hmrc, returnJSON(t), "key-1"); !created || !reflect.DeepEqual(again, rc) {
				t.Errorf("replay %+v, want %+v", again, rc)
			}
		})
	}

	t.Run("the store answers conflict without a competitor", func(t *testing.T) {
		e := newEnv(t, julyDay)
		calls := 0
		e.svc.Returns = returnsWith{Store: e.store, append: func(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
			if calls++; calls <= 3 {
				return workforce.ErrVersionConflict
			}
			return e.store.Append(ctx, v, idem)
		}}
		if rc, created := e.submit(t, hmrc, returnJSON(t), ""); !created || rc.Version != 1 || calls != 4 {
			t.Errorf("receipt %+v (created %v) after %d appends, want version 1 after 4", rc, created, calls)
		}
		if n := e.versions(t, "HMRC", q1); n != 1 {
			t.Errorf("%d versions, want 1", n)
		}
	})

	t.Run("the competitor sent the same content", func(t *testing.T) {
		e := newEnv(t, julyDay)
		e.svc.Returns = returnsWith{Store: e.store, append: func(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
			if v.Number == 1 {
				competitor(t, e.store, v, v.SHA256, 1)
			}
			return e.store.Append(ctx, v, idem)
		}}
		rc, created := e.submit(t, hmrc, returnJSON(t), "key-1")
		if created || !rc.Duplicate || rc.Version != 1 || rc.SubmissionID != "other-1" {
			t.Errorf("receipt %+v (created %v), want a duplicate of the other's version 1", rc, created)
		}
		if keys := e.files.Keys(""); len(keys) != 0 {
			t.Errorf("files %q left, want none: no version of ours references one", keys)
		}
		if again, created := e.submit(t, hmrc, returnJSON(t), "key-1"); created || !reflect.DeepEqual(again, rc) {
			t.Errorf("replay %+v (created %v), want %+v", again, created, rc)
		}
	})

	t.Run("conflicts every time", func(t *testing.T) {
		e := newEnv(t, julyDay)
		e.svc.MaxAttempts = 3
		calls := 0
		e.svc.Returns = returnsWith{Store: e.store, append: func(context.Context, workforce.Version, *workforce.IdempotencyRecord) error {
			calls++
			return workforce.ErrVersionConflict
		}}
		_, _, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: returnJSON(t)})
		wantCode(t, err, workforce.EConflict)
		if calls != 3 {
			t.Errorf("%d appends, want MaxAttempts = 3", calls)
		}
		if n, keys := e.versions(t, "HMRC", q1), e.files.Keys(""); n != 0 || len(keys) != 0 {
			t.Errorf("%d versions and files %q left, want nothing", n, keys)
		}
	})
}

// Content equal to the current version's is a duplicate, 200, whatever format or spelling
// it arrives in, and no file is stored for it.
func TestDuplicateStoresNoFile(t *testing.T) {
	e := newEnv(t, julyDay)
	first, _ := e.submit(t, hmrc, returnJSON(t), "")
	stored := e.files.Keys("")
	// Not stored and deleted again: not stored at all.
	e.svc.Files = filesWith{Bucket: e.files, put: func(_ context.Context, key string, _ []byte, _ string) error {
		t.Errorf("a duplicate stored %s", key)
		return errors.New("no file expected")
	}}
	for name, up := range map[string]workforce.Upload{
		"the same JSON":          {Format: workforce.FormatJSON, Body: returnJSON(t)},
		"the same values as CSV": {Format: workforce.FormatCSV, Body: sample.CSV(workforce.ValidValues())},
		"spelt differently":      {Format: workforce.FormatJSON, Body: returnJSON(t, "board_digital_ned", "no", "fte", "65000.50")},
	} {
		t.Run(name, func(t *testing.T) {
			up.Principal = hmrc
			rc, created, err := e.svc.Submit(context.Background(), up)
			if err != nil {
				t.Fatal(err)
			}
			if created || !rc.Duplicate || rc.Version != 1 || rc.SubmissionID != first.SubmissionID || rc.SHA256 != first.SHA256 {
				t.Errorf("receipt %+v (created %v), want a duplicate of %+v", rc, created, first)
			}
		})
	}
	if keys := e.files.Keys(""); !slices.Equal(keys, stored) || len(keys) != 1 {
		t.Errorf("files %q, want the first submission's only, %q", keys, stored)
	}
	if n := e.versions(t, "HMRC", q1); n != 1 {
		t.Errorf("%d versions, want 1", n)
	}
}

// A request that stores its file and then creates no version deletes the file again,
// since nothing references it; one whose version may have been written keeps it.
func TestFailureAfterTheUploadDeletesTheFile(t *testing.T) {
	unavailable := errors.New("table unavailable")
	for _, tc := range []struct {
		name      string
		returns   func(*memstore.Store) workforce.ReturnStore
		files     func(*memstore.Bucket) workforce.FileStore
		wantErr   bool
		wantFiles int
	}{
		{name: "the append fails", wantErr: true, wantFiles: 0,
			returns: func(s *memstore.Store) workforce.ReturnStore {
				return returnsWith{Store: s, append: func(context.Context, workforce.Version, *workforce.IdempotencyRecord) error { return unavailable }}
			}},
		{name: "the put's answer is lost after the file was stored", wantErr: true, wantFiles: 0,
			files: func(b *memstore.Bucket) workforce.FileStore {
				return filesWith{Bucket: b, put: func(ctx context.Context, key string, body []byte, ct string) error {
					if err := b.PutUpload(ctx, key, body, ct); err != nil {
						return err
					}
					return context.DeadlineExceeded
				}}
			}},
		{name: "the append's answer is lost after the version was written", wantErr: false, wantFiles: 1,
			returns: func(s *memstore.Store) workforce.ReturnStore {
				return returnsWith{Store: s, append: func(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
					if err := s.Append(ctx, v, idem); err != nil {
						return err
					}
					return context.DeadlineExceeded
				}}
			}},
		{name: "the append fails and so does reading it back", wantErr: true, wantFiles: 1,
			returns: func(s *memstore.Store) workforce.ReturnStore {
				return returnsWith{Store: s,
					append: func(context.Context, workforce.Version, *workforce.IdempotencyRecord) error { return unavailable },
					version: func(context.Context, string, period.Quarter, int) (*workforce.Version, error) {
						return nil, unavailable
					}}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, julyDay)
			if tc.returns != nil {
				e.svc.Returns = tc.returns(e.store)
			}
			if tc.files != nil {
				e.svc.Files = tc.files(e.files)
			}
			rc, created, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: returnJSON(t)})
			if tc.wantErr != (err != nil) {
				t.Fatalf("receipt %+v, created %v, error %v; want error %v", rc, created, err, tc.wantErr)
			}
			if err != nil && workforce.ErrorCode(err) != workforce.EInternal {
				t.Errorf("error %v has code %s, want an internal error", err, workforce.ErrorCode(err))
			}
			if keys := e.files.Keys(""); len(keys) != tc.wantFiles {
				t.Errorf("files %q, want %d", keys, tc.wantFiles)
			}
			if !tc.wantErr && (!created || rc.Version != 1 || e.versions(t, "HMRC", q1) != 1) {
				t.Errorf("receipt %+v (created %v), want version 1 stored", rc, created)
			}
		})
	}

	t.Run("the delete fails too", func(t *testing.T) {
		e := newEnv(t, julyDay)
		var logged bytes.Buffer
		e.svc.Log = slog.New(slog.NewJSONHandler(&logged, nil))
		e.svc.Returns = returnsWith{Store: e.store, append: func(context.Context, workforce.Version, *workforce.IdempotencyRecord) error { return unavailable }}
		e.svc.Files = filesWith{Bucket: e.files, delete: func(context.Context, string) error { return errors.New("bucket unavailable") }}
		if _, _, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: returnJSON(t)}); !errors.Is(err, unavailable) {
			t.Fatalf("error %v, want the append's", err)
		}
		keys := e.files.Keys("")
		if len(keys) != 1 || !strings.Contains(logged.String(), keys[0]) || !strings.Contains(logged.String(), "bucket unavailable") {
			t.Errorf("files %q, log %s: want the file left and logged with its key and the delete's error", keys, logged.String())
		}
	})
}

// readOnly fails the test on any write to the table; noWrites on any to the bucket.
type readOnly struct {
	*memstore.Store
	t *testing.T
}

func (r readOnly) Append(context.Context, workforce.Version, *workforce.IdempotencyRecord) error {
	r.t.Error("Check appended a version")
	return errors.New("read only")
}

func (r readOnly) PutIdempotency(context.Context, workforce.IdempotencyRecord) error {
	r.t.Error("Check recorded an idempotency record")
	return errors.New("read only")
}

func (r readOnly) PutOrganisation(context.Context, workforce.Organisation) error {
	r.t.Error("Check changed the register")
	return errors.New("read only")
}

type noWrites struct{ t *testing.T }

func (n noWrites) PutUpload(context.Context, string, []byte, string) error {
	n.t.Error("Check stored a file")
	return errors.New("read only")
}

func (n noWrites) DeleteUpload(context.Context, string) error {
	n.t.Error("Check deleted a file")
	return errors.New("read only")
}

// Check (POST /returns/check) answers what sending the return would do, with Submit's
// authorisation, problems, warnings and version number, and writes nothing at all.
func TestCheckStoresNothing(t *testing.T) {
	e := newEnv(t, julyDay)
	checker := &workforce.Service{Returns: readOnly{e.store, t}, Organisations: readOnly{e.store, t}, Files: noWrites{t},
		DueDays: e.svc.DueDays, Now: e.clock.Now}
	check := func(p workforce.Principal, body []byte) (workforce.Checked, error) {
		return checker.Check(context.Background(), workforce.Upload{Principal: p, Format: workforce.FormatJSON, Body: body, IdempotencyKey: "key-1"})
	}

	c, err := check(hmrc, returnJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Duplicate || c.Version != 1 || c.Return.Org != "HMRC" || c.SHA256 != c.Return.ContentHash() || c.Warnings == nil {
		t.Errorf("first check %+v, want version 1, not a duplicate, warnings a list", c)
	}
	if n := e.versions(t, "HMRC", q1); n != 0 {
		t.Fatalf("%d versions after a check, want none", n)
	}
	first, _ := e.submit(t, hmrc, returnJSON(t), "key-1") // the key Check was given is still free

	if c, err := check(hmrc, returnJSON(t)); err != nil || !c.Duplicate || c.Version != 1 || c.SHA256 != first.SHA256 {
		t.Errorf("check of the current content: %+v, %v; want a duplicate of version 1", c, err)
	}

	// The next quarter's return, a lot larger: warned about as Submit would warn.
	q2 := period.MustQuarter("2025-26-Q2")
	e.clock.Set(time.Date(2025, 10, 10, 9, 0, 0, 0, time.UTC))
	next := returnJSON(t, "period", q2.String(), "headcount", "90000")
	c, err = check(hmrc, next)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := e.submit(t, hmrc, next, "")
	if c.Duplicate || c.Version != 1 || !reflect.DeepEqual(c.Warnings, rc.Warnings) || len(c.Warnings) == 0 {
		t.Errorf("check warned %+v (version %d), submit %+v (version %d); want the same, not none", c.Warnings, c.Version, rc.Warnings, rc.Version)
	}
	if c, err := check(hmrc, returnJSON(t, "period", q2.String(), "headcount", "90001")); err != nil || c.Version != 2 {
		t.Errorf("check of a correction: %+v, %v; want version 2", c, err)
	}

	_, err = check(leeds, returnJSON(t))
	wantCode(t, err, workforce.EForbidden)
	_, err = check(hmrc, returnJSON(t, "headcount", "-1"))
	wantCode(t, err, workforce.EInvalid)
	if n := e.versions(t, "HMRC", q1) + e.versions(t, "HMRC", q2); n != 2 {
		t.Errorf("%d versions, want the 2 submitted", n)
	}
}

// Many submissions for one organisation-period at once: every distinct one gets a
// version of its own, numbered without a gap, and of many identical ones exactly one
// is stored, with one file. Run with -race.
func TestConcurrentSubmissions(t *testing.T) {
	t.Run("distinct content", func(t *testing.T) {
		e := newEnv(t, julyDay)
		e.svc.MaxAttempts = 1000 // the bound is not what this is about
		const n = 16
		got := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				rc, created, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON,
					Body: returnJSON(t, "headcount", fmt.Sprint(70000+i)), IdempotencyKey: fmt.Sprint("key-", i)})
				if err != nil || !created {
					t.Errorf("submission %d: %v (created %v)", i, err, created)
				}
				got[i] = rc.Version
			})
		}
		wg.Wait()
		slices.Sort(got)
		for i, v := range got {
			if v != i+1 {
				t.Fatalf("versions answered %v, want 1…%d once each", got, n)
			}
		}
		if v := e.versions(t, "HMRC", q1); v != n {
			t.Errorf("%d versions stored, want %d", v, n)
		}
		if keys := e.files.Keys(""); len(keys) != n {
			t.Errorf("%d files, want %d", len(keys), n)
		}
	})

	t.Run("the same content", func(t *testing.T) {
		e := newEnv(t, julyDay)
		const n = 8
		var created, duplicates sync.Map
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				rc, c, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: returnJSON(t)})
				if err != nil || rc.Version != 1 {
					t.Errorf("submission %d: %+v, %v", i, rc, err)
				}
				if c {
					created.Store(i, rc.SubmissionID)
				} else {
					duplicates.Store(i, rc.SubmissionID)
				}
			})
		}
		wg.Wait()
		var ids []string
		created.Range(func(_, id any) bool { ids = append(ids, id.(string)); return true })
		duplicates.Range(func(_, id any) bool {
			if len(ids) == 1 && id != ids[0] {
				t.Errorf("a duplicate answered submission %s, want %s", id, ids[0])
			}
			return true
		})
		if len(ids) != 1 || e.versions(t, "HMRC", q1) != 1 || len(e.files.Keys("")) != 1 {
			t.Errorf("%d created, %d versions, files %q; want one of each", len(ids), e.versions(t, "HMRC", q1), e.files.Keys(""))
		}
	})

	t.Run("the same key and content", func(t *testing.T) {
		e := newEnv(t, julyDay)
		const n = 8
		rcs := make([]workforce.Receipt, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				rc, created, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: returnJSON(t), IdempotencyKey: "key-1"})
				if err != nil || !created {
					t.Errorf("submission %d: %v (created %v), want the one answer, created", i, err, created)
				}
				rcs[i] = rc
			})
		}
		wg.Wait()
		for i, rc := range rcs {
			if !reflect.DeepEqual(rc, rcs[0]) {
				t.Errorf("submission %d answered %+v, submission 0 %+v", i, rc, rcs[0])
			}
		}
		if e.versions(t, "HMRC", q1) != 1 || len(e.files.Keys("")) != 1 {
			t.Errorf("files %q, want one version and its file", e.files.Keys(""))
		}
	})
}

// A bulk file is one request: one file for all its returns, one idempotency record with
// every receipt, and when every return repeats its current version, no file at all.
func TestBulkSubmission(t *testing.T) {
	e := newEnv(t, julyDay)
	lead := map[string]string{"org": "LEEDS", "period": q1.String(), "exec_committee_digital_leader": "yes", "board_digital_ned": "no"}
	body := sample.BulkCSV([]map[string]string{workforce.ValidValues(), lead})
	up := workforce.Upload{Principal: admin, Body: body, IdempotencyKey: "bulk-1"}
	rcs, err := e.svc.SubmitBulk(context.Background(), up)
	if err != nil {
		t.Fatal(err)
	}
	if len(rcs) != 2 || rcs[0].Org != "HMRC" || rcs[1].Org != "LEEDS" || rcs[0].Version != 1 || rcs[1].Version != 1 ||
		rcs[0].SubmissionID == rcs[1].SubmissionID {
		t.Fatalf("receipts %+v, want version 1 of each, with ids of their own", rcs)
	}
	files := e.files.Keys("")
	if len(files) != 1 || !strings.HasPrefix(files[0], "uploads/2025/07/20/") {
		t.Errorf("files %q, want one, under the day", files)
	}
	if again, err := e.svc.SubmitBulk(context.Background(), up); err != nil || !reflect.DeepEqual(again, rcs) {
		t.Errorf("replay %+v, %v; want %+v", again, err, rcs)
	}
	up.IdempotencyKey = ""
	dups, err := e.svc.SubmitBulk(context.Background(), up)
	if err != nil || len(dups) != 2 || !dups[0].Duplicate || !dups[1].Duplicate {
		t.Errorf("resent: %+v, %v; want both duplicates", dups, err)
	}
	if keys := e.files.Keys(""); !slices.Equal(keys, files) {
		t.Errorf("files %q after duplicates, want %q", keys, files)
	}
	_, err = e.svc.SubmitBulk(context.Background(), workforce.Upload{Principal: hmrc, Body: body})
	wantCode(t, err, workforce.EForbidden)
}
