package workforce

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *Error", err)
	}
	return e.Problems
}

func TestParseCSV(t *testing.T) {
	data := "\ufefffield,value\norg,HMRC\n\nperiod,2025-26-Q1\nnotes,\"Line one, with comma\nline two\"\nheadcount,\"1,250\"\n"
	fields, err := ParseCSV([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []RawField{{Key: "org", Value: "HMRC", Line: 2}, {Key: "period", Value: "2025-26-Q1", Line: 4},
		{Key: "notes", Value: "Line one, with comma\nline two", Line: 5}, {Key: "headcount", Value: "1,250", Line: 7}}
	if len(fields) != len(want) {
		t.Fatalf("got %+v", fields)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, fields[i], want[i])
		}
	}
}

func TestParseCSVRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, data, code string
		line             int
	}{
		{"not utf-8", "field,value\norg,HMRC\nnotes,caf\xe9\n", "invalid_encoding", 3},
		{"bad header", "key,val\norg,HMRC\n", "bad_header", 1},
		{"three columns", "field,value\norg,HMRC,extra\n", "bad_row", 2},
		{"empty", "", "empty_file", 1},
		{"bare quote", "field,value\norg,\"HM\"RC\n", "bad_csv", 2},
	} {
		_, err := ParseCSV([]byte(tc.data))
		ps := problemsOf(t, err)
		if len(ps) == 0 || ps[0].Code != tc.code || ps[0].Line != tc.line {
			t.Errorf("%s: %+v, want %s at line %d", tc.name, ps, tc.code, tc.line)
		}
	}
}

func TestParseJSON(t *testing.T) {
	fields, err := ParseJSON([]byte(`{"org":"HMRC","headcount":1250,"fte":1234.5,"board_digital_ned":true,"notes":null}`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fields {
		got[f.Key] = f.Value
	}
	want := map[string]string{"org": "HMRC", "headcount": "1250", "fte": "1234.5", "board_digital_ned": "true"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, bad := range []string{`[1,2]`, `{"org":"HMRC"} {}`, `{"org":`, `{"org":{"a":1}}`, "\xff"} {
		if _, err := ParseJSON([]byte(bad)); ErrorCode(err) != EInvalid {
			t.Errorf("ParseJSON(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestParseBulkCSV(t *testing.T) {
	rows, err := ParseBulkCSV([]byte("org,period,headcount\nHMRC,2025-26-Q1,10\nDWP,2025-26-Q1,20\n"))
	if err != nil || len(rows) != 2 || rows[1][2].Value != "20" || rows[1][2].Line != 3 {
		t.Fatalf("rows %+v, err %v", rows, err)
	}
	_, err = ParseBulkCSV([]byte("org,period,colour\nHMRC,2025-26-Q1\n"))
	ps := problemsOf(t, err)
	if len(ps) != 2 || ps[0].Code != "unknown_field" || ps[1].Code != "bad_row" {
		t.Errorf("problems %+v", ps)
	}
}

func TestWarnings(t *testing.T) {
	cur, _ := Normalise(rawOf(validValues()), testRegister, testNow)
	pv := validValues()
	pv["period"] = "2024-25-Q4"
	pv["headcount"], pv["fte"] = "50000", "48000"
	prev, ps := Normalise(rawOf(pv), testRegister, testNow)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	onTime := time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC)
	ws := Warnings(cur, &prev, onTime, 30)
	codes := map[string]bool{}
	for _, w := range ws {
		codes[w.Code] = true
	}
	if !codes["headcount_change"] || !codes["entrants_without_change"] || codes["late_return"] {
		t.Errorf("warnings %+v", ws)
	}
	if !strings.Contains(ws[0].Message, "+40%") {
		t.Errorf("change message %q does not give the change", ws[0].Message)
	}
	late := Warnings(cur, nil, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), 30)
	if len(late) != 1 || late[0].Code != "late_return" {
		t.Errorf("late warnings %+v", late)
	}
}

// allocated is how many bytes f allocates on the heap. Tests run one at a time, so the
// figure is f's own, give or take the runtime's small change.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Every limit is refused with one problem that names it, as soon as it is reached: a
// hostile CSV file or JSON nesting of megabytes costs a small fraction of its size to
// refuse, a row or property count beyond the limit no more than the part read, and a
// JSON value megabytes long (which must be read to know where it ends) a few times its size.
func TestParseLimits(t *testing.T) {
	var unknownRows, wideBulk, manyProps, manyReturns strings.Builder
	unknownRows.WriteString("field,value\norg,HMRC\nperiod,2025-26-Q1\n")
	for i := range 100_000 {
		fmt.Fprintf(&unknownRows, "unknown_%d,1\n", i)
	}
	wideBulk.WriteString("org,period")
	for i := range 100_000 {
		fmt.Fprintf(&wideBulk, ",unknown_%d", i)
	}
	wideBulk.WriteString("\nHMRC,2025-26-Q1\n")
	manyProps.WriteString(`{"org":"HMRC"`)
	for i := range 100_000 {
		fmt.Fprintf(&manyProps, `,"unknown_%d":1`, i)
	}
	manyProps.WriteString("}")
	manyReturns.WriteString("org,period,headcount\n")
	for range MaxBulkReturns + 1 {
		manyReturns.WriteString("HMRC,2025-26-Q1,10\n")
	}
	huge := strings.Repeat("x", 3<<20)
	for _, tc := range []struct {
		name  string
		parse func([]byte) error
		data  string
		code  string // the problem's code, or the error's for a 413
		line  int
		field string
		most  float64 // bytes allocated to refuse it, as a multiple of its size
	}{
		{"100,000 unknown fields", csvParse, unknownRows.String(), "too_many_rows", 202, "", 1.5},
		{"3 MB field name", csvParse, "field,value\norg,HMRC\nperiod,2025-26-Q1\n" + huge + ",1\n", "value_too_long", 4, "", 0.01},
		{"3 MB value", csvParse, "field,value\nnotes," + huge + "\n", "value_too_long", 2, "", 0.01},
		{"quote never closed", csvParse, "field,value\norg,HMRC\nnotes,\"" + huge, "value_too_long", 3, "", 0.01},
		{"4 MB of commas", csvParse, strings.Repeat(",", 4<<20), "too_many_columns", 1, "", 0.01},
		{"100,000 header columns", bulkParse, wideBulk.String(), "too_many_columns", 1, "", 0.01},
		{"too many returns", bulkParse, manyReturns.String(), ETooLarge, 0, "", 10},
		{"100,000 properties", jsonParse, manyProps.String(), "too_many_fields", 0, "", 1.5},
		{"depth bomb", jsonParse, `{"org":"HMRC","notes":` + strings.Repeat("[", 4<<20), "too_deep", 0, "notes", 0.01},
		{"object bomb", jsonParse, `{"notes":` + strings.Repeat(`{"a":`, 1<<20), "too_deep", 0, "notes", 0.01},
		{"long number", jsonParse, `{"headcount":` + strings.Repeat("9", 1<<20) + "}", "number_too_long", 0, "headcount", 6},
		{"long string", jsonParse, `{"notes":"` + huge + `"}`, "value_too_long", 0, "notes", 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			data := []byte(tc.data)
			n := allocated(func() { err = tc.parse(data) })
			if most := uint64(tc.most*float64(len(data))) + 64<<10; n > most {
				t.Errorf("refusing %d bytes allocated %d, want at most %d", len(data), n, most)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *Error", err)
			}
			if tc.code == ETooLarge {
				if e.Code != ETooLarge || !strings.Contains(e.Message, "2,000 returns") {
					t.Errorf("got %s %q, want 413 naming the limit", e.Code, e.Message)
				}
				return
			}
			// A nested value is a problem, and one nested too deep a second.
			p := e.Problems[len(e.Problems)-1]
			if len(e.Problems) != 1 && (len(e.Problems) != 2 || e.Problems[0].Code != "not_a_value") || p.Code != tc.code || p.Line != tc.line || p.Field != tc.field {
				t.Fatalf("problems %+v, want one %s at line %d for %q", e.Problems, tc.code, tc.line, tc.field)
			}
			if m := p.Message; len(m) > 300 || !strings.HasSuffix(m, ".") {
				t.Errorf("message %q", m)
			}
		})
	}
}

func csvParse(b []byte) error  { _, err := ParseCSV(b); return err }
func bulkParse(b []byte) error { _, err := ParseBulkCSV(b); return err }
func jsonParse(b []byte) error { _, err := ParseJSON(b); return err }

// Within the limits, a file is read as before: every row up to MaxFieldRows, a value of
// the longest field's length in four-byte characters, commas and line breaks in quotes.
func TestParseCSVWithinLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("field,value\n")
	for i := range MaxFieldRows - 1 {
		fmt.Fprintf(&b, "unknown_%d,1\n", i)
	}
	notes := strings.Repeat("𝄞", 2000) // 8,000 bytes
	b.WriteString("notes,\"" + strings.Repeat(`""`, 10) + notes + ",\nwith commas\"\n")
	fields, err := ParseCSV([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != MaxFieldRows || fields[MaxFieldRows-1].Value != strings.Repeat(`"`, 10)+notes+",\nwith commas" {
		t.Errorf("%d fields", len(fields))
	}
	bulk := "org,period," + strings.Repeat("x,", MaxColumns-3) + "y\n"
	if _, err := ParseBulkCSV([]byte(bulk + "a,b" + strings.Repeat(",", MaxColumns-2) + "\n")); ErrorCode(err) != EInvalid || problemsOf(t, err)[0].Code != "unknown_field" {
		t.Errorf("100 columns: %v", err)
	}
}

// An object or list as a value is a problem naming its field, every one of them, and the
// rest of the object is still read.
func TestParseJSONNestedValues(t *testing.T) {
	_, err := ParseJSON([]byte(`{"org":"HMRC","notes":{"a":[1,{"b":2}]},"headcount":[1250],"fte":65000.5}`))
	ps := problemsOf(t, err)
	if len(ps) != 2 || ps[0].Field != "notes" || ps[1].Field != "headcount" || ps[0].Code != "not_a_value" {
		t.Fatalf("problems %+v", ps)
	}
	if ps[0].Message != `"notes" must be a single value, not an object or list.` {
		t.Errorf("message %q", ps[0].Message)
	}
	deep := `{"notes":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `,"org":"HMRC"}`
	if ps := problemsOf(t, func() error { _, err := ParseJSON([]byte(deep)); return err }()); len(ps) != 1 || ps[0].Code != "not_a_value" {
		t.Errorf("nested %d deep: %+v", maxJSONDepth, ps)
	}
}
