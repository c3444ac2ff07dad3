package portal

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// uploadURL is a quarter's address with more after it.
func retURL(org string, q period.Quarter, more string) string {
	return BasePath + "/returns/" + org + "/" + q.String() + more
}

func TestUploadPageAsksForAFile(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	w := ts.get(sess, retURL("HMRC", q2, "/upload"))
	page := w.Body.String()
	if w.Code != http.StatusOK || h1(page) != "Upload a return" || pageTitle(page) != "Upload a return – DDaT workforce returns" {
		t.Fatalf("%d %q %q", w.Code, h1(page), pageTitle(page))
	}
	for _, want := range []string{
		`<form method="post" action="/portal/returns/HMRC/2026-27-Q2/upload" enctype="multipart/form-data" novalidate>`,
		`<input type="hidden" name="csrf_token" value="csrf-test-token">`,
		`<label class="govuk-label govuk-label--m" for="file">Upload a file</label>`,
		`<input class="govuk-file-upload" id="file" name="file" type="file" accept=".xlsx,.csv" aria-describedby="file-hint">`,
		`>Continue</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q", want)
		}
	}
	if strings.Contains(page, "Reason for the revision") {
		t.Error("a first version is asked for a revision reason")
	}
	// Once the quarter has a version, the upload asks why it is being changed.
	a.submit(sample.Return(retHMRC, q2))
	page = ts.get(sess, retURL("HMRC", q2, "/upload")).Body.String()
	if !strings.Contains(page, `<label class="govuk-label govuk-label--m" for="revision-reason">Reason for the revision</label>`) ||
		!strings.Contains(page, `<textarea class="govuk-textarea" id="revision-reason" name="revision_reason" rows="4" aria-describedby="revision-reason-hint">`) {
		t.Errorf("no revision reason: %s", page)
	}
	everyCallCarries(t, a, sess)
	// Someone who may read returns but not send them is not offered the page.
	if w := ts.get(a.session("approver", "HMRC"), retURL("HMRC", q2, "/upload")); w.Code != http.StatusForbidden {
		t.Errorf("approver: %d", w.Code)
	}
}

func TestUploadRefusesAMissingEmptyLargeOrWrongFile(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"", nil, "Select a file"},
		{"return.csv", []byte{}, "The selected file is empty"},
		{"return.csv", make([]byte, DefaultMaxUploadBytes+1), "The selected file must be smaller than 2MB"},
		{"return.txt", []byte("field,value\n"), "The selected file must be an XLSX or CSV file"},
		{"return.xlsm", []byte("PK"), "The selected file must be an XLSX or CSV file"},
	} {
		a.reset()
		w := ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), url.Values{}, tc.name, tc.body)
		page := w.Body.String()
		if w.Code != http.StatusUnprocessableEntity || !strings.HasPrefix(pageTitle(page), "Error: Upload a return") {
			t.Errorf("%s: %d %q", tc.name, w.Code, pageTitle(page))
		}
		for _, want := range []string{
			`<h2 class="govuk-error-summary__title">There is a problem</h2>`,
			`<li><a href="#file">` + tc.want + `</a></li>`,
			`<div class="govuk-form-group govuk-form-group--error">`,
			`<p id="file-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ` + tc.want + `</p>`,
			`class="govuk-file-upload govuk-file-upload--error" id="file" name="file" type="file" accept=".xlsx,.csv" aria-describedby="file-hint file-error"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: no %q", tc.name, want)
			}
		}
		if c := a.callsTo("POST", "/returns/check"); len(c) != 0 {
			t.Errorf("%s: the file was sent to be checked", tc.name)
		}
	}
}

// A file with mistakes comes back as the error summary, each entry linking to its row of
// the problems table, and the problems download as CSV with formula text neutralised.
func TestUploadWithProblemsShowsThemAndDownloadsThemAsCSV(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	sess.Expires = testNow.Add(8 * time.Hour).Unix()
	v := sample.Return(retHMRC, q2)
	v["ddat_headcont"] = "1"
	v["=HYPERLINK(\"http://evil.test\")"] = "1"
	file := sample.CSV(v) // once: unknown fields are written in map order
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), url.Values{}, "hmrc-return.csv", file)
	page := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || h1(page) != "Upload a return" || !strings.Contains(page, "There is a problem") {
		t.Fatalf("%d %q", w.Code, h1(page))
	}
	for _, want := range []string{
		`<li><a href="#problem-1">Line `, `<li><a href="#problem-2">Line `,
		`<tr class="govuk-table__row" id="problem-1" tabindex="-1">`, `<tr class="govuk-table__row" id="problem-2" tabindex="-1">`,
		"Problems in hmrc-return.csv", ">Download the problems as a CSV</button>", "Upload the corrected file",
		`accept=".xlsx,.csv"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q", want)
		}
	}
	c := a.callsTo("POST", "/returns/check")
	if len(c) != 1 || c[0].ContentType != "text/csv" || string(c[0].Body) != string(file) || c[0].Auth != "Bearer "+sess.AccessToken {
		t.Fatalf("check calls: %+v", c)
	}
	if c := a.callsTo("POST", "/returns"); len(c) != 0 {
		t.Error("a return with problems was sent")
	}

	sealed := hiddenValue(t, page, "problems")
	w = ts.post(sess, retURL("HMRC", q2, "/problems.csv"), url.Values{"problems": {sealed}})
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="problems-HMRC-2026-27-Q2.csv"` {
		t.Fatalf("problems.csv: %d %v", w.Code, w.Header())
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) < 3 || strings.Join(recs[0], ",") != "field,field_name,cell_or_line,code,problem" {
		t.Fatalf("problems.csv: %v %q", err, recs)
	}
	var formula, line bool
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if len(cell) > 0 && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("a cell a spreadsheet would run: %q", cell)
			}
		}
		formula = formula || strings.HasPrefix(rec[0], "'=HYPERLINK")
		line = line || strings.HasPrefix(rec[2], "Line ")
	}
	if !formula || !line || len(recs) != 3 {
		t.Errorf("problems.csv rows: %q", recs)
	}
	// The sealed problems are this user's, for this return, unedited and fresh.
	other := a.session("submitter", "HMRC")
	other.Subject = "someone-else"
	raw := []byte(sealed)
	raw[len(raw)/2] ^= 1
	for name, tc := range map[string]struct {
		sess   *Session
		target string
		value  string
	}{
		"edited":          {sess, retURL("HMRC", q2, "/problems.csv"), string(raw)},
		"another quarter": {sess, retURL("HMRC", q1, "/problems.csv"), sealed},
		"another user":    {other, retURL("HMRC", q2, "/problems.csv"), sealed},
	} {
		if w := ts.post(tc.sess, tc.target, url.Values{"problems": {tc.value}}); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	ts.cfg.Now = func() time.Time { return testNow.Add(retUploadLifetime) }
	if w := ts.post(sess, retURL("HMRC", q2, "/problems.csv"), url.Values{"problems": {sealed}}); w.Code != http.StatusBadRequest {
		t.Errorf("expired: %d", w.Code)
	}
}

// checkPage uploads a file and answers the check page, failing unless it is one.
func checkPage(t *testing.T, ts *testServer, sess *Session, q period.Quarter, fields url.Values, name string, file []byte) string {
	t.Helper()
	w := ts.postMultipart(sess, retURL(sess.Org, q, "/upload"), fields, name, file)
	page := w.Body.String()
	if w.Code != http.StatusOK || h1(page) != "Check your answers before sending your return" {
		t.Fatalf("upload %s: %d %q\n%s", name, w.Code, h1(page), page)
	}
	return page
}

func TestUploadCheckSendAndReceipt(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	v := sample.Return(retHMRC, q2)
	file := sample.CSV(v)
	page := checkPage(t, ts, sess, q2, nil, "hmrc.csv", file)
	for _, want := range []string{
		"You uploaded hmrc.csv. It has no errors, and it will be version 1 of the return for 2026-27-Q2.",
		`<h2 class="govuk-heading-m">Key figures</h2>`,
		`<dt class="govuk-summary-list__key">Headcount</dt>`,
		`<dd class="govuk-summary-list__value">` + printer.Sprintf("%d", mustInt(t, v["headcount"])) + `</dd>`,
		`<dt class="govuk-summary-list__key">DDaT share of headcount</dt>`,
		`<dt class="govuk-summary-list__key">Early-career entrants</dt>`,
		`<dt class="govuk-summary-list__key">Digital leader on the executive committee</dt>`,
		`<dt class="govuk-summary-list__key">Digital and data director and DG roles with a succession plan</dt>`,
		"The return has no warnings.",
		`<form method="post" action="/portal/returns/HMRC/2026-27-Q2/send" enctype="multipart/form-data" novalidate>`,
		`>Send return</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the check page", want)
		}
	}
	if strings.Contains(page, "I have checked the warnings") {
		t.Error("a return without warnings asks for them to be confirmed")
	}
	if c := a.callsTo("POST", "/returns"); len(c) != 0 {
		t.Fatal("checking sent the return")
	}

	sealed := hiddenValue(t, page, retSealedField)
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {sealed}}, "", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != retURL("HMRC", q2, "/sent?version=1") {
		t.Fatalf("send: %d %q %s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	c := a.callsTo("POST", "/returns")
	if len(c) != 1 || string(c[0].Body) != string(file) || c[0].ContentType != "text/csv" || !strings.HasPrefix(c[0].Idempotency, "portal-") ||
		c[0].Auth != "Bearer "+sess.AccessToken {
		t.Fatalf("POST /returns: %+v", c)
	}
	cur, _ := a.store.Current(context.Background(), "HMRC", q2)
	if cur == nil || cur.Number != 1 || cur.SubmittedBy != sess.Subject {
		t.Fatalf("stored: %+v", cur)
	}

	page = ts.get(sess, w.Header().Get("Location")).Body.String()
	if h1(page) != "Return sent" || !strings.Contains(page, `<div class="govuk-panel govuk-panel--confirmation">`) ||
		!strings.Contains(page, "Version 1 of the return for 2026-27-Q2") || !strings.Contains(page, cur.SubmissionID) ||
		!strings.Contains(page, cur.SHA256) || !strings.Contains(page, `href="/portal/returns/HMRC/2026-27-Q2">See the version history</a>`) {
		t.Errorf("sent page: %s", page)
	}
	// The quarter now shows it received.
	if page := ts.get(sess, retURL("HMRC", q2, "")).Body.String(); !strings.Contains(page, ">Received</strong>") {
		t.Error("the quarter does not show the return received")
	}
	everyCallCarries(t, a, sess)
}

// A double click sends one version: both sends carry the same Idempotency-Key, and the
// second is answered the first's receipt.
func TestSendingTwiceSendsOneVersion(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	page := checkPage(t, ts, sess, q2, nil, "hmrc.csv", sample.CSV(sample.Return(retHMRC, q2)))
	sealed := hiddenValue(t, page, retSealedField)
	var locations []string
	for range 2 {
		w := ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {sealed}}, "", nil)
		locations = append(locations, w.Header().Get("Location"))
	}
	c := a.callsTo("POST", "/returns")
	if len(c) != 2 || c[0].Idempotency == "" || c[0].Idempotency != c[1].Idempotency {
		t.Fatalf("POST /returns: %+v", c)
	}
	if locations[0] != retURL("HMRC", q2, "/sent?version=1") || locations[1] != locations[0] {
		t.Errorf("redirects: %q", locations)
	}
	if vs, _ := a.store.Versions(context.Background(), "HMRC", q2); len(vs) != 1 {
		t.Errorf("%d versions stored", len(vs))
	}
	// Another upload of the same file is another sending: another key.
	page = checkPage(t, ts, sess, q2, nil, "hmrc.csv", sample.CSV(sample.Return(retHMRC, q2)))
	if other, _ := ts.retOpenUpload(hiddenValue(t, page, retSealedField), sess, "HMRC", q2); other.idempotencyKey() == c[0].Idempotency {
		t.Error("two uploads share an Idempotency-Key")
	}
}

// The sealed upload is bound to the return, the user and an hour: moved, edited, someone
// else's or stale, it is refused and nothing is sent.
func TestSealedUploadCannotBeMovedOrEdited(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	sess.Expires = testNow.Add(8 * time.Hour).Unix()
	page := checkPage(t, ts, sess, q2, nil, "hmrc.csv", sample.CSV(sample.Return(retHMRC, q2)))
	sealed := hiddenValue(t, page, retSealedField)
	edited := []byte(sealed)
	edited[len(edited)-10] ^= 1
	other := a.session("submitter", "HMRC")
	other.Subject = "another-submitter"
	for name, tc := range map[string]struct {
		sess   *Session
		target string
		value  string
	}{
		"another quarter": {sess, retURL("HMRC", q1, "/send"), sealed},
		"edited":          {sess, retURL("HMRC", q2, "/send"), string(edited)},
		"missing":         {sess, retURL("HMRC", q2, "/send"), ""},
		"another user":    {other, retURL("HMRC", q2, "/send"), sealed},
		"problems seal":   {sess, retURL("HMRC", q2, "/send"), hiddenValue(t, ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), nil, "x.csv", []byte("field,value\nnope,1\n")).Body.String(), "problems")},
	} {
		w := ts.postMultipart(tc.sess, tc.target, url.Values{retSealedField: {tc.value}}, "", nil)
		if w.Code != http.StatusBadRequest || h1(w.Body.String()) != "Upload a return" || !strings.Contains(w.Body.String(), `<li><a href="#file">Upload the file again`) {
			t.Errorf("%s: %d %q", name, w.Code, h1(w.Body.String()))
		}
	}
	// Another organisation's address is refused by the API before the seal is looked at.
	if w := ts.postMultipart(sess, retURL("DWP", q2, "/send"), url.Values{retSealedField: {sealed}}, "", nil); w.Code != http.StatusForbidden {
		t.Errorf("another organisation: %d", w.Code)
	}
	ts.cfg.Now = func() time.Time { return testNow.Add(retUploadLifetime) }
	if w := ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {sealed}}, "", nil); w.Code != http.StatusBadRequest {
		t.Errorf("an hour later: %d", w.Code)
	}
	if c := a.callsTo("POST", "/returns"); len(c) != 0 {
		t.Errorf("a refused upload was sent: %v", c)
	}
}

func TestWarningsMustBeConfirmedBeforeSending(t *testing.T) {
	ts, a := retServer(t)
	a.at(time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retHMRC, q1))
	a.at(testNow)
	sess := a.session("submitter", "HMRC")
	v := sample.Return(retHMRC, q2)
	v["headcount"] = "95000" // far from 2026-27-Q1's
	page := checkPage(t, ts, sess, q2, nil, "hmrc.csv", sample.CSV(v))
	for _, want := range []string{
		"figure looks unusual", "Headcount changed by",
		`<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Confirm you have checked the warnings</legend>`,
		`<input class="govuk-checkboxes__input" id="warnings-checked" name="warnings_checked" type="checkbox" value="yes">`,
		`<label class="govuk-label govuk-checkboxes__label" for="warnings-checked">I have checked the warnings and the figures are correct</label>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q", want)
		}
	}
	sealed := hiddenValue(t, page, retSealedField)
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {sealed}}, "", nil)
	page = w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || h1(page) != "Check your answers before sending your return" ||
		!strings.HasPrefix(pageTitle(page), "Error: ") ||
		!strings.Contains(page, `<li><a href="#warnings-checked">Confirm you have checked the warnings and the figures are correct</a></li>`) ||
		!strings.Contains(page, `<fieldset class="govuk-fieldset" aria-describedby="warnings-checked-error">`) ||
		!strings.Contains(page, `<p id="warnings-checked-error" class="govuk-error-message">`) {
		t.Fatalf("unticked: %d %s", w.Code, page)
	}
	if c := a.callsTo("POST", "/returns"); len(c) != 0 {
		t.Fatal("sent without the warnings confirmed")
	}
	w = ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {hiddenValue(t, page, retSealedField)}, retConfirmField: {"yes"}}, "", nil)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("ticked: %d %s", w.Code, w.Body.String())
	}
	if cur, _ := a.store.Current(context.Background(), "HMRC", q2); cur == nil || len(cur.Warnings) != 1 {
		t.Errorf("stored: %+v", cur)
	}
}

func TestRevisionCarriesItsReason(t *testing.T) {
	ts, a := retServer(t)
	a.at(time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retHMRC, q2))
	a.at(testNow)
	sess := a.session("submitter", "HMRC")
	v := sample.Return(retHMRC, q2)
	v["ddat_entrants_total"] = "999"
	file := sample.CSV(v)

	// Without a reason, the API's 422 is the question's error.
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), nil, "hmrc.csv", file)
	page := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(page, `<li><a href="#revision-reason">Enter the reason for the revision</a></li>`) ||
		!strings.Contains(page, `<textarea class="govuk-textarea govuk-textarea--error" id="revision-reason"`) || strings.Contains(page, "Problems in") {
		t.Fatalf("no reason: %d %s", w.Code, page)
	}
	// With one, it travels beside the file, which is sent as it was chosen.
	reason := "The entrants were undercounted:\nthe apprentices were missing."
	page = checkPage(t, ts, sess, q2, url.Values{retReasonField: {reason}}, "hmrc.csv", file)
	if !strings.Contains(page, "it will be version 2") || !strings.Contains(page, "The entrants were undercounted:\nthe apprentices were missing.") {
		t.Errorf("check page: %s", page)
	}
	c := a.callsTo("POST", "/returns/check")
	if last := c[len(c)-1]; string(last.Body) != string(file) || last.Query != (url.Values{"revision_reason": {reason}}).Encode() {
		t.Errorf("checked %q with query %q", last.Body, last.Query)
	}
	w = ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {hiddenValue(t, page, retSealedField)}}, "", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != retURL("HMRC", q2, "/sent?version=2") {
		t.Fatalf("send: %d %s", w.Code, w.Header().Get("Location"))
	}
	cur, _ := a.store.Current(context.Background(), "HMRC", q2)
	if cur.Number != 2 || cur.RevisionReason() != reason {
		t.Errorf("stored version %d, reason %q", cur.Number, cur.RevisionReason())
	}
	page = ts.get(sess, retURL("HMRC", q2, "/versions/2")).Body.String()
	if !strings.Contains(page, "What changed from version 1") || !strings.Contains(page, "All entrants to DDaT") || !strings.Contains(page, "the apprentices were missing.") {
		t.Errorf("version 2 page: %s", page)
	}

	// A file that gives its own reason and a reason typed too: which one is meant?
	v[workforce.KeyRevisionReason] = "In the file"
	v["ddat_entrants_total"] = "998"
	w = ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), url.Values{retReasonField: {"Typed"}}, "hmrc.csv", sample.CSV(v))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `<li><a href="#revision-reason">The file gives a reason for the revision and so does the request`) {
		t.Errorf("two reasons: %d %s", w.Code, w.Body.String())
	}
	// The file's own is used when the box is empty.
	page = checkPage(t, ts, sess, q2, nil, "hmrc.csv", sample.CSV(v))
	if !strings.Contains(page, "In the file") {
		t.Error("the file's own reason is not shown")
	}
	// A workbook is sent as it is, its reason typed on the page beside it.
	delete(v, workforce.KeyRevisionReason)
	v["ddat_entrants_total"] = "997"
	tpl, err := returntemplate.Template(returntemplate.TemplateOptions{Organisations: []workforce.Organisation{retHMRC}, Periods: []period.Quarter{q2}})
	if err != nil {
		t.Fatal(err)
	}
	book, err := sample.FillTemplate(tpl, v)
	if err != nil {
		t.Fatal(err)
	}
	page = checkPage(t, ts, sess, q2, url.Values{retReasonField: {"Typed beside the workbook"}}, "hmrc.xlsx", book)
	w = ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {hiddenValue(t, page, retSealedField)}}, "", nil)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("send the workbook: %d %s", w.Code, w.Body.String())
	}
	if cur, _ := a.store.Current(context.Background(), "HMRC", q2); cur.Number != 3 || cur.RevisionReason() != "Typed beside the workbook" || cur.Format != string(workforce.FormatXLSX) {
		t.Errorf("stored version %d (%s), reason %q", cur.Number, cur.Format, cur.RevisionReason())
	}
}

func TestSameReturnAgainReadsAsTheSameVersion(t *testing.T) {
	ts, a := retServer(t)
	a.at(time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC))
	a.submit(sample.Return(retHMRC, q2))
	a.at(testNow)
	sess := a.session("submitter", "HMRC")
	page := checkPage(t, ts, sess, q2, url.Values{retReasonField: {"Sending again"}}, "hmrc.csv", sample.CSV(sample.Return(retHMRC, q2)))
	if !strings.Contains(page, "This return is the same as version 1, the current version.") {
		t.Errorf("check page: %s", page)
	}
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/send"), url.Values{retSealedField: {hiddenValue(t, page, retSealedField)}}, "", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != retURL("HMRC", q2, "/sent?version=1&duplicate=1") {
		t.Fatalf("send: %d %q", w.Code, w.Header().Get("Location"))
	}
	page = ts.get(sess, w.Header().Get("Location")).Body.String()
	if h1(page) != "This return is the same as version 1" || strings.Contains(page, "govuk-panel") || !strings.Contains(page, "no new version was made") {
		t.Errorf("duplicate page: %q %s", h1(page), page)
	}
	if vs, _ := a.store.Versions(context.Background(), "HMRC", q2); len(vs) != 1 {
		t.Errorf("%d versions", len(vs))
	}
}

func TestFileForAnotherReturnIsRefusedOnTheField(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "HMRC")
	// The quarter in the file is not the page's.
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), nil, "hmrc.csv", sample.CSV(sample.Return(retHMRC, q1)))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `<li><a href="#file">The file is a return for HMRC 2026-27-Q1, not HMRC 2026-27-Q2.`) {
		t.Errorf("another quarter: %d %s", w.Code, w.Body.String())
	}
	// The organisation in the file is one the submitter cannot send for: the API's 403.
	w = ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), nil, "dwp.csv", sample.CSV(sample.Return(retDWP, q2)))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `<li><a href="#file">The file is a return for an organisation you cannot send returns for.`) {
		t.Errorf("another organisation: %d %s", w.Code, w.Body.String())
	}
	// A file that is not what its name says: the API's words, on the field.
	w = ts.postMultipart(sess, retURL("HMRC", q2, "/upload"), nil, "hmrc.xlsx", []byte("field,value\norg,HMRC\n"))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `govuk-form-group--error`) {
		t.Errorf("not a workbook: %d %s", w.Code, w.Body.String())
	}
	if c := a.callsTo("POST", "/returns/check"); len(c) != 3 || c[2].ContentType != workforce.ContentTypeXLSX {
		t.Errorf("check calls: %v", c)
	}
}

// A local-government body answers only the two leadership questions: those are its key
// figures.
func TestLocalGovernmentCheckShowsItsTwoAnswers(t *testing.T) {
	ts, a := retServer(t)
	sess := a.session("submitter", "LGA-KENT")
	page := checkPage(t, ts, sess, q2, nil, "kent.csv", sample.CSV(sample.Return(retKent, q2)))
	if !strings.Contains(page, "Digital non-executive director on the board") || strings.Contains(page, ">Headcount<") || strings.Contains(page, "DDaT share") {
		t.Errorf("check page: %s", page)
	}
}
