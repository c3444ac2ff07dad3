package editions

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// bigSnapshot is a rollup of 500 organisations × 12 quarters.
func bigSnapshot(b *testing.B) rollup.Snapshot {
	var orgs []workforce.Organisation
	reg := workforce.Register{}
	for i := range 500 {
		o := workforce.Organisation{Code: fmt.Sprintf("ORG%03d", i), Name: fmt.Sprintf("Organisation %d", i), Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: int64(500 + 97*i)}
		orgs = append(orgs, o)
		reg[o.Code] = o
	}
	first := period.MustQuarter("2023-24-Q1")
	received := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	var in []metrics.Input
	for _, o := range orgs {
		for _, q := range period.Range(first, first.Add(11)) {
			var raw []workforce.RawField
			for k, v := range sample.Return(o, q) {
				raw = append(raw, workforce.RawField{Key: k, Value: v})
			}
			r, ps := workforce.Normalise(raw, reg, received)
			if len(ps) > 0 {
				b.Fatal(ps)
			}
			in = append(in, metrics.Input{Return: r, Version: 1, ReceivedAt: received})
		}
	}
	set, _ := targets.Default()
	res := metrics.Compute(metrics.ComputeInput{Returns: in, Register: orgs, Targets: set, Month: period.MonthOf(first.Add(11).Due(30)), DueDays: 30})
	return rollup.Snapshot{Result: res, Revision: 1, InputsFingerprint: "bench", CreatedAt: received}
}

// BenchmarkRenderPeakHeap reports the peak heap in use while both editions of a 500 × 12
// rollup are rendered, sampled every millisecond, above the heap in use before.
func BenchmarkRenderPeakHeap(b *testing.B) {
	s := bigSnapshot(b)
	var peak uint64
	for b.Loop() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		done := make(chan struct{})
		result := make(chan uint64)
		go func() {
			var max uint64
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					result <- max
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					if m.HeapInuse > base && m.HeapInuse-base > max {
						max = m.HeapInuse - base
					}
				}
			}
		}()
		for _, ed := range rollup.Editions {
			if _, err := Render(s, ed); err != nil {
				b.Fatal(err)
			}
		}
		close(done)
		peak = <-result
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
