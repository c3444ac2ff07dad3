package workforce

import (
	"sort"
	"time"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

var testRegister = Register{
	"HMRC":  {Code: "HMRC", Name: "HM Revenue and Customs", Parent: "HMRC", Kind: CivilService, BaselineHeadcount: 70925},
	"LEEDS": {Code: "LEEDS", Name: "Leeds City Council", Parent: "LEEDS", Kind: LocalGovernment},
}

// validValues is a consistent civil-service return.
func validValues() map[string]string {
	return map[string]string{
		"org": "HMRC", "period": "2025-26-Q1", "contact_name": "A Analyst", "contact_email": "analyst@example.gov.uk",
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

func leadershipValues() map[string]string {
	return map[string]string{
		"org": "LEEDS", "period": "2025-26-Q1",
		"exec_committee_digital_leader": "Y", "board_digital_ned": "false",
	}
}

// rawOf lays values out as a workbook would, one cell per field in catalogue order.
func rawOf(values map[string]string) []RawField {
	var raw []RawField
	for i, f := range Fields {
		if v, ok := values[f.Key]; ok {
			raw = append(raw, RawField{Key: f.Key, Value: v, Cell: cellFor(i)})
		}
	}
	var extra []string
	for k := range values {
		if _, ok := FieldByKey(k); !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		raw = append(raw, RawField{Key: k, Value: values[k]})
	}
	return raw
}

func cellFor(i int) string { return "Return!D" + itoa(10+i) }

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
