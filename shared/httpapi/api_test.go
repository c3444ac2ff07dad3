package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Every entry of the table is whole: a handler, and a policy that lets someone in (the
// zero policy would close the route to everyone).
func TestEveryRouteIsComplete(t *testing.T) {
	for _, r := range Routes {
		if r.handle == nil {
			t.Errorf("route %s has no handler", r.Key())
		}
		if !r.Policy.Anyone && len(r.Policy.Roles()) == 0 {
			t.Errorf("route %s lets nobody in", r.Key())
		}
	}
}

func TestParseList(t *testing.T) {
	for in, want := range map[string]string{
		"[admin leader]":     `["admin","leader"]`,
		`["admin","leader"]`: `["admin","leader"]`,
		"submitter":          `["submitter"]`,
		"Admin, Leader":      `["admin","leader"]`,
		"":                   `null`,
		"[]":                 `[]`,
	} {
		got, _ := json.Marshal(ParseList(in))
		if string(got) != want {
			t.Errorf("ParseList(%q) = %s, want %s", in, got, want)
		}
	}
}

// A route served by another function, or one the caller's roles do not allow, is refused
// before any endpoint runs (the API has no services, so reaching one would panic).
func TestHandlerRefusesBeforeEndpoints(t *testing.T) {
	a := &API{Claims: Claims{Org: "org", Roles: "cognito:groups"}, Log: discardLogger()}
	for _, tc := range []struct {
		function, route, roles string
		status                 int
	}{
		{FunctionRead, "POST /returns", "[admin]", http.StatusNotFound},
		{FunctionSubmit, "POST /returns/bulk", "[submitter leader]", http.StatusForbidden},
		{FunctionRead, "GET /metrics/{period}", "submitter", http.StatusForbidden},
		{FunctionRollup, "POST /rollups/{month}", "[leader]", http.StatusForbidden},
	} {
		ev := events.APIGatewayV2HTTPRequest{RouteKey: tc.route, RequestContext: events.APIGatewayV2HTTPRequestContext{
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"org": "HMRC", "cognito:groups": tc.roles}}}}}
		resp, err := a.Handler(tc.function)(context.Background(), ev)
		if err != nil || resp.StatusCode != tc.status || resp.Headers["content-type"] != "application/problem+json" {
			t.Errorf("%s %s as %s: %d %v, want %d problem+json", tc.function, tc.route, tc.roles, resp.StatusCode, err, tc.status)
		}
	}
}

// A submitter token without an organisation is refused on every route, before any endpoint
// runs (the API has no services: reaching one would panic and answer 500).
func TestSubmitterWithoutOrganisationIsRefusedOnEveryRoute(t *testing.T) {
	a := &API{Claims: Claims{Org: "org", Roles: "roles"}, Log: discardLogger()}
	for _, roles := range []string{"submitter", "[submitter leader]", "[admin submitter]"} {
		for _, r := range Routes {
			ev := events.APIGatewayV2HTTPRequest{RouteKey: r.Key(), RequestContext: events.APIGatewayV2HTTPRequestContext{
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: map[string]string{"sub": "u", "org": "  ", "roles": roles}}}}}
			resp, err := a.Handler(r.Function)(context.Background(), ev)
			if err != nil || resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, `no \"org\" claim`) {
				t.Errorf("%s as %s without an organisation: %d %v %s", r.Key(), roles, resp.StatusCode, err, resp.Body)
			}
		}
	}
}

// A compressed body is a 415 that asks for it uncompressed, whatever the route.
func TestCompressedBodyIsRefused(t *testing.T) {
	a := &API{MaxUploadBytes: 1 << 20}
	for _, enc := range []string{"gzip", "GZIP", "br", "x-" + strings.Repeat("z", 100)} {
		_, err := a.body(request{APIGatewayV2HTTPRequest: events.APIGatewayV2HTTPRequest{Body: "\x1f\x8b", Headers: map[string]string{"Content-Encoding": enc}}})
		if code := workforce.ErrorCode(err); code != workforce.EUnsupported || !strings.Contains(err.Error(), "uncompressed") || len(err.Error()) > 200 {
			t.Errorf("Content-Encoding %.20s: %v", enc, err)
		}
	}
	if b, err := a.body(request{APIGatewayV2HTTPRequest: events.APIGatewayV2HTTPRequest{Body: "x", Headers: map[string]string{"content-encoding": "identity"}}}); err != nil || string(b) != "x" {
		t.Errorf("identity: %q %v", b, err)
	}
}
