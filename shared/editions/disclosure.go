package editions

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/editions/internal/disclosure"
	"github.com/ddat-workforce/returns/shared/gsswriter"
	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/targets"
)

// control is how an edition protects the people its figures count. The management
// edition has none; the published edition has all of it. Tests switch parts off to show
// that the intruder of internal/disclosure finds what each part protects.
type control struct {
	// counts rounds counts of people to the nearest 5 and shows 1 to 4 as [c]; a true
	// zero is shown as 0. Counts of organisations and returns are always exact.
	counts bool
	// shares publishes shares to one decimal place of a percentage, and shows as [c] a
	// share whose numerator is [c] or whose base is under 25 people.
	shares bool
	// headcountShareBase is the smallest headcount, of an organisation or of the
	// government at a quarter, whose shares of it are published; 0 for no limit beyond
	// minShareBase.
	headcountShareBase int64
	// complementary withholds further shares until the intruder can work out no count
	// of 1 to 4 from the edition.
	complementary bool
	// noOrgEntrants leaves each organisation's early-career entrants out: most take on
	// fewer than 5 a quarter, so the column is nearly all [c], and when every [c] must
	// be at least 1 and their sum is at most the rounded government total, it can pin
	// them all. The government's entrants are published by route and quarter.
	noOrgEntrants bool
}

var (
	uncontrolled = control{}
	published    = control{counts: true, shares: true, headcountShareBase: minHeadcountShareBase, complementary: true, noOrgEntrants: true}
)

// noteDisclosure is the number of the note that says how the edition protects people.
const noteDisclosure = 4

// minShareBase is the smallest number of people a published share may be a share of.
const minShareBase = 25

// minHeadcountShareBase is the smallest headcount whose shares are published: an
// organisation's DDaT shares, and the government's shares of its headcount at a quarter
// (the government's DDaT share, its coverage, its profession not recorded). Below it, a
// share to 0.1% pins its numerator to a single number (its interval is about
// 0.001 × base + 0.2 wide), undoing the rounding; the pinned counts could then be taken
// from the government's total, in one revision or across two, to leave a withheld one.
// A quarter with only a few small organisations reporting has a government headcount
// as small as theirs, and across two revisions its pinned DDaT headcount is theirs. A
// fixed rule, not a search, so that two revisions withhold the same shares.
const minHeadcountShareBase = 1000

// counter writes a count as the edition allows.
type counter func(n int64) gsswriter.Cell

func exact(n int64) gsswriter.Cell { return n }

// controlled rounds counts to the nearest 5 and withholds counts of 1 to 4, so no small
// group of people can be picked out.
func controlled(n int64) gsswriter.Cell {
	switch {
	case n >= 1 && n <= 4:
		return gsswriter.Confidential
	case n < 0:
		return -controlledAbs(-n)
	}
	return controlledAbs(n)
}

func controlledAbs(n int64) int64 { return (n + 2) / 5 * 5 }

// orgCount is a count of organisations or returns: exact in every edition.
func orgCount(n int) gsswriter.Cell { return int64(n) }

// share is a share of people, num out of base, computed from the exact figures.
func (b builder) share(v *float64, num, base int64) gsswriter.Cell {
	return b.shareOr(v, num, base, gsswriter.NotAvailable)
}

func (b builder) shareOr(v *float64, num, base int64, na gsswriter.Shorthand) gsswriter.Cell {
	switch {
	case v == nil:
		return na
	case !b.control.shares:
		return *v
	case (num >= 1 && num <= 4) || base < minShareBase:
		return gsswriter.Confidential
	}
	return roundShare(*v)
}

// orgRowShare is an organisation's DDaT share, with the numerator and base as its row
// holds them.
func (b builder) orgRowShare(v *float64, num, base *int64, na gsswriter.Shorthand) gsswriter.Cell {
	switch {
	case v == nil || num == nil || base == nil:
		return na
	}
	return b.headcountShare(v, *num, *base, na)
}

// headcountShare is a share of a headcount, num out of base: [c] on a base under
// headcountShareBase, as well as where share withholds it.
func (b builder) headcountShare(v *float64, num, base int64, na gsswriter.Shorthand) gsswriter.Cell {
	if v != nil && b.control.shares && base < b.control.headcountShareBase {
		return gsswriter.Confidential
	}
	return b.shareOr(v, num, base, na)
}

// orgShare is a share of organisations: not a count of people, so never withheld.
func (b builder) orgShare(v *float64) gsswriter.Cell {
	switch {
	case v == nil:
		return gsswriter.NotAvailable
	case !b.control.shares:
		return *v
	}
	return roundShare(*v)
}

// roundShare keeps one decimal place of a percentage in the value itself, not only in
// its number format: a cell holding 0.0612345 would let a reader multiply by the base.
func roundShare(v float64) float64 { return math.Round(v*1000) / 1000 }

// targetShare is a target's share (its value or projection) at the target's quarter.
func (b builder) targetShare(t metrics.TargetStatus, v *float64) gsswriter.Cell {
	var g *metrics.Quarter
	for i := range b.s.Government.Quarters {
		if b.s.Government.Quarters[i].Period == t.Period {
			g = &b.s.Government.Quarters[i]
		}
	}
	if g == nil {
		return b.orgShare(v)
	}
	switch t.Measure {
	case targets.DDaTShare:
		return b.headcountShare(v, g.DDaTHeadcount, g.Headcount, gsswriter.NotAvailable)
	case targets.SeniorAppointmentsAssessed:
		return b.share(v, g.Leadership.SeniorAppointmentsAssessed, g.Leadership.SeniorAppointments)
	case targets.SuccessionPlanShare:
		return b.share(v, g.Leadership.DigitalSeniorRolesWithSuccessionPlan, g.Leadership.DigitalSeniorRoles)
	case targets.CSLGAIImmersionShare:
		return b.share(v, g.Leadership.CSLGMembersAIImmersion, g.Leadership.CSLGMembers)
	}
	return b.orgShare(v) // shares of organisations
}

// disclosureNote is the note that says how the edition protects people.
func (b builder) disclosureNote() string {
	if !b.control.counts {
		return "Figures are exact. This edition is for management use and must not be published."
	}
	return fmt.Sprintf("To protect individuals, counts of people are rounded to the nearest 5, counts of 1 to 4 are shown as [c], and a true zero is shown as 0. "+
		"Shares are calculated from the exact figures and published to one decimal place of a percentage, so they may differ slightly from shares of the rounded counts; "+
		"a share is [c] when its numerator is [c], when it is a share of fewer than %d people, when it is a share of a headcount (an organisation's, or the government's at a quarter) under %s, which would otherwise give its numerator exactly, or when it would let a withheld count be worked out from the other figures. "+
		"Where a count of 1 to 4 could still be worked out from a total and the other counts, a further count (the smallest that prevents it, often a 0) is also shown as [c], with every share in its row; the rows where this is done, if any, are listed at the end of this note, and a [c] in them may stand for any count. "+
		"Organisations' early-career entrants are not published, as most are under 5; the government's are, by route. "+
		"Counts of organisations and of returns are not counts of people and are exact.", minShareBase, numfmt.Int(b.control.headcountShareBase))
}

// confidentialText explains [c] on the cover of the published edition.
const confidentialText = "confidential: a count of 1 to 4 people, or a share or count withheld so that such a count cannot be worked out"

// protect withholds figures until the intruder can work out none of the counts shown as
// [c], and returns the rows in which it withheld counts other than 1 to 4 for that
// (secondary suppression), which the notes must list.
// It never gives up: each round withholds at least one more figure, and an edition with
// every figure withheld discloses nothing.
//
// First it withholds shares, the one with the smallest base among those tied to a count
// the intruder found, because that share pins its numerator most closely. When no such
// share is left it withholds a count: the nearest to the count found, preferring the
// other parts of its breakdown to the total, then its own row, then the smallest, a 0
// first (see disclosure.System.Candidates), with every share in the rows that show it.
// A reader is told which rows hold such counts, and so knows that a [c] there may be any
// count; the intruder is told the same. Last, it shows again each withheld count whose
// cover proves not to be needed.
//
// The rules look only at the figures, in a fixed order, so the same figures always get the
// same cells withheld, in both formats, and a revision that leaves a quarter's figures as
// they were withholds what the revision before it withheld there.
func protect(wb *gsswriter.Workbook) []disclosure.At {
	d := defender{tables: wb.Tables}
	for d.round() {
	}
	d.prune()
	dropBrokenCharts(wb.Tables)
	return d.rows()
}

// defender is the state of protect: what it has withheld so far.
type defender struct {
	tables []gsswriter.Table
	counts []*withheldCount // in the order withheld
}

// withheldCount is a count other than 1 to 4 shown as [c], with the figures withheld
// beside it.
type withheldCount struct {
	at    []disclosure.At // the cells of counts withheld
	cells []undo          // every cell withheld
	on    bool
	last  bool // the last resort, which stays
}

// undo is a cell withheld, and what it showed before.
type undo struct {
	cell *gsswriter.Cell
	was  gsswriter.Cell
}

// round attacks the edition once and withholds what the attack calls for; false when the
// intruder finds nothing, or nothing is left to withhold.
func (d *defender) round() bool {
	sys := d.attack()
	leaks := sys.Derived()
	if len(leaks) == 0 {
		return false
	}
	return d.withholdShare(sys, leaks) || d.withholdCount(sys, leaks) || d.withholdRest(sys, leaks)
}

// withholdShare withholds the share with the smallest base among those tied to a count
// found.
func (d *defender) withholdShare(sys *disclosure.System, leaks []disclosure.Finding) bool {
	related := map[string]bool{}
	for _, l := range leaks {
		for n := range sys.Related(l.Name) {
			related[n] = true
		}
		related[l.Name] = true
	}
	var best *disclosure.Share
	var bestBase int64
	for _, sh := range sys.Shares() {
		if !related[sh.Num] && !related[sh.Den] {
			continue
		}
		_, base, _ := sys.Interval(sh.Den)
		if best == nil || base < bestBase {
			s := sh
			best, bestBase = &s, base
		}
	}
	return best != nil && d.withholdShareAt(best.At) != nil
}

// withholdCount withholds the first candidate of the first count found that has one.
func (d *defender) withholdCount(sys *disclosure.System, leaks []disclosure.Finding) bool {
	for _, l := range leaks {
		for _, c := range sys.Candidates(l.Name) {
			if d.withholdCountAt(c.At) {
				return true
			}
		}
	}
	return false
}

// withholdRest is the last resort, for a count found with no count or share left near it
// to withhold: every figure still shown on the sheets that show it.
func (d *defender) withholdRest(sys *disclosure.System, leaks []disclosure.Finding) bool {
	sheets := map[string]bool{}
	for _, l := range leaks {
		for _, c := range l.Cells {
			for _, t := range d.tables {
				if strings.HasPrefix(c, t.Sheet+", ") {
					sheets[t.Sheet] = true
				}
			}
		}
	}
	w := &withheldCount{on: true, last: true}
	for ti := range d.tables {
		t := &d.tables[ti]
		if !sheets[t.Sheet] {
			continue
		}
		for ri, row := range t.Rows {
			for ci, c := range t.Columns {
				if c.Kind != gsswriter.Count && c.Kind != gsswriter.Percent {
					continue
				}
				if _, ok := row[ci].(int64); ok && c.Kind == gsswriter.Count {
					w.at = append(w.at, disclosure.At{Sheet: t.Sheet, Row: cellText(row[0]), Header: c.Header})
				} else if _, ok := row[ci].(float64); !ok || c.Kind != gsswriter.Percent {
					continue
				}
				w.cells = append(w.cells, undo{&t.Rows[ri][ci], row[ci]})
				t.Rows[ri][ci] = gsswriter.Confidential
			}
		}
	}
	if len(w.cells) == 0 {
		return false
	}
	d.counts = append(d.counts, w)
	return true
}

// withholdCountAt shows the count at every cell of at as [c], with every share in the rows
// of those cells; false if it is not shown as a number there.
func (d *defender) withholdCountAt(at []disclosure.At) bool {
	w := &withheldCount{at: at, on: true}
	for _, a := range at {
		cell := d.cell(a)
		if cell == nil {
			continue
		}
		if _, ok := (*cell).(int64); !ok {
			continue
		}
		w.cells = append(w.cells, undo{cell, *cell})
		*cell = gsswriter.Confidential
		w.cells = append(w.cells, d.withholdRowShares(a)...)
		if a.Sheet == "Early-career entrants" {
			cells, at := d.withholdTargetCounts(a.Row)
			w.cells, w.at = append(w.cells, cells...), append(w.at, at...)
		}
	}
	if len(w.cells) == 0 {
		return false
	}
	d.counts = append(d.counts, w)
	return true
}

// withholdRowShares withholds every share in the row of a: the shares of a row are
// shares of the people its counts count.
func (d *defender) withholdRowShares(a disclosure.At) []undo {
	var out []undo
	t, ri := d.row(a.Sheet, a.Row)
	if t == nil {
		return nil
	}
	for ci, c := range t.Columns {
		if _, ok := t.Rows[ri][ci].(float64); ok && c.Kind == gsswriter.Percent {
			out = append(out, undo{&t.Rows[ri][ci], t.Rows[ri][ci]})
			t.Rows[ri][ci] = gsswriter.Confidential
		}
	}
	return out
}

// withholdTargetCounts withholds the counts of the targets table whose quarter is q: a
// cumulative count withheld from the early-career table is a target's value there.
func (d *defender) withholdTargetCounts(q string) ([]undo, []disclosure.At) {
	var out []undo
	var at []disclosure.At
	for ti := range d.tables {
		t := &d.tables[ti]
		if t.Sheet != "Targets" {
			continue
		}
		pairs := [][2]string{{"Quarter of the value", "Value (number)"}, {"Quarter of the latest value", "Latest value (number)"}}
		for _, p := range pairs {
			qc, vc := column(t, p[0]), column(t, p[1])
			if qc < 0 || vc < 0 {
				continue
			}
			for ri, row := range t.Rows {
				if _, ok := row[vc].(int64); ok && cellText(row[qc]) == q {
					out = append(out, undo{&t.Rows[ri][vc], row[vc]})
					at = append(at, disclosure.At{Sheet: t.Sheet, Row: cellText(row[0]), Header: p[1]})
					t.Rows[ri][vc] = gsswriter.Confidential
				}
			}
		}
	}
	return out, at
}

// prune shows again, latest first, each withheld count the intruder does not need
// withheld: a count withheld early may be covered by one withheld later.
func (d *defender) prune() {
	for i := len(d.counts) - 1; i >= 0; i-- {
		w := d.counts[i]
		if w.last {
			continue
		}
		d.set(w, false)
		if len(d.attack().Derived()) > 0 {
			d.set(w, true)
		}
	}
	// A count shown again may have taken back a share beside a count still withheld.
	for _, w := range d.counts {
		for _, a := range w.at {
			if w.on && !w.last {
				w.cells = append(w.cells, d.withholdRowShares(a)...)
			}
		}
	}
}

// set withholds w, or shows it again.
func (d *defender) set(w *withheldCount, on bool) {
	w.on = on
	for _, u := range w.cells {
		if on {
			*u.cell = gsswriter.Confidential
		} else {
			*u.cell = u.was
		}
	}
}

// rows are the rows in which a count other than 1 to 4 is withheld, in the order of the
// tables and their rows.
func (d *defender) rows() []disclosure.At {
	in := map[disclosure.At]bool{}
	for _, w := range d.counts {
		for _, a := range w.at {
			in[disclosure.At{Sheet: a.Sheet, Row: a.Row}] = w.on || in[disclosure.At{Sheet: a.Sheet, Row: a.Row}]
		}
	}
	var out []disclosure.At
	for _, t := range d.tables {
		for _, r := range t.Rows {
			if a := (disclosure.At{Sheet: t.Sheet, Row: cellText(r[0])}); in[a] {
				out = append(out, a)
				in[a] = false // once, should two rows start alike
			}
		}
	}
	return out
}

// attack is the intruder reading the tables as they stand, with the note that lists
// the rows where counts other than 1 to 4 are withheld.
func (d *defender) attack() *disclosure.System {
	return disclosure.Attack(book(d.tables, d.rows()))
}

// withholdShareAt shows the share at a as [c]; nil if it is not a number there.
func (d *defender) withholdShareAt(a disclosure.At) *gsswriter.Cell {
	cell := d.cell(a)
	if cell == nil {
		return nil
	}
	if _, ok := (*cell).(float64); !ok {
		return nil
	}
	*cell = gsswriter.Confidential
	return cell
}

// cell is the cell at a, or nil.
func (d *defender) cell(a disclosure.At) *gsswriter.Cell {
	t, ri := d.row(a.Sheet, a.Row)
	if t == nil {
		return nil
	}
	ci := column(t, a.Header)
	if ci < 0 {
		return nil
	}
	return &t.Rows[ri][ci]
}

// row is the table on sheet and the index of its row whose first cell is row.
func (d *defender) row(sheet, row string) (*gsswriter.Table, int) {
	for ti := range d.tables {
		t := &d.tables[ti]
		if t.Sheet != sheet {
			continue
		}
		for ri, r := range t.Rows {
			if len(r) > 0 && cellText(r[0]) == row {
				return t, ri
			}
		}
	}
	return nil, -1
}

func column(t *gsswriter.Table, header string) int {
	return slices.IndexFunc(t.Columns, func(c gsswriter.Column) bool { return c.Header == header })
}

// dropBrokenCharts removes the charts that would plot a withheld figure.
func dropBrokenCharts(tables []gsswriter.Table) {
	for ti := range tables {
		t := &tables[ti]
		t.Charts = slices.DeleteFunc(t.Charts, func(c gsswriter.Chart) bool {
			return slices.ContainsFunc(c.Series, func(i int) bool { return !chartable(t.Rows, i) })
		})
	}
}

// book is the tables as the intruder reads them from the file, with the note that lists
// the rows where counts other than 1 to 4 are withheld.
func book(tables []gsswriter.Table, withheld []disclosure.At) disclosure.Book {
	b := disclosure.Book{}
	for _, t := range tables {
		g := disclosure.Grid{}
		for _, c := range t.Columns {
			g.Header = append(g.Header, c.Header)
		}
		for _, r := range t.Rows {
			line := make([]string, len(r))
			for i, c := range r {
				line[i] = cellText(c)
			}
			g.Rows = append(g.Rows, line)
		}
		b[t.Sheet] = g
	}
	b[gsswriter.SheetNotes] = disclosure.Grid{Header: []string{"Note number", "Note text"},
		Rows: [][]string{{fmt.Sprintf("[note %d]", noteDisclosure), disclosure.WithheldRows(withheld)}}}
	return b
}

func cellText(c gsswriter.Cell) string {
	switch v := c.(type) {
	case string:
		return v
	case gsswriter.Shorthand:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case time.Time:
		return v.Format(time.DateOnly)
	}
	return fmt.Sprint(c)
}

// coverage is the reporters' headcount as a share of the headcount expected.
func (b builder) coverage(q metrics.Quarter) gsswriter.Cell {
	if q.Coverage == nil || *q.Coverage == 0 {
		return b.orgShare(q.Coverage) // not available, or nobody reported: no one to protect
	}
	return b.headcountShare(q.Coverage, q.Headcount, int64(math.Round(float64(q.Headcount) / *q.Coverage)), gsswriter.NotAvailable)
}

// knownProfession is the headcount whose profession is recorded, the base of the
// organisation's DDaT share of staff with a recorded profession.
func knownProfession(o metrics.OrgRow) *int64 {
	if o.Headcount == nil || o.ProfessionUnknown == nil {
		return nil
	}
	n := *o.Headcount - *o.ProfessionUnknown
	return &n
}

// noteWithheld adds to the disclosure note the rows in which counts other than 1 to 4 are
// withheld.
func noteWithheld(wb *gsswriter.Workbook, rows []disclosure.At) {
	if len(rows) == 0 {
		return
	}
	for i := range wb.Notes {
		if wb.Notes[i].Number == noteDisclosure {
			wb.Notes[i].Text += " " + disclosure.WithheldRows(rows)
		}
	}
}
