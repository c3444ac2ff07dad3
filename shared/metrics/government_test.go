package metrics

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Two departments and a council: the council's leadership counts, its (stray) workforce
// figures do not.
func TestQuarterSums(t *testing.T) {
	register := []workforce.Organisation{org("A", cs, 1000), org("B", cs, 500), org("L", lg, 0)}
	returns := []Input{
		csRet("A", "2025-26-Q1", 1000, 60,
			workforce.KeyFTE, "950.50", workforce.KeyProfessionUnknown, 100, workforce.KeyDDaTFTE, "58.25",
			"ddat_family_architecture", 10, "ddat_family_data", 50, "ddat_grade_g7_g6", 45, "ddat_grade_scs", 15,
			workforce.KeyEntrantsTotal, 12, "entrants_apprenticeship", 3, "entrants_fast_stream", 2),
		csRet("B", "2025-26-Q1", 400, 40,
			workforce.KeyFTE, "390.25", workforce.KeyDDaTFTE, "40.00",
			"ddat_family_data", 40, "ddat_grade_heo_seo", 40,
			workforce.KeyEntrantsTotal, 5, "entrants_apprenticeship", 1, "entrants_internship", 4),
		ret("L", lg, "2025-26-Q1", workforce.KeyHeadcount, 999, workforce.KeyDDaTHeadcount, 999, "entrants_apprenticeship", 50),
	}
	g := seriesOf(register, returns, "2025-26-Q1", "2025-26-Q1")[0]

	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"returns_expected", g.ReturnsExpected, 3},
		{"returns_received", g.ReturnsReceived, 3},
		{"civil_service_returns", g.CivilServiceReturns, 2},
		{"headcount", g.Headcount, int64(1400)},
		{"fte", g.FTE, Hundredths(134075)},
		{"profession_unknown_headcount", g.ProfessionUnknown, int64(100)},
		{"ddat_headcount", g.DDaTHeadcount, int64(100)},
		{"ddat_fte", g.DDaTFTE, Hundredths(9825)},
		{"ddat_entrants_total", g.EntrantsTotal, int64(17)},
		{"early_career_entrants", g.EarlyCareerEntrants, int64(10)},
		{"family data", g.ByFamily["ddat_family_data"], int64(90)},
		{"family architecture", g.ByFamily["ddat_family_architecture"], int64(10)},
		{"family keys", len(g.ByFamily), len(workforce.FamilyKeys)},
		{"grade heo_seo", g.ByGrade["ddat_grade_heo_seo"], int64(40)},
		{"grade keys", len(g.ByGrade), len(workforce.GradeKeys)},
		{"route apprenticeship", g.EntrantsByRoute["entrants_apprenticeship"], int64(4)},
		{"route internship", g.EntrantsByRoute["entrants_internship"], int64(4)},
		{"route graduate (none)", g.EntrantsByRoute["entrants_graduate_programme"], int64(0)},
		{"leadership reporting, all kinds", g.Leadership.Reporting, 3},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, c := range []struct {
		name      string
		got, want *float64
	}{
		{"ddat_share = 100/1400", g.DDaTShare, f(100.0 / 1400)},
		{"ddat_share_known = 100/1300", g.DDaTShareKnown, f(100.0 / 1300)},
		{"coverage = 1400/1400", g.Coverage, f(1)},
	} {
		if !sameFloat(c.got, c.want) {
			t.Errorf("%s: got %s, want %s", c.name, show(c.got), show(c.want))
		}
	}
	b := noNaN(t, g)
	for _, want := range []string{`"fte":1340.75`, `"ddat_fte":98.25`, `"period":"2025-26-Q1"`, `"ddat_share":0.07142857142857142`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}

func TestCoverage(t *testing.T) {
	const ref = "2025-26-Q2"
	reporter := csRet("A", ref, 1000, 50)
	for _, tc := range []struct {
		name     string
		register []workforce.Organisation
		returns  []Input
		want     *float64
	}{
		{"everyone reported", []workforce.Organisation{org("A", cs, 9999)}, []Input{reporter}, f(1)},
		{"silent organisation counts at its baseline",
			[]workforce.Organisation{org("A", cs, 9999), org("B", cs, 700)},
			[]Input{reporter}, f(1000.0 / 1700)},
		{"silent organisation counts at its latest earlier headcount, not its baseline or a later one",
			[]workforce.Organisation{org("A", cs, 9999), org("B", cs, 700)},
			[]Input{reporter, csRet("B", "2024-25-Q4", 300, 1), csRet("B", "2025-26-Q1", 350, 1), csRet("B", "2025-26-Q3", 999, 1)},
			f(1000.0 / 1350)},
		{"an earlier local-government return has no headcount to use, so the baseline is",
			[]workforce.Organisation{org("A", cs, 9999), org("B", cs, 700)},
			[]Input{reporter, ret("B", lg, "2025-26-Q1")}, f(1000.0 / 1700)},
		{"local-government bodies are not expected to report headcount",
			[]workforce.Organisation{org("A", cs, 9999), org("L", lg, 5000)},
			[]Input{reporter}, f(1)},
		{"an organisation closed before the reference date is not expected",
			[]workforce.Organisation{org("A", cs, 9999), func() workforce.Organisation {
				o := org("C", cs, 700)
				o.ActiveTo = "2025-09-29"
				return o
			}()}, []Input{reporter}, f(1)},
		{"an organisation opened after the reference date is not expected",
			[]workforce.Organisation{org("A", cs, 9999), func() workforce.Organisation {
				o := org("N", cs, 700)
				o.ActiveFrom = "2025-10-01"
				return o
			}()}, []Input{reporter}, f(1)},
		{"nobody reported", []workforce.Organisation{org("A", cs, 1000)}, nil, f(0)},
		{"nothing expected", nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := seriesOf(tc.register, tc.returns, ref, ref)[0]
			if !sameFloat(g.Coverage, tc.want) {
				t.Errorf("coverage = %s, want %s", show(g.Coverage), show(tc.want))
			}
		})
	}
}

func TestUnknownProfessionEverywhere(t *testing.T) {
	register := []workforce.Organisation{org("A", cs, 100)}
	returns := []Input{csRet("A", "2025-26-Q1", 100, 0, workforce.KeyProfessionUnknown, 100)}
	g := seriesOf(register, returns, "2025-26-Q1", "2025-26-Q1")[0]
	if g.DDaTShareKnown != nil {
		t.Errorf("ddat_share_known = %v, want not available", *g.DDaTShareKnown)
	}
	if !sameFloat(g.DDaTShare, f(0)) {
		t.Errorf("ddat_share = %s, want 0", show(g.DDaTShare))
	}
	if b := noNaN(t, g); !strings.Contains(string(b), `"ddat_share_known":null`) {
		t.Errorf("JSON does not show ddat_share_known as null: %s", b)
	}
	rows, _ := newIndex(register, returns).organisations(qtr("2025-26-Q1"), 30)
	if rows[0].DDaTShareKnown != nil {
		t.Errorf("row ddat_share_known = %v, want not available", *rows[0].DDaTShareKnown)
	}
	noNaN(t, rows)
}

func TestQuarterWithoutReturns(t *testing.T) {
	register := []workforce.Organisation{org("A", cs, 1000), org("L", lg, 0)}
	g := seriesOf(register, nil, "2025-26-Q1", "2025-26-Q1")[0]
	if g.ReturnsExpected != 2 || g.ReturnsReceived != 0 || g.Headcount != 0 || g.CivilServiceReturns != 0 {
		t.Errorf("counts = %+v", g)
	}
	if g.DDaTShare != nil || g.DDaTShareKnown != nil || g.Leadership.ExecDigitalLeaderShare != nil {
		t.Errorf("shares with no data must be unavailable: %s %s %s", show(g.DDaTShare), show(g.DDaTShareKnown), show(g.Leadership.ExecDigitalLeaderShare))
	}
	if !sameFloat(g.Coverage, f(0)) {
		t.Errorf("coverage = %s, want 0 (nobody of 1,000 expected)", show(g.Coverage))
	}
	noNaN(t, g)
}

// Positions use each organisation's latest return at or before the quarter; things done in
// the quarter use only that quarter's returns.
func TestLeadership(t *testing.T) {
	closed := org("X", cs, 10)
	closed.ActiveTo = "2025-07-01"
	register := []workforce.Organisation{org("A", cs, 10), org("B", cs, 10), org("L", lg, 0), org("M", lg, 0), closed}
	returns := []Input{
		ret("A", cs, "2025-26-Q1", workforce.KeyExecDigitalLeader, "yes", workforce.KeyDigitalSeniorRoles, 4,
			workforce.KeyDigitalSeniorRolesSuccessor, 3, workforce.KeySeniorAppointments, 2, workforce.KeySeniorAppointmentsAssessed, 1,
			workforce.KeyCSLGMembers, 5, workforce.KeyCSLGMembersAIImmersion, 2),
		ret("B", cs, "2025-26-Q2", workforce.KeyExecDigitalLeader, "yes", workforce.KeyBoardDigitalNED, "yes",
			workforce.KeyDigitalSeniorRoles, 2, workforce.KeyDigitalSeniorRolesSuccessor, 2,
			workforce.KeySeniorAppointments, 1, workforce.KeySeniorAppointmentsAssessed, 1, workforce.KeyCSLGMembers, 7, workforce.KeyCSLGMembersAIImmersion, 7),
		ret("L", lg, "2025-26-Q2", workforce.KeyBoardDigitalNED, "yes"),
		ret("M", lg, "2025-26-Q3", workforce.KeyExecDigitalLeader, "yes"), // after the quarter: not used
		ret("X", cs, "2025-26-Q1", workforce.KeyExecDigitalLeader, "yes"), // closed by Q2's reference date
	}
	g := seriesOf(register, returns, "2025-26-Q2", "2025-26-Q2")[0]

	l := g.Leadership
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"organisations reporting (A carried, B, L)", l.Reporting, 3},
		{"exec leader yes (A, B)", l.ExecDigitalLeader, 2},
		{"board NED yes (B, L)", l.BoardDigitalNED, 2},
		{"digital senior roles (A carried, B)", l.DigitalSeniorRoles, int64(6)},
		{"with succession plan", l.DigitalSeniorRolesWithSuccessionPlan, int64(5)},
		{"returns for the quarter (B, L)", l.Returns, 2},
		{"appointments (B only: A's are last quarter's)", l.SeniorAppointments, int64(1)},
		{"assessed", l.SeniorAppointmentsAssessed, int64(1)},
		{"CSLG members, a stock (A carried, B)", l.CSLGMembers, int64(12)},
		{"CSLG members who attended AI immersion (A carried, B)", l.CSLGMembersAIImmersion, int64(9)},
		{"CSLG AI immersion share", *l.CSLGAIImmersionShare, 9.0 / 12},
		{"civil service reporting", g.LeadershipByKind[cs].Reporting, 2},
		{"local government reporting", g.LeadershipByKind[lg].Reporting, 1},
		{"local government CSLG members: none, councils do not return them", g.LeadershipByKind[lg].CSLGMembers, int64(0)},
		{"expected excludes the closed organisation", g.ReturnsExpected, 4},
		{"civil service organisations expected (A, B; X closed)", g.LeadershipByKind[cs].Expected, 2},
		{"local government organisations expected (L, M)", g.LeadershipByKind[lg].Expected, 2},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, c := range []struct {
		name      string
		got, want *float64
	}{
		{"exec share 2 of 4 expected: M has not answered, so counts as not yes", l.ExecDigitalLeaderShare, f(2.0 / 4)},
		{"board share 2 of 4 expected", l.BoardDigitalNEDShare, f(2.0 / 4)},
		{"succession 5/6 (A carried, B)", l.SuccessionPlanShare, f(5.0 / 6)},
		{"assessed 1/1", l.SeniorAppointmentsAssessedShare, f(1)},
		{"civil service exec share 2/2", g.LeadershipByKind[cs].ExecDigitalLeaderShare, f(1)},
		{"local government exec share 0 of 2 expected", g.LeadershipByKind[lg].ExecDigitalLeaderShare, f(0)},
		{"LeadershipFor both kinds is the total", g.LeadershipFor([]workforce.OrgKind{cs, lg}).ExecDigitalLeaderShare, f(2.0 / 4)},
		{"LeadershipFor civil service", g.LeadershipFor([]workforce.OrgKind{cs}).BoardDigitalNEDShare, f(0.5)},
	} {
		if !sameFloat(c.got, c.want) {
			t.Errorf("%s: got %s, want %s", c.name, show(c.got), show(c.want))
		}
	}
}

func TestHundredths(t *testing.T) {
	for _, tc := range []struct {
		h    Hundredths
		json string
	}{
		{0, "0.00"}, {5, "0.05"}, {134075, "1340.75"}, {100, "1.00"}, {-250, "-2.50"},
	} {
		b, err := json.Marshal(tc.h)
		if err != nil || string(b) != tc.json {
			t.Errorf("Marshal(%d) = %s, %v; want %s", tc.h, b, err, tc.json)
		}
		var back Hundredths
		if err := json.Unmarshal(b, &back); err != nil || back != tc.h {
			t.Errorf("Unmarshal(%s) = %d, %v", b, back, err)
		}
	}
	for in, want := range map[string]Hundredths{"12": 1200, "12.5": 1250, "0.07": 7} {
		var h Hundredths
		if err := json.Unmarshal([]byte(in), &h); err != nil || h != want {
			t.Errorf("Unmarshal(%s) = %d, %v; want %d", in, h, err, want)
		}
	}
	for _, bad := range []string{"1.234", `"1.00"`, "1e3"} {
		var h Hundredths
		if err := json.Unmarshal([]byte(bad), &h); err == nil {
			t.Errorf("Unmarshal(%s) accepted as %d", bad, h)
		}
	}
	if got := Hundredths(134075).Float64(); got != 1340.75 {
		t.Errorf("Float64 = %v", got)
	}
}
