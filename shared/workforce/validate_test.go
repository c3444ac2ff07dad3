package workforce

import (
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/textsafe"
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
		{"headcount", "1e9", "", "scientific_notation"}, // was too_large: no count is read from an exponent now
		{"headcount", "100000000", "", "too_large"},
		// Was accepted as 1234.45: binary noise is the workbook reader's to remove (it reads
		// Excel's 15 significant digits); a CSV or JSON value is taken as written.
		{"fte", "1234.4500000000001", "", "too_many_decimals"},
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

// What counts and FTE values accept: a figure written plainly, with the thousands separators
// and trailing zeros a spreadsheet writes, and nothing that would need rounding or reading
// as a formula or an exponent.
func TestStrictNumbers(t *testing.T) {
	for _, tc := range []struct {
		key, in, want, code string
	}{
		{"headcount", "70000", "70000", ""},
		{"headcount", "70,000", "70000", ""},
		{"headcount", "70000.0", "70000", ""},
		{"headcount", "70,000.00", "70000", ""},
		{"headcount", "10000000", "10000000", ""},
		{"ddat_headcount", "0", "0", ""},
		{"headcount", "70000.0000000001", "", "not_whole_number"},
		{"headcount", "7.3144e4", "", "scientific_notation"},
		{"headcount", "7.3144E+04", "", "scientific_notation"},
		{"headcount", "-7e4", "", "negative"},
		{"headcount", "+70000", "", "not_plain_number"},
		{"headcount", "070000", "", "not_plain_number"},
		{"ddat_headcount", "00", "", "not_plain_number"},
		{"ddat_headcount", "-0", "", "not_plain_number"},
		{"headcount", "70000.", "", "not_plain_number"},
		{"headcount", "70,00", "", "not_a_number"},
		{"headcount", "70 000", "", "not_a_number"},
		{"headcount", "0x1117", "", "not_a_number"},
		{"headcount", "7_000", "", "not_a_number"},
		{"headcount", "Inf", "", "not_a_number"},
		{"headcount", "=70000", "", "not_a_number"},
		{"headcount", "10000001", "", "too_large"},
		{"headcount", strings.Repeat("9", 1000), "", "too_large"},
		{"fte", "65000.5", "65000.50", ""},
		{"fte", "65,000.50", "65000.50", ""},
		{"fte", "65000.500", "65000.50", ""},
		{"fte", "0.25", "0.25", ""},
		{"fte", "10000000.00", "10000000.00", ""},
		{"fte", "10000000.01", "", "too_large"},
		{"fte", ".25", "", "not_plain_number"},
		{"fte", "65000.505", "", "too_many_decimals"},
		{"fte", "6.50005e4", "", "scientific_notation"},
		{"fte", "0." + strings.Repeat("0", 5000) + "1", "", "too_many_decimals"},
	} {
		f, _ := FieldByKey(tc.key)
		got, code := normaliseValue(f, tc.in)
		if got != tc.want || code != tc.code {
			t.Errorf("%s %q = %q, %q; want %q, %q", tc.key, textsafe.Truncate(tc.in), got, code, tc.want, tc.code)
		}
		if code != "" {
			if m := valueMessage(f, tc.in, code); len(m) > 400 || !strings.HasSuffix(m, ".") || strings.HasSuffix(m, "is not valid.") {
				t.Errorf("%s %q: message %q", tc.key, textsafe.Truncate(tc.in), m)
			}
		}
	}
	f, _ := FieldByKey("headcount")
	if m := valueMessage(f, "7.3144e4", "scientific_notation"); m != "Headcount (headcount) is written in scientific notation (7.3144e4); write the figure out in full, as 73144. In a spreadsheet, format the cell as Number before saving." {
		t.Errorf("message %q", m)
	}
}

// Free text refuses control characters (line breaks and tabs are allowed in notes) and
// a start that a spreadsheet would run as a formula, in every text field.
func TestStrictText(t *testing.T) {
	for _, tc := range []struct {
		key, in, want, code string
	}{
		{"contact_name", "Zoë O'Brien-Smith", "Zoë O'Brien-Smith", ""},
		{"notes", "Reorganisation on 1 May.\n- 200 staff moved\n\t- to DWP", "Reorganisation on 1 May.\n- 200 staff moved\n\t- to DWP", ""},
		{"notes", "Line one\r\nline two", "Line one\nline two", ""},
		{"notes", "50% more data staff", "50% more data staff", ""},
		{"contact_name", "A\x00Analyst", "", "control_character"},
		{"contact_name", "A Analyst\x1b[2J", "", "control_character"},
		{"contact_name", "A\tAnalyst", "", "control_character"},
		{"contact_name", "A\nAnalyst", "", "control_character"},
		{"notes", "ok\x00", "", "control_character"},
		{"notes", "old mac\rline", "", "control_character"},
		{"notes", "abc\u202edcba", "", "control_character"},
		{"contact_email", "analyst@example.gov.uk\x00", "", "control_character"},
		{"contact_name", `=HYPERLINK("https://evil.example","Click")`, "", "formula_like"},
		{"contact_name", "+44 20 7946 0000", "", "formula_like"},
		{"contact_name", "@analyst", "", "formula_like"},
		{"notes", "- first point\n- second point", "", "formula_like"},
		{"notes", "-2+3+cmd|' /C calc'!A0", "", "formula_like"},
		{"contact_email", "=cmd@example.gov.uk", "", "formula_like"},
		{"contact_email", "-analyst@example.gov.uk", "", "formula_like"},
		{"contact_email", "analyst+returns@example.gov.uk", "analyst+returns@example.gov.uk", ""},
	} {
		f, _ := FieldByKey(tc.key)
		got, code := normaliseValue(f, tc.in)
		if got != tc.want || code != tc.code {
			t.Errorf("%s %q = %q, %q; want %q, %q", tc.key, tc.in, got, code, tc.want, tc.code)
		}
	}
	for _, tc := range []struct{ key, in, want string }{
		{"contact_name", "A\x00Analyst", "Contact name (contact_name) contains a NUL character (character 0) at character 2, which cannot be stored; type the text again without it."},
		{"contact_name", "=1+1", `Contact name (contact_name) cannot start with "=", because a spreadsheet would run text starting with =, +, - or @ as a formula. Start with a letter or a digit instead.`},
		{"notes", "- first point", `Notes (notes) cannot start with "-", because a spreadsheet would run text starting with =, +, - or @ as a formula. Start with a letter or a digit instead, for example "Changes:" on a line before a list; later lines may start with anything.`},
	} {
		f, _ := FieldByKey(tc.key)
		_, code := normaliseValue(f, tc.in)
		if got := valueMessage(f, tc.in, code); got != tc.want {
			t.Errorf("%s %q: message\n%s\nwant\n%s", tc.key, tc.in, got, tc.want)
		}
	}
}

// Values echoed in messages and in field are shortened: a 3 MB field name was echoed whole.
func TestNormaliseShortensEchoes(t *testing.T) {
	huge := strings.Repeat("x", 3<<20)
	v := validValues()
	v[huge] = "1"
	v["org"] = huge
	v["board_digital_ned"] = huge
	_, ps := Normalise(rawOf(v), testRegister, testNow)
	for _, p := range ps {
		if len(p.Field) > 4*textsafe.MaxEcho || len(p.Message) > 400 {
			t.Errorf("%s: field %d bytes, message %d bytes", p.Code, len(p.Field), len(p.Message))
		}
	}
	if len(ps) != 3 {
		t.Errorf("%d problems: want unknown_field, unknown_organisation, not_yes_no", len(ps))
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

// The register's names are shown in workbooks too: no control characters, nothing a
// spreadsheet would run, no 3 MB name echoed back.
func TestOrganisationText(t *testing.T) {
	base := Organisation{Code: "HMRC", Name: "HM Revenue and Customs", Parent: "HMRC", Kind: CivilService}
	if ps := base.Validate(); len(ps) != 0 {
		t.Fatalf("valid organisation: %+v", ps)
	}
	for name, code := range map[string]string{
		"=HYPERLINK(\"https://evil.example\")": "formula_like",
		"HM Revenue\x00":                       "control_character",
		strings.Repeat("x", 201):               "too_long",
		"  ":                                   "required",
	} {
		o := base
		o.Name = name
		if ps := o.Validate(); len(ps) != 1 || ps[0].Code != code || ps[0].Field != "name" {
			t.Errorf("name %q: %+v, want %s", textsafe.Truncate(name), ps, code)
		}
	}
	o := base
	o.Code, o.Kind = strings.Repeat("X", 3<<20), OrgKind(strings.Repeat("k", 3<<20))
	for _, p := range o.Validate() {
		if len(p.Message) > 400 {
			t.Errorf("%s: message of %d bytes", p.Field, len(p.Message))
		}
	}
}
