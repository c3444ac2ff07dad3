package localgateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The limits are AWS's, so the defaults are tested as numbers, not as the constants.
func TestLimitDefaultsAreAWSs(t *testing.T) {
	for name, got := range map[string]int64{
		"HTTP API payload":        MaxBodyBytes,
		"Lambda request payload":  MaxEventBytes,
		"Lambda response payload": MaxResponseBytes,
	} {
		want := map[string]int64{
			"HTTP API payload":        10_485_760,
			"Lambda request payload":  6_291_456,
			"Lambda response payload": 6_291_556,
		}[name]
		if got != want {
			t.Errorf("%s limit %d, want %d", name, got, want)
		}
	}
	if DefaultIntegrationTimeout != 30*time.Second {
		t.Errorf("integration timeout %v, want 30s", DefaultIntegrationTimeout)
	}
}

// eventSize is the event a request of this body becomes, as Lambda counts it: the JSON
// text. Everything else in the event (token, request id, trace id, time) has a fixed length,
// so the size moves with the body alone while its length keeps its number of digits.
func eventSize(t *testing.T, contentType string, body []byte) int {
	t.Helper()
	s := &stub{}
	gw, _ := newGateway(t, s, WithMaxEventBytes(64<<20))
	w := do(gw, post(t, contentType, bytes.NewReader(body), int64(len(body))))
	if w.Code != http.StatusOK {
		t.Fatalf("probe: %d %s", w.Code, w.Body)
	}
	b, err := json.Marshal(s.event)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

func post(t *testing.T, contentType string, body io.Reader, length int64) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "/returns", body)
	r.ContentLength = length
	r.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
	r.Header.Set("Content-Type", contentType)
	return r
}

// TestEventLimit: Lambda refuses an event over 6 MiB of JSON, and HTTP API answers 413. The
// event is what counts, not the body: base64 makes a binary body 4/3 larger, and escaping
// makes a JSON body of quotes twice as large.
func TestEventLimit(t *testing.T) {
	const probe = 6_000_000
	textOverhead := eventSize(t, "text/csv", bytes.Repeat([]byte("a"), probe)) - probe
	textMax := MaxEventBytes - textOverhead // the largest text body that fits

	const binProbe = 4_000_002 // a multiple of 3: base64 without padding
	binOverhead := eventSize(t, xlsxType, make([]byte, binProbe)) - base64.StdEncoding.EncodedLen(binProbe)
	binMax := (MaxEventBytes - binOverhead) / 4 * 3 // base64 grows in steps of 4 per 3 bytes

	tests := []struct {
		name        string
		contentType string
		body        []byte
		want        int
	}{
		{"text body whose event is exactly the limit", "text/csv", bytes.Repeat([]byte("a"), textMax), 200},
		{"text body one byte over", "text/csv", bytes.Repeat([]byte("a"), textMax+1), 413},
		{"binary body whose base64 just fits", xlsxType, make([]byte, binMax), 200},
		{"binary body one byte more", xlsxType, make([]byte, binMax+1), 413},
		{"the same bytes as text fit", "text/csv", bytes.Repeat([]byte("a"), binMax+1), 200},
		{"json of quotes counts its escapes", "application/json", bytes.Repeat([]byte(`"`), textMax/2+1), 413},
		{"json of half as many quotes fits", "application/json", bytes.Repeat([]byte(`"`), textMax/2-10), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{}
			gw, logs := newGateway(t, s)
			w := do(gw, post(t, tt.contentType, bytes.NewReader(tt.body), int64(len(tt.body))))
			if w.Code != tt.want {
				t.Fatalf("body of %d bytes: status %d, want %d (%s)", len(tt.body), w.Code, tt.want, logs)
			}
			if tt.want == 413 {
				if w.Body.String() != `{"message":"Request Entity Too Large"}` || s.called() != 0 {
					t.Errorf("got %s, calls %d", w.Body, s.called())
				}
				if !strings.Contains(logs.String(), "over Lambda's 6291456") {
					t.Errorf("log does not say why: %s", logs)
				}
			}
		})
	}
}

// TestBodyLimit: API Gateway reads at most 10 MB, whether or not the client says how much
// it sends. The event limit is raised here so that only the body limit is in play.
func TestBodyLimit(t *testing.T) {
	under := bytes.Repeat([]byte("a"), MaxBodyBytes)
	over := bytes.Repeat([]byte("a"), MaxBodyBytes+1)
	tests := []struct {
		name   string
		body   []byte
		length int64
		want   int
	}{
		{"exactly 10 MB", under, MaxBodyBytes, 200},
		{"exactly 10 MB, chunked", under, -1, 200},
		{"one byte over", over, MaxBodyBytes + 1, 413},
		{"one byte over, chunked", over, -1, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{}
			gw, _ := newGateway(t, s, WithMaxEventBytes(64<<20))
			w := do(gw, post(t, "text/csv", bytes.NewReader(tt.body), tt.length))
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
			if tt.want == 413 && (w.Body.String() != `{"message":"Request Entity Too Large"}` || s.called() != 0) {
				t.Errorf("got %s, calls %d", w.Body, s.called())
			}
		})
	}
}

// TestResponseLimit: Lambda refuses a response over 6 MiB + 100 bytes of JSON, so the
// invocation fails and HTTP API answers 500. The Go runtime writes the response without HTML
// escaping and with a newline; base64 and JSON escapes count.
func TestResponseLimit(t *testing.T) {
	answer := func(body string, b64 bool) events.APIGatewayV2HTTPResponse {
		return events.APIGatewayV2HTTPResponse{StatusCode: 422, Body: body, IsBase64Encoded: b64,
			Headers: map[string]string{"content-type": "application/problem+json"}}
	}
	empty, err := json.Marshal(answer("", false))
	if err != nil {
		t.Fatal(err)
	}
	room := MaxResponseBytes - len(empty) - 1 // the runtime's newline
	tests := []struct {
		name string
		resp events.APIGatewayV2HTTPResponse
		want int
	}{
		{"exactly the limit", answer(strings.Repeat("a", room), false), 422},
		{"one byte over", answer(strings.Repeat("a", room+1), false), 500},
		{"angle brackets are not escaped", answer(strings.Repeat("<", room), false), 422},
		{"quotes are", answer(strings.Repeat(`"`, room/2+1), false), 500},
		{"4.8 MB file is 6.4 MB of base64", answer(base64.StdEncoding.EncodeToString(make([]byte, 4_800_000)), true), 500},
		{"4.7 MB file fits", answer(base64.StdEncoding.EncodeToString(make([]byte, 4_700_000)), true), 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{answer: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return tt.resp, nil
			}}
			gw, logs := newGateway(t, s)
			r := httptest.NewRequest("GET", "/organisations", nil)
			r.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
			w := do(gw, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
			if tt.want == 500 {
				if w.Body.String() != `{"message":"Internal Server Error"}` {
					t.Errorf("body %.80q", w.Body.String())
				}
				if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "over Lambda's 6291556") {
					t.Errorf("not logged as an oversized response: %s", logs)
				}
			} else if w.Body.Len() < 3_000_000 {
				t.Errorf("answer of %d bytes not passed through", w.Body.Len())
			}
		})
	}
}

// TestIntegrationTimeoutJustUnder: a function that answers inside the timeout is not cut off
// (TestIntegrationTimeout covers one that does not).
func TestIntegrationTimeoutJustUnder(t *testing.T) {
	s := &stub{answer: func(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		time.Sleep(100 * time.Millisecond)
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "late but in time"}, nil
	}}
	gw, _ := newGateway(t, s, WithIntegrationTimeout(2*time.Second))
	r := httptest.NewRequest("GET", "/organisations", nil)
	r.Header.Set("Authorization", "Bearer "+mint(t, validClaims()))
	if w := do(gw, r); w.Code != 200 || w.Body.String() != "late but in time" {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
}

// TestLimitOptions: each limit can be set, for tests of what a smaller deployment refuses.
func TestLimitOptions(t *testing.T) {
	big := func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: strings.Repeat("a", 2000)}, nil
	}
	tests := []struct {
		name   string
		opt    Option
		answer func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
		body   int
		want   int
	}{
		{"body at a 100-byte limit", WithMaxBodyBytes(100), nil, 100, 200},
		{"body over a 100-byte limit", WithMaxBodyBytes(100), nil, 101, 413},
		{"event under a 100 KB limit", WithMaxEventBytes(100_000), nil, 90_000, 200},
		{"event over a 100 KB limit", WithMaxEventBytes(100_000), nil, 100_000, 413},
		{"response under a 3 KB limit", WithMaxResponseBytes(3000), big, 10, 200},
		{"response over a 1 KB limit", WithMaxResponseBytes(1000), big, 10, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{answer: tt.answer}
			gw, _ := newGateway(t, s, tt.opt)
			body := strings.Repeat("a", tt.body)
			if w := do(gw, post(t, "text/csv", strings.NewReader(body), int64(len(body)))); w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
}
