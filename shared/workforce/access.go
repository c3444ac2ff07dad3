package workforce

import "strings"

// Role is what a signed-in user may do, as the token's roles claim names it.
type Role string

const (
	RoleSubmitter Role = "submitter" // sends its own organisation's returns
	RoleLeader    Role = "leader"    // reads every organisation's returns and the management figures
	RoleAdmin     Role = "admin"     // does everything, for every organisation
	RoleApprover  Role = "approver"  // signs off its own organisation's returns (SPEC §11)
)

// orgScoped are the roles that act for one organisation, the token's.
var orgScoped = []Role{RoleSubmitter, RoleApprover}

// Principal is who is calling, from the token's claims.
type Principal struct {
	Subject string
	Org     string
	Roles   []string
}

// Has reports whether p holds role.
func (p Principal) Has(role Role) bool {
	for _, r := range p.Roles {
		if r == string(role) {
			return true
		}
	}
	return false
}

// MissingOrg is the organisation-scoped role p claims without saying for which
// organisation, "" if none. Such a token is refused by every policy: read as "no
// organisation" it could fall through to "every organisation".
func (p Principal) MissingOrg() Role {
	if p.Org != "" {
		return ""
	}
	for _, r := range orgScoped {
		if p.Has(r) {
			return r
		}
	}
	return ""
}

// Policy is who may do one thing: the roles that may do it for every organisation, and
// those that may do it only for their own. The zero Policy allows nobody, so a route
// whose policy was forgotten is closed, not open.
type Policy struct {
	// Anyone signed in may, whatever their roles (the other fields are then unused).
	Anyone bool
	// Every lists the roles that may, for any organisation.
	Every []Role
	// Own lists the roles that may, for the organisation their token names only.
	Own []Role
}

// The policies, one per thing the service lets people do. Each route of the routes table
// names one; the services ask the same values for rules that depend on the organisation
// a return is about.
var (
	// SignedIn: anyone with a valid token (the template, the register, the targets, the
	// published edition of a report).
	SignedIn = Policy{Anyone: true}
	// ReadReturns: leaders and admins read every organisation's returns; a submitter
	// its own, and an approver its own, to sign them off.
	ReadReturns = Policy{Every: []Role{RoleLeader, RoleAdmin}, Own: []Role{RoleSubmitter, RoleApprover}}
	// WriteReturns: admins send (or check) any organisation's return; a submitter its own.
	WriteReturns = Policy{Every: []Role{RoleAdmin}, Own: []Role{RoleSubmitter}}
	// SignOffReturns: an organisation's approver (its accountable officer) signs off its
	// own returns, one exact version at a time; nobody signs off for another organisation.
	SignOffReturns = Policy{Own: []Role{RoleApprover}}
	// SubmitBulk: a bulk file holds many organisations' returns, so admins only.
	SubmitBulk = Policy{Every: []Role{RoleAdmin}}
	// EditRegister: admins change the register of organisations.
	EditRegister = Policy{Every: []Role{RoleAdmin}}
	// ManagementFigures: leaders and admins see the figures before disclosure control
	// (metrics, rollup snapshots, the management edition of a report).
	ManagementFigures = Policy{Every: []Role{RoleLeader, RoleAdmin}}
	// ReturnsContacts: the register's returns contacts are personal data, shown only to
	// the admins who set them.
	ReturnsContacts = Policy{Every: []Role{RoleAdmin}}
	// RunRollup: admins run a month's rollup by hand (the schedule needs no one).
	RunRollup = Policy{Every: []Role{RoleAdmin}}
	// FollowCollection: leaders and admins see where a quarter's collection stands (who
	// has sent, who owes, which reminders went).
	FollowCollection = Policy{Every: []Role{RoleLeader, RoleAdmin}}
	// SendReminders: admins run a day's reminders by hand (the schedule needs no one).
	SendReminders = Policy{Every: []Role{RoleAdmin}}
)

// Admits reports whether p may do it for some organisation: the check a route makes
// before it knows which organisation a request is about.
func (pol Policy) Admits(p Principal) bool {
	if p.MissingOrg() != "" {
		return false
	}
	return pol.Anyone || p.hasAny(pol.Every) || p.hasAny(pol.Own)
}

// Allows reports whether p may do it for org.
func (pol Policy) Allows(p Principal, org string) bool {
	if p.MissingOrg() != "" {
		return false
	}
	if pol.Anyone || p.hasAny(pol.Every) {
		return true
	}
	return p.hasAny(pol.Own) && p.Org != "" && strings.EqualFold(p.Org, strings.TrimSpace(org))
}

// EveryOrg reports whether p may do it for every organisation, not only its own.
func (pol Policy) EveryOrg(p Principal) bool {
	return p.MissingOrg() == "" && (pol.Anyone || p.hasAny(pol.Every))
}

// Roles lists every role the policy lets in, those for every organisation first; none
// for a policy that lets anyone in.
func (pol Policy) Roles() []Role {
	if pol.Anyone {
		return nil
	}
	return append(append([]Role{}, pol.Every...), pol.Own...)
}

func (p Principal) hasAny(roles []Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}
