package workbook

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/report"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workbook/internal/disclosure"
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
	// orgShareBase is the smallest organisation whose DDaT shares are published; 0 for
	// no limit beyond minShareBase.
	orgShareBase int64
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
	published    = control{counts: true, shares: true, orgShareBase: minOrgShareBase, complementary: true, noOrgEntrants: true}
)

// minShareBase is the smallest number of people a published share may be a share of.
const minShareBase = 25

// minOrgShareBase is the smallest organisation whose DDaT shares are published. Below it,
// a share to 0.1% pins the DDaT headcount to a single number (its interval is about
// 0.001 × base + 0.2 wide), undoing the rounding; the pinned counts could then be taken
// from the government's total, in one revision or across two, to leave a withheld one.
// A fixed rule, not a search, so that two revisions withhold the same shares.
const minOrgShareBase = 1000

// counter writes a count as the edition allows.
type counter func(n int64) report.Cell

func exact(n int64) report.Cell { return n }

// controlled rounds counts to the nearest 5 and withholds counts of 1 to 4, so no small
// group of people can be picked out.
func controlled(n int64) report.Cell {
	switch {
	case n >= 1 && n <= 4:
		return report.Confidential
	case n < 0:
		return -controlledAbs(-n)
	}
	return controlledAbs(n)
}

func controlledAbs(n int64) int64 { return (n + 2) / 5 * 5 }

// orgCount is a count of organisations or returns: exact in every edition.
func orgCount(n int) report.Cell { return int64(n) }

// share is a share of people, num out of base, computed from the exact figures.
func (b builder) share(v *float64, num, base int64) report.Cell {
	return b.shareOr(v, num, base, report.NotAvailable)
}

func (b builder) shareOr(v *float64, num, base int64, na report.Shorthand) report.Cell {
	switch {
	case v == nil:
		return na
	case !b.control.shares:
		return *v
	case (num >= 1 && num <= 4) || base < minShareBase:
		return report.Confidential
	}
	return roundShare(*v)
}

// orgRowShare is an organisation's DDaT share, with the numerator and base as its row
// holds them.
func (b builder) orgRowShare(v *float64, num, base *int64, na report.Shorthand) report.Cell {
	switch {
	case v == nil || num == nil || base == nil:
		return na
	case b.control.shares && *base < b.control.orgShareBase:
		return report.Confidential
	}
	return b.shareOr(v, *num, *base, na)
}

// orgShare is a share of organisations: not a count of people, so never withheld.
func (b builder) orgShare(v *float64) report.Cell {
	switch {
	case v == nil:
		return report.NotAvailable
	case !b.control.shares:
		return *v
	}
	return roundShare(*v)
}

// roundShare keeps one decimal place of a percentage in the value itself, not only in
// its number format: a cell holding 0.0612345 would let a reader multiply by the base.
func roundShare(v float64) float64 { return math.Round(v*1000) / 1000 }

// targetShare is a target's share (its value or projection) at the target's quarter.
func (b builder) targetShare(t metrics.TargetStatus, v *float64) report.Cell {
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
		return b.share(v, g.DDaTHeadcount, g.Headcount)
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
		"a share is [c] when its numerator is [c], when it is a share of fewer than %d people (%s for an organisation's DDaT shares, which would otherwise give its DDaT headcount exactly), or when it would let a withheld count be worked out from the other figures. "+
		"Organisations' early-career entrants are not published, as most are under 5; the government's are, by route. "+
		"Counts of organisations and of returns are not counts of people and are exact.", minShareBase, numfmt.Int(b.control.orgShareBase))
}

// confidentialText explains [c] on the cover of the published edition.
const confidentialText = "confidential: a count of 1 to 4 people, or a share withheld so that such a count cannot be worked out"

// protect withholds shares, one at a time, until the intruder can work out none of the
// counts shown as [c]. It prefers the share with the smallest base among those tied to
// a count the intruder found, because that share pins its numerator most closely.
func protect(wb *report.Workbook) error {
	for range 1000 {
		sys := disclosure.Attack(book(wb.Tables))
		leaks := sys.Derived()
		if len(leaks) == 0 {
			return nil
		}
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
		if best == nil || !withhold(wb.Tables, best.At) {
			return fmt.Errorf("published edition: %s can still be worked out, and no share is left to withhold", leaks[0])
		}
	}
	return fmt.Errorf("published edition: too many shares to withhold")
}

// withhold shows the share at a as [c]; false if it is not a number there.
func withhold(tables []report.Table, a disclosure.At) bool {
	for ti := range tables {
		t := &tables[ti]
		if t.Sheet != a.Sheet {
			continue
		}
		ci := slices.IndexFunc(t.Columns, func(c report.Column) bool { return c.Header == a.Header })
		for _, row := range t.Rows {
			if ci < 0 || cellText(row[0]) != a.Row {
				continue
			}
			if _, ok := row[ci].(float64); ok {
				row[ci] = report.Confidential
				return true
			}
		}
	}
	return false
}

// book is the tables as the intruder reads them from the file.
func book(tables []report.Table) disclosure.Book {
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
	return b
}

func cellText(c report.Cell) string {
	switch v := c.(type) {
	case string:
		return v
	case report.Shorthand:
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
func (b builder) coverage(q metrics.Quarter) report.Cell {
	if q.Coverage == nil || *q.Coverage == 0 {
		return b.orgShare(q.Coverage) // not available, or nobody reported: no one to protect
	}
	return b.share(q.Coverage, q.Headcount, int64(math.Round(float64(q.Headcount) / *q.Coverage)))
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
