package workforce

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestReturnsContactsAreValidated(t *testing.T) {
	base := Organisation{Code: "HMRC", Name: "HM Revenue and Customs", Kind: CivilService}
	for _, tc := range []struct {
		name     string
		contacts []string
		codes    []string
	}{
		{"none", nil, nil},
		{"two addresses", []string{"returns@hmrc.gov.uk", "ddat.workforce@hmrc.gov.uk"}, nil},
		{"not an address", []string{"returns at hmrc"}, []string{"invalid_email"}},
		{"display name", []string{"Returns Team <returns@hmrc.gov.uk>"}, []string{"invalid_email"}},
		{"surrounding space", []string{" returns@hmrc.gov.uk"}, []string{"invalid_email"}},
		{"no dot in the domain", []string{"returns@localhost"}, []string{"invalid_email"}},
		{"two in one", []string{"a@hmrc.gov.uk, b@hmrc.gov.uk"}, []string{"invalid_email"}},
		{"header injection", []string{"a@hmrc.gov.uk\r\nBcc: b@example.com"}, []string{"invalid_email"}},
		{"repeated, whatever the case", []string{"returns@hmrc.gov.uk", "Returns@HMRC.gov.uk"}, []string{"duplicate_email"}},
		{"too many", strings.Split("a@x.uk b@x.uk c@x.uk d@x.uk e@x.uk f@x.uk g@x.uk h@x.uk i@x.uk j@x.uk k@x.uk", " "), []string{"too_many"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.ReturnsContacts = tc.contacts
			var codes []string
			for _, p := range o.Validate() {
				if p.Field != "returns_contacts" {
					t.Errorf("problem on %s: %s", p.Field, p.Message)
				}
				for _, c := range tc.contacts {
					if strings.Contains(p.Message, strings.TrimSpace(c)) {
						t.Errorf("the message %q repeats the address: addresses are personal data", p.Message)
					}
				}
				codes = append(codes, p.Code)
			}
			if !reflect.DeepEqual(codes, tc.codes) {
				t.Errorf("codes = %v, want %v", codes, tc.codes)
			}
		})
	}
}

func TestWithoutContactsHidesThemFromJSON(t *testing.T) {
	o := Organisation{Code: "HMRC", Name: "HM Revenue and Customs", Kind: CivilService, ReturnsContacts: []string{"returns@hmrc.gov.uk"}}
	admin, _ := json.Marshal(o)
	if !strings.Contains(string(admin), `"returns_contacts":["returns@hmrc.gov.uk"]`) {
		t.Errorf("an admin's view %s lacks the contacts", admin)
	}
	public, _ := json.Marshal(o.WithoutContacts())
	if strings.Contains(string(public), "returns") {
		t.Errorf("WithoutContacts = %s, still shows the contacts", public)
	}
	if len(o.ReturnsContacts) != 1 {
		t.Error("WithoutContacts changed the original")
	}
}
