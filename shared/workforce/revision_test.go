package workforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Revision reasons and the changes between versions, over memstore.

// newSignEnv is newEnv whose service keeps sign-offs in the same store.
func newSignEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, julyDay)
	e.svc.SignOffs = e.store
	return e
}

func sendJSON(t *testing.T, s *workforce.Service, values map[string]string) (workforce.Receipt, error) {
	t.Helper()
	body, _ := json.Marshal(values)
	rc, _, err := s.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: body})
	return rc, err
}

// invalidProblems is the problems of an EInvalid error, or fails.
func invalidProblems(t *testing.T, err error) []workforce.Problem {
	t.Helper()
	var e *workforce.Error
	if !errors.As(err, &e) || e.Code != workforce.EInvalid {
		t.Fatalf("error %v, want a 422 (invalid)", err)
	}
	return e.Problems
}

func TestRevisionWithoutReasonIsRefusedNamingTheField(t *testing.T) {
	e := newSignEnv(t)
	v := workforce.ValidValues()
	if rc, err := sendJSON(t, e.svc, v); err != nil || rc.Version != 1 || rc.RevisionReason != "" {
		t.Fatalf("version 1: %+v %v", rc, err)
	}
	v["headcount"] = "70001"
	_, err := sendJSON(t, e.svc, v)
	ps := invalidProblems(t, err)
	if len(ps) != 1 || ps[0].Field != workforce.KeyRevisionReason || ps[0].Code != workforce.CodeRevisionReasonRequired {
		t.Fatalf("problems %+v, want one revision_reason_required on revision_reason", ps)
	}
	if !strings.HasPrefix(ps[0].Message, "Say why you are changing this return: HMRC 2025-26-Q1 already has version 1, received on 20 July 2025, so this would be version 2.") {
		t.Errorf("message %q", ps[0].Message)
	}
	if n := e.versions(t, "HMRC", q1); n != 1 {
		t.Errorf("%d versions stored, want 1", n)
	}
	if keys := e.files.Keys(""); len(keys) != 1 {
		t.Errorf("files %q: a refused revision keeps none", keys)
	}
	// Checking says the same without storing.
	body, _ := json.Marshal(v)
	_, err = e.svc.Check(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: body})
	if ps := invalidProblems(t, err); len(ps) != 1 || ps[0].Code != workforce.CodeRevisionReasonRequired {
		t.Errorf("Check: problems %+v", ps)
	}

	v[workforce.KeyRevisionReason] = "  Headcount corrected:\r\n- 1 transfer in was left out.  "
	rc, err := sendJSON(t, e.svc, v)
	if err != nil || rc.Version != 2 {
		t.Fatalf("with a reason: %+v %v", rc, err)
	}
	if want := "Headcount corrected:\n- 1 transfer in was left out."; rc.RevisionReason != want {
		t.Errorf("receipt's reason %q, want %q", rc.RevisionReason, want)
	}
	if cur, _ := e.store.Current(context.Background(), "HMRC", q1); cur.RevisionReason() != rc.RevisionReason {
		t.Errorf("the version's reason %q", cur.RevisionReason())
	}
	// The reasonless body now repeats version 2's figures: a duplicate needs no reason.
	if c, err := e.svc.Check(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: body}); err != nil || c.Version != 2 || !c.Duplicate {
		t.Errorf("Check of version 2's figures without a reason: %+v %v; want the duplicate of version 2", c, err)
	}
}

// The reason is no part of the content: a resend of the current figures with a new
// reason is a duplicate, and answers the current version with its own reason.
func TestResendWithAnotherReasonIsADuplicate(t *testing.T) {
	e := newSignEnv(t)
	v := workforce.ValidValues()
	v[workforce.KeyRevisionReason] = "A first version may say something too."
	first, err := sendJSON(t, e.svc, v)
	if err != nil || first.Version != 1 || first.RevisionReason != v[workforce.KeyRevisionReason] {
		t.Fatalf("version 1 with a reason: %+v %v", first, err)
	}
	v[workforce.KeyRevisionReason] = "Sent again by mistake."
	again, err := sendJSON(t, e.svc, v)
	if err != nil || !again.Duplicate || again.Version != 1 || again.SHA256 != first.SHA256 || again.RevisionReason != first.RevisionReason {
		t.Fatalf("resend with another reason: %+v %v; want the duplicate of version 1", again, err)
	}
	delete(v, workforce.KeyRevisionReason)
	if again, err := sendJSON(t, e.svc, v); err != nil || !again.Duplicate {
		t.Fatalf("resend without a reason: %+v %v; want the duplicate of version 1", again, err)
	}
}

// racingReturns runs before once, just before the first Append.
type racingReturns struct {
	*memstore.Store
	before func()
	once   *sync.Once
}

func (r racingReturns) Append(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
	r.once.Do(r.before)
	return r.Store.Append(ctx, v, idem)
}

// A first submission that loses the race for version 1 becomes a revision, and is
// refused without a reason: the check is made where the number is known.
func TestRaceLoserNeedsAReason(t *testing.T) {
	e := newSignEnv(t)
	other := *e.svc
	e.svc.Returns = racingReturns{Store: e.store, once: &sync.Once{}, before: func() {
		w := workforce.ValidValues()
		w["headcount"] = "70002"
		if _, err := sendJSON(t, &other, w); err != nil {
			t.Fatal(err)
		}
	}}
	_, err := sendJSON(t, e.svc, workforce.ValidValues())
	if ps := invalidProblems(t, err); len(ps) != 1 || ps[0].Code != workforce.CodeRevisionReasonRequired || !strings.Contains(ps[0].Message, "so this would be version 2") {
		t.Fatalf("problems %+v", ps)
	}
	if n := e.versions(t, "HMRC", q1); n != 1 {
		t.Errorf("%d versions, want the other's only", n)
	}
	if keys := e.files.Keys(""); len(keys) != 1 {
		t.Errorf("files %q, want the other's only", keys)
	}
}

func TestBulkRevisionsNeedAReasonPerRow(t *testing.T) {
	e := newSignEnv(t)
	q2v := workforce.ValidValues()
	q2v["period"] = "2025-26-Q2"
	e.clock.Set(julyDay.AddDate(0, 4, 0)) // 2025-26-Q2 has ended
	q1v := workforce.ValidValues()
	bulk := func(rows ...map[string]string) error {
		_, err := e.svc.SubmitBulk(context.Background(), workforce.Upload{Principal: admin, Body: sample.BulkCSV(rows)})
		return err
	}
	if err := bulk(q1v, q2v); err != nil {
		t.Fatal(err)
	}
	q1v["headcount"], q2v["headcount"] = "70001", "70001"
	ps := invalidProblems(t, bulk(q1v, q2v))
	if len(ps) != 2 || ps[0].Row != 1 || ps[1].Row != 2 || ps[0].Code != workforce.CodeRevisionReasonRequired || ps[1].Field != workforce.KeyRevisionReason {
		t.Fatalf("problems %+v, want revision_reason_required on rows 1 and 2", ps)
	}
	q2v[workforce.KeyRevisionReason] = "Corrected."
	if ps := invalidProblems(t, bulk(q1v, q2v)); len(ps) != 1 || ps[0].Row != 1 {
		t.Fatalf("problems %+v, want row 1 only", ps)
	}
	for _, q := range []string{"2025-26-Q1", "2025-26-Q2"} {
		if vs, _ := e.store.Versions(context.Background(), "HMRC", period.MustQuarter(q)); len(vs) != 1 {
			t.Errorf("%s has %d versions; a refused bulk file stores nothing", q, len(vs))
		}
	}
	q1v[workforce.KeyRevisionReason] = "Corrected too."
	if err := bulk(q1v, q2v); err != nil {
		t.Fatal(err)
	}
}

func TestChangesListTheFieldsThatDiffer(t *testing.T) {
	e := newSignEnv(t)
	ctx := context.Background()
	v := workforce.ValidValues()
	if _, err := sendJSON(t, e.svc, v); err != nil {
		t.Fatal(err)
	}
	v["headcount"], v["board_digital_ned"] = "70001", "yes"
	delete(v, "contact_name")
	v["notes"] = "Reorganised."
	v[workforce.KeyRevisionReason] = "Corrections."
	if _, err := sendJSON(t, e.svc, v); err != nil {
		t.Fatal(err)
	}
	rev, err := e.svc.Revision(ctx, "HMRC", q1, 2)
	if err != nil || rev.Previous == nil || rev.Previous.Number != 1 || rev.Version.Number != 2 {
		t.Fatalf("revision: %+v %v", rev, err)
	}
	var got []string
	for _, c := range workforce.Changes(rev.Previous, &rev.Version) {
		got = append(got, c.Field.Key+":"+deref(c.Old)+"→"+deref(c.New))
	}
	want := []string{"contact_name:A Analyst→<none>", "notes:<none>→Reorganised.", "headcount:70000→70001", "board_digital_ned:no→yes"}
	if !slices.Equal(got, want) {
		t.Errorf("changes %v, want %v (catalogue order, the reason left out)", got, want)
	}
	first, err := e.svc.Revision(ctx, "HMRC", q1, 1)
	if err != nil || first.Previous != nil {
		t.Fatalf("version 1: %+v %v", first, err)
	}
	if cs := workforce.Changes(nil, &first.Version); len(cs) != len(workforce.ValidValues()) || cs[0].Old != nil || *cs[0].New != "HMRC" {
		t.Errorf("version 1 changes %d fields from nothing, want %d", len(cs), len(workforce.ValidValues()))
	}
	for _, n := range []int{3, 99} {
		if _, err := e.svc.Revision(ctx, "HMRC", q1, n); workforce.ErrorCode(err) != workforce.ENotFound {
			t.Errorf("version %d: %v, want not found", n, err)
		}
	}
	if _, err := e.svc.Revision(ctx, "HMRC", q1.Next(), 1); workforce.ErrorCode(err) != workforce.ENotFound {
		t.Errorf("a quarter without a return: %v, want not found", err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}
