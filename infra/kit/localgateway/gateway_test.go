package localgateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/ddat-workforce/returns/shared/httpapi"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// TestEventShape sends real HTTP requests through a listening gateway and checks the event
// the function receives, field by field.
func TestEventShape(t *testing.T) {
	s := &stub{}
	gw, _ := newGateway(t, s)
	srv := httptest.NewServer(gw)
	defer srv.Close()

	claims := validClaims()
	claims["email_verified"] = true
	claims["address"] = map[string]any{"country": "UK"}
	claims["scope"] = "returns/read returns/write"
	token := mint(t, claims)
	workbook := []byte("PK\x03\x04\x00\xff binary workbook")

	tests := []struct {
		name          string
		method, url   string
		contentType   string
		body          []byte
		routeKey      string
		pathParams    map[string]string
		query         map[string]string
		wantBody      string
		wantBase64    bool
		wantRawQuery  string
		wantRawPath   string
		wantBodyBytes int
	}{
		{
			name: "xlsx upload is base64", method: "POST", url: "/returns?org=HMRC&period=2025-Q1&x=1&x=2",
			contentType: xlsxType, body: workbook,
			routeKey: "POST /returns", query: map[string]string{"org": "HMRC", "period": "2025-Q1", "x": "1,2"},
			wantBody: base64.StdEncoding.EncodeToString(workbook), wantBase64: true,
			wantRawQuery: "org=HMRC&period=2025-Q1&x=1&x=2", wantRawPath: "/returns",
		},
		{
			name: "json body is plain", method: "POST", url: "/returns",
			contentType: "application/json; charset=utf-8", body: []byte(`{"org":"HMRC"}`),
			routeKey: "POST /returns", wantBody: `{"org":"HMRC"}`, wantRawPath: "/returns",
		},
		{
			name: "csv body is plain", method: "POST", url: "/returns/bulk",
			contentType: "text/csv", body: []byte("org,period\nHMRC,2025-Q1\n"),
			routeKey: "POST /returns/bulk", wantBody: "org,period\nHMRC,2025-Q1\n", wantRawPath: "/returns/bulk",
		},
		{
			name: "path parameters", method: "GET", url: "/returns/HMRC/2025-Q1/versions/3",
			routeKey:    "GET /returns/{org}/{period}/versions/{version}",
			pathParams:  map[string]string{"org": "HMRC", "period": "2025-Q1", "version": "3"},
			wantRawPath: "/returns/HMRC/2025-Q1/versions/3",
		},
		{
			name: "escaped path parameter is decoded", method: "PUT", url: "/organisations/D%20E",
			contentType: "application/json", body: []byte(`{}`),
			routeKey: "PUT /organisations/{code}", pathParams: map[string]string{"code": "D E"},
			wantBody: `{}`, wantRawPath: "/organisations/D%20E",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.url, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("User-Agent", "localgw-test/1")
			req.Header.Add("X-Custom", "a")
			req.Header.Add("X-Custom", "b")
			req.Header.Add("Cookie", "a=1; b=2")
			before := time.Now()
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			ev := s.event

			if ev.Version != "2.0" || ev.RouteKey != tt.routeKey || ev.RequestContext.RouteKey != tt.routeKey {
				t.Errorf("version %q route %q / %q, want 2.0 %q", ev.Version, ev.RouteKey, ev.RequestContext.RouteKey, tt.routeKey)
			}
			if ev.RawPath != tt.wantRawPath || ev.RequestContext.HTTP.Path != tt.wantRawPath {
				t.Errorf("rawPath %q http.path %q, want %q", ev.RawPath, ev.RequestContext.HTTP.Path, tt.wantRawPath)
			}
			if ev.RawQueryString != tt.wantRawQuery {
				t.Errorf("rawQueryString %q, want %q", ev.RawQueryString, tt.wantRawQuery)
			}
			if !reflect.DeepEqual(ev.QueryStringParameters, tt.query) {
				t.Errorf("queryStringParameters %v, want %v", ev.QueryStringParameters, tt.query)
			}
			if !reflect.DeepEqual(ev.PathParameters, tt.pathParams) {
				t.Errorf("pathParameters %v, want %v", ev.PathParameters, tt.pathParams)
			}
			if ev.Body != tt.wantBody || ev.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("body %q base64 %v, want %q %v", ev.Body, ev.IsBase64Encoded, tt.wantBody, tt.wantBase64)
			}
			if !reflect.DeepEqual(ev.Cookies, []string{"a=1", "b=2"}) {
				t.Errorf("cookies %q", ev.Cookies)
			}

			h := ev.Headers
			for name, want := range map[string]string{
				"x-custom":          "a,b",
				"user-agent":        "localgw-test/1",
				"authorization":     "Bearer " + token,
				"host":              strings.TrimPrefix(srv.URL, "http://"),
				"content-length":    strconv.Itoa(len(tt.body)),
				"x-forwarded-for":   "127.0.0.1",
				"x-forwarded-proto": "http",
				"x-forwarded-port":  srv.URL[strings.LastIndex(srv.URL, ":")+1:],
			} {
				if h[name] != want {
					t.Errorf("header %s = %q, want %q", name, h[name], want)
				}
			}
			if tt.contentType != "" && h["content-type"] != tt.contentType {
				t.Errorf("content-type %q", h["content-type"])
			}
			if _, ok := h["cookie"]; ok {
				t.Error("cookie header should travel in Cookies only")
			}
			if !strings.HasPrefix(h["x-amzn-trace-id"], "Root=1-") {
				t.Errorf("x-amzn-trace-id %q", h["x-amzn-trace-id"])
			}
			for name := range h {
				if name != strings.ToLower(name) {
					t.Errorf("header %q is not lower case", name)
				}
			}

			rc := ev.RequestContext
			if rc.Stage != "$default" || rc.AccountID == "" || rc.APIID == "" {
				t.Errorf("stage %q account %q api %q", rc.Stage, rc.AccountID, rc.APIID)
			}
			if rc.DomainName != h["host"] || rc.DomainPrefix != "127" {
				t.Errorf("domain %q prefix %q", rc.DomainName, rc.DomainPrefix)
			}
			if rc.HTTP.Method != tt.method || rc.HTTP.Protocol != "HTTP/1.1" || rc.HTTP.SourceIP != "127.0.0.1" || rc.HTTP.UserAgent != "localgw-test/1" {
				t.Errorf("http %+v", rc.HTTP)
			}
			if rc.RequestID == "" || resp.Header.Get("Apigw-Requestid") != rc.RequestID {
				t.Errorf("request id %q, response header %q", rc.RequestID, resp.Header.Get("Apigw-Requestid"))
			}
			at, err := time.Parse("02/Jan/2006:15:04:05 -0700", rc.Time)
			if err != nil || !strings.HasSuffix(rc.Time, " +0000") {
				t.Errorf("time %q: %v", rc.Time, err)
			}
			if d := at.Sub(before.Truncate(time.Second)); d < 0 || d > 5*time.Second {
				t.Errorf("time %q is not now", rc.Time)
			}
			if ms := time.UnixMilli(rc.TimeEpoch); ms.Before(before.Add(-time.Millisecond)) || ms.After(time.Now()) {
				t.Errorf("timeEpoch %d is not now", rc.TimeEpoch)
			}

			jwt := rc.Authorizer.JWT
			wantClaims := map[string]string{
				"iss":            testIssuer,
				"aud":            testAudience,
				"sub":            "user-1",
				"org":            "HMRC",
				"roles":          "[admin leader]",
				"email_verified": "true",
				"address":        `{"country":"UK"}`,
				"exp":            strconv.FormatInt(claims["exp"].(int64), 10),
				"iat":            strconv.FormatInt(claims["iat"].(int64), 10),
				"email":          "someone@example.gov.uk",
				"name":           "Ada Example",
				"scope":          "returns/read returns/write",
			}
			if !reflect.DeepEqual(jwt.Claims, wantClaims) {
				t.Errorf("claims\n got %v\nwant %v", jwt.Claims, wantClaims)
			}
			if !reflect.DeepEqual(jwt.Scopes, []string{"returns/read", "returns/write"}) {
				t.Errorf("scopes %q", jwt.Scopes)
			}
		})
	}
}

func TestNoQueryNoParams(t *testing.T) {
	s := &stub{}
	gw, _ := newGateway(t, s)
	r := httptest.NewRequest("GET", "/organisations", nil)
	r.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
	if w := do(gw, r); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	ev := s.event
	if ev.QueryStringParameters != nil || ev.PathParameters != nil || ev.Cookies != nil || ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("want absent query, params, cookies and body: %+v", ev)
	}
	if ev.Headers["content-length"] != "0" {
		t.Errorf("content-length %q", ev.Headers["content-length"])
	}
}

// TestUnauthorized: every token a JWT authorizer refuses is 401 with API Gateway's body and
// never reaches the function.
func TestUnauthorized(t *testing.T) {
	key, rogue := keys(t)
	with := func(change func(c map[string]any)) string {
		c := validClaims()
		change(c)
		return "Bearer " + mint(t, c)
	}
	hs256, err := func() (string, error) {
		pem, err := publicKeyPEM(&key.PublicKey)
		if err != nil {
			return "", err
		}
		return signWith(hsMethod, testKid, validClaims(), pem)
	}()
	if err != nil {
		t.Fatal(err)
	}
	none, err := signWith(noneMethod, testKid, validClaims(), noneKey)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := MintToken(rogue, testKid, validClaims())
	if err != nil {
		t.Fatal(err)
	}
	unknownKid, err := MintToken(key, "no-such-key", validClaims())
	if err != nil {
		t.Fatal(err)
	}
	noKid, err := MintToken(key, "", validClaims())
	if err != nil {
		t.Fatal(err)
	}
	valid := mint(t, validClaims())
	tampered := valid[:strings.LastIndex(valid, ".")] + "." + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 256))

	tests := []struct {
		name, authorization string
		wantChallenge       string
	}{
		{"missing header", "", "Bearer"},
		{"empty bearer", "Bearer ", "Bearer"},
		{"not a jwt", "Bearer abc.def", "malformed"},
		{"expired", with(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }), "expired"},
		{"no exp", with(func(c map[string]any) { delete(c, "exp") }), "missing"},
		{"not yet valid", with(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), "not valid yet"},
		{"issued in the future", with(func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() }), "not valid yet"},
		{"wrong audience", with(func(c map[string]any) { c["aud"] = "someone-else" }), "audience"},
		{"wrong audience list", with(func(c map[string]any) { c["aud"] = []string{"a", "b"} }), "audience"},
		{"no audience", with(func(c map[string]any) { delete(c, "aud") }), "audience"},
		{"aud present so client_id ignored", with(func(c map[string]any) { c["aud"] = "x"; c["client_id"] = testAudience }), "audience"},
		{"wrong issuer", with(func(c map[string]any) { c["iss"] = "https://evil.test" }), "issuer"},
		{"no issuer", with(func(c map[string]any) { delete(c, "iss") }), "missing"},
		{"signed by another key", "Bearer " + otherKey, "signature"},
		{"tampered signature", "Bearer " + tampered, "signature"},
		{"unknown kid", "Bearer " + unknownKid, "signature"},
		{"no kid", "Bearer " + noKid, "signature"},
		{"alg none", "Bearer " + none, "signature"},
		{"HS256 keyed with the public key", "Bearer " + hs256, "signature"},
		{"basic auth", "Basic dXNlcjpwYXNz", "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{}
			gw, logs := newGateway(t, s)
			r := httptest.NewRequest("POST", "/returns", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", "application/json")
			if tt.authorization != "" {
				r.Header.Set("Authorization", tt.authorization)
			}
			w := do(gw, r)
			if w.Code != http.StatusUnauthorized || w.Body.String() != `{"message":"Unauthorized"}` {
				t.Fatalf("got %d %s, want 401 {\"message\":\"Unauthorized\"}", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("content-type %q", ct)
			}
			ch := w.Header().Get("Www-Authenticate")
			if !strings.HasPrefix(ch, "Bearer") || !strings.Contains(ch, tt.wantChallenge) {
				t.Errorf("www-authenticate %q, want it to mention %q", ch, tt.wantChallenge)
			}
			if s.called() != 0 {
				t.Error("handler was called")
			}
			if tok := strings.TrimPrefix(tt.authorization, "Bearer "); tok != "" && strings.Contains(logs.String(), tok) {
				t.Error("the token was logged")
			}
		})
	}
}

// TestAuthorized covers the token forms a JWT authorizer accepts besides the plain case.
func TestAuthorized(t *testing.T) {
	with := func(change func(c map[string]any)) string {
		c := validClaims()
		change(c)
		return mint(t, c)
	}
	tests := []struct{ name, authorization string }{
		{"bearer", "Bearer " + mint(t, validClaims())},
		{"lower-case scheme", "bearer " + mint(t, validClaims())},
		{"token without scheme", mint(t, validClaims())},
		{"aud list with ours", "Bearer " + with(func(c map[string]any) { c["aud"] = []string{"x", testAudience} })},
		{"second configured audience", "Bearer " + with(func(c map[string]any) { c["aud"] = "other-client" })},
		{"client_id when no aud", "Bearer " + with(func(c map[string]any) { delete(c, "aud"); c["client_id"] = testAudience })},
		{"nbf and iat in the past", "Bearer " + with(func(c map[string]any) { c["nbf"] = time.Now().Add(-time.Minute).Unix() })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{}
			gw, _ := newGateway(t, s)
			r := httptest.NewRequest("GET", "/template", nil)
			r.Header.Set("Authorization", tt.authorization)
			if w := do(gw, r); w.Code != http.StatusOK || s.called() != 1 {
				t.Fatalf("got %d %s, calls %d", w.Code, w.Body, s.called())
			}
		})
	}
}

func TestGatewayAnswers(t *testing.T) {
	token := "Bearer " + mint(t, validClaims())
	tests := []struct {
		name       string
		method     string
		path       string
		auth       string
		body       io.Reader
		ctype      string
		answer     func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
		chunked    bool // no Content-Length: only MaxBytesReader can stop it
		wantStatus int
		wantBody   string
		wantCalled bool
	}{
		{name: "unknown route, no token", method: "GET", path: "/nowhere", wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "unknown route", method: "GET", path: "/nowhere", auth: token, wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "known path, wrong method", method: "DELETE", path: "/returns", auth: token, wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "trailing slash", method: "GET", path: "/returns/", auth: token, wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "empty path parameter", method: "GET", path: "/returns//2025-Q1", auth: token, wantStatus: 404, wantBody: `{"message":"Not Found"}`},
		{name: "health needs no token", method: "GET", path: HealthPath, wantStatus: 200, wantBody: `{"status":"ok"}`},
		{
			name: "event over 6 MB", method: "POST", path: "/returns", auth: token, ctype: xlsxType,
			// 4.8 MB of binary is 6.4 MB once base64-encoded.
			body: bytes.NewReader(make([]byte, 4_800_000)), wantStatus: 413, wantBody: `{"message":"Request Entity Too Large"}`,
		},
		{
			name: "text body just under 6 MB passes", method: "POST", path: "/returns", auth: token, ctype: "text/csv",
			body: strings.NewReader(strings.Repeat("a", 6_000_000)), wantStatus: 200, wantBody: "ok", wantCalled: true,
		},
		{
			name: "body over 10 MB, no length", method: "POST", path: "/returns", auth: token, ctype: "text/csv",
			body:    io.MultiReader(strings.NewReader(strings.Repeat("a", MaxBodyBytes)), strings.NewReader("b")),
			chunked: true, wantStatus: 413, wantBody: `{"message":"Request Entity Too Large"}`,
		},
		{
			name: "handler error", method: "GET", path: "/organisations", auth: token, wantCalled: true,
			answer: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "secret detail"}, errors.New("table missing")
			},
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`,
		},
		{
			name: "handler panic", method: "GET", path: "/organisations", auth: token, wantCalled: true,
			answer: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				panic("boom")
			},
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`,
		},
		{
			name: "status out of range", method: "GET", path: "/organisations", auth: token, wantCalled: true,
			answer: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return events.APIGatewayV2HTTPResponse{StatusCode: 1000}, nil
			},
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`,
		},
		{
			name: "body flagged base64 but is not", method: "GET", path: "/organisations", auth: token, wantCalled: true,
			answer: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "not base64!", IsBase64Encoded: true}, nil
			},
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{answer: tt.answer}
			gw, logs := newGateway(t, s)
			body := tt.body
			if body == nil {
				body = http.NoBody
			}
			r := httptest.NewRequest(tt.method, tt.path, body)
			if tt.chunked {
				r.ContentLength = -1
			}
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			w := do(gw, r)
			if w.Code != tt.wantStatus || w.Body.String() != tt.wantBody {
				t.Errorf("got %d %.80q, want %d %q", w.Code, w.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if (s.called() > 0) != tt.wantCalled {
				t.Errorf("handler called %d times, want called=%v", s.called(), tt.wantCalled)
			}
			if tt.wantStatus == 500 && !strings.Contains(logs.String(), `"level":"ERROR"`) {
				t.Errorf("500 not logged as an error: %s", logs)
			}
		})
	}
}

func TestOversizeByContentLength(t *testing.T) {
	s := &stub{}
	gw, _ := newGateway(t, s)
	r := httptest.NewRequest("POST", "/returns", strings.NewReader("small"))
	r.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
	r.ContentLength = MaxBodyBytes + 1 // refused before a byte is read
	if w := do(gw, r); w.Code != http.StatusRequestEntityTooLarge || s.called() != 0 {
		t.Fatalf("got %d, calls %d", w.Code, s.called())
	}
}

func TestIntegrationTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := &stub{answer: func(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		<-release // ignores ctx, as a stuck function would
		return events.APIGatewayV2HTTPResponse{}, nil
	}}
	gw, _ := newGateway(t, s, WithIntegrationTimeout(50*time.Millisecond))
	r := httptest.NewRequest("GET", "/organisations", nil)
	r.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
	start := time.Now()
	w := do(gw, r)
	if w.Code != http.StatusServiceUnavailable || w.Body.String() != `{"message":"Service Unavailable"}` {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	s.mu.Lock()
	deadline, _ := s.ctx.Deadline()
	s.mu.Unlock()
	if d := deadline.Sub(start); d <= 0 || d > time.Second {
		t.Errorf("handler deadline %v after start, want about 50ms", d)
	}
}

// TestHandlerContext: the function gets Lambda's context, with the default 30 s deadline and
// no cancellation when the client goes away (Lambda keeps running).
func TestHandlerContext(t *testing.T) {
	ctx, clientGone := context.WithCancel(context.Background())
	defer clientGone()
	var errAfterClientGone error
	s := &stub{answer: func(hctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		clientGone()
		errAfterClientGone = hctx.Err()
		return events.APIGatewayV2HTTPResponse{}, nil
	}}
	gw, _ := newGateway(t, s)
	r := httptest.NewRequestWithContext(ctx, "GET", "/organisations", nil)
	r.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
	start := time.Now()
	do(gw, r)
	deadline, ok := s.ctx.Deadline()
	if !ok || deadline.Sub(start) < 29*time.Second || deadline.Sub(start) > 31*time.Second {
		t.Errorf("deadline %v after start, want 30s", deadline.Sub(start))
	}
	if errAfterClientGone != nil {
		t.Errorf("handler context ended with the client: %v", errAfterClientGone)
	}
	lc, ok := lambdacontext.FromContext(s.ctx)
	if !ok || lc.AwsRequestID == "" || !strings.HasSuffix(lc.InvokedFunctionArn, ":function:read") {
		t.Errorf("lambda context %+v", lc)
	}
}

func TestWriteResponse(t *testing.T) {
	pdf := []byte("%PDF-1.7\x00\xff")
	tests := []struct {
		name        string
		resp        events.APIGatewayV2HTTPResponse
		wantStatus  int
		wantBody    []byte
		wantHeaders map[string][]string
	}{
		{
			name:        "zero status is 200, no content type invented",
			resp:        events.APIGatewayV2HTTPResponse{Body: "hello"},
			wantStatus:  200,
			wantBody:    []byte("hello"),
			wantHeaders: map[string][]string{"Content-Type": nil},
		},
		{
			name: "headers and cookies",
			resp: events.APIGatewayV2HTTPResponse{
				StatusCode: 201,
				Headers:    map[string]string{"content-type": "application/json", "location": "/returns/HMRC/2025-Q1", "Content-Length": "999"},
				Cookies:    []string{"a=1; Path=/", "b=2"},
				Body:       `{"version":1}`,
			},
			wantStatus: 201,
			wantBody:   []byte(`{"version":1}`),
			wantHeaders: map[string][]string{
				"Content-Type": {"application/json"},
				"Location":     {"/returns/HMRC/2025-Q1"},
				"Set-Cookie":   {"a=1; Path=/", "b=2"},
			},
		},
		{
			name: "base64 body decoded",
			resp: events.APIGatewayV2HTTPResponse{
				StatusCode: 200, Headers: map[string]string{"Content-Type": "application/pdf"},
				Body: base64.StdEncoding.EncodeToString(pdf), IsBase64Encoded: true,
			},
			wantStatus:  200,
			wantBody:    pdf,
			wantHeaders: map[string][]string{"Content-Type": {"application/pdf"}},
		},
		{
			name: "multiValueHeaders dropped as on payload 2.0",
			resp: events.APIGatewayV2HTTPResponse{
				StatusCode: 303, Headers: map[string]string{"Location": "https://s3.test/x"},
				MultiValueHeaders: map[string][]string{"X-Dropped": {"1", "2"}},
			},
			wantStatus:  303,
			wantBody:    []byte{},
			wantHeaders: map[string][]string{"Location": {"https://s3.test/x"}, "X-Dropped": nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{answer: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return tt.resp, nil
			}}
			gw, _ := newGateway(t, s)
			srv := httptest.NewServer(gw)
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/organisations", nil)
			req.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
			client := srv.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !bytes.Equal(body, tt.wantBody) {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			for name, want := range tt.wantHeaders {
				if got := resp.Header.Values(name); !reflect.DeepEqual(got, want) {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
			if resp.ContentLength != int64(len(tt.wantBody)) {
				t.Errorf("content-length %d, want %d", resp.ContentLength, len(tt.wantBody))
			}
		})
	}
}

// TestLogs: one JSON line per request with what an operator needs, and nothing that
// identifies the caller.
func TestLogs(t *testing.T) {
	s := &stub{}
	gw, logs := newGateway(t, s)
	token := mint(t, validClaims())
	r := httptest.NewRequest("GET", "/returns/HMRC/2025-Q1", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := do(gw, r)
	line := logs.String()
	for _, want := range []string{
		`"msg":"gateway request"`, `"method":"GET"`, `"route":"GET /returns/{org}/{period}"`, `"status":200`,
		`"duration_ms":`, `"request_id":"` + w.Header().Get("Apigw-Requestid") + `"`,
	} {
		if !strings.Contains(line, want) {
			t.Errorf("log %s lacks %s", line, want)
		}
	}
	for _, secret := range []string{token, "someone@example.gov.uk", "Ada Example", "Bearer"} {
		if strings.Contains(line, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

func TestNewRefusesBadWiring(t *testing.T) {
	v := testVerifier(t)
	ok := (&stub{}).handle
	tests := []struct {
		name string
		call func()
	}{
		{"missing handler", func() { New(testRoutes("GET /a read"), nil, v) }},
		{"conflicting routes", func() {
			New(testRoutes("GET /a/{x} read", "GET /a/{y} read"), map[string]httpapi.Handler{"read": ok}, v)
		}},
		{"nil verifier", func() { New(testRoutes("GET /a read"), map[string]httpapi.Handler{"read": ok}, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New did not panic")
				}
			}()
			tt.call()
		})
	}
}
