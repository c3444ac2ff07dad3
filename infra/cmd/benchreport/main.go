// Command benchreport turns `go test -bench` output into a report people can read: the
// headline figures (parse and validate a return, a submission's round trip through the
// gateway, DynamoDB capacity per submission), every other benchmark found, the machine
// and the date. Every figure comes from the run being reported; none is written here.
//
//	go run ./infra/cmd/benchreport                 # run the benchmarks, then report
//	go run ./infra/cmd/benchreport < bench.txt     # report on saved `go test -bench` output
//	go run ./infra/cmd/benchreport -in bench.txt -o report.txt
//
// Run without input, it runs `go test -run '^$' -bench . -benchmem -count 1 ./shared/...
// ./infra/e2e/bench/` from the repository root; infra/e2e/bench needs the local stack (`make up`).
// Input is read from standard input when it is a file or a pipe, or from -in. The report
// is printed and written to -o (bench-report.txt; -o "" only prints). It exits non-zero
// when a benchmark failed or none ran.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"io"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// benchArgs are the arguments of the run benchreport makes itself.
var benchArgs = []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1", "./shared/...", "./infra/e2e/bench/"}

func main() {
	in := flag.String("in", "", "read `go test -bench` output from this file (- for standard input) instead of running the benchmarks")
	out := flag.String("o", "bench-report.txt", "write the report to this file as well as printing it (empty: print only)")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	source, raw, runErr := input(in)
	if raw == nil {
		return runErr
	}
	res := parse(bytes.NewReader(raw))
	var report bytes.Buffer
	write(&report, res, source, time.Now())
	if _, err := os.Stdout.Write(report.Bytes()); err != nil {
		return err
	}
	if out != "" && !isStdout(out) {
		if err := os.WriteFile(out, report.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "benchreport: wrote %s\n", out)
	}
	switch {
	case len(res.benchmarks) == 0:
		return errors.Join(runErr, errors.New("no benchmark results in the input"))
	case len(res.failed) > 0:
		return errors.Join(runErr, fmt.Errorf("%d benchmark(s) or package(s) failed", len(res.failed)))
	}
	return runErr
}

// input is the benchmark output to report on, and where it came from.
func input(in string) (source string, raw []byte, err error) {
	switch {
	case in == "-" || (in == "" && stdinHasInput()):
		raw, err = io.ReadAll(os.Stdin)
		return "go test -bench output read from standard input", raw, err
	case in != "":
		raw, err = os.ReadFile(in)
		return "go test -bench output read from " + in, raw, err
	}
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	root, err := reporoot.Dir()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(goCmd, benchArgs...)
	cmd.Dir = root
	var buf bytes.Buffer
	// The run's own output goes to stderr as it happens, so progress shows.
	cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
	cmd.Stderr = io.MultiWriter(&buf, os.Stderr)
	fmt.Fprintf(os.Stderr, "benchreport: %s %s\n", goCmd, shellJoin(benchArgs))
	if err := cmd.Run(); err != nil {
		err = fmt.Errorf("go test: %w", err)
		return "go " + shellJoin(benchArgs), buf.Bytes(), err
	}
	return "go " + shellJoin(benchArgs), buf.Bytes(), nil
}

// stdinHasInput reports whether standard input is a file or a pipe rather than a
// terminal or /dev/null.
func stdinHasInput() bool {
	fi, err := os.Stdin.Stat()
	if err != nil {
		return false
	}
	m := fi.Mode()
	return m.IsRegular() || m&os.ModeNamedPipe != 0
}

// isStdout reports whether path is where standard output already goes (as when a
// Makefile redirects it there), so the report is not written twice.
func isStdout(path string) bool {
	a, err1 := os.Stdout.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, "^$*? ") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// metric is one value-unit pair of a benchmark line: 123 ns/op, 4.5 p50-ms.
type metric struct {
	value float64
	unit  string
}

// benchmark is one result line.
type benchmark struct {
	pkg        string
	name       string // without the -GOMAXPROCS suffix
	procs      int
	iterations int64
	metrics    []metric
}

func (b benchmark) get(unit string) (float64, bool) {
	for _, m := range b.metrics {
		if m.unit == unit {
			return m.value, true
		}
	}
	return 0, false
}

// results is everything read from the output.
type results struct {
	goos, goarch, cpu string
	benchmarks        []benchmark
	failed            []string // "--- FAIL: name: why" and "FAIL pkg"
	skipped           []string
}

var (
	benchLine = regexp.MustCompile(`^(Benchmark\S*?)(?:-(\d+))?\s+(\d+)\s+(.+)$`)
	// A benchmark's own messages are indented under its --- line.
	statusLine = regexp.MustCompile(`^\s*--- (FAIL|SKIP): (\S+)`)
)

func parse(r io.Reader) results {
	var res results
	var pkg string
	var last *[]string // the list the latest --- line went to, for its messages
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, " ") {
			switch k {
			case "goos":
				res.goos = v
			case "goarch":
				res.goarch = v
			case "cpu":
				res.cpu = strings.TrimSpace(v)
			case "pkg":
				pkg = v
			}
		}
		if m := statusLine.FindStringSubmatch(line); m != nil {
			if m[1] == "FAIL" {
				res.failed = append(res.failed, m[2])
				last = &res.failed
			} else {
				res.skipped = append(res.skipped, m[2])
				last = &res.skipped
			}
			continue
		}
		if last != nil && strings.HasPrefix(line, "    ") && len(*last) > 0 {
			// The first message says why; file:line prefixes are kept, they say where.
			if i := len(*last) - 1; !strings.Contains((*last)[i], ": ") {
				(*last)[i] += ": " + strings.TrimSpace(line)
			}
			continue
		}
		last = nil
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "FAIL" && strings.Contains(f[1], "/") {
			why := ""
			if len(f) > 2 && strings.HasPrefix(f[2], "[") {
				why = " " + strings.Join(f[2:], " ") // [build failed], [setup failed]
			}
			res.failed = append(res.failed, "package "+f[1]+why)
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		b := benchmark{pkg: pkg, name: m[1]}
		b.procs, _ = strconv.Atoi(m[2])
		b.iterations, _ = strconv.ParseInt(m[3], 10, 64)
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			b.metrics = append(b.metrics, metric{v, f[i+1]})
		}
		res.benchmarks = append(res.benchmarks, b)
	}
	return res
}

// mean is the mean of unit over every result of the named benchmark, and how many had it.
func (res results) mean(name, unit string) (float64, int) {
	var sum float64
	n := 0
	for _, b := range res.benchmarks {
		if v, ok := b.get(unit); ok && b.name == name {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}

// headline is one line of the summary: which benchmark, and how to say its figures.
type headline struct {
	label string
	bench string
	say   func(res results) (string, bool)
}

var headlines = []headline{
	{"Parse + validate, XLSX return", "BenchmarkParseValidateXLSX", perOp("BenchmarkParseValidateXLSX")},
	{"Parse + validate, JSON return", "BenchmarkParseValidateJSON", perOp("BenchmarkParseValidateJSON")},
	{"Submission round trip through the gateway", "BenchmarkSubmitRoundTrip", func(res results) (string, bool) {
		p50, ok1 := res.mean("BenchmarkSubmitRoundTrip", "p50-ms")
		p99, ok2 := res.mean("BenchmarkSubmitRoundTrip", "p99-ms")
		mean, _ := res.mean("BenchmarkSubmitRoundTrip", "ns/op")
		if ok1 == 0 || ok2 == 0 {
			return "", false
		}
		return fmt.Sprintf("p50 %s ms / p99 %s ms (mean %s ms over %s submissions)", sig(p50), sig(p99), sig(mean/1e6), iterations(res, "BenchmarkSubmitRoundTrip")), true
	}},
	{"Portal page, Your returns (submitter)", "BenchmarkPortalPage/YourReturns", pageTime("BenchmarkPortalPage/YourReturns")},
	{"Portal page, Progress (leader)", "BenchmarkPortalPage/Progress", pageTime("BenchmarkPortalPage/Progress")},
	{"DynamoDB capacity per submission", "BenchmarkDynamoDBCapacityPerSubmission", func(res results) (string, bool) {
		rcu, ok1 := res.mean("BenchmarkDynamoDBCapacityPerSubmission", "RCU/submission")
		wcu, ok2 := res.mean("BenchmarkDynamoDBCapacityPerSubmission", "WCU/submission")
		if ok1 == 0 || ok2 == 0 {
			return "", false
		}
		s := fmt.Sprintf("%s RCU / %s WCU", sig(rcu), sig(wcu))
		if calls, ok := res.mean("BenchmarkDynamoDBCapacityPerSubmission", "calls/submission"); ok > 0 {
			s += fmt.Sprintf(" (%s DynamoDB calls per submission, indexes included)", sig(calls))
		}
		return s, true
	}},
}

// pageTime says a portal page's time through the local gateway, API calls included.
func pageTime(name string) func(results) (string, bool) {
	return func(res results) (string, bool) {
		p50, ok1 := res.mean(name, "p50-ms")
		p99, ok2 := res.mean(name, "p99-ms")
		if ok1 == 0 || ok2 == 0 {
			return "", false
		}
		return fmt.Sprintf("p50 %s ms / p99 %s ms over %s loads, signed in through the local OpenID provider", sig(p50), sig(p99), iterations(res, name)), true
	}
}

func perOp(name string) func(results) (string, bool) {
	return func(res results) (string, bool) {
		ns, n := res.mean(name, "ns/op")
		if n == 0 {
			return "", false
		}
		s := sig(ns/1e6) + " ms/op"
		if b, ok := res.mean(name, "B/op"); ok > 0 {
			s += ", " + sig(b/1024) + " KB/op"
		}
		if a, ok := res.mean(name, "allocs/op"); ok > 0 {
			s += ", " + numfmt.Int(int64(math.Round(a))) + " allocs/op"
		}
		return s, true
	}
}

func iterations(res results, name string) string {
	var n int64
	for _, b := range res.benchmarks {
		if b.name == name {
			n += b.iterations
		}
	}
	return numfmt.Int(n)
}

func write(w io.Writer, res results, source string, now time.Time) {
	goos, goarch := cmp.Or(res.goos, runtime.GOOS), cmp.Or(res.goarch, runtime.GOARCH)
	cpu := ""
	if res.cpu != "" {
		cpu = ", " + res.cpu
	}
	fmt.Fprintf(w, "DDaT workforce returns: benchmark report\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Date\t%s\n", now.UTC().Format("2 January 2006 15:04 MST"))
	procs := ""
	if len(res.benchmarks) > 0 && res.benchmarks[0].procs > 0 {
		procs = fmt.Sprintf(" (GOMAXPROCS %d)", res.benchmarks[0].procs)
	}
	fmt.Fprintf(tw, "Machine\t%s/%s, %d CPUs%s%s\n", goos, goarch, runtime.NumCPU(), procs, cpu)
	fmt.Fprintf(tw, "Go\t%s\n", runtime.Version())
	fmt.Fprintf(tw, "Source\t%s\n", source)
	tw.Flush()

	fmt.Fprintf(w, "\nHeadline figures\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, h := range headlines {
		s, ok := h.say(res)
		if !ok {
			s = "not measured: " + h.bench + " is not in the results" + failedNote(res, h.bench)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", h.label, s)
	}
	tw.Flush()

	writeExtractReading(w, res)

	fmt.Fprintf(w, "\nEvery benchmark\n")
	if len(res.benchmarks) == 0 {
		fmt.Fprintf(w, "  none ran\n")
	}
	sorted := append([]benchmark(nil), res.benchmarks...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].pkg < sorted[j].pkg })
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(sorted) > 0 {
		fmt.Fprintf(tw, "  package\tbenchmark\truns\ttime/op\tmemory/op\tallocs/op\tother\n")
	}
	for _, b := range sorted {
		timeOp, mem, allocs := "-", "-", "-"
		var other []string
		for _, m := range b.metrics {
			switch m.unit {
			case "ns/op":
				timeOp = duration(m.value)
			case "B/op":
				mem = sig(m.value/1024) + " KB"
			case "allocs/op":
				allocs = numfmt.Int(int64(m.value))
			default:
				other = append(other, sig(m.value)+" "+m.unit)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", shortPkg(b.pkg), strings.TrimPrefix(b.name, "Benchmark"),
			numfmt.Int(b.iterations), timeOp, mem, allocs, strings.Join(other, ", "))
	}
	tw.Flush()
	if len(sorted) > 0 {
		fmt.Fprintf(w, "  runs: iterations go test chose; KB = 1,024 bytes; time/op is the mean per iteration.\n")
	}

	if len(res.failed) > 0 {
		fmt.Fprintf(w, "\nFailed\n")
		for _, f := range res.failed {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	if len(res.skipped) > 0 {
		fmt.Fprintf(w, "\nSkipped\n")
		for _, s := range res.skipped {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
}

func failedNote(res results, name string) string {
	for _, f := range res.failed {
		if strings.HasPrefix(f, name) {
			return " (it failed: see below)"
		}
	}
	return ""
}

// shortPkg drops the module path, which every package shares.
func shortPkg(p string) string {
	const module = "github.com/ddat-workforce/returns/"
	return strings.TrimPrefix(p, module)
}

// duration writes nanoseconds in the unit that reads best.
func duration(ns float64) string {
	switch {
	case ns < 1e3:
		return sig(ns) + " ns"
	case ns < 1e6:
		return sig(ns/1e3) + " µs"
	case ns < 1e9:
		return sig(ns/1e6) + " ms"
	}
	return sig(ns/1e9) + " s"
}

// sig writes v with three significant figures, without an exponent.
func sig(v float64) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	decimals := max(0, 2-int(math.Floor(math.Log10(math.Abs(v)))))
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if decimals == 0 {
		n, _ := strconv.ParseInt(s, 10, 64)
		return numfmt.Int(n)
	}
	return s
}

// extractReaders are the ways BenchmarkExtract (shared/sheetstream) reads one staff
// extract, in the order the report shows them.
var extractReaders = []struct{ key, label string }{
	{"xlsx-sheetstream", "XLSX, sheetstream"},
	{"xlsx-excelize", "XLSX, excelize Rows()"},
	{"xlsx-inflate", "XLSX, inflating the sheet XML only (the floor)"},
	{"csv-encoding", "CSV, encoding/csv"},
}

// writeExtractReading is the section on reading staff extracts (SPEC §10): each way of
// reading each size side by side, and the ratios the targets are stated in, computed
// from the figures measured.
func writeExtractReading(w io.Writer, res results) {
	fmt.Fprintf(w, "\nReading a staff extract, 8 columns (SPEC §10; shared/sheetstream BenchmarkExtract)\n")
	sizes := map[string]bool{}
	var order []string
	for _, b := range res.benchmarks {
		rest, ok := strings.CutPrefix(b.name, "BenchmarkExtract/")
		if !ok {
			continue
		}
		size, _, _ := strings.Cut(rest, "/")
		if !sizes[size] {
			sizes[size] = true
			order = append(order, size)
		}
	}
	if len(order) == 0 {
		fmt.Fprintf(w, "  not measured: BenchmarkExtract is not in the results%s\n", failedNote(res, "BenchmarkExtract"))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  rows\treader\ttime/op\tallocated/op\tpeak heap\n")
	for _, size := range order {
		for _, rd := range extractReaders {
			name := "BenchmarkExtract/" + size + "/" + rd.key
			ns, n := res.mean(name, "ns/op")
			if n == 0 {
				fmt.Fprintf(tw, "  %s\t%s\tnot measured\t\t\n", strings.TrimPrefix(size, "rows="), rd.label)
				continue
			}
			mem, peak := "-", "-"
			if v, ok := res.mean(name, "B/op"); ok > 0 {
				mem = sig(v/(1<<20)) + " MB"
			}
			if v, ok := res.mean(name, "peak-heap-MB"); ok > 0 {
				peak = sig(v) + " MB"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", strings.TrimPrefix(size, "rows="), rd.label, duration(ns), mem, peak)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "  Ratios (targets: XLSX 100k ≤ 0.6 s and ≤ 64 MB peak heap, ≥ 5× faster than excelize, within 3× of the floor; CSV 100k ≤ 0.2 s; 500k inside 1,024 MB):\n")
	for _, size := range order {
		get := func(key string) (float64, bool) {
			v, n := res.mean("BenchmarkExtract/"+size+"/"+key, "ns/op")
			return v, n > 0
		}
		reader, ok1 := get("xlsx-sheetstream")
		exc, ok2 := get("xlsx-excelize")
		floor, ok3 := get("xlsx-inflate")
		line := "  " + strings.TrimPrefix(size, "rows=") + ":"
		if ok1 && ok2 {
			line += fmt.Sprintf(" sheetstream is %s× faster than excelize;", sig(exc/reader))
		}
		if ok1 && ok3 {
			line += fmt.Sprintf(" sheetstream takes %s× the time of merely inflating the sheet;", sig(reader/floor))
		}
		if !(ok1 && (ok2 || ok3)) {
			line += " not computed: sheetstream, or both excelize and the floor, not measured"
		}
		fmt.Fprintln(w, strings.TrimSuffix(line, ";"))
	}
	fmt.Fprintf(w, "  peak heap: the most heap in use during one read, above what was in use before it (runtime/metrics, sampled every 0.5 ms).\n")
}
