package workforce_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func conflictCode(t *testing.T, err error) (string, string) {
	t.Helper()
	var e *workforce.Error
	if !errors.As(err, &e) || e.Code != workforce.EConflict || len(e.Problems) != 1 {
		t.Fatalf("error %v, want a 409 (conflict) with one problem", err)
	}
	return e.Problems[0].Code, e.Message
}

func TestSignOffIsBoundToTheCurrentVersionsHash(t *testing.T) {
	e := newSignEnv(t)
	store, s := e.store, e.svc
	ctx := context.Background()
	q := q1
	v := workforce.ValidValues()
	v1, err := sendJSON(t, s, v)
	if err != nil {
		t.Fatal(err)
	}
	approver := workforce.Principal{Subject: "approver-1", Org: "HMRC", Roles: []string{"approver"}}
	ask := func(p workforce.Principal, n int, hash string) (workforce.SignOff, bool, error) {
		return s.SignOff(ctx, workforce.SignOffRequest{Principal: p, Org: "hmrc", Period: q, Version: n, SHA256: hash})
	}

	// Who may: the organisation's own approver, with a subject.
	for _, p := range []workforce.Principal{
		{Subject: "x", Org: "LEEDS", Roles: []string{"approver"}},
		{Subject: "x", Org: "HMRC", Roles: []string{"submitter", "admin", "leader"}},
		{Org: "HMRC", Roles: []string{"approver"}},
	} {
		if _, _, err := ask(p, 1, v1.SHA256); workforce.ErrorCode(err) != workforce.EForbidden {
			t.Errorf("%+v: %v, want forbidden", p, err)
		}
	}
	if _, _, err := ask(approver, 1, "not a hash"); workforce.ErrorCode(err) != workforce.EInvalid {
		t.Errorf("a malformed hash: %v, want invalid", err)
	}
	if _, _, err := ask(approver, 2, v1.SHA256); workforce.ErrorCode(err) != workforce.ENotFound {
		t.Errorf("a version that does not exist: %v, want not found", err)
	}
	stale := strings.Repeat("0", 64)
	_, _, err = ask(approver, 1, stale)
	if code, msg := conflictCode(t, err); code != workforce.CodeStaleSHA256 || !strings.Contains(msg, v1.SHA256) {
		t.Errorf("a wrong hash: %s %q, want %s naming %s", code, msg, workforce.CodeStaleSHA256, v1.SHA256)
	}

	so, created, err := ask(approver, 1, strings.ToUpper(v1.SHA256))
	if err != nil || !created || so.Version != 1 || so.SHA256 != v1.SHA256 || so.By != "approver-1" || !so.At.Equal(julyDay) || so.Org != "HMRC" {
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
	_, _, err = ask(workforce.Principal{Subject: "approver-2", Org: "HMRC", Roles: []string{"approver"}}, 1, v1.SHA256)
	if code, _ := conflictCode(t, err); code != workforce.CodeAlreadySignedOff {
		t.Errorf("a second approver: %s, want %s", code, workforce.CodeAlreadySignedOff)
	}

	// A later version is not signed off until it is signed off itself.
	v["headcount"], v[workforce.KeyRevisionReason] = "70001", "Corrected."
	v2, err := sendJSON(t, s, v)
	if err != nil || v2.Version != 2 {
		t.Fatal(v2, err)
	}
	if cur, _ := store.Current(ctx, "HMRC", q); cur.SignOff != nil {
		t.Errorf("version 2 shows version 1's sign-off: %+v", cur.SignOff)
	}
	_, _, err = ask(workforce.Principal{Subject: "approver-2", Org: "HMRC", Roles: []string{"approver"}}, 1, v1.SHA256)
	if code, _ := conflictCode(t, err); code != workforce.CodeAlreadySignedOff {
		t.Errorf("version 1 again: %s", code)
	}
	_, _, err = ask(approver, 2, v1.SHA256)
	if code, msg := conflictCode(t, err); code != workforce.CodeStaleSHA256 || !strings.Contains(msg, v2.SHA256) {
		t.Errorf("version 2 with version 1's hash: %s %q, want %s naming %s", code, msg, workforce.CodeStaleSHA256, v2.SHA256)
	}
	if _, created, err := ask(approver, 2, v2.SHA256); err != nil || !created {
		t.Fatalf("version 2: %v %v", created, err)
	}

	// A signed-off version that has been replaced is still signed off once.
	v["headcount"], v[workforce.KeyRevisionReason] = "70002", "Corrected again."
	v3, err := sendJSON(t, s, v)
	if err != nil || v3.Version != 3 {
		t.Fatal(v3, err)
	}
	if _, _, err := ask(approver, 2, v2.SHA256); err != nil {
		t.Errorf("version 2 again by its approver, replaced since: %v; want its sign-off", err)
	}
	_, _, err = ask(workforce.Principal{Subject: "approver-2", Org: "HMRC", Roles: []string{"approver"}}, 2, v2.SHA256)
	if code, _ := conflictCode(t, err); code != workforce.CodeAlreadySignedOff {
		t.Errorf("version 2 by another, replaced since: %s", code)
	}
}

// An unsigned version that has been replaced cannot be signed off: the conflict names
// the current version and its hash.
func TestReplacedVersionCannotBeSignedOff(t *testing.T) {
	e := newSignEnv(t)
	v := workforce.ValidValues()
	v1, _ := sendJSON(t, e.svc, v)
	v["headcount"], v[workforce.KeyRevisionReason] = "70002", "Corrected."
	v2, err := sendJSON(t, e.svc, v)
	if err != nil || v2.Version != 2 {
		t.Fatal(v2, err)
	}
	_, _, err = e.svc.SignOff(context.Background(), workforce.SignOffRequest{Principal: workforce.Principal{Subject: "a", Org: "HMRC", Roles: []string{"approver"}},
		Org: "HMRC", Period: q1, Version: 1, SHA256: v1.SHA256})
	if code, msg := conflictCode(t, err); code != workforce.CodeVersionReplaced || !strings.Contains(msg, v2.SHA256) || !strings.Contains(msg, "version 2") {
		t.Errorf("a replaced version: %s %q", code, msg)
	}
}

// A version that arrives between the check and the write makes the sign-off a conflict
// naming the new version, not a sign-off of content nobody read.
func TestSignOffRacingANewVersion(t *testing.T) {
	e := newSignEnv(t)
	store, s := e.store, e.svc
	ctx := context.Background()
	q := q1
	v := workforce.ValidValues()
	v1, _ := sendJSON(t, s, v)
	other := *s
	s.SignOffs = &racingSignOffs{Store: store, before: func() {
		w := workforce.ValidValues()
		w["headcount"], w[workforce.KeyRevisionReason] = "70001", "Corrected."
		if _, err := sendJSON(t, &other, w); err != nil {
			t.Fatal(err)
		}
	}}
	_, _, err := s.SignOff(ctx, workforce.SignOffRequest{Principal: workforce.Principal{Subject: "a", Org: "HMRC", Roles: []string{"approver"}}, Org: "HMRC", Period: q, Version: 1, SHA256: v1.SHA256})
	if code, _ := conflictCode(t, err); code != workforce.CodeVersionReplaced {
		t.Errorf("%s, want %s", code, workforce.CodeVersionReplaced)
	}
	if all, _ := store.SignOffs(ctx, "HMRC", q); len(all) != 0 {
		t.Errorf("a sign-off was recorded: %+v", all)
	}
}

type racingSignOffs struct {
	*memstore.Store
	before func()
	done   bool
}

func (r *racingSignOffs) PutSignOff(ctx context.Context, so workforce.SignOff) error {
	if !r.done {
		r.done = true
		r.before()
	}
	return r.Store.PutSignOff(ctx, so)
}

func TestApproverWithoutOrganisationIsMissingOne(t *testing.T) {
	for _, tc := range []struct {
		p    workforce.Principal
		want workforce.Role
	}{
		{workforce.Principal{Roles: []string{"approver"}}, "approver"},
		{workforce.Principal{Roles: []string{"submitter", "approver"}}, "submitter"},
		{workforce.Principal{Roles: []string{"leader"}}, ""},
		{workforce.Principal{Org: "HMRC", Roles: []string{"approver"}}, ""},
	} {
		if got := tc.p.MissingOrg(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.p, got, tc.want)
		}
	}
	a := workforce.Principal{Org: "HMRC", Roles: []string{"approver"}}
	if !workforce.ReadReturns.Allows(a, "hmrc") || workforce.ReadReturns.Allows(a, "LEEDS") {
		t.Error("an approver reads its own organisation's returns and no other's")
	}
}
