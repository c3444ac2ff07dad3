// Package collection runs the quarterly collection: its calendar, who owes a return and
// who has sent one, which reminders fall on a day, and the words they carry.
//
// The calendar is data: calendar.json, versioned and built into the binary, says when each
// quarter's collection opens and on which days reminders go, counted from the due date
// (DUE_DAYS after the quarter's reference date). A rule covers every quarter from
// FIRST_QUARTER on; a quarter may be given its own opening day or reminder days. The file is
// checked when a function starts, and a bad one stops it with every problem named.
//
// The calendar's functions read no store: they take the register, the current versions
// and a date, and answer. Service puts them to work over interfaces of its own: where a
// quarter stands (GET /collection/{period}), and a day's run of reminders, each claimed in
// a RecordStore before it is sent so that no organisation is reminded twice. Sending goes
// through a Sender, with one adapter per service (GOV.UK Notify on AWS, SMTP on the local
// stack).
package collection

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
)

//go:embed calendar.json
var defaultFile []byte

// Stage names a reminder by where it falls against the due date; each has its own words.
type Stage string

const (
	StageDueSoon  Stage = "due_soon"  // before the due date
	StageDueToday Stage = "due_today" // on it
	StageOverdue  Stage = "overdue"   // after it, while the return is still missing
)

// Stages lists the stages in the order they fall.
func Stages() []Stage { return []Stage{StageDueSoon, StageDueToday, StageOverdue} }

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return slices.Contains(Stages(), s) }

// fits reports whether a reminder days from the due date may carry this stage's words.
func (s Stage) fits(days int) bool {
	switch s {
	case StageDueSoon:
		return days < 0
	case StageDueToday:
		return days == 0
	case StageOverdue:
		return days > 0
	}
	return false
}

// maxOffsetDays bounds how far from the due date a reminder or an opening may fall.
const maxOffsetDays = 365

// Calendar is the collection's calendar: a rule for every quarter from FirstQuarter on,
// with any quarter's own days where the file gives them.
type Calendar struct {
	Version      string
	DueDays      int
	FirstQuarter period.Quarter

	opensAfter int                            // days after the reference date
	reminders  []offset                       // in stage order
	quarters   map[period.Quarter]fileQuarter // checked exceptions to the rule
}

// offset is a reminder as the rule gives it: a stage and its distance from the due date.
type offset struct {
	Stage Stage `json:"stage"`
	Days  *int  `json:"days_from_due"`
}

// Schedule is one quarter's calendar.
type Schedule struct {
	Period    period.Quarter `json:"period"`
	Opens     time.Time      `json:"opens"`
	Due       time.Time      `json:"due"`
	Reminders []Reminder     `json:"reminders"`
}

// Reminder is one reminder of one quarter: which words go, on which day.
type Reminder struct {
	Period period.Quarter `json:"period"`
	Stage  Stage          `json:"stage"`
	Date   time.Time      `json:"date"`
	Due    time.Time      `json:"due"`
}

// Key names the reminder among all others ("2026-27-Q2/due_soon"): with an organisation's
// code it identifies what was sent, so a re-run of the same day sends nothing twice.
func (r Reminder) Key() string { return r.Period.String() + "/" + string(r.Stage) }

// Schedule is quarter q's calendar; ok is false before the collection's first quarter.
func (c Calendar) Schedule(q period.Quarter) (s Schedule, ok bool) {
	if q.Before(c.FirstQuarter) {
		return Schedule{}, false
	}
	due := q.Due(c.DueDays)
	s = Schedule{Period: q, Opens: q.ReferenceDate().AddDate(0, 0, c.opensAfter), Due: due}
	reminders := c.reminders
	if fq, ok := c.quarters[q]; ok {
		if fq.opens != nil {
			s.Opens = *fq.opens
		}
		if fq.Reminders != nil {
			reminders = fq.Reminders
		}
	}
	s.Reminders = make([]Reminder, 0, len(reminders))
	for _, r := range reminders {
		s.Reminders = append(s.Reminders, Reminder{Period: q, Stage: r.Stage, Date: due.AddDate(0, 0, *r.Days), Due: due})
	}
	return s, true
}

// Due lists the reminders that fall on day (its calendar date, whatever its time), for
// every quarter of the collection, in quarter then stage order.
func (c Calendar) Due(day time.Time) []Reminder {
	d := Day(day)
	// Reminders fall within maxOffsetDays of a due date, and due dates within a year of
	// the reference date, so only quarters near d can have one.
	from := period.Containing(d.AddDate(0, 0, -2*maxOffsetDays)).Prev()
	to := period.Containing(d.AddDate(0, 0, maxOffsetDays)).Next()
	if from.Before(c.FirstQuarter) {
		from = c.FirstQuarter
	}
	var out []Reminder
	for q := from; !q.After(to); q = q.Next() {
		s, _ := c.Schedule(q)
		for _, r := range s.Reminders {
			if r.Date.Equal(d) {
				out = append(out, r)
			}
		}
	}
	return out
}

// Day is t's calendar date as UTC midnight, the form every date of the calendar takes.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Default loads the calendar built into the binary for the configured DUE_DAYS and
// FIRST_QUARTER.
func Default(dueDays int, first period.Quarter) (Calendar, error) {
	return Load(defaultFile, dueDays, first)
}

// InvalidError lists every problem found in a calendar file.
type InvalidError struct {
	Problems []string
}

func (e *InvalidError) Error() string {
	return "calendar file: " + strings.Join(e.Problems, "; ")
}

type file struct {
	Version    string            `json:"version"`
	OpensAfter *int              `json:"opens_days_after_reference_date"`
	Reminders  []offset          `json:"reminders"`
	Quarters   []json.RawMessage `json:"quarters"`
}

// fileQuarter is a quarter's exception to the rule. The period and the opening day are
// read as text so that a bad one is reported against its quarter.
type fileQuarter struct {
	Period    string   `json:"period"`
	Opens     string   `json:"opens,omitempty"`
	Reminders []offset `json:"reminders,omitempty"`
	Note      string   `json:"note,omitempty"` // why the quarter differs

	opens *time.Time
}

var versionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.\d+$`)

// Load reads and checks a calendar file against DUE_DAYS and FIRST_QUARTER, reporting
// every problem at once.
func Load(data []byte, dueDays int, first period.Quarter) (Calendar, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Calendar{}, &InvalidError{Problems: []string{fmt.Sprintf("not a calendar file: %v", err)}}
	}
	// The configuration is checked first: every date of the file is counted from it.
	switch {
	case dueDays < 0 || dueDays > maxOffsetDays:
		return Calendar{}, &InvalidError{Problems: []string{fmt.Sprintf("DUE_DAYS %d must be from 0 to %d", dueDays, maxOffsetDays)}}
	case first.IsZero():
		return Calendar{}, &InvalidError{Problems: []string{"the first quarter of the collection (FIRST_QUARTER) is not set"}}
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !versionRE.MatchString(f.Version) {
		add("version %q must be a date and a number, such as \"2026-12-01.1\"", f.Version)
	}
	c := Calendar{Version: f.Version, DueDays: dueDays, FirstQuarter: first, quarters: map[period.Quarter]fileQuarter{}}
	switch {
	case f.OpensAfter == nil:
		add("opens_days_after_reference_date is missing: say how many days after a quarter's reference date its collection opens (1 is the next day)")
	case *f.OpensAfter < 0 || *f.OpensAfter > dueDays:
		add("opens_days_after_reference_date %d must be from 0 to DUE_DAYS (%d), so that collection opens by the due date", *f.OpensAfter, dueDays)
	default:
		c.opensAfter = *f.OpensAfter
	}
	if len(f.Reminders) == 0 {
		add("reminders is missing: list each reminder's stage and days_from_due")
	}
	for _, p := range checkReminders(f.Reminders, dueDays-c.opensAfter, "opens_days_after_reference_date") {
		add("reminders: %s", p)
	}
	c.reminders = sortedReminders(f.Reminders)

	for i, raw := range f.Quarters {
		name := fmt.Sprintf("quarter %d", i+1)
		var lenient struct {
			Period string `json:"period"`
		}
		if json.Unmarshal(raw, &lenient) == nil && lenient.Period != "" {
			name = fmt.Sprintf("quarter %q", lenient.Period)
		}
		var fq fileQuarter
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fq); err != nil {
			add("%s: %v", name, err)
			continue
		}
		q, err := period.ParseQuarter(fq.Period)
		if err != nil {
			add("%s: %v", name, err)
			continue
		}
		if q.String() != fq.Period {
			add("%s: write the period in its canonical form, %s", name, q)
		}
		if _, dup := c.quarters[q]; dup {
			add("%s: the quarter is given twice", name)
		}
		if q.Before(first) {
			add("%s: the quarter is before the collection's first quarter, %s", name, first)
		}
		if fq.Opens == "" && fq.Reminders == nil {
			add("%s: give opens or reminders, or leave the quarter out", name)
		}
		if strings.TrimSpace(fq.Note) == "" {
			add("%s: note is missing: say why this quarter differs from the rule", name)
		}
		due := q.Due(dueDays)
		opens := q.ReferenceDate().AddDate(0, 0, c.opensAfter)
		if fq.Opens != "" {
			d, err := time.Parse(time.DateOnly, fq.Opens)
			switch {
			case err != nil:
				add("%s: opens %q must be a date such as 2026-10-01", name, fq.Opens)
			case d.After(due):
				add("%s: opens on %s, after the due date of %s", name, fq.Opens, due.Format(time.DateOnly))
			case d.Before(q.Start()):
				add("%s: opens on %s, before the quarter has begun", name, fq.Opens)
			default:
				opens = d
				fq.opens = &d
			}
		}
		openToDue := int(due.Sub(opens).Hours() / 24)
		switch {
		case fq.Reminders == nil && fq.opens != nil:
			// The rule's reminders must still fall once this quarter has opened.
			for _, p := range checkReminders(f.Reminders, openToDue, "opens") {
				add("%s: the rule's reminders: %s", name, p)
			}
		case fq.Reminders != nil:
			if len(fq.Reminders) == 0 {
				add("%s: reminders is empty; leave it out to use the rule's", name)
			}
			for _, p := range checkReminders(fq.Reminders, openToDue, "opens") {
				add("%s: reminders: %s", name, p)
			}
			fq.Reminders = sortedReminders(fq.Reminders)
		}
		c.quarters[q] = fq
	}
	if len(problems) > 0 {
		return Calendar{}, &InvalidError{Problems: problems}
	}
	return c, nil
}

// checkReminders checks a list of reminders; openToDue is how many days before the due
// date collection opens, and opensName the setting that says so.
func checkReminders(rs []offset, openToDue int, opensName string) []string {
	var ps []string
	add := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	seen := map[Stage]bool{}
	for i, r := range rs {
		name := fmt.Sprintf("reminder %d", i+1)
		if r.Stage != "" {
			name = fmt.Sprintf("reminder %q", r.Stage)
		}
		switch {
		case !r.Stage.Valid():
			add("%s: stage must be one of due_soon, due_today or overdue", name)
		case seen[r.Stage]:
			add("%s: the stage is given twice; each stage is sent once a quarter", name)
		}
		seen[r.Stage] = true
		switch {
		case r.Days == nil:
			add("%s: days_from_due is missing (negative before the due date, 0 on it, positive after)", name)
		case *r.Days < -maxOffsetDays || *r.Days > maxOffsetDays:
			add("%s: days_from_due %d must be from %d to %d", name, *r.Days, -maxOffsetDays, maxOffsetDays)
		case r.Stage.Valid() && !r.Stage.fits(*r.Days):
			add("%s: days_from_due %d does not fit the stage (due_soon before the due date, due_today on it, overdue after)", name, *r.Days)
		case *r.Days < -openToDue:
			add("%s: %d days before the due date is before collection opens (%s), %d days before it", name, -*r.Days, opensName, openToDue)
		}
	}
	return ps
}

func sortedReminders(rs []offset) []offset {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b offset) int {
		return slices.Index(Stages(), a.Stage) - slices.Index(Stages(), b.Stage)
	})
	return out
}
