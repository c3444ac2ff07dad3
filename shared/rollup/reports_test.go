package rollup_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
)

func newService(s stores) *rollup.Service {
	return &rollup.Service{Returns: s.table, Organisations: s.table, Store: s.table, Blobs: s.bucket, DueDays: 30,
		FirstQuarter: period.MustQuarter("2025-26-Q1"),
		Now:          func() time.Time { return time.Date(2025, 11, 1, 6, 0, 0, 0, time.UTC) },
		Workbook: func(s rollup.Snapshot, edition, format string) ([]byte, error) {
			return []byte(edition + " " + format), nil
		}}
}

// TestEveryEditionInEveryFormat runs a rollup and finds each edition stored in each
// format, under its own name and content type, with the SHA-256 of what was stored.
func TestEveryEditionInEveryFormat(t *testing.T) {
	m := newStores(t)
	snap, created, err := newService(m).Run(context.Background(), month(t), "admin")
	if err != nil || !created {
		t.Fatalf("run: %v (created %v)", err, created)
	}
	if len(snap.Reports) != len(rollup.Editions)*len(rollup.Formats) {
		t.Fatalf("reports %+v, want every edition in every format", snap.Reports)
	}
	want := map[string]string{
		rollup.FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		rollup.FormatODS:  "application/vnd.oasis.opendocument.spreadsheet",
	}
	for _, ed := range rollup.Editions {
		for _, f := range rollup.Formats {
			r, ok := snap.ReportIn(ed, f)
			if !ok {
				t.Errorf("no %s workbook in %s", ed, f)
				continue
			}
			o, _ := m.bucket.Object(r.Key)
			body := o.Body
			sum := sha256.Sum256(body)
			if string(body) != ed+" "+f || r.SHA256 != hex.EncodeToString(sum[:]) || r.Bytes != len(body) {
				t.Errorf("%s %s: stored %q, report %+v", ed, f, body, r)
			}
			if o.ContentType != want[f] {
				t.Errorf("%s %s stored as %s, want %s", ed, f, o.ContentType, want[f])
			}
			if name := fmt.Sprintf("ddat-workforce-2025-10-r1-%s.%s", ed, f); r.Key[len(r.Key)-len(name):] != name {
				t.Errorf("%s %s stored at %s, want a name ending %s", ed, f, r.Key, name)
			}
		}
	}
	if r, _ := snap.Report(rollup.EditionPublished); r.Format != rollup.FormatXLSX {
		t.Errorf("Report gave %+v, want the XLSX", r)
	}
}

// TestSnapshotsFromBeforeODS reads a snapshot stored before reports had a format: its
// workbooks are XLSX, and it has no ODS.
func TestSnapshotsFromBeforeODS(t *testing.T) {
	m := newStores(t)
	old := `{"month":"2025-10","revision":1,"reports":[{"edition":"published","key":"reports/2025-10/r0001-1/ddat-workforce-2025-10-r1-published.xlsx","sha256":"ab","bytes":2}]}`
	if err := m.bucket.Put(context.Background(), "rollups/old/snapshot.json", []byte(old), "application/json"); err != nil {
		t.Fatal(err)
	}
	if err := m.table.PutRollup(context.Background(), rollup.Record{Month: "2025-10", Revision: 1, SnapshotKey: "rollups/old/snapshot.json",
		Reports: []rollup.Report{{Edition: rollup.EditionPublished, Key: "k", SHA256: "ab", Bytes: 2}}}); err != nil {
		t.Fatal(err)
	}
	s := newService(m)
	snap, err := s.Get(context.Background(), month(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := snap.ReportIn(rollup.EditionPublished, rollup.FormatXLSX); !ok || r.Format != rollup.FormatXLSX {
		t.Errorf("old report read as %+v (found %v), want XLSX", r, ok)
	}
	if _, ok := snap.ReportIn(rollup.EditionPublished, rollup.FormatODS); ok {
		t.Error("an old snapshot has an ODS workbook")
	}
	recs, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(recs[0].Reports)
	if string(b) != `[{"edition":"published","format":"xlsx","key":"k","sha256":"ab","bytes":2}]` {
		t.Errorf("listed reports %s, want the format filled in", b)
	}
}

func month(t *testing.T) period.Month {
	m, err := period.ParseMonth("2025-10")
	if err != nil {
		t.Fatal(err)
	}
	return m
}
