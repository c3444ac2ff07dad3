package workforce

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/textsafe"
)

// Organisation is an entry of the register.
type Organisation struct {
	Code              string  `json:"code"`
	Name              string  `json:"name"`
	Parent            string  `json:"parent"`
	Kind              OrgKind `json:"kind"`
	BaselineHeadcount int64   `json:"baseline_headcount"`
	ActiveFrom        string  `json:"active_from,omitempty"` // YYYY-MM-DD, empty = always
	ActiveTo          string  `json:"active_to,omitempty"`   // YYYY-MM-DD, empty = still active
	// ReturnsContacts are the email addresses reminders go to. They are personal data: set
	// by admins and shown only to them, never logged, never published. An Organisation's
	// JSON leaves them out; OrganisationWithContacts is the admin's view that shows them.
	ReturnsContacts []string `json:"returns_contacts,omitempty"`
}

// maxReturnsContacts bounds the list: a reminder goes to each address.
const maxReturnsContacts = 10

// MarshalJSON writes the organisation without its returns contacts, so that no listing,
// log line or published file can show them by accident. Reading JSON still takes them.
func (o Organisation) MarshalJSON() ([]byte, error) {
	type public Organisation // without this method
	p := public(o)
	p.ReturnsContacts = nil
	return json.Marshal(p)
}

// OrganisationWithContacts is an organisation as an admin sees it: its JSON shows the
// returns contacts. Use it only in answers to admins.
type OrganisationWithContacts Organisation

var orgCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$`)

// ValidOrgCode reports whether s has the form of an organisation code (HMRC, DSIT).
func ValidOrgCode(s string) bool { return len(s) >= 2 && len(s) <= 24 && orgCodeRE.MatchString(s) }

// ActiveOn reports whether the organisation exists on day t.
func (o Organisation) ActiveOn(t time.Time) bool {
	d := t.Format(time.DateOnly)
	return (o.ActiveFrom == "" || o.ActiveFrom <= d) && (o.ActiveTo == "" || d <= o.ActiveTo)
}

// maxOrgName bounds an organisation's name; the longest in the register is under 60.
const maxOrgName = 200

// Validate checks an organisation before it is added to the register.
func (o Organisation) Validate() []Problem {
	var ps []Problem
	add := func(field, code, msg string) { ps = append(ps, Problem{Field: field, Code: code, Message: msg}) }
	if !ValidOrgCode(o.Code) {
		add("code", "invalid_code", fmt.Sprintf("Organisation code %s must be 2 to 24 capital letters, digits or single hyphens, starting with a letter, for example HMRC or LGA-KENT.", textsafe.Quote(o.Code)))
	}
	// The name is shown in workbooks and on pages: text for people, nothing a
	// spreadsheet would run.
	name := strings.TrimSpace(o.Name)
	_, ctl := textsafe.ControlChar(name, false)
	switch {
	case name == "":
		add("name", "required", "Give the organisation's name.")
	case utf8.RuneCountInString(name) > maxOrgName:
		add("name", "too_long", fmt.Sprintf("The organisation's name can be at most %d characters.", maxOrgName))
	case ctl > 0:
		add("name", "control_character", fmt.Sprintf("The organisation's name contains an invisible control character at character %d; type it again without it.", ctl))
	case textsafe.FormulaLike(name):
		add("name", "formula_like", "The organisation's name cannot start with =, +, - or @, which a spreadsheet would run as a formula.")
	}
	if o.Parent != "" && !ValidOrgCode(o.Parent) {
		add("parent", "invalid_code", fmt.Sprintf("Parent %s must be an organisation code, for example CO.", textsafe.Quote(o.Parent)))
	}
	if !o.Kind.Valid() {
		add("kind", "invalid_kind", fmt.Sprintf("Kind %s must be civil_service or local_government.", textsafe.Quote(string(o.Kind))))
	}
	if o.BaselineHeadcount < 0 {
		add("baseline_headcount", "negative", "Baseline headcount cannot be negative.")
	}
	for _, d := range []struct{ field, v string }{{"active_from", o.ActiveFrom}, {"active_to", o.ActiveTo}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			add(d.field, "invalid_date", fmt.Sprintf("%s %s must be a date in the form 2025-04-01.", d.field, textsafe.Quote(d.v)))
		}
	}
	if o.ActiveFrom != "" && o.ActiveTo != "" && o.ActiveTo < o.ActiveFrom {
		add("active_to", "before_start", "active_to cannot be before active_from.")
	}
	if len(o.ReturnsContacts) > maxReturnsContacts {
		add("returns_contacts", "too_many", fmt.Sprintf("Give at most %d returns contacts, not %d.", maxReturnsContacts, len(o.ReturnsContacts)))
	}
	seen := map[string]int{}
	for i, c := range o.ReturnsContacts {
		// The address itself is personal data, so problems name its position, not its text.
		switch {
		case !ValidEmail(c):
			add("returns_contacts", "invalid_email", fmt.Sprintf("Returns contact %d must be a single email address such as returns@agency.gov.uk, with no name or brackets.", i+1))
		case seen[strings.ToLower(c)] > 0:
			add("returns_contacts", "duplicate_email", fmt.Sprintf("Returns contact %d repeats contact %d.", i+1, seen[strings.ToLower(c)]))
		default:
			seen[strings.ToLower(c)] = i + 1
		}
	}
	return ps
}

// ValidEmail reports whether s is one bare email address (returns@agency.gov.uk), as a
// reminder's To: line takes it: no display name, no angle brackets, no surrounding space.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.TrimSpace(s) != s {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}

// Register is the set of organisations, by code.
type Register map[string]Organisation
