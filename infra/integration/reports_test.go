package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/s3store"
)

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestReportDownloads(t *testing.T) {
	h := newHarness(t)
	_, snap := h.rollup("POST", "")
	if len(snap.Reports) != 2 {
		t.Fatalf("snapshot has %d workbooks, want 2", len(snap.Reports))
	}
	for _, tc := range []struct {
		edition, token string
		status         int
	}{
		{rollup.EditionPublished, h.token("HMRC", "submitter"), 303},
		{rollup.EditionManagement, h.token("CO", "leader"), 303},
		{rollup.EditionManagement, h.token("HMRC", "submitter"), 403},
		{"draft", h.token("CO", "leader"), 400},
	} {
		r := h.do("GET", "/reports/"+rollupMonth+"?edition="+tc.edition, tc.token, "", nil, nil)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.edition, r.Status, tc.status, r.Body)
			continue
		}
		if tc.status != 303 {
			continue
		}
		loc := r.Header.Get("Location")
		status, body := get(t, loc)
		rep, _ := snap.Report(tc.edition)
		sum := sha256.Sum256(body)
		if status != 200 || hex.EncodeToString(sum[:]) != rep.SHA256 || len(body) != rep.Bytes {
			t.Errorf("%s: download %d, %d bytes, SHA-256 %x; want the snapshot's %s", tc.edition, status, len(body), sum, rep.SHA256)
		}
		// An altered signature is refused.
		i := strings.Index(loc, "X-Amz-Signature=") + len("X-Amz-Signature=")
		flip := "0"
		if loc[i] == '0' {
			flip = "1"
		}
		if status, _ := get(t, loc[:i]+flip+loc[i+1:]); status != 403 {
			t.Errorf("%s: altered URL answered %d, want 403", tc.edition, status)
		}
		if !strings.Contains(loc, "X-Amz-Expires=300") {
			t.Errorf("%s: URL does not expire within minutes: %s", tc.edition, loc)
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
	url, err := (&s3store.Store{Client: c.S3, Bucket: cfg.BucketName}).PresignGet(context.Background(), rep.Key, "x.xlsx", time.Second)
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
