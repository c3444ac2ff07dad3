package integration

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The file is kept with the content type the service decided from the format, never the
// client's header: a 4,000-character parameter once made a valid return a 500.
func TestStoredContentTypeIsTheServicesChoice(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	r, _ := h.submit(tok, "application/json; profile="+strings.Repeat("a", 4000), sample.JSON(sampleFor(o, q1)), nil)
	mustStatus(t, r, 201)
	p := h.inProcess()
	v, err := p.store.Version(h.ctx, o.Code, q1, 1)
	if err != nil || v == nil {
		t.Fatalf("version 1: %v %v", v, err)
	}
	if ct := p.contentType(t, v.FileKey); ct != "application/json" {
		t.Errorf("stored content type %q, want application/json", ct)
	}
}

// A compressed body is refused as such (415), not misread as text that is not UTF-8.
func TestCompressedBodyIs415(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(sample.CSV(sampleFor(o, q1)))
	_ = zw.Close()
	for _, enc := range []string{"gzip", "br", "deflate, gzip"} {
		r, _ := h.submit(tok, "text/csv", gz.Bytes(), map[string]string{"Content-Encoding": enc})
		if r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Encoding %s: status %d, want 415: %.200s", enc, r.Status, r.Body)
			continue
		}
		if p := problems(t, r); !strings.Contains(p.Detail, "uncompressed") {
			t.Errorf("Content-Encoding %s: detail %q does not ask for it uncompressed", enc, p.Detail)
		}
	}
	r, _ := h.submit(tok, "text/csv", sample.CSV(sampleFor(o, q1)), map[string]string{"Content-Encoding": "identity"})
	mustStatus(t, r, 201)
}

// Every duplicate and every request that loses a race leaves no file that no version
// references: each file under uploads/ belongs to a version.
func TestNoUploadIsLeftWithoutAVersion(t *testing.T) {
	h := newHarness(t)
	o := h.newOrg(workforce.CivilService)
	tok := h.token(o.Code, "submitter")
	values := sampleFor(o, q1)
	mustStatus(t, h.do("POST", "/returns", tok, httpapi.ContentTypeJSON, sample.JSON(values), nil), 201)
	mustStatus(t, h.do("POST", "/returns", tok, httpapi.ContentTypeJSON, sample.JSON(values), nil), 200)
	mustStatus(t, h.do("POST", "/returns", tok, "text/csv", sample.CSV(values), nil), 200)
	key := map[string]string{"Idempotency-Key": "dup-" + o.Code}
	mustStatus(t, h.do("POST", "/returns", tok, httpapi.ContentTypeJSON, sample.JSON(values), key), 200)
	mustStatus(t, h.do("POST", "/returns", tok, httpapi.ContentTypeJSON, sample.JSON(values), key), 200)

	// Racing identical revisions: one creates version 2, the rest lose and are duplicates.
	values["cslg_members"] = "61"
	values[workforce.KeyRevisionReason] = "CSLG membership corrected."
	same := sample.JSON(values)
	var wg sync.WaitGroup
	statuses := make([]int, 12)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hdr := map[string]string(nil)
			if i%2 == 0 {
				hdr = map[string]string{"Idempotency-Key": fmt.Sprintf("race-%s-%d", o.Code, i%4)}
			}
			r, err := h.client.Do(h.ctx, "POST", "/returns", tok, httpapi.ContentTypeJSON, same, hdr)
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = r.Status
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 200 && s != 201 {
			t.Errorf("racing submission %d: status %d", i, s)
		}
	}
	p := h.inProcess()
	if left := p.unreferencedUploads(t, o.Code, q1); len(left) > 0 {
		t.Errorf("%d files without a version:\n%s", len(left), joinLines(left))
	}
	if all := p.uploads(t, "uploads/"+o.Code+"/"); len(all) != 2 {
		t.Errorf("%d files kept for 2 versions:\n%s", len(all), joinLines(all))
	}

	// A bulk file whose returns are all stored already keeps no file either.
	admin := h.admin()
	before := p.uploads(t, "uploads/2")
	r := h.do("POST", "/returns/bulk", admin, "text/csv", sample.BulkCSV([]map[string]string{values}), nil)
	mustStatus(t, r, 200)
	if after := p.uploads(t, "uploads/2"); len(after) != len(before) {
		t.Errorf("a bulk file of duplicates kept %d files", len(after)-len(before))
	}
}
