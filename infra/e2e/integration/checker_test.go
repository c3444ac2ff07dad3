package integration

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/returncheck"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The offline checker (returns-check) and the live POST /returns/check agree: for each
// file, the same problems (field, code, cell or line, message) or, for a valid file, the
// same warnings. The checker is given the register the stack holds for the organisation,
// as an analyst's --register would; nothing has been sent for it, as the checker assumes.
func TestCheckerAgreesWithTheService(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	council := h.newOrg(workforce.LocalGovernment)
	tok := h.admin()
	template := h.do("GET", "/template", tok, "", nil, nil)
	mustStatus(t, template, 200)
	checker := returncheck.Checker{Register: workforce.Register{o.Code: o, council.Code: council},
		Now: time.Now().UTC(), DueDays: returncheck.DefaultDueDays}

	edit := func(v map[string]string, kv ...string) map[string]string {
		v = maps.Clone(v)
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(v, kv[i])
			} else {
				v[kv[i]] = kv[i+1]
			}
		}
		return v
	}
	good, lg := sampleFor(o, q1), sampleFor(council, q1)
	cases := map[string]map[string]string{
		"valid":          good,
		"valid-council":  lg,
		"missing":        edit(good, "headcount", "", "ddat_fte", ""),
		"not-a-number":   edit(good, "fte", "lots", "board_digital_ned", "perhaps"),
		"sums":           edit(good, "ddat_grade_eo", "0"),
		"future":         edit(good, "period", "2030-31-Q1"),
		"unknown-org":    edit(good, "org", "NOSUCHORG"),
		"council-figure": edit(lg, "headcount", "100"),
		"bad-email":      edit(good, "contact_email", "not an address"),
		"formula":        edit(good, "notes", "=1+1"),
	}
	type file struct{ name, contentType string }
	var n int
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		values := cases[name]
		book, err := sample.FillTemplate(template.Body, values)
		if err != nil {
			t.Fatal(err)
		}
		for f, body := range map[file][]byte{
			{name + ".xlsx", workforce.ContentTypeXLSX}:         book,
			{name + ".csv", httpapi.ContentTypeCSV}:             sample.CSV(values),
			{name + ".json", httpapi.ContentTypeJSON}:           lenientJSON(values),
			{name + "-as-xlsx.xlsx", workforce.ContentTypeXLSX}: sample.CSV(values),
		} {
			n++
			got := checker.Check(f.name, body)
			r := h.do("POST", "/returns/check", tok, f.contentType, body, nil)
			switch r.Status {
			case 200:
				var c checkedReturn
				if err := json.Unmarshal(r.Body, &c); err != nil {
					t.Fatal(err)
				}
				if !got.Valid || got.Org != c.Org || got.Period != c.Period || !slices.Equal(got.Warnings, c.Warnings) {
					t.Errorf("%s: the service accepts it with warnings %+v; the checker answers %+v", f.name, c.Warnings, got)
				}
			case 415, 422:
				d := problems(t, r)
				want := d.Errors
				if len(want) == 0 {
					want = []workforce.Problem{{Code: d.Code, Message: d.Detail}}
				}
				if got.Valid || len(got.Problems) != len(want) {
					t.Errorf("%s: the service answers %d %+v; the checker %+v", f.name, r.Status, want, got.Problems)
					continue
				}
				for i, p := range got.Problems {
					w := want[i]
					same := p.Field == w.Field && p.Code == w.Code && p.Cell == w.Cell && p.Line == w.Line
					// The checker names a file whose content is not what its name says
					// in its own words; the code is the service's.
					if !same || (p.Message != w.Message && !(f.name == name+"-as-xlsx.xlsx" && p.Code == returncheck.CodeWrongFormat)) {
						t.Errorf("%s problem %d: checker %s, service %s", f.name, i+1, show(p), show(w))
					}
				}
			default:
				t.Errorf("%s: status %d: %s", f.name, r.Status, r.Body)
			}
		}
	}
	t.Logf("%d files checked by both", n)
}

// lenientJSON is sample.JSON, with a number that is not one written as a string.
func lenientJSON(values map[string]string) []byte {
	out := map[string]any{}
	for k, s := range values {
		out[k] = s
		if f, ok := workforce.FieldByKey(k); ok && f.Numeric() && json.Valid([]byte(s)) {
			out[k] = json.Number(s)
		}
	}
	b, _ := json.Marshal(out)
	return b
}

func show(p workforce.Problem) string {
	return fmt.Sprintf("%s/%s/%s/%d %q", p.Field, p.Code, p.Cell, p.Line, p.Message)
}
