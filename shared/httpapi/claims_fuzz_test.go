package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Whatever an issuer puts in the roles claim, ParseList answers clean role names (lower
// case, trimmed, no quotation marks around them, none empty), and reading its answer
// again, in either form API Gateway or an issuer may send it, gives the same list.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{"[admin leader]", `["admin","leader"]`, "submitter", "Admin, Leader", "", "[]",
		`[ "admin" , leader ]`, `["a b", "c,d"]`, `[" admin "]`, "[[admin]]", `"admin"`, "\tadmin\t", `["ADMIN", null, 1]`,
		"cognito:groups", "[submitter]x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list := ParseList(s)
		for _, v := range list {
			if v == "" || v != strings.TrimSpace(v) || v != strings.ToLower(v) || strings.HasPrefix(v, `"`) || strings.HasSuffix(v, `"`) {
				t.Fatalf("ParseList(%q) = %q: %q is not a clean role", s, list, v)
			}
		}
		asJSON, _ := json.Marshal(list)
		if list != nil {
			if again := ParseList(string(asJSON)); !slices.Equal(again, list) {
				t.Fatalf("ParseList(%q) = %q, but as JSON %s it reads %q", s, list, asJSON, again)
			}
		}
		if slices.ContainsFunc(list, func(v string) bool { return strings.ContainsAny(v, " ,\t[]\"") }) {
			return // only the JSON form can carry these
		}
		if again := ParseList("[" + strings.Join(list, " ") + "]"); len(list) > 0 && !slices.Equal(again, list) {
			t.Fatalf("ParseList(%q) = %q, but flattened as API Gateway does it reads %q", s, list, again)
		}
	})
}
