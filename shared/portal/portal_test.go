package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, target := range []string{BasePath, BasePath + "/nowhere", BasePath + "/accessibility", ts.assets.byName["portal.css"]} {
		w := ts.get(nil, target)
		h := w.Header()
		csp := h.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		for _, k := range []string{"Strict-Transport-Security", "Referrer-Policy", "X-Content-Type-Options"} {
			if h.Get(k) == "" {
				t.Errorf("%s: no %s", target, k)
			}
		}
	}
}

func TestSignedOutPagesSendToSignIn(t *testing.T) {
	ts := newTestServer(t, nil)
	w := ts.get(nil, BasePath+"/no-access")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), BasePath+"/sign-in?return_to=") {
		t.Fatalf("got %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	ts := newTestServer(t, nil)
	sess := as("submitter", "HMRC")
	for name, form := range map[string]url.Values{
		"no token":    {csrfField: {""}},
		"wrong token": {csrfField: {"not-the-session-token"}},
	} {
		w := ts.post(sess, BasePath+"/sign-out", form)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "This form has expired") {
			t.Errorf("%s: got %d", name, w.Code)
		}
		if strings.Contains(w.Header().Get("Set-Cookie"), sessionCookie+"=;") {
			t.Errorf("%s: the session was ended by a forged form", name)
		}
	}
	if w := ts.post(sess, BasePath+"/sign-out", nil); w.Code != http.StatusSeeOther {
		t.Errorf("with its token: got %d", w.Code)
	}
}

func TestSealedCookieCannotBeForgedOrMoved(t *testing.T) {
	ts := newTestServer(t, nil)
	v, err := ts.seal.seal(signInCookie, as("admin", ""))
	if err != nil {
		t.Fatal(err)
	}
	var got Session
	if err := ts.seal.open(sessionCookie, v, &got); err == nil {
		t.Error("a sign-in cookie's value opened as a session")
	}
	raw := []byte(v)
	raw[len(raw)/2] ^= 1
	if err := ts.seal.open(signInCookie, string(raw), &got); err == nil {
		t.Error("a tampered value opened")
	}
	expired := as("admin", "")
	expired.Expires = testNow.Unix() - 1
	if w := ts.get(expired, BasePath+"/no-access"); w.Code != http.StatusSeeOther {
		t.Errorf("an expired session was accepted: %d", w.Code)
	}
}

func TestReturnToStaysInThePortal(t *testing.T) {
	ts := newTestServer(t, nil)
	for in, want := range map[string]string{
		BasePath + "/returns?x=1":     BasePath + "/returns?x=1",
		"https://evil.test/portal":    "",
		"//evil.test/portal":          "",
		"/elsewhere":                  "",
		BasePath + "/\\evil.test":     "",
		BasePath + "/a\r\nSet-Cookie": "",
	} {
		if got := ts.localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLambdaAdapterKeepsCookiesAndBinaryBodies(t *testing.T) {
	ts := newTestServer(t, nil)
	h := LambdaHandler(ts)
	sess := as("submitter", "HMRC")
	ev := events.APIGatewayV2HTTPRequest{RawPath: BasePath + "/sign-out", Cookies: []string{"a=b", ts.cookie(sess).String()},
		Headers: map[string]string{"content-type": "application/x-www-form-urlencoded"},
		Body:    csrfField + "=" + sess.CSRF}
	ev.RequestContext.HTTP.Method = http.MethodPost
	resp, err := h(context.Background(), ev)
	if err != nil || resp.StatusCode != http.StatusSeeOther || len(resp.Cookies) != 1 || !strings.HasPrefix(resp.Cookies[0], sessionCookie+"=") {
		t.Fatalf("sign-out through Lambda: %v %d cookies %q", err, resp.StatusCode, resp.Cookies)
	}
	ev = events.APIGatewayV2HTTPRequest{RawPath: BasePath}
	ev.RequestContext.HTTP.Method = http.MethodGet
	resp, _ = h(context.Background(), ev)
	if resp.StatusCode != http.StatusOK || resp.IsBase64Encoded || !strings.Contains(resp.Body, "Send and read DDaT workforce returns") {
		t.Errorf("start page through Lambda: %d base64=%v", resp.StatusCode, resp.IsBase64Encoded)
	}
}
