package returntemplate

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/sheetref"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var update = flag.Bool("update", false, "rewrite testdata/template.golden")

func testOptions() TemplateOptions {
	return TemplateOptions{
		Organisations: []workforce.Organisation{
			{Code: "HMRC", Name: "HM Revenue and Customs", Parent: "HMT", Kind: workforce.CivilService},
			{Code: "DSIT", Name: "Department for Science, Innovation and Technology", Parent: "DSIT", Kind: workforce.CivilService},
			{Code: "KENT", Name: "Kent County Council", Kind: workforce.LocalGovernment},
		},
		Periods: period.Range(period.MustQuarter("2025-26-Q1"), period.MustQuarter("2025-26-Q4")),
	}
}

// sample is a complete return from a civil-service organisation whose figures pass every
// check. Values have the Go type a filling tool would write: numbers as numbers.
func sample() map[string]any {
	return map[string]any{
		"org": "HMRC", "period": "2025-26-Q1", "contact_name": "Ada Lovelace",
		"contact_email": "ada.lovelace@example.gov.uk", "notes": "Figures from the HR system on 1 July.",
		"revision_reason": "Headcount corrected:\n- transfers in on 30 June were left out.", "headcount": 65000, "fte": 61000.5, "profession_unknown_headcount": 500,
		"ddat_headcount": 4200, "ddat_fte": 4100.25,
		"ddat_family_architecture": 300, "ddat_family_chief_digital_and_data": 50, "ddat_family_data": 900,
		"ddat_family_it_operations": 1000, "ddat_family_product_and_delivery": 700,
		"ddat_family_quality_assurance_testing": 250, "ddat_family_software_development": 800,
		"ddat_family_user_centred_design": 150, "ddat_family_unknown": 50,
		"ddat_grade_aa_ao": 200, "ddat_grade_eo": 600, "ddat_grade_heo_seo": 1700, "ddat_grade_g7_g6": 1500,
		"ddat_grade_scs": 100, "ddat_grade_unknown": 100,
		"ddat_entrants_total": 180, "entrants_apprenticeship": 30, "entrants_fast_stream": 10,
		"entrants_graduate_programme": 20, "entrants_internship": 5, "entrants_other_early_career": 15,
		"exec_committee_digital_leader": "yes", "board_digital_ned": "no",
		"senior_appointments": 4, "senior_appointments_assessed": 3, "digital_senior_roles": 6,
		"digital_senior_roles_with_succession_plan": 5, "cslg_members": 12, "cslg_members_ai_immersion": 7,
	}
}

// text is how a sample value reads back from the workbook.
func text(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

func mustTemplate(t testing.TB, opts TemplateOptions) []byte {
	t.Helper()
	data, err := Template(opts)
	if err != nil {
		t.Fatalf("Template: %v", err)
	}
	return data
}

func openBook(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// fieldCells maps each field key to the cell its workbook-scoped name refers to.
func fieldCells(t testing.TB, f *excelize.File) map[string]namedCell {
	t.Helper()
	cells := map[string]namedCell{}
	for _, dn := range f.GetDefinedName() {
		if _, ok := workforce.FieldByKey(dn.Name); !ok || dn.Scope != "Workbook" {
			continue
		}
		sheet, cell, why := singleCell(dn.RefersTo)
		if why != "" {
			t.Fatalf("name %s %s", dn.Name, why)
		}
		if _, dup := cells[dn.Name]; dup {
			t.Fatalf("name %s defined twice", dn.Name)
		}
		cells[dn.Name] = namedCell{key: dn.Name, sheet: sheet, cell: cell}
	}
	return cells
}

// fillByName writes values into the cells named after their keys, as a tool that fills
// the template by name would, and saves the workbook.
func fillByName(t testing.TB, data []byte, values map[string]any) []byte {
	t.Helper()
	f := openBook(t, data)
	cells := fieldCells(t, f)
	for key, v := range values {
		c, ok := cells[key]
		if !ok {
			t.Fatalf("no defined name for %s", key)
		}
		if err := f.SetCellValue(c.sheet, c.cell, v); err != nil {
			t.Fatalf("set %s: %v", key, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// expectFields is what Parse should return for values written into the template.
func expectFields(t testing.TB, data []byte, values map[string]any) []workforce.RawField {
	t.Helper()
	cells := fieldCells(t, openBook(t, data))
	var want []workforce.RawField
	for _, fld := range workforce.Fields {
		if v, ok := values[fld.Key]; ok {
			c := cells[fld.Key]
			want = append(want, workforce.RawField{Key: fld.Key, Value: text(v), Cell: sheetref.Minimal(c.sheet) + "!" + c.cell})
		}
	}
	return want
}

func diffFields(t *testing.T, got, want []workforce.RawField) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d fields, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("field %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestTemplateRoundTrip(t *testing.T) {
	tmpl := mustTemplate(t, testOptions())
	values := sample()
	got, err := Parse(fillByName(t, tmpl, values))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(got) != len(workforce.Fields) {
		t.Errorf("got %d fields, want every one of the %d in the catalogue", len(got), len(workforce.Fields))
	}
	diffFields(t, got, expectFields(t, tmpl, values))
	// The cell is where a person finds the value: the Return sheet, column D.
	for _, f := range got {
		if !strings.HasPrefix(f.Cell, "Return!D") {
			t.Errorf("%s read from %s, want an input cell Return!D…", f.Key, f.Cell)
		}
	}
}

func TestTemplateEmptyParsesToNothing(t *testing.T) {
	got, err := Parse(mustTemplate(t, testOptions()))
	if err != nil || len(got) != 0 {
		t.Fatalf("an empty template parsed to %v, %v; want no fields and no error", got, err)
	}
}

func TestTemplatePrefill(t *testing.T) {
	opts := testOptions()
	opts.Prefill = map[string]string{"org": "DSIT", "period": "2025-26-Q3", "headcount": " 1250 ", "fte": "1234.5", "contact_name": "  "}
	data := mustTemplate(t, opts)
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := expectFields(t, data, map[string]any{"org": "DSIT", "period": "2025-26-Q3", "headcount": 1250, "fte": 1234.5})
	diffFields(t, got, want)

	// Numbers are pre-filled as numbers, so that formats and checks work on them.
	f := openBook(t, data)
	cells := fieldCells(t, f)
	for _, key := range []string{"headcount", "fte"} {
		c := cells[key]
		if typ, _ := f.GetCellType(c.sheet, c.cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s pre-filled with cell type %v, want a number", key, typ)
		}
	}
}

func TestTemplatePrefillUnknownKey(t *testing.T) {
	opts := testOptions()
	opts.Prefill = map[string]string{"head_count": "1"}
	_, err := Template(opts)
	if workforce.ErrorCode(err) != workforce.EBadRequest || !strings.Contains(workforce.ErrorMessage(err), `"head_count"`) {
		t.Fatalf("got %v, want bad_request naming head_count", err)
	}
}

func TestTemplateDeterministic(t *testing.T) {
	a, b := mustTemplate(t, testOptions()), mustTemplate(t, testOptions())
	if !bytes.Equal(a, b) {
		t.Fatal("the same options produced different bytes")
	}
}

func TestTemplateNames(t *testing.T) {
	f := openBook(t, mustTemplate(t, testOptions()))
	cells := fieldCells(t, f) // fails on a name that is not one cell, or defined twice
	used := map[string]string{}
	for _, fld := range workforce.Fields {
		c, ok := cells[fld.Key]
		if !ok {
			t.Errorf("no workbook-scoped defined name %s", fld.Key)
			continue
		}
		if c.sheet != SheetReturn {
			t.Errorf("%s is on sheet %s, want %s", fld.Key, c.sheet, SheetReturn)
		}
		if other, dup := used[c.cell]; dup {
			t.Errorf("%s and %s share the cell %s", fld.Key, other, c.cell)
		}
		used[c.cell] = fld.Key
		// Column A shows the name beside each input.
		if label, _ := f.GetCellValue(SheetReturn, "A"+c.cell[1:]); label != fld.Key {
			t.Errorf("column A beside %s says %q, want the key", fld.Key, label)
		}
	}
	var version []excelize.DefinedName
	for _, dn := range f.GetDefinedName() {
		if dn.Name == NameTemplateVersion {
			version = append(version, dn)
		}
	}
	if len(version) != 1 || version[0].Scope != "Workbook" {
		t.Fatalf("template_version names: %+v, want one workbook-scoped", version)
	}
	sheet, cell, why := singleCell(version[0].RefersTo)
	if why != "" {
		t.Fatalf("template_version %s", why)
	}
	if v, _ := f.GetCellValue(sheet, cell); v != TemplateVersion {
		t.Errorf("template_version cell holds %q, want %q", v, TemplateVersion)
	}
}

func TestTemplateSheets(t *testing.T) {
	data := mustTemplate(t, testOptions())
	f := openBook(t, data)
	if got, want := strings.Join(f.GetSheetList(), ","), "Instructions,Return,Lists"; got != want {
		t.Errorf("sheets %s, want %s", got, want)
	}
	if got := f.GetSheetName(f.GetActiveSheetIndex()); got != SheetInstructions {
		t.Errorf("opens on %s, want %s", got, SheetInstructions)
	}
	if visible, _ := f.GetSheetVisible(SheetLists); visible {
		t.Error("the Lists sheet is visible, want hidden")
	}
	props, err := f.GetDocProps()
	if err != nil || props.Title != "DDaT workforce quarterly return" || props.Creator == "" {
		t.Errorf("document properties %+v, %v; want a title and a creator", props, err)
	}
}

func TestTemplateValidations(t *testing.T) {
	f := openBook(t, mustTemplate(t, testOptions()))
	dvs, err := f.GetDataValidations(SheetReturn)
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	cells := fieldCells(t, f)
	tests := []struct {
		key, typ, operator, formula1 string
	}{
		{"org", "list", "", nameOrganisations},
		{"period", "list", "", namePeriods},
		{"exec_committee_digital_leader", "list", "", nameYesNo},
		{"board_digital_ned", "list", "", nameYesNo},
		{"headcount", "whole", "greaterThanOrEqual", "1"},
		{"ddat_headcount", "whole", "greaterThanOrEqual", "0"},
		{"ddat_family_data", "whole", "greaterThanOrEqual", "0"},
		{"senior_appointments", "whole", "greaterThanOrEqual", "0"},
		{"fte", "decimal", "greaterThanOrEqual", "0"},
		{"ddat_fte", "decimal", "greaterThanOrEqual", "0"},
		{"notes", "textLength", "lessThanOrEqual", "2000"},
		{"revision_reason", "textLength", "lessThanOrEqual", "500"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			dv := bySqref[cells[tt.key].cell]
			if dv == nil {
				t.Fatalf("no data validation on %s (%s)", tt.key, cells[tt.key].cell)
			}
			if dv.Type != tt.typ || dv.Operator != tt.operator || dv.Formula1 != tt.formula1 {
				t.Errorf("validation %s %s %s, want %s %s %s", dv.Type, dv.Operator, dv.Formula1, tt.typ, tt.operator, tt.formula1)
			}
			if !dv.ShowErrorMessage || dv.Error == nil || *dv.Error == "" {
				t.Error("no error message for a rejected entry")
			}
		})
	}
	// Every count in the catalogue is whole-number validated at its minimum.
	for _, fld := range workforce.Fields {
		if fld.Type != workforce.TypeCount {
			continue
		}
		dv := bySqref[cells[fld.Key].cell]
		if dv == nil || dv.Type != "whole" || dv.Formula1 != strconv.FormatInt(fld.Min, 10) {
			t.Errorf("%s: validation %+v, want whole ≥ %d", fld.Key, dv, fld.Min)
		}
	}
	// The drop-down sources hold what the options asked for.
	for _, tt := range []struct{ name, want string }{
		{nameOrganisations, "DSIT,HMRC,KENT"},
		{namePeriods, "2025-26-Q1,2025-26-Q2,2025-26-Q3,2025-26-Q4"},
		{nameYesNo, "yes,no"},
	} {
		if got := strings.Join(listValues(t, f, tt.name), ","); got != tt.want {
			t.Errorf("%s holds %s, want %s", tt.name, got, tt.want)
		}
	}
}

// listValues reads the cells of a column range name such as Lists!$A$2:$A$4.
func listValues(t *testing.T, f *excelize.File, name string) []string {
	t.Helper()
	for _, dn := range f.GetDefinedName() {
		if dn.Name != name {
			continue
		}
		sheet, rng, _ := strings.Cut(dn.RefersTo, "!")
		from, to, _ := strings.Cut(strings.ReplaceAll(rng, "$", ""), ":")
		c, r1, _ := excelize.CellNameToCoordinates(from)
		_, r2, _ := excelize.CellNameToCoordinates(to)
		var vs []string
		for r := r1; r <= r2; r++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			v, _ := f.GetCellValue(sheet, cell)
			vs = append(vs, v)
		}
		return vs
	}
	t.Fatalf("no defined name %s", name)
	return nil
}

func TestTemplateProtection(t *testing.T) {
	data := mustTemplate(t, testOptions())
	for _, sheet := range []string{SheetInstructions, SheetReturn, SheetLists} {
		ws := sheetXML(t, data, sheet)
		if !strings.Contains(ws, `<sheetProtection`) || !strings.Contains(ws, `sheet="true"`) {
			t.Errorf("%s is not protected", sheet)
		}
		if strings.Contains(ws, `password=`) || strings.Contains(ws, `hashValue=`) {
			t.Errorf("%s is protected with a password; the instructions say there is none", sheet)
		}
	}
	f := openBook(t, data)
	locked := func(cell string) bool {
		id, err := f.GetCellStyle(SheetReturn, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Protection == nil || st.Protection.Locked
	}
	for key, c := range fieldCells(t, f) {
		if locked(c.cell) {
			t.Errorf("input %s (%s) is locked", key, c.cell)
		}
		row := c.cell[1:]
		for _, col := range []string{colKey, colLabel, colHelp, colCheck} {
			if !locked(col + row) {
				t.Errorf("%s%s beside input %s is unlocked", col, row, key)
			}
		}
	}
}

// sheetXML is the worksheet part of the named sheet.
func sheetXML(t *testing.T, data []byte, sheet string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		f, err := zr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
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
	if err := xml.Unmarshal(read("xl/workbook.xml"), &wb); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(read("xl/_rels/workbook.xml.rels"), &rels); err != nil {
		t.Fatal(err)
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID == s.ID {
				return string(read(path.Join("xl", strings.TrimPrefix(r.Target, "/xl/"))))
			}
		}
	}
	t.Fatalf("no sheet %s", sheet)
	return ""
}

// TestTemplateChecks evaluates the running checks (with excelize's calculator) on filled
// templates: each says OK or the sentence about what does not add up.
func TestTemplateChecks(t *testing.T) {
	tmpl := mustTemplate(t, testOptions())
	f := openBook(t, tmpl)
	cells := fieldCells(t, f)
	row := func(key string) int { _, r, _ := excelize.CellNameToCoordinates(cells[key].cell); return r }
	// The template's own checks beside a field, and each rule's check wherever it is.
	check := ruleCells(t, f)
	for _, key := range []string{"org", "period", "exec_committee_digital_leader", "board_digital_ned"} {
		check[key] = fmt.Sprintf("E%d", row(key))
	}
	allOK := fmt.Sprintf("All %d checks say OK", 4+len(workforce.Rules))

	localGov := map[string]any{"org": "KENT", "period": "2025-26-Q2", "exec_committee_digital_leader": "yes", "board_digital_ned": "yes"}
	tests := []struct {
		name    string
		values  map[string]any // nil: the sample
		change  map[string]any
		check   string
		want    string
		summary string
	}{
		{name: "families add up", check: "family_sum_mismatch", want: "OK", summary: allOK},
		{name: "organisation named", check: "org", want: "OK: HM Revenue and Customs"},
		{name: "quarter and reference date", check: "period", want: "OK: April to June 2025; count staff in post on 30 June 2025"},
		{name: "families short", change: map[string]any{"ddat_family_data": 860}, check: "family_sum_mismatch",
			want: "DDaT headcount by job family adds up to 4,160 but DDaT headcount is 4,200.", summary: "Checks still to put right: 1"},
		{name: "grades over", change: map[string]any{"ddat_grade_scs": 140}, check: "grade_sum_mismatch", want: "DDaT headcount by grade adds up to 4,240 but DDaT headcount is 4,200."},
		{name: "early career over all entrants", change: map[string]any{"ddat_entrants_total": 50}, check: "early_career_exceeds_entrants",
			want: "Early-career entrants (the five early-career routes) add up to 80, more than all entrants to DDaT (50)."},
		{name: "fte over headcount", change: map[string]any{"fte": 70000.0}, check: "fte_exceeds_headcount", want: "FTE is 70,000, more than headcount (65,000)."},
		{name: "fte over headcount by a hundredth", change: map[string]any{"fte": 65000.01}, check: "fte_exceeds_headcount", want: "FTE is 65,000.01, more than headcount (65,000)."},
		{name: "unknown profession over headcount", change: map[string]any{"profession_unknown_headcount": 65001}, check: "unknown_exceeds_headcount",
			want: "Headcount with profession not recorded is 65,001, more than headcount (65,000)."},
		{name: "ddat over known profession", change: map[string]any{"profession_unknown_headcount": 61000}, check: "ddat_exceeds_known_profession",
			want: "DDaT headcount is 4,200, more than headcount minus those with profession not recorded (4,000)."},
		{name: "ddat fte over ddat headcount", change: map[string]any{"ddat_fte": 4300.5}, check: "ddat_fte_exceeds_ddat_headcount", want: "DDaT FTE is 4,300.5, more than DDaT headcount (4,200)."},
		{name: "ddat fte over fte", change: map[string]any{"fte": 4000.5}, check: "ddat_fte_exceeds_fte", want: "DDaT FTE is 4,100.25, more than total FTE (4,000.5)."},
		{name: "assessed over appointed", change: map[string]any{"senior_appointments_assessed": 5}, check: "assessed_exceeds_appointed",
			want: "Directors and DGs assessed on digital and data skills is 5, more than directors and DGs appointed (4)."},
		{name: "plans over roles", change: map[string]any{"digital_senior_roles_with_succession_plan": 7}, check: "succession_exceeds_roles",
			want: "Digital and data roles with a succession plan is 7, more than digital and data director and DG roles (6)."},
		{name: "AI immersion over members", change: map[string]any{"cslg_members_ai_immersion": 13}, check: "ai_immersion_exceeds_cslg_members",
			want: "Civil Service Leadership Group members who have attended an AI immersion workshop is 13, more than Civil Service Leadership Group members (12)."},
		{name: "yes/no missing", change: map[string]any{"board_digital_ned": ""}, check: "board_digital_ned", want: "Choose yes or no"},
		{name: "organisation not listed", change: map[string]any{"org": "NOPE"}, check: "org", want: "Choose your organisation from the list"},
		{name: "local government leaves workforce blank", values: localGov, check: "family_sum_mismatch", want: "OK", summary: allOK},
		{name: "local government told what to answer", values: localGov, check: "org",
			want: "OK: Kent County Council (local government: answer 'About this return' and the two yes/no questions only)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := tt.values
			if values == nil {
				values = sample()
			}
			for k, v := range tt.change {
				values[k] = v
			}
			f := openBook(t, fillByName(t, tmpl, values))
			got, err := f.CalcCellValue(SheetReturn, check[tt.check])
			if err != nil {
				t.Fatalf("calculate %s: %v", check[tt.check], err)
			}
			if got != tt.want {
				t.Errorf("check %s says %q, want %q", tt.check, got, tt.want)
			}
			if tt.summary != "" {
				if got, _ := f.CalcCellValue(SheetReturn, "E3"); got != tt.summary {
					t.Errorf("summary says %q, want %q", got, tt.summary)
				}
			}
		})
	}
}

// TestTemplateChecksUseNames: every check formula refers to inputs by name, never by
// cell address, so it survives the layout changing.
func TestTemplateChecksUseNames(t *testing.T) {
	f := openBook(t, mustTemplate(t, testOptions()))
	inputs := map[string]bool{}
	for _, c := range fieldCells(t, f) {
		inputs[c.cell] = true
	}
	rows, _ := f.GetRows(SheetReturn)
	for r := 1; r <= len(rows)+1; r++ {
		for _, col := range []string{colInput, colCheck} {
			cell := fmt.Sprintf("%s%d", col, r)
			formula, _ := f.GetCellFormula(SheetReturn, cell)
			if formula == "" {
				continue
			}
			for in := range inputs {
				if strings.Contains(strings.ReplaceAll(formula, "$", ""), in) {
					t.Errorf("%s refers to input %s by address: %s", cell, in, formula)
				}
			}
		}
	}
}

func TestTemplateGolden(t *testing.T) {
	got := describe(t, mustTemplate(t, testOptions()))
	golden := filepath.Join("testdata", "template.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./shared/returntemplate -run TestTemplateGolden -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("template differs from %s at line %d:\n got %s\nwant %s\n(run with -update if the change is intended)", golden, i+1, g, w)
			}
		}
	}
}

// describe is a readable account of a template: sheets, names, validations, column
// widths and every cell, with formulas and the look of input cells.
func describe(t *testing.T, data []byte) string {
	t.Helper()
	f := openBook(t, data)
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	props, _ := f.GetDocProps()
	p("# DDaT return template %s", TemplateVersion)
	p("properties: title=%q creator=%q language=%s created=%s", props.Title, props.Creator, props.Language, props.Created)
	p("")
	p("## defined names")
	for _, dn := range f.GetDefinedName() {
		p("%s (%s) = %s", dn.Name, dn.Scope, dn.RefersTo)
	}
	for _, sheet := range f.GetSheetList() {
		visible, _ := f.GetSheetVisible(sheet)
		ws := sheetXML(t, data, sheet)
		p("")
		p("## sheet %s (visible=%v, protected=%v)", sheet, visible, strings.Contains(ws, "<sheetProtection"))
		var widths []string
		for col := 1; col <= 9; col++ {
			name, _ := excelize.ColumnNumberToName(col)
			w, _ := f.GetColWidth(sheet, name)
			widths = append(widths, fmt.Sprintf("%s=%g", name, w))
		}
		p("column widths: %s", strings.Join(widths, " "))
		dvs, _ := f.GetDataValidations(sheet)
		for _, dv := range dvs {
			prompt := ""
			if dv.PromptTitle != nil {
				prompt = *dv.PromptTitle
			}
			p("validation %s: %s %s %s (prompt %q)", dv.Sqref, dv.Type, dv.Operator, dv.Formula1, prompt)
		}
		rows, _ := f.GetRows(sheet)
		for r := 1; r <= len(rows)+1; r++ {
			for col := 1; col <= 9; col++ {
				cell, _ := excelize.CoordinatesToCellName(col, r)
				formula, _ := f.GetCellFormula(sheet, cell)
				v, _ := f.GetCellValue(sheet, cell)
				style := ""
				if id, _ := f.GetCellStyle(sheet, cell); id != 0 {
					if st, _ := f.GetStyle(id); st != nil && st.Protection != nil && !st.Protection.Locked {
						style = fmt.Sprintf(" [input: unlocked, fill %s, format %d]", strings.Join(st.Fill.Color, ""), st.NumFmt)
					}
				}
				switch {
				case formula != "":
					p("%s =%s", cell, formula)
				case v != "" || style != "":
					p("%s %q%s", cell, v, style)
				}
			}
		}
	}
	return b.String()
}

// TestFilledByOpenpyxl fills the template with a different tool, openpyxl, which keeps
// the defined names but none of excelize's habits, and reads the result.
func TestFilledByOpenpyxl(t *testing.T) {
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import openpyxl").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import openpyxl (%v: %s). `make test` installs python3-openpyxl; by hand: apt-get install -y python3-openpyxl", python, err, bytes.TrimSpace(out))
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "template.xlsx"), filepath.Join(dir, "filled.xlsx")
	tmpl := mustTemplate(t, testOptions())
	if err := os.WriteFile(in, tmpl, 0o644); err != nil {
		t.Fatal(err)
	}
	values := sample()
	args := []string{filepath.Join("..", "..", "infra", "scripts", "fill_template.py"), in, out}
	for _, fld := range workforce.Fields {
		args = append(args, fld.Key+"="+text(values[fld.Key]))
	}
	if msg, err := exec.Command(python, args...).CombinedOutput(); err != nil {
		t.Fatalf("fill_template.py: %v: %s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse of the openpyxl file: %v", err)
	}
	diffFields(t, got, expectFields(t, tmpl, values))
	// Numbers went in as numbers, not text that looks like a number.
	f := openBook(t, data)
	c := fieldCells(t, f)["headcount"]
	if typ, _ := f.GetCellType(c.sheet, c.cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("openpyxl wrote headcount as cell type %v, want a number", typ)
	}
}
