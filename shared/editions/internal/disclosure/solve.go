// Package disclosure is an intruder who reads a published workbook, as anyone could, and
// tries to work out the counts of 1 to 4 it withholds. Every published figure becomes an
// interval on a whole number: a count rounded to the nearest 5 shown as n means n−2 to n+2
// (5 means 5 to 7, because 3 and 4 are withheld), [c] means 1 to 4, a share stored to
// 0.1% means its numerator over its base lies within 0.05 percentage points of it. The
// relations every reader knows from the notes (families and grades add up to the DDaT
// headcount, organisations add up to the government, cumulative entrants add up
// quarter by quarter) tie the intervals together, and narrowing them until nothing moves
// shows which withheld counts are pinned to a single value, and how.
//
// The published edition runs it on itself before it is written, to find the shares that
// have to be withheld as well; the tests run it on the written files, and on two
// revisions of the same month.
package disclosure

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// inf stands for no upper bound: far above any count of people, far below overflow when
// thousands of them are added.
const inf = int64(1) << 40

// variable is one unknown whole number ≥ 0.
type variable struct {
	name   string
	lo, hi int64
	why    []string // what narrowed it, most recent last
	cells  []string // the published cells that show it
	small  bool     // shown as [c]: the count the intruder is after
	seen   []At     // where it is shown
	at     []At     // where it is shown as a number
	shown  int64    // the number shown there
}

// rows are the rows it is shown in, each as its revision and the first cell of the row.
func (x variable) rows() []string {
	out := make([]string, len(x.seen))
	for i, a := range x.seen {
		out[i] = a.Revision + "\x00" + a.Row
	}
	return out
}

// term is c·x.
type term struct {
	v int
	c int64
}

// sum says Σ c·x = 0.
type sum struct {
	terms []term
	what  string
}

// ratio says num/den lies in [lo, hi].
type ratio struct {
	num, den int
	lo, hi   float64
	what     string
	at       At
}

// At is where a figure is shown: the sheet, the first cell of its row, and its column's
// header; Revision says which of two workbooks, when there are two.
type At struct {
	Revision, Sheet, Row, Header string
}

func (a At) String() string { return a.Revision + a.Sheet + ", " + a.Row + ", " + a.Header }

// Share is a published share: Num ÷ Den, shown At.
type Share struct {
	At       At
	Num, Den string
}

// Shares lists the shares the intruder used.
func (s *System) Shares() []Share {
	out := make([]Share, len(s.ratios))
	for i, r := range s.ratios {
		out[i] = Share{At: r.at, Num: s.vars[r.num].name, Den: s.vars[r.den].name}
	}
	return out
}

// System is what the intruder knows.
type System struct {
	vars   []variable
	index  map[string]int
	sums   []sum
	ratios []ratio
	// Contradictions are relations that no values satisfy: either the figures are
	// inconsistent or the intruder assumed a relation that does not hold.
	Contradictions []string
}

// NewSystem is an intruder who knows nothing yet.
func NewSystem() *System { return &System{index: map[string]int{}} }

// v is the variable called name, made on first use as any whole number ≥ 0.
func (s *System) v(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	s.vars = append(s.vars, variable{name: name, lo: 0, hi: inf})
	s.index[name] = len(s.vars) - 1
	return len(s.vars) - 1
}

// Observe narrows name to [lo, hi] because the cell at shows it: as [c] if small, as
// the number shown if shown is not nil.
func (s *System) Observe(name string, lo, hi int64, at At, small bool, shown *int64) {
	i := s.v(name)
	x := &s.vars[i]
	cell := at.String()
	x.cells = append(x.cells, cell)
	x.small = x.small || small
	x.seen = append(x.seen, at)
	if shown != nil {
		x.at = append(x.at, at)
		x.shown = *shown
	}
	s.narrow(i, lo, hi, "shown in "+cell)
}

// Sum adds the relation Σ plus − Σ minus = 0.
func (s *System) Sum(what string, plus, minus []string) {
	var ts []term
	for _, n := range plus {
		ts = append(ts, term{s.v(n), 1})
	}
	for _, n := range minus {
		ts = append(ts, term{s.v(n), -1})
	}
	s.sums = append(s.sums, sum{terms: ts, what: what})
}

// AtMost adds small ≤ big, through a slack variable.
func (s *System) AtMost(what, small, big string) {
	s.Sum(what, []string{small, "slack " + small + " ≤ " + big}, []string{big})
}

// Ratio adds num/den ∈ [lo, hi], shown in cell.
func (s *System) Ratio(what, num, den string, lo, hi float64, at At) {
	s.ratios = append(s.ratios, ratio{num: s.v(num), den: s.v(den), lo: max(lo, 0), hi: hi, what: what, at: at})
}

func (s *System) narrow(i int, lo, hi int64, why string) bool {
	x := &s.vars[i]
	changed := false
	if lo > x.lo {
		x.lo, changed = lo, true
	}
	if hi < x.hi {
		x.hi, changed = hi, true
	}
	if changed {
		if len(x.why) == 0 || x.why[len(x.why)-1] != why {
			x.why = append(x.why, why)
		}
		if x.lo > x.hi {
			s.Contradictions = append(s.Contradictions, fmt.Sprintf("%s has no value: %s", x.name, strings.Join(x.why, "; ")))
			x.lo = x.hi // keep going with something
		}
	}
	return changed
}

// Solve narrows every interval until none moves.
func (s *System) Solve() {
	for pass := 0; pass < 500; pass++ {
		changed := false
		for _, c := range s.sums {
			changed = s.propagateSum(c) || changed
		}
		for _, r := range s.ratios {
			changed = s.propagateRatio(r) || changed
		}
		if !changed || len(s.Contradictions) > 0 {
			return
		}
	}
}

// propagateSum: each term is minus the sum of the others.
func (s *System) propagateSum(c sum) bool {
	var lo, hi int64 // bounds of Σ c·x over all terms, counting the infinite ones apart
	var infLo, infHi int
	bounds := func(t term) (l, h int64, li, hi bool) {
		x := s.vars[t.v]
		if t.c > 0 {
			return t.c * x.lo, t.c * x.hi, false, x.hi >= inf
		}
		return t.c * x.hi, t.c * x.lo, x.hi >= inf, false
	}
	for _, t := range c.terms {
		l, h, li, hin := bounds(t)
		if li {
			infLo++
		} else {
			lo += l
		}
		if hin {
			infHi++
		} else {
			hi += h
		}
	}
	changed := false
	for _, t := range c.terms {
		l, h, li, hin := bounds(t)
		// Σ others ∈ [oLo, oHi]; c·x = −Σ others.
		oLo, oHi := lo, hi
		oInfLo, oInfHi := infLo, infHi
		if li {
			oInfLo--
		} else {
			oLo -= l
		}
		if hin {
			oInfHi--
		} else {
			oHi -= h
		}
		// c·x ∈ [−oHi, −oLo]
		nlo, nhi := int64(0), inf
		if t.c > 0 {
			if oInfHi == 0 {
				nlo = ceilDiv(-oHi, t.c)
			}
			if oInfLo == 0 {
				nhi = floorDiv(-oLo, t.c)
			}
		} else {
			if oInfLo == 0 {
				nlo = ceilDiv(oLo, -t.c)
			}
			if oInfHi == 0 {
				nhi = floorDiv(oHi, -t.c)
			}
		}
		if s.narrow(t.v, nlo, nhi, c.what) {
			changed = true
			// Replace the term's old contribution to the totals with its new one.
			if li {
				infLo--
			} else {
				lo -= l
			}
			if hin {
				infHi--
			} else {
				hi -= h
			}
			l, h, li, hin = bounds(t)
			if li {
				infLo++
			} else {
				lo += l
			}
			if hin {
				infHi++
			} else {
				hi += h
			}
		}
	}
	return changed
}

func (s *System) propagateRatio(r ratio) bool {
	const eps = 1e-9
	n, d := s.vars[r.num], s.vars[r.den]
	why := r.what + " (" + r.at.String() + ")"
	nlo, nhi := int64(0), inf
	nlo = int64(math.Ceil(r.lo*float64(d.lo) - eps))
	if d.hi < inf {
		nhi = int64(math.Floor(r.hi*float64(d.hi) + eps))
	}
	changed := s.narrow(r.num, nlo, nhi, why)
	n = s.vars[r.num]
	dlo, dhi := int64(0), inf
	if r.hi > 0 && n.lo > 0 {
		dlo = int64(math.Ceil(float64(n.lo)/r.hi - eps))
	}
	if r.lo > 0 && n.hi < inf {
		dhi = int64(math.Floor(float64(n.hi)/r.lo + eps))
	}
	if n.lo > 0 {
		dlo = max(dlo, 1) // a share was computed, so the base is not zero
	}
	return s.narrow(r.den, dlo, dhi, why) || changed
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// Finding is a withheld count the intruder worked out.
type Finding struct {
	Name  string   // the unknown, such as "org HMRC ddat_headcount"
	Cells []string // where it is shown as [c]
	Lo    int64    // the interval it was narrowed to
	Hi    int64
	How   []string // the relations that narrowed it, in order
}

func (f Finding) String() string {
	v := fmt.Sprintf("%d", f.Lo)
	if f.Hi != f.Lo {
		v = fmt.Sprintf("%d to %d", f.Lo, f.Hi)
	}
	return fmt.Sprintf("%s (%s) is %s: %s", f.Name, strings.Join(f.Cells, ", "), v, strings.Join(f.How, "; then "))
}

// Derived lists the counts shown as [c] that are pinned to one value of 1 to 4. A [c]
// pinned to 0 or to 5 or more hid a count withheld to protect another, not one of the
// counts the intruder is after.
func (s *System) Derived() []Finding {
	return s.findings(func(x variable) bool { return x.lo == x.hi && x.lo >= 1 && x.lo <= 4 })
}

// Narrowed lists the counts shown as [c] that are known more closely than 1 to 4.
func (s *System) Narrowed() []Finding {
	return s.findings(func(x variable) bool { return x.lo > 1 || x.hi < 4 })
}

func (s *System) findings(keep func(variable) bool) []Finding {
	var out []Finding
	for _, x := range s.vars {
		if x.small && keep(x) {
			out = append(out, Finding{Name: x.name, Cells: x.cells, Lo: x.lo, Hi: x.hi, How: x.why})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Interval is what the intruder knows of name after Solve; ok is false for an unknown
// it never heard of.
func (s *System) Interval(name string) (lo, hi int64, ok bool) {
	i, ok := s.index[name]
	if !ok {
		return 0, 0, false
	}
	return s.vars[i].lo, s.vars[i].hi, true
}

// Names lists every unknown.
func (s *System) Names() []string {
	out := make([]string, len(s.vars))
	for i, x := range s.vars {
		out[i] = x.name
	}
	return out
}

// Related lists the unknowns that share a relation with name, for a defender choosing
// what else to withhold.
func (s *System) Related(name string) map[string]bool {
	i, ok := s.index[name]
	out := map[string]bool{}
	if !ok {
		return out
	}
	for _, c := range s.sums {
		in := false
		for _, t := range c.terms {
			in = in || t.v == i
		}
		if in {
			for _, t := range c.terms {
				out[s.vars[t.v].name] = true
			}
		}
	}
	return out
}

// Count is a count of people published as a number, which a defender could withhold.
type Count struct {
	Name  string
	At    []At  // every cell that shows it
	Shown int64 // the number shown
}

// Candidates lists the counts published as numbers that are tied to name through the
// sums, in the order a defender should withhold them to protect name:
//   - the nearest first (in a sum with name, then in a sum with those, and so on);
//   - then the government's figures before an organisation's: an organisation's figures
//     stay as they were in a revision that does not change its return, so a cover taken
//     from them would be undone by the other revision showing them, while the
//     government's figures for the quarter change with every revision of it;
//   - then the other parts of a breakdown before its totals, which keeps totals;
//   - then those in name's own row (its quarter or its organisation);
//   - then the smallest shown, a 0 first: withholding it hides nobody, but it makes
//     every [c] of its row any count to a reader;
//   - then by name.
func (s *System) Candidates(name string) []Count {
	start, ok := s.index[name]
	if !ok {
		return nil
	}
	in := make([][]int, len(s.vars)) // the sums each unknown is in
	for ci, c := range s.sums {
		for _, t := range c.terms {
			in[t.v] = append(in[t.v], ci)
		}
	}
	rows := map[string]bool{}
	for _, r := range s.vars[start].rows() {
		rows[r] = true
	}
	type found struct {
		v                     int
		dist                  int
		gov, sibling, sameRow bool
	}
	dist := make([]int, len(s.vars))
	for i := range dist {
		dist[i] = -1
	}
	dist[start] = 0
	sign := make([]int64, len(s.vars)) // the sign of each unknown relative to start
	sign[start] = 1
	queue := []int{start}
	var out []found
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, ci := range in[u] {
			var cu int64
			for _, t := range s.sums[ci].terms {
				if t.v == u {
					cu = t.c
				}
			}
			for _, t := range s.sums[ci].terms {
				if dist[t.v] >= 0 {
					continue
				}
				dist[t.v] = dist[u] + 1
				// A term on the same side of a sum as u is its sibling.
				if (t.c > 0) == (cu > 0) {
					sign[t.v] = sign[u]
				} else {
					sign[t.v] = -sign[u]
				}
				queue = append(queue, t.v)
				x := s.vars[t.v]
				if len(x.at) == 0 {
					continue
				}
				same := false
				for _, r := range x.rows() {
					same = same || rows[r]
				}
				out = append(out, found{v: t.v, dist: dist[t.v], gov: !organisation(x.name), sibling: sign[t.v] == sign[start], sameRow: same})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.dist != b.dist:
			return a.dist < b.dist
		case a.gov != b.gov:
			return a.gov
		case a.sibling != b.sibling:
			return a.sibling
		case a.sameRow != b.sameRow:
			return a.sameRow
		case s.vars[a.v].shown != s.vars[b.v].shown:
			return s.vars[a.v].shown < s.vars[b.v].shown
		}
		return s.vars[a.v].name < s.vars[b.v].name
	})
	cs := make([]Count, len(out))
	for i, f := range out {
		x := s.vars[f.v]
		cs[i] = Count{Name: x.name, At: x.at, Shown: x.shown}
	}
	return cs
}

// organisation reports whether the unknown called name is an organisation's figure.
func organisation(name string) bool {
	if _, after, ok := strings.Cut(name, ": "); ok && strings.HasPrefix(name, "revision ") {
		name = after
	}
	return strings.HasPrefix(name, "organisation ")
}
