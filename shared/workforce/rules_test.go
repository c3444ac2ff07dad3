package workforce

import (
	"slices"
	"testing"
)

// TestRulesDescribeTheirCheck: each rule carries what the template builds its check from.
func TestRulesDescribeTheirCheck(t *testing.T) {
	codes := map[string]bool{}
	for _, rule := range Rules {
		if codes[rule.Code] {
			t.Errorf("rule code %s used twice", rule.Code)
		}
		codes[rule.Code] = true
		if rule.Relation != SumEquals && rule.Relation != AtMost {
			t.Errorf("%s: relation %q, want %s or %s", rule.Code, rule.Relation, SumEquals, AtMost)
		}
		if rule.What == "" || rule.Limit == "" || rule.Label == "" {
			t.Errorf("%s: What %q, Limit %q, Label %q; the template needs all three", rule.Code, rule.What, rule.Limit, rule.Label)
		}
		if len(rule.Left) == 0 || len(rule.Right) == 0 || !slices.Contains(rule.Keys(), rule.Report) {
			t.Errorf("%s: left %v, right %v, reported against %s", rule.Code, rule.Left, rule.Right, rule.Report)
		}
		for _, k := range rule.Keys() {
			if f, ok := FieldByKey(k); !ok || !f.Numeric() {
				t.Errorf("%s reads %s, which is not a numeric field", rule.Code, k)
			}
		}
	}
}
