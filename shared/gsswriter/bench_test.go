package gsswriter

import "testing"

// BenchmarkWrite writes a workbook the size of a full rollup: 500 organisations by 20
// columns, with the 12-quarter series and its charts.
func BenchmarkWrite(b *testing.B) {
	wb := bigWorkbook()
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := Write(wb)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/workbook")
}
