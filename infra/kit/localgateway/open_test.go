package localgateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/httpapi"
)

// TestOpenRoutesHaveNoAuthorizer: a route added with WithOpenRoutes is served without a
// token and its event carries no authorizer (as a route whose authorization is NONE),
// while the API's routes still need a token.
func TestOpenRoutesHaveNoAuthorizer(t *testing.T) {
	api, page := &stub{}, &stub{}
	handlers := map[string]httpapi.Handler{"page": page.handle}
	for _, r := range httpapi.Routes {
		handlers[r.Function] = api.handle
	}
	open := []httpapi.Route{{Method: "GET", Path: "/portal", Function: "page"}, {Method: "ANY", Path: "/portal/{proxy+}", Function: "page"}}
	gw := New(httpapi.Routes, handlers, testVerifier(t), WithOpenRoutes(open), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))

	for _, target := range []string{"/portal", "/portal/returns/HMRC/2026-27-Q2"} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Cookie", "a=b")
		if w := do(gw, r); w.Code != http.StatusOK {
			t.Fatalf("GET %s without a token: %d %s", target, w.Code, w.Body)
		}
		if page.event.RequestContext.Authorizer != nil {
			t.Errorf("GET %s: the event has an authorizer: %+v", target, page.event.RequestContext.Authorizer)
		}
		if len(page.event.Cookies) != 1 {
			t.Errorf("GET %s: cookies %q", target, page.event.Cookies)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/portal/sign-out", nil)
	if w := do(gw, r); w.Code != http.StatusOK || page.event.RouteKey != "ANY /portal/{proxy+}" {
		t.Errorf("POST under /portal: %d, route %q", w.Code, page.event.RouteKey)
	}
	if w := do(gw, httptest.NewRequest(http.MethodGet, "/returns", nil)); w.Code != http.StatusUnauthorized || api.called() != 0 {
		t.Errorf("GET /returns without a token: %d, API called %d times", w.Code, api.called())
	}
	page.answer = func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 303, Cookies: []string{"x=1; Path=/", "y=2; Path=/"}, Headers: map[string]string{"location": "/portal"}}, nil
	}
	w := do(gw, httptest.NewRequest(http.MethodGet, "/portal", nil))
	if got := w.Result().Header.Values("Set-Cookie"); len(got) != 2 {
		t.Errorf("Set-Cookie %q, want both cookies", got)
	}
}
