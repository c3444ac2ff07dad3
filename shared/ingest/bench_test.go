package ingest_test

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/extract/extracttest"
	"github.com/ddat-workforce/returns/shared/ingest"
)

// BenchmarkRead reads a 100,000-row staff extract through each format's reader, as the
// ingest function does (XLSX through its temporary file), with the peak heap sampled.
func BenchmarkRead(b *testing.B) {
	people := extracttest.People(100_000, q1, 7)
	rows := extracttest.Table(people, extracttest.Layout{Seed: 7, Varied: true})
	files := map[ingest.Format][]byte{ingest.CSV: extracttest.CSV(rows), ingest.XLSX: workbook(b, rows)}
	for _, f := range []ingest.Format{ingest.CSV, ingest.XLSX} {
		data := files[f]
		b.Run(string(f)+"-100k", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base) // the fixture's heap, not the reader's
			stop := samplePeak()
			for i := 0; i < b.N; i++ {
				res, err := ingest.DefaultReaders[f](context.Background(), bytes.NewReader(data), int64(len(data)), q1)
				if err != nil || res.Err() != nil || res.Rows != len(people) {
					b.Fatalf("%v %v %d", err, res.Err(), res.Rows)
				}
			}
			b.ReportMetric(float64(stop()-base.HeapInuse)/(1<<20), "peak-heap-MB")
		})
	}
}

// samplePeak samples the heap in use until stop is called, which answers the most seen.
func samplePeak() (stop func() uint64) {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}
