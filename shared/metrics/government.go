package metrics

import (
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Quarter is the government-wide picture for one quarter.
//
// Workforce and entrant figures sum the returns for this quarter of civil_service
// organisations only: local-government bodies do not return them, and an older return is
// never carried into a quarter's sums. Expected and received returns count every kind,
// because local-government bodies owe a (leadership-only) return each quarter too.
type Quarter struct {
	Period period.Quarter `json:"period"`

	// ReturnsExpected counts organisations of every kind active on the reference date;
	// ReturnsReceived those of them with a return for the quarter.
	ReturnsExpected     int `json:"returns_expected"`
	ReturnsReceived     int `json:"returns_received"`
	CivilServiceReturns int `json:"civil_service_returns"` // the returns summed below

	Headcount         int64      `json:"headcount"`
	FTE               Hundredths `json:"fte"`
	ProfessionUnknown int64      `json:"profession_unknown_headcount"`
	DDaTHeadcount     int64      `json:"ddat_headcount"`
	DDaTFTE           Hundredths `json:"ddat_fte"`
	// DDaTShare is Σ ddat_headcount / Σ headcount, the headline share: Civil Service
	// Statistics publishes profession on headcount. Beside it: DDaTShareFTE is Σ ddat_fte /
	// Σ fte; DDaTShareKnown divides by the headcount whose profession is recorded; and
	// ProfessionUnknownRate is Σ profession_unknown_headcount / Σ headcount. Each is null
	// when its denominator is zero.
	DDaTShare             *float64 `json:"ddat_share"`
	DDaTShareFTE          *float64 `json:"ddat_share_fte"`
	DDaTShareKnown        *float64 `json:"ddat_share_known"`
	ProfessionUnknownRate *float64 `json:"profession_unknown_rate"`
	// Coverage is the reporters' headcount as a share of the headcount expected: theirs plus,
	// for each expected civil_service organisation without a return for the quarter, its
	// latest earlier reported headcount, else its register baseline. Null when nothing is
	// expected.
	Coverage *float64 `json:"coverage"`

	ByFamily map[string]int64 `json:"ddat_by_family"` // job-family field key → DDaT headcount
	ByGrade  map[string]int64 `json:"ddat_by_grade"`  // grade field key → DDaT headcount

	EntrantsTotal       int64            `json:"ddat_entrants_total"`
	EarlyCareerEntrants int64            `json:"early_career_entrants"`
	EntrantsByRoute     map[string]int64 `json:"entrants_by_route"` // early-career field key → entrants
	// The running sums over the window of the first target with the measure, up to this
	// quarter; absent outside the window.
	EarlyCareerEntrantsCumulative *int64 `json:"early_career_entrants_cumulative,omitempty"`

	// Leadership covers every kind; LeadershipByKind splits it so that a target can count
	// only the kinds it applies to.
	Leadership       Leadership                       `json:"leadership"`
	LeadershipByKind map[workforce.OrgKind]Leadership `json:"leadership_by_kind"`
}

// Leadership is the leadership section summed over a set of organisations for a quarter.
//
// Positions and stocks at the reference date (digital leader, digital NED, senior roles and
// their succession plans, CSLG members and those who have attended AI immersion) use each
// active organisation's latest return at or before the quarter, as the spec says.
// Appointments, made during a quarter, use only returns for the quarter itself: carrying
// them forward would count them twice.
//
// The two yes/no shares are over the organisations expected, not those that reported: an
// expected organisation that has never answered counts as not yes, so "every
// organisation" cannot read as met while one is silent. They are null when nobody of the
// kind has answered. The other shares are of people, over the organisations that answered.
type Leadership struct {
	Expected                             int      `json:"organisations_expected"`  // active at the reference date
	Reporting                            int      `json:"organisations_reporting"` // with a return at or before the quarter
	ExecDigitalLeader                    int      `json:"exec_committee_digital_leader"`
	ExecDigitalLeaderShare               *float64 `json:"exec_committee_digital_leader_share"`
	BoardDigitalNED                      int      `json:"board_digital_ned"`
	BoardDigitalNEDShare                 *float64 `json:"board_digital_ned_share"`
	DigitalSeniorRoles                   int64    `json:"digital_senior_roles"`
	DigitalSeniorRolesWithSuccessionPlan int64    `json:"digital_senior_roles_with_succession_plan"`
	SuccessionPlanShare                  *float64 `json:"succession_plan_share"`
	CSLGMembers                          int64    `json:"cslg_members"`
	CSLGMembersAIImmersion               int64    `json:"cslg_members_ai_immersion"`
	CSLGAIImmersionShare                 *float64 `json:"cslg_ai_immersion_share"`

	Returns                         int      `json:"returns"` // returns for the quarter itself
	SeniorAppointments              int64    `json:"senior_appointments"`
	SeniorAppointmentsAssessed      int64    `json:"senior_appointments_assessed"`
	SeniorAppointmentsAssessedShare *float64 `json:"senior_appointments_assessed_share"`
}

// plus adds the counts of b to a and recomputes the shares.
func (a Leadership) plus(b Leadership) Leadership {
	a.Expected += b.Expected
	a.Reporting += b.Reporting
	a.ExecDigitalLeader += b.ExecDigitalLeader
	a.BoardDigitalNED += b.BoardDigitalNED
	a.DigitalSeniorRoles += b.DigitalSeniorRoles
	a.DigitalSeniorRolesWithSuccessionPlan += b.DigitalSeniorRolesWithSuccessionPlan
	a.Returns += b.Returns
	a.SeniorAppointments += b.SeniorAppointments
	a.SeniorAppointmentsAssessed += b.SeniorAppointmentsAssessed
	a.CSLGMembers += b.CSLGMembers
	a.CSLGMembersAIImmersion += b.CSLGMembersAIImmersion
	return a.withShares()
}

func (a Leadership) withShares() Leadership {
	a.ExecDigitalLeaderShare, a.BoardDigitalNEDShare = nil, nil
	if a.Reporting > 0 {
		a.ExecDigitalLeaderShare = ratio(int64(a.ExecDigitalLeader), int64(max(a.Expected, a.Reporting)))
		a.BoardDigitalNEDShare = ratio(int64(a.BoardDigitalNED), int64(max(a.Expected, a.Reporting)))
	}
	a.SuccessionPlanShare = ratio(a.DigitalSeniorRolesWithSuccessionPlan, a.DigitalSeniorRoles)
	a.SeniorAppointmentsAssessedShare = ratio(a.SeniorAppointmentsAssessed, a.SeniorAppointments)
	a.CSLGAIImmersionShare = ratio(a.CSLGMembersAIImmersion, a.CSLGMembers)
	return a
}

// LeadershipFor sums the leadership of the organisations of the given kinds.
func (q Quarter) LeadershipFor(kinds []workforce.OrgKind) Leadership {
	var l Leadership
	for _, k := range kinds {
		l = l.plus(q.LeadershipByKind[k])
	}
	return l.withShares()
}

// quarter computes the government-wide figures for q, without the cumulative sums.
func (ix *index) quarter(q period.Quarter) Quarter {
	g := Quarter{
		Period:           q,
		ByFamily:         zeroed(workforce.FamilyKeys),
		ByGrade:          zeroed(workforce.GradeKeys),
		EntrantsByRoute:  zeroed(workforce.EarlyCareerKeys),
		LeadershipByKind: map[workforce.OrgKind]Leadership{},
	}
	ref := q.ReferenceDate()
	var expectedHeadcount int64 // the coverage denominator
	for _, o := range ix.orgs {
		if !o.ActiveOn(ref) {
			continue
		}
		g.ReturnsExpected++
		cur := ix.exact(o.Code, q)
		if cur != nil {
			g.ReturnsReceived++
		}

		if o.Kind == workforce.CivilService {
			if cur != nil && cur.f.workforce {
				g.addWorkforce(cur.f)
				expectedHeadcount += cur.f.headcount
			} else if hc, ok := ix.latestHeadcountBefore(o.Code, q); ok {
				expectedHeadcount += hc
			} else {
				expectedHeadcount += o.BaselineHeadcount
			}
		}

		l := g.LeadershipByKind[o.Kind]
		l.Expected++
		if latest := ix.latest(o.Code, q); latest != nil {
			l.Reporting++
			l.ExecDigitalLeader += b2i(latest.f.exec)
			l.BoardDigitalNED += b2i(latest.f.board)
			l.DigitalSeniorRoles += latest.f.roles
			l.DigitalSeniorRolesWithSuccessionPlan += latest.f.withPlan
			l.CSLGMembers += latest.f.cslg
			l.CSLGMembersAIImmersion += latest.f.cslgImmersion
		}
		if cur != nil {
			l.Returns++
			l.SeniorAppointments += cur.f.appointments
			l.SeniorAppointmentsAssessed += cur.f.assessed
		}
		g.LeadershipByKind[o.Kind] = l
	}
	for k, l := range g.LeadershipByKind {
		g.LeadershipByKind[k] = l.withShares()
		g.Leadership = g.Leadership.plus(l)
	}
	g.Leadership = g.Leadership.withShares()
	g.DDaTShare = ratio(g.DDaTHeadcount, g.Headcount)
	g.DDaTShareFTE = ratio(int64(g.DDaTFTE), int64(g.FTE))
	g.DDaTShareKnown = ratio(g.DDaTHeadcount, g.Headcount-g.ProfessionUnknown)
	g.ProfessionUnknownRate = ratio(g.ProfessionUnknown, g.Headcount)
	g.Coverage = ratio(g.Headcount, expectedHeadcount)
	return g
}

func (g *Quarter) addWorkforce(f figures) {
	g.CivilServiceReturns++
	g.Headcount += f.headcount
	g.FTE += f.fte
	g.ProfessionUnknown += f.unknown
	g.DDaTHeadcount += f.ddat
	g.DDaTFTE += f.ddatFTE
	for i, k := range workforce.FamilyKeys {
		g.ByFamily[k] += f.family[i]
	}
	for i, k := range workforce.GradeKeys {
		g.ByGrade[k] += f.grade[i]
	}
	g.EntrantsTotal += f.entrantsTotal
	g.EarlyCareerEntrants += f.earlyCareer
	for i, k := range workforce.EarlyCareerKeys {
		g.EntrantsByRoute[k] += f.routes[i]
	}
}

// addCumulative fills the running sums over the windows of the first target of each
// cumulative measure. quarterOf gives the figures of any quarter, in the series or not,
// so that a series of one quarter still carries the sum over its whole window.
func addCumulative(series []Quarter, set targets.Set, quarterOf func(period.Quarter) Quarter) {
	for _, m := range []targets.Measure{targets.EarlyCareerEntrants} {
		t, ok := firstWith(set, m)
		if !ok {
			continue
		}
		start, _ := t.Start()
		end, hasEnd := t.End()
		for i := range series {
			q := series[i].Period
			if q.Before(start) || (hasEnd && q.After(end)) {
				continue
			}
			var sum int64
			for _, p := range period.Range(start, q) {
				sum += flow(quarterOf(p), t)
			}
			series[i].EarlyCareerEntrantsCumulative = &sum
		}
	}
}

func firstWith(set targets.Set, m targets.Measure) (targets.Target, bool) {
	for _, t := range set.Targets {
		if t.Measure == m {
			return t, true
		}
	}
	return targets.Target{}, false
}

func zeroed(keys []string) map[string]int64 {
	m := make(map[string]int64, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	return m
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
