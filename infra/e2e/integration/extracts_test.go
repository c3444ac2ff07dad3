package integration

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/extract/extracttest"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// extractAnswers are the leadership answers a civil-service organisation gives beside an
// extract, with the file's format and size.
func extractAnswers(org, format string, size int) map[string]any {
	return map[string]any{
		"org": org, "period": q1.String(), "format": format, "content_length": size,
		"exec_committee_digital_leader": "yes", "board_digital_ned": "no",
		"senior_appointments": 4, "senior_appointments_assessed": 3,
		"digital_senior_roles": 5, "digital_senior_roles_with_succession_plan": 5,
		"cslg_members": 12, "cslg_members_ai_immersion": 7,
	}
}

type extractUpload struct {
	ExtractID string            `json:"extract_id"`
	Status    string            `json:"status"`
	UploadURL string            `json:"upload_url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
}

type extractStatus struct {
	ExtractID      string              `json:"extract_id"`
	Org            string              `json:"org"`
	Status         string              `json:"status"`
	Rows           *int                `json:"rows"`
	SHA256         string              `json:"sha256"`
	IgnoredColumns []string            `json:"ignored_columns"`
	Receipt        *workforce.Receipt  `json:"receipt"`
	Message        string              `json:"message"`
	Problems       []workforce.Problem `json:"problems"`
	ProblemCounts  map[string]int      `json:"problem_counts"`
}

// askExtract is POST /extracts.
func (h *harness) askExtract(token string, body map[string]any) (localclient.Response, extractUpload) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	r := h.do("POST", "/extracts", token, "application/json", b, nil)
	var up extractUpload
	if r.Status == 201 {
		if err := json.Unmarshal(r.Body, &up); err != nil {
			h.t.Fatalf("POST /extracts: %v: %s", err, r.Body)
		}
	}
	return r, up
}

// put sends body to the presigned URL with the headers it was given, contentType
// replacing the signed one when not empty; it answers S3's status.
func (h *harness) put(up extractUpload, body []byte, contentType string) int {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.ctx, up.Method, up.UploadURL, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range up.Headers {
		if !strings.EqualFold(k, "content-length") { // Go sends the body's own length
			req.Header.Set(k, v)
		}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (h *harness) extractStatus(token, id string) extractStatus {
	h.t.Helper()
	r := h.do("GET", "/extracts/"+id, token, "", nil, nil)
	mustStatus(h.t, r, 200)
	var st extractStatus
	if err := json.Unmarshal(r.Body, &st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

// awaitExtract polls GET /extracts/{id} until the extract is accepted or rejected.
func (h *harness) awaitExtract(token, id string) extractStatus {
	h.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		st := h.extractStatus(token, id)
		if st.Status == "accepted" || st.Status == "rejected" {
			return st
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("extract %s still %s after 90 s", id, st.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sendExtract asks for an upload of file and sends it, answering the extract's id.
func (h *harness) sendExtract(token, org string, file []byte) string {
	h.t.Helper()
	r, up := h.askExtract(token, extractAnswers(org, "csv", len(file)))
	mustStatus(h.t, r, 201)
	if st := h.put(up, file, ""); st != 200 {
		h.t.Fatalf("PUT to the upload URL: %d", st)
	}
	return up.ExtractID
}

// noExtractObjects fails when anything is left under extracts/<org>/.
func noExtractObjects(t *testing.T, p *inProcess, org string) {
	t.Helper()
	if keys := p.uploads(t, "extracts/"+org+"/"); len(keys) > 0 {
		t.Errorf("extract objects kept: %v", keys)
	}
}

// tableHolds lists the items of the whole table (tests may Scan) whose text holds any of
// needles.
func tableHolds(t *testing.T, p *inProcess, needles ...string) []string {
	t.Helper()
	var found []string
	pg := dynamodb.NewScanPaginator(p.clients.DynamoDB, &dynamodb.ScanInput{TableName: &p.cfg.TableName})
	for pg.HasMorePages() {
		page, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(item, &m); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(m)
			for _, n := range needles {
				if bytes.Contains(b, []byte(n)) {
					found = append(found, fmt.Sprintf("%v/%v holds %q", m["pk"], m["sk"], n))
				}
			}
		}
	}
	return found
}

// TestExtractBecomesAReturn: a real CSV extract, uploaded through the presigned URL,
// becomes a version whose figures are an independent count of the people in it, with
// format extract, the file's SHA-256 and row count; the file is gone, no item holds a row's
// values, and the same event delivered again, even racing the first, makes no new version.
func TestExtractBecomesAReturn(t *testing.T) {
	h := newHarness(t)
	p := h.inProcess()
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	people := extracttest.People(3000, q1, 12)
	file := extracttest.CSV(extracttest.Table(people, extracttest.Layout{Seed: 12, Varied: true, Extra: 2}))
	sum := sha256.Sum256(file)

	r, up := h.askExtract(tok, extractAnswers(o.Code, "csv", len(file)))
	mustStatus(t, r, 201)
	if up.Status != "pending" || up.Method != "PUT" || up.Headers["Content-Type"] != "text/csv" || up.Headers["Content-Length"] != strconv.Itoa(len(file)) {
		t.Fatalf("upload offered: %+v", up)
	}
	if d := time.Until(up.ExpiresAt); d < 14*time.Minute || d > 15*time.Minute {
		t.Errorf("upload URL expires in %s, want 15 minutes", d)
	}
	if st := h.extractStatus(tok, up.ExtractID); st.Status != "pending" {
		t.Errorf("before the upload: %s, want pending", st.Status)
	}
	if st := h.put(up, file, ""); st != 200 {
		t.Fatalf("PUT: %d", st)
	}
	// S3 delivers at least once: the same event again, racing the one the upload sent.
	key := fmt.Sprintf("extracts/%s/%s/%s.csv", o.Code, q1, up.ExtractID)
	ingest := app.IngestHandler(p.api.Extracts, p.cfg.BucketName, app.Logger())
	ev := s3Event(p.cfg.BucketName, key, len(file))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = ingest(h.ctx, ev) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("a second delivery: %v", err)
		}
	}

	st := h.awaitExtract(tok, up.ExtractID)
	if st.Status != "accepted" || st.Receipt == nil {
		t.Fatalf("extract %s: %s %s %v", up.ExtractID, st.Status, st.Message, st.Problems)
	}
	if *st.Rows != len(people) || st.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("rows %d sha256 %s, want %d and %x", *st.Rows, st.SHA256, len(people), sum)
	}
	if len(st.IgnoredColumns) != 2 {
		t.Errorf("ignored columns %v, want the 2 extra ones", st.IgnoredColumns)
	}
	if st.Receipt.Version != 1 || st.Receipt.Duplicate {
		t.Errorf("receipt %+v, want version 1", st.Receipt)
	}

	v := h.view(tok, "/returns/"+o.Code+"/"+q1.String())
	want := extracttest.Expected(people, q1)
	for k, s := range map[string]string{"exec_committee_digital_leader": "true", "board_digital_ned": "false", "senior_appointments": "4",
		"senior_appointments_assessed": "3", "cslg_members_ai_immersion": "7"} {
		want[k] = s
	}
	for k, w := range want {
		if got := fmt.Sprint(v.Values[k]); !sameFigure(got, w) {
			t.Errorf("%s = %s, want %s (counted from the people)", k, got, w)
		}
	}
	if len(v.Versions) != 1 {
		t.Errorf("%d versions, want 1: the event delivered five times makes one", len(v.Versions))
	}
	var ver struct {
		Format string `json:"format"`
	}
	json.Unmarshal(h.do("GET", "/returns/"+o.Code+"/"+q1.String()+"/versions/1", tok, "", nil, nil).Body, &ver)
	stored, err := p.store.Version(h.ctx, o.Code, q1, 1)
	if err != nil || stored == nil {
		t.Fatalf("version 1: %v", err)
	}
	if ver.Format != "extract" || stored.Format != "extract" || stored.Rows != len(people) || stored.FileSHA256 != hex.EncodeToString(sum[:]) || stored.FileKey != "" {
		t.Errorf("version: format %q/%q rows %d file sha256 %s key %q; want extract, %d, the extract's hash and no file",
			ver.Format, stored.Format, stored.Rows, stored.FileSHA256, stored.FileKey, len(people))
	}

	// Once more after it was accepted: nothing new, and nothing left.
	if err := ingest(h.ctx, ev); err != nil {
		t.Errorf("a late delivery: %v", err)
	}
	if vs, _ := p.store.Versions(h.ctx, o.Code, q1); len(vs) != 1 {
		t.Errorf("%d versions after a late delivery, want 1", len(vs))
	}
	noExtractObjects(t, p, o.Code)
	if keys := p.uploads(t, "uploads/"+o.Code+"/"); len(keys) > 0 {
		t.Errorf("a copy of the extract was kept: %v", keys)
	}
	refs := []string{people[0].Ref, people[1500].Ref, people[len(people)-1].Ref}
	if found := tableHolds(t, p, refs...); len(found) > 0 {
		t.Errorf("the table holds a row's values:\n%s", joinLines(found))
	}

	// The same file again is the same content: accepted as a duplicate of version 1.
	id := h.sendExtract(tok, o.Code, file)
	again := h.awaitExtract(tok, id)
	if again.Status != "accepted" || !again.Receipt.Duplicate || again.Receipt.Version != 1 {
		t.Errorf("the same extract again: %s %+v, want a duplicate of version 1", again.Status, again.Receipt)
	}
}

// s3Event is the event S3 sends for key, as AWS documents it.
func s3Event(bucket, key string, size int) events.S3Event {
	return events.S3Event{Records: []events.S3EventRecord{{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: "eu-west-2", EventTime: time.Now().UTC(), EventName: "ObjectCreated:Put",
		S3: events.S3Entity{SchemaVersion: "1.0", Bucket: events.S3Bucket{Name: bucket, Arn: "arn:aws:s3:::" + bucket},
			Object: events.S3Object{Key: url.QueryEscape(key), Size: int64(size)}},
	}}}
}

// sameFigure compares figures as numbers: the API writes 1234.50 as 1234.5.
func sameFigure(got, want string) bool {
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	if err1 != nil || err2 != nil {
		return got == want
	}
	return g == w
}

// TestHostileExtracts: what an extract's sender can get wrong, or try, is refused with
// clear problems, and nothing of the file is kept anywhere.
func TestHostileExtracts(t *testing.T) {
	h := newHarness(t)
	p := h.inProcess()
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	file := extracttest.CSV(extracttest.Table(extracttest.People(50, q1, 3), extracttest.Layout{Seed: 3}))

	t.Run("a declared 2 GB", func(t *testing.T) {
		r, _ := h.askExtract(tok, extractAnswers(o.Code, "csv", 2<<30))
		mustStatus(t, r, 422)
		if !hasProblem(problems(t, r).Errors, "content_length", "extract_too_large") {
			t.Errorf("problems: %s", r.Body)
		}
	})

	t.Run("the wrong type or size on the PUT", func(t *testing.T) {
		r, up := h.askExtract(tok, extractAnswers(o.Code, "csv", len(file)))
		mustStatus(t, r, 201)
		if st := h.put(up, file, "application/octet-stream"); st != 403 {
			t.Errorf("PUT as application/octet-stream: %d, want 403 (the content type is signed)", st)
		}
		if st := h.put(up, append(append([]byte{}, file...), "ZZREF9,G7,DDaT,Data,1,yes,,\n"...), ""); st != 403 {
			t.Errorf("PUT of a longer file: %d, want 403 (the length is signed)", st)
		}
		if st := h.extractStatus(tok, up.ExtractID); st.Status != "pending" {
			t.Errorf("after refused uploads: %s, want pending", st.Status)
		}
		noExtractObjects(t, p, o.Code)
	})

	t.Run("a personal value in a bad row", func(t *testing.T) {
		n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
		secret := fmt.Sprintf("Jane Q Secret %d", n)
		rows := extracttest.Table(extracttest.People(40, q1, 4), extracttest.Layout{Seed: 4})
		rows[7][4] = secret // the FTE column
		rows[9][5] = secret // in post
		bad := extracttest.CSV(rows)
		st := h.awaitExtract(tok, h.sendExtract(tok, o.Code, bad))
		if st.Status != "rejected" {
			t.Fatalf("%s, want rejected", st.Status)
		}
		if !hasProblemAt(st.Problems, "fte", "E8", "not_a_number") || !hasProblemAt(st.Problems, "in_post", "F10", "not_yes_no") {
			t.Errorf("problems %+v, want E8 not_a_number and F10 not_yes_no", st.Problems)
		}
		if st.ProblemCounts["not_a_number"] != 1 || st.ProblemCounts["not_yes_no"] != 1 {
			t.Errorf("counts %v", st.ProblemCounts)
		}
		b, _ := json.Marshal(st)
		if bytes.Contains(b, []byte("Secret")) {
			t.Errorf("the answer quotes the cell: %s", b)
		}
		if found := tableHolds(t, p, "Secret "+n.String()); len(found) > 0 {
			t.Errorf("the table holds the value:\n%s", joinLines(found))
		}
		noExtractObjects(t, p, o.Code)
	})

	t.Run("more than 500,000 rows", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("staff_ref,grade,profession,job_family,fte,in_post,ddat_start_date,entry_route\n")
		for i := 0; i <= 500_000; i++ {
			fmt.Fprintf(&b, "R%07d,G7,DDaT,Data,1,yes,,\n", i)
		}
		st := h.awaitExtract(tok, h.sendExtract(tok, o.Code, b.Bytes()))
		if st.Status != "rejected" || !hasProblem(st.Problems, "", "too_many_rows") {
			t.Fatalf("%s %+v, want rejected with too_many_rows", st.Status, st.Problems)
		}
		noExtractObjects(t, p, o.Code)
	})

	t.Run("a zip bomb", func(t *testing.T) {
		bomb := zipBombXLSX(t)
		r, up := h.askExtract(tok, extractAnswers(o.Code, "xlsx", len(bomb)))
		mustStatus(t, r, 201)
		if up.Headers["Content-Type"] != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("signed content type %q", up.Headers["Content-Type"])
		}
		if st := h.put(up, bomb, ""); st != 200 {
			t.Fatalf("PUT: %d", st)
		}
		st := h.awaitExtract(tok, up.ExtractID)
		if st.Status != "rejected" || st.ProblemCounts["file_too_large"] != 1 || !strings.Contains(st.Message, "1 problem") {
			t.Errorf("%s %s %+v, want rejected as too large", st.Status, st.Message, st.Problems)
		}
		noExtractObjects(t, p, o.Code)
		mustStatus(t, h.do("GET", "/returns/"+o.Code+"/"+q1.String(), tok, "", nil, nil), 404)
	})

	t.Run("another organisation's extract", func(t *testing.T) {
		other := h.newOrg(workforce.CivilService)
		r, _ := h.askExtract(tok, extractAnswers(other.Code, "csv", len(file)))
		mustStatus(t, r, 403)
		_, up := h.askExtract(h.token(other.Code, "submitter"), extractAnswers(other.Code, "csv", len(file)))
		mustStatus(t, h.do("GET", "/extracts/"+up.ExtractID, tok, "", nil, nil), 403)
		mustStatus(t, h.do("GET", "/extracts/"+up.ExtractID, h.token("CO", "leader"), "", nil, nil), 200)
		mustStatus(t, h.do("GET", "/extracts/"+up.ExtractID, h.token(other.Code, "submitter"), "", nil, nil), 200)
		mustStatus(t, h.do("GET", "/extracts/20250101T000000Z-00000000000000000000000000000000", h.admin(), "", nil, nil), 404)
		mustStatus(t, h.do("POST", "/extracts", h.token(o.Code, "leader"), "application/json", []byte(`{}`), nil), 403)
	})

	t.Run("answers the extract cannot give", func(t *testing.T) {
		body := extractAnswers(o.Code, "ods", len(file))
		delete(body, "board_digital_ned")
		body["senior_appointments_assessed"] = 9 // more than appointed
		body["headcount"] = 12                   // computed from the extract
		r, _ := h.askExtract(tok, body)
		mustStatus(t, r, 422)
		ps := problems(t, r).Errors
		for _, want := range [][2]string{{"format", "unsupported_format"}, {"board_digital_ned", "required"}, {"headcount", "computed_field"}} {
			if !hasProblem(ps, want[0], want[1]) {
				t.Errorf("no %s problem on %s: %s", want[1], want[0], r.Body)
			}
		}
		lg := h.newOrg(workforce.LocalGovernment)
		r, _ = h.askExtract(h.token(lg.Code, "submitter"), map[string]any{"org": lg.Code, "period": q1.String(), "format": "csv",
			"content_length": 10, "exec_committee_digital_leader": "yes", "board_digital_ned": "yes"})
		mustStatus(t, r, 422)
		if !hasProblem(problems(t, r).Errors, "org", "extract_not_applicable") {
			t.Errorf("a local-government body's extract: %s", r.Body)
		}
	})
}

func hasProblem(ps []workforce.Problem, field, code string) bool {
	for _, p := range ps {
		if p.Code == code && (field == "" || p.Field == field) {
			return true
		}
	}
	return false
}

func hasProblemAt(ps []workforce.Problem, field, cell, code string) bool {
	for _, p := range ps {
		if p.Code == code && p.Field == field && p.Cell == cell {
			return true
		}
	}
	return false
}

// zipBombXLSX is a well-formed workbook whose one sheet inflates to 8 MiB of spaces from
// a few kilobytes: no workbook compresses like that.
func zipBombXLSX(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	parts := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	}
	for _, p := range parts {
		w, _ := z.Create(p[0])
		w.Write([]byte(p[1]))
	}
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	w.Write([]byte(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`))
	blank := bytes.Repeat([]byte(" "), 1<<20)
	for i := 0; i < 8; i++ {
		w.Write(blank)
	}
	w.Write([]byte(`</sheetData></worksheet>`))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
