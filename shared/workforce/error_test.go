package workforce

import (
	"strings"
	"testing"
)

func TestInvalidCapsProblems(t *testing.T) {
	var ps []Problem
	for i := range 250 {
		code := "unknown_field"
		if i%2 == 1 {
			code = "not_a_number"
		}
		ps = append(ps, Problem{Field: strings.Repeat("k", 100), Code: code, Message: "m"})
	}
	e := Invalid("The return has 250 problems; nothing was stored.", ps)
	if len(e.Problems) != MaxProblems || e.More == nil || e.More.Total != 250 ||
		e.More.ByCode["unknown_field"] != 75 || e.More.ByCode["not_a_number"] != 75 {
		t.Fatalf("%d problems, more %+v", len(e.Problems), e.More)
	}
	if got := e.Problems[0].Field; got != strings.Repeat("k", 63)+"…" {
		t.Errorf("field %q not shortened", got)
	}
	if ps[0].Field != strings.Repeat("k", 100) {
		t.Error("Invalid changed its argument")
	}
	if c := e.CodeCounts(); c["unknown_field"] != 125 || c["not_a_number"] != 125 {
		t.Errorf("CodeCounts %v", c)
	}
	if !strings.Contains(e.Error(), "(250 problems)") {
		t.Errorf("Error() = %q", e.Error())
	}
	if few := Invalid("x", ps[:2]); few.More != nil || len(few.Problems) != 2 {
		t.Errorf("two problems: %+v", few)
	}
}
