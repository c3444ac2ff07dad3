package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/dynamo"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/smtpmail"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// mailpit reads what the local stack's Mailpit was sent, through its API.
type mailpit struct {
	t   *testing.T
	url string
}

// mailEnv is the stack's Mailpit and SMTP addresses; without them the test fails, because
// a reminder test that cannot see what was delivered proves nothing.
func mailEnv(t *testing.T) (localclient.Env, mailpit) {
	t.Helper()
	env, err := localclient.LoadEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"MAILPIT_URL", "SMTP_ADDR"} {
		if env[k] == "" {
			t.Fatalf("%s is not in .local/stack.env: the local stack runs Mailpit (make deps installs it; make up starts it)", k)
		}
	}
	return env, mailpit{t: t, url: env["MAILPIT_URL"]}
}

type mailpitAddress struct {
	Name    string
	Address string
}

type mailpitSummary struct {
	ID      string
	To      []mailpitAddress
	Subject string
}

type mailpitMessage struct {
	ID      string
	From    mailpitAddress
	To      []mailpitAddress
	Subject string
	Text    string
}

func (m mailpit) get(path string, out any) {
	m.t.Helper()
	resp, err := http.Get(m.url + path)
	if err != nil {
		m.t.Fatalf("Mailpit: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("Mailpit GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		m.t.Fatalf("Mailpit GET %s: %v", path, err)
	}
}

// to lists the messages delivered to address (GET /api/v1/messages), each read in full
// (GET /api/v1/message/{ID}).
func (m mailpit) to(address string) []mailpitMessage {
	m.t.Helper()
	var list struct{ Messages []mailpitSummary }
	m.get("/api/v1/messages?limit=1000", &list)
	var out []mailpitMessage
	for _, s := range list.Messages {
		for _, a := range s.To {
			if strings.EqualFold(a.Address, address) {
				var full mailpitMessage
				m.get("/api/v1/message/"+url.PathEscape(s.ID), &full)
				out = append(out, full)
			}
		}
	}
	return out
}

// waitFor polls until address has n messages: Mailpit stores a message just after it
// accepts it.
func (m mailpit) waitFor(address string, n int) []mailpitMessage {
	m.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := m.to(address)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func uniqueCode(t *testing.T) string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "M" + strings.ToUpper(hex.EncodeToString(b))
}

// A day's reminders, end to end but for the schedule: the register with its returns
// contacts kept in DynamoDB, the calendar's reminders for the day, only those who have not
// sent, and the words as Mailpit received them over SMTP.
func TestRemindersAreDeliveredOnlyToThoseWhoOwe(t *testing.T) {
	env, mp := mailEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	clients, err := app.NewClients(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store := &dynamo.Store{DB: clients.DynamoDB, Table: cfg.TableName}

	// Two organisations that owe 2026-27-Q2; the second has sent it.
	owes, sent := uniqueCode(t), uniqueCode(t)
	contacts := map[string][]string{
		owes: {strings.ToLower(owes) + ".returns@owes.example.gov.uk", strings.ToLower(owes) + ".ddat@owes.example.gov.uk"},
		sent: {strings.ToLower(sent) + ".returns@sent.example.gov.uk"},
	}
	reg := workforce.Register{}
	for code, name := range map[string]string{owes: "Agency That Owes " + owes, sent: "Agency That Sent " + sent} {
		// Existing only around 2026-27-Q2, they owe no other quarter, so a run of another
		// quarter's reminders by a test alongside (infra/e2e/openapi) sends them nothing.
		o := workforce.Organisation{Code: code, Name: name, Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 1000, ReturnsContacts: contacts[code],
			ActiveFrom: "2026-07-01", ActiveTo: "2026-12-30"}
		if ps := o.Validate(); len(ps) > 0 {
			t.Fatalf("%s: %v", code, ps)
		}
		if err := store.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		back, err := store.Organisation(ctx, code)
		if err != nil || back == nil {
			t.Fatalf("read %s back: %v", code, err)
		}
		if !reflect.DeepEqual(back.ReturnsContacts, contacts[code]) {
			t.Fatalf("DynamoDB kept returns_contacts %v, want %v", back.ReturnsContacts, contacts[code])
		}
		reg[code] = *back
	}

	cal, err := collection.Default(cfg.DueDays, cfg.FirstQuarter)
	if err != nil {
		t.Fatal(err)
	}
	q := period.MustQuarter("2026-27-Q2")
	due, _ := cal.Schedule(q)
	day := due.Reminders[0].Date // the due-soon day
	reminders := cal.Due(day)
	if len(reminders) != 1 || reminders[0].Stage != collection.StageDueSoon || reminders[0].Period != q {
		t.Fatalf("Due(%s) = %+v", day.Format(time.DateOnly), reminders)
	}
	r := reminders[0]
	current := []workforce.Version{{Org: sent, Period: q, Number: 1, FirstReceivedAt: day.Add(-48 * time.Hour)}}
	addressees := collection.Owing(r, reg, current)
	if len(addressees) != 1 || addressees[0].Org != owes {
		t.Fatalf("Owing = %+v, want only %s", addressees, owes)
	}

	sender := &smtpmail.Sender{Addr: env["SMTP_ADDR"], From: mail.Address{Name: "DDaT workforce returns", Address: "ddat.returns@example.gov.uk"}}
	const sendTo = "http://127.0.0.1/portal"
	for _, m := range r.Messages(addressees[0], sendTo) {
		if err := sender.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	wantSubject := fmt.Sprintf("DDaT workforce return for Agency That Owes %s: due on %s", owes, period.LongDate(due.Due))
	for _, address := range contacts[owes] {
		got := mp.waitFor(address, 1)
		if len(got) != 1 {
			t.Fatalf("%d messages delivered to %s's contact, want 1", len(got), owes)
		}
		m := got[0]
		if len(m.To) != 1 || m.To[0].Address != address {
			t.Errorf("To = %+v, want only %s", m.To, address)
		}
		if m.From.Address != "ddat.returns@example.gov.uk" || m.Subject != wantSubject {
			t.Errorf("From %s, Subject %q; want %q", m.From.Address, m.Subject, wantSubject)
		}
		text := strings.ReplaceAll(m.Text, "\r\n", "\n")
		for _, want := range []string{
			fmt.Sprintf("The DDaT workforce return for Agency That Owes %s for July to September 2026 (2026-27-Q2) is due on %s.", owes, period.LongDate(due.Due)),
			"Send it at:\n" + sendTo,
			"We have not received it yet.",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the delivered text does not say %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "@") {
			t.Errorf("the delivered text holds an email address:\n%s", text)
		}
	}
	if got := mp.to(contacts[sent][0]); len(got) != 0 {
		t.Errorf("%d messages delivered to %s, which had sent its return", len(got), sent)
	}
}
