package main_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/returncheck"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// binary is returns-check built once for the tests, as make build builds it.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "returns-check-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "returns-check")
	build := exec.Command("go", "build", "-trimpath", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the binary in dir and returns its output and exit status.
func run(t *testing.T, dir string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		status = exit.ExitCode()
	default:
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errOut.String(), status
}

func fieldValueCSV(rows [][2]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"field", "value"})
	for _, r := range rows {
		_ = w.Write(r[:])
	}
	w.Flush()
	return b.Bytes()
}

// council is a valid local-government return, in catalogue order: line 2 is org.
var council = [][2]string{{"org", "LGA-LEEDS"}, {"period", "2025-26-Q2"}, {"exec_committee_digital_leader", "yes"}, {"board_digital_ned", "no"}}

func write(t *testing.T, dir, name string, body []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExitStatusAndText(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "leeds-2025-26-Q2.csv", fieldValueCSV(council))
	bad := append([][2]string{}, council...)
	bad[2][1] = "perhaps"
	bad = append(bad, [2]string{"headcount", "12"})
	write(t, dir, "leeds-bad.csv", fieldValueCSV(bad))
	write(t, dir, "leeds.json", []byte(`{"org": "LGA-LEEDS", "period": "2025-26-Q2", "exec_committee_digital_leader": true, "board_digital_ned": "N"}`))
	write(t, dir, "not-a-workbook.xlsx", fieldValueCSV(council))
	today := "--today=2026-01-15"

	t.Run("valid", func(t *testing.T) {
		out, errOut, st := run(t, dir, today, "leeds-2025-26-Q2.csv", "leeds.json")
		want := "leeds-2025-26-Q2.csv: no problems: ready to send\nleeds.json: no problems: ready to send\n"
		if st != returncheck.ExitValid || out != want || errOut != "" {
			t.Errorf("status %d, stdout:\n%s\nstderr: %s\nwant status 0 and:\n%s", st, out, errOut, want)
		}
	})
	t.Run("problems", func(t *testing.T) {
		out, _, st := run(t, dir, "leeds-2025-26-Q2.csv", "leeds-bad.csv", today)
		if st != returncheck.ExitProblems {
			t.Errorf("status %d, want 1", st)
		}
		for _, want := range []string{
			"leeds-2025-26-Q2.csv: no problems: ready to send\n",
			"leeds-bad.csv: problem on line 4 (exec_committee_digital_leader): ",
			"leeds-bad.csv: problem on line 6 (headcount): Local-government bodies answer only",
			"leeds-bad.csv: 2 problems\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("not a workbook", func(t *testing.T) {
		out, _, st := run(t, dir, today, "not-a-workbook.xlsx")
		if st != returncheck.ExitProblems || !strings.Contains(out, "not-a-workbook.xlsx: problem: The file's name ends in .xlsx but it is not an Excel workbook") ||
			!strings.Contains(out, "rename it to end in .csv") {
			t.Errorf("status %d, output:\n%s", st, out)
		}
	})
	t.Run("future period", func(t *testing.T) {
		out, _, st := run(t, dir, "--today", "2025-09-29", "leeds.json")
		if st != returncheck.ExitProblems || !strings.Contains(out, "leeds.json: problem (period): 2025-26-Q2 has not ended yet") {
			t.Errorf("status %d, output:\n%s", st, out)
		}
		if _, _, st := run(t, dir, "--today", "2025-09-30", "leeds.json"); st != returncheck.ExitValid {
			t.Errorf("on the quarter's last day: status %d, want 0", st)
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		out, errOut, st := run(t, dir, today, "leeds.json", "missing.csv", ".")
		if st != returncheck.ExitUsage || !strings.Contains(out, "leeds.json: no problems") ||
			!strings.Contains(errOut, "cannot read missing.csv: no such file or directory") || !strings.Contains(errOut, "cannot read .: it is a folder") {
			t.Errorf("status %d, stdout:\n%s\nstderr:\n%s", st, out, errOut)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{}, {"--nonsense", "leeds.json"}, {"--today", "15/01/2026", "leeds.json"}, {"--register", "missing.csv", "leeds.json"}} {
			if _, errOut, st := run(t, dir, args...); st != returncheck.ExitUsage || errOut == "" {
				t.Errorf("%v: status %d, stderr %q; want 2 and a reason", args, st, errOut)
			}
		}
		out, _, st := run(t, dir, "--help")
		if st != 0 || !strings.Contains(out, "may still warn about changes since the previous quarter") {
			t.Errorf("--help: status %d:\n%s", st, out)
		}
	})
}

func TestJSONOutput(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "ok.csv", fieldValueCSV(council))
	write(t, dir, "bad.json", []byte(`{"org": "LGA-LEEDS", "period": "2025-26-Q2", "exec_committee_digital_leader": "maybe"}`))
	out, _, st := run(t, dir, "--json", "--today", "2026-01-15", "ok.csv", "bad.json")
	if st != returncheck.ExitProblems {
		t.Errorf("status %d, want 1", st)
	}
	var rep returncheck.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if rep.Valid || len(rep.Files) != 2 || !rep.Files[0].Valid || rep.Files[0].Format != workforce.FormatCSV || rep.Files[0].Org != "LGA-LEEDS" {
		t.Fatalf("report: %+v", rep)
	}
	var codes []string
	for _, p := range rep.Files[1].Problems {
		codes = append(codes, p.Field+":"+p.Code)
	}
	if got, want := strings.Join(codes, " "), "exec_committee_digital_leader:not_yes_no board_digital_ned:required"; got != want {
		t.Errorf("problems %s, want %s", got, want)
	}
	if !strings.Contains(out, `"warnings": []`) || !strings.Contains(out, `"problems": []`) {
		t.Errorf("empty lists should be [] for machines:\n%s", out)
	}
}

func TestRegisterFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "return.csv", fieldValueCSV([][2]string{{"org", "LGA-YORK"}, {"period", "2025-26-Q2"}, {"exec_committee_digital_leader", "yes"}, {"board_digital_ned", "no"}}))
	if out, _, st := run(t, dir, "--today=2026-01-15", "return.csv"); st != returncheck.ExitProblems || !strings.Contains(out, `"LGA-YORK" is not an organisation in the register`) {
		t.Errorf("built-in register: status %d:\n%s", st, out)
	}
	// as a spreadsheet saves UTF-8 CSV: with a byte-order mark
	write(t, dir, "register.csv", []byte("\xEF\xBB\xBFcode,name,parent,kind,baseline_headcount_approx\nLGA-YORK,City of York Council,LGA-YORK,local_government,\n"))
	if out, _, st := run(t, dir, "--register", "register.csv", "--today=2026-01-15", "return.csv"); st != returncheck.ExitValid {
		t.Errorf("--register: status %d:\n%s", st, out)
	}
	write(t, dir, "bad-register.csv", []byte("code,name\nYORK,York\n"))
	if _, errOut, st := run(t, dir, "--register", "bad-register.csv", "return.csv"); st != returncheck.ExitUsage || !strings.Contains(errOut, "bad-register.csv: header must be") {
		t.Errorf("bad register: status %d, stderr %q", st, errOut)
	}
}
