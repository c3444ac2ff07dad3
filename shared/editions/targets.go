package editions

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/gsswriter"
	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// What the workbook says about a target — on the cover, in the notes, in the headline
// table and on the charts' threshold lines — is written from the snapshot's target
// statuses, which carry the targets file's words. Nothing here names a commitment, so a
// successor target added to the file appears everywhere with no change to the code.

// targetNote is the number of the note that gives the i-th target's commitment, source
// and assumptions; the target notes follow the general ones.
func (b builder) targetNote(i int) int { return len(b.generalNotes()) + 1 + i }

func (b builder) targetNotes() []gsswriter.Note {
	ns := make([]gsswriter.Note, 0, len(b.s.Targets))
	for i, t := range b.s.Targets {
		ns = append(ns, gsswriter.Note{Number: b.targetNote(i), Text: targetNoteText(t)})
	}
	return ns
}

func targetNoteText(t metrics.TargetStatus) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s. The commitment: %s", t.Title, sentence(t.Commitment))
	fmt.Fprintf(&sb, " Measured here as %s %s, %s, counting %s.", comparisonText(t), thresholdText(t, t.Threshold), whenText(t), kindsText(t.Kinds))
	fmt.Fprintf(&sb, " Source: %s", sentence(t.Source))
	if t.URL != "" {
		fmt.Fprintf(&sb, " Address: %s.", t.URL)
	}
	if t.Quote != "" {
		fmt.Fprintf(&sb, " In the source's words: \u201c%s\u201d.", strings.TrimRight(t.Quote, "."))
	}
	if t.Assumed != "" {
		fmt.Fprintf(&sb, " Assumed: %s", sentence(t.Assumed))
	}
	return sb.String()
}

// aboutText is the cover's description: the commitments measured, each with its note.
func (b builder) aboutText() string {
	var parts []string
	for i, t := range b.s.Targets {
		parts = append(parts, fmt.Sprintf("%s [note %d]", t.Title, b.targetNote(i)))
	}
	text := "Progress toward the government's digital, data and technology (DDaT) workforce commitments [note 1]"
	if len(parts) == 0 {
		return text + "."
	}
	return text + ": " + strings.Join(parts, "; ") + ". Each note gives the commitment in its source's words and what this report assumes about it."
}

// windowText says over which quarters the early-career entrants are counted.
func (b builder) windowText() string {
	var ws []string
	for _, t := range b.s.Targets {
		if t.Measure == targets.EarlyCareerEntrants && t.WindowStart != "" {
			ws = append(ws, fmt.Sprintf(" %s counts entrants from %s to %s.", t.Title, t.WindowStart, t.WindowEnd))
		}
	}
	return strings.Join(ws, "")
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

func comparisonText(t metrics.TargetStatus) string {
	if t.Comparison == targets.Equals {
		return "exactly"
	}
	return "at least"
}

// thresholdText writes a share as a percentage with no needless decimals (6%, 100%,
// 12.5%) and a count with thousands separators.
func thresholdText(t metrics.TargetStatus, v float64) string {
	if t.Unit == targets.UnitCount {
		return numfmt.Int(int64(v + 0.5))
	}
	return strconv.FormatFloat(100*v, 'f', -1, 64) + "%"
}

func whenText(t metrics.TargetStatus) string {
	day := func(s string) string {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return period.LongDate(d)
	}
	switch {
	case t.Deadline != "":
		return "by " + day(t.Deadline)
	case t.WindowStart != "":
		return "over " + t.WindowStart + " to " + t.WindowEnd
	case t.From != "":
		return "from " + day(t.From)
	}
	return "with no end date"
}

func kindsText(kinds []workforce.OrgKind) string {
	var ws []string
	for _, k := range kinds {
		ws = append(ws, kindText(k)+" organisations")
	}
	return strings.Join(ws, " and ")
}

// thresholdCharts are the charts of a series column, one for each target of the measure,
// each with the target's threshold as its line.
func (b builder) thresholdCharts(m targets.Measure, chart func(t metrics.TargetStatus, line *gsswriter.Target) gsswriter.Chart) []gsswriter.Chart {
	var cs []gsswriter.Chart
	seen := map[string]bool{}
	for _, t := range b.s.Targets {
		if t.Measure != m {
			continue
		}
		unit := "percent"
		if t.Unit == targets.UnitCount {
			unit = "number"
		}
		header := fmt.Sprintf("Commitment of %s %s (%s)", thresholdText(t, t.Threshold), whenText(t), unit)
		if seen[header] {
			continue // the same line twice would be the same column twice
		}
		seen[header] = true
		cs = append(cs, chart(t, &gsswriter.Target{Header: header, Value: t.Threshold}))
	}
	return cs
}

// publishedNote says why a target has its status in words alone. The metrics' note quotes
// exact figures (a value "against" its threshold, a projection, the latest value), which
// the published edition must not: its figures are in the table's controlled columns, and
// a sentence beside a [c] would give the suppressed share away.
func publishedNote(t metrics.TargetStatus) string {
	at := t.Period.String()
	switch t.JudgedAt {
	case metrics.AtDeadlineQuarter:
		at += ", the deadline quarter"
	case metrics.AtWindowEnd:
		at += ", the window's last quarter"
	}
	var s string
	switch t.Status {
	case metrics.Met:
		s = "Met at " + at + "."
	case metrics.Missed:
		s = "Not met at " + at + "; the value is in the value columns."
	case metrics.OnTrack:
		s = fmt.Sprintf("Not met at %s; the projection reaches the threshold by %s.", at, t.EndQuarter)
	case metrics.OffTrack:
		s = "Not met at " + at + "."
		if t.Projection != nil {
			s = fmt.Sprintf("Not met at %s; the projection does not reach the threshold by %s.", at, t.EndQuarter)
		}
	case metrics.NotStarted:
		s = "Not measured yet at " + at + "."
	case metrics.NoData:
		s = "Nothing to judge at " + at + "."
	default:
		s = string(t.Status)
	}
	if t.LatestPeriod != nil {
		s += fmt.Sprintf(" The latest value, at %s, is beside it.", t.LatestPeriod)
	}
	return s
}
