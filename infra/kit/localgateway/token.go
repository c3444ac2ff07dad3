package localgateway

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/golang-jwt/jwt/v5"
)

// MintToken signs claims with RS256, naming kid in the header so a Verifier (or API Gateway)
// can pick the key. Times are whatever the caller puts in claims (Unix seconds).
func MintToken(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	if key == nil {
		return "", errors.New("mint token: no key")
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	t.Header["kid"] = kid
	return t.SignedString(key)
}

// LoadPrivateKey reads an RSA private key from a PEM file: PKCS#8 ("PRIVATE KEY"), as the
// local stack writes it, or PKCS#1 ("RSA PRIVATE KEY").
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: key is %T, not RSA", path, k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("%s: PEM block %q is not an RSA private key", path, block.Type)
	}
}

// EncodePrivateKey is the PKCS#8 PEM form LoadPrivateKey reads.
func EncodePrivateKey(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
