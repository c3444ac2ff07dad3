package collection

import (
	"sort"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// State is where an expected organisation stands in a quarter's collection.
type State string

const (
	NotStarted State = "not_started" // nothing received, and the due date has not passed
	Sent       State = "sent"        // received by the due date
	Late       State = "late"        // received, but first after the due date
	Overdue    State = "overdue"     // nothing received, and the due date has passed
)

// Expected reports whether o owes a return for q: every organisation of either kind that
// exists on the quarter's reference date, as the metrics count them. Local-government
// bodies owe one too, with only the leadership answers.
func Expected(o workforce.Organisation, q period.Quarter) bool {
	return o.Kind.Valid() && o.ActiveOn(q.ReferenceDate())
}

// OrgState is one expected organisation's state. It holds nothing personal, so a leader's
// view may show it whole.
type OrgState struct {
	Org   string            `json:"org"`
	Name  string            `json:"name"`
	Kind  workforce.OrgKind `json:"kind"`
	State State             `json:"state"`
	// Version is the current version's number and SentAt when version 1 arrived (lateness
	// is judged on it, as the metrics judge it); both empty when nothing was received.
	Version int        `json:"version,omitempty"`
	SentAt  *time.Time `json:"sent_at,omitempty"`
}

// States lists every organisation that owes q's return, in code order, with its state at
// asOf. current holds the current versions of q (ReturnStore.CurrentByPeriod); a version
// first received after asOf does not count, so a past day's states can be asked for.
// Anything received on the due date itself is on time.
func (c Calendar) States(q period.Quarter, reg workforce.Register, current []workforce.Version, asOf time.Time) []OrgState {
	due := q.Due(c.DueDays)
	afterDue := due.AddDate(0, 0, 1)
	byOrg := currentByOrg(q, current)
	out := []OrgState{}
	for _, o := range sortedRegister(reg) {
		if !Expected(o, q) {
			continue
		}
		st := OrgState{Org: o.Code, Name: o.Name, Kind: o.Kind, State: NotStarted}
		v, sent := byOrg[o.Code]
		if sent && v.FirstReceivedAt.After(asOf) {
			sent = false
		}
		switch {
		case sent:
			first := v.FirstReceivedAt.UTC()
			st.Version, st.SentAt, st.State = v.Number, &first, Sent
			if !first.Before(afterDue) {
				st.State = Late
			}
		case !asOf.UTC().Before(afterDue):
			st.State = Overdue
		}
		out = append(out, st)
	}
	return out
}

// Addressee is an organisation a reminder goes to, with its returns contacts. Contacts
// are personal data: give them to a Sender and to nothing else.
type Addressee struct {
	Org      string
	Name     string
	Kind     workforce.OrgKind
	Contacts []string // empty when the register has none: nothing can be sent
}

// Owing lists the organisations r should go to, in code order: those that owe r's
// quarter and have not sent it. An organisation with any version of the quarter in
// current is never reminded, whenever it sent. current holds the current versions of r's
// quarter, read just before sending.
func Owing(r Reminder, reg workforce.Register, current []workforce.Version) []Addressee {
	byOrg := currentByOrg(r.Period, current)
	var out []Addressee
	for _, o := range sortedRegister(reg) {
		if _, sent := byOrg[o.Code]; sent || !Expected(o, r.Period) {
			continue
		}
		out = append(out, Addressee{Org: o.Code, Name: o.Name, Kind: o.Kind, Contacts: append([]string(nil), o.ReturnsContacts...)})
	}
	return out
}

func currentByOrg(q period.Quarter, current []workforce.Version) map[string]workforce.Version {
	m := make(map[string]workforce.Version, len(current))
	for _, v := range current {
		if v.Period != q {
			continue
		}
		if prev, ok := m[v.Org]; !ok || v.Number > prev.Number {
			m[v.Org] = v
		}
	}
	return m
}

func sortedRegister(reg workforce.Register) []workforce.Organisation {
	orgs := make([]workforce.Organisation, 0, len(reg))
	for _, o := range reg {
		orgs = append(orgs, o)
	}
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].Code < orgs[j].Code })
	return orgs
}
