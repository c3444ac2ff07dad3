package portal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/ingest"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
)

// The staff extract's tests run the real ingest service behind the API stand-in, over an
// in-memory extract store and a stand-in for S3 that takes the presigned PUT.

// retS3 is S3 for presigned PUTs: it takes one only with the signed type and size, and
// records what it was sent.
type retS3 struct {
	srv     *httptest.Server
	mu      sync.Mutex
	signed  map[string][2]string // key → content type, size
	objects map[string][]byte
	puts    []*http.Request
}

func newRetS3(t *testing.T) *retS3 {
	b := &retS3{signed: map[string][2]string{}, objects: map[string][]byte{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := strings.TrimPrefix(r.URL.Path, "/")
		b.mu.Lock()
		defer b.mu.Unlock()
		b.puts = append(b.puts, r)
		s, ok := b.signed[key]
		if r.Method != http.MethodPut || !ok || r.Header.Get("Content-Type") != s[0] || fmt.Sprint(len(body)) != s[1] || r.ContentLength != int64(len(body)) {
			http.Error(w, "SignatureDoesNotMatch", http.StatusForbidden)
			return
		}
		b.objects[key] = body
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *retS3) PresignPut(_ context.Context, key, contentType string, size int64, ttl time.Duration) (ingest.UploadURL, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.signed[key] = [2]string{contentType, fmt.Sprint(size)}
	return ingest.UploadURL{URL: b.srv.URL + "/" + key, Method: "PUT", ExpiresAt: testNow.Add(ttl),
		Headers: map[string]string{"Content-Type": contentType, "Content-Length": fmt.Sprint(size)}}, nil
}

func (b *retS3) OpenExtract(_ context.Context, key, _ string) (*ingest.Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[key]
	if !ok {
		return nil, nil
	}
	return &ingest.Object{Body: io.NopCloser(bytes.NewReader(o)), Size: int64(len(o)), ContentType: b.signed[key][0]}, nil
}

func (b *retS3) DeleteExtract(_ context.Context, key, _ string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objects, key)
	return nil
}

// arrived is the S3 event of each object put: the ingest function reads them.
func (b *retS3) arrived(t *testing.T, svc *ingest.Service) {
	t.Helper()
	b.mu.Lock()
	var keys []string
	for k := range b.objects {
		keys = append(keys, k)
	}
	b.mu.Unlock()
	for _, k := range keys {
		if err := svc.Ingest(context.Background(), ingest.Event{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
}

// extractServer is the portal in front of an API that takes extracts.
func extractServer(t *testing.T) (*testServer, *retAPI, *retS3, *ingest.Service) {
	t.Helper()
	ts, a := retServer(t)
	s3 := newRetS3(t)
	svc := &ingest.Service{Extracts: &memstore.Extracts{}, Objects: s3, Returns: a.svc,
		Now: func() time.Time { return testNow }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	a.api.Extracts = svc
	return ts, a, s3, svc
}

const retExtractCSV = "staff_ref,grade,profession,job_family,fte,in_post,ddat_start_date,entry_route\n" +
	"A1,G7,DDaT,Data,1,yes,2026-08-01,Fast Stream\n" +
	"A2,EO,Policy,,0.5,yes,,\n" +
	"A3,SEO,DDaT,Software development,1,yes,2020-01-01,Experienced hire\n"

// extractAnswers are the leadership answers an extract needs beside it.
func extractAnswers() url.Values {
	return url.Values{
		"exec_committee_digital_leader": {"yes"}, "board_digital_ned": {"no"},
		"senior_appointments": {"2"}, "senior_appointments_assessed": {"1"},
		"digital_senior_roles": {"3"}, "digital_senior_roles_with_succession_plan": {"3"},
		"cslg_members": {"4"}, "cslg_members_ai_immersion": {"2"},
	}
}

func TestExtractFormAsksWhatAnExtractCannotAnswer(t *testing.T) {
	ts, a, _, _ := extractServer(t)
	sess := a.session("submitter", "HMRC")
	w := ts.get(sess, retURL("HMRC", q2, "/extract"))
	page := w.Body.String()
	if w.Code != http.StatusOK || h1(page) != "Upload a staff extract" || pageTitle(page) != "Upload a staff extract – DDaT workforce returns" {
		t.Fatalf("%d %q", w.Code, h1(page))
	}
	for _, want := range []string{
		`<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Digital leader on the executive committee</legend>`,
		`<input class="govuk-radios__input" id="exec-committee-digital-leader" name="exec_committee_digital_leader" type="radio" value="yes">`,
		`<label class="govuk-label govuk-label--s" for="cslg-members">Civil Service Leadership Group members</label>`,
		`id="senior-appointments" name="senior_appointments" type="text" inputmode="numeric"`,
		`id="contact-email" name="contact_email" type="email"`,
		`<textarea class="govuk-textarea" id="notes" name="notes"`,
		`accept=".csv,.xlsx"`, `>Send the extract</button>`, "A larger extract, up to 100 MB, can be sent through the service's API.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q", want)
		}
	}
	for _, computed := range []string{`name="headcount"`, `name="ddat_headcount"`, `name="entrants_fast_stream"`, `name="revision_reason"`} {
		if strings.Contains(page, computed) {
			t.Errorf("the form asks %s", computed)
		}
	}
	if w := ts.get(a.session("submitter", "LGA-KENT"), retURL("LGA-KENT", q2, "/extract")); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "A staff extract is for a civil-service organisation") {
		t.Errorf("local government: %d", w.Code)
	}
	if w := ts.get(sess, retURL("DWP", q2, "/extract")); w.Code != http.StatusForbidden {
		t.Errorf("another organisation: %d", w.Code)
	}
}

func TestExtractIsPutToTheUploadAddressAndFollowedToItsVersion(t *testing.T) {
	ts, a, s3, ingestSvc := extractServer(t)
	sess := a.session("submitter", "HMRC")
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/extract"), extractAnswers(), "staff.csv", []byte(retExtractCSV))
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), BasePath+"/extracts/") {
		t.Fatalf("%d %q %s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	c := a.callsTo("POST", "/extracts")
	if len(c) != 1 || c[0].ContentType != "application/json" || c[0].Auth != "Bearer "+sess.AccessToken {
		t.Fatalf("POST /extracts: %+v", c)
	}
	for _, want := range []string{`"org":"HMRC"`, `"period":"2026-27-Q2"`, `"format":"csv"`, fmt.Sprintf(`"content_length":"%d"`, len(retExtractCSV)), `"cslg_members":"4"`, `"exec_committee_digital_leader":"yes"`} {
		if !strings.Contains(string(c[0].Body), want) {
			t.Errorf("POST /extracts body %s has no %s", c[0].Body, want)
		}
	}
	if len(s3.puts) != 1 || s3.puts[0].Header.Get("Authorization") != "" || len(s3.objects) != 1 {
		t.Fatalf("S3 puts: %d, objects %d", len(s3.puts), len(s3.objects))
	}

	status := w.Header().Get("Location")
	page := ts.get(sess, status).Body.String()
	if h1(page) != "Your staff extract is being checked" || !strings.Contains(page, `role="button" draggable="false" class="govuk-button" data-module="govuk-button">Check again</a>`) ||
		strings.Contains(page, "http-equiv") {
		t.Errorf("pending: %q %s", h1(page), page)
	}
	s3.arrived(t, ingestSvc)
	page = ts.get(sess, status).Body.String()
	if h1(page) != "Staff extract accepted" || !strings.Contains(page, "Version 1 of the return for 2026-27-Q2") ||
		!strings.Contains(page, `href="/portal/returns/HMRC/2026-27-Q2/versions/1">View the version the extract made</a>`) ||
		!strings.Contains(page, "<dd class=\"govuk-summary-list__value\">3</dd>") {
		t.Errorf("accepted: %q %s", h1(page), page)
	}
	if c := a.callsTo("GET", "/extracts/"+strings.TrimPrefix(status, BasePath+"/extracts/")); len(c) != 2 {
		t.Errorf("GET /extracts calls: %d", len(c))
	}
	// Another organisation's submitter is refused the extract's page by the API.
	if w := ts.get(a.session("submitter", "DWP"), status); w.Code != http.StatusForbidden {
		t.Errorf("DWP reads HMRC's extract: %d", w.Code)
	}
}

func TestRejectedExtractShowsItsProblems(t *testing.T) {
	ts, a, s3, ingestSvc := extractServer(t)
	sess := a.session("submitter", "HMRC")
	bad := retExtractCSV + "A4,G7,DDaT,Data,2,yes,,\n"
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/extract"), extractAnswers(), "staff.csv", []byte(bad))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	s3.arrived(t, ingestSvc)
	page := ts.get(sess, w.Header().Get("Location")).Body.String()
	if h1(page) != "Your staff extract was not accepted" || !strings.Contains(page, "Problems in the extract") || !strings.Contains(page, ">E5</td>") ||
		!strings.Contains(page, `href="/portal/returns/HMRC/2026-27-Q2/extract">Upload the corrected extract</a>`) {
		t.Errorf("rejected: %q %s", h1(page), page)
	}
}

func TestExtractAnswersAndFileAreChecked(t *testing.T) {
	ts, a, s3, _ := extractServer(t)
	sess := a.session("submitter", "HMRC")
	answers := extractAnswers()
	answers.Del("board_digital_ned")
	w := ts.postMultipart(sess, retURL("HMRC", q2, "/extract"), answers, "staff.csv", []byte(retExtractCSV))
	page := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(page, `<li><a href="#board-digital-ned">Digital non-executive director on the board (board_digital_ned) is required.</a></li>`) ||
		!strings.Contains(page, `<fieldset class="govuk-fieldset" aria-describedby="board-digital-ned-hint board-digital-ned-error">`) ||
		!strings.Contains(page, `<p id="board-digital-ned-error" class="govuk-error-message">`) {
		t.Errorf("a missing answer: %d %s", w.Code, page)
	}
	answers = extractAnswers()
	answers.Set("cslg_members_ai_immersion", "9")
	page = ts.postMultipart(sess, retURL("HMRC", q2, "/extract"), answers, "staff.csv", []byte(retExtractCSV)).Body.String()
	if !strings.Contains(page, `<li><a href="#cslg-members-ai-immersion">`) ||
		!strings.Contains(page, `class="govuk-input govuk-input--width-5 govuk-input--error" id="cslg-members-ai-immersion" name="cslg_members_ai_immersion" type="text" inputmode="numeric" spellcheck="false" value="9"`) {
		t.Errorf("answers that disagree: %s", page)
	}
	for name, tc := range map[string]struct {
		file string
		body []byte
		want string
	}{
		"no file":   {"", nil, "Select a file"},
		"too large": {"staff.csv", make([]byte, DefaultMaxUploadBytes+1), "The selected file must be smaller than 2MB. Send a larger extract through the API"},
		"wrong":     {"staff.ods", []byte("x"), "The selected file must be a CSV or XLSX file"},
	} {
		w := ts.postMultipart(sess, retURL("HMRC", q2, "/extract"), extractAnswers(), tc.file, tc.body)
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `<li><a href="#file">`+tc.want+`</a></li>`) {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	if len(s3.puts) != 0 {
		t.Error("a refused extract was uploaded")
	}
	// A quarter with a version: the extract makes a revision, which needs its reason.
	a.submit(sample.Return(retHMRC, q2))
	w = ts.postMultipart(sess, retURL("HMRC", q2, "/extract"), extractAnswers(), "staff.csv", []byte(retExtractCSV))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `<li><a href="#revision-reason">Enter the reason for the revision</a></li>`) {
		t.Errorf("revision without a reason: %d", w.Code)
	}
	with := extractAnswers()
	with.Set("revision_reason", "Now from the HR system")
	if w := ts.postMultipart(sess, retURL("HMRC", q2, "/extract"), with, "staff.csv", []byte(retExtractCSV)); w.Code != http.StatusSeeOther {
		t.Errorf("revision with a reason: %d %s", w.Code, w.Body.String())
	}
	if c := a.callsTo("POST", "/extracts"); len(c) != 3 || !strings.Contains(string(c[2].Body), `"revision_reason":"Now from the HR system"`) {
		t.Errorf("POST /extracts: %v", c)
	}
}
