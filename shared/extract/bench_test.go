package extract

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"runtime"
	"sync"
	"testing"

	"github.com/ddat-workforce/returns/shared/extract/extracttest"
)

// The benchmark extract: 100,000 people × the 8 columns, headers and values in the
// spellings HR systems export. Made once; the figures are for reading alone.
var bench100k = sync.OnceValues(func() ([][]string, []byte) {
	rows := extracttest.Table(extracttest.People(100_000, q1, 42), extracttest.Layout{Seed: 42, Varied: true})
	return rows, extracttest.CSV(rows)
})

// BenchmarkAggregate100k is aggregation alone, rows already in memory: the part of an
// ingest that is not reading the file.
func BenchmarkAggregate100k(b *testing.B) {
	rows, _ := bench100k()
	b.ReportAllocs()
	for b.Loop() {
		a := NewAggregator(q1)
		for _, r := range rows {
			a.Add(r)
		}
		if r := a.Result(); len(r.Problems) > 0 || r.Rows != 100_000 {
			b.Fatal(r.Problems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/row")
}

// BenchmarkCSV100k reads a 100,000 × 8 CSV extract end to end (target: ≤ 0.2 s).
func BenchmarkCSV100k(b *testing.B) {
	_, file := bench100k()
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ReadCSV(bytes.NewReader(file), q1)
		if err != nil || len(r.Problems) > 0 || r.Rows != 100_000 {
			b.Fatal(err, r.Problems)
		}
	}
}

// BenchmarkStaffRefSet500k measures the one part of an Aggregator that grows with the
// extract: the set of staff reference hashes at the row limit, in bytes a reference.
func BenchmarkStaffRefSet500k(b *testing.B) {
	refs := make([]string, MaxRows)
	for i := range refs {
		refs[i] = fmt.Sprintf("ZZREF%08d", i)
	}
	var perRef float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		a := NewAggregator(q1)
		for i, r := range refs {
			a.seen[maphash.String(a.seed, r)] = int32(i)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perRef = float64(after.HeapAlloc-before.HeapAlloc) / MaxRows
		runtime.KeepAlive(a)
	}
	b.ReportMetric(perRef, "B/ref")
}
