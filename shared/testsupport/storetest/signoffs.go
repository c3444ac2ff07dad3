package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Store is what SignOffStore needs: the versions to sign off, and the sign-offs.
type Store interface {
	workforce.ReturnStore
	workforce.SignOffStore
}

// SignOffStore runs the sign-off contract against s: a sign-off is recorded only for the
// current version with its hash, once per version; the current version carries it until a
// later version replaces it; the record stays with its version.
func SignOffStore(t *testing.T, s Store) {
	ctx := context.Background()
	run := newRun(t)
	org, q := run.org("SIGN"), run.quarter(5)
	v1, v2 := version(org, q, 1), version(org, q, 2)
	wantErr(t, s.Append(ctx, v1, nil), nil, "version 1")
	at := time.Date(2025, 8, 1, 10, 0, 0, 123456789, time.UTC)
	so := workforce.SignOff{Org: org, Period: q, Version: 1, SHA256: v1.SHA256, By: "approver", At: at}

	stale := so
	stale.SHA256 = "other content"
	wantErr(t, s.PutSignOff(ctx, stale), workforce.ErrNotCurrent, "a sign-off of other content")
	later := so
	later.Version = 2
	wantErr(t, s.PutSignOff(ctx, later), workforce.ErrNotCurrent, "a sign-off of a version that does not exist")
	wantErr(t, s.PutSignOff(ctx, so), nil, "a sign-off of the current version")
	again := so
	again.By = "another approver"
	wantErr(t, s.PutSignOff(ctx, again), workforce.ErrSignedOff, "a second sign-off")

	cur, err := s.Current(ctx, org, q)
	if err != nil || cur == nil || cur.SignOff == nil || !reflect.DeepEqual(*cur.SignOff, so) {
		t.Fatalf("current %+v, %v; want version 1 carrying %+v", cur, err, so)
	}
	if byPeriod, _ := s.CurrentByPeriod(ctx, q); len(byPeriod) != 1 || byPeriod[0].SignOff == nil {
		t.Errorf("current by quarter %+v; want version 1 signed off", byPeriod)
	}
	if got, _ := s.Version(ctx, org, q, 1); got == nil || got.SignOff != nil {
		t.Errorf("version 1 as a version %+v; the version itself is never changed", got)
	}

	// A later version is current unsigned; version 1's sign-off stays recorded.
	wantErr(t, s.Append(ctx, v2, nil), nil, "version 2 after a sign-off")
	if cur, _ := s.Current(ctx, org, q); cur == nil || cur.Number != 2 || cur.SignOff != nil {
		t.Errorf("current %+v; want version 2 without a sign-off", cur)
	}
	wantErr(t, s.PutSignOff(ctx, so), workforce.ErrSignedOff, "version 1 again, replaced")
	fresh := so
	fresh.Org = run.org("SIGN2")
	wantErr(t, s.PutSignOff(ctx, fresh), workforce.ErrNotCurrent, "a return that does not exist")
	so2 := workforce.SignOff{Org: org, Period: q, Version: 2, SHA256: v2.SHA256, By: "approver", At: at.Add(time.Hour)}
	wantErr(t, s.PutSignOff(ctx, so2), nil, "version 2")
	all, err := s.SignOffs(ctx, org, q)
	if err != nil || !reflect.DeepEqual(all, []workforce.SignOff{so, so2}) {
		t.Errorf("sign-offs %+v, %v; want versions 1 and 2's", all, err)
	}
	if vs, _ := s.Versions(ctx, org, q); len(vs) != 2 {
		t.Errorf("versions %d; a sign-off is not a version", len(vs))
	}
}
