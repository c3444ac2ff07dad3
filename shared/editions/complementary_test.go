package editions

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/editions/internal/disclosure"
	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/register"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// fewOrganisations is the month the OpenAPI suite rolls up on a fresh stack: the seeded
// register, none of which has sent a return, and one large civil-service body and a
// council of its own with returns for two quarters. The body's early-career entrants
// are a handful a quarter, so a route or two is [c] beside a rounded total: with
// shares withheld there is nothing left but counts to hide them with.
func fewOrganisations(t testing.TB) rollup.Snapshot {
	t.Helper()
	orgs, err := register.Seed()
	if err != nil {
		t.Fatal(err)
	}
	cs := workforce.Organisation{Code: "OA000000001EEF", Name: "OpenAPI test civil-service body", Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 12000}
	lg := workforce.Organisation{Code: "OB000000000001", Name: "OpenAPI test local-government body", Kind: workforce.LocalGovernment, BaselineHeadcount: 900, ActiveFrom: "2020-04-01"}
	orgs = append(orgs, cs, lg)
	reg := workforce.Register{}
	for _, o := range orgs {
		reg[o.Code] = o
	}
	q := period.MustQuarter("2025-26-Q1")
	var in []metrics.Input
	for _, o := range []workforce.Organisation{cs, lg} {
		for _, p := range []period.Quarter{q.Prev(), q} {
			in = append(in, input(t, reg, sample.Return(o, p), time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC)))
		}
	}
	return snapshotOf(t, orgs, in, "2025-08", 1)
}

// TestPublishedEditionOfAFewOrganisations is the rollup that failed: the intruder pinned
// a Fast Stream entrant of 1 by taking the rounded routes from the rounded total, and no
// share was left to withhold. Now a further count is withheld, and the edition is written.
func TestPublishedEditionOfAFewOrganisations(t *testing.T) {
	s := fewOrganisations(t)
	for _, f := range rollup.Formats {
		if _, err := RenderFormat(s, rollup.EditionPublished, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	exact := truth(t, s)
	if lo, hi, _ := exact.Interval("government 2024-25-Q4 entrants: Fast Stream (number)"); lo != 1 || hi != 1 {
		t.Fatalf("the data set has changed: %d to %d Fast Stream entrants in 2024-25-Q4, want the 1 that tempted the intruder", lo, hi)
	}
	book := readEdition(t, s, published)
	if got := book["Entrants by route"].Rows[0][2]; got != "[c]" {
		t.Errorf("Fast Stream entrants in 2024-25-Q4 shown as %q, want [c]", got)
	}
	sys := disclosure.Attack(book)
	for _, f := range sys.Derived() {
		t.Errorf("derived %s", f)
	}
	sound(t, sys, exact, "")

	// Without complementary suppression the intruder finds it.
	bare := published
	bare.complementary = false
	var found bool
	for _, f := range disclosure.Attack(readEdition(t, s, bare)).Derived() {
		found = found || (f.Name == "government 2024-25-Q4 entrants: Fast Stream (number)" && f.Lo == 1)
	}
	if !found {
		t.Error("without complementary suppression the intruder does not find the Fast Stream entrant: the case no longer tests it")
	}
	wb, rows := layout(s, rollup.EditionPublished, published)
	if len(rows) == 0 {
		t.Fatal("no further count withheld to protect the Fast Stream entrant")
	}
	if n := wb.Notes[noteDisclosure-1].Text; !strings.Contains(n, disclosure.WithheldRows(rows)) {
		t.Errorf("the disclosure note does not list the rows with further counts withheld: %q", n)
	}
	// One count suffices, the smallest beside the two [c]: the internships' 0.
	if want := []disclosure.At{{Sheet: "Entrants by route", Row: "2024-25-Q4"}}; fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("further counts withheld in %v, want only in %v", rows, want)
	}
	if got := strings.Join(book["Entrants by route"].Rows[0], " "); got != "2024-25-Q4 5 [c] [c] [c] 0 5 25" {
		t.Errorf("entrants by route in 2024-25-Q4: %s, want 2024-25-Q4 5 [c] [c] [c] 0 5 25", got)
	}
}

// smallWorld is a random small month: 1 to 8 civil-service organisations of 20 to 200
// people with a few DDaT staff and fewer entrants, 1 to 4 quarters of returns, and
// sometimes a second revision in which one organisation's return for the reference
// quarter arrives late or is corrected.
type smallWorld struct {
	orgs     []workforce.Organisation
	quarters []period.Quarter
	returns  map[string]map[string]string // by "code quarter"
	inputs   map[string]metrics.Input     // the returns normalised, by "code quarter"
	late     string                       // the organisation whose return is missing from revision 1
	revised  string                       // the organisation whose return revision 2 corrects
}

func newSmallWorld(r *rand.Rand) *smallWorld {
	w := &smallWorld{returns: map[string]map[string]string{}, inputs: map[string]metrics.Input{}}
	last := period.MustQuarter("2025-26-Q2")
	w.quarters = period.Range(last.Add(-r.IntN(4)), last)
	for i := range 1 + r.IntN(8) {
		w.orgs = append(w.orgs, workforce.Organisation{Code: fmt.Sprintf("SW%02d", i+1), Name: fmt.Sprintf("Small World Office %d", i+1),
			Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: int64(20 + r.IntN(181))})
	}
	for _, o := range w.orgs {
		for _, q := range w.quarters {
			w.returns[o.Code+" "+q.String()] = smallReturn(r, o, q)
		}
	}
	switch r.IntN(3) {
	case 1:
		w.late = w.orgs[r.IntN(len(w.orgs))].Code
	case 2:
		w.revised = w.orgs[r.IntN(len(w.orgs))].Code
	}
	return w
}

// smallReturn is a return of o for q with small, random, consistent figures.
func smallReturn(r *rand.Rand, o workforce.Organisation, q period.Quarter) map[string]string {
	v := sample.Return(o, q)
	set := func(k string, n int64) { v[k] = strconv.FormatInt(n, 10) }
	hc := o.BaselineHeadcount + int64(r.IntN(5))
	unknown := int64(r.IntN(4))
	d := min(int64(r.IntN(13)), hc-unknown)
	set(workforce.KeyHeadcount, hc)
	v[workforce.KeyFTE] = fmt.Sprintf("%.2f", float64(hc)*0.9)
	set(workforce.KeyProfessionUnknown, unknown)
	set(workforce.KeyDDaTHeadcount, d)
	v[workforce.KeyDDaTFTE] = fmt.Sprintf("%.2f", float64(d)*0.9)
	splitRandom(r, v, workforce.FamilyKeys, d)
	splitRandom(r, v, workforce.GradeKeys, d)
	var early int64
	for _, k := range workforce.EarlyCareerKeys {
		n := int64(0)
		if r.IntN(3) == 0 {
			n = int64(1 + r.IntN(3))
		}
		set(k, n)
		early += n
	}
	set(workforce.KeyEntrantsTotal, early+int64(r.IntN(4)))
	return v
}

// splitRandom shares n across keys, each person in one of the first few keys, so that a
// breakdown has a few small cells and many zeros.
func splitRandom(r *rand.Rand, v map[string]string, keys []string, n int64) {
	parts := make([]int64, len(keys))
	used := 1 + r.IntN(len(keys))
	for range n {
		parts[r.IntN(used)]++
	}
	for i, k := range keys {
		v[k] = strconv.FormatInt(parts[i], 10)
	}
}

// snapshot is revision 1 or 2 of the world's month.
func (w *smallWorld) snapshot(tb testing.TB, revision int) rollup.Snapshot {
	tb.Helper()
	reg := workforce.Register{}
	for _, o := range w.orgs {
		reg[o.Code] = o
	}
	ref := w.quarters[len(w.quarters)-1]
	received := time.Date(2025, 10, 20, 9, 0, 0, 0, time.UTC)
	var in []metrics.Input
	for _, o := range w.orgs {
		for _, q := range w.quarters {
			key := o.Code + " " + q.String()
			switch {
			case q == ref && revision == 1 && o.Code == w.late:
				continue
			case q == ref && revision == 2 && o.Code == w.revised:
				in = append(in, input(tb, reg, correct(w.returns[key]), received))
				continue
			}
			if _, ok := w.inputs[key]; !ok {
				w.inputs[key] = input(tb, reg, w.returns[key], received)
			}
			in = append(in, w.inputs[key])
		}
	}
	return snapshotOf(tb, w.orgs, in, "2025-10", revision)
}

// correct is a return with one more DDaT member of staff, in the first job family and
// grade, who joined through an apprenticeship.
func correct(v map[string]string) map[string]string {
	out := map[string]string{}
	for k, x := range v {
		out[k] = x
	}
	inc := func(k string) {
		n, _ := strconv.ParseInt(out[k], 10, 64)
		out[k] = strconv.FormatInt(n+1, 10)
	}
	for _, k := range []string{workforce.KeyDDaTHeadcount, workforce.FamilyKeys[0], workforce.GradeKeys[0], workforce.EarlyCareerKeys[0], workforce.KeyEntrantsTotal} {
		inc(k)
	}
	return out
}

// TestPublishedEditionOfSmallWorlds lays out the published edition of a few hundred
// random small months: it is always made, and the intruder derives no count of 1 to 4
// from it, nor from the two revisions of a month that has them. Every fiftieth is written in
// both formats and read back from the XLSX file, twice, to the same bytes.
func TestPublishedEditionOfSmallWorlds(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	var rows, editions, pairs int
	for i := range n {
		w := newSmallWorld(rand.New(rand.NewPCG(9, uint64(i))))
		revisions := []int{1}
		if w.late != "" || w.revised != "" {
			revisions = append(revisions, 2)
		}
		var books []disclosure.Book
		for _, rev := range revisions {
			s := w.snapshot(t, rev)
			wb, withheld := layout(s, rollup.EditionPublished, published)
			rows += len(withheld)
			b := book(wb.Tables, withheld)
			if i%50 == 0 {
				b = writtenAndRead(t, s)
			}
			sys := disclosure.Attack(b)
			for _, f := range sys.Derived() {
				t.Errorf("world %d revision %d: derived %s", i, rev, f)
			}
			if len(sys.Contradictions) > 0 {
				t.Errorf("world %d revision %d: the intruder contradicts itself: %v", i, rev, sys.Contradictions)
			}
			books = append(books, b)
			editions++
		}
		if len(books) == 2 {
			pairs++
			change := disclosure.Revision{Quarter: w.quarters[len(w.quarters)-1].String(), Changed: []string{w.late + w.revised}}
			sys := disclosure.AttackRevisions(books[0], books[1], change)
			for _, f := range sys.Derived() {
				t.Errorf("world %d, two revisions: derived %s", i, f)
			}
			if len(sys.Contradictions) > 0 {
				t.Errorf("world %d, two revisions: the intruder contradicts itself: %v", i, sys.Contradictions)
			}
		}
	}
	t.Logf("%d editions of %d months (%d with two revisions): %d rows with further counts withheld", editions, n, pairs, rows)
}

// writtenAndRead renders the published edition of s in both formats, checks that a
// second rendering gives the same bytes, and reads the XLSX file as the intruder does.
func writtenAndRead(t *testing.T, s rollup.Snapshot) disclosure.Book {
	t.Helper()
	var xlsx []byte
	for _, f := range rollup.Formats {
		first, err := RenderFormat(s, rollup.EditionPublished, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		again, _ := RenderFormat(s, rollup.EditionPublished, f)
		if !bytes.Equal(first, again) {
			t.Errorf("%s: two renderings of the same snapshot differ", f)
		}
		if f == rollup.FormatXLSX {
			xlsx = first
		}
	}
	return read(t, xlsx)
}
