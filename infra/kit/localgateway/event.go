package localgateway

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/ddat-workforce/returns/shared/httpapi"
)

// requestTimeFormat is how payload 2.0 writes requestContext.time.
const requestTimeFormat = "02/Jan/2006:15:04:05 -0700"

// textual reports whether API Gateway HTTP API passes a body of this content type as a plain
// string. It passes text/*, application/json, application/xml and application/javascript
// as text and base64-encodes everything else, including a missing Content-Type,
// application/x-www-form-urlencoded and structured suffixes such as application/problem+json
// (observed on payload 2.0; the AWS documentation says only "if the content type is
// binary"). Following the real split keeps handlers honest: they must look at
// IsBase64Encoded rather than guess from the header.
func textual(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript":
		return true
	}
	return strings.HasPrefix(mt, "text/")
}

// eventInput is what buildEvent needs beyond the request itself.
type eventInput struct {
	route     httpapi.Route
	params    map[string]string
	claims    map[string]any
	open      bool // a route with no authorizer: the event has none
	body      []byte
	requestID string
	now       time.Time
	accountID string
	apiID     string
}

// buildEvent shapes a request the way API Gateway's payload format 2.0 does.
func buildEvent(r *http.Request, in eventInput) events.APIGatewayV2HTTPRequest {
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	rawPath := r.URL.EscapedPath()
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              in.route.Key(),
		RawPath:               rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies(r.Header),
		Headers:               headers(r, len(in.body), sourceIP),
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        in.params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     in.route.Key(),
			AccountID:    in.accountID,
			Stage:        "$default",
			RequestID:    in.requestID,
			APIID:        in.apiID,
			DomainName:   r.Host,
			DomainPrefix: domainPrefix(r.Host),
			Time:         in.now.UTC().Format(requestTimeFormat),
			TimeEpoch:    in.now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      rawPath,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: flattenClaims(in.claims),
					Scopes: scopes(in.claims),
				},
			},
		},
	}
	if in.open {
		ev.RequestContext.Authorizer = nil
	}
	if len(in.body) > 0 {
		if textual(r.Header.Get("Content-Type")) {
			ev.Body = string(in.body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(in.body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// headers lower-cases names and joins repeated headers with commas. Cookies travel in their
// own field, as on API Gateway. The gateway adds what API Gateway adds: host, the body's
// length, the forwarding headers and a trace id.
func headers(r *http.Request, bodyLen int, sourceIP string) map[string]string {
	h := map[string]string{}
	for name, values := range r.Header {
		name = strings.ToLower(name)
		if name == "cookie" || name == "transfer-encoding" {
			continue
		}
		h[name] = strings.Join(values, ",")
	}
	h["host"] = r.Host
	// API Gateway buffers the whole body, so the function always sees its length.
	h["content-length"] = strconv.Itoa(bodyLen)
	if prior := h["x-forwarded-for"]; prior != "" {
		h["x-forwarded-for"] = prior + ", " + sourceIP
	} else {
		h["x-forwarded-for"] = sourceIP
	}
	h["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		h["x-forwarded-proto"] = "https"
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			h["x-forwarded-port"] = port
		}
	}
	h["x-amzn-trace-id"] = traceID()
	return h
}

func cookies(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// queryParameters decodes the query string, joining repeated keys with commas. Pairs that do
// not decode are dropped, as url.ParseQuery drops them. No query gives nil, as on AWS.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	values, _ := url.ParseQuery(raw)
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = strings.Join(v, ",")
	}
	return out
}

func domainPrefix(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	return prefix
}

// flattenClaims turns claims into the map[string]string API Gateway hands to the function:
// strings as they are, numbers as their JSON text, booleans as true/false, arrays as
// "[a b c]" (elements flattened the same way, space separated, no quotes), objects and null
// as their JSON text. Handlers must parse roles from "[admin leader]".
func flattenClaims(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		out[k] = flattenClaim(v)
	}
	return out
}

func flattenClaim(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = flattenClaim(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
}

// scopes reads OAuth scopes from "scope" (space separated) or "scp" (a list or a string),
// the two claims API Gateway looks at.
func scopes(claims map[string]any) []string {
	var out []string
	if s, ok := claims["scope"].(string); ok {
		out = strings.Fields(s)
	}
	switch s := claims["scp"].(type) {
	case string:
		out = append(out, strings.Fields(s)...)
	case []any:
		for _, e := range s {
			if str, ok := e.(string); ok {
				out = append(out, str)
			}
		}
	}
	return out
}

// newRequestID mimics API Gateway's request ids ("JKJaXmPLvHcESHA="): 11 random bytes,
// base64.
func newRequestID() string {
	b := make([]byte, 11)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// traceID is an X-Ray trace header: epoch seconds in hex and 96 random bits.
func traceID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("Root=1-%08x-%s", time.Now().Unix(), hex.EncodeToString(b))
}
