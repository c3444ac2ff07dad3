package editions

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/editions/internal/disclosure"
	"github.com/ddat-workforce/returns/shared/gsswriter"
	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/register"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// tempting is a month built to tempt an intruder: small offices of 60 to 150 people, one
// of them with 4 DDaT staff at the reference quarter and the others with 5 to 12 (so their
// shares pin their counts), all DDaT staff of an office in one job family and one grade
// (breakdowns with a single small cell), one department of 900 people, and a council.
// The offices' counts are chosen so that the government's DDaT headcount is rounded up by
// 2: the published total minus the other offices is then 6, and 4 is the only count of 1
// to 4 within 2 of it. Revision 1 has no return yet from SM05 for the reference quarter;
// revision 2 has it, with 3 DDaT staff.
type tempting struct {
	orgs    []workforce.Organisation
	quarter []period.Quarter
	ddat    map[string]int64 // at the reference quarter
	missing map[string]bool  // "code quarter" without a return
}

func temptingData(revision int) *tempting {
	t := &tempting{ddat: map[string]int64{}, missing: map[string]bool{}}
	t.quarter = period.Range(period.MustQuarter("2024-25-Q3"), period.MustQuarter("2025-26-Q2"))
	ref := t.quarter[len(t.quarter)-1]
	sizes := []int64{60, 75, 88, 95, 110, 120, 132, 140, 150, 64, 99, 143}
	ddat := []int64{4, 6, 7, 8, 3, 10, 11, 12, 6, 7, 8, 9}
	for i, hc := range sizes {
		code := fmt.Sprintf("SM%02d", i+1)
		t.orgs = append(t.orgs, workforce.Organisation{Code: code, Name: fmt.Sprintf("Small Office %d", i+1), Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: hc})
		t.ddat[code] = ddat[i]
	}
	t.orgs = append(t.orgs, workforce.Organisation{Code: "MD01", Name: "Medium Department", Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 900},
		workforce.Organisation{Code: "LGA1", Name: "A Council", Kind: workforce.LocalGovernment})
	// Make the government's DDaT headcount without SM05 3 more than a multiple of 5.
	var total int64
	for _, o := range t.orgs {
		if o.Kind == workforce.CivilService && o.Code != "SM05" {
			total += t.ddatAt(o, ref)
		}
	}
	t.ddat["SM12"] += (3 - total%5 + 5) % 5
	if revision == 1 {
		t.missing["SM05 "+ref.String()] = true
	}
	return t
}

// ddatAt is an organisation's DDaT headcount in q: the tempting figure at the reference
// quarter, a little more in alternate quarters before it.
func (t *tempting) ddatAt(o workforce.Organisation, q period.Quarter) int64 {
	if d, ok := t.ddat[o.Code]; ok {
		return d + int64(t.quarter[len(t.quarter)-1].Sub(q)%2)
	}
	v := sample.Return(o, q)
	d, _ := strconv.ParseInt(v[workforce.KeyDDaTHeadcount], 10, 64)
	return d
}

// returnOf is the sample return of o for q with the tempting figures.
func (t *tempting) returnOf(o workforce.Organisation, q period.Quarter) map[string]string {
	v := sample.Return(o, q)
	if _, ok := t.ddat[o.Code]; !ok || o.Kind != workforce.CivilService {
		return v
	}
	d := t.ddatAt(o, q)
	hc := o.BaselineHeadcount + int64(q.Sub(t.quarter[0]))
	set := func(k string, n int64) { v[k] = strconv.FormatInt(n, 10) }
	set(workforce.KeyHeadcount, hc)
	v[workforce.KeyFTE] = fmt.Sprintf("%.2f", float64(hc)*0.9)
	set(workforce.KeyProfessionUnknown, int64(q.Sub(t.quarter[0])%3))
	set(workforce.KeyDDaTHeadcount, d)
	v[workforce.KeyDDaTFTE] = fmt.Sprintf("%.2f", float64(d)*0.9)
	for i, k := range workforce.FamilyKeys {
		set(k, map[bool]int64{true: d}[i == 2])
	}
	for i, k := range workforce.GradeKeys {
		set(k, map[bool]int64{true: d}[i == 3])
	}
	early := int64(q.Index()+len(o.Code)) % 2
	for i, k := range workforce.EarlyCareerKeys {
		set(k, map[bool]int64{true: early}[i == 0])
	}
	set(workforce.KeyEntrantsTotal, early+int64(q.Index()%2))
	return v
}

// snapshot computes the month after the last quarter, as the rollup would.
func (t *tempting) snapshot(tb testing.TB, revision int) rollup.Snapshot {
	tb.Helper()
	reg := workforce.Register{}
	for _, o := range t.orgs {
		reg[o.Code] = o
	}
	received := time.Date(2025, 10, 20, 9, 0, 0, 0, time.UTC)
	var in []metrics.Input
	for _, o := range t.orgs {
		for _, q := range t.quarter {
			if t.missing[o.Code+" "+q.String()] {
				continue
			}
			in = append(in, input(tb, reg, t.returnOf(o, q), received))
		}
	}
	return snapshotOf(tb, t.orgs, in, "2025-10", revision)
}

func input(tb testing.TB, reg workforce.Register, v map[string]string, received time.Time) metrics.Input {
	tb.Helper()
	var raw []workforce.RawField
	for k, x := range v {
		raw = append(raw, workforce.RawField{Key: k, Value: x})
	}
	r, ps := workforce.Normalise(raw, reg, received)
	if len(ps) > 0 {
		tb.Fatalf("%s %s: %v", v["org"], v["period"], ps)
	}
	return metrics.Input{Return: r, Version: 1, ReceivedAt: received}
}

func snapshotOf(tb testing.TB, orgs []workforce.Organisation, in []metrics.Input, month string, revision int) rollup.Snapshot {
	tb.Helper()
	set, err := targets.Default()
	if err != nil {
		tb.Fatal(err)
	}
	m, _ := period.ParseMonth(month)
	res := metrics.Compute(metrics.ComputeInput{Returns: in, Register: orgs, Targets: set, Month: m, DueDays: 30})
	return rollup.Snapshot{Result: res, Revision: revision, InputsFingerprint: strings.Repeat("cd", 32),
		CreatedAt: time.Date(2025, 11, 1, 6, 0, 0, 0, time.UTC), Trigger: "schedule"}
}

// demoSnapshot is the demo's month: the starting register with sample returns, NIO's last
// return missing, and with revised true HMRC's last return corrected as the demo does.
func demoSnapshot(t testing.TB, revised bool) rollup.Snapshot {
	s := snapshot(t)
	if !revised {
		return s
	}
	orgs, _ := register.Seed()
	orgs = append(orgs, workforce.Organisation{Code: "TINY", Name: "Tiny Office", Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 40})
	reg := workforce.Register{}
	for _, o := range orgs {
		reg[o.Code] = o
	}
	last := period.MustQuarter("2025-26-Q2")
	received := time.Date(2025, 10, 20, 9, 0, 0, 0, time.UTC)
	var in []metrics.Input
	for _, o := range orgs {
		for _, q := range period.Range(period.MustQuarter("2023-24-Q1"), last) {
			if o.Code == "NIO" && q == last {
				continue
			}
			v := sample.Return(o, q)
			if o.Code == "HMRC" && q == last {
				hc, _ := strconv.ParseInt(v[workforce.KeyHeadcount], 10, 64)
				v[workforce.KeyHeadcount] = strconv.FormatInt(hc+120, 10)
			}
			in = append(in, input(t, reg, v, received))
		}
	}
	return snapshotOf(t, orgs, in, "2025-10", 2)
}

func renderWith(t testing.TB, s rollup.Snapshot, ctl control) []byte {
	t.Helper()
	wb, err := build(s, rollup.EditionPublished, ctl)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gsswriter.Write(wb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readEdition renders the published edition of s under ctl and reads it back as the
// intruder does.
func readEdition(t testing.TB, s rollup.Snapshot, ctl control) disclosure.Book {
	t.Helper()
	return read(t, renderWith(t, s, ctl))
}

func read(t testing.TB, file []byte) disclosure.Book {
	t.Helper()
	b, err := disclosure.ReadXLSX(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// truth is every figure the intruder reasons about, read exactly from the management
// edition of the same snapshot by the same reader.
func truth(t testing.TB, s rollup.Snapshot) *disclosure.System {
	t.Helper()
	sys := disclosure.Attack(read(t, render(t, s, rollup.EditionManagement)))
	if len(sys.Contradictions) > 0 {
		t.Fatalf("the intruder's relations do not hold on the exact figures: %v", sys.Contradictions)
	}
	return sys
}

// sound checks that every interval the intruder reached holds the true figure: a wrong
// relation would make its findings worthless, in both directions.
func sound(t *testing.T, sys, exact *disclosure.System, prefix string) {
	t.Helper()
	if len(sys.Contradictions) > 0 {
		t.Errorf("the intruder contradicts itself: %v", sys.Contradictions)
	}
	for _, name := range exact.Names() {
		lo, hi, _ := exact.Interval(name)
		if lo != hi {
			continue // not a published figure
		}
		if plo, phi, ok := sys.Interval(prefix + name); ok && (lo < plo || lo > phi) {
			t.Errorf("%s is %d, but the intruder narrowed it to %d to %d", name, lo, plo, phi)
		}
	}
}

func TestIntruderDerivesNothingFromThePublishedEdition(t *testing.T) {
	cases := map[string]rollup.Snapshot{
		"tempting revision 1": temptingData(1).snapshot(t, 1),
		"tempting revision 2": temptingData(2).snapshot(t, 2),
		"demo":                demoSnapshot(t, false),
		"demo revised":        demoSnapshot(t, true),
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			sys := disclosure.Attack(readEdition(t, s, published))
			for _, f := range sys.Derived() {
				t.Errorf("derived %s", f)
			}
			sound(t, sys, truth(t, s), "")
			for _, f := range sys.Narrowed() {
				t.Logf("narrowed, not derived: %s", f)
			}
		})
	}
}

func TestIntruderDerivesNothingAcrossRevisions(t *testing.T) {
	cases := []struct {
		name          string
		before, after rollup.Snapshot
		change        disclosure.Revision
	}{
		{"a small office's late return", temptingData(1).snapshot(t, 1), temptingData(2).snapshot(t, 2),
			disclosure.Revision{Quarter: "2025-26-Q2", Changed: []string{"SM05"}}},
		{"the demo's correction", demoSnapshot(t, false), demoSnapshot(t, true),
			disclosure.Revision{Quarter: "2025-26-Q2", Changed: []string{"HMRC"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sys := disclosure.AttackRevisions(readEdition(t, c.before, published), readEdition(t, c.after, published), c.change)
			for _, f := range sys.Derived() {
				t.Errorf("derived %s", f)
			}
			if len(sys.Contradictions) > 0 {
				t.Errorf("the intruder contradicts itself: %v", sys.Contradictions)
			}
		})
	}
}

// TestIntruderDerivesCountsWithoutControl shows that the intruder finds what each part of
// the control protects, by switching it off: so the tests above can fail.
func TestIntruderDerivesCountsWithoutControl(t *testing.T) {
	rev1, rev2 := temptingData(1).snapshot(t, 1), temptingData(2).snapshot(t, 2)
	cases := []struct {
		name string
		ctl  control
		s    rollup.Snapshot
		want []string // derived counts, each "name = value"
	}{
		{"shares stored to full precision", control{counts: true}, rev1, []string{
			"organisation SM01 2025-26-Q2 DDaT headcount = 4", // share × rounded headcount
			"organisation SM05 2025-26-Q1 DDaT headcount = 4", // a row carried forward
		}},
		{"shares to 0.1% without complementary suppression", control{counts: true, shares: true, noOrgEntrants: true}, rev1, []string{
			// the government's total less the other offices, each pinned by its share
			"organisation SM01 2025-26-Q2 DDaT headcount = 4",
		}},
		{"organisations' early-career entrants", control{counts: true, shares: true}, rev1, []string{
			// twelve [c] of at least 1 each, under a total shown as 10
			"organisation SM01 2025-26-Q2 early-career entrants = 1",
			"organisation MD01 2025-26-Q2 early-career entrants = 1",
		}},
		{"the late return, shares to full precision", control{counts: true}, rev2, []string{
			"organisation SM05 2025-26-Q2 DDaT headcount = 3",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sys := disclosure.Attack(read(t, renderWith(t, c.s, c.ctl)))
			sound(t, sys, truth(t, c.s), "")
			got := map[string]bool{}
			for _, f := range sys.Derived() {
				got[fmt.Sprintf("%s = %d", f.Name, f.Lo)] = true
			}
			for _, w := range c.want {
				if !got[w] {
					t.Errorf("the intruder did not derive %s; it derived %v", w, sys.Derived())
				}
			}
		})
	}
	t.Run("across revisions, small organisations' shares published", func(t *testing.T) {
		// Each revision is protected on its own by complementary suppression, but the
		// two withhold different shares, and together they give every office but SM01.
		ctl := published
		ctl.headcountShareBase = 0
		sys := disclosure.AttackRevisions(readEdition(t, rev1, ctl), readEdition(t, rev2, ctl),
			disclosure.Revision{Quarter: "2025-26-Q2", Changed: []string{"SM05"}})
		var found bool
		for _, f := range sys.Derived() {
			found = found || (f.Name == "organisation SM01 2025-26-Q2 DDaT headcount" && f.Lo == 4)
		}
		if !found {
			t.Errorf("the intruder did not derive SM01's DDaT headcount from the two revisions; it derived %v", sys.Derived())
		}
	})
	t.Run("across revisions, shares to full precision", func(t *testing.T) {
		sys := disclosure.AttackRevisions(read(t, renderWith(t, rev1, control{counts: true})), read(t, renderWith(t, rev2, control{counts: true})),
			disclosure.Revision{Quarter: "2025-26-Q2", Changed: []string{"SM05"}})
		var found bool
		for _, f := range sys.Derived() {
			found = found || (f.Name == "revision 2: organisation SM05 2025-26-Q2 DDaT headcount" && f.Lo == 3)
		}
		if !found {
			t.Errorf("the intruder did not derive SM05's DDaT headcount in revision 2; it derived %v", sys.Derived())
		}
	})
}
