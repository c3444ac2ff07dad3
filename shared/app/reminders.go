package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/notify"
	"github.com/ddat-workforce/returns/shared/smtpmail"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// SenderConfig is what the reminders function reads to send: GOV.UK Notify on AWS, SMTP
// on the local stack. Exactly one must be configured. None of it is logged.
type SenderConfig struct {
	// NotifyAPIKeySecret (NOTIFY_API_KEY_SECRET_ARN) is the Secrets Manager secret whose
	// string is the Notify API key, read once at start-up. On AWS the key is never in the
	// function's environment, where anyone who may read its configuration could see it.
	NotifyAPIKeySecret string
	// NotifyAPIKey (NOTIFY_API_KEY) is the key itself, for running the function elsewhere.
	NotifyAPIKey    string
	NotifyBaseURL   string                      // NOTIFY_BASE_URL; GOV.UK Notify's API when empty
	NotifyTemplates map[collection.Stage]string // NOTIFY_TEMPLATE_DUE_SOON, _DUE_TODAY, _OVERDUE

	SMTPAddr string       // SMTP_ADDR: the local stack's Mailpit
	From     mail.Address // REMINDERS_FROM, for SMTP; Notify sends from the service's own address

	// SendTo (REMINDERS_SEND_TO) is where a reminder tells organisations to send their
	// return; on the local stack, API_URL when unset.
	SendTo string
}

// ErrNoSender is a configuration that names no way to send reminders.
var ErrNoSender = errors.New("no reminder sender: set NOTIFY_API_KEY_SECRET_ARN (GOV.UK Notify, on AWS) or SMTP_ADDR (the local stack's Mailpit)")

// SenderConfigFromEnv reads SenderConfig from the environment.
func SenderConfigFromEnv() (SenderConfig, error) {
	c := SenderConfig{
		NotifyAPIKeySecret: os.Getenv("NOTIFY_API_KEY_SECRET_ARN"),
		NotifyAPIKey:       os.Getenv("NOTIFY_API_KEY"),
		NotifyBaseURL:      os.Getenv("NOTIFY_BASE_URL"),
		NotifyTemplates:    map[collection.Stage]string{},
		SMTPAddr:           os.Getenv("SMTP_ADDR"),
		From:               mail.Address{Name: "DDaT workforce returns", Address: "ddat.returns@example.gov.uk"},
		SendTo:             os.Getenv("REMINDERS_SEND_TO"),
	}
	for _, s := range collection.Stages() {
		if id := os.Getenv("NOTIFY_TEMPLATE_" + strings.ToUpper(string(s))); id != "" {
			c.NotifyTemplates[s] = id
		}
	}
	if v := os.Getenv("REMINDERS_FROM"); v != "" {
		a, err := mail.ParseAddress(v)
		if err != nil || !workforce.ValidEmail(a.Address) {
			return c, fmt.Errorf("REMINDERS_FROM=%q must be an email address, with a name if you like: DDaT workforce returns <ddat.returns@agency.gov.uk>", v)
		}
		c.From = *a
	}
	if c.SendTo == "" {
		c.SendTo = os.Getenv("API_URL")
	}
	notify := c.NotifyAPIKeySecret != "" || c.NotifyAPIKey != ""
	switch {
	case notify && c.SMTPAddr != "":
		return c, errors.New("both GOV.UK Notify (NOTIFY_API_KEY_SECRET_ARN or NOTIFY_API_KEY) and SMTP (SMTP_ADDR) are configured: set one, so it is clear where reminders go")
	case !notify && c.SMTPAddr == "":
		return c, ErrNoSender
	case c.NotifyAPIKeySecret != "" && c.NotifyAPIKey != "":
		return c, errors.New("set NOTIFY_API_KEY_SECRET_ARN or NOTIFY_API_KEY, not both")
	case strings.TrimSpace(c.SendTo) == "" || strings.ContainsAny(c.SendTo, "\r\n"):
		return c, errors.New("REMINDERS_SEND_TO must say, on one line, where organisations send their returns (the service's address)")
	}
	return c, nil
}

// NewSender builds the configured sender. The Notify key is read from Secrets Manager
// here, once, at start-up.
func NewSender(ctx context.Context, cfg Config, sc SenderConfig) (collection.Sender, error) {
	if sc.SMTPAddr != "" {
		return &smtpmail.Sender{Addr: sc.SMTPAddr, From: sc.From}, nil
	}
	key := sc.NotifyAPIKey
	if sc.NotifyAPIKeySecret != "" {
		awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(cfg.Region))
		if err != nil {
			return nil, fmt.Errorf("load AWS config: %w", err)
		}
		out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(sc.NotifyAPIKeySecret)})
		if err != nil {
			return nil, fmt.Errorf("read the GOV.UK Notify API key from Secrets Manager (NOTIFY_API_KEY_SECRET_ARN): %w", err)
		}
		key = aws.ToString(out.SecretString)
	}
	c, err := notify.New(key, sc.NotifyTemplates)
	if err != nil {
		return nil, err
	}
	if sc.NotifyBaseURL != "" {
		c.BaseURL = sc.NotifyBaseURL
	}
	return c, nil
}

// NewRemindersHandler is the reminders function: the daily schedule and POST
// /reminders/{date}.
func NewRemindersHandler(ctx context.Context, cfg Config) (func(context.Context, json.RawMessage) (any, error), error) {
	sc, err := SenderConfigFromEnv()
	if err != nil {
		return nil, err
	}
	api, log, err := clientsAndAPI(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := withSender(ctx, api, cfg, sc); err != nil {
		return nil, err
	}
	return RemindersHandler(api, log), nil
}

// withSender gives the API's collection service its sender and where reminders point.
func withSender(ctx context.Context, api *httpapi.API, cfg Config, sc SenderConfig) error {
	sender, err := NewSender(ctx, cfg, sc)
	if err != nil {
		return err
	}
	api.Collection.Sender, api.Collection.SendTo = sender, sc.SendTo
	return nil
}

// ReminderEvent is what the daily schedule delivers (EventBridge Scheduler's Input, with
// the time it was due to fire), or a manual invoke naming the day to run.
type ReminderEvent struct {
	ScheduledTime time.Time `json:"scheduled_time"`
	Date          string    `json:"date"` // YYYY-MM-DD: run this day instead
}

// RemindersHandler serves the reminders function's two triggers: API Gateway events for
// POST /reminders/{date}, and the daily schedule.
func RemindersHandler(api *httpapi.API, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	return httpOrSchedule(api.Handler(httpapi.FunctionReminders), func(ctx context.Context, raw json.RawMessage) (any, error) {
		var ev ReminderEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("schedule event: %w", err)
		}
		day, err := reminderDay(ev, time.Now())
		if err != nil {
			return nil, err
		}
		start := time.Now()
		res, err := api.Collection.Run(ctx, day)
		if err != nil {
			log.ErrorContext(ctx, "reminders failed", "date", day.Format(time.DateOnly), "error", err.Error())
			return nil, err
		}
		sent := res.SentByStage()
		log.InfoContext(ctx, "reminders", "date", day.Format(time.DateOnly), "reminders", len(res.Reminders),
			"organisations", len(res.Outcomes), "due_soon", sent[collection.StageDueSoon], "due_today", sent[collection.StageDueToday],
			"overdue", sent[collection.StageOverdue], "complete", !res.Incomplete(), "duration_ms", time.Since(start).Milliseconds())
		if res.Incomplete() {
			// Lambda retries the invocation; what was sent is recorded and is not sent
			// again. After the last retry the event goes to the dead-letter queue.
			return nil, fmt.Errorf("reminders for %s: some organisations that owe a return were sent nothing; see the log", day.Format(time.DateOnly))
		}
		return httpapi.RunView(res), nil
	})
}

// reminderDay is the UK day a schedule event is for: the day it was due to fire (a retry
// hours later still runs that day), or the day it names.
func reminderDay(ev ReminderEvent, now time.Time) (time.Time, error) {
	if ev.Date != "" {
		d, err := time.Parse(time.DateOnly, ev.Date)
		if err != nil {
			return d, workforce.Errorf(workforce.EInvalid, "schedule event: date %q must be a day in the form 2026-10-16", ev.Date)
		}
		return d, nil
	}
	fired := ev.ScheduledTime
	if fired.IsZero() {
		fired = now
	}
	return collection.Today(fired), nil
}
