package localgateway

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJWKSRoundTrip(t *testing.T) {
	key, rogue := keys(t)
	data, err := MarshalJWKS(KeySet{"k1": &key.PublicKey, "k2": &rogue.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadJWKS(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["k1"].Equal(&key.PublicKey) || !got["k2"].Equal(&rogue.PublicKey) {
		t.Errorf("keys did not survive the round trip: %v", got)
	}
}

func TestParseJWKS(t *testing.T) {
	key, _ := keys(t)
	good, _ := MarshalJWKS(KeySet{"k1": &key.PublicKey})
	n := string(good)[strings.Index(string(good), `"n": "`)+6:]
	n = n[:strings.Index(n, `"`)]
	tests := []struct {
		name, doc string
		wantKeys  int
		wantErr   bool
	}{
		{"rsa key", string(good), 1, false},
		{"skips EC and encryption keys", `{"keys":[{"kty":"EC","kid":"e"},{"kty":"RSA","kid":"enc","use":"enc","n":"` + n + `","e":"AQAB"},{"kty":"RSA","kid":"s","n":"` + n + `","e":"AQAB"}]}`, 1, false},
		{"no usable keys", `{"keys":[{"kty":"EC","kid":"e"}]}`, 0, true},
		{"no kid", `{"keys":[{"kty":"RSA","n":"` + n + `","e":"AQAB"}]}`, 0, true},
		{"bad modulus", `{"keys":[{"kty":"RSA","kid":"k","n":"***","e":"AQAB"}]}`, 0, true},
		{"not json", `keys`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJWKS([]byte(tt.doc))
			if (err != nil) != tt.wantErr || len(got) != tt.wantKeys {
				t.Errorf("got %d keys, err %v; want %d keys, error %v", len(got), err, tt.wantKeys, tt.wantErr)
			}
		})
	}
}

func TestLoadPrivateKey(t *testing.T) {
	key, _ := keys(t)
	dir := t.TempDir()
	pkcs8, err := EncodePrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pub, _ := publicKeyPEM(&key.PublicKey)
	for name, data := range map[string][]byte{"pkcs8.pem": pkcs8, "pkcs1.pem": pkcs1, "public.pem": pub, "junk.pem": []byte("junk")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"pkcs8.pem", "pkcs1.pem"} {
		got, err := LoadPrivateKey(filepath.Join(dir, name))
		if err != nil || !got.Equal(key) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"public.pem", "junk.pem", "missing.pem"} {
		if _, err := LoadPrivateKey(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestMintedTokenVerifies(t *testing.T) {
	v := testVerifier(t)
	claims, err := v.Verify(mint(t, validClaims()))
	if err != nil {
		t.Fatal(err)
	}
	if claims["org"] != "HMRC" || claims["sub"] != "user-1" {
		t.Errorf("claims %v", claims)
	}
	exp := validClaims()
	exp["exp"] = time.Now().Add(-time.Second).Unix()
	if _, err := v.Verify(mint(t, exp)); err == nil {
		t.Error("expired token verified")
	}
}

func TestNewVerifierNeedsConfiguration(t *testing.T) {
	key, _ := keys(t)
	ks := KeySet{"k": &key.PublicKey}
	for name, f := range map[string]func() error{
		"no keys":     func() error { _, err := NewVerifier(nil, testIssuer, []string{"a"}); return err },
		"no issuer":   func() error { _, err := NewVerifier(ks, "", []string{"a"}); return err },
		"no audience": func() error { _, err := NewVerifier(ks, testIssuer, []string{""}); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
