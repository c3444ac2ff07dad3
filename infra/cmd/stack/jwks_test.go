package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

func TestRSAThumbprint(t *testing.T) {
	tests := []struct {
		name, n, e, want string
	}{
		{
			// RFC 7638 section 3.1.
			name: "RFC 7638 example",
			n:    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
			e:    "AQAB",
			want: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rsaThumbprint(tt.n, tt.e); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWriteSigningKey(t *testing.T) {
	dir := t.TempDir()
	keyPath, jwksPath := filepath.Join(dir, "jwt-key.pem"), filepath.Join(dir, "jwks.json")
	kid, err := writeSigningKey(keyPath, jwksPath)
	if err != nil {
		t.Fatal(err)
	}

	info, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key mode %v, want 0600", perm)
	}
	pemBytes, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("want a PKCS#8 PRIVATE KEY block, got %q", pemBytes)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok || key.N.BitLen() != 2048 {
		t.Fatalf("want an RSA-2048 key, got %T", parsed)
	}

	data, err := os.ReadFile(jwksPath)
	if err != nil {
		t.Fatal(err)
	}
	var set jwkSet
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("got %d keys, want 1", len(set.Keys))
	}
	got := set.Keys[0]
	if got.Kty != "RSA" || got.Alg != "RS256" || got.Use != "sig" || got.Kid != kid || got.E != "AQAB" {
		t.Errorf("JWK header fields = %+v (kid %s)", got, kid)
	}
	if n := new(big.Int).SetBytes(mustB64(t, got.N)); n.Cmp(key.N) != 0 {
		t.Error("JWKS modulus is not the private key's")
	}
	if kid != rsaThumbprint(got.N, got.E) {
		t.Errorf("kid %s is not the key's thumbprint", kid)
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
