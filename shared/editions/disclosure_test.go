package editions

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/gsswriter"
	"github.com/ddat-workforce/returns/shared/rollup"
)

func TestControlledCounts(t *testing.T) {
	for n, want := range map[int64]gsswriter.Cell{0: int64(0), 1: gsswriter.Confidential, 3: gsswriter.Confidential, 4: gsswriter.Confidential,
		5: int64(5), 7: int64(5), 8: int64(10), 12: int64(10), 13: int64(15), 1234: int64(1235), 60000: int64(60000)} {
		if got := controlled(n); got != want {
			t.Errorf("controlled(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestPublishedShares(t *testing.T) {
	b := builder{control: published}
	f := func(x float64) *float64 { return &x }
	cases := []struct {
		name      string
		v         *float64
		num, base int64
		want      gsswriter.Cell
	}{
		{"rounded to 0.1%", f(61.0 / 997), 61, 997, 0.061},
		{"a numerator of 3 is [c], so its share is", f(3.0 / 500), 3, 500, gsswriter.Confidential},
		{"a share of 24 people", f(6.0 / 24), 6, 24, gsswriter.Confidential},
		{"a share of 25 people", f(6.0 / 25), 6, 25, 0.24},
		{"a true zero", f(0), 0, 400, 0.0},
		{"not available", nil, 0, 0, gsswriter.NotAvailable},
	}
	for _, c := range cases {
		if got := b.share(c.v, c.num, c.base); got != c.want {
			t.Errorf("%s: share %v, want %v", c.name, got, c.want)
		}
	}
	hc, small, big := int64(999), int64(50), int64(1000)
	if got := b.orgRowShare(f(50.0/999), &small, &hc, gsswriter.NotAvailable); got != gsswriter.Confidential {
		t.Errorf("an organisation of 999 people: share %v, want [c]", got)
	}
	if got := b.orgRowShare(f(50.0/1000), &small, &big, gsswriter.NotAvailable); got != 0.05 {
		t.Errorf("an organisation of 1,000 people: share %v, want 0.05", got)
	}
	m := builder{control: uncontrolled}
	if got := m.share(f(3.0/7), 3, 7); got != 3.0/7 {
		t.Errorf("management share %v, want the exact %v", got, 3.0/7)
	}
}

// TestPublishedCellsCarryNoMorePrecision reads every percent cell of the published file:
// none may hold more than one decimal place of a percentage, and every count of people
// is [c], 0 or a multiple of 5.
func TestPublishedCellsCarryNoMorePrecision(t *testing.T) {
	for name, s := range map[string]rollup.Snapshot{"demo": snapshot(t), "tempting": temptingData(1).snapshot(t, 1)} {
		book := read(t, render(t, s, rollup.EditionPublished))
		var shares int
		for sheet, g := range book {
			for ci, h := range g.Header {
				for _, row := range g.Rows {
					v, err := strconv.ParseFloat(row[ci], 64)
					if err != nil {
						continue
					}
					if strings.HasSuffix(h, "(percent)") {
						shares++
						if math.Abs(v*1000-math.Round(v*1000)) > 1e-9 {
							t.Errorf("%s: %s, %s, %s holds %s: more than 0.1%%", name, sheet, row[0], h, row[ci])
						}
					}
				}
			}
		}
		if shares == 0 {
			t.Errorf("%s: no shares read", name)
		}
	}
}

// TestOrganisationCountsAreExact: counts of organisations and returns are not counts of
// people, so the published edition shows them exactly, cover included.
func TestOrganisationCountsAreExact(t *testing.T) {
	s := snapshot(t)
	g := s.Government.Quarters[len(s.Government.Quarters)-1]
	dq := s.DataQuality
	for _, ed := range rollup.Editions {
		f := open(t, render(t, s, ed))
		row := findRow(t, f, "DDaT share", g.Period.String())
		if row[1] != strconv.Itoa(g.ReturnsReceived) || row[2] != strconv.Itoa(g.ReturnsExpected) {
			t.Errorf("%s: returns received %s and expected %s, want %d and %d", ed, row[1], row[2], g.ReturnsReceived, g.ReturnsExpected)
		}
		for label, n := range map[string]int{"Returns expected": dq.Expected, "Returns received": dq.Received, "Received on time": dq.OnTime,
			"Missing (never reported)": dq.Missing, "Carried forward from an earlier quarter": dq.CarriedForward} {
			if r := findRow(t, f, "Data quality", label); r[1] != strconv.Itoa(n) {
				t.Errorf("%s: %s %s, want %d", ed, label, r[1], n)
			}
		}
		rows, _ := f.GetRows("Cover")
		want := fmt.Sprintf("%d of %d expected returns received", g.ReturnsReceived, g.ReturnsExpected)
		if !strings.Contains(fmt.Sprint(rows), want) {
			t.Errorf("%s: the cover does not say %q", ed, want)
		}
	}
}

// TestManagementEditionKeepsExactFigures reads the management file back: every count and
// share as the snapshot has it, to full precision.
func TestManagementEditionKeepsExactFigures(t *testing.T) {
	s := temptingData(1).snapshot(t, 1)
	f := open(t, render(t, s, rollup.EditionManagement))
	for _, o := range s.Organisations {
		if o.Headcount == nil {
			continue
		}
		r := findRow(t, f, "Organisations", o.Code)
		want := []float64{float64(*o.Headcount), float64(*o.DDaTHeadcount), *o.DDaTShare, *o.DDaTShareKnown, float64(*o.EarlyCareerEntrants)}
		for i, w := range want {
			// The file keeps 15 significant digits, far more than a share to 0.1%.
			if got, err := strconv.ParseFloat(r[5+i], 64); err != nil || math.Abs(got-w) > 1e-12*math.Max(1, w) {
				t.Errorf("%s column %d: %s, want %v", o.Code, 6+i, r[5+i], w)
			}
		}
	}
	for _, q := range s.Government.Quarters {
		r := findRow(t, f, "Job families", q.Period.String())
		for i, v := range r[1:] {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				t.Errorf("job families %s column %d: %q, want an exact count", q.Period, i+2, v)
			}
		}
	}
	if rows, _ := f.GetRows("Organisations", excelize.Options{RawCellValue: true}); strings.Contains(fmt.Sprint(rows), "[c]") {
		t.Error("the management edition withholds a figure")
	}
}

// TestPublishedTargetNotesQuoteNoFigures: the metrics' notes quote exact values ("5.5%
// against 6.0%", "At 2025-26-Q2 it is 6.5%", "Projected 2,700 by …"), which beside a
// [c] would give a suppressed share away. The published Targets sheet says why in words;
// the management edition keeps the notes with their figures.
func TestPublishedTargetNotesQuoteNoFigures(t *testing.T) {
	s := snapshot(t)
	figures := regexp.MustCompile(`\d%|\d,\d{3}\b| against \d`)
	withFigures := 0
	for _, ts := range s.Targets {
		if figures.MatchString(ts.Note) {
			withFigures++
		}
	}
	if withFigures == 0 {
		t.Fatal("no target note in the test snapshot quotes a figure, so this test would prove nothing")
	}
	for _, ed := range rollup.Editions {
		f := open(t, render(t, s, ed))
		rows, err := f.GetRows("Targets")
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		found := 0
		for _, row := range rows {
			for i, c := range row {
				if c == "Note" && col < 0 {
					col = i
				}
			}
			if col < 0 || len(row) <= col {
				continue
			}
			if figures.MatchString(row[col]) {
				found++
				if ed == rollup.EditionPublished {
					t.Errorf("published Targets note quotes a figure: %q", row[col])
				}
			}
		}
		if col < 0 {
			t.Fatalf("%s: no Note column on the Targets sheet", ed)
		}
		if ed == rollup.EditionManagement && found == 0 {
			t.Errorf("management Targets notes lost their figures")
		}
	}
}
