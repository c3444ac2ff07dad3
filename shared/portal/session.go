package portal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Cookie names. The __Host- prefix makes the browser refuse them unless they are Secure,
// have Path=/ and no Domain, so no other host or path can plant or read them.
const (
	sessionCookie = "__Host-ddat-session"
	signInCookie  = "__Host-ddat-signin"
)

// Session is the signed-in user, sealed into the session cookie. It holds the access token
// the portal sends to the JSON API on the user's behalf; the API decides what it allows.
type Session struct {
	Subject     string   `json:"sub"`
	Name        string   `json:"name,omitempty"`
	Org         string   `json:"org,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	AccessToken string   `json:"at"`
	CSRF        string   `json:"csrf"`
	// Expires is the absolute end of the session (Unix seconds): the access token's
	// expiry or the portal's maximum, whichever comes first. It is never extended.
	Expires int64 `json:"exp"`
}

// Principal is who the session's user is, for deciding what the pages offer. It never
// decides what they may see: the API does that with the token.
func (s *Session) Principal() workforce.Principal {
	return workforce.Principal{Subject: s.Subject, Org: s.Org, Roles: s.Roles}
}

// Has reports whether the user holds role.
func (s *Session) Has(role workforce.Role) bool { return slices.Contains(s.Roles, string(role)) }

// signIn is what the sign-in cookie carries between the redirect to the provider and the
// callback: the values that bind the answer to this browser and this request.
type signIn struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"` // PKCE code verifier
	ReturnTo string `json:"return_to,omitempty"`
	Expires  int64  `json:"exp"`
}

// sealer seals cookie values with AES-256-GCM. The cookie's name is the additional data,
// so a value sealed for one cookie cannot be replayed as another.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("the session key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

var errBadSeal = errors.New("the value was not sealed by this portal")

func (s *sealer) open(name, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errBadSeal
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(name))
	if err != nil {
		return errBadSeal
	}
	return json.Unmarshal(plain, v)
}

// setCookie writes a sealed cookie that ends at expires.
func (s *Server) setCookie(w http.ResponseWriter, name string, v any, expires time.Time) error {
	value, err := s.seal.seal(name, v)
	if err != nil {
		return err
	}
	if len(value) > 4000 {
		// Browsers drop cookies over 4 KB silently; say so instead.
		return fmt.Errorf("cookie %s would be %d bytes, over the 4,000 browsers keep", name, len(value))
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Expires: expires, MaxAge: max(1, int(time.Until(expires).Seconds())),
	})
	return nil
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// readCookie opens a sealed cookie into v; false when it is missing, not ours or expired.
func (s *Server) readCookie(r *http.Request, name string, v any, expires func() int64) bool {
	c, err := r.Cookie(name)
	if err != nil {
		return false
	}
	if s.seal.open(name, c.Value, v) != nil {
		return false
	}
	return s.now().Unix() < expires()
}

// session is the request's signed-in user, or nil.
func (s *Server) session(r *http.Request) *Session {
	var sess Session
	if !s.readCookie(r, sessionCookie, &sess, func() int64 { return sess.Expires }) {
		return nil
	}
	return &sess
}

// checkCSRF reports whether a form carries the session's CSRF token.
func checkCSRF(r *http.Request, sess *Session) bool {
	got := r.PostFormValue(csrfField)
	return sess != nil && sess.CSRF != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// csrfField is the hidden field every form carries.
const csrfField = "csrf_token"

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
