package sheetstream

import (
	"archive/zip"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The corpus in testdata/corpus is committed, so that the tests need neither LibreOffice
// nor Python: excelize/ and handmade/ are written by this file (go test -run TestCorpus
// -update), libreoffice/ and openpyxl/ by testdata/generate.py.
var update = flag.Bool("update", false, "rewrite testdata/corpus/excelize and testdata/corpus/handmade")

// corpusWriters are the writers the corpus must hold files from.
var corpusWriters = []string{"excelize", "handmade", "libreoffice", "openpyxl"}

func corpusFiles(t testing.TB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, w := range corpusWriters {
		files, err := filepath.Glob(filepath.Join("testdata", "corpus", w, "*.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		out[w] = files
	}
	return out
}

// TestCorpusMatchesExcelize: every file of the corpus reads without error, to the grid
// excelize reads, cell for cell.
func TestCorpusMatchesExcelize(t *testing.T) {
	if *update {
		writeExcelizeCorpus(t)
		writeHandmadeCorpus(t)
	}
	for writer, files := range corpusFiles(t) {
		if len(files) < 2 {
			t.Errorf("testdata/corpus/%s has %d files; the corpus needs at least 2 from each writer", writer, len(files))
		}
		for _, file := range files {
			t.Run(strings.TrimPrefix(file, "testdata/corpus/"), func(t *testing.T) {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				want, err := excelizeGrid(data)
				if err != nil {
					t.Fatalf("excelize cannot read the corpus file: %v", err)
				}
				got, err := readerGrid(data, Limits{})
				if err != nil {
					t.Fatalf("sheetstream: %v", err)
				}
				if len(want) < 2 {
					t.Fatalf("excelize reads %d rows; a corpus file should have more", len(want))
				}
				if d := gridDiff(want, got); d != "" {
					t.Fatal(d)
				}
			})
		}
	}
}

// TestCorpusValues checks values the corpus was written with, so that agreeing with
// excelize is not the only proof.
func TestCorpusValues(t *testing.T) {
	cases := []struct {
		file string
		cell string // A1 style
		want string
		typ  Type
	}{
		{"excelize/shared-strings.xlsx", "A1", "staff_ref", TypeString},
		{"excelize/shared-strings.xlsx", "E2", "0.8", TypeNumber},
		{"excelize/shared-strings.xlsx", "F2", "1", TypeBool},
		{"excelize/shared-strings.xlsx", "G2", "45383", TypeNumber}, // 2024-04-01
		{"excelize/shared-strings.xlsx", "B3", "", TypeEmpty},
		{"excelize/shared-strings.xlsx", "A4", "a & b <c> \"d\"", TypeString},
		{"excelize/shared-strings.xlsx", "B4", "  padded  ", TypeString},
		{"excelize/shared-strings.xlsx", "C4", "line\nbreak", TypeString},
		// excelize writes _x0041_ as it is, and every reader reads it as the escape for "A".
		{"excelize/shared-strings.xlsx", "D4", "underAscore", TypeString},
		{"excelize/shared-strings.xlsx", "E4", "Grade 7 (rich)", TypeString},
		{"excelize/shared-strings.xlsx", "AZ9", "far", TypeString},
		{"excelize/stream-inline.xlsx", "A2", "S0001", TypeString},
		{"excelize/stream-inline.xlsx", "G2", "1.6", TypeNumber}, // formula, cached value
		{"excelize/stream-inline.xlsx", "C10", "0", TypeBool},
		{"openpyxl/extract.xlsx", "A2", "S0001", TypeString},
		{"openpyxl/extract.xlsx", "G2", "45383", TypeNumber},
		{"openpyxl/extract.xlsx", "F2", "1", TypeBool},
		{"libreoffice/extract.xlsx", "A2", "S0001", TypeString},
		{"libreoffice/extract.xlsx", "E2", "0.8", TypeNumber},
		{"libreoffice/extract.xlsx", "G2", "45383", TypeNumber},
		{"libreoffice/extract.xlsx", "I2", "3", TypeNumber}, // =1+2, cached
		{"handmade/positional.xlsx", "C2", "c2", TypeString},
		{"handmade/positional.xlsx", "A4", "#N/A", TypeError},
	}
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join("testdata", "corpus", c.file))
		if err != nil {
			t.Fatal(err)
		}
		col, ok := cellColumn([]byte(c.cell))
		if !ok {
			t.Fatal(c.cell)
		}
		row := 0
		for _, ch := range c.cell {
			if ch >= '0' && ch <= '9' {
				row = row*10 + int(ch-'0')
			}
		}
		got, err := cellAt(data, row, col)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if got != (Cell{c.want, c.typ}) {
			t.Errorf("%s %s = %+v, want %+v", c.file, c.cell, got, Cell{c.want, c.typ})
		}
	}
}

func cellAt(data []byte, row, col int) (Cell, error) {
	r, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		return Cell{}, err
	}
	rows, err := r.Rows("")
	if err != nil {
		return Cell{}, err
	}
	defer rows.Close()
	for rows.Next() {
		if rows.Number() == row {
			if col <= len(rows.Row()) {
				return rows.Row()[col-1], nil
			}
			return Cell{}, nil
		}
	}
	return Cell{}, rows.Err()
}

func writeCorpus(t *testing.T, writer, name string, data []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "corpus", writer)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeExcelizeCorpus(t *testing.T) {
	header := []any{"staff_ref", "grade", "profession", "job_family", "fte", "in_post", "ddat_start_date", "entry_route"}

	// Cells set one by one: strings go to the shared string table.
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Staff"))
	must(f.SetSheetRow("Staff", "A1", &header))
	must(f.SetSheetRow("Staff", "A2", &[]any{"S0001", "G7", "DDaT", "Data", 0.8, true, time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), "Fast stream"}))
	must(f.SetSheetRow("Staff", "A3", &[]any{"S0002", nil, "Finance", nil, 1, false, nil, "Other"}))
	must(f.SetSheetRow("Staff", "A4", &[]any{"a & b <c> \"d\"", "  padded  ", "line\nbreak", "under_x0041_score"}))
	must(f.SetCellRichText("Staff", "E4", []excelize.RichTextRun{{Text: "Grade 7 "}, {Text: "(rich)", Font: &excelize.Font{Bold: true}}}))
	must(f.SetSheetRow("Staff", "A7", &[]any{"S0003", "SCS1", "DDaT", "Architecture", 1, true, 45000, "Graduate programme"})) // rows 5 and 6 are gaps
	must(f.SetCellValue("Staff", "AZ9", "far"))
	must(f.SetCellValue("Staff", "C9", 12345678901234567890.0))
	must(f.SetCellValue("Staff", "D9", -0.000125))
	must(f.SetCellFormula("Staff", "H9", "E2*2")) // no cached value
	var b bytes.Buffer
	must(f.Write(&b))
	writeCorpus(t, "excelize", "shared-strings.xlsx", b.Bytes())

	// The stream writer: inline strings, formulas with cached values, sparse rows.
	f = excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	must(err)
	must(sw.SetRow("A1", header))
	must(sw.SetRow("A2", []any{"S0001", "Grade 7", "DDaT", "Software development", 0.8, true, excelize.Cell{Formula: "E2*2", Value: 1.6}, "Apprenticeship"}))
	must(sw.SetRow("A3", []any{"S0002", nil, nil, "", 0.5}))
	must(sw.SetRow("A10", []any{"S0003", "EO", false, nil, nil, nil, nil, "Unknown"}))
	must(sw.SetRow("C11", []any{"starts at C", excelize.Cell{Formula: "1/0", Value: "#DIV/0!"}}))
	must(sw.Flush())
	b.Reset()
	must(f.Write(&b))
	writeCorpus(t, "excelize", "stream-inline.xlsx", b.Bytes())

	// Two sheets: the first is read.
	f = excelize.NewFile()
	must(f.SetSheetName("Sheet1", "Notes"))
	_, err = f.NewSheet("Staff")
	must(err)
	must(f.SetSheetRow("Notes", "A1", &[]any{"This sheet comes first", 1}))
	must(f.SetSheetRow("Notes", "A2", &[]any{"and is the one read", 2}))
	must(f.SetSheetRow("Staff", "A1", &header))
	b.Reset()
	must(f.Write(&b))
	writeCorpus(t, "excelize", "two-sheets.xlsx", b.Bytes())
}

// handmade are packages written by hand, for what spreadsheet applications write
// differently or rarely: rows and cells without r, prefixes, Strict namespaces, CDATA,
// entities, comments, every cell type, inline rich text.
var handmade = map[string][]byte{
	"positional.xlsx": pkg(sheet(
		`<row><c t="inlineStr"><is><t>a1</t></is></c><c t="s"><v>0</v></c></row>`,
		`<row><c r="C2" t="str"><v>c2</v></c><c><v>4</v></c></row>`,
		`<row r="3" spans="1:3"><c r="B3" s="1" t="b"><v>1</v></c><c t="n"><v>1.5E+3</v></c></row>`,
		`<row><c t="e"><v>#N/A</v></c><c t="d"><v>2024-04-01T00:00:00Z</v></c><c t="s"><v> 1 </v></c><c><f>A1</f></c><c t="weird"><v>x</v></c></row>`,
	), sst(`<si><t>shared zero</t></si>`, `<si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space="preserve">run</t></r></si>`), zip.Deflate),
	"markup.xlsx": pkg(`<?xml version="1.0" encoding="utf-8"?>
<!-- a comment before the root -->
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t><![CDATA[<not markup>]]></x:t></x:is></x:c><x:c r="B1"><!-- note --><x:v>4<!-- in -->2</x:v></x:c></x:row>
<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;</x:t><x:r><x:t>run</x:t></x:r><x:rPh sb="0" eb="1"><x:t>phonetic</x:t></x:rPh></x:is></x:c>
<x:c r="B2" t="s"><x:v>1</x:v></x:c><x:c r="C2"><x:v>1</x:v><x:v>2</x:v></x:c></x:row>
<x:row r="4"><x:c r="A4" t="s"><x:v>0</x:v></x:c><x:c r="D4" t="inlineStr"><x:is><x:t>_x0041__x005F_x_xZZZZ_</x:t></x:is></x:c></x:row>
</x:sheetData><x:row r="9"><x:c><x:v>after sheetData</x:v></x:c></x:row></x:worksheet>`,
		`<?xml version="1.0"?><sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><si><t>strict zero</t></si><si><t>first</t><t>last t wins</t></si></sst>`, zip.Store),
}

func writeHandmadeCorpus(t *testing.T) {
	names := make([]string, 0, len(handmade))
	for n := range handmade {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		writeCorpus(t, "handmade", n, handmade[n])
	}
}
