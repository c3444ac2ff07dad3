package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"

	"github.com/ddat-workforce/returns/infra/kit/localgateway"
	"github.com/ddat-workforce/returns/shared/register"
)

const (
	testClientID  = "ddat-portal"
	testSecret    = "portal-secret"
	testKid       = "test-kid"
	testPortal    = "http://127.0.0.1:1/portal" // never dialled: the test stops at the redirect
	testRedirect  = testPortal + "/auth/callback"
	testSignedOut = testPortal + "/signed-out"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// signingTestKey is one RSA key for every test: generating one takes a while.
func signingTestKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// harness is a provider on httptest and a portal's-eye view of it, set up as the portal sets
// itself up: discovery through go-oidc, an oauth2 config with the provider's endpoints.
type harness struct {
	t        *testing.T
	issuer   string
	provider *oidc.Provider
	oauth    oauth2.Config
	browser  *http.Client // follows redirects within the provider, stops at the portal
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	orgs, err := register.Seed()
	if err != nil {
		t.Fatal(err)
	}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	handler, err = newProvider(config{
		issuer: srv.URL,
		key:    signingKey{id: testKid, key: signingTestKey(t)},
		client: portalClient{id: testClientID, secret: testSecret,
			redirectURIs: []string{testRedirect}, postLogoutURIs: []string{testSignedOut}},
		orgs: orgs,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	h := &harness{t: t, issuer: srv.URL, provider: provider}
	h.oauth = oauth2.Config{
		ClientID:     testClientID,
		ClientSecret: testSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  testRedirect,
		Scopes:       []string{oidc.ScopeOpenID, "profile"},
	}
	h.browser = &http.Client{CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), srv.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return h
}

// with is the harness reporting to t, for a subtest.
func (h *harness) with(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

// signIn is one sign-in as the portal starts it: state, nonce and PKCE. It returns the
// sign-in page's URL and its parsed document.
type signIn struct {
	state, nonce, verifier string
}

func newSignIn() signIn {
	return signIn{state: rand.Text(), nonce: rand.Text(), verifier: oauth2.GenerateVerifier()}
}

func (h *harness) authorize(s signIn, opts ...oauth2.AuthCodeOption) *http.Response {
	h.t.Helper()
	opts = append([]oauth2.AuthCodeOption{oidc.Nonce(s.nonce), oauth2.S256ChallengeOption(s.verifier)}, opts...)
	resp, err := h.browser.Get(h.oauth.AuthCodeURL(s.state, opts...))
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// openSignInPage follows the authorisation URL to the sign-in page.
func (h *harness) openSignInPage(s signIn) (*url.URL, *html.Node) {
	h.t.Helper()
	resp := h.authorize(s)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != signInPath {
		body, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("authorize ended at %s with %s, want the sign-in page: %s", resp.Request.URL, resp.Status, body)
	}
	doc, err := html.Parse(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.Request.URL, doc
}

// submit posts the sign-in form as a browser would, with the given role and organisation.
func (h *harness) submit(page *url.URL, doc *html.Node, role, org string) *http.Response {
	h.t.Helper()
	form := find(doc, func(n *html.Node) bool { return n.Data == "form" })
	if form == nil {
		h.t.Fatal("the sign-in page has no form")
	}
	values := url.Values{}
	for _, in := range findAll(form, func(n *html.Node) bool { return n.Data == "input" && attr(n, "type") == "hidden" }) {
		values.Set(attr(in, "name"), attr(in, "value"))
	}
	values.Set("role", role)
	values.Set("org", org)
	action, err := page.Parse(attr(form, "action"))
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.browser.PostForm(action.String(), values)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// code signs in as role at org and returns the authorisation code the portal receives.
func (h *harness) code(s signIn, role, org string) string {
	h.t.Helper()
	page, doc := h.openSignInPage(s)
	resp := h.submit(page, doc, role, org)
	resp.Body.Close()
	back := h.backAtPortal(resp)
	if got := back.Query().Get("state"); got != s.state {
		h.t.Fatalf("state came back as %q, want %q", got, s.state)
	}
	code := back.Query().Get("code")
	if code == "" {
		h.t.Fatalf("no code in %s", back)
	}
	return code
}

// backAtPortal is where the provider redirected the browser to, which must be the portal's
// registered redirect URI.
func (h *harness) backAtPortal(resp *http.Response) *url.URL {
	h.t.Helper()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("%s answered %s, want a redirect to the portal: %s", resp.Request.URL, resp.Status, body)
	}
	loc, err := resp.Location()
	if err != nil {
		h.t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		h.t.Fatalf("redirected to %s, want the redirect URI %s", loc, testRedirect)
	}
	return loc
}

// The whole sign-in as the portal will do it, through to a token the local gateway accepts.
func TestCodeFlowAsThePortal(t *testing.T) {
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"client_secret_basic", oauth2.AuthStyleInHeader}, {"client_secret_post", oauth2.AuthStyleInParams}} {
		t.Run(style.name, func(t *testing.T) {
			h := newHarness(t)
			h.oauth.Endpoint.AuthStyle = style.style
			ctx := context.Background()
			s := newSignIn()

			page, doc := h.openSignInPage(s)
			checkSignInPage(t, doc)
			resp := h.submit(page, doc, "submitter", "HMRC")
			resp.Body.Close()
			back := h.backAtPortal(resp)
			if back.Query().Get("state") != s.state {
				t.Fatalf("state %q, want %q", back.Query().Get("state"), s.state)
			}

			tok, err := h.oauth.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(s.verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.TokenType != "Bearer" {
				t.Errorf("token_type %q, want Bearer", tok.TokenType)
			}

			rawID, _ := tok.Extra("id_token").(string)
			idToken, err := h.provider.Verifier(&oidc.Config{ClientID: testClientID}).Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("ID token: %v", err)
			}
			if idToken.Nonce != s.nonce {
				t.Errorf("ID token nonce %q, want %q", idToken.Nonce, s.nonce)
			}
			if !reflect.DeepEqual(idToken.Audience, []string{testClientID}) || idToken.Subject != "local-submitter-hmrc" {
				t.Errorf("ID token aud %v sub %q, want [%s] local-submitter-hmrc", idToken.Audience, idToken.Subject, testClientID)
			}
			var idClaims struct {
				Roles []string `json:"roles"`
				Org   string   `json:"org"`
				Name  string   `json:"name"`
			}
			if err := idToken.Claims(&idClaims); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(idClaims.Roles, []string{"submitter"}) || idClaims.Org != "HMRC" ||
				idClaims.Name != "Local submitter, HM Revenue and Customs" {
				t.Errorf("ID token claims %+v", idClaims)
			}

			// The access token, verified as the local gateway verifies it, with the keys the
			// provider publishes; and with the stack's key itself, which is the same key.
			keys := h.publishedKeys()
			for name, ks := range map[string]localgateway.KeySet{"JWKS": keys, "key": {testKid: &signingTestKey(t).PublicKey}} {
				v, err := localgateway.NewVerifier(ks, h.issuer, []string{"ddat-returns", testClientID})
				if err != nil {
					t.Fatal(err)
				}
				claims, err := v.Verify(tok.AccessToken)
				if err != nil {
					t.Fatalf("the local gateway refuses the access token (%s): %v", name, err)
				}
				checkAccessClaims(t, claims, h.issuer)
			}

			// The userinfo endpoint answers for the access token.
			info, err := h.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			if info.Subject != "local-submitter-hmrc" {
				t.Errorf("userinfo sub %q", info.Subject)
			}
		})
	}
}

func checkAccessClaims(t *testing.T, claims map[string]any, issuer string) {
	t.Helper()
	want := map[string]any{
		"iss": issuer, "sub": "local-submitter-hmrc", "client_id": testClientID,
		"scope": "openid profile", "org": "HMRC", "roles": []any{"submitter"},
	}
	for k, v := range want {
		if !reflect.DeepEqual(claims[k], v) {
			t.Errorf("access token %s = %#v, want %#v", k, claims[k], v)
		}
	}
	if aud := claims["aud"]; !reflect.DeepEqual(aud, []any{testClientID}) && aud != testClientID {
		t.Errorf("access token aud = %#v, want %s", aud, testClientID)
	}
	exp, err1 := claims["exp"].(json.Number).Int64()
	iat, err2 := claims["iat"].(json.Number).Int64()
	// exp and iat are taken a moment apart and each rounded down to the second.
	if err1 != nil || err2 != nil || exp-iat < 3599 || exp-iat > 3600 {
		t.Errorf("access token exp %v iat %v, want an hour apart", claims["exp"], claims["iat"])
	}
}

// publishedKeys reads the JWKS the discovery document points to.
func (h *harness) publishedKeys() localgateway.KeySet {
	h.t.Helper()
	var disco struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := h.provider.Claims(&disco); err != nil {
		h.t.Fatal(err)
	}
	resp, err := http.Get(disco.JWKS)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	keys, err := localgateway.ParseJWKS(body)
	if err != nil {
		h.t.Fatalf("%s: %v", disco.JWKS, err)
	}
	if len(keys) != 1 || keys[testKid] == nil || !keys[testKid].Equal(&signingTestKey(h.t).PublicKey) {
		h.t.Fatalf("JWKS %s publishes %v, want the stack's key under kid %s", disco.JWKS, keys, testKid)
	}
	return keys
}

// checkSignInPage: the page the portal's users and its browser tests rely on.
func checkSignInPage(t *testing.T, doc *html.Node) {
	t.Helper()
	if h := find(doc, func(n *html.Node) bool { return n.Data == "html" }); h == nil || attr(h, "lang") != "en" {
		t.Error(`no <html lang="en">`)
	}
	if title := find(doc, func(n *html.Node) bool { return n.Data == "title" }); title == nil || text(title) == "" {
		t.Error("no <title>")
	}
	if h1 := find(doc, func(n *html.Node) bool { return n.Data == "h1" }); h1 == nil || text(h1) != "Sign in to the local identity provider" {
		t.Error("no <h1> Sign in to the local identity provider")
	}
	if find(doc, func(n *html.Node) bool { return n.Data == "style" || n.Data == "script" || attr(n, "style") != "" }) != nil {
		t.Error("inline style or script: the page's CSP would block it")
	}
	roles := labelledSelect(t, doc, "Role")
	if got, want := optionValues(roles), []string{"submitter", "approver", "leader", "admin"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Role options %v, want %v", got, want)
	}
	orgs := labelledSelect(t, doc, "Organisation")
	hmrc := find(orgs, func(n *html.Node) bool { return n.Data == "option" && attr(n, "value") == "HMRC" })
	if hmrc == nil || text(hmrc) != "HM Revenue and Customs (HMRC)" {
		t.Errorf("no Organisation option HMRC reading \"HM Revenue and Customs (HMRC)\"")
	}
	if n := len(optionValues(orgs)); n != 30 {
		t.Errorf("%d organisations, want the register's 30", n)
	}
	button := find(doc, func(n *html.Node) bool { return n.Data == "button" })
	if button == nil || text(button) != "Sign in" || attr(button, "type") != "submit" {
		t.Error(`no submit button "Sign in"`)
	}
}

// labelledSelect is the select a <label for> with exactly this text names.
func labelledSelect(t *testing.T, doc *html.Node, label string) *html.Node {
	t.Helper()
	l := find(doc, func(n *html.Node) bool { return n.Data == "label" && text(n) == label })
	if l == nil || attr(l, "for") == "" {
		t.Fatalf("no <label for> reading %q", label)
	}
	sel := find(doc, func(n *html.Node) bool { return attr(n, "id") == attr(l, "for") })
	if sel == nil || sel.Data != "select" {
		t.Fatalf("label %q is not for a select", label)
	}
	return sel
}

func optionValues(sel *html.Node) []string {
	var out []string
	for _, o := range findAll(sel, func(n *html.Node) bool { return n.Data == "option" }) {
		out = append(out, attr(o, "value"))
	}
	return out
}

// Each refusal the portal must never get round.
func TestRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()

	exchangeFails := func(t *testing.T, conf oauth2.Config, code string, wantCode string, opts ...oauth2.AuthCodeOption) {
		t.Helper()
		_, err := conf.Exchange(ctx, code, opts...)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			t.Fatalf("exchange: %v, want a refusal %s", err, wantCode)
		}
		if re.ErrorCode != wantCode {
			t.Errorf("refused with %q (%s), want %q", re.ErrorCode, re.ErrorDescription, wantCode)
		}
	}

	t.Run("wrong code_verifier", func(t *testing.T) {
		h := h.with(t)
		s := newSignIn()
		exchangeFails(t, h.oauth, h.code(s, "submitter", "HMRC"), "invalid_grant", oauth2.VerifierOption(oauth2.GenerateVerifier()))
	})
	t.Run("no code_verifier", func(t *testing.T) {
		h := h.with(t)
		s := newSignIn()
		exchangeFails(t, h.oauth, h.code(s, "submitter", "HMRC"), "invalid_request")
	})
	t.Run("wrong client secret", func(t *testing.T) {
		h := h.with(t)
		s := newSignIn()
		conf := h.oauth
		conf.ClientSecret = "not-the-secret"
		conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
		exchangeFails(t, conf, h.code(s, "submitter", "HMRC"), "invalid_client", oauth2.VerifierOption(s.verifier))
	})
	t.Run("code used twice", func(t *testing.T) {
		h := h.with(t)
		s := newSignIn()
		code := h.code(s, "leader", "CO")
		if _, err := h.oauth.Exchange(ctx, code, oauth2.VerifierOption(s.verifier)); err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		exchangeFails(t, h.oauth, code, "invalid_grant", oauth2.VerifierOption(s.verifier))
	})
	t.Run("redirect_uri differs at the token endpoint", func(t *testing.T) {
		h := h.with(t)
		s := newSignIn()
		code := h.code(s, "submitter", "HMRC")
		conf := h.oauth
		conf.RedirectURL = testPortal + "/elsewhere"
		exchangeFails(t, conf, code, "invalid_grant", oauth2.VerifierOption(s.verifier))
	})
	t.Run("unregistered redirect_uri", func(t *testing.T) {
		h := h.with(t)
		s := newSignIn()
		resp := h.authorize(s, oauth2.SetAuthURLParam("redirect_uri", "http://127.0.0.1:2/steal"))
		defer resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("authorize answered %s, want a refusal", resp.Status)
		}
		if loc := resp.Header.Get("Location"); loc != "" || resp.Request.URL.Path == signInPath {
			t.Errorf("authorize went on to %q (at %s), want it to stop", loc, resp.Request.URL)
		}
	})
	for _, tc := range []struct {
		name string
		opts []oauth2.AuthCodeOption
	}{
		{"no PKCE", nil},
		{"PKCE plain", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", "x"+oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("code_challenge_method", "plain")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.with(t)
			s := newSignIn()
			resp, err := h.browser.Get(h.oauth.AuthCodeURL(s.state, append([]oauth2.AuthCodeOption{oidc.Nonce(s.nonce)}, tc.opts...)...))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			back := h.backAtPortal(resp)
			if back.Query().Get("error") != "invalid_request" || back.Query().Get("code") != "" || back.Query().Get("state") != s.state {
				t.Errorf("back at the portal with %s, want error=invalid_request and the state", back.RawQuery)
			}
		})
	}
}

func TestSignInPageProblems(t *testing.T) {
	h := newHarness(t)
	page, doc := h.openSignInPage(newSignIn())
	tests := []struct {
		role, org string
		want      []string
	}{
		{"superuser", "HMRC", []string{"Select a role"}},
		{"submitter", "NOPE", []string{"Select an organisation"}},
		{"", "", []string{"Select a role", "Select an organisation"}},
	}
	for _, tc := range tests {
		resp := h.submit(page, doc, tc.role, tc.org)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("role %q org %q: %s, want 400", tc.role, tc.org, resp.Status)
			continue
		}
		got, err := html.Parse(strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		summary := find(got, func(n *html.Node) bool { return attr(n, "role") == "alert" })
		if summary == nil || !strings.Contains(text(summary), "There is a problem") {
			t.Fatalf("role %q org %q: no error summary", tc.role, tc.org)
		}
		var links []string
		for _, a := range findAll(summary, func(n *html.Node) bool { return n.Data == "a" }) {
			links = append(links, text(a))
		}
		if !reflect.DeepEqual(links, tc.want) {
			t.Errorf("role %q org %q: problems %v, want %v", tc.role, tc.org, links, tc.want)
		}
		if title := text(find(got, func(n *html.Node) bool { return n.Data == "title" })); !strings.HasPrefix(title, "Error: ") {
			t.Errorf("title %q, want it to start Error:", title)
		}
	}
	// The request is still waiting: a correct choice now signs in.
	resp := h.submit(page, doc, "admin", "DWP")
	resp.Body.Close()
	h.backAtPortal(resp)
	// And the form cannot be used a second time.
	resp = h.submit(page, doc, "admin", "DWP")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "This sign-in has expired") {
		t.Errorf("second submission: %s, want 400 This sign-in has expired", resp.Status)
	}
}

func TestUnknownSignInRequest(t *testing.T) {
	h := newHarness(t)
	resp, err := h.browser.Get(h.issuer + signInPath + "?authRequestID=made-up")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "This sign-in has expired") {
		t.Errorf("%s: %s", resp.Status, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	resp := h.authorize(newSignIn())
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self' http://127.0.0.1:1"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q allows unsafe-inline", csp)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	css, err := http.Get(h.issuer + stylesPath)
	if err != nil {
		t.Fatal(err)
	}
	css.Body.Close()
	if css.StatusCode != http.StatusOK || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %s %s", css.Status, css.Header.Get("Content-Type"))
	}
}

func TestDiscovery(t *testing.T) {
	h := newHarness(t)
	var d struct {
		Issuer        string   `json:"issuer"`
		Auth          string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		EndSession    string   `json:"end_session_endpoint"`
		PKCE          []string `json:"code_challenge_methods_supported"`
		AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
		Scopes        []string `json:"scopes_supported"`
		ResponseTypes []string `json:"response_types_supported"`
	}
	if err := h.provider.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if d.Issuer != h.issuer || d.Auth == "" || d.Token == "" || d.JWKS == "" || d.EndSession == "" {
		t.Errorf("discovery %+v", d)
	}
	if !slices.Contains(d.PKCE, "S256") {
		t.Errorf("code_challenge_methods_supported %v lacks S256", d.PKCE)
	}
	for _, m := range []string{"client_secret_basic", "client_secret_post"} {
		if !slices.Contains(d.AuthMethods, m) {
			t.Errorf("token_endpoint_auth_methods_supported %v lacks %s", d.AuthMethods, m)
		}
	}
	if !reflect.DeepEqual(d.Scopes, []string{"openid", "profile"}) {
		t.Errorf("scopes_supported %v", d.Scopes)
	}
}

func TestEndSession(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	s := newSignIn()
	tok, err := h.oauth.Exchange(ctx, h.code(s, "approver", "LGA-KENT"), oauth2.VerifierOption(s.verifier))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := h.provider.Claims(&d); err != nil {
		t.Fatal(err)
	}
	idToken, _ := tok.Extra("id_token").(string)
	endSession := func(postLogout string) *http.Response {
		q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {postLogout}, "state": {"bye"}}
		resp, err := h.browser.Get(d.EndSession + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := endSession(testSignedOut)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != testSignedOut+"?state=bye" {
		t.Errorf("end_session: %s to %q, want 302 to %s?state=bye", resp.Status, loc, testSignedOut)
	}
	resp = endSession("http://127.0.0.1:2/elsewhere")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("end_session to an unregistered URI: %s to %q, want 400", resp.Status, resp.Header.Get("Location"))
	}
	// Without a redirect, the provider's own page.
	resp, err = h.browser.Get(d.EndSession)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != signedOutPath || !strings.Contains(string(body), "You have signed out") {
		t.Errorf("end_session without a redirect ended at %s: %s", resp.Request.URL, body)
	}
}

// HTML helpers.

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if all := findAll(n, match); len(all) > 0 {
		return all[0]
	}
	return nil
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
