package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes. An authorisation request lives while someone is on the sign-in page; a code
// only for the redirect back and the exchange that follows it at once.
const (
	authRequestLifetime = 10 * time.Minute
	codeLifetime        = time.Minute
	accessTokenLifetime = time.Hour
	idTokenLifetime     = time.Hour
)

// storage is the provider's state, in memory: a restart forgets requests and codes in
// flight, and nothing else, because tokens are signed JWTs that carry their own claims.
type storage struct {
	client portalClient
	people directory
	key    signingKey
	now    func() time.Time

	mu       sync.Mutex
	requests map[string]*authRequest // by id
	codes    map[string]string       // authorisation code → request id
}

var _ op.Storage = (*storage)(nil)

func newStorage(client portalClient, people directory, key signingKey, now func() time.Time) *storage {
	return &storage{client: client, people: people, key: key, now: now,
		requests: map[string]*authRequest{}, codes: map[string]string{}}
}

// errNotFound is what the library turns into invalid_grant or invalid_request.
var errNotFound = errors.New("not found")

// CreateAuthRequest keeps a request the library has checked against the client (its
// redirect_uri among them). PKCE with S256 is required here, since the library leaves it
// optional for a confidential client.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method S256")
	}
	a := &authRequest{
		id:           rand.Text(),
		created:      s.now(),
		clientID:     req.ClientID,
		redirectURI:  req.RedirectURI,
		state:        req.State,
		nonce:        req.Nonce,
		scopes:       req.Scopes,
		responseType: req.ResponseType,
		responseMode: req.ResponseMode,
		challenge:    &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	s.requests[a.id] = a
	return a.clone(), nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.live(id)
	if !ok {
		return nil, errNotFound
	}
	return a.clone(), nil
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.live(s.codes[code])
	if !ok || a.code != code || s.now().Sub(a.codeIssued) > codeLifetime {
		return nil, errNotFound
	}
	return a.clone(), nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.live(id)
	if !ok || !a.done {
		return errNotFound
	}
	if a.code != "" { // one code per sign-in
		delete(s.codes, a.code)
	}
	a.code, a.codeIssued = code, s.now()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest runs once a code has been exchanged, so a code works once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[id]; ok {
		delete(s.codes, a.code)
		delete(s.requests, id)
	}
	return nil
}

// signIn records who someone chose to be for a request still waiting on the sign-in page.
func (s *storage) signIn(id string, who identity) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.live(id)
	if !ok || a.done {
		return errNotFound
	}
	a.subject, a.authTime, a.done = who.Subject(), s.now(), true
	return nil
}

// waiting reports whether a request is still waiting on the sign-in page.
func (s *storage) waiting(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.live(id)
	return ok && !a.done
}

// live is the request with id, unless it has expired. Callers hold mu.
func (s *storage) live(id string) (*authRequest, bool) {
	a, ok := s.requests[id]
	if !ok || s.now().Sub(a.created) > authRequestLifetime {
		return nil, false
	}
	return a, true
}

// sweep forgets expired requests, so abandoned sign-ins do not pile up. Callers hold mu.
func (s *storage) sweep() {
	for id, a := range s.requests {
		if s.now().Sub(a.created) > authRequestLifetime {
			delete(s.codes, a.code)
			delete(s.requests, id)
		}
	}
}

// CreateAccessToken names the access token (its jti) and sets its expiry; the library signs
// it as a JWT, because the client's access token type is JWT.
func (s *storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return rand.Text(), s.now().Add(accessTokenLifetime), nil
}

var errNoRefresh = errors.New("this provider issues no refresh tokens")

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNoRefresh
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession has nothing to end: the provider keeps no session, and asks who you are
// on every sign-in.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// RevokeToken cannot recall a signed JWT; the library answers revocation requests with 200,
// as RFC 7009 asks for tokens the server does not know.
func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, errNotFound
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || subtle.ConstantTimeCompare([]byte(secret), []byte(s.client.secret)) != 1 {
		return errors.New("wrong client id or secret")
	}
	return nil
}

// SetUserinfoFromScopes fills the ID token's and userinfo's claims: the subject, roles and
// organisation always, the name with the profile scope.
func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, sub, _ string, scopes []string) error {
	who, ok := s.people.fromSubject(sub)
	if !ok {
		return errNotFound
	}
	info.Subject = sub
	for k, v := range who.Claims() {
		info.AppendClaims(k, v)
	}
	for _, scope := range scopes {
		if scope == oidc.ScopeProfile {
			info.Name = who.Name()
			info.PreferredUsername = sub
		}
	}
	return nil
}

// SetUserinfoFromToken serves the userinfo endpoint, after the library has checked the
// access token's signature and expiry.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, _, sub, _ string) error {
	return s.SetUserinfoFromScopes(ctx, info, sub, s.client.id, []string{oidc.ScopeOpenID, oidc.ScopeProfile})
}

func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, _, sub, clientID string) error {
	var info oidc.UserInfo
	if err := s.SetUserinfoFromToken(ctx, &info, "", sub, ""); err != nil {
		return err
	}
	resp.SetUserInfo(&info)
	resp.ClientID = clientID
	resp.Active = true
	return nil
}

// GetPrivateClaimsFromRequest adds the access token's own claims: roles, org and the
// granted scopes (the library's JWT leaves scope out).
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	claims, err := s.GetPrivateClaimsFromScopes(ctx, req.GetSubject(), s.client.id, req.GetScopes())
	if err != nil {
		return nil, err
	}
	claims["scope"] = strings.Join(req.GetScopes(), " ")
	return claims, nil
}

func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, sub, _ string, _ []string) (map[string]any, error) {
	who, ok := s.people.fromSubject(sub)
	if !ok {
		return nil, errNotFound
	}
	return who.Claims(), nil
}

var errNoJWTProfile = errors.New("this provider does not accept JWT client assertions")

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNoJWTProfile
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNoJWTProfile
}

func (s *storage) Health(context.Context) error { return nil }

// authRequest is one authorisation request, from /authorize to the code's exchange.
type authRequest struct {
	id           string
	created      time.Time
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	challenge    *oidc.CodeChallenge

	subject    string // set by the sign-in page
	authTime   time.Time
	done       bool
	code       string
	codeIssued time.Time
}

var _ op.AuthRequest = (*authRequest)(nil)

// clone is a copy the library can read without holding the storage's lock.
func (a *authRequest) clone() *authRequest {
	c := *a
	c.scopes = append([]string(nil), a.scopes...)
	return &c
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return nil }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// signingKey is the stack's RSA key, the one make token signs with, under the stack's kid.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

// publicKey is the signing key's public half, as the JWKS publishes it.
type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }
