package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// FunctionReminders sends the reminders, from its daily schedule and POST
// /reminders/{date}: it reads returns and the register and writes reminder records, and it
// alone holds the sender's credentials.
const FunctionReminders = "reminders"

// scheduleView is a quarter's calendar, its days written as dates.
type scheduleView struct {
	Period    string         `json:"period"`
	Opens     string         `json:"opens"`
	Due       string         `json:"due"`
	Reminders []reminderView `json:"reminders"`
}

type reminderView struct {
	Stage collection.Stage `json:"stage"`
	Date  string           `json:"date"`
}

// sentView is a reminder an organisation has been sent: how many of its contacts, never who.
type sentView struct {
	Stage     collection.Stage        `json:"stage"`
	Date      string                  `json:"date"`
	Status    collection.RecordStatus `json:"status"`
	Messages  int                     `json:"messages"`
	Failed    int                     `json:"failed,omitempty"`
	ClaimedAt time.Time               `json:"claimed_at"`
	SentAt    *time.Time              `json:"sent_at,omitempty"`
}

type orgCollectionView struct {
	collection.OrgState
	Reminders []sentView `json:"reminders"`
}

type collectionView struct {
	Period        string              `json:"period"`
	AsOf          time.Time           `json:"as_of"`
	Schedule      scheduleView        `json:"schedule"`
	Organisations []orgCollectionView `json:"organisations"`
}

func toScheduleView(s collection.Schedule) scheduleView {
	v := scheduleView{Period: s.Period.String(), Opens: s.Opens.Format(time.DateOnly), Due: s.Due.Format(time.DateOnly), Reminders: []reminderView{}}
	for _, r := range s.Reminders {
		v.Reminders = append(v.Reminders, reminderView{r.Stage, r.Date.Format(time.DateOnly)})
	}
	return v
}

// getCollection answers every expected organisation's state for a quarter, its calendar
// and the reminders sent so far. Nothing in it is personal: no contact is shown.
func (a *API) getCollection(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	q, err := period.ParseQuarter(r.PathParameters["period"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, badParams("The period in the address is not a quarter.", periodProblem(err))
	}
	qv, err := a.Collection.Quarter(ctx, q)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v := collectionView{Period: q.String(), AsOf: qv.AsOf.UTC(), Schedule: toScheduleView(qv.Schedule), Organisations: []orgCollectionView{}}
	for _, o := range qv.Organisations {
		ov := orgCollectionView{OrgState: o.OrgState, Reminders: []sentView{}}
		for _, rec := range o.Reminders {
			sv := sentView{Stage: rec.Stage, Date: rec.Day.Format(time.DateOnly), Status: rec.Status, Messages: rec.Messages,
				Failed: rec.Failed, ClaimedAt: rec.ClaimedAt.UTC()}
			if !rec.SentAt.IsZero() {
				t := rec.SentAt.UTC()
				sv.SentAt = &t
			}
			ov.Reminders = append(ov.Reminders, sv)
		}
		v.Organisations = append(v.Organisations, ov)
	}
	return jsonResponse(http.StatusOK, v), nil
}

// runView is the answer of a day's run: what was sent, by organisation code only.
type runView struct {
	Date      string                   `json:"date"`
	Reminders []dueReminderView        `json:"reminders"`
	Sent      map[collection.Stage]int `json:"sent"`     // organisations reminded by this run, by stage
	Messages  int                      `json:"messages"` // emails the sender accepted in this run
	Complete  bool                     `json:"complete"` // false when some organisation that owes was sent nothing
	Outcomes  []outcomeView            `json:"organisations"`
}

type dueReminderView struct {
	Period string           `json:"period"`
	Stage  collection.Stage `json:"stage"`
	Due    string           `json:"due"`
}

type outcomeView struct {
	Org      string            `json:"org"`
	Period   string            `json:"period"`
	Stage    collection.Stage  `json:"stage"`
	Outcome  collection.Result `json:"outcome"`
	Messages int               `json:"messages"`
	Failed   int               `json:"failed,omitempty"`
}

// RunView is how a run is answered, to POST /reminders/{date} and to the schedule.
func RunView(res collection.RunResult) any {
	v := runView{Date: res.Day.Format(time.DateOnly), Reminders: []dueReminderView{}, Sent: map[collection.Stage]int{},
		Complete: !res.Incomplete(), Outcomes: []outcomeView{}}
	for _, r := range res.Reminders {
		v.Reminders = append(v.Reminders, dueReminderView{r.Period.String(), r.Stage, r.Due.Format(time.DateOnly)})
	}
	for s, n := range res.SentByStage() {
		v.Sent[s] = n
	}
	for _, o := range res.Outcomes {
		v.Messages += o.Messages
		v.Outcomes = append(v.Outcomes, outcomeView{o.Org, o.Period.String(), o.Stage, o.Result, o.Messages, o.Failed})
	}
	return v
}

// postReminders runs a day's reminders on demand. The same day again sends nothing new.
func (a *API) postReminders(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	raw := r.PathParameters["date"]
	d, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, badParams("The date in the address is not a date.", workforce.Problem{
			Field: "date", Code: "invalid_date", Message: "The date must be a day in the form 2026-10-16."})
	}
	res, err := a.Collection.Run(ctx, d)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, RunView(res)), nil
}
