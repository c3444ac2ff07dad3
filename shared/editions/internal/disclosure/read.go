package disclosure

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ddat-workforce/returns/shared/period"
)

// Grid is one table as a reader sees it: its header row and its data rows, each cell as
// the text or the number stored in it (a number as Go or Excel writes it, such as
// 0.061 or 6.1224489795918366E-2).
type Grid struct {
	Header []string
	Rows   [][]string
}

// withheldIn begins the sentence of the notes that lists the rows in which counts other
// than 1 to 4 are shown as [c], so that a count of 1 to 4 cannot be worked out from the
// others (secondary suppression).
const withheldIn = "To stop a count of 1 to 4 being worked out from the others, some other counts (which may be 0 or 5 or more) are also shown as [c] in these rows (sheet: row): "

// WithheldRows is the sentence of the notes that lists the rows, given as the sheet and
// the first cell of each, in which counts other than 1 to 4 are shown as [c]; "" if none.
// A reader knows that a [c] in those rows may be any count, and elsewhere 1 to 4.
func WithheldRows(rows []At) string {
	if len(rows) == 0 {
		return ""
	}
	parts := make([]string, len(rows))
	for i, a := range rows {
		parts[i] = a.Sheet + ": " + a.Row
	}
	return withheldIn + strings.Join(parts, "; ") + "."
}

// withheldRows reads the rows the notes list as WithheldRows writes them.
func withheldRows(notes Grid) map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, row := range notes.Rows {
		for _, text := range row {
			_, list, ok := strings.Cut(text, withheldIn)
			if !ok {
				continue
			}
			// The sentence ends the note; sheet names cannot hold a colon.
			for _, p := range strings.Split(strings.TrimSuffix(list, "."), "; ") {
				if sheet, row, ok := strings.Cut(p, ": "); ok {
					out[[2]string{sheet, row}] = true
				}
			}
		}
	}
	return out
}

// Book is a workbook's tables by sheet name.
type Book map[string]Grid

func (g Grid) col(header string) int { return slices.Index(g.Header, header) }

func (g Grid) colPrefix(prefix string) int {
	return slices.IndexFunc(g.Header, func(h string) bool { return strings.HasPrefix(h, prefix) })
}

// Revision is what the intruder knows of how a later revision differs from the one
// before: the organisations whose returns for Quarter were sent, revised or withdrawn.
// Everything else, they assume, stayed the same.
type Revision struct {
	Quarter string
	Changed []string
}

// Attack is the intruder reading one published workbook.
func Attack(b Book) *System {
	s := NewSystem()
	r := reader{s: s, withheld: withheldRows(b["Notes"]), rounded: rounded(b)}
	r.read(b)
	s.Solve()
	return s
}

// AttackRevisions is the intruder reading two revisions of the same month.
func AttackRevisions(before, after Book, change Revision) *System {
	s := NewSystem()
	for i, b := range []Book{before, after} {
		r := reader{s: s, withheld: withheldRows(b["Notes"]), rev: fmt.Sprintf("revision %d: ", i+1), change: &change, rounded: rounded(b)}
		r.read(b)
	}
	s.Solve()
	return s
}

type reader struct {
	s        *System
	withheld map[[2]string]bool // sheet and row in which [c] may be any count
	rev      string             // prefix of the unknowns that may differ between revisions
	change   *Revision          // nil for a single workbook
	rounded  bool
}

// gov names the government-wide figure what for quarter q.
func (r *reader) gov(q, what string) string {
	if r.change != nil && q == r.change.Quarter {
		return r.rev + "government " + q + " " + what
	}
	return "government " + q + " " + what
}

// org names an organisation's figure at the reference quarter.
func (r *reader) org(code, at, what string) string {
	if r.change != nil && slices.Contains(r.change.Changed, code) {
		return r.rev + "organisation " + at + " " + what
	}
	return "organisation " + at + " " + what
}

func (r *reader) cell(sheet, row, header string) At {
	return At{Revision: r.rev, Sheet: sheet, Row: row, Header: header}
}

// count observes a count of people.
func (r *reader) count(name, text string, at At) {
	switch {
	case text == "[c]" && r.withheld[[2]string{at.Sheet, at.Row}]:
		r.s.Observe(name, 0, inf, at, true, nil) // 1 to 4, or a count withheld to protect one
		return
	case text == "[c]":
		r.s.Observe(name, 1, 4, at, true, nil)
		return
	case text == "[x]" || text == "[z]" || text == "":
		return
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return
	}
	n := int64(math.Round(f))
	switch {
	case !r.rounded:
		r.s.Observe(name, n, n, at, false, &n)
	case n == 0:
		r.s.Observe(name, 0, 0, at, false, &n) // zeros are shown as they are
	default:
		r.s.Observe(name, max(n-2, 5), n+2, at, false, &n) // 1 to 4 would be [c]
	}
}

// share observes num/den, as precisely as the stored number says.
func (r *reader) share(what, num, den, text string, at At) {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return
	}
	h := halfWidth(v)
	r.s.Ratio(what, num, den, v-h, v+h, at)
}

// halfWidth is how far the true value may lie from a stored number: half a unit of its
// last decimal place, or for a number stored to full precision, its rounding error.
func halfWidth(v float64) float64 {
	for k := 0; k <= 9; k++ {
		p := math.Pow10(k)
		if math.Abs(math.Round(v*p)/p-v) <= 1e-12*math.Max(1, math.Abs(v)) {
			return 0.5/p + 1e-12
		}
	}
	return math.Abs(v)*1e-12 + 1e-15
}

// rounded says whether the counts of people in b are rounded: every one is [c] or a
// multiple of 5.
func rounded(b Book) bool {
	g, ok := b["Organisations"]
	if !ok {
		return true
	}
	for _, h := range []string{"Headcount (number)", "DDaT headcount (number)"} {
		c := g.col(h)
		if c < 0 {
			continue
		}
		for _, row := range g.Rows {
			if f, err := strconv.ParseFloat(row[c], 64); err == nil && int64(f)%5 != 0 {
				return false
			}
		}
	}
	return true
}

func (r *reader) read(b Book) {
	quarters := r.series(b["DDaT share"])
	r.breakdown(b["Job families"], "Job families", "DDaT headcount", "families")
	r.breakdown(b["Grades"], "Grades", "DDaT headcount", "grades")
	r.routes(b["Entrants by route"])
	r.earlyCareer(b["Early-career entrants"])
	if len(quarters) > 0 {
		r.organisations(b["Organisations"], quarters[len(quarters)-1])
	}
	r.leadership(b["Leadership"])
}

// series reads the government's headcount, DDaT headcount and shares by quarter.
func (r *reader) series(g Grid) []string {
	const sheet = "DDaT share"
	cq, ch, cd := g.col("Quarter"), g.col("Headcount (number)"), g.col("DDaT headcount (number)")
	cs, ck := g.col("DDaT share (percent)"), g.colPrefix("DDaT share of staff with a recorded profession")
	if cq < 0 || ch < 0 || cd < 0 {
		return nil
	}
	var qs []string
	for _, row := range g.Rows {
		q := row[cq]
		qs = append(qs, q)
		h, d := r.gov(q, "headcount"), r.gov(q, "DDaT headcount")
		r.count(h, row[ch], r.cell(sheet, q, g.Header[ch]))
		r.count(d, row[cd], r.cell(sheet, q, g.Header[cd]))
		if cs >= 0 {
			r.share("DDaT headcount ÷ headcount", d, h, row[cs], r.cell(sheet, q, g.Header[cs]))
		}
		if ck >= 0 {
			// headcount = staff with a recorded profession + staff without one
			known, unknown := r.gov(q, "headcount with a recorded profession"), r.gov(q, "headcount without a recorded profession")
			r.s.Sum("headcount = recorded profession + not recorded, "+q, []string{known, unknown}, []string{h})
			r.share("DDaT headcount ÷ headcount with a recorded profession", d, known, row[ck], r.cell(sheet, q, g.Header[ck]))
		}
	}
	return qs
}

// breakdown reads a table of one row per quarter whose count columns add up to the
// government's figure total.
func (r *reader) breakdown(g Grid, sheet, total, what string) {
	cq := g.col("Quarter")
	if cq < 0 {
		return
	}
	for _, row := range g.Rows {
		q := row[cq]
		if _, err := period.ParseQuarter(q); err != nil {
			continue
		}
		var parts []string
		for c, h := range g.Header {
			if c == cq || !strings.HasSuffix(h, "(number)") {
				continue
			}
			name := r.gov(q, what+": "+h)
			r.count(name, row[c], r.cell(sheet, q, h))
			parts = append(parts, name)
		}
		r.s.Sum(fmt.Sprintf("%s add up to the %s, %s", what, total, q), parts, []string{r.gov(q, total)})
	}
}

func (r *reader) routes(g Grid) {
	const sheet = "Entrants by route"
	cq, ce, ct := g.col("Quarter"), g.colPrefix("All early-career entrants"), g.colPrefix("All entrants including")
	if cq < 0 || ce < 0 {
		return
	}
	for _, row := range g.Rows {
		q := row[cq]
		if _, err := period.ParseQuarter(q); err != nil {
			continue
		}
		var parts []string
		for c, h := range g.Header {
			if c == cq || c == ce || c == ct || !strings.HasSuffix(h, "(number)") {
				continue
			}
			name := r.gov(q, "entrants: "+h)
			r.count(name, row[c], r.cell(sheet, q, h))
			parts = append(parts, name)
		}
		early := r.gov(q, "early-career entrants")
		r.count(early, row[ce], r.cell(sheet, q, g.Header[ce]))
		r.s.Sum("routes add up to the early-career entrants, "+q, parts, []string{early})
		if ct >= 0 {
			all := r.gov(q, "all entrants")
			r.count(all, row[ct], r.cell(sheet, q, g.Header[ct]))
			r.s.AtMost("early-career entrants are among all entrants, "+q, early, all)
		}
	}
}

func (r *reader) earlyCareer(g Grid) {
	const sheet = "Early-career entrants"
	cq, ce, cc := g.col("Quarter"), g.colPrefix("Early-career entrants"), g.colPrefix("Cumulative early-career entrants")
	if cq < 0 || ce < 0 || cc < 0 {
		return
	}
	var prev string
	for _, row := range g.Rows {
		q := row[cq]
		pq, err := period.ParseQuarter(q)
		if err != nil {
			continue
		}
		early, cum := r.gov(q, "early-career entrants"), r.gov(q, "cumulative early-career entrants")
		r.count(early, row[ce], r.cell(sheet, q, g.Header[ce]))
		r.count(cum, row[cc], r.cell(sheet, q, g.Header[cc]))
		if prev == "" {
			r.s.Sum("the first quarter of the window starts the running sum, "+q, []string{early}, []string{cum})
		} else if pp, _ := period.ParseQuarter(prev); pp.Next() == pq {
			r.s.Sum("the running sum grows by the quarter's entrants, "+q, []string{r.gov(prev, "cumulative early-career entrants"), early}, []string{cum})
		}
		prev = q
	}
}

// organisations reads the organisations at the reference quarter; those whose figures
// are for it add up to the government's.
func (r *reader) organisations(g Grid, ref string) {
	const sheet = "Organisations"
	cc, ck, cs, cq := g.col("Organisation code"), g.col("Kind"), g.col("Return status"), g.col("Quarter of the figures")
	ch, cd := g.col("Headcount (number)"), g.col("DDaT headcount (number)")
	csh, ckn, ce := g.col("DDaT share (percent)"), g.colPrefix("DDaT share of staff with a recorded profession"), g.col("Early-career entrants (number)")
	if cc < 0 || ch < 0 || cd < 0 {
		return
	}
	sums := map[string][]string{}
	for _, row := range g.Rows {
		code := row[cc]
		inSum := ck >= 0 && cs >= 0 && cq >= 0 && row[ck] == "civil service" && row[cq] == ref &&
			(row[cs] == "submitted" || row[cs] == "late")
		if row[ch] == "[z]" || (!inSum && row[ch] == "[x]") {
			continue
		}
		// Keyed by the quarter of the figures: a row carried forward is another quarter's.
		at := code
		if cq >= 0 {
			at += " " + row[cq]
		}
		h, d, e := r.org(code, at, "headcount"), r.org(code, at, "DDaT headcount"), r.org(code, at, "early-career entrants")
		known, unknown := r.org(code, at, "headcount with a recorded profession"), r.org(code, at, "headcount without a recorded profession")
		r.count(h, row[ch], r.cell(sheet, code, g.Header[ch]))
		r.count(d, row[cd], r.cell(sheet, code, g.Header[cd]))
		r.s.AtMost("DDaT staff are among all staff, "+code, d, h)
		if csh >= 0 {
			r.share("DDaT headcount ÷ headcount, "+code, d, h, row[csh], r.cell(sheet, code, g.Header[csh]))
		}
		r.s.Sum("headcount = recorded profession + not recorded, "+code, []string{known, unknown}, []string{h})
		if ckn >= 0 {
			r.share("DDaT headcount ÷ headcount with a recorded profession, "+code, d, known, row[ckn], r.cell(sheet, code, g.Header[ckn]))
		}
		if ce >= 0 {
			r.count(e, row[ce], r.cell(sheet, code, g.Header[ce]))
		}
		if inSum {
			sums["headcount"] = append(sums["headcount"], h)
			sums["DDaT headcount"] = append(sums["DDaT headcount"], d)
			sums["headcount without a recorded profession"] = append(sums["headcount without a recorded profession"], unknown)
			sums["early-career entrants"] = append(sums["early-career entrants"], e)
		}
	}
	for _, what := range []string{"headcount", "DDaT headcount", "headcount without a recorded profession", "early-career entrants"} {
		r.s.Sum(fmt.Sprintf("organisations' %s add up to the government's, %s", what, ref), sums[what], []string{r.gov(ref, what)})
	}
}

// leadership reads each organisation's senior counts: the assessed appointees are among
// the appointees, and the roles with a plan among the roles.
func (r *reader) leadership(g Grid) {
	const sheet = "Leadership"
	cc := g.col("Organisation code")
	if cc < 0 {
		return
	}
	pairs := [][2]string{{"Appointees assessed", "Directors and directors general appointed"}, {"Roles with a succession plan", "Digital and data director and DG roles"},
		{"CSLG members who have attended", "Civil Service Leadership Group members"}}
	for _, row := range g.Rows {
		code := row[cc]
		for c, h := range g.Header {
			if strings.HasSuffix(h, "(number)") {
				r.count(r.org(code, code, h), row[c], r.cell(sheet, code, h))
			}
		}
		for _, p := range pairs {
			part, whole := g.colPrefix(p[0]), g.colPrefix(p[1])
			if part >= 0 && whole >= 0 && !strings.HasPrefix(row[part], "[x") && row[part] != "[z]" && row[whole] != "[x]" && row[whole] != "[z]" {
				r.s.AtMost(strings.ToLower(p[0])+" are among the "+strings.ToLower(p[1])+", "+code, r.org(code, code, g.Header[part]), r.org(code, code, g.Header[whole]))
			}
		}
	}
}
