package returntemplate

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// TestParseCellValues: each way a value can sit in a cell reads back as validation
// expects it.
func TestParseCellValues(t *testing.T) {
	tmpl := mustTemplate(t, testOptions())
	tests := []struct {
		name  string
		key   string
		value any
		want  string // "" means the field is left out
	}{
		{"whole number", "headcount", 1250, "1250"},
		{"decimal", "fte", 1234.5, "1234.5"},
		{"float noise shown as Excel shows it", "fte", 0.1 + 0.2, "0.3"},
		{"computed decimal", "ddat_fte", 1234.5599999999999, "1234.56"},
		{"large number without exponent", "headcount", 1e20, "100000000000000000000"},
		{"boolean true", "board_digital_ned", true, "true"},
		{"boolean false", "exec_committee_digital_leader", false, "false"},
		{"text trimmed", "org", "  HMRC \t", "HMRC"},
		{"number typed as text kept as typed", "headcount", "1,250", "1,250"},
		{"empty text left out", "contact_name", "", ""},
		{"spaces only left out", "contact_name", "   ", ""},
		{"unicode text", "notes", "Reorganisation — see ‘Annex A’", "Reorganisation — see ‘Annex A’"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(fillByName(t, tmpl, map[string]any{tt.key: tt.value}))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("got %v, want the empty cell left out", got)
				}
				return
			}
			if len(got) != 1 || got[0].Key != tt.key || got[0].Value != tt.want {
				t.Fatalf("got %v, want %s = %q", got, tt.key, tt.want)
			}
		})
	}
}

// TestParseFormulaCachedValue: a formula in an input cell is read by the value Excel
// saved with it, whether Excel stored it as a number or as a string.
func TestParseFormulaCachedValue(t *testing.T) {
	tmpl := mustTemplate(t, testOptions())
	f := openBook(t, tmpl)
	c := fieldCells(t, f)["headcount"]
	// excelize keeps the value when a formula is added: <c t="str"><f>…</f><v>1250</v></c>.
	if err := f.SetCellInt(c.sheet, c.cell, 1250); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula(c.sheet, c.cell, "1000+250"); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	asString := buf.Bytes()
	// Excel writes a numeric result with no type: <c r="D17" s="…"><f>1000+250</f><v>1250</v></c>.
	cellRE := regexp.MustCompile(`(<c r="` + c.cell + `"[^>]*?) t="str"`)
	asNumber := rewriteZip(t, asString, func(name string, b []byte) []byte {
		if !strings.HasPrefix(name, "xl/worksheets/") {
			return b
		}
		return cellRE.ReplaceAll(b, []byte("$1"))
	})
	if bytes.Equal(asString, asNumber) {
		t.Fatal("the numeric variant did not change the cell")
	}
	for name, data := range map[string][]byte{"string result": asString, "numeric result": asNumber} {
		t.Run(name, func(t *testing.T) {
			ws := sheetXML(t, data, SheetReturn)
			if !strings.Contains(ws, "<f>1000+250</f><v>1250</v>") {
				t.Fatalf("the test file has no formula with a cached value")
			}
			got, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			want := workforce.RawField{Key: "headcount", Value: "1250", Cell: "Return!" + c.cell}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

// rewriteZip copies a ZIP, passing each entry through edit.
func rewriteZip(t testing.TB, data []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(edit(f.Name, b)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// zipEntry is one file of a hand-made ZIP. With raw set, the entry is written as it is
// with the declared sizes, so that a test can make the central directory say anything.
type zipEntry struct {
	name         string
	body         []byte
	raw          bool
	uncompressed uint64
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		var w io.Writer
		var err error
		if e.raw {
			w, err = zw.CreateRaw(&zip.FileHeader{
				Name: e.name, Method: zip.Deflate,
				CompressedSize64: uint64(len(e.body)), UncompressedSize64: e.uncompressed,
			})
		} else {
			w, err = zw.Create(e.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zeros is a reader of n zero bytes, compressed into a ZIP entry without holding them.
type zeros int64

func (z *zeros) Read(p []byte) (int, error) {
	if *z <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), int64(*z))
	clear(p[:n])
	*z -= zeros(n)
	return int(n), nil
}

// zipOfZeros is an entry of size zero bytes, which deflate squeezes about 1000:1.
func zipOfZeros(t testing.TB, name string, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	z := zeros(size)
	if _, err := io.Copy(w, &z); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`
	xlsmContentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>`
	xlsbContentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>`
	docxContentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
)

func TestParseHostile(t *testing.T) {
	tmpl := mustTemplate(t, testOptions())
	ct := func(s string) zipEntry { return zipEntry{name: "[Content_Types].xml", body: []byte(s)} }
	many := []zipEntry{ct(xlsxContentTypes)}
	for i := range maxEntries {
		many = append(many, zipEntry{name: "xl/media/image" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ".png", body: []byte("x")})
	}
	emptyBook := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		_ = f.SetCellValue("Sheet1", "A1", "headcount")
		_ = f.SetCellValue("Sheet1", "B1", 1250)
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	// A workbook whose workbook.xml is not XML at all.
	brokenWorkbook := rewriteZip(t, tmpl, func(name string, b []byte) []byte {
		if name == "xl/workbook.xml" {
			return []byte("<workbook><sheets><sheet name=")
		}
		return b
	})
	tests := []struct {
		name string
		data []byte
		code string
		want string // in the message
	}{
		{"empty", nil, workforce.EUnsupported, "The file is empty"},
		{"plain text", []byte("Dear team, please find our return attached."), workforce.EUnsupported, "not an Excel workbook (.xlsx)"},
		{"csv", []byte("field,value\norg,HMRC\nperiod,2025-26-Q1\n"), workforce.EUnsupported, "not an Excel workbook (.xlsx)"},
		{"json", []byte(`{"org":"HMRC"}`), workforce.EUnsupported, "not an Excel workbook (.xlsx)"},
		{"encrypted or xls (CFB)", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), workforce.EUnsupported,
			"encrypted (password-protected) or old .xls workbook"},
		{"vbaProject.bin", makeZip(t, ct(xlsxContentTypes), zipEntry{name: "xl/vbaProject.bin", body: []byte("VBA")}), workforce.EUnsupported, "macro-enabled"},
		{"macro-enabled content type", makeZip(t, ct(xlsmContentTypes)), workforce.EUnsupported, "macro-enabled"},
		{"binary xlsb", makeZip(t, ct(xlsbContentTypes)), workforce.EUnsupported, "binary workbook (.xlsb)"},
		{"zip bomb: 100 MiB of zeros", zipOfZeros(t, "xl/worksheets/sheet1.xml", 100<<20), workforce.EInvalid, "too large to read"},
		{"compression ratio", zipOfZeros(t, "xl/worksheets/sheet1.xml", 10<<20), workforce.EInvalid, "cannot be read safely"},
		{"total too large", makeZip(t,
			zipEntry{name: "a.xml", body: make([]byte, 1<<20), raw: true, uncompressed: 19 << 20},
			zipEntry{name: "b.xml", body: make([]byte, 1<<20), raw: true, uncompressed: 19 << 20},
			zipEntry{name: "c.xml", body: make([]byte, 1<<20), raw: true, uncompressed: 19 << 20}),
			workforce.EInvalid, "unzips to 57.0 MiB"},
		{"too many parts", makeZip(t, many...), workforce.EInvalid, "has 1001 parts"},
		{"truncated xlsx", tmpl[:len(tmpl)/2], workforce.EInvalid, "damaged or incomplete"},
		{"last bytes missing", tmpl[:len(tmpl)-10], workforce.EInvalid, "damaged or incomplete"},
		{"zip of a text file", makeZip(t, zipEntry{name: "return.txt", body: []byte("headcount 1250")}), workforce.EUnsupported, "ZIP archive but not an Excel workbook"},
		{"word document", makeZip(t, ct(docxContentTypes), zipEntry{name: "word/document.xml", body: []byte("<w:document/>")}), workforce.EUnsupported, "ZIP archive but not an Excel workbook"},
		{"content types not XML", makeZip(t, ct("<Types><Override ContentType=")), workforce.EInvalid, "damaged or incomplete"},
		{"content types only", makeZip(t, ct(xlsxContentTypes)), workforce.EInvalid, "damaged or incomplete"},
		{"broken workbook part", brokenWorkbook, workforce.EInvalid, "could not be read as a workbook"},
		{"a workbook that is not the template", emptyBook(), workforce.EInvalid, "not the DDaT return template; download it from GET /template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, err := Parse(tt.data)
			var e *workforce.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, %v; want a *workforce.Error", fields, err)
			}
			if e.Code != tt.code || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("got %s %q, want %s containing %q", e.Code, e.Message, tt.code, tt.want)
			}
			if fields != nil {
				t.Errorf("fields %v returned with an error", fields)
			}
		})
	}
}

// book builds a workbook from scratch with the given defined names, for tests of how
// names are resolved.
func book(t *testing.T, sheets []string, names []excelize.DefinedName, cells map[string]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	for ref, v := range cells {
		sheet, cell, _ := strings.Cut(ref, "!")
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range names {
		if err := f.SetDefinedName(&n); err != nil {
			t.Fatalf("%s: %v", n.Name, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseDefinedNames(t *testing.T) {
	version := excelize.DefinedName{Name: NameTemplateVersion, RefersTo: "Data!$Z$1"}
	cells := map[string]any{"Data!A1": 1250, "Data!A2": 1200, "Data!B2": "HMRC", "Data!Z1": TemplateVersion, "My Return!D12": 7}
	tests := []struct {
		name     string
		names    []excelize.DefinedName
		want     []workforce.RawField
		problems []workforce.Problem // Field and Code; with a message containing Message
		err      string              // a whole-file error, by message
	}{
		{
			name:  "one cell, absolute or not",
			names: []excelize.DefinedName{version, {Name: "headcount", RefersTo: "Data!$A$1"}, {Name: "fte", RefersTo: "=Data!A2"}},
			want:  []workforce.RawField{{Key: "headcount", Value: "1250", Cell: "Data!A1"}, {Key: "fte", Value: "1200", Cell: "Data!A2"}},
		},
		{
			name:  "sheet name with a space is quoted",
			names: []excelize.DefinedName{{Name: "ddat_headcount", RefersTo: "'My Return'!$D$12"}},
			want:  []workforce.RawField{{Key: "ddat_headcount", Value: "7", Cell: "'My Return'!D12"}},
		},
		{
			name:  "a one-cell range is one cell",
			names: []excelize.DefinedName{{Name: "headcount", RefersTo: "Data!$A$1:$A$1"}},
			want:  []workforce.RawField{{Key: "headcount", Value: "1250", Cell: "Data!A1"}},
		},
		{
			name:  "names are case-insensitive, as in Excel",
			names: []excelize.DefinedName{{Name: "Headcount", RefersTo: "Data!$A$1"}},
			want:  []workforce.RawField{{Key: "headcount", Value: "1250", Cell: "Data!A1"}},
		},
		{
			name: "other names are ignored",
			names: []excelize.DefinedName{version, {Name: "org", RefersTo: "Data!$B$2"},
				{Name: "_xlnm.Print_Area", RefersTo: "Data!$A$1:$D$40", Scope: "Data"},
				{Name: "my_working", RefersTo: "Data!$A$1:$B$9"},
				{Name: "headcount", RefersTo: "Data!$A$1:$A$9", Scope: "Data"}}, // sheet-scoped
			want: []workforce.RawField{{Key: "org", Value: "HMRC", Cell: "Data!B2"}},
		},
		{
			name:  "empty cells are left out",
			names: []excelize.DefinedName{version, {Name: "headcount", RefersTo: "Data!$C$30"}},
			want:  nil,
		},
		{
			name:  "template_version alone is an empty return",
			names: []excelize.DefinedName{version},
			want:  nil,
		},
		{
			name: "every bad name reported at once",
			names: []excelize.DefinedName{version,
				{Name: "headcount", RefersTo: "Data!$A$1:$A$2"},
				{Name: "fte", RefersTo: "[1]Data!$A$1"},
				{Name: "ddat_headcount", RefersTo: "'[Other.xlsx]Data'!$A$1"},
				{Name: "ddat_fte", RefersTo: "#REF!"},
				{Name: "org", RefersTo: "Missing!$A$1"},
				{Name: "period", RefersTo: "Data!$A:$A"},
				{Name: "notes", RefersTo: "Data!$A$1,Data!$A$2"},
				{Name: "contact_name", RefersTo: `"Ada"`},
				{Name: "contact_email", RefersTo: "Data!$B$2"}, // fine, but not returned when others fail
			},
			problems: []workforce.Problem{
				{Field: "headcount", Code: CodeBadDefinedName, Message: "range of 2 cells"},
				{Field: "fte", Code: CodeBadDefinedName, Message: "another workbook"},
				{Field: "ddat_headcount", Code: CodeBadDefinedName, Message: "another workbook"},
				{Field: "ddat_fte", Code: CodeBadDefinedName, Message: "deleted (#REF!)"},
				{Field: "org", Code: CodeBadDefinedName, Message: `the sheet "Missing", which is not in this workbook`},
				{Field: "period", Code: CodeBadDefinedName, Message: "range of cells"},
				{Field: "notes", Code: CodeBadDefinedName, Message: "more than one cell"},
				{Field: "contact_name", Code: CodeBadDefinedName, Message: "does not refer to a cell"},
			},
		},
		{
			name:     "the same name twice, in different case",
			names:    []excelize.DefinedName{{Name: "headcount", RefersTo: "Data!$A$1"}, {Name: "HEADCOUNT", RefersTo: "Data!$A$2"}},
			problems: []workforce.Problem{{Field: "headcount", Code: CodeBadDefinedName, Message: "defined more than once"}},
		},
		{
			name:  "no field names and no template_version",
			names: []excelize.DefinedName{{Name: "my_working", RefersTo: "Data!$A$1"}},
			err:   msgNotTemplate,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(book(t, []string{"Data", "My Return"}, tt.names, cells))
			switch {
			case tt.err != "":
				if workforce.ErrorCode(err) != workforce.EInvalid || workforce.ErrorMessage(err) != tt.err {
					t.Fatalf("got %v, want invalid %q", err, tt.err)
				}
			case tt.problems != nil:
				var e *workforce.Error
				if !errors.As(err, &e) || e.Code != workforce.EInvalid {
					t.Fatalf("got %v, %v; want one invalid error with problems", got, err)
				}
				if len(e.Problems) != len(tt.problems) {
					t.Fatalf("got %d problems, want %d: %+v", len(e.Problems), len(tt.problems), e.Problems)
				}
				for i, p := range e.Problems {
					w := tt.problems[i]
					if p.Field != w.Field || p.Code != w.Code || !strings.Contains(p.Message, w.Message) {
						t.Errorf("problem %d: %+v, want %s %s containing %q", i, p, w.Field, w.Code, w.Message)
					}
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("got %+v, want %+v", got[i], tt.want[i])
					}
				}
			}
		})
	}
}

func TestSingleCell(t *testing.T) {
	tests := []struct{ refersTo, sheet, cell, why string }{
		{"Return!$D$12", "Return", "D12", ""},
		{"=Return!d12", "Return", "D12", ""},
		{"'My Sheet'!$B$3", "My Sheet", "B3", ""},
		{"'Sheet ''quoted'''!A1", "Sheet 'quoted'", "A1", ""},
		{"'Odd!Name'!A1", "Odd!Name", "A1", ""},
		{"Return!$D$12:$D$12", "Return", "D12", ""},
		{"Return!$D$12:$E$13", "", "", "refers to a range of 4 cells (Return!$D$12:$E$13), not one cell"},
		{"Return!$1:$1", "", "", "refers to a range of cells (Return!$1:$1), not one cell"},
		{"[1]Return!$D$12", "", "", "refers to a cell in another workbook ([1]Return!$D$12)"},
		{"Return!#REF!", "", "", "refers to a cell that has been deleted (#REF!)"},
		{"42", "", "", "does not refer to a cell"},
		{"'unterminated!A1", "", "", "does not refer to a cell"},
		{"!A1", "", "", "does not refer to a cell"},
		{"Return!ZZZZ1", "", "", "does not refer to a cell (Return!ZZZZ1)"},
		{"Return!A1,Return!A2", "", "", "refers to more than one cell (Return!A1,Return!A2)"},
	}
	for _, tt := range tests {
		sheet, cell, why := singleCell(tt.refersTo)
		if sheet != tt.sheet || cell != tt.cell || why != tt.why {
			t.Errorf("singleCell(%q) = %q, %q, %q; want %q, %q, %q", tt.refersTo, sheet, cell, why, tt.sheet, tt.cell, tt.why)
		}
	}
}

func TestPlainNumber(t *testing.T) {
	for in, want := range map[string]string{
		"1250": "1250", "1234.5": "1234.5", "1234.5599999999999": "1234.56", "0.30000000000000004": "0.3",
		"1E+20": "100000000000000000000", "1.5E-3": "0.0015", "-7": "-7", "HMRC": "HMRC", "NaN": "NaN", "": "",
	} {
		if got := plainNumber(in); got != want {
			t.Errorf("plainNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// fuzzAllocBound is what Parse may allocate for any one input while fuzzing: inputs are
// small, and what a workbook declares about itself must not make them costly.
const fuzzAllocBound = 64 << 20

// FuzzParse: whatever arrives, Parse answers with fields or a *workforce.Error with a 4xx
// code, never panics, and allocates a bounded amount. Seeds: the template, a filled
// template, the hostile workbooks, and damaged or foreign files.
func FuzzParse(f *testing.F) {
	tmpl := mustTemplate(f, testOptions())
	filled := fillByName(f, tmpl, sample())
	f.Add(tmpl)
	f.Add(filled)
	f.Add(tmpl[:len(tmpl)/3])
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("field,value\norg,HMRC\n"))
	f.Add(makeZip(f, zipEntry{name: "[Content_Types].xml", body: []byte(xlsxContentTypes)}))
	// Workbooks whose parts the fuzzer can reach: stored, not deflated.
	f.Add(smallBook(f, []byte(smallWorkbook), []byte(smallRels), []byte(smallSheet), []byte(smallStrings)))
	f.Add(storeZip(f, filled))
	f.Add(storeZip(f, repoint(f, filled, "org", "Lists!$A$3")))
	f.Add(storeZip(f, xfdRows(f, SheetReturn, 3)))
	for _, hb := range hostileBooks(f) {
		if len(hb.data) < 64<<10 {
			f.Add(hb.data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var (
			fields []workforce.RawField
			err    error
		)
		if n := allocated(func() { fields, err = Parse(data) }); n > fuzzAllocBound {
			t.Fatalf("Parse allocated %d MiB for %d bytes", n>>20, len(data))
		}
		checkParsed(t, fields, err)
	})
}

// checkParsed: Parse answered with fields of the catalogue, each once with a value and a
// cell, or with a *workforce.Error that is a 4xx and no fields.
func checkParsed(t *testing.T, fields []workforce.RawField, err error) {
	t.Helper()
	if err != nil {
		var e *workforce.Error
		if !errors.As(err, &e) || (e.Code != workforce.EInvalid && e.Code != workforce.EUnsupported) {
			t.Fatalf("Parse returned %T %v, want a *workforce.Error that is a 4xx", err, err)
		}
		if fields != nil {
			t.Fatalf("Parse returned fields %v with %v", fields, err)
		}
		return
	}
	seen := map[string]bool{}
	for _, fld := range fields {
		if _, ok := workforce.FieldByKey(fld.Key); !ok || fld.Value == "" || fld.Cell == "" || seen[fld.Key] {
			t.Fatalf("Parse returned %+v", fld)
		}
		seen[fld.Key] = true
	}
}

// Small parts of a workbook, so that the fuzzers can start from something a few hundred
// bytes long: the engine spends its time minimising every input that finds something new.
const (
	smallWorkbook = `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="Return" sheetId="1" r:id="rId1"/><sheet name="Lists" sheetId="2" r:id="rId2"/></sheets><definedNames>` +
		`<definedName name="template_version">Return!$A$1</definedName><definedName name="org">Return!$D$9</definedName>` +
		`<definedName name="period">Return!$D$10</definedName><definedName name="headcount">Return!$D$17</definedName>` +
		`<definedName name="board_digital_ned">Return!$D$59</definedName><definedName name="list_periods">Lists!$A$1:$A$4</definedName>` +
		`</definedNames></workbook>`
	smallRels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>` +
		`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>` +
		`</Relationships>`
	smallSheet = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:E64"/><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="9"><c r="D9" t="s"><v>1</v></c></row>` +
		`<row r="10"><c r="D10" t="inlineStr"><is><r><t>2025-26-</t></r><r><t>Q1</t></r></is></c></row>` +
		`<row r="17"><c r="D17"><f>1+1</f><v>1.25E3</v></c></row><row><c t="b"><v>1</v></c><c/></row>` +
		`<row r="59"><c r="D59" t="b"><v>0</v></c></row></sheetData></worksheet>`
	smallStrings = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>` + TemplateVersion + `</t></si>` +
		`<si><t xml:space="preserve"> HMRC_x000D_ </t><rPh><t>h</t></rPh></si></sst>`
)

// smallBook is a stored package of the given parts: the workbook, its relationships, the
// sheet (at each of the names a relationship may give it) and the shared strings.
func smallBook(t testing.TB, workbook, rels, sheet, sharedStrings []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, p := range []struct {
		name string
		body []byte
	}{
		{contentTypesXML, []byte(xlsxContentTypes)},
		{"_rels/.rels", []byte(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/workbook.xml", workbook}, {"xl/_rels/workbook.xml.rels", rels},
		{"xl/worksheets/sheet1.xml", sheet}, {"xl/worksheets/sheet2.xml", sheet}, {"xl/worksheets/sheet3.xml", sheet},
		{"xl/sharedStrings.xml", sharedStrings},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestParseSmallBook: the fuzzers' small workbook reads as it says.
func TestParseSmallBook(t *testing.T) {
	got, err := Parse(smallBook(t, []byte(smallWorkbook), []byte(smallRels), []byte(smallSheet), []byte(smallStrings)))
	if err != nil {
		t.Fatal(err)
	}
	diffFields(t, got, []workforce.RawField{
		{Key: "org", Value: "HMRC", Cell: "Return!D9"}, {Key: "period", Value: "2025-26-Q1", Cell: "Return!D10"},
		{Key: "headcount", Value: "1250", Cell: "Return!D17"}, {Key: "board_digital_ned", Value: "false", Cell: "Return!D59"},
	})
}

// FuzzParseParts changes the XML of the parts Parse reads (the workbook, its
// relationships, a sheet and the shared strings) inside an intact package, where
// FuzzParse's changes mostly break the ZIP. The properties are FuzzParse's.
func FuzzParseParts(f *testing.F) {
	f.Add([]byte(smallWorkbook), []byte(smallRels), []byte(smallSheet), []byte(smallStrings))
	filled := fillByName(f, mustTemplate(f, testOptions()), sample())
	for _, data := range [][]byte{filled, xfdRows(f, SheetReturn, 3)} {
		f.Add(zipPart(f, data, "xl/workbook.xml"), zipPart(f, data, "xl/_rels/workbook.xml.rels"),
			zipPart(f, data, partOf(f, data, SheetReturn)), zipPart(f, data, "xl/sharedStrings.xml"))
	}
	f.Fuzz(func(t *testing.T, workbook, rels, sheet, sharedStrings []byte) {
		data := smallBook(t, workbook, rels, sheet, sharedStrings)
		var (
			fields []workforce.RawField
			err    error
		)
		if n := allocated(func() { fields, err = Parse(data) }); n > fuzzAllocBound {
			t.Fatalf("Parse allocated %d MiB for %d bytes", n>>20, len(data))
		}
		checkParsed(t, fields, err)
	})
}

// storeZip copies a ZIP with every entry stored rather than deflated, so that a fuzzer's
// changes land in the XML itself.
func storeZip(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func BenchmarkParse(b *testing.B) {
	data := fillByName(b, mustTemplate(b, testOptions()), sample())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseHostileXFD is the cost of the filled template with one cell in column XFD
// on each of 400 rows (about 1.3 GB per Parse while the workbook library read it): on the
// Return sheet it is refused; on the Lists sheet, which holds no answers, it is not read.
func BenchmarkParseHostileXFD(b *testing.B) {
	for _, sheet := range []string{SheetReturn, SheetLists} {
		b.Run(sheet, func(b *testing.B) {
			data := xfdRows(b, sheet, hostileRows)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				_, err := Parse(data)
				if refused := err != nil; refused != (sheet == SheetReturn) {
					b.Fatalf("Parse: %v", err)
				}
			}
		})
	}
}

func BenchmarkTemplate(b *testing.B) {
	opts := testOptions()
	for b.Loop() {
		if _, err := Template(opts); err != nil {
			b.Fatal(err)
		}
	}
}
