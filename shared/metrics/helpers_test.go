package metrics

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

const (
	cs = workforce.CivilService
	lg = workforce.LocalGovernment
)

var qtr = period.MustQuarter

// org is a register entry, active throughout unless changed.
func org(code string, kind workforce.OrgKind, baseline int64) workforce.Organisation {
	return workforce.Organisation{Code: code, Name: code + " name", Kind: kind, BaselineHeadcount: baseline}
}

// ret is a current version (1) received ten days after the reference date, with the
// given field values; yes/no answers default to "no".
func ret(code string, kind workforce.OrgKind, quarter string, kv ...any) Input {
	p := qtr(quarter)
	vals := map[string]string{
		workforce.KeyOrg: code, workforce.KeyPeriod: p.String(),
		workforce.KeyExecDigitalLeader: "no", workforce.KeyBoardDigitalNED: "no",
	}
	for i := 0; i < len(kv); i += 2 {
		vals[kv[i].(string)] = fmt.Sprint(kv[i+1])
	}
	return Input{
		Return:     workforce.Return{Org: code, Period: p, Kind: kind, Values: vals},
		Version:    1,
		ReceivedAt: p.ReferenceDate().AddDate(0, 0, 10),
	}
}

// csRet is a civil_service return with a headcount and DDaT headcount.
func csRet(code, quarter string, headcount, ddat int64, kv ...any) Input {
	return ret(code, cs, quarter, append([]any{workforce.KeyHeadcount, headcount, workforce.KeyDDaTHeadcount, ddat}, kv...)...)
}

func f(v float64) *float64 { return &v }

// sameFloat compares optional figures to 1e-12.
func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-12
}

func show(p *float64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func defaultTargets(t testing.TB) targets.Set {
	t.Helper()
	set, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func only(t testing.TB, set targets.Set, id string) targets.Set {
	t.Helper()
	tg, ok := set.ByID(id)
	if !ok {
		t.Fatalf("no target %s", id)
	}
	return targets.Set{Version: set.Version, Targets: []targets.Target{tg}}
}

// seriesOf builds the government series over the given returns for quarters from..to.
func seriesOf(register []workforce.Organisation, returns []Input, from, to string) []Quarter {
	ix := newIndex(register, returns)
	var out []Quarter
	for _, p := range period.Range(qtr(from), qtr(to)) {
		out = append(out, ix.quarter(p))
	}
	return out
}

// noNaN fails if v's JSON has a NaN or cannot be written at all.
func noNaN(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if strings.Contains(string(b), "NaN") {
		t.Fatalf("JSON carries NaN: %s", b)
	}
	return b
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
