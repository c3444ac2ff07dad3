package returntemplate

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/sheetref"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// excelizeFields reads the named cells as Parse did when it opened workbooks with
// excelize, raw values and all: the oracle that the streaming reader must agree with.
func excelizeFields(t *testing.T, data []byte) []workforce.RawField {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cells := fieldCells(t, f)
	var out []workforce.RawField
	for _, fld := range workforce.Fields {
		c, ok := cells[fld.Key]
		if !ok {
			continue
		}
		typ, err := f.GetCellType(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.GetCellValue(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		v = strings.TrimSpace(v)
		switch typ {
		case excelize.CellTypeBool:
			if b, ok := map[string]string{"1": "true", "0": "false"}[v]; ok {
				v = b
			}
		case excelize.CellTypeUnset, excelize.CellTypeNumber:
			v = plainNumber(v)
		}
		if v != "" {
			out = append(out, workforce.RawField{Key: fld.Key, Value: v, Cell: sheetref.Minimal(c.sheet) + "!" + c.cell})
		}
	}
	return out
}

// TestParseAgreesWithExcelize: every way a value can be stored in a cell reads as the
// workbook library reads it raw.
func TestParseAgreesWithExcelize(t *testing.T) {
	tmpl := mustTemplate(t, testOptions())
	f := openBook(t, fillByName(t, tmpl, sample()))
	cells := fieldCells(t, f)
	set := func(key string, fn func(sheet, cell string) error) {
		t.Helper()
		if err := fn(cells[key].sheet, cells[key].cell); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	set("notes", func(s, c string) error {
		return f.SetCellRichText(s, c, []excelize.RichTextRun{{Text: "Bold "}, {Text: "and plain", Font: &excelize.Font{Italic: true}}})
	})
	set("contact_name", func(s, c string) error { return f.SetCellStr(s, c, "Ada_x000D_Lovelace _x005F_x0041_") })
	set("board_digital_ned", func(s, c string) error { return f.SetCellBool(s, c, true) })
	set("headcount", func(s, c string) error { return f.SetCellFormula(s, c, "60000+5000") })
	set("fte", func(s, c string) error { return f.SetCellFloat(s, c, 61000.123456789012, -1, 64) })
	set("ddat_fte", func(s, c string) error { return f.SetCellValue(s, c, 1e-7) })
	set("ddat_headcount", func(s, c string) error { return f.SetCellStr(s, c, "  4200  ") })
	set("senior_appointments", func(s, c string) error { return f.SetCellDefault(s, c, "4.50") })
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	stored := buf.Bytes()
	// Cell types excelize does not write: an inline string with runs, an error, a date, a
	// boolean stored as neither 0 nor 1, and a number with an explicit type.
	stored = editSheet(t, stored, SheetReturn, func(ws string) string {
		for key, format := range map[string]string{
			"ddat_grade_eo":        `<c r="%s" t="inlineStr"><is><r><t>6</t></r><r><t xml:space="preserve">00 </t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c>`,
			"ddat_grade_scs":       `<c r="%s" t="e"><f>1/0</f><v>#DIV/0!</v></c>`,
			"ddat_grade_unknown":   `<c r="%s" t="d"><v>2025-07-01T00:00:00Z</v></c>`,
			"ddat_grade_heo_seo":   `<c r="%s" t="b"><v>2</v></c>`,
			"ddat_grade_g7_g6":     `<c r="%s" t="n"><v>1.5E3</v></c>`,
			"ddat_grade_aa_ao":     `<c r="%s" s="14"></c>`,
			"digital_senior_roles": `<c r="%s" t="str"><f>"six"</f><v>six</v></c>`,
		} {
			cell := cells[key].cell
			re := regexp.MustCompile(`<c r="` + cell + `"(?:[^>]*/>|[^>]*>.*?</c>)`)
			if !re.MatchString(ws) {
				t.Fatalf("no cell for %s", key)
			}
			ws = re.ReplaceAllLiteralString(ws, fmt.Sprintf(format, cell))
		}
		return ws
	})
	want := excelizeFields(t, stored)
	got, err := Parse(stored)
	if err != nil {
		t.Fatal(err)
	}
	diffFields(t, got, want)
	for _, w := range []workforce.RawField{
		{Key: "notes", Value: "Bold and plain"}, {Key: "contact_name", Value: "Ada\rLovelace _x0041_"},
		{Key: "ddat_grade_eo", Value: "600"}, {Key: "ddat_grade_scs", Value: "#DIV/0!"},
		{Key: "headcount", Value: "65000"},
	} {
		for _, g := range got {
			if g.Key == w.Key && g.Value != w.Value {
				t.Errorf("%s = %q, want %q", g.Key, g.Value, w.Value)
			}
		}
	}
}
