package returntemplate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/workforce"
)

var (
	formulaString = regexp.MustCompile(`"([^"]|"")*"`)
	formulaName   = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_.]*`)
)

// formulaKeys are the field keys a formula reads, outside its string literals.
func formulaKeys(formula string) []string {
	var keys []string
	for _, name := range formulaName.FindAllString(formulaString.ReplaceAllString(formula, `""`), -1) {
		if _, ok := workforce.FieldByKey(name); ok && !slices.Contains(keys, name) {
			keys = append(keys, name)
		}
	}
	slices.Sort(keys)
	return keys
}

// ruleCells finds each rule's check on the Return sheet without asking the template
// code where it put it: the one cell of the check column whose formula reads exactly the
// rule's fields. It fails when a rule has no such cell, or more than one.
func ruleCells(t testing.TB, f *excelize.File) map[string]string {
	t.Helper()
	byKeys := map[string][]string{} // sorted keys, joined -> check cells reading them
	rows, err := f.GetRows(SheetReturn)
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= len(rows); r++ {
		cell := fmt.Sprintf("%s%d", colCheck, r)
		formula, _ := f.GetCellFormula(SheetReturn, cell)
		if keys := formulaKeys(formula); len(keys) > 0 {
			byKeys[strings.Join(keys, ",")] = append(byKeys[strings.Join(keys, ",")], cell)
		}
	}
	cells := map[string]string{}
	for _, rule := range workforce.Rules {
		keys := slices.Sorted(slices.Values(rule.Keys()))
		found := byKeys[strings.Join(slices.Compact(keys), ",")]
		if len(found) != 1 {
			t.Errorf("rule %s: %d check cells read exactly %v (%v), want 1", rule.Code, len(found), keys, found)
			continue
		}
		cells[rule.Code] = found[0]
	}
	if t.Failed() {
		t.FailNow()
	}
	return cells
}

// TestTemplateChecksEveryRule: the rules table the server validates with has, rule by
// rule, a running check on the template, and the template has no cross-field check the
// table does not know.
func TestTemplateChecksEveryRule(t *testing.T) {
	f := openBook(t, mustTemplate(t, testOptions()))
	cells := ruleCells(t, f)
	if len(cells) != len(workforce.Rules) {
		t.Fatalf("%d rules have checks, want all %d", len(cells), len(workforce.Rules))
	}
	if distinct := slices.Compact(slices.Sorted(maps.Values(cells))); len(distinct) != len(cells) {
		t.Errorf("rules share check cells: %v", cells)
	}
	// Every other check cell is one of the template's own field checks, which read one field.
	rows, _ := f.GetRows(SheetReturn)
	ruleCell := map[string]bool{}
	for _, c := range cells {
		ruleCell[c] = true
	}
	for r := 1; r <= len(rows); r++ {
		cell := fmt.Sprintf("%s%d", colCheck, r)
		formula, _ := f.GetCellFormula(SheetReturn, cell)
		if keys := formulaKeys(formula); len(keys) > 1 && !ruleCell[cell] {
			t.Errorf("%s checks %v, which is no rule of workforce.Rules: %s", cell, keys, formula)
		}
	}
}
