package openapi

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// TestDocumentIsValid checks the structure OpenAPI 3.1 requires, and what this API's
// document promises, without the official meta-schema (there is no network here): every
// reference resolves, every operation is identified, secured and answered, every path
// parameter is declared, and every schema is a valid JSON Schema 2020-12 schema.
func TestDocumentIsValid(t *testing.T) {
	s := loadSpec(t)
	if v := s.doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi is %v, want 3.1.0", v)
	}
	info, _ := s.doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Error("info needs a title and a version")
	}
	for _, k := range sortedKeys(s.doc) {
		if !slices.Contains([]string{"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"}, k) && !strings.HasPrefix(k, "x-") {
			t.Errorf("unknown top-level field %q", k)
		}
	}

	// Every $ref resolves, wherever it is.
	var refs int
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"]; ok {
				refs++
				r, isString := ref.(string)
				if !isString || !strings.HasPrefix(r, "#/") {
					t.Errorf("%s: $ref %v is not a local reference", at, ref)
				} else if _, ok := s.lookup(strings.TrimPrefix(r, "#")); !ok {
					t.Errorf("%s: $ref %s does not resolve", at, r)
				}
			}
			for _, k := range sortedKeys(x) {
				walk(x[k], ptrJoin(at, k))
			}
		case []any:
			for i, e := range x {
				walk(e, ptrJoin(at, fmt.Sprint(i)))
			}
		}
	}
	walk(s.doc, "")
	if refs == 0 {
		t.Error("no $ref found: the walk is broken")
	}

	// Security: a bearer JWT scheme, applied globally and on every operation.
	schemes, _ := lookupMap(s, "/components/securitySchemes")
	bearer, _ := schemes["bearerAuth"].(map[string]any)
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" || bearer["bearerFormat"] != "JWT" {
		t.Errorf("components.securitySchemes.bearerAuth is %v, want http bearer JWT", bearer)
	}
	checkSecurity := func(at string, v any) {
		reqs, ok := v.([]any)
		if !ok || len(reqs) == 0 {
			t.Errorf("%s: no security requirement", at)
			return
		}
		for _, r := range reqs {
			rm, _ := r.(map[string]any)
			if len(rm) == 0 {
				t.Errorf("%s: an empty security requirement would allow anonymous calls", at)
			}
			for name := range rm {
				if _, ok := schemes[name]; !ok {
					t.Errorf("%s: security names %q, which is not a security scheme", at, name)
				}
			}
		}
	}
	checkSecurity("security", s.doc["security"])

	declaredTags := map[string]bool{}
	for _, tag := range s.doc["tags"].([]any) {
		declaredTags[fmt.Sprint(tag.(map[string]any)["name"])] = true
	}

	statusRE := regexp.MustCompile(`^[1-5][0-9][0-9]$`)
	paramRE := regexp.MustCompile(`\{([^{}]+)\}`)
	ids := map[string]string{}
	ops := s.operations()
	if len(ops) == 0 {
		t.Fatal("no operations")
	}
	for _, o := range ops {
		at := o.Key()
		id, _ := o.Op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", at)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q is also %s's", at, id, prev)
		}
		ids[id] = at
		for _, k := range []string{"summary", "description"} {
			if v, _ := o.Op[k].(string); strings.TrimSpace(v) == "" {
				t.Errorf("%s: no %s", at, k)
			}
		}
		for _, tag := range strs(o.Op["tags"]) {
			if !declaredTags[tag] {
				t.Errorf("%s: tag %q is not declared", at, tag)
			}
		}
		sec, ok := o.Op["security"]
		if !ok {
			sec = s.doc["security"]
		}
		checkSecurity(at+" security", sec)

		// Parameters: the path item's, overridden by the operation's, resolved.
		declared := map[string]map[string]any{} // in+" "+name → parameter
		for _, base := range []string{ptrJoin("", "paths", o.Path), o.Ptr} {
			seen := map[string]bool{}
			list, _ := s.lookup(base + "/parameters")
			for i := range asSlice(list) {
				p, ptr, err := s.resolve(ptrJoin(base+"/parameters", fmt.Sprint(i)))
				if err != nil {
					t.Errorf("%s: %v", at, err)
					continue
				}
				name, _ := p["name"].(string)
				in, _ := p["in"].(string)
				if name == "" || !slices.Contains([]string{"path", "query", "header", "cookie"}, in) {
					t.Errorf("%s: parameter #%s needs a name and in", at, ptr)
				}
				if _, ok := p["schema"]; !ok {
					t.Errorf("%s: parameter %s has no schema", at, name)
				} else if _, err := s.schema(ptr + "/schema"); err != nil {
					t.Errorf("%s: parameter %s: %v", at, name, err)
				}
				key := in + " " + name
				if in == "header" {
					key = in + " " + strings.ToLower(name)
				}
				if seen[key] {
					t.Errorf("%s: parameter %s is declared twice", at, key)
				}
				seen[key] = true
				declared[key] = p
			}
		}
		var inTemplate []string
		for _, m := range paramRE.FindAllStringSubmatch(o.Path, -1) {
			inTemplate = append(inTemplate, m[1])
			p, ok := declared["path "+m[1]]
			if !ok {
				t.Errorf("%s: path parameter {%s} is not declared", at, m[1])
				continue
			}
			if p["required"] != true {
				t.Errorf("%s: path parameter {%s} must be required: true", at, m[1])
			}
		}
		for key := range declared {
			if name, ok := strings.CutPrefix(key, "path "); ok && !slices.Contains(inTemplate, name) {
				t.Errorf("%s: path parameter %s is not in the path", at, name)
			}
		}

		// Request body: content with a schema for each media type.
		if _, ok := o.Op["requestBody"]; ok {
			rb, ptr, err := s.resolve(o.Ptr + "/requestBody")
			if err != nil {
				t.Errorf("%s: %v", at, err)
			} else {
				checkContent(t, s, at+" request body", rb, ptr)
			}
		}

		// Responses: status codes, descriptions, content with schemas.
		resps, _ := o.Op["responses"].(map[string]any)
		if len(resps) == 0 {
			t.Errorf("%s: no responses", at)
		}
		success := false
		for _, code := range sortedKeys(resps) {
			if !statusRE.MatchString(code) && code != "default" {
				t.Errorf("%s: response key %q is not a status code", at, code)
				continue
			}
			success = success || code[0] == '2' || code[0] == '3'
			r, ptr, err := s.resolve(ptrJoin(o.Ptr, "responses", code))
			if err != nil {
				t.Errorf("%s %s: %v", at, code, err)
				continue
			}
			if d, _ := r["description"].(string); strings.TrimSpace(d) == "" {
				t.Errorf("%s %s: no description", at, code)
			}
			checkContent(t, s, at+" "+code, r, ptr)
			hs, _ := r["headers"].(map[string]any)
			for _, h := range sortedKeys(hs) {
				_, hptr, err := s.resolve(ptrJoin(ptr, "headers", h))
				if err != nil {
					t.Errorf("%s %s header %s: %v", at, code, h, err)
					continue
				}
				if _, err := s.schema(hptr + "/schema"); err != nil {
					t.Errorf("%s %s header %s: %v", at, code, h, err)
				}
			}
			// Errors: the functions answer problem+json; the gateway's 401 is its own JSON.
			if code >= "400" && code < "500" {
				content, _ := r["content"].(map[string]any)
				want := "application/problem+json"
				if code == "401" {
					want = "application/json"
				}
				if _, ok := content[want]; !ok {
					t.Errorf("%s %s: no %s content", at, code, want)
				}
			}
		}
		if !success {
			t.Errorf("%s: no success response", at)
		}
	}

	// Every component schema compiles as JSON Schema 2020-12 (this validates it against
	// the 2020-12 meta-schema, which OpenAPI 3.1 schema objects follow).
	schemas, _ := lookupMap(s, "/components/schemas")
	for _, name := range sortedKeys(schemas) {
		if _, err := s.schema(ptrJoin("/components/schemas", name)); err != nil {
			t.Errorf("components.schemas.%s: %v", name, err)
		}
	}
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func lookupMap(s *spec, ptr string) (map[string]any, bool) {
	v, ok := s.lookup(ptr)
	m, _ := v.(map[string]any)
	return m, ok && m != nil
}

// checkContent checks that each media type of a request body or response has a schema
// that compiles, and that JSON bodies are described by a named component schema.
func checkContent(t *testing.T, s *spec, at string, obj map[string]any, ptr string) {
	t.Helper()
	content, _ := obj["content"].(map[string]any)
	for _, mt := range sortedKeys(content) {
		mtObj, _ := content[mt].(map[string]any)
		if _, ok := mtObj["schema"]; !ok {
			t.Errorf("%s %s: no schema", at, mt)
			continue
		}
		sptr := ptrJoin(ptr, "content", mt, "schema")
		if _, err := s.schema(sptr); err != nil {
			t.Errorf("%s %s: %v", at, mt, err)
		}
		if isJSON(mt) {
			sch, _ := mtObj["schema"].(map[string]any)
			if ref, _ := sch["$ref"].(string); !strings.HasPrefix(ref, "#/components/schemas/") {
				t.Errorf("%s %s: a JSON body's schema should be a $ref to a component schema", at, mt)
			}
		}
	}
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// TestRoutesAgree: the document's operations are exactly the routes table, and each
// operation's x-roles are the roles the route's policy lets in, named in its description,
// with those confined to their own organisation said to be.
func TestRoutesAgree(t *testing.T) {
	s := loadSpec(t)
	doc := map[string]operation{}
	for _, o := range s.operations() {
		doc[o.Key()] = o
	}
	table := map[string]httpapi.Route{}
	for _, r := range httpapi.Routes {
		table[r.Key()] = r
	}
	for _, k := range sortedKeys(table) {
		o, ok := doc[k]
		if !ok {
			t.Errorf("route %s is in httpapi.Routes but not in %s", k, docPath)
			continue
		}
		roles, ok := o.Op["x-roles"]
		if !ok {
			t.Errorf("%s: no x-roles", k)
			continue
		}
		got := strs(roles)
		var want []string
		for _, r := range table[k].Policy.Roles() {
			want = append(want, string(r))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: x-roles %v, but the routes table allows %v", k, got, want)
		}
		desc, _ := o.Op["description"].(string)
		for _, r := range want {
			if !strings.Contains(desc, "`"+r+"`") {
				t.Errorf("%s: the description does not name the role `%s`", k, r)
			}
		}
		// A role confined to its own organisation is said to be, where it is named.
		for _, r := range table[k].Policy.Own {
			if !strings.Contains(desc, "`"+string(r)+"` (own organisation") {
				t.Errorf("%s: the description does not say that `%s` is confined to its own organisation", k, r)
			}
		}
	}
	for _, k := range sortedKeys(doc) {
		if _, ok := table[k]; !ok {
			t.Errorf("%s documents %s, which is not in httpapi.Routes", docPath, k)
		}
	}
}

// TestDocumentCoversTheBrief pins what the API's users rely on: the three submission
// formats and the Idempotency-Key, the report redirect, and problem+json errors.
func TestDocumentCoversTheBrief(t *testing.T) {
	s := loadSpec(t)
	post, ok := s.operation("POST", "/returns")
	if !ok {
		t.Fatal("POST /returns is not documented")
	}
	content, _ := s.lookup(post.Ptr + "/requestBody/content")
	for _, mt := range []string{workforce.ContentTypeXLSX, httpapi.ContentTypeCSV, httpapi.ContentTypeJSON} {
		if _, ok := content.(map[string]any)[mt]; !ok {
			t.Errorf("POST /returns: no %s request body", mt)
		}
	}
	var idem bool
	for i := range asSlice(post.Op["parameters"]) {
		p, _, err := s.resolve(ptrJoin(post.Ptr, "parameters", fmt.Sprint(i)))
		idem = idem || (err == nil && p["in"] == "header" && p["name"] == "Idempotency-Key")
	}
	if !idem {
		t.Error("POST /returns: no Idempotency-Key header parameter")
	}
	for _, code := range []string{"200", "201", "400", "401", "403", "409", "413", "415", "422"} {
		if _, ok := post.Op["responses"].(map[string]any)[code]; !ok {
			t.Errorf("POST /returns: no %s response", code)
		}
	}
	bulk, _ := s.operation("POST", "/returns/bulk")
	if _, ok := s.lookup(bulk.Ptr + "/requestBody/content/text~1csv"); !ok {
		t.Error("POST /returns/bulk: no text/csv request body")
	}
	put, _ := s.operation("PUT", "/organisations/{code}")
	if _, ok := s.lookup(put.Ptr + "/requestBody/content/application~1json/schema"); !ok {
		t.Error("PUT /organisations/{code}: no JSON request body")
	}
	rep, _ := s.operation("GET", "/reports/{month}")
	r, _, err := s.resolve(rep.Ptr + "/responses/303")
	if err != nil {
		t.Fatalf("GET /reports/{month}: %v", err)
	}
	if h, _ := r["headers"].(map[string]any); h["Location"] == nil {
		t.Error("GET /reports/{month} 303: no Location header")
	}
	problem, _ := lookupMap(s, "/components/schemas/Problem/properties")
	for _, k := range []string{"type", "title", "status", "detail", "code", "instance", "errors"} {
		if _, ok := problem[k]; !ok {
			t.Errorf("Problem has no %s", k)
		}
	}
	fp, _ := lookupMap(s, "/components/schemas/FieldProblem/properties")
	for _, k := range []string{"field", "cell", "line", "row", "code", "message"} {
		if _, ok := fp[k]; !ok {
			t.Errorf("FieldProblem has no %s", k)
		}
	}
	for _, name := range []string{"ReturnValues", "Receipt", "ReturnView", "ReturnList", "Organisation", "OrganisationList",
		"TargetSet", "MetricsResult", "Snapshot", "RollupList", "Problem"} {
		if _, ok := s.lookup("/components/schemas/" + name); !ok {
			t.Errorf("components.schemas has no %s", name)
		}
	}
}
