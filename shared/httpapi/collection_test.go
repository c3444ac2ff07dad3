package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/workforce"
)

type recordingSender struct {
	mu   sync.Mutex
	sent []collection.Message
}

func (s *recordingSender) Send(_ context.Context, m collection.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	return nil
}

// collectionAPI is an API over memstore on 1 December 2026, with two organisations that
// owe 2026-27-Q2 and have returns contacts.
func collectionAPI(t *testing.T, logs *bytes.Buffer) (*API, *recordingSender) {
	t.Helper()
	ctx := context.Background()
	store := &memstore.Store{}
	for _, o := range []workforce.Organisation{
		{Code: "AAA", Name: "Agency A", Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 10, ReturnsContacts: []string{"one@a.example.gov.uk"}},
		{Code: "BBB", Name: "Borough B", Kind: workforce.LocalGovernment, BaselineHeadcount: 10, ReturnsContacts: []string{"two@b.example.gov.uk"}},
	} {
		if err := store.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	cal, err := collection.Default(30, period.MustQuarter("2023-24-Q1"))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
	sender := &recordingSender{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	return &API{
		Service:    &workforce.Service{Returns: store, Organisations: store, Now: now, Log: log},
		Collection: &collection.Service{Calendar: cal, Organisations: store, Returns: store, Records: &memstore.Records{}, Sender: sender, SendTo: "https://returns.example.gov.uk", Now: now, Log: log},
		Claims:     Claims{Org: "org", Roles: "roles"},
		Log:        log, Now: now, MaxUploadBytes: 1 << 20,
	}, sender
}

func call(t *testing.T, a *API, method, path, route string, params map[string]string, roles string, body string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	fn := ""
	for _, r := range Routes {
		if r.Key() == route {
			fn = r.Function
		}
	}
	ev := events.APIGatewayV2HTTPRequest{RouteKey: route, RawPath: path, PathParameters: params, Body: body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "test",
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": "u", "org": "CO", "roles": roles}}}}}
	resp, err := a.Handler(fn)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Returns contacts are an admin's to see: a leader's and a submitter's listing leave them out.
func TestOrganisationsShowContactsOnlyToAdmins(t *testing.T) {
	var logs bytes.Buffer
	a, _ := collectionAPI(t, &logs)
	for roles, want := range map[string]bool{"admin": true, "leader": false, "[leader submitter]": false} {
		resp := call(t, a, "GET", "/organisations", "GET /organisations", nil, roles, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", roles, resp.StatusCode, resp.Body)
		}
		if got := strings.Contains(resp.Body, "one@a.example.gov.uk"); got != want {
			t.Errorf("%s: contacts shown %v, want %v: %s", roles, got, want, resp.Body)
		}
		if got := strings.Contains(resp.Body, "returns_contacts"); got != want {
			t.Errorf("%s: returns_contacts present %v, want %v", roles, got, want)
		}
	}
	// An admin's PUT is answered with the contacts as stored, and its problems name a
	// contact by position, never by its text.
	body := `{"name":"Agency A","parent":"CO","kind":"civil_service","baseline_headcount":10,"returns_contacts":["new@a.example.gov.uk"]}`
	resp := call(t, a, "PUT", "/organisations/AAA", "PUT /organisations/{code}", map[string]string{"code": "AAA"}, "admin", body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"returns_contacts":["new@a.example.gov.uk"]`) {
		t.Errorf("PUT: %d %s", resp.StatusCode, resp.Body)
	}
	bad := `{"name":"Agency A","kind":"civil_service","returns_contacts":["Someone <someone@a.example.gov.uk>","new@a.example.gov.uk","NEW@a.example.gov.uk"]}`
	resp = call(t, a, "PUT", "/organisations/AAA", "PUT /organisations/{code}", map[string]string{"code": "AAA"}, "admin", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(resp.Body, "a.example.gov.uk") ||
		!strings.Contains(resp.Body, "invalid_email") || !strings.Contains(resp.Body, "duplicate_email") {
		t.Errorf("PUT with bad contacts: %d %s", resp.StatusCode, resp.Body)
	}
	if strings.Contains(logs.String(), "@") {
		t.Errorf("the logs hold an address:\n%s", logs.String())
	}
}

func TestCollectionAndReminderRoutes(t *testing.T) {
	var logs bytes.Buffer
	a, sender := collectionAPI(t, &logs)
	post := func(date string) events.APIGatewayV2HTTPResponse {
		return call(t, a, "POST", "/reminders/"+date, "POST /reminders/{date}", map[string]string{"date": date}, "admin", "")
	}
	resp := post("2026-10-16")
	var run struct {
		Date      string                   `json:"date"`
		Sent      map[collection.Stage]int `json:"sent"`
		Messages  int                      `json:"messages"`
		Complete  bool                     `json:"complete"`
		Reminders []struct{ Period, Stage, Due string }
		Outcomes  []struct{ Org, Outcome string } `json:"organisations"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &run); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if run.Date != "2026-10-16" || run.Sent[collection.StageDueSoon] != 2 || run.Messages != 2 || !run.Complete ||
		len(run.Reminders) != 1 || run.Reminders[0].Due != "2026-10-30" || len(run.Outcomes) != 2 {
		t.Errorf("run: %s", resp.Body)
	}
	if strings.Contains(resp.Body, "@") {
		t.Errorf("the answer names a contact: %s", resp.Body)
	}
	// Again: 200 with nothing new.
	resp = post("2026-10-16")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"sent":{}`) || !strings.Contains(resp.Body, `"messages":0`) ||
		strings.Count(resp.Body, `"outcome":"already_sent"`) != 2 || len(sender.sent) != 2 {
		t.Errorf("second run: %d %s (%d messages in all)", resp.StatusCode, resp.Body, len(sender.sent))
	}
	for date, status := range map[string]int{"16-10-2026": 400, "2026-02-30": 400, "2026-12-02": 422} {
		if resp := post(date); resp.StatusCode != status || !strings.Contains(resp.Body, `"field":"date"`) {
			t.Errorf("POST /reminders/%s: %d %s, want %d naming the date", date, resp.StatusCode, resp.Body, status)
		}
	}
	if resp := call(t, a, "POST", "/reminders/2026-10-16", "POST /reminders/{date}", map[string]string{"date": "2026-10-16"}, "leader", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a leader's run: %d", resp.StatusCode)
	}

	get := func(p, roles string) events.APIGatewayV2HTTPResponse {
		return call(t, a, "GET", "/collection/"+p, "GET /collection/{period}", map[string]string{"period": p}, roles, "")
	}
	resp = get("2026-27-Q2", "leader")
	var view struct {
		Period   string `json:"period"`
		Schedule struct {
			Opens, Due string
			Reminders  []struct{ Stage, Date string }
		} `json:"schedule"`
		Organisations []struct {
			Org, State string
			Reminders  []struct {
				Stage, Date, Status string
				Messages            int
			}
		} `json:"organisations"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &view); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if view.Schedule.Opens != "2026-10-01" || view.Schedule.Due != "2026-10-30" || len(view.Schedule.Reminders) != 3 || len(view.Organisations) != 2 {
		t.Errorf("view: %s", resp.Body)
	}
	for _, o := range view.Organisations {
		if o.State != "overdue" || len(o.Reminders) != 1 || o.Reminders[0].Stage != "due_soon" || o.Reminders[0].Date != "2026-10-16" ||
			o.Reminders[0].Status != "sent" || o.Reminders[0].Messages != 1 {
			t.Errorf("%s: %+v", o.Org, o)
		}
	}
	if strings.Contains(resp.Body, "@") {
		t.Errorf("a leader's view names a contact: %s", resp.Body)
	}
	for p, status := range map[string]int{"2026 Q2": 400, "last-quarter": 400, "2022-23-Q4": 404} {
		if resp := get(p, "admin"); resp.StatusCode != status {
			t.Errorf("GET /collection/%s: %d %s, want %d", p, resp.StatusCode, resp.Body, status)
		}
	}
	if resp := get("2026-27-Q2", "submitter"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a submitter's view: %d", resp.StatusCode)
	}
	if strings.Contains(logs.String(), "@") {
		t.Errorf("the logs hold an address:\n%s", logs.String())
	}
}
