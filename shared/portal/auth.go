package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/textsafe"
)

// signInLifetime is how long a browser has between leaving for the provider and coming back.
const signInLifetime = 10 * time.Minute

// provider is the OpenID provider, discovered on first use so the function starts even
// when the provider is briefly unreachable; a failed discovery is retried next time.
type provider struct {
	cfg Config

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
	endSess  string
}

// get is the client's configuration for this request (its redirect URI is under the
// portal's URL for the request), the ID token verifier and the end-session endpoint.
func (p *provider) get(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oauth != nil {
		c := *p.oauth
		c.RedirectURL = urlsOf(ctx).base + "/auth/callback"
		return &c, p.verifier, p.endSess, nil
	}
	ctx = oidc.ClientContext(ctx, p.cfg.HTTPClient)
	op, err := oidc.NewProvider(ctx, p.cfg.Issuer)
	if err != nil {
		return nil, nil, "", fmt.Errorf("discover the OpenID provider %s: %w", p.cfg.Issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = op.Claims(&meta)
	p.oauth = &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.cfg.ClientSecret,
		Endpoint:     op.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "profile"},
	}
	p.verifier = op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID})
	p.endSess = meta.EndSession
	c := *p.oauth
	c.RedirectURL = urlsOf(ctx).base + "/auth/callback"
	return &c, p.verifier, p.endSess, nil
}

// signIn sends the browser to the provider: authorisation code flow with PKCE (S256), a
// state bound to this browser by the sealed sign-in cookie, and a nonce the ID token must
// carry back.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	oauth, _, _, err := s.provider.get(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := signIn{
		State:    randomToken(),
		Nonce:    randomToken(),
		Verifier: oauth2.GenerateVerifier(),
		ReturnTo: s.localPath(r.URL.Query().Get("return_to")),
		Expires:  s.now().Add(signInLifetime).Unix(),
	}
	if err := s.setCookie(w, signInCookie, in, time.Unix(in.Expires, 0)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, oauth.AuthCodeURL(in.State, oidc.Nonce(in.Nonce), oauth2.S256ChallengeOption(in.Verifier)), http.StatusSeeOther)
}

// callback takes the provider's answer: the state must match this browser's sign-in, the
// code is exchanged with the PKCE verifier, and the ID token must be the provider's, for
// this client, with this sign-in's nonce.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	var in signIn
	ok := s.readCookie(r, signInCookie, &in, func() int64 { return in.Expires })
	clearCookie(w, signInCookie) // one use, whatever happens next
	q := r.URL.Query()
	switch {
	case !ok:
		s.problemPage(w, r, http.StatusBadRequest, "Your sign-in expired",
			"Signing in took too long, or it was started in another browser. Sign in again.")
		return
	case q.Get("state") == "" || q.Get("state") != in.State:
		s.problemPage(w, r, http.StatusBadRequest, "Sorry, there is a problem signing you in",
			"The answer from the sign-in service did not match this sign-in. Sign in again.")
		return
	case q.Get("error") != "":
		s.problemPage(w, r, http.StatusForbidden, "You could not be signed in",
			"The sign-in service refused the sign-in ("+textsafe.Truncate(q.Get("error"))+"). Sign in again, or contact your administrator.")
		return
	}
	oauth, verifier, _, err := s.provider.get(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := oidc.ClientContext(r.Context(), s.cfg.HTTPClient)
	tok, err := oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(in.Verifier))
	if err != nil {
		s.log.WarnContext(ctx, "code exchange refused", "error", err.Error())
		s.problemPage(w, r, http.StatusBadRequest, "Sorry, there is a problem signing you in",
			"The sign-in service did not accept this sign-in. Sign in again.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err == nil && idt.Nonce != in.Nonce {
		err = errors.New("the ID token's nonce is not this sign-in's")
	}
	if err != nil {
		s.log.WarnContext(ctx, "ID token refused", "error", err.Error())
		s.problemPage(w, r, http.StatusBadRequest, "Sorry, there is a problem signing you in",
			"The sign-in service's answer could not be verified. Sign in again.")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		s.fail(w, r, err)
		return
	}
	expires := s.now().Add(s.cfg.SessionLifetime)
	if !tok.Expiry.IsZero() && tok.Expiry.Before(expires) {
		expires = tok.Expiry
	}
	sess := Session{
		Subject:     idt.Subject,
		Name:        claimString(claims[s.cfg.NameClaim]),
		Org:         strings.ToUpper(strings.TrimSpace(claimString(claims[s.cfg.OrgClaim]))),
		Roles:       claimList(claims[s.cfg.RolesClaim]),
		AccessToken: tok.AccessToken,
		CSRF:        randomToken(),
		Expires:     expires.Unix(),
	}
	if err := s.setCookie(w, sessionCookie, sess, expires); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "signed in", "sub", sess.Subject, "org", sess.Org, "roles", strings.Join(sess.Roles, " "))
	to := in.ReturnTo
	if to == "" {
		to = s.cfg.BasePath
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// signOut ends the session here, then at the provider when it offers an end-session
// endpoint, which sends the browser back to the signed-out page.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, sess *Session) {
	clearCookie(w, sessionCookie)
	to := s.cfg.BasePath + "/signed-out"
	if _, _, end, err := s.provider.get(r.Context()); err == nil && end != "" {
		u, err := url.Parse(end)
		if err == nil {
			q := u.Query()
			q.Set("client_id", s.cfg.ClientID)
			back := urlsOf(r.Context()).base + "/signed-out"
			q.Set("post_logout_redirect_uri", back)
			q.Set("logout_uri", back) // Cognito's name for it
			u.RawQuery = q.Encode()
			to = u.String()
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localPath keeps a return address to a path of this portal, so the sign-in cannot be
// used to send people elsewhere.
func (s *Server) localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, s.cfg.BasePath) || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return p
}

func claimString(v any) string {
	s, _ := v.(string)
	return s
}

// claimList reads a roles claim that may be a JSON array or a string (space- or
// comma-separated, or flattened as API Gateway flattens arrays).
func claimList(v any) []string {
	switch v := v.(type) {
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case string:
		return httpapi.ParseList(v)
	case json.Number:
		return []string{v.String()}
	}
	return nil
}
