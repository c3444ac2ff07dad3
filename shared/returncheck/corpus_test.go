package returncheck_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// testNow is when the corpus is checked: 2025-26-Q3 has ended, Q4 has not, and
// 2025-26-Q2 is on time.
var testNow = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// validValues is a consistent civil-service return for HMRC, which the built-in register
// holds. The corpus is built here rather than from infra/sample: product packages do not
// import development tooling.
func validValues() map[string]string {
	return map[string]string{
		"org": "HMRC", "period": "2025-26-Q2", "contact_name": "A Analyst", "contact_email": "analyst@example.gov.uk",
		"headcount": "70000", "fte": "65000.5", "profession_unknown_headcount": "1000",
		"ddat_headcount": "5000", "ddat_fte": "4800.25",
		"ddat_family_architecture": "300", "ddat_family_chief_digital_and_data": "20", "ddat_family_data": "900",
		"ddat_family_it_operations": "1200", "ddat_family_product_and_delivery": "800",
		"ddat_family_quality_assurance_testing": "280", "ddat_family_software_development": "1100",
		"ddat_family_user_centred_design": "300", "ddat_family_unknown": "100",
		"ddat_grade_aa_ao": "200", "ddat_grade_eo": "700", "ddat_grade_heo_seo": "2000",
		"ddat_grade_g7_g6": "1900", "ddat_grade_scs": "150", "ddat_grade_unknown": "50",
		"ddat_entrants_total": "200", "entrants_apprenticeship": "40", "entrants_fast_stream": "10",
		"entrants_graduate_programme": "15", "entrants_internship": "5", "entrants_other_early_career": "0",
		"exec_committee_digital_leader": "yes", "board_digital_ned": "No",
		"senior_appointments": "4", "senior_appointments_assessed": "3",
		"digital_senior_roles": "6", "digital_senior_roles_with_succession_plan": "5",
		"cslg_members": "12", "cslg_members_ai_immersion": "7",
	}
}

// councilValues is a local-government return: the identity fields and two answers.
func councilValues() map[string]string {
	return map[string]string{"org": "LGA-LEEDS", "period": "2025-26-Q2", "exec_committee_digital_leader": "Y", "board_digital_ned": "false"}
}

// with is values changed by edits; an edit to "" removes the field.
func with(values map[string]string, edits map[string]string) map[string]string {
	v := maps.Clone(values)
	for k, s := range edits {
		if s == "" {
			delete(v, k)
		} else {
			v[k] = s
		}
	}
	return v
}

// entry is one file of the corpus.
type entry struct {
	name string // the file's name, whose extension says its format
	body []byte
}

// valueCase is a return as values, written in each of the three formats.
type valueCase struct {
	name   string
	values map[string]string
}

func valueCases() []valueCase {
	v, lg := validValues(), councilValues()
	families := slices.Clone(workforce.FamilyKeys)
	return []valueCase{
		{"valid", v},
		{"valid-council", lg},
		{"valid-warnings", with(v, map[string]string{"profession_unknown_headcount": "20000", "ddat_headcount": "5000"})},
		{"late", with(v, map[string]string{"period": "2024-25-Q1"})},
		{"lowercase-org", with(v, map[string]string{"org": "hmrc"})},
		{"missing-headcount", with(v, map[string]string{"headcount": ""})},
		{"missing-org", with(v, map[string]string{"org": ""})},
		{"missing-period", with(v, map[string]string{"period": ""})},
		{"unknown-org", with(v, map[string]string{"org": "NOSUCH"})},
		{"future-period", with(v, map[string]string{"period": "2025-26-Q4"})},
		{"too-early", with(v, map[string]string{"period": "2019-20-Q4"})},
		{"bad-period", with(v, map[string]string{"period": "Q2 2025"})},
		{"not-a-number", with(v, map[string]string{"fte": "lots"})},
		{"negative", with(v, map[string]string{"ddat_grade_scs": "-150"})},
		{"fraction-count", with(v, map[string]string{"headcount": "70000.5"})},
		{"three-decimals", with(v, map[string]string{"fte": "65000.125"})},
		{"too-large", with(v, map[string]string{"headcount": "700000000"})},
		{"zero-headcount", with(v, map[string]string{"headcount": "0"})},
		{"not-yes-no", with(v, map[string]string{"board_digital_ned": "maybe"})},
		{"bad-email", with(v, map[string]string{"contact_email": "analyst at example"})},
		{"formula-notes", with(v, map[string]string{"notes": "=HYPERLINK(\"x\")"})},
		{"long-notes", with(v, map[string]string{"notes": strings.Repeat("a", 2001)})},
		{"family-sum", with(v, map[string]string{families[0]: "350"})},
		{"grade-sum", with(v, map[string]string{"ddat_grade_eo": "650"})},
		{"fte-over-headcount", with(v, map[string]string{"fte": "70000.01"})},
		{"early-career-over-total", with(v, map[string]string{"entrants_apprenticeship": "190"})},
		{"assessed-over-appointed", with(v, map[string]string{"senior_appointments_assessed": "5"})},
		{"several", with(v, map[string]string{"headcount": "", "fte": "x", "board_digital_ned": "perhaps", "contact_email": "nope"})},
		{"council-with-figures", with(lg, map[string]string{"headcount": "1000", "ddat_headcount": "50"})},
		{"council-missing-answer", with(lg, map[string]string{"board_digital_ned": ""})},
	}
}

// fileCases are files that are wrong as files, whatever they hold.
func fileCases(t *testing.T) []entry {
	v := validValues()
	csvFile, jsonFile := csvOf(v), jsonOf(v)
	book := xlsxOf(t, v)
	oldTemplate := xlsxOf(t, with(v, map[string]string{"template_version": "2026.1"}))
	return []entry{
		{"csv-in-xlsx.xlsx", csvFile},
		{"json-in-xlsx.xlsx", jsonFile},
		{"xlsx-in-csv.csv", book},
		{"json-in-csv.csv", jsonFile},
		{"xlsx-in-json.json", book},
		{"csv-in-json.json", csvFile},
		{"empty.xlsx", nil},
		{"empty.csv", nil},
		{"empty.json", nil},
		{"encrypted.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)},
		{"zip-not-workbook.xlsx", zipOf(t, "hello.txt", "hello")},
		{"old-template.xlsx", oldTemplate},
		{"unknown-field.xlsx", xlsxWithName(t, v, "headcont", "70000")},
		{"bom.csv", append([]byte{0xEF, 0xBB, 0xBF}, csvFile...)},
		{"bad-header.csv", []byte("key,value\norg,HMRC\n")},
		{"three-columns.csv", append(slices.Clone(csvFile), []byte("notes,a,b\n")...)},
		{"unknown-field.csv", append(slices.Clone(csvFile), []byte("headcont,70000\n")...)},
		{"duplicate-field.csv", append(slices.Clone(csvFile), []byte("headcount,71000\n")...)},
		{"unclosed-quote.csv", append(slices.Clone(csvFile), []byte("notes,\"never closed\n")...)},
		{"not-utf8.json", []byte("{\"org\": \"HMRC\xff\"}")},
		{"truncated.json", jsonFile[:len(jsonFile)/2]},
		{"array.json", []byte(`[{"org": "HMRC"}]`)},
		{"nested.json", []byte(`{"org": "HMRC", "period": "2025-26-Q2", "headcount": {"value": 1}}`)},
		{"unknown-field.json", jsonWith(v, map[string]any{"headcont": 70000})},
		{"number-types.json", jsonWith(v, map[string]any{"exec_committee_digital_leader": true, "notes": nil})},
		{"no-extension", csvFile},
		{"sniffed-json.txt", jsonFile},
		{"sniffed-workbook.dat", book},
	}
}

// corpus is every file the agreement test checks: each value case in all three formats,
// then the file cases.
func corpus(t *testing.T) []entry {
	var es []entry
	for _, c := range valueCases() {
		es = append(es,
			entry{c.name + ".xlsx", xlsxOf(t, c.values)},
			entry{c.name + ".csv", csvOf(c.values)},
			entry{c.name + ".json", jsonOf(c.values)})
	}
	return append(es, fileCases(t)...)
}

// csvOf writes values as the field,value format, in catalogue order.
func csvOf(values map[string]string) []byte { return sample.CSV(values) }

// jsonOf writes values as the JSON format, numbers as JSON numbers where they are numbers.
func jsonOf(values map[string]string) []byte { return jsonWith(values, nil) }

func jsonWith(values map[string]string, extra map[string]any) []byte {
	out := map[string]any{}
	for k, s := range values {
		if f, ok := workforce.FieldByKey(k); ok && f.Numeric() {
			if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") {
				out[k] = json.Number(s)
				continue
			}
		}
		out[k] = s
	}
	maps.Copy(out, extra)
	b, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return b
}

// xlsxOf fills the service's template by its defined names, as a person or a tool would:
// numbers as numbers, everything else as text.
func xlsxOf(t *testing.T, values map[string]string) []byte {
	t.Helper()
	tpl, err := template()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sample.FillTemplate(tpl, values)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// xlsxWithName is xlsxOf with one more defined name, pointing at a cell holding value.
func xlsxWithName(t *testing.T, values map[string]string, name, value string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsxOf(t, values)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.SetCellStr("Return", "H3", value); err != nil {
		t.Fatal(err)
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: name, RefersTo: "Return!$H$3"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// template is the service's template, made once.
var template = sync.OnceValues(func() ([]byte, error) {
	return returntemplate.Template(returntemplate.TemplateOptions{
		Organisations: []workforce.Organisation{{Code: "HMRC", Name: "HM Revenue and Customs", Kind: workforce.CivilService}},
		Periods:       []period.Quarter{period.MustQuarter("2025-26-Q2")},
	})
})
