// Package portal is the service in a browser (SPEC §9): server-rendered GOV.UK Design
// System pages for submitters, approvers, leaders and administrators.
//
// It is a backend-for-frontend. It signs people in with OpenID Connect, keeps their access
// token in a sealed cookie and reaches the data only through the JSON API, with that token:
// it holds no DynamoDB or S3 permission, and the API's authorisation is the only
// authorisation. What a page offers depends on the user's roles; what it shows is what the
// API answered.
//
// Files: portal.go (configuration, routes, middleware), session.go (sealed cookies, CSRF),
// auth.go (sign-in), api.go (the JSON API client), render.go (templates, error pages),
// assets.go (GOV.UK Frontend, fingerprinted), lambda.go (API Gateway events to net/http),
// and one file per group of pages.
package portal

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// BasePath is where the portal is served, on the same HTTP API as the JSON API.
const BasePath = "/portal"

// Config is what the portal needs to run.
type Config struct {
	// APIURL is the JSON API's base URL, without a trailing slash; empty means the API
	// the request came through (https://<host>), as on AWS, where the portal is a route of
	// the same HTTP API and its URL cannot be known before the API exists.
	APIURL string
	// BaseURL is the portal's own absolute URL, ending in BasePath; empty means
	// <the API's URL>/portal. The provider's redirect and sign-out URIs are under it.
	BaseURL      string
	BasePath     string // BasePath
	Issuer       string // the OpenID provider the API trusts
	ClientID     string
	ClientSecret string
	SessionKey   []byte // 32 bytes, SHA-256 of PORTAL_SESSION_KEY: seals the cookies
	// Claim names, as the API reads them (ORG_CLAIM, ROLES_CLAIM), and the display name's.
	OrgClaim, RolesClaim, NameClaim string
	// OrganisationName is the organisation that runs the service, shown in the header: the
	// service is not on a GOV.UK domain, so it carries no GOV.UK crown or logotype.
	OrganisationName string
	// SessionLifetime is the longest a session lasts, however long the token would.
	SessionLifetime time.Duration
	// MaxUploadBytes is the largest file a page takes (the file travels in the form that
	// sends it too, so twice through Lambda's 6 MB request).
	MaxUploadBytes int64
	HTTPClient     *http.Client
	Now            func() time.Time
	// Calendar is the collection's calendar, as the API has it (DUE_DAYS, FIRST_QUARTER):
	// which quarters an organisation owes, and when each is due.
	Calendar *collection.Calendar
}

// ServiceName is the service's name, in the header and every page title.
const ServiceName = "DDaT workforce returns"

// DefaultMaxUploadBytes keeps an upload, base64-encoded in the form that sends it, inside
// Lambda's 6 MB request: 2 MiB becomes about 2.8 MB in the form and 3.7 MB in the event.
const DefaultMaxUploadBytes = 2 << 20

// ConfigFromEnv reads the portal's configuration: PORTAL_API_URL (default API_URL, else
// the requests' own host), PORTAL_BASE_URL (default the API URL + BasePath), OIDC_ISSUER
// (default JWT_ISSUER), PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET, PORTAL_SESSION_KEY (a
// secret of at least 32 characters; its SHA-256 is the key), ORG_CLAIM, ROLES_CLAIM,
// NAME_CLAIM, PORTAL_ORGANISATION_NAME, PORTAL_SESSION_HOURS.
func ConfigFromEnv() (Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		APIURL:           strings.TrimRight(env("PORTAL_API_URL", os.Getenv("API_URL")), "/"),
		Issuer:           env("OIDC_ISSUER", os.Getenv("JWT_ISSUER")),
		ClientID:         os.Getenv("PORTAL_CLIENT_ID"),
		ClientSecret:     os.Getenv("PORTAL_CLIENT_SECRET"),
		OrgClaim:         env("ORG_CLAIM", "org"),
		RolesClaim:       env("ROLES_CLAIM", "roles"),
		NameClaim:        env("NAME_CLAIM", "name"),
		OrganisationName: env("PORTAL_ORGANISATION_NAME", "Government Digital Service"),
		SessionLifetime:  8 * time.Hour,
	}
	if c.APIURL != "" {
		c.BaseURL = strings.TrimRight(env("PORTAL_BASE_URL", c.APIURL+BasePath), "/")
	}
	var problems []string
	for k, v := range map[string]string{"OIDC_ISSUER or JWT_ISSUER": c.Issuer, "PORTAL_CLIENT_ID": c.ClientID} {
		if v == "" {
			problems = append(problems, k+" must be set")
		}
	}
	secret := os.Getenv("PORTAL_SESSION_KEY")
	if len(secret) < 32 {
		problems = append(problems, "PORTAL_SESSION_KEY must be a secret of at least 32 characters")
	}
	key := sha256.Sum256([]byte(secret))
	c.SessionKey = key[:]
	if v := os.Getenv("PORTAL_SESSION_HOURS"); v != "" {
		var h int
		if _, err := fmt.Sscan(v, &h); err != nil || h < 1 || h > 24 {
			problems = append(problems, "PORTAL_SESSION_HOURS must be from 1 to 24")
		}
		c.SessionLifetime = time.Duration(h) * time.Hour
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// Server serves the portal's pages.
type Server struct {
	cfg      Config
	seal     *sealer
	provider *provider
	api      *apiClient
	views    *views
	assets   *assets
	log      *slog.Logger
	mux      *http.ServeMux
	csp      string
}

// New builds the portal from its configuration.
func New(cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.BasePath == "" {
		cfg.BasePath = BasePath
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 25 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUploadBytes == 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = 8 * time.Hour
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.Calendar == nil {
		return nil, errors.New("portal: the collection's calendar is not configured")
	}
	seal, err := newSealer(cfg.SessionKey)
	if err != nil {
		return nil, err
	}
	a, err := loadAssets(cfg.BasePath + "/assets/")
	if err != nil {
		return nil, err
	}
	v, err := loadViews(a)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, seal: seal, log: log, assets: a, views: v,
		provider: &provider{cfg: cfg},
		api:      &apiClient{http: cfg.HTTPClient},
		csp:      contentSecurityPolicy(cfg.Issuer),
	}
	s.routes()
	return s, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// handler is a page for a signed-in user.
type handler func(w http.ResponseWriter, r *http.Request, sess *Session)

// routes is the portal's one table of pages. Every page but the start page and the
// sign-in steps needs a session; every POST needs the session's CSRF token.
func (s *Server) routes() {
	b := s.cfg.BasePath
	m := http.NewServeMux()
	m.Handle("GET "+b+"/assets/", s.assets)
	m.HandleFunc("GET "+b, s.start)
	m.HandleFunc("GET "+b+"/{$}", s.start)
	m.HandleFunc("GET "+b+"/sign-in", s.signIn)
	m.HandleFunc("GET "+b+"/auth/callback", s.callback)
	m.HandleFunc("GET "+b+"/signed-out", s.signedOut)
	m.HandleFunc("POST "+b+"/sign-out", s.signedIn(s.signOut))
	m.HandleFunc("GET "+b+"/accessibility", s.accessibility)
	// The service has no icon of its own, and GOV.UK's crown is not for it.
	m.HandleFunc("GET "+b+"/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, p := range s.pages() {
		m.HandleFunc(p.pattern, s.signedIn(p.handle))
	}
	m.HandleFunc(b+"/", s.notFound)
	s.mux = m
}

// page is one route of a group of pages (submitter.go, leader.go, admin.go).
type page struct {
	pattern string // a net/http pattern, "GET /portal/returns/{org}/{period}"
	handle  handler
}

// pages lists every signed-in page; each group's file adds its own.
func (s *Server) pages() []page {
	var all []page
	for _, group := range pageGroups {
		all = append(all, group(s)...)
	}
	return all
}

// pageGroups are the files of pages, each a function listing its routes.
var pageGroups []func(*Server) []page

// ServeHTTP serves a request with the security headers every answer carries.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if !strings.HasPrefix(r.URL.Path, s.cfg.BasePath+"/assets/") {
		h.Set("Cache-Control", "no-store") // pages hold a person's work
	}
	defer func() {
		if p := recover(); p != nil {
			s.fail(w, r, fmt.Errorf("panic: %v", p))
		}
	}()
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), urlsKey{}, s.urlsFor(r))))
}

// urls are where the API and the portal are for one request.
type urls struct{ api, base string }

type urlsKey struct{}

// urlsFor is the configured URLs, or those of the host the request came to: on AWS the
// portal is a route of the API it calls, reached over https.
func (s *Server) urlsFor(r *http.Request) urls {
	u := urls{api: s.cfg.APIURL, base: s.cfg.BaseURL}
	if u.api == "" {
		u.api = "https://" + r.Host
	}
	if u.base == "" {
		u.base = u.api + s.cfg.BasePath
	}
	return u
}

func urlsOf(ctx context.Context) urls {
	u, _ := ctx.Value(urlsKey{}).(urls)
	return u
}

// contentSecurityPolicy allows the portal's own files only: no inline script or style.
// Forms may post to the portal, and sign-out's redirect may go to the provider.
func contentSecurityPolicy(issuer string) string {
	formAction := "'self'"
	if u, err := url.Parse(issuer); err == nil && u.Scheme != "" && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"font-src 'self'",
		"connect-src 'self'",
		"form-action " + formAction,
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}

// signedIn runs h for a signed-in user, sending anyone else to sign in first, and refuses
// a POST that does not carry the session's CSRF token.
func (s *Server) signedIn(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		if sess == nil {
			if r.Method != http.MethodGet {
				s.problemPage(w, r, http.StatusUnauthorized, "You have been signed out",
					"Your session ended, so what you sent was not kept. Sign in and try again.")
				return
			}
			http.Redirect(w, r, s.cfg.BasePath+"/sign-in?return_to="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			// Multipart forms are parsed with the upload limit; others are small.
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes+1<<20)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				if err := r.ParseMultipartForm(s.cfg.MaxUploadBytes + 1<<20); err != nil {
					s.problemPage(w, r, http.StatusRequestEntityTooLarge, "The file is too large",
						fmt.Sprintf("The file must be smaller than %d MB.", s.cfg.MaxUploadBytes>>20))
					return
				}
			}
			if !checkCSRF(r, sess) {
				s.problemPage(w, r, http.StatusForbidden, "This form has expired",
					"The form was not sent from this session, so nothing was changed. Go back, reload the page and try again.")
				return
			}
		}
		h(w, r, sess)
	}
}

// start is the start page: what the service is for, and a way to sign in.
func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r)
	if sess != nil {
		http.Redirect(w, r, s.homeFor(sess), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "start", nil, nil)
}

// homeFor is the first page for a user's roles.
func (s *Server) homeFor(sess *Session) string {
	b := s.cfg.BasePath
	switch {
	case sess.Has(workforce.RoleAdmin):
		return b + "/admin"
	case sess.Has(workforce.RoleLeader):
		return b + "/progress"
	case sess.Has(workforce.RoleSubmitter), sess.Has(workforce.RoleApprover):
		return b + "/returns"
	}
	return b + "/no-access"
}

func (s *Server) signedOut(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signed-out", nil, nil)
}

func (s *Server) accessibility(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "accessibility", s.session(r), nil)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.problemPage(w, r, http.StatusNotFound, "Page not found",
		"If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.")
}

// FunctionPortal is the Lambda function that serves the portal. It has no IAM permission
// on the data: it calls the JSON API with each user's token.
const FunctionPortal = "portal"

// Routes are the portal's routes on the HTTP API. They have no JWT authorizer: the portal
// signs people in itself and sends their token on to the API, whose routes do.
var Routes = []httpapi.Route{
	{Method: "GET", Path: BasePath, Function: FunctionPortal},
	{Method: "ANY", Path: BasePath + "/{proxy+}", Function: FunctionPortal},
}
