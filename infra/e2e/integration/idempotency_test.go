package integration

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// A submitter token without an organisation is refused on every route before anything
// runs: it was once read as "every organisation", and GET /returns listed them all.
func TestSubmitterWithoutOrganisationIsRefusedEverywhere(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	_, rc := h.submit(h.token(o.Code, "submitter"), httpapi.ContentTypeJSON, sample.JSON(sampleFor(o, q1)), nil)
	if rc.Version != 1 {
		t.Fatal("setup: no return stored")
	}
	for _, roles := range [][]string{{"submitter"}, {"submitter", "leader"}, {"approver"}, {"approver", "leader"}} {
		tok, err := h.client.Token("no-org-"+strings.Join(roles, "-"), "", roles, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/returns", "/returns?period=2025-26-Q1", "/returns?org=" + o.Code, "/returns/" + o.Code + "/2025-26-Q1", "/organisations", "/template"} {
			r := h.do("GET", path, tok, "", nil, nil)
			if r.Status != 403 {
				t.Errorf("%v GET %s: status %d, want 403: %.200s", roles, path, r.Status, r.Body)
				continue
			}
			if p := problems(t, r); !strings.Contains(p.Detail, "no organisation") {
				t.Errorf("%v GET %s: detail %q does not say the token has no organisation", roles, path, p.Detail)
			}
		}
		r := h.do("POST", "/returns", tok, httpapi.ContentTypeJSON, sample.JSON(sampleFor(o, q1)), nil)
		mustStatus(t, r, 403)
		r = h.do("POST", "/returns/"+o.Code+"/2025-26-Q1/versions/1/sign-off", tok, httpapi.ContentTypeJSON, []byte(`{"sha256":"`+rc.SHA256+`"}`), nil)
		mustStatus(t, r, 403)
	}
}

// A replayed Idempotency-Key is authorised like a first request: the same subject with
// another organisation's claim does not get the first organisation's receipt.
func TestReplayIsAuthorised(t *testing.T) {
	h := newHarness(t)
	a, b := h.newOrg(workforce.CivilService), h.newOrg(workforce.CivilService)
	sub := "mover-" + a.Code
	tokA, _ := h.client.Token(sub, a.Code, []string{"submitter"}, nil)
	tokB, _ := h.client.Token(sub, b.Code, []string{"submitter"}, nil)
	body := sample.JSON(sampleFor(a, q1))
	key := map[string]string{"Idempotency-Key": "replay-" + a.Code}
	r, _ := h.submit(tokA, httpapi.ContentTypeJSON, body, key)
	mustStatus(t, r, 201)
	r, _ = h.submit(tokB, httpapi.ContentTypeJSON, body, key)
	mustStatus(t, r, 403)
	if strings.Contains(string(r.Body), "submission_id") {
		t.Errorf("the refusal carries the receipt: %s", r.Body)
	}
	// The first organisation's own replay still answers its receipt.
	r, _ = h.submit(tokA, httpapi.ContentTypeJSON, body, key)
	mustStatus(t, r, 201)
}

// The scope of a key cannot be spelt by another subject and key: subject "a#b" with key
// "c" once shared a record with subject "a" with key "b#c".
func TestIdempotencyScopesCannotCollide(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	first, _ := h.client.Token("collide-"+o.Code+"#b", o.Code, []string{"submitter"}, nil)
	second, _ := h.client.Token("collide-"+o.Code, o.Code, []string{"submitter"}, nil)
	r, rc1 := h.submit(first, httpapi.ContentTypeJSON, sample.JSON(sampleFor(o, q1)), map[string]string{"Idempotency-Key": "c"})
	mustStatus(t, r, 201)
	revised := sampleFor(o, q1)
	revised["cslg_members"] = "77"
	revised[workforce.KeyRevisionReason] = "CSLG membership corrected."
	r, rc2 := h.submit(second, httpapi.ContentTypeJSON, sample.JSON(revised), map[string]string{"Idempotency-Key": "b#c"})
	mustStatus(t, r, 201)
	if rc1.Version != 1 || rc2.Version != 2 {
		t.Errorf("versions %d and %d, want 1 and 2", rc1.Version, rc2.Version)
	}
}

// An expired record that TTL has not deleted yet is absent: the key can be used again,
// and its new record replaces the old one. It once answered 500 until DynamoDB removed it.
func TestExpiredIdempotencyRecordIsAbsent(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	p := h.inProcess()
	sub := "late-" + o.Code
	key := "reused-" + o.Code
	p.api.Service.Now = func() time.Time { return time.Now().Add(-48 * time.Hour) }
	_, created, err := p.api.Service.Submit(h.ctx, workforce.Upload{
		Principal: workforce.Principal{Subject: sub, Org: o.Code, Roles: []string{"submitter"}},
		Format:    workforce.FormatJSON, Body: sample.JSON(sampleFor(o, q1)), IdempotencyKey: key})
	if err != nil || !created {
		t.Fatalf("setup: created %v, %v", created, err)
	}
	tok, _ := h.client.Token(sub, o.Code, []string{"submitter"}, nil)
	revised := sampleFor(o, q1)
	revised["cslg_members"] = "55"
	revised[workforce.KeyRevisionReason] = "CSLG membership corrected."
	hdr := map[string]string{"Idempotency-Key": key}
	for i := 0; i < 2; i++ {
		// The second time, the record written by the first answers.
		r, rc := h.submit(tok, httpapi.ContentTypeJSON, sample.JSON(revised), hdr)
		mustStatus(t, r, 201)
		if rc.Version != 2 {
			b, _ := json.Marshal(rc)
			t.Errorf("attempt %d: receipt %s, want version 2", i+1, b)
		}
	}
}
