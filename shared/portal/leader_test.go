package portal

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// leadAPI is a stand-in for the JSON API for the leaders' and administrators' pages. Who
// is let in is decided as the real API decides it, by the policy of the route in
// httpapi.Routes, for the principal the token names ("token-<roles>-<org>", as as()
// makes them); each route a test gives then answers as the real handler does, with JSON
// built from the API's own types.
type leadAPI struct {
	answers map[string]http.HandlerFunc // by route key, "GET /rollups/{month}"
	bodies  []string                    // the bodies of the requests, in order
}

func newLeadAPI() *leadAPI { return &leadAPI{answers: map[string]http.HandlerFunc{}} }

func (a *leadAPI) on(key string, h http.HandlerFunc) *leadAPI {
	a.answers[key] = h
	return a
}

// leadPrincipal reads a test token back into the principal it names.
func leadPrincipal(token string) (workforce.Principal, bool) {
	rest, ok := strings.CutPrefix(token, "token-")
	if !ok {
		return workforce.Principal{}, false
	}
	parts := strings.Split(rest, "-")
	return workforce.Principal{Subject: "test", Org: parts[len(parts)-1], Roles: parts[:len(parts)-1]}, true
}

// leadRoute finds the route of the routes table that serves method and path, and sets
// the request's path values from it.
func leadRoute(r *http.Request) (httpapi.Route, bool) {
	got := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for _, rt := range httpapi.Routes {
		want := strings.Split(strings.Trim(rt.Path, "/"), "/")
		if rt.Method != r.Method || len(want) != len(got) {
			continue
		}
		match := true
		for i := range want {
			if strings.HasPrefix(want[i], "{") {
				r.SetPathValue(strings.Trim(want[i], "{}"), got[i])
			} else if want[i] != got[i] {
				match = false
			}
		}
		if match {
			return rt, true
		}
	}
	return httpapi.Route{}, false
}

func (a *leadAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.bodies = append(a.bodies, string(body))
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	p, ok := leadPrincipal(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if !ok {
		leadProblem(w, http.StatusUnauthorized, workforce.EUnauthorized, "Sign in.")
		return
	}
	rt, ok := leadRoute(r)
	if !ok {
		leadProblem(w, http.StatusNotFound, workforce.ENotFound, "No such route.")
		return
	}
	if !rt.Policy.Admits(p) {
		leadProblem(w, http.StatusForbidden, workforce.EForbidden, "Your roles do not allow this.")
		return
	}
	h, ok := a.answers[rt.Key()]
	if !ok {
		leadProblem(w, http.StatusNotFound, workforce.ENotFound, "Nothing here.")
		return
	}
	h(w, r)
}

func leadJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// leadProblem answers as the API's errorResponse does.
func leadProblem(w http.ResponseWriter, status int, code, detail string, errs ...workforce.Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(httpapi.Problem{Type: "urn:ddat-returns:problem:" + code, Title: http.StatusText(status),
		Status: status, Detail: detail, Code: code, Errors: errs})
}

func leadValue(v float64) *float64 { return &v }
func leadCount(v int64) *int64     { return &v }

var (
	leadQ2 = period.MustQuarter("2026-27-Q2")
	leadQ1 = period.MustQuarter("2026-27-Q1")
)

// leadTargets are target statuses as metrics.Evaluate makes them, one in each status.
func leadTargets() []metrics.TargetStatus {
	deadlineQ := period.MustQuarter("2024-25-Q4")
	latest := leadQ2
	return []metrics.TargetStatus{
		{ID: "ddat-share", Title: "DDaT share of the Civil Service", Measure: targets.DDaTShare, Unit: targets.UnitShare,
			Comparison: targets.AtLeast, Threshold: 0.06, Deadline: "2025-03-31", Value: leadValue(0.0588), Period: deadlineQ,
			JudgedAt: metrics.AtDeadlineQuarter, LatestValue: leadValue(0.0612), LatestPeriod: &latest, Status: metrics.Missed,
			Commitment: "At least 6% of the overall Civil Service workforce are members of the DDaT profession.",
			Note:       "Missed at 2024-25-Q4, the deadline quarter for 31 March 2025 (returns due 30 April 2025)."},
		{ID: "early-career-entrants", Title: "Early-career entrants to DDaT", Measure: targets.EarlyCareerEntrants, Unit: targets.UnitCount,
			Comparison: targets.AtLeast, Threshold: 2500, WindowStart: "2023-24-Q1", WindowEnd: "2025-26-Q1", Value: leadValue(2710),
			Period: period.MustQuarter("2025-26-Q1"), JudgedAt: metrics.AtWindowEnd, Status: metrics.Met},
		{ID: "exec-digital-leader", Title: "Digital leader on every executive committee", Measure: targets.ExecDigitalLeaderShare,
			Unit: targets.UnitShare, Comparison: targets.Equals, Threshold: 1, Deadline: "2026-12-31", Value: leadValue(0.9),
			Period: leadQ2, JudgedAt: metrics.AtReferenceQuarter, OrganisationsAnswered: 38, OrganisationsExpected: 40,
			Status: metrics.OnTrack, Projection: leadValue(1), EndQuarter: "2026-27-Q3", Note: "Projected 100.0% by 2026-27-Q3."},
		{ID: "board-digital-ned", Title: "Digital non-executive director on every board", Measure: targets.BoardDigitalNEDShare,
			Unit: targets.UnitShare, Comparison: targets.Equals, Threshold: 1, Deadline: "2026-12-31", Value: leadValue(0.5),
			Period: leadQ2, JudgedAt: metrics.AtReferenceQuarter, OrganisationsAnswered: 38, OrganisationsExpected: 40,
			Status: metrics.OffTrack, Projection: leadValue(0.7), EndQuarter: "2026-27-Q3"},
		{ID: "senior-appointments-assessed", Title: "Senior appointments assessed on digital skills", Measure: targets.SeniorAppointmentsAssessed,
			Unit: targets.UnitShare, Comparison: targets.Equals, Threshold: 1, From: "2027-04-01", Period: leadQ2,
			JudgedAt: metrics.AtReferenceQuarter, Status: metrics.NotStarted, Note: "Measured from 1 April 2027."},
		{ID: "cslg-ai-immersion", Title: "AI immersion for the Civil Service Leadership Group", Measure: targets.CSLGAIImmersionShare,
			Unit: targets.UnitShare, Comparison: targets.Equals, Threshold: 1, Deadline: "2027-03-31", Period: leadQ2,
			JudgedAt: metrics.AtReferenceQuarter, Status: metrics.NoData, Note: "Nothing to judge at 2026-27-Q2: no organisation has answered."},
	}
}

// leadSeriesQuarters is the government series from 2024-25 Q4 to 2026-27 Q2; the
// entrants' window ends in 2025-26 Q1, so only its first two quarters carry the sum.
func leadSeriesQuarters() []metrics.Quarter {
	shares := []float64{0.0588, 0.0595, 0.0601, 0.0604, 0.0609, 0.0610, 0.0612}
	var qs []metrics.Quarter
	for i, s := range shares {
		q := metrics.Quarter{Period: period.MustQuarter("2024-25-Q4").Add(i), ReturnsExpected: 40, ReturnsReceived: 38,
			Headcount: 500000, DDaTHeadcount: int64(s * 500000), DDaTShare: leadValue(s), Coverage: leadValue(0.97),
			EarlyCareerEntrants: 300}
		if i < 2 {
			q.EarlyCareerEntrantsCumulative = leadCount(int64(2410 + 300*i))
		}
		qs = append(qs, q)
	}
	return qs
}

func leadSnapshot(month string, revision int) rollup.Snapshot {
	return rollup.Snapshot{
		Result: metrics.Result{Month: month, ReferenceQuarter: leadQ2, TargetsVersion: "2026-12-01.1",
			Government: metrics.Government{Quarters: leadSeriesQuarters()}, Organisations: []metrics.OrgRow{},
			Targets: leadTargets(), DataQuality: metrics.DataQuality{Period: leadQ2, Expected: 40, Received: 38, Missing: 2}},
		Revision: revision, InputsFingerprint: "f00d", Inputs: []rollup.InputRef{{Org: "HMRC", Period: "2026-27-Q2", Version: 1, SHA256: "ab"}},
		CreatedAt: time.Date(2026, 12, 1, 6, 0, 3, 0, time.UTC), Trigger: "schedule", Reports: leadReports(month, revision),
	}
}

func leadReports(month string, revision int) []rollup.Report {
	var reps []rollup.Report
	for _, ed := range rollup.Editions {
		for _, f := range rollup.Formats {
			reps = append(reps, rollup.Report{Edition: ed, Format: f, Key: fmt.Sprintf("reports/%s/r%04d/%s.%s", month, revision, ed, f),
				SHA256: "cafe", Bytes: 48_213})
		}
	}
	return reps
}

func leadRecord(s rollup.Snapshot) rollup.Record {
	return rollup.Record{Month: s.Month, Revision: s.Revision, ReferenceQuarter: s.ReferenceQuarter.String(),
		InputsFingerprint: s.InputsFingerprint, CreatedAt: s.CreatedAt, Trigger: s.Trigger, Reports: s.Reports}
}

// leadRollups answers GET /rollups and GET /rollups/{month} from snapshots, newest first.
func (a *leadAPI) withRollups(snaps ...rollup.Snapshot) *leadAPI {
	a.on("GET /rollups", func(w http.ResponseWriter, r *http.Request) {
		recs := []rollup.Record{}
		for _, s := range snaps {
			recs = append(recs, leadRecord(s))
		}
		leadJSON(w, http.StatusOK, map[string]any{"rollups": recs})
	})
	a.on("GET /rollups/{month}", func(w http.ResponseWriter, r *http.Request) {
		for _, s := range snaps {
			if s.Month == r.PathValue("month") {
				leadJSON(w, http.StatusOK, s)
				return
			}
		}
		leadProblem(w, http.StatusNotFound, workforce.ENotFound, r.PathValue("month")+" has not been rolled up yet.")
	})
	return a
}

// The collection's answer, as httpapi's collectionView writes it.
type leadTestCollection struct {
	Period   string    `json:"period"`
	AsOf     time.Time `json:"as_of"`
	Schedule struct {
		Period    string `json:"period"`
		Opens     string `json:"opens"`
		Due       string `json:"due"`
		Reminders []struct {
			Stage collection.Stage `json:"stage"`
			Date  string           `json:"date"`
		} `json:"reminders"`
	} `json:"schedule"`
	Organisations []leadTestCollectionOrg `json:"organisations"`
}

type leadTestCollectionOrg struct {
	collection.OrgState
	Reminders []leadTestReminder `json:"reminders"`
}

type leadTestReminder struct {
	Stage     collection.Stage        `json:"stage"`
	Date      string                  `json:"date"`
	Status    collection.RecordStatus `json:"status"`
	Messages  int                     `json:"messages"`
	ClaimedAt time.Time               `json:"claimed_at"`
}

// leadStates are the organisations expected for 2026-27 Q2, one in each state.
func leadStates() []leadTestCollectionOrg {
	sent := func(org, name string, kind workforce.OrgKind, st collection.State, version int, at time.Time) leadTestCollectionOrg {
		return leadTestCollectionOrg{OrgState: collection.OrgState{Org: org, Name: name, Kind: kind, State: st, Version: version, SentAt: &at},
			Reminders: []leadTestReminder{}}
	}
	none := func(org, name string, kind workforce.OrgKind, st collection.State, reminders ...leadTestReminder) leadTestCollectionOrg {
		if reminders == nil {
			reminders = []leadTestReminder{}
		}
		return leadTestCollectionOrg{OrgState: collection.OrgState{Org: org, Name: name, Kind: kind, State: st}, Reminders: reminders}
	}
	return []leadTestCollectionOrg{
		sent("DWP", "Department for Work and Pensions", workforce.CivilService, collection.Sent, 1, time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)),
		sent("HMRC", "HM Revenue and Customs", workforce.CivilService, collection.Sent, 2, time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)),
		none("KENT", "Kent County Council", workforce.LocalGovernment, collection.Overdue,
			leadTestReminder{Stage: collection.StageDueSoon, Date: "2026-10-16", Status: "sent", Messages: 2, ClaimedAt: time.Date(2026, 10, 16, 7, 0, 0, 0, time.UTC)},
			leadTestReminder{Stage: collection.StageOverdue, Date: "2026-11-06", Status: "sent", Messages: 2, ClaimedAt: time.Date(2026, 11, 6, 7, 0, 0, 0, time.UTC)}),
		sent("MOJ", "Ministry of Justice", workforce.CivilService, collection.Late, 1, time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)),
		none("ONS", "Office for National Statistics", workforce.CivilService, collection.Overdue),
	}
}

// withCollection answers GET /collection/{period} for any quarter, with its due date
// dueDays after its reference date, as the calendar does, and orgs for 2026-27 Q2.
func (a *leadAPI) withCollection(dueDays int, orgs []leadTestCollectionOrg) *leadAPI {
	return a.on("GET /collection/{period}", func(w http.ResponseWriter, r *http.Request) {
		q, err := period.ParseQuarter(r.PathValue("period"))
		if err != nil {
			leadProblem(w, http.StatusBadRequest, workforce.EBadRequest, "The period in the address is not a quarter.")
			return
		}
		if q.Before(period.MustQuarter("2024-25-Q1")) {
			leadProblem(w, http.StatusNotFound, workforce.ENotFound, "The collection began with 2024-25-Q1; "+q.String()+" was not collected.")
			return
		}
		var c leadTestCollection
		c.Period, c.AsOf = q.String(), testNow
		c.Schedule.Period = q.String()
		c.Schedule.Opens = q.ReferenceDate().AddDate(0, 0, 1).Format(time.DateOnly)
		c.Schedule.Due = q.Due(dueDays).Format(time.DateOnly)
		c.Organisations = []leadTestCollectionOrg{}
		if q == leadQ2 {
			c.Organisations = orgs
		}
		leadJSON(w, http.StatusOK, c)
	})
}

// withMetrics answers GET /metrics/{period} as the real handler does: refused for a
// quarter that has not ended, and the organisations' rows with their warnings.
func (a *leadAPI) withMetrics(rows []metrics.OrgRow) *leadAPI {
	return a.on("GET /metrics/{period}", func(w http.ResponseWriter, r *http.Request) {
		q, err := period.ParseQuarter(r.PathValue("period"))
		if err != nil || q.ReferenceDate().After(testNow) {
			leadProblem(w, http.StatusNotFound, workforce.ENotFound, "There are no metrics for that quarter.")
			return
		}
		res := leadSnapshot(rollup.MonthDue(q, 30).String(), 0).Result
		res.ReferenceQuarter = q
		res.Organisations = rows
		leadJSON(w, http.StatusOK, res)
	})
}

// leadCalls lists the API calls the portal made, as "METHOD /path?query", and fails the
// test unless each carried the session's token.
func (ts *testServer) leadCalls(sess *Session) []string {
	ts.t.Helper()
	var out []string
	for _, r := range ts.seen {
		if got := r.Header.Get("Authorization"); got != "Bearer "+sess.AccessToken {
			ts.t.Errorf("%s %s carried %q, not the session's token", r.Method, r.URL.Path, got)
		}
		c := r.Method + " " + r.URL.Path
		if r.URL.RawQuery != "" {
			c += "?" + r.URL.RawQuery
		}
		out = append(out, c)
	}
	return out
}

func leadWantCalls(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("API calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// leadHas fails unless the page holds every piece, in any order.
func leadHas(t *testing.T, body string, pieces ...string) {
	t.Helper()
	for _, p := range pieces {
		if !strings.Contains(body, p) {
			t.Errorf("the page lacks %q", p)
		}
	}
}

// leadHeading is the page's one h1's text.
func leadHeading(t *testing.T, body string) string {
	t.Helper()
	hs := regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`).FindAllStringSubmatch(body, -1)
	if len(hs) != 1 {
		t.Fatalf("%d h1 headings on the page", len(hs))
	}
	return strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(hs[0][1], ""))
}

// leadRow is the table row with id, as HTML.
func leadRow(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr class="govuk-table__row" id="` + regexp.QuoteMeta(id) + `">.*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row %s", id)
	}
	return m
}

func TestProgressShowsEachTargetWithItsStatusWord(t *testing.T) {
	api := newLeadAPI().withRollups(leadSnapshot("2026-11", 2), leadSnapshot("2026-10", 1))
	ts := newTestServer(t, api)
	sess := as("leader", "")
	w := ts.get(sess, BasePath+"/progress")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", w.Code, body)
	}
	if h := leadHeading(t, body); h != "Progress against the commitments" {
		t.Errorf("h1 %q", h)
	}
	leadHas(t, body, "<title>Progress against the commitments – DDaT workforce returns</title>",
		"Figures for November 2026, from the returns for its reference quarter, 2026-27 Q2 (July to September 2026).",
		"Rollup revision 2, made 1 December 2026 at 6:00am.", "38 of 40 organisations had sent their return")
	for id, want := range map[string][]string{
		"target-ddat-share": {`<strong class="govuk-tag govuk-tag--red">Missed</strong>`, "5.9%", "at 2024-25 Q4, the deadline quarter",
			"Now 6.1% (2026-27 Q2)", "At least 6%", "Deadline: 31 March 2025", "No projection"},
		"target-early-career-entrants": {`<strong class="govuk-tag govuk-tag--green">Met</strong>`, "2,710", "At least 2,500",
			"Counted from 2023-24 Q1 to 2025-26 Q1", "at 2025-26 Q1, the window&#39;s last quarter"},
		"target-exec-digital-leader": {`<strong class="govuk-tag govuk-tag--blue">On track</strong>`, "90.0%", ">100%<",
			"100.0% by 2026-27 Q3", "38 of 40 organisations answered"},
		"target-board-digital-ned":            {`<strong class="govuk-tag govuk-tag--orange">Not on track</strong>`, "50.0%", "70.0% by 2026-27 Q3"},
		"target-senior-appointments-assessed": {`<strong class="govuk-tag govuk-tag--grey">Not started</strong>`, "Measured from 1 April 2027"},
		"target-cslg-ai-immersion":            {`<strong class="govuk-tag govuk-tag--yellow">No data</strong>`, "No figure", "no organisation has answered"},
	} {
		row := leadRow(t, body, id)
		for _, p := range want {
			if !strings.Contains(row, p) {
				t.Errorf("%s lacks %q:\n%s", id, p, row)
			}
		}
	}
	// A value at the reference quarter says nothing of where it is taken.
	if strings.Contains(leadRow(t, body, "target-exec-digital-leader"), "at 2026-27 Q2") {
		t.Error("a value at the reference quarter is marked as taken elsewhere")
	}
	leadHas(t, body, `<a class="govuk-link" href="/portal/workbooks">Download the workbooks for November 2026</a>`,
		`<option value="2026-10">October 2026</option>`, `<option value="2026-11" selected>November 2026</option>`, "Show figures")
	leadWantCalls(t, ts.leadCalls(sess), "GET /rollups", "GET /rollups/2026-11")
}

func TestProgressChartsTheSeriesWithTheirTables(t *testing.T) {
	ts := newTestServer(t, newLeadAPI().withRollups(leadSnapshot("2026-11", 2)))
	body := ts.get(as("leader", ""), BasePath+"/progress").Body.String()
	leadHas(t, body,
		`<h2 class="govuk-heading-m">Government series</h2>`,
		`<h3 class="govuk-heading-s">DDaT share of the Civil Service, by quarter</h3>`,
		`role="img" aria-labelledby="chart-ddat-share-title chart-ddat-share-desc"`,
		`<title id="chart-ddat-share-title">DDaT share of the Civil Service, by quarter</title>`,
		"7 quarters from 2024-25 Q4 to 2026-27 Q2. Lowest 5.9% in 2024-25 Q4, highest 6.1% in 2026-27 Q2",
		"The dashed line is the target: at least 6%.",
		`<caption class="govuk-table__caption govuk-table__caption--s">DDaT share of the Civil Service, by quarter: the figures in the chart</caption>`,
		`<th scope="col" class="govuk-table__header govuk-table__header--numeric">DDaT share of headcount</th>`,
		`<th scope="row" class="govuk-table__header">2026-27 Q2</th>`,
		`<td class="govuk-table__cell govuk-table__cell--numeric">6.1%</td>`,
		`<td class="govuk-table__cell govuk-table__cell--numeric">30,600</td>`,
		// The entrants' chart holds the window's quarters only, against its 2,500 line.
		`<title id="chart-early-career-entrants-title">Early-career entrants to DDaT, by quarter</title>`,
		"Early-career entrants to DDaT, by quarter, 2 quarters from 2024-25 Q4 to 2025-26 Q1.",
		"The dashed line is the target: at least 2,500.",
		`<td class="govuk-table__cell govuk-table__cell--numeric">2,710</td>`)
	// The targets on other measures are not charted: their figures are in the table.
	if n := strings.Count(body, "<svg"); n != 2 {
		t.Errorf("%d charts, want 2", n)
	}
	if strings.Contains(body, "style=") {
		t.Error("the page has a style attribute, which the CSP refuses")
	}
	entrants := body[strings.Index(body, "Early-career entrants to DDaT, by quarter: the figures"):]
	if strings.Contains(entrants, "2025-26 Q2</th>") {
		t.Error("the entrants' table runs past the window")
	}
}

func TestProgressForAnotherMonth(t *testing.T) {
	api := newLeadAPI().withRollups(leadSnapshot("2026-11", 2), leadSnapshot("2026-10", 1))
	ts := newTestServer(t, api)
	sess := as("admin", "")
	w := ts.get(sess, BasePath+"/progress?month=2026-10")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Figures for October 2026") {
		t.Fatalf("status %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /rollups", "GET /rollups/2026-10")

	ts = newTestServer(t, api)
	w = ts.get(sess, BasePath+"/progress?month=2099-01")
	if w.Code != http.StatusNotFound {
		t.Errorf("a month never rolled up: %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /rollups")
}

func TestProgressBeforeAnyRollupShowsTheLiveFigures(t *testing.T) {
	api := newLeadAPI().withRollups().withCollection(30, leadStates()).withMetrics(nil)
	ts := newTestServer(t, api)
	sess := as("leader", "")
	w := ts.get(sess, BasePath+"/progress")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", w.Code, body)
	}
	leadHas(t, body, "Figures for the reference quarter, 2026-27 Q2 (July to September 2026).",
		"No monthly rollup has been run yet", `<strong class="govuk-tag govuk-tag--red">Missed</strong>`, `role="img"`)
	if strings.Contains(body, "Download the workbooks") {
		t.Error("live figures offer workbooks, which only a rollup makes")
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /rollups", "GET /collection/2026-27-Q2", "GET /metrics/2026-27-Q2")
}

// The API decides who sees the figures: a submitter's token is refused by GET /rollups,
// and the portal says so rather than showing anything.
func TestLeaderPagesAreRefusedWhenTheAPIRefuses(t *testing.T) {
	api := newLeadAPI().withRollups(leadSnapshot("2026-11", 2)).withCollection(30, leadStates()).withMetrics(nil)
	for _, target := range []string{"/progress", "/organisations", "/workbooks"} {
		ts := newTestServer(t, api)
		w := ts.get(as("submitter", "HMRC"), BasePath+target)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "You cannot see this page") {
			t.Errorf("%s as a submitter: %d", target, w.Code)
		}
		if strings.Contains(w.Body.String(), "Department for Work and Pensions") || strings.Contains(w.Body.String(), "5.9%") {
			t.Errorf("%s as a submitter shows figures", target)
		}
	}
}

func TestOrganisationsShowsEachReturnsStatus(t *testing.T) {
	rows := []metrics.OrgRow{
		{Code: "DWP", Name: "Department for Work and Pensions", Status: metrics.Submitted, Period: &leadQ2, Version: 1, Warnings: 0},
		{Code: "HMRC", Name: "HM Revenue and Customs", Status: metrics.Submitted, Period: &leadQ2, Version: 2, Warnings: 2},
		{Code: "KENT", Name: "Kent County Council", Status: metrics.CarriedForward, Period: &leadQ1, Warnings: 1},
		{Code: "MOJ", Name: "Ministry of Justice", Status: metrics.Late, Period: &leadQ2, Version: 1},
		{Code: "ONS", Name: "Office for National Statistics", Status: metrics.Missing},
	}
	api := newLeadAPI().withCollection(30, leadStates()).withMetrics(rows)
	ts := newTestServer(t, api)
	sess := as("leader", "")
	w := ts.get(sess, BasePath+"/organisations")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", w.Code, body)
	}
	if h := leadHeading(t, body); h != "Organisations" {
		t.Errorf("h1 %q", h)
	}
	leadHas(t, body, "Returns for 2026-27 Q2 (July to September 2026), due 30 October 2026.",
		"3 of 5 organisations have sent their return (1 late, 1 with warnings) and 2 have not",
		`<caption class="govuk-table__caption govuk-table__caption--m">Organisations and their returns for 2026-27 Q2 (July to September 2026)</caption>`)
	for id, want := range map[string][]string{
		"org-DWP":  {`<strong class="govuk-tag govuk-tag--green">Received</strong>`, "Version 1, first sent 12 October 2026", "Civil service"},
		"org-HMRC": {`<strong class="govuk-tag govuk-tag--yellow">Received, with warnings</strong>`, "Version 2", `numeric">2</td>`},
		"org-MOJ":  {`<strong class="govuk-tag govuk-tag--orange">Received late</strong>`},
		// An earlier quarter's warnings are not this quarter's.
		"org-KENT": {`<strong class="govuk-tag govuk-tag--red">Overdue</strong>`, "Was due 30 October 2026", "Local government", `numeric">0</td>`},
		"org-ONS":  {`<strong class="govuk-tag govuk-tag--red">Overdue</strong>`},
	} {
		row := leadRow(t, body, id)
		for _, p := range want {
			if !strings.Contains(row, p) {
				t.Errorf("%s lacks %q:\n%s", id, p, row)
			}
		}
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /collection/2026-27-Q2", "GET /metrics/2026-27-Q2")
}

func TestOrganisationsForAQuarterAskedFor(t *testing.T) {
	api := newLeadAPI().withCollection(30, leadStates()).withMetrics(nil)
	sess := as("leader", "")

	ts := newTestServer(t, api)
	w := ts.get(sess, BasePath+"/organisations?period=2026%2F27+Q1")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Returns for 2026-27 Q1 (April to June 2026), due 30 July 2026.") {
		t.Fatalf("a quarter typed as 2026/27 Q1: %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /collection/2026-27-Q1", "GET /metrics/2026-27-Q1")

	// A quarter that has not ended has a collection but no figures yet.
	ts = newTestServer(t, api)
	if w := ts.get(sess, BasePath+"/organisations?period=2026-27-Q4"); w.Code != http.StatusOK {
		t.Fatalf("a quarter not ended: %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /collection/2026-27-Q4")

	// An ambiguous quarter is the user's mistake: the field says so and the API is not asked.
	ts = newTestServer(t, api)
	w = ts.get(sess, BasePath+"/organisations?period=2026+Q1")
	body := w.Body.String()
	if w.Code != http.StatusBadRequest {
		t.Fatalf("an ambiguous quarter: %d", w.Code)
	}
	leadHas(t, body, "<title>Error: Organisations – DDaT workforce returns</title>", "There is a problem",
		`<a href="#period">Enter a quarter like 2026-27 Q2`, `govuk-form-group govuk-form-group--error`,
		`<p id="period-error" class="govuk-error-message">`, `aria-describedby="period-hint period-error"`, `value="2026 Q1"`)
	leadWantCalls(t, ts.leadCalls(sess))

	// A quarter before the collection: the API's word, beside the field.
	ts = newTestServer(t, api)
	w = ts.get(sess, BasePath+"/organisations?period=2019-20-Q1")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "There are no returns for 2019-20 Q1: The collection began with 2024-25-Q1") {
		t.Errorf("a quarter before the collection: %d\n%s", w.Code, w.Body.String())
	}
}

// The reference quarter is picked as the rollup picks it, from the API's due dates,
// whatever DUE_DAYS is.
func TestReferenceQuarterFollowsTheAPIsDueDates(t *testing.T) {
	month := period.MonthOf(testNow)
	for _, dueDays := range []int{0, 30, 45, 100, 200} {
		want := period.ReferenceQuarter(month, dueDays)
		ts := newTestServer(t, newLeadAPI().withCollection(dueDays, leadStates()))
		sess := as("admin", "")
		got, c, err := ts.leadReferenceQuarter(ts.ctx(), sess)
		if err != nil || got != want || c.Period != want.String() {
			t.Errorf("DUE_DAYS %d: %v (collection of %s) %v, want %v", dueDays, got, c.Period, err, want)
		}
		if n := len(ts.seen); n > 2 {
			t.Errorf("DUE_DAYS %d: %d calls to find it", dueDays, n)
		}
	}
}

func TestStatusWordsAreWordsForEveryStatus(t *testing.T) {
	for _, st := range []metrics.Progress{metrics.Met, metrics.OnTrack, metrics.OffTrack, metrics.Missed, metrics.NotStarted, metrics.NoData} {
		tag, ok := leadStatusTags[string(st)]
		if !ok || tag.Text == "" || !strings.HasPrefix(tag.Class, "govuk-tag--") {
			t.Errorf("status %s has no word: %+v", st, tag)
		}
	}
	if got := leadStatusTag("under_review"); got.Text != "Under review" {
		t.Errorf("an unknown status reads %q", got.Text)
	}
}

// --- Workbooks ---------------------------------------------------------------------------

func TestWorkbooksListsEveryEditionAndFormat(t *testing.T) {
	old := leadSnapshot("2026-10", 1)
	old.Reports = []rollup.Report{{Edition: "management", Key: "k1", Bytes: 1000}, {Edition: "published", Key: "k2", Bytes: 2 << 20}}
	ts := newTestServer(t, newLeadAPI().withRollups(leadSnapshot("2026-11", 2), old))
	sess := as("leader", "")
	w := ts.get(sess, BasePath+"/workbooks")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if h := leadHeading(t, body); h != "Workbooks" {
		t.Errorf("h1 %q", h)
	}
	leadHas(t, body,
		`<h2 class="govuk-heading-m">November 2026</h2>`, "Revision 2, made 1 December 2026.",
		"reference quarter, 2026-27 Q2 (July to September 2026)",
		`<a class="govuk-link" href="/portal/workbooks/2026-11?edition=published&amp;format=xlsx&amp;revision=2">Published edition, XLSX (spreadsheet)<span class="govuk-visually-hidden">, November 2026</span></a> (47 KB)`,
		`href="/portal/workbooks/2026-11?edition=published&amp;format=ods&amp;revision=2">Published edition, ODS (OpenDocument spreadsheet)<span`,
		`href="/portal/workbooks/2026-11?edition=management&amp;format=xlsx&amp;revision=2">Management edition, XLSX (spreadsheet)<span`,
		`href="/portal/workbooks/2026-11?edition=management&amp;format=ods&amp;revision=2">Management edition, ODS (OpenDocument spreadsheet)<span`,
		// A revision from before ODS has its XLSX workbooks only.
		`href="/portal/workbooks/2026-10?edition=published&amp;format=xlsx&amp;revision=1">Published edition, XLSX (spreadsheet)<span class="govuk-visually-hidden">, October 2026</span></a> (2.0 MB)`,
		"the management edition, with exact figures")
	if strings.Contains(body, "2026-10?edition=published&amp;format=ods") {
		t.Error("a workbook the revision does not have is offered")
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /rollups")
}

func TestWorkbooksWhenNothingIsRolledUp(t *testing.T) {
	ts := newTestServer(t, newLeadAPI().withRollups())
	body := ts.get(as("admin", ""), BasePath+"/workbooks").Body.String()
	leadHas(t, body, "No month has been rolled up yet", `href="/portal/admin/rollup">Run the rollup</a>`)
	body = newTestServer(t, newLeadAPI().withRollups()).get(as("leader", ""), BasePath+"/workbooks").Body.String()
	if strings.Contains(body, "Run the rollup") {
		t.Error("a leader is offered the rollup, which only admins may run")
	}
}

// leadReportsAPI answers GET /reports/{month} as the real handler does: the management
// edition only for leaders and admins, then a 303 to the presigned URL.
func leadReportsAPI(presigned string) *leadAPI {
	return newLeadAPI().on("GET /reports/{month}", func(w http.ResponseWriter, r *http.Request) {
		p, _ := leadPrincipal(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if r.URL.Query().Get("edition") == "management" && !workforce.ManagementFigures.Admits(p) {
			leadProblem(w, http.StatusForbidden, workforce.EForbidden, "The management edition is for leaders and admins; ask for edition=published.")
			return
		}
		w.Header().Set("Location", presigned)
		w.Header().Set("X-Report-SHA256", "cafe")
		w.WriteHeader(http.StatusSeeOther)
	})
}

func TestWorkbookDownloadGoesToTheAPIsPresignedURL(t *testing.T) {
	// The bucket stands in for S3: the portal must never fetch the file itself.
	var fetched int
	bucket := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched++ }))
	defer bucket.Close()
	presigned := bucket.URL + "/reports/2026-11/r0002/ddat-workforce-2026-11-r2-management.ods?X-Amz-Signature=abc&X-Amz-Expires=300"
	ts := newTestServer(t, leadReportsAPI(presigned))
	sess := as("leader", "")
	w := ts.get(sess, BasePath+"/workbooks/2026-11?edition=management&format=ods&revision=2")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != presigned {
		t.Fatalf("got %d to %q, want 303 to %q", w.Code, w.Header().Get("Location"), presigned)
	}
	if fetched != 0 {
		t.Error("the portal followed the API's redirect itself")
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /reports/2026-11?edition=management&format=ods&revision=2")
}

func TestWorkbookDownloadNeverGoesWhereTheRequestSays(t *testing.T) {
	presigned := "https://bucket.s3.test/reports/x.xlsx?X-Amz-Signature=abc"
	sess := as("leader", "")
	// Whatever else the address carries, the browser goes where the API said.
	ts := newTestServer(t, leadReportsAPI(presigned))
	w := ts.get(sess, BasePath+"/workbooks/2026-11?edition=published&format=xlsx&next=https://evil.test/&location=https://evil.test/")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != presigned {
		t.Errorf("got %d to %q", w.Code, w.Header().Get("Location"))
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /reports/2026-11?edition=published&format=xlsx")

	// Anything but the service's months, editions, formats and revisions is not a workbook,
	// and the API is not asked.
	for _, target := range []string{
		"/workbooks/2026-11?edition=draft&format=xlsx",
		"/workbooks/2026-11?edition=published&format=csv",
		"/workbooks/2026-11?edition=published",
		"/workbooks/2026-7?edition=published&format=xlsx",
		"/workbooks/November?edition=published&format=xlsx",
		"/workbooks/2026-11?edition=published&format=xlsx&revision=0",
		"/workbooks/2026-11?edition=published&format=xlsx&revision=02",
		"/workbooks/2026-11?edition=published&format=xlsx&revision=https%3A%2F%2Fevil.test",
		"/workbooks/https%3A%2F%2Fevil.test?edition=published&format=xlsx",
	} {
		ts := newTestServer(t, leadReportsAPI(presigned))
		w := ts.get(sess, BasePath+target)
		if w.Code != http.StatusNotFound || w.Header().Get("Location") != "" {
			t.Errorf("%s: %d to %q", target, w.Code, w.Header().Get("Location"))
		}
		leadWantCalls(t, ts.leadCalls(sess))
	}

	// A redirect from the API that is not to a web address is not passed on.
	for _, bad := range []string{"javascript:alert(1)", "/portal/elsewhere", "//evil.test/x", ""} {
		ts := newTestServer(t, leadReportsAPI(bad))
		w := ts.get(sess, BasePath+"/workbooks/2026-11?edition=published&format=xlsx")
		if w.Code != http.StatusInternalServerError || w.Header().Get("Location") != "" {
			t.Errorf("API redirect %q: %d to %q", bad, w.Code, w.Header().Get("Location"))
		}
	}
}

func TestWorkbookDownloadRefusedByTheAPI(t *testing.T) {
	ts := newTestServer(t, leadReportsAPI("https://bucket.s3.test/x"))
	sess := as("submitter", "HMRC")
	w := ts.get(sess, BasePath+"/workbooks/2026-11?edition=management&format=xlsx")
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "You cannot see this page") || w.Header().Get("Location") != "" {
		t.Errorf("the management edition for a submitter: %d %q", w.Code, w.Header().Get("Location"))
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /reports/2026-11?edition=management&format=xlsx")
}
