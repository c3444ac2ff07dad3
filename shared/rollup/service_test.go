package rollup_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// stores are a rollup's stores in memory: the table and the bucket.
type stores struct {
	table  *memstore.Store
	bucket *memstore.Bucket
}

func newStores(t *testing.T, orgs ...workforce.Organisation) stores {
	t.Helper()
	s := stores{table: &memstore.Store{}, bucket: &memstore.Bucket{}}
	for _, o := range orgs {
		if err := s.table.PutOrganisation(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// submit stores the next version of org's return for q with values (the organisation and
// period filled in), received at.
func (s stores) submit(t *testing.T, org string, q period.Quarter, values map[string]string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	vals := map[string]string{workforce.KeyOrg: org, workforce.KeyPeriod: q.String()}
	for k, v := range values {
		vals[k] = v
	}
	v := workforce.Version{SubmissionID: fmt.Sprintf("%s-%s-%d", org, q, at.UnixNano()), Org: org, Period: q, Number: 1,
		Kind: workforce.CivilService, Values: vals, ReceivedAt: at, FirstReceivedAt: at}
	v.SHA256 = v.Return().ContentHash()
	cur, err := s.table.Current(ctx, org, q)
	if err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		v.Number, v.FirstReceivedAt = cur.Number+1, cur.FirstReceivedAt
	}
	if err := s.table.Append(ctx, v, nil); err != nil {
		t.Fatal(err)
	}
}

// ticker is a clock that moves on a millisecond each time it is read, so that every run
// has a time of its own, as runs in different Lambdas do.
type ticker struct{ n atomic.Int64 }

func (c *ticker) Now() time.Time {
	return time.Date(2025, 11, 1, 6, 0, 0, 0, time.UTC).Add(time.Duration(c.n.Add(1)) * time.Millisecond)
}

var (
	q1, q2 = period.MustQuarter("2025-26-Q1"), period.MustQuarter("2025-26-Q2")
	hmrc   = workforce.Organisation{Code: "HMRC", Name: "HM Revenue and Customs", Parent: "HMRC", Kind: workforce.CivilService, BaselineHeadcount: 1000}
	dsit   = workforce.Organisation{Code: "DSIT", Name: "Department for Science, Innovation and Technology", Parent: "DSIT", Kind: workforce.CivilService, BaselineHeadcount: 500}
)

func figures(headcount string) map[string]string {
	return map[string]string{workforce.KeyHeadcount: headcount, workforce.KeyDDaTHeadcount: "50",
		workforce.KeyExecDigitalLeader: "yes", workforce.KeyBoardDigitalNED: "no"}
}

// monthService rolls up October 2025 (reference quarter 2025-26-Q2) over s, with HMRC's
// returns for both quarters of the collection so far.
func monthService(t *testing.T) (*rollup.Service, stores) {
	t.Helper()
	set, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := newStores(t, hmrc, dsit)
	s.submit(t, "HMRC", q1, figures("1000"), q1.ReferenceDate().AddDate(0, 0, 5))
	s.submit(t, "HMRC", q2, figures("1010"), q2.ReferenceDate().AddDate(0, 0, 5))
	svc := &rollup.Service{Returns: s.table, Organisations: s.table, Store: s.table, Blobs: s.bucket,
		Targets: set, DueDays: 30, FirstQuarter: q1, Now: (&ticker{}).Now,
		Workbook: func(snap rollup.Snapshot, edition, format string) ([]byte, error) {
			return fmt.Appendf(nil, "%s %s r%d %s", edition, format, snap.Revision, snap.InputsFingerprint), nil
		}}
	return svc, s
}

func run(t *testing.T, svc *rollup.Service) (rollup.Snapshot, bool) {
	t.Helper()
	snap, created, err := svc.Run(context.Background(), month(t), "admin")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return snap, created
}

// Running a month again with the same inputs creates nothing: the latest revision is
// answered as it was stored, and no object is written.
func TestSameInputsGiveTheSameRevision(t *testing.T) {
	svc, s := monthService(t)
	first, created := run(t, svc)
	if !created || first.Revision != 1 || first.ReferenceQuarter != q2 || len(first.Inputs) != 2 {
		t.Fatalf("first run: revision %d of %s with %d inputs (created %v)", first.Revision, first.ReferenceQuarter, len(first.Inputs), created)
	}
	objects := s.bucket.Keys("")
	for range 2 {
		again, created := run(t, svc)
		if created || !reflect.DeepEqual(again, first) {
			t.Errorf("run again: created %v, revision %d; want revision 1 as stored", created, again.Revision)
		}
	}
	if keys := s.bucket.Keys(""); !slices.Equal(keys, objects) {
		t.Errorf("objects %q after running again, want %q", keys, objects)
	}
	if recs, _ := svc.List(context.Background()); len(recs) != 1 || recs[0].Revision != 1 {
		t.Errorf("rollups %+v, want revision 1 only", recs)
	}
}

// A changed input makes revision r+1, and revision r stays as it was, workbooks and all.
func TestAChangedInputMakesTheNextRevision(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, svc *rollup.Service, s stores)
	}{
		{"a correction of a return", func(t *testing.T, _ *rollup.Service, s stores) {
			s.submit(t, "HMRC", q2, figures("1020"), q2.ReferenceDate().AddDate(0, 0, 40))
		}},
		{"another organisation's return", func(t *testing.T, _ *rollup.Service, s stores) {
			s.submit(t, "DSIT", q1, figures("500"), q1.ReferenceDate().AddDate(0, 0, 50))
		}},
		{"a register change", func(t *testing.T, _ *rollup.Service, s stores) {
			o := dsit
			o.BaselineHeadcount = 600
			if err := s.table.PutOrganisation(context.Background(), o); err != nil {
				t.Fatal(err)
			}
		}},
		{"a new targets file", func(_ *testing.T, svc *rollup.Service, _ stores) { svc.Targets.Version += "-revised" }},
		{"another due-date rule", func(_ *testing.T, svc *rollup.Service, _ stores) { svc.DueDays = 31 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, s := monthService(t)
			first, _ := run(t, svc)
			tc.change(t, svc, s)
			next, created := run(t, svc)
			if !created || next.Revision != 2 || next.InputsFingerprint == first.InputsFingerprint {
				t.Fatalf("after the change: revision %d (created %v), fingerprint changed %v; want revision 2 with a new fingerprint",
					next.Revision, created, next.InputsFingerprint != first.InputsFingerprint)
			}
			kept, err := svc.Get(context.Background(), month(t), 1)
			if err != nil || !reflect.DeepEqual(kept, first) {
				t.Errorf("revision 1 now %+v, %v; want it as it was", kept.InputsFingerprint, err)
			}
			latest, err := svc.Get(context.Background(), month(t), 0)
			if err != nil || !reflect.DeepEqual(latest, next) {
				t.Errorf("latest is revision %d, %v; want 2", latest.Revision, err)
			}
			for _, snap := range []rollup.Snapshot{first, next} {
				for _, r := range snap.Reports {
					if o, ok := s.bucket.Object(r.Key); !ok || len(o.Body) != r.Bytes {
						t.Errorf("revision %d: %s %s not stored as reported", snap.Revision, r.Edition, r.Format)
					}
				}
			}
			if again, created := run(t, svc); created || again.Revision != 2 {
				t.Errorf("running once more: revision %d (created %v), want 2 again", again.Revision, created)
			}
		})
	}
}

// The fingerprint names the versions, the register, the targets file and the due-date
// rule, in whatever order they are read, and nothing else.
func TestFingerprint(t *testing.T) {
	m := month(t)
	refs := []rollup.InputRef{{Org: "HMRC", Period: "2025-26-Q1", Version: 1, SHA256: "a"}, {Org: "DSIT", Period: "2025-26-Q1", Version: 2, SHA256: "b"}}
	orgs := []workforce.Organisation{hmrc, dsit}
	base := rollup.Fingerprint(m, refs, orgs, "t1", 30)
	if got := rollup.Fingerprint(m, []rollup.InputRef{refs[1], refs[0]}, []workforce.Organisation{dsit, hmrc}, "t1", 30); got != base {
		t.Error("the fingerprint depends on the order of the inputs")
	}
	with := func(f func(refs []rollup.InputRef, orgs []workforce.Organisation)) string {
		r, o := slices.Clone(refs), slices.Clone(orgs)
		f(r, o)
		return rollup.Fingerprint(m, r, o, "t1", 30)
	}
	changed := map[string]string{
		"month":                  rollup.Fingerprint(m.Prev(), refs, orgs, "t1", 30),
		"targets":                rollup.Fingerprint(m, refs, orgs, "t2", 30),
		"due days":               rollup.Fingerprint(m, refs, orgs, "t1", 31),
		"a version":              with(func(r []rollup.InputRef, _ []workforce.Organisation) { r[0].Version = 2 }),
		"a content hash":         with(func(r []rollup.InputRef, _ []workforce.Organisation) { r[0].SHA256 = "c" }),
		"a period":               with(func(r []rollup.InputRef, _ []workforce.Organisation) { r[0].Period = "2025-26-Q2" }),
		"a baseline":             with(func(_ []rollup.InputRef, o []workforce.Organisation) { o[0].BaselineHeadcount++ }),
		"a parent":               with(func(_ []rollup.InputRef, o []workforce.Organisation) { o[0].Parent = "CO" }),
		"a kind":                 with(func(_ []rollup.InputRef, o []workforce.Organisation) { o[0].Kind = workforce.LocalGovernment }),
		"a start":                with(func(_ []rollup.InputRef, o []workforce.Organisation) { o[0].ActiveFrom = "2025-04-01" }),
		"an end":                 with(func(_ []rollup.InputRef, o []workforce.Organisation) { o[0].ActiveTo = "2026-03-31" }),
		"one input fewer":        rollup.Fingerprint(m, refs[:1], orgs, "t1", 30),
		"one organisation fewer": rollup.Fingerprint(m, refs, orgs[:1], "t1", 30),
	}
	seen := map[string]string{base: "nothing"}
	for what, fp := range changed {
		if other, dup := seen[fp]; dup {
			t.Errorf("changing %s gives the fingerprint of changing %s", what, other)
		}
		seen[fp] = what
	}
}

// racingStore lets another run take the revision each PutRollup is about to write, the
// first times it is called: with other inputs, or with the same ones.
type racingStore struct {
	*memstore.Store
	races      int
	sameInputs bool
	calls      int
}

func (r *racingStore) PutRollup(ctx context.Context, rec rollup.Record) error {
	if r.calls++; r.calls <= r.races {
		other := rec
		other.Trigger = "schedule"
		if !r.sameInputs {
			other.InputsFingerprint = fmt.Sprint("other inputs ", r.calls)
		}
		if err := r.Store.PutRollup(ctx, other); err != nil {
			return err
		}
	}
	return r.Store.PutRollup(ctx, rec)
}

// When another run takes the revision first, the run looks again: after a run with
// other inputs it takes the next number; after one with the same inputs it answers that
// run's revision and creates nothing.
func TestRunAfterARevisionConflict(t *testing.T) {
	t.Run("other inputs", func(t *testing.T) {
		svc, s := monthService(t)
		store := &racingStore{Store: s.table, races: 2}
		svc.Store = store
		snap, created := run(t, svc)
		if !created || snap.Revision != 3 || store.calls != 3 {
			t.Errorf("revision %d (created %v) after %d puts, want revision 3 after 3", snap.Revision, created, store.calls)
		}
	})
	t.Run("the same inputs", func(t *testing.T) {
		svc, s := monthService(t)
		svc.Store = &racingStore{Store: s.table, races: 1, sameInputs: true}
		snap, created := run(t, svc)
		if created || snap.Revision != 1 {
			t.Errorf("revision %d (created %v), want the other run's revision 1", snap.Revision, created)
		}
		if recs, _ := s.table.Rollups(context.Background()); len(recs) != 1 || recs[0].Trigger != "schedule" {
			t.Errorf("rollups %+v, want the other run's only", recs)
		}
	})
	t.Run("conflicts every time", func(t *testing.T) {
		svc, s := monthService(t)
		svc.Store = &racingStore{Store: s.table, races: 100}
		_, _, err := svc.Run(context.Background(), month(t), "admin")
		if workforce.ErrorCode(err) != workforce.EConflict {
			t.Errorf("error %v, want a conflict", err)
		}
	})
}

// Runs of one month at once: one creates revision 1 and the others answer it. Run with
// -race.
func TestConcurrentRuns(t *testing.T) {
	svc, s := monthService(t)
	const n = 8
	var wg sync.WaitGroup
	var createdRuns atomic.Int32
	for range n {
		wg.Go(func() {
			snap, created, err := svc.Run(context.Background(), month(t), "admin")
			if err != nil || snap.Revision != 1 {
				t.Errorf("run: revision %d, %v", snap.Revision, err)
			}
			if created {
				createdRuns.Add(1)
			}
		})
	}
	wg.Wait()
	if recs, _ := s.table.Rollups(context.Background()); createdRuns.Load() != 1 || len(recs) != 1 || recs[0].Revision != 1 {
		t.Errorf("%d runs created, rollups %+v; want one revision 1", createdRuns.Load(), recs)
	}
}

func TestRunFailures(t *testing.T) {
	t.Run("a workbook that cannot be written stores no revision", func(t *testing.T) {
		svc, s := monthService(t)
		broken := errors.New("no workbook")
		svc.Workbook = func(rollup.Snapshot, string, string) ([]byte, error) { return nil, broken }
		if _, _, err := svc.Run(context.Background(), month(t), "admin"); !errors.Is(err, broken) {
			t.Errorf("error %v, want the workbook's", err)
		}
		if recs, _ := s.table.Rollups(context.Background()); len(recs) != 0 {
			t.Errorf("rollups %+v, want none", recs)
		}
	})
	t.Run("a month before the collection", func(t *testing.T) {
		svc, _ := monthService(t)
		_, _, err := svc.Run(context.Background(), period.Month{Year: 2025, Month: time.May}, "admin")
		if workforce.ErrorCode(err) != workforce.EInvalid {
			t.Errorf("error %v, want invalid", err)
		}
	})
	t.Run("a month or revision not rolled up", func(t *testing.T) {
		svc, _ := monthService(t)
		for _, rev := range []int{0, 2} {
			if _, err := svc.Get(context.Background(), month(t), rev); workforce.ErrorCode(err) != workforce.ENotFound {
				t.Errorf("revision %d: %v, want not found", rev, err)
			}
		}
		run(t, svc)
		if _, err := svc.Get(context.Background(), month(t), 2); workforce.ErrorCode(err) != workforce.ENotFound {
			t.Errorf("revision 2 of a month with one: %v, want not found", err)
		}
	})
}

// List has the latest revision of each month, newest month first.
func TestListNewestMonthFirst(t *testing.T) {
	svc, s := monthService(t)
	run(t, svc)
	if _, _, err := svc.Run(context.Background(), period.Month{Year: 2025, Month: time.November}, "admin"); err != nil {
		t.Fatal(err)
	}
	s.submit(t, "HMRC", q2, figures("1020"), q2.ReferenceDate().AddDate(0, 0, 40))
	run(t, svc)
	recs, err := svc.List(context.Background())
	if err != nil || len(recs) != 2 || recs[0].Month != "2025-11" || recs[1].Month != "2025-10" || recs[1].Revision != 2 {
		t.Errorf("list %+v, %v; want 2025-11 r1, then 2025-10 r2", recs, err)
	}
}
