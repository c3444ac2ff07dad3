package integration

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// revisionView is what the tests read of a version beyond returnView.
type revisionView struct {
	Version        int    `json:"version"`
	SHA256         string `json:"sha256"`
	RevisionReason string `json:"revision_reason"`
	SignOff        *struct {
		Version     int       `json:"version"`
		SHA256      string    `json:"sha256"`
		SignedOffBy string    `json:"signed_off_by"`
		SignedOffAt time.Time `json:"signed_off_at"`
	} `json:"sign_off"`
	Versions []struct {
		Version   int  `json:"version"`
		SignedOff bool `json:"signed_off"`
	} `json:"versions"`
}

func (h *harness) revisionView(token, path string) revisionView {
	h.t.Helper()
	r := h.do("GET", path, token, "", nil, nil)
	mustStatus(h.t, r, 200)
	var v revisionView
	if err := json.Unmarshal(r.Body, &v); err != nil {
		h.t.Fatal(err)
	}
	return v
}

type changesDoc struct {
	Org             string  `json:"org"`
	Period          string  `json:"period"`
	Version         int     `json:"version"`
	PreviousVersion *int    `json:"previous_version"`
	RevisionReason  *string `json:"revision_reason"`
	Changes         []struct {
		Field string `json:"field"`
		Label string `json:"label"`
		Old   any    `json:"old"`
		New   any    `json:"new"`
	} `json:"changes"`
}

// A revision must say why; the receipt, the version and its changes carry the reason, in
// every format the return can arrive in.
func TestRevisionNeedsAReasonAndListsItsChanges(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	base := "/returns/" + o.Code + "/" + q1.String()
	first := sampleFor(o, q1)
	r, rc1 := h.submit(tok, httpapi.ContentTypeJSON, sample.JSON(first), nil)
	mustStatus(t, r, 201)
	if rc1.RevisionReason != "" {
		t.Errorf("version 1 has a reason %q it was not given", rc1.RevisionReason)
	}

	revised := sampleFor(o, q1)
	revised["cslg_members"] = "99"
	revised["board_digital_ned"] = map[string]string{"yes": "no", "no": "yes"}[strings.ToLower(first["board_digital_ned"])]
	delete(revised, "contact_name")
	for _, send := range []struct {
		name, contentType string
		body              []byte
	}{
		{"JSON", httpapi.ContentTypeJSON, sample.JSON(revised)},
		{"CSV", "text/csv", sample.CSV(revised)},
	} {
		r, _ := h.submit(tok, send.contentType, send.body, nil)
		mustStatus(t, r, 422)
		p := problems(t, r)
		if len(p.Errors) != 1 || p.Errors[0].Field != workforce.KeyRevisionReason || p.Errors[0].Code != "revision_reason_required" ||
			!strings.HasPrefix(p.Errors[0].Message, "Say why you are changing this return") {
			t.Errorf("%s revision without a reason: %+v", send.name, p.Errors)
		}
	}
	if v := h.view(tok, base); v.Version != 1 {
		t.Fatalf("a refused revision stored version %d", v.Version)
	}

	// The template's reason cell, filled by name, is read like any other.
	tmpl := h.do("GET", "/template", tok, "", nil, nil)
	mustStatus(t, tmpl, 200)
	revised[workforce.KeyRevisionReason] = "Board appointment confirmed;\nCSLG membership recounted."
	xlsx, err := sample.FillTemplate(tmpl.Body, revised)
	if err != nil {
		t.Fatal(err)
	}
	r, rc2 := h.submit(tok, workforce.ContentTypeXLSX, xlsx, nil)
	mustStatus(t, r, 201)
	if rc2.Version != 2 || rc2.RevisionReason != revised[workforce.KeyRevisionReason] {
		t.Errorf("receipt %+v, want version 2 with its reason", rc2)
	}
	for _, path := range []string{base, base + "/versions/2"} {
		if v := h.revisionView(tok, path); v.Version != 2 || v.RevisionReason != revised[workforce.KeyRevisionReason] {
			t.Errorf("%s: version %d, reason %q", path, v.Version, v.RevisionReason)
		}
	}
	// The same figures with another reason are the current version again, not a new one.
	revised[workforce.KeyRevisionReason] = "Sent twice."
	r, dup := h.submit(tok, "text/csv", sample.CSV(revised), nil)
	mustStatus(t, r, 200)
	if !dup.Duplicate || dup.Version != 2 || dup.SHA256 != rc2.SHA256 || dup.RevisionReason != rc2.RevisionReason {
		t.Errorf("a resend with a new reason: %+v, want the duplicate of version 2", dup)
	}

	// Exactly the fields that changed, in catalogue order, typed; the reason is not one.
	leader := h.token("CO", "leader")
	r = h.do("GET", base+"/versions/2/changes", leader, "", nil, nil)
	mustStatus(t, r, 200)
	var ch changesDoc
	if err := json.Unmarshal(r.Body, &ch); err != nil {
		t.Fatal(err)
	}
	if ch.Org != o.Code || ch.Version != 2 || ch.PreviousVersion == nil || *ch.PreviousVersion != 1 || ch.RevisionReason == nil || *ch.RevisionReason != rc2.RevisionReason {
		t.Errorf("changes header %+v", ch)
	}
	var got []string
	for _, c := range ch.Changes {
		got = append(got, fmt.Sprintf("%s %v→%v", c.Field, c.Old, c.New))
	}
	board := revised["board_digital_ned"] == "yes"
	want := []string{"contact_name " + first["contact_name"] + "→<nil>", fmt.Sprintf("board_digital_ned %v→%v", !board, board), "cslg_members " + first["cslg_members"] + "→99"}
	if !slices.Equal(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	if len(ch.Changes) > 1 && ch.Changes[1].Label != "Digital non-executive director on the board" {
		t.Errorf("label %q", ch.Changes[1].Label)
	}

	// Version 1 changes every field it gives from nothing.
	r = h.do("GET", base+"/versions/1/changes", tok, "", nil, nil)
	mustStatus(t, r, 200)
	ch = changesDoc{}
	_ = json.Unmarshal(r.Body, &ch)
	if ch.PreviousVersion != nil || ch.RevisionReason != nil || len(ch.Changes) != len(first) || ch.Changes[0].Old != nil {
		t.Errorf("version 1 changes: previous %v, reason %v, %d changes, want null, null and %d from nothing", ch.PreviousVersion, ch.RevisionReason, len(ch.Changes), len(first))
	}
	mustStatus(t, h.do("GET", base+"/versions/3/changes", tok, "", nil, nil), 404)
	mustStatus(t, h.do("GET", base+"/versions/0/changes", tok, "", nil, nil), 400)
	other := h.newOrg(workforce.CivilService)
	mustStatus(t, h.do("GET", base+"/versions/2/changes", h.token(other.Code, "submitter"), "", nil, nil), 403)
	mustStatus(t, h.do("GET", base+"/versions/2/changes", h.token(other.Code, "approver"), "", nil, nil), 403)
}

// An approver signs off one exact version of their own organisation's return: bound to
// its hash, once, and a later version is unsigned until it is signed off itself.
func TestSignOffIsBoundToOneVersion(t *testing.T) {
	h := newHarness(t)
	o, other := h.newOrg(workforce.CivilService), h.newOrg(workforce.CivilService)
	sub := h.token(o.Code, "submitter")
	approver, _ := h.client.Token("approver-one-"+o.Code, o.Code, []string{"approver"}, nil)
	second, _ := h.client.Token("approver-two-"+o.Code, o.Code, []string{"approver"}, nil)
	base := "/returns/" + o.Code + "/" + q1.String()
	signOff := func(token string, n int, hash string) (int, map[string]any, problemDoc) {
		t.Helper()
		r := h.do("POST", fmt.Sprintf("%s/versions/%d/sign-off", base, n), token, httpapi.ContentTypeJSON, []byte(`{"sha256":"`+hash+`"}`), nil)
		var body map[string]any
		var p problemDoc
		if r.Status < 300 {
			_ = json.Unmarshal(r.Body, &body)
		} else {
			p = problems(t, r)
		}
		return r.Status, body, p
	}
	v1 := sampleFor(o, q1)
	_, rc1 := h.submit(sub, httpapi.ContentTypeJSON, sample.JSON(v1), nil)
	v2 := sampleFor(o, q1)
	v2["cslg_members"], v2[workforce.KeyRevisionReason] = "98", "CSLG membership recounted."
	_, rc2 := h.submit(sub, httpapi.ContentTypeJSON, sample.JSON(v2), nil)
	if rc1.Version != 1 || rc2.Version != 2 {
		t.Fatalf("setup: versions %d and %d", rc1.Version, rc2.Version)
	}

	// Another organisation's approver, and a submitter, may not.
	if s, _, _ := signOff(h.token(other.Code, "approver"), 2, rc2.SHA256); s != 403 {
		t.Errorf("another organisation's approver: %d, want 403", s)
	}
	if s, _, _ := signOff(sub, 2, rc2.SHA256); s != 403 {
		t.Errorf("a submitter: %d, want 403", s)
	}
	// A stale hash (version 1's, as read before the revision) is 409 naming the current one.
	s, _, p := signOff(approver, 2, rc1.SHA256)
	if s != 409 || len(p.Errors) != 1 || p.Errors[0].Code != "stale_sha256" || !strings.Contains(p.Detail, rc2.SHA256) {
		t.Errorf("stale hash: %d %+v", s, p)
	}
	// Version 1 has been replaced: it cannot be signed off now.
	if s, _, p := signOff(approver, 1, rc1.SHA256); s != 409 || p.Errors[0].Code != "version_superseded" || !strings.Contains(p.Detail, rc2.SHA256) {
		t.Errorf("a replaced version: %d %+v", s, p)
	}
	if s, _, _ := signOff(approver, 3, rc2.SHA256); s != 404 {
		t.Errorf("a version that does not exist: %d, want 404", s)
	}

	s, so, _ := signOff(approver, 2, rc2.SHA256)
	if s != 201 || so["version"] != float64(2) || so["sha256"] != rc2.SHA256 || so["signed_off_by"] != "approver-one-"+o.Code || so["signed_off_at"] == nil {
		t.Fatalf("sign-off: %d %v", s, so)
	}
	if s, again, _ := signOff(approver, 2, rc2.SHA256); s != 200 || again["signed_off_at"] != so["signed_off_at"] {
		t.Errorf("the same approver again: %d %v, want 200 with the first sign-off", s, again)
	}
	if s, _, p := signOff(second, 2, rc2.SHA256); s != 409 || p.Errors[0].Code != "already_signed_off" {
		t.Errorf("a second sign-off: %d %+v, want 409 already_signed_off", s, p)
	}
	v := h.revisionView(h.token("CO", "leader"), base)
	if v.SignOff == nil || v.SignOff.Version != 2 || v.SignOff.SHA256 != rc2.SHA256 || len(v.Versions) != 2 || v.Versions[0].SignedOff || !v.Versions[1].SignedOff {
		t.Errorf("the signed-off version's view: %+v", v)
	}
	if !orgSignedOff(t, h, o.Code) {
		t.Error("metrics: the organisation's row is not signed off")
	}

	// A later version needs its own sign-off.
	v3 := sampleFor(o, q1)
	v3["cslg_members"], v3[workforce.KeyRevisionReason] = "97", "One more member left in June."
	_, rc3 := h.submit(sub, httpapi.ContentTypeJSON, sample.JSON(v3), nil)
	if rc3.Version != 3 {
		t.Fatalf("version %d, want 3", rc3.Version)
	}
	cur := h.revisionView(approver, base)
	if cur.Version != 3 || cur.SignOff != nil || cur.Versions[2].SignedOff || !cur.Versions[1].SignedOff {
		t.Errorf("version 3 before its sign-off: %+v", cur)
	}
	if old := h.revisionView(approver, base+"/versions/2"); old.SignOff == nil {
		t.Error("version 2 lost its sign-off")
	}
	if orgSignedOff(t, h, o.Code) {
		t.Error("metrics: version 3 counts as signed off")
	}
	if s, _, _ := signOff(approver, 3, rc3.SHA256); s != 201 {
		t.Errorf("version 3: %d, want 201", s)
	}
	if !orgSignedOff(t, h, o.Code) {
		t.Error("metrics: version 3's sign-off is not shown")
	}
}

// orgSignedOff reads the organisation's row of GET /metrics for q1.
func orgSignedOff(t *testing.T, h *harness, code string) bool {
	t.Helper()
	r := h.do("GET", "/metrics/"+q1.String(), h.token("CO", "leader"), "", nil, nil)
	mustStatus(t, r, 200)
	var res struct {
		Organisations []struct {
			Code      string `json:"code"`
			SignedOff *bool  `json:"signed_off"`
		} `json:"organisations"`
	}
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Organisations {
		if o.Code == code {
			if o.SignedOff == nil {
				t.Fatal("the row has no signed_off")
			}
			return *o.SignedOff
		}
	}
	t.Fatalf("no row for %s", code)
	return false
}
