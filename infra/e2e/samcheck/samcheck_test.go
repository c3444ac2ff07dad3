package samcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/portal"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// repoRoot is the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// loadTemplate reads template.yaml as plain JSON values.
func loadTemplate(t *testing.T) map[string]any {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := TemplateJSON(src)
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatal("template.yaml is not a mapping")
	}
	return m
}

var (
	schemaOnce sync.Once
	schemas    samSchemas
	schemaErr  error
)

// samSchemas is the whole SAM schema and, for clearer failures, the branch for each
// AWS::Serverless:: resource type (the whole schema tries every type in an anyOf, so its
// errors list every type a resource is not).
type samSchemas struct {
	template *jsonschema.Schema
	byType   map[string]*jsonschema.Schema
}

// samSchema compiles the SAM schema kept in testdata (taken unchanged from
// aws/serverless-application-model; see testdata/README.md for its source and licence).
func samSchema(t *testing.T) samSchemas {
	t.Helper()
	path := filepath.Join("testdata", "sam.schema.json")
	schemaOnce.Do(func() { schemas, schemaErr = compileSAMSchema(path) })
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schemas
}

func compileSAMSchema(path string) (samSchemas, error) {
	f, err := os.Open(path)
	if err != nil {
		return samSchemas{}, fmt.Errorf("the SAM schema is missing (%w); it belongs in infra/e2e/samcheck/testdata", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return samSchemas{}, fmt.Errorf("%s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseRegexpEngine(regexpEngine)
	if err := c.AddResource(path, doc); err != nil {
		return samSchemas{}, err
	}
	out := samSchemas{byType: map[string]*jsonschema.Schema{}}
	if out.template, err = c.Compile(path); err != nil {
		return samSchemas{}, err
	}
	for name, def := range obj(obj(doc)["definitions"]) {
		enum, _ := obj(obj(obj(def)["properties"])["Type"])["enum"].([]any)
		if len(enum) != 1 || !strings.HasSuffix(name, "__Resource") {
			continue
		}
		typ, _ := enum[0].(string)
		if out.byType[typ], err = c.Compile(path + "#/definitions/" + name); err != nil {
			return samSchemas{}, err
		}
	}
	return out, nil
}

// negativeLookahead matches the one pattern form in the SAM schema that Go's RE2 cannot
// compile: "^(?!PREFIX).+$", a non-empty string not starting with PREFIX.
var negativeLookahead = regexp.MustCompile(`^\^\(\?!([^\\.+*?()\[\]{}|^$]+)\)\.\+\$$`)

type notPrefix struct{ expr, prefix string }

func (p notPrefix) MatchString(s string) bool { return s != "" && !strings.HasPrefix(s, p.prefix) }
func (p notPrefix) String() string            { return p.expr }

func regexpEngine(expr string) (jsonschema.Regexp, error) {
	if m := negativeLookahead.FindStringSubmatch(expr); m != nil {
		return notPrefix{expr, m[1]}, nil
	}
	return regexp.Compile(expr)
}

// validate runs the schema over a JSON value. When the template fails, the error names
// each failing SAM resource against its own type's schema, which reads far better than the
// whole schema's anyOf.
func validate(t *testing.T, doc any) error {
	t.Helper()
	s := samSchema(t)
	err := s.template.Validate(jsonValue(t, doc))
	if err == nil {
		return nil
	}
	var details []string
	for id, r := range obj(obj(doc)["Resources"]) {
		typ, _ := obj(r)["Type"].(string)
		if sch := s.byType[typ]; sch != nil {
			if rerr := sch.Validate(jsonValue(t, r)); rerr != nil {
				details = append(details, fmt.Sprintf("Resources.%s (%s): %v", id, typ, rerr))
			}
		}
	}
	if len(details) == 0 {
		return err
	}
	sort.Strings(details)
	return errors.New(strings.Join(details, "\n"))
}

// jsonValue goes through JSON text so numbers are the json.Number the validator expects.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTemplateMatchesSAMSchema(t *testing.T) {
	if err := validate(t, loadTemplate(t)); err != nil {
		t.Fatalf("template.yaml does not match the SAM schema:\n%v", err)
	}
}

// TestSchemaCatchesMistakes makes sure the schema check can fail: each mistake is one SAM
// would reject.
func TestSchemaCatchesMistakes(t *testing.T) {
	tests := map[string]func(tmpl map[string]any){
		"unknown function property": func(tmpl map[string]any) {
			props(tmpl, "SubmitFunction")["CodeUrl"] = "build/submit.zip"
		},
		"misspelt event property": func(tmpl map[string]any) {
			ev := obj(obj(props(tmpl, "ReadFunction")["Events"])["GetTemplate"])
			obj(ev["Properties"])["Methd"] = "GET"
		},
		"unknown global": func(tmpl map[string]any) {
			obj(obj(tmpl["Globals"])["Function"])["Handlr"] = "bootstrap"
		},
		"authorizer property at the wrong level": func(tmpl map[string]any) {
			obj(props(tmpl, "HttpApi")["Auth"])["JwtConfiguration"] = map[string]any{}
		},
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			tmpl := loadTemplate(t)
			mutate(tmpl)
			if validate(t, tmpl) == nil {
				t.Error("the schema accepted it")
			}
		})
	}
}

func TestRegexpEngine(t *testing.T) {
	re, err := regexpEngine(`^(?!AWS::Serverless::).+$`)
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]bool{"AWS::S3::Bucket": true, "AWS::Serverless::Function": false, "": false} {
		if re.MatchString(s) != want {
			t.Errorf("%q: got %v", s, !want)
		}
	}
	if _, err := regexpEngine(`^(?!a.b).+$`); err == nil {
		t.Error("a lookahead this engine cannot honour compiled")
	}
}

// function is one AWS::Serverless::Function, by the apigw function name its CodeUri names.
type function struct {
	logicalID string
	name      string
	props     map[string]any
}

var codeURI = regexp.MustCompile(`^build/([a-z][a-z0-9]*)\.zip$`)

// functions lists the template's functions. Each CodeUri must be build/<name>.zip, the
// output of make build, and the logical id <Name>Function.
func functions(t *testing.T, tmpl map[string]any) []function {
	t.Helper()
	var out []function
	for id, r := range obj(tmpl["Resources"]) {
		if obj(r)["Type"] != "AWS::Serverless::Function" {
			continue
		}
		p := obj(obj(r)["Properties"])
		uri, _ := p["CodeUri"].(string)
		m := codeURI.FindStringSubmatch(uri)
		if m == nil {
			t.Errorf("%s: CodeUri %v is not build/<name>.zip", id, p["CodeUri"])
			continue
		}
		if want := strings.ToUpper(m[1][:1]) + m[1][1:] + "Function"; id != want {
			t.Errorf("%s builds %s; name it %s", id, uri, want)
		}
		out = append(out, function{logicalID: id, name: m[1], props: p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) == 0 {
		t.Fatal("no functions in template.yaml")
	}
	return out
}

// TestRoutesMatchRoutesTable: the API Gateway routes are exactly httpapi.Routes, each on the
// function the table names, so the local gateway and AWS serve the same API.
func TestRoutesMatchRoutesTable(t *testing.T) {
	tmpl := loadTemplate(t)
	inTemplate := map[string]string{} // route key → function
	for _, f := range functions(t, tmpl) {
		for name, e := range obj(f.props["Events"]) {
			ev := obj(e)
			if ev["Type"] != "HttpApi" {
				continue
			}
			p := obj(ev["Properties"])
			if ref := obj(p["ApiId"])["Ref"]; ref != "HttpApi" {
				t.Errorf("%s.%s: ApiId is %v, want !Ref HttpApi (else SAM makes a second API)", f.logicalID, name, p["ApiId"])
			}
			if v, ok := p["PayloadFormatVersion"]; ok && v != "2.0" {
				t.Errorf("%s.%s: PayloadFormatVersion %v; the handlers read 2.0", f.logicalID, name, v)
			}
			key := fmt.Sprint(p["Method"], " ", p["Path"])
			if prev, dup := inTemplate[key]; dup {
				t.Errorf("%s declared twice (%s and %s)", key, prev, f.name)
			}
			inTemplate[key] = f.name
		}
	}
	inTable := map[string]string{}
	for _, r := range append(slices.Clone(httpapi.Routes), portal.Routes...) {
		inTable[r.Key()] = r.Function
	}
	for key, fn := range inTable {
		got, ok := inTemplate[key]
		switch {
		case !ok:
			t.Errorf("httpapi.Routes has %s (%s); template.yaml does not", key, fn)
		case got != fn:
			t.Errorf("%s: template.yaml sends it to %s, httpapi.Routes to %s", key, got, fn)
		}
	}
	for key, fn := range inTemplate {
		if _, ok := inTable[key]; !ok {
			t.Errorf("template.yaml has %s (%s); httpapi.Routes does not", key, fn)
		}
	}
}

// TestFunctionSourcesExist: every build/<name>.zip comes from functions/<name>/main.go.
func TestFunctionSourcesExist(t *testing.T) {
	root := repoRoot(t)
	for _, f := range functions(t, loadTemplate(t)) {
		main := filepath.Join(root, "functions", f.name, "main.go")
		if _, err := os.Stat(main); err != nil {
			t.Errorf("%s: CodeUri build/%s.zip, but %s: %v", f.logicalID, f.name, filepath.Join("functions", f.name, "main.go"), err)
		}
	}
}

func TestEveryRouteNeedsAToken(t *testing.T) {
	tmpl := loadTemplate(t)
	auth := obj(props(tmpl, "HttpApi")["Auth"])
	def, _ := auth["DefaultAuthorizer"].(string)
	authorizer := obj(obj(auth["Authorizers"])[def])
	jwt := obj(authorizer["JwtConfiguration"])
	if def == "" || jwt["issuer"] == nil || jwt["audience"] == nil {
		t.Fatalf("HttpApi needs a default JWT authorizer with issuer and audience; Auth is %v", auth)
	}
	if authorizer["IdentitySource"] != "$request.header.Authorization" {
		t.Errorf("IdentitySource %v", authorizer["IdentitySource"])
	}
	open := map[string]bool{}
	for _, r := range portal.Routes {
		open[r.Key()] = true
	}
	for _, f := range functions(t, tmpl) {
		for name, e := range obj(f.props["Events"]) {
			p := obj(obj(e)["Properties"])
			a := obj(p["Auth"])
			key := fmt.Sprint(p["Method"], " ", p["Path"])
			switch {
			case open[key] && a["Authorizer"] != "NONE":
				// The portal signs people in itself; a JWT authorizer would refuse every browser.
				t.Errorf("%s.%s (%s) is a portal route: it needs Auth.Authorizer NONE, has %v", f.logicalID, name, key, a["Authorizer"])
			case open[key] && f.name != portal.FunctionPortal:
				t.Errorf("%s.%s (%s) has no authorizer but is on %s, not the portal", f.logicalID, name, key, f.name)
			case !open[key] && a["Authorizer"] != nil:
				t.Errorf("%s.%s overrides the authorizer with %v", f.logicalID, name, a["Authorizer"])
			}
		}
	}
}

// TestPortalHasNoDataPermission: the portal reaches the data only through the API, with the
// user's token (SPEC §9), so its role may do nothing to the table, the bucket or anything
// else (SAM gives it only logging and tracing).
func TestPortalHasNoDataPermission(t *testing.T) {
	found := false
	for _, f := range functions(t, loadTemplate(t)) {
		if f.name != portal.FunctionPortal {
			continue
		}
		found = true
		if f.props["Policies"] != nil || f.props["Role"] != nil {
			t.Errorf("%s has Policies or a Role (%v %v); it must have no permission beyond logging", f.logicalID, f.props["Policies"], f.props["Role"])
		}
		vars := obj(obj(f.props["Environment"])["Variables"])
		for _, k := range []string{"OIDC_ISSUER", "PORTAL_CLIENT_ID", "PORTAL_SESSION_KEY"} {
			if vars[k] == nil {
				t.Errorf("%s has no %s", f.logicalID, k)
			}
		}
	}
	if !found {
		t.Fatalf("no %s function", portal.FunctionPortal)
	}
}

// TestNoWildcardPermissions: no statement grants every action of a service or every resource.
func TestNoWildcardPermissions(t *testing.T) {
	for _, p := range wildcardGrants(loadTemplate(t), "") {
		t.Error(p)
	}
}

func TestWildcardGrantsAreFound(t *testing.T) {
	doc := map[string]any{"Resources": map[string]any{"F": map[string]any{"Properties": map[string]any{
		"Policies": []any{
			"AWSLambdaBasicExecutionRole",
			map[string]any{"Statement": []any{
				map[string]any{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"},
				map[string]any{"Effect": "Allow", "Action": []any{"s3:GetObject", "dynamodb:*"}, "Resource": []any{"*"}},
				map[string]any{"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:x"},
				map[string]any{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/uploads/*"},
			}},
		},
	}}}}
	got := wildcardGrants(doc, "")
	if len(got) != 4 {
		t.Errorf("found %d problems, want 4 (Action *, dynamodb:*, Resource *, NotAction):\n%s", len(got), strings.Join(got, "\n"))
	}
}

// wildcardGrants walks any JSON value for IAM statements granting "*" or "service:*", any
// Resource "*", or NotAction/NotResource, which grant by exclusion.
func wildcardGrants(v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if v["Effect"] == "Deny" {
			return nil // a wildcard in a Deny takes away, it grants nothing
		}
		for k, child := range v {
			here := path + "." + k
			switch k {
			case "Action":
				for _, a := range strings1(child) {
					if a == "*" || strings.HasSuffix(a, ":*") {
						out = append(out, fmt.Sprintf("%s grants %q", here, a))
					}
				}
			case "Resource":
				if slices.Contains(strings1(child), "*") {
					out = append(out, fmt.Sprintf("%s is \"*\"", here))
				}
			case "NotAction", "NotResource":
				out = append(out, fmt.Sprintf("%s grants by exclusion", here))
			}
			out = append(out, wildcardGrants(child, here)...)
		}
	case []any:
		for i, child := range v {
			out = append(out, wildcardGrants(child, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	sort.Strings(out)
	return out
}

// TestReadFunctionCannotWrite: the read function's boundary is reads only.
func TestReadFunctionCannotWrite(t *testing.T) {
	readOnly := []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "s3:GetObject"}
	found := false
	for _, f := range functions(t, loadTemplate(t)) {
		if f.name != httpapi.FunctionRead {
			continue
		}
		found = true
		for _, a := range policyActions(t, f) {
			if !slices.Contains(readOnly, a) {
				t.Errorf("%s may %s", f.logicalID, a)
			}
		}
	}
	if !found {
		t.Fatalf("no %s function", httpapi.FunctionRead)
	}
}

// policyActions lists the actions of a function's inline statements. Named SAM policy
// templates and managed policies are refused: their grants are not visible here.
func policyActions(t *testing.T, f function) []string {
	t.Helper()
	var out []string
	policies, _ := f.props["Policies"].([]any)
	for _, p := range policies {
		doc, ok := p.(map[string]any)
		if !ok || doc["Statement"] == nil {
			t.Errorf("%s: policy %v is not an inline statement list", f.logicalID, p)
			continue
		}
		for _, s := range doc["Statement"].([]any) {
			if obj(s)["Effect"] == "Allow" {
				out = append(out, strings1(obj(s)["Action"])...)
			}
		}
	}
	return out
}

func TestLogGroupsKeepNinetyDays(t *testing.T) {
	tmpl := loadTemplate(t)
	groups := map[string]map[string]any{}
	for _, r := range obj(tmpl["Resources"]) {
		if obj(r)["Type"] == "AWS::Logs::LogGroup" {
			p := obj(obj(r)["Properties"])
			if sub, ok := obj(p["LogGroupName"])["Fn::Sub"].(string); ok {
				groups[sub] = p
			}
		}
	}
	for _, f := range functions(t, tmpl) {
		name := "/aws/lambda/${" + f.logicalID + "}"
		p, ok := groups[name]
		if !ok {
			t.Errorf("%s has no log group named !Sub %s", f.logicalID, name)
			continue
		}
		if days, _ := p["RetentionInDays"].(int); days != 90 {
			t.Errorf("%s: RetentionInDays %v, want 90", name, p["RetentionInDays"])
		}
	}
}

// TestFunctionEnvironment: the variables app.ConfigFromEnv reads come from the stack.
func TestFunctionEnvironment(t *testing.T) {
	vars := obj(obj(obj(obj(loadTemplate(t)["Globals"])["Function"])["Environment"])["Variables"])
	want := map[string]string{
		"TABLE_NAME":    "ReturnsTable",
		"BUCKET_NAME":   "FilesBucketName",
		"ORG_CLAIM":     "OrgClaim",
		"ROLES_CLAIM":   "RolesClaim",
		"DUE_DAYS":      "DueDays",
		"FIRST_QUARTER": "FirstQuarter",
	}
	for k, ref := range want {
		if got := obj(vars[k])["Ref"]; got != ref {
			t.Errorf("%s = %v, want !Ref %s", k, vars[k], ref)
		}
	}
	if got := obj(props(loadTemplate(t), "FilesBucket")["BucketName"])["Ref"]; got != "FilesBucketName" {
		t.Errorf("FilesBucket's BucketName is %v, want !Ref FilesBucketName, the name BUCKET_NAME gives", got)
	}
	// Every variable the configuration code reads is either set above, set by Lambda
	// itself, or meant only for the local stack or as an optional override.
	notInTemplate := map[string]bool{"AWS_REGION": true, "DYNAMODB_ENDPOINT": true, "S3_ENDPOINT": true, "MAX_UPLOAD_BYTES": true}
	src, err := os.ReadFile(reporoot.Path("shared", "app", "config.go"))
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`(?:Getenv|envOr)\("([A-Z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(read) < len(want) {
		t.Fatalf("found only %d variables read in shared/app/config.go", len(read))
	}
	for _, m := range read {
		if _, ok := want[m[1]]; !ok && !notInTemplate[m[1]] {
			t.Errorf("shared/app/config.go reads %s, which the template does not set", m[1])
		}
	}
}

func props(tmpl map[string]any, logicalID string) map[string]any {
	return obj(obj(obj(tmpl["Resources"])[logicalID])["Properties"])
}

// obj is v as a mapping, or an empty one, so lookups chain without panics; the assertion
// that reads the final value reports what was missing.
func obj(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// strings1 reads a value that IAM allows as one string or a list of strings. Anything else,
// such as an intrinsic function, is returned as its JSON text so it cannot pass unseen.
func strings1(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, strings1(e)...)
		}
		return out
	case nil:
		return nil
	default:
		b, _ := json.Marshal(v)
		return []string{string(b)}
	}
}

// TestAlarms: every function has an errors and a throttles alarm, each dead-letter queue
// (the rollup's and the ingest's) has a depth alarm, and every alarm notifies the alarm topic.
func TestAlarms(t *testing.T) {
	tmpl := loadTemplate(t)
	type key struct{ metric, target string }
	have := map[key]bool{}
	for name, r := range obj(tmpl["Resources"]) {
		res := obj(r)
		if res["Type"] != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := obj(res["Properties"])
		actions, _ := p["AlarmActions"].([]any)
		if len(actions) == 0 || obj(actions[0])["Ref"] != "AlarmTopic" {
			t.Errorf("%s does not notify AlarmTopic", name)
		}
		dims, _ := p["Dimensions"].([]any)
		if len(dims) != 1 {
			t.Errorf("%s: %d dimensions, want 1", name, len(dims))
			continue
		}
		v := obj(dims[0])["Value"]
		target := fmt.Sprint(obj(v)["Ref"])
		if ga, ok := obj(v)["Fn::GetAtt"].([]any); ok {
			target = fmt.Sprint(ga[0])
		}
		have[key{fmt.Sprint(p["MetricName"]), target}] = true
	}
	for name, r := range obj(tmpl["Resources"]) {
		if obj(r)["Type"] != "AWS::Serverless::Function" {
			continue
		}
		for _, m := range []string{"Errors", "Throttles"} {
			if !have[key{m, name}] {
				t.Errorf("%s has no %s alarm", name, m)
			}
		}
	}
	for _, q := range []string{"RollupDeadLetterQueue", "IngestDeadLetterQueue"} {
		if !have[key{"ApproximateNumberOfMessagesVisible", q}] {
			t.Errorf("the dead-letter queue %s has no depth alarm", q)
		}
	}
}

// TestBucketRefusesPlainHTTP: the bucket policy denies every request made without TLS.
func TestBucketRefusesPlainHTTP(t *testing.T) {
	doc := obj(props(loadTemplate(t), "FilesBucketPolicy")["PolicyDocument"])
	stmts, _ := doc["Statement"].([]any)
	for _, st := range stmts {
		s := obj(st)
		cond := obj(obj(s["Condition"])["Bool"])
		if s["Effect"] == "Deny" && s["Principal"] == "*" && cond["aws:SecureTransport"] == "false" {
			return
		}
	}
	t.Errorf("FilesBucketPolicy has no statement denying requests without TLS: %v", doc)
}
