package workforce

import (
	"fmt"
	"regexp"
)

var thousandsRE = regexp.MustCompile(`^-?\d{1,3}(,\d{3})*(\.\d+)?$`)

// Rule is a check across fields. Sums must equal their total exactly; limits must not be
// exceeded. All quantities are compared in hundredths so FTE and headcount compare.
type Rule struct {
	Code   string
	Report string   // the field the problem is reported against
	Left   []string // summed
	Right  []string // Right[0] − Right[1] − …
	Equal  bool     // Σ Left = Right, otherwise Σ Left ≤ Right
	What   string   // how to describe Left to people
	Limit  string   // how to describe Right to people
}

// Rules are the cross-field checks of SPEC §3, in the order they are reported. A rule
// whose fields are not all present (a local-government return) does not apply.
var Rules = []Rule{
	{Code: "fte_exceeds_headcount", Report: KeyFTE, Left: []string{KeyFTE}, Right: []string{KeyHeadcount}, What: "FTE", Limit: "headcount"},
	{Code: "unknown_exceeds_headcount", Report: KeyProfessionUnknown, Left: []string{KeyProfessionUnknown}, Right: []string{KeyHeadcount}, What: "Headcount with profession not recorded", Limit: "headcount"},
	{Code: "ddat_exceeds_known_profession", Report: KeyDDaTHeadcount, Left: []string{KeyDDaTHeadcount}, Right: []string{KeyHeadcount, KeyProfessionUnknown}, What: "DDaT headcount", Limit: "headcount minus those with profession not recorded"},
	{Code: "ddat_fte_exceeds_ddat_headcount", Report: KeyDDaTFTE, Left: []string{KeyDDaTFTE}, Right: []string{KeyDDaTHeadcount}, What: "DDaT FTE", Limit: "DDaT headcount"},
	{Code: "ddat_fte_exceeds_fte", Report: KeyDDaTFTE, Left: []string{KeyDDaTFTE}, Right: []string{KeyFTE}, What: "DDaT FTE", Limit: "total FTE"},
	{Code: "family_sum_mismatch", Report: KeyDDaTHeadcount, Left: FamilyKeys, Right: []string{KeyDDaTHeadcount}, Equal: true, What: "DDaT headcount by job family", Limit: "DDaT headcount"},
	{Code: "grade_sum_mismatch", Report: KeyDDaTHeadcount, Left: GradeKeys, Right: []string{KeyDDaTHeadcount}, Equal: true, What: "DDaT headcount by grade", Limit: "DDaT headcount"},
	{Code: "early_career_exceeds_entrants", Report: KeyEntrantsTotal, Left: EarlyCareerKeys, Right: []string{KeyEntrantsTotal}, What: "Early-career entrants (the five early-career routes)", Limit: "all entrants to DDaT"},
	{Code: "assessed_exceeds_appointed", Report: KeySeniorAppointmentsAssessed, Left: []string{KeySeniorAppointmentsAssessed}, Right: []string{KeySeniorAppointments}, What: "Directors and DGs assessed on digital and data skills", Limit: "directors and DGs appointed"},
	{Code: "succession_exceeds_roles", Report: KeyDigitalSeniorRolesSuccessor, Left: []string{KeyDigitalSeniorRolesSuccessor}, Right: []string{KeyDigitalSeniorRoles}, What: "Digital and data roles with a succession plan", Limit: "digital and data director and DG roles"},
	{Code: "ai_immersion_exceeds_cslg_members", Report: KeyCSLGMembersAIImmersion, Left: []string{KeyCSLGMembersAIImmersion}, Right: []string{KeyCSLGMembers}, What: "Civil Service Leadership Group members who have attended an AI immersion workshop", Limit: "Civil Service Leadership Group members"},
}

func (rule Rule) applies(r Return) bool {
	for _, k := range append(append([]string{}, rule.Left...), rule.Right...) {
		if !r.Has(k) {
			return false
		}
	}
	return true
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
	if rule.Equal && left != right {
		if len(rule.Left) > 1 {
			return fmt.Sprintf("%s adds up to %s but %s is %s.", rule.What, fteText(left), rule.Limit, fteText(right)), true
		}
		return fmt.Sprintf("%s is %s but must equal %s, %s.", rule.What, fteText(left), rule.Limit, fteText(right)), true
	}
	if !rule.Equal && left > right {
		verb := "is"
		if len(rule.Left) > 1 {
			verb = "add up to"
		}
		return fmt.Sprintf("%s %s %s, more than %s (%s).", rule.What, verb, fteText(left), rule.Limit, fteText(right)), true
	}
	return "", false
}

func hundredthsOf(r Return, key string) int64 {
	if f, _ := FieldByKey(key); f.Type == TypeFTE {
		return r.Hundredths(key)
	}
	return r.Count(key) * 100
}
