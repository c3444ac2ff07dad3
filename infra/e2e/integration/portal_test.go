package integration

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/portalclient"
)

// The portal behind the local gateway: its start page is open, its pages need a session,
// and signing in through the stack's identity provider gives a session whose cookie is
// sealed, __Host-, Secure, HttpOnly and SameSite=Lax (SPEC §9).
func TestPortalSignInThroughTheGateway(t *testing.T) {
	h := newHarness(t)
	base := h.env["PORTAL_URL"]
	if base == "" {
		t.Fatal("PORTAL_URL is not in .local/stack.env")
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("start page: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	resp, err = noRedirect.Get(base + "/accessibility")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("accessibility statement: %d", resp.StatusCode)
	}
	// A signed-in page without a session sends the browser to sign in.
	resp, err = noRedirect.Get(base + "/no-access")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/portal/sign-in") {
		t.Fatalf("no session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Signing in redirects to the provider with PKCE and sets the sign-in cookie.
	resp, err = noRedirect.Get(base + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, h.env["IDP_URL"]) || !strings.Contains(loc, "code_challenge_method=S256") || !strings.Contains(loc, "nonce=") {
		t.Errorf("sign-in redirect %q", loc)
	}
	checkCookie(t, resp, "__Host-ddat-signin")

	c, err := portalclient.SignIn(base, "submitter", "HMRC")
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	page, err := c.Get("/accessibility")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "Signed in as Local submitter, HM Revenue and Customs (submitter, HMRC)") {
		t.Errorf("a signed-in page does not say who is signed in")
	}
}

func checkCookie(t *testing.T, resp *http.Response, name string) {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name != name {
			continue
		}
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s: Secure=%v HttpOnly=%v SameSite=%v Path=%q Domain=%q", name, c.Secure, c.HttpOnly, c.SameSite, c.Path, c.Domain)
		}
		return
	}
	t.Errorf("no %s cookie set", name)
}
