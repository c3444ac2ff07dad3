package app

import (
	"errors"
	"strings"
	"testing"
	"time"
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
