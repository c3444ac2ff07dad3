package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/s3store"
)

// download follows a presigned URL.
func download(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	status, _, b := download(t, url)
	return status, b
}

func TestReportDownloads(t *testing.T) {
	h := newHarness(t)
	_, snap := h.rollup("POST", "")
	if len(snap.Reports) != len(rollup.Editions)*len(rollup.Formats) {
		t.Fatalf("snapshot has %d workbooks, want every edition in every format: %+v", len(snap.Reports), snap.Reports)
	}
	for _, tc := range []struct {
		edition, format, query, token string
		status                        int
	}{
		{rollup.EditionPublished, rollup.FormatXLSX, "", h.token("HMRC", "submitter"), 303},
		{rollup.EditionPublished, rollup.FormatODS, "&format=ods", h.token("HMRC", "submitter"), 303},
		{rollup.EditionManagement, rollup.FormatXLSX, "&format=xlsx", h.token("CO", "leader"), 303},
		{rollup.EditionManagement, rollup.FormatODS, "&format=ods", h.token("CO", "leader"), 303},
		{rollup.EditionManagement, rollup.FormatODS, "&format=ods", h.token("HMRC", "submitter"), 403},
		{"draft", rollup.FormatXLSX, "", h.token("CO", "leader"), 400},
		{rollup.EditionPublished, "pdf", "&format=pdf", h.token("CO", "leader"), 400},
	} {
		name := tc.edition + " " + tc.format
		r := h.do("GET", "/reports/"+rollupMonth+"?edition="+tc.edition+tc.query, tc.token, "", nil, nil)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", name, r.Status, tc.status, r.Body)
			continue
		}
		if tc.format == "pdf" && !strings.Contains(string(r.Body), `"field":"format"`) {
			t.Errorf("%s: %s does not name the format parameter", name, r.Body)
		}
		if tc.status != 303 {
			continue
		}
		loc := r.Header.Get("Location")
		status, header, body := download(t, loc)
		rep, _ := snap.ReportIn(tc.edition, tc.format)
		sum := sha256.Sum256(body)
		if status != 200 || hex.EncodeToString(sum[:]) != rep.SHA256 || len(body) != rep.Bytes || r.Header.Get("X-Report-Sha256") != rep.SHA256 {
			t.Errorf("%s: download %d, %d bytes, SHA-256 %x; want the snapshot's %s", name, status, len(body), sum, rep.SHA256)
		}
		if got, want := header.Get("Content-Type"), rollup.ContentType(tc.format); got != want {
			t.Errorf("%s: downloaded as %s, want %s", name, got, want)
		}
		file := fmt.Sprintf("ddat-workforce-%s-r%d-%s.%s", snap.Month, snap.Revision, tc.edition, tc.format)
		if got := header.Get("Content-Disposition"); got != `attachment; filename="`+file+`"` {
			t.Errorf("%s: Content-Disposition %q, want the file name %s", name, got, file)
		}
		if tc.format == rollup.FormatODS && !bytes.HasPrefix(body[30:], []byte("mimetypeapplication/vnd.oasis.opendocument.spreadsheet")) {
			t.Errorf("%s: the download is not an OpenDocument spreadsheet: %q", name, body[:min(80, len(body))])
		}
		// An altered signature is refused.
		i := strings.Index(loc, "X-Amz-Signature=") + len("X-Amz-Signature=")
		flip := "0"
		if loc[i] == '0' {
			flip = "1"
		}
		if status, _ := get(t, loc[:i]+flip+loc[i+1:]); status != 403 {
			t.Errorf("%s: altered URL answered %d, want 403", name, status)
		}
		if !strings.Contains(loc, "X-Amz-Expires=300") {
			t.Errorf("%s: URL does not expire within minutes: %s", name, loc)
		}
	}

	// A URL past its expiry is refused.
	for k, v := range h.env {
		t.Setenv(k, v)
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.NewClients(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := snap.Report(rollup.EditionPublished)
	url, err := (&s3store.Store{Client: c.S3, Bucket: cfg.BucketName}).PresignGet(context.Background(), rep.Key, "x.xlsx", rollup.ContentType(rollup.FormatXLSX), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, url); status != 200 {
		t.Fatalf("fresh URL answered %d", status)
	}
	time.Sleep(2100 * time.Millisecond)
	if status, _ := get(t, url); status != 403 {
		t.Errorf("expired URL answered %d, want 403", status)
	}
}
