package workforce

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/textsafe"
)

// The parsers' fuzz targets share these properties: no panic; either fields or a
// *Error with a 4xx code, at most MaxProblems problems, each with a code and a
// sentence that echoes nothing whole; what is read writes back and reads again as the
// same fields; and checking it gives problems that are sentences, or a Return whose
// canonical values check again to the same content.

// seedValues are the returns every target starts from: a complete civil-service return,
// a council's, and one with every kind of value a person writes.
func seedValues() []map[string]string {
	odd := validValues()
	odd["headcount"], odd["fte"], odd["notes"] = "70,000", "65,000.50", "Reorganisation on 1 May, \"see\" below.\nLine two\twith a tab."
	odd["board_digital_ned"], odd["period"] = "N", "FY 2025/26 Q1"
	return []map[string]string{validValues(), leadershipValues(), odd}
}

func csvOf(values map[string]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"field", "value"})
	for _, rf := range rawOf(values) {
		_ = w.Write([]string{rf.Key, rf.Value})
	}
	w.Flush()
	return b.Bytes()
}

func bulkOf(returns ...map[string]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := make([]string, len(Fields))
	for i, f := range Fields {
		header[i] = f.Key
	}
	_ = w.Write(header)
	for _, v := range returns {
		row := make([]string, len(header))
		for i, k := range header {
			row[i] = v[k]
		}
		_ = w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

func jsonOf(values map[string]string) []byte {
	out := map[string]any{}
	for k, s := range values {
		if f, ok := FieldByKey(k); ok && f.Numeric() {
			out[k] = json.Number(strings.ReplaceAll(s, ",", ""))
		} else {
			out[k] = s
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// checkRefusal asserts err is a client error a person can read.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *Error", err, err)
	}
	if e.Code != EInvalid && e.Code != ETooLarge {
		t.Fatalf("code %s, want invalid or too_large: %v", e.Code, e)
	}
	if e.Message == "" || len(e.Message) > maxMessage {
		t.Fatalf("message %q", e.Message)
	}
	if len(e.Problems) > MaxProblems {
		t.Fatalf("%d problems", len(e.Problems))
	}
	for _, p := range e.Problems {
		checkProblem(t, p)
	}
}

func checkProblem(t *testing.T, p Problem) {
	t.Helper()
	if p.Code == "" || !strings.HasSuffix(p.Message, ".") && !strings.HasSuffix(p.Message, ")") && !strings.HasSuffix(p.Message, "value") {
		t.Fatalf("problem %+v is not a sentence with a code", p)
	}
	if utf8.RuneCountInString(p.Field) > textsafe.MaxEcho || len(p.Message) > maxMessage || !utf8.ValidString(p.Message) {
		t.Fatalf("problem echoes too much: field %d bytes, message %d bytes", len(p.Field), len(p.Message))
	}
}

// checkNormalise checks what was read, as the service would.
func checkNormalise(t *testing.T, raw []RawField) {
	t.Helper()
	r, ps := Normalise(raw, testRegister, testNow)
	for _, p := range ps {
		checkProblem(t, p)
	}
	if len(ps) > 0 {
		return
	}
	again, ps := Normalise(rawOf(r.Values), testRegister, testNow)
	if len(ps) > 0 || again.ContentHash() != r.ContentHash() {
		t.Fatalf("canonical values %v check again with problems %+v or another hash", r.Values, ps)
	}
}

func sameFields(t *testing.T, a, b []RawField) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("read back %d fields, want %d", len(b), len(a))
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Value != b[i].Value {
			t.Fatalf("field %d read back as %q=%q, want %q=%q", i, b[i].Key, b[i].Value, a[i].Key, a[i].Value)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, v := range seedValues() {
		f.Add(csvOf(v))
	}
	f.Add([]byte("\ufefffield,value\norg,HMRC\n\nperiod,2025-26-Q1\nnotes,\"Line one, with comma\nline two\"\nheadcount,\"1,250\"\n"))
	f.Add([]byte("field,value\r\norg,HMRC\r\nheadcount,7.3144e4\r\ncontact_name,=HYPERLINK(\"x\")\r\nnotes,a\x00b\r\n"))
	f.Add([]byte("field,value\norg,\"HM\"RC\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, err := ParseCSV(data)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if len(fields) > MaxFieldRows {
			t.Fatalf("%d fields", len(fields))
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"field", "value"})
		for i, rf := range fields {
			if rf.Line < 2 || i > 0 && rf.Line <= fields[i-1].Line || len(rf.Value) > maxValueBytes {
				t.Fatalf("field %d: %+v", i, rf)
			}
			_ = w.Write([]string{rf.Key, rf.Value})
		}
		w.Flush()
		back, err := ParseCSV(b.Bytes())
		if err != nil {
			t.Fatalf("written back, %q is refused: %v", b.String(), err)
		}
		sameFields(t, fields, back)
		checkNormalise(t, fields)
	})
}

func FuzzParseBulkCSV(f *testing.F) {
	seeds := seedValues()
	f.Add(bulkOf(seeds...))
	f.Add(bulkOf(seeds[0]))
	f.Add([]byte("org,period,headcount\nHMRC,2025-26-Q1,10\nDWP,2025-26-Q1,20\n"))
	f.Add([]byte("org,period,colour\nHMRC,2025-26-Q1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseBulkCSV(data)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if len(rows) == 0 || len(rows) > MaxBulkReturns {
			t.Fatalf("%d returns", len(rows))
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		header := make([]string, len(rows[0]))
		for i, rf := range rows[0] {
			header[i] = rf.Key
		}
		_ = w.Write(header)
		for _, row := range rows {
			if len(row) != len(header) {
				t.Fatalf("a row of %d fields under a header of %d", len(row), len(header))
			}
			rec := make([]string, len(row))
			for i, rf := range row {
				rec[i] = rf.Value
			}
			_ = w.Write(rec)
		}
		w.Flush()
		back, err := ParseBulkCSV(b.Bytes())
		if err != nil {
			t.Fatalf("written back, %q is refused: %v", b.String(), err)
		}
		if len(back) != len(rows) {
			t.Fatalf("read back %d returns, want %d", len(back), len(rows))
		}
		for i := range rows {
			sameFields(t, rows[i], back[i])
			checkNormalise(t, rows[i])
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, v := range seedValues() {
		f.Add(jsonOf(v))
	}
	f.Add([]byte(`{"org":"HMRC","headcount":1250,"fte":1234.5,"board_digital_ned":true,"notes":null}`))
	f.Add([]byte(`{"org":"HMRC","notes":{"a":[1,{"b":2}]},"headcount":[1250],"fte":7.3144e4}`))
	f.Add([]byte(`{"org":"HMRC","headcount":70000.0000000001,"contact_name":"\u0000=1+1"} {}`))
	f.Add([]byte(`{"notes":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, err := ParseJSON(data)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if len(fields) > MaxJSONFields {
			t.Fatalf("%d fields", len(fields))
		}
		var b bytes.Buffer
		b.WriteByte('{')
		for i, rf := range fields {
			if len(rf.Value) > maxValueBytes || !utf8.ValidString(rf.Key) || !utf8.ValidString(rf.Value) {
				t.Fatalf("field %d: %+v", i, rf)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(rf.Key)
			v, _ := json.Marshal(rf.Value)
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
		back, err := ParseJSON(b.Bytes())
		if err != nil {
			t.Fatalf("written back, %s is refused: %v", b.String(), err)
		}
		sameFields(t, fields, back)
		checkNormalise(t, fields)
	})
}

// The fuzz targets start from complete, valid returns in each format.
func TestFuzzSeedsAreValidReturns(t *testing.T) {
	for i, v := range seedValues() {
		for name, parse := range map[string]func([]byte) ([]RawField, error){"csv": ParseCSV, "json": ParseJSON} {
			data := csvOf(v)
			if name == "json" {
				data = jsonOf(v)
			}
			raw, err := parse(data)
			if err != nil {
				t.Fatalf("seed %d %s: %v", i, name, err)
			}
			if _, ps := Normalise(raw, testRegister, testNow); len(ps) > 0 {
				t.Errorf("seed %d %s: %+v", i, name, ps)
			}
		}
	}
	rows, err := ParseBulkCSV(bulkOf(seedValues()...))
	if err != nil || len(rows) != 3 {
		t.Fatalf("bulk seed: %d rows, %v", len(rows), err)
	}
	for i, raw := range rows {
		if _, ps := Normalise(raw, testRegister, testNow); len(ps) > 0 {
			t.Errorf("bulk seed row %d: %+v", i, ps)
		}
	}
}
