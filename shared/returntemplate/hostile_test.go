package returntemplate

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"path"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// hostileRows is how many rows of the hostile workbook carry a cell in the last column.
// Each such row once cost about 3 MB of heap, as the workbook library padded it out.
const hostileRows = 400

// peakHeapBound is the most one hostile submission may allocate in Parse. It is a bound on
// everything Parse allocates, so on its peak heap whatever the garbage collector does.
const peakHeapBound = 32 << 20

// partOf is the ZIP entry of the named sheet, found through the workbook's relationships.
func partOf(t testing.TB, data []byte, sheet string) string {
	t.Helper()
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(zipPart(t, data, "xl/workbook.xml"), &wb); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(zipPart(t, data, "xl/_rels/workbook.xml.rels"), &rels); err != nil {
		t.Fatal(err)
	}
	for _, s := range wb.Sheets {
		for _, r := range rels.Rels {
			if s.Name == sheet && r.ID == s.ID {
				return path.Join("xl", strings.TrimPrefix(r.Target, "/xl/"))
			}
		}
	}
	t.Fatalf("no sheet %s", sheet)
	return ""
}

func zipPart(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	var part []byte
	rewriteZip(t, data, func(n string, b []byte) []byte {
		if n == name {
			part = b
		}
		return b
	})
	if part == nil {
		t.Fatalf("no part %s", name)
	}
	return part
}

// editSheet rewrites the named sheet's XML.
func editSheet(t testing.TB, data []byte, sheet string, edit func(ws string) string) []byte {
	t.Helper()
	part := partOf(t, data, sheet)
	return rewriteZip(t, data, func(name string, b []byte) []byte {
		if name != part {
			return b
		}
		return []byte(edit(string(b)))
	})
}

// xfdRows is a hostile workbook: the filled template with rows more rows on the named
// sheet, from row 1000, each holding one number in column XFD, the last column Excel has.
func xfdRows(t testing.TB, sheet string, rows int) []byte {
	t.Helper()
	return editSheet(t, filledSample(t), sheet, func(ws string) string {
		var b strings.Builder
		for r := 1000; r < 1000+rows; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
		}
		return strings.Replace(ws, "</sheetData>", b.String()+"</sheetData>", 1)
	})
}

func filledSample(t testing.TB) []byte {
	t.Helper()
	return fillByName(t, mustTemplate(t, testOptions()), sample())
}

// hostileBook is a workbook made to cost Parse more than a return needs, and what Parse
// answers: the fields of the sample return, or a refusal whose message contains refusal.
type hostileBook struct {
	name    string
	data    []byte
	refusal string
}

func hostileBooks(t testing.TB) []hostileBook {
	t.Helper()
	filled := filledSample(t)
	onReturn := func(edit func(ws string) string) []byte { return editSheet(t, filled, SheetReturn, edit) }
	rows := func(format string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, format, i+1000, i+1000)
		}
		return b.String()
	}
	beforeEnd := func(ws, s string) string { return strings.Replace(ws, "</sheetData>", s+"</sheetData>", 1) }
	notes := fieldCells(t, openBook(t, filled))["notes"].cell
	notesCell := regexp.MustCompile(`<c r="` + notes + `"(?:[^>]*/>|[^>]*>.*?</c>)`)
	inlineNotes := func(text string) func(string) string {
		return func(ws string) string {
			return notesCell.ReplaceAllLiteralString(ws, `<c r="`+notes+`" t="inlineStr"><is><t>`+text+`</t></is></c>`)
		}
	}
	workbookXML := func(edit func(string) string) []byte {
		return rewriteZip(t, filled, func(name string, b []byte) []byte {
			if name == "xl/workbook.xml" {
				return []byte(edit(string(b)))
			}
			return b
		})
	}
	return []hostileBook{
		{"a cell in column XFD on each of 400 rows of the Return sheet", xfdRows(t, SheetReturn, hostileRows),
			"The sheet Return is larger than a return can be: it has a cell at Return!XFD1000."},
		{"the same on the Lists sheet, which holds no answers", xfdRows(t, SheetLists, hostileRows), ""},
		{"a declared dimension of every cell", onReturn(func(ws string) string {
			return strings.Replace(ws, `<dimension ref="A1">`, `<dimension ref="A1:XFD1048576">`, 1)
		}), "it declares that its cells span Return!A1:XFD1048576"},
		{"a cell in the last row", onReturn(func(ws string) string {
			return beforeEnd(ws, `<row r="1048576"><c r="A1048576"><v>1</v></c></row>`)
		}), "it has a row numbered 1048576 (Return!1048576:1048576)"},
		{"a row numbered 70 five thousand times", onReturn(func(ws string) string {
			return beforeEnd(ws, strings.Repeat(`<row r="70"><c r="A70"><v>1</v></c></row>`, 5000))
		}), "it has more than 1000 rows"},
		{"26,001 cells in one row", onReturn(func(ws string) string {
			return beforeEnd(ws, `<row r="70">`+strings.Repeat(`<c r="A70"/>`, maxCells+1)+`</row>`)
		}), "it has more than 26000 cells"},
		{"a cell in column AA", onReturn(func(ws string) string {
			return beforeEnd(ws, rows(`<row r="%d"><c r="AA%d" t="inlineStr"><is><t>x</t></is></c></row>`, 1))
		}), "it has a cell at Return!AA1000"},
		{"cells nested 100,000 deep", onReturn(func(ws string) string {
			return beforeEnd(ws, `<row r="70"><c r="A70">`+strings.Repeat("<x>", 100000)+strings.Repeat("</x>", 100000)+`</c></row>`)
		}), msgDamaged},
		{"an inline string of 210,000 characters in the notes cell", onReturn(inlineNotes(strings.Repeat("Notes. ", 30000))),
			"could not be read: it holds more than the 32767 characters a cell can"},
		{"1 MB of text without a tag", onReturn(inlineNotes(strings.Repeat("Notes. ", 150000))), msgDamaged},
		{"a cell with 100,000 attributes", onReturn(func(ws string) string {
			var b strings.Builder
			for i := range 100000 {
				fmt.Fprintf(&b, ` a%d=""`, i)
			}
			return beforeEnd(ws, `<row r="70"><c r="A70"`+b.String()+`/></row>`)
		}), msgDamaged},
		{"20,000 defined names of the analyst's own", workbookXML(func(wb string) string {
			var b strings.Builder
			for i := range 20000 {
				fmt.Fprintf(&b, `<definedName name="working_%d">Return!$A$%d</definedName>`, i, i%900+1)
			}
			return strings.Replace(wb, "<definedNames>", "<definedNames>"+b.String(), 1)
		}), ""},
		{"the organisation's name defined 20,000 times", workbookXML(func(wb string) string {
			return strings.Replace(wb, "<definedNames>", "<definedNames>"+strings.Repeat(`<definedName name="org">Return!$D$9</definedName>`, 20000), 1)
		}), "The name org is defined more than once."},
	}
}

// allocated is how many bytes fn allocates: an upper bound on how far it raises the heap,
// whatever the garbage collector does meanwhile. (Tests that measure do not run in
// parallel, so the count is fn's.)
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseHostileCost: workbooks made to cost more than a return needs (the first is a
// 19 KB workbook that took 1.3 GB of heap when the workbook library padded each row to
// its last column) cost Parse at most peakHeapBound, and are read or refused as a return
// of that shape should be.
func TestParseHostileCost(t *testing.T) {
	want := expectFields(t, filledSample(t), sample())
	for _, hb := range hostileBooks(t) {
		t.Run(hb.name, func(t *testing.T) {
			var (
				fields []workforce.RawField
				err    error
			)
			n := allocated(func() { fields, err = Parse(hb.data) })
			t.Logf("%d KB workbook: Parse allocated %.2f MiB", len(hb.data)>>10, float64(n)/(1<<20))
			if n > peakHeapBound {
				t.Errorf("Parse allocated %.1f MiB for a %d KB workbook, want at most %d MiB", float64(n)/(1<<20), len(hb.data)>>10, peakHeapBound>>20)
			}
			if hb.refusal == "" {
				if err != nil {
					t.Fatal(err)
				}
				diffFields(t, fields, want)
				return
			}
			var e *workforce.Error
			if !errors.As(err, &e) || e.Code != workforce.EInvalid {
				t.Fatalf("got %v, %v; want a refusal", fields, err)
			}
			all := e.Message
			for _, p := range e.Problems {
				all += "\n" + p.Cell + " " + p.Message
			}
			if !strings.Contains(all, hb.refusal) {
				t.Errorf("got %q, want it to say %q", all, hb.refusal)
			}
		})
	}
}

// repoint moves the workbook-scoped name key to refersTo.
func repoint(t testing.TB, data []byte, key, refersTo string) []byte {
	t.Helper()
	re := regexp.MustCompile(`(<definedName[^>]* name="` + key + `"[^>]*>)[^<]*(</definedName>)`)
	out := rewriteZip(t, data, func(name string, b []byte) []byte {
		if name != "xl/workbook.xml" {
			return b
		}
		return re.ReplaceAll(b, []byte("${1}"+strings.ReplaceAll(refersTo, "$", "$$")+"${2}"))
	})
	if bytes.Equal(out, data) {
		t.Fatalf("no name %s to move", key)
	}
	return out
}

// TestParseNameOnAnotherSheet: a field's name moved off the Return sheet, to a range or to
// a sheet that is not there is refused naming the field and the cell, whatever that cell
// holds. (The organisation's name on the hidden Lists sheet once read another
// organisation's code, and the service answered 403.)
func TestParseNameOnAnotherSheet(t *testing.T) {
	filled := filledSample(t)
	tests := []struct {
		key, refersTo, cell, message string
	}{
		{"org", "Lists!$A$3", "Lists!A3", "on the sheet Lists"},
		{"org", "Instructions!$A$1", "Instructions!A1", "on the sheet Instructions"},
		{"headcount", "Return!$D$17:$D$18", "Return!D17:D18", "range of 2 cells"},
		{"org", "Gone!$D$9", "Gone!D9", `the sheet "Gone", which is not in this workbook`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.refersTo, func(t *testing.T) {
			fields, err := Parse(repoint(t, filled, tt.key, tt.refersTo))
			var e *workforce.Error
			if !errors.As(err, &e) || e.Code != workforce.EInvalid || len(e.Problems) != 1 {
				t.Fatalf("got %v, %v; want one problem", fields, err)
			}
			p := e.Problems[0]
			if p.Field != tt.key || p.Cell != tt.cell || p.Code != CodeBadDefinedName || !strings.Contains(p.Message, tt.message) {
				t.Errorf("got %+v, want %s at %s (%s) containing %q", p, tt.key, tt.cell, CodeBadDefinedName, tt.message)
			}
		})
	}
}

// TestSubmitNameOnAnotherSheet: through the service, a workbook whose organisation's name
// points at the Lists sheet is a 422 naming the cell, not a 403 for the organisation that
// happens to be written there. Nothing is stored, so the service needs no stores.
func TestSubmitNameOnAnotherSheet(t *testing.T) {
	svc := &workforce.Service{ParseXLSX: Parse}
	data := repoint(t, filledSample(t), "org", "Lists!$A$2")
	_, _, err := svc.Submit(t.Context(), workforce.Upload{
		Principal: workforce.Principal{Subject: "analyst", Org: "HMRC", Roles: []string{"submitter"}},
		Format:    workforce.FormatXLSX, Body: data,
	})
	var e *workforce.Error
	if !errors.As(err, &e) || e.Code != workforce.EInvalid || len(e.Problems) != 1 {
		t.Fatalf("got %v, want a 422 with one problem", err)
	}
	if p := e.Problems[0]; p.Field != "org" || p.Cell != "Lists!A2" || p.Code != CodeBadDefinedName {
		t.Errorf("got %+v, want org at Lists!A2", p)
	}
}
