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

// Returns contacts are personal data: only the admin's view writes them.
func TestContactsAreLeftOutOfJSONButTheAdminsView(t *testing.T) {
	o := Organisation{Code: "HMRC", Name: "HM Revenue and Customs", Kind: CivilService, ReturnsContacts: []string{"returns@hmrc.gov.uk"}}
	for _, v := range []any{o, &o, []Organisation{o}, map[string]any{"organisations": []Organisation{o}}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "returns") || !strings.Contains(string(b), `"code":"HMRC"`) {
			t.Errorf("%T: JSON %s, want the organisation without its contacts", v, b)
		}
	}
	admin, _ := json.Marshal(OrganisationWithContacts(o))
	if !strings.Contains(string(admin), `"returns_contacts":["returns@hmrc.gov.uk"]`) || !strings.Contains(string(admin), `"code":"HMRC"`) {
		t.Errorf("the admin's view %s lacks the contacts", admin)
	}
	if len(o.ReturnsContacts) != 1 {
		t.Error("marshalling changed the organisation")
	}
	// An admin's PUT body is still read whole.
	var in Organisation
	if err := json.Unmarshal(admin, &in); err != nil || !reflect.DeepEqual(in.ReturnsContacts, o.ReturnsContacts) {
		t.Errorf("read back %+v, %v", in, err)
	}
}
