package sheetstream

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// This file holds the two readings compared in the tests: excelize's and this package's,
// each as the grid excelize's GetRows returns (row i of the grid is sheet row i+1), with
// trailing empty cells and rows trimmed, since excelize leaves some out.

// excelizeGrid reads the first sheet with excelize's Rows and Columns, with raw values
// and every part held in memory. Any error of excelize's is an error here, including an
// error from Columns (which GetRows would swallow, returning fewer rows).
func excelizeGrid(data []byte) (grid [][]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			grid, err = nil, fmt.Errorf("excelize panicked: %v", r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true, UnzipSizeLimit: 1 << 40, UnzipXMLSizeLimit: 1 << 40,
	})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	list := f.GetSheetList()
	if len(list) == 0 {
		return nil, fmt.Errorf("excelize: no sheets")
	}
	rows, err := f.Rows(list[0])
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		grid = append(grid, cols)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return trimGrid(grid), nil
}

// readerGrid reads the first sheet with this package. delivered is the grid of the
// rows read before any error.
func readerGrid(data []byte, limits Limits) (grid [][]string, err error) {
	r, err := Open(bytes.NewReader(data), int64(len(data)), limits)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rows, err := r.Rows("")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		for len(grid) < rows.Number()-1 {
			grid = append(grid, nil)
		}
		row := make([]string, len(rows.Row()))
		for i, c := range rows.Row() {
			row[i] = c.Value
		}
		grid = append(grid, row)
	}
	return trimGrid(grid), rows.Err()
}

func trimGrid(g [][]string) [][]string {
	for i, row := range g {
		for len(row) > 0 && row[len(row)-1] == "" {
			row = row[:len(row)-1]
		}
		g[i] = row
	}
	for len(g) > 0 && len(g[len(g)-1]) == 0 {
		g = g[:len(g)-1]
	}
	return g
}

// gridDiff describes the first difference between two grids, or is "".
func gridDiff(want, got [][]string) string {
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g []string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if slices.Equal(w, g) {
			continue
		}
		for j := 0; j < max(len(w), len(g)); j++ {
			var wc, gc string
			if j < len(w) {
				wc = w[j]
			}
			if j < len(g) {
				gc = g[j]
			}
			if wc != gc {
				return fmt.Sprintf("row %d, column %s: excelize %q, sheetstream %q (excelize row %q, sheetstream row %q)", i+1, columnName(j+1), wc, gc, w, g)
			}
		}
		return fmt.Sprintf("row %d: excelize %q, sheetstream %q", i+1, w, g)
	}
	return ""
}

// pkg builds an .xlsx package around the given sheet XML and shared strings XML (none
// when sst is ""), with the method given (zip.Store or zip.Deflate).
func pkg(sheetXML, sstXML string, method uint16) []byte {
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheetXML},
	}
	if sstXML != "" {
		parts = append(parts, struct{ name, body string }{"xl/sharedStrings.xml", sstXML})
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			panic(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>`

const sheetTail = `</sheetData></worksheet>`

func sheet(rows ...string) string { return sheetHead + strings.Join(rows, "") + sheetTail }

func sst(items ...string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>`, len(items), len(items), strings.Join(items, ""))
}
