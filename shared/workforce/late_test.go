package workforce_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// The late-return warning is judged on when the first version arrived, as the metrics
// judge lateness: a correction sent long after an on-time return is not late, and a
// correction of a late return still is.
func TestLateReturnWarningIsJudgedOnTheFirstVersion(t *testing.T) {
	// 2025-26-Q1 is due on 30 July 2025; "more than a quarter late" is after 30 October 2025.
	onTime, lateDay, muchLater := time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC), time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name          string
		first, second time.Time
		wantLate      bool // on the second version
	}{
		{"first on time, correction months later", onTime, muchLater, false},
		{"first late, correction later still", lateDay, muchLater, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.first)
			send := func(headcount string) workforce.Receipt {
				v := workforce.ValidValues()
				v["headcount"] = headcount
				v[workforce.KeyRevisionReason] = "Headcount corrected." // required of the second; a first may carry one
				body, _ := json.Marshal(v)
				rc, _, err := e.svc.Submit(context.Background(), workforce.Upload{Principal: hmrc, Format: workforce.FormatJSON, Body: body})
				if err != nil {
					t.Fatal(err)
				}
				return rc
			}
			send("70000")
			e.clock.Set(tc.second)
			rc := send("70001")
			late := false
			for _, w := range rc.Warnings {
				late = late || w.Code == "late_return"
			}
			if rc.Version != 2 || late != tc.wantLate {
				t.Errorf("version %d, late warning %v; want version 2, %v (%+v)", rc.Version, late, tc.wantLate, rc.Warnings)
			}
		})
	}
}
