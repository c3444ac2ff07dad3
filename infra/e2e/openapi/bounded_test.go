package openapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
)

// TestLiveBoundedAnswers sends the hostile bodies that once made answers of many
// megabytes (100,000 unknown fields were a 19 MB 422, a 3 MB field name was echoed whole)
// and checks each answer is small, documented and says what the limit is.
func TestLiveBoundedAnswers(t *testing.T) {
	l := newLive(t)
	sub := l.token("HMRC", "submitter")
	admin := l.token("CO", "admin")

	var unknown strings.Builder
	unknown.WriteString("field,value\norg,HMRC\nperiod,2025-26-Q1\n")
	for i := range 100_000 {
		fmt.Fprintf(&unknown, "unknown_%d,1\n", i)
	}
	var wide strings.Builder
	wide.WriteString("org,period")
	for i := range 100_000 {
		fmt.Fprintf(&wide, ",unknown_%d", i)
	}
	wide.WriteString("\n")
	var props strings.Builder
	props.WriteString(`{"org":"HMRC","period":"2025-26-Q1"`)
	for i := range 150 {
		fmt.Fprintf(&props, `,"unknown_%d":1`, i)
	}
	props.WriteString("}")
	huge := strings.Repeat("x", 3<<20)

	for _, tc := range []struct {
		name, route, path, token, contentType, body string
		status                                      int
		code                                        string // of the first problem
		errors                                      int    // problems listed
		more                                        int    // unknown fields counted in more_errors, 0 for none
	}{
		{"100,000 unknown fields", "POST /returns", "/returns", sub, "text/csv", unknown.String(), 422, "too_many_rows", 1, 0},
		{"3 MB field name", "POST /returns", "/returns", sub, "text/csv", "field,value\norg,HMRC\n" + huge + ",1\n", 422, "value_too_long", 1, 0},
		{"100,000 header columns", "POST /returns/bulk", "/returns/bulk", admin, "text/csv", wide.String(), 422, "too_many_columns", 1, 0},
		{"depth bomb", "POST /returns", "/returns", sub, "application/json", `{"org":"HMRC","notes":` + strings.Repeat("[", 1<<20), 422, "not_a_value", 2, 0},
		{"150 unknown properties", "POST /returns", "/returns", sub, "application/json", props.String(), 422, "unknown_field", 100, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := l.do(req{route: tc.route, path: tc.path, token: tc.token, contentType: tc.contentType, body: []byte(tc.body), want: []int{tc.status}})
			if len(resp.Body) > 64<<10 {
				t.Errorf("answer of %d bytes", len(resp.Body))
			}
			var p httpapi.Problem
			if err := json.Unmarshal(resp.Body, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) != tc.errors || p.Errors[0].Code != tc.code {
				t.Fatalf("%d errors, first %+v; want %d, %s", len(p.Errors), p.Errors[0], tc.errors, tc.code)
			}
			if (tc.more == 0) != (p.MoreErrors == nil) {
				t.Fatalf("more_errors %+v, want %d unknown fields counted", p.MoreErrors, tc.more)
			}
			if tc.more > 0 {
				// The unknown fields come first; the required fields missing follow them.
				sum := 0
				for _, n := range p.MoreErrors.ByCode {
					sum += n
				}
				if p.MoreErrors.ByCode["unknown_field"] != tc.more || p.MoreErrors.ByCode["required"] == 0 || p.MoreErrors.Total != len(p.Errors)+sum {
					t.Errorf("more_errors %+v, want %d unknown fields and the required ones", p.MoreErrors, tc.more)
				}
			}
		})
	}
}
