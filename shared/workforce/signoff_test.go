package workforce

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
)

func conflictCode(t *testing.T, err error) (string, string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EConflict || len(e.Problems) != 1 {
		t.Fatalf("error %v, want a 409 (conflict) with one problem", err)
	}
	return e.Problems[0].Code, e.Message
}

func TestSignOffIsBoundToTheCurrentVersionsHash(t *testing.T) {
	store := newMemStore()
	s := newTestService(store)
	ctx := context.Background()
	q := period.MustQuarter("2025-26-Q1")
	v := validValues()
	v1, err := sendJSON(t, s, v)
	if err != nil {
		t.Fatal(err)
	}
	approver := Principal{Subject: "approver-1", Org: "HMRC", Roles: []string{"approver"}}
	ask := func(p Principal, n int, hash string) (SignOff, bool, error) {
		return s.SignOff(ctx, SignOffRequest{Principal: p, Org: "hmrc", Period: q, Version: n, SHA256: hash})
	}

	// Who may: the organisation's own approver, with a subject.
	for _, p := range []Principal{
		{Subject: "x", Org: "LEEDS", Roles: []string{"approver"}},
		{Subject: "x", Org: "HMRC", Roles: []string{"submitter", "admin", "leader"}},
		{Org: "HMRC", Roles: []string{"approver"}},
	} {
		if _, _, err := ask(p, 1, v1.SHA256); ErrorCode(err) != EForbidden {
			t.Errorf("%+v: %v, want forbidden", p, err)
		}
	}
	if _, _, err := ask(approver, 1, "not a hash"); ErrorCode(err) != EInvalid {
		t.Errorf("a malformed hash: %v, want invalid", err)
	}
	if _, _, err := ask(approver, 2, v1.SHA256); ErrorCode(err) != ENotFound {
		t.Errorf("a version that does not exist: %v, want not found", err)
	}
	stale := strings.Repeat("0", 64)
	_, _, err = ask(approver, 1, stale)
	if code, msg := conflictCode(t, err); code != CodeStaleSHA256 || !strings.Contains(msg, v1.SHA256) {
		t.Errorf("a wrong hash: %s %q, want %s naming %s", code, msg, CodeStaleSHA256, v1.SHA256)
	}

	so, created, err := ask(approver, 1, strings.ToUpper(v1.SHA256))
	if err != nil || !created || so.Version != 1 || so.SHA256 != v1.SHA256 || so.By != "approver-1" || !so.At.Equal(testNow) || so.Org != "HMRC" {
		t.Fatalf("sign-off: %+v %v %v", so, created, err)
	}
	if cur, _ := store.Current(ctx, "HMRC", q); cur.SignOff == nil || cur.SignOff.Version != 1 {
		t.Errorf("the current version is not marked signed off: %+v", cur.SignOff)
	}
	// The same approver again is a retry; another approver is refused.
	again, created, err := ask(approver, 1, v1.SHA256)
	if err != nil || created || again != so {
		t.Errorf("a retry: %+v %v %v, want the first sign-off, not created", again, created, err)
	}
	_, _, err = ask(Principal{Subject: "approver-2", Org: "HMRC", Roles: []string{"approver"}}, 1, v1.SHA256)
	if code, _ := conflictCode(t, err); code != CodeAlreadySignedOff {
		t.Errorf("a second approver: %s, want %s", code, CodeAlreadySignedOff)
	}

	// A later version is not signed off until it is signed off itself.
	v["headcount"], v[KeyRevisionReason] = "70001", "Corrected."
	v2, err := sendJSON(t, s, v)
	if err != nil || v2.Version != 2 {
		t.Fatal(v2, err)
	}
	if cur, _ := store.Current(ctx, "HMRC", q); cur.SignOff != nil {
		t.Errorf("version 2 shows version 1's sign-off: %+v", cur.SignOff)
	}
	_, _, err = ask(Principal{Subject: "approver-2", Org: "HMRC", Roles: []string{"approver"}}, 1, v1.SHA256)
	if code, _ := conflictCode(t, err); code != CodeAlreadySignedOff {
		t.Errorf("version 1 again: %s", code)
	}
	_, _, err = ask(approver, 2, v1.SHA256)
	if code, msg := conflictCode(t, err); code != CodeStaleSHA256 || !strings.Contains(msg, v2.SHA256) {
		t.Errorf("version 2 with version 1's hash: %s %q, want %s naming %s", code, msg, CodeStaleSHA256, v2.SHA256)
	}
	if _, created, err := ask(approver, 2, v2.SHA256); err != nil || !created {
		t.Fatalf("version 2: %v %v", created, err)
	}

	// An unsigned version that has been replaced cannot be signed off.
	v["headcount"], v[KeyRevisionReason] = "70002", "Corrected again."
	v3, err := sendJSON(t, s, v)
	if err != nil || v3.Version != 3 {
		t.Fatal(v3, err)
	}
	store.signOffs[memKey("HMRC", q)] = store.signOffs[memKey("HMRC", q)][:1] // forget version 2's
	_, _, err = ask(approver, 2, v2.SHA256)
	if code, msg := conflictCode(t, err); code != CodeVersionReplaced || !strings.Contains(msg, v3.SHA256) || !strings.Contains(msg, "version 3") {
		t.Errorf("a replaced version: %s %q", code, msg)
	}
}

// A version that arrives between the check and the write makes the sign-off a conflict
// naming the new version, not a sign-off of content nobody read.
func TestSignOffRacingANewVersion(t *testing.T) {
	store := newMemStore()
	s := newTestService(store)
	ctx := context.Background()
	q := period.MustQuarter("2025-26-Q1")
	v := validValues()
	v1, _ := sendJSON(t, s, v)
	s.SignOffs = &racingSignOffs{memStore: store, before: func() {
		w := validValues()
		w["headcount"], w[KeyRevisionReason] = "70001", "Corrected."
		if _, err := sendJSON(t, newTestService(store), w); err != nil {
			t.Fatal(err)
		}
	}}
	s.Now = func() time.Time { return testNow }
	_, _, err := s.SignOff(ctx, SignOffRequest{Principal: Principal{Subject: "a", Org: "HMRC", Roles: []string{"approver"}}, Org: "HMRC", Period: q, Version: 1, SHA256: v1.SHA256})
	if code, _ := conflictCode(t, err); code != CodeVersionReplaced {
		t.Errorf("%s, want %s", code, CodeVersionReplaced)
	}
	if len(store.signOffs[memKey("HMRC", q)]) != 0 {
		t.Error("a sign-off was recorded")
	}
}

type racingSignOffs struct {
	*memStore
	before func()
	done   bool
}

func (r *racingSignOffs) PutSignOff(ctx context.Context, so SignOff) error {
	if !r.done {
		r.done = true
		r.before()
	}
	return r.memStore.PutSignOff(ctx, so)
}

func TestApproverWithoutOrganisationIsMissingOne(t *testing.T) {
	for _, tc := range []struct {
		p    Principal
		want string
	}{
		{Principal{Roles: []string{"approver"}}, "approver"},
		{Principal{Roles: []string{"submitter", "approver"}}, "submitter"},
		{Principal{Roles: []string{"leader"}}, ""},
		{Principal{Org: "HMRC", Roles: []string{"approver"}}, ""},
	} {
		if got := tc.p.MissingOrg(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.p, got, tc.want)
		}
	}
	a := Principal{Org: "HMRC", Roles: []string{"approver"}}
	if !a.CanAccess("hmrc") || a.CanAccess("LEEDS") {
		t.Error("an approver reads its own organisation's returns and no other's")
	}
}
