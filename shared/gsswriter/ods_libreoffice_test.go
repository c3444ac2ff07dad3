//go:build unix

package gsswriter

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ddat-workforce/returns/shared/testsupport/soffice"
)

// TestLibreOfficeReadsODSAsXLSX opens the XLSX and the ODS of the same workbook in
// LibreOffice and finds the same sheets with the same values, as shown, in both.
func TestLibreOfficeReadsODSAsXLSX(t *testing.T) {
	xlsx, ods := soffice.SheetsAsCSV(t, "synthetic.xlsx", mustWrite(t, synthetic())), soffice.SheetsAsCSV(t, "synthetic.ods", mustWriteODS(t, synthetic()))
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

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
