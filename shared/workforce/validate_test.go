package workforce

import (
	"strings"
	"testing"
)

func TestNormaliseValidReturn(t *testing.T) {
	r, ps := Normalise(rawOf(validValues()), testRegister, testNow)
	if len(ps) > 0 {
		t.Fatalf("valid return has problems: %+v", ps)
	}
	for k, want := range map[string]string{"fte": "65000.50", "ddat_fte": "4800.25", "board_digital_ned": "no", "headcount": "70000", "period": "2025-26-Q1"} {
		if got := r.Values[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if r.Org != "HMRC" || r.Kind != CivilService || r.Period.String() != "2025-26-Q1" {
		t.Errorf("identity = %s %s %s", r.Org, r.Kind, r.Period)
	}
}

func TestNormaliseReportsEveryProblemWithItsCell(t *testing.T) {
	v := validValues()
	v["ddat_grade_g7_g6"] = "1860"   // grades now add to 4,960, not 5,000
	v["headcount"] = "-5"            // negative
	v["fte"] = "12.345"              // three decimals
	v["board_digital_ned"] = "maybe" // not yes/no
	v["colour"] = "blue"             // unknown field
	delete(v, "senior_appointments") // required
	_, ps := Normalise(rawOf(v), testRegister, testNow)
	want := map[string]string{
		"headcount": "negative", "fte": "too_many_decimals", "board_digital_ned": "not_yes_no",
		"colour": "unknown_field", "senior_appointments": "required",
	}
	got := map[string]string{}
	for _, p := range ps {
		got[p.Field] = p.Code
		if p.Code != "required" && p.Code != "unknown_field" && !strings.HasPrefix(p.Cell, "Return!D") {
			t.Errorf("%s: problem has no cell: %+v", p.Field, p)
		}
	}
	for f, code := range want {
		if got[f] != code {
			t.Errorf("%s: got %q, want %q (all: %+v)", f, got[f], code, ps)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d: %+v", len(ps), len(want), ps)
	}
}

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  map[string]string
		code    string
		message string
	}{
		{"grades", map[string]string{"ddat_grade_g7_g6": "1860"}, "grade_sum_mismatch", "DDaT headcount by grade adds up to 4,960 but DDaT headcount is 5,000."},
		{"families", map[string]string{"ddat_family_data": "950"}, "family_sum_mismatch", "DDaT headcount by job family adds up to 5,050 but DDaT headcount is 5,000."},
		{"fte", map[string]string{"fte": "70000.01"}, "fte_exceeds_headcount", "FTE is 70,000.01, more than headcount (70,000)."},
		{"known", map[string]string{"profession_unknown_headcount": "66000"}, "ddat_exceeds_known_profession", "DDaT headcount is 5,000, more than headcount minus those with profession not recorded (4,000)."},
		{"ddat fte", map[string]string{"ddat_fte": "5000.5"}, "ddat_fte_exceeds_ddat_headcount", ""},
		{"early career", map[string]string{"entrants_apprenticeship": "200"}, "early_career_exceeds_entrants", "Early-career entrants (the five early-career routes) add up to 230, more than all entrants to DDaT (200)."},
		{"assessed", map[string]string{"senior_appointments_assessed": "5"}, "assessed_exceeds_appointed", ""},
		{"succession", map[string]string{"digital_senior_roles_with_succession_plan": "7"}, "succession_exceeds_roles", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := validValues()
			for k, x := range tc.change {
				v[k] = x
			}
			_, ps := Normalise(rawOf(v), testRegister, testNow)
			var found bool
			for _, p := range ps {
				if p.Code == tc.code {
					found = true
					if tc.message != "" && p.Message != tc.message {
						t.Errorf("message %q, want %q", p.Message, tc.message)
					}
				}
			}
			if !found {
				t.Errorf("no %s in %+v", tc.code, ps)
			}
		})
	}
}

func TestValueParsing(t *testing.T) {
	for _, tc := range []struct {
		key, in, want, code string
	}{
		{"headcount", "1,250", "1250", ""},
		{"headcount", "1250.0", "1250", ""},
		{"headcount", "0", "", "below_minimum"},
		{"headcount", "12.5", "", "not_whole_number"},
		{"headcount", "twelve", "", "not_a_number"},
		{"headcount", "1,25", "", "not_a_number"},
		{"headcount", "NaN", "", "not_a_number"},
		{"headcount", "1e9", "", "too_large"},
		{"fte", "1234.4500000000001", "1234.45", ""},
		{"fte", "-0.5", "", "negative"},
		{"exec_committee_digital_leader", "TRUE", "yes", ""},
		{"exec_committee_digital_leader", "n", "no", ""},
		{"contact_email", "not an email", "", "invalid_email"},
		{"notes", strings.Repeat("é", 2001), "", "too_long"},
	} {
		f, _ := FieldByKey(tc.key)
		got, code := normaliseValue(f, tc.in)
		if got != tc.want || code != tc.code {
			t.Errorf("%s %q = %q, %q; want %q, %q", tc.key, tc.in, got, code, tc.want, tc.code)
		}
	}
}

func TestIdentityProblems(t *testing.T) {
	for _, tc := range []struct {
		org, period, code string
	}{
		{"NOPE", "2025-26-Q1", "unknown_organisation"},
		{"HMRC", "2025 Q1", "invalid_period"},
		{"HMRC", "2026-27-Q4", "future_period"},
		{"HMRC", "2026-27-Q3", "future_period"}, // ends 31 December 2026, after "now"
	} {
		v := validValues()
		v["org"], v["period"] = tc.org, tc.period
		_, ps := Normalise(rawOf(v), testRegister, testNow)
		if len(ps) != 1 || ps[0].Code != tc.code {
			t.Errorf("%s %s: got %+v, want one %s", tc.org, tc.period, ps, tc.code)
		}
	}
}

func TestLocalGovernmentAnswersLeadershipOnly(t *testing.T) {
	r, ps := Normalise(rawOf(leadershipValues()), testRegister, testNow)
	if len(ps) > 0 {
		t.Fatalf("leadership-only return refused: %+v", ps)
	}
	if r.Kind != LocalGovernment || r.Has("headcount") {
		t.Errorf("kind %s, has headcount %v", r.Kind, r.Has("headcount"))
	}
	v := leadershipValues()
	v["headcount"], v["ddat_headcount"] = "900", "30"
	_, ps = Normalise(rawOf(v), testRegister, testNow)
	if len(ps) != 2 || ps[0].Code != "not_applicable" || ps[1].Code != "not_applicable" {
		t.Errorf("workforce fields from a council: %+v, want two not_applicable", ps)
	}
}

func TestContentHashIgnoresFormatting(t *testing.T) {
	a, _ := Normalise(rawOf(validValues()), testRegister, testNow)
	v := validValues()
	v["headcount"], v["fte"], v["board_digital_ned"], v["org"] = "70,000", "65000.50", "n", "hmrc"
	b, ps := Normalise(rawOf(v), testRegister, testNow)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if a.ContentHash() != b.ContentHash() {
		t.Error("same content, different hash")
	}
	v["headcount"] = "70001"
	c, _ := Normalise(rawOf(v), testRegister, testNow)
	if c.ContentHash() == a.ContentHash() {
		t.Error("different content, same hash")
	}
}
