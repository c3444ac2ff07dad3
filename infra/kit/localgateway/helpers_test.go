package localgateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer   = "https://issuer.test"
	testAudience = "ddat-returns"
	testKid      = "test-key"
)

var (
	keyOnce           sync.Once
	testKey, rogueKey *rsa.PrivateKey
)

// keys makes the signing key and an unrelated one once: RSA generation is slow.
func keys(t testing.TB) (signing, rogue *rsa.PrivateKey) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rogueKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return testKey, rogueKey
}

func testVerifier(t testing.TB) *Verifier {
	t.Helper()
	key, _ := keys(t)
	v, err := NewVerifier(KeySet{testKid: &key.PublicKey}, testIssuer, []string{testAudience, "other-client"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// validClaims is a token a JWT authorizer configured with testIssuer and testAudience
// accepts; each case changes what it is about.
func validClaims() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss":   testIssuer,
		"aud":   testAudience,
		"sub":   "user-1",
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"org":   "HMRC",
		"roles": []string{"admin", "leader"},
		"email": "someone@example.gov.uk",
		"name":  "Ada Example",
	}
}

func mint(t testing.TB, claims map[string]any) string {
	t.Helper()
	key, _ := keys(t)
	tok, err := MintToken(key, testKid, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// stub is a handler that records what it was called with.
type stub struct {
	mu     sync.Mutex
	calls  int
	event  events.APIGatewayV2HTTPRequest
	ctx    context.Context
	answer func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

func (s *stub) handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	s.mu.Lock()
	s.calls++
	s.event, s.ctx = ev, ctx
	s.mu.Unlock()
	if s.answer != nil {
		return s.answer(ctx, ev)
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Body: "ok"}, nil
}

func (s *stub) called() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// newGateway serves httpapi.Routes with s behind every function; logs go to the returned
// buffer.
func newGateway(t testing.TB, s *stub, opts ...Option) (http.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	handlers := map[string]httpapi.Handler{}
	for _, r := range httpapi.Routes {
		handlers[r.Function] = s.handle
	}
	opts = append([]Option{WithLogger(slog.New(slog.NewJSONHandler(&logs, nil)))}, opts...)
	return New(httpapi.Routes, handlers, testVerifier(t), opts...), &logs
}

func do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var (
	hsMethod   jwt.SigningMethod = jwt.SigningMethodHS256
	noneMethod jwt.SigningMethod = jwt.SigningMethodNone
	noneKey                      = jwt.UnsafeAllowNoneSignatureType
)

// signWith signs with any method and key, for tokens an authorizer must refuse.
func signWith(m jwt.SigningMethod, kid string, claims map[string]any, key any) (string, error) {
	t := jwt.NewWithClaims(m, jwt.MapClaims(claims))
	t.Header["kid"] = kid
	return t.SignedString(key)
}

// publicKeyPEM is the public key as an attacker would find it, for the HS256 key-confusion
// attack.
func publicKeyPEM(pub *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// testRoutes parses "METHOD /path function" lines.
func testRoutes(lines ...string) []httpapi.Route {
	var out []httpapi.Route
	for _, l := range lines {
		f := strings.Fields(l)
		out = append(out, httpapi.Route{Method: f[0], Path: f[1], Function: f[2]})
	}
	return out
}
