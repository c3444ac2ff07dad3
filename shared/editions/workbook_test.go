package editions

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/register"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/testsupport/soffice"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// snapshot builds a rollup snapshot from the sample returns of the starting register for
// 2023-24-Q1 … 2025-26-Q2, one organisation missing the last quarter and one with a
// small DDaT headcount, as the rollup would.
func snapshot(t testing.TB) rollup.Snapshot {
	t.Helper()
	set, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	return snapshotWith(t, set)
}

// snapshotWith is snapshot with the given targets.
func snapshotWith(t testing.TB, set targets.Set) rollup.Snapshot {
	t.Helper()
	orgs, err := register.Seed()
	if err != nil {
		t.Fatal(err)
	}
	orgs = append(orgs, workforce.Organisation{Code: "TINY", Name: "Tiny Office", Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 40})
	reg := workforce.Register{}
	for _, o := range orgs {
		reg[o.Code] = o
	}
	last := period.MustQuarter("2025-26-Q2")
	received := time.Date(2025, 10, 20, 9, 0, 0, 0, time.UTC)
	var in []metrics.Input
	for _, o := range orgs {
		for _, q := range period.Range(period.MustQuarter("2023-24-Q1"), last) {
			if o.Code == "NIO" && q == last {
				continue
			}
			v := sample.Return(o, q)
			var raw []workforce.RawField
			for k, x := range v {
				raw = append(raw, workforce.RawField{Key: k, Value: x})
			}
			r, ps := workforce.Normalise(raw, reg, received)
			if len(ps) > 0 {
				t.Fatalf("%s %s: %v", o.Code, q, ps)
			}
			in = append(in, metrics.Input{Return: r, Version: 1, ReceivedAt: received})
		}
	}
	month, _ := period.ParseMonth("2025-10")
	res := metrics.Compute(metrics.ComputeInput{Returns: in, Register: orgs, Targets: set, Month: month, DueDays: 30})
	return rollup.Snapshot{Result: res, Revision: 1, InputsFingerprint: strings.Repeat("ab", 32),
		CreatedAt: time.Date(2025, 11, 1, 6, 0, 0, 0, time.UTC), Trigger: "schedule"}
}

func render(t testing.TB, s rollup.Snapshot, edition string) []byte {
	t.Helper()
	b, err := Render(s, edition)
	if err != nil {
		t.Fatalf("%s: %v", edition, err)
	}
	return b
}

func open(t testing.TB, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

var wantSheets = []string{"Cover", "Contents", "Notes", "Targets", "DDaT share", "Early-career entrants", "Entrants by route",
	"Job families", "Grades", "Organisations", "Leadership", "Data quality"}

func TestEditionsFollowTheGuidance(t *testing.T) {
	s := snapshot(t)
	for _, ed := range rollup.Editions {
		t.Run(ed, func(t *testing.T) {
			f := open(t, render(t, s, ed))
			if got := f.GetSheetList(); !slices.Equal(got, wantSheets) {
				t.Fatalf("sheets %v, want %v", got, wantSheets)
			}
			if f.GetActiveSheetIndex() != 0 {
				t.Errorf("active sheet %d, want the cover", f.GetActiveSheetIndex())
			}
			for _, sh := range wantSheets {
				if m, _ := f.GetMergeCells(sh); len(m) > 0 {
					t.Errorf("%s has merged cells %v", sh, m)
				}
				if sh == "Cover" {
					continue
				}
				tables, err := f.GetTables(sh)
				if err != nil || len(tables) != 1 {
					t.Fatalf("%s: %d tables, want 1 (%v)", sh, len(tables), err)
				}
				checkTableRange(t, f, sh, tables[0].Range)
			}
			props, err := f.GetDocProps()
			if err != nil || !strings.Contains(props.Title, "DDaT workforce") || props.Creator == "" || props.Language != "en-GB" {
				t.Errorf("document properties %+v %v", props, err)
			}
		})
	}
}

// checkTableRange: the table starts in column A below the title, has exactly one header
// row (text in every header cell), then data with no blank cells, and nothing below it.
func checkTableRange(t *testing.T, f *excelize.File, sheet, ref string) {
	t.Helper()
	parts := strings.Split(ref, ":")
	c1, r1, _ := excelize.CellNameToCoordinates(parts[0])
	c2, r2, _ := excelize.CellNameToCoordinates(parts[1])
	if c1 != 1 || r1 < 2 || r2 <= r1 {
		t.Errorf("%s: table %s does not start in column A below the title with data", sheet, ref)
	}
	if title, _ := f.GetCellValue(sheet, "A1"); title == "" {
		t.Errorf("%s: no title in A1", sheet)
	}
	rows, _ := f.GetRows(sheet)
	for r := r1; r <= r2; r++ {
		for c := c1; c <= c2; c++ {
			if c-1 >= len(rows[r-1]) || rows[r-1][c-1] == "" {
				t.Errorf("%s: blank cell at row %d column %d inside the table", sheet, r, c)
			}
		}
	}
	if len(rows) > r2 {
		for _, v := range rows[r2][:min(len(rows[r2]), c2)] {
			if v != "" {
				t.Errorf("%s: content below the table %s", sheet, ref)
			}
		}
	}
}

func TestFiguresEqualTheSnapshot(t *testing.T) {
	s := snapshot(t)
	f := open(t, render(t, s, rollup.EditionManagement))
	g := s.Government.Quarters[len(s.Government.Quarters)-1]
	row := findRow(t, f, "DDaT share", g.Period.String())
	if row[4] != strconv.FormatInt(g.Headcount, 10) || row[5] != strconv.FormatInt(g.DDaTHeadcount, 10) {
		t.Errorf("series row %v, want headcount %d and DDaT %d", row, g.Headcount, g.DDaTHeadcount)
	}
	if got, _ := strconv.ParseFloat(row[6], 64); fmt.Sprintf("%.9f", got) != fmt.Sprintf("%.9f", *g.DDaTShare) {
		t.Errorf("DDaT share %s, want %v", row[6], *g.DDaTShare)
	}
	for _, o := range s.Organisations {
		r := findRow(t, f, "Organisations", o.Code)
		if r[3] != strings.ReplaceAll(string(o.Status), "_", " ") {
			t.Errorf("%s status %q, want %s", o.Code, r[3], o.Status)
		}
		if o.Headcount != nil && r[5] != strconv.FormatInt(*o.Headcount, 10) {
			t.Errorf("%s headcount %s, want %d", o.Code, r[5], *o.Headcount)
		}
	}
	if r := findRow(t, f, "Organisations", "NIO"); r[3] != "carried forward" {
		t.Errorf("NIO status %q, want carried forward", r[3])
	}
	for _, ts := range s.Targets {
		if r := findRow(t, f, "Targets", ts.Title); r[8] != strings.ReplaceAll(string(ts.Status), "_", " ") {
			t.Errorf("target %s status %q, want %s", ts.ID, r[8], ts.Status)
		}
	}
}

// findRow reads raw (unformatted) values of the row whose first cell is key.
func findRow(t *testing.T, f *excelize.File, sheet, key string) []string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) > 0 && (r[0] == key || (len(r) > 1 && sheet == "Targets" && r[0] == key)) {
			return r
		}
	}
	t.Fatalf("%s has no row %q", sheet, key)
	return nil
}

func TestPublishedEditionDisclosureControl(t *testing.T) {
	s := snapshot(t)
	f := open(t, render(t, s, rollup.EditionPublished))
	emailRE := regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}`)
	var sawC bool
	for _, sh := range wantSheets[3:] {
		rows, _ := f.GetRows(sh, excelize.Options{RawCellValue: true})
		tables, _ := f.GetTables(sh)
		parts := strings.Split(tables[0].Range, ":")
		_, first, _ := excelize.CellNameToCoordinates(parts[0])
		header := rows[first-1]
		for ri, r := range rows {
			for ci, v := range r {
				// Every count of people in a data row: rounded to 5, and never 1 to 4.
				// Counts of organisations and returns are exact (orgCountsExact).
				if ri+1 > first && ci < len(header) && strings.Contains(header[ci], "(number)") && !strings.HasPrefix(header[ci], "Returns") {
					if n, err := strconv.ParseInt(v, 10, 64); err == nil {
						if n >= 1 && n <= 4 {
							t.Errorf("%s row %d column %d: count %d is between 1 and 4", sh, ri+1, ci+1, n)
						}
						if n%5 != 0 {
							t.Errorf("%s row %d column %d: count %d is not rounded to 5", sh, ri+1, ci+1, n)
						}
					} else if v != "[c]" && v != "[x]" && v != "[z]" {
						t.Errorf("%s row %d column %d: %q in a count column", sh, ri+1, ci+1, v)
					}
					sawC = sawC || v == "[c]"
				}
				if emailRE.MatchString(v) && sh != "Cover" {
					t.Errorf("%s row %d: contact details %q in the published edition", sh, ri+1, v)
				}
				if v == "Workforce Analyst" {
					t.Errorf("%s row %d: a contact name in the published edition", sh, ri+1)
				}
			}
		}
	}
	if !sawC {
		t.Error("no [c] anywhere: the small organisation's counts should be withheld")
	}
	// Counts are rounded to the nearest 5 and shares come from the exact figures.
	g := s.Government.Quarters[len(s.Government.Quarters)-1]
	row := findRow(t, f, "DDaT share", g.Period.String())
	if want := strconv.FormatInt((g.Headcount+2)/5*5, 10); row[4] != want {
		t.Errorf("published headcount %s, want %s", row[4], want)
	}
	// Shares come from the exact figures and are stored to one decimal place of a
	// percentage (SPEC §6): the value itself, not only its format.
	if got, want := row[6], strconv.FormatFloat(math.Round(*g.DDaTShare*1000)/1000, 'f', -1, 64); got != want {
		t.Errorf("published share %s, want %s, the exact %v to 0.1%%", got, want, *g.DDaTShare)
	}
	mgmt := open(t, render(t, s, rollup.EditionManagement))
	r := findRow(t, mgmt, "Organisations", "HMRC")
	if !slices.Contains(r, "workforce.analyst@example.gov.uk") {
		t.Errorf("management edition has no contact for HMRC: %v", r)
	}
}

func TestChartsReferenceTheirTables(t *testing.T) {
	b := render(t, snapshot(t), rollup.EditionPublished)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	refRE := regexp.MustCompile(`<(?:c:)?val><(?:c:)?numRef><(?:c:)?f>([^<]+)</(?:c:)?f>`)
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			rc, _ := zf.Open()
			x, _ := io.ReadAll(rc)
			rc.Close()
			for _, m := range refRE.FindAllStringSubmatch(string(x), -1) {
				refs = append(refs, html.UnescapeString(m[1]))
			}
		}
	}
	f := open(t, b)
	share, _ := f.GetTables("DDaT share")
	entrants, _ := f.GetTables("Early-career entrants")
	_, last := rangeRows(share[0].Range)
	first, _ := rangeRows(share[0].Range)
	want := []string{
		fmt.Sprintf("'DDaT share'!$G$%d:$G$%d", first+1, last),                                                          // DDaT share (percent)
		fmt.Sprintf("'DDaT share'!$K$%d:$K$%d", first+1, last),                                                          // the 6% commitment, after the FTE share and unknown rate
		fmt.Sprintf("'Early-career entrants'!$C$%d:$C$%d", mustFirst(entrants[0].Range)+1, mustLast(entrants[0].Range)), // cumulative
		fmt.Sprintf("'Early-career entrants'!$D$%d:$D$%d", mustFirst(entrants[0].Range)+1, mustLast(entrants[0].Range)), // 2,500
	}
	for _, w := range want {
		if !slices.Contains(refs, w) {
			t.Errorf("no chart series refers to %s; series: %v", w, refs)
		}
	}
}

func rangeRows(ref string) (first, last int) {
	p := strings.Split(ref, ":")
	_, first, _ = excelize.CellNameToCoordinates(p[0])
	_, last, _ = excelize.CellNameToCoordinates(p[1])
	return first, last
}

func mustFirst(ref string) int { f, _ := rangeRows(ref); return f }
func mustLast(ref string) int  { _, l := rangeRows(ref); return l }

func TestSameSnapshotSameBytes(t *testing.T) {
	s := snapshot(t)
	for _, ed := range rollup.Editions {
		if !bytes.Equal(render(t, s, ed), render(t, snapshot(t), ed)) {
			t.Errorf("%s: two renders of the same snapshot differ", ed)
		}
	}
}

// TestLibreOfficeOpensBothEditions converts each edition with a real spreadsheet
// application and checks the figures survive.
func TestLibreOfficeOpensBothEditions(t *testing.T) {
	s := snapshot(t)
	g := s.Government.Quarters[len(s.Government.Quarters)-1]
	for _, ed := range rollup.Editions {
		dir := t.TempDir()
		in := filepath.Join(dir, ed+".xlsx")
		if err := os.WriteFile(in, render(t, s, ed), 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		msg, err := soffice.Convert(context.Background(), in, out, soffice.CSVAllSheets)
		if err != nil {
			t.Fatalf("%s: %v", ed, err)
		}
		data, err := os.ReadFile(filepath.Join(out, ed+"-DDaT share.csv"))
		if err != nil {
			t.Fatalf("%s: LibreOffice wrote no DDaT share sheet: %v\n%s", ed, err, msg)
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		headcount := g.Headcount
		if ed == rollup.EditionPublished {
			headcount = (headcount + 2) / 5 * 5
		}
		want := []string{g.Period.String(), numfmt.Int(headcount)}
		found := false
		for _, r := range rows {
			found = found || (len(r) > 4 && r[0] == want[0] && r[4] == want[1])
		}
		if !found {
			t.Errorf("%s: LibreOffice's DDaT share sheet has no row %s with headcount %s:\n%q", ed, want[0], want[1], rows)
		}
	}
}

func BenchmarkRender500x12(b *testing.B) {
	s := bigSnapshot(b)
	for b.Loop() {
		for _, ed := range rollup.Editions {
			if _, err := Render(s, ed); err != nil {
				b.Fatal(err)
			}
		}
	}
}
