package xlsx

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

// xfdRows is a hostile workbook: the filled template with rows more rows on the Return
// sheet, each holding one number in column XFD, the last column Excel has.
func xfdRows(t testing.TB, rows int) []byte {
	t.Helper()
	filled := fillByName(t, mustTemplate(t, testOptions()), sample())
	return editSheet(t, filled, SheetReturn, func(ws string) string {
		var b strings.Builder
		for r := 1000; r < 1000+rows; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
		}
		return strings.Replace(ws, "</sheetData>", b.String()+"</sheetData>", 1)
	})
}

// allocated is how many bytes fn allocates: an upper bound on how far it raises the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseHostileXFDHeap: a small workbook whose rows each hold one cell in column XFD
// costs Parse no more than a return needs, and is refused naming the cell.
func TestParseHostileXFDHeap(t *testing.T) {
	data := xfdRows(t, hostileRows)
	t.Logf("hostile workbook: %d bytes, %d rows with a cell in column XFD", len(data), hostileRows)
	var err error
	n := allocated(func() { _, err = Parse(data) })
	t.Logf("Parse allocated %.1f MiB", float64(n)/(1<<20))
	if n > peakHeapBound {
		t.Errorf("Parse allocated %.1f MiB for a %d KB workbook, want at most %d MiB", float64(n)/(1<<20), len(data)>>10, peakHeapBound>>20)
	}
	var e *workforce.Error
	if !errors.As(err, &e) || e.Code != workforce.EInvalid {
		t.Fatalf("got %v, want a refusal", err)
	}
	if !strings.Contains(e.Error()+fmt.Sprint(e.Problems), "XFD1000") {
		t.Errorf("got %v %+v, want the cell XFD1000 named", e, e.Problems)
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
	filled := fillByName(t, mustTemplate(t, testOptions()), sample())
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
