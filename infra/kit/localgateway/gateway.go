// Package localgateway stands in for API Gateway HTTP API with a JWT authorizer, so the Lambda
// handlers run unchanged on a laptop. It matches the routes table, refuses requests whose
// token a JWT authorizer would refuse, shapes each request as a payload format 2.0 event,
// holds API Gateway's and Lambda's limits (10 MB body, 6 MB event, 6 MB response,
// integration timeout) and writes the function's answer back the way API Gateway does,
// including its own error bodies.
package localgateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/ddat-workforce/returns/shared/httpapi"
)

// The limits AWS holds, as defaults. Sizes are what AWS counts: the request body as it
// arrives for API Gateway, the serialised event and response JSON for Lambda, so a binary
// body (base64 in the event) counts at 4/3 of its size and escaping counts too.
const (
	// MaxBodyBytes is HTTP API's payload quota (10 MB, not adjustable). Over it, API
	// Gateway answers 413 without calling the integration.
	MaxBodyBytes = 10 * 1024 * 1024
	// MaxEventBytes is Lambda's synchronous request payload quota, "6 MB", which Lambda
	// enforces as 6 MiB of event JSON ("Request must be smaller than 6291456 bytes").
	// HTTP API answers 413 when the event is refused.
	MaxEventBytes = 6 * 1024 * 1024
	// MaxResponseBytes is Lambda's synchronous response payload quota, enforced as 100 bytes
	// more than the request's ("Response payload size exceeded maximum allowed payload size
	// (6291556 bytes)"). Over it the invocation fails and HTTP API answers 500.
	MaxResponseBytes = 6*1024*1024 + 100
	// DefaultIntegrationTimeout is HTTP API's maximum integration timeout (30 s, not
	// adjustable). When it passes, API Gateway answers 503.
	DefaultIntegrationTimeout = 30 * time.Second
	// HealthPath answers 200 without a token, for the local stack's readiness check.
	HealthPath = "/_local/health"
)

// Option configures the gateway.
type Option func(*gateway)

// WithLogger sets where request logs go; the default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(g *gateway) { g.log = l } }

// WithIntegrationTimeout sets the handler's deadline; the default is
// DefaultIntegrationTimeout.
func WithIntegrationTimeout(d time.Duration) Option { return func(g *gateway) { g.timeout = d } }

// WithMaxBodyBytes sets the largest request body the gateway reads; the default is
// MaxBodyBytes.
func WithMaxBodyBytes(n int64) Option { return func(g *gateway) { g.maxBody = n } }

// WithMaxEventBytes sets the largest event, as JSON, the gateway hands to a function; the
// default is MaxEventBytes.
func WithMaxEventBytes(n int) Option { return func(g *gateway) { g.maxEvent = n } }

// WithMaxResponseBytes sets the largest response, as JSON, a function may return; the
// default is MaxResponseBytes.
func WithMaxResponseBytes(n int) Option { return func(g *gateway) { g.maxResponse = n } }

type gateway struct {
	router      *router
	open        []httpapi.Route // routes with no authorizer (WithOpenRoutes)
	isOpen      map[string]bool // by route key
	handlers    map[string]httpapi.Handler
	verifier    *Verifier
	log         *slog.Logger
	timeout     time.Duration
	maxBody     int64
	maxEvent    int
	maxResponse int
	accountID   string
	apiID       string
}

// New serves routes, calling handlers by each route's Function, behind v. It panics if the
// routes conflict or name a function with no handler, as http.ServeMux panics on conflicting
// patterns: both are wiring mistakes to fail on at start-up.
func New(routes []httpapi.Route, handlers map[string]httpapi.Handler, v *Verifier, opts ...Option) http.Handler {
	if v == nil {
		panic("localgateway: nil Verifier")
	}
	g := &gateway{
		handlers:    handlers,
		verifier:    v,
		log:         slog.Default(),
		timeout:     DefaultIntegrationTimeout,
		maxBody:     MaxBodyBytes,
		maxEvent:    MaxEventBytes,
		maxResponse: MaxResponseBytes,
		accountID:   "000000000000",
		apiID:       "local",
	}
	for _, o := range opts {
		o(g)
	}
	all := append(slices.Clone(routes), g.open...)
	rt, err := newRouter(all)
	if err != nil {
		panic("localgateway: " + err.Error())
	}
	for _, r := range all {
		if handlers[r.Function] == nil {
			panic(fmt.Sprintf("localgateway: route %q names function %q, which has no handler", r.Key(), r.Function))
		}
	}
	g.router = rt
	g.isOpen = map[string]bool{}
	for _, r := range g.open {
		g.isOpen[r.Key()] = true
	}
	return g
}

// WithOpenRoutes adds routes that have no authorizer, as routes whose authorization type is
// NONE: the gateway verifies no token and the event carries no authorizer, so the function
// authenticates the caller itself (the portal, by its session cookie). Everything else —
// matching, limits, timeouts — is as for the other routes.
func WithOpenRoutes(routes []httpapi.Route) Option {
	return func(g *gateway) { g.open = append(g.open, routes...) }
}

// outcome is what one request came to, for the log line.
type outcome struct {
	status int
	route  string
	err    error // logged, never shown to the client
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == HealthPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		writeJSON(w, http.StatusOK, `{"status":"ok"}`)
		return
	}
	start := time.Now()
	requestID := newRequestID()
	w.Header().Set("Apigw-Requestid", requestID)

	out := g.serve(w, r, requestID, start)

	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", out.route),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", out.status),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("request_id", requestID),
	}
	level := slog.LevelInfo
	if out.err != nil {
		attrs = append(attrs, slog.String("error", out.err.Error()))
		if out.status >= 500 {
			level = slog.LevelError
		}
	}
	g.log.LogAttrs(r.Context(), level, "gateway request", attrs...)
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request, requestID string, start time.Time) outcome {
	segs, err := pathSegments(r.URL.EscapedPath())
	if err != nil {
		return gatewayError(w, http.StatusBadRequest, "", err)
	}
	// API Gateway matches the route before it runs the authorizer, so an unknown route is
	// 404 with or without a token.
	route, params, ok := g.router.match(r.Method, segs)
	if !ok {
		return gatewayError(w, http.StatusNotFound, "", nil)
	}
	key := route.Key()

	open := g.isOpen[key]
	var claims map[string]any
	if !open {
		token, err := bearerToken(r.Header.Get("Authorization"))
		if err == nil {
			claims, err = g.verifier.Verify(token)
		}
		if err != nil {
			w.Header().Set("Www-Authenticate", challenge(err))
			return gatewayError(w, http.StatusUnauthorized, key, err)
		}
	}

	if r.ContentLength > g.maxBody {
		return gatewayError(w, http.StatusRequestEntityTooLarge, key,
			fmt.Errorf("body of %d bytes is over the %d-byte payload limit", r.ContentLength, g.maxBody))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return gatewayError(w, http.StatusRequestEntityTooLarge, key,
				fmt.Errorf("body is over the %d-byte payload limit", g.maxBody))
		}
		return gatewayError(w, http.StatusBadRequest, key, fmt.Errorf("read body: %w", err))
	}

	ev := buildEvent(r, eventInput{
		route: route, params: params, claims: claims, open: open, body: body,
		requestID: requestID, now: start, accountID: g.accountID, apiID: g.apiID,
	})
	size, err := jsonSize(ev)
	if err != nil {
		return gatewayError(w, http.StatusInternalServerError, key, fmt.Errorf("marshal event: %w", err))
	}
	size-- // API Gateway sends the event without the encoder's newline
	if size > g.maxEvent {
		return gatewayError(w, http.StatusRequestEntityTooLarge, key,
			fmt.Errorf("event is %d bytes, over Lambda's %d", size, g.maxEvent))
	}

	resp, err := g.invoke(r.Context(), route, ev)
	if errors.Is(err, context.DeadlineExceeded) {
		return gatewayError(w, http.StatusServiceUnavailable, key, err)
	}
	if err != nil {
		return gatewayError(w, http.StatusInternalServerError, key, err)
	}
	// Lambda refuses a response over its quota, so the invocation fails: HTTP API's 500.
	if size, err := jsonSize(resp); err != nil || size > g.maxResponse {
		if err == nil {
			err = fmt.Errorf("response is %d bytes, over Lambda's %d", size, g.maxResponse)
		}
		return gatewayError(w, http.StatusInternalServerError, key, err)
	}
	if len(resp.MultiValueHeaders) > 0 {
		// Payload 2.0 has no multiValueHeaders: API Gateway drops them, so the gateway does.
		g.log.Warn("multiValueHeaders are ignored by payload format 2.0; use Headers or Cookies",
			slog.String("route", key), slog.String("request_id", requestID))
	}
	status, err := writeResponse(w, resp)
	if err != nil {
		return gatewayError(w, http.StatusInternalServerError, key, err)
	}
	return outcome{status: status, route: key}
}

// invoke calls the route's handler as Lambda would: with a deadline, a Lambda context and
// no cancellation when the client goes away (Lambda keeps running). A handler that
// outlives the deadline is abandoned and the client gets API Gateway's 503.
func (g *gateway) invoke(parent context.Context, route httpapi.Route, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), g.timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       newUUID(),
		InvokedFunctionArn: "arn:aws:lambda:local:" + g.accountID + ":function:" + route.Function,
	})

	type result struct {
		resp events.APIGatewayV2HTTPResponse
		err  error
	}
	done := make(chan result, 1) // buffered: an abandoned handler must not block forever
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("handler panicked: %v\n%s", p, debug.Stack())}
			}
		}()
		resp, err := g.handlers[route.Function](ctx, ev)
		done <- result{resp, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return res.resp, fmt.Errorf("handler: %w", res.err)
		}
		return res.resp, nil
	case <-ctx.Done():
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("integration timeout after %s: %w", g.timeout, ctx.Err())
	}
}

// writeResponse writes a function's answer. Everything is checked before the first byte is
// written, so a malformed answer can still become a clean 500.
func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) (int, error) {
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	if status < 100 || status > 599 {
		return 0, fmt.Errorf("handler returned status %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return 0, fmt.Errorf("handler body is not base64: %w", err)
		}
	}
	h := w.Header()
	for name, value := range resp.Headers {
		switch strings.ToLower(name) {
		case "content-length", "transfer-encoding", "connection":
			continue // framing is the gateway's business, as on API Gateway
		}
		h.Set(name, value)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = nil // API Gateway does not guess; stop net/http sniffing
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status, nil
}

// jsonSize counts the bytes of v as JSON the way the Lambda runtime for Go writes it: an
// encoder without HTML escaping, newline included.
func jsonSize(v any) (int, error) {
	var c byteCounter
	enc := json.NewEncoder(&c)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return int(c), err
}

type byteCounter int

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}

// gatewayError answers as API Gateway itself does, with {"message": …}.
func gatewayError(w http.ResponseWriter, status int, route string, err error) outcome {
	msg := map[int]string{
		http.StatusBadRequest:            "Bad Request",
		http.StatusUnauthorized:          "Unauthorized",
		http.StatusNotFound:              "Not Found",
		http.StatusRequestEntityTooLarge: "Request Entity Too Large",
		http.StatusInternalServerError:   "Internal Server Error",
		http.StatusServiceUnavailable:    "Service Unavailable",
	}[status]
	writeJSON(w, status, `{"message":"`+msg+`"}`)
	return outcome{status: status, route: route, err: err}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// pathSegments splits an escaped path into unescaped segments, so that an encoded slash
// stays inside its segment.
func pathSegments(escaped string) ([]string, error) {
	parts := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil {
			return nil, err
		}
		parts[i] = s
	}
	return parts, nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
