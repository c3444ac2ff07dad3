package samcheck

import (
	"slices"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
)

// lifecycleRuleProperties are the properties CloudFormation knows on a bucket's lifecycle
// rule. The SAM schema does not check AWS::S3::Bucket, so a misspelt one would only fail
// at deployment.
var lifecycleRuleProperties = []string{"AbortIncompleteMultipartUpload", "ExpirationDate", "ExpirationInDays",
	"ExpiredObjectDeleteMarker", "Id", "NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays",
	"NoncurrentVersionTransition", "NoncurrentVersionTransitions", "ObjectSizeGreaterThan", "ObjectSizeLessThan",
	"Prefix", "Status", "TagFilters", "Transition", "Transitions"}

// TestDiscardedUploadsExpire: the submit function deletes a file that ends without a
// version, which on a versioned bucket leaves a noncurrent version and a delete marker. A
// rule under uploads/ expires both; no rule expires a current upload, which is an
// accepted return's audit copy.
func TestDiscardedUploadsExpire(t *testing.T) {
	bucket := props(loadTemplate(t), "FilesBucket")
	if s := obj(bucket["VersioningConfiguration"])["Status"]; s != "Enabled" {
		t.Errorf("FilesBucket versioning %v, want Enabled", s)
	}
	rules, _ := obj(bucket["LifecycleConfiguration"])["Rules"].([]any)
	found := false
	for _, r := range rules {
		rule := obj(r)
		for k := range rule {
			if !slices.Contains(lifecycleRuleProperties, k) {
				t.Errorf("lifecycle rule %v: CloudFormation has no property %s", rule["Id"], k)
			}
		}
		prefix, _ := rule["Prefix"].(string)
		if rule["Status"] != "Enabled" || !strings.HasPrefix("uploads/", prefix) {
			continue // a rule for other prefixes, or one that is off
		}
		if rule["ExpirationInDays"] != nil || rule["ExpirationDate"] != nil {
			t.Errorf("lifecycle rule %v expires current uploads, the audit copies of accepted returns", rule["Id"])
		}
		if prefix != "uploads/" {
			continue
		}
		nve := obj(rule["NoncurrentVersionExpiration"])
		for k := range nve {
			if k != "NoncurrentDays" && k != "NewerNoncurrentVersions" {
				t.Errorf("lifecycle rule %v: NoncurrentVersionExpiration has no property %s", rule["Id"], k)
			}
		}
		if days, ok := nve["NoncurrentDays"].(int); ok && days >= 1 && days <= 30 && rule["ExpiredObjectDeleteMarker"] == true {
			found = true
		}
	}
	if !found {
		t.Errorf("FilesBucket has no enabled lifecycle rule for uploads/ expiring noncurrent versions (1 to 30 days) and expired delete markers: %v", rules)
	}
}

// TestOnlySubmitAndIngestDelete: the submit function may delete under uploads/ (a file
// left without a version, which the lifecycle rule then expires) and the ingest function
// under extracts/ (an extract once read, version and all: it is personal data). No
// function deletes anywhere else, and none may delete an object version outside
// extracts/, which would remove an audit copy for good.
func TestOnlySubmitAndIngestDelete(t *testing.T) {
	may := map[string]struct {
		prefix  string
		actions []string
	}{
		httpapi.FunctionSubmit: {"/uploads/*", []string{"s3:deleteobject"}},
		httpapi.FunctionIngest: {"/extracts/*", []string{"s3:deleteobject", "s3:deleteobjectversion"}},
	}
	deletes := map[string]bool{}
	for _, f := range functions(t, loadTemplate(t)) {
		policies, _ := f.props["Policies"].([]any)
		for _, p := range policies {
			stmts, _ := obj(p)["Statement"].([]any)
			for _, st := range stmts {
				s := obj(st)
				if s["Effect"] != "Allow" {
					continue
				}
				for _, a := range strings1(s["Action"]) {
					a = strings.ToLower(a)
					if !strings.HasPrefix(a, "s3:delete") {
						continue
					}
					allowed, ok := may[f.name]
					if !ok {
						t.Errorf("%s may delete objects (%s)", f.logicalID, a)
						continue
					}
					if !slices.Contains(allowed.actions, a) {
						t.Errorf("%s may %s", f.logicalID, a)
						continue
					}
					res := strings1(s["Resource"])
					only := len(res) > 0
					for _, r := range res {
						// A plain ARN, or the JSON text of a !Sub ending the same way.
						only = only && strings.HasSuffix(strings.TrimSuffix(r, `"}`), allowed.prefix)
					}
					if !only {
						t.Errorf("%s may %s outside %s: %v", f.logicalID, a, strings.Trim(allowed.prefix, "/*"), res)
						continue
					}
					deletes[f.name+" "+a] = true
				}
			}
		}
	}
	for fn, allowed := range may {
		for _, a := range allowed.actions {
			if !deletes[fn+" "+a] {
				t.Errorf("the %s function may not %s under %s", fn, a, strings.Trim(allowed.prefix, "/*"))
			}
		}
	}
}
