package collection

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
	_ "time/tzdata" // Europe/London on a Lambda image that has no zoneinfo

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// UK is the time zone the collection's days are counted in: a reminder "on 16 October" goes
// on that day in the UK, and "today" is the UK's today, whatever the server's clock says.
var UK = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(fmt.Sprintf("collection: no Europe/London time zone: %v", err))
	}
	return l
}()

// Today is the UK's calendar date at t, as Day writes dates.
func Today(t time.Time) time.Time { return Day(t.In(UK)) }

// RecordStatus is where a reminder record stands.
type RecordStatus string

const (
	// RecordSending: a run has claimed the reminder and not yet finished with it. A run that
	// stopped part-way (a timeout, a crash) leaves its claim like this for good, so the
	// organisation is not reminded twice; GET /collection/{period} shows it.
	RecordSending RecordStatus = "sending"
	// RecordSent: at least one of the organisation's contacts was sent the reminder.
	RecordSent RecordStatus = "sent"
)

// Record is what was sent of one reminder (a quarter's stage) to one organisation. It
// holds how many contacts were sent it, never who they are.
type Record struct {
	Period    period.Quarter
	Stage     Stage
	Org       string
	Day       time.Time // the day the reminder was for
	Run       string    // the run that claimed it: only that run may finish or release it
	Status    RecordStatus
	Messages  int // contacts the sender accepted a message for
	Failed    int // contacts it refused, when others were sent one
	ClaimedAt time.Time
	SentAt    time.Time // zero while Sending
}

// ErrClaimed is a Claim that found a record already there: an earlier run has reminded
// the organisation, or is doing so now.
var ErrClaimed = errors.New("the reminder is already recorded")

// RecordStore keeps the reminder records. Claim is a conditional write: of two runs
// racing for the same reminder and organisation, one gets ErrClaimed.
type RecordStore interface {
	// Claim records rec (status RecordSending) unless a record of its quarter, stage and
	// organisation exists, in which case it answers ErrClaimed.
	Claim(ctx context.Context, rec Record) error
	// Finish replaces the claim with rec (status RecordSent), on condition that it is still
	// rec.Run's claim.
	Finish(ctx context.Context, rec Record) error
	// Release deletes the claim, on condition that it is still rec.Run's and still
	// RecordSending, so that a later run may send the reminder.
	Release(ctx context.Context, rec Record) error
	// Records lists every record of q.
	Records(ctx context.Context, q period.Quarter) ([]Record, error)
}

// CurrentReturns reads the current version of every organisation's return for a quarter
// (workforce.ReturnStore has it).
type CurrentReturns interface {
	CurrentByPeriod(ctx context.Context, q period.Quarter) ([]workforce.Version, error)
}

// Service answers where a quarter's collection stands and runs a day's reminders.
type Service struct {
	Calendar      Calendar
	Organisations workforce.OrganisationStore
	Returns       CurrentReturns
	Records       RecordStore
	// Sender sends the reminders; nil where nothing is sent (the read function).
	Sender Sender
	// SendTo is where a reminder tells organisations to send their return.
	SendTo string
	Now    func() time.Time // time.Now when nil
	Log    *slog.Logger     // slog.Default() when nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Service) register(ctx context.Context) (workforce.Register, error) {
	orgs, err := s.Organisations.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	reg := make(workforce.Register, len(orgs))
	for _, o := range orgs {
		reg[o.Code] = o
	}
	return reg, nil
}

// QuarterView is where a quarter's collection stands: its calendar, and every expected
// organisation's state with the reminders it has been sent.
type QuarterView struct {
	Schedule      Schedule
	AsOf          time.Time
	Organisations []OrgView
}

// OrgView is one organisation's state and its reminders so far, in stage order.
type OrgView struct {
	OrgState
	Reminders []Record
}

// Quarter answers q's collection as it stands now. A quarter before the collection's
// first is not found.
func (s *Service) Quarter(ctx context.Context, q period.Quarter) (QuarterView, error) {
	sched, ok := s.Calendar.Schedule(q)
	if !ok {
		return QuarterView{}, workforce.Errorf(workforce.ENotFound, "The collection began with %s; %s was not collected.", s.Calendar.FirstQuarter, q)
	}
	reg, err := s.register(ctx)
	if err != nil {
		return QuarterView{}, err
	}
	current, err := s.Returns.CurrentByPeriod(ctx, q)
	if err != nil {
		return QuarterView{}, err
	}
	recs, err := s.Records.Records(ctx, q)
	if err != nil {
		return QuarterView{}, err
	}
	byOrg := map[string][]Record{}
	for _, r := range recs {
		byOrg[r.Org] = append(byOrg[r.Org], r)
	}
	now := s.now()
	v := QuarterView{Schedule: sched, AsOf: now, Organisations: []OrgView{}}
	for _, st := range s.Calendar.States(q, reg, current, now) {
		rs := byOrg[st.Org]
		sortRecords(rs)
		v.Organisations = append(v.Organisations, OrgView{OrgState: st, Reminders: rs})
	}
	return v, nil
}

func sortRecords(rs []Record) {
	slices.SortStableFunc(rs, func(a, b Record) int {
		return slices.Index(Stages(), a.Stage) - slices.Index(Stages(), b.Stage)
	})
}

// Result is what a run did about one reminder to one organisation.
type Result string

const (
	ResultSent         Result = "sent"          // sent now, to Messages contacts
	ResultAlreadySent  Result = "already_sent"  // recorded by an earlier run: nothing sent
	ResultNoContacts   Result = "no_contacts"   // the register holds no returns contacts for it
	ResultRetryLater   Result = "retry_later"   // nothing was sent, for a reason that may pass: the next run tries again
	ResultNotDelivered Result = "not_delivered" // the sender refused every message: fix the cause and run the day again
)

// Outcome is one organisation's part of a run. It names the organisation, never a contact.
type Outcome struct {
	Period   period.Quarter
	Stage    Stage
	Org      string
	Result   Result
	Messages int // sent now
	Failed   int // contacts the sender refused
}

// RunResult is what a day's run did.
type RunResult struct {
	Day       time.Time
	Reminders []Reminder // the reminders that fall on Day
	Outcomes  []Outcome  // one per reminder and organisation that owes it, in that order
}

// SentByStage counts the organisations sent a reminder by this run, by stage.
func (r RunResult) SentByStage() map[Stage]int {
	n := map[Stage]int{}
	for _, o := range r.Outcomes {
		if o.Result == ResultSent {
			n[o.Stage]++
		}
	}
	return n
}

// Incomplete reports whether some organisation that should have been sent a reminder was
// sent nothing, so that the run should be tried again.
func (r RunResult) Incomplete() bool {
	for _, o := range r.Outcomes {
		if o.Result == ResultRetryLater || o.Result == ResultNotDelivered {
			return true
		}
	}
	return false
}

// Run sends the reminders that fall on day (a UK date) to every organisation that owes
// their quarter and has not sent it, and records each.
//
// Each organisation's reminder is claimed before anything is sent: the claim is a
// conditional write, so a re-run of the day, a retry or a run racing this one finds it and
// sends nothing. Reminders are sent at most once: when the sender takes at least one
// message the claim becomes the record of it; when it takes none, the claim is released,
// so a later run tries again (a temporary failure: the next retry; a refusal: once the
// cause is fixed). A run that stops between claiming and recording leaves its claims
// Sending rather than risk a second reminder.
//
// A day after today is refused: reminders go on their day, and one sent early would
// reach organisations that may yet send on time.
func (s *Service) Run(ctx context.Context, day time.Time) (RunResult, error) {
	d := Day(day)
	today := Today(s.now())
	if d.After(today) {
		return RunResult{}, workforce.Invalid("Reminders cannot be sent for a day that has not come.", []workforce.Problem{{
			Field: "date", Code: "future_date",
			Message: fmt.Sprintf("%s is after today, %s (UK time): a day's reminders are sent on that day or later.", d.Format(time.DateOnly), today.Format(time.DateOnly)),
		}})
	}
	if s.Sender == nil {
		return RunResult{}, errors.New("collection: no reminder sender is configured")
	}
	res := RunResult{Day: d, Reminders: s.Calendar.Due(d), Outcomes: []Outcome{}}
	if len(res.Reminders) == 0 {
		return res, nil
	}
	reg, err := s.register(ctx)
	if err != nil {
		return res, err
	}
	run, err := newRunID()
	if err != nil {
		return res, err
	}
	for _, r := range res.Reminders {
		current, err := s.Returns.CurrentByPeriod(ctx, r.Period)
		if err != nil {
			return res, err
		}
		for _, a := range Owing(r, reg, current) {
			o, err := s.remind(ctx, run, d, r, a)
			if err != nil {
				return res, err
			}
			res.Outcomes = append(res.Outcomes, o)
		}
	}
	return res, nil
}

// remind claims, sends and records one reminder to one organisation. An error is a
// failure of the record store, which stops the run.
func (s *Service) remind(ctx context.Context, run string, day time.Time, r Reminder, a Addressee) (Outcome, error) {
	o := Outcome{Period: r.Period, Stage: r.Stage, Org: a.Org}
	log := s.log().With("period", r.Period.String(), "stage", string(r.Stage), "org", a.Org)
	if len(a.Contacts) == 0 {
		o.Result = ResultNoContacts
		log.InfoContext(ctx, "reminder not sent: the register has no returns contacts for the organisation")
		return o, nil
	}
	rec := Record{Period: r.Period, Stage: r.Stage, Org: a.Org, Day: day, Run: run, Status: RecordSending, ClaimedAt: s.now().UTC()}
	if err := s.Records.Claim(ctx, rec); errors.Is(err, ErrClaimed) {
		o.Result = ResultAlreadySent
		return o, nil
	} else if err != nil {
		return o, fmt.Errorf("claim %s/%s: %w", r.Key(), a.Org, err)
	}
	temporary := false
	var firstErr error
	for _, m := range r.Messages(a, s.SendTo) {
		err := s.Sender.Send(ctx, m)
		if err == nil {
			o.Messages++
			continue
		}
		o.Failed++
		temporary = temporary || errors.Is(err, ErrTemporary)
		if firstErr == nil {
			firstErr = err
		}
	}
	if o.Messages == 0 {
		// Nothing went, so nothing can go twice: let a later run try.
		o.Result = ResultNotDelivered
		if temporary {
			o.Result = ResultRetryLater
		}
		log.ErrorContext(ctx, "reminder not sent", "result", string(o.Result), "contacts", o.Failed, "error", firstErr.Error())
		if err := s.Records.Release(ctx, rec); err != nil {
			// The claim stays: this reminder will not be sent by a later run either.
			log.ErrorContext(ctx, "reminder claim not released", "error", err.Error())
		}
		return o, nil
	}
	rec.Status, rec.Messages, rec.Failed, rec.SentAt = RecordSent, o.Messages, o.Failed, s.now().UTC()
	o.Result = ResultSent
	if o.Failed > 0 {
		log.ErrorContext(ctx, "reminder sent to some contacts only", "messages", o.Messages, "failed", o.Failed, "error", firstErr.Error())
	} else {
		log.InfoContext(ctx, "reminder sent", "messages", o.Messages)
	}
	if err := s.Records.Finish(ctx, rec); err != nil {
		// Sent but not marked: the claim stays Sending, which still stops a second send.
		return o, fmt.Errorf("record %s/%s as sent: %w", r.Key(), a.Org, err)
	}
	return o, nil
}

func newRunID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("run id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
