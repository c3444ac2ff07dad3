package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/ddat-workforce/returns/infra/kit/reporoot"
)

// docPath is the document, relative to this package.
var docPath = reporoot.Path("docs", "openapi.yaml")

// docURL is the URL the document is known by to the schema compiler; nothing is fetched.
const docURL = "https://ddat-returns.invalid/openapi.json"

// methods are the operation keys of an OpenAPI path item.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// spec is the parsed document and a compiler that knows it as one resource, so that
// "#/components/schemas/X" references inside schemas resolve.
type spec struct {
	raw  []byte
	doc  map[string]any
	mu   sync.Mutex
	comp *jsonschema.Compiler
	sch  map[string]*jsonschema.Schema
}

func loadSpec(t testing.TB) *spec {
	t.Helper()
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parseYAML(raw)
	if err != nil {
		t.Fatalf("%s: %v", docPath, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("%s: the document is not a mapping", docPath)
	}
	// The compiler takes the document as JSON values (json.Number for numbers), so
	// multipleOf 0.01 is exact.
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	resource, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, resource); err != nil {
		t.Fatalf("the document is not usable as a JSON Schema resource: %v", err)
	}
	return &spec{raw: raw, doc: m, comp: c, sch: map[string]*jsonschema.Schema{}}
}

// parseYAML decodes YAML into JSON-shaped values: maps keyed by strings, slices,
// strings, numbers, booleans and nil.
func parseYAML(b []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return jsonShaped(v)
}

func jsonShaped(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := jsonShaped(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			x[k] = n
		}
		return x, nil
	case map[any]any:
		return nil, fmt.Errorf("a mapping has a key that is not a string (quote status codes such as '200')")
	case []any:
		for i, e := range x {
			n, err := jsonShaped(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			x[i] = n
		}
		return x, nil
	}
	return v, nil
}

// schema compiles the schema at a JSON pointer into the document.
func (s *spec) schema(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.sch[ptr]; ok {
		return sch, nil
	}
	sch, err := s.comp.Compile(docURL + "#" + fragment(ptr))
	if err != nil {
		return nil, err
	}
	s.sch[ptr] = sch
	return sch, nil
}

// fragment writes a JSON pointer as a URL fragment.
func fragment(ptr string) string {
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		toks[i] = url.PathEscape(t)
	}
	return strings.Join(toks, "/")
}

// ptrJoin appends reference tokens to a JSON pointer, escaping them.
func ptrJoin(ptr string, toks ...string) string {
	for _, t := range toks {
		ptr += "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(t)
	}
	return ptr
}

// lookup follows a JSON pointer ("" or "/a/b") from the root of the document.
func (s *spec) lookup(ptr string) (any, bool) {
	var v any = s.doc
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(x) || fmt.Sprint(i) != tok {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// resolve follows $ref (local references only) from the value at ptr and answers the
// value it lands on and that value's pointer.
func (s *spec) resolve(ptr string) (map[string]any, string, error) {
	for range 16 {
		v, ok := s.lookup(ptr)
		if !ok {
			return nil, "", fmt.Errorf("nothing at #%s", ptr)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("#%s is not an object", ptr)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr, nil
		}
		if !strings.HasPrefix(ref, "#") {
			return nil, "", fmt.Errorf("#%s: only local references are used here, not %q", ptr, ref)
		}
		ptr = strings.TrimPrefix(ref, "#")
		if u, err := url.PathUnescape(ptr); err == nil {
			ptr = u
		}
	}
	return nil, "", fmt.Errorf("#%s: a reference loop", ptr)
}

// operation is one method of one path.
type operation struct {
	Method string // upper case
	Path   string
	Ptr    string
	Op     map[string]any
}

func (o operation) Key() string { return o.Method + " " + o.Path }

func (s *spec) operations() []operation {
	paths, _ := s.doc["paths"].(map[string]any)
	var ops []operation
	for p, item := range paths {
		pi, _ := item.(map[string]any)
		for _, m := range methods {
			if op, ok := pi[m].(map[string]any); ok {
				ops = append(ops, operation{Method: strings.ToUpper(m), Path: p, Ptr: ptrJoin("", "paths", p, m), Op: op})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Key() < ops[j].Key() })
	return ops
}

func (s *spec) operation(method, path string) (operation, bool) {
	for _, o := range s.operations() {
		if o.Method == method && o.Path == path {
			return o, true
		}
	}
	return operation{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, fmt.Sprint(e))
	}
	return out
}
