package editions

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
)

// A successor target added to a copy of the targets file appears everywhere a leader reads
// about targets — the cover, the notes, the headline table and a chart's threshold line —
// with no change to the code. The copy is the real file plus "1 in 10 civil servants in
// digital and data roles by 2030".
func TestSuccessorTargetAppearsThroughoutTheWorkbook(t *testing.T) {
	data, err := os.ReadFile("../targets/testdata/successor.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := targets.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	succ, ok := set.ByID("ddat-share-one-in-ten")
	if !ok {
		t.Fatal("the successor file has no ddat-share-one-in-ten")
	}
	s := snapshotWith(t, set)
	for _, edition := range rollup.Editions {
		f := open(t, render(t, s, edition))
		text := func(sheet string) string {
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			var sb strings.Builder
			for _, r := range rows {
				sb.WriteString(strings.Join(r, "\t") + "\n")
			}
			return sb.String()
		}
		note := len(set.Targets) + 6 // the six general notes, then one per target in file order
		if cover := text("Cover"); !strings.Contains(cover, fmt.Sprintf("%s [note %d]", succ.Title, note)) {
			t.Errorf("%s: the cover does not name the successor with its note:\n%s", edition, cover)
		}
		notes := text("Notes")
		for _, want := range []string{fmt.Sprintf("[note %d]\t%s. The commitment: %s", note, succ.Title, succ.Commitment),
			"at least 10%, by 31 March 2030", "\u201c" + succ.Quote + "\u201d", "Assumed: " + succ.Assumed} {
			if !strings.Contains(notes, want) {
				t.Errorf("%s: the notes do not say %q:\n%s", edition, want, notes)
			}
		}
		row := findRow(t, f, "Targets", succ.Title)
		if row[1] != "by 2030-03-31" || row[4] != "0.1" || !slices.Contains(row, fmt.Sprintf("[note %d]", note)) {
			t.Errorf("%s: headline row %q", edition, row)
		}
		// The DDaT share table gains a threshold column at 10% and a chart that draws it.
		rows, _ := f.GetRows("DDaT share", excelize.Options{RawCellValue: true})
		tables, _ := f.GetTables("DDaT share")
		first, last := rangeRows(tables[0].Range)
		header := rows[first-1]
		col := slices.Index(header, "Commitment of 10% by 31 March 2030 (percent)")
		if col < 0 || slices.Index(header, "Commitment of 6% by 31 March 2025 (percent)") < 0 {
			t.Fatalf("%s: DDaT share headers %q lack a threshold column for each share target", edition, header)
		}
		if rows[first][col] != "0.1" {
			t.Errorf("%s: the successor's line is %q, want 0.1", edition, rows[first][col])
		}
		name, _ := excelize.ColumnNumberToName(col + 1)
		ref := fmt.Sprintf("'DDaT share'!$%s$%d:$%s$%d", name, first+1, name, last)
		if !slices.Contains(chartRefs(t, render(t, s, edition)), ref) {
			t.Errorf("%s: no chart draws the successor's line %s", edition, ref)
		}
	}
}

// chartRefs lists the cell ranges the workbook's chart series plot.
func chartRefs(t *testing.T, b []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	refRE := regexp.MustCompile(`<(?:c:)?val><(?:c:)?numRef><(?:c:)?f>([^<]+)</(?:c:)?f>`)
	var refs []string
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
	return refs
}
