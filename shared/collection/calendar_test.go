package collection

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
)

var first = period.MustQuarter("2023-24-Q1")

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func mustDefault(t *testing.T) Calendar {
	t.Helper()
	c, err := Default(30, first)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SPEC §11: by default reminders go 14 days before the due date, on it, and 7 days after.
func TestDefaultCalendar(t *testing.T) {
	c := mustDefault(t)
	if c.Version == "" {
		t.Error("the embedded file has no version")
	}
	s, ok := c.Schedule(period.MustQuarter("2026-27-Q2"))
	if !ok {
		t.Fatal("no schedule for 2026-27-Q2")
	}
	if !s.Opens.Equal(day("2026-10-01")) || !s.Due.Equal(day("2026-10-30")) {
		t.Errorf("opens %s, due %s; want 2026-10-01 and 2026-10-30", s.Opens, s.Due)
	}
	var got []string
	for _, r := range s.Reminders {
		got = append(got, string(r.Stage)+" "+r.Date.Format(time.DateOnly))
		if !r.Due.Equal(s.Due) || r.Period != s.Period {
			t.Errorf("%s: due %s, period %s", r.Stage, r.Due, r.Period)
		}
	}
	want := []string{"due_soon 2026-10-16", "due_today 2026-10-30", "overdue 2026-11-06"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reminders = %v, want %v", got, want)
	}
}

func TestDueDaysMoveTheCalendar(t *testing.T) {
	c, err := Default(45, first)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.Schedule(period.MustQuarter("2025-26-Q4")) // reference date 31 March 2026
	if !s.Due.Equal(day("2026-05-15")) || !s.Reminders[0].Date.Equal(day("2026-05-01")) {
		t.Errorf("due %s, first reminder %s; want 2026-05-15 and 2026-05-01", s.Due, s.Reminders[0].Date)
	}
}

func TestDue(t *testing.T) {
	c := mustDefault(t)
	for _, tc := range []struct {
		day  time.Time
		want []string
	}{
		{day("2026-10-16"), []string{"2026-27-Q2/due_soon"}},
		{time.Date(2026, 10, 16, 23, 59, 0, 0, time.UTC), []string{"2026-27-Q2/due_soon"}}, // any time of the day
		{day("2026-10-17"), nil},
		{day("2026-10-30"), []string{"2026-27-Q2/due_today"}},
		{day("2026-11-06"), []string{"2026-27-Q2/overdue"}},
		{day("2027-01-16"), []string{"2026-27-Q3/due_soon"}},
		{day("2027-04-16"), []string{"2026-27-Q4/due_soon"}}, // over the year's end
		{day("2023-07-16"), []string{"2023-24-Q1/due_soon"}}, // the first quarter
		{day("2023-05-07"), nil},                             // 2022-23-Q4's overdue day, before the collection began
	} {
		var got []string
		for _, r := range c.Due(tc.day) {
			got = append(got, r.Key())
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Due(%s) = %v, want %v", tc.day.Format(time.RFC3339), got, tc.want)
		}
	}
}

// Every reminder day of a run of quarters is found by Due, and no other day has one.
func TestDueFindsEveryScheduledDay(t *testing.T) {
	c := mustDefault(t)
	scheduled := map[time.Time][]string{}
	for _, q := range period.Range(first, period.MustQuarter("2027-28-Q4")) {
		s, _ := c.Schedule(q)
		for _, r := range s.Reminders {
			scheduled[r.Date] = append(scheduled[r.Date], r.Key())
		}
	}
	for d := day("2023-04-01"); d.Before(day("2028-03-01")); d = d.AddDate(0, 0, 1) {
		var got []string
		for _, r := range c.Due(d) {
			got = append(got, r.Key())
		}
		if !reflect.DeepEqual(got, scheduled[d]) {
			t.Fatalf("Due(%s) = %v, want %v", d.Format(time.DateOnly), got, scheduled[d])
		}
	}
}

func TestQuarterExceptions(t *testing.T) {
	data, err := os.ReadFile("testdata/exceptions.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(data, 30, first)
	if err != nil {
		t.Fatal(err)
	}
	q3, _ := c.Schedule(period.MustQuarter("2026-27-Q3"))
	if !q3.Opens.Equal(day("2027-01-04")) || !q3.Due.Equal(day("2027-01-30")) {
		t.Errorf("Q3 opens %s, due %s", q3.Opens, q3.Due)
	}
	var got []string
	for _, r := range q3.Reminders {
		got = append(got, string(r.Stage)+" "+r.Date.Format(time.DateOnly))
	}
	if want := []string{"due_soon 2027-01-20", "overdue 2027-02-02"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Q3 reminders = %v, want %v", got, want)
	}
	// The other quarters keep the rule, its reminders in stage order whatever the file's.
	q2, _ := c.Schedule(period.MustQuarter("2026-27-Q2"))
	if len(q2.Reminders) != 3 || q2.Reminders[0].Stage != StageDueSoon || q2.Reminders[2].Stage != StageOverdue {
		t.Errorf("Q2 reminders = %+v", q2.Reminders)
	}
	if rs := c.Due(day("2027-01-30")); len(rs) != 0 {
		t.Errorf("Q3 has no reminder on its due date, but Due gives %v", rs)
	}
}

func TestNothingBeforeTheFirstQuarter(t *testing.T) {
	c, err := Default(30, period.MustQuarter("2026-27-Q3"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Schedule(period.MustQuarter("2026-27-Q2")); ok {
		t.Error("a schedule for a quarter before the first")
	}
	if rs := c.Due(day("2026-10-16")); len(rs) != 0 {
		t.Errorf("Due before the first quarter = %v", rs)
	}
	if _, err := Default(30, period.Quarter{}); err == nil || !strings.Contains(err.Error(), "FIRST_QUARTER") {
		t.Errorf("no first quarter: err = %v", err)
	}
}

// A bad file stops the function that loads it, with every problem named.
func TestBadCalendarFiles(t *testing.T) {
	rule := `"version": "2026-12-01.1", "opens_days_after_reference_date": 1, "reminders": [{"stage": "due_soon", "days_from_due": -14}, {"stage": "due_today", "days_from_due": 0}, {"stage": "overdue", "days_from_due": 7}]`
	for _, tc := range []struct {
		name    string
		file    string
		dueDays int
		want    []string
	}{
		{"not JSON", `{"version": `, 30, []string{"not a calendar file"}},
		{"misspelt property", `{"versoin": "2026-12-01.1"}`, 30, []string{`unknown field "versoin"`}},
		{"nothing", `{}`, 30, []string{`version ""`, "opens_days_after_reference_date is missing", "reminders is missing"}},
		{"bad version", `{"version": "one", "opens_days_after_reference_date": 1, "reminders": [{"stage": "due_today", "days_from_due": 0}]}`, 30, []string{`version "one" must be a date and a number`}},
		{"unknown stage", `{"version": "2026-12-01.1", "opens_days_after_reference_date": 1, "reminders": [{"stage": "final_demand", "days_from_due": 3}]}`, 30,
			[]string{`reminder "final_demand": stage must be one of due_soon, due_today or overdue`}},
		{"stage twice", `{"version": "2026-12-01.1", "opens_days_after_reference_date": 1, "reminders": [{"stage": "overdue", "days_from_due": 7}, {"stage": "overdue", "days_from_due": 21}]}`, 30,
			[]string{`reminder "overdue": the stage is given twice`}},
		{"days missing", `{"version": "2026-12-01.1", "opens_days_after_reference_date": 1, "reminders": [{"stage": "due_today"}]}`, 30,
			[]string{`reminder "due_today": days_from_due is missing`}},
		{"days against the stage", `{"version": "2026-12-01.1", "opens_days_after_reference_date": 1, "reminders": [{"stage": "due_soon", "days_from_due": 3}, {"stage": "overdue", "days_from_due": 0}]}`, 30,
			[]string{`reminder "due_soon": days_from_due 3 does not fit the stage`, `reminder "overdue": days_from_due 0 does not fit the stage`}},
		{"too far", `{"version": "2026-12-01.1", "opens_days_after_reference_date": 1, "reminders": [{"stage": "overdue", "days_from_due": 400}]}`, 30,
			[]string{"days_from_due 400 must be from -365 to 365"}},
		{"reminder before collection opens", `{` + rule + `}`, 10,
			[]string{`reminder "due_soon": 14 days before the due date is before collection opens (opens_days_after_reference_date), 9 days before it`}},
		{"opens after the due date", `{"version": "2026-12-01.1", "opens_days_after_reference_date": 40, "reminders": [{"stage": "due_today", "days_from_due": 0}]}`, 30,
			[]string{"opens_days_after_reference_date 40 must be from 0 to DUE_DAYS (30)"}},
		{"bad DUE_DAYS", `{` + rule + `}`, -1, []string{"DUE_DAYS -1 must be from 0 to 365"}},
		{"quarter: bad period", `{` + rule + `, "quarters": [{"period": "2026 Q3", "opens": "2027-01-04", "note": "x"}]}`, 30,
			[]string{`quarter "2026 Q3": "2026 Q3" looks like a calendar quarter`}},
		{"quarter: not canonical", `{` + rule + `, "quarters": [{"period": "Q3 2026-27", "opens": "2027-01-04", "note": "x"}]}`, 30,
			[]string{`quarter "Q3 2026-27": write the period in its canonical form, 2026-27-Q3`}},
		{"quarter: twice", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "opens": "2027-01-04", "note": "x"}, {"period": "2026-27-Q3", "opens": "2027-01-05", "note": "y"}]}`, 30,
			[]string{`quarter "2026-27-Q3": the quarter is given twice`}},
		{"quarter: before the first", `{` + rule + `, "quarters": [{"period": "2022-23-Q3", "opens": "2023-01-04", "note": "x"}]}`, 30,
			[]string{`quarter "2022-23-Q3": the quarter is before the collection's first quarter, 2023-24-Q1`}},
		{"quarter: nothing to change, no note", `{` + rule + `, "quarters": [{"period": "2026-27-Q3"}]}`, 30,
			[]string{`quarter "2026-27-Q3": give opens or reminders`, `quarter "2026-27-Q3": note is missing`}},
		{"quarter: misspelt property", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "open": "2027-01-04"}]}`, 30,
			[]string{`quarter "2026-27-Q3": json: unknown field "open"`}},
		{"quarter: opens after due", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "opens": "2027-02-01", "note": "x"}]}`, 30,
			[]string{`quarter "2026-27-Q3": opens on 2027-02-01, after the due date of 2027-01-30`}},
		{"quarter: opens before the quarter", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "opens": "2026-09-30", "note": "x"}]}`, 30,
			[]string{`quarter "2026-27-Q3": opens on 2026-09-30, before the quarter has begun`}},
		{"quarter: bad date", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "opens": "4 January", "note": "x"}]}`, 30,
			[]string{`quarter "2026-27-Q3": opens "4 January" must be a date such as 2026-10-01`}},
		{"quarter: reminder before its opening", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "opens": "2027-01-20", "note": "x"}]}`, 30,
			[]string{`quarter "2026-27-Q3": the rule's reminders: reminder "due_soon": 14 days before the due date is before collection opens (opens), 10 days before it`}},
		{"quarter: its own reminder before its opening", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "opens": "2027-01-20", "reminders": [{"stage": "due_soon", "days_from_due": -14}], "note": "x"}]}`, 30,
			[]string{`quarter "2026-27-Q3": reminders: reminder "due_soon": 14 days before the due date is before collection opens (opens), 10 days before it`}},
		{"quarter: empty reminders", `{` + rule + `, "quarters": [{"period": "2026-27-Q3", "reminders": [], "note": "x"}]}`, 30,
			[]string{`quarter "2026-27-Q3": reminders is empty`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.file), tc.dueDays, first)
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v, want an InvalidError", err)
			}
			if len(inv.Problems) != len(tc.want) {
				t.Errorf("problems = %q, want %d", inv.Problems, len(tc.want))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "calendar file: ") {
				t.Errorf("error %q does not name the calendar file", err)
			}
		})
	}
}
