package report

import (
	"os"
	"testing"
)

func TestSmoke(t *testing.T) {
	b, err := Write(synthetic())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/report_smoke.xlsx", b, 0o644)
}
