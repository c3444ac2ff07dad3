//go:build unix

package returntemplate

import (
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/testsupport/soffice"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// agreementCase is one return of the corpus: values as a filling tool writes them.
type agreementCase struct {
	name   string
	values map[string]any
	breaks string // the rule the case is built to break, "" for a valid return
}

// agreementCorpus is a valid return, and for every rule of the table returns that break
// it (one unit over or under on each side) and returns that sit exactly at its bound.
// It is built from the rules table, so a new rule is covered without a new case.
func agreementCorpus() []agreementCase {
	cases := []agreementCase{
		{name: "valid return", values: sample()},
		{name: "smallest organisation", values: withValues(zeroed(sample()), map[string]any{"headcount": 1, "fte": 0.01})},
		{name: "everyone of known profession is DDaT", values: withValues(sample(), map[string]any{
			"headcount": 4700, "fte": 4100.25, "ddat_headcount": 4200, "profession_unknown_headcount": 500})},
		{name: "local government leaves the workforce blank", values: localGovernment()},
	}
	for _, rule := range workforce.Rules {
		base := sample()
		left, right := sides(rule, base)
		gap := right - left // how far the left side can grow before the rule breaks
		add := func(name, key string, delta int64, breaks bool) {
			v, ok := shifted(key, base[key], delta)
			if !ok {
				return
			}
			c := agreementCase{name: fmt.Sprintf("%s: %s", rule.Code, name), values: withValues(sample(), map[string]any{key: v})}
			if breaks {
				c.breaks = rule.Code
			}
			cases = append(cases, c)
		}
		l0, r0 := rule.Left[0], rule.Right[0]
		add(l0+" one over", l0, gap+unit(l0), true)
		if rule.Relation == workforce.SumEquals {
			add(l0+" one under", l0, gap-unit(l0), true)
			add(r0+" one over", r0, -gap+unit(r0), true)
		} else {
			add(l0+" at the bound", l0, gap, false)
			add(r0+" at the bound", r0, -gap, false)
		}
		add(r0+" one under", r0, -gap-unit(r0), true)
		for _, k := range rule.Right[1:] {
			add(k+" one over", k, gap+unit(k), true)
		}
	}
	return cases
}

// TestTemplateAgreesWithServer fills the template with every return of the corpus, has
// LibreOffice calculate it, and compares each rule's check with what the server says of
// the same values: the check shows a problem exactly when the server reports the rule's
// code, in the same sentence.
func TestTemplateAgreesWithServer(t *testing.T) {
	opts := testOptions()
	tmpl := mustTemplate(t, opts)
	cells := ruleCells(t, openBook(t, tmpl))
	reg := workforce.Register{}
	for _, o := range opts.Organisations {
		reg[o.Code] = o
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	dir := t.TempDir()
	corpus := agreementCorpus()
	var files []string
	for i, c := range corpus {
		name := filepath.Join(dir, fmt.Sprintf("case-%02d.xlsx", i))
		if err := os.WriteFile(name, fillByName(t, tmpl, c.values), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	out := filepath.Join(dir, "out")
	if _, err := soffice.ConvertAll(t.Context(), files, out, soffice.CSVAllSheets); err != nil {
		t.Fatal(err)
	}

	for i, c := range corpus {
		t.Run(c.name, func(t *testing.T) {
			// The server, on the values as the parser reads them from the same workbook.
			raw, err := Parse(fillByName(t, tmpl, c.values))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			_, ps := workforce.Normalise(raw, reg, now)
			reported := map[string]string{} // rule code -> message
			for _, p := range ps {
				if !slices.ContainsFunc(workforce.Rules, func(r workforce.Rule) bool { return r.Code == p.Code }) {
					t.Fatalf("the server reports %s (%s): the corpus must hold only rule problems, or the rules are not run", p.Code, p.Message)
				}
				reported[p.Code] = p.Message
			}
			if _, ok := reported[c.breaks]; c.breaks != "" && !ok {
				t.Fatalf("built to break %s, but the server reports %v", c.breaks, slices.Sorted(maps.Keys(reported)))
			}
			if c.breaks == "" && strings.Contains(c.name, "bound") && len(reported) > 0 {
				t.Logf("at the bound, other rules break: %v", slices.Sorted(maps.Keys(reported)))
			}

			sheet := readCSVFile(t, filepath.Join(out, fmt.Sprintf("case-%02d-%s.csv", i, SheetReturn)))
			for _, rule := range workforce.Rules {
				says := csvCell(t, sheet, cells[rule.Code])
				want, broken := reported[rule.Code]
				switch {
				case broken && says != want:
					t.Errorf("%s: the server says %q; the template's check (%s) says %q", rule.Code, want, cells[rule.Code], says)
				case !broken && says != "OK":
					t.Errorf("%s: the server finds nothing wrong; the template's check (%s) says %q", rule.Code, cells[rule.Code], says)
				}
			}
			summary := csvCell(t, sheet, colCheck+"3")
			if allOK := strings.HasPrefix(summary, "All "); allOK != (len(reported) == 0) {
				t.Errorf("summary says %q; the server reports %d problems", summary, len(reported))
			}
		})
	}
}

// localGovernment is a complete return from a local-government body: the fields its kind
// answers, taken from the sample, and nothing else.
func localGovernment() map[string]any {
	values := map[string]any{"org": "KENT", "period": "2025-26-Q2"}
	for _, f := range workforce.FieldsFor(workforce.LocalGovernment) {
		if v, ok := sample()[f.Key]; ok && f.Type != workforce.TypeOrg && f.Type != workforce.TypePeriod {
			values[f.Key] = v
		}
	}
	return values
}

// sides are a rule's two totals in hundredths, as the server computes them.
func sides(rule workforce.Rule, values map[string]any) (left, right int64) {
	for _, k := range rule.Left {
		left += hundredths(values[k])
	}
	right = hundredths(values[rule.Right[0]])
	for _, k := range rule.Right[1:] {
		right -= hundredths(values[k])
	}
	return left, right
}

// shifted is v moved by delta hundredths, in the field's own type; false when that is
// not a value the field can take (a fraction of a person, below the field's minimum).
func shifted(key string, v any, delta int64) (any, bool) {
	f, _ := workforce.FieldByKey(key)
	h := hundredths(v) + delta
	if h < f.Min*100 {
		return nil, false
	}
	if f.Type == workforce.TypeFTE {
		return float64(h) / 100, true
	}
	if h%100 != 0 {
		return nil, false
	}
	return int(h / 100), true
}

// unit is the smallest step of a field, in hundredths.
func unit(key string) int64 {
	if f, _ := workforce.FieldByKey(key); f.Type == workforce.TypeFTE {
		return 1
	}
	return 100
}

func hundredths(v any) int64 {
	switch v := v.(type) {
	case int:
		return int64(v) * 100
	case float64:
		return int64(v*100 + 0.5)
	}
	panic(fmt.Sprintf("not a number: %v", v))
}

func withValues(values, change map[string]any) map[string]any {
	maps.Copy(values, change)
	return values
}

// zeroed sets every count and FTE of a return to 0.
func zeroed(values map[string]any) map[string]any {
	for k, v := range values {
		switch v.(type) {
		case int:
			values[k] = 0
		case float64:
			values[k] = 0.0
		}
	}
	return values
}

func readCSVFile(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// csvCell is the text of a cell (E12) in a sheet exported as CSV from A1.
func csvCell(t *testing.T, rows [][]string, cell string) string {
	t.Helper()
	c, r, err := excelize.CellNameToCoordinates(cell)
	if err != nil {
		t.Fatal(err)
	}
	if r > len(rows) || c > len(rows[r-1]) {
		return ""
	}
	return rows[r-1][c-1]
}
