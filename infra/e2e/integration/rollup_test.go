package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"

	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// rollupMonth's reference quarter is 2025-26-Q1, the quarter these tests submit for.
const rollupMonth = "2025-08"

func (h *harness) rollup(method, query string) (int, rollup.Snapshot) {
	h.t.Helper()
	tok := h.admin()
	if method == "GET" {
		tok = h.token("CO", "leader")
	}
	r := h.do(method, "/rollups/"+rollupMonth+query, tok, "", nil, nil)
	if r.Status >= 300 {
		h.t.Fatalf("%s /rollups/%s%s: %d %s", method, rollupMonth, query, r.Status, r.Body)
	}
	var s rollup.Snapshot
	if err := json.Unmarshal(r.Body, &s); err != nil {
		h.t.Fatal(err)
	}
	return r.Status, s
}

// currentReturns reads, through the API, every current return for q: what the rollup
// must have summed.
func (h *harness) currentReturns(q period.Quarter) []returnView {
	h.t.Helper()
	leader := h.token("CO", "leader")
	r := h.do("GET", "/returns?period="+q.String(), leader, "", nil, nil)
	mustStatus(h.t, r, 200)
	var list struct {
		Returns []struct{ Org, Period string }
	}
	_ = json.Unmarshal(r.Body, &list)
	var out []returnView
	for _, x := range list.Returns {
		out = append(out, h.view(leader, "/returns/"+x.Org+"/"+x.Period))
	}
	return out
}

func TestRollupFiguresAndRevisions(t *testing.T) {
	h := newHarness(t)
	cs, lg := h.newOrg(workforce.CivilService), h.newOrg(workforce.LocalGovernment)
	for _, o := range []workforce.Organisation{cs, lg} {
		r, _ := h.submit(h.token(o.Code, "submitter"), httpapi.ContentTypeJSON, sample.JSON(sampleFor(o, q1)), nil)
		if r.Status != 201 && r.Status != 200 {
			t.Fatalf("submit %s: %d %s", o.Code, r.Status, r.Body)
		}
	}

	_, first := h.rollup("POST", "")
	// The government figures are the sums of the current returns of civil-service bodies.
	var headcount, ddat, early int64
	for _, v := range h.currentReturns(q1) {
		if _, ok := v.Values["headcount"]; !ok {
			continue // local government: leadership only
		}
		headcount += int64(v.Values["headcount"].(float64))
		ddat += int64(v.Values["ddat_headcount"].(float64))
		for _, k := range workforce.EarlyCareerKeys {
			early += int64(v.Values[k].(float64))
		}
	}
	quarters := first.Government.Quarters
	last := quarters[len(quarters)-1]
	if last.Period != q1 {
		t.Fatalf("series ends at %s, want %s", last.Period, q1)
	}
	gotJSON, _ := json.Marshal(last)
	var got map[string]any
	_ = json.Unmarshal(gotJSON, &got)
	for k, want := range map[string]int64{"headcount": headcount, "ddat_headcount": ddat, "early_career_entrants": early} {
		if n, _ := got[k].(float64); n != float64(want) {
			t.Errorf("government %s = %v, want %d (the sum of the current returns)", k, got[k], want)
		}
	}
	if want := float64(ddat) / float64(headcount); fmt.Sprintf("%.6f", got["ddat_share"]) != fmt.Sprintf("%.6f", want) {
		t.Errorf("ddat_share %v, want %.6f", got["ddat_share"], want)
	}
	if len(first.Targets) != 7 {
		t.Errorf("%d target statuses, want 7", len(first.Targets))
	}
	for _, ts := range first.Targets {
		if ts.Status == "" {
			t.Errorf("target %s has no status word", ts.ID)
		}
	}

	// Unchanged inputs: no new revision.
	status, again := h.rollup("POST", "")
	if status != 200 || again.Revision != first.Revision || again.InputsFingerprint != first.InputsFingerprint {
		t.Errorf("re-run with unchanged inputs: %d revision %d, want 200 revision %d", status, again.Revision, first.Revision)
	}

	// A late revision of a return, then a re-run: the next revision, the earlier kept.
	revised := sampleFor(cs, q1)
	revised["cslg_members"] = "77"
	revised[workforce.KeyRevisionReason] = "CSLG membership corrected."
	r, rc := h.submit(h.token(cs.Code, "submitter"), httpapi.ContentTypeJSON, sample.JSON(revised), nil)
	mustStatus(t, r, 201)
	if rc.Version != 2 {
		t.Fatalf("revision is version %d", rc.Version)
	}
	status, next := h.rollup("POST", "")
	if status != 201 || next.Revision != first.Revision+1 || next.InputsFingerprint == first.InputsFingerprint {
		t.Errorf("re-run after a revision: %d revision %d, want 201 revision %d", status, next.Revision, first.Revision+1)
	}
	_, kept := h.rollup("GET", fmt.Sprintf("?revision=%d", first.Revision))
	if kept.Revision != first.Revision || kept.InputsFingerprint != first.InputsFingerprint {
		t.Errorf("revision %d was not kept: %+v", first.Revision, kept.Revision)
	}
	_, latest := h.rollup("GET", "")
	if latest.Revision != next.Revision {
		t.Errorf("latest is revision %d, want %d", latest.Revision, next.Revision)
	}
	var used bool
	for _, in := range next.Inputs {
		used = used || (in.Org == cs.Code && in.Version == 2)
	}
	if !used {
		t.Error("the new revision did not use version 2 of the revised return")
	}
	r = h.do("GET", "/rollups", h.token("CO", "leader"), "", nil, nil)
	mustStatus(t, r, 200)
	mustStatus(t, h.do("POST", "/rollups/"+rollupMonth, h.token("CO", "leader"), "", nil, nil), 403)
	mustStatus(t, h.do("POST", "/rollups/2999-01", h.admin(), "", nil, nil), 422)
}

// opCounter counts DynamoDB operations by name, as SDK middleware sees them.
type opCounter struct {
	mu  sync.Mutex
	ops map[string]int
}

func (c *opCounter) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countOperations",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.ops[awsmw.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// The rollup reads with Query on keys designed for it, never Scan, and the number of
// reads follows the quarters, not the table's history.
func TestRollupNeverScans(t *testing.T) {
	h := newHarness(t)
	for k, v := range h.env {
		t.Setenv(k, v)
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	counter := &opCounter{ops: map[string]int{}}
	c, err := app.NewClients(context.Background(), cfg, config.WithAPIOptions([]func(*middleware.Stack) error{counter.add}))
	if err != nil {
		t.Fatal(err)
	}
	api, err := app.NewAPI(cfg, c, app.Logger())
	if err != nil {
		t.Fatal(err)
	}
	api.Rollups.Workbook = nil // only the reads are under test here
	m, _ := period.ParseMonth(rollupMonth)
	if _, _, err := api.Rollups.Run(context.Background(), m, "test"); err != nil {
		t.Fatal(err)
	}
	quarters := len(period.Range(cfg.FirstQuarter, period.ReferenceQuarter(m, cfg.DueDays)))
	if counter.ops["Scan"] != 0 {
		t.Errorf("the rollup issued %d Scans", counter.ops["Scan"])
	}
	if counter.ops["Query"] < quarters+1 || counter.ops["Query"] > 2*(quarters+1) {
		t.Errorf("%d Queries for %d quarters and the register; operations %v", counter.ops["Query"], quarters, counter.ops)
	}
}
