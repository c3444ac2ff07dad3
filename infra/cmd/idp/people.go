package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// roles are the sign-in page's choices, in the order it lists them: the roles the API's
// access policies name.
var roles = []workforce.Role{
	workforce.RoleSubmitter,
	workforce.RoleApprover,
	workforce.RoleLeader,
	workforce.RoleAdmin,
}

// identity is who someone chose to be on the sign-in page. The provider keeps no users: the
// subject spells the role and the organisation, so every claim can be read back from it.
type identity struct {
	Role workforce.Role
	Org  workforce.Organisation
}

const subjectPrefix = "local-"

// Subject is "local-<role>-<organisation code in lower case>", such as local-submitter-hmrc.
func (id identity) Subject() string {
	return subjectPrefix + string(id.Role) + "-" + strings.ToLower(id.Org.Code)
}

// Name is the display name the portal shows.
func (id identity) Name() string {
	return fmt.Sprintf("Local %s, %s", id.Role, id.Org.Name)
}

// Claims are the provider's own claims, in the ID token, the access token and userinfo:
// roles as a JSON array (as a Cognito group claim is) and the organisation's code.
func (id identity) Claims() map[string]any {
	return map[string]any{"roles": []string{string(id.Role)}, "org": id.Org.Code}
}

// directory holds the organisations someone may sign in for.
type directory struct {
	orgs []workforce.Organisation // sorted by name, as the page lists them
}

func newDirectory(orgs []workforce.Organisation) directory {
	sorted := slices.Clone(orgs)
	slices.SortFunc(sorted, func(a, b workforce.Organisation) int { return strings.Compare(a.Name, b.Name) })
	return directory{orgs: sorted}
}

// The choices the sign-in page can get wrong.
var (
	errNoRole = errors.New("not one of the roles")
	errNoOrg  = errors.New("not an organisation in the register")
)

// identity checks a choice made on the sign-in page: errNoRole, errNoOrg or both when a
// value is not one of the choices.
func (d directory) identity(role, orgCode string) (identity, error) {
	var errs []error
	r := workforce.Role(role)
	if !slices.Contains(roles, r) {
		errs = append(errs, errNoRole)
	}
	i := slices.IndexFunc(d.orgs, func(o workforce.Organisation) bool { return o.Code == orgCode })
	if i < 0 {
		errs = append(errs, errNoOrg)
	}
	if len(errs) > 0 {
		return identity{}, errors.Join(errs...)
	}
	return identity{Role: r, Org: d.orgs[i]}, nil
}

// fromSubject reads back the identity a subject spells.
func (d directory) fromSubject(sub string) (identity, bool) {
	rest, ok := strings.CutPrefix(sub, subjectPrefix)
	if !ok {
		return identity{}, false
	}
	role, org, ok := strings.Cut(rest, "-") // roles have no hyphen; codes may (LGA-KENT)
	if !ok {
		return identity{}, false
	}
	for _, o := range d.orgs {
		if strings.ToLower(o.Code) == org {
			id := identity{Role: workforce.Role(role), Org: o}
			return id, slices.Contains(roles, id.Role)
		}
	}
	return identity{}, false
}
