package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// ScheduleEvent is what the EventBridge schedule delivers: a scheduled event whose time
// is when it fired. A "month" property (for example from a manual test invoke, or a
// schedule's fixed input) names the month to roll up instead.
type ScheduleEvent struct {
	Time       time.Time `json:"time"`
	DetailType string    `json:"detail-type"`
	Month      string    `json:"month"`
}

// RollupHandler serves the rollup function's two triggers: API Gateway events for
// POST /rollups/{month}, through the HTTP adapter, and the monthly schedule, which calls
// the rollup service directly.
func RollupHandler(httpHandler httpapi.Handler, rollups *rollup.Service, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	return httpOrSchedule(httpHandler, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var ev ScheduleEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("schedule event: %w", err)
		}
		month, err := scheduledMonth(ev)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		snap, created, err := rollups.Run(ctx, month, "schedule")
		if err != nil {
			// An error makes Lambda retry the asynchronous invocation, then send it to the
			// dead-letter queue.
			log.ErrorContext(ctx, "rollup failed", "month", month.String(), "error", err.Error())
			return nil, err
		}
		log.InfoContext(ctx, "rollup", "month", snap.Month, "revision", snap.Revision, "created", created,
			"duration_ms", time.Since(start).Milliseconds(), "reference_quarter", snap.ReferenceQuarter.String())
		return map[string]any{"month": snap.Month, "revision": snap.Revision, "created": created}, nil
	})
}

// httpOrSchedule serves a function that has two triggers: API Gateway events, which go to
// the HTTP adapter, and anything else (a schedule's event, a manual invoke), which goes
// to schedule. An API Gateway payload 2.0 event is told apart by its routeKey.
func httpOrSchedule(httpHandler httpapi.Handler, schedule func(context.Context, json.RawMessage) (any, error)) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct {
			RouteKey string `json:"routeKey"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, fmt.Errorf("event is not a JSON object: %w", err)
		}
		if probe.RouteKey != "" {
			var req events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				return nil, err
			}
			return httpHandler(ctx, req)
		}
		return schedule(ctx, raw)
	}
}

func scheduledMonth(ev ScheduleEvent) (period.Month, error) {
	if ev.Month != "" {
		m, err := period.ParseMonth(ev.Month)
		if err != nil {
			return m, workforce.Errorf(workforce.EInvalid, "schedule event: %v", err)
		}
		return m, nil
	}
	fired := ev.Time
	if fired.IsZero() {
		fired = time.Now()
	}
	return rollup.MonthForSchedule(fired), nil
}
