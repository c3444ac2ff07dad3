package localgateway

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestFlattenClaims(t *testing.T) {
	// Decoded as the verifier decodes them: numbers stay json.Number.
	raw := `{
		"s": "plain text", "n": 1735689600, "f": 1.5, "big": 12345678901234567890,
		"t": true, "fa": false, "null": null,
		"roles": ["admin", "leader"], "one": ["submitter"], "empty": [],
		"mixed": ["a", 1, true, ["b", "c"]],
		"obj": {"b": 2, "a": "x"}
	}`
	d := json.NewDecoder(strings.NewReader(raw))
	d.UseNumber()
	var claims map[string]any
	if err := d.Decode(&claims); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"s":     "plain text",
		"n":     "1735689600",
		"f":     "1.5",
		"big":   "12345678901234567890",
		"t":     "true",
		"fa":    "false",
		"null":  "null",
		"roles": "[admin leader]",
		"one":   "[submitter]",
		"empty": "[]",
		"mixed": "[a 1 true [b c]]",
		"obj":   `{"a":"x","b":2}`,
	}
	got := flattenClaims(claims)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d claims, want %d", len(got), len(want))
	}
}

func TestTextual(t *testing.T) {
	tests := []struct {
		contentType string
		want        bool
	}{
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"Application/JSON", true},
		{"text/csv", true},
		{"text/plain; charset=utf-8", true},
		{"application/xml", true},
		{"application/javascript", true},
		{"", false},
		{"application/octet-stream", false},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false},
		{"application/x-www-form-urlencoded", false},
		{"application/problem+json", false},
		{"multipart/form-data; boundary=x", false},
		{"not a media type", false},
	}
	for _, tt := range tests {
		if got := textual(tt.contentType); got != tt.want {
			t.Errorf("textual(%q) = %v, want %v", tt.contentType, got, tt.want)
		}
	}
}

func TestQueryParameters(t *testing.T) {
	got := queryParameters("org=HMRC&period=2025-Q1&x=1&x=2&flag&sp=a+b%20c")
	want := map[string]string{"org": "HMRC", "period": "2025-Q1", "x": "1,2", "flag": "", "sp": "a b c"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if queryParameters("") != nil {
		t.Error("empty query should be nil")
	}
}

func TestRequestIDShape(t *testing.T) {
	id := newRequestID()
	if len(id) != 16 || !strings.HasSuffix(id, "=") || id == newRequestID() {
		t.Errorf("request id %q", id)
	}
}

func TestScopes(t *testing.T) {
	tests := []struct {
		claims map[string]any
		want   []string
	}{
		{map[string]any{"scope": "returns/read returns/write"}, []string{"returns/read", "returns/write"}},
		{map[string]any{"scp": []any{"a", "b"}}, []string{"a", "b"}},
		{map[string]any{"scp": "a b"}, []string{"a", "b"}},
		{map[string]any{"sub": "x"}, nil},
	}
	for _, tt := range tests {
		if got := scopes(tt.claims); !slices.Equal(got, tt.want) {
			t.Errorf("scopes(%v) = %q, want %q", tt.claims, got, tt.want)
		}
	}
}
