// Package soffice converts spreadsheets with headless LibreOffice, for tests that check a
// real spreadsheet application reads our workbooks. It is test support: no product
// package imports it.
package soffice

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// CSVAllSheets is LibreOffice's CSV filter: UTF-8, values as shown, every sheet to a file
// of its own named <file>-<sheet>.csv.
const CSVAllSheets = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"

// lockPath serialises conversions across test processes: parallel soffice starts on one
// machine sometimes fail with "source file could not be loaded".
var lockPath = filepath.Join(os.TempDir(), "ddat-returns-soffice.lock")

// Convert converts in into outDir with filter, using a profile of its own. It fails with
// a pointer to `make test` when LibreOffice is not installed.
func Convert(ctx context.Context, in, outDir, filter string) ([]byte, error) {
	return ConvertAll(ctx, []string{in}, outDir, filter)
}

// ConvertAll converts several files in one start of LibreOffice, which costs seconds
// where each conversion costs milliseconds.
func ConvertAll(ctx context.Context, ins []string, outDir, filter string) ([]byte, error) {
	bin, err := exec.LookPath("soffice")
	if err != nil {
		return nil, fmt.Errorf("LibreOffice is not installed (no soffice on PATH): `make test` installs Debian's libreoffice-calc-nogui")
	}
	lock, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	var out []byte
	for attempt := 0; attempt < 2; attempt++ {
		profile := (&url.URL{Scheme: "file", Path: filepath.Join(outDir, fmt.Sprintf(".profile-%d", attempt))}).String()
		cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		args := append([]string{"-env:UserInstallation=" + profile, "--headless", "--norestore",
			"--convert-to", filter, "--outdir", outDir}, ins...)
		cmd := exec.CommandContext(cctx, bin, args...)
		// soffice starts soffice.bin as a child: on timeout, end the whole process group.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = 5 * time.Second
		out, err = cmd.CombinedOutput()
		cancel()
		if err == nil && !bytes.Contains(out, []byte("could not be loaded")) {
			return out, nil
		}
	}
	return out, fmt.Errorf("soffice could not convert %s: %v\n%s", strings.Join(ins, ", "), err, out)
}

// TB is the part of testing.TB that SheetsAsCSV needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	TempDir() string
	Context() context.Context
}

// SheetsAsCSV has LibreOffice convert a spreadsheet to CSV, a file per sheet, and returns
// each sheet's CSV by sheet name. name is the file name LibreOffice sees; its extension
// says the format.
func SheetsAsCSV(t TB, name string, b []byte) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, name)
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := filepath.Join(dir, "out")
	if msg, err := Convert(t.Context(), in, out, CSVAllSheets); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, msg)
	}
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	files, err := filepath.Glob(filepath.Join(out, stem+"-*.csv"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	sheets := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sheets[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), stem+"-"), ".csv")] = data
	}
	return sheets
}
