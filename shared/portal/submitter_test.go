package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var (
	q1 = period.MustQuarter("2026-27-Q1") // April to June 2026, due 30 July 2026
	q2 = period.MustQuarter("2026-27-Q2") // July to September 2026, due 30 October 2026
)

// rowOf is the table row of a quarter in the Your returns page.
func rowOf(t *testing.T, page string, q period.Quarter) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr class="govuk-table__row">\s*<th scope="row"[^>]*><a class="govuk-link" href="[^"]*/` + q.String() + `">.*?</tr>`).FindString(page)
	if m == "" {
		t.Fatalf("no row for %s in\n%s", q, page)
	}
	return m
}

func TestYourReturnsListsEveryOwedQuarterWithItsStatus(t *testing.T) {
	ts, a := retServer(t)
	// Q4 2025-26 on time without warnings; Q1 2026-27 with a headcount 50% up: a warning.
	q4 := period.MustQuarter("2025-26-Q4")
	a.at(time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retHMRC, q4))
	a.at(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC))
	v := sample.Return(retHMRC, q1)
	v["headcount"] = "95000"
	a.submit(v)
	a.at(testNow)
	sess := a.session("submitter", "HMRC")

	w := ts.get(sess, BasePath+"/returns")
	page := w.Body.String()
	if w.Code != http.StatusOK || h1(page) != "Your returns" || pageTitle(page) != "Your returns – DDaT workforce returns" {
		t.Fatalf("got %d %q %q", w.Code, h1(page), pageTitle(page))
	}
	// HMRC exists from April 2025: six quarters are owed at 1 December 2026, newest first;
	// 2026-27-Q3's collection opens on 1 January 2027.
	for _, want := range []struct {
		q          string
		tag, extra string
	}{
		{"2026-27-Q2", "Overdue", "30 October 2026"},
		{"2026-27-Q1", "Received with warnings", "Version 1, received 10 July 2026, with 1 warning"},
		{"2025-26-Q4", "Received", "Version 1, received 20 April 2026"},
		{"2025-26-Q1", "Overdue", "30 July 2025"},
	} {
		row := rowOf(t, page, period.MustQuarter(want.q))
		if !strings.Contains(row, ">"+want.tag+"</strong>") || !strings.Contains(row, want.extra) {
			t.Errorf("%s: row %s", want.q, row)
		}
	}
	if n := strings.Count(page, `<th scope="row"`); n != 6 {
		t.Errorf("%d quarters listed, want 6", n)
	}
	if strings.Contains(page, "2026-27-Q3") || strings.Contains(page, "2024-25") {
		t.Error("a quarter not owed is listed")
	}
	if strings.Index(page, "2026-27-Q2") > strings.Index(page, "2025-26-Q1") {
		t.Error("the quarters are not newest first")
	}
	if strings.Contains(page, `<select`) {
		t.Error("a submitter is offered other organisations")
	}
	if c := a.callsTo("GET", "/returns"); len(c) != 1 || c[0].Query != "org=HMRC" {
		t.Errorf("GET /returns calls: %v", c)
	}
	everyCallCarries(t, a, sess)
}

func TestYourReturnsSaysDueThenNotStartedBeforeTheFirstReminder(t *testing.T) {
	sched, _ := testConfig(t, "").Calendar.Schedule(q2) // opens 1 October, due 30 October 2026; first reminder 16 October
	for day, want := range map[string]string{
		"2026-10-01": "Not started",
		"2026-10-15": "Not started",
		"2026-10-16": "Due",
		"2026-10-30": "Due",
		"2026-10-31": "Overdue",
	} {
		d, _ := time.Parse(time.DateOnly, day)
		if got := retStatusOf(sched, nil, 0, d); got.Text != want {
			t.Errorf("on %s: %q, want %q", day, got.Text, want)
		}
	}
	sent := &retSummary{Version: 3, ReceivedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	if got := retStatusOf(sched, sent, 0, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); got.Text != "Received" || got.Detail != "Version 3, received 2 November 2026" {
		t.Errorf("received late: %+v", got)
	}

	// And on the page, on 20 October 2026.
	ts, a := retServer(t)
	ts.cfg.Now = func() time.Time { return time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC) }
	page := ts.get(a.session("submitter", "HMRC"), BasePath+"/returns").Body.String()
	if row := rowOf(t, page, q2); !strings.Contains(row, ">Due</strong>") || !strings.Contains(row, "30 October 2026") {
		t.Errorf("row %s", row)
	}
	ts.cfg.Now = func() time.Time { return time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC) }
	page = ts.get(a.session("submitter", "HMRC"), BasePath+"/returns").Body.String()
	if row := rowOf(t, page, q2); !strings.Contains(row, ">Not started</strong>") {
		t.Errorf("row %s", row)
	}
}

func TestAdminChoosesTheOrganisation(t *testing.T) {
	ts, a := retServer(t)
	admin := a.session("admin", "")
	page := ts.get(admin, BasePath+"/returns").Body.String()
	if !strings.Contains(page, `<label class="govuk-label" for="org">Organisation</label>`) || !strings.Contains(page, `<option value="DWP">`) ||
		!strings.Contains(page, "Show returns") || strings.Contains(page, "<table") {
		t.Fatalf("without ?org: %s", page)
	}
	page = ts.get(admin, BasePath+"/returns?org=dwp").Body.String()
	if !strings.Contains(page, `<option value="DWP" selected>`) || !strings.Contains(page, "Returns for Department for Work and Pensions") {
		t.Errorf("with ?org=dwp: %s", page)
	}
	// DWP has always existed: every quarter from FIRST_QUARTER (2023-24-Q1) is owed.
	if n := strings.Count(page, `<th scope="row"`); n != 14 {
		t.Errorf("%d quarters listed, want 14", n)
	}
	if w := ts.get(admin, BasePath+"/returns?org=NOPE"); w.Code != http.StatusNotFound {
		t.Errorf("an organisation not in the register: %d", w.Code)
	}
	everyCallCarries(t, a, admin)
}

// A submitter who edits an address to another organisation is refused by the API, and
// the page says so; nothing of the other organisation is shown.
func TestSubmitterCannotSeeAnotherOrganisationsPages(t *testing.T) {
	ts, a := retServer(t)
	a.at(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retDWP, q1))
	a.at(testNow)
	sess := a.session("submitter", "HMRC")
	for _, target := range []string{
		BasePath + "/returns?org=DWP",
		BasePath + "/returns/DWP/" + q1.String(),
		BasePath + "/returns/dwp/" + q1.String(),
		BasePath + "/returns/DWP/" + q1.String() + "/versions/1",
		BasePath + "/returns/DWP/" + q1.String() + "/upload",
		BasePath + "/returns/DWP/" + q1.String() + "/sent?version=1",
	} {
		a.reset()
		w := ts.get(sess, target)
		page := w.Body.String()
		if w.Code != http.StatusForbidden || h1(page) != "You cannot see this page" || strings.Contains(page, "Department for Work and Pensions") {
			t.Errorf("GET %s: %d %q", target, w.Code, h1(page))
		}
		everyCallCarries(t, a, sess)
	}
	for _, target := range []string{"/upload", "/send", "/versions/1/sign-off"} {
		w := ts.postMultipart(sess, BasePath+"/returns/DWP/"+q1.String()+target, url.Values{}, "r.csv", sample.CSV(sample.Return(retDWP, q1)))
		if w.Code != http.StatusForbidden || h1(w.Body.String()) != "You cannot see this page" {
			t.Errorf("POST %s: %d %q", target, w.Code, h1(w.Body.String()))
		}
	}
	if c := a.callsTo("POST", "/returns"); len(c) != 0 {
		t.Errorf("a return was sent: %v", c)
	}
}

// seedPrevious sends HMRC's 2025-26-Q4, the quarter before q1, on time: a q1 headcount far
// from it is a warning.
func seedPrevious(a *retAPI) {
	a.at(time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retHMRC, q1.Prev()))
}

func TestQuarterPageShowsStatusTemplateUploadAndHistory(t *testing.T) {
	ts, a := retServer(t)
	seedPrevious(a)
	a.at(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC))
	v := sample.Return(retHMRC, q1)
	a.submit(v)
	a.at(time.Date(2026, 7, 20, 14, 30, 0, 0, time.UTC))
	v["headcount"] = "95000"
	v[workforce.KeyRevisionReason] = "The first version counted only one directorate."
	a.submit(v)
	a.at(testNow)
	sess := a.session("submitter", "HMRC")

	w := ts.get(sess, BasePath+"/returns/HMRC/"+q1.String())
	page := w.Body.String()
	if w.Code != http.StatusOK || h1(page) != "Return for April to June 2026 (2026-27-Q1)" {
		t.Fatalf("%d %q", w.Code, h1(page))
	}
	for _, want := range []string{
		">Received with warnings</strong>", "Version 2, received 20 July 2026",
		"Collection opens", "1 July 2026", "Due date", "30 July 2026",
		`href="/portal/returns/HMRC/2026-27-Q1/upload"`, ">Upload a return</a>",
		`href="/portal/returns/HMRC/2026-27-Q1/template"`, ">Download the template</a>",
		"<h2 class=\"govuk-heading-m\">Version history</h2>",
		`<a class="govuk-link" href="/portal/returns/HMRC/2026-27-Q1/versions/2">Version 2</a> (current)`,
		`<a class="govuk-link" href="/portal/returns/HMRC/2026-27-Q1/versions/1">Version 1</a>`,
		"20 July 2026 at 3:30pm", "The first version counted only one directorate.", "Not signed off",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the page", want)
		}
	}
	if strings.Index(page, "versions/2") > strings.Index(page, "versions/1") {
		t.Error("the history is not newest first")
	}
	everyCallCarries(t, a, sess)

	// An approver reads it but is not offered the upload.
	page = ts.get(a.session("approver", "HMRC"), BasePath+"/returns/HMRC/"+q1.String()).Body.String()
	if strings.Contains(page, ">Upload a return<") || !strings.Contains(page, ">Download the template<") {
		t.Error("an approver is offered the upload, or not the template")
	}
	if strings.Contains(page, "staff extract") {
		t.Error("an approver is offered the staff extract")
	}
	if page := ts.get(sess, BasePath+"/returns/HMRC/"+q1.String()).Body.String(); !strings.Contains(page, `href="/portal/returns/HMRC/2026-27-Q1/extract">upload a staff extract</a>`) {
		t.Error("a civil-service organisation is not offered the staff extract")
	}
	kent := ts.get(a.session("submitter", "LGA-KENT"), BasePath+"/returns/LGA-KENT/"+q1.String()).Body.String()
	if strings.Contains(kent, "staff extract") || !strings.Contains(kent, ">Upload a return</a>") {
		t.Error("a local-government body is offered a staff extract")
	}
	// A quarter with nothing yet.
	page = ts.get(sess, BasePath+"/returns/HMRC/"+q2.String()).Body.String()
	if !strings.Contains(page, ">Overdue</strong>") || !strings.Contains(page, "No return has been sent for this quarter yet.") {
		t.Errorf("empty quarter: %s", page)
	}
	for _, bad := range []string{"/returns/HMRC/2026", "/returns/HM%20RC/2026-27-Q1", "/returns/NOPE/2026-27-Q1", "/returns/HMRC/2026-27-Q1/versions/x"} {
		if w := ts.get(sess, BasePath+bad); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
}

func TestTemplateIsTheAPIsPreFilledForTheQuarter(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	w := ts.get(sess, BasePath+"/returns/hmrc/2026-27-Q2/template")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != workforce.ContentTypeXLSX ||
		w.Header().Get("Content-Disposition") != `attachment; filename="ddat-workforce-return-HMRC-2026-27-Q2.xlsx"` ||
		w.Body.String() != "PK\x03\x04 a template for HMRC 2026-27-Q2" {
		t.Fatalf("%d %v %q", w.Code, w.Header(), w.Body.String())
	}
	if c := a.callsTo("GET", "/template"); len(c) != 1 || c[0].Query != "org=HMRC&period=2026-27-Q2" {
		t.Errorf("GET /template calls: %v", c)
	}
	// Last quarter's figures, to edit, are asked of the API as figures=previous.
	a.at(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retHMRC, q1))
	a.at(testNow)
	if w := ts.get(sess, BasePath+"/returns/HMRC/2026-27-Q2/template?figures=previous"); w.Code != http.StatusOK {
		t.Errorf("with last quarter's figures: %d", w.Code)
	}
	if c := a.callsTo("GET", "/template"); len(c) != 2 || c[1].Query != "figures=previous&org=HMRC&period=2026-27-Q2" {
		t.Errorf("GET /template calls: %v", c)
	}
	everyCallCarries(t, a, sess)
}

// A quarter whose quarter before has a return offers the template with those figures.
func TestQuarterOffersLastQuartersFigures(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	const link = "download the template filled in with the figures you sent for 2026-27-Q1"
	if page := ts.get(sess, BasePath+"/returns/HMRC/2026-27-Q2").Body.String(); strings.Contains(page, link) {
		t.Error("offered with nothing sent for the quarter before")
	}
	a.at(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retHMRC, q1))
	a.at(testNow)
	if page := ts.get(sess, BasePath+"/returns/HMRC/2026-27-Q2").Body.String(); !strings.Contains(page, link) ||
		!strings.Contains(page, `href="/portal/returns/HMRC/2026-27-Q2/template?figures=previous"`) {
		t.Errorf("not offered: %s", page)
	}
}

func TestVersionPageShowsWhatChangedWarningsAndFigures(t *testing.T) {
	ts, a := retServer(t)
	seedPrevious(a)
	a.at(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC))
	v := sample.Return(retHMRC, q1)
	a.submit(v)
	a.at(time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC))
	old := v["headcount"]
	v["headcount"] = "95000"
	v[workforce.KeyRevisionReason] = "Corrected headcount"
	a.submit(v)
	a.at(testNow)
	sess := a.session("submitter", "HMRC")

	page := ts.get(sess, BasePath+"/returns/HMRC/"+q1.String()+"/versions/2").Body.String()
	if h1(page) != "Version 2 of the return for 2026-27-Q1" {
		t.Fatalf("%q", h1(page))
	}
	for _, want := range []string{
		"What changed from version 1", "<th scope=\"row\" class=\"govuk-table__header\">Headcount</th>",
		printer.Sprintf("%d", mustInt(t, old)), "95,000", "Corrected headcount",
		"This is the current version", "Receipt number", "Content SHA-256",
		"The version was accepted with 1 warning", "Headcount changed by",
		"Workforce at the reference date", "DDaT headcount by grade", "Digital leader on the executive committee",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in version 2", want)
		}
	}
	if c := a.callsTo("GET", "/returns/HMRC/2026-27-Q1/versions/2/changes"); len(c) != 1 {
		t.Errorf("changes calls: %v", c)
	}
	page = ts.get(sess, BasePath+"/returns/HMRC/"+q1.String()+"/versions/1").Body.String()
	for _, want := range []string{"This is the first version of the return", "No: a later version has replaced it", "received without warnings"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in version 1", want)
		}
	}
	if strings.Contains(page, "Sign off this version") {
		t.Error("a submitter is offered the sign-off")
	}
	if w := ts.get(sess, BasePath+"/returns/HMRC/"+q1.String()+"/versions/3"); w.Code != http.StatusNotFound {
		t.Errorf("version 3: %d", w.Code)
	}
	everyCallCarries(t, a, sess)
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

func TestApproverSignsOffTheCurrentVersion(t *testing.T) {
	ts, a := retServer(t)
	a.at(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC))
	v := sample.Return(retHMRC, q1)
	a.submit(v)
	v["headcount"] = "95000"
	v[workforce.KeyRevisionReason] = "Corrected headcount"
	rc := a.submit(v)
	a.at(testNow)
	approver := a.session("approver", "HMRC")
	base := BasePath + "/returns/HMRC/" + q1.String() + "/versions/"

	if page := ts.get(approver, base+"1").Body.String(); strings.Contains(page, "Sign off this version") {
		t.Error("a version no longer current is offered for sign-off")
	}
	page := ts.get(approver, base+"2").Body.String()
	if !strings.Contains(page, `<button type="submit" id="sign-off" class="govuk-button" data-module="govuk-button">Sign off this version</button>`) {
		t.Fatalf("no sign-off button: %s", page)
	}
	sha := hiddenValue(t, page, "sha256")
	if sha != rc.SHA256 {
		t.Errorf("the form signs off %s, not the version's %s", sha, rc.SHA256)
	}
	w := ts.post(approver, base+"2/sign-off", url.Values{"sha256": {sha}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != base+"2?signed-off=1" {
		t.Fatalf("sign-off: %d %q %s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	c := a.callsTo("POST", "/returns/HMRC/2026-27-Q1/versions/2/sign-off")
	if len(c) != 1 || string(c[0].Body) != `{"sha256":"`+sha+`"}` || c[0].ContentType != "application/json" || c[0].Auth != "Bearer "+approver.AccessToken {
		t.Fatalf("sign-off calls: %+v", c)
	}
	page = ts.get(approver, w.Header().Get("Location")).Body.String()
	if !strings.Contains(page, "You signed off version 2") || !strings.Contains(page, ">Signed off</strong><br>by you on 1 December 2026 at 10:00am") ||
		strings.Contains(page, `id="sign-off"`) {
		t.Errorf("after sign-off: %s", page)
	}
	// The submitter sees who signed off; the history shows it.
	sub := a.session("submitter", "HMRC")
	if page := ts.get(sub, base+"2").Body.String(); !strings.Contains(page, "by approver test-approver on") {
		t.Error("the submitter does not see who signed off")
	}
	if page := ts.get(sub, BasePath+"/returns/HMRC/"+q1.String()).Body.String(); strings.Count(page, ">Signed off</strong>") != 1 {
		t.Error("the history does not show the sign-off")
	}
	// A stale hash is the API's 409, shown on the page.
	other := a.session("approver", "HMRC")
	other.Subject, other.AccessToken = "another-approver", "token-another-approver"
	a.tokens[other.AccessToken] = other
	w = ts.post(other, base+"2/sign-off", url.Values{"sha256": {sha}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `<a href="#sign-off-status">Version 2 of HMRC 2026-27-Q1 was signed off on`) || !strings.Contains(w.Body.String(), `id="sign-off-status"`) {
		t.Errorf("second sign-off: %d %s", w.Code, w.Body.String())
	}
}
