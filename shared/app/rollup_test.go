package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
)

type runs []string

func (r *runs) Rollup(trigger string, _ time.Duration, _ int) { *r = append(*r, trigger) }

// The schedule runs the rollup service itself, never the HTTP adapter, and the run is
// counted as the schedule's; an API Gateway event goes to the HTTP handler.
func TestScheduleCallsTheRollupServiceDirectly(t *testing.T) {
	set, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	table, bucket := &memstore.Store{}, &memstore.Bucket{}
	var counted runs
	svc := &rollup.Service{Returns: table, Organisations: table, Store: table, Blobs: bucket, Targets: set,
		DueDays: 30, FirstQuarter: period.MustQuarter("2023-24-Q1"), Recorder: &counted}
	httpCalls := 0
	httpHandler := func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		httpCalls++
		return events.APIGatewayV2HTTPResponse{StatusCode: 201}, nil
	}
	h := RollupHandler(httpHandler, svc, slog.New(slog.NewTextHandler(io.Discard, nil)))

	out, err := h(context.Background(), json.RawMessage(`{"detail-type":"Scheduled Event","time":"2025-09-01T06:00:00Z","detail":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(out)
	if string(got) != `{"created":true,"month":"2025-08","revision":1}` || httpCalls != 0 {
		t.Errorf("schedule: %s, %d HTTP calls", got, httpCalls)
	}
	if len(counted) != 1 || counted[0] != "schedule" {
		t.Errorf("runs counted: %v", counted)
	}
	m, _ := period.ParseMonth("2025-08")
	if snap, err := svc.Get(context.Background(), m, 0); err != nil || snap.Trigger != "schedule" {
		t.Errorf("stored snapshot: %v %v", snap.Trigger, err)
	}

	if _, err := h(context.Background(), json.RawMessage(`{"routeKey":"POST /rollups/{month}"}`)); err != nil || httpCalls != 1 {
		t.Errorf("API Gateway event: %v, %d HTTP calls", err, httpCalls)
	}
}
