package main

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// The stack's issuer is the local identity provider, its audiences take the portal's client
// id as well as make token's, and the portal's settings are in the env file.
func TestStackEnvNamesTheIdentityProvider(t *testing.T) {
	l := newLayout(t.TempDir())
	if err := os.MkdirAll(l.state, 0o755); err != nil {
		t.Fatal(err)
	}
	ports, env, err := newStackEnv(l)
	if err != nil {
		t.Fatal(err)
	}
	idpURL := loopbackURL(ports.idp)
	apiURL := env.Get("API_URL")
	for key, want := range map[string]string{
		"IDP_URL":          idpURL,
		"JWT_ISSUER":       idpURL,
		"JWT_AUDIENCE":     "ddat-returns,ddat-portal",
		"PORTAL_CLIENT_ID": "ddat-portal",
		"PORTAL_URL":       apiURL + "/portal",
	} {
		if got := env.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if secret, err := hex.DecodeString(env.Get("PORTAL_CLIENT_SECRET")); err != nil || len(secret) != 32 {
		t.Errorf("PORTAL_CLIENT_SECRET = %q, want 32 random bytes in hex", env.Get("PORTAL_CLIENT_SECRET"))
	}
	if key, err := base64.StdEncoding.DecodeString(env.Get("PORTAL_SESSION_KEY")); err != nil || len(key) != 32 {
		t.Errorf("PORTAL_SESSION_KEY = %q, want 32 bytes in standard base64", env.Get("PORTAL_SESSION_KEY"))
	}
	if last := env[len(env)-1]; last.Key != "API_URL" {
		t.Errorf("the last variable is %s, want API_URL (up prints it last)", last.Key)
	}
	var b strings.Builder
	if err := writeEnv(&b, env); err != nil {
		t.Fatal(err)
	}

	// Secrets are per stack.
	_, again, err := newStackEnv(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"PORTAL_CLIENT_SECRET", "PORTAL_SESSION_KEY"} {
		if again.Get(key) == env.Get(key) {
			t.Errorf("%s is the same in two stacks", key)
		}
	}
}

func TestIdentityProviderIsAServiceOfTheStack(t *testing.T) {
	if serviceMarkers["idp"] != "idp" {
		t.Errorf("down would not recognise the identity provider's process: markers %v", serviceMarkers)
	}
	if l := newLayout("/repo"); l.idpPkg != "./infra/cmd/idp" {
		t.Errorf("the stack builds the identity provider from %s", l.idpPkg)
	}
	if portalCallbackPath != "/portal/auth/callback" || portalSignedOutPath != "/portal/signed-out" {
		t.Errorf("the portal's redirect URIs are %s and %s", portalCallbackPath, portalSignedOutPath)
	}
}
