package rollup_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The rollup reads whether each current version is signed off from the current versions
// it already reads, and a sign-off is an input: the next run makes a revision that shows it.
func TestASignOffMakesTheNextRevision(t *testing.T) {
	svc, s := monthService(t)
	first, _ := run(t, svc)
	row := func(snap rollup.Snapshot, code string) bool {
		t.Helper()
		for _, o := range snap.Organisations {
			if o.Code == code {
				return o.SignedOff
			}
		}
		t.Fatalf("no row for %s", code)
		return false
	}
	if row(first, "HMRC") {
		t.Fatal("HMRC is signed off before any sign-off")
	}
	ctx := context.Background()
	cur, _ := s.table.Current(ctx, "HMRC", q2)
	so := workforce.SignOff{Org: "HMRC", Period: q2, Version: cur.Number, SHA256: cur.SHA256, By: "approver", At: time.Now()}
	if err := s.table.PutSignOff(ctx, so); err != nil {
		t.Fatal(err)
	}
	next, created := run(t, svc)
	if !created || next.Revision != 2 || next.InputsFingerprint == first.InputsFingerprint || !row(next, "HMRC") || row(next, "DSIT") {
		t.Errorf("after a sign-off: revision %d (created %v), HMRC signed off %v", next.Revision, created, row(next, "HMRC"))
	}
	var signed []string
	for _, in := range next.Inputs {
		if in.SignedOff {
			signed = append(signed, in.Org+" "+in.Period)
		}
	}
	if len(signed) != 1 || signed[0] != "HMRC "+q2.String() {
		t.Errorf("signed-off inputs %v, want HMRC %s only", signed, q2)
	}
	// A later version is unsigned, and the row says so.
	s.submit(t, "HMRC", q2, figures("1020"), q2.ReferenceDate().AddDate(0, 0, 9))
	if last, _ := run(t, svc); last.Revision != 3 || row(last, "HMRC") {
		t.Errorf("after version 2: revision %d, HMRC signed off %v", last.Revision, row(last, "HMRC"))
	}
}

// Inputs without a sign-off keep the fingerprint they had before sign-offs existed, so
// the first run after this change makes no new revision of an unchanged month.
func TestUnsignedInputsKeepTheirFingerprint(t *testing.T) {
	m := month(t)
	unsigned := []rollup.InputRef{{Org: "A", Period: "2025-26-Q2", Version: 1, SHA256: "h"}}
	lines := []string{"month " + m.String(), "targets t", "due_days 30", "return A 2025-26-Q2 1 h"}
	sort.Strings(lines)
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	if got := rollup.Fingerprint(m, unsigned, nil, "t", 30); got != hex.EncodeToString(h[:]) {
		t.Error("inputs without a sign-off have a new fingerprint: every month would roll up again")
	}
	signed := []rollup.InputRef{{Org: "A", Period: "2025-26-Q2", Version: 1, SHA256: "h", SignedOff: true}}
	if rollup.Fingerprint(m, signed, nil, "t", 30) == hex.EncodeToString(h[:]) {
		t.Error("a sign-off leaves the fingerprint as it was")
	}
}
