// Package portalclient signs in to the portal through the local stack's OpenID provider as
// a browser would (authorisation code flow, following every redirect, posting the
// provider's Role and Organisation form), for the benchmarks and the Go end-to-end tests.
// The browser journeys (infra/e2e/browser) do the same in Chromium.
package portalclient

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// SessionCookie is the portal's session cookie.
const SessionCookie = "__Host-ddat-session"

// Client is a signed-in browser session.
type Client struct {
	HTTP *http.Client
	Base string // PORTAL_URL
}

// SignIn signs in at portalURL as role in org.
func SignIn(portalURL, role, org string) (*Client, error) {
	c := &Client{Base: strings.TrimRight(portalURL, "/"), HTTP: &http.Client{Jar: &jar{}, Timeout: 30 * time.Second}}
	resp, err := c.HTTP.Get(c.Base + "/sign-in")
	if err != nil {
		return nil, err
	}
	page, err := read(resp)
	if err != nil {
		return nil, err
	}
	form, action, err := signInForm(page, resp.Request.URL)
	if err != nil {
		return nil, err
	}
	form.Set("role", role)
	form.Set("org", org)
	resp, err = c.HTTP.PostForm(action, form)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Request.URL.String(), c.Base) {
		return nil, fmt.Errorf("sign-in ended at %s (%d), not the portal", resp.Request.URL, resp.StatusCode)
	}
	u, _ := url.Parse(c.Base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == SessionCookie {
			return c, nil
		}
	}
	return nil, fmt.Errorf("sign-in ended at %s without a session cookie", resp.Request.URL)
}

// Get fetches a portal page (a path under the portal, "/returns") and returns its body.
func (c *Client) Get(path string) (string, error) {
	resp, err := c.HTTP.Get(c.Base + path)
	if err != nil {
		return "", err
	}
	return read(resp)
}

func read(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("%s %s: %d", resp.Request.Method, resp.Request.URL, resp.StatusCode)
	}
	return string(b), nil
}

var (
	formRe   = regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*action="([^"]*)"`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// signInForm reads the provider's sign-in form: where it posts and its hidden fields.
func signInForm(page string, at *url.URL) (url.Values, string, error) {
	m := formRe.FindStringSubmatch(page)
	if m == nil {
		return nil, "", errors.New("the sign-in page has no form")
	}
	action, err := at.Parse(htmlUnescape(m[1]))
	if err != nil {
		return nil, "", err
	}
	form := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(page, -1) {
		form.Set(h[1], htmlUnescape(h[2]))
	}
	return form, action.String(), nil
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(s)
}

// jar keeps cookies by host, as a browser does for http://127.0.0.1, which it treats as a
// secure context: net/http/cookiejar never returns a Secure cookie over http, and the
// portal's cookies are all Secure (__Host-).
type jar struct {
	mu      sync.Mutex
	cookies map[string]map[string]*http.Cookie // host → name → cookie
}

func (j *jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cookies == nil {
		j.cookies = map[string]map[string]*http.Cookie{}
	}
	host := u.Host
	if j.cookies[host] == nil {
		j.cookies[host] = map[string]*http.Cookie{}
	}
	for _, c := range cookies {
		if c.MaxAge < 0 || (c.MaxAge == 0 && c.Value == "" && !c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(j.cookies[host], c.Name)
			continue
		}
		j.cookies[host][c.Name] = c
	}
}

func (j *jar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.cookies[u.Host] {
		if c.Path == "" || strings.HasPrefix(u.Path, c.Path) {
			out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	return out
}
