package integration

import (
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// GET /template?org=&period=&figures=previous: the template filled in with the quarter
// before's figures, to edit. The figures are read as GET /returns reads them, so another
// organisation's submitter gets 403, and a quarter with nothing before it 404.
func TestTemplatePreFilledWithLastQuarter(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	values := sampleFor(o, q1)
	values[workforce.KeyNotes] = "Only for 2025-26 Q1."
	r, _ := h.submit(tok, httpapi.ContentTypeJSON, sample.JSON(values), nil)
	mustStatus(t, r, 201)

	next := q1.Next()
	book := h.template(tok, "?org="+o.Code+"&period="+next.String()+"&figures=previous")
	raw, err := returntemplate.Parse(book)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range raw {
		got[f.Key] = strings.TrimSpace(f.Value)
	}
	if got[workforce.KeyPeriod] != next.String() || got[workforce.KeyOrg] != o.Code {
		t.Errorf("org %q period %q", got[workforce.KeyOrg], got[workforce.KeyPeriod])
	}
	for _, k := range []string{"headcount", "ddat_headcount", "ddat_grade_g7_g6", "entrants_internship"} {
		if got[k] != values[k] {
			t.Errorf("%s = %q, want last quarter's %q", k, got[k], values[k])
		}
	}
	if got[workforce.KeyNotes] != "" {
		t.Errorf("notes carried over: %q", got[workforce.KeyNotes])
	}
	// As it stands, it is this quarter's return with last quarter's figures: it is accepted.
	r, rc := h.submit(tok, workforce.ContentTypeXLSX, book, nil)
	mustStatus(t, r, 201)
	if rc.Period != next.String() {
		t.Errorf("receipt for %s", rc.Period)
	}

	other := h.token(h.newOrg(workforce.CivilService).Code, "submitter")
	mustStatus(t, h.do("GET", "/template?org="+o.Code+"&period="+next.String()+"&figures=previous", other, "", nil, nil), 403)
	mustStatus(t, h.do("GET", "/template?org="+o.Code+"&period="+q1.String()+"&figures=previous", tok, "", nil, nil), 404)
	mustStatus(t, h.do("GET", "/template?org="+o.Code+"&figures=previous", tok, "", nil, nil), 400)
}
