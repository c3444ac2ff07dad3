package localgateway

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// KeySet is a JSON Web Key Set's RSA public keys by key id.
type KeySet map[string]*rsa.PublicKey

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n"`
	E   string `json:"e"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// ParseJWKS reads an RFC 7517 key set. Keys that are not RSA signing keys are skipped, as a
// JWT authorizer would never pick them; a set with no usable key is an error.
func ParseJWKS(data []byte) (KeySet, error) {
	var set jwks
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	keys := KeySet{}
	for i, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if k.Kid == "" {
			return nil, fmt.Errorf("parse JWKS: key %d has no kid", i)
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil || len(n) == 0 {
			return nil, fmt.Errorf("parse JWKS: key %q: bad modulus", k.Kid)
		}
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("parse JWKS: key %q: bad exponent", k.Kid)
		}
		exp := new(big.Int).SetBytes(e)
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("parse JWKS: no RSA signing keys")
	}
	return keys, nil
}

// LoadJWKS reads a key set from a file.
func LoadJWKS(path string) (KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, err := ParseJWKS(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// MarshalJWKS writes keys as an RFC 7517 key set, sorted by kid so the file is stable.
func MarshalJWKS(keys KeySet) ([]byte, error) {
	var set jwks
	kids := make([]string, 0, len(keys))
	for kid := range keys {
		kids = append(kids, kid)
	}
	slices.Sort(kids)
	for _, kid := range kids {
		pub := keys[kid]
		set.Keys = append(set.Keys, jwk{
			Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
			N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	return json.MarshalIndent(set, "", "  ")
}

// Verifier checks tokens the way an API Gateway JWT authorizer does: an RSA signature by the
// key the header's kid names, iss equal to the issuer, aud (or client_id when there is no
// aud) equal to one of the audiences, exp required and in the future, nbf and iat if present
// not in the future. API Gateway accepts only RSA algorithms; alg "none", HMAC and others
// are refused before any key is looked at.
type Verifier struct {
	keys     KeySet
	issuer   string
	audience []string
	parser   *jwt.Parser
}

// NewVerifier builds a Verifier. The audiences are the authorizer's audience list.
func NewVerifier(keys KeySet, issuer string, audience []string) (*Verifier, error) {
	if len(keys) == 0 {
		return nil, errors.New("verifier: no keys")
	}
	if issuer == "" {
		return nil, errors.New("verifier: no issuer")
	}
	audience = slices.DeleteFunc(slices.Clone(audience), func(a string) bool { return a == "" })
	if len(audience) == 0 {
		return nil, errors.New("verifier: no audience")
	}
	return &Verifier{
		keys:     keys,
		issuer:   issuer,
		audience: audience,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}),
			jwt.WithJSONNumber(), // keeps numeric claims' exact text for the event
			jwt.WithIssuer(issuer),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		),
	}, nil
}

// Verify checks a compact JWT and returns its claims. Numbers are json.Number.
func (v *Verifier) Verify(token string) (map[string]any, error) {
	claims := jwt.MapClaims{}
	if _, err := v.parser.ParseWithClaims(token, claims, v.key); err != nil {
		return nil, err
	}
	// API Gateway reads client_id only when there is no aud (Cognito access tokens).
	aud, err := claims.GetAudience()
	if err != nil {
		return nil, err
	}
	if len(aud) == 0 {
		if id, ok := claims["client_id"].(string); ok {
			aud = jwt.ClaimStrings{id}
		}
	}
	if !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(v.audience, a) }) {
		return nil, jwt.ErrTokenInvalidAudience
	}
	return claims, nil
}

func (v *Verifier) key(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, errNoKid
	}
	key, ok := v.keys[kid]
	if !ok {
		return nil, errUnknownKid
	}
	return key, nil
}

var (
	errNoToken    = errors.New("no bearer token")
	errNoKid      = errors.New("token has no kid")
	errUnknownKid = errors.New("token kid is not in the key set")
)

// bearerToken takes the token from an Authorization header. API Gateway accepts the token on
// its own or prefixed with "Bearer ".
func bearerToken(header string) (string, error) {
	token := strings.TrimSpace(header)
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	}
	if token == "" {
		return "", errNoToken
	}
	return token, nil
}

// challenge is the www-authenticate value (RFC 6750) for a refused request. The description
// is one of a few fixed phrases so nothing from the token is echoed back.
func challenge(err error) string {
	if errors.Is(err, errNoToken) {
		return "Bearer"
	}
	var desc string
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		desc = "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		desc = "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		desc = "the token is missing a required claim"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		desc = "the token has an invalid issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		desc = "the token has an invalid audience"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		desc = "the token signature is invalid"
	default:
		desc = "the token is malformed"
	}
	return fmt.Sprintf(`Bearer error="invalid_token", error_description=%q`, desc)
}
