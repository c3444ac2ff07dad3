package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Lambda answers at most 6 MB; 100,000 problems answered whole were 19 MB. Whoever built
// the error, the answer lists the first 100 and counts the rest by code.
func TestErrorResponseCapsProblems(t *testing.T) {
	var ps []workforce.Problem
	for i := range 100_000 {
		key := fmt.Sprintf("unknown_%d", i)
		ps = append(ps, workforce.Problem{Field: key, Line: i + 2, Code: "unknown_field", Message: key + " is not a field of the return."})
	}
	ps = append(ps, workforce.Problem{Field: "org", Code: "required", Message: "Organisation (org) is required."})
	for name, err := range map[string]error{
		"Invalid": workforce.Invalid("The return has 100,001 problems; nothing was stored.", ps),
		"by hand": &workforce.Error{Code: workforce.EBadRequest, Message: "Bad.", Problems: ps},
		"wrapped": fmt.Errorf("submit: %w", workforce.Invalid("Bad.", ps)),
	} {
		resp := errorResponse(err, "req-1")
		if len(resp.Body) > 64<<10 {
			t.Errorf("%s: answer is %d bytes", name, len(resp.Body))
		}
		var p Problem
		if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != workforce.MaxProblems || p.Errors[0].Field != "unknown_0" || p.Errors[99].Field != "unknown_99" {
			t.Errorf("%s: %d errors, first %+v", name, len(p.Errors), p.Errors[0])
		}
		want := map[string]int{"unknown_field": 99_900, "required": 1}
		if p.MoreErrors == nil || p.MoreErrors.Total != 100_001 || len(p.MoreErrors.ByCode) != 2 ||
			p.MoreErrors.ByCode["unknown_field"] != want["unknown_field"] || p.MoreErrors.ByCode["required"] != 1 {
			t.Errorf("%s: more_errors %+v, want total 100001 and %v", name, p.MoreErrors, want)
		}
	}
	// A few problems are answered as they are, with no summary.
	resp := errorResponse(workforce.Invalid("Bad.", ps[:3]), "req-2")
	if strings.Contains(resp.Body, "more_errors") || strings.Count(resp.Body, "unknown_field") != 3 {
		t.Errorf("three problems: %s", resp.Body)
	}
}

// A 3 MB field name was echoed back whole, in field and in the message.
func TestErrorResponseShortensEchoedValues(t *testing.T) {
	huge := strings.Repeat("x", 3<<20)
	err := &workforce.Error{Code: workforce.EInvalid, Message: "Bad " + huge, Problems: []workforce.Problem{
		{Field: huge, Cell: "'" + huge + "'!D12", Code: "unknown_field", Message: huge},
	}}
	resp := errorResponse(err, "req-3")
	if len(resp.Body) > 4<<10 {
		t.Fatalf("answer is %d bytes", len(resp.Body))
	}
	var p Problem
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatal(err)
	}
	e := p.Errors[0]
	if n := utf8.RuneCountInString(e.Field); n != 64 || !strings.HasSuffix(e.Field, "…") {
		t.Errorf("field has %d characters: %q", n, e.Field)
	}
	if utf8.RuneCountInString(e.Cell) > 64 || utf8.RuneCountInString(e.Message) > 1000 || utf8.RuneCountInString(p.Detail) > 1000 {
		t.Errorf("cell, message or detail not shortened: %d, %d, %d", len(e.Cell), len(e.Message), len(p.Detail))
	}
}
