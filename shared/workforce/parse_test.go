package workforce

import (
	"errors"
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
