// Package localclient talks to the local stack as a user would: it reads
// .local/stack.env, mints tokens the local gateway accepts and sends requests to it.
// The integration tests, the demo and the benchmarks share it.
package localclient

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"fmt"
	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localgateway"
)

// Env is the stack's environment file as key-value pairs.
type Env map[string]string

// EnvPath is $STACK_ENV, or .local/stack.env at the repository root.
func EnvPath() (string, error) {
	if p := os.Getenv("STACK_ENV"); p != "" {
		return p, nil
	}
	dir, err := reporoot.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, ".local", "stack.env"), nil
}

// LoadEnv reads the stack's environment file. It fails with a pointer to `make up` when
// the stack is not running.
func LoadEnv() (Env, error) {
	path, err := EnvPath()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the local stack is not running (%w); start it with `make up`, or run `make test`", err)
	}
	defer f.Close()
	env := Env{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok {
			env[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return env, sc.Err()
}

// Client sends signed requests to the local gateway.
type Client struct {
	API      string
	Issuer   string
	Audience string
	kid      string
	key      *rsa.PrivateKey
	HTTP     *http.Client
}

// New builds a client from the stack's environment.
func New(env Env) (*Client, error) {
	for _, k := range []string{"API_URL", "JWT_KEY_FILE", "JWT_KID", "JWT_ISSUER", "JWT_AUDIENCE"} {
		if env[k] == "" {
			return nil, fmt.Errorf("stack.env has no %s", k)
		}
	}
	key, err := localgateway.LoadPrivateKey(env["JWT_KEY_FILE"])
	if err != nil {
		return nil, err
	}
	// JWT_AUDIENCE is the authorizer's list; tokens are minted for the first, as make token's are.
	audience, _, _ := strings.Cut(env["JWT_AUDIENCE"], ",")
	return &Client{API: strings.TrimRight(env["API_URL"], "/"), Issuer: env["JWT_ISSUER"], Audience: strings.TrimSpace(audience),
		kid: env["JWT_KID"], key: key, HTTP: &http.Client{Timeout: 60 * time.Second}}, nil
}

// Token mints a token for a user of org with roles, valid for an hour. extra claims
// override the defaults (to make expired or wrong-audience tokens in tests).
func (c *Client) Token(sub, org string, roles []string, extra map[string]any) (string, error) {
	now := time.Now()
	claims := map[string]any{"iss": c.Issuer, "aud": c.Audience, "sub": sub, "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "roles": roles}
	if org != "" {
		claims["org"] = org
	}
	for k, v := range extra {
		claims[k] = v
	}
	return localgateway.MintToken(c.key, c.kid, claims)
}

// Response is an answer from the gateway.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends one request. token may be empty; headers are added as given.
func (c *Client) Do(ctx context.Context, method, path, token, contentType string, body []byte, headers map[string]string) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.API+path, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	// Redirects (such as a report's presigned URL) are the caller's to follow.
	hc := *c.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// LockStack takes an exclusive lock on the running stack for a test binary, released by
// the returned function. `go test ./...` runs packages in parallel; the packages that write
// to the shared stack and run rollups over all its returns take turns, so that one
// package's writes never change another's rollup inputs halfway through a test.
func LockStack() (func(), error) {
	path, err := EnvPath()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(filepath.Dir(path), "tests.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// TestMain is the body of a TestMain for packages that use the stack: it holds the stack
// lock while the package's tests run.
func TestMain(m interface{ Run() int }) int {
	unlock, err := LockStack()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lock the local stack:", err)
		return 1
	}
	defer unlock()
	return m.Run()
}
