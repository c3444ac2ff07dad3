package main

import (
	"errors"
	"testing"

	"github.com/ddat-workforce/returns/shared/register"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func TestSubjectSpellsRoleAndOrganisation(t *testing.T) {
	orgs, err := register.Seed()
	if err != nil {
		t.Fatal(err)
	}
	d := newDirectory(orgs)
	who, err := d.identity("submitter", "HMRC")
	if err != nil {
		t.Fatal(err)
	}
	if who.Subject() != "local-submitter-hmrc" {
		t.Errorf("subject %q, want local-submitter-hmrc", who.Subject())
	}
	// Every choice the page offers reads back as itself, hyphenated codes included.
	for _, r := range roles {
		for _, o := range orgs {
			who, err := d.identity(string(r), o.Code)
			if err != nil {
				t.Fatal(err)
			}
			back, ok := d.fromSubject(who.Subject())
			if !ok || back.Role != r || back.Org.Code != o.Code {
				t.Errorf("%s read back as %+v, %v", who.Subject(), back, ok)
			}
		}
	}
	for _, sub := range []string{"", "local-", "local-submitter", "local-superuser-hmrc", "local-submitter-nope", "remote-submitter-hmrc", "local-submitter-HMRC"} {
		if who, ok := d.fromSubject(sub); ok {
			t.Errorf("%q read as %+v, want no one", sub, who)
		}
	}
}

func TestIdentityNamesWhatIsWrong(t *testing.T) {
	orgs, err := register.Seed()
	if err != nil {
		t.Fatal(err)
	}
	d := newDirectory(orgs)
	tests := []struct {
		role, org     string
		noRole, noOrg bool
	}{
		{"leader", "hmrc", false, true}, // codes are exact
		{"Leader", "HMRC", true, false},
		{"", "", true, true},
	}
	for _, tc := range tests {
		_, err := d.identity(tc.role, tc.org)
		if errors.Is(err, errNoRole) != tc.noRole || errors.Is(err, errNoOrg) != tc.noOrg {
			t.Errorf("identity(%q, %q) = %v", tc.role, tc.org, err)
		}
	}
}

func mustSeed(t *testing.T) []workforce.Organisation {
	t.Helper()
	orgs, err := register.Seed()
	if err != nil {
		t.Fatal(err)
	}
	return orgs
}
