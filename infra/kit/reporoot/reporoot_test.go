package reporoot

import (
	"os"
	"strings"
	"testing"
)

func TestPathFindsGoMod(t *testing.T) {
	b, err := os.ReadFile(Path("go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "module github.com/ddat-workforce/returns") {
		t.Errorf("go.mod starts %q, want the module line", string(b[:min(len(b), 60)]))
	}
}
