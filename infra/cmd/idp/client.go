package main

import (
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// portalClient is the provider's one client: the portal, a confidential web application
// using the authorisation code flow, its secret sent by HTTP Basic or in the form.
type portalClient struct {
	id, secret     string
	redirectURIs   []string
	postLogoutURIs []string
}

var _ op.Client = portalClient{}

func (c portalClient) GetID() string                       { return c.id }
func (c portalClient) RedirectURIs() []string              { return slices.Clone(c.redirectURIs) }
func (c portalClient) PostLogoutRedirectURIs() []string    { return slices.Clone(c.postLogoutURIs) }
func (c portalClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c portalClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c portalClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c portalClient) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c portalClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c portalClient) IDTokenLifetime() time.Duration       { return idTokenLifetime }
func (c portalClient) DevMode() bool                        { return false }
func (c portalClient) IsScopeAllowed(string) bool           { return false } // openid and profile only
func (c portalClient) IDTokenUserinfoClaimsAssertion() bool { return true }  // the name in the ID token
func (c portalClient) ClockSkew() time.Duration             { return 0 }
func (c portalClient) LoginURL(authRequestID string) string {
	return signInPath + "?" + url.Values{"authRequestID": {authRequestID}}.Encode()
}

func (c portalClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c portalClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
