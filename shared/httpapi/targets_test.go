package httpapi

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

type currentVersions struct {
	workforce.ReturnStore
	byPeriod map[period.Quarter][]workforce.Version
}

func (v currentVersions) CurrentByPeriod(_ context.Context, q period.Quarter) ([]workforce.Version, error) {
	return v.byPeriod[q], nil
}

type fixedRegister struct {
	workforce.OrganisationStore
	orgs []workforce.Organisation
}

func (r fixedRegister) Organisations(context.Context) ([]workforce.Organisation, error) {
	return r.orgs, nil
}

// GET /targets and GET /metrics/{period} show a successor target added to a copy of the
// targets file, with no change to the code.
func TestSuccessorTargetInTargetsAndMetrics(t *testing.T) {
	data, err := os.ReadFile("../targets/testdata/successor.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := targets.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	q := period.MustQuarter("2025-26-Q1")
	vals := map[string]string{workforce.KeyOrg: "A", workforce.KeyPeriod: q.String(), workforce.KeyHeadcount: "1000", workforce.KeyDDaTHeadcount: "80",
		workforce.KeyExecDigitalLeader: "yes", workforce.KeyBoardDigitalNED: "no"}
	at := q.ReferenceDate().AddDate(0, 0, 3)
	a := &API{Now: func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }, Rollups: &rollup.Service{
		Returns: currentVersions{byPeriod: map[period.Quarter][]workforce.Version{q: {{Org: "A", Period: q, Number: 1,
			Kind: workforce.CivilService, Values: vals, ReceivedAt: at, FirstReceivedAt: at}}}},
		Organisations: fixedRegister{orgs: []workforce.Organisation{{Code: "A", Name: "A", Kind: workforce.CivilService, BaselineHeadcount: 1000}}},
		Targets:       set, DueDays: 30, FirstQuarter: q}}

	resp, err := a.getTargets(context.Background(), request{})
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Targets []struct {
			ID, Unit, Quote, Assumed string
			Threshold                float64
		}
	}
	if err := json.Unmarshal([]byte(resp.Body), &file); err != nil {
		t.Fatal(err)
	}
	last := file.Targets[len(file.Targets)-1]
	if len(file.Targets) != len(set.Targets) || last.ID != "ddat-share-one-in-ten" || last.Unit != "share" || last.Threshold != 0.1 ||
		last.Quote == "" || last.Assumed == "" {
		t.Errorf("GET /targets: %s", resp.Body)
	}

	resp, err = a.getMetrics(context.Background(), request{APIGatewayV2HTTPRequest: events.APIGatewayV2HTTPRequest{PathParameters: map[string]string{"period": q.String()}}})
	if err != nil {
		t.Fatal(err)
	}
	var res metrics.Result
	if err := json.Unmarshal([]byte(resp.Body), &res); err != nil {
		t.Fatal(err)
	}
	var got *metrics.TargetStatus
	for i := range res.Targets {
		if res.Targets[i].ID == "ddat-share-one-in-ten" {
			got = &res.Targets[i]
		}
	}
	// 8% at 2025-26-Q1, judged as of July 2025 when its returns fell due.
	if got == nil || got.Value == nil || *got.Value != 0.08 || got.Status != metrics.OffTrack || got.Threshold != 0.1 || res.Month != "2025-07" {
		t.Errorf("GET /metrics/%s: month %s, successor %+v", q, res.Month, got)
	}
}
