package sheetstream

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRefusals: hostile and broken files are refused with the code that says why, and a
// message that names the part or row, never a cell's value.
func TestRefusals(t *testing.T) {
	manyParts := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for i := range 1001 {
			zw.Create(fmt.Sprintf("p%d.xml", i))
		}
		zw.Close()
		return b.Bytes()
	}
	bomb := func() []byte {
		// 64 MiB of one byte deflates to about 64 KB: a ratio over 200.
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		w.Write(bytes.Repeat([]byte{' '}, 64<<20))
		zw.Close()
		return b.Bytes()
	}
	cases := []struct {
		name   string
		data   []byte
		limits Limits
		code   string
		says   string
	}{
		{"empty", nil, Limits{}, CodeNotXLSX, "empty"},
		{"not a zip", []byte("staff_ref,grade\nS1,G7\n"), Limits{}, CodeNotXLSX, "not an .xlsx"},
		{"encrypted", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...), Limits{}, CodeEncrypted, "password"},
		{"too many parts", manyParts(), Limits{}, CodeTooLarge, "1001 parts"},
		{"zip bomb", bomb(), Limits{}, CodeTooLarge, "not what a workbook looks like"},
		{"over the file size", pkg(sheet(`<row r="1"><c><v>1</v></c></row>`), "", zip.Deflate), Limits{MaxFileSize: 100}, CodeTooLarge, "the most read"},
		{"value in column XFD", pkg(sheet(`<row r="1"><c r="XFD1" t="inlineStr"><is><t>secret</t></is></c></row>`), "", zip.Deflate), Limits{}, CodeTooLarge, "column XFD"},
		{"row over the limit", pkg(sheet(`<row r="1"><c><v>1</v></c></row><row r="11"><c><v>1</v></c></row>`), "", zip.Deflate), Limits{MaxRows: 10}, CodeTooLarge, "row 11"},
		{"rows out of order", pkg(sheet(`<row r="2"><c><v>1</v></c></row><row r="1"><c><v>2</v></c></row>`), "", zip.Deflate), Limits{}, CodeOutOfOrder, "row 1 comes after row 2"},
		{"cells out of order", pkg(sheet(`<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>`), "", zip.Deflate), Limits{}, CodeOutOfOrder, "column A after one in column B"},
		{"not well-formed", pkg(sheet(`<row r="1"><c><v>secret</x></c></row>`), "", zip.Deflate), Limits{}, CodeDamaged, "not well-formed"},
		{"shared string missing", pkg(sheet(`<row r="1"><c t="s"><v>3</v></c></row>`), sst(`<si><t>a</t></si>`), zip.Deflate), Limits{}, CodeDamaged, "shared string 3"},
		{"too many shared strings", pkg(sheet(`<row r="1"><c t="s"><v>0</v></c></row>`), sst(`<si><t>a</t></si>`, `<si><t>b</t></si>`), zip.Deflate), Limits{MaxSharedStrings: 1}, CodeTooLarge, "shared strings"},
		{"declared encoding", pkg(`<?xml version="1.0" encoding="ISO-8859-1"?><worksheet><sheetData><row/></sheetData></worksheet>`, "", zip.Deflate), Limits{}, CodeUnsupported, "ISO-8859-1"},
		{"nested too deep", pkg(sheetHead+`<row>`+strings.Repeat("<x>", 300)+strings.Repeat("</x>", 300)+`</row>`+sheetTail, "", zip.Deflate), Limits{}, CodeTooLarge, "nested"},
		{"text too long", pkg(sheet(`<row><c t="inlineStr"><is><t>`+strings.Repeat("x", 2<<20)+`</t></is></c></row>`), "", zip.Store), Limits{}, CodeTooLarge, "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readerGrid(c.data, c.limits)
			if err == nil {
				t.Fatal("read without an error")
			}
			if Code(err) != c.code || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %q (code %q), want code %q saying %q", err, Code(err), c.code, c.says)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("the error quotes a cell's value: %v", err)
			}
		})
	}
}

// TestSheetByName: a sheet is found by its name, in any case; a missing one is named.
func TestSheetByName(t *testing.T) {
	data := mustRead(t, "testdata/corpus/excelize/two-sheets.xlsx")
	r, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Sheets(), ","); got != "Notes,Staff" {
		t.Fatalf("Sheets() = %s", got)
	}
	rows, err := r.Rows("staff")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() || rows.Row()[0].Value != "staff_ref" {
		t.Fatalf("the Staff sheet's first row is %+v (%v)", rows.Row(), rows.Err())
	}
	if _, err := r.Rows("Missing"); Code(err) != CodeNoSheet {
		t.Fatalf("Rows(Missing): %v", err)
	}
}

// TestSparseRowIsCompact: a value in column 200 costs 200 cells, not 16,384, and a styled
// empty cell in column XFD costs nothing.
func TestSparseRowIsCompact(t *testing.T) {
	data := pkg(sheet(`<row r="1"><c r="GR1"><v>1</v></c><c r="XFD1" s="3"/></row>`), "", zip.Deflate)
	r, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.Rows("")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	if n := len(rows.Row()); n != 200 {
		t.Fatalf("the row has %d cells, want 200 (GR is column 200)", n)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
