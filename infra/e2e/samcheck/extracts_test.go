package samcheck

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/ingest"
)

// TestExtractsExpireAfterADay: whatever is left under extracts/ — an extract never read,
// or one whose delete failed — is removed within a day, noncurrent versions and delete
// markers included (SPEC §10: no row-level data is kept).
func TestExtractsExpireAfterADay(t *testing.T) {
	rules, _ := obj(props(loadTemplate(t), "FilesBucket")["LifecycleConfiguration"])["Rules"].([]any)
	var current, noncurrent, markers bool
	for _, r := range rules {
		rule := obj(r)
		if rule["Status"] != "Enabled" || rule["Prefix"] != ingest.KeyPrefix || rule["TagFilters"] != nil {
			continue
		}
		if rule["ExpirationInDays"] == 1 {
			current = true
		}
		if obj(rule["NoncurrentVersionExpiration"])["NoncurrentDays"] == 1 {
			noncurrent = true
		}
		if rule["ExpiredObjectDeleteMarker"] == true {
			markers = true
			if rule["ExpirationInDays"] != nil {
				t.Errorf("lifecycle rule %v: CloudFormation refuses ExpiredObjectDeleteMarker with ExpirationInDays", rule["Id"])
			}
		}
	}
	if !current || !noncurrent || !markers {
		t.Errorf("FilesBucket's lifecycle rules for %s: current versions expire after a day %v, noncurrent ones %v, delete markers removed %v; want all three",
			ingest.KeyPrefix, current, noncurrent, markers)
	}
}

// TestIngestIsNotifiedOfExtracts: the ingest function's only trigger is the bucket's
// notification of objects created under extracts/, declared on the function so that SAM
// adds it to the bucket with the permission it needs.
func TestIngestIsNotifiedOfExtracts(t *testing.T) {
	f := functionNamed(t, httpapi.FunctionIngest)
	events := obj(f.props["Events"])
	if len(events) != 1 {
		t.Fatalf("%s has %d events, want one S3 event", f.logicalID, len(events))
	}
	for name, e := range events {
		ev := obj(e)
		p := obj(ev["Properties"])
		if ev["Type"] != "S3" || obj(p["Bucket"])["Ref"] != "FilesBucket" {
			t.Errorf("%s.%s: %v on %v, want an S3 event on !Ref FilesBucket", f.logicalID, name, ev["Type"], p["Bucket"])
		}
		if evs := strings1(p["Events"]); !slices.Equal(evs, []string{"s3:ObjectCreated:*"}) {
			t.Errorf("%s.%s: events %v, want s3:ObjectCreated:*", f.logicalID, name, evs)
		}
		rules, _ := obj(obj(p["Filter"])["S3Key"])["Rules"].([]any)
		if len(rules) != 1 || obj(rules[0])["Name"] != "prefix" || obj(rules[0])["Value"] != ingest.KeyPrefix {
			t.Errorf("%s.%s: filter %v, want the one rule prefix %s", f.logicalID, name, rules, ingest.KeyPrefix)
		}
	}
	for _, other := range functions(t, loadTemplate(t)) {
		for name, e := range obj(other.props["Events"]) {
			if other.name != httpapi.FunctionIngest && obj(e)["Type"] == "S3" {
				t.Errorf("%s.%s: only the ingest function reads S3 events", other.logicalID, name)
			}
		}
	}
}

// TestIngestPrivileges: the ingest function may do exactly what reading an extract and
// storing its return needs, and nothing under uploads/ (it keeps no copy of the extract).
func TestIngestPrivileges(t *testing.T) {
	f := functionNamed(t, httpapi.FunctionIngest)
	want := map[string][]string{
		"dynamodb:GetItem":       {`{"Fn::GetAtt":["ReturnsTable","Arn"]}`},
		"dynamodb:PutItem":       {`{"Fn::GetAtt":["ReturnsTable","Arn"]}`},
		"dynamodb:UpdateItem":    {`{"Fn::GetAtt":["ReturnsTable","Arn"]}`},
		"s3:GetObject":           {`{"Fn::Sub":"arn:${AWS::Partition}:s3:::${FilesBucketName}/extracts/*"}`},
		"s3:GetObjectVersion":    {`{"Fn::Sub":"arn:${AWS::Partition}:s3:::${FilesBucketName}/extracts/*"}`},
		"s3:DeleteObject":        {`{"Fn::Sub":"arn:${AWS::Partition}:s3:::${FilesBucketName}/extracts/*"}`},
		"s3:DeleteObjectVersion": {`{"Fn::Sub":"arn:${AWS::Partition}:s3:::${FilesBucketName}/extracts/*"}`},
		"sqs:SendMessage":        {`{"Fn::GetAtt":["IngestDeadLetterQueue","Arn"]}`},
	}
	got := map[string][]string{}
	policies, _ := f.props["Policies"].([]any)
	for _, p := range policies {
		stmts, _ := obj(p)["Statement"].([]any)
		for _, st := range stmts {
			s := obj(st)
			if s["Effect"] != "Allow" {
				continue
			}
			for _, a := range strings1(s["Action"]) {
				rs, ok := s["Resource"].([]any)
				if !ok {
					rs = []any{s["Resource"]}
				}
				for _, r := range rs {
					got[a] = append(got[a], jsonText(t, r))
				}
			}
		}
	}
	for a := range got {
		sort.Strings(got[a])
	}
	for a, res := range want {
		if !slices.Equal(got[a], res) {
			t.Errorf("%s: %s on %v, want %v", f.logicalID, a, got[a], res)
		}
	}
	for a, res := range got {
		if _, ok := want[a]; !ok {
			t.Errorf("%s may %s on %v, which reading an extract does not need", f.logicalID, a, res)
		}
	}
}

// TestIngestDeadLetters: an extract event that fails every retry is kept on the ingest's
// own queue, which the function may write to.
func TestIngestDeadLetters(t *testing.T) {
	f := functionNamed(t, httpapi.FunctionIngest)
	cfg := obj(f.props["EventInvokeConfig"])
	dest := obj(obj(obj(cfg["DestinationConfig"])["OnFailure"]))
	if dest["Type"] != "SQS" || jsonText(t, dest["Destination"]) != `{"Fn::GetAtt":["IngestDeadLetterQueue","Arn"]}` {
		t.Errorf("%s: OnFailure %v, want SQS to IngestDeadLetterQueue", f.logicalID, dest)
	}
	if n, _ := cfg["MaximumRetryAttempts"].(int); n < 1 {
		t.Errorf("%s: MaximumRetryAttempts %v, want retries before the queue", f.logicalID, cfg["MaximumRetryAttempts"])
	}
	if obj(props(loadTemplate(t), "IngestDeadLetterQueue"))["SqsManagedSseEnabled"] != true {
		t.Error("IngestDeadLetterQueue is not encrypted")
	}
}

// TestNoDependencyCycle: CloudFormation refuses a template whose resources depend on each
// other in a cycle. SAM makes the bucket depend on each function with an S3 event on it
// (the notification names the function), so such a function must not refer to the bucket.
func TestNoDependencyCycle(t *testing.T) {
	tmpl := loadTemplate(t)
	res := obj(tmpl["Resources"])
	deps := map[string][]string{}
	for id, r := range res {
		// A function's S3 event names its bucket, but SAM turns it into the bucket's
		// notification (the bucket depends on the function), not a dependency of the
		// function on the bucket: the edge is added the right way round below.
		deps[id] = references(withoutS3Events(r), res)
		for _, d := range strings1(obj(r)["DependsOn"]) {
			deps[id] = append(deps[id], d)
		}
	}
	// Added once every resource's own references are in: map order must not drop them.
	for id, r := range res {
		if obj(r)["Type"] != "AWS::Serverless::Function" {
			continue
		}
		for _, e := range obj(obj(obj(r)["Properties"])["Events"]) {
			if obj(e)["Type"] == "S3" {
				bucket := fmt.Sprint(obj(obj(obj(e)["Properties"])["Bucket"])["Ref"])
				deps[bucket] = append(deps[bucket], id)
			}
		}
	}
	if cycle := findCycle(deps); cycle != nil {
		t.Errorf("resources depend on each other in a cycle: %s", strings.Join(cycle, " → "))
	}
	if findCycle(map[string][]string{"A": {"B"}, "B": {"C"}, "C": {"A"}}) == nil {
		t.Error("findCycle misses A → B → C → A")
	}
}

// withoutS3Events is a function resource without its S3 events, whose Bucket reference
// SAM does not make a dependency of the function.
func withoutS3Events(r any) any {
	props := obj(obj(r)["Properties"])
	events := obj(props["Events"])
	if len(events) == 0 {
		return r
	}
	kept := map[string]any{}
	for name, e := range events {
		if obj(e)["Type"] != "S3" {
			kept[name] = e
		}
	}
	p2 := map[string]any{}
	for k, v := range props {
		p2[k] = v
	}
	p2["Events"] = kept
	r2 := map[string]any{}
	for k, v := range obj(r) {
		r2[k] = v
	}
	r2["Properties"] = p2
	return r2
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}`)

// references lists the resources v refers to with Ref, Fn::GetAtt or Fn::Sub.
func references(v any, resources map[string]any) []string {
	var out []string
	add := func(id string) {
		if _, ok := resources[id]; ok {
			out = append(out, id)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			switch k {
			case "Ref":
				add(fmt.Sprint(child))
			case "Fn::GetAtt":
				if l, ok := child.([]any); ok && len(l) > 0 {
					add(fmt.Sprint(l[0]))
				}
			case "Fn::Sub":
				s, _ := child.(string)
				if l, ok := child.([]any); ok && len(l) > 0 {
					s, _ = l[0].(string)
				}
				for _, m := range subRef.FindAllStringSubmatch(s, -1) {
					add(m[1])
				}
			}
			out = append(out, references(child, resources)...)
		}
	case []any:
		for _, child := range v {
			out = append(out, references(child, resources)...)
		}
	}
	return out
}

func findCycle(deps map[string][]string) []string {
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(string) []string
	visit = func(n string) []string {
		state[n] = open
		stack = append(stack, n)
		for _, d := range deps[n] {
			switch state[d] {
			case open:
				i := slices.Index(stack, d)
				return append(append([]string{}, stack[i:]...), d)
			case unseen:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	ids := make([]string, 0, len(deps))
	for id := range deps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if state[id] == unseen {
			if c := visit(id); c != nil {
				return c
			}
		}
	}
	return nil
}

func functionNamed(t *testing.T, name string) function {
	t.Helper()
	for _, f := range functions(t, loadTemplate(t)) {
		if f.name == name {
			return f
		}
	}
	t.Fatalf("template.yaml has no %s function", name)
	return function{}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
