package collection_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// fakeSender keeps what it was given; fail decides an address's fate.
type fakeSender struct {
	mu   sync.Mutex
	sent []collection.Message
	fail func(to string) error
}

func (f *fakeSender) Send(_ context.Context, m collection.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(m.To); err != nil {
			return err
		}
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeSender) to() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		out = append(out, string(m.Template)+" "+m.To)
	}
	sort.Strings(out)
	return out
}

var (
	q2     = period.MustQuarter("2026-27-Q2") // due 30 October 2026
	sendTo = "https://returns.example.gov.uk/portal"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// newService runs 2026-27-Q2 at now over memstore: AAA and BBB owe it, CCC has sent it,
// DDD owes it but has no contacts.
func newService(t *testing.T, now string, sender *fakeSender, logs *bytes.Buffer) (*collection.Service, *memstore.Records) {
	t.Helper()
	ctx := context.Background()
	cal, err := collection.Default(30, period.MustQuarter("2023-24-Q1"))
	if err != nil {
		t.Fatal(err)
	}
	store := &memstore.Store{}
	for _, o := range []workforce.Organisation{
		{Code: "AAA", Name: "Agency A", Kind: workforce.CivilService, ReturnsContacts: []string{"one@a.example.gov.uk", "two@a.example.gov.uk"}},
		{Code: "BBB", Name: "Borough B", Kind: workforce.LocalGovernment, ReturnsContacts: []string{"returns@b.example.gov.uk"}},
		{Code: "CCC", Name: "Agency C", Kind: workforce.CivilService, ReturnsContacts: []string{"returns@c.example.gov.uk"}},
		{Code: "DDD", Name: "Agency D", Kind: workforce.CivilService},
	} {
		if err := store.PutOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	sent := at("2026-10-10T09:00:00Z")
	if err := store.Append(ctx, workforce.Version{Org: "CCC", Period: q2, Number: 1, FirstReceivedAt: sent, ReceivedAt: sent}, nil); err != nil {
		t.Fatal(err)
	}
	recs := &memstore.Records{}
	clock := at(now)
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	return &collection.Service{
		Calendar: cal, Organisations: store, Returns: store, Records: recs,
		Sender: sender, SendTo: sendTo, Now: func() time.Time { return clock },
		Log: slog.New(slog.NewJSONHandler(logs, nil)),
	}, recs
}

func outcomes(res collection.RunResult) []string {
	var out []string
	for _, o := range res.Outcomes {
		s := fmt.Sprintf("%s %s %s", o.Stage, o.Org, o.Result)
		if o.Messages > 0 || o.Failed > 0 {
			s += fmt.Sprintf(" %d/%d", o.Messages, o.Messages+o.Failed)
		}
		out = append(out, s)
	}
	return out
}

// Reminders go only to those who owe, once per day and stage, however often the day runs.
func TestRunRemindsOnlyThoseWhoOweOncePerStage(t *testing.T) {
	sender := &fakeSender{}
	var logs bytes.Buffer
	s, recs := newService(t, "2026-12-01T07:00:00Z", sender, &logs)
	ctx := context.Background()

	res, err := s.Run(ctx, day("2026-10-16"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Reminders) != 1 || res.Reminders[0].Key() != "2026-27-Q2/due_soon" {
		t.Fatalf("reminders = %+v", res.Reminders)
	}
	want := []string{"due_soon AAA sent 2/2", "due_soon BBB sent 1/1", "due_soon DDD no_contacts"}
	if got := outcomes(res); !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes = %q, want %q", got, want)
	}
	if got, want := sender.to(), []string{"due_soon one@a.example.gov.uk", "due_soon returns@b.example.gov.uk", "due_soon two@a.example.gov.uk"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sent to %q, want %q", got, want)
	}
	if got := res.SentByStage(); !reflect.DeepEqual(got, map[collection.Stage]int{collection.StageDueSoon: 2}) || res.Incomplete() {
		t.Errorf("sent by stage %v, incomplete %v", got, res.Incomplete())
	}
	for _, m := range sender.sent {
		if ref := m.Reference; (ref != "2026-27-Q2/due_soon/AAA" && ref != "2026-27-Q2/due_soon/BBB") || m.Personalisation[collection.FieldDueDate] != "30 October 2026" {
			t.Errorf("message %s: %v", m.Reference, m.Personalisation)
		}
	}
	rs, _ := recs.Records(ctx, q2)
	if len(rs) != 2 {
		t.Fatalf("records = %+v, want AAA and BBB", rs)
	}
	for _, r := range rs {
		if r.Status != collection.RecordSent || r.Day != day("2026-10-16") || r.Run == "" || r.SentAt.IsZero() || r.ClaimedAt.IsZero() {
			t.Errorf("record %+v", r)
		}
	}
	if rs[0].Org != "AAA" || rs[0].Messages != 2 || rs[1].Messages != 1 {
		t.Errorf("records %+v", rs)
	}

	// The same day again, as a retry or an admin's second call: nothing new.
	again, err := s.Run(ctx, day("2026-10-16"))
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"due_soon AAA already_sent", "due_soon BBB already_sent", "due_soon DDD no_contacts"}
	if got := outcomes(again); !reflect.DeepEqual(got, want) || len(again.SentByStage()) != 0 {
		t.Errorf("second run: %q, sent %v; want %q", got, again.SentByStage(), want)
	}
	if len(sender.sent) != 3 {
		t.Errorf("%d messages after the second run, want still 3", len(sender.sent))
	}

	// The next stage's day sends its own reminder once, to those who still owe.
	next, err := s.Run(ctx, day("2026-10-30"))
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"due_today AAA sent 2/2", "due_today BBB sent 1/1", "due_today DDD no_contacts"}
	if got := outcomes(next); !reflect.DeepEqual(got, want) {
		t.Errorf("due-today run: %q, want %q", got, want)
	}
	if _, err := s.Run(ctx, day("2026-10-30")); err != nil || len(sender.sent) != 6 {
		t.Errorf("after the due-today day twice: %d messages (%v), want 6", len(sender.sent), err)
	}

	// A day with no reminder sends nothing.
	none, err := s.Run(ctx, day("2026-10-17"))
	if err != nil || len(none.Reminders) != 0 || len(none.Outcomes) != 0 {
		t.Errorf("a day without reminders: %+v %v", none, err)
	}
	if strings.Contains(logs.String(), "@") {
		t.Errorf("the logs hold an address:\n%s", logs.String())
	}
}

func TestRunRefusesADayThatHasNotCome(t *testing.T) {
	// 23:30 UTC on 15 October is 00:30 on the 16th in the UK (BST): the 16th has come.
	s, _ := newService(t, "2026-10-15T23:30:00Z", &fakeSender{}, nil)
	if _, err := s.Run(context.Background(), day("2026-10-16")); err != nil {
		t.Errorf("the UK's today: %v", err)
	}
	_, err := s.Run(context.Background(), day("2026-10-17"))
	var e *workforce.Error
	if !errors.As(err, &e) || e.Code != workforce.EInvalid || len(e.Problems) != 1 || e.Problems[0].Field != "date" ||
		!strings.Contains(e.Problems[0].Message, "2026-10-17 is after today, 2026-10-16") {
		t.Errorf("tomorrow: %v", err)
	}
}

// Nothing sent, nothing recorded: a temporary failure leaves the reminder to the next
// run, and only it is sent then.
func TestRunReleasesWhatItCouldNotSend(t *testing.T) {
	down := true
	sender := &fakeSender{fail: func(to string) error {
		if down && strings.HasSuffix(to, "@b.example.gov.uk") {
			return fmt.Errorf("SMTP: %w", collection.ErrTemporary)
		}
		return nil
	}}
	s, recs := newService(t, "2026-12-01T07:00:00Z", sender, nil)
	ctx := context.Background()
	res, err := s.Run(ctx, day("2026-10-16"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(res), []string{"due_soon AAA sent 2/2", "due_soon BBB retry_later 0/1", "due_soon DDD no_contacts"}; !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes %q, want %q", got, want)
	}
	if !res.Incomplete() {
		t.Error("a run that could not send BBB's reminder is complete")
	}
	if rs, _ := recs.Records(ctx, q2); len(rs) != 1 || rs[0].Org != "AAA" {
		t.Errorf("records %+v, want only AAA's", rs)
	}
	down = false
	res, err = s.Run(ctx, day("2026-10-16"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(res), []string{"due_soon AAA already_sent", "due_soon BBB sent 1/1", "due_soon DDD no_contacts"}; !reflect.DeepEqual(got, want) {
		t.Errorf("retry: %q, want %q", got, want)
	}
	if got := sender.to(); len(got) != 3 {
		t.Errorf("sent %q, want each contact once", got)
	}
}

// A refusal of every message is released too, so the day can be run again once the cause
// (a wrong template id, a revoked key) is fixed; a refusal of some contacts keeps the
// record, since the others were reminded.
func TestRunRefusals(t *testing.T) {
	refuse := func(to string) error {
		switch {
		case strings.HasPrefix(to, "two@"), strings.HasSuffix(to, "@b.example.gov.uk"):
			return errors.New("GOV.UK Notify answered 400 (BadRequestError: Can't send to this recipient using a team-only API key)")
		}
		return nil
	}
	sender := &fakeSender{fail: refuse}
	var logs bytes.Buffer
	s, recs := newService(t, "2026-12-01T07:00:00Z", sender, &logs)
	ctx := context.Background()
	res, err := s.Run(ctx, day("2026-11-06"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(res), []string{"overdue AAA sent 1/2", "overdue BBB not_delivered 0/1", "overdue DDD no_contacts"}; !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes %q, want %q", got, want)
	}
	rs, _ := recs.Records(ctx, q2)
	if len(rs) != 1 || rs[0].Org != "AAA" || rs[0].Messages != 1 || rs[0].Failed != 1 {
		t.Errorf("records %+v", rs)
	}
	if strings.Contains(logs.String(), "@") {
		t.Errorf("the logs hold an address:\n%s", logs.String())
	}
}

// Runs racing for the same day send each reminder once between them.
func TestConcurrentRunsSendOnce(t *testing.T) {
	sender := &fakeSender{}
	s, _ := newService(t, "2026-12-01T07:00:00Z", sender, nil)
	var wg sync.WaitGroup
	sent := make([]int, 8)
	for i := range sent {
		wg.Go(func() {
			res, err := s.Run(context.Background(), day("2026-10-16"))
			if err != nil {
				t.Error(err)
			}
			sent[i] = res.SentByStage()[collection.StageDueSoon]
		})
	}
	wg.Wait()
	total := 0
	for _, n := range sent {
		total += n
	}
	if total != 2 || len(sender.sent) != 3 {
		t.Errorf("%d organisations reminded and %d messages across the runs, want 2 and 3", total, len(sender.sent))
	}
}

func TestQuarterView(t *testing.T) {
	s, _ := newService(t, "2026-11-10T12:00:00Z", &fakeSender{}, nil)
	ctx := context.Background()
	for _, d := range []string{"2026-10-16", "2026-10-30", "2026-11-06"} {
		if _, err := s.Run(ctx, day(d)); err != nil {
			t.Fatal(err)
		}
	}
	v, err := s.Quarter(ctx, q2)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Schedule.Due.Equal(day("2026-10-30")) || len(v.Schedule.Reminders) != 3 {
		t.Errorf("schedule %+v", v.Schedule)
	}
	got := map[string]string{}
	for _, o := range v.Organisations {
		var stages []string
		for _, r := range o.Reminders {
			stages = append(stages, fmt.Sprintf("%s@%s:%d", r.Stage, r.Day.Format(time.DateOnly), r.Messages))
		}
		got[o.Org] = string(o.State) + " " + strings.Join(stages, ",")
	}
	want := map[string]string{
		"AAA": "overdue due_soon@2026-10-16:2,due_today@2026-10-30:2,overdue@2026-11-06:2",
		"BBB": "overdue due_soon@2026-10-16:1,due_today@2026-10-30:1,overdue@2026-11-06:1",
		"CCC": "sent ",
		"DDD": "overdue ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("view:\n got %v\nwant %v", got, want)
	}
	if _, err := s.Quarter(ctx, period.MustQuarter("2022-23-Q4")); workforce.ErrorCode(err) != workforce.ENotFound {
		t.Errorf("a quarter before the collection: %v", err)
	}
}

func TestToday(t *testing.T) {
	for in, want := range map[string]string{
		"2026-10-15T23:30:00Z": "2026-10-16", // BST
		"2026-12-01T23:30:00Z": "2026-12-01", // GMT
		"2026-12-01T00:30:00Z": "2026-12-01",
	} {
		if got := collection.Today(at(in)).Format(time.DateOnly); got != want {
			t.Errorf("collection.Today(%s) = %s, want %s", in, got, want)
		}
	}
}
