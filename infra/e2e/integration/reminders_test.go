package integration

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/testsupport/storetest"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The reminder records' adapter keeps the contract memstore.Records keeps: conditional
// claims, only the claiming run finishes or releases, one winner of racing claims.
func TestDynamoRecordStoreContract(t *testing.T) {
	storetest.RecordStore(t, newHarness(t).inProcess().store)
}

// reminderOrg is an organisation of the test with returns contacts of its own. It exists
// only around 2026-27-Q2, so it owes no other quarter: a run of another quarter's day by
// a test running alongside (infra/e2e/openapi) sends it nothing.
type reminderOrg struct {
	workforce.Organisation
}

func (h *harness) newReminderOrg(kind workforce.OrgKind, label string) reminderOrg {
	h.t.Helper()
	code := uniqueCode(h.t)
	o := workforce.Organisation{Code: code, Name: label + " " + code, Parent: "CO", Kind: kind, BaselineHeadcount: 800,
		ActiveFrom: "2026-07-01", ActiveTo: "2026-12-30",
		ReturnsContacts: []string{strings.ToLower(code) + ".returns@reminders.example.gov.uk", strings.ToLower(code) + ".ddat@reminders.example.gov.uk"}}
	if kind == workforce.LocalGovernment {
		o.Parent = ""
		o.ReturnsContacts = o.ReturnsContacts[:1]
	}
	body, _ := json.Marshal(workforce.OrganisationWithContacts(o))
	r := h.do("PUT", "/organisations/"+code, h.admin(), httpapi.ContentTypeJSON, body, nil)
	mustStatus(h.t, r, 201)
	// The admin's answer shows the contacts as stored.
	var back workforce.OrganisationWithContacts
	if err := json.Unmarshal(r.Body, &back); err != nil || !slices.Equal(back.ReturnsContacts, o.ReturnsContacts) {
		h.t.Fatalf("PUT answered contacts %v (%v), want %v", back.ReturnsContacts, err, o.ReturnsContacts)
	}
	return reminderOrg{o}
}

type runAnswer struct {
	Date      string         `json:"date"`
	Sent      map[string]int `json:"sent"`
	Messages  int            `json:"messages"`
	Complete  bool           `json:"complete"`
	Reminders []struct {
		Period, Stage, Due string
	} `json:"reminders"`
	Organisations []struct {
		Org, Period, Stage, Outcome string
		Messages                    int
	} `json:"organisations"`
}

func (h *harness) runReminders(date string) (runAnswer, string) {
	h.t.Helper()
	r := h.do("POST", "/reminders/"+date, h.admin(), "", nil, nil)
	mustStatus(h.t, r, 200)
	var a runAnswer
	if err := json.Unmarshal(r.Body, &a); err != nil {
		h.t.Fatalf("%v: %s", err, r.Body)
	}
	return a, string(r.Body)
}

// outcomesOf lists the run's outcomes for the given organisations, "CODE stage outcome n".
func outcomesOf(a runAnswer, orgs ...reminderOrg) []string {
	ours := map[string]bool{}
	for _, o := range orgs {
		ours[o.Code] = true
	}
	var out []string
	for _, o := range a.Organisations {
		if ours[o.Org] {
			out = append(out, fmt.Sprintf("%s %s %s %d", o.Org, o.Stage, o.Outcome, o.Messages))
		}
	}
	slices.Sort(out)
	return out
}

// A collection round through the gateway, the reminders function's handler and Mailpit:
// three organisations owe 2026-27-Q2 and one has sent it; the due-soon day reminds only
// the three, a second run of the day delivers nothing, and the due-today day sends its own
// reminder once.
func TestRemindersGoOnlyToThoseWhoOweOncePerStage(t *testing.T) {
	h := newHarness(t)
	_, mp := mailEnv(t)
	q := period.MustQuarter("2026-27-Q2") // due 30 October 2026; its reminders 16 October, 30 October, 6 November
	a := h.newReminderOrg(workforce.CivilService, "Reminder Agency A")
	b := h.newReminderOrg(workforce.LocalGovernment, "Reminder Borough B")
	c := h.newReminderOrg(workforce.CivilService, "Reminder Agency C")
	sent := h.newReminderOrg(workforce.CivilService, "Reminder Agency Sent")
	owing := []reminderOrg{a, b, c}

	// Contacts are an admin's to see, not a leader's.
	for token, want := range map[string]bool{h.admin(): true, h.token("CO", "leader"): false, h.token(a.Code, "submitter"): false} {
		r := h.do("GET", "/organisations", token, "", nil, nil)
		mustStatus(t, r, 200)
		if got := strings.Contains(string(r.Body), a.ReturnsContacts[0]); got != want {
			t.Errorf("GET /organisations shows returns contacts: %v, want %v", got, want)
		}
	}

	// The fourth sends its return (late: it is December).
	r, _ := h.submit(h.token(sent.Code, "submitter"), httpapi.ContentTypeJSON, sample.JSON(sample.Return(sent.Organisation, q)), nil)
	mustStatus(t, r, 201)

	run, body := h.runReminders("2026-10-16")
	if len(run.Reminders) != 1 || run.Reminders[0].Period != q.String() || run.Reminders[0].Stage != "due_soon" || run.Reminders[0].Due != "2026-10-30" {
		t.Fatalf("reminders of the day: %+v", run.Reminders)
	}
	want := []string{a.Code + " due_soon sent 2", b.Code + " due_soon sent 1", c.Code + " due_soon sent 2"}
	slices.Sort(want)
	if got := outcomesOf(run, a, b, c, sent); !slices.Equal(got, want) {
		t.Errorf("outcomes %q, want %q", got, want)
	}
	if run.Sent["due_soon"] < 3 || !run.Complete {
		t.Errorf("sent %v, complete %v", run.Sent, run.Complete)
	}
	for _, o := range append(owing, sent) {
		for _, addr := range o.ReturnsContacts {
			if strings.Contains(body, addr) {
				t.Errorf("the answer names a contact of %s", o.Code)
			}
		}
	}

	// What Mailpit received: one message to each contact of those who owe, in their words.
	checkDelivered := func(stage string, n int) {
		t.Helper()
		for _, o := range owing {
			returnName, subjectEnd, due := "DDaT workforce return", map[string]string{"due_soon": "due on 30 October 2026", "due_today": "due today"}[stage], "30 October 2026"
			if o.Kind == workforce.LocalGovernment {
				returnName = "DDaT leadership return"
			}
			for _, addr := range o.ReturnsContacts {
				got := mp.waitFor(addr, n)
				if len(got) != n {
					t.Errorf("%s: %d messages delivered to a contact, want %d", o.Code, len(got), n)
					continue
				}
				subjects := []string{}
				for _, m := range got {
					subjects = append(subjects, m.Subject)
				}
				wantSubject := fmt.Sprintf("%s for %s: %s", returnName, o.Name, subjectEnd)
				if !slices.Contains(subjects, wantSubject) {
					t.Errorf("%s: subjects %q, want one %q", o.Code, subjects, wantSubject)
				}
				for _, m := range got {
					if m.Subject != wantSubject {
						continue
					}
					text := strings.ReplaceAll(m.Text, "\r\n", "\n")
					for _, w := range []string{fmt.Sprintf("The %s for %s for July to September 2026 (2026-27-Q2)", returnName, o.Name), due, "We have not received it yet."} {
						if !strings.Contains(text, w) {
							t.Errorf("%s %s: the delivered text does not say %q:\n%s", o.Code, stage, w, text)
						}
					}
					if len(m.To) != 1 || m.To[0].Address != addr {
						t.Errorf("%s: To %+v, want only the one contact", o.Code, m.To)
					}
				}
			}
		}
		for _, addr := range sent.ReturnsContacts {
			if got := mp.to(addr); len(got) != 0 {
				t.Errorf("%d messages delivered to %s, which had sent its return", len(got), sent.Code)
			}
		}
	}
	checkDelivered("due_soon", 1)

	// The same day again: 200, nothing new.
	again, _ := h.runReminders("2026-10-16")
	want = []string{a.Code + " due_soon already_sent 0", b.Code + " due_soon already_sent 0", c.Code + " due_soon already_sent 0"}
	slices.Sort(want)
	if got := outcomesOf(again, a, b, c, sent); !slices.Equal(got, want) {
		t.Errorf("second run: %q, want %q", got, want)
	}
	time.Sleep(300 * time.Millisecond) // a message sent by mistake would be in Mailpit by now
	checkDelivered("due_soon", 1)

	// The due date sends its own reminder, once however often it runs.
	today, _ := h.runReminders("2026-10-30")
	want = []string{a.Code + " due_today sent 2", b.Code + " due_today sent 1", c.Code + " due_today sent 2"}
	slices.Sort(want)
	if got := outcomesOf(today, a, b, c, sent); !slices.Equal(got, want) {
		t.Errorf("due-today run: %q, want %q", got, want)
	}
	h.runReminders("2026-10-30")
	checkDelivered("due_today", 2)

	// A day that has not come is refused, a date that is not one is 400, and only admins run it.
	tomorrow := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	mustStatus(t, h.do("POST", "/reminders/"+tomorrow, h.admin(), "", nil, nil), 422)
	mustStatus(t, h.do("POST", "/reminders/30-10-2026", h.admin(), "", nil, nil), 400)
	mustStatus(t, h.do("POST", "/reminders/2026-10-30", h.token("CO", "leader"), "", nil, nil), 403)

	// The quarter as a leader sees it: states, and the reminders each was sent.
	r = h.do("GET", "/collection/"+q.String(), h.token("CO", "leader"), "", nil, nil)
	mustStatus(t, r, 200)
	var view struct {
		Schedule struct {
			Opens, Due string
			Reminders  []struct{ Stage, Date string }
		}
		Organisations []struct {
			Org, State string
			Version    int
			Reminders  []struct {
				Stage, Date, Status string
				Messages            int
			}
		}
	}
	if err := json.Unmarshal(r.Body, &view); err != nil {
		t.Fatal(err)
	}
	if view.Schedule.Opens != "2026-10-01" || view.Schedule.Due != "2026-10-30" || len(view.Schedule.Reminders) != 3 {
		t.Errorf("schedule %+v", view.Schedule)
	}
	states := map[string]string{}
	for _, o := range view.Organisations {
		var rs []string
		for _, rem := range o.Reminders {
			rs = append(rs, fmt.Sprintf("%s %s %s %d", rem.Stage, rem.Date, rem.Status, rem.Messages))
		}
		states[o.Org] = fmt.Sprintf("%s v%d [%s]", o.State, o.Version, strings.Join(rs, ", "))
	}
	for o, want := range map[string]string{
		a.Code:    "overdue v0 [due_soon 2026-10-16 sent 2, due_today 2026-10-30 sent 2]",
		b.Code:    "overdue v0 [due_soon 2026-10-16 sent 1, due_today 2026-10-30 sent 1]",
		c.Code:    "overdue v0 [due_soon 2026-10-16 sent 2, due_today 2026-10-30 sent 2]",
		sent.Code: "late v1 []",
	} {
		if states[o] != want {
			t.Errorf("%s: %q, want %q", o, states[o], want)
		}
	}
	if strings.Contains(string(r.Body), "@") {
		t.Errorf("GET /collection shows an address: %.300s", r.Body)
	}
	mustStatus(t, h.do("GET", "/collection/"+q.String(), h.token(a.Code, "submitter"), "", nil, nil), 403)
	mustStatus(t, h.do("GET", "/collection/2026%20Q2", h.admin(), "", nil, nil), 400)
}
