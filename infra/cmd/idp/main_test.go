package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/localgateway"
)

func TestConfigFromEnv(t *testing.T) {
	pem, err := localgateway.EncodePrivateKey(signingTestKey(t))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "jwt-key.pem")
	if err := os.WriteFile(keyFile, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"JWT_ISSUER":              "http://127.0.0.1:40001",
		"JWT_KEY_FILE":            keyFile,
		"JWT_KID":                 "kid-1",
		"PORTAL_CLIENT_ID":        "ddat-portal",
		"PORTAL_CLIENT_SECRET":    "s3cret",
		"PORTAL_REDIRECT_URIS":    "http://127.0.0.1:40000/portal/auth/callback, http://localhost:40000/portal/auth/callback",
		"PORTAL_POST_LOGOUT_URIS": "http://127.0.0.1:40000/portal/signed-out",
	}
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.issuer != env["JWT_ISSUER"] || cfg.key.id != "kid-1" || !cfg.key.key.Equal(signingTestKey(t)) {
		t.Errorf("issuer %q kid %q, or not the key in the file", cfg.issuer, cfg.key.id)
	}
	want := portalClient{id: "ddat-portal", secret: "s3cret",
		redirectURIs:   []string{"http://127.0.0.1:40000/portal/auth/callback", "http://localhost:40000/portal/auth/callback"},
		postLogoutURIs: []string{"http://127.0.0.1:40000/portal/signed-out"}}
	if !reflect.DeepEqual(cfg.client, want) {
		t.Errorf("client %+v, want %+v", cfg.client, want)
	}
	if len(cfg.orgs) != 30 {
		t.Errorf("%d organisations, want the register's 30", len(cfg.orgs))
	}
	if _, err := newProvider(cfg); err != nil {
		t.Errorf("newProvider: %v", err)
	}

	_, err = configFromEnv(func(k string) string {
		if k == "JWT_KID" || k == "PORTAL_CLIENT_SECRET" {
			return ""
		}
		return env[k]
	})
	if err == nil || !strings.Contains(err.Error(), "JWT_KID must be set") || !strings.Contains(err.Error(), "PORTAL_CLIENT_SECRET must be set") {
		t.Errorf("with two variables missing: %v", err)
	}
}

func TestProviderRefusesABadConfig(t *testing.T) {
	good := config{issuer: "http://127.0.0.1:1", key: signingKey{id: "k", key: signingTestKey(t)},
		client: portalClient{id: "c", secret: "s", redirectURIs: []string{"http://127.0.0.1:2/cb"}}}
	good.orgs = mustSeed(t)
	if _, err := newProvider(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, mutate := range map[string]func(*config){
		"issuer not a URL": func(c *config) { c.issuer = "127.0.0.1:1" },
		"no key id":        func(c *config) { c.key.id = "" },
		"no secret":        func(c *config) { c.client.secret = "" },
		"no redirect URI":  func(c *config) { c.client.redirectURIs = nil },
		"no organisations": func(c *config) { c.orgs = nil },
	} {
		c := good
		mutate(&c)
		if _, err := newProvider(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
