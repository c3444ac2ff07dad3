package workforce

import (
	"encoding/json"
	"testing"
)

// BenchmarkParseValidateJSON is the CPU cost of a JSON return before any storage: parse
// the body, then check and normalise every field against the register.
func BenchmarkParseValidateJSON(b *testing.B) {
	body := benchJSON(b, validValues())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		raw, err := ParseJSON(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, ps := Normalise(raw, testRegister, testNow); len(ps) > 0 {
			b.Fatalf("the fixture is not a valid return: %+v", ps)
		}
	}
}

// benchJSON writes values as a client would: numeric fields as JSON numbers.
func benchJSON(b *testing.B, values map[string]string) []byte {
	b.Helper()
	out := make(map[string]any, len(values))
	for k, v := range values {
		if f, ok := FieldByKey(k); ok && f.Numeric() {
			out[k] = json.Number(v)
		} else {
			out[k] = v
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		b.Fatal(err)
	}
	return body
}
