package workforce_test

import (
	"fmt"
	"testing"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Who may do what, written out by hand: the routes table and the services rely on these
// policies, and the authorisation matrix derives its expectations from them, so this is
// where their meaning is pinned.
func TestPolicies(t *testing.T) {
	who := func(org string, roles ...string) workforce.Principal {
		return workforce.Principal{Subject: "u", Org: org, Roles: roles}
	}
	var (
		submitter    = who("HMRC", "submitter")
		leader       = who("", "leader")
		admin        = who("", "admin")
		nobody       = who("HMRC")
		unknown      = who("HMRC", "superuser")
		orgless      = who("", "submitter")
		orglessAdmin = who("", "submitter", "admin")
		mixed        = who("HMRC", "submitter", "leader")
		approver     = who("HMRC", "approver")
		orglessAppr  = who("", "approver", "leader")
	)
	type verdict struct{ admits, own, other bool } // for some, HMRC's, DWP's
	for _, tc := range []struct {
		name   string
		policy workforce.Policy
		want   map[string]verdict
	}{
		{"SignedIn", workforce.SignedIn, map[string]verdict{
			"submitter": {true, true, true}, "leader": {true, true, true}, "admin": {true, true, true},
			"nobody": {true, true, true}, "unknown": {true, true, true}, "orgless": {}, "orglessAdmin": {}, "approver": {true, true, true}, "orglessAppr": {}, "mixed": {true, true, true}}},
		{"ReadReturns", workforce.ReadReturns, map[string]verdict{
			"submitter": {true, true, false}, "leader": {true, true, true}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {true, true, false}, "orglessAppr": {}, "mixed": {true, true, true}}},
		{"WriteReturns", workforce.WriteReturns, map[string]verdict{
			"submitter": {true, true, false}, "leader": {}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {true, true, false}}},
		{"SubmitBulk", workforce.SubmitBulk, map[string]verdict{
			"submitter": {}, "leader": {}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {}}},
		{"EditRegister", workforce.EditRegister, map[string]verdict{
			"submitter": {}, "leader": {}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {}}},
		{"ManagementFigures", workforce.ManagementFigures, map[string]verdict{
			"submitter": {}, "leader": {true, true, true}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {true, true, true}}},
		{"RunRollup", workforce.RunRollup, map[string]verdict{
			"submitter": {}, "leader": {}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {}}},
		{"FollowCollection", workforce.FollowCollection, map[string]verdict{
			"submitter": {}, "leader": {true, true, true}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {true, true, true}}},
		{"SendReminders", workforce.SendReminders, map[string]verdict{
			"submitter": {}, "leader": {}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {}}},
		{"ReturnsContacts", workforce.ReturnsContacts, map[string]verdict{
			"submitter": {}, "leader": {}, "admin": {true, true, true},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {}}},
		{"SignOffReturns", workforce.SignOffReturns, map[string]verdict{
			"submitter": {}, "leader": {}, "admin": {},
			"nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {true, true, false}, "orglessAppr": {}, "mixed": {}}},
		{"zero", workforce.Policy{}, map[string]verdict{
			"submitter": {}, "leader": {}, "admin": {}, "nobody": {}, "unknown": {}, "orgless": {}, "orglessAdmin": {}, "approver": {}, "orglessAppr": {}, "mixed": {}}},
	} {
		for name, p := range map[string]workforce.Principal{"submitter": submitter, "leader": leader, "admin": admin,
			"nobody": nobody, "unknown": unknown, "orgless": orgless, "orglessAdmin": orglessAdmin, "mixed": mixed, "approver": approver, "orglessAppr": orglessAppr} {
			want, ok := tc.want[name]
			if !ok {
				t.Fatalf("%s: no verdict for %s", tc.name, name)
			}
			got := verdict{tc.policy.Admits(p), tc.policy.Allows(p, "hmrc "), tc.policy.Allows(p, "DWP")}
			if got != want {
				t.Errorf("%s for %s %v: admits, own, other = %v, want %v", tc.name, name, p.Roles, got, want)
			}
			if every := tc.policy.EveryOrg(p); every != (want.own && want.other) {
				t.Errorf("%s for %s: EveryOrg %v", tc.name, name, every)
			}
		}
	}
}

func TestMissingOrg(t *testing.T) {
	for _, tc := range []struct {
		p    workforce.Principal
		want workforce.Role
	}{
		{workforce.Principal{Roles: []string{"submitter"}}, workforce.RoleSubmitter},
		{workforce.Principal{Roles: []string{"admin", "submitter"}}, workforce.RoleSubmitter},
		{workforce.Principal{Org: "HMRC", Roles: []string{"submitter"}}, ""},
		{workforce.Principal{Roles: []string{"leader", "admin"}}, ""},
	} {
		if got := tc.p.MissingOrg(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.p, got, tc.want)
		}
	}
}

func ExamplePolicy() {
	submitter := workforce.Principal{Org: "HMRC", Roles: []string{"submitter"}}
	fmt.Println(workforce.ReadReturns.Allows(submitter, "HMRC"), workforce.ReadReturns.Allows(submitter, "DWP"))
	fmt.Println(workforce.ReadReturns.Roles())
	// Output:
	// true false
	// [leader admin submitter approver]
}
