//go:build unix

package gsswriter

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ddat-workforce/returns/shared/testsupport/soffice"
)

// TestLibreOfficeReadsODSAsXLSX opens the XLSX and the ODS of the same workbook in
// LibreOffice and finds the same sheets with the same values, as shown, in both.
func TestLibreOfficeReadsODSAsXLSX(t *testing.T) {
	xlsx, ods := sheetsAsCSV(t, "synthetic.xlsx", mustWrite(t, synthetic())), sheetsAsCSV(t, "synthetic.ods", mustWriteODS(t, synthetic()))
	if len(xlsx) == 0 {
		t.Fatal("LibreOffice wrote no sheets of the XLSX")
	}
	if !slices.Equal(sortedKeys(ods), sortedKeys(xlsx)) {
		t.Fatalf("ODS sheets %q, XLSX sheets %q", sortedKeys(ods), sortedKeys(xlsx))
	}
	for sheet, want := range xlsx {
		if got := ods[sheet]; !bytes.Equal(got, want) {
			t.Errorf("sheet %s differs:\nODS:\n%s\nXLSX:\n%s", sheet, got, want)
		}
	}
	if !bytes.Contains(ods["Share"], []byte(`2025-26 Q4,"496,500","33,900",6.8%,6.0%`)) {
		t.Errorf("LibreOffice's Share sheet of the ODS has no row for 2025-26 Q4:\n%s", ods["Share"])
	}
}

// sheetsAsCSV has LibreOffice convert a spreadsheet to CSV, a file per sheet, and
// returns each sheet's CSV by sheet name.
func sheetsAsCSV(t *testing.T, name string, b []byte) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, name)
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if msg, err := soffice.Convert(t.Context(), in, out, soffice.CSVAllSheets); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, msg)
	}
	stem := name[:len(name)-len(filepath.Ext(name))]
	files, err := filepath.Glob(filepath.Join(out, stem+"-*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sheets := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		sheets[base[len(stem)+1:len(base)-len(".csv")]] = data
	}
	return sheets
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
