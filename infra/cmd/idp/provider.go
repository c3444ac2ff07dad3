package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Paths the provider serves beside the library's endpoints (/.well-known/openid-configuration,
// /authorize, /oauth/token, /keys, /userinfo, /end_session and the rest).
const (
	signInPath    = "/login"
	signedOutPath = "/signed-out"
	stylesPath    = "/assets/idp.css"
)

// config is what the provider needs to know.
type config struct {
	issuer string // its own base URL, the iss of every token
	key    signingKey
	client portalClient
	orgs   []workforce.Organisation
	now    func() time.Time
}

func (c config) check() error {
	var errs []error
	u, err := url.Parse(c.issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("issuer %q is not an http(s) URL", c.issuer))
	}
	if c.key.key == nil || c.key.id == "" {
		errs = append(errs, errors.New("no signing key or key id"))
	}
	if c.client.id == "" || c.client.secret == "" {
		errs = append(errs, errors.New("no client id or secret"))
	}
	if len(c.client.redirectURIs) == 0 {
		errs = append(errs, errors.New("no redirect URI"))
	}
	if len(c.orgs) == 0 {
		errs = append(errs, errors.New("no organisations"))
	}
	return errors.Join(errs...)
}

// newProvider builds the provider: the library's OpenID Connect endpoints, the sign-in page
// they send people to, and a page to land on after signing out without a redirect.
func newProvider(c config) (http.Handler, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.now == nil {
		c.now = time.Now
	}
	store := newStorage(c.client, newDirectory(c.orgs), c.key, c.now)
	var codeKey [32]byte // the library encrypts authorisation codes with it
	rand.Read(codeKey[:])
	opConfig := &op.Config{
		CryptoKey:                codeKey,
		DefaultLogoutRedirectURI: signedOutPath,
		CodeMethodS256:           true,
		AuthMethodPost:           true, // client_secret_post as well as client_secret_basic
		SupportedUILocales:       []language.Tag{language.BritishEnglish},
		SupportedClaims:          append(slices.Clone(op.DefaultSupportedClaims), "name", "preferred_username", "roles", "org", "client_id", "scope"),
		SupportedScopes:          []string{"openid", "profile"},
	}
	provider, err := op.NewProvider(opConfig, store, op.StaticIssuer(c.issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("OpenID provider: %w", err)
	}
	pages, err := newSignInPages(store, op.AuthCallbackURL(provider), formTargets(c.client))
	if err != nil {
		return nil, err
	}
	issuer := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+signInPath, pages.signInForm)
	mux.Handle("POST "+signInPath, issuer.HandlerFunc(pages.signIn))
	mux.HandleFunc("GET "+signedOutPath, pages.signedOut)
	mux.HandleFunc("GET "+stylesPath, pages.styles)
	mux.Handle("/", provider)
	return baseHeaders(mux), nil
}

// formTargets are the origins the sign-in form may end up at: after the POST the browser is
// redirected to the client's redirect URI, and form-action covers the whole redirect chain.
func formTargets(c portalClient) []string {
	var origins []string
	for _, raw := range c.redirectURIs {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			if o := u.Scheme + "://" + u.Host; !slices.Contains(origins, o) {
				origins = append(origins, o)
			}
		}
	}
	return origins
}

// baseHeaders are on every response, the library's included.
func baseHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// splitList splits a comma-separated environment value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
