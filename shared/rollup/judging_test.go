package rollup_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// service has one Civil Service organisation reporting a DDaT share of 5% and 100
// early-career entrants every quarter from 2023-24-Q1 to 2025-26-Q2.
func service(t *testing.T, dueDays int) *rollup.Service {
	t.Helper()
	set, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := newStores(t, workforce.Organisation{Code: "A", Name: "A", Kind: workforce.CivilService, BaselineHeadcount: 1000})
	for _, q := range period.Range(period.MustQuarter("2023-24-Q1"), period.MustQuarter("2025-26-Q2")) {
		s.submit(t, "A", q, map[string]string{workforce.KeyHeadcount: "1000", workforce.KeyDDaTHeadcount: "50", "entrants_apprenticeship": "100",
			workforce.KeyExecDigitalLeader: "yes", workforce.KeyBoardDigitalNED: "yes"}, q.ReferenceDate().AddDate(0, 0, 5))
	}
	return &rollup.Service{Returns: s.table, Organisations: s.table,
		Targets: set, DueDays: dueDays, FirstQuarter: period.MustQuarter("2023-24-Q1"),
		Now: func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }}
}

func statusOf(res metrics.Result, id string) metrics.TargetStatus {
	for _, s := range res.Targets {
		if s.ID == id {
			return s
		}
	}
	return metrics.TargetStatus{}
}

// GET /metrics/{period} judges as of the month the quarter's returns fell due, not today:
// in November 2026 every deadline here has passed, but 2024-25-Q1 ended none of them.
func TestMetricsAreJudgedAsOfTheMonthTheQuarterFellDue(t *testing.T) {
	for _, tc := range []struct {
		quarter string
		dueDays int
		month   string
		ddat    metrics.Progress // at least 6% by 31 March 2025
		entrant metrics.Progress // 2,500 over 2023-24-Q1 … 2025-26-Q1
	}{
		{"2024-25-Q1", 30, "2024-07", metrics.OffTrack, metrics.OffTrack},
		{"2024-25-Q4", 30, "2025-04", metrics.Missed, metrics.OffTrack},
		{"2025-26-Q1", 30, "2025-07", metrics.Missed, metrics.Missed},
		{"2024-25-Q4", 45, "2025-05", metrics.Missed, metrics.OffTrack},
		{"2024-25-Q1", 100, "2024-10", metrics.OffTrack, metrics.OffTrack},
		{"2025-26-Q1", 0, "2025-06", metrics.Missed, metrics.Missed},
	} {
		t.Run(fmt.Sprintf("%s with %d due days", tc.quarter, tc.dueDays), func(t *testing.T) {
			q := period.MustQuarter(tc.quarter)
			res, err := service(t, tc.dueDays).Metrics(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Month != tc.month || res.ReferenceQuarter != q {
				t.Errorf("judged as of %s at %s, want %s at %s", res.Month, res.ReferenceQuarter, tc.month, q)
			}
			if s := statusOf(res, "ddat-share"); s.Status != tc.ddat {
				t.Errorf("ddat-share %s, want %s: %s", s.Status, tc.ddat, s.Note)
			}
			if s := statusOf(res, "early-career-entrants"); s.Status != tc.entrant {
				t.Errorf("early-career-entrants %s, want %s: %s", s.Status, tc.entrant, s.Note)
			}
		})
	}
}

// Whatever DueDays is, the month a quarter falls due has that quarter as its reference
// quarter, so GET /metrics/{period} and the rollup of that month judge alike.
func TestMonthDueHasTheQuarterAsItsReference(t *testing.T) {
	for _, d := range []int{0, 1, 30, 45, 60, 89, 100} {
		for _, q := range period.Range(period.MustQuarter("2023-24-Q1"), period.MustQuarter("2027-28-Q4")) {
			if got := period.ReferenceQuarter(rollup.MonthDue(q, d), d); got != q {
				t.Errorf("due days %d: %s falls due in %s, whose reference quarter is %s", d, q, rollup.MonthDue(q, d), got)
			}
		}
	}
}
