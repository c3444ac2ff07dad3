package workforce

import (
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"time"
)

// Plausibility thresholds: a return that crosses one is accepted, with a warning stored.
const (
	warnChangeShare       = 0.20 // quarter-on-quarter change in headcount or DDaT headcount
	warnDDaTShare         = 0.50 // more than half the organisation in DDaT
	warnUnknownProfession = 0.20 // profession not recorded for more than a fifth of staff
	warnUnknownFamily     = 0.25 // job family not recorded for more than a quarter of DDaT
)

// Warnings are the plausibility checks of a valid return: prev is the organisation's
// current return for the previous quarter (nil if none), and firstReceived is when the
// organisation-period's first version arrived. Lateness is judged on that, as the metrics
// judge it, so a correction sent long after an on-time return is not called late.
func Warnings(r Return, prev *Return, firstReceived time.Time, dueDays int) []Problem {
	var ws []Problem
	warn := func(field, code, msg string) { ws = append(ws, Problem{Field: field, Code: code, Message: msg}) }

	if lateBy := firstReceived.Sub(r.Period.Next().Due(dueDays)); lateBy > 0 {
		warn(KeyPeriod, "late_return", fmt.Sprintf("This return for %s was due on %s and arrived more than a quarter late.", r.Period, period.LongDate(r.Period.Due(dueDays))))
	}
	if r.Kind != CivilService {
		return ws
	}
	if prev != nil && prev.Kind == CivilService {
		for _, c := range []struct{ key, what string }{{KeyHeadcount, "Headcount"}, {KeyDDaTHeadcount, "DDaT headcount"}} {
			was, now := prev.Count(c.key), r.Count(c.key)
			if was > 0 && abs(now-was) > int64(warnChangeShare*float64(was)) {
				warn(c.key, c.key+"_change", fmt.Sprintf("%s changed by %+.0f%% since %s (from %s to %s). Check the figure, or explain the change in notes.", c.what, 100*float64(now-was)/float64(was), prev.Period, numfmt.Int(was), numfmt.Int(now)))
			}
		}
		if ec := sum(r, EarlyCareerKeys); ec > 0 && r.Count(KeyDDaTHeadcount) == prev.Count(KeyDDaTHeadcount) {
			warn(KeyDDaTHeadcount, "entrants_without_change", fmt.Sprintf("%s early-career entrants joined DDaT this quarter but DDaT headcount is unchanged since %s (%s).", numfmt.Int(ec), prev.Period, numfmt.Int(prev.Count(KeyDDaTHeadcount))))
		}
	}
	hc, ddat := r.Count(KeyHeadcount), r.Count(KeyDDaTHeadcount)
	if hc > 0 && float64(ddat) > warnDDaTShare*float64(hc) {
		warn(KeyDDaTHeadcount, "high_ddat_share", fmt.Sprintf("DDaT headcount is %.0f%% of headcount. Check that only members of the DDaT profession are counted.", 100*float64(ddat)/float64(hc)))
	}
	if unknown := r.Count(KeyProfessionUnknown); hc > 0 && float64(unknown) > warnUnknownProfession*float64(hc) {
		warn(KeyProfessionUnknown, "high_profession_unknown", fmt.Sprintf("Profession is not recorded for %.0f%% of staff, so the DDaT share may be understated.", 100*float64(unknown)/float64(hc)))
	}
	if unknown := r.Count("ddat_family_unknown"); ddat > 0 && float64(unknown) > warnUnknownFamily*float64(ddat) {
		warn("ddat_family_unknown", "high_family_unknown", fmt.Sprintf("Job family is not recorded for %.0f%% of DDaT staff.", 100*float64(unknown)/float64(ddat)))
	}
	return ws
}

func sum(r Return, keys []string) int64 {
	var n int64
	for _, k := range keys {
		n += r.Count(k)
	}
	return n
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
