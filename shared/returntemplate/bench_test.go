package returntemplate_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// BenchmarkParseValidateXLSX is the CPU cost of a workbook return before any storage:
// read the filled template by its defined names, then check and normalise every field.
func BenchmarkParseValidateXLSX(b *testing.B) {
	org := workforce.Organisation{Code: "HMRC", Name: "HM Revenue and Customs", Parent: "HMRC", Kind: workforce.CivilService, BaselineHeadcount: 70925}
	q := period.MustQuarter("2025-26-Q1")
	tmpl, err := returntemplate.Template(returntemplate.TemplateOptions{
		Organisations: []workforce.Organisation{org},
		Periods:       period.Range(period.MustQuarter("2023-24-Q1"), q),
	})
	if err != nil {
		b.Fatal(err)
	}
	data := benchFill(b, tmpl, benchReturn(org.Code, q.String()))
	reg := workforce.Register{org.Code: org}
	// After the return's due date, so the period is not in the future.
	now := q.Due(30).Add(24 * time.Hour)

	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		raw, err := returntemplate.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, ps := workforce.Normalise(raw, reg, now); len(ps) > 0 {
			b.Fatalf("the filled template is not a valid return: %+v", ps)
		}
	}
}

// benchReturn is a complete civil-service return whose figures pass every check, with
// numbers as numbers, as a tool filling the template would write them.
func benchReturn(org, q string) map[string]any {
	return map[string]any{
		"org": org, "period": q, "contact_name": "Workforce Analyst", "contact_email": "workforce.analyst@example.gov.uk",
		"headcount": 70000, "fte": 65000.5, "profession_unknown_headcount": 1000,
		"ddat_headcount": 5000, "ddat_fte": 4800.25,
		"ddat_family_architecture": 300, "ddat_family_chief_digital_and_data": 20, "ddat_family_data": 900,
		"ddat_family_it_operations": 1200, "ddat_family_product_and_delivery": 800,
		"ddat_family_quality_assurance_testing": 280, "ddat_family_software_development": 1100,
		"ddat_family_user_centred_design": 300, "ddat_family_unknown": 100,
		"ddat_grade_aa_ao": 200, "ddat_grade_eo": 700, "ddat_grade_heo_seo": 2000,
		"ddat_grade_g7_g6": 1900, "ddat_grade_scs": 150, "ddat_grade_unknown": 50,
		"ddat_entrants_total": 200, "entrants_apprenticeship": 40, "entrants_fast_stream": 10,
		"entrants_graduate_programme": 15, "entrants_internship": 5, "entrants_other_early_career": 0,
		"exec_committee_digital_leader": "yes", "board_digital_ned": "no",
		"senior_appointments": 4, "senior_appointments_assessed": 3,
		"digital_senior_roles": 6, "digital_senior_roles_with_succession_plan": 5,
		"cslg_members": 12, "cslg_members_ai_immersion": 7,
	}
}

// benchFill writes values into the cells named after their keys and saves the workbook.
func benchFill(b *testing.B, tmpl []byte, values map[string]any) []byte {
	b.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(tmpl))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	cells := map[string][2]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Scope != "Workbook" {
			continue
		}
		sheet, cell, ok := strings.Cut(strings.ReplaceAll(strings.TrimPrefix(dn.RefersTo, "="), "$", ""), "!")
		if ok {
			cells[dn.Name] = [2]string{strings.Trim(sheet, "'"), cell}
		}
	}
	for k, v := range values {
		at, ok := cells[k]
		if !ok {
			b.Fatalf("the template has no defined name %q", k)
		}
		if err := f.SetCellValue(at[0], at[1], v); err != nil {
			b.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
