package sheetstream

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// BenchmarkExtract reads the same staff extract four ways, side by side (SPEC §10): with
// this reader, with excelize's Rows (raw values), by merely inflating the sheet's XML (the
// floor no XLSX reader can beat), and as CSV with encoding/csv. Each reads every cell.
// The files — 100,000 and 500,000 rows of 8 columns, strings shared as Excel shares them —
// are written once per run into a temporary directory. Besides time and allocation, each
// reports peak-heap-MB: the most heap in use while it ran, above what was in use before.
func BenchmarkExtract(b *testing.B) {
	for _, n := range []int{100_000, 500_000} {
		fx := extractFixture(b, n)
		name := fmt.Sprintf("rows=%dk", n/1000)
		b.Run(name+"/xlsx-sheetstream", func(b *testing.B) {
			benchPeak(b, fx.xlsx, func(data []byte) int { return readSheetstream(b, data) })
		})
		b.Run(name+"/xlsx-excelize", func(b *testing.B) {
			benchPeak(b, fx.xlsx, func(data []byte) int { return readExcelize(b, data) })
		})
		b.Run(name+"/xlsx-inflate", func(b *testing.B) {
			benchPeak(b, fx.xlsx, func(data []byte) int { return inflateSheet(b, data) })
		})
		b.Run(name+"/csv-encoding", func(b *testing.B) {
			benchPeak(b, fx.csv, func(data []byte) int { return readCSV(b, data) })
		})
	}
}

// benchPeak runs read b.N times over data, reporting allocation and peak heap.
func benchPeak(b *testing.B, data []byte, read func([]byte) int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		runtime.GC()
		base := heapInUse()
		stop := sampleHeap()
		read(data)
		if p := stop(); p > base && p-base > peak {
			peak = p - base
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapInUse() uint64 {
	s := []metrics.Sample{{Name: heapSample[0].Name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap samples the heap in use every half millisecond until stopped, and returns
// the highest value seen.
func sampleHeap() (stop func() uint64) {
	var (
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			peak = max(peak, heapInUse())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return max(peak, heapInUse())
	}
}

func readSheetstream(b *testing.B, data []byte) int {
	r, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	rows, err := r.Rows("")
	if err != nil {
		b.Fatal(err)
	}
	n, cells := 0, 0
	for rows.Next() {
		n++
		for _, c := range rows.Row() {
			cells += len(c.Value)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	if cells == 0 {
		b.Fatal("no cells read")
	}
	return n
}

func readExcelize(b *testing.B, data []byte) int {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			b.Fatal(err)
		}
		n += len(cols)
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}

func inflateSheet(b *testing.B, data []byte) int {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			b.Fatal(err)
		}
		return int(n)
	}
	b.Fatal("no sheet1.xml")
	return 0
}

func readCSV(b *testing.B, data []byte) int {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	n := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n += len(rec)
	}
}

type fixture struct{ xlsx, csv []byte }

var (
	fixtureMu  sync.Mutex
	fixtures   = map[int]fixture{}
	fixtureDir string
)

// extractFixture is the n-row extract as XLSX and CSV, written once per run to a
// temporary directory and read from there.
func extractFixture(b *testing.B, n int) fixture {
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if fx, ok := fixtures[n]; ok {
		return fx
	}
	if fixtureDir == "" {
		dir, err := os.MkdirTemp("", "sheetstream-bench-")
		if err != nil {
			b.Fatal(err)
		}
		fixtureDir = dir
	}
	xlsxPath := filepath.Join(fixtureDir, fmt.Sprintf("extract-%d.xlsx", n))
	csvPath := filepath.Join(fixtureDir, fmt.Sprintf("extract-%d.csv", n))
	if err := writeExtract(xlsxPath, csvPath, n); err != nil {
		b.Fatal(err)
	}
	var fx fixture
	var err error
	if fx.xlsx, err = os.ReadFile(xlsxPath); err != nil {
		b.Fatal(err)
	}
	if fx.csv, err = os.ReadFile(csvPath); err != nil {
		b.Fatal(err)
	}
	fixtures[n] = fx
	return fx
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

var (
	benchGrades     = []string{"AA", "AO", "EO", "HEO", "SEO", "G7", "G6", "SCS1", "SCS2", "Grade 7"}
	benchProfession = []string{"DDaT", "DDaT", "DDaT", "Finance", "Policy", "Operational delivery", ""}
	benchFamilies   = []string{"Architecture", "Chief digital and data", "Data", "IT operations", "Product and delivery", "Quality assurance testing", "Software development", "User centred design", "Unknown"}
	benchRoutes     = []string{"Apprenticeship", "Fast stream", "Graduate programme", "Internship", "Other early career", "Experienced hire", "Unknown"}
	benchFTE        = []string{"1", "1", "1", "0.8", "0.6", "0.5", "0.4"}
)

// writeExtract writes n rows of a realistic extract as Excel writes an .xlsx — strings in
// the shared string table (staff_ref unique per row), fte as a number, in_post as a
// boolean, ddat_start_date as a date serial with a date style — and as CSV.
func writeExtract(xlsxPath, csvPath string, n int) error {
	header := []string{"staff_ref", "grade", "profession", "job_family", "fte", "in_post", "ddat_start_date", "entry_route"}
	// The shared strings: the header, the code lists, then one staff_ref per row.
	var strs []string
	index := map[string]int{}
	str := func(s string) int {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(strs)
		strs = append(strs, s)
		return len(strs) - 1
	}
	for _, h := range header {
		str(h)
	}
	cf, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	defer cf.Close()
	cw := csv.NewWriter(bufio.NewWriter(cf))
	if err := cw.Write(header); err != nil {
		return err
	}

	var sheetXML bytes.Buffer
	sheetXML.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:H` + strconv.Itoa(n+1) + `"/><sheetData>`)
	row := func(r int, cells string) {
		fmt.Fprintf(&sheetXML, `<row r="%d" spans="1:8">%s</row>`, r, cells)
	}
	var cells bytes.Buffer
	for i, h := range header {
		fmt.Fprintf(&cells, `<c r="%c1" t="s"><v>%d</v></c>`, 'A'+i, str(h))
	}
	row(1, cells.String())
	rec := make([]string, 8)
	for i := 0; i < n; i++ {
		r := i + 2
		ref := fmt.Sprintf("S%07d", 1000000+i*7)
		grade := benchGrades[i%len(benchGrades)]
		prof := benchProfession[i%len(benchProfession)]
		family := benchFamilies[(i/3)%len(benchFamilies)]
		fte := benchFTE[i%len(benchFTE)]
		inPost := i%11 != 0
		start := 40000 + (i*37)%6000 // 2009 to 2025
		route := benchRoutes[(i/5)%len(benchRoutes)]
		cells.Reset()
		fmt.Fprintf(&cells, `<c r="A%d" t="s"><v>%d</v></c>`, r, str(ref))
		fmt.Fprintf(&cells, `<c r="B%d" t="s"><v>%d</v></c>`, r, str(grade))
		if prof != "" {
			fmt.Fprintf(&cells, `<c r="C%d" t="s"><v>%d</v></c>`, r, str(prof))
		}
		fmt.Fprintf(&cells, `<c r="D%d" t="s"><v>%d</v></c>`, r, str(family))
		fmt.Fprintf(&cells, `<c r="E%d"><v>%s</v></c>`, r, fte)
		b := 0
		if inPost {
			b = 1
		}
		fmt.Fprintf(&cells, `<c r="F%d" t="b"><v>%d</v></c>`, r, b)
		fmt.Fprintf(&cells, `<c r="G%d" s="1"><v>%d</v></c>`, r, start)
		fmt.Fprintf(&cells, `<c r="H%d" t="s"><v>%d</v></c>`, r, str(route))
		row(r, cells.String())
		rec[0], rec[1], rec[2], rec[3], rec[4] = ref, grade, prof, family, fte
		rec[5] = strconv.FormatBool(inPost)
		rec[6] = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, start).Format("2006-01-02")
		rec[7] = route
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	sheetXML.WriteString(`</sheetData></worksheet>`)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}

	var sstXML bytes.Buffer
	fmt.Fprintf(&sstXML, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(strs), len(strs))
	for _, s := range strs {
		sstXML.WriteString("<si><t>")
		if err := xmlEscape(&sstXML, s); err != nil {
			return err
		}
		sstXML.WriteString("</t></si>")
	}
	sstXML.WriteString("</sst>")

	data := pkg(sheetXML.String(), sstXML.String(), zip.Deflate)
	return os.WriteFile(xlsxPath, data, 0o644)
}

func xmlEscape(w *bytes.Buffer, s string) error {
	for _, r := range s {
		switch r {
		case '&':
			w.WriteString("&amp;")
		case '<':
			w.WriteString("&lt;")
		case '>':
			w.WriteString("&gt;")
		default:
			w.WriteRune(r)
		}
	}
	return nil
}
