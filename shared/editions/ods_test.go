package editions

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/testsupport/soffice"
)

func renderAs(t testing.TB, s rollup.Snapshot, edition, format string) []byte {
	t.Helper()
	b, err := RenderFormat(s, edition, format)
	if err != nil {
		t.Fatalf("%s %s: %v", edition, format, err)
	}
	return b
}

// digests is the SHA-256 of every edition in every format, one "edition format sum" a line.
func digests(t testing.TB, s rollup.Snapshot) string {
	var lines []string
	for _, ed := range rollup.Editions {
		for _, f := range rollup.Formats {
			sum := sha256.Sum256(renderAs(t, s, ed, f))
			lines = append(lines, ed+" "+f+" "+hex.EncodeToString(sum[:]))
		}
	}
	return strings.Join(lines, "\n")
}

// TestSameSnapshotSameBytesInBothFormats renders the same snapshot here and in two other
// processes, which build it and iterate its maps in other orders, and finds the same
// SHA-256 for each edition in each format.
func TestSameSnapshotSameBytesInBothFormats(t *testing.T) {
	if out := os.Getenv("WORKBOOK_DIGESTS_TO"); out != "" {
		if err := os.WriteFile(out, []byte(digests(t, snapshot(t))), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := digests(t, snapshot(t))
	if again := digests(t, snapshot(t)); again != want {
		t.Fatalf("two renders of the same snapshot differ:\n%s\n%s", want, again)
	}
	for i := range 2 {
		out := filepath.Join(t.TempDir(), "digests")
		cmd := exec.Command(os.Args[0], "-test.run=^TestSameSnapshotSameBytesInBothFormats$", "-test.count=1")
		cmd.Env = append(os.Environ(), "WORKBOOK_DIGESTS_TO="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, b)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("run %d rendered\n%s\nthis process\n%s", i+1, got, want)
		}
	}
}

func TestRenderFormatRefusesUnknownFormat(t *testing.T) {
	if _, err := RenderFormat(snapshot(t), rollup.EditionPublished, "pdf"); err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("got %v, want an error naming the format", err)
	}
}

// TestLibreOfficeReadsODSAsXLSX opens both formats of each edition in LibreOffice and
// finds the same sheets with the same values, as shown, in each.
func TestLibreOfficeReadsODSAsXLSX(t *testing.T) {
	s := snapshot(t)
	for _, ed := range rollup.Editions {
		xlsx := soffice.SheetsAsCSV(t, ed+".xlsx", renderAs(t, s, ed, rollup.FormatXLSX))
		ods := soffice.SheetsAsCSV(t, ed+".ods", renderAs(t, s, ed, rollup.FormatODS))
		names := func(m map[string][]byte) []string {
			var k []string
			for n := range m {
				k = append(k, n)
			}
			slices.Sort(k)
			return k
		}
		if want := slices.Sorted(slices.Values(wantSheets)); !slices.Equal(names(xlsx), want) || !slices.Equal(names(ods), want) {
			t.Fatalf("%s: sheets from the XLSX %q, from the ODS %q; want %q", ed, names(xlsx), names(ods), want)
		}
		for sheet, want := range xlsx {
			if got := ods[sheet]; !bytes.Equal(got, want) {
				t.Errorf("%s: sheet %s differs:\nODS:\n%s\nXLSX:\n%s", ed, sheet, got, want)
			}
		}
	}
}

// BenchmarkRenderFormats renders both editions of a 500 × 12 rollup in each format and
// reports the size of the published edition.
func BenchmarkRenderFormats(b *testing.B) {
	s := bigSnapshot(b)
	for _, f := range rollup.Formats {
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				for _, ed := range rollup.Editions {
					out, err := RenderFormat(s, ed, f)
					if err != nil {
						b.Fatal(err)
					}
					if ed == rollup.EditionPublished {
						size = len(out)
					}
				}
			}
			b.ReportMetric(float64(size), "bytes/published")
		})
	}
}
