//go:build unix

package report

import (
	"context"
	"encoding/csv"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// csvAllSheets is LibreOffice's CSV filter set to UTF-8, values as shown (formatted) and,
// with the final -1, every sheet to a file of its own named <file>-<sheet>.csv.
const csvAllSheets = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"

// TestLibreOfficeReadsWorkbook checks the workbook with a second implementation of the
// format: LibreOffice converts it to CSV and the figures come out as Excel would show
// them.
func TestLibreOfficeReadsWorkbook(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("LibreOffice is not installed (no soffice on PATH): `make test` installs Debian's libreoffice-calc-nogui; " +
			"or install it with: sudo apt-get install --no-install-recommends libreoffice-calc-nogui")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "synthetic.xlsx")
	if err := os.WriteFile(in, mustWrite(t, synthetic()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	// A profile of its own, so that parallel runs do not wait on each other's lock.
	profile := (&url.URL{Scheme: "file", Path: filepath.Join(dir, "profile")}).String()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+profile,
		"--headless", "--norestore", "--convert-to", csvAllSheets, "--outdir", out, in)
	// soffice starts soffice.bin as a child: on timeout, end the whole process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
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
