package workforce

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
)

// memReturns keeps versions in memory: enough of a ReturnStore for one organisation-period.
type memReturns struct {
	ReturnStore
	versions []Version
}

func (m *memReturns) Current(_ context.Context, org string, q period.Quarter) (*Version, error) {
	var cur *Version
	for i := range m.versions {
		if v := &m.versions[i]; v.Org == org && v.Period == q {
			cur = v
		}
	}
	return cur, nil
}

func (m *memReturns) Append(_ context.Context, v Version, _ *IdempotencyRecord) error {
	m.versions = append(m.versions, v)
	return nil
}

type memRegister struct{ OrganisationStore }

func (memRegister) Organisation(_ context.Context, code string) (*Organisation, error) {
	if o, ok := testRegister[code]; ok {
		return &o, nil
	}
	return nil, nil
}

type noFiles struct{}

func (noFiles) PutUpload(context.Context, string, []byte, string) error { return nil }
func (noFiles) DeleteUpload(context.Context, string) error              { return nil }

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
			store := &memReturns{}
			now := tc.first
			s := &Service{Returns: store, Organisations: memRegister{}, Files: noFiles{}, DueDays: 30, Now: func() time.Time { return now }}
			send := func(headcount string) Receipt {
				v := validValues()
				v["headcount"] = headcount
				v[KeyRevisionReason] = "Headcount corrected." // required of the second; a first may carry one
				body, _ := json.Marshal(v)
				rc, _, err := s.Submit(context.Background(), Upload{Principal: Principal{Subject: "u", Org: "HMRC", Roles: []string{"submitter"}}, Format: FormatJSON, Body: body})
				if err != nil {
					t.Fatal(err)
				}
				return rc
			}
			send("70000")
			now = tc.second
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
