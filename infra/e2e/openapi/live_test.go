package openapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/extract/extracttest"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// live sends requests to the local stack and checks every answer against the document.
type live struct {
	t      *testing.T
	s      *spec
	client *localclient.Client
	ctx    context.Context
	seen   map[string][]int // route key → statuses answered
}

func newLive(t *testing.T) *live {
	t.Helper()
	env, err := localclient.LoadEnv()
	if err != nil {
		t.Fatal(err) // the stack is required: `make up`, or `make test`
	}
	c, err := localclient.New(env)
	if err != nil {
		t.Fatal(err)
	}
	return &live{t: t, s: loadSpec(t), client: c, ctx: context.Background(), seen: map[string][]int{}}
}

func (l *live) token(org string, roles ...string) string {
	l.t.Helper()
	tok, err := l.client.Token("openapi-"+strings.ToLower(org)+"-"+strings.Join(roles, "-"), org, roles, nil)
	if err != nil {
		l.t.Fatal(err)
	}
	return tok
}

// req describes one request: the route it is for (method and documented path), the
// concrete path with its query, and the statuses the test expects.
type req struct {
	route       string // "GET /returns/{org}/{period}"
	path        string // "/returns/HMRC/2025-26-Q1?x=y"
	token       string
	contentType string
	body        []byte
	headers     map[string]string
	want        []int
}

// do sends r, checks the status is one the test expects, and validates the answer
// against the document: the status must be documented for the operation, the
// Content-Type must be a documented one, the body must validate against that media
// type's schema, and the documented headers must be present and valid.
func (l *live) do(r req) localclient.Response {
	l.t.Helper()
	method, docPath, _ := strings.Cut(r.route, " ")
	resp, err := l.client.Do(l.ctx, method, r.path, r.token, r.contentType, r.body, r.headers)
	if err != nil {
		l.t.Fatalf("%s %s: %v", method, r.path, err)
	}
	l.seen[r.route] = append(l.seen[r.route], resp.Status)
	at := fmt.Sprintf("%s %s → %d", method, r.path, resp.Status)
	if len(r.want) > 0 && !slices.Contains(r.want, resp.Status) {
		l.t.Errorf("%s: want %v: %.400s", at, r.want, resp.Body)
	}
	for _, e := range l.check(method, docPath, resp) {
		l.t.Errorf("%s: %s", at, e)
	}
	return resp
}

// check validates one answer against the document and lists what is wrong.
func (l *live) check(method, path string, resp localclient.Response) []string {
	op, ok := l.s.operation(method, path)
	if !ok {
		return []string{"the operation is not documented"}
	}
	code := fmt.Sprint(resp.Status)
	if _, ok := op.Op["responses"].(map[string]any)[code]; !ok {
		return []string{fmt.Sprintf("status %d is not documented for %s %s: %.300s", resp.Status, method, path, resp.Body)}
	}
	r, ptr, err := l.s.resolve(ptrJoin(op.Ptr, "responses", code))
	if err != nil {
		return []string{err.Error()}
	}
	var errs []string

	// Headers.
	hs, _ := r["headers"].(map[string]any)
	for _, name := range sortedKeys(hs) {
		h, hptr, err := l.s.resolve(ptrJoin(ptr, "headers", name))
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		v := resp.Header.Get(name)
		if v == "" {
			if h["required"] == true {
				errs = append(errs, fmt.Sprintf("no %s header, which the document requires", name))
			}
			continue
		}
		if sch, err := l.s.schema(hptr + "/schema"); err != nil {
			errs = append(errs, err.Error())
		} else if err := sch.Validate(v); err != nil {
			errs = append(errs, fmt.Sprintf("header %s %q: %v", name, v, err))
		}
	}

	// Body.
	content, _ := r["content"].(map[string]any)
	ct := resp.Header.Get("Content-Type")
	if len(content) == 0 {
		if len(resp.Body) != 0 || ct != "" {
			errs = append(errs, fmt.Sprintf("the document says no body, but the answer has %d bytes of %q", len(resp.Body), ct))
		}
		return errs
	}
	if _, ok := content[ct]; !ok {
		return append(errs, fmt.Sprintf("Content-Type %q, but the document declares %v: %.300s", ct, sortedKeys(content), resp.Body))
	}
	sptr := ptrJoin(ptr, "content", ct, "schema")
	if !isJSON(ct) {
		// Binary: the only one is the XLSX template, a zip.
		if !bytes.HasPrefix(resp.Body, []byte("PK\x03\x04")) {
			errs = append(errs, fmt.Sprintf("a %s body that is not a zip", ct))
		}
		return errs
	}
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(resp.Body))
	if err != nil {
		return append(errs, fmt.Sprintf("the body is not JSON: %v: %.300s", err, resp.Body))
	}
	sch, err := l.s.schema(sptr)
	if err != nil {
		return append(errs, err.Error())
	}
	if err := sch.Validate(body); err != nil {
		errs = append(errs, fmt.Sprintf("the body does not match #%s:\n%v\nbody: %.1500s", sptr, err, resp.Body))
	}
	return errs
}

// checkRequest validates a JSON request body against the operation's request schema,
// so the document's request schemas are known to describe real, accepted requests.
func (l *live) checkRequest(route, contentType string, body []byte) {
	l.t.Helper()
	method, path, _ := strings.Cut(route, " ")
	op, _ := l.s.operation(method, path)
	sch, err := l.s.schema(ptrJoin(op.Ptr, "requestBody", "content", contentType, "schema"))
	if err != nil {
		l.t.Fatalf("%s request schema: %v", route, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		l.t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		l.t.Errorf("%s: a request the API accepts does not match the documented request schema:\n%v\nbody: %s", route, err, body)
	}
}

func newCode(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "OA" + strings.ToUpper(hex.EncodeToString(b))
}

// TestLiveResponsesMatchDocument calls every route of the local stack, with its main
// success and several errors, and validates each answer against the document.
func TestLiveResponsesMatchDocument(t *testing.T) {
	l := newLive(t)
	admin := l.token("CO", "admin")
	leader := l.token("CO", "leader")
	expired, err := l.client.Token("openapi-expired", "CO", []string{"admin"}, map[string]any{"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	q := period.MustQuarter("2025-26-Q1")
	const month = "2025-08" // its reference quarter is 2025-26-Q1

	// The register: a civil-service and a local-government organisation of our own.
	cs := workforce.Organisation{Code: newCode(t), Name: "OpenAPI test civil-service body", Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 12000}
	lg := workforce.Organisation{Code: newCode(t), Name: "OpenAPI test local-government body", Kind: workforce.LocalGovernment, BaselineHeadcount: 900, ActiveFrom: "2020-04-01"}
	for _, o := range []workforce.Organisation{cs, lg} {
		body, _ := json.Marshal(o)
		l.checkRequest("PUT /organisations/{code}", "application/json", body)
		l.do(req{route: "PUT /organisations/{code}", path: "/organisations/" + o.Code, token: admin, contentType: "application/json", body: body, want: []int{201}})
	}
	// Changing an organisation that exists answers 200.
	body, _ := json.Marshal(cs)
	l.do(req{route: "PUT /organisations/{code}", path: "/organisations/" + cs.Code, token: admin, contentType: "application/json", body: body, want: []int{200}})
	sub := l.token(cs.Code, "submitter")
	subLG := l.token(lg.Code, "submitter")
	put := "PUT /organisations/{code}"
	l.do(req{route: put, path: "/organisations/" + cs.Code, token: leader, contentType: "application/json", body: []byte(`{"name":"x","kind":"civil_service"}`), want: []int{403}})
	l.do(req{route: put, path: "/organisations/" + cs.Code, token: admin, contentType: "application/json", body: []byte(`{"code":"OTHER","name":"","kind":"county","colour":"red"}`), want: []int{422}})
	l.do(req{route: put, path: "/organisations/" + cs.Code, token: admin, contentType: "application/json", body: []byte(`{"code":"OTHER","name":"","kind":"county"}`), want: []int{422}})
	l.do(req{route: put, path: "/organisations/" + cs.Code, token: admin, contentType: "application/json", want: []int{400}})
	l.do(req{route: put, path: "/organisations/" + cs.Code, token: "", contentType: "application/json", body: []byte(`{}`), want: []int{401}})

	l.do(req{route: "GET /organisations", path: "/organisations", token: sub, want: []int{200}})
	l.do(req{route: "GET /organisations", path: "/organisations", token: expired, want: []int{401}})
	l.do(req{route: "GET /targets", path: "/targets", token: sub, want: []int{200}})
	l.do(req{route: "GET /targets", path: "/targets", token: "not-a-jwt", want: []int{401}})

	// The template.
	tmpl := l.do(req{route: "GET /template", path: "/template", token: sub, want: []int{200}})
	l.do(req{route: "GET /template", path: "/template?org=" + cs.Code + "&period=2025/26%20Q1", token: admin, want: []int{200}})
	l.do(req{route: "GET /template", path: "/template?org=ZZ-NOT-REGISTERED&period=2025%20Q1", token: sub, want: []int{400}})
	l.do(req{route: "GET /template", path: "/template", want: []int{401}})

	// Returns in each format: JSON creates version 1, the others repeat it.
	post := "POST /returns"
	values := sample.Return(cs, q)
	js := sample.JSON(values)
	l.checkRequest(post, "application/json", js)
	created := l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: js, want: []int{201}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: js, want: []int{200}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: "text/csv", body: sample.CSV(values), want: []int{200}})
	if tmpl.Status == 200 {
		xlsx, err := sample.FillTemplate(tmpl.Body, values)
		if err != nil {
			t.Fatal(err)
		}
		l.do(req{route: post, path: "/returns", token: sub, contentType: workforce.ContentTypeXLSX, body: xlsx, want: []int{200}})
	}
	var rc workforce.Receipt
	if err := json.Unmarshal(created.Body, &rc); err != nil || rc.Version != 1 {
		t.Fatalf("the first submission's receipt: %v %s", err, created.Body)
	}
	// A revision, sent with an Idempotency-Key: version 2; the key with another body is 409.
	revised := sample.Return(cs, q)
	revised["cslg_members"] = "99"
	revised["exec_committee_digital_leader"] = "Y"
	// Without its reason a revision is 422; with it, version 2.
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: sample.JSON(revised), want: []int{422}})
	revised[workforce.KeyRevisionReason] = "CSLG membership recounted; digital leader appointed in June."
	revisedJS := sample.JSON(revised)
	l.checkRequest(post, "application/json", revisedJS)
	key := map[string]string{"Idempotency-Key": "openapi-" + cs.Code}
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: revisedJS, headers: key, want: []int{201}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: revisedJS, headers: key, want: []int{201}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: js, headers: key, want: []int{409}})
	// Errors.
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: js, headers: map[string]string{"Idempotency-Key": "has a space"}, want: []int{400}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, want: []int{400}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: "application/pdf", body: []byte("%PDF-1.7"), want: []int{415}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: workforce.ContentTypeXLSX, body: []byte("plain text, not a workbook"), want: []int{415}})
	bad := sample.Return(cs, q)
	bad["ddat_grade_g7_g6"] = "0"
	bad["board_digital_ned"] = "sometimes"
	l.do(req{route: post, path: "/returns", token: sub, contentType: "text/csv", body: sample.CSV(bad), want: []int{422}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: []byte(`{"org": "` + cs.Code + `", "period": "2025 Q1", "favourite_colour": "green"}`), want: []int{422}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: httpapi.ContentTypeJSON, body: sample.JSON(sample.Return(lg, q)), want: []int{403}})
	l.do(req{route: post, path: "/returns", token: leader, contentType: httpapi.ContentTypeJSON, body: js, want: []int{403}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: "text/csv", body: bytes.Repeat([]byte("x"), 5<<20), want: []int{413}})
	l.do(req{route: post, path: "/returns", token: sub, contentType: workforce.ContentTypeXLSX, body: bytes.Repeat([]byte("x"), 7<<20), want: []int{413}})
	l.do(req{route: post, path: "/returns", token: expired, contentType: httpapi.ContentTypeJSON, body: js, want: []int{401}})
	// Checking without sending: 200 with what would be stored, or the same refusals.
	check := "POST /returns/check"
	l.checkRequest(check, "application/json", revisedJS)
	l.do(req{route: check, path: "/returns/check", token: sub, contentType: httpapi.ContentTypeJSON, body: revisedJS, want: []int{200}})
	// Going back to version 1's figures would be version 3, a revision: it needs a reason.
	l.do(req{route: check, path: "/returns/check", token: sub, contentType: httpapi.ContentTypeJSON, body: js, want: []int{422}})
	l.do(req{route: check, path: "/returns/check", token: sub, contentType: "text/csv", body: sample.CSV(bad), want: []int{422}})
	l.do(req{route: check, path: "/returns/check", token: sub, contentType: httpapi.ContentTypeJSON, body: sample.JSON(sample.Return(lg, q)), want: []int{403}})
	l.do(req{route: check, path: "/returns/check", token: leader, contentType: httpapi.ContentTypeJSON, body: js, want: []int{403}})
	l.do(req{route: check, path: "/returns/check", token: sub, contentType: "application/pdf", body: []byte("%PDF-1.7"), want: []int{415}})
	l.do(req{route: check, path: "/returns/check", token: "", contentType: httpapi.ContentTypeJSON, body: js, want: []int{401}})
	lgJS := sample.JSON(sample.Return(lg, q))
	l.checkRequest(post, "application/json", lgJS)
	l.do(req{route: post, path: "/returns", token: subLG, contentType: httpapi.ContentTypeJSON, body: lgJS, want: []int{201}})

	// Bulk: the previous quarter of both, all or nothing.
	bulk := "POST /returns/bulk"
	rows := []map[string]string{sample.Return(cs, q.Prev()), sample.Return(lg, q.Prev())}
	l.do(req{route: bulk, path: "/returns/bulk", token: admin, contentType: "text/csv", body: sample.BulkCSV(rows), want: []int{201}})
	l.do(req{route: bulk, path: "/returns/bulk", token: admin, contentType: "text/csv", body: sample.BulkCSV(rows), want: []int{200}})
	badRow := sample.Return(cs, q.Prev().Prev())
	badRow["headcount"] = "lots"
	l.do(req{route: bulk, path: "/returns/bulk", token: admin, contentType: "text/csv", body: sample.BulkCSV(append(rows, badRow)), want: []int{422}})
	l.do(req{route: bulk, path: "/returns/bulk", token: admin, contentType: httpapi.ContentTypeJSON, body: js, want: []int{415}})
	l.do(req{route: bulk, path: "/returns/bulk", token: admin, contentType: "text/csv", want: []int{400}})
	l.do(req{route: bulk, path: "/returns/bulk", token: leader, contentType: "text/csv", body: sample.BulkCSV(rows), want: []int{403}})

	// Reading returns.
	list := "GET /returns"
	l.do(req{route: list, path: "/returns", token: sub, want: []int{200}})
	l.do(req{route: list, path: "/returns?org=" + strings.ToLower(cs.Code), token: sub, want: []int{200}})
	l.do(req{route: list, path: "/returns?period=" + q.String(), token: leader, want: []int{200}})
	l.do(req{route: list, path: "/returns?org=" + lg.Code, token: sub, want: []int{403}})
	l.do(req{route: list, path: "/returns?period=2025%20Q1", token: leader, want: []int{400}})
	one := "GET /returns/{org}/{period}"
	l.do(req{route: one, path: "/returns/" + cs.Code + "/" + q.String(), token: sub, want: []int{200}})
	l.do(req{route: one, path: "/returns/" + lg.Code + "/2025%2F26%20Q1", token: leader, want: []int{200}})
	l.do(req{route: one, path: "/returns/" + lg.Code + "/" + q.String(), token: sub, want: []int{403}})
	l.do(req{route: one, path: "/returns/" + cs.Code + "/2023-24-Q1", token: sub, want: []int{404}})
	l.do(req{route: one, path: "/returns/" + cs.Code + "/2025%20Q1", token: sub, want: []int{400}})
	ver := "GET /returns/{org}/{period}/versions/{version}"
	l.do(req{route: ver, path: "/returns/" + cs.Code + "/" + q.String() + "/versions/1", token: sub, want: []int{200}})
	l.do(req{route: ver, path: "/returns/" + cs.Code + "/" + q.String() + "/versions/2", token: leader, want: []int{200}})
	l.do(req{route: ver, path: "/returns/" + cs.Code + "/" + q.String() + "/versions/99", token: sub, want: []int{404}})
	l.do(req{route: ver, path: "/returns/" + cs.Code + "/" + q.String() + "/versions/first", token: sub, want: []int{400}})
	l.do(req{route: ver, path: "/returns/" + lg.Code + "/" + q.String() + "/versions/1", token: sub, want: []int{403}})
	changes := "GET /returns/{org}/{period}/versions/{version}/changes"
	csVersions := "/returns/" + cs.Code + "/" + q.String() + "/versions/"
	l.do(req{route: changes, path: csVersions + "2/changes", token: sub, want: []int{200}})
	l.do(req{route: changes, path: csVersions + "1/changes", token: leader, want: []int{200}})
	l.do(req{route: changes, path: csVersions + "99/changes", token: sub, want: []int{404}})
	l.do(req{route: changes, path: csVersions + "first/changes", token: sub, want: []int{400}})
	l.do(req{route: changes, path: "/returns/" + lg.Code + "/" + q.String() + "/versions/1/changes", token: sub, want: []int{403}})
	l.do(req{route: changes, path: csVersions + "2/changes", want: []int{401}})

	// Sign-off of version 2 by the organisation's approver.
	sign := "POST /returns/{org}/{period}/versions/{version}/sign-off"
	approver := l.token(cs.Code, "approver")
	current := l.do(req{route: ver, path: csVersions + "2", token: approver, want: []int{200}})
	var v2 struct {
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(current.Body, &v2); err != nil {
		t.Fatal(err)
	}
	signBody := []byte(`{"sha256":"` + v2.SHA256 + `"}`)
	l.checkRequest(sign, "application/json", signBody)
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: []byte(`{"sha256":"` + rc.SHA256 + `"}`), want: []int{409}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{201}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{200}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: l.token(cs.Code, "approver", "leader"), contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{409}})
	l.do(req{route: ver, path: csVersions + "2", token: approver, want: []int{200}}) // with its sign_off
	l.do(req{route: sign, path: csVersions + "1/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: []byte(`{"sha256":"` + rc.SHA256 + `"}`), want: []int{409}})
	l.do(req{route: sign, path: csVersions + "99/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{404}})
	l.do(req{route: sign, path: csVersions + "first/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{400}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, want: []int{400}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: []byte(`{"sha256":"abc","by":"me"}`), want: []int{422}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: []byte(`{"sha256":"abc"}`), want: []int{422}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: bytes.Repeat([]byte(" "), 5<<20), want: []int{413}})
	l.do(req{route: sign, path: "/returns/" + lg.Code + "/" + q.String() + "/versions/1/sign-off", token: approver, contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{403}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: sub, contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{403}})
	l.do(req{route: sign, path: csVersions + "2/sign-off", token: expired, contentType: httpapi.ContentTypeJSON, body: signBody, want: []int{401}})

	// Metrics.
	met := "GET /metrics/{period}"
	l.do(req{route: met, path: "/metrics/" + q.String(), token: leader, want: []int{200}})
	l.do(req{route: met, path: "/metrics/" + q.String(), token: sub, want: []int{403}})
	l.do(req{route: met, path: "/metrics/2030-31-Q1", token: leader, want: []int{404}})
	l.do(req{route: met, path: "/metrics/last-quarter", token: leader, want: []int{400}})

	// Rollups.
	run := "POST /rollups/{month}"
	l.do(req{route: run, path: "/rollups/" + month, token: admin, want: []int{201, 200}})
	l.do(req{route: run, path: "/rollups/" + month, token: admin, want: []int{200, 201}})
	l.do(req{route: run, path: "/rollups/" + month, token: leader, want: []int{403}})
	l.do(req{route: run, path: "/rollups/2999-01", token: admin, want: []int{422}})
	l.do(req{route: run, path: "/rollups/2019-01", token: admin, want: []int{422}})
	l.do(req{route: "GET /rollups", path: "/rollups", token: leader, want: []int{200}})
	l.do(req{route: "GET /rollups", path: "/rollups", token: sub, want: []int{403}})
	get := "GET /rollups/{month}"
	l.do(req{route: get, path: "/rollups/" + month, token: leader, want: []int{200}})
	l.do(req{route: get, path: "/rollups/" + month + "?revision=1", token: admin, want: []int{200}})
	l.do(req{route: get, path: "/rollups/" + month + "?revision=0", token: leader, want: []int{400}})
	l.do(req{route: get, path: "/rollups/" + month + "?revision=999999", token: leader, want: []int{404}})
	l.do(req{route: get, path: "/rollups/2001-01", token: leader, want: []int{404}})
	l.do(req{route: get, path: "/rollups/2025-13", token: leader, want: []int{400}})
	l.do(req{route: get, path: "/rollups/" + month, token: sub, want: []int{403}})

	// Reports: 303 to the workbook once the snapshot has one, else 404.
	rep := "GET /reports/{month}"
	l.do(req{route: rep, path: "/reports/" + month, token: sub, want: []int{303, 404}})
	l.do(req{route: rep, path: "/reports/" + month + "?edition=management", token: leader, want: []int{303, 404}})
	l.do(req{route: rep, path: "/reports/" + month + "?edition=management", token: sub, want: []int{403}})
	l.do(req{route: rep, path: "/reports/" + month + "?edition=draft", token: sub, want: []int{400}})
	l.do(req{route: rep, path: "/reports/" + month + "?format=ods", token: sub, want: []int{303, 404}})
	l.do(req{route: rep, path: "/reports/" + month + "?format=pdf", token: sub, want: []int{400}})
	l.do(req{route: rep, path: "/reports/" + month + "?revision=first", token: sub, want: []int{400}})
	l.do(req{route: rep, path: "/reports/2001-01", token: sub, want: []int{404}})
	l.do(req{route: rep, path: "/reports/August", token: sub, want: []int{400}})
	l.do(req{route: rep, path: "/reports/" + month, want: []int{401}})

	// The collection: a quarter's states and reminders, and a day's reminders run twice. An
	// organisation of our own with returns contacts owes 2025-26-Q1 alone (it exists only
	// around that quarter), so the run reminds it and no other test's organisation.
	owes := workforce.Organisation{Code: newCode(t), Name: "OpenAPI test body that owes", Parent: "CO", Kind: workforce.CivilService,
		BaselineHeadcount: 500, ActiveFrom: "2025-04-01", ActiveTo: "2025-09-29",
		ReturnsContacts: []string{"openapi.returns@owes.example.gov.uk"}}
	body, _ = json.Marshal(workforce.OrganisationWithContacts(owes))
	l.checkRequest(put, "application/json", body)
	l.do(req{route: put, path: "/organisations/" + owes.Code, token: admin, contentType: "application/json", body: body, want: []int{201}})
	l.do(req{route: "GET /organisations", path: "/organisations", token: admin, want: []int{200}})
	coll := "GET /collection/{period}"
	l.do(req{route: coll, path: "/collection/" + q.String(), token: leader, want: []int{200}})
	l.do(req{route: coll, path: "/collection/" + q.String(), token: sub, want: []int{403}})
	l.do(req{route: coll, path: "/collection/2025%20Q1", token: admin, want: []int{400}})
	l.do(req{route: coll, path: "/collection/2019-20-Q1", token: leader, want: []int{404}})
	rem := "POST /reminders/{date}"
	const dueSoon = "2025-07-16" // 2025-26-Q1's due-soon day
	l.do(req{route: rem, path: "/reminders/" + dueSoon, token: admin, want: []int{200}})
	l.do(req{route: rem, path: "/reminders/" + dueSoon, token: admin, want: []int{200}})
	l.do(req{route: rem, path: "/reminders/2025-07-17", token: admin, want: []int{200}}) // no reminder falls on it
	l.do(req{route: rem, path: "/reminders/2999-01-01", token: admin, want: []int{422}})
	l.do(req{route: rem, path: "/reminders/16-07-2025", token: admin, want: []int{400}})
	l.do(req{route: rem, path: "/reminders/" + dueSoon, token: leader, want: []int{403}})
	l.do(req{route: rem, path: "/reminders/" + dueSoon, want: []int{401}})
	// Now with the reminder it was sent.
	l.do(req{route: coll, path: "/collection/" + q.String(), token: admin, want: []int{200}})
	// Extracts: asked for, uploaded to the presigned URL, followed until accepted or
	// rejected; each answer on the way is checked against the document.
	ex := workforce.Organisation{Code: newCode(t), Name: "OpenAPI test extract body", Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 3000}
	exBody, _ := json.Marshal(ex)
	l.do(req{route: "PUT /organisations/{code}", path: "/organisations/" + ex.Code, token: admin, contentType: "application/json", body: exBody, want: []int{201}})
	subEx := l.token(ex.Code, "submitter")
	ask, follow := "POST /extracts", "GET /extracts/{id}"
	file := extracttest.CSV(extracttest.Table(extracttest.People(300, q, 9), extracttest.Layout{Seed: 9, Varied: true, Extra: 1}))
	extractBody := func(org, format string, size int) []byte {
		b, _ := json.Marshal(map[string]any{"org": org, "period": q.String(), "format": format, "content_length": size,
			"exec_committee_digital_leader": "yes", "board_digital_ned": true, "senior_appointments": 1, "senior_appointments_assessed": 1,
			"digital_senior_roles": 2, "digital_senior_roles_with_succession_plan": 2, "cslg_members": 3, "cslg_members_ai_immersion": 1})
		return b
	}
	good := extractBody(ex.Code, "csv", len(file))
	l.checkRequest(ask, "application/json", good)
	sendExtract := func(file []byte) string {
		r := l.do(req{route: ask, path: "/extracts", token: subEx, contentType: httpapi.ContentTypeJSON, body: extractBody(ex.Code, "csv", len(file)), want: []int{201}})
		var up struct {
			ID      string            `json:"extract_id"`
			URL     string            `json:"upload_url"`
			Headers map[string]string `json:"headers"`
		}
		if err := json.Unmarshal(r.Body, &up); err != nil {
			t.Fatal(err)
		}
		l.do(req{route: follow, path: "/extracts/" + up.ID, token: subEx, want: []int{200}})
		put, _ := http.NewRequest(http.MethodPut, up.URL, bytes.NewReader(file))
		put.Header.Set("Content-Type", up.Headers["Content-Type"])
		resp, err := http.DefaultClient.Do(put)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("upload: %v %v", resp, err)
		}
		resp.Body.Close()
		return up.ID
	}
	awaitExtract := func(id, want string) {
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			r := l.do(req{route: follow, path: "/extracts/" + id, token: leader, want: []int{200}})
			var st struct {
				Status string `json:"status"`
			}
			json.Unmarshal(r.Body, &st)
			if st.Status == want {
				return
			}
			if st.Status == "accepted" || st.Status == "rejected" || time.Now().After(deadline) {
				t.Fatalf("extract %s is %s, want %s: %s", id, st.Status, want, r.Body)
			}
		}
	}
	awaitExtract(sendExtract(file), "accepted")
	awaitExtract(sendExtract(append(append([]byte{}, file...), "P-extra,G7,DDaT,Data,1.5,maybe,31/02/2025,\n"...)), "rejected")
	l.do(req{route: ask, path: "/extracts", token: subEx, contentType: httpapi.ContentTypeJSON, body: extractBody(ex.Code, "csv", 2<<30), want: []int{422}})
	l.do(req{route: ask, path: "/extracts", token: subEx, contentType: httpapi.ContentTypeJSON, body: []byte(`{"org": "` + ex.Code + `", "headcount": 5}`), want: []int{422}})
	l.do(req{route: ask, path: "/extracts", token: sub, contentType: httpapi.ContentTypeJSON, body: good, want: []int{403}})
	l.do(req{route: ask, path: "/extracts", token: leader, contentType: httpapi.ContentTypeJSON, body: good, want: []int{403}})
	l.do(req{route: ask, path: "/extracts", token: subEx, contentType: "text/csv", body: file, want: []int{415}})
	l.do(req{route: ask, path: "/extracts", token: subEx, contentType: httpapi.ContentTypeJSON, want: []int{400}})
	l.do(req{route: ask, path: "/extracts", token: "", contentType: httpapi.ContentTypeJSON, body: good, want: []int{401}})
	exID := sendExtract(file)
	l.do(req{route: follow, path: "/extracts/" + exID, token: sub, want: []int{403}})
	l.do(req{route: follow, path: "/extracts/20250101T000000Z-00000000000000000000000000000000", token: admin, want: []int{404}})
	l.do(req{route: follow, path: "/extracts/not-an-id", token: admin, want: []int{404}})
	l.do(req{route: follow, path: "/extracts/" + exID, want: []int{401}})
	awaitExtract(exID, "accepted")

	// Coverage: every route answered with its success at least once (a report may only
	// be 404 while no snapshot has workbooks), and the error statuses were all seen.
	errorsSeen := map[int]bool{}
	var summary []string
	for _, r := range httpapi.Routes {
		got := l.seen[r.Key()]
		if len(got) == 0 {
			t.Errorf("route %s was not called", r.Key())
			continue
		}
		ok := slices.ContainsFunc(got, func(s int) bool { return s >= 200 && s < 400 })
		if !ok && r.Key() == rep && slices.Contains(got, http.StatusNotFound) {
			t.Logf("%s answered 404: the snapshot has no workbooks yet, so the 303 could not be checked", rep)
			ok = true
		}
		if !ok {
			t.Errorf("route %s never answered a success: %v", r.Key(), got)
		}
		for _, s := range got {
			if s >= 400 {
				errorsSeen[s] = true
			}
		}
		sorted := slices.Clone(got)
		sort.Ints(sorted)
		summary = append(summary, fmt.Sprintf("%-50s %v", r.Key(), slices.Compact(sorted)))
	}
	for _, s := range []int{400, 401, 403, 404, 409, 413, 415, 422} {
		if !errorsSeen[s] {
			t.Errorf("no request answered %d", s)
		}
	}
	t.Logf("statuses checked against %s:\n%s", docPath, strings.Join(summary, "\n"))
}
