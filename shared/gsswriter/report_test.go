package gsswriter

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite testdata/workbook.golden")

func mustWrite(t testing.TB, wb Workbook) []byte {
	t.Helper()
	b, err := Write(wb)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b
}

func open(t testing.TB, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestSheetsInOrder(t *testing.T) {
	f := open(t, mustWrite(t, synthetic()))
	want := []string{"Cover", "Contents", "Notes", "Share", "Entrants", "Organisations"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
}

// tableLayout is where a table sheet's parts are expected to be.
type tableLayout struct {
	sheet, title string
	lines        int // description lines between the title and the header row
	headers      []string
	rows         int
}

func TestTablesStartBelowTitleAndDescription(t *testing.T) {
	wb := synthetic()
	f := open(t, mustWrite(t, wb))
	layouts := []tableLayout{
		{"Contents", "Contents", 2, []string{"Sheet name", "Table title"}, 4},
		{"Notes", "Notes", 2, []string{"Note number", "Note text"}, 3},
		// Summary line, the caller's two lines, the line about notes.
		{"Share", wb.Tables[0].Title, 4, []string{"Quarter", "Civil Service headcount (number)", "DDaT headcount (number)", "DDaT share (percent)", "Target (percent)"}, 12},
		{"Entrants", wb.Tables[1].Title, 3, []string{"Quarter", "Entrants in quarter (number)", "Cumulative entrants (number)", "Target (number)"}, 12},
		// Summary line, notes line, shorthand line.
		{"Organisations", wb.Tables[2].Title, 3, []string{"Organisation code", "Organisation", "Organisation type", "Headcount (number)", "DDaT headcount (number)", "DDaT share (percent)", "Full-time equivalent (FTE)", "Reference date"}, 5},
	}
	for _, l := range layouts {
		t.Run(l.sheet, func(t *testing.T) {
			header := 2 + l.lines
			last := header + l.rows
			lastCol := colName(len(l.headers) - 1)
			tables, err := f.GetTables(l.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if len(tables) != 1 {
				t.Fatalf("%d tables, want 1", len(tables))
			}
			tbl := tables[0]
			if want := fmt.Sprintf("A%d:%s%d", header, lastCol, last); tbl.Range != want {
				t.Errorf("table range %s, want %s", tbl.Range, want)
			}
			if tbl.StyleName != tableStyle || tbl.ShowRowStripes == nil || *tbl.ShowRowStripes {
				t.Errorf("table style %q, stripes %v", tbl.StyleName, tbl.ShowRowStripes)
			}
			rows, err := f.GetRows(l.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != last {
				t.Fatalf("%d rows on the sheet, want %d", len(rows), last)
			}
			if len(rows[0]) != 1 || rows[0][0] != l.title {
				t.Errorf("row 1 is %q, want only the title %q in A1", rows[0], l.title)
			}
			for i := 1; i < header-1; i++ {
				if len(rows[i]) != 1 || rows[i][0] == "" {
					t.Errorf("description row %d is %q, want one line in column A", i+1, rows[i])
				}
			}
			// Exactly one header row: the row above it is description, the row below data.
			if !slices.Equal(rows[header-1], l.headers) {
				t.Errorf("header row %d is %q, want %q", header, rows[header-1], l.headers)
			}
			for i := header; i < last; i++ {
				if len(rows[i]) != len(l.headers) || slices.Contains(rows[i], "") {
					t.Errorf("data row %d is %q: want a value in each of %d columns", i+1, rows[i], len(l.headers))
				}
				if slices.Equal(rows[i], l.headers) {
					t.Errorf("data row %d repeats the header", i+1)
				}
			}
		})
	}
}

func TestNoMergedCells(t *testing.T) {
	f := open(t, mustWrite(t, synthetic()))
	for _, sh := range f.GetSheetList() {
		merged, err := f.GetMergeCells(sh)
		if err != nil {
			t.Fatal(err)
		}
		if len(merged) != 0 {
			t.Errorf("sheet %s has merged cells %v", sh, merged)
		}
	}
}

// cellFormat is the number format and horizontal alignment of a cell's style.
func cellFormat(t *testing.T, f *excelize.File, sheet, cell string) (string, string) {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	align := ""
	if s.Alignment != nil {
		align = s.Alignment.Horizontal
	}
	if s.CustomNumFmt != nil {
		return *s.CustomNumFmt, align
	}
	return builtinFormats[s.NumFmt], align
}

var builtinFormats = map[int]string{0: "General", 3: "#,##0", 4: "#,##0.00", 49: "@"}

func TestNumberFormats(t *testing.T) {
	f := open(t, mustWrite(t, synthetic()))
	// Share: header on row 6, 2023-24 Q1 on row 7. Organisations: header on row 5, rows
	// sorted by name: Agency of Samples, Borough of Placeholders, Department for
	// Examples, Ministry of Tests, Office for Illustration.
	cases := []struct {
		sheet, cell   string
		raw           string
		format, align string
		typ           excelize.CellType
	}{
		{"Share", "A7", "2023-24 Q1", "@", "", excelize.CellTypeSharedString},
		{"Share", "B7", "480000", "#,##0", "", excelize.CellTypeUnset},
		{"Share", "D7", "0.05", "0.0%", "", excelize.CellTypeUnset},
		{"Share", "E18", "0.06", "0.0%", "", excelize.CellTypeUnset},
		{"Entrants", "D17", "2500", "#,##0", "", excelize.CellTypeUnset},
		{"Organisations", "D6", "4300", "#,##0", "", excelize.CellTypeUnset},
		{"Organisations", "F6", "0.07", "0.0%", "", excelize.CellTypeUnset},
		{"Organisations", "G8", "11890.25", "#,##0.00", "", excelize.CellTypeUnset},
		{"Organisations", "H6", "46112", "d mmmm yyyy", "", excelize.CellTypeUnset},
		// Shorthand is text, right-aligned where numbers would be.
		{"Organisations", "E10", "[c]", "@", "right", excelize.CellTypeSharedString},
		{"Organisations", "F7", "[z]", "@", "right", excelize.CellTypeSharedString},
		{"Organisations", "H9", "[x]", "@", "right", excelize.CellTypeSharedString},
	}
	for _, c := range cases {
		raw, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if raw != c.raw {
			t.Errorf("%s!%s holds %q, want %q", c.sheet, c.cell, raw, c.raw)
		}
		typ, _ := f.GetCellType(c.sheet, c.cell)
		if typ != c.typ {
			t.Errorf("%s!%s has type %v, want %v", c.sheet, c.cell, typ, c.typ)
		}
		format, align := cellFormat(t, f, c.sheet, c.cell)
		if format != c.format || align != c.align {
			t.Errorf("%s!%s has format %q aligned %q, want %q aligned %q", c.sheet, c.cell, format, align, c.format, c.align)
		}
	}
	// What a reader sees: Excel's formatting of the stored numbers.
	for cell, want := range map[string]string{"B7": "480,000", "D7": "5.0%", "D18": "6.8%"} {
		if got, _ := f.GetCellValue("Share", cell); got != want {
			t.Errorf("Share!%s shows %q, want %q", cell, got, want)
		}
	}
}

func TestContentsLinks(t *testing.T) {
	f := open(t, mustWrite(t, synthetic()))
	for i, sheet := range []string{"Notes", "Share", "Entrants", "Organisations"} {
		cell := fmt.Sprintf("A%d", 5+i)
		if v, _ := f.GetCellValue(SheetContents, cell); v != sheet {
			t.Errorf("Contents!%s says %q, want %q", cell, v, sheet)
		}
		ok, target, err := f.GetCellHyperLink(SheetContents, cell)
		if err != nil {
			t.Fatal(err)
		}
		if want := "'" + sheet + "'!A1"; !ok || target != want {
			t.Errorf("Contents!%s links to %q (%v), want %q", cell, target, ok, want)
		}
	}
	// The cover's contact is a mailto link.
	ok, target, _ := f.GetCellHyperLink(SheetCover, "A12")
	if !ok || target != "mailto:ddat-workforce@example.gov.uk" {
		t.Errorf("Cover!A12 links to %q (%v), want the contact's mailto address", target, ok)
	}
}

func TestDocumentProperties(t *testing.T) {
	f := open(t, mustWrite(t, synthetic()))
	p, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	want := excelize.DocProperties{
		Category:       "Statistics",
		Created:        "2026-04-30T09:00:00Z",
		Creator:        "DDaT workforce returns service",
		Description:    "Monthly progress report built from the quarterly returns.",
		Keywords:       "DDaT; workforce; statistics",
		LastModifiedBy: "DDaT workforce returns service",
		Modified:       "2026-04-30T09:00:00Z",
		Subject:        "Digital, data and technology workforce of government",
		Title:          "DDaT workforce: monthly progress report",
		Language:       "en-GB",
	}
	if *p != want {
		t.Errorf("document properties\n got %+v\nwant %+v", *p, want)
	}
	app, err := f.GetAppProps()
	if err != nil {
		t.Fatal(err)
	}
	if app.Company != "Government Digital Service" {
		t.Errorf("company %q", app.Company)
	}
}

func TestOpensOnCoverWithCursorInA1(t *testing.T) {
	b := mustWrite(t, synthetic())
	f, pkg := open(t, b), openPackage(t, b)
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want the cover (0)", i)
	}
	for _, sh := range f.GetSheetList() {
		panes, err := f.GetPanes(sh)
		if err != nil {
			t.Fatal(err)
		}
		want := []excelize.Selection{{SQRef: "A1", ActiveCell: "A1"}}
		if !slices.Equal(panes.Selection, want) || panes.Freeze || panes.Split {
			t.Errorf("sheet %s: panes %+v, want only the cursor in A1", sh, panes)
		}
		var ws struct {
			Views []struct {
				TabSelected bool `xml:"tabSelected,attr"`
			} `xml:"sheetViews>sheetView"`
		}
		pkg.read(pkg.sheetPart(sh), &ws)
		if len(ws.Views) != 1 || ws.Views[0].TabSelected != (sh == SheetCover) {
			t.Errorf("sheet %s: views %+v, want one, selected only on the cover", sh, ws.Views)
		}
	}
}

func TestCoverExplainsShorthand(t *testing.T) {
	wb := synthetic()
	wb.Shorthand = map[Shorthand]string{Confidential: "confidential: counts of 1 to 4 are withheld"}
	f := open(t, mustWrite(t, wb))
	rows, err := f.GetRows(SheetCover)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, r := range rows {
		text = append(text, r...)
	}
	i := slices.Index(text, "Shorthand used in this workbook")
	if i < 0 {
		t.Fatalf("no shorthand heading on the cover: %q", text)
	}
	want := []string{
		"[c] confidential: counts of 1 to 4 are withheld",
		"[x] " + DefaultShorthand[NotAvailable],
		"[z] " + DefaultShorthand[NotApplicable],
	}
	if got := text[i+1:]; !slices.Equal(got, want) {
		t.Errorf("cover explains\n%q\nwant\n%q", got, want)
	}

	// A workbook without shorthand says nothing about it.
	wb.Tables = wb.Tables[:2]
	rows, _ = open(t, mustWrite(t, wb)).GetRows(SheetCover)
	for _, r := range rows {
		if slices.Contains(r, "Shorthand used in this workbook") {
			t.Error("the cover explains shorthand that no table uses")
		}
	}
}

func TestCharts(t *testing.T) {
	charts := readCharts(t, mustWrite(t, synthetic()))
	want := map[string][]chartInfo{
		"Share": {{
			kind: "lineChart", fromCol: 6, fromRow: 5,
			alt: synthetic().Tables[0].Charts[0].AltText,
			series: []seriesInfo{
				{"lineChart", "'Share'!$D$6", "'Share'!$A$7:$A$18", "'Share'!$D$7:$D$18"},
				{"lineChart", "'Share'!$E$6", "'Share'!$A$7:$A$18", "'Share'!$E$7:$E$18"},
			},
		}},
		"Entrants": {{
			kind: "barChart", fromCol: 5, fromRow: 4,
			alt: synthetic().Tables[1].Charts[0].AltText,
			series: []seriesInfo{
				{"barChart", "'Entrants'!$C$5", "'Entrants'!$A$6:$A$17", "'Entrants'!$C$6:$C$17"},
				{"lineChart", "'Entrants'!$D$5", "'Entrants'!$A$6:$A$17", "'Entrants'!$D$6:$D$17"},
			},
		}},
	}
	for _, sh := range []string{"Cover", "Contents", "Notes", "Organisations"} {
		if len(charts[sh]) != 0 {
			t.Errorf("sheet %s has charts %+v", sh, charts[sh])
		}
	}
	for sh, w := range want {
		got := charts[sh]
		if len(got) != len(w) {
			t.Errorf("sheet %s has %d charts, want %d", sh, len(got), len(w))
			continue
		}
		for i := range w {
			g := got[i]
			if g.kind != w[i].kind || g.alt != w[i].alt || !slices.Equal(g.series, w[i].series) {
				t.Errorf("sheet %s chart %d\n got %+v\nwant %+v", sh, i+1, g, w[i])
			}
			// Charts start on the header row (0-based fromRow is the row above the data),
			// to the right of the table with a column to spare.
			if g.fromCol != w[i].fromCol || g.fromRow != w[i].fromRow {
				t.Errorf("sheet %s chart %d anchored at column %d row %d, want %d, %d", sh, i+1, g.fromCol, g.fromRow, w[i].fromCol, w[i].fromRow)
			}
			if !g.titled || !g.legend || g.axisTitles != 2 {
				t.Errorf("sheet %s chart %d: title %v, legend %v, axis titles %d", sh, i+1, g.titled, g.legend, g.axisTitles)
			}
		}
	}
}

func TestChartsStackWithoutOverlap(t *testing.T) {
	wb := synthetic()
	share := &wb.Tables[0]
	share.Charts = append(share.Charts, Chart{
		Kind: ColumnChart, Title: "DDaT headcount by quarter", XAxisTitle: "Quarter", YAxisTitle: "Headcount (number)",
		AltText: "Column chart: DDaT headcount grew each quarter, from 24,000 to 33,900.",
		Series:  []int{2},
	})
	charts := readCharts(t, mustWrite(t, wb))["Share"]
	if len(charts) != 2 {
		t.Fatalf("%d charts on Share, want 2", len(charts))
	}
	first, second := charts[0], charts[1]
	if second.fromCol != first.fromCol || second.fromRow <= first.toRow {
		t.Errorf("second chart from column %d row %d; the first ends on row %d of column %d", second.fromCol, second.fromRow, first.toRow, first.fromCol)
	}
	if rows, _ := open(t, mustWrite(t, wb)).GetRows("Share"); rows[1][0] != "This worksheet contains one table and two charts, to the right of the table." {
		t.Errorf("A2 says %q", rows[1][0])
	}
}

func TestValidation(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Workbook)
		want   string
	}{
		{"long sheet name", func(wb *Workbook) { wb.Tables[0].Sheet = strings.Repeat("s", 31) }, "the sheet name is 31 characters; it must be 30 or fewer"},
		{"duplicate sheet", func(wb *Workbook) { wb.Tables[1].Sheet = "share" }, `table 2 (sheet "share"): the sheet name is already used by table 1`},
		{"sheet named like a fixed sheet", func(wb *Workbook) { wb.Tables[1].Sheet = "Notes" }, "already used by the writer"},
		{"bad character", func(wb *Workbook) { wb.Tables[0].Sheet = "Share/quarter" }, `may not contain any of []:*?/\`},
		{"short row", func(wb *Workbook) { wb.Tables[2].Rows[1] = wb.Tables[2].Rows[1][:7] }, "row 2 has 7 cells; the table has 8 columns"},
		{"long row", func(wb *Workbook) { wb.Tables[0].Rows[0] = append(wb.Tables[0].Rows[0], 1) }, "row 1 has 5 cells; the table has 4 columns"},
		{"dangling note", func(wb *Workbook) { wb.Tables[1].Columns[1].Header = "Entrants in quarter (number) [note 9]" }, "refers to [note 9], which is not one of the notes"},
		{"dangling note on cover", func(wb *Workbook) { wb.Cover[0].Text = "April 2026 [note 4]" }, "cover item 1 refers to [note 4]"},
		{"malformed note", func(wb *Workbook) { wb.Tables[0].Title = "Table 1 [Note 1]" }, `write the note reference "[Note 1]" as [note N]`},
		{"blank cell", func(wb *Workbook) { wb.Tables[2].Rows[0][3] = nil }, "the cell is blank; use a shorthand"},
		{"number as text", func(wb *Workbook) { wb.Tables[0].Rows[0][1] = "480000" }, "write numbers as numbers"},
		{"fractional count", func(wb *Workbook) { wb.Tables[0].Rows[0][1] = 1.5 }, "is not a whole number"},
		{"unexplained shorthand", func(wb *Workbook) { wb.Tables[2].Rows[0][3] = Shorthand("[u]") }, "shorthand [u] is not explained"},
		{"shorthand in a charted column", func(wb *Workbook) { wb.Tables[0].Rows[3][3] = NotAvailable }, "would be plotted as zero"},
		{"no unit", func(wb *Workbook) { wb.Tables[0].Columns[1].Header = "Civil Service headcount" }, "has no unit in brackets"},
		{"percent without percent", func(wb *Workbook) { wb.Tables[0].Columns[3].Header = "DDaT share (number)" }, "should give its unit as (percent)"},
		{"duplicate header", func(wb *Workbook) { wb.Tables[2].Columns[1].Header = "Organisation code" }, `header "Organisation code" is used twice`},
		{"no alt text", func(wb *Workbook) { wb.Tables[0].Charts[0].AltText = "" }, "has no alt text"},
		{"chart of text", func(wb *Workbook) { wb.Tables[0].Charts[0].Series = []int{0} }, "is both the category and a series"},
		{"no created time", func(wb *Workbook) { wb.Properties.Created = time.Time{} }, "Properties.Created is not set"},
		{"duplicate note", func(wb *Workbook) { wb.Notes = append(wb.Notes, Note{Number: 2, Text: "again"}) }, "note 2 is defined twice"},
		{"empty table", func(wb *Workbook) { wb.Tables[2].Rows = nil }, "has no rows"},
		{"link without text", func(wb *Workbook) { wb.Cover[4].Text = "" }, "without text saying where the link goes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wb := synthetic()
			c.change(&wb)
			_, err := Write(wb)
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			if !slices.ContainsFunc(v.Problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("problems %q, want one containing %q", v.Problems, c.want)
			}
		})
	}
}

func TestValidationListsEveryProblem(t *testing.T) {
	wb := synthetic()
	wb.Tables[0].Sheet = strings.Repeat("s", 40)
	wb.Tables[1].Rows[0] = wb.Tables[1].Rows[0][:1]
	wb.Tables[2].Title = "Table 3 [note 9]"
	_, err := Write(wb)
	var v *ValidationError
	if !errors.As(err, &v) || len(v.Problems) != 3 {
		t.Fatalf("got %v, want the three problems", err)
	}
}

func TestTableName(t *testing.T) {
	taken := map[string]bool{}
	for _, c := range []struct{ sheet, want string }{
		{"Table 1", "Table_1"},
		{"Table_1", "Table_1_2"},
		{"A1", "Table_A1"},
		{"XFD10", "Table_XFD10"},
		{"R2C3", "Table_R2C3"},
		{"c", "Table_c"},
		{"1 Headlines", "Table_1_Headlines"},
		{"Entrants (route)", "Entrants_route"},
		{"Grade – SCS", "Grade_SCS"},
		{"Organisations", "Organisations"},
		{"organisations", "organisations_2"},
	} {
		if got := tableName(c.sheet, taken); got != c.want {
			t.Errorf("tableName(%q) = %q, want %q", c.sheet, got, c.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := mustWrite(t, synthetic()), mustWrite(t, synthetic())
	if !bytes.Equal(a, b) {
		t.Fatal("the same workbook gave different bytes")
	}
}

// TestDeterministicAcrossProcesses writes the workbook in two other processes, which
// iterate maps in other orders and start at other times, and compares their bytes.
func TestDeterministicAcrossProcesses(t *testing.T) {
	if out := os.Getenv("REPORT_WRITE_TO"); out != "" {
		if err := os.WriteFile(out, mustWrite(t, synthetic()), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := mustWrite(t, synthetic())
	for i := range 2 {
		out := filepath.Join(t.TempDir(), "workbook.xlsx")
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeterministicAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "REPORT_WRITE_TO="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, b)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("run %d wrote %s, this process %s", i+1, digest(got), digest(want))
		}
	}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func TestZipPartsInCanonicalOrder(t *testing.T) {
	b := mustWrite(t, synthetic())
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(synthetic().Properties.Created) {
			t.Errorf("%s stamped %v, want the workbook's modified time", f.Name, f.Modified)
		}
	}
	if names[0] != contentTypes || !slices.IsSorted(names[1:]) {
		t.Errorf("parts in order %q", names)
	}
	// Rewriting the content types keeps a type for every part: without one, Excel and
	// LibreOffice refuse the file.
	var ct contentTypesXML
	openPackage(t, b).read(contentTypes, &ct)
	if !slices.ContainsFunc(ct.Defaults, func(d contentTypeDefault) bool { return d.Extension == "rels" }) {
		t.Errorf("no content type for .rels parts: %+v", ct.Defaults)
	}
	for _, name := range names[1:] {
		if strings.HasSuffix(name, ".rels") {
			continue
		}
		if !slices.ContainsFunc(ct.Overrides, func(o contentTypeOverride) bool { return o.PartName == "/"+name }) {
			t.Errorf("no content type for %s", name)
		}
	}
}

func TestGolden(t *testing.T) {
	got := dump(t, mustWrite(t, synthetic()))
	const golden = "testdata/workbook.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("workbook differs from %s (go test -update rewrites it):\n%s", golden, firstDifference(string(want), got))
	}
}

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d\nwant: %s\n got: %s", i+1, wl, gl)
		}
	}
	return ""
}

// dump describes a workbook as text: properties, then each sheet's view, columns,
// tables, cells with their formats, and charts.
func dump(t *testing.T, b []byte) string {
	t.Helper()
	f := open(t, b)
	charts := readCharts(t, b)
	var out strings.Builder
	p, _ := f.GetDocProps()
	fmt.Fprintf(&out, "properties: title=%q subject=%q creator=%q keywords=%q category=%q language=%q created=%s modified=%s\n",
		p.Title, p.Subject, p.Creator, p.Keywords, p.Category, p.Language, p.Created, p.Modified)
	fmt.Fprintf(&out, "active sheet: %s\n", f.GetSheetName(f.GetActiveSheetIndex()))
	for _, sh := range f.GetSheetList() {
		fmt.Fprintf(&out, "\nsheet %s\n", sh)
		dim, _ := f.GetSheetDimension(sh)
		panes, _ := f.GetPanes(sh)
		merged, _ := f.GetMergeCells(sh)
		fmt.Fprintf(&out, "  used range %s, selection %+v, merged cells %d\n", dim, panes.Selection, len(merged))
		cols, _ := f.GetCols(sh)
		var widths []string
		for i := range cols {
			w, _ := f.GetColWidth(sh, colName(i))
			widths = append(widths, fmt.Sprintf("%s=%g", colName(i), w))
		}
		fmt.Fprintf(&out, "  column widths %s\n", strings.Join(widths, " "))
		tables, _ := f.GetTables(sh)
		for _, tbl := range tables {
			fmt.Fprintf(&out, "  table %s %s style %s\n", tbl.Name, tbl.Range, tbl.StyleName)
		}
		rows, _ := f.GetRows(sh, excelize.Options{RawCellValue: true})
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell := cellName(c, r+1)
				format, align := cellFormat(t, f, sh, cell)
				typ, _ := f.GetCellType(sh, cell)
				kind := "n"
				if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
					kind = "s"
					v = strconv.Quote(v)
				}
				extra := ""
				if align != "" {
					extra = " " + align
				}
				if ok, target, _ := f.GetCellHyperLink(sh, cell); ok {
					extra += " -> " + target
				}
				fmt.Fprintf(&out, "  %s %s %s [%s%s]\n", cell, kind, v, format, extra)
			}
		}
		for _, ch := range charts[sh] {
			fmt.Fprintf(&out, "  chart %s from column %d row %d, alt %q\n", ch.kind, ch.fromCol, ch.fromRow, ch.alt)
			for _, s := range ch.series {
				fmt.Fprintf(&out, "    %s series %s categories %s values %s\n", s.plot, s.name, s.categories, s.values)
			}
		}
	}
	return out.String()
}

// chartInfo is what the tests read of a chart from the package.
type chartInfo struct {
	kind             string // the first plot's element: lineChart, barChart
	fromCol, fromRow int    // zero-based anchor
	toRow            int
	alt              string
	titled, legend   bool
	axisTitles       int
	series           []seriesInfo
}

type seriesInfo struct{ plot, name, categories, values string }

type relationships struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
		Type   string `xml:"Type,attr"`
	} `xml:"Relationship"`
}

type drawingXML struct {
	Anchors []struct {
		From struct {
			Col int `xml:"col"`
			Row int `xml:"row"`
		} `xml:"from"`
		To struct {
			Row int `xml:"row"`
		} `xml:"to"`
		Props struct {
			Descr string `xml:"descr,attr"`
		} `xml:"graphicFrame>nvGraphicFramePr>cNvPr"`
		Chart struct {
			RID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"graphicFrame>graphic>graphicData>chart"`
	} `xml:"twoCellAnchor"`
}

type chartXML struct {
	Title    *struct{} `xml:"chart>title"`
	Legend   *struct{} `xml:"chart>legend"`
	PlotArea struct {
		// Plots (lineChart, barChart) and axes (catAx, valAx), in the package's order.
		Children []struct {
			XMLName xml.Name
			Title   *struct{} `xml:"title"`
			Ser     []struct {
				Name string `xml:"tx>strRef>f"`
				Cat  string `xml:"cat>strRef>f"`
				Val  string `xml:"val>numRef>f"`
			} `xml:"ser"`
		} `xml:",any"`
	} `xml:"chart>plotArea"`
}

// xmlPackage reads the parts of a workbook's package.
type xmlPackage struct {
	t  *testing.T
	zr *zip.Reader
}

func openPackage(t *testing.T, b []byte) xmlPackage {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return xmlPackage{t, zr}
}

// read decodes a part into v, reporting whether the part exists.
func (p xmlPackage) read(name string, v any) bool {
	f, err := p.zr.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		p.t.Fatalf("%s: %v", name, err)
	}
	return true
}

func (p xmlPackage) rels(part string) relationships {
	var r relationships
	p.read(path.Join(path.Dir(part), "_rels", path.Base(part)+".rels"), &r)
	return r
}

// target is the part that relationship id of part from points to.
func (p xmlPackage) target(from, id string) string {
	for _, rel := range p.rels(from).Rel {
		if rel.ID == id {
			return path.Join(path.Dir(from), rel.Target)
		}
	}
	return ""
}

// sheetPart is the part holding the named sheet.
func (p xmlPackage) sheetPart(sheet string) string {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	p.read("xl/workbook.xml", &wb)
	for _, s := range wb.Sheets {
		if s.Name == sheet {
			return p.target("xl/workbook.xml", s.RID)
		}
	}
	p.t.Fatalf("no sheet %s in the package", sheet)
	return ""
}

// readCharts follows the package's relationships from each sheet to its drawing and
// from the drawing to its charts.
func readCharts(t *testing.T, b []byte) map[string][]chartInfo {
	t.Helper()
	pkg := openPackage(t, b)
	out := map[string][]chartInfo{}
	f := open(t, b)
	for _, sheet := range f.GetSheetList() {
		sheetPart := pkg.sheetPart(sheet)
		for _, rel := range pkg.rels(sheetPart).Rel {
			if !strings.HasSuffix(rel.Type, "/drawing") {
				continue
			}
			drawingPart := path.Join(path.Dir(sheetPart), rel.Target)
			var d drawingXML
			pkg.read(drawingPart, &d)
			for _, a := range d.Anchors {
				chartPart := pkg.target(drawingPart, a.Chart.RID)
				var c chartXML
				if !pkg.read(chartPart, &c) {
					t.Fatalf("sheet %s: chart %s is missing", sheet, chartPart)
				}
				info := chartInfo{fromCol: a.From.Col, fromRow: a.From.Row, toRow: a.To.Row, alt: a.Props.Descr, titled: c.Title != nil, legend: c.Legend != nil}
				for _, el := range c.PlotArea.Children {
					switch name := el.XMLName.Local; {
					case strings.HasSuffix(name, "Chart"):
						if info.kind == "" {
							info.kind = name
						}
						for _, ser := range el.Ser {
							info.series = append(info.series, seriesInfo{name, ser.Name, ser.Cat, ser.Val})
						}
					case strings.HasSuffix(name, "Ax") && el.Title != nil:
						info.axisTitles++
					}
				}
				out[sheet] = append(out[sheet], info)
			}
		}
	}
	return out
}
