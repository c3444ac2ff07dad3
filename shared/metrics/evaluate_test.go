package metrics

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Hand-built series: each helper fills only what one measure reads.

// shares gives quarters from `from` on with DDaT headcount per 1,000 staff.
func shares(from string, perThousand ...int64) []Quarter {
	var out []Quarter
	for i, n := range perThousand {
		out = append(out, Quarter{Period: qtr(from).Add(i), CivilServiceReturns: 1, Headcount: 1000, DDaTHeadcount: n, DDaTShare: ratio(n, 1000)})
	}
	return out
}

// entrants gives quarters from `from` on with early-career entrants; a negative count
// stands for a quarter in which nobody reported.
func entrants(from string, counts ...int64) []Quarter {
	var out []Quarter
	for i, n := range counts {
		g := Quarter{Period: qtr(from).Add(i), CivilServiceReturns: 1, EarlyCareerEntrants: n}
		if n < 0 {
			g.CivilServiceReturns, g.EarlyCareerEntrants = 0, 0
		}
		out = append(out, g)
	}
	return out
}

// leaders gives quarters from `from` on with the leadership of each kind.
func leaders(from string, byKind ...map[workforce.OrgKind]Leadership) []Quarter {
	var out []Quarter
	for i, m := range byKind {
		out = append(out, Quarter{Period: qtr(from).Add(i), LeadershipByKind: m})
	}
	return out
}

func execYes(reporting, yes int) map[workforce.OrgKind]Leadership {
	return map[workforce.OrgKind]Leadership{cs: {Reporting: reporting, ExecDigitalLeader: yes}}
}

func join(parts ...[]Quarter) []Quarter {
	var out []Quarter
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func month(s string) period.Month {
	m, err := period.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

// withTarget changes one default target.
func withTarget(t *testing.T, id string, change func(*targets.Target)) targets.Set {
	set := only(t, defaultTargets(t), id)
	change(&set.Targets[0])
	return set
}

func TestEvaluate(t *testing.T) {
	all := defaultTargets(t)
	for _, tc := range []struct {
		name       string
		set        targets.Set
		series     []Quarter
		month      string
		want       Progress
		value      *float64 // nil: not available
		projection *float64 // nil: none made
		period     string   // the quarter the value is at; "" for the reference quarter
		note       string   // contained in the note; "" for no check
	}{
		// ddat-share: at least 6% by 31 March 2025; the last quarter that counts is 2024-25-Q4.
		// April 2024's reference quarter is 2023-24-Q4, four quarters before it.
		{name: "share rising fast enough: line through 5.0, 5.2, 5.4, 5.6% reaches 6.4%",
			set: only(t, all, "ddat-share"), series: shares("2023-24-Q1", 50, 52, 54, 56), month: "2024-04",
			want: OnTrack, value: f(0.056), projection: f(0.064), note: "Projected 6.4% by 2024-25-Q4, on the trend of the last 4 quarters."},
		{name: "share rising too slowly: 5.0, 5.1, 5.1, 5.2% gives slope 0.06 points and 5.43%",
			set: only(t, all, "ddat-share"), series: shares("2023-24-Q1", 50, 51, 51, 52), month: "2024-04",
			want: OffTrack, value: f(0.052), projection: f(0.0543)},
		{name: "a gap in the series: points at −3, −1, 0 give 5.7%",
			set:    only(t, all, "ddat-share"),
			series: join(shares("2023-24-Q1", 50), shares("2023-24-Q3", 52, 53)), month: "2024-04",
			want: OffTrack, value: f(0.053), projection: f(0.057), note: "last 3 quarters"},
		{name: "only quarters in the last four count",
			set: only(t, all, "ddat-share"), series: shares("2022-23-Q4", 10, 50, 52, 54, 56), month: "2024-04",
			want: OnTrack, value: f(0.056), projection: f(0.064)},
		{name: "one quarter is too few to project",
			set: only(t, all, "ddat-share"), series: shares("2023-24-Q4", 55), month: "2024-04",
			want: OffTrack, value: f(0.055), note: "Not met at 2023-24-Q4, and too few recent quarters"},
		{name: "no figures at all",
			set: only(t, all, "ddat-share"), month: "2024-04",
			want: NoData, note: "Nothing to judge at 2023-24-Q4: no organisation"},
		{name: "met before the deadline",
			set: only(t, all, "ddat-share"), series: shares("2023-24-Q4", 60), month: "2024-04",
			want: Met, value: f(0.06)},
		{name: "the deadline month itself is not past the deadline",
			set: only(t, all, "ddat-share"), series: shares("2023-24-Q4", 52, 53, 54, 55), month: "2025-03",
			want: OffTrack, value: f(0.055), projection: f(0.056)},
		{name: "after the deadline and not met",
			set: only(t, all, "ddat-share"), series: shares("2024-25-Q4", 55), month: "2025-04",
			want: Missed, value: f(0.055), note: "Not met at 2024-25-Q4, the deadline quarter for 31 March 2025 (returns due 30 April 2025): 5.5% against 6.0%."},
		{name: "after the deadline and met",
			set: only(t, all, "ddat-share"), series: shares("2024-25-Q4", 61), month: "2025-04",
			want: Met, value: f(0.061)},

		// early-career-entrants: at least 2,500 over 2023-24-Q1 … 2025-26-Q1 (nine quarters).
		{name: "entrants at 300 a quarter: 1,200 plus 5 × 300 reaches 2,700",
			set: only(t, all, "early-career-entrants"), series: join(entrants("2022-23-Q4", 1000), entrants("2023-24-Q1", 300, 300, 300, 300)), month: "2024-04",
			want: OnTrack, value: f(1200), projection: f(2700), note: "Projected 2,700 by 2025-26-Q1, at the mean rate of the last 4 quarters."},
		{name: "entrants at 250 a quarter: 1,000 plus 5 × 250 is 2,250",
			set: only(t, all, "early-career-entrants"), series: entrants("2023-24-Q1", 250, 250, 250, 250), month: "2024-04",
			want: OffTrack, value: f(1000), projection: f(2250)},
		{name: "a quarter nobody reported for is no evidence of the rate: 1,200 + 5 × 400",
			set: only(t, all, "early-career-entrants"), series: entrants("2023-24-Q1", 400, -1, 400, 400), month: "2024-04",
			want: OnTrack, value: f(1200), projection: f(3200), note: "last 3 quarters"},
		{name: "the window's first quarter: the rate rests on it alone, not on the quarters before: 300 + 8 × 300",
			set: only(t, all, "early-career-entrants"), series: join(entrants("2022-23-Q2", 900, 900, 900), entrants("2023-24-Q1", 300)), month: "2023-07",
			want: OnTrack, value: f(300), projection: f(2700), note: "last 1 quarter."},
		{name: "the window's first quarter, slower: 200 + 8 × 200",
			set: only(t, all, "early-career-entrants"), series: join(entrants("2022-23-Q2", 900, 900, 900), entrants("2023-24-Q1", 200)), month: "2023-07",
			want: OffTrack, value: f(200), projection: f(1800)},
		{name: "last quarter before the window closes",
			set: only(t, all, "early-career-entrants"), series: entrants("2023-24-Q1", 280, 280, 280, 280, 280, 280, 280, 280), month: "2025-06",
			want: OnTrack, value: f(2240), projection: f(2520)},
		{name: "window closed, met",
			set: only(t, all, "early-career-entrants"), series: entrants("2023-24-Q1", 300, 300, 300, 300, 300, 300, 300, 300, 200), month: "2025-07",
			want: Met, value: f(2600)},
		{name: "window closed once the last quarter's returns were due, not met",
			set: only(t, all, "early-career-entrants"), series: entrants("2023-24-Q1", 300, 300, 300, 300, 300, 300, 300, 300, 0), month: "2025-07",
			want: Missed, value: f(2400), note: "Not met at 2025-26-Q1, the window's last quarter (returns due 30 July 2025): 2,400 against 2,500."},
		{name: "after the window the value stays at its last quarter; later entrants do not count",
			set: only(t, all, "early-career-entrants"), series: entrants("2023-24-Q1", 300, 300, 300, 300, 300, 300, 300, 300, 0, 5000), month: "2025-10",
			want: Missed, value: f(2400), period: "2025-26-Q1"},
		{name: "a window that has not begun",
			set: withTarget(t, "early-career-entrants", func(tg *targets.Target) {
				tg.Window = &targets.Window{From: qtr("2026-27-Q1"), To: qtr("2027-28-Q4")}
			}),
			series: entrants("2025-26-Q1", 300), month: "2025-07",
			want: NotStarted, note: "The first quarter measured is 2026-27-Q1; the reference quarter is 2025-26-Q1."},

		// exec-digital-leader: every organisation, by 31 December 2026 (last quarter 2026-27-Q3).
		{name: "leadership share heading past 100% is projected at 100%",
			set: only(t, all, "exec-digital-leader"), series: leaders("2025-26-Q1", execYes(10, 6), execYes(10, 7), execYes(10, 8), execYes(10, 9)), month: "2026-04",
			want: OnTrack, value: f(0.9), projection: f(1)},
		{name: "a council without a digital leader holds the target back",
			set: only(t, all, "exec-digital-leader"),
			series: leaders("2026-27-Q2", map[workforce.OrgKind]Leadership{
				cs: {Reporting: 9, ExecDigitalLeader: 9}, lg: {Reporting: 1}}),
			month: "2026-11", want: OffTrack, value: f(0.9)},
		{name: "the same figures, for a target on civil_service only",
			set: withTarget(t, "exec-digital-leader", func(tg *targets.Target) { tg.Kinds = []workforce.OrgKind{cs} }),
			series: leaders("2026-27-Q2", map[workforce.OrgKind]Leadership{
				cs: {Reporting: 9, ExecDigitalLeader: 9}, lg: {Reporting: 1}}),
			month: "2026-11", want: Met, value: f(1)},

		{name: "an equals target approached from above: 90, 80, 70, 60% heads through 50%",
			set:    withTarget(t, "exec-digital-leader", func(tg *targets.Target) { tg.Threshold = 0.5 }),
			series: leaders("2025-26-Q1", execYes(10, 9), execYes(10, 8), execYes(10, 7), execYes(10, 6)), month: "2026-04",
			want: OnTrack, value: f(0.6), projection: f(0.3)},
		{name: "an equals target staying above it",
			set:    withTarget(t, "exec-digital-leader", func(tg *targets.Target) { tg.Threshold = 0.5 }),
			series: leaders("2025-26-Q1", execYes(10, 9), execYes(10, 9), execYes(10, 9), execYes(10, 9)), month: "2026-04",
			want: OffTrack, value: f(0.9), projection: f(0.9)},

		// succession-plans: every role, by 31 July 2025 (last quarter 2025-26-Q1).
		{name: "succession plans are judged in the deadline month, once 2025-26-Q1's returns are due on 30 July",
			set: only(t, all, "succession-plans"),
			series: leaders("2025-26-Q1", map[workforce.OrgKind]Leadership{
				cs: {DigitalSeniorRoles: 10, DigitalSeniorRolesWithSuccessionPlan: 9}}),
			month: "2025-07", want: Missed, value: f(0.9), note: "Not met at 2025-26-Q1, the deadline quarter for 31 July 2025"},
		{name: "succession plans after the deadline",
			set: only(t, all, "succession-plans"),
			series: leaders("2025-26-Q1", map[workforce.OrgKind]Leadership{
				cs: {DigitalSeniorRoles: 10, DigitalSeniorRolesWithSuccessionPlan: 9}}),
			month: "2025-08", want: Missed, value: f(0.9)},

		// senior-appointments-assessed: from 1 April 2026, quarters from 2026-27-Q1.
		{name: "appointments before the from date",
			set: only(t, all, "senior-appointments-assessed"), month: "2026-03",
			want: NotStarted, note: "Measured from 1 April 2026."},
		{name: "appointments after the from date but before its first quarter is the reference quarter",
			set: only(t, all, "senior-appointments-assessed"), month: "2026-05",
			want: NotStarted, note: "first quarter measured is 2026-27-Q1"},
		{name: "appointments summed from the first quarter: 4 of 5, earlier quarters and councils left out",
			set: only(t, all, "senior-appointments-assessed"),
			series: leaders("2025-26-Q4",
				map[workforce.OrgKind]Leadership{cs: {SeniorAppointments: 10}},
				map[workforce.OrgKind]Leadership{cs: {SeniorAppointments: 3, SeniorAppointmentsAssessed: 3}},
				map[workforce.OrgKind]Leadership{cs: {SeniorAppointments: 2, SeniorAppointmentsAssessed: 1}, lg: {SeniorAppointments: 1, SeniorAppointmentsAssessed: 1}}),
			month: "2026-10", want: OffTrack, value: f(4.0 / 5), note: "Not met at 2026-27-Q2. The commitment has no end date"},
		{name: "every appointment assessed",
			set: only(t, all, "senior-appointments-assessed"),
			series: leaders("2026-27-Q1",
				map[workforce.OrgKind]Leadership{cs: {SeniorAppointments: 3, SeniorAppointmentsAssessed: 3}}),
			month: "2026-07", want: Met, value: f(1)},
		{name: "no appointments yet",
			set: only(t, all, "senior-appointments-assessed"), series: leaders("2026-27-Q1", map[workforce.OrgKind]Leadership{cs: {}}),
			month: "2026-07", want: NoData, note: "Nothing to judge at 2026-27-Q1: no organisation"},

		// cslg-ai-immersion: every CSLG member attended by 31 March 2026; a stock, not a sum.
		{name: "AI immersion is the share at the quarter, not a sum over quarters",
			set: only(t, all, "cslg-ai-immersion"),
			series: leaders("2025-26-Q1",
				map[workforce.OrgKind]Leadership{cs: {CSLGMembers: 300, CSLGMembersAIImmersion: 60}},
				map[workforce.OrgKind]Leadership{cs: {CSLGMembers: 300, CSLGMembersAIImmersion: 150}}),
			month: "2025-10", want: OnTrack, value: f(0.5), projection: f(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := month(tc.month)
			ref := period.ReferenceQuarter(m, 30)
			got := Evaluate(tc.set, tc.series, m, ref, 30)
			if len(got) != 1 {
				t.Fatalf("%d statuses", len(got))
			}
			s := got[0]
			if s.Status != tc.want {
				t.Errorf("status = %s, want %s (note %q)", s.Status, tc.want, s.Note)
			}
			if !closeTo(s.Value, tc.value) {
				t.Errorf("value = %s, want %s", show(s.Value), show(tc.value))
			}
			if !closeTo(s.Projection, tc.projection) {
				t.Errorf("projection = %s, want %s", show(s.Projection), show(tc.projection))
			}
			wantPeriod := tc.period
			if wantPeriod == "" {
				wantPeriod = ref.String()
			}
			if s.Period.String() != wantPeriod {
				t.Errorf("period = %s, want %s", s.Period, wantPeriod)
			}
			if !strings.Contains(s.Note, tc.note) {
				t.Errorf("note %q does not contain %q", s.Note, tc.note)
			}
			if s.ID != tc.set.Targets[0].ID || s.Threshold != tc.set.Targets[0].Threshold {
				t.Errorf("status names %s %v", s.ID, s.Threshold)
			}
			noNaN(t, s)
		})
	}
}

// Projections are compared to 1e-9: a least-squares fit is floating point.
func closeTo(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-9
}

func TestEvaluateReportsEveryTargetInFileOrder(t *testing.T) {
	set := defaultTargets(t)
	got := Evaluate(set, nil, month("2025-07"), qtr("2025-26-Q1"), 30)
	if len(got) != len(set.Targets) {
		t.Fatalf("%d statuses for %d targets", len(got), len(set.Targets))
	}
	for i, s := range got {
		if s.ID != set.Targets[i].ID {
			t.Errorf("status %d is %s, want %s", i, s.ID, set.Targets[i].ID)
		}
		if s.Status == "" {
			t.Errorf("%s has no status word", s.ID)
		}
	}
	ec := got[1]
	if ec.WindowStart != "2023-24-Q1" || ec.WindowEnd != "2025-26-Q1" || ec.EndQuarter != "2025-26-Q1" || ec.Deadline != "" {
		t.Errorf("early-career window fields: %+v", ec)
	}
	if got[0].Deadline != "2025-03-31" || got[0].EndQuarter != "2024-25-Q4" || got[4].From != "2026-04-01" || got[4].EndQuarter != "" {
		t.Errorf("deadline and from fields: %+v %+v", got[0], got[4])
	}
}

// The successor target in the targets package's test data is evaluated with no code of
// its own.
func TestEvaluateSuccessorTarget(t *testing.T) {
	data, err := os.ReadFile("../targets/testdata/successor.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := targets.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	set = only(t, set, "ddat-share-one-in-ten")
	// 7.0, 7.2, 7.4, 7.6% to 2026-27-Q3; 2029-30-Q4 is 13 quarters on: 7.6 + 13 × 0.2 = 10.2%.
	got := Evaluate(set, shares("2025-26-Q4", 70, 72, 74, 76), month("2027-01"), qtr("2026-27-Q3"), 30)[0]
	if got.Status != OnTrack || !closeTo(got.Projection, f(0.102)) || got.EndQuarter != "2029-30-Q4" {
		t.Errorf("successor = %+v, projection %s", got, show(got.Projection))
	}
}

func TestLeastSquares(t *testing.T) {
	for _, tc := range []struct {
		xs, ys []float64
		a, b   float64
	}{
		{[]float64{-3, -2, -1, 0}, []float64{1, 2, 3, 4}, 4, 1},
		{[]float64{-1, 0}, []float64{5, 5}, 5, 0},
		{[]float64{-3, -2, -1, 0}, []float64{50, 51, 51, 52}, 51.9, 0.6},
	} {
		a, b := leastSquares(tc.xs, tc.ys)
		if math.Abs(a-tc.a) > 1e-9 || math.Abs(b-tc.b) > 1e-9 {
			t.Errorf("leastSquares(%v, %v) = %v, %v; want %v, %v", tc.xs, tc.ys, a, b, tc.a, tc.b)
		}
	}
}
