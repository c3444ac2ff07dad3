package sheetstream

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The differential fuzz targets. For any input, either both readers refuse it, or both
// read the first sheet to the same grid (excelize's GetRows shape, trailing empty cells
// and rows trimmed). The exceptions are narrow, and each is checked with a witness
// computed independently of this package's reader:
//
//   - This reader refuses, excelize reads:
//     1. a ZIP entry that does not inflate (bad deflate data, wrong CRC, short): excelize
//     ignores the error and keeps what inflated. Witness: reading the entry whole with
//     archive/zip fails.
//     2. a sheet that is not well-formed XML: excelize stops at the first error and keeps
//     the rows before it. Witness: encoding/xml (Strict) fails on the part, and the rows
//     this reader delivered before its error are excelize's, bar the one excelize read in
//     part.
//     3. rows or cells out of ascending order: excelize puts such a row's cells into the
//     row before, or such a cell after the last. Witness: an encoding/xml pass that
//     numbers rows and cells as excelize does finds one out of order.
//     4. over a limit (columns, rows, nesting): witness: excelize's grid, or the nesting
//     encoding/xml sees, is over it.
//     5. a cell inside a cell, or a part declaring an encoding other than UTF-8 (excelize
//     transcodes): witness from encoding/xml.
//   - excelize refuses, this reader reads: excelize decodes what this reader never reads
//     into typed values (run formatting, phonetic runs, formula and style attributes,
//     styles, theme, calcChain, content types, the workbook's other elements) and fails or drops the
//     cell's value when one does not parse. Witness: with those removed, excelize reads
//     the file to this reader's grid.

func FuzzReaderMatchesExcelize(f *testing.F) {
	for _, files := range corpusFiles(f) {
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
			f.Add(repack(data, zip.Store)) // mutations then reach the XML
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compare(t, data)
	})
}

// FuzzSheetXMLMatchesExcelize fuzzes the sheet's XML and the shared strings' XML inside
// a package that is otherwise sound, where most mutations of a whole file would only
// break its ZIP structure.
func FuzzSheetXMLMatchesExcelize(f *testing.F) {
	for _, files := range corpusFiles(f) {
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			sheetXML, sstXML := firstSheetParts(f, data)
			f.Add(sheetXML, sstXML)
		}
	}
	f.Fuzz(func(t *testing.T, sheetXML, sstXML []byte) {
		compare(t, pkg(string(sheetXML), string(sstXML), zip.Store))
	})
}

func compare(t *testing.T, data []byte) {
	want, werr := excelizeGrid(data)
	got, rerr := readerGrid(data, Limits{})
	switch {
	case werr == nil && rerr == nil:
		if d := gridDiff(want, got); d != "" {
			t.Fatalf("both read the file, differently: %s", d)
		}
	case werr != nil && rerr != nil:
	case rerr != nil:
		why := readerStricter(data, rerr, want, got)
		if why == "" {
			// excelize may also have dropped a value for a reason of the second kind.
			if want2, err := excelizeGrid(neutralise(data)); err == nil {
				why = readerStricter(data, rerr, want2, got)
			}
		}
		if why == "" {
			t.Fatalf("sheetstream refuses what excelize reads (%d rows): %v", len(want), rerr)
		}
	default:
		if !excelizeReadsNeutralised(data, got) {
			t.Fatalf("excelize refuses what sheetstream reads (%d rows), and not because of what sheetstream never reads: %v", len(got), werr)
		}
	}
}

// readerStricter is the witness for a refusal of this reader's that excelize does not
// share, or "".
func readerStricter(data []byte, rerr error, want, delivered [][]string) string {
	var e *Error
	if !errors.As(rerr, &e) {
		return ""
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	part := func(name string) []byte {
		var found *zip.File
		for _, f := range zr.File {
			if partKey(f.Name) == name {
				found = f
			}
		}
		if found == nil {
			return nil
		}
		rc, err := found.Open()
		if err != nil {
			return nil
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	switch e.Code {
	case CodeDamaged:
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return "an entry does not open"
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return "an entry does not inflate"
			}
		}
		if e.Part == "" || xmlWellFormed(part(e.Part)) {
			return ""
		}
		if e.Part == sharedStringsPart {
			return "the shared strings are not well-formed" // excelize reads no rows then
		}
		// The rows delivered are excelize's, but for the row excelize read in part.
		n := len(delivered)
		if len(want) < n || gridDiff(want[:n], delivered) != "" {
			return ""
		}
		partial := 0
		for _, row := range want[n:] {
			if len(row) > 0 {
				partial++
			}
		}
		if partial > 1 {
			return ""
		}
		return "the sheet is not well-formed"
	case CodeOutOfOrder:
		if outOfOrder(part(e.Part)) {
			return "rows or cells out of order"
		}
	case CodeTooLarge:
		l := DefaultLimits
		if len(want) > l.MaxRows || xmlDepth(part(e.Part)) > l.MaxDepth {
			return "over a limit"
		}
		for _, row := range want {
			if len(row) > l.MaxColumns {
				return "over the column limit"
			}
		}
		if strings.Contains(e.Message, "row") && strings.Contains(e.Message, "most read is") {
			return "over the row limit" // a row number past MaxRows, with no cells to show
		}
	case CodeUnsupported:
		if strings.Contains(e.Message, "cell inside a cell") || strings.Contains(e.Message, "declares") ||
			strings.Contains(e.Message, "different cases") {
			return "unsupported markup"
		}
	}
	return ""
}

// xmlWellFormed is whether encoding/xml reads b to its end without an error.
func xmlWellFormed(b []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

func xmlDepth(b []byte) int {
	d := xml.NewDecoder(bytes.NewReader(b))
	depth, most := 0, 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			return most
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			most = max(most, depth)
		case xml.EndElement:
			depth--
		}
	}
}

// outOfOrder numbers rows and cells as excelize does, with encoding/xml, and reports one
// that does not come after the one before.
func outOfOrder(b []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(b))
	row, col, inRow := 0, 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "row":
			n := 0
			for _, a := range se.Attr {
				if a.Name.Local == "r" {
					n, _ = strconv.Atoi(a.Value)
				}
			}
			if n == 0 {
				n = row + 1
			}
			if n <= row {
				return true
			}
			row, col, inRow = n, 0, true
		case "c":
			if !inRow {
				continue
			}
			c := col + 1
			for _, a := range se.Attr {
				if a.Name.Local == "r" && a.Value != "" {
					if cc, ok := cellColumn([]byte(a.Value)); ok {
						c = cc
					}
				}
			}
			if c <= col {
				return true
			}
			col = c
		}
	}
}

var (
	formattingExp = regexp.MustCompile(`(?s)<(\w+:)?(rPr|rPh|phoneticPr)\b[^>]*/>|<(\w+:)?(rPr|rPh|phoneticPr)\b[^>]*>.*?</(\w+:)?(rPr|rPh|phoneticPr)\s*>`)
	formulaExp    = regexp.MustCompile(`<((\w+:)?f)\s[^>]*?(/?)>`)
	styleExp      = regexp.MustCompile(`(<(\w+:)?c\b[^>]*?)\s+(\w+:)?(s|cm|vm|ph)\s*=\s*("[^"]*"|'[^']*')`)
)

// excelizeReadsNeutralised is the witness for the second kind of exception: excelize
// reads the package, with what this reader never reads taken out, to this reader's grid.
func excelizeReadsNeutralised(data []byte, got [][]string) bool {
	n := neutralise(data)
	if n == nil {
		return false
	}
	want, err := excelizeGrid(n)
	return err == nil && gridDiff(want, got) == ""
}

// neutralise is the package with what this reader never reads taken out: run formatting,
// phonetic runs, formula and style attributes, styles, theme, calcChain, content types
// and the workbook's elements other than its sheets. It is nil if the package cannot be read.
func neutralise(data []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		switch name := partKey(f.Name); {
		case name == "xl/styles.xml", name == "xl/calcChain.xml", strings.HasPrefix(name, "xl/theme/"):
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		body, _ := io.ReadAll(rc) // what inflates, as excelize keeps it
		rc.Close()
		if strings.HasSuffix(f.Name, ".xml") {
			for range 3 {
				body = formattingExp.ReplaceAll(body, nil)
				body = formulaExp.ReplaceAll(body, []byte("<$1$3>"))
				body = styleExp.ReplaceAll(body, []byte("$1"))
			}
		}
		if isWorkbookPart(f.Name) {
			body = minimalWorkbook(body)
		}
		if partKey(f.Name) == "[Content_Types].xml" {
			// excelize reads the content types when it first reads the shared strings.
			body = []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			return nil
		}
		w.Write(body)
	}
	zw.Close()
	return b.Bytes()
}

func isWorkbookPart(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), "workbook.xml")
}

// minimalWorkbook keeps a workbook part's sheets, as this reader reads them.
func minimalWorkbook(body []byte) []byte {
	var wb workbookXML
	if decodePart(body, &wb) != nil {
		return body
	}
	var b strings.Builder
	b.WriteString(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	for _, s := range wb.Sheets.Sheet {
		esc := func(v string) string {
			var e bytes.Buffer
			xml.EscapeText(&e, []byte(v))
			return strings.ReplaceAll(e.String(), `"`, "&quot;")
		}
		b.WriteString(`<sheet name="` + esc(s.Name) + `" sheetId="` + strconv.Itoa(s.SheetID) + `" r:id="` + esc(s.ID) + `"/>`)
	}
	b.WriteString(`</sheets></workbook>`)
	return []byte(b.String())
}

// repack writes a package again with every entry stored with method.
func repack(data []byte, method uint16) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			panic(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: method})
		if err != nil {
			panic(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			panic(err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// firstSheetParts is the XML of a package's first sheet and its shared strings.
func firstSheetParts(t testing.TB, data []byte) (sheetXML, sstXML []byte) {
	r, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		f, ok := r.parts[name]
		if !ok {
			return nil
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return read(r.sheets[0].path), read(sharedStringsPart)
}
