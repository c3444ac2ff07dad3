package metrics

import (
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
)

// Progress is a target's status, always a word so that no reader depends on a colour.
type Progress string

const (
	Met        Progress = "met"
	OnTrack    Progress = "on_track"  // not met, but the projection reaches the threshold in time
	OffTrack   Progress = "off_track" // not met, and the projection does not (or cannot be made)
	Missed     Progress = "missed"    // past the deadline or window, and not met
	NotStarted Progress = "not_started"
)

// projectionQuarters is how many recent quarters a projection looks at.
const projectionQuarters = 4

// TargetStatus is where one target stands in a rollup month.
type TargetStatus struct {
	ID         string             `json:"id"`
	Title      string             `json:"title"`
	Measure    targets.Measure    `json:"measure"`
	Comparison targets.Comparison `json:"comparison"`
	// Value is the measure at Period: the reference quarter, or for a window the last
	// quarter of the window once the reference quarter is past it. Shares are 0..1, counts
	// whole numbers. Null when there are no figures.
	Value     *float64       `json:"value"`
	Period    period.Quarter `json:"period"`
	Threshold float64        `json:"threshold"`
	Status    Progress       `json:"status"`
	// Projection is the value the recent trend reaches by the last quarter that counts
	// (EndQuarter); null when none was made.
	Projection  *float64 `json:"projection"`
	EndQuarter  string   `json:"end_quarter,omitempty"`
	Deadline    string   `json:"deadline,omitempty"` // YYYY-MM-DD
	WindowStart string   `json:"window_start,omitempty"`
	WindowEnd   string   `json:"window_end,omitempty"`
	From        string   `json:"from,omitempty"` // YYYY-MM-DD
	Note        string   `json:"note,omitempty"` // why, in a sentence, when the status needs one
}

// Evaluate gives the status of every target in rollup month M, from the government series
// (which should hold every quarter with data up to ref) and the reference quarter ref.
//
//   - not_started: M ends before the target's from date, or ref is before the first
//     quarter the target measures (so no figure exists yet to judge).
//   - met: the value at ref (for windows, the sum through min(ref, window end)) satisfies
//     the comparison.
//   - missed: not met and the end has passed: for a deadline, the last day of M is after
//     it; for a window, its last quarter's returns were due by the last day of M (with the
//     default 30 due days, the month after the window's last reference date). Judging a
//     window earlier would call it missed on incomplete figures.
//   - on_track: not met, and the projection reaches the threshold by the last quarter that
//     counts. Shares: least-squares line through the last four quarters up to ref.
//     Cumulative counts: the value plus the mean of the last four quarters' increments for
//     each quarter left.
//   - off_track: otherwise, including open-ended targets (from, no end) not met at ref.
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
	s := TargetStatus{ID: t.ID, Title: t.Title, Measure: t.Measure, Comparison: t.Comparison, Threshold: t.Threshold, Period: ref}
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
		s.Status, s.Note = NotStarted, fmt.Sprintf("Measured from %s.", longDate(t.From))
		return s
	}
	if hasStart && ref.Before(start) {
		s.Status, s.Note = NotStarted, fmt.Sprintf("The first quarter measured is %s; the reference quarter is %s.", start, ref)
		return s
	}

	if t.Window != nil && ref.After(end) {
		s.Period = end
	}
	s.Value = valueAt(t, qs, s.Period)
	if s.Value != nil && t.Comparison.Met(*s.Value, t.Threshold) {
		s.Status = Met
		return s
	}
	if over, why := ended(t, month, dueDays); over {
		s.Status, s.Note = Missed, why
		return s
	}

	s.Status = OffTrack
	notMet := fmt.Sprintf("Not met at %s", s.Period)
	if s.Value == nil {
		notMet = fmt.Sprintf("No figures for %s", s.Period)
	}
	switch {
	case !hasEnd:
		s.Note = notMet + ". The commitment has no end date, so no projection is made."
		return s
	case !ref.Before(end):
		s.Note = fmt.Sprintf("%s, and no quarter is left before %s to project to.", notMet, end)
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

// ended reports whether the target's time is up in month M, and says why.
func ended(t targets.Target, month period.Month, dueDays int) (bool, string) {
	switch {
	case !t.Deadline.IsZero():
		if month.LastDay().After(t.Deadline) {
			return true, fmt.Sprintf("The deadline, %s, has passed.", longDate(t.Deadline))
		}
	case t.Window != nil:
		if due := t.Window.To.Due(dueDays); !due.After(month.LastDay()) {
			return true, fmt.Sprintf("The window ended with %s, whose returns were due by %s.", t.Window.To, longDate(due))
		}
	}
	return false, ""
}

// valueAt is the target's measure at quarter q, or nil when there are no figures.
func valueAt(t targets.Target, qs map[period.Quarter]*Quarter, q period.Quarter) *float64 {
	if t.Measure.Cumulative() {
		// Start is always set: a cumulative target needs a window or a from date.
		start, _ := t.Start()
		last := q
		if end, ok := t.End(); ok && last.After(end) {
			last = end
		}
		var sum int64
		for _, p := range period.Range(start, last) {
			if g := qs[p]; g != nil {
				sum += flow(*g, t)
			}
		}
		v := float64(sum)
		return &v
	}
	if t.Measure == targets.SeniorAppointmentsAssessed {
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
		return ratio(assessed, appointed)
	}
	g := qs[q]
	if g == nil {
		return nil
	}
	switch t.Measure {
	case targets.DDaTShare:
		return g.DDaTShare
	case targets.ExecDigitalLeaderShare:
		return g.LeadershipFor(t.Kinds).ExecDigitalLeaderShare
	case targets.BoardDigitalNEDShare:
		return g.LeadershipFor(t.Kinds).BoardDigitalNEDShare
	case targets.SuccessionPlanShare:
		return g.LeadershipFor(t.Kinds).SuccessionPlanShare
	case targets.CSLGAIImmersionShare:
		return g.LeadershipFor(t.Kinds).CSLGAIImmersionShare
	}
	return nil
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
