package metrics

import (
	"fmt"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Progress is a target's status, always a word so that no reader depends on a colour.
type Progress string

const (
	Met        Progress = "met"
	OnTrack    Progress = "on_track"  // not met, but the projection reaches the threshold in time
	OffTrack   Progress = "off_track" // not met, and the projection does not (or cannot be made)
	Missed     Progress = "missed"    // judged at the deadline quarter or window end, and not met
	NotStarted Progress = "not_started"
	NoData     Progress = "no_data" // nothing to judge: nobody has answered, or the denominator is zero
)

// Where a target's value is taken.
const (
	AtReferenceQuarter = "reference_quarter" // the month's reference quarter, with a projection
	AtDeadlineQuarter  = "deadline_quarter"  // the deadline quarter, once its returns are due
	AtWindowEnd        = "window_end"        // the window's last quarter, once its returns are due
)

// projectionQuarters is how many recent quarters a projection looks at.
const projectionQuarters = 4

// TargetStatus is where one target stands in a rollup month. What it says about the
// commitment (title, unit, kinds, source, quotation, assumptions) is copied from the
// targets file, so that everything a leader reads about a target comes from there.
type TargetStatus struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Measure    targets.Measure     `json:"measure"`
	Unit       targets.Unit        `json:"unit"`
	Comparison targets.Comparison  `json:"comparison"`
	Kinds      []workforce.OrgKind `json:"kinds"`
	Commitment string              `json:"commitment"`
	Source     string              `json:"source"`
	URL        string              `json:"url,omitempty"`
	Quote      string              `json:"quote,omitempty"`
	Assumed    string              `json:"assumed,omitempty"`

	// Value is the measure at Period, which JudgedAt names: the deadline quarter or the
	// window's last quarter once its returns are due, otherwise the reference quarter.
	// Shares are 0..1, counts whole numbers. Null when there is nothing to judge.
	Value    *float64       `json:"value"`
	Period   period.Quarter `json:"period"`
	JudgedAt string         `json:"judged_at"`
	// LatestValue is the measure at the reference quarter when that is later than Period
	// (a deadline target judged at its deadline quarter), so a leader sees both "missed at
	// the deadline" and where the figure is now. Null otherwise.
	LatestValue  *float64        `json:"latest_value"`
	LatestPeriod *period.Quarter `json:"latest_period,omitempty"`
	// The organisations of the target's kinds that answered for the measure at Period, and
	// those expected (active at its reference date).
	OrganisationsAnswered int `json:"organisations_answered"`
	OrganisationsExpected int `json:"organisations_expected"`

	Threshold float64  `json:"threshold"`
	Status    Progress `json:"status"`
	// Projection is the value the recent trend reaches by the last quarter that counts
	// (EndQuarter); null when none was made.
	Projection  *float64 `json:"projection"`
	EndQuarter  string   `json:"end_quarter,omitempty"`
	Deadline    string   `json:"deadline,omitempty"` // YYYY-MM-DD
	WindowStart string   `json:"window_start,omitempty"`
	WindowEnd   string   `json:"window_end,omitempty"`
	From        string   `json:"from,omitempty"` // YYYY-MM-DD
	Note        string   `json:"note,omitempty"` // why, in a sentence
}

// Evaluate gives the status of every target in rollup month M, from the government series
// (which should hold every quarter with data up to ref) and the reference quarter ref.
//
//   - not_started: M ends before the target's from date, or ref is before the first
//     quarter the target measures (so no figure exists yet to judge).
//   - Once the last quarter that counts (the deadline quarter: the latest quarter whose
//     reference date is on or before the deadline; or the window's last quarter) has had
//     its returns fall due by the end of M, the target is judged there for good: met or
//     missed by the value at that quarter, with the reference quarter's value beside it as
//     latest_value. This holds whatever dueDays is: a deadline that has passed while its
//     quarter's returns are still out is not yet judged.
//   - Before that, the value is the reference quarter's (for windows, the sum through it):
//     met if it satisfies the comparison; else on_track if the projection reaches the
//     threshold by the last quarter that counts (shares: least-squares line through the
//     last four quarters; counts: the mean of the last four quarters' increments for each
//     quarter left); else off_track, as are open-ended (from) targets not met.
//   - no_data wherever there is no value to judge.
func Evaluate(set targets.Set, series []Quarter, month period.Month, ref period.Quarter, dueDays int) []TargetStatus {
	qs := make(map[period.Quarter]*Quarter, len(series))
	for i := range series {
		qs[series[i].Period] = &series[i]
	}
	out := make([]TargetStatus, 0, len(set.Targets))
	for _, t := range set.Targets {
		out = append(out, evaluate(t, qs, month, ref, dueDays))
	}
	return out
}

func evaluate(t targets.Target, qs map[period.Quarter]*Quarter, month period.Month, ref period.Quarter, dueDays int) TargetStatus {
	s := TargetStatus{ID: t.ID, Title: t.Title, Measure: t.Measure, Unit: t.Unit, Comparison: t.Comparison,
		Kinds: t.Kinds, Commitment: t.Commitment, Source: t.Source, URL: t.URL, Quote: t.Quote, Assumed: t.Assumed,
		Threshold: t.Threshold, Period: ref, JudgedAt: AtReferenceQuarter}
	if s.Unit == "" {
		s.Unit = t.Measure.Unit()
	}
	start, hasStart := t.Start()
	end, hasEnd := t.End()
	switch {
	case !t.Deadline.IsZero():
		s.Deadline = t.Deadline.Format(time.DateOnly)
	case t.Window != nil:
		s.WindowStart, s.WindowEnd = t.Window.From.String(), t.Window.To.String()
	case !t.From.IsZero():
		s.From = t.From.Format(time.DateOnly)
	}
	if hasEnd {
		s.EndQuarter = end.String()
	}

	if !t.From.IsZero() && month.LastDay().Before(t.From) {
		s.Status, s.Note = NotStarted, fmt.Sprintf("Measured from %s.", period.LongDate(t.From))
		return s
	}
	if hasStart && ref.Before(start) {
		s.Status, s.Note = NotStarted, fmt.Sprintf("The first quarter measured is %s; the reference quarter is %s.", start, ref)
		return s
	}

	if hasEnd && !end.Due(dueDays).After(month.LastDay()) && !ref.Before(end) {
		return judgeAtEnd(t, s, qs, ref, end, dueDays)
	}

	m := measureAt(t, qs, ref)
	s.Value, s.OrganisationsAnswered, s.OrganisationsExpected = m.value, m.answered, m.expected
	switch {
	case s.Value == nil:
		s.Status, s.Note = NoData, fmt.Sprintf("Nothing to judge at %s: %s.", ref, m.why)
		return s
	case t.Comparison.Met(*s.Value, t.Threshold):
		s.Status, s.Note = Met, fmt.Sprintf("Met at %s.", ref)
		return s
	}

	s.Status = OffTrack
	notMet := fmt.Sprintf("Not met at %s", ref)
	switch {
	case !hasEnd:
		s.Note = notMet + ". The commitment has no end date, so no projection is made."
		return s
	case !ref.Before(end):
		s.Note = fmt.Sprintf("%s, and no quarter is left before %s to project to; it is judged once %s's returns are due, on %s.", notMet, end, end, period.LongDate(end.Due(dueDays)))
		return s
	}
	proj, n, ok := project(t, qs, ref, end, s.Value)
	if !ok {
		s.Note = notMet + ", and too few recent quarters have figures to project."
		return s
	}
	s.Projection = &proj
	if reaches(t, s.Value, proj) {
		s.Status = OnTrack
	}
	basis := "on the trend of"
	if t.Measure.Cumulative() {
		basis = "at the mean rate of"
	}
	s.Note = fmt.Sprintf("Projected %s by %s, %s the last %d %s.", format(t.Measure, proj), end, basis, n, plural(n, "quarter", "quarters"))
	return s
}

// judgeAtEnd settles a target at the last quarter that counts, whose returns are due.
func judgeAtEnd(t targets.Target, s TargetStatus, qs map[period.Quarter]*Quarter, ref, end period.Quarter, dueDays int) TargetStatus {
	m := measureAt(t, qs, end)
	s.Period, s.Value, s.OrganisationsAnswered, s.OrganisationsExpected = end, m.value, m.answered, m.expected
	what := fmt.Sprintf("the deadline quarter for %s", period.LongDate(t.Deadline))
	s.JudgedAt = AtDeadlineQuarter
	if t.Window != nil {
		what, s.JudgedAt = "the window's last quarter", AtWindowEnd
	} else if ref.After(end) {
		latest := ref
		s.LatestValue, s.LatestPeriod = measureAt(t, qs, ref).value, &latest
	}
	due := period.LongDate(end.Due(dueDays))
	switch {
	case s.Value == nil:
		s.Status, s.Note = NoData, fmt.Sprintf("Nothing to judge at %s, %s (returns due %s): %s.", end, what, due, m.why)
	case t.Comparison.Met(*s.Value, t.Threshold):
		s.Status, s.Note = Met, fmt.Sprintf("Met at %s, %s (returns due %s).", end, what, due)
	default:
		s.Status, s.Note = Missed, fmt.Sprintf("Not met at %s, %s (returns due %s): %s against %s.", end, what, due, format(t.Measure, *s.Value), format(t.Measure, t.Threshold))
	}
	if s.LatestValue != nil {
		s.Note += fmt.Sprintf(" At %s it is %s.", ref, format(t.Measure, *s.LatestValue))
	}
	return s
}

// measured is a target's measure at one quarter, with the organisations behind it.
type measured struct {
	value              *float64
	answered, expected int
	why                string // when value is nil, why there is nothing to judge
}

// measureAt is the target's measure at quarter q. Every-organisation shares are over the
// organisations expected; shares of people are Σ numerator / Σ denominator over the
// organisations that answered.
func measureAt(t targets.Target, qs map[period.Quarter]*Quarter, q period.Quarter) measured {
	var m measured
	g := qs[q]
	var l Leadership
	if g != nil {
		l = g.LeadershipFor(t.Kinds)
	}
	m.expected = l.Expected
	nobody := fmt.Sprintf("no organisation of the kinds it counts (%s) has answered", kindsText(t.Kinds))

	if t.Measure.Cumulative() {
		// Start is always set: a cumulative target needs a window or a from date.
		start, _ := t.Start()
		last := q
		if end, ok := t.End(); ok && last.After(end) {
			last = end
		}
		var sum int64
		reported := false
		for _, p := range period.Range(start, last) {
			if g := qs[p]; g != nil {
				n, has := flowOf(*g, t)
				sum += n
				reported = reported || has
			}
		}
		m.answered = l.Returns
		if !reported {
			m.why = fmt.Sprintf("no return for any quarter from %s to %s", start, last)
			return m
		}
		v := float64(sum)
		m.value = &v
		return m
	}
	switch t.Measure {
	case targets.SeniorAppointmentsAssessed:
		// Appointments happen during quarters, so the share is over every quarter measured
		// up to q; with no start it is q's own.
		from := q
		if start, ok := t.Start(); ok {
			from = start
		}
		var assessed, appointed int64
		for _, p := range period.Range(from, q) {
			if g := qs[p]; g != nil {
				l := g.LeadershipFor(t.Kinds)
				assessed += l.SeniorAppointmentsAssessed
				appointed += l.SeniorAppointments
			}
		}
		m.answered, m.value = l.Returns, ratio(assessed, appointed)
		m.why = fmt.Sprintf("no director or director general was appointed from %s to %s", from, q)
	case targets.DDaTShare:
		m.answered = l.Returns
		if g != nil {
			m.value = g.DDaTShare
		}
		m.why = fmt.Sprintf("no Civil Service return for %s", q)
	case targets.ExecDigitalLeaderShare:
		m.answered, m.value, m.why = l.Reporting, l.ExecDigitalLeaderShare, nobody
	case targets.BoardDigitalNEDShare:
		m.answered, m.value, m.why = l.Reporting, l.BoardDigitalNEDShare, nobody
	case targets.SuccessionPlanShare:
		m.answered, m.value = l.Reporting, l.SuccessionPlanShare
		m.why = "the organisations that answered report no digital and data director or DG roles"
	case targets.CSLGAIImmersionShare:
		m.answered, m.value = l.Reporting, l.CSLGAIImmersionShare
		m.why = "the organisations that answered report no Civil Service Leadership Group members"
	}
	if m.value == nil && m.answered == 0 {
		m.why = nobody
	}
	return m
}

func kindsText(kinds []workforce.OrgKind) string {
	var ws []string
	for _, k := range kinds {
		ws = append(ws, strings.ReplaceAll(string(k), "_", " "))
	}
	return strings.Join(ws, " and ")
}

// valueAt is the target's measure at quarter q, or nil when there is nothing to judge.
func valueAt(t targets.Target, qs map[period.Quarter]*Quarter, q period.Quarter) *float64 {
	return measureAt(t, qs, q).value
}

// flow is a cumulative measure's increment in one quarter, and whether the quarter has
// returns that could carry it (a quarter nobody reported for is no evidence of a rate).
func flow(g Quarter, t targets.Target) int64 {
	n, _ := flowOf(g, t)
	return n
}

func flowOf(g Quarter, t targets.Target) (int64, bool) {
	switch t.Measure {
	case targets.EarlyCareerEntrants:
		return g.EarlyCareerEntrants, g.CivilServiceReturns > 0
	}
	return 0, false
}

// project is where the measure is heading by end, from the last four quarters up to ref
// (not before the target's start). n is how many quarters it rests on.
func project(t targets.Target, qs map[period.Quarter]*Quarter, ref, end period.Quarter, value *float64) (proj float64, n int, ok bool) {
	from := ref.Add(1 - projectionQuarters)
	if start, has := t.Start(); has && from.Before(start) {
		from = start
	}
	if t.Measure.Cumulative() {
		var sum int64
		for _, p := range period.Range(from, ref) {
			if g := qs[p]; g != nil {
				if inc, has := flowOf(*g, t); has {
					sum += inc
					n++
				}
			}
		}
		if n == 0 || value == nil {
			return 0, 0, false
		}
		return *value + float64(sum)/float64(n)*float64(end.Sub(ref)), n, true
	}
	var xs, ys []float64
	for _, p := range period.Range(from, ref) {
		if v := valueAt(t, qs, p); v != nil {
			xs = append(xs, float64(p.Sub(ref)))
			ys = append(ys, *v)
		}
	}
	if len(xs) < 2 {
		return 0, len(xs), false
	}
	intercept, slope := leastSquares(xs, ys)
	proj = intercept + slope*float64(end.Sub(ref))
	return min(max(proj, 0), 1), len(xs), true
}

// leastSquares fits y = a + b·x. The xs are distinct quarters, so the spread is never zero.
func leastSquares(xs, ys []float64) (a, b float64) {
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(ys))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	b = sxy / sxx
	return my - b*mx, b
}

// reaches reports whether a projection gets to the threshold. For "equals" targets that
// means arriving at it from whichever side the value is on now.
func reaches(t targets.Target, value *float64, proj float64) bool {
	if t.Comparison == targets.Equals && value != nil && *value > t.Threshold {
		return proj <= t.Threshold+1e-9
	}
	return targets.AtLeast.Met(proj, t.Threshold)
}

// format writes a value for a note: shares as percentages, counts as whole numbers.
func format(m targets.Measure, v float64) string {
	if m.Cumulative() {
		return numfmt.Int(int64(v + 0.5))
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
