package integration

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func (h *harness) template(token, query string) []byte {
	h.t.Helper()
	r := h.do("GET", "/template"+query, token, "", nil, nil)
	mustStatus(h.t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != workforce.ContentTypeXLSX {
		h.t.Fatalf("template content type %q", ct)
	}
	return r.Body
}

func TestEachFormatIsAccepted(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	values := sampleFor(o, q1)

	xlsx, err := sample.FillTemplate(h.template(tok, ""), values)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		contentType string
		body        []byte
	}{
		{httpapi.ContentTypeJSON, sample.JSON(values)},
		{"text/csv; charset=utf-8", sample.CSV(values)},
		{workforce.ContentTypeXLSX, xlsx},
	} {
		// Each format carries the same content: the first is version 1 and the others
		// are recognised as duplicates of it.
		r, rc := h.submit(tok, tc.contentType, tc.body, nil)
		wantStatus, wantDup := 201, false
		if i > 0 {
			wantStatus, wantDup = 200, true
		}
		mustStatus(t, r, wantStatus)
		if rc.Version != 1 || rc.Duplicate != wantDup || rc.Org != o.Code || rc.Period != "2025-26-Q1" || len(rc.SHA256) != 64 || rc.SubmissionID == "" {
			t.Errorf("%s: receipt %+v", tc.contentType, rc)
		}
	}
	v := h.view(tok, "/returns/"+o.Code+"/2025-26-Q1")
	if got := v.Values["ddat_headcount"]; fmt.Sprint(got) != values["ddat_headcount"] {
		t.Errorf("ddat_headcount %v, want %s", got, values["ddat_headcount"])
	}
	if v.Values["exec_committee_digital_leader"] != (values["exec_committee_digital_leader"] == "yes") {
		t.Errorf("yes/no not a boolean: %v", v.Values["exec_committee_digital_leader"])
	}
}

func TestSeveralErrorsAreAllNamedWithCells(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	values := sampleFor(o, q1)
	values["ddat_grade_g7_g6"] = "999999"     // grades no longer add up
	values["fte"] = "12.345"                  // three decimal places
	values["board_digital_ned"] = "sometimes" // not yes or no
	values["entrants_internship"] = "-1"      // negative
	xlsx, err := sample.FillTemplate(h.template(tok, ""), values)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := h.submit(tok, workforce.ContentTypeXLSX, xlsx, nil)
	mustStatus(t, r, 422)
	p := problems(t, r)
	got := map[string]workforce.Problem{}
	for _, e := range p.Errors {
		got[e.Field] = e
	}
	for field, code := range map[string]string{"fte": "too_many_decimals", "board_digital_ned": "not_yes_no", "entrants_internship": "negative"} {
		e, ok := got[field]
		if !ok || e.Code != code || !strings.HasPrefix(e.Cell, "Return!") {
			t.Errorf("%s: got %+v, want %s with a cell", field, e, code)
		}
	}
	if len(p.Errors) != 3 {
		t.Errorf("%d errors, want 3 (sums are checked once values are valid): %+v", len(p.Errors), p.Errors)
	}
	// Nothing was stored.
	mustStatus(t, h.do("GET", "/returns/"+o.Code+"/2025-26-Q1", tok, "", nil, nil), 404)

	// With the values fixed, the sum check names both figures.
	values = sampleFor(o, q1)
	values["ddat_grade_g7_g6"] = "0"
	r, _ = h.submit(tok, "text/csv", sample.CSV(values), nil)
	mustStatus(t, r, 422)
	p = problems(t, r)
	if len(p.Errors) != 1 || p.Errors[0].Code != "grade_sum_mismatch" || p.Errors[0].Line == 0 || !strings.Contains(p.Errors[0].Message, "DDaT headcount by grade adds up to") {
		t.Errorf("sum problem %+v", p.Errors)
	}
}

func TestRevisionKeepsEarlierVersions(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	first := sampleFor(o, q1)
	_, rc1 := h.submit(tok, httpapi.ContentTypeJSON, sample.JSON(first), nil)
	revised := sampleFor(o, q1)
	revised["cslg_members"] = "99"
	revised[workforce.KeyRevisionReason] = "CSLG membership corrected."
	r, rc2 := h.submit(tok, httpapi.ContentTypeJSON, sample.JSON(revised), nil)
	mustStatus(t, r, 201)
	if rc1.Version != 1 || rc2.Version != 2 || r.Header.Get("Location") != "/returns/"+o.Code+"/2025-26-Q1/versions/2" {
		t.Fatalf("versions %d, %d; location %q", rc1.Version, rc2.Version, r.Header.Get("Location"))
	}
	cur := h.view(tok, "/returns/"+o.Code+"/2025-26-Q1")
	if cur.Version != 2 || fmt.Sprint(cur.Values["cslg_members"]) != "99" || len(cur.Versions) != 2 {
		t.Errorf("current %+v", cur)
	}
	old := h.view(h.token("CO", "leader"), "/returns/"+o.Code+"/2025-26-Q1/versions/1")
	if old.Version != 1 || fmt.Sprint(old.Values["cslg_members"]) != first["cslg_members"] || old.SHA256 != rc1.SHA256 {
		t.Errorf("version 1 %+v", old)
	}
	mustStatus(t, h.do("GET", "/returns/"+o.Code+"/2025-26-Q1/versions/3", tok, "", nil, nil), 404)

	// The list shows the current version; a submitter sees only their organisation.
	var list struct {
		Returns []struct {
			Org     string `json:"org"`
			Period  string `json:"period"`
			Version int    `json:"version"`
		} `json:"returns"`
	}
	r = h.do("GET", "/returns", tok, "", nil, nil)
	mustStatus(t, r, 200)
	_ = json.Unmarshal(r.Body, &list)
	if len(list.Returns) != 1 || list.Returns[0].Org != o.Code || list.Returns[0].Version != 2 {
		t.Errorf("list %+v", list)
	}
}

func TestIdempotencyKey(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	body := sample.JSON(sampleFor(o, q1))
	key := map[string]string{"Idempotency-Key": "retry-" + o.Code}
	r1, rc1 := h.submit(tok, httpapi.ContentTypeJSON, body, key)
	r2, rc2 := h.submit(tok, httpapi.ContentTypeJSON, body, key)
	mustStatus(t, r1, 201)
	mustStatus(t, r2, 201)
	if rc1.SubmissionID != rc2.SubmissionID || rc1.Version != rc2.Version || !rc1.ReceivedAt.Equal(rc2.ReceivedAt) {
		t.Errorf("retry gave a different receipt: %+v vs %+v", rc1, rc2)
	}
	other := sampleFor(o, q1)
	other["senior_appointments"] = "40"
	other["senior_appointments_assessed"] = "1"
	r3, _ := h.submit(tok, httpapi.ContentTypeJSON, sample.JSON(other), key)
	mustStatus(t, r3, 409)
	if v := h.view(tok, "/returns/"+o.Code+"/2025-26-Q1"); v.Version != 1 {
		t.Errorf("after the retries the current version is %d, want 1", v.Version)
	}
}

// Twenty-four submissions race for one organisation-period: twelve of one content and
// twelve each different. Versions must be contiguous from 1, the current pointer on the
// newest, every distinct content stored, and no version a repeat of the one before it.
func TestConcurrentSubmissions(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	base := sampleFor(o, q1)
	var bodies [][]byte
	for i := 0; i < 24; i++ {
		v := sampleFor(o, q1)
		if i%2 == 1 {
			v["cslg_members"] = fmt.Sprint(100 + i)
		}
		// Any of them may become a revision of another, so each says why; the reason is
		// not content, so the twelve repeats of base are still one content.
		v[workforce.KeyRevisionReason] = fmt.Sprintf("Racing submission %d.", i)
		bodies = append(bodies, sample.JSON(v))
	}
	_ = base
	var wg sync.WaitGroup
	receipts := make([]workforce.Receipt, len(bodies))
	statuses := make([]int, len(bodies))
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.client.Do(h.ctx, "POST", "/returns", tok, httpapi.ContentTypeJSON, b, nil)
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = r.Status
			_ = json.Unmarshal(r.Body, &receipts[i])
		}()
	}
	wg.Wait()
	created := 0
	for i, s := range statuses {
		if s != 201 && s != 200 {
			t.Fatalf("submission %d: status %d", i, s)
		}
		if s == 201 {
			created++
		}
	}
	cur := h.view(tok, "/returns/"+o.Code+"/2025-26-Q1")
	if cur.Version != created || len(cur.Versions) != created {
		t.Fatalf("current version %d with %d versions, but %d submissions created one", cur.Version, len(cur.Versions), created)
	}
	seen := map[string]bool{}
	for i, v := range cur.Versions {
		if v.Version != i+1 {
			t.Errorf("versions not contiguous: position %d holds %d", i, v.Version)
		}
		if i > 0 && v.SHA256 == cur.Versions[i-1].SHA256 {
			t.Errorf("version %d repeats version %d", v.Version, v.Version-1)
		}
		seen[v.SHA256] = true
	}
	for i, rc := range receipts {
		if !seen[rc.SHA256] {
			t.Errorf("submission %d (%s) was lost", i, rc.SHA256)
		}
	}
	if len(seen) != 13 {
		t.Errorf("%d distinct contents stored, want 13", len(seen))
	}
	if cur.SHA256 != cur.Versions[len(cur.Versions)-1].SHA256 {
		t.Error("current is not the newest version")
	}

	// All the same content at once: exactly one version, everyone gets its receipt.
	o2 := h.newOrg(workforce.CivilService)
	tok2 := h.token(o2.Code, "submitter")
	same := sample.JSON(sampleFor(o2, q1))
	ids := make([]string, 20)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.client.Do(h.ctx, "POST", "/returns", tok2, httpapi.ContentTypeJSON, same, nil)
			if err == nil {
				var rc workforce.Receipt
				_ = json.Unmarshal(r.Body, &rc)
				ids[i] = rc.SubmissionID
			}
		}()
	}
	wg.Wait()
	sort.Strings(ids)
	if ids[0] == "" || ids[0] != ids[len(ids)-1] {
		t.Errorf("identical concurrent submissions got different receipts: %v", ids)
	}
	if v := h.view(tok2, "/returns/"+o2.Code+"/2025-26-Q1"); v.Version != 1 {
		t.Errorf("identical concurrent submissions made %d versions", v.Version)
	}
}

func TestSubmitterIsConfinedToOwnOrganisation(t *testing.T) {
	h := newHarness(t)
	mine, theirs := h.newOrg(workforce.CivilService), h.newOrg(workforce.CivilService)
	tok := h.token(mine.Code, "submitter")
	theirTok := h.token(theirs.Code, "submitter")
	_, rc := h.submit(theirTok, httpapi.ContentTypeJSON, sample.JSON(sampleFor(theirs, q1)), nil)
	if rc.Version != 1 {
		t.Fatal("setup: their return was not stored")
	}
	for _, tc := range []struct {
		name, method, path string
		body               []byte
	}{
		{"write their return", "POST", "/returns", sample.JSON(sampleFor(theirs, q1))},
		{"write an invalid return of theirs", "POST", "/returns", []byte(`{"org":"` + theirs.Code + `","period":"2025 Q1"}`)},
		{"read their return", "GET", "/returns/" + theirs.Code + "/2025-26-Q1", nil},
		{"read their version", "GET", "/returns/" + theirs.Code + "/2025-26-Q1/versions/1", nil},
		{"read a return they do not have", "GET", "/returns/" + theirs.Code + "/2024-25-Q1", nil},
		{"list theirs", "GET", "/returns?org=" + theirs.Code, nil},
		{"bulk", "POST", "/returns/bulk", sample.BulkCSV([]map[string]string{sampleFor(theirs, q1)})},
		{"change the register", "PUT", "/organisations/" + theirs.Code, []byte(`{"name":"x","kind":"civil_service"}`)},
	} {
		ct := httpapi.ContentTypeJSON
		if tc.name == "bulk" {
			ct = "text/csv"
		}
		r := h.do(tc.method, tc.path, tok, ct, tc.body, nil)
		if r.Status != 403 {
			t.Errorf("%s: status %d, want 403: %s", tc.name, r.Status, r.Body)
		}
	}
	if v := h.view(theirTok, "/returns/"+theirs.Code+"/2025-26-Q1"); v.Version != 1 {
		t.Errorf("their return changed: version %d", v.Version)
	}
}

func TestTokensAreVerified(t *testing.T) {
	h := newHarness(t)
	good := h.token("CO", "leader")
	expired, _ := h.client.Token("u", "CO", []string{"leader"}, map[string]any{"exp": 1700000000, "iat": 1699990000})
	wrongAud, _ := h.client.Token("u", "CO", []string{"leader"}, map[string]any{"aud": "someone-else"})
	wrongIss, _ := h.client.Token("u", "CO", []string{"leader"}, map[string]any{"iss": "https://elsewhere.example"})
	parts := strings.Split(good, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	for name, tok := range map[string]string{"missing": "", "expired": expired, "wrong audience": wrongAud, "wrong issuer": wrongIss, "wrongly signed": forged, "garbage": "not-a-jwt"} {
		r := h.do("GET", "/organisations", tok, "", nil, nil)
		if r.Status != 401 {
			t.Errorf("%s token: status %d, want 401", name, r.Status)
		}
	}
	mustStatus(t, h.do("GET", "/organisations", good, "", nil, nil), 200)
}

func zipBomb(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	zeros := make([]byte, 1<<20)
	for i := 0; i < 200; i++ {
		_, _ = w.Write(zeros)
	}
	_ = zw.Close()
	return b.Bytes()
}

func TestHostileInputIsA4xx(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	unknown := sampleFor(o, q1)
	unknown["favourite_colour"] = "green"
	future := sampleFor(o, q1)
	future["period"] = "2030-31-Q1"
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		status            int
		code              string
	}{
		{"not a workbook", workforce.ContentTypeXLSX, []byte("this is plain text, not a workbook"), 415, "unsupported"},
		{"zip bomb", workforce.ContentTypeXLSX, zipBomb(t), 422, "invalid"},
		{"csv that is not utf-8", "text/csv", []byte("field,value\norg," + o.Code + "\nnotes,caf\xe9\n"), 422, "invalid"},
		{"unknown field", "text/csv", sample.CSV(unknown), 422, "invalid"},
		{"future period", httpapi.ContentTypeJSON, sample.JSON(future), 422, "invalid"},
		{"over the size limit", "text/csv", bytes.Repeat([]byte("x"), 5<<20), 413, "too_large"},
		{"unsupported content type", "application/pdf", []byte("%PDF-1.7"), 415, "unsupported"},
		{"empty body", httpapi.ContentTypeJSON, nil, 400, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := h.submit(tok, tc.contentType, tc.body, nil)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", r.Status, tc.status, r.Body)
			}
			if tc.status != 413 || r.Header.Get("Content-Type") == "application/problem+json" {
				if p := problems(t, r); p.Code != tc.code || p.Detail == "" {
					t.Errorf("problem %+v", p)
				}
			}
		})
	}
	mustStatus(t, h.do("GET", "/returns/"+o.Code+"/2025-26-Q1", tok, "", nil, nil), 404)
}

func TestBulkStoresAllOrNothing(t *testing.T) {
	h := newHarness(t)
	a, b := h.newOrg(workforce.CivilService), h.newOrg(workforce.LocalGovernment)
	good := []map[string]string{sampleFor(a, q1), sampleFor(b, q1)}
	bad := sampleFor(a, q1.Prev())
	bad["headcount"] = "lots"
	r := h.do("POST", "/returns/bulk", h.admin(), "text/csv", sample.BulkCSV(append(good, bad)), nil)
	mustStatus(t, r, 422)
	p := problems(t, r)
	if len(p.Errors) == 0 || p.Errors[0].Row != 3 || p.Errors[0].Field != "headcount" {
		t.Errorf("bulk problems %+v", p.Errors)
	}
	mustStatus(t, h.do("GET", "/returns/"+a.Code+"/2025-26-Q1", h.admin(), "", nil, nil), 404)

	r = h.do("POST", "/returns/bulk", h.admin(), "text/csv", sample.BulkCSV(good), nil)
	mustStatus(t, r, 201)
	var out struct{ Receipts []workforce.Receipt }
	_ = json.Unmarshal(r.Body, &out)
	if len(out.Receipts) != 2 || out.Receipts[1].Org != b.Code || out.Receipts[1].Version != 1 {
		t.Errorf("bulk receipts %+v", out.Receipts)
	}
	mustStatus(t, h.do("POST", "/returns/bulk", h.token("CO", "leader"), "text/csv", sample.BulkCSV(good), nil), 403)
}

// The template, downloaded from the API and filled in by another tool (openpyxl, writing
// by defined name), is accepted.
func TestTemplateFilledByAnotherTool(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "template.xlsx"), filepath.Join(dir, "filled.xlsx")
	if err := os.WriteFile(in, h.template(tok, "?period=2025/26%20Q1"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{reporoot.Path("infra", "scripts", "fill_template.py"), in, out}
	for k, v := range sampleFor(o, q1) {
		if k != "org" && k != "period" { // pre-filled by the API
			args = append(args, k+"="+v)
		}
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openpyxl fill failed (make test installs python3-openpyxl): %v\n%s", err, msg)
	}
	filled, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	r, rc := h.submit(tok, workforce.ContentTypeXLSX, filled, nil)
	mustStatus(t, r, 201)
	if rc.Org != o.Code || rc.Period != "2025-26-Q1" {
		t.Errorf("receipt %+v", rc)
	}
}

func TestOrganisations(t *testing.T) {
	h := newHarness(t)
	r := h.do("GET", "/organisations", h.token("HMRC", "submitter"), "", nil, nil)
	mustStatus(t, r, 200)
	var reg struct{ Organisations []workforce.Organisation }
	_ = json.Unmarshal(r.Body, &reg)
	found := false
	for _, o := range reg.Organisations {
		found = found || (o.Code == "HMRC" && o.Kind == workforce.CivilService && o.BaselineHeadcount > 0)
	}
	if !found {
		t.Errorf("HMRC not in the seeded register (%d organisations)", len(reg.Organisations))
	}
	r = h.do("PUT", "/organisations/NEWORG", h.admin(), httpapi.ContentTypeJSON, []byte(`{"code":"NEWORG","name":"","kind":"county"}`), nil)
	mustStatus(t, r, 422)
	if p := problems(t, r); len(p.Errors) != 2 {
		t.Errorf("organisation problems %+v", p.Errors)
	}
}
