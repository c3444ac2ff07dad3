package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func periods(qs []Quarter) []string {
	var out []string
	for _, g := range qs {
		out = append(out, g.Period.String())
	}
	return out
}

func cum(p *int64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// Entrants straddling the early-career window (2023-24-Q1 … 2025-26-Q1), with a quarter
// nobody reported for inside it.
func windowInput(t *testing.T) ComputeInput {
	register := []workforce.Organisation{org("A", cs, 1000)}
	var returns []Input
	for p, n := range map[string]int{"2022-23-Q4": 1000, "2023-24-Q1": 100, "2023-24-Q2": 200, "2023-24-Q4": 300,
		"2024-25-Q1": 100, "2024-25-Q2": 100, "2024-25-Q3": 100, "2024-25-Q4": 100, "2025-26-Q1": 50, "2025-26-Q2": 400} {
		returns = append(returns, csRet("A", p, 1000, 60, "entrants_apprenticeship", n))
	}
	return ComputeInput{Returns: returns, Register: register, Targets: defaultTargets(t), Month: month("2025-10"), DueDays: 30}
}

func TestComputeSeriesAndCumulativeWindow(t *testing.T) {
	res := Compute(windowInput(t))
	if res.ReferenceQuarter.String() != "2025-26-Q2" {
		t.Fatalf("reference quarter %s", res.ReferenceQuarter)
	}
	wantPeriods := []string{"2022-23-Q4", "2023-24-Q1", "2023-24-Q2", "2023-24-Q3", "2023-24-Q4",
		"2024-25-Q1", "2024-25-Q2", "2024-25-Q3", "2024-25-Q4", "2025-26-Q1", "2025-26-Q2"}
	if got := periods(res.Government.Quarters); !reflect.DeepEqual(got, wantPeriods) {
		t.Fatalf("series %v, want every quarter from the first return to the reference quarter %v", got, wantPeriods)
	}
	var got []string
	for _, g := range res.Government.Quarters {
		got = append(got, cum(g.EarlyCareerEntrantsCumulative))
	}
	// Nothing before the window, a flat step for the empty quarter, nothing after it.
	want := []string{"-", "100", "300", "300", "600", "700", "800", "900", "1000", "1050", "-"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("early_career_entrants_cumulative = %v, want %v", got, want)
	}
	if gap := res.Government.Quarters[3]; gap.ReturnsReceived != 0 || gap.DDaTShare != nil {
		t.Errorf("the quarter nobody reported for: %+v", gap)
	}
	ec := res.Targets[1]
	if ec.ID != "early-career-entrants" || ec.Status != Missed || !closeTo(ec.Value, f(1050)) || ec.Period.String() != "2025-26-Q1" {
		t.Errorf("early-career target = %+v, value %s", ec, show(ec.Value))
	}
}

func TestComputeChosenQuarters(t *testing.T) {
	in := windowInput(t)
	in.Quarters = []period.Quarter{qtr("2024-25-Q2"), qtr("2023-24-Q2"), qtr("2024-25-Q2")}
	res := Compute(in)
	if got := periods(res.Government.Quarters); !reflect.DeepEqual(got, []string{"2023-24-Q2", "2024-25-Q2"}) {
		t.Fatalf("series %v: want the chosen quarters, sorted, once each", got)
	}
	// The running sum still counts the quarters the series leaves out.
	if c := res.Government.Quarters[1].EarlyCareerEntrantsCumulative; c == nil || *c != 800 {
		t.Errorf("cumulative at 2024-25-Q2 = %s, want 800", cum(c))
	}
	// Targets are judged on every quarter, not only the chosen ones.
	if v := res.Targets[1].Value; !closeTo(v, f(1050)) {
		t.Errorf("early-career value = %s, want 1050", show(v))
	}
}

func TestComputeReferenceQuarter(t *testing.T) {
	in := windowInput(t)
	in.Reference = qtr("2024-25-Q1")
	res := Compute(in)
	if res.ReferenceQuarter.String() != "2024-25-Q1" || res.DataQuality.Period.String() != "2024-25-Q1" || *res.Organisations[0].Period != qtr("2024-25-Q1") {
		t.Errorf("an explicit reference quarter is not used: %s %s", res.ReferenceQuarter, res.DataQuality.Period)
	}
	if last := res.Government.Quarters[len(res.Government.Quarters)-1].Period.String(); last != "2024-25-Q1" {
		t.Errorf("series ends at %s, want the reference quarter", last)
	}
	in.Reference, in.DueDays, in.Month = period.Quarter{}, 45, month("2025-07")
	if got := Compute(in).ReferenceQuarter.String(); got != "2024-25-Q4" {
		t.Errorf("with 45 due days July 2025's reference quarter is %s, want 2024-25-Q4", got)
	}
}

func TestComputeWithoutReturns(t *testing.T) {
	in := ComputeInput{Register: []workforce.Organisation{org("A", cs, 1000), org("L", lg, 0)},
		Targets: defaultTargets(t), Month: month("2025-07"), DueDays: 30}
	res := Compute(in)
	if got := periods(res.Government.Quarters); !reflect.DeepEqual(got, []string{"2025-26-Q1"}) {
		t.Fatalf("series %v, want the reference quarter alone", got)
	}
	g := res.Government.Quarters[0]
	if g.ReturnsExpected != 2 || g.ReturnsReceived != 0 || g.DDaTShare != nil || !sameFloat(g.Coverage, f(0)) {
		t.Errorf("empty quarter: %+v", g)
	}
	if res.DataQuality.Missing != 2 || len(res.Organisations) != 2 || res.Organisations[0].Status != Missing {
		t.Errorf("rows %+v, data quality %+v", res.Organisations, res.DataQuality)
	}
	for _, s := range res.Targets {
		if s.Status == "" {
			t.Errorf("%s has no status", s.ID)
		}
	}
	if s := res.Targets[0]; s.Status != NoData || s.Value != nil || s.Period.String() != "2024-25-Q4" {
		t.Errorf("ddat-share with no figures after its deadline: %+v", s)
	}
	noNaN(t, res)

	empty := Compute(ComputeInput{Month: month("2025-07"), DueDays: 30})
	if b := noNaN(t, empty); !strings.Contains(string(b), `"organisations":[]`) || !strings.Contains(string(b), `"findings":[]`) {
		t.Errorf("an empty result should show empty lists, not null: %s", b)
	}
}

// The same inputs in any order give the same bytes.
func TestComputeIsDeterministic(t *testing.T) {
	in := syntheticInput(40, 6)
	first, _ := json.Marshal(Compute(in))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5 {
		shuffled := in
		shuffled.Returns = append([]Input(nil), in.Returns...)
		shuffled.Register = append([]workforce.Organisation(nil), in.Register...)
		rng.Shuffle(len(shuffled.Returns), func(i, j int) { shuffled.Returns[i], shuffled.Returns[j] = shuffled.Returns[j], shuffled.Returns[i] })
		rng.Shuffle(len(shuffled.Register), func(i, j int) {
			shuffled.Register[i], shuffled.Register[j] = shuffled.Register[j], shuffled.Register[i]
		})
		again, _ := json.Marshal(Compute(shuffled))
		if !bytes.Equal(first, again) {
			t.Fatalf("shuffle %d changed the result", i)
		}
	}
}

// A snapshot is stored as JSON and read back by the API: nothing may be lost.
func TestResultJSONRoundTrip(t *testing.T) {
	res := Compute(syntheticInput(12, 5))
	b := noNaN(t, res)
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	if !bytes.Equal(b, again) {
		t.Errorf("round trip changed the JSON:\n%s\n%s", b, again)
	}
	for _, key := range []string{`"month":"2025-10"`, `"reference_quarter":"2025-26-Q2"`, `"government":{"quarters":[{"period":"2024-25-Q2"`,
		`"returns_expected":12`, `"coverage":`, `"ddat_share":`, `"entrants_by_route":{`, `"targets":[{"id":"ddat-share"`, `"status":"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

// syntheticInput is orgs organisations (a tenth of them councils) over the quarters up to
// 2025-26-Q2, some of them silent, some revised, some late.
func syntheticInput(orgs, quarters int) ComputeInput {
	last := qtr("2025-26-Q2")
	first := last.Add(1 - quarters)
	set, err := targets.Default()
	if err != nil {
		panic(err)
	}
	in := ComputeInput{Targets: set, Month: month("2025-10"), DueDays: 30}
	for i := range orgs {
		kind := cs
		if i%10 == 9 {
			kind = lg
		}
		code := fmt.Sprintf("ORG%04d", i)
		in.Register = append(in.Register, org(code, kind, int64(500+i*37%4000)))
		for k, p := range period.Range(first, last) {
			if (i+k)%11 == 0 {
				continue // a silent quarter
			}
			hc := int64(400 + (i*97+k*13)%5000)
			ddat := hc * int64(3+(i+k)%6) / 100
			yes := []string{"no", "yes"}
			var r Input
			if kind == lg {
				r = ret(code, lg, p.String())
			} else {
				r = csRet(code, p.String(), hc, ddat,
					workforce.KeyFTE, fmt.Sprintf("%d.50", hc-10), workforce.KeyProfessionUnknown, hc/20, workforce.KeyDDaTFTE, fmt.Sprintf("%d.25", ddat-1),
					"ddat_family_data", ddat/2, "ddat_family_software_development", ddat-ddat/2,
					"ddat_grade_heo_seo", ddat/3, "ddat_grade_g7_g6", ddat-ddat/3,
					workforce.KeyEntrantsTotal, 9, "entrants_apprenticeship", (i+k)%4, "entrants_fast_stream", (i*k)%3)
			}
			r.Values[workforce.KeyExecDigitalLeader] = yes[(i+k/3)%2]
			r.Values[workforce.KeyBoardDigitalNED] = yes[(i/2+k)%2]
			r.Values[workforce.KeySeniorAppointments] = fmt.Sprint((i + k) % 3)
			r.Values[workforce.KeySeniorAppointmentsAssessed] = fmt.Sprint((i + k) % 2)
			r.Values[workforce.KeyDigitalSeniorRoles] = "3"
			r.Values[workforce.KeyDigitalSeniorRolesSuccessor] = fmt.Sprint((i + k) % 4)
			r.Values[workforce.KeyCSLGMembers] = "4"
			r.Values[workforce.KeyCSLGMembersAIImmersion] = fmt.Sprint(min(4, k%5))
			if (i+k)%7 == 0 {
				r.Version = 2
				r.FirstReceivedAt = r.ReceivedAt
				r.ReceivedAt = r.ReceivedAt.AddDate(0, 0, 40)
				r.WarningCodes = []string{"headcount_change"}
			}
			if (i+k)%13 == 0 {
				r.ReceivedAt = r.ReceivedAt.AddDate(0, 0, 60)
			}
			in.Returns = append(in.Returns, r)
		}
	}
	return in
}

func BenchmarkCompute500x12(b *testing.B) {
	in := syntheticInput(500, 12)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := Compute(in)
		if len(res.Organisations) != 500 || len(res.Government.Quarters) != 12 {
			b.Fatalf("%d rows, %d quarters", len(res.Organisations), len(res.Government.Quarters))
		}
	}
}
