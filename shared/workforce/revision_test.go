package workforce

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
)

// memStore keeps versions and sign-offs in memory, with the atomic writes the stores
// promise: enough of a ReturnStore and a SignOffStore for the service's rules.
type memStore struct {
	ReturnStore
	mu       sync.Mutex
	versions map[string][]Version // by org + period, in number order
	signOffs map[string][]SignOff
}

func newMemStore() *memStore {
	return &memStore{versions: map[string][]Version{}, signOffs: map[string][]SignOff{}}
}

func memKey(org string, q period.Quarter) string { return org + " " + q.String() }

func (m *memStore) Current(_ context.Context, org string, q period.Quarter) (*Version, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	vs := m.versions[memKey(org, q)]
	if len(vs) == 0 {
		return nil, nil
	}
	v := vs[len(vs)-1]
	for _, s := range m.signOffs[memKey(org, q)] {
		if s.Version == v.Number {
			s := s
			v.SignOff = &s
		}
	}
	return &v, nil
}

func (m *memStore) Version(_ context.Context, org string, q period.Quarter, n int) (*Version, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	vs := m.versions[memKey(org, q)]
	if n < 1 || n > len(vs) {
		return nil, nil
	}
	v := vs[n-1]
	return &v, nil
}

func (m *memStore) Append(_ context.Context, v Version, _ *IdempotencyRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey(v.Org, v.Period)
	if len(m.versions[k]) != v.Number-1 {
		return ErrVersionConflict
	}
	m.versions[k] = append(m.versions[k], v)
	return nil
}

func (m *memStore) SignOffs(_ context.Context, org string, q period.Quarter) ([]SignOff, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.signOffs[memKey(org, q)]), nil
}

func (m *memStore) PutSignOff(_ context.Context, s SignOff) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey(s.Org, s.Period)
	for _, x := range m.signOffs[k] {
		if x.Version == s.Version {
			return ErrSignedOff
		}
	}
	vs := m.versions[k]
	if len(vs) != s.Version || vs[len(vs)-1].SHA256 != s.SHA256 {
		return ErrNotCurrent
	}
	m.signOffs[k] = append(m.signOffs[k], s)
	return nil
}

type memOrgs struct{ OrganisationStore }

func (memOrgs) Organisation(_ context.Context, code string) (*Organisation, error) {
	if o, ok := testRegister[code]; ok {
		return &o, nil
	}
	return nil, nil
}

func (memOrgs) Organisations(context.Context) ([]Organisation, error) {
	var os []Organisation
	for _, o := range testRegister {
		os = append(os, o)
	}
	return os, nil
}

var hmrcSubmitter = Principal{Subject: "sub-1", Org: "HMRC", Roles: []string{"submitter"}}

func newTestService(store *memStore) *Service {
	return &Service{Returns: store, SignOffs: store, Organisations: memOrgs{}, Files: noFiles{}, DueDays: 30,
		Now: func() time.Time { return testNow }}
}

func sendJSON(t *testing.T, s *Service, values map[string]string) (Receipt, error) {
	t.Helper()
	body, _ := json.Marshal(values)
	rc, _, err := s.Submit(context.Background(), Upload{Principal: hmrcSubmitter, Format: FormatJSON, Body: body})
	return rc, err
}

// invalidProblems is the problems of an EInvalid error, or fails.
func invalidProblems(t *testing.T, err error) []Problem {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EInvalid {
		t.Fatalf("error %v, want a 422 (invalid)", err)
	}
	return e.Problems
}

func TestRevisionWithoutReasonIsRefusedNamingTheField(t *testing.T) {
	store := newMemStore()
	s := newTestService(store)
	v := validValues()
	if rc, err := sendJSON(t, s, v); err != nil || rc.Version != 1 || rc.RevisionReason != "" {
		t.Fatalf("version 1: %+v %v", rc, err)
	}
	v["headcount"] = "70001"
	_, err := sendJSON(t, s, v)
	ps := invalidProblems(t, err)
	if len(ps) != 1 || ps[0].Field != KeyRevisionReason || ps[0].Code != CodeRevisionReasonRequired {
		t.Fatalf("problems %+v, want one revision_reason_required on revision_reason", ps)
	}
	if !strings.HasPrefix(ps[0].Message, "Say why you are changing this return: HMRC 2025-26-Q1 already has version 1, received on 22 November 2026, so this would be version 2.") {
		t.Errorf("message %q", ps[0].Message)
	}
	if n := len(store.versions[memKey("HMRC", period.MustQuarter("2025-26-Q1"))]); n != 1 {
		t.Errorf("%d versions stored, want 1", n)
	}
	// Checking says the same without storing.
	body, _ := json.Marshal(v)
	_, err = s.Check(context.Background(), Upload{Principal: hmrcSubmitter, Format: FormatJSON, Body: body})
	if ps := invalidProblems(t, err); len(ps) != 1 || ps[0].Code != CodeRevisionReasonRequired {
		t.Errorf("Check: problems %+v", ps)
	}

	v[KeyRevisionReason] = "  Headcount corrected:\r\n- 1 transfer in was left out.  "
	rc, err := sendJSON(t, s, v)
	if err != nil || rc.Version != 2 {
		t.Fatalf("with a reason: %+v %v", rc, err)
	}
	if want := "Headcount corrected:\n- 1 transfer in was left out."; rc.RevisionReason != want {
		t.Errorf("receipt's reason %q, want %q", rc.RevisionReason, want)
	}
	if c, err := s.Check(context.Background(), Upload{Principal: hmrcSubmitter, Format: FormatJSON, Body: body}); err != nil || c.Version != 2 || !c.Duplicate {
		t.Errorf("Check of the reasonless version 2 content, now current: %+v %v; want a duplicate of version 2, without a reason", c, err)
	}
}

// The reason is no part of the content: a resend of the current figures with a new
// reason is a duplicate, and answers the current version with its own reason.
func TestReasonIsNotContent(t *testing.T) {
	s := newTestService(newMemStore())
	v := validValues()
	v[KeyRevisionReason] = "A first version may say something too."
	first, err := sendJSON(t, s, v)
	if err != nil || first.Version != 1 || first.RevisionReason != v[KeyRevisionReason] {
		t.Fatalf("version 1 with a reason: %+v %v", first, err)
	}
	v[KeyRevisionReason] = "Sent again by mistake."
	again, err := sendJSON(t, s, v)
	if err != nil || !again.Duplicate || again.Version != 1 || again.SHA256 != first.SHA256 || again.RevisionReason != first.RevisionReason {
		t.Fatalf("resend with another reason: %+v %v; want the duplicate of version 1", again, err)
	}
	delete(v, KeyRevisionReason)
	if again, err := sendJSON(t, s, v); err != nil || !again.Duplicate {
		t.Fatalf("resend without a reason: %+v %v; want the duplicate of version 1", again, err)
	}
	a, b := validValues(), validValues()
	b[KeyRevisionReason] = "x"
	ra, _ := Normalise(rawOf(a), testRegister, testNow)
	rb, _ := Normalise(rawOf(b), testRegister, testNow)
	if ra.ContentHash() != rb.ContentHash() {
		t.Error("the reason changes the content hash")
	}
}

func TestRevisionReasonIsCheckedAsText(t *testing.T) {
	for _, tc := range []struct{ value, code string }{
		{strings.Repeat("é", MaxRevisionReason+1), "too_long"},
		{"=HYPERLINK(\"x\")", "formula_like"},
		{"bell\a", "control_character"},
	} {
		v := validValues()
		v[KeyRevisionReason] = tc.value
		_, ps := Normalise(rawOf(v), testRegister, testNow)
		if len(ps) != 1 || ps[0].Field != KeyRevisionReason || ps[0].Code != tc.code {
			t.Errorf("%.20q: problems %+v, want %s", tc.value, ps, tc.code)
		}
	}
	v := validValues()
	v[KeyRevisionReason] = strings.Repeat("é", MaxRevisionReason)
	if _, ps := Normalise(rawOf(v), testRegister, testNow); len(ps) != 0 {
		t.Errorf("a reason of %d characters: %+v", MaxRevisionReason, ps)
	}
}

// A first submission that loses the race for version 1 becomes a revision, and is
// refused without a reason: the check is made where the number is known.
func TestRaceLoserNeedsAReason(t *testing.T) {
	store := newMemStore()
	s := newTestService(store)
	v := validValues()
	body, _ := json.Marshal(v)
	// Another submission lands between this one's read of the current version and its write.
	racing := &racingStore{memStore: store, before: func() {
		w := validValues()
		w["headcount"] = "70002"
		if _, err := sendJSON(t, newTestService(store), w); err != nil {
			t.Fatal(err)
		}
	}}
	s.Returns = racing
	_, _, err := s.Submit(context.Background(), Upload{Principal: hmrcSubmitter, Format: FormatJSON, Body: body})
	if ps := invalidProblems(t, err); len(ps) != 1 || ps[0].Code != CodeRevisionReasonRequired || !strings.Contains(ps[0].Message, "so this would be version 2") {
		t.Fatalf("problems %+v", ps)
	}
}

// racingStore runs before once, just before the first Append.
type racingStore struct {
	*memStore
	before func()
	once   sync.Once
}

func (r *racingStore) Append(ctx context.Context, v Version, idem *IdempotencyRecord) error {
	r.once.Do(r.before)
	return r.memStore.Append(ctx, v, idem)
}

func TestBulkRevisionsNeedAReasonPerRow(t *testing.T) {
	store := newMemStore()
	s := newTestService(store)
	admin := Principal{Subject: "admin", Org: "CO", Roles: []string{"admin"}}
	q1, q2 := validValues(), validValues()
	q2["period"] = "2025-26-Q2"
	bulk := func(rows ...map[string]string) error {
		var b strings.Builder
		var keys []string
		for _, f := range Fields {
			keys = append(keys, f.Key)
		}
		b.WriteString(strings.Join(keys, ",") + "\n")
		for _, r := range rows {
			var cells []string
			for _, k := range keys {
				cells = append(cells, `"`+r[k]+`"`)
			}
			b.WriteString(strings.Join(cells, ",") + "\n")
		}
		_, err := s.SubmitBulk(context.Background(), Upload{Principal: admin, Body: []byte(b.String())})
		return err
	}
	if err := bulk(q1, q2); err != nil {
		t.Fatal(err)
	}
	q1["headcount"], q2["headcount"] = "70001", "70001"
	ps := invalidProblems(t, bulk(q1, q2))
	if len(ps) != 2 || ps[0].Row != 1 || ps[1].Row != 2 || ps[0].Code != CodeRevisionReasonRequired || ps[1].Field != KeyRevisionReason {
		t.Fatalf("problems %+v, want revision_reason_required on rows 1 and 2", ps)
	}
	q2[KeyRevisionReason] = "Corrected."
	ps = invalidProblems(t, bulk(q1, q2))
	if len(ps) != 1 || ps[0].Row != 1 {
		t.Fatalf("problems %+v, want row 1 only", ps)
	}
	for k, vs := range store.versions {
		if len(vs) != 1 {
			t.Errorf("%s has %d versions; a refused bulk file stores nothing", k, len(vs))
		}
	}
	q1[KeyRevisionReason] = "Corrected too."
	if err := bulk(q1, q2); err != nil {
		t.Fatal(err)
	}
}

func TestChangesListTheFieldsThatDiffer(t *testing.T) {
	store := newMemStore()
	s := newTestService(store)
	v := validValues()
	if _, err := sendJSON(t, s, v); err != nil {
		t.Fatal(err)
	}
	v["headcount"], v["board_digital_ned"] = "70001", "yes"
	delete(v, "contact_name")
	v["notes"] = "Reorganised."
	v[KeyRevisionReason] = "Corrections."
	if _, err := sendJSON(t, s, v); err != nil {
		t.Fatal(err)
	}
	q := period.MustQuarter("2025-26-Q1")
	rev, err := s.Revision(context.Background(), "HMRC", q, 2)
	if err != nil || rev.Previous == nil || rev.Previous.Number != 1 || rev.Version.Number != 2 {
		t.Fatalf("revision: %+v %v", rev, err)
	}
	var got []string
	for _, c := range Changes(rev.Previous, &rev.Version) {
		got = append(got, c.Field.Key+":"+deref(c.Old)+"→"+deref(c.New))
	}
	want := []string{"contact_name:A Analyst→<none>", "notes:<none>→Reorganised.", "headcount:70000→70001", "board_digital_ned:no→yes"}
	if !slices.Equal(got, want) {
		t.Errorf("changes %v, want %v (catalogue order, the reason left out)", got, want)
	}
	first, err := s.Revision(context.Background(), "HMRC", q, 1)
	if err != nil || first.Previous != nil {
		t.Fatalf("version 1: %+v %v", first, err)
	}
	if cs := Changes(nil, &first.Version); len(cs) != len(validValues()) || cs[0].Old != nil || *cs[0].New != "HMRC" {
		t.Errorf("version 1 changes %d fields from nothing, want %d", len(cs), len(validValues()))
	}
	for _, n := range []int{3, 99} {
		if _, err := s.Revision(context.Background(), "HMRC", q, n); ErrorCode(err) != ENotFound {
			t.Errorf("version %d: %v, want not found", n, err)
		}
	}
	if _, err := s.Revision(context.Background(), "HMRC", q.Next(), 1); ErrorCode(err) != ENotFound {
		t.Errorf("a quarter without a return: %v, want not found", err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}
