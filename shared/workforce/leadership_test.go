package workforce

import (
	"slices"
	"testing"
)

// Local-government bodies answer the identity fields and the two yes/no questions only:
// every other field, the civil-service-only leadership counts included, is an error.
func TestLocalGovernmentSendsOnlyTheYesNoAnswers(t *testing.T) {
	var want []string
	for _, f := range FieldsFor(LocalGovernment) {
		if f.Section != SectionIdentity {
			want = append(want, f.Key)
		}
	}
	if !slices.Equal(want, []string{KeyExecDigitalLeader, KeyBoardDigitalNED}) {
		t.Fatalf("local-government fields beyond identity: %v", want)
	}
	for _, key := range []string{KeySeniorAppointments, KeySeniorAppointmentsAssessed, KeyDigitalSeniorRoles,
		KeyDigitalSeniorRolesSuccessor, KeyCSLGMembers, KeyCSLGMembersAIImmersion, KeyHeadcount} {
		v := leadershipValues()
		v[key] = "1"
		_, ps := Normalise(rawOf(v), testRegister, testNow)
		if len(ps) != 1 || ps[0].Code != "not_applicable" || ps[0].Field != key {
			t.Errorf("%s from a council: %+v, want one not_applicable", key, ps)
		}
	}
}

func TestCSLGMembersAreRequiredOfTheCivilService(t *testing.T) {
	for _, key := range []string{KeyCSLGMembers, KeyCSLGMembersAIImmersion} {
		v := validValues()
		delete(v, key)
		_, ps := Normalise(rawOf(v), testRegister, testNow)
		if len(ps) != 1 || ps[0].Code != "required" || ps[0].Field != key {
			t.Errorf("without %s: %+v, want one required", key, ps)
		}
	}
	if _, ok := FieldByKey("senior_leaders_ai_learning"); ok {
		t.Error("senior_leaders_ai_learning is still a field")
	}
}

func TestAIImmersionCannotExceedCSLGMembers(t *testing.T) {
	for _, tc := range []struct {
		members, attended string
		broken            bool
	}{{"12", "12", false}, {"12", "13", true}, {"0", "0", false}, {"0", "1", true}} {
		v := validValues()
		v[KeyCSLGMembers], v[KeyCSLGMembersAIImmersion] = tc.members, tc.attended
		_, ps := Normalise(rawOf(v), testRegister, testNow)
		got := len(ps) == 1 && ps[0].Code == "ai_immersion_exceeds_cslg_members" && ps[0].Field == KeyCSLGMembersAIImmersion
		if got != tc.broken || (!tc.broken && len(ps) > 0) {
			t.Errorf("%s of %s attended: %+v", tc.attended, tc.members, ps)
		}
	}
}
