// Package reporoot finds the repository's files from wherever a test or command runs in
// it, by walking up to the directory that holds go.mod, so that no suite depends on how
// deep its folder sits.
package reporoot

import (
	"fmt"
	"os"
	"path/filepath"
)

// Dir is the nearest directory at or above the working directory that holds go.mod.
func Dir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// Path joins elem onto Dir. It panics outside the repository: every caller is a test or
// a development command that runs only inside it.
func Path(elem ...string) string {
	dir, err := Dir()
	if err != nil {
		panic("reporoot: " + err.Error())
	}
	return filepath.Join(append([]string{dir}, elem...)...)
}
