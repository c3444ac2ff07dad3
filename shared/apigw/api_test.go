package apigw

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestEveryRouteHasAnEndpoint(t *testing.T) {
	eps := (&API{}).endpoints()
	for _, r := range Routes {
		if eps[r.Key()] == nil {
			t.Errorf("route %s has no endpoint", r.Key())
		}
	}
	if len(eps) != len(Routes) {
		t.Errorf("%d endpoints for %d routes", len(eps), len(Routes))
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
