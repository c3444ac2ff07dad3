package gsswriter

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustWriteODS(t testing.TB, wb Workbook) []byte {
	t.Helper()
	b, err := WriteODS(wb)
	if err != nil {
		t.Fatalf("WriteODS: %v", err)
	}
	return b
}

// odsFile is a spreadsheet read back: its parts, and content.xml as sheets of cells.
type odsFile struct {
	parts  map[string][]byte
	order  []string // part names in the order of the zip
	sheets []*odsSheet
	ranges map[string]string // database range name → address
}

type odsSheet struct {
	name       string
	columns    []odsColumnInfo
	headerRows []int // one-based rows inside table:table-header-rows
	cells      map[string]odsCellInfo
	rows       int
	frames     []odsFrame
}

type odsColumnInfo struct{ style, defaultCell string }

type odsCellInfo struct {
	valueType, value, date, style, text, link string
}

type odsFrame struct {
	cell, object, title, desc, y string
}

func readODS(t testing.TB, b []byte) *odsFile {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("open ODS: %v", err)
	}
	f := &odsFile{parts: map[string][]byte{}, ranges: map[string]string{}}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		f.parts[zf.Name] = data
		f.order = append(f.order, zf.Name)
	}
	f.parseContent(t)
	return f
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// parseContent walks content.xml. It knows only what WriteODS writes: no repeated
// rows or cells.
func (f *odsFile) parseContent(t testing.TB) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(f.parts["content.xml"]))
	var sh *odsSheet
	var cur *odsCellInfo
	var frame *odsFrame
	var text *strings.Builder
	row, col, inHeader := 0, 0, false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("content.xml: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			switch tk.Name.Local {
			case "table":
				if tk.Name.Space == "urn:oasis:names:tc:opendocument:xmlns:table:1.0" {
					sh = &odsSheet{name: attr(tk, "name"), cells: map[string]odsCellInfo{}}
					f.sheets = append(f.sheets, sh)
					row = 0
				}
			case "table-column":
				sh.columns = append(sh.columns, odsColumnInfo{attr(tk, "style-name"), attr(tk, "default-cell-style-name")})
			case "table-header-rows":
				inHeader = true
			case "table-row":
				row++
				col = 0
				sh.rows = row
				if inHeader {
					sh.headerRows = append(sh.headerRows, row)
				}
			case "table-cell":
				col++
				cur = &odsCellInfo{valueType: attr(tk, "value-type"), value: attr(tk, "value"), date: attr(tk, "date-value"), style: attr(tk, "style-name")}
			case "p":
				if frame == nil {
					text = &strings.Builder{}
				}
			case "a":
				cur.link = attr(tk, "href")
			case "s":
				text.WriteString(" ")
			case "frame":
				frame = &odsFrame{cell: cellName(col-1, row), y: attr(tk, "y")}
			case "object":
				frame.object = strings.TrimPrefix(attr(tk, "href"), "./")
			case "title", "desc":
				if frame != nil {
					var s string
					if err := d.DecodeElement(&s, &tk); err != nil {
						t.Fatal(err)
					}
					if tk.Name.Local == "title" {
						frame.title = s
					} else {
						frame.desc = s
					}
				}
			case "database-range":
				f.ranges[attr(tk, "name")] = attr(tk, "target-range-address")
			}
		case xml.CharData:
			if text != nil && frame == nil {
				text.Write(tk)
			}
		case xml.EndElement:
			switch tk.Name.Local {
			case "p":
				if cur != nil && text != nil {
					cur.text += text.String()
				}
				text = nil
			case "table-cell":
				if cur.valueType != "" {
					sh.cells[cellName(col-1, row)] = *cur
				}
				cur = nil
			case "table-header-rows":
				inHeader = false
			case "frame":
				sh.frames = append(sh.frames, *frame)
				frame = nil
			}
		}
	}
}

func (f *odsFile) sheet(name string) *odsSheet {
	for _, s := range f.sheets {
		if s.name == name {
			return s
		}
	}
	return nil
}

func TestODSSheetsInOrder(t *testing.T) {
	f := readODS(t, mustWriteODS(t, synthetic()))
	var names []string
	for _, s := range f.sheets {
		names = append(names, s.name)
	}
	want := open(t, mustWrite(t, synthetic())).GetSheetList()
	if !slices.Equal(names, want) {
		t.Errorf("sheets %q, want the XLSX's %q", names, want)
	}
}

// TestODSTablesFollowTheGuidance checks each table sheet: the title in A1, the
// description in column A, exactly one header row marked as the sheet's header rows,
// the table as a database range from the header to the last row, and no blank cells.
func TestODSTablesFollowTheGuidance(t *testing.T) {
	wb := synthetic()
	f := readODS(t, mustWriteODS(t, wb))
	p, err := makePlan(wb)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range p.sheets {
		sh := f.sheet(sp.name)
		if sh == nil {
			t.Errorf("no sheet %s", sp.name)
			continue
		}
		if a1 := sh.cells["A1"]; a1.text != sp.title || a1.style != styleTitle {
			t.Errorf("%s: A1 %+v, want the title %q as Heading 1", sp.name, a1, sp.title)
		}
		header := len(sp.lines) + 2
		if !slices.Equal(sh.headerRows, []int{header}) {
			t.Errorf("%s: header rows %v, want just row %d", sp.name, sh.headerRows, header)
		}
		last := header + len(sp.rows)
		want := fmt.Sprintf("'%s'.A%d:'%s'.%s", sp.name, header, sp.name, cellName(len(sp.columns)-1, last))
		if got := f.ranges[sp.tableName]; got != want {
			t.Errorf("%s: database range %s is %q, want %q", sp.name, sp.tableName, got, want)
		}
		if sh.rows != last {
			t.Errorf("%s: %d rows, want %d", sp.name, sh.rows, last)
		}
		for r := header; r <= last; r++ {
			for c := range sp.columns {
				if _, ok := sh.cells[cellName(c, r)]; !ok {
					t.Errorf("%s: %s is blank", sp.name, cellName(c, r))
				}
			}
		}
		for r := 2; r < header; r++ {
			if c := sh.cells["A"+fmt.Sprint(r)]; c.text != sp.lines[r-2] {
				t.Errorf("%s: A%d %q, want the description line %q", sp.name, r, c.text, sp.lines[r-2])
			}
		}
	}
}

func TestODSNumberFormats(t *testing.T) {
	f := readODS(t, mustWriteODS(t, synthetic()))
	share, orgs := f.sheet("Share"), f.sheet("Organisations")
	cases := []struct {
		sh   *odsSheet
		cell string
		want odsCellInfo
	}{
		{share, "A7", odsCellInfo{valueType: "string", style: "data-text", text: "2023-24 Q1"}},
		{share, "B7", odsCellInfo{valueType: "float", value: "480000", style: "data-count", text: "480,000"}},
		{share, "D7", odsCellInfo{valueType: "percentage", value: "0.05", style: "data-percent", text: "5.0%"}},
		{share, "E7", odsCellInfo{valueType: "percentage", value: "0.06", style: "data-percent", text: "6.0%"}},
		{share, "D6", odsCellInfo{valueType: "string", style: "header-percent", text: "DDaT share (percent)"}},
		{orgs, "G8", odsCellInfo{valueType: "float", value: "11890.25", style: "data-decimal", text: "11,890.25"}},
		{orgs, "H8", odsCellInfo{valueType: "date", date: "2026-03-31", style: "data-date", text: "31 March 2026"}},
		{orgs, "E10", odsCellInfo{valueType: "string", style: "shorthand-count", text: "[c]"}},
		{orgs, "F10", odsCellInfo{valueType: "string", style: "shorthand-percent", text: "[c]"}},
		{orgs, "H9", odsCellInfo{valueType: "string", style: "shorthand-date", text: "[x]"}},
	}
	for _, c := range cases {
		if got := c.sh.cells[c.cell]; got != c.want {
			t.Errorf("%s!%s: %+v, want %+v", c.sh.name, c.cell, got, c.want)
		}
	}
	content := string(f.parts["content.xml"])
	for _, style := range []string{
		`<number:number-style style:name="N-count"><number:number number:decimal-places="0" number:min-decimal-places="0" number:min-integer-digits="1" number:grouping="true"/>`,
		`<number:percentage-style style:name="N-percent"><number:number number:decimal-places="1"`,
		`<style:style style:name="data-percent" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N-percent">`,
	} {
		if !strings.Contains(content, style) {
			t.Errorf("content.xml has no %s", style)
		}
	}
}

func TestODSLinksAndCover(t *testing.T) {
	f := readODS(t, mustWriteODS(t, synthetic()))
	contents := f.sheet(SheetContents)
	for r, sheet := range []string{"Notes", "Share", "Entrants", "Organisations"} {
		c := contents.cells["A"+fmt.Sprint(r+5)]
		if c.text != sheet || c.link != "#'"+sheet+"'.A1" {
			t.Errorf("contents row %d: %+v, want a link to %s", r+5, c, sheet)
		}
	}
	cover := f.sheet(SheetCover)
	if c := cover.cells["A12"]; c.link != "mailto:ddat-workforce@example.gov.uk" || c.style != styleLink {
		t.Errorf("cover A12 %+v, want the contact link", c)
	}
	if c := cover.cells["A16"]; !strings.HasPrefix(c.text, "[c] confidential") {
		t.Errorf("cover A16 %q, want the explanation of [c]", c.text)
	}
	notes := f.sheet(SheetNotes)
	if c := notes.cells["A5"]; c.text != "[note 1]" {
		t.Errorf("notes A5 %q, want [note 1]", c.text)
	}
}

func TestODSDocumentProperties(t *testing.T) {
	f := readODS(t, mustWriteODS(t, synthetic()))
	var m struct {
		Title       string   `xml:"meta>title"`
		Subject     string   `xml:"meta>subject"`
		Keywords    []string `xml:"meta>keyword"`
		Description string   `xml:"meta>description"`
		Initial     string   `xml:"meta>initial-creator"`
		Creator     string   `xml:"meta>creator"`
		Language    string   `xml:"meta>language"`
		Created     string   `xml:"meta>creation-date"`
		Date        string   `xml:"meta>date"`
		User        []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"meta>user-defined"`
	}
	if err := xml.Unmarshal(f.parts["meta.xml"], &m); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%q %q %q %q %q %q %q %s %s %v", m.Title, m.Subject, m.Keywords, m.Description, m.Initial, m.Creator, m.Language, m.Created, m.Date, m.User)
	want := `"DDaT workforce: monthly progress report" "Digital, data and technology workforce of government" ["DDaT" "workforce" "statistics"] "Monthly progress report built from the quarterly returns." "DDaT workforce returns service" "DDaT workforce returns service" "en-GB" 2026-04-30T09:00:00Z 2026-04-30T09:00:00Z [{Category Statistics} {Company Government Digital Service}]`
	if got != want {
		t.Errorf("meta.xml\n got %s\nwant %s", got, want)
	}
}

func TestODSOpensOnCoverWithCursorInA1(t *testing.T) {
	f := readODS(t, mustWriteODS(t, synthetic()))
	var s struct {
		Sets []struct {
			Name    string `xml:"name,attr"`
			Entries []struct {
				Items []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:",chardata"`
				} `xml:"config-item"`
				Tables []struct {
					Name  string `xml:"name,attr"`
					Items []struct {
						Name  string `xml:"name,attr"`
						Value string `xml:",chardata"`
					} `xml:"config-item"`
				} `xml:"config-item-map-named>config-item-map-entry"`
			} `xml:"config-item-map-indexed>config-item-map-entry"`
		} `xml:"settings>config-item-set"`
	}
	if err := xml.Unmarshal(f.parts["settings.xml"], &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Sets) != 1 || len(s.Sets[0].Entries) != 1 {
		t.Fatalf("settings %+v, want one view", s)
	}
	view := s.Sets[0].Entries[0]
	if !slices.ContainsFunc(view.Items, func(i struct {
		Name  string `xml:"name,attr"`
		Value string `xml:",chardata"`
	}) bool {
		return i.Name == "ActiveTable" && i.Value == SheetCover
	}) {
		t.Errorf("view %+v does not open on the cover", view.Items)
	}
	if len(view.Tables) != len(f.sheets) {
		t.Errorf("view settings for %d sheets, want %d", len(view.Tables), len(f.sheets))
	}
	for _, tbl := range view.Tables {
		for _, it := range tbl.Items {
			if it.Value != "0" {
				t.Errorf("sheet %s: %s = %s, want the cursor in A1", tbl.Name, it.Name, it.Value)
			}
		}
	}
}

func TestODSCharts(t *testing.T) {
	f := readODS(t, mustWriteODS(t, synthetic()))
	share, entrants := f.sheet("Share"), f.sheet("Entrants")
	if len(share.frames) != 1 || len(entrants.frames) != 1 {
		t.Fatalf("frames %+v and %+v, want one chart on each", share.frames, entrants.frames)
	}
	fr := share.frames[0]
	if fr.cell != "G6" || fr.title == "" || !strings.HasPrefix(fr.desc, "Line chart:") {
		t.Errorf("share chart frame %+v, want it in G6 level with the header, with title and alt text", fr)
	}
	type chartDoc struct {
		Chart struct {
			Class string `xml:"class,attr"`
			Title string `xml:"title>p"`
			Axes  []struct {
				Dimension  string `xml:"dimension,attr"`
				Title      string `xml:"title>p"`
				Categories struct {
					Range string `xml:"cell-range-address,attr"`
				} `xml:"categories"`
			} `xml:"plot-area>axis"`
			Series []struct {
				Class  string `xml:"class,attr"`
				Values string `xml:"values-cell-range-address,attr"`
				Label  string `xml:"label-cell-address,attr"`
			} `xml:"plot-area>series"`
		} `xml:"body>chart>chart"`
	}
	for _, c := range []struct {
		fr   odsFrame
		want string
	}{
		{share.frames[0], "chart:line DDaT share of the Civil Service by quarter [x Quarter 'Share'.A7:'Share'.A18] [y DDaT share (percent) ] [chart:line 'Share'.D7:'Share'.D18 'Share'.D6:'Share'.D6] [chart:line 'Share'.E7:'Share'.E18 'Share'.E6:'Share'.E6]"},
		{entrants.frames[0], "chart:bar Cumulative early-career entrants against the 2,500 target [x Quarter 'Entrants'.A6:'Entrants'.A17] [y Entrants (number) ] [chart:bar 'Entrants'.C6:'Entrants'.C17 'Entrants'.C5:'Entrants'.C5] [chart:line 'Entrants'.D6:'Entrants'.D17 'Entrants'.D5:'Entrants'.D5]"},
	} {
		var doc chartDoc
		body, ok := f.parts[c.fr.object+"/content.xml"]
		if !ok {
			t.Fatalf("no chart object %q", c.fr.object)
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		got := doc.Chart.Class + " " + doc.Chart.Title
		for _, a := range doc.Chart.Axes {
			got += fmt.Sprintf(" [%s %s %s]", a.Dimension, a.Title, a.Categories.Range)
		}
		for _, s := range doc.Chart.Series {
			got += fmt.Sprintf(" [%s %s %s]", s.Class, s.Values, s.Label)
		}
		if got != c.want {
			t.Errorf("chart %s\n got %s\nwant %s", c.fr.object, got, c.want)
		}
	}
}

// TestODSChartsStack draws three charts on one table and finds them one below another.
func TestODSChartsStack(t *testing.T) {
	wb := synthetic()
	ch := wb.Tables[0].Charts[0]
	wb.Tables[0].Charts = []Chart{ch, ch, ch}
	sh := readODS(t, mustWriteODS(t, wb)).sheet("Share")
	var ys []string
	for _, fr := range sh.frames {
		ys = append(ys, fr.y)
	}
	if want := []string{"0.000cm", "10.054cm", "20.108cm"}; !slices.Equal(ys, want) {
		t.Errorf("charts at %q, want %q", ys, want)
	}
}

// TestODSPackage checks the zip: the mimetype first, stored, with no extra field, then
// every part by name, each stamped with the workbook's time and listed in the manifest,
// and every XML part well formed.
func TestODSPackage(t *testing.T) {
	b := mustWriteODS(t, synthetic())
	if !bytes.HasPrefix(b[30:], []byte("mimetype"+ODSContentType)) {
		t.Errorf("the file does not start with the stored mimetype: %q", b[:80])
	}
	if method, extra := binary.LittleEndian.Uint16(b[8:]), binary.LittleEndian.Uint16(b[28:]); method != 0 || extra != 0 {
		t.Errorf("mimetype method %d, extra field %d bytes; want stored and none", method, extra)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if !zf.Modified.Equal(synthetic().Properties.Created) {
			t.Errorf("%s stamped %v, want the workbook's modified time", zf.Name, zf.Modified)
		}
	}
	if names[0] != "mimetype" || !slices.IsSorted(names[1:]) {
		t.Errorf("parts in order %q", names)
	}
	f := readODS(t, b)
	var m struct {
		Entries []struct {
			Path  string `xml:"full-path,attr"`
			Media string `xml:"media-type,attr"`
		} `xml:"file-entry"`
	}
	if err := xml.Unmarshal(f.parts["META-INF/manifest.xml"], &m); err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, e := range m.Entries {
		listed[e.Path] = e.Media
	}
	if listed["/"] != ODSContentType || listed["Object 1/"] != "application/vnd.oasis.opendocument.chart" {
		t.Errorf("manifest %v lacks the document or a chart object", listed)
	}
	for _, name := range names[1:] {
		if _, ok := listed[name]; !ok && name != "META-INF/manifest.xml" {
			t.Errorf("manifest does not list %s", name)
		}
		d := xml.NewDecoder(bytes.NewReader(f.parts[name]))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				break
			}
		}
	}
}

func TestODSText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		"a  b":          "a <text:s/>b",
		" lead":         "<text:s/>lead",
		"two\nlines":    "two<text:line-break/>lines",
		"tab\there":     "tab<text:tab/>here",
		"<&>\"":         "&lt;&amp;&gt;&#34;",
		"line\n indent": "line<text:line-break/><text:s/>indent",
	} {
		var b bytes.Buffer
		writeText(&b, in)
		if b.String() != want {
			t.Errorf("writeText(%q) = %q, want %q", in, b.String(), want)
		}
	}
}

func TestODSValidationAsXLSX(t *testing.T) {
	wb := synthetic()
	wb.Tables[0].Sheet = strings.Repeat("s", 40)
	wb.Tables[1].Rows[0] = wb.Tables[1].Rows[0][:1]
	_, xerr := Write(wb)
	_, oerr := WriteODS(wb)
	var v *ValidationError
	if !errors.As(oerr, &v) || oerr.Error() != xerr.Error() {
		t.Errorf("WriteODS: %v\nWrite: %v\nwant the same *ValidationError", oerr, xerr)
	}
}

func TestODSDeterministic(t *testing.T) {
	if !bytes.Equal(mustWriteODS(t, synthetic()), mustWriteODS(t, synthetic())) {
		t.Fatal("the same workbook gave different bytes")
	}
}

// TestODSDeterministicAcrossProcesses writes the spreadsheet in two other processes,
// which iterate maps in other orders, and compares their bytes.
func TestODSDeterministicAcrossProcesses(t *testing.T) {
	if out := os.Getenv("REPORT_WRITE_ODS_TO"); out != "" {
		if err := os.WriteFile(out, mustWriteODS(t, synthetic()), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := mustWriteODS(t, synthetic())
	for i := range 2 {
		out := filepath.Join(t.TempDir(), "workbook.ods")
		cmd := exec.Command(os.Args[0], "-test.run=^TestODSDeterministicAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "REPORT_WRITE_ODS_TO="+out)
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

// TestODSGolden compares the spreadsheet's parts, one element a line, with
// testdata/workbook.ods.golden; go test -update rewrites it.
func TestODSGolden(t *testing.T) {
	f := readODS(t, mustWriteODS(t, synthetic()))
	var out strings.Builder
	for _, name := range f.order {
		fmt.Fprintf(&out, "== %s\n%s\n", name, strings.ReplaceAll(string(f.parts[name]), "><", ">\n<"))
	}
	got := out.String()
	const golden = "testdata/workbook.ods.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("spreadsheet differs from %s (go test -update rewrites it):\n%s", golden, firstDifference(string(want), got))
	}
}

func BenchmarkWriteODS(b *testing.B) {
	wb := bigWorkbook()
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := WriteODS(wb)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/workbook")
}
