package portal

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// retAPI is the API stand-in of the submitter pages' tests: the real JSON API (the
// httpapi handlers and the workforce service) over the in-memory store, behind an
// adapter that does what API Gateway's JWT authorizer does — the token names the caller,
// an unknown token is 401 — so the portal is answered exactly what the real API answers,
// 403s for another organisation included.
type retAPI struct {
	t        *testing.T
	store    *memstore.Store
	svc      *workforce.Service
	api      *httpapi.API
	handlers map[string]httpapi.Handler
	now      time.Time

	mu        sync.Mutex
	tokens    map[string]*Session
	calls     []retCall
	templates []map[string]string // what each GET /template was asked to pre-fill
	// override answers a route key ("POST /returns") itself when it returns true.
	override func(w http.ResponseWriter, r *http.Request, body []byte) bool
}

// retCall is a request the stand-in received.
type retCall struct {
	Method, Path, Query string
	Auth, Idempotency   string
	ContentType         string
	Body                []byte
}

func (c retCall) String() string { return c.Method + " " + c.Path }

// Organisations of the tests' register. HMRC exists from April 2025, so it owes six
// quarters at the tests' clock (2025-26-Q1 to 2026-27-Q2).
var (
	retHMRC = workforce.Organisation{Code: "HMRC", Name: "HM Revenue and Customs", Kind: workforce.CivilService, BaselineHeadcount: 60000, ActiveFrom: "2025-04-01"}
	retDWP  = workforce.Organisation{Code: "DWP", Name: "Department for Work and Pensions", Kind: workforce.CivilService, BaselineHeadcount: 90000}
	retKent = workforce.Organisation{Code: "LGA-KENT", Name: "Kent County Council", Kind: workforce.LocalGovernment}
)

func newRetAPI(t *testing.T) *retAPI {
	t.Helper()
	a := &retAPI{t: t, now: testNow, tokens: map[string]*Session{}}
	clock := func() time.Time { a.mu.Lock(); defer a.mu.Unlock(); return a.now }
	a.store = &memstore.Store{Now: clock}
	a.svc = &workforce.Service{Returns: a.store, Organisations: a.store, Files: &memstore.Bucket{}, SignOffs: a.store,
		ParseXLSX: returntemplate.Parse, DueDays: 30, Now: clock}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := &httpapi.API{Service: a.svc, Claims: httpapi.Claims{Org: "org", Roles: "roles"}, MaxUploadBytes: 4 << 20,
		FirstQuarter: period.MustQuarter("2023-24-Q1"), Log: log, Now: clock,
		Template: func(orgs []workforce.Organisation, periods []period.Quarter, prefill map[string]string) ([]byte, error) {
			a.mu.Lock()
			a.templates = append(a.templates, prefill)
			a.mu.Unlock()
			return []byte("PK\x03\x04 a template for " + prefill["org"] + " " + prefill["period"]), nil
		}}
	a.api = api
	a.handlers = map[string]httpapi.Handler{}
	for _, r := range httpapi.Routes {
		if a.handlers[r.Function] == nil {
			a.handlers[r.Function] = api.Handler(r.Function)
		}
	}
	for _, o := range []workforce.Organisation{retHMRC, retDWP, retKent} {
		if err := a.store.PutOrganisation(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// session is a signed-in user whose token the stand-in accepts.
func (a *retAPI) session(roles, org string) *Session {
	sess := as(roles, org)
	a.mu.Lock()
	a.tokens[sess.AccessToken] = sess
	a.mu.Unlock()
	return sess
}

// at sets the stand-in's clock (the service's: when versions are received).
func (a *retAPI) at(t time.Time) {
	a.mu.Lock()
	a.now = t
	a.mu.Unlock()
}

// submit sends a return through the service, as an admin would have.
func (a *retAPI) submit(values map[string]string) workforce.Receipt {
	a.t.Helper()
	rc, _, err := a.svc.Submit(context.Background(), workforce.Upload{Principal: workforce.Principal{Subject: "seed", Roles: []string{"admin"}},
		Format: workforce.FormatCSV, Body: sample.CSV(values)})
	if err != nil {
		a.t.Fatalf("seed %s %s: %v", values["org"], values["period"], err)
	}
	return rc
}

func (a *retAPI) callsTo(method, path string) []retCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []retCall
	for _, c := range a.calls {
		if c.Method == method && c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

func (a *retAPI) allCalls() []retCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]retCall(nil), a.calls...)
}

func (a *retAPI) reset() {
	a.mu.Lock()
	a.calls = nil
	a.mu.Unlock()
}

// ServeHTTP is API Gateway: the route from the table, the caller from the token.
func (a *retAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := retCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"),
		Idempotency: r.Header.Get("Idempotency-Key"), ContentType: r.Header.Get("Content-Type"), Body: body}
	a.mu.Lock()
	a.calls = append(a.calls, call)
	sess := a.tokens[strings.TrimPrefix(call.Auth, "Bearer ")]
	override := a.override
	a.mu.Unlock()
	if sess == nil || !strings.HasPrefix(call.Auth, "Bearer ") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"status":401,"code":"unauthorized","detail":"Unauthorized"}`)
		return
	}
	if override != nil && override(w, r, body) {
		return
	}
	route, params, ok := retMatchRoute(r.Method, r.URL.Path)
	if !ok {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"status":404,"code":"not_found","detail":"Not Found"}`)
		return
	}
	q := map[string]string{}
	for k, vs := range r.URL.Query() {
		q[k] = strings.Join(vs, ",")
	}
	headers := map[string]string{}
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	ev := events.APIGatewayV2HTTPRequest{RouteKey: route.Key(), RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery,
		PathParameters: params, QueryStringParameters: q, Headers: headers,
		Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true,
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "test-request",
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": sess.Subject, "org": sess.Org, "roles": "[" + strings.Join(sess.Roles, " ") + "]"}}}}}
	resp, err := a.handlers[route.Function](r.Context(), ev)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	out := []byte(resp.Body)
	if resp.IsBase64Encoded {
		out, _ = base64.StdEncoding.DecodeString(resp.Body)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

// retMatchRoute finds the route of the table a request is for, the one with the most
// literal segments when several match, and its path parameters.
func retMatchRoute(method, path string) (httpapi.Route, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestLiterals := -1, -1
	var bestParams map[string]string
	for i, rt := range httpapi.Routes {
		if rt.Method != method {
			continue
		}
		want := strings.Split(strings.Trim(rt.Path, "/"), "/")
		if len(want) != len(segs) {
			continue
		}
		params, literals, ok := map[string]string{}, 0, true
		for j, w := range want {
			seg, err := url.PathUnescape(segs[j])
			if err != nil {
				ok = false
				break
			}
			if strings.HasPrefix(w, "{") {
				params[strings.Trim(w, "{}")] = seg
				continue
			}
			if w != seg {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestLiterals, bestParams = i, literals, params
		}
	}
	if best < 0 {
		return httpapi.Route{}, nil, false
	}
	return httpapi.Routes[best], bestParams, true
}

// retServer is a portal in front of the stand-in.
// It is built as newTestServer builds one, but the stand-in records its own calls, safely:
// the pages read the API concurrently.
func retServer(t *testing.T) (*testServer, *retAPI) {
	t.Helper()
	a := newRetAPI(t)
	api := httptest.NewServer(a)
	t.Cleanup(api.Close)
	s, err := New(testConfig(t, api.URL), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{Server: s, api: api, t: t}, a
}

// postFile posts a multipart form with an optional file.
func (ts *testServer) postMultipart(sess *Session, target string, fields url.Values, fileName string, file []byte) *httptest.ResponseRecorder {
	ts.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if sess != nil && !fields.Has(csrfField) {
		_ = mw.WriteField(csrfField, sess.CSRF)
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if fileName != "" || file != nil {
		fw, err := mw.CreateFormFile(retFileField, fileName)
		if err != nil {
			ts.t.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if sess != nil {
		r.AddCookie(ts.cookie(sess))
	}
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return w
}

// hiddenValue is the value of the hidden input named name in a page.
func hiddenValue(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`<input type="hidden" name="` + regexp.QuoteMeta(name) + `" value="([^"]*)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no hidden %s field in the page", name)
	}
	return m[1]
}

// h1 is the text of a page's heading.
func h1(page string) string {
	m := regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], "")), " ")
}

// pageTitle is the text of a page's title element.
func pageTitle(page string) string {
	m := regexp.MustCompile(`(?s)<title>(.*?)</title>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(m[1]), " ")
}

// everyCallCarries checks that each request the stand-in received carried sess's token.
func everyCallCarries(t *testing.T, a *retAPI, sess *Session) {
	t.Helper()
	calls := a.allCalls()
	if len(calls) == 0 {
		t.Error("the API stand-in received no call")
	}
	for _, c := range calls {
		if c.Auth != "Bearer "+sess.AccessToken {
			t.Errorf("%s carried %q, not the session's token", c, c.Auth)
		}
	}
}
