package portal

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
)

// testNow is the clock of test servers.
var testNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// testServer is a portal in front of api, a stand-in for the JSON API that a test writes
// (the portal's only dependency), signed in without an OpenID provider by minting the
// session cookie directly.
type testServer struct {
	*Server
	api  *httptest.Server
	t    *testing.T
	mu   sync.Mutex
	seen []*http.Request // requests the API stand-in received
}

func newTestServer(t *testing.T, api http.Handler) *testServer {
	t.Helper()
	ts := &testServer{t: t}
	if api == nil {
		api = http.NotFoundHandler()
	}
	ts.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		ts.seen = append(ts.seen, r)
		ts.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.api.Close)
	s, err := New(testConfig(t, ts.api.URL), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = s
	return ts
}

// testConfig is a portal's configuration for tests: the API at apiURL, a fresh session
// key, the test clock, and the collection's calendar with its defaults (DUE_DAYS 30, from
// 2023-24-Q1).
func testConfig(t *testing.T, apiURL string) Config {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cal, err := collection.Default(30, period.MustQuarter("2023-24-Q1"))
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		APIURL: apiURL, BaseURL: "https://portal.test" + BasePath, Issuer: "https://issuer.test",
		ClientID: "portal-test", SessionKey: key, OrgClaim: "org", RolesClaim: "roles", NameClaim: "name",
		OrganisationName: "Test Department", Now: func() time.Time { return testNow }, Calendar: &cal,
	}
}

// as is a session for roles (space-separated) in org, with a token the API stand-in can
// read: "token-<roles>-<org>".
func as(roles, org string) *Session {
	return &Session{Subject: "test-" + strings.ReplaceAll(roles, " ", "-"), Name: "Test User", Org: org,
		Roles: strings.Fields(roles), AccessToken: "token-" + strings.ReplaceAll(roles, " ", "-") + "-" + org,
		CSRF: "csrf-test-token", Expires: testNow.Add(time.Hour).Unix()}
}

// cookie seals sess as the session cookie.
func (ts *testServer) cookie(sess *Session) *http.Cookie {
	ts.t.Helper()
	v, err := ts.seal.seal(sessionCookie, sess)
	if err != nil {
		ts.t.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: v}
}

// get serves GET target for sess (nil: signed out).
func (ts *testServer) get(sess *Session, target string) *httptest.ResponseRecorder {
	ts.t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if sess != nil {
		r.AddCookie(ts.cookie(sess))
	}
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return w
}

// post serves a form POST for sess; the session's CSRF token is added unless form has one.
func (ts *testServer) post(sess *Session, target string, form url.Values) *httptest.ResponseRecorder {
	ts.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if sess != nil && !form.Has(csrfField) {
		form.Set(csrfField, sess.CSRF)
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sess != nil {
		r.AddCookie(ts.cookie(sess))
	}
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return w
}

// ctx is a request's context for calling a page's helpers directly: it knows the API's URL
// as ServeHTTP would have put it there.
func (ts *testServer) ctx() context.Context {
	return context.WithValue(ts.t.Context(), urlsKey{}, urls{api: ts.api.URL, base: ts.cfg.BaseURL})
}
