package returncheck

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/register"
	"github.com/ddat-workforce/returns/shared/textsafe"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Exit statuses of returns-check.
const (
	ExitValid    = 0 // every file can be sent
	ExitProblems = 1 // at least one file has problems
	ExitUsage    = 2 // the command was used wrongly, or a file could not be read
)

const usage = `Usage: returns-check [--json] [--register FILE] [--today YYYY-MM-DD] [--due-days N] FILE...

Checks DDaT workforce return files before you send them, with the same rules as the
service: the Excel template (.xlsx), CSV (field,value rows) and JSON. For each file it
lists every problem, with the cell (such as Return!D12) or line where it is, then any
warnings, then whether the file is ready to send.

It works offline and sends nothing. The service compares a return with your
organisation's return for the previous quarter and with what you have already sent, so
when you send the file it may still warn about changes since the previous quarter, or
tell you the content is the same as the version already sent.

Exit status: 0 when every file is ready to send, 1 when any file has problems,
2 when the command is used wrongly or a file cannot be read.

Options:
`

// Main runs returns-check with args (without the program name), writing to stdout and
// stderr, and returns the exit status. now is the clock, time.Now outside tests.
func Main(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("returns-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON document for machines instead of text")
	registerFile := fs.String("register", "", "check organisations against this register `CSV` (columns code,name,parent,kind,baseline_headcount_approx)\ninstead of the register built in")
	today := fs.String("today", "", "check as if today were this `date` (YYYY-MM-DD): a quarter that has not ended by then is in the future")
	dueDays := fs.Int("due-days", DefaultDueDays, "days after a quarter's end that returns are due, for the late-return warning")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		stderr = stdout
		fs.Usage()
		return ExitValid
	}
	if err != nil {
		return ExitUsage // the flag package has said why
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "returns-check: name at least one file to check, for example: returns-check hmrc-2025-26-Q1.xlsx")
		fmt.Fprintln(stderr, "Run returns-check --help for how to use it.")
		return ExitUsage
	}
	if *dueDays < 0 || *dueDays > 365 {
		fmt.Fprintln(stderr, "returns-check: --due-days must be a whole number of days from 0 to 365.")
		return ExitUsage
	}
	c := Checker{Now: now().UTC(), DueDays: *dueDays}
	if *today != "" {
		if c.Now, err = Today(*today); err != nil {
			fmt.Fprintf(stderr, "returns-check: --today: %v.\n", err)
			return ExitUsage
		}
	}
	if c.Register, err = LoadRegister(*registerFile); err != nil {
		fmt.Fprintf(stderr, "returns-check: %v\n", err)
		return ExitUsage
	}

	results := make([]Result, len(files))
	for i, name := range files {
		results[i] = c.CheckFile(name)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(Report{Valid: status(results) == ExitValid, Files: results}); err != nil {
			fmt.Fprintf(stderr, "returns-check: %v\n", err)
			return ExitUsage
		}
	} else {
		for _, r := range results {
			if r.Error != "" {
				fmt.Fprintf(stderr, "returns-check: %s\n", printable(r.Error))
				continue
			}
			WriteText(stdout, r)
		}
	}
	return status(results)
}

// parseInterleaved parses flags given before, between or after the file names, as people
// type them: returns-check a.xlsx --json. Everything after "--" is a file.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return files, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(files, rest...), nil
		}
		files, args = append(files, rest[0]), rest[1:]
	}
}

// Report is the --json output: every file's result, and whether all can be sent.
type Report struct {
	Valid bool     `json:"valid"`
	Files []Result `json:"files"`
}

func status(results []Result) int {
	st := ExitValid
	for _, r := range results {
		switch {
		case r.Error != "":
			return ExitUsage
		case !r.Valid:
			st = ExitProblems
		}
	}
	return st
}

// CheckFile reads and checks the file at path; a file that cannot be read is a Result
// with Error set.
func (c Checker) CheckFile(path string) Result {
	data, err := readFile(path)
	if err != nil {
		return Result{File: path, Problems: []workforce.Problem{}, Warnings: []workforce.Problem{}, Error: err.Error()}
	}
	if data == nil {
		return Result{File: path, Problems: []workforce.Problem{{Code: workforce.ETooLarge, Message: fmt.Sprintf(
			"The file is larger than %s MB, the largest the service accepts. A quarterly return is usually well under 100 KB.", numfmt.Int(MaxFileBytes>>20))}},
			Warnings: []workforce.Problem{}}
	}
	return c.Check(path, data)
}

// readFile reads at most MaxFileBytes of path; nil data and no error means it is larger.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("cannot read %s: it is a folder, not a file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	if len(data) > MaxFileBytes {
		return nil, nil
	}
	return data, nil
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LoadRegister reads a register CSV laid out as the built-in one, or the built-in one
// when path is "".
func LoadRegister(path string) (workforce.Register, error) {
	var orgs []workforce.Organisation
	var err error
	if path == "" {
		orgs, err = register.Seed()
	} else {
		var data []byte
		if data, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("--register: cannot read %s: %w", path, unwrapPath(err))
		}
		if orgs, err = register.Read(path, data); err != nil {
			err = fmt.Errorf("--register: %w", err)
		}
	}
	if err != nil {
		return nil, err
	}
	reg := make(workforce.Register, len(orgs))
	for _, o := range orgs {
		reg[o.Code] = o
	}
	return reg, nil
}

// WriteText writes a result for people: every problem with where it is, then every
// warning, then a summary line.
func WriteText(w io.Writer, r Result) {
	for _, p := range r.Problems {
		fmt.Fprintf(w, "%s: problem%s: %s\n", printable(r.File), where(p), printable(p.Message))
	}
	for _, p := range r.Warnings {
		fmt.Fprintf(w, "%s: warning%s: %s\n", printable(r.File), where(p), printable(p.Message))
	}
	fmt.Fprintln(w, printable(Summary(r)))
}

// where is " at Return!D12 (ddat_fte)", " on line 7 (fte)", " (headcount)" or "".
func where(p workforce.Problem) string {
	var s string
	switch {
	case p.Cell != "":
		s = " at " + p.Cell
	case p.Line > 0:
		s = fmt.Sprintf(" on line %d", p.Line)
	}
	if p.Field != "" {
		s += " (" + p.Field + ")"
	}
	return s
}

// Summary is the last line printed for a file.
func Summary(r Result) string {
	if !r.Valid {
		return fmt.Sprintf("%s: %d %s", r.File, len(r.Problems), plural(len(r.Problems), "problem", "problems"))
	}
	s := r.File + ": no problems: ready to send"
	if n := len(r.Warnings); n > 0 {
		s += fmt.Sprintf(" (%d %s to look at first)", n, plural(n, "warning", "warnings"))
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// printable writes control characters (from a file name, or a cell's sheet name) as
// escapes, so what is printed cannot move the cursor or recolour the terminal.
func printable(s string) string {
	if _, at := textsafe.ControlChar(s, false); at == 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
