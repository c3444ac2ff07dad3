package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func TestReminderDay(t *testing.T) {
	now := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ev   ReminderEvent
		want string
	}{
		// 07:00 in the UK: 06:00 UTC in summer, 07:00 UTC in winter; either way the UK's day.
		{ReminderEvent{ScheduledTime: time.Date(2026, 10, 16, 6, 0, 0, 0, time.UTC)}, "2026-10-16"},
		{ReminderEvent{ScheduledTime: time.Date(2026, 11, 6, 7, 0, 0, 0, time.UTC)}, "2026-11-06"},
		// A retry hours later still runs the day the schedule fired for.
		{ReminderEvent{ScheduledTime: time.Date(2026, 10, 15, 23, 30, 0, 0, time.UTC)}, "2026-10-16"},
		{ReminderEvent{Date: "2026-10-30"}, "2026-10-30"},
		{ReminderEvent{}, "2026-12-01"},
	} {
		d, err := reminderDay(tc.ev, now)
		if err != nil || d.Format(time.DateOnly) != tc.want {
			t.Errorf("%+v: %s %v, want %s", tc.ev, d.Format(time.DateOnly), err, tc.want)
		}
	}
	if _, err := reminderDay(ReminderEvent{Date: "16/10/2026"}, now); err == nil {
		t.Error("a date in another form was read")
	}
}

func TestSenderConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // in the error; "" for none
	}{
		{"SMTP", map[string]string{"SMTP_ADDR": "127.0.0.1:1025", "API_URL": "http://127.0.0.1:8080"}, ""},
		{"Notify", map[string]string{"NOTIFY_API_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-2:123456789012:secret:notify", "REMINDERS_SEND_TO": "https://returns.example.gov.uk"}, ""},
		{"neither", map[string]string{"REMINDERS_SEND_TO": "https://returns.example.gov.uk"}, "no reminder sender"},
		{"both", map[string]string{"SMTP_ADDR": "127.0.0.1:1025", "NOTIFY_API_KEY": "k", "REMINDERS_SEND_TO": "https://x"}, "set one"},
		{"no address to send returns to", map[string]string{"SMTP_ADDR": "127.0.0.1:1025"}, "REMINDERS_SEND_TO"},
		{"bad from", map[string]string{"SMTP_ADDR": "127.0.0.1:1025", "API_URL": "http://x", "REMINDERS_FROM": "not an address"}, "REMINDERS_FROM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"NOTIFY_API_KEY_SECRET_ARN", "NOTIFY_API_KEY", "SMTP_ADDR", "REMINDERS_SEND_TO", "REMINDERS_FROM", "API_URL"} {
				t.Setenv(k, tc.env[k])
			}
			c, err := SenderConfigFromEnv()
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			case tc.want == "no reminder sender" && !errors.Is(err, ErrNoSender):
				t.Errorf("err = %v, want ErrNoSender", err)
			}
			if tc.name == "SMTP" && c.SendTo != "http://127.0.0.1:8080" {
				t.Errorf("SendTo = %q, want the local API_URL", c.SendTo)
			}
		})
	}
}

// With NOTIFY_API_KEY set the reminders go through GOV.UK Notify's API: each a signed
// request naming the stage's template, the recipient and the personalisation. The schedule
// handler runs the day it fired for; a run that could not remind someone fails, so Lambda
// retries it, and the retry sends only what is still owed.
func TestRemindersThroughNotify(t *testing.T) {
	const (
		serviceID = "26785a09-ab16-4eb0-8407-a37497a57506"
		secret    = "3d844edf-8d35-48ac-975b-e847b4f122b0"
	)
	var mu sync.Mutex
	var got []map[string]any
	failFor := "b@borough.example.gov.uk"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := jwt.Parse(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(serviceID), jwt.WithIssuedAt())
		if err != nil || !tok.Valid || r.URL.Path != "/v2/notifications/email" {
			http.Error(w, `{"status_code": 403, "errors": [{"error": "AuthError", "message": "Invalid token"}]}`, http.StatusForbidden)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		if body["email_address"] == failFor {
			http.Error(w, `{"status_code": 429, "errors": [{"error": "RateLimitError", "message": "Exceeded rate limit"}]}`, http.StatusTooManyRequests)
			return
		}
		got = append(got, body)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "x", "content": {"subject": "s", "body": "b", "from_email": "f"}}`))
	}))
	defer srv.Close()
	for k, v := range map[string]string{
		"NOTIFY_API_KEY": "returns_reminders-" + serviceID + "-" + secret, "NOTIFY_BASE_URL": srv.URL, "SMTP_ADDR": "", "NOTIFY_API_KEY_SECRET_ARN": "",
		"NOTIFY_TEMPLATE_DUE_SOON": "f33517ff-2a88-4f6e-b855-c550268ce08a", "NOTIFY_TEMPLATE_DUE_TODAY": "0b4b7c43-51a5-4bd8-9a43-4a5f3b6c1c21",
		"NOTIFY_TEMPLATE_OVERDUE": "5d0f3f7e-9a59-4f1b-8d0c-2b8e8a0b7f44", "REMINDERS_SEND_TO": "https://returns.example.gov.uk",
	} {
		t.Setenv(k, v)
	}
	sc, err := SenderConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store := &memstore.Store{}
	for _, o := range []workforce.Organisation{
		{Code: "AAA", Name: "Agency A", Kind: workforce.CivilService, ReturnsContacts: []string{"a@agency.example.gov.uk"}},
		{Code: "BBB", Name: "Borough B", Kind: workforce.LocalGovernment, ReturnsContacts: []string{failFor}},
	} {
		if err := store.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	cal, err := collection.Default(30, period.MustQuarter("2023-24-Q1"))
	if err != nil {
		t.Fatal(err)
	}
	api := &httpapi.API{Collection: &collection.Service{Calendar: cal, Organisations: store, Returns: store, Records: &memstore.Records{}},
		Claims: httpapi.Claims{Org: "org", Roles: "roles"}, Log: Logger()}
	if err := withSender(ctx, api, Config{Region: "eu-west-2"}, sc); err != nil {
		t.Fatal(err)
	}
	h := RemindersHandler(api, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	// 06:00 UTC on 16 October is 07:00 in the UK: 2026-27-Q2's due-soon day.
	ev := json.RawMessage(`{"scheduled_time": "2026-10-16T06:00:00Z"}`)
	if _, err := h(ctx, ev); err == nil || !strings.Contains(err.Error(), "2026-10-16") {
		t.Fatalf("a run that could not remind BBB: err = %v, want a failure for Lambda to retry", err)
	}
	if len(got) != 1 || got[0]["email_address"] != "a@agency.example.gov.uk" || got[0]["template_id"] != "f33517ff-2a88-4f6e-b855-c550268ce08a" ||
		got[0]["reference"] != "2026-27-Q2/due_soon/AAA" || got[0]["personalisation"].(map[string]any)["due_date"] != "30 October 2026" {
		t.Fatalf("Notify was sent %v", got)
	}
	failFor = "" // the rate limit has passed: Lambda's retry sends BBB's, and AAA's not again
	out, err := h(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1]["email_address"] != "b@borough.example.gov.uk" || got[1]["personalisation"].(map[string]any)["return_name"] != "DDaT leadership return" {
		t.Errorf("after the retry Notify was sent %v", got)
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"sent":{"due_soon":1}`) || strings.Contains(string(b), "@") {
		t.Errorf("the retry's answer: %s", b)
	}
}
