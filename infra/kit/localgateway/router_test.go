package localgateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/httpapi"
)

func TestRouterPrefersTheMostSpecificRoute(t *testing.T) {
	// Listed least specific first, so table order cannot be what decides.
	rt, err := newRouter(testRoutes(
		"ANY /{proxy+} fallback",
		"POST /returns/{org} byorg",
		"POST /returns/bulk bulk",
		"GET /returns/{org}/{period} one",
		"GET /returns/{org}/latest latest",
		"ANY /files/{key+} anyfile",
		"GET /files/{key+} getfile",
		"GET /files/{dir}/readme readme",
	))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		want         string
		params       map[string]string
	}{
		{"POST", "/returns/bulk", "POST /returns/bulk", nil},
		{"POST", "/returns/HMRC", "POST /returns/{org}", map[string]string{"org": "HMRC"}},
		{"GET", "/returns/HMRC/latest", "GET /returns/{org}/latest", map[string]string{"org": "HMRC"}},
		{"GET", "/returns/HMRC/2025-Q1", "GET /returns/{org}/{period}", map[string]string{"org": "HMRC", "period": "2025-Q1"}},
		{"GET", "/files/a/b/c", "GET /files/{key+}", map[string]string{"key": "a/b/c"}},
		{"PUT", "/files/a/b/c", "ANY /files/{key+}", map[string]string{"key": "a/b/c"}},
		{"GET", "/files/docs/readme", "GET /files/{dir}/readme", map[string]string{"dir": "docs"}},
		{"DELETE", "/elsewhere/x", "ANY /{proxy+}", map[string]string{"proxy": "elsewhere/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			segs, err := pathSegments(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			route, params, ok := rt.match(tt.method, segs)
			if !ok || route.Key() != tt.want || !reflect.DeepEqual(params, tt.params) {
				t.Errorf("got %q %v %v, want %q %v", route.Key(), params, ok, tt.want, tt.params)
			}
		})
	}
}

func TestRouterNoMatch(t *testing.T) {
	rt, err := newRouter(httpapi.Routes)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/returns/HMRC"},
		{"GET", "/returns/HMRC/2025-Q1/versions"},
		{"GET", "/returns/HMRC/2025-Q1/versions/1/extra"},
		{"HEAD", "/returns"},
		{"get", "/returns"},
		{"GET", "/Returns"},
	} {
		segs, _ := pathSegments(p.path)
		if r, _, ok := rt.match(p.method, segs); ok {
			t.Errorf("%s %s matched %q", p.method, p.path, r.Key())
		}
	}
}

func TestRouterRefusesBadTables(t *testing.T) {
	for name, routes := range map[string][]httpapi.Route{
		"same shape":      testRoutes("GET /a/{x} f", "GET /a/{y} f"),
		"duplicate":       testRoutes("GET /a f", "GET /a g"),
		"greedy not last": testRoutes("GET /{p+}/a f"),
		"relative":        testRoutes("GET a f"),
	} {
		if _, err := newRouter(routes); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The real table must load: the gateway panics at start-up otherwise.
func TestRoutesTableLoads(t *testing.T) {
	if _, err := newRouter(httpapi.Routes); err != nil {
		t.Fatal(err)
	}
}

// The gateway serves every entry of the routes table, and each reaches the function the
// entry names with the entry's route key: a route added to the table needs nothing more
// here. (infra/e2e/samcheck checks template.yaml against the same table, and infra/e2e/openapi
// docs/openapi.yaml.)
func TestGatewayServesTheRoutesTable(t *testing.T) {
	token := "Bearer " + mint(t, validClaims())
	reached := map[string]string{} // route key → function
	handlers := map[string]httpapi.Handler{}
	for _, r := range httpapi.Routes {
		fn := r.Function
		handlers[fn] = func(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			reached[ev.RouteKey] = fn
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK}, nil
		}
	}
	gw := New(httpapi.Routes, handlers, testVerifier(t), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	for _, r := range httpapi.Routes {
		path := regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(r.Path, "X1")
		req := httptest.NewRequest(r.Method, path, strings.NewReader("{}"))
		req.Header.Set("Authorization", token)
		if w := do(gw, req); w.Code != http.StatusOK || reached[r.Key()] != r.Function {
			t.Errorf("%s %s: %d, reached %q, want %s", r.Method, path, w.Code, reached[r.Key()], r.Function)
		}
	}
	if len(reached) != len(httpapi.Routes) {
		t.Errorf("%d routes reached of %d", len(reached), len(httpapi.Routes))
	}
}
