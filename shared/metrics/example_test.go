package metrics_test

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Two departments and a council report for the four quarters of 2023-24; the April 2024
// rollup judges the targets at 2023-24-Q4.
func ExampleCompute() {
	register := []workforce.Organisation{
		{Code: "DEPT-A", Name: "Department A", Kind: workforce.CivilService, BaselineHeadcount: 6000},
		{Code: "DEPT-B", Name: "Department B", Kind: workforce.CivilService, BaselineHeadcount: 4000},
		{Code: "KENT", Name: "Kent County Council", Kind: workforce.LocalGovernment},
	}
	var returns []metrics.Input
	for i, p := range period.Range(period.MustQuarter("2023-24-Q1"), period.MustQuarter("2023-24-Q4")) {
		add := func(org string, kind workforce.OrgKind, values map[string]string) {
			values[workforce.KeyExecDigitalLeader] = "yes"
			returns = append(returns, metrics.Input{
				Return:     workforce.Return{Org: org, Period: p, Kind: kind, Values: values},
				Version:    1,
				ReceivedAt: p.Due(30).Add(-24 * time.Hour),
			})
		}
		add("DEPT-A", workforce.CivilService, map[string]string{
			workforce.KeyHeadcount: "6000", workforce.KeyDDaTHeadcount: strconv.Itoa(300 + 12*i),
			"entrants_apprenticeship": "150", "entrants_fast_stream": "50"})
		add("DEPT-B", workforce.CivilService, map[string]string{
			workforce.KeyHeadcount: "4000", workforce.KeyDDaTHeadcount: strconv.Itoa(200 + 8*i),
			"entrants_graduate_programme": "100"})
		add("KENT", workforce.LocalGovernment, map[string]string{})
	}
	set, err := targets.Default()
	if err != nil {
		panic(err)
	}

	res := metrics.Compute(metrics.ComputeInput{
		Returns: returns, Register: register, Targets: set,
		Month: period.Month{Year: 2024, Month: time.April}, DueDays: 30,
	})

	for _, q := range res.Government.Quarters {
		fmt.Printf("%s DDaT share %.1f%%, coverage %.0f%%, early-career entrants so far %d\n",
			q.Period, 100**q.DDaTShare, 100**q.Coverage, *q.EarlyCareerEntrantsCumulative)
	}
	for _, t := range res.Targets {
		fmt.Printf("%-29s %s\n", t.ID, t.Status)
	}
	// Output:
	// 2023-24-Q1 DDaT share 5.0%, coverage 100%, early-career entrants so far 300
	// 2023-24-Q2 DDaT share 5.2%, coverage 100%, early-career entrants so far 600
	// 2023-24-Q3 DDaT share 5.4%, coverage 100%, early-career entrants so far 900
	// 2023-24-Q4 DDaT share 5.6%, coverage 100%, early-career entrants so far 1200
	// ddat-share                    on_track
	// early-career-entrants         on_track
	// exec-digital-leader           met
	// board-digital-ned             off_track
	// senior-appointments-assessed  not_started
	// succession-plans              no_data
	// cslg-ai-immersion             no_data
}
