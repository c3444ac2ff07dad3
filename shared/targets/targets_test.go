package targets

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func TestDefaultHasTheSevenCommitments(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if set.Version == "" {
		t.Error("the embedded file has no version")
	}
	var ids []string
	for _, tg := range set.Targets {
		ids = append(ids, tg.ID)
	}
	want := []string{"ddat-share", "early-career-entrants", "exec-digital-leader", "board-digital-ned",
		"senior-appointments-assessed", "succession-plans", "cslg-ai-immersion"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
}

// The figures of SPEC §1, so that an edit to the file that changes a commitment is seen.
func TestDefaultMatchesTheSpec(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	win := func(from, to string) *Window {
		return &Window{From: period.MustQuarter(from), To: period.MustQuarter(to)}
	}
	cs := []workforce.OrgKind{workforce.CivilService}
	both := []workforce.OrgKind{workforce.CivilService, workforce.LocalGovernment}
	for _, tc := range []struct {
		id         string
		measure    Measure
		comparison Comparison
		threshold  float64
		deadline   time.Time
		window     *Window
		from       time.Time
		kinds      []workforce.OrgKind
	}{
		{"ddat-share", DDaTShare, AtLeast, 0.06, day("2025-03-31"), nil, time.Time{}, cs},
		{"early-career-entrants", EarlyCareerEntrants, AtLeast, 2500, time.Time{}, win("2023-24-Q1", "2025-26-Q1"), time.Time{}, cs},
		{"exec-digital-leader", ExecDigitalLeaderShare, Equals, 1, day("2026-12-31"), nil, time.Time{}, both},
		{"board-digital-ned", BoardDigitalNEDShare, Equals, 1, day("2026-12-31"), nil, time.Time{}, both},
		{"senior-appointments-assessed", SeniorAppointmentsAssessed, Equals, 1, time.Time{}, nil, day("2026-04-01"), cs},
		{"succession-plans", SuccessionPlanShare, Equals, 1, day("2025-07-31"), nil, time.Time{}, cs},
		{"cslg-ai-immersion", CSLGAIImmersionShare, Equals, 1, day("2026-03-31"), nil, time.Time{}, cs},
	} {
		tg, ok := set.ByID(tc.id)
		if !ok {
			t.Errorf("%s: missing", tc.id)
			continue
		}
		if tg.Measure != tc.measure || tg.Comparison != tc.comparison || tg.Threshold != tc.threshold ||
			!tg.Deadline.Equal(tc.deadline) || !reflect.DeepEqual(tg.Window, tc.window) || !tg.From.Equal(tc.from) ||
			!reflect.DeepEqual(tg.Kinds, tc.kinds) {
			t.Errorf("%s = %+v", tc.id, tg)
		}
		if tg.Title == "" || tg.Commitment == "" || tg.Source == "" {
			t.Errorf("%s: title, commitment and source must all be given", tc.id)
		}
		if tg.Unit != tc.measure.Unit() {
			t.Errorf("%s: unit %q", tc.id, tg.Unit)
		}
		// Every date the source does not give is said to be ours; so is a missing quotation.
		if tg.Assumed == "" {
			t.Errorf("%s: no assumed text, but every target here has a date or words that are ours", tc.id)
		}
		if tg.Quote == "" && !strings.Contains(tg.Assumed, "could not find the words") {
			t.Errorf("%s: no quotation, and assumed does not say the words could not be found: %q", tc.id, tg.Assumed)
		}
	}
}

// A successor target is a new entry in the file: no Go changes.
func TestSuccessorTargetNeedsNoCode(t *testing.T) {
	data, err := os.ReadFile("testdata/successor.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	tg, ok := set.ByID("ddat-share-one-in-ten")
	if !ok {
		t.Fatal("successor target not loaded")
	}
	if tg.Measure != DDaTShare || tg.Threshold != 0.10 || tg.Deadline.Format(time.DateOnly) != "2030-03-31" {
		t.Errorf("successor = %+v", tg)
	}
	if end, _ := tg.End(); end.String() != "2029-30-Q4" {
		t.Errorf("End = %s, want 2029-30-Q4", end)
	}
	if len(set.Targets) != 8 || set.Version != "2027-04-01.1" {
		t.Errorf("got %d targets, version %q", len(set.Targets), set.Version)
	}
}

func TestMarshalRoundTrips(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Load(b)
	if err != nil {
		t.Fatalf("Load(Marshal(Default())): %v\n%s", err, b)
	}
	if !reflect.DeepEqual(set, again) {
		t.Errorf("round trip changed the set:\n%+v\n%+v", set, again)
	}
	if !strings.Contains(string(b), `"deadline":"2025-03-31"`) || !strings.Contains(string(b), `"window":{"from":"2023-24-Q1","to":"2025-26-Q1"}`) {
		t.Errorf("marshalled form is not the file form: %s", b)
	}
}

func TestStartAndEnd(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, tc := range []struct {
		name       string
		t          Target
		start, end string // "" when there is none
	}{
		{"deadline at a quarter end", Target{Deadline: day("2025-03-31")}, "", "2024-25-Q4"},
		{"deadline inside a quarter", Target{Deadline: day("2025-07-31")}, "", "2025-26-Q1"},
		{"window", Target{Window: &Window{period.MustQuarter("2023-24-Q1"), period.MustQuarter("2025-26-Q1")}}, "2023-24-Q1", "2025-26-Q1"},
		{"from at a quarter start", Target{From: day("2026-04-01")}, "2026-27-Q1", ""},
		{"from inside a quarter", Target{From: day("2026-05-15")}, "2026-27-Q2", ""},
	} {
		s, okS := tc.t.Start()
		e, okE := tc.t.End()
		gotS, gotE := "", ""
		if okS {
			gotS = s.String()
		}
		if okE {
			gotE = e.String()
		}
		if gotS != tc.start || gotE != tc.end {
			t.Errorf("%s: start %q end %q, want %q %q", tc.name, gotS, gotE, tc.start, tc.end)
		}
	}
}

// tenth is a variable so that tenth*3 is computed in floating point, not as an exact constant.
var tenth = 0.1

func TestComparison(t *testing.T) {
	for _, tc := range []struct {
		c         Comparison
		v, thr    float64
		wantMet   bool
		situation string
	}{
		{AtLeast, 0.06, 0.06, true, "exactly the threshold"},
		{AtLeast, 0.0599, 0.06, false, "just under"},
		{AtLeast, 2600, 2500, true, "over"},
		{Equals, 7.0 / 7, 1, true, "every organisation"},
		{Equals, tenth * 3, 0.3, true, "floating-point noise (0.30000000000000004)"},
		{Equals, 6.0 / 7.0, 1, false, "all but one"},
		{Comparison("more"), 1, 0, false, "unknown comparison"},
	} {
		if got := tc.c.Met(tc.v, tc.thr); got != tc.wantMet {
			t.Errorf("%s: %s.Met(%v, %v) = %v", tc.situation, tc.c, tc.v, tc.thr, got)
		}
	}
}

// valid is a well-formed target; each case below breaks one thing.
const valid = `{"id": "ddat-share", "title": "DDaT share", "measure": "ddat_share", "unit": "share", "comparison": "at_least",
  "threshold": 0.06, "deadline": "2025-03-31", "kinds": ["civil_service"], "commitment": "6%", "source": "roadmap",
  "quote": "at least 6%"}`

func fileWith(targets ...string) []byte {
	return []byte(`{"version": "1", "targets": [` + strings.Join(targets, ",") + `]}`)
}

// with replaces one property of the valid target (or removes it when value is "").
func with(key, value string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(valid), &m); err != nil {
		panic(err)
	}
	if value == "" {
		delete(m, key)
	} else {
		m[key] = json.RawMessage(value)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestLoadRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		want []string // each must appear in the error
	}{
		{"not JSON", []byte(`targets:`), []string{"not a targets file"}},
		{"unknown top-level property", []byte(`{"version": "1", "targetz": []}`), []string{"targetz"}},
		{"no version", []byte(`{"targets": [` + valid + `]}`), []string{`"version" is missing`}},
		{"no targets", []byte(`{"version": "1", "targets": []}`), []string{"no targets"}},
		{"unknown property", fileWith(with("aaa_threshold", "1")), []string{`target "ddat-share"`, "aaa_threshold"}},
		{"missing id", fileWith(with("id", "")), []string{"target 1: id is missing"}},
		{"bad id", fileWith(with("id", `"DDaT Share"`)), []string{`target "DDaT Share": id "DDaT Share" must be lower-case`}},
		{"duplicate id", fileWith(valid, valid), []string{`target "ddat-share": id is used twice (targets 1 and 2)`}},
		{"missing title", fileWith(with("title", "")), []string{`target "ddat-share": title is missing`}},
		{"missing commitment", fileWith(with("commitment", `"  "`)), []string{"commitment is missing"}},
		{"missing source", fileWith(with("source", "")), []string{"source is missing"}},
		{"missing unit", fileWith(with("unit", "")), []string{`target "ddat-share": unit is missing`}},
		{"unknown unit", fileWith(with("unit", `"percent"`)), []string{`unit "percent" must be share or count`}},
		{"unit that does not fit the measure", fileWith(with("unit", `"count"`)), []string{`unit "count" does not fit ddat_share, which is a share`}},
		{"neither quote nor assumed", fileWith(with("quote", "")), []string{"quote is missing"}},
		{"url that is not https", fileWith(with("url", `"www.gov.uk"`)), []string{`url "www.gov.uk" must be an https:// address`}},
		{"unknown measure", fileWith(with("measure", `"digital_share"`)), []string{`target "ddat-share": measure "digital_share" is not one the metrics know`}},
		{"bad comparison", fileWith(with("comparison", `">="`)), []string{`comparison ">=" must be at_least or equals`}},
		{"missing threshold", fileWith(with("threshold", "")), []string{"threshold is missing"}},
		{"share threshold over 1", fileWith(with("threshold", "6")), []string{"threshold 6 must be between 0 and 1"}},
		{"share threshold negative", fileWith(with("threshold", "-0.1")), []string{"threshold -0.1 must be between 0 and 1"}},
		{"both deadline and window", fileWith(with("window", `{"from": "2023-24-Q1", "to": "2025-26-Q1"}`)), []string{"give only one of deadline, window or from (deadline and window)"}},
		{"deadline and from", fileWith(with("from", `"2026-04-01"`)), []string{"(deadline and from)"}},
		{"none of deadline, window, from", fileWith(with("deadline", "")), []string{"give one of deadline, window or from"}},
		{"bad deadline", fileWith(with("deadline", `"31/03/2025"`)), []string{`deadline "31/03/2025" must be a date`}},
		{"impossible deadline", fileWith(with("deadline", `"2025-02-30"`)), []string{`deadline "2025-02-30"`}},
		{"kinds missing", fileWith(with("kinds", "")), []string{"kinds is missing"}},
		{"unknown kind", fileWith(with("kinds", `["civil_service", "nhs"]`)), []string{`kind "nhs" must be civil_service or local_government`}},
		{"kind twice", fileWith(with("kinds", `["civil_service", "civil_service"]`)), []string{`kind "civil_service" is listed twice`}},
		{"workforce measure for local government", fileWith(with("kinds", `["civil_service", "local_government"]`)), []string{"local_government organisations do not return the figures behind ddat_share"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.file)
			if err == nil {
				t.Fatal("accepted")
			}
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Errorf("error %T is not an *InvalidError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// Cases that need more than one property changed.
func TestLoadRejectsWindowsAndCounts(t *testing.T) {
	entrants := func(extra map[string]string) string {
		s := strings.Replace(with("measure", `"early_career_entrants_cumulative"`), `"unit":"share"`, `"unit":"count"`, 1)
		s = strings.Replace(s, `"threshold":0.06`, `"threshold":2500`, 1)
		var m map[string]json.RawMessage
		_ = json.Unmarshal([]byte(s), &m)
		delete(m, "deadline")
		for k, v := range extra {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = json.RawMessage(v)
			}
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	okWindow := `{"from": "2023-24-Q1", "to": "2025-26-Q1"}`
	if _, err := Load(fileWith(entrants(map[string]string{"window": okWindow}))); err != nil {
		t.Fatalf("the base case must load: %v", err)
	}
	for _, tc := range []struct {
		name  string
		extra map[string]string
		want  string
	}{
		{"fractional count threshold", map[string]string{"window": okWindow, "threshold": "2500.5"}, "threshold 2500.5 must be a whole number"},
		{"negative count threshold", map[string]string{"window": okWindow, "threshold": "-1"}, "threshold -1 must be a whole number of at least 0"},
		{"count with a deadline", map[string]string{"deadline": `"2025-06-30"`}, "needs a window or a from date"},
		{"window backwards", map[string]string{"window": `{"from": "2025-26-Q1", "to": "2023-24-Q1"}`}, "window ends (2023-24-Q1) before it starts (2025-26-Q1)"},
		{"calendar quarter in window", map[string]string{"window": `{"from": "2023 Q1", "to": "2025-26-Q1"}`}, "window from:"},
		{"bad window end", map[string]string{"window": `{"from": "2023-24-Q1", "to": "2025-26-Q5"}`}, "window to:"},
		{"bad from date", map[string]string{"from": `"April 2026"`}, `from "April 2026" must be a date`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(fileWith(entrants(tc.extra)))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `target "ddat-share"`) {
				t.Errorf("error %q does not name the target and contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load(fileWith(with("measure", `"nope"`), strings.Replace(with("comparison", `"more"`), `"ddat-share"`, `"other"`, 1)))
	var ie *InvalidError
	if !errors.As(err, &ie) || len(ie.Problems) != 2 {
		t.Fatalf("want two problems, got %v", err)
	}
	if !strings.HasPrefix(ie.Problems[0], `target "ddat-share": measure "nope"`) || !strings.HasPrefix(ie.Problems[1], `target "other": comparison "more"`) {
		t.Errorf("problems = %q", ie.Problems)
	}
}

// The successor file is the real targets file with one target added, so the successor
// tests elsewhere exercise the commitments as they are, not an old copy of them.
func TestSuccessorFileIsTheTargetsFilePlusOne(t *testing.T) {
	data, err := os.ReadFile("testdata/successor.json")
	if err != nil {
		t.Fatal(err)
	}
	succ, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(succ.Targets) != len(def.Targets)+1 || !reflect.DeepEqual(succ.Targets[:len(def.Targets)], def.Targets) {
		t.Errorf("testdata/successor.json is not targets.json plus one target; rebuild it from targets.json")
	}
}

func TestAssumedMayStandForAMissingQuote(t *testing.T) {
	if _, err := Load(fileWith(with("quote", ""), strings.Replace(with("quote", ""), `"source":"roadmap"`, `"source":"roadmap","assumed":"We could not find the words."`, 1))); err == nil || strings.Count(err.Error(), "quote is missing") != 1 {
		t.Errorf("want exactly one target refused for want of a quote, got %v", err)
	}
}
