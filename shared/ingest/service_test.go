package ingest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/extract/extracttest"
	"github.com/ddat-workforce/returns/shared/ingest"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The journey over in-memory stores: what Request, Ingest and Status promise whatever the
// stores, with their faults made on purpose. The same paths run against DynamoDB Local and
// versitygw in infra/e2e/integration.

var (
	q1    = period.MustQuarter("2025-26-Q1")
	hmrc  = workforce.Principal{Subject: "u-hmrc", Org: "HMRC", Roles: []string{"submitter"}}
	other = workforce.Principal{Subject: "u-dwp", Org: "DWP", Roles: []string{"submitter"}}
	now   = time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC)
)

// bucket is an in-memory ingest.Objects that records what was presigned.
type bucket struct {
	mu      sync.Mutex
	objects map[string]stored
	signed  map[string]stored // key → the type and size signed
}

type stored struct {
	body        []byte
	contentType string
	size        int64
}

func (b *bucket) PresignPut(_ context.Context, key, contentType string, size int64, ttl time.Duration) (ingest.UploadURL, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.signed[key] = stored{contentType: contentType, size: size}
	return ingest.UploadURL{URL: "https://s3.example/" + key, Method: "PUT", ExpiresAt: now.Add(ttl),
		Headers: map[string]string{"Content-Type": contentType, "Content-Length": fmt.Sprint(size)}}, nil
}

// put is S3 taking a PUT to a presigned URL: only with the signed type and size.
func (b *bucket) put(key string, body []byte, contentType string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.signed[key]
	if !ok || s.contentType != contentType || s.size != int64(len(body)) {
		return errors.New("SignatureDoesNotMatch")
	}
	b.objects[key] = stored{body: body, contentType: contentType, size: int64(len(body))}
	return nil
}

func (b *bucket) OpenExtract(_ context.Context, key, _ string) (*ingest.Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[key]
	if !ok {
		return nil, nil
	}
	return &ingest.Object{Body: io.NopCloser(bytes.NewReader(o.body)), Size: o.size, ContentType: o.contentType}, nil
}

func (b *bucket) DeleteExtract(_ context.Context, key, _ string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objects, key)
	return nil
}

type env struct {
	store   *memstore.Store
	records *memstore.Extracts
	bucket  *bucket
	svc     *ingest.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := func() time.Time { return now }
	e := &env{store: &memstore.Store{Now: clock}, records: &memstore.Extracts{},
		bucket: &bucket{objects: map[string]stored{}, signed: map[string]stored{}}}
	for _, o := range []workforce.Organisation{
		{Code: "HMRC", Name: "HM Revenue and Customs", Kind: workforce.CivilService, BaselineHeadcount: 60000},
		{Code: "DWP", Name: "Department for Work and Pensions", Kind: workforce.CivilService, BaselineHeadcount: 90000},
		{Code: "LEEDS", Name: "Leeds City Council", Kind: workforce.LocalGovernment, BaselineHeadcount: 1},
	} {
		if err := e.store.PutOrganisation(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	returns := &workforce.Service{Returns: e.store, Organisations: e.store, Files: &memstore.Bucket{}, DueDays: 30, Now: clock}
	e.svc = &ingest.Service{Extracts: e.records, Objects: e.bucket, Returns: returns, Now: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return e
}

func answers(org, format string, size int) []workforce.RawField {
	return []workforce.RawField{
		{Key: "org", Value: org}, {Key: "period", Value: q1.String()}, {Key: "format", Value: format},
		{Key: "content_length", Value: fmt.Sprint(size)},
		{Key: "exec_committee_digital_leader", Value: "Y"}, {Key: "board_digital_ned", Value: "no"},
		{Key: "senior_appointments", Value: "2"}, {Key: "senior_appointments_assessed", Value: "2"},
		{Key: "digital_senior_roles", Value: "3"}, {Key: "digital_senior_roles_with_succession_plan", Value: "1"},
		{Key: "cslg_members", Value: "8"}, {Key: "cslg_members_ai_immersion", Value: "0"},
	}
}

// send asks for an extract, uploads file and delivers its event.
func (e *env) send(t *testing.T, p workforce.Principal, format string, file []byte) ingest.Extract {
	t.Helper()
	req, err := e.svc.Request(context.Background(), p, answers(p.Org, format, len(file)))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.bucket.put(req.Extract.Key, file, req.Upload.Headers["Content-Type"]); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Ingest(context.Background(), ingest.Event{Key: req.Extract.Key}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Status(context.Background(), p, req.Extract.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestExtractBecomesAVersion(t *testing.T) {
	e := newEnv(t)
	people := extracttest.People(500, q1, 1)
	file := extracttest.CSV(extracttest.Table(people, extracttest.Layout{Seed: 1, Varied: true}))
	got := e.send(t, hmrc, "csv", file)
	if got.Status != ingest.Accepted || got.Receipt == nil || got.Receipt.Version != 1 {
		t.Fatalf("%s %s %v", got.Status, got.Message, got.Problems)
	}
	sum := sha256.Sum256(file)
	v, _ := e.store.Current(context.Background(), "HMRC", q1)
	if v.Format != "extract" || v.Rows != 500 || v.FileSHA256 != hex.EncodeToString(sum[:]) || v.FileKey != "" {
		t.Errorf("version: format %s rows %d sha %s key %q", v.Format, v.Rows, v.FileSHA256, v.FileKey)
	}
	for k, want := range extracttest.Expected(people, q1) {
		if v.Values[k] != want && v.Values[k] != want+".00" {
			t.Errorf("%s = %s, want %s", k, v.Values[k], want)
		}
	}
	if v.Values["exec_committee_digital_leader"] != "yes" || v.Values["cslg_members"] != "8" {
		t.Errorf("answers not in the return: %v", v.Values)
	}
	if len(e.bucket.objects) != 0 {
		t.Errorf("objects left: %v", len(e.bucket.objects))
	}
	// The event again: nothing new.
	if err := e.svc.Ingest(context.Background(), ingest.Event{Key: got.Key}); err != nil {
		t.Fatal(err)
	}
	if vs, _ := e.store.Versions(context.Background(), "HMRC", q1); len(vs) != 1 {
		t.Errorf("%d versions after a second delivery", len(vs))
	}
}

func TestRequestNamesEveryProblem(t *testing.T) {
	e := newEnv(t)
	raw := answers("HMRC", "ods", 200<<20)
	raw = append(raw[:4], raw[5:]...) // no exec_committee_digital_leader
	raw = append(raw, workforce.RawField{Key: "ddat_headcount", Value: "5"})
	_, err := e.svc.Request(context.Background(), hmrc, raw)
	var werr *workforce.Error
	if !errors.As(err, &werr) || werr.Code != workforce.EInvalid {
		t.Fatalf("%v, want invalid", err)
	}
	want := map[string]string{"format": "unsupported_format", "content_length": "extract_too_large",
		"exec_committee_digital_leader": "required", "ddat_headcount": "computed_field"}
	for _, p := range werr.Problems {
		if want[p.Field] == p.Code {
			delete(want, p.Field)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing problems %v in %+v", want, werr.Problems)
	}
	if _, err := e.svc.Request(context.Background(), hmrc, answers("DWP", "csv", 10)); workforce.ErrorCode(err) != workforce.EForbidden {
		t.Errorf("another organisation's: %v, want forbidden", err)
	}
	lg := workforce.Principal{Subject: "u-leeds", Org: "LEEDS", Roles: []string{"submitter"}}
	if _, err := e.svc.Request(context.Background(), lg, []workforce.RawField{{Key: "org", Value: "LEEDS"}, {Key: "period", Value: q1.String()},
		{Key: "format", Value: "csv"}, {Key: "content_length", Value: "9"}, {Key: "exec_committee_digital_leader", Value: "yes"}, {Key: "board_digital_ned", Value: "yes"}}); !strings.Contains(fmt.Sprint(err), "1 problem") {
		t.Errorf("a local-government body's extract: %v", err)
	}
}

func TestStatusIsForTheOrganisation(t *testing.T) {
	e := newEnv(t)
	req, err := e.svc.Request(context.Background(), hmrc, answers("HMRC", "csv", 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Status(context.Background(), other, req.Extract.ID); workforce.ErrorCode(err) != workforce.EForbidden {
		t.Errorf("another organisation: %v", err)
	}
	leader := workforce.Principal{Subject: "l", Roles: []string{"leader"}}
	if st, err := e.svc.Status(context.Background(), leader, req.Extract.ID); err != nil || st.Status != ingest.Pending {
		t.Errorf("a leader: %v %v", st.Status, err)
	}
	if _, err := e.svc.Status(context.Background(), hmrc, "../x"); workforce.ErrorCode(err) != workforce.ENotFound {
		t.Errorf("a malformed id: %v", err)
	}
}

func TestRejectedExtractKeepsNothing(t *testing.T) {
	e := newEnv(t)
	rows := extracttest.Table(extracttest.People(30, q1, 2), extracttest.Layout{Seed: 2})
	rows[3][4] = "Mrs Example"
	got := e.send(t, hmrc, "csv", extracttest.CSV(rows))
	if got.Status != ingest.Rejected || got.ProblemCounts["not_a_number"] != 1 || len(got.Problems) != 1 || got.Problems[0].Cell != "E4" {
		t.Fatalf("%s %v %+v", got.Status, got.ProblemCounts, got.Problems)
	}
	if strings.Contains(fmt.Sprintf("%+v", got), "Example") {
		t.Errorf("the record quotes the cell: %+v", got)
	}
	if v, _ := e.store.Current(context.Background(), "HMRC", q1); v != nil || len(e.bucket.objects) != 0 {
		t.Errorf("kept: version %v, %d objects", v, len(e.bucket.objects))
	}
}

// A store that fails is not a verdict: the extract goes back to pending with its file,
// and the retry of the event reads it.
func TestFailureLeavesTheExtractForARetry(t *testing.T) {
	e := newEnv(t)
	file := extracttest.CSV(extracttest.Table(extracttest.People(20, q1, 3), extracttest.Layout{Seed: 3}))
	req, err := e.svc.Request(context.Background(), hmrc, answers("HMRC", "csv", len(file)))
	if err != nil {
		t.Fatal(err)
	}
	e.bucket.put(req.Extract.Key, file, "text/csv")
	e.svc.Returns.Returns = failingAppend{e.store}
	if err := e.svc.Ingest(context.Background(), ingest.Event{Key: req.Extract.Key}); err == nil {
		t.Fatal("no error from a failing store")
	}
	st, _ := e.svc.Status(context.Background(), hmrc, req.Extract.ID)
	if st.Status != ingest.Pending || len(e.bucket.objects) != 1 {
		t.Fatalf("after a failure: %s, %d objects; want pending with the file", st.Status, len(e.bucket.objects))
	}
	e.svc.Returns.Returns = e.store
	if err := e.svc.Ingest(context.Background(), ingest.Event{Key: req.Extract.Key}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.svc.Status(context.Background(), hmrc, req.Extract.ID); st.Status != ingest.Accepted {
		t.Errorf("the retry: %s", st.Status)
	}
}

type failingAppend struct{ *memstore.Store }

func (failingAppend) Append(context.Context, workforce.Version, *workforce.IdempotencyRecord) error {
	return errors.New("throttled")
}

func TestObjectsNoExtractNamesAreDeleted(t *testing.T) {
	e := newEnv(t)
	e.bucket.objects["extracts/HMRC/x.csv"] = stored{body: []byte("a")}
	if err := e.svc.Ingest(context.Background(), ingest.Event{Key: "extracts/HMRC/x.csv"}); err != nil {
		t.Fatal(err)
	}
	if len(e.bucket.objects) != 0 {
		t.Error("an object no extract names was kept")
	}
}

func TestXLSXExtract(t *testing.T) {
	e := newEnv(t)
	people := extracttest.People(400, q1, 5)
	got := e.send(t, hmrc, "xlsx", workbook(t, extracttest.Table(people, extracttest.Layout{Seed: 5, Varied: true})))
	if got.Status != ingest.Accepted {
		t.Fatalf("%s %s %+v", got.Status, got.Message, got.Problems)
	}
	v, _ := e.store.Current(context.Background(), "HMRC", q1)
	for k, want := range extracttest.Expected(people, q1) {
		if v.Values[k] != want && v.Values[k] != want+".00" {
			t.Errorf("%s = %s, want %s", k, v.Values[k], want)
		}
	}

	bomb := zipBomb(t)
	got = e.send(t, other, "xlsx", bomb)
	if got.Status != ingest.Rejected || got.ProblemCounts["file_too_large"] != 1 {
		t.Errorf("a zip bomb: %s %+v", got.Status, got.Problems)
	}
	got = e.send(t, other, "xlsx", []byte("staff_ref,grade\nP1,G7\n"))
	if got.Status != ingest.Rejected || got.ProblemCounts["not_xlsx"] != 1 {
		t.Errorf("CSV sent as XLSX: %s %+v", got.Status, got.Problems)
	}
}

// workbook writes rows as an .xlsx with excelize, shared strings for text.
func workbook(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipBomb is a well-formed workbook whose sheet inflates to 8 MiB from a few kilobytes: a ratio no workbook has.
func zipBomb(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	parts := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	for name, body := range parts {
		w, _ := z.Create(name)
		io.WriteString(w, body)
	}
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	blank := bytes.Repeat([]byte(" "), 1<<20)
	for i := 0; i < 8; i++ {
		w.Write(blank)
	}
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
