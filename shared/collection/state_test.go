package collection

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var q2 = period.MustQuarter("2026-27-Q2") // reference date 30 September 2026, due 30 October 2026

var register = workforce.Register{
	"HMRC":  {Code: "HMRC", Name: "HM Revenue and Customs", Kind: workforce.CivilService, ReturnsContacts: []string{"returns@hmrc.example.gov.uk", "ddat@hmrc.example.gov.uk"}},
	"DSIT":  {Code: "DSIT", Name: "Department for Science, Innovation and Technology", Kind: workforce.CivilService, ReturnsContacts: []string{"returns@dsit.example.gov.uk"}},
	"DWP":   {Code: "DWP", Name: "Department for Work and Pensions", Kind: workforce.CivilService, ReturnsContacts: []string{"returns@dwp.example.gov.uk"}},
	"LEEDS": {Code: "LEEDS", Name: "Leeds City Council", Kind: workforce.LocalGovernment, ReturnsContacts: []string{"digital@leeds.example.gov.uk"}},
	"KENT":  {Code: "KENT", Name: "Kent County Council", Kind: workforce.LocalGovernment}, // no contacts
	// Not expected for 2026-27-Q2: closed before its reference date, or not yet open.
	"OLD": {Code: "OLD", Name: "Abolished Agency", Kind: workforce.CivilService, ActiveTo: "2026-09-29", ReturnsContacts: []string{"old@old.example.gov.uk"}},
	"NEW": {Code: "NEW", Name: "New Agency", Kind: workforce.CivilService, ActiveFrom: "2026-10-01", ReturnsContacts: []string{"new@new.example.gov.uk"}},
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// current versions of 2026-27-Q2: HMRC on time (and revised since), DSIT on the due date
// itself, DWP a minute after it; a version of another quarter does not count.
var current = []workforce.Version{
	{Org: "HMRC", Period: q2, Number: 2, FirstReceivedAt: at("2026-10-20T09:00:00Z"), ReceivedAt: at("2026-11-02T10:00:00Z")},
	{Org: "DSIT", Period: q2, Number: 1, FirstReceivedAt: at("2026-10-30T23:59:59Z"), ReceivedAt: at("2026-10-30T23:59:59Z")},
	{Org: "DWP", Period: q2, Number: 1, FirstReceivedAt: at("2026-10-31T00:01:00Z"), ReceivedAt: at("2026-10-31T00:01:00Z")},
	{Org: "LEEDS", Period: q2.Prev(), Number: 1, FirstReceivedAt: at("2026-07-20T09:00:00Z")},
}

func states(t *testing.T, asOf time.Time) map[string]string {
	t.Helper()
	c := mustDefault(t)
	out := map[string]string{}
	for _, s := range c.States(q2, register, current, asOf) {
		v := string(s.State)
		if s.SentAt != nil {
			v += fmt.Sprintf(" v%d %s", s.Version, s.SentAt.Format(time.RFC3339))
		}
		out[s.Org] = v
	}
	return out
}

func TestStates(t *testing.T) {
	for _, tc := range []struct {
		asOf time.Time
		want map[string]string
	}{
		{at("2026-10-25T12:00:00Z"), map[string]string{
			"DSIT": "not_started", "DWP": "not_started", "HMRC": "sent v2 2026-10-20T09:00:00Z",
			"KENT": "not_started", "LEEDS": "not_started",
		}},
		{at("2026-10-30T23:59:59Z"), map[string]string{ // the last moment of the due date
			"DSIT": "sent v1 2026-10-30T23:59:59Z", "DWP": "not_started", "HMRC": "sent v2 2026-10-20T09:00:00Z",
			"KENT": "not_started", "LEEDS": "not_started",
		}},
		{at("2026-11-06T08:00:00Z"), map[string]string{
			"DSIT": "sent v1 2026-10-30T23:59:59Z", "DWP": "late v1 2026-10-31T00:01:00Z", "HMRC": "sent v2 2026-10-20T09:00:00Z",
			"KENT": "overdue", "LEEDS": "overdue",
		}},
	} {
		if got := states(t, tc.asOf); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("at %s:\n got %v\nwant %v", tc.asOf.Format(time.RFC3339), got, tc.want)
		}
	}
}

func TestStatesInCodeOrderWithNames(t *testing.T) {
	c := mustDefault(t)
	got := c.States(q2, register, nil, at("2026-10-01T00:00:00Z"))
	var codes []string
	for _, s := range got {
		codes = append(codes, s.Org)
		if s.Name != register[s.Org].Name || s.Kind != register[s.Org].Kind {
			t.Errorf("%s: name %q, kind %q", s.Org, s.Name, s.Kind)
		}
	}
	if want := []string{"DSIT", "DWP", "HMRC", "KENT", "LEEDS"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("orgs = %v, want %v", codes, want)
	}
	if got := c.States(q2, workforce.Register{}, nil, at("2026-10-01T00:00:00Z")); got == nil || len(got) != 0 {
		t.Errorf("an empty register gives %#v, want an empty list", got)
	}
}

// Reminders go only to those who owe the quarter and have not sent it, whenever they sent.
func TestOwing(t *testing.T) {
	c := mustDefault(t)
	for _, d := range []string{"2026-10-16", "2026-10-30", "2026-11-06"} {
		rs := c.Due(day(d))
		if len(rs) != 1 {
			t.Fatalf("Due(%s) = %v", d, rs)
		}
		got := Owing(rs[0], register, current)
		want := []Addressee{
			{Org: "KENT", Name: "Kent County Council", Kind: workforce.LocalGovernment},
			{Org: "LEEDS", Name: "Leeds City Council", Kind: workforce.LocalGovernment, Contacts: []string{"digital@leeds.example.gov.uk"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: Owing = %+v, want %+v", d, rs[0].Stage, got, want)
		}
	}
	// Nobody has sent the next quarter yet.
	r := Reminder{Period: q2.Next(), Stage: StageDueSoon}
	var codes []string
	for _, a := range Owing(r, register, current) {
		codes = append(codes, a.Org)
	}
	if want := []string{"DSIT", "DWP", "HMRC", "KENT", "LEEDS", "NEW"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("Owing(%s) = %v, want %v", r.Period, codes, want)
	}
}

func TestOwingDoesNotShareTheRegistersContacts(t *testing.T) {
	r := Reminder{Period: q2, Stage: StageDueSoon}
	reg := workforce.Register{"LEEDS": register["LEEDS"]}
	got := Owing(r, reg, nil)
	got[0].Contacts[0] = "changed@example.gov.uk"
	if register["LEEDS"].ReturnsContacts[0] != "digital@leeds.example.gov.uk" {
		t.Error("changing an addressee's contacts changed the register")
	}
}
