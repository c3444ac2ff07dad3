package sheetstream

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// The fast path (fast.go) must read what the token loop reads: the same rows, cells and
// types, and the same error after the same rows. These tests read each input both ways,
// and with read buffers small enough that the fast path meets the end of the bytes read
// in every construct it reads.

// fastPathCases are sheets and shared string tables written the ways the fast path reads
// and the ways it leaves to the token loop, well-formed or not.
var fastPathCases = []struct {
	name   string
	sheet  string
	sst    string
	limits Limits
}{
	{name: "usual", sheet: sheet(`<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45383</v></c><c r="C1" t="b"><v>1</v></c></row><row r="2"><c r="A2" s="2"/><c r="B2"></c><c r="C2" t="s"><v>1</v></c></row>`), sst: sst(`<si><t>zero</t></si>`, `<si><t xml:space="preserve"> one </t></si>`)},
	{name: "white space", sheet: sheet("\n<row r=\"1\" >\n  <c  r = \"A1\"\tt='s' >\n\t<v >0</v >\n  </c >\n <c r=\"B1\"><v>\n2\n</v></c></row >\r\n<row\r\nr=\"2\"><c\r\nr=\"A2\"/></row>"), sst: sst("\n<si>\n<t>zero</t>\n</si>\n")},
	{name: "carriage returns in values", sheet: sheet("<row><c t=\"str\"><v>a\r\nb\rc</v></c><c t=\"inlineStr\"><is><t>d\r\ne</t></is></c><c t=\"s\"><v>0</v></c></row>"), sst: sst("<si><t>f\r\ng</t></si>")},
	{name: "entities", sheet: sheet(`<row r="&#49;"><c r="&#65;1" t="str"><v>a&amp;b</v></c><c r="B1" t="&#115;"><v>&#48;</v></c><c r="C1" t='str'><v>&lt;&gt;&quot;&apos;</v></c></row>`), sst: sst(`<si><t>&amp;</t></si>`)},
	{name: "prefixes", sheet: sheet(`<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><c x:r="B1" y:t="str"><v>2</v></c><c r:="E1"><v>3</v></c><c :r="F1"><v>4</v></c></x:row><row r="2"><c r="A2"><x:v>5</x:v></c></row>`), sst: sst(`<x:si><x:t>a</x:t></x:si>`)},
	{name: "two colons", sheet: sheet(`<row><c a:b:c="1"><v>1</v></c></row>`)},
	{name: "two colons in a row", sheet: sheet(`<row r="1"><c><v>1</v></c></row><row a:b:r="2"><c><v>1</v></c></row>`)},
	{name: "names beyond ASCII", sheet: sheet(`<row><c r="A1" é="1"><v>1</v></c><c r="B1"><v>é</v></c><é/></row><row r="2"><c r="A2"><v>1</v></c><cé/></row>`), sst: sst(`<si><t>é</t></si>`)},
	{name: "names that only start alike", sheet: sheet(`<row><cc r="A1"><v>1</v></cc><c-x/><c.x/><c r="A1"><v2>1</v2><vx>2</vx></c><c r="B1"><v>3</v><v>4</v></c></row><rows/><row><c r="A2"><v>1</v></c></row>`), sst: sst(`<sii><t>a</t></sii>`, `<si><tt>b</tt></si>`, `<si><t>c</t><t>d</t></si>`)},
	{name: "end tag that does not match", sheet: sheet(`<row><c r="A1"><v>1</vx></c></row>`)},
	{name: "cell closed by row", sheet: sheet(`<row><c r="A1"><v>1</v></row></c>`)},
	{name: "row closed by another name", sheet: sheet(`<x:row r="1"><c r="A1"><v>1</v></c></row>`)},
	{name: "end tag with a name beyond ASCII", sheet: sheet(`<row><c r="A1"><v>1</vé></c></row>`)},
	{name: "unquoted value", sheet: sheet(`<row><c r=A1><v>1</v></c></row>`)},
	{name: "unquoted value between like letters", sheet: sheet(`<row><c r=x1x><v>1</v></c></row>`)},
	{name: "row deeper than the first", sheet: sheet(`<row r="1"><c r="A1"><v>1</v></c></row><x><row r="2"><c r="A2"><v>2</v></c></row></x>`)},
	{name: "empty row deeper than the first", sheet: sheet(`<row r="1"></row><x><row r="2"></row></x>`)},
	{name: "names run into attributes", sheet: sheet(`<row r="1"><cr="A1"/></row>`)},
	{name: "value name runs into an attribute", sheet: sheet(`<row r="1"><c r="A1"><vr="1">1</v></c></row>`)},
	{name: "row name runs into an attribute", sheet: sheet(`<row r="1"></row><rowr="2"></row>`)},
	{name: "string item names run into attributes", sheet: sheet(`<row r="1"><c t="s"><v>0</v></c></row>`), sst: sst(`<sir="1"><t>a</t></si>`)},
	{name: "attribute without a value", sheet: sheet(`<row><c r><v>1</v></c></row>`)},
	{name: "attributes without space", sheet: sheet(`<row r="1"s="2"><c r="A1"t="str"><v>x</v></c></row>`)},
	{name: "slash inside a tag", sheet: sheet(`<row><c r="A1" / ><v>1</v></c></row>`)},
	{name: "less-than in a value", sheet: sheet(`<row><c r="A<1"><v>1</v></c></row>`)},
	{name: "control character", sheet: sheet("<row><c r=\"A1\"><v>1\x01</v></c></row>")},
	{name: "control character in an attribute", sheet: sheet("<row><c r=\"A1\" x=\"\x02\"><v>1</v></c></row>")},
	{name: "brackets", sheet: sheet(`<row><c r="A1" t="str"><v>a]b</v></c><c r="B1" x="]]>"><v>1</v></c></row>`)},
	{name: "CDATA end in text", sheet: sheet(`<row><c r="A1" t="str"><v>a]]>b</v></c></row>`)},
	{name: "invalid UTF-8", sheet: sheet("<row><c r=\"A1\" t=\"str\"><v>\xff</v></c></row>")},
	{name: "comments and CDATA", sheet: sheet(`<row><!-- x --><c r="A1"><!-- y --><v>1</v><!-- z --></c><c r="B1" t="str"><v><![CDATA[2]]></v></c></row>`), sst: sst(`<si><!-- x --><t>a</t></si>`, `<si><t><![CDATA[b]]></t></si>`)},
	{name: "empty cell too deep", sheet: sheet(`<row><c r="A1"></c></row>`)},
	{name: "self-closing cell too deep", sheet: sheet(`<row><c r="A1" s="1"/></row>`)},
	{name: "rows at the root", sheet: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, sst: sst(`<si><t>a</t></si>`)},
	{name: "inline strings", sheet: sheet(`<row><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is> <t xml:space="preserve"> b </t> </is ></c><c r="C1" t="inlineStr"><is><t>_x0041_</t></is></c><c r="D1" t="inlineStr"><is><t></t></is></c><c r="E1" t="inlineStr"><is></is></c><c r="F1" t="inlineStr"><is/></c><c r="G1" t="s"><is><t>g</t></is></c><c r="H1"><is><t>h</t></is></c></row>`), sst: sst(`<si><t>zero</t></si>`)},
	{name: "inline strings written otherwise", sheet: sheet(`<row><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c><c r="B1" t="inlineStr"><is><t>b</t><t>c</t></is></c><c r="C1" t="inlineStr"><is><t>d</t></is><v>e</v></c><c r="D1" t="inlineStr"><v>f</v><is><t>g</t></is></c><c r="E1" t="inlineStr"><is a="1"><t>h</t></is></c><c r="F1" t="inlineStr"><is><t>i</t></is><is><t>j</t></is></c><c r="G1" t="inlineStr"><is><t/></is></c><c r="H1" t="inlineStr"><is><t>k</x></is></c></row>`)},
	{name: "inline string that ends early", sheet: sheet(`<row><c r="A1" t="inlineStr"><is><t>a</t></c></row>`)},
	{name: "formula, inline string, nested cell", sheet: sheet(`<row><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="inlineStr"><is><t>b</t></is></c><c r="C1"><c r="D1"/></c></row>`)},
	{name: "empty values", sheet: sheet(`<row><c r="A1"><v/></c><c r="B1"><v></v></c><c r="C1" t="s"><v></v></c><c r="D1" t="str"><v> </v></c></row>`), sst: sst(`<si><t/></si>`, `<si/>`, `<si><t></t></si>`)},
	{name: "every type", sheet: sheet(`<row><c t="n"><v>1</v></c><c t="b"><v>0</v></c><c t="d"><v>2024-04-01</v></c><c t="e"><v>#N/A</v></c><c t="str"><v>s</v></c><c t="s"><v> 0 </v></c><c t="inlineStr"><v>i</v></c><c t="weird"><v>w</v></c><c t=""><v>e</v></c></row>`), sst: sst(`<si><t>zero</t></si>`)},
	{name: "escapes in strings", sheet: sheet(`<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>`), sst: sst(`<si><t>_x0041_</t></si>`, `<si><t>_x005F_x0041_</t></si>`)},
	{name: "shared strings missing", sheet: sheet(`<row><c t="s"><v>2</v></c></row>`), sst: sst(`<si><t>a</t></si>`)},
	{name: "shared string that is not a number", sheet: sheet(`<row><c t="s"><v>x</v></c></row>`), sst: sst(`<si><t>a</t></si>`)},
	{name: "empty shared string", sheet: sheet(`<row><c t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`), sst: sst(`<si><t></t></si>`, `<si><t>b</t></si>`)},
	{name: "references", sheet: sheet(`<row r="7"><c r="$A$7"><v>1</v></c><c r="b7"><v>2</v></c><c r="XFD7"><v>3</v></c></row><row r="8"><c r="A0"><v>1</v></c></row>`), limits: Limits{MaxColumns: 20000}},
	{name: "bad reference", sheet: sheet(`<row><c r="A1"><v>1</v></c></row><row><c r="1A"><v>1</v></c></row>`)},
	{name: "cells out of order", sheet: sheet(`<row><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>`)},
	{name: "cells without r after cells with", sheet: sheet(`<row><c r="C1"><v>1</v></c><c><v>2</v></c><c t="s"/><c><v>3</v></c></row>`)},
	{name: "rows out of order", sheet: sheet(`<row r="2"><c><v>1</v></c></row><row r="2"><c><v>2</v></c></row>`)},
	{name: "row numbers", sheet: sheet(`<row r="0"><c><v>1</v></c></row><row><c><v>2</v></c></row><row r="5" r="9"><c><v>3</v></c></row><row r="10"/><row r="11"></row><row r="12" ><c><v>4</v></c></row>`)},
	{name: "row number that is not a number", sheet: sheet(`<row r="1"><c><v>1</v></c></row><row r="x" r="3" r="y"><c><v>2</v></c></row>`)},
	{name: "second row number that is not a number", sheet: sheet(`<row r="1"><c><v>1</v></c></row><row r="3" r="+"><c><v>2</v></c></row>`)},
	{name: "row beyond the sheet", sheet: sheet(`<row r="1"><c><v>1</v></c></row><row r="1048577"><c><v>2</v></c></row>`)},
	{name: "row over the limit", sheet: sheet(`<row r="1"><c><v>1</v></c></row><row r="4"><c><v>2</v></c></row>`), limits: Limits{MaxRows: 3}},
	{name: "column over the limit", sheet: sheet(`<row><c r="C1"><v>1</v></c><c r="D1"/><c r="E1"><v>1</v></c></row>`), limits: Limits{MaxColumns: 4}},
	{name: "after sheetData", sheet: sheetHead + `<row r="1"><c><v>1</v></c></row></sheetData><row r="2"><c><v>2</v></c></row>` + `</worksheet>`},
	{name: "unexpected end", sheet: sheetHead + `<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2`},
	{name: "too many shared strings", sheet: sheet(`<row><c t="s"><v>0</v></c></row>`), sst: sst(`<si><t>a</t></si>`, `<si><t>b</t></si>`, `<si><t>c</t></si>`), limits: Limits{MaxSharedStrings: 2}},
	{name: "too much shared text", sheet: sheet(`<row><c t="s"><v>0</v></c></row>`), sst: sst(`<si><t>abc</t></si>`, `<si><t>def</t></si>`), limits: Limits{MaxSharedStringBytes: 5}},
}

func init() {
	// Every case again with the depth limit around the depth of its cells' values
	// (worksheet, sheetData, row, c, v: 5), and shallower.
	n := len(fastPathCases)
	for _, c := range fastPathCases[:n] {
		for _, d := range []int{1, 2, 3, 4, 5} {
			c := c
			c.name += fmt.Sprintf(", %d deep at most", d)
			c.limits.MaxDepth = d
			fastPathCases = append(fastPathCases, c)
		}
	}
}

// cellsRead is what reading the first sheet gives, as text: each row read with its number,
// cells and types, then the error, if any.
func cellsRead(data []byte, limits Limits, tokenLoopOnly bool, bufSize int) string {
	var b strings.Builder
	r, err := Open(bytes.NewReader(data), int64(len(data)), limits)
	if err != nil {
		return "open: " + err.Error()
	}
	r.tokenLoopOnly, r.bufSize = tokenLoopOnly, bufSize
	rows, err := r.Rows("")
	if err != nil {
		return "rows: " + err.Error()
	}
	defer rows.Close()
	for rows.Next() {
		fmt.Fprintf(&b, "row %d:", rows.Number())
		for _, c := range rows.Row() {
			fmt.Fprintf(&b, " %q/%d", c.Value, c.Type)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		fmt.Fprintf(&b, "error %q (%s)\n", err, Code(err))
	}
	return b.String()
}

// fastPathDiff is how reading data with the fast path, with the buffer sizes given, differs
// from reading it through the token loop alone, or "".
func fastPathDiff(data []byte, limits Limits, bufSizes ...int) string {
	want := cellsRead(data, limits, true, 0)
	for _, size := range bufSizes {
		if got := cellsRead(data, limits, false, size); got != want {
			return fmt.Sprintf("with a %d-byte buffer the fast path reads\n%s\nand the token loop\n%s", size, got, want)
		}
	}
	return ""
}

var smallBuffers = func() []int {
	sizes := []int{0}
	for n := 1; n <= 48; n++ {
		sizes = append(sizes, n)
	}
	return append(sizes, 61, 64, 100, 127, 128, 200, 256)
}()

func TestFastPathMatchesTokenLoop(t *testing.T) {
	for _, c := range fastPathCases {
		t.Run(c.name, func(t *testing.T) {
			data := pkg(c.sheet, c.sst, zip.Store)
			if d := fastPathDiff(data, c.limits, smallBuffers...); d != "" {
				t.Fatal(d)
			}
		})
	}
}

// TestFastPathReads: the usual shapes are read by the fast path, not handed to the token
// loop; otherwise the test above would prove little.
func TestFastPathReads(t *testing.T) {
	data := pkg(fastPathCases[0].sheet, fastPathCases[0].sst, zip.Store)
	r, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.Rows("")
	if err != nil {
		t.Fatal(err)
	}
	// Through the token loop up to the first row, as Next does.
	sc := rows.sc
	for {
		if err := sc.next(); err != nil {
			t.Fatal(err)
		}
		if sc.kind == tokStart && string(sc.local) == "row" {
			break
		}
	}
	if _, err := rows.rowNumber(); err != nil {
		t.Fatal(err)
	}
	if rows.sst, err = r.sharedStrings(); err != nil {
		t.Fatal(err)
	}
	if rows.sst.len() != 2 || rows.sst.get(1) != " one " {
		t.Fatalf("the shared strings read are %q", rows.sst.all)
	}
	for i := range 3 {
		if ok, err := rows.fastCell(); !ok || err != nil {
			t.Fatalf("cell %d of row 1 is not read on the fast path (%v)", i+1, err)
		}
	}
	if !rows.fastRowEnd() {
		t.Fatal("the end of row 1 is not read on the fast path")
	}
	if ok, err := rows.fastRowStart(); !ok || err != nil || rows.pendNum != 2 {
		t.Fatalf("the start of row 2 is not read on the fast path (%v)", err)
	}
	rows.num, rows.cellCol = 2, 0 // as Next starts a row
	for i := range 3 {
		if ok, err := rows.fastCell(); !ok || err != nil {
			t.Fatalf("cell %d of row 2 is not read on the fast path (%v)", i+1, err)
		}
	}
	if got := len(rows.spans); got != 4 {
		t.Fatalf("%d cells kept, want 4 (A2 and B2 are empty)", got)
	}
}

// FuzzFastPathMatchesTokenLoop: for any sheet and shared strings, the fast path reads what
// the token loop reads, with any buffer size. Unlike the targets against excelize it is
// cheap, so it reaches far more inputs in the same time.
func FuzzFastPathMatchesTokenLoop(f *testing.F) {
	for _, c := range fastPathCases {
		f.Add([]byte(c.sheet), []byte(c.sst), uint8(0))
	}
	for _, files := range corpusFiles(f) {
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			sheetXML, sstXML := firstSheetParts(f, data)
			f.Add(sheetXML, sstXML, uint8(len(sheetXML)))
		}
	}
	f.Fuzz(func(t *testing.T, sheetXML, sstXML []byte, size uint8) {
		data := pkg(string(sheetXML), string(sstXML), zip.Store)
		sizes := []int{0, 1 + int(size)}
		for _, limits := range []Limits{{}, {MaxDepth: 4 + int(size%3)}} {
			if d := fastPathDiff(data, limits, sizes...); d != "" {
				t.Fatal(d)
			}
		}
	})
}

// TestPlainColumn: the fast path's reading of a cell reference gives a column only where
// cellColumn gives the same one, and gives one for references written the usual way.
func TestPlainColumn(t *testing.T) {
	refs := []string{"A1", "Z9", "AA10", "XFD1048576", "XFE1", "XFD1048577", "A0", "A01", "a1", "$A$1", "A", "1", "",
		"AAAA1", "A12345678", "A1234567", "B+1", "A-1", "A1 ", " A1", "ZZZ1", "XFC9999999", "@1", "[1", "A:1"}
	const alphabet = "AZXFDa$019:"
	for n := 1; n <= 5; n++ { // every reference of up to five characters from the alphabet
		idx := make([]int, n)
		for {
			b := make([]byte, n)
			for i, k := range idx {
				b[i] = alphabet[k]
			}
			refs = append(refs, string(b))
			i := n - 1
			for i >= 0 && idx[i] == len(alphabet)-1 {
				idx[i] = 0
				i--
			}
			if i < 0 {
				break
			}
			idx[i]++
		}
	}
	usual := 0
	for _, ref := range refs {
		col, ok := cellColumn([]byte(ref))
		switch got := plainColumn([]byte(ref)); {
		case got != 0 && (!ok || got != col):
			t.Fatalf("plainColumn(%q) = %d; cellColumn reads %d, %v", ref, got, col, ok)
		case got != 0:
			usual++
		}
	}
	for _, ref := range []string{"A1", "H100001", "XFD1048576", "AB12"} {
		if plainColumn([]byte(ref)) == 0 {
			t.Errorf("plainColumn(%q) is 0", ref)
		}
	}
	if usual < 1000 {
		t.Fatalf("only %d of %d references read as usual", usual, len(refs))
	}
}
