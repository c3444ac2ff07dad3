package xlsx

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	dir := "/root/.cache/go-build/fuzz/github.com/ddat-workforce/returns/shared/xlsx/FuzzParse"
	es, _ := os.ReadDir(dir)
	var worst time.Duration
	for _, e := range es {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		lines := strings.SplitN(string(b), "\n", 2)
		s := strings.TrimSpace(lines[1])
		s = strings.TrimSuffix(strings.TrimPrefix(s, "[]byte("), ")")
		data, err := strconv.Unquote(s)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, perr := Parse([]byte(data))
		d := time.Since(start)
		worst = max(worst, d)
		if d > 50*time.Millisecond {
			t.Log(e.Name(), len(data), d, perr)
		}
	}
	t.Log("worst", worst, len(es))
}
