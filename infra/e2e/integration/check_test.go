package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

type checkedReturn struct {
	Org       string              `json:"org"`
	Period    string              `json:"period"`
	Version   int                 `json:"version"`
	Duplicate bool                `json:"duplicate"`
	SHA256    string              `json:"sha256"`
	Values    map[string]any      `json:"values"`
	Warnings  []workforce.Problem `json:"warnings"`
}

func (h *harness) check(token, contentType string, body []byte, want int) checkedReturn {
	h.t.Helper()
	r := h.do("POST", "/returns/check", token, contentType, body, nil)
	mustStatus(h.t, r, want)
	var c checkedReturn
	if want == 200 {
		if err := json.Unmarshal(r.Body, &c); err != nil {
			h.t.Fatalf("check answer: %v: %s", err, r.Body)
		}
	}
	return c
}

// POST /returns/check answers what POST /returns would, and stores nothing: no version,
// no file, no idempotency record.
func TestCheckAnswersAsSubmitAndStoresNothing(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	values := sampleFor(o, q1)

	c := h.check(tok, httpapi.ContentTypeJSON, sample.JSON(values), 200)
	if c.Org != o.Code || c.Period != q1.String() || c.Version != 1 || c.Duplicate || len(c.SHA256) != 64 {
		t.Errorf("check of a first return: %+v", c)
	}
	if got := fmt.Sprint(c.Values["ddat_headcount"]); got != values["ddat_headcount"] {
		t.Errorf("checked ddat_headcount %s, want %s", got, values["ddat_headcount"])
	}
	// Nothing was stored: no return, no file.
	mustStatus(t, h.do("GET", "/returns/"+o.Code+"/"+q1.String(), tok, "", nil, nil), 404)
	p := h.inProcess()
	if files := p.uploads(t, "uploads/"+o.Code+"/"); len(files) != 0 {
		t.Errorf("check stored files: %v", files)
	}
	// The same Idempotency-Key on a check and then on a submission: the check recorded
	// nothing, so the submission is a first request.
	key := map[string]string{"Idempotency-Key": "check-" + o.Code}
	mustStatus(t, h.do("POST", "/returns/check", tok, httpapi.ContentTypeJSON, sample.JSON(values), key), 200)
	r, rc := h.submit(tok, httpapi.ContentTypeJSON, sample.JSON(values), key)
	mustStatus(t, r, 201)
	if rc.SHA256 != c.SHA256 {
		t.Errorf("the check's sha256 %s differs from the receipt's %s", c.SHA256, rc.SHA256)
	}

	// Now it repeats the current version; a change would make version 2.
	if c := h.check(tok, "text/csv", sample.CSV(values), 200); !c.Duplicate || c.Version != 1 {
		t.Errorf("check of the current content: %+v, want duplicate of version 1", c)
	}
	values["cslg_members"] = "61"
	// A revision needs its reason, and the check says so as a submission would.
	h.check(tok, httpapi.ContentTypeJSON, sample.JSON(values), 422)
	values[workforce.KeyRevisionReason] = "CSLG membership corrected."
	if c := h.check(tok, httpapi.ContentTypeJSON, sample.JSON(values), 200); c.Duplicate || c.Version != 2 {
		t.Errorf("check of a revision: %+v, want version 2", c)
	}
	if v := h.view(tok, "/returns/"+o.Code+"/"+q1.String()); v.Version != 1 {
		t.Errorf("after checks the current version is %d, want 1", v.Version)
	}
}

// A check refuses exactly what a submission refuses, with the same problems.
func TestCheckRefusesAsSubmitDoes(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	other := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	bad := sampleFor(o, q1)
	bad["ddat_grade_g7_g6"] = "999999"
	bad["board_digital_ned"] = "sometimes"

	checked := h.do("POST", "/returns/check", tok, "text/csv", sample.CSV(bad), nil)
	sent := h.do("POST", "/returns", tok, "text/csv", sample.CSV(bad), nil)
	mustStatus(t, checked, 422)
	mustStatus(t, sent, 422)
	codes := func(d problemDoc) string {
		var cs []string
		for _, p := range d.Errors {
			cs = append(cs, p.Field+":"+p.Code)
		}
		return strings.Join(cs, " ")
	}
	if a, b := codes(problems(t, checked)), codes(problems(t, sent)); a != b || a == "" {
		t.Errorf("check problems %q, submit problems %q", a, b)
	}
	// Another organisation's return, and a role that may not submit.
	h.check(tok, httpapi.ContentTypeJSON, sample.JSON(sampleFor(other, q1)), 403)
	h.check(h.token(o.Code, "leader"), httpapi.ContentTypeJSON, sample.JSON(sampleFor(o, q1)), 403)
	h.check(tok, "application/pdf", []byte("%PDF-1.7"), 415)
}
