// Package integration tests the product end to end: real JWTs through the local gateway,
// the handlers the Lambdas run, DynamoDB Local and versitygw. `make test` starts the
// stack first; without it these tests fail, pointing at `make up`.
package integration

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

type harness struct {
	t      *testing.T
	env    localclient.Env
	client *localclient.Client
	ctx    context.Context
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	env, err := localclient.LoadEnv()
	if err != nil {
		t.Fatal(err)
	}
	c, err := localclient.New(env)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, env: env, client: c, ctx: context.Background()}
}

func (h *harness) token(org string, roles ...string) string {
	h.t.Helper()
	tok, err := h.client.Token("user-"+strings.ToLower(org)+"-"+strings.Join(roles, "-"), org, roles, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

func (h *harness) admin() string { return h.token("CO", "admin") }

func (h *harness) do(method, path, token, contentType string, body []byte, headers map[string]string) localclient.Response {
	h.t.Helper()
	r, err := h.client.Do(h.ctx, method, path, token, contentType, body, headers)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// newOrg registers an organisation with a code no other test uses, so tests sharing one
// table cannot see each other's returns.
func (h *harness) newOrg(kind workforce.OrgKind) workforce.Organisation {
	h.t.Helper()
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
	o := workforce.Organisation{Code: fmt.Sprintf("T%X", n), Name: "Test organisation for " + h.t.Name(), Parent: "CO", Kind: kind, BaselineHeadcount: 12000}
	body, _ := json.Marshal(o)
	r := h.do("PUT", "/organisations/"+o.Code, h.admin(), "application/json", body, nil)
	if r.Status != 201 {
		h.t.Fatalf("register %s: %d %s", o.Code, r.Status, r.Body)
	}
	return o
}

func (h *harness) submit(token, contentType string, body []byte, headers map[string]string) (localclient.Response, workforce.Receipt) {
	h.t.Helper()
	r := h.do("POST", "/returns", token, contentType, body, headers)
	var rc workforce.Receipt
	if r.Status < 300 {
		if err := json.Unmarshal(r.Body, &rc); err != nil {
			h.t.Fatalf("receipt: %v: %s", err, r.Body)
		}
	}
	return r, rc
}

func mustStatus(t *testing.T, r localclient.Response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
}

type problemDoc struct {
	httpapi.Problem
}

func problems(t *testing.T, r localclient.Response) problemDoc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json: %s", ct, r.Body)
	}
	var p problemDoc
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

type returnView struct {
	Org      string              `json:"org"`
	Period   string              `json:"period"`
	Version  int                 `json:"version"`
	Values   map[string]any      `json:"values"`
	Warnings []workforce.Problem `json:"warnings"`
	SHA256   string              `json:"sha256"`
	Versions []struct {
		Version    int       `json:"version"`
		ReceivedAt time.Time `json:"received_at"`
		SHA256     string    `json:"sha256"`
	} `json:"versions"`
}

func (h *harness) view(token, path string) returnView {
	h.t.Helper()
	r := h.do("GET", path, token, "", nil, nil)
	mustStatus(h.t, r, 200)
	var v returnView
	if err := json.Unmarshal(r.Body, &v); err != nil {
		h.t.Fatal(err)
	}
	return v
}

var q1 = period.MustQuarter("2025-26-Q1")

func sampleFor(o workforce.Organisation, q period.Quarter) map[string]string {
	return sample.Return(o, q)
}
