package sample

import (
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/register"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Every sample return for every register organisation and demo quarter must be valid,
// or the demo and the tests would be measuring the wrong thing.
func TestSampleReturnsAreValid(t *testing.T) {
	orgs, err := register.Seed()
	if err != nil {
		t.Fatal(err)
	}
	reg := workforce.Register{}
	for _, o := range orgs {
		reg[o.Code] = o
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, o := range orgs {
		for _, q := range period.Range(period.MustQuarter("2023-24-Q1"), period.MustQuarter("2026-27-Q1")) {
			for name, parse := range map[string]func([]byte) ([]workforce.RawField, error){"csv": workforce.ParseCSV, "json": workforce.ParseJSON} {
				v := Return(o, q)
				data := CSV(v)
				if name == "json" {
					data = JSON(v)
				}
				raw, err := parse(data)
				if err != nil {
					t.Fatalf("%s %s %s: %v", o.Code, q, name, err)
				}
				if _, ps := workforce.Normalise(raw, reg, now); len(ps) > 0 {
					t.Fatalf("%s %s %s: %+v", o.Code, q, name, ps)
				}
			}
		}
	}
}
