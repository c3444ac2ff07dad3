package rollup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// memory is just enough of the stores for a rollup of a month with no returns.
type memory struct {
	workforce.ReturnStore
	workforce.OrganisationStore
	records []Record
	blobs   map[string][]byte
	types   map[string]string
}

func (m *memory) CurrentByPeriod(context.Context, period.Quarter) ([]workforce.Version, error) {
	return nil, nil
}
func (m *memory) Organisations(context.Context) ([]workforce.Organisation, error) { return nil, nil }
func (m *memory) LatestRollup(_ context.Context, month string) (*Record, error) {
	var latest *Record
	for i, r := range m.records {
		if r.Month == month {
			latest = &m.records[i]
		}
	}
	return latest, nil
}
func (m *memory) Rollup(_ context.Context, month string, rev int) (*Record, error) {
	for i, r := range m.records {
		if r.Month == month && r.Revision == rev {
			return &m.records[i], nil
		}
	}
	return nil, nil
}
func (m *memory) Rollups(context.Context) ([]Record, error) { return m.records, nil }
func (m *memory) PutRollup(_ context.Context, rec Record) error {
	m.records = append(m.records, rec)
	return nil
}
func (m *memory) Put(_ context.Context, key string, body []byte, contentType string) error {
	m.blobs[key], m.types[key] = body, contentType
	return nil
}
func (m *memory) Get(_ context.Context, key string) ([]byte, error) {
	b, ok := m.blobs[key]
	if !ok {
		return nil, fmt.Errorf("no object %s", key)
	}
	return b, nil
}

func newService(m *memory) *Service {
	return &Service{Returns: m, Organisations: m, Store: m, Blobs: m, DueDays: 30,
		FirstQuarter: period.MustQuarter("2025-26-Q1"),
		Now:          func() time.Time { return time.Date(2025, 11, 1, 6, 0, 0, 0, time.UTC) },
		Workbook: func(s Snapshot, edition, format string) ([]byte, error) {
			return []byte(edition + " " + format), nil
		}}
}

// TestEveryEditionInEveryFormat runs a rollup and finds each edition stored in each
// format, under its own name and content type, with the SHA-256 of what was stored.
func TestEveryEditionInEveryFormat(t *testing.T) {
	m := &memory{blobs: map[string][]byte{}, types: map[string]string{}}
	snap, created, err := newService(m).Run(context.Background(), month(t), "admin")
	if err != nil || !created {
		t.Fatalf("run: %v (created %v)", err, created)
	}
	if len(snap.Reports) != len(Editions)*len(Formats) {
		t.Fatalf("reports %+v, want every edition in every format", snap.Reports)
	}
	want := map[string]string{
		FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		FormatODS:  "application/vnd.oasis.opendocument.spreadsheet",
	}
	for _, ed := range Editions {
		for _, f := range Formats {
			r, ok := snap.ReportIn(ed, f)
			if !ok {
				t.Errorf("no %s workbook in %s", ed, f)
				continue
			}
			body := m.blobs[r.Key]
			sum := sha256.Sum256(body)
			if string(body) != ed+" "+f || r.SHA256 != hex.EncodeToString(sum[:]) || r.Bytes != len(body) {
				t.Errorf("%s %s: stored %q, report %+v", ed, f, body, r)
			}
			if m.types[r.Key] != want[f] {
				t.Errorf("%s %s stored as %s, want %s", ed, f, m.types[r.Key], want[f])
			}
			if name := fmt.Sprintf("ddat-workforce-2025-10-r1-%s.%s", ed, f); r.Key[len(r.Key)-len(name):] != name {
				t.Errorf("%s %s stored at %s, want a name ending %s", ed, f, r.Key, name)
			}
		}
	}
	if r, _ := snap.Report(EditionPublished); r.Format != FormatXLSX {
		t.Errorf("Report gave %+v, want the XLSX", r)
	}
}

// TestSnapshotsFromBeforeODS reads a snapshot stored before reports had a format: its
// workbooks are XLSX, and it has no ODS.
func TestSnapshotsFromBeforeODS(t *testing.T) {
	m := &memory{blobs: map[string][]byte{}, types: map[string]string{}}
	old := `{"month":"2025-10","revision":1,"reports":[{"edition":"published","key":"reports/2025-10/r0001-1/ddat-workforce-2025-10-r1-published.xlsx","sha256":"ab","bytes":2}]}`
	m.blobs["rollups/old/snapshot.json"] = []byte(old)
	m.records = []Record{{Month: "2025-10", Revision: 1, SnapshotKey: "rollups/old/snapshot.json",
		Reports: []Report{{Edition: EditionPublished, Key: "k", SHA256: "ab", Bytes: 2}}}}
	s := newService(m)
	snap, err := s.Get(context.Background(), month(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := snap.ReportIn(EditionPublished, FormatXLSX); !ok || r.Format != FormatXLSX {
		t.Errorf("old report read as %+v (found %v), want XLSX", r, ok)
	}
	if _, ok := snap.ReportIn(EditionPublished, FormatODS); ok {
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
