package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/extract/extracttest"
)

const csvHeader = "staff_ref,grade,profession,job_family,fte,in_post,ddat_start_date,entry_route\n"

func TestReadCSV(t *testing.T) {
	body := "A1,G7,DDaT,Data,1,yes,2025-04-01,Fast Stream\r\n" +
		"\r\n" + // a blank line: skipped, but counted in row numbers
		"A2,\"Grade 7\",\"Digital, Data and Technology\",Data,0.5,yes,,\r\n"
	for name, file := range map[string]string{
		"plain":    csvHeader + body,
		"bom":      "\xef\xbb\xbf" + strings.ReplaceAll(csvHeader, "staff_ref", "Staff Reference") + body,
		"no final": strings.TrimSuffix(csvHeader+body, "\r\n"),
	} {
		r := mustReadCSV(t, []byte(file))
		if len(r.Problems) > 0 {
			t.Fatalf("%s: %+v", name, r.Problems)
		}
		if r.Rows != 2 || r.Values["ddat_headcount"] != "2" || r.Values["ddat_fte"] != "1.50" || r.Values["entrants_fast_stream"] != "1" {
			t.Errorf("%s: rows %d, values %v", name, r.Rows, r.Values)
		}
	}
	// Row numbers are lines, as a spreadsheet shows them: the bad row is on line 4.
	r := mustReadCSV(t, []byte(csvHeader+body+"A3,G7,DDaT,Data,2,yes,,\n"))
	if len(r.Problems) != 1 || r.Problems[0].Row != 5 || r.Problems[0].Cell != "E5" {
		t.Errorf("problems %+v, want one on row 5", r.Problems)
	}
}

func TestReadCSVRefusesWhatItCannotRead(t *testing.T) {
	long := csvHeader + "A1,G7,DDaT,Data,1,yes,,\n\"A2," + strings.Repeat("x", 2<<20) + "\n"
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "A%d,G7,DDaT,Data,1,yes,,\n", i)
	}
	big := b.String()
	for _, tc := range []struct {
		name, file string
		opts       []Option
		code       string
		row        int
	}{
		{"utf16", "\xff\xfes\x00t\x00", nil, "not_utf8", 1},
		{"bare quote", csvHeader + "A1,G\"7,DDaT,Data,1,yes,,\n", nil, "bad_csv", 2},
		{"quote never closed", long, nil, "row_too_long", 3},
		{"too large", big, []Option{WithMaxBytes(10_000)}, "file_too_large", 0},
		{"too many rows", big, []Option{WithMaxRows(999)}, "too_many_rows", 1001},
	} {
		r := mustReadCSV(t, []byte(tc.file), tc.opts...)
		if len(r.Problems) != 1 || r.Problems[0].Code != tc.code || r.Problems[0].Row != tc.row {
			t.Errorf("%s: problems %+v, want %s on row %d", tc.name, r.Problems[:min(3, len(r.Problems))], tc.code, tc.row)
		}
		if r.Values != nil {
			t.Errorf("%s: values %v", tc.name, r.Values)
		}
	}
	// Exactly at the size limit is fine.
	if r := mustReadCSV(t, []byte(big), WithMaxBytes(int64(len(big)))); len(r.Problems) > 0 {
		t.Errorf("file of exactly the limit: %+v", r.Problems)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadCSVReaderError(t *testing.T) {
	_, err := ReadCSV(io.MultiReader(strings.NewReader(csvHeader), failingReader{}), q1)
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("err = %v, want the reader's error", err)
	}
}

// A streamed file is read in memory that does not grow with it, but for the staff_ref set:
// live heap, sampled (after a collection) every half megabyte of input, stays within a few tens
// of bytes a row, where holding the rows would take hundreds.
func TestReadCSVStreams(t *testing.T) {
	const n = 50_000
	file := extracttest.CSV(extracttest.Table(extracttest.People(n, q1, 3), extracttest.Layout{Seed: 3, Varied: true}))
	var base, peak uint64
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base = live()
	pr := &probeReader{r: bytes.NewReader(file), every: 512 << 10, probe: func() { peak = max(peak, live()) }}
	r, err := ReadCSV(pr, q1)
	if err != nil || len(r.Problems) > 0 {
		t.Fatal(err, r.Problems)
	}
	grew := int64(peak) - int64(base)
	t.Logf("live heap grew by %d bytes (%.1f a row) reading %d rows, %d bytes", grew, float64(grew)/n, n, len(file))
	if limit := int64(64*n + 2<<20); grew > limit {
		t.Errorf("live heap grew by %d bytes reading %d rows; want at most %d", grew, n, limit)
	}
}

// probeReader calls probe every so many bytes.
type probeReader struct {
	r        io.Reader
	every, n int
	probe    func()
}

func (p *probeReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += n
	if p.n >= p.every {
		p.n = 0
		p.probe()
	}
	return n, err
}
