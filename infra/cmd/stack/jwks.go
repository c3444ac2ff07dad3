package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
)

// jwk is an RFC 7517 RSA public key as the local gateway's JWT verifier reads it.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// writeSigningKey makes a fresh RSA-2048 key: the private half (PKCS#8 PEM, owner-only) for
// make token, the public half as a JWKS for the gateway. It returns the key id.
func writeSigningKey(keyPath, jwksPath string) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("generate JWT key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("encode JWT key: %w", err)
	}
	if err := writeFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return "", err
	}
	pub := publicJWK(&key.PublicKey)
	set, err := json.MarshalIndent(jwkSet{Keys: []jwk{pub}}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode JWKS: %w", err)
	}
	if err := writeFileAtomic(jwksPath, append(set, '\n'), 0o644); err != nil {
		return "", err
	}
	return pub.Kid, nil
}

// publicJWK describes pub for RS256 signatures, with its RFC 7638 thumbprint as the key id so
// that the id changes whenever the key does.
func publicJWK(pub *rsa.PublicKey) jwk {
	n := b64(pub.N.Bytes())
	e := b64(big.NewInt(int64(pub.E)).Bytes())
	return jwk{Kty: "RSA", Kid: rsaThumbprint(n, e), Alg: "RS256", Use: "sig", N: n, E: e}
}

// rsaThumbprint is the RFC 7638 thumbprint: SHA-256 over the required members in
// lexicographic order, with no whitespace.
func rsaThumbprint(n, e string) string {
	sum := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return b64(sum[:])
}

func b64(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}
