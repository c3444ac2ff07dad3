package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The authorisation matrix: every route of httpapi.Routes × every set of roles × the
// caller's organisation against the one the request is about × every kind of token, sent
// through the local gateway. What each cell must answer is worked out from the route's
// policy in the table, never written out by hand (TestPolicies in shared/workforce pins
// what each policy means): 401 for a token a JWT authorizer refuses, 403 where the policy
// forbids, and otherwise anything but 401, 403 or a 5xx.

// probe is one request to a route, about the organisation under test.
type probe struct {
	route       string // the route key in httpapi.Routes
	path        string // with {org} as the organisation under test
	contentType string
	body        func(o workforce.Organisation) []byte
	// aboutOrg is whether the request is about the organisation under test (in its path,
	// its query or the return it sends), so the policy is asked for that organisation.
	aboutOrg bool
	// also, when set, is a policy the handler asks as well, for what this request asks
	// for (the management edition of a report).
	also *workforce.Policy
}

var probes = []probe{
	{route: "GET /template", path: "/template"},
	{route: "POST /returns", path: "/returns", contentType: httpapi.ContentTypeJSON, aboutOrg: true,
		body: func(o workforce.Organisation) []byte { return sample.JSON(sampleFor(o, q1)) }},
	{route: "POST /returns/check", path: "/returns/check", contentType: httpapi.ContentTypeJSON, aboutOrg: true,
		body: func(o workforce.Organisation) []byte { return sample.JSON(sampleFor(o, q1)) }},
	{route: "POST /returns/bulk", path: "/returns/bulk", contentType: "text/csv", aboutOrg: true,
		body: func(o workforce.Organisation) []byte { return sample.BulkCSV([]map[string]string{sampleFor(o, q1)}) }},
	// Without ?org= a submitter's list is of their own organisation. (Plain /returns reads
	// the whole register for a leader, one Query per organisation: too slow to repeat
	// here; TestSubmitterWithoutOrganisationIsRefusedEverywhere sends it.)
	{route: "GET /returns", path: "/returns?period=2024-25-Q2"},
	{route: "GET /returns", path: "/returns?org={org}", aboutOrg: true},
	{route: "GET /returns", path: "/returns?org={org}&period=2025-26-Q1", aboutOrg: true},
	{route: "GET /returns/{org}/{period}", path: "/returns/{org}/2025-26-Q1", aboutOrg: true},
	{route: "GET /returns/{org}/{period}/versions/{version}", path: "/returns/{org}/2025-26-Q1/versions/1", aboutOrg: true},
	{route: "GET /returns/{org}/{period}/versions/{version}/changes", path: "/returns/{org}/2025-26-Q1/versions/1/changes", aboutOrg: true},
	// The organisation has no return, so an allowed sign-off is 404.
	{route: "POST /returns/{org}/{period}/versions/{version}/sign-off", path: "/returns/{org}/2025-26-Q1/versions/1/sign-off", contentType: httpapi.ContentTypeJSON, aboutOrg: true,
		body: func(workforce.Organisation) []byte { return []byte(`{"sha256":"` + strings.Repeat("0", 64) + `"}`) }},
	{route: "GET /organisations", path: "/organisations"},
	// An organisation with no name: refused as invalid once the caller may change the register.
	{route: "PUT /organisations/{code}", path: "/organisations/{org}", contentType: httpapi.ContentTypeJSON,
		body: func(workforce.Organisation) []byte { return []byte(`{}`) }},
	{route: "GET /targets", path: "/targets"},
	{route: "GET /metrics/{period}", path: "/metrics/2030-31-Q1"},
	{route: "GET /rollups", path: "/rollups"},
	{route: "GET /rollups/{month}", path: "/rollups/2099-01"},
	{route: "POST /rollups/{month}", path: "/rollups/2099-01"}, // not ended: 422 once allowed
	{route: "GET /reports/{month}", path: "/reports/2099-01"},
	{route: "GET /reports/{month}", path: "/reports/2099-01?edition=management", also: &workforce.ManagementFigures},
	{route: "GET /collection/{period}", path: "/collection/2030-31-Q1"},
	{route: "POST /reminders/{date}", path: "/reminders/2999-01-01"}, // a day that has not come: 422 once allowed, nothing sent
	{route: "POST /extracts", path: "/extracts", contentType: httpapi.ContentTypeJSON, aboutOrg: true,
		body: func(o workforce.Organisation) []byte {
			b, _ := json.Marshal(extractAnswers(o.Code, "csv", 100))
			return b
		}},
	// {extract} is an extract of the organisation under test, asked for by an admin.
	{route: "GET /extracts/{id}", path: "/extracts/{extract}", aboutOrg: true},
}

// roleClaim is a value of the roles claim and the roles it means.
type roleClaim struct {
	name  string
	claim any
	roles []string
}

var roleClaims = []roleClaim{
	{"no roles", []string{}, nil},
	{"submitter", []string{"submitter"}, []string{"submitter"}},
	{"leader", []string{"leader"}, []string{"leader"}},
	{"admin", []string{"admin"}, []string{"admin"}},
	{"submitter+leader", []string{"submitter", "leader"}, []string{"submitter", "leader"}},
	{"submitter+admin", []string{"submitter", "admin"}, []string{"submitter", "admin"}},
	{"leader+admin", []string{"leader", "admin"}, []string{"leader", "admin"}},
	{"approver", []string{"approver"}, []string{"approver"}},
	{"submitter+approver", []string{"submitter", "approver"}, []string{"submitter", "approver"}},
	{"approver+leader", []string{"approver", "leader"}, []string{"approver", "leader"}},
	{"approver+admin", []string{"approver", "admin"}, []string{"approver", "admin"}},
	// API Gateway hands an array claim to Lambda flattened into a string.
	{`"[admin leader]"`, "[admin leader]", []string{"admin", "leader"}},
	{`"submitter"`, "submitter", []string{"submitter"}},
	{"an unknown role", []string{"superuser"}, nil},
}

// orgScope is the caller's organisation against the one the request is about.
type orgScope string

const (
	ownOrg   orgScope = "own organisation"
	otherOrg orgScope = "another organisation"
	noOrg    orgScope = "no organisation"
)

var orgScopes = []orgScope{ownOrg, otherOrg, noOrg}

// tokenKind is how a token is made; all but valid are refused by the authorizer.
type tokenKind string

const (
	validToken   tokenKind = "valid"
	expired      tokenKind = "expired"
	wrongIssuer  tokenKind = "wrong issuer"
	wrongAud     tokenKind = "wrong audience"
	badSignature tokenKind = "bad signature"
	missing      tokenKind = "missing"
	malformed    tokenKind = "malformed"
)

// tokenKinds with claims are tried for every caller; missing and malformed tokens carry
// none, so they are tried once per probe.
var (
	tokenKindsWithClaims = []tokenKind{validToken, expired, wrongIssuer, wrongAud, badSignature}
	tokenKindsWithout    = []tokenKind{missing, malformed}
)

type caller struct {
	roles []string
	scope orgScope
	kind  tokenKind
}

// expected is the status a cell must answer: 401 or 403, or 0 for "allowed", which is
// anything below 500 but those two.
func expected(p probe, route httpapi.Route, c caller, target, other string) int {
	if c.kind != validToken {
		return 401
	}
	who := workforce.Principal{Subject: "matrix", Org: map[orgScope]string{ownOrg: target, otherOrg: other}[c.scope], Roles: c.roles}
	allowed := route.Policy.Admits(who) && (p.also == nil || p.also.Admits(who))
	if p.aboutOrg {
		allowed = allowed && route.Policy.Allows(who, target)
	}
	if !allowed {
		return 403
	}
	return 0
}

func TestAuthorisationMatrix(t *testing.T) {
	h := newHarness(t)
	target, other := h.newOrg(workforce.CivilService), h.newOrg(workforce.CivilService)

	routes := map[string]httpapi.Route{}
	for _, r := range httpapi.Routes {
		routes[r.Key()] = r
	}
	probed := map[string]bool{}
	for _, p := range probes {
		if _, ok := routes[p.route]; !ok {
			t.Fatalf("probe of %s, which is not in httpapi.Routes", p.route)
		}
		probed[p.route] = true
	}
	for key := range routes {
		if !probed[key] {
			t.Errorf("route %s has no probe: add one, with its organisation rule", key)
		}
	}

	r, up := h.askExtract(h.admin(), extractAnswers(target.Code, "csv", 100))
	mustStatus(t, r, 201)

	token := func(c caller, rc roleClaim) string {
		org := map[orgScope]string{ownOrg: target.Code, otherOrg: other.Code}[c.scope]
		now := time.Now()
		extra := map[string]any{"roles": rc.claim}
		switch c.kind {
		case missing:
			return ""
		case malformed:
			return "not-a-jwt"
		case expired:
			extra["exp"], extra["iat"] = now.Add(-time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
		case wrongIssuer:
			extra["iss"] = "https://elsewhere.example"
		case wrongAud:
			extra["aud"] = "someone-else"
		}
		tok, err := h.client.Token("matrix-"+strings.ReplaceAll(rc.name, " ", "-"), org, nil, extra)
		if err != nil {
			t.Error(err) // not Fatal: cells run on their own goroutines
			return ""
		}
		if c.kind == badSignature {
			parts := strings.Split(tok, ".")
			tok = parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
		}
		return tok
	}

	// cell sends one request and answers whether its status is the expected one.
	cell := func(p probe, c caller, rc roleClaim) bool {
		var body []byte
		if p.body != nil {
			body = p.body(target)
		}
		path := strings.NewReplacer("{org}", target.Code, "{extract}", up.ExtractID).Replace(p.path)
		method, _, _ := strings.Cut(p.route, " ")
		r, err := h.client.Do(h.ctx, method, path, token(c, rc), p.contentType, body, nil)
		if err != nil {
			t.Error(err)
			return false
		}
		want := expected(p, routes[p.route], c, target.Code, other.Code)
		if r.Status == want || (want == 0 && r.Status != 401 && r.Status != 403 && r.Status < 500) {
			return true
		}
		wantText := fmt.Sprint(want)
		if want == 0 {
			wantText = "allowed"
		}
		t.Errorf("%s %s | %s | %s | %s token: %d, want %s: %.200s", method, path, rc.name, c.scope, c.kind, r.Status, wantText, r.Body)
		return false
	}

	// Cells are independent (any allowed answer passes), so a few run at once.
	var wg sync.WaitGroup
	var failures atomic.Int64
	slots := make(chan struct{}, 4)
	cells := 0
	check := func(p probe, c caller, rc roleClaim) {
		cells++
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if !cell(p, c, rc) {
				failures.Add(1)
			}
		}()
	}
	for _, p := range probes {
		for _, kind := range tokenKindsWithout {
			check(p, caller{kind: kind}, roleClaim{name: "none"})
		}
		for _, rc := range roleClaims {
			for _, scope := range orgScopes {
				for _, kind := range tokenKindsWithClaims {
					check(p, caller{roles: rc.roles, scope: scope, kind: kind}, rc)
				}
			}
		}
	}
	wg.Wait()
	t.Logf("%d cells, %d wrong", cells, failures.Load())
}
