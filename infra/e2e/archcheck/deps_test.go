package archcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/reporoot"
)

const module = "github.com/ddat-workforce/returns"

// listed is what `go list -json` says of one package.
type listed struct {
	ImportPath string
	Imports    []string
}

// goList runs `go list -deps` at the module root over patterns, with the packages' tests
// when tests is set, and returns every package it names.
func goList(t *testing.T, tests bool, patterns ...string) []listed {
	t.Helper()
	readSources(t)
	args := []string{"list", "-deps", "-json=ImportPath,Imports"}
	if tests {
		args = append(args, "-test")
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	cmd.Dir = reporoot.Path()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, stderr.Bytes())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// readSources reads every Go file and go.mod of the module. go test caches a passing
// result and reruns only when a file the test opened has changed; go list's reads are in
// another process and go unseen, so without this an import added to a shared test would
// leave the cached pass standing.
func readSources(t *testing.T) {
	t.Helper()
	if _, err := os.ReadFile(reporoot.Path("go.mod")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"shared", "functions", "infra"} {
		err := filepath.WalkDir(reporoot.Path(dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".go") {
				_, err = os.ReadFile(path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// basePath is a package's path without the test variant go list -test adds, so that
// "m/shared/x [m/shared/x.test]" is m/shared/x.
func basePath(p string) string {
	base, _, _ := strings.Cut(p, " ")
	return base
}

// under reports whether package path p is dir or inside it; dir is relative to the module.
func under(p, dir string) bool {
	p, dir = basePath(p), module+"/"+dir
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// forbidden lists every import of a package inside dir by a package outside it, as
// "importer imports imported", sorted. Imports within dir (infra's own packages importing
// each other) are not edges into it and are not listed.
func forbidden(pkgs []listed, dir string) []string {
	var edges []string
	for _, p := range pkgs {
		if under(p.ImportPath, dir) {
			continue
		}
		for _, imp := range p.Imports {
			if under(imp, dir) {
				edges = append(edges, fmt.Sprintf("%s imports %s", p.ImportPath, imp))
			}
		}
	}
	slices.Sort(edges)
	return slices.Compact(edges)
}

// mustName fails unless the listing names pkg: a listing that somehow came back empty
// would otherwise pass every check.
func mustName(t *testing.T, pkgs []listed, pkg string) {
	t.Helper()
	for _, p := range pkgs {
		if basePath(p.ImportPath) == module+"/"+pkg {
			return
		}
	}
	t.Fatalf("go list named %d packages, none of them %s", len(pkgs), pkg)
}

// TestSharedDoesNotDependOnInfra: no package under shared/, nor any of its tests, depends
// on infra/, directly or through another package.
func TestSharedDoesNotDependOnInfra(t *testing.T) {
	pkgs := goList(t, true, "./shared/...")
	mustName(t, pkgs, "shared/workforce")
	mustName(t, pkgs, "shared/testsupport/sample") // reached through the workbook tests
	var reached []string
	for _, p := range pkgs {
		if under(p.ImportPath, "infra") {
			reached = append(reached, p.ImportPath)
		}
	}
	if len(reached) > 0 {
		t.Errorf("go list -deps -test ./shared/... reaches %d infra packages: %s\nthrough: %s\n"+
			"move what shared needs to shared/ (test helpers to shared/testsupport/)",
			len(reached), strings.Join(reached, ", "), strings.Join(forbidden(pkgs, "infra"), "; "))
	}
}

// TestProductCodeDoesNotUseTestSupport: the functions and the shared packages they are
// built from, tests left out, import nothing from shared/testsupport/.
func TestProductCodeDoesNotUseTestSupport(t *testing.T) {
	pkgs := goList(t, false, "./shared/...", "./functions/...")
	mustName(t, pkgs, "shared/workforce")
	var product []listed
	for _, p := range pkgs {
		if !under(p.ImportPath, "shared/testsupport") {
			product = append(product, p)
		}
	}
	if edges := forbidden(product, "shared/testsupport"); len(edges) > 0 {
		t.Errorf("product code uses test support:\n%s", strings.Join(edges, "\n"))
	}
}

// TestForbiddenNamesTheEdge: the check names the import that crosses, in a test variant
// too, and not imports inside the folder.
func TestForbiddenNamesTheEdge(t *testing.T) {
	pkgs := []listed{
		{ImportPath: module + "/shared/report [" + module + "/shared/report.test]", Imports: []string{"bytes", module + "/infra/soffice"}},
		{ImportPath: module + "/shared/workforce", Imports: []string{module + "/shared/period"}},
		{ImportPath: module + "/infra/demo", Imports: []string{module + "/infra/sample"}},
		{ImportPath: module + "/infrastructure", Imports: []string{module + "/infra"}},
	}
	got := forbidden(pkgs, "infra")
	want := []string{
		module + "/infrastructure imports " + module + "/infra",
		module + "/shared/report [" + module + "/shared/report.test] imports " + module + "/infra/soffice",
	}
	if !slices.Equal(got, want) {
		t.Errorf("forbidden = %q, want %q", got, want)
	}
}
