//go:build unix

package gsswriter

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ddat-workforce/returns/shared/testsupport/soffice"
)

// TestLibreOfficeReadsWorkbook checks the workbook with a second implementation of the
// format: LibreOffice converts it to CSV and the figures come out as Excel would show
// them.
func TestLibreOfficeReadsWorkbook(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "synthetic.xlsx")
	if err := os.WriteFile(in, mustWrite(t, synthetic()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	b, err := soffice.Convert(t.Context(), in, out, soffice.CSVAllSheets)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("soffice: %s", b)

	share := readCSV(t, filepath.Join(out, "synthetic-Share.csv"))
	want := []string{"2025-26 Q4", "496,500", "33,900", "6.8%", "6.0%"}
	if !slices.ContainsFunc(share, func(r []string) bool { return slices.Equal(r, want) }) {
		t.Errorf("LibreOffice's Share sheet has no row %q:\n%q", want, share)
	}
	orgs := readCSV(t, filepath.Join(out, "synthetic-Organisations.csv"))
	want = []string{"D02", "Office for Illustration", "non-ministerial department", "940", "[c]", "[c]", "901.50", "31 March 2026"}
	if !slices.ContainsFunc(orgs, func(r []string) bool { return slices.Equal(r, want) }) {
		t.Errorf("LibreOffice's Organisations sheet has no row %q:\n%q", want, orgs)
	}
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}
