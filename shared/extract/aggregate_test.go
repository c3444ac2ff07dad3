package extract

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/extract/extracttest"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var q1 = period.MustQuarter("2025-26-Q1")

func feed(t testing.TB, rows [][]string, opts ...Option) Result {
	t.Helper()
	a := NewAggregator(q1, opts...)
	for _, r := range rows {
		if !a.Add(r) {
			break
		}
	}
	return a.Result()
}

func TestAggregateEqualsAnIndependentCount(t *testing.T) {
	people := extracttest.People(10_000, q1, 1)
	want := extracttest.Expected(people, q1)
	for _, l := range []extracttest.Layout{{Seed: 1}, {Seed: 2, Varied: true}, {Seed: 3, Varied: true, Extra: 3}} {
		t.Run(fmt.Sprintf("varied=%v,extra=%d", l.Varied, l.Extra), func(t *testing.T) {
			rows := extracttest.Table(people, l)
			for name, r := range map[string]Result{"rows": feed(t, rows), "csv": mustReadCSV(t, extracttest.CSV(rows))} {
				if len(r.Problems) > 0 {
					t.Fatalf("%s: problems: %v", name, r.Problems[:min(5, len(r.Problems))])
				}
				if r.Rows != len(people) {
					t.Errorf("%s: %d rows, want %d", name, r.Rows, len(people))
				}
				if !reflect.DeepEqual(r.Values, want) {
					for k, v := range want {
						if r.Values[k] != v {
							t.Errorf("%s: %s = %q, want %q", name, k, r.Values[k], v)
						}
					}
					for k := range r.Values {
						if _, ok := want[k]; !ok {
							t.Errorf("%s: unexpected field %s", name, k)
						}
					}
				}
				if len(r.Ignored) != l.Extra {
					t.Errorf("%s: ignored %v, want %d columns", name, r.Ignored, l.Extra)
				}
			}
		})
	}
	// The count is not trivially zero.
	if want["ddat_entrants_total"] == "0" || want["entrants_fast_stream"] == "0" || want["ddat_grade_scs"] == "0" {
		t.Fatalf("generated extract too thin: %v", want)
	}
}

func mustReadCSV(t testing.TB, b []byte, opts ...Option) Result {
	t.Helper()
	r, err := ReadCSV(bytes.NewReader(b), q1, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The aggregated values are a return workforce.Normalise accepts as they are.
func TestValuesNormalise(t *testing.T) {
	people := extracttest.People(2_000, q1, 9)
	r := feed(t, extracttest.Table(people, extracttest.Layout{Seed: 9, Varied: true}))
	raw := append(r.RawFields(),
		workforce.RawField{Key: "org", Value: "HMRC"}, workforce.RawField{Key: "period", Value: q1.String()},
		workforce.RawField{Key: "exec_committee_digital_leader", Value: "yes"}, workforce.RawField{Key: "board_digital_ned", Value: "no"},
		workforce.RawField{Key: "senior_appointments", Value: "2"}, workforce.RawField{Key: "senior_appointments_assessed", Value: "1"},
		workforce.RawField{Key: "digital_senior_roles", Value: "3"}, workforce.RawField{Key: "digital_senior_roles_with_succession_plan", Value: "2"},
		workforce.RawField{Key: "cslg_members", Value: "10"}, workforce.RawField{Key: "cslg_members_ai_immersion", Value: "4"})
	reg := workforce.Register{"HMRC": {Code: "HMRC", Name: "HM Revenue and Customs", Kind: workforce.CivilService}}
	ret, ps := workforce.Normalise(raw, reg, time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC))
	if len(ps) > 0 {
		t.Fatalf("problems: %+v", ps)
	}
	for k, v := range r.Values {
		if ret.Values[k] != v {
			t.Errorf("%s: normalised %q, aggregated %q", k, ret.Values[k], v)
		}
	}
}

var header = []string{"staff_ref", "grade", "profession", "job_family", "fte", "in_post", "ddat_start_date", "entry_route"}

func TestAggregateCounts(t *testing.T) {
	rows := [][]string{header,
		{"A1", "G7", "DDaT", "Data", "1", "yes", "2025-04-01", "Fast Stream"},             // entrant in post, first day
		{"A2", "SCS2", "DDaT", "Architecture", "0.5", "yes", "30/06/2025", "Experienced"}, // entrant, last day, total only
		{"A3", "HEO", "DDaT", "", "0.333333", "yes", "31/03/2025", ""},                    // not an entrant: day before
		{"A4", "EO", "DDaT", "QAT", "", "no", "15/05/2025", "Apprentice"},                 // entrant not in post, no FTE
		{"A5", "", "Policy", "", "0.666667", "yes", "", ""},                               // other profession
		{"A6", "AO", "", "", "1", "yes", "", ""},                                          // profession unknown
		{"A7", "G6", "Not recorded", "Data", "1", "no", "", ""},                           // not in post
		{"A8", "Band Z", "DDaT", "Wizardry", "0.8", "y", "2025-07-01", "Intern"},          // unrecognised codes; starts after
		{"", "", "", "", "", "", "", ""},                                                  // blank row: skipped
		{"A9", "G7", "DDaT", "Data", "1", "no", "", ""},                                   // DDaT, no start date, not in post
	}
	r := feed(t, rows)
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %+v", r.Problems)
	}
	want := map[string]string{
		"headcount": "6", "fte": "4.30", "profession_unknown_headcount": "1", "ddat_headcount": "4", "ddat_fte": "2.63",
		"ddat_family_data": "1", "ddat_family_architecture": "1", "ddat_family_unknown": "2",
		"ddat_grade_g7_g6": "1", "ddat_grade_scs": "1", "ddat_grade_heo_seo": "1", "ddat_grade_unknown": "1",
		"ddat_entrants_total": "3", "entrants_fast_stream": "1", "entrants_apprenticeship": "1",
	}
	for k, v := range r.Values {
		w, ok := want[k]
		if !ok {
			w = "0"
		}
		if v != w {
			t.Errorf("%s = %s, want %s", k, v, w)
		}
	}
	if r.Rows != 9 {
		t.Errorf("rows = %d, want 9", r.Rows)
	}
	codes := map[string]string{}
	for _, w := range r.Warnings {
		codes[w.Code] = w.Message
	}
	for _, c := range []string{"unrecognised_grade", "unrecognised_job_family", "no_ddat_start_date"} {
		if _, ok := codes[c]; !ok {
			t.Errorf("no %s warning in %v", c, r.Warnings)
		}
	}
	if m := codes["unrecognised_grade"]; !strings.Contains(m, "(row 9)") {
		t.Errorf("grade warning does not name row 9: %s", m)
	}
}

// FTEs are summed exactly and rounded once: 3 × 0.335 is 1.005, which rounds to 1.01,
// where rounding each to hundredths first would give 1.02.
func TestFTESummedExactly(t *testing.T) {
	rows := [][]string{header}
	for i := 0; i < 3; i++ {
		rows = append(rows, []string{fmt.Sprint("R", i), "G7", "DDaT", "Data", "0.335", "yes", "", ""})
	}
	if v := feed(t, rows).Values; v["fte"] != "1.01" || v["ddat_fte"] != "1.01" {
		t.Errorf("fte %s, ddat_fte %s; want 1.01", v["fte"], v["ddat_fte"])
	}
}

func TestRowProblems(t *testing.T) {
	rows := [][]string{header,
		{"A1", "G7", "DDaT", "Data", "1", "yes", "2025-04-01", "Fast Stream"},
		{"", "G7", "DDaT", "Data", "1", "yes", "", ""},              // row 3: no staff_ref
		{"A1", "G7", "DDaT", "Data", "1", "yes", "", ""},            // row 4: duplicate of row 2
		{"A4", "G7", "DDaT", "Data", "1", "", "", ""},               // row 5: no in_post
		{"A5", "G7", "DDaT", "Data", "1", "maybe", "", ""},          // row 6: not yes/no
		{"A6", "G7", "DDaT", "Data", "", "yes", "", ""},             // row 7: in post, no FTE
		{"A7", "G7", "DDaT", "Data", "0,5", "yes", "", ""},          // row 8: decimal comma
		{"A8", "G7", "DDaT", "Data", "37", "yes", "", ""},           // row 9: hours, not FTE
		{"A9", "G7", "DDaT", "Data", "0", "yes", "", ""},            // row 10: zero FTE in post
		{"A10", "G7", "DDaT", "Data", "1", "yes", "04/13/2025", ""}, // row 11: US date
		{"A11", "G7", "DDaT", "Data", "1", "yes", "01/04/25", ""},   // row 12: short year
		{"A12", "G7", "DDaT", "Data", "1", "yes", "2025", ""},       // row 13: a year
		{"A13", "G7", "DDaT", "Data", "1", "yes", "", "", "", "x"},  // row 14: value beyond the header
		{"A14", "G7", "DDaT", "Data", "0", "no", "", ""},            // row 15: fine: not in post
		{"A15", "G7"}, // row 16: short row: in_post and fte blank
	}
	r := feed(t, rows)
	type want struct {
		row         int
		field, code string
		cell        string
	}
	wants := []want{
		{3, "staff_ref", "missing_staff_ref", "A3"}, {4, "staff_ref", "duplicate_staff_ref", "A4"},
		{5, "in_post", "missing_in_post", "F5"}, {6, "in_post", "not_yes_no", "F6"}, {7, "fte", "missing_fte", "E7"},
		{8, "fte", "not_a_number", "E8"}, {9, "fte", "fte_out_of_range", "E9"}, {10, "fte", "fte_out_of_range", "E10"},
		{11, "ddat_start_date", "not_a_date", "G11"}, {12, "ddat_start_date", "two_digit_year", "G12"},
		{13, "ddat_start_date", "date_out_of_range", "G13"}, {14, "", "extra_cell", "J14"},
		{16, "in_post", "missing_in_post", "F16"},
	}
	if len(r.Problems) != len(wants) {
		t.Fatalf("%d problems, want %d: %+v", len(r.Problems), len(wants), r.Problems)
	}
	for i, w := range wants {
		p := r.Problems[i]
		if p.Row != w.row || p.Field != w.field || p.Code != w.code || p.Cell != w.cell {
			t.Errorf("problem %d = %+v, want %+v", i, p, w)
		}
		if !strings.HasPrefix(p.Message, fmt.Sprintf("Row %d, column %s", w.row, w.cell[:1])) {
			t.Errorf("message %q does not start with the row and column", p.Message)
		}
	}
	if !strings.Contains(r.Problems[1].Message, "as row 2;") {
		t.Errorf("duplicate does not name the first row: %s", r.Problems[1].Message)
	}
	if r.Values != nil {
		t.Errorf("values computed despite problems: %v", r.Values)
	}
	if r.Err() == nil || workforce.ErrorCode(r.Err()) != workforce.EInvalid {
		t.Errorf("Err() = %v, want invalid", r.Err())
	}
}

func TestProblemsListedAreTheFirst100AndAllAreCounted(t *testing.T) {
	rows := [][]string{header}
	for i := 0; i < 250; i++ {
		rows = append(rows, []string{fmt.Sprint("R", i), "G7", "DDaT", "Data", "2", "maybe", "", ""}) // two problems each
	}
	r := feed(t, rows)
	if len(r.Problems) != MaxProblems {
		t.Errorf("%d problems listed, want %d", len(r.Problems), MaxProblems)
	}
	if r.ProblemCounts["not_yes_no"] != 250 || r.ProblemCounts["fte_out_of_range"] != 250 || r.ProblemCount() != 500 {
		t.Errorf("counts %v, want 250 of each", r.ProblemCounts)
	}
	if last := r.Problems[99]; last.Row != 51 {
		t.Errorf("the 100th problem is on row %d, want 51", last.Row)
	}
	if msg := workforce.ErrorMessage(r.Err()); !strings.Contains(msg, "500 problems") || !strings.Contains(msg, "first 100") {
		t.Errorf("error message %q", msg)
	}
}

func TestHeaderProblems(t *testing.T) {
	codesOf := func(r Result) []string {
		var cs []string
		for _, p := range r.Problems {
			cs = append(cs, p.Code+":"+p.Field)
		}
		return cs
	}
	t.Run("missing column names its aliases", func(t *testing.T) {
		r := feed(t, [][]string{{"Staff Reference", "Grade", "Profession", "Job Family", "FTE", "Active", "Entry Route"}})
		if got := codesOf(r); !reflect.DeepEqual(got, []string{"missing_column:ddat_start_date"}) {
			t.Fatalf("problems %v", got)
		}
		if m := r.Problems[0].Message; !strings.Contains(m, "Date Joined Profession") || !strings.Contains(m, "ddat_start_date") {
			t.Errorf("message does not name the accepted headers: %s", m)
		}
	})
	t.Run("column twice", func(t *testing.T) {
		r := feed(t, [][]string{append([]string{"Employee ID"}, header...)})
		if got := codesOf(r); !reflect.DeepEqual(got, []string{"duplicate_column:staff_ref"}) {
			t.Fatalf("problems %v", got)
		}
		if m := r.Problems[0].Message; !strings.Contains(m, "Columns A and B") {
			t.Errorf("message does not name both columns: %s", m)
		}
	})
	t.Run("no header", func(t *testing.T) {
		r := feed(t, [][]string{{"A1", "G7", "DDaT", "Data", "1", "yes", "", ""}})
		if got := codesOf(r); !reflect.DeepEqual(got, []string{"no_header:"}) || r.Ignored != nil {
			t.Fatalf("problems %v, ignored %v", got, r.Ignored)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if got := codesOf(feed(t, nil)); !reflect.DeepEqual(got, []string{"empty_file:"}) {
			t.Fatalf("problems %v", got)
		}
		if got := codesOf(feed(t, [][]string{{"", " "}})); !reflect.DeepEqual(got, []string{"empty_file:"}) {
			t.Fatalf("problems %v", got)
		}
	})
	t.Run("header only", func(t *testing.T) {
		if got := codesOf(feed(t, [][]string{header})); !reflect.DeepEqual(got, []string{"no_rows:"}) {
			t.Fatalf("problems %v", got)
		}
	})
	t.Run("ignored columns listed", func(t *testing.T) {
		rows := [][]string{append([]string{" Location ", "Contract_Type"}, append(header, "", "Notes\x00\r\nmore", strings.Repeat("x", 100))...),
			{"Leeds", "Permanent", "A1", "G7", "DDaT", "Data", "1", "yes", "", "", "", "hello"}}
		r := feed(t, rows)
		if len(r.Problems) > 0 {
			t.Fatal(r.Problems)
		}
		if want := []string{"Location", "Contract_Type", "Notes more", strings.Repeat("x", 63) + "…"}; !reflect.DeepEqual(r.Ignored, want) {
			t.Errorf("ignored %q, want %q", r.Ignored, want)
		}
	})
}

func TestRowLimit(t *testing.T) {
	if MaxRows != 500_000 || NewAggregator(q1).cfg.maxRows != MaxRows {
		t.Fatalf("the row limit is %d, want 500,000 (SPEC §10)", NewAggregator(q1).cfg.maxRows)
	}
	const limit = 5_000 // the same code path as 500,000, in a fraction of the time
	a := NewAggregator(q1, WithMaxRows(limit))
	a.Add(header)
	row := []string{"", "G7", "DDaT", "Data", "1", "yes", "", ""}
	for i := 0; i < limit; i++ {
		row[0] = fmt.Sprint(i)
		if !a.Add(row) {
			t.Fatalf("stopped at row %d", i+2)
		}
	}
	row[0] = "last"
	if a.Add(row) {
		t.Fatal("row 5,002 accepted")
	}
	r := a.Result()
	if len(r.Problems) != 1 || r.Problems[0].Code != "too_many_rows" || r.Problems[0].Row != limit+2 || r.Rows != limit {
		t.Fatalf("problems %+v, rows %d", r.Problems, r.Rows)
	}
	if !strings.Contains(r.Problems[0].Message, "more than 5,000 staff rows") {
		t.Errorf("message %q", r.Problems[0].Message)
	}
}

// No problem, warning or ignored column carries a value from a row: each cell of the rows
// below is distinctive, most are wrong, and none may appear anywhere in the result.
func TestNoProblemQuotesACellValue(t *testing.T) {
	secret := func(i int) string { return fmt.Sprintf("ZZPERSONAL%03d", i) }
	var rows [][]string
	n := 0
	next := func() string { n++; return secret(n) }
	rows = append(rows, header)
	for i := 0; i < 30; i++ {
		ref := next()
		rows = append(rows,
			[]string{ref, next(), "DDaT", next(), next(), next(), next(), next(), next()}, // everything wrong, an extra cell
			[]string{ref, next(), "DDaT", next(), "1", "yes", "2025-05-01", next()},       // a duplicate, unrecognised codes
			[]string{next(), "G7", next(), "Data", "0." + next(), "1", "01/04/" + next(), "Intern"},
		)
	}
	// A file whose first row is a person's, not a header.
	headerless := [][]string{{next(), next(), next(), next(), "1", "yes", "", ""}, {next(), "G7"}}
	// A header with a value where a column name should be, then good rows with unrecognised codes.
	good := [][]string{header, {next(), next(), "DDaT", next(), "1", "yes", "", next()}, {next(), next(), "DDaT", next(), "1", "yes", "2025-04-02", next()}}

	var results []Result
	for _, rs := range [][][]string{rows, headerless, good} {
		results = append(results, feed(t, rs), mustReadCSV(t, extracttest.CSV(rs)))
	}
	for i, r := range results {
		if i < 4 && len(r.Problems) == 0 {
			t.Fatalf("result %d has no problems", i)
		}
		if i >= 4 && len(r.Warnings) == 0 {
			t.Fatalf("result %d has no warnings", i)
		}
		all := fmt.Sprintf("%+v %+v %q %v", r.Problems, r.Warnings, r.Ignored, r.ProblemCounts)
		if err := r.Err(); err != nil {
			all += err.Error() + workforce.ErrorMessage(err)
		}
		if strings.Contains(all, "ZZPERSONAL") {
			t.Errorf("result %d quotes a cell: %s", i, all)
		}
	}
}
