package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// collectionRound is step 2a, a collection round of q before the held-back return is
// sent: the quarter's calendar, returns contacts for three organisations (the held-back
// one and missingOrg, which owe q, and one that has sent it), the reminders of each day
// that has come, a second run that sends nothing, and what the local stack's Mailpit
// received.
func (d *demo) collectionRound(orgs []workforce.Organisation, held workforce.Organisation, q period.Quarter) error {
	fmt.Fprintf(d.out, "\n2a. A collection round for %s: the calendar, returns contacts and reminders\n", q)
	byCode := map[string]workforce.Organisation{}
	for _, o := range orgs {
		byCode[o.Code] = o
	}
	var round []workforce.Organisation
	for _, code := range []string{held.Code, missingOrg, "DWP"} {
		if o, ok := byCode[code]; ok && !slices.ContainsFunc(round, func(x workforce.Organisation) bool { return x.Code == code }) {
			round = append(round, o)
		}
	}
	// Contacts are personal data: an admin sets them, and only an admin's listing shows them.
	for i, o := range round {
		o.ReturnsContacts = []string{strings.ToLower(o.Code) + ".returns@demo.example.gov.uk"}
		round[i] = o
		body, _ := json.Marshal(workforce.OrganisationWithContacts(o))
		r, err := d.do("PUT", "/organisations/"+o.Code, d.admin, httpapi.ContentTypeJSON, body)
		if err != nil {
			return err
		}
		if r.Status != http.StatusOK && r.Status != http.StatusCreated {
			return fmt.Errorf("PUT /organisations/%s: %d %s", o.Code, r.Status, r.Body)
		}
	}
	codes := func(os []workforce.Organisation) string {
		var cs []string
		for _, o := range os {
			cs = append(cs, o.Code)
		}
		return strings.Join(cs, ", ")
	}
	fmt.Fprintf(d.out, "   PUT /organisations/{code} with returns_contacts for %s (shown to admins only; a leader's GET /organisations has none).\n", codes(round))

	view, err := d.collection(q)
	if err != nil {
		return err
	}
	var cal []string
	for _, r := range view.Schedule.Reminders {
		cal = append(cal, r.Stage+" "+r.Date)
	}
	fmt.Fprintf(d.out, "   GET /collection/%s: opens %s, due %s; reminders %s", q, view.Schedule.Opens, view.Schedule.Due, strings.Join(cal, ", "))
	states := map[string]int{}
	for _, o := range view.Organisations {
		states[o.State]++
	}
	fmt.Fprintf(d.out, " (calendar.json).\n   States now: %d sent, %d late, %d overdue, %d not started (the demo sends past quarters today, so late).\n",
		states["sent"], states["late"], states["overdue"], states["not_started"])

	today := collection.Today(time.Now())
	var days []string
	for _, r := range view.Schedule.Reminders {
		if t, _ := time.Parse(time.DateOnly, r.Date); !t.After(today) {
			days = append(days, r.Date)
		}
	}
	if len(days) == 0 {
		fmt.Fprintf(d.out, "   No reminder day of %s has come yet.\n", q)
		return nil
	}
	for _, day := range days {
		run, err := d.remind(day)
		if err != nil {
			return err
		}
		// The round's organisations by name; any others in the table (a test's, say) counted.
		var sent, already []string
		others := 0
		for _, o := range run.Organisations {
			if !slices.ContainsFunc(round, func(x workforce.Organisation) bool { return x.Code == o.Org }) {
				others++
				continue
			}
			switch o.Outcome {
			case string(collection.ResultSent):
				sent = append(sent, fmt.Sprintf("%s (%d message)", o.Org, o.Messages))
			case string(collection.ResultAlreadySent):
				already = append(already, o.Org)
			}
		}
		line := fmt.Sprintf("   POST /reminders/%s (%s): reminded %s", day, strings.Join(stagesOf(run), ", "), orNone(sent))
		if len(already) > 0 {
			line += "; already reminded by an earlier run: " + strings.Join(already, ", ")
		}
		if others > 0 {
			line += fmt.Sprintf("; and %d other organisations that owe it", others)
		}
		fmt.Fprintln(d.out, line+".")
	}
	again, err := d.remind(days[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   POST /reminders/%s again: 200, %d new messages (each reminder is claimed in DynamoDB before it is sent).\n", days[0], again.Messages)

	// What was delivered, as the tests read it: through Mailpit's API.
	env, err := localclient.LoadEnv()
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   Mailpit (%s) received:\n", env["MAILPIT_URL"])
	for _, o := range round {
		subjects, err := mailpitSubjects(env["MAILPIT_URL"], o.ReturnsContacts[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(d.out, "     %-5s %d message(s)%s\n", o.Code, len(subjects), subjectList(subjects))
	}
	view, err = d.collection(q)
	if err != nil {
		return err
	}
	for _, o := range view.Organisations {
		if !slices.ContainsFunc(round, func(x workforce.Organisation) bool { return x.Code == o.Org }) {
			continue
		}
		var rs []string
		for _, r := range o.Reminders {
			rs = append(rs, fmt.Sprintf("%s on %s to %d contact(s)", r.Stage, r.Date, r.Messages))
		}
		fmt.Fprintf(d.out, "   %-5s %-11s reminders: %s\n", o.Org, o.State, orNone(rs))
	}
	return nil
}

type collectionAnswer struct {
	Schedule struct {
		Opens, Due string
		Reminders  []struct{ Stage, Date string }
	}
	Organisations []struct {
		Org, State string
		Reminders  []struct {
			Stage, Date string
			Messages    int
		}
	}
}

func (d *demo) collection(q period.Quarter) (collectionAnswer, error) {
	var v collectionAnswer
	r, err := d.do("GET", "/collection/"+q.String(), d.leader, "", nil)
	if err != nil {
		return v, err
	}
	if r.Status != http.StatusOK {
		return v, fmt.Errorf("GET /collection/%s: %d %s", q, r.Status, r.Body)
	}
	return v, json.Unmarshal(r.Body, &v)
}

type remindAnswer struct {
	Messages  int
	Reminders []struct{ Period, Stage string }
	// Organisations names each organisation that owes by code, never a contact.
	Organisations []struct {
		Org, Outcome string
		Messages     int
	}
}

func (d *demo) remind(day string) (remindAnswer, error) {
	var a remindAnswer
	r, err := d.do("POST", "/reminders/"+day, d.admin, "", nil)
	if err != nil {
		return a, err
	}
	if r.Status != http.StatusOK {
		return a, fmt.Errorf("POST /reminders/%s: %d %s", day, r.Status, r.Body)
	}
	return a, json.Unmarshal(r.Body, &a)
}

func stagesOf(a remindAnswer) []string {
	var out []string
	for _, r := range a.Reminders {
		out = append(out, r.Period+" "+r.Stage)
	}
	return out
}

// mailpitSubjects lists the subjects of the messages Mailpit holds for address.
func mailpitSubjects(mailpitURL, address string) ([]string, error) {
	resp, err := http.Get(mailpitURL + "/api/v1/search?limit=100&query=" + url.QueryEscape(`to:"`+address+`"`))
	if err != nil {
		return nil, fmt.Errorf("mailpit: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("mailpit search: %s", resp.Status)
	}
	var list struct{ Messages []struct{ Subject string } }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("mailpit search: %w", err)
	}
	var out []string
	for _, m := range list.Messages {
		out = append(out, m.Subject)
	}
	slices.Sort(out)
	return out, nil
}

func subjectList(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ": " + strings.Join(ss, " | ")
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}
