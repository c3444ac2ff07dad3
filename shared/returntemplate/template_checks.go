package returntemplate

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// The running checks in column E of the Return sheet. Two kinds:
//   - field checks, which only the template has: an organisation and a quarter from the
//     lists, a yes/no answered;
//   - rule checks, one per entry of workforce.Rules, the table the server validates with,
//     built from the rule's keys and relation and saying what the server would say in the
//     same words.
//
// Checks refer to inputs by their defined names and treat a blank as 0 (N(), SUM()), so an
// untouched section (a local-government body's workforce figures) says OK.

// fieldCheck is the template's own check beside a field, "" if it has none.
func (b *builder) fieldCheck(key string) string {
	switch key {
	case workforce.KeyOrg:
		if b.orgTable == "" {
			return `IF(LEN(org)=0,"Enter your organisation's code","OK")`
		}
		look := func(col int) string { return fmt.Sprintf("VLOOKUP(org,%s,%d,FALSE)", b.orgTable, col) }
		return fmt.Sprintf(`IF(LEN(org)=0,"Choose your organisation",IFERROR("OK: "&%s&IF(%s="local_government"," (local government: answer 'About this return' and the two yes/no questions only)",""),"Choose your organisation from the list"))`,
			look(2), look(3))
	case workforce.KeyPeriod:
		if b.periodTbl == "" {
			return `IF(LEN(period)=0,"Enter the quarter, for example 2025-26-Q1","OK")`
		}
		look := func(col int) string { return fmt.Sprintf("VLOOKUP(period,%s,%d,FALSE)", b.periodTbl, col) }
		return fmt.Sprintf(`IF(LEN(period)=0,"Choose the quarter",IFERROR("OK: "&%s&"; count staff in post on "&%s,"Choose the quarter from the list"))`,
			look(2), look(3))
	}
	if f, ok := workforce.FieldByKey(key); ok && f.Type == workforce.TypeYesNo {
		return fmt.Sprintf(`IF(OR(%[1]s="yes",%[1]s="no"),"OK","Choose yes or no")`, key)
	}
	return ""
}

// checkPlan says where each rule's check goes: beside its one left-hand field when that
// row has no check yet, otherwise in a row of its own after a field — after the last
// field of a breakdown, where the row also shows the calculated total.
type checkPlan struct {
	beside map[string]workforce.Rule   // field key -> the rule checked in the field's row
	after  map[string][]workforce.Rule // field key -> rules with rows of their own after it
}

func planChecks(rules []workforce.Rule, fieldCheck func(string) string) checkPlan {
	p := checkPlan{beside: map[string]workforce.Rule{}, after: map[string][]workforce.Rule{}}
	order := map[string]int{}
	for i, f := range workforce.Fields {
		order[f.Key] = i
	}
	for _, rule := range rules {
		if len(rule.Left) > 1 {
			last := rule.Left[0]
			for _, k := range rule.Left {
				if order[k] > order[last] {
					last = k
				}
			}
			p.after[last] = append(p.after[last], rule)
			continue
		}
		key := rule.Left[0]
		if _, taken := p.beside[key]; taken || fieldCheck(key) != "" {
			p.after[key] = append(p.after[key], rule)
			continue
		}
		p.beside[key] = rule
	}
	return p
}

// ruleCheck is the formula of a rule's check: "OK", or the sentence the server reports
// when the rule is broken, with both sides' figures written as the server writes them.
func ruleCheck(rule workforce.Rule) string {
	left := sum(rule.Left)
	if len(rule.Left) == 1 {
		left = n(rule.Left[0])
	}
	// Right[0] − Right[1] − …: the subtracted fields move to the left of the comparison,
	// a form excelize's calculator (which the tests use) evaluates as Excel does; it
	// stumbles on N(a)-N(b) inside IF.
	compared, right := left, n(rule.Right[0])
	shown := right
	if len(rule.Right) > 1 {
		minus := make([]string, 0, len(rule.Right)-1)
		for _, k := range rule.Right[1:] {
			compared += "+" + n(k)
			minus = append(minus, "-"+n(k))
		}
		shown = "SUM(" + rule.Right[0] + "," + strings.Join(minus, ",") + ")"
	}
	op := "<="
	if rule.Relation == workforce.SumEquals {
		op = "="
	}
	cond := compared + op + right
	if anyFTE(rule.Keys()) {
		// FTE has up to 2 decimal places; compare as the server does, in hundredths, so
		// that binary noise in a sum cannot tip a check.
		cond = "ROUND(" + compared + ",2)" + op + "ROUND(" + right + ",2)"
	}
	const leftMark, rightMark = "\x00left\x00", "\x00right\x00"
	msg := rule.Message(leftMark, rightMark)
	var parts []string
	for i, piece := range strings.Split(msg, "\x00") {
		switch {
		case i%2 == 0:
			if piece != "" {
				parts = append(parts, quote(piece))
			}
		case piece == "left":
			parts = append(parts, figure(left, anyFTE(rule.Left)))
		default:
			parts = append(parts, figure(shown, anyFTE(rule.Right)))
		}
	}
	return fmt.Sprintf(`IF(%s,"OK",%s)`, cond, strings.Join(parts, "&"))
}

// checkColours shades a check cell green when it says OK and red otherwise; the words
// carry the meaning, the colour only helps the eye.
func (b *builder) checkColours(cell string) error {
	ok := fmt.Sprintf(`LEFT($%s$%s,2)="OK"`, cell[:1], cell[1:])
	return b.f.SetConditionalFormat(SheetReturn, cell, []excelize.ConditionalFormatOptions{
		{Type: "formula", Criteria: ok, Format: &b.s.checkOK},
		{Type: "formula", Criteria: "NOT(" + ok + ")", Format: &b.s.checkBad},
	})
}

// Formula pieces. n(key) is the input's number, 0 when blank or text.
func n(key string) string      { return "N(" + key + ")" }
func sum(keys []string) string { return "SUM(" + strings.Join(keys, ",") + ")" }

// quote writes s as a formula's string literal.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// figure writes a number as the server's messages do: thousands separated, and for FTE
// up to 2 decimal places without trailing zeros (1,234.5, 70,000, 4,100.25). Excel writes
// a whole number in "#,##0.##" with a trailing point, which the SUBSTITUTEs drop: an
// IF would do, but excelize's calculator (which the tests use) cannot nest one here.
func figure(expr string, fte bool) string {
	if !fte {
		return `TEXT(` + expr + `,"#,##0")`
	}
	return `SUBSTITUTE(SUBSTITUTE(TEXT(` + expr + `,"#,##0.##")&"|",".|",""),"|","")`
}

func anyFTE(keys []string) bool {
	for _, k := range keys {
		if f, _ := workforce.FieldByKey(k); f.Type == workforce.TypeFTE {
			return true
		}
	}
	return false
}
