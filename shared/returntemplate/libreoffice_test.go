package returntemplate

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ddat-workforce/returns/shared/testsupport/soffice"
)

// TestParseSavedByLibreOffice: a filled template that LibreOffice Calc opened and saved
// again as .xlsx, rewriting every part its own way, reads as the same return.
func TestParseSavedByLibreOffice(t *testing.T) {
	dir := t.TempDir()
	in, outDir := filepath.Join(dir, "filled.xlsx"), filepath.Join(dir, "out")
	tmpl := mustTemplate(t, testOptions())
	values := sample()
	if err := os.WriteFile(in, fillByName(t, tmpl, values), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := soffice.Convert(context.Background(), in, outDir, "xlsx:Calc MS Excel 2007 XML"); err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	data, err := os.ReadFile(filepath.Join(outDir, "filled.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse of the file LibreOffice saved: %v", err)
	}
	diffFields(t, got, expectFields(t, tmpl, values))
}
