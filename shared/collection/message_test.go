package collection

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/workforce"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the reminder texts")

const sendTo = "https://returns.example.gov.uk/portal"

func hmrc() Addressee {
	return Addressee{Org: "HMRC", Name: "HM Revenue and Customs", Kind: workforce.CivilService,
		Contacts: []string{"returns@hmrc.example.gov.uk", "ddat@hmrc.example.gov.uk"}}
}

// The words of each stage, for the 2026-27-Q2 reminders to HMRC, are in testdata/<stage>.golden.
func TestReminderTexts(t *testing.T) {
	c := mustDefault(t)
	s, _ := c.Schedule(q2)
	for _, r := range s.Reminders {
		t.Run(string(r.Stage), func(t *testing.T) {
			ms := r.Messages(hmrc(), sendTo)
			if len(ms) != 2 || ms[0].To != "returns@hmrc.example.gov.uk" || ms[1].To != "ddat@hmrc.example.gov.uk" {
				t.Fatalf("messages = %+v, want one to each contact", ms)
			}
			if ms[0].Reference != "2026-27-Q2/"+string(r.Stage)+"/HMRC" || ms[0].Template != r.Stage {
				t.Errorf("reference %q, template %q", ms[0].Reference, ms[0].Template)
			}
			subject, body, err := Text(ms[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"HM Revenue and Customs", "July to September 2026 (2026-27-Q2)", "30 October 2026", sendTo} {
				if !strings.Contains(subject+"\n"+body, want) {
					t.Errorf("the text does not say %q", want)
				}
			}
			// No personal data beyond the address the message goes to, and not even that.
			if strings.Contains(body, "@") || strings.Contains(subject, "@") {
				t.Errorf("the text holds an email address:\n%s", body)
			}
			if strings.Contains(body, "\r") || strings.Contains(body, "{{") || strings.Contains(body, "<no value>") {
				t.Errorf("the text is not plain, filled-in text:\n%s", body)
			}
			golden(t, filepath.Join("testdata", string(r.Stage)+".golden"), "Subject: "+subject+"\n\n"+body)
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestLocalGovernmentIsRemindedOfItsLeadershipReturn(t *testing.T) {
	r := Reminder{Period: q2, Stage: StageOverdue, Due: day("2026-10-30")}
	ms := r.Messages(Addressee{Org: "LEEDS", Name: "Leeds City Council", Kind: workforce.LocalGovernment, Contacts: []string{"digital@leeds.example.gov.uk"}}, sendTo)
	subject, body, err := Text(ms[0])
	if err != nil {
		t.Fatal(err)
	}
	if subject != "DDaT leadership return for Leeds City Council: overdue" || !strings.Contains(body, "The DDaT leadership return for Leeds City Council for July to September 2026 (2026-27-Q2) was due on 30 October 2026.") {
		t.Errorf("subject %q, body:\n%s", subject, body)
	}
}

func TestNoContactsNoMessages(t *testing.T) {
	r := Reminder{Period: q2, Stage: StageDueSoon, Due: day("2026-10-30")}
	if ms := r.Messages(Addressee{Org: "KENT", Name: "Kent County Council", Kind: workforce.LocalGovernment}, sendTo); len(ms) != 0 {
		t.Errorf("messages = %+v", ms)
	}
}

func TestTextRefusesIncompleteMessages(t *testing.T) {
	r := Reminder{Period: q2, Stage: StageDueSoon, Due: day("2026-10-30")}
	good := r.Messages(hmrc(), sendTo)[0]
	for _, tc := range []struct {
		name string
		edit func(*Message)
		want string
	}{
		{"unknown template", func(m *Message) { m.Template = "final_demand" }, `no reminder text for template "final_demand"`},
		{"no send_to", func(m *Message) { m.Personalisation[FieldSendTo] = "" }, "personalisation lacks send_to"},
		{"no organisation", func(m *Message) { delete(m.Personalisation, FieldOrganisation) }, "personalisation lacks organisation"},
		{"a second line in the subject", func(m *Message) { m.Personalisation[FieldOrganisation] = "HMRC\r\nBcc: x@example.com" }, "organisation must be on one line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := good
			m.Personalisation = map[string]string{}
			for k, v := range good.Personalisation {
				m.Personalisation[k] = v
			}
			tc.edit(&m)
			_, _, err := Text(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), m.To) {
				t.Errorf("the error %q names the address", err)
			}
		})
	}
}
