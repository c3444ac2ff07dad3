package workforce

import "fmt"

// Relation is how a rule's two sides must compare.
type Relation string

const (
	SumEquals Relation = "sum_equals" // Σ Left = Right: a breakdown adds up to its total
	AtMost    Relation = "at_most"    // Σ Left ≤ Right: a part is no more than its whole
)

// Rule is a check across fields. All quantities are compared in hundredths so FTE and
// headcount compare. The server validates with it, and the template's running check for
// it is built from it (xlsx), so the two say the same thing in the same words.
type Rule struct {
	Code     string
	Report   string   // the field the problem is reported against
	Left     []string // summed
	Right    []string // Right[0] − Right[1] − …
	Relation Relation
	What     string // how to describe Left to people
	Limit    string // how to describe Right to people
	// Label names the rule's row on the template when it needs one of its own: the
	// calculated total of a breakdown, or a second check on the same field.
	Label string
}

// Rules are the cross-field checks of SPEC §3, in the order they are reported. A rule
// whose fields are not all present (a local-government return) does not apply.
var Rules = []Rule{
	{Code: "fte_exceeds_headcount", Report: KeyFTE, Left: []string{KeyFTE}, Right: []string{KeyHeadcount}, Relation: AtMost,
		What: "FTE", Limit: "headcount", Label: "FTE compared with headcount (check)"},
	{Code: "unknown_exceeds_headcount", Report: KeyProfessionUnknown, Left: []string{KeyProfessionUnknown}, Right: []string{KeyHeadcount}, Relation: AtMost,
		What: "Headcount with profession not recorded", Limit: "headcount", Label: "Profession not recorded compared with headcount (check)"},
	{Code: "ddat_exceeds_known_profession", Report: KeyDDaTHeadcount, Left: []string{KeyDDaTHeadcount}, Right: []string{KeyHeadcount, KeyProfessionUnknown}, Relation: AtMost,
		What: "DDaT headcount", Limit: "headcount minus those with profession not recorded", Label: "DDaT headcount compared with known professions (check)"},
	{Code: "ddat_fte_exceeds_ddat_headcount", Report: KeyDDaTFTE, Left: []string{KeyDDaTFTE}, Right: []string{KeyDDaTHeadcount}, Relation: AtMost,
		What: "DDaT FTE", Limit: "DDaT headcount", Label: "DDaT FTE compared with DDaT headcount (check)"},
	{Code: "ddat_fte_exceeds_fte", Report: KeyDDaTFTE, Left: []string{KeyDDaTFTE}, Right: []string{KeyFTE}, Relation: AtMost,
		What: "DDaT FTE", Limit: "total FTE", Label: "DDaT FTE compared with total FTE (check)"},
	{Code: "family_sum_mismatch", Report: KeyDDaTHeadcount, Left: FamilyKeys, Right: []string{KeyDDaTHeadcount}, Relation: SumEquals,
		What: "DDaT headcount by job family", Limit: "DDaT headcount", Label: "Total of job families (calculated)"},
	{Code: "grade_sum_mismatch", Report: KeyDDaTHeadcount, Left: GradeKeys, Right: []string{KeyDDaTHeadcount}, Relation: SumEquals,
		What: "DDaT headcount by grade", Limit: "DDaT headcount", Label: "Total of grades (calculated)"},
	{Code: "early_career_exceeds_entrants", Report: KeyEntrantsTotal, Left: EarlyCareerKeys, Right: []string{KeyEntrantsTotal}, Relation: AtMost,
		What: "Early-career entrants (the five early-career routes)", Limit: "all entrants to DDaT", Label: "Early-career entrants (calculated)"},
	{Code: "assessed_exceeds_appointed", Report: KeySeniorAppointmentsAssessed, Left: []string{KeySeniorAppointmentsAssessed}, Right: []string{KeySeniorAppointments}, Relation: AtMost,
		What: "Directors and DGs assessed on digital and data skills", Limit: "directors and DGs appointed", Label: "Assessed compared with appointed (check)"},
	{Code: "succession_exceeds_roles", Report: KeyDigitalSeniorRolesSuccessor, Left: []string{KeyDigitalSeniorRolesSuccessor}, Right: []string{KeyDigitalSeniorRoles}, Relation: AtMost,
		What: "Digital and data roles with a succession plan", Limit: "digital and data director and DG roles", Label: "Succession plans compared with roles (check)"},
	{Code: "ai_immersion_exceeds_cslg_members", Report: KeyCSLGMembersAIImmersion, Left: []string{KeyCSLGMembersAIImmersion}, Right: []string{KeyCSLGMembers}, Relation: AtMost,
		What: "Civil Service Leadership Group members who have attended an AI immersion workshop", Limit: "Civil Service Leadership Group members", Label: "AI immersion compared with members (check)"},
}

// Keys are the fields the rule reads: Left, then Right.
func (rule Rule) Keys() []string {
	return append(append([]string{}, rule.Left...), rule.Right...)
}

func (rule Rule) applies(r Return) bool {
	for _, k := range rule.Keys() {
		if !r.Has(k) {
			return false
		}
	}
	return true
}

// holds reports whether left and right, the two sides' totals, satisfy the relation.
func (rule Rule) holds(left, right int64) bool {
	if rule.Relation == SumEquals {
		return left == right
	}
	return left <= right
}

// Message is the sentence that says the rule is broken, with the two sides' figures
// written as given: the server writes them from the return, the template from formulas.
func (rule Rule) Message(left, right string) string {
	if rule.Relation == SumEquals {
		if len(rule.Left) > 1 {
			return fmt.Sprintf("%s adds up to %s but %s is %s.", rule.What, left, rule.Limit, right)
		}
		return fmt.Sprintf("%s is %s but must equal %s, %s.", rule.What, left, rule.Limit, right)
	}
	verb := "is"
	if len(rule.Left) > 1 {
		verb = "add up to"
	}
	return fmt.Sprintf("%s %s %s, more than %s (%s).", rule.What, verb, left, rule.Limit, right)
}

// broken reports whether r breaks the rule, with a sentence naming both figures.
func (rule Rule) broken(r Return) (string, bool) {
	if !rule.applies(r) {
		return "", false
	}
	var left, right int64
	for _, k := range rule.Left {
		left += hundredthsOf(r, k)
	}
	for i, k := range rule.Right {
		if i == 0 {
			right = hundredthsOf(r, k)
		} else {
			right -= hundredthsOf(r, k)
		}
	}
	if rule.holds(left, right) {
		return "", false
	}
	return rule.Message(fteText(left), fteText(right)), true
}

func hundredthsOf(r Return, key string) int64 {
	if f, _ := FieldByKey(key); f.Type == TypeFTE {
		return r.Hundredths(key)
	}
	return r.Count(key) * 100
}
