package metrics

import (
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The rules of SPEC §4 for judging targets, one table each. Every case would fail if its
// rule were broken: judging at the reference quarter instead of the deadline quarter,
// judging a passed deadline before its quarter's returns are due, dividing by those who
// answered instead of those expected, and so on.

// judged evaluates one target in month m with dueDays, the reference quarter following.
func judged(t *testing.T, set targets.Set, series []Quarter, m string, dueDays int) TargetStatus {
	t.Helper()
	mo := month(m)
	got := Evaluate(set, series, mo, period.ReferenceQuarter(mo, dueDays), dueDays)
	if len(got) != 1 {
		t.Fatalf("%d statuses", len(got))
	}
	noNaN(t, got[0])
	return got[0]
}

// The DDaT share by quarter, 2024-25-Q1 … 2025-26-Q2: below 6% at the deadline quarter
// (2024-25-Q4, 4.9%), above it in the quarters after.
var shareSeries = shares("2024-25-Q1", 55, 56, 57, 49, 58, 65)

func TestDeadlineTargetsAreJudgedAtTheDeadlineQuarter(t *testing.T) {
	ddat := only(t, defaultTargets(t), "ddat-share") // at least 6% by 31 March 2025: 2024-25-Q4
	for _, tc := range []struct {
		name     string
		month    string
		dueDays  int
		want     Progress
		period   string
		judgedAt string
		value    *float64
		latest   *float64 // nil: none
		latestAt string
		note     string
	}{
		{name: "the month before the deadline: the reference quarter, with a projection",
			month: "2025-03", dueDays: 30, want: OffTrack, period: "2024-25-Q3", judgedAt: AtReferenceQuarter, value: f(0.057),
			note: "Projected 5.8% by 2024-25-Q4"},
		{name: "the month after the deadline, when the deadline quarter's returns fall due: missed at the deadline",
			month: "2025-04", dueDays: 30, want: Missed, period: "2024-25-Q4", judgedAt: AtDeadlineQuarter, value: f(0.049),
			note: "Not met at 2024-25-Q4, the deadline quarter for 31 March 2025 (returns due 30 April 2025): 4.9% against 6.0%."},
		{name: "months later: still missed at the deadline, 4.9%, though it is 6.5% now",
			month: "2025-10", dueDays: 30, want: Missed, period: "2024-25-Q4", judgedAt: AtDeadlineQuarter, value: f(0.049),
			latest: f(0.065), latestAt: "2025-26-Q2", note: "At 2025-26-Q2 it is 6.5%."},
		{name: "60 due days: the deadline has passed but its quarter's returns are not due until 30 May, so not yet judged",
			month: "2025-04", dueDays: 60, want: OffTrack, period: "2024-25-Q3", judgedAt: AtReferenceQuarter, value: f(0.057),
			note: "Projected 5.8% by 2024-25-Q4"},
		{name: "60 due days: judged in May",
			month: "2025-05", dueDays: 60, want: Missed, period: "2024-25-Q4", judgedAt: AtDeadlineQuarter, value: f(0.049)},
		{name: "100 due days: still the reference quarter in June",
			month: "2025-06", dueDays: 100, want: OffTrack, period: "2024-25-Q3", judgedAt: AtReferenceQuarter, value: f(0.057)},
		{name: "100 due days: judged in July (due 9 July)",
			month: "2025-07", dueDays: 100, want: Missed, period: "2024-25-Q4", judgedAt: AtDeadlineQuarter, value: f(0.049)},
		{name: "0 due days: the returns are due on the reference date, so judged in March",
			month: "2025-03", dueDays: 0, want: Missed, period: "2024-25-Q4", judgedAt: AtDeadlineQuarter, value: f(0.049)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := judged(t, ddat, shareSeries, tc.month, tc.dueDays)
			if s.Status != tc.want || s.Period.String() != tc.period || s.JudgedAt != tc.judgedAt || !closeTo(s.Value, tc.value) {
				t.Errorf("got %s at %s (%s) value %s; want %s at %s (%s) value %s. Note: %s",
					s.Status, s.Period, s.JudgedAt, show(s.Value), tc.want, tc.period, tc.judgedAt, show(tc.value), s.Note)
			}
			if !closeTo(s.LatestValue, tc.latest) {
				t.Errorf("latest_value %s, want %s", show(s.LatestValue), show(tc.latest))
			}
			if tc.latestAt != "" && (s.LatestPeriod == nil || s.LatestPeriod.String() != tc.latestAt) {
				t.Errorf("latest_period %v, want %s", s.LatestPeriod, tc.latestAt)
			}
			if !strings.Contains(s.Note, tc.note) {
				t.Errorf("note %q does not contain %q", s.Note, tc.note)
			}
		})
	}

	// Met at the deadline stays met when the share later falls; a share that rises above the
	// threshold after the deadline does not turn missed into met.
	met := judged(t, ddat, shares("2024-25-Q4", 61, 55, 50), "2025-10", 30)
	if met.Status != Met || !closeTo(met.Value, f(0.061)) || !closeTo(met.LatestValue, f(0.05)) {
		t.Errorf("met at the deadline then falling: %s %s latest %s", met.Status, show(met.Value), show(met.LatestValue))
	}
}

func TestWindowTargetsAreJudgedAtTheWindowsLastQuarter(t *testing.T) {
	ec := only(t, defaultTargets(t), "early-career-entrants") // 2,500 over 2023-24-Q1 … 2025-26-Q1
	// 250 a quarter for the nine quarters of the window (2,250), then 1,000 a quarter.
	series := join(entrants("2023-24-Q1", 250, 250, 250, 250, 250, 250, 250, 250, 250), entrants("2025-26-Q2", 1000, 1000))
	for _, tc := range []struct {
		name     string
		month    string
		dueDays  int
		want     Progress
		period   string
		judgedAt string
		value    float64
	}{
		{"the month before the last quarter's returns are due", "2025-06", 30, OffTrack, "2024-25-Q4", AtReferenceQuarter, 2000},
		{"the month they are due: missed over the window", "2025-07", 30, Missed, "2025-26-Q1", AtWindowEnd, 2250},
		{"later entrants do not count toward a window that has ended", "2026-01", 30, Missed, "2025-26-Q1", AtWindowEnd, 2250},
		{"45 due days: the last quarter's returns are due 14 August, so July is not judged", "2025-07", 45, OffTrack, "2024-25-Q4", AtReferenceQuarter, 2000},
		{"45 due days: judged in August", "2025-08", 45, Missed, "2025-26-Q1", AtWindowEnd, 2250},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := judged(t, ec, series, tc.month, tc.dueDays)
			if s.Status != tc.want || s.Period.String() != tc.period || s.JudgedAt != tc.judgedAt || !closeTo(s.Value, f(tc.value)) {
				t.Errorf("got %s at %s (%s) value %s; want %s at %s (%s) %v. Note: %s",
					s.Status, s.Period, s.JudgedAt, show(s.Value), tc.want, tc.period, tc.judgedAt, tc.value, s.Note)
			}
			if s.LatestValue != nil {
				t.Errorf("a window has no latest value beside it: %s", show(s.LatestValue))
			}
		})
	}
}

// A register of three Civil Service organisations and a council, and their returns: the
// every-organisation targets divide by the four expected.
func TestEveryOrganisationTargetsDivideByTheOrganisationsExpected(t *testing.T) {
	exec := withTarget(t, "exec-digital-leader", func(tg *targets.Target) {}) // by 31 December 2026: 2026-27-Q3
	register := []workforce.Organisation{org("A", cs, 10), org("B", cs, 10), org("C", cs, 10), org("L", lg, 0)}
	yes := func(code string, kind workforce.OrgKind, q string) Input {
		return ret(code, kind, q, workforce.KeyExecDigitalLeader, "yes")
	}
	for _, tc := range []struct {
		name              string
		returns           []Input
		month             string
		want              Progress
		value             *float64
		answered, expects int
	}{
		{name: "everyone who answered says yes, but C has never answered: 3 of 4, not met",
			returns: []Input{yes("A", cs, "2026-27-Q3"), yes("B", cs, "2026-27-Q3"), yes("L", lg, "2026-27-Q3")},
			month:   "2027-01", want: Missed, value: f(0.75), answered: 3, expects: 4},
		{name: "all four say yes: met",
			returns: []Input{yes("A", cs, "2026-27-Q3"), yes("B", cs, "2026-27-Q3"), yes("C", cs, "2026-27-Q3"), yes("L", lg, "2026-27-Q3")},
			month:   "2027-01", want: Met, value: f(1), answered: 4, expects: 4},
		{name: "an answer from an earlier quarter still counts (C carried forward from 2025-26-Q1)",
			returns: []Input{yes("A", cs, "2026-27-Q3"), yes("B", cs, "2026-27-Q3"), yes("C", cs, "2025-26-Q1"), yes("L", lg, "2026-27-Q3")},
			month:   "2027-01", want: Met, value: f(1), answered: 4, expects: 4},
		{name: "an answer after the quarter does not (C answers in 2026-27-Q4)",
			returns: []Input{yes("A", cs, "2026-27-Q3"), yes("B", cs, "2026-27-Q3"), yes("C", cs, "2026-27-Q4"), yes("L", lg, "2026-27-Q3")},
			month:   "2027-04", want: Missed, value: f(0.75), answered: 3, expects: 4},
		{name: "nobody has answered: no_data, not met and not missed",
			month: "2027-01", want: NoData, expects: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Compute(ComputeInput{Returns: tc.returns, Register: register, Targets: exec, Month: month(tc.month), DueDays: 30})
			s := res.Targets[0]
			if s.Status != tc.want || !sameFloat(s.Value, tc.value) || s.OrganisationsAnswered != tc.answered || s.OrganisationsExpected != tc.expects {
				t.Errorf("got %s %s, %d of %d answered; want %s %s, %d of %d. Note: %s", s.Status, show(s.Value),
					s.OrganisationsAnswered, s.OrganisationsExpected, tc.want, show(tc.value), tc.answered, tc.expects, s.Note)
			}
		})
	}
}

func TestRatiosOfPeopleAreOverTheOrganisationsThatAnswered(t *testing.T) {
	register := []workforce.Organisation{org("A", cs, 10), org("B", cs, 10), org("C", cs, 10), org("L", lg, 0)}
	returns := []Input{
		ret("A", cs, "2025-26-Q1", workforce.KeyDigitalSeniorRoles, 4, workforce.KeyDigitalSeniorRolesSuccessor, 3,
			workforce.KeyCSLGMembers, 10, workforce.KeyCSLGMembersAIImmersion, 4),
		ret("B", cs, "2025-26-Q1", workforce.KeyDigitalSeniorRoles, 2, workforce.KeyDigitalSeniorRolesSuccessor, 2,
			workforce.KeyCSLGMembers, 5, workforce.KeyCSLGMembersAIImmersion, 5),
		// A's later return replaces its stock; it does not add to it.
		ret("A", cs, "2025-26-Q2", workforce.KeyDigitalSeniorRoles, 4, workforce.KeyDigitalSeniorRolesSuccessor, 4,
			workforce.KeyCSLGMembers, 10, workforce.KeyCSLGMembersAIImmersion, 9),
		ret("L", lg, "2025-26-Q2", workforce.KeyExecDigitalLeader, "yes"),
	}
	set := defaultTargets(t)
	res := Compute(ComputeInput{Returns: returns, Register: register, Targets: set, Month: month("2025-10"), DueDays: 30})
	byID := map[string]TargetStatus{}
	for _, s := range res.Targets {
		byID[s.ID] = s
	}
	for _, tc := range []struct {
		id                string
		want              Progress
		value             *float64
		answered, expects int
	}{
		// Judged at 2025-26-Q1, the deadline quarter: 5 of 6 roles, C silent; councils not counted.
		{"succession-plans", Missed, f(5.0 / 6), 2, 3},
		// At 2025-26-Q2: A's 9 of 10 (its latest) and B's 5 of 5 carried, 14 of 15, not 18 of 25.
		{"cslg-ai-immersion", OnTrack, f(14.0 / 15), 2, 3},
	} {
		s := byID[tc.id]
		if s.Status != tc.want || !sameFloat(s.Value, tc.value) || s.OrganisationsAnswered != tc.answered || s.OrganisationsExpected != tc.expects {
			t.Errorf("%s: got %s %s, %d of %d answered; want %s %s, %d of %d. Note: %s", tc.id, s.Status, show(s.Value),
				s.OrganisationsAnswered, s.OrganisationsExpected, tc.want, show(tc.value), tc.answered, tc.expects, s.Note)
		}
	}
}

func TestNoDataWhenThereIsNothingToJudge(t *testing.T) {
	all := defaultTargets(t)
	for _, tc := range []struct {
		name   string
		set    targets.Set
		series []Quarter
		month  string
		note   string
	}{
		{"CSLG members all zero: the denominator is zero", only(t, all, "cslg-ai-immersion"),
			leaders("2025-26-Q1", map[workforce.OrgKind]Leadership{cs: {Expected: 3, Reporting: 3}}), "2025-07",
			"report no Civil Service Leadership Group members"},
		{"nobody answered for the CSLG target", only(t, all, "cslg-ai-immersion"),
			leaders("2025-26-Q1", map[workforce.OrgKind]Leadership{cs: {Expected: 3}}), "2025-07", "no organisation"},
		{"no return in any quarter of the entrants' window", only(t, all, "early-career-entrants"),
			entrants("2023-24-Q1", -1, -1), "2023-10", "no return for any quarter from 2023-24-Q1 to 2023-24-Q2"},
		{"no figures at the deadline quarter, though there are later ones", only(t, all, "ddat-share"),
			shares("2025-26-Q1", 70), "2025-07", "Nothing to judge at 2024-25-Q4, the deadline quarter"},
		{"no appointments since the from date", only(t, all, "senior-appointments-assessed"),
			leaders("2026-27-Q1", map[workforce.OrgKind]Leadership{cs: {Expected: 3, Returns: 3}}), "2026-07", "no director or director general was appointed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := judged(t, tc.set, tc.series, tc.month, 30)
			if s.Status != NoData || s.Value != nil || !strings.Contains(s.Note, tc.note) {
				t.Errorf("got %s %s, note %q; want no_data with %q", s.Status, show(s.Value), s.Note, tc.note)
			}
		})
	}
}

// A target judged with no value is never "missed" for want of figures, and a target with a
// value is never no_data.
func TestStatusesCarryTheTargetsFile(t *testing.T) {
	set := defaultTargets(t)
	for i, s := range Evaluate(set, shareSeries, month("2025-10"), qtr("2025-26-Q2"), 30) {
		tg := set.Targets[i]
		if s.Unit != tg.Unit || s.Commitment != tg.Commitment || s.Source != tg.Source || s.Quote != tg.Quote ||
			s.Assumed != tg.Assumed || s.URL != tg.URL || len(s.Kinds) != len(tg.Kinds) {
			t.Errorf("%s does not carry what the targets file says: %+v", tg.ID, s)
		}
	}
}

func TestStaleLeadershipAnswersAreFindings(t *testing.T) {
	register := []workforce.Organisation{org("OLD", lg, 0), org("FOUR", lg, 0), org("NOW", lg, 0)}
	returns := []Input{
		ret("OLD", lg, "2024-25-Q1", workforce.KeyExecDigitalLeader, "yes"),  // five quarters before 2025-26-Q2
		ret("FOUR", lg, "2024-25-Q2", workforce.KeyExecDigitalLeader, "yes"), // four: not yet stale
		ret("NOW", lg, "2025-26-Q2", workforce.KeyExecDigitalLeader, "yes"),
	}
	res := Compute(ComputeInput{Returns: returns, Register: register, Targets: only(t, defaultTargets(t), "exec-digital-leader"),
		Month: month("2025-10"), DueDays: 30})
	var stale []string
	for _, fd := range res.DataQuality.Findings {
		if fd.Code == "stale_leadership" {
			stale = append(stale, fd.Org)
			if !strings.Contains(fd.Message, "2024-25-Q1, 5 quarters before 2025-26-Q2") {
				t.Errorf("finding %q", fd.Message)
			}
		}
	}
	if len(stale) != 1 || stale[0] != "OLD" || res.DataQuality.StaleLeadership != 1 {
		t.Errorf("stale answers from %v (count %d), want OLD alone", stale, res.DataQuality.StaleLeadership)
	}
	// Stale answers still count: all three say yes.
	if s := res.Targets[0]; !sameFloat(s.Value, f(1)) {
		t.Errorf("exec share %s, want 1: a stale answer still counts", show(s.Value))
	}
}

// The FTE share is published beside the headline share on headcount, with the share of
// known profession and the unknown-profession rate.
func TestSharesBesideTheHeadline(t *testing.T) {
	register := []workforce.Organisation{org("A", cs, 10), org("B", cs, 10)}
	returns := []Input{
		csRet("A", "2025-26-Q1", 1000, 60, workforce.KeyFTE, "900.5", workforce.KeyDDaTFTE, "59.5", workforce.KeyProfessionUnknown, 100),
		csRet("B", "2025-26-Q1", 1000, 40, workforce.KeyFTE, "899.5", workforce.KeyDDaTFTE, "30.5", workforce.KeyProfessionUnknown, 0),
	}
	g := seriesOf(register, returns, "2025-26-Q1", "2025-26-Q1")[0]
	for _, c := range []struct {
		name      string
		got, want *float64
	}{
		{"headline share on headcount, 100 of 2,000", g.DDaTShare, f(0.05)},
		{"FTE share, 90 of 1,800", g.DDaTShareFTE, f(90.0 / 1800)},
		{"share of known profession, 100 of 1,900", g.DDaTShareKnown, f(100.0 / 1900)},
		{"unknown-profession rate, 100 of 2,000", g.ProfessionUnknownRate, f(0.05)},
	} {
		if !sameFloat(c.got, c.want) {
			t.Errorf("%s: %s, want %s", c.name, show(c.got), show(c.want))
		}
	}
	if b := string(noNaN(t, g)); !strings.Contains(b, `"ddat_share_fte":0.05`) || !strings.Contains(b, `"profession_unknown_rate":0.05`) {
		t.Errorf("JSON lacks the FTE share or unknown rate: %s", b)
	}
}
