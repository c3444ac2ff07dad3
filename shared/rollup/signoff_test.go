package rollup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The rollup reads whether each current version is signed off from the current items it
// already queries, and a sign-off changes the inputs fingerprint, so the next run makes a
// revision that shows it. Inputs without a sign-off keep their old fingerprint.
func TestSignOffIsAnInput(t *testing.T) {
	s := service(t, 30)
	ref := period.MustQuarter("2025-26-Q2")
	vs := s.Returns.(versions)
	cur := &vs.byPeriod[ref][0]

	inputs, _, err := s.Inputs(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	last := inputs[len(inputs)-1]
	if last.Period != ref || last.SignedOff {
		t.Fatalf("%s input signed off %v before any sign-off", last.Period, last.SignedOff)
	}
	month, _ := period.ParseMonth("2025-11")
	unsigned := []InputRef{{Org: "A", Period: ref.String(), Version: 1, SHA256: "h"}}
	before := Fingerprint(month, unsigned, nil, "t", 30)
	// As it was before sign-offs existed: the sorted lines, hashed.
	lines := []string{"month 2025-11", "targets t", "due_days 30", "return A 2025-26-Q2 1 h"}
	sort.Strings(lines)
	if h := sha256.Sum256([]byte(strings.Join(lines, "\n"))); before != hex.EncodeToString(h[:]) {
		t.Error("inputs without a sign-off have a new fingerprint: every month would roll up again")
	}
	signed := []InputRef{{Org: "A", Period: ref.String(), Version: 1, SHA256: "h", SignedOff: true}}
	if Fingerprint(month, signed, nil, "t", 30) == before {
		t.Error("a sign-off leaves the fingerprint as it was: the next rollup would not show it")
	}

	cur.SignOff = &workforce.SignOff{Org: "A", Period: ref, Version: 1, SHA256: cur.SHA256, By: "approver"}
	inputs, _, err = s.Inputs(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if last := inputs[len(inputs)-1]; !last.SignedOff {
		t.Error("the signed-off current version is not marked signed off")
	}
	// A sign-off of other content (a store out of step) does not count.
	cur.SignOff.SHA256 = "other"
	inputs, _, _ = s.Inputs(context.Background(), ref)
	if last := inputs[len(inputs)-1]; last.SignedOff {
		t.Error("a sign-off of other content counts")
	}
}
