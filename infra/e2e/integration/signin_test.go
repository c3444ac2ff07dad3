package integration

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"
)

// Signing in at the stack's identity provider as the portal does, and calling the API through
// the local gateway with the access token it issued: the gateway verifies it as it verifies
// make token's, and the roles and organisation chosen on the sign-in page are what the API's
// policies see.
func TestSignInAtTheLocalIdentityProvider(t *testing.T) {
	h := newHarness(t)
	for _, k := range []string{"IDP_URL", "PORTAL_CLIENT_ID", "PORTAL_CLIENT_SECRET", "PORTAL_URL"} {
		if h.env[k] == "" {
			t.Fatalf("%s is not in .local/stack.env: make up starts the identity provider", k)
		}
	}
	provider, err := oidc.NewProvider(h.ctx, h.env["IDP_URL"])
	if err != nil {
		t.Fatalf("discovery at IDP_URL: %v", err)
	}
	conf := oauth2.Config{
		ClientID:     h.env["PORTAL_CLIENT_ID"],
		ClientSecret: h.env["PORTAL_CLIENT_SECRET"],
		Endpoint:     provider.Endpoint(),
		RedirectURL:  h.env["PORTAL_URL"] + "/auth/callback",
		Scopes:       []string{oidc.ScopeOpenID, "profile"},
	}
	tests := []struct {
		role, org  string
		path       string
		wantStatus int
	}{
		{"submitter", "HMRC", "/organisations", http.StatusOK},
		{"submitter", "HMRC", "/rollups", http.StatusForbidden}, // management figures are not a submitter's
		{"leader", "CO", "/rollups", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.role+" "+tc.path, func(t *testing.T) {
			tok := signInAs(t, provider, conf, tc.role, tc.org)
			idToken, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(h.ctx, tok.Extra("id_token").(string))
			if err != nil {
				t.Fatalf("ID token: %v", err)
			}
			if want := "local-" + tc.role + "-" + strings.ToLower(tc.org); idToken.Subject != want {
				t.Errorf("sub %q, want %q", idToken.Subject, want)
			}
			r, err := h.client.Do(h.ctx, http.MethodGet, tc.path, tok.AccessToken, "", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.wantStatus {
				t.Errorf("GET %s as %s of %s: %d %s, want %d", tc.path, tc.role, tc.org, r.Status, r.Body, tc.wantStatus)
			}
		})
	}
}

// signInAs runs the code flow with PKCE, state and nonce, choosing role and org on the
// provider's sign-in page, and exchanges the code.
func signInAs(t *testing.T, provider *oidc.Provider, conf oauth2.Config, role, org string) *oauth2.Token {
	t.Helper()
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	browser := &http.Client{CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), conf.RedirectURL) {
			return http.ErrUseLastResponse // the portal's callback: the test takes over
		}
		return nil
	}}
	resp, err := browser.Get(conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	page := resp.Request.URL
	doc, err := html.Parse(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in page %s: %s %v", page, resp.Status, err)
	}
	form := url.Values{"role": {role}, "org": {org}}
	action := ""
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		a := map[string]string{}
		for _, at := range n.Attr {
			a[at.Key] = at.Val
		}
		switch {
		case n.Data == "form":
			action = a["action"]
		case n.Data == "input" && a["type"] == "hidden":
			form.Set(a["name"], a["value"])
		}
	}
	target, err := page.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = browser.PostForm(target.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	back, err := resp.Location()
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("signing in as %s of %s: %s %s", role, org, resp.Status, body)
	}
	if back.Query().Get("state") != state {
		t.Fatalf("state %q, want %q", back.Query().Get("state"), state)
	}
	tok, err := conf.Exchange(context.Background(), back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}
