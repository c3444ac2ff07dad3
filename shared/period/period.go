// Package period models UK financial-year quarters (the unit of a return) and calendar
// months (the unit of a rollup).
package period

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/textsafe"
)

// Quarter is a quarter of a UK financial year. FY 2025-26 runs from 1 April 2025 to
// 31 March 2026; its Q1 is April–June 2025 and its Q4 is January–March 2026.
type Quarter struct {
	StartYear int // the calendar year in which the financial year starts
	Q         int // 1..4
}

// ErrAmbiguous matches (errors.Is) the parse error for an input that looks like a calendar
// quarter.
var ErrAmbiguous = errors.New("ambiguous period")

// ParseError says, in a sentence for people, why a period could not be read.
type ParseError struct {
	msg       string
	ambiguous bool
}

func (e *ParseError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrAmbiguous) true for a calendar quarter.
func (e *ParseError) Is(target error) bool { return e.ambiguous && target == ErrAmbiguous }

var (
	// 2025-26-Q1, 2025/26 Q1, 2025-2026 Q1, FY2025-26 Q1, FY 2025/26-Q1
	fyFirst = regexp.MustCompile(`^(?:FY\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*[-\s/]?\s*Q([1-4])$`)
	// Q1 2025-26, Q1 FY2025/26
	qFirst = regexp.MustCompile(`^Q([1-4])\s*[-\s/]?\s*(?:FY\s*)?(\d{4})\s*[-/]\s*(\d{2}|\d{4})$`)
	// 2025 Q1, Q1 2025: a calendar quarter, which we refuse to guess about
	calendar = regexp.MustCompile(`^(?:(\d{4})\s*[-\s/]?\s*Q[1-4]|Q[1-4]\s*[-\s/]?\s*(\d{4}))$`)
)

// maxPeriodLength is longer than any way of writing a quarter ("  FY 2025/2026 - Q1  "),
// so that a longer text is refused before it is read.
const maxPeriodLength = 40

// ParseQuarter reads the canonical form (2025-26-Q1) and the variants people type
// (2025/26 Q1, Q1 2025-26, FY2025-26 Q1). A calendar quarter such as "2025 Q1" is refused
// because it could mean January–March or April–June.
func ParseQuarter(s string) (Quarter, error) {
	if len(s) > maxPeriodLength {
		return Quarter{}, &ParseError{msg: fmt.Sprintf("%s is not a financial-year quarter; use the form 2025-26-Q1 (April to June 2025)", textsafe.Quote(s))}
	}
	t := strings.ToUpper(strings.Join(strings.Fields(s), " "))
	var start, end, q string
	if m := fyFirst.FindStringSubmatch(t); m != nil {
		start, end, q = m[1], m[2], m[3]
	} else if m := qFirst.FindStringSubmatch(t); m != nil {
		q, start, end = m[1], m[2], m[3]
	} else if calendar.MatchString(t) {
		return Quarter{}, &ParseError{ambiguous: true, msg: fmt.Sprintf("%s looks like a calendar quarter, which could mean January to March or April to June; give the financial year and quarter, for example 2025-26-Q1 (April to June 2025)", textsafe.Quote(s))}
	} else {
		return Quarter{}, &ParseError{msg: fmt.Sprintf("%s is not a financial-year quarter; use the form 2025-26-Q1 (April to June 2025)", textsafe.Quote(s))}
	}
	y, _ := strconv.Atoi(start)
	e, _ := strconv.Atoi(end)
	if len(end) == 2 {
		e += (y / 100) * 100
		if e < y { // 1999-00
			e += 100
		}
	}
	if e != y+1 {
		return Quarter{}, &ParseError{msg: fmt.Sprintf("%s is not a financial-year quarter: a financial year runs over two consecutive years, for example 2025-26-Q1", textsafe.Quote(s))}
	}
	n, _ := strconv.Atoi(q)
	return Quarter{StartYear: y, Q: n}, nil
}

// MustQuarter parses a quarter known to be valid, for tests and fixed data.
func MustQuarter(s string) Quarter {
	q, err := ParseQuarter(s)
	if err != nil {
		panic(err)
	}
	return q
}

// String is the canonical form, 2025-26-Q1.
func (q Quarter) String() string {
	return fmt.Sprintf("%04d-%02d-Q%d", q.StartYear, (q.StartYear+1)%100, q.Q)
}

// IsZero reports whether q is the zero value.
func (q Quarter) IsZero() bool { return q.Q == 0 }

// Index orders quarters: consecutive quarters have consecutive indexes.
func (q Quarter) Index() int { return q.StartYear*4 + q.Q - 1 }

// FromIndex is the inverse of Index.
func FromIndex(i int) Quarter { return Quarter{StartYear: i / 4, Q: i%4 + 1} }

func (q Quarter) Next() Quarter                { return FromIndex(q.Index() + 1) }
func (q Quarter) Prev() Quarter                { return FromIndex(q.Index() - 1) }
func (q Quarter) Before(o Quarter) bool        { return q.Index() < o.Index() }
func (q Quarter) After(o Quarter) bool         { return q.Index() > o.Index() }
func (q Quarter) Add(n int) Quarter            { return FromIndex(q.Index() + n) }
func (q Quarter) Sub(o Quarter) (n int)        { return q.Index() - o.Index() }
func (q Quarter) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

func (q *Quarter) UnmarshalText(b []byte) error {
	p, err := ParseQuarter(string(b))
	if err != nil {
		return err
	}
	*q = p
	return nil
}

// Start is the first day of the quarter (UTC midnight).
func (q Quarter) Start() time.Time {
	m := time.April + time.Month(3*(q.Q-1))
	y := q.StartYear
	if m > time.December {
		m -= 12
		y++
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// ReferenceDate is the last day of the quarter: staff in post on this date are counted.
func (q Quarter) ReferenceDate() time.Time { return q.Next().Start().AddDate(0, 0, -1) }

// Due is the date a return is due: dueDays after the reference date.
func (q Quarter) Due(dueDays int) time.Time { return q.ReferenceDate().AddDate(0, 0, dueDays) }

// Label is a reader's description, "April to June 2025".
func (q Quarter) Label() string {
	s, e := q.Start(), q.ReferenceDate()
	return fmt.Sprintf("%s to %s %d", s.Month(), e.Month(), e.Year())
}

// Containing is the quarter that contains day t.
func Containing(t time.Time) Quarter {
	y, m := t.Year(), int(t.Month())
	if m < 4 {
		return Quarter{StartYear: y - 1, Q: 4}
	}
	return Quarter{StartYear: y, Q: (m-4)/3 + 1}
}

// Range lists the quarters from..to inclusive.
func Range(from, to Quarter) []Quarter {
	var qs []Quarter
	for q := from; !q.After(to); q = q.Next() {
		qs = append(qs, q)
	}
	return qs
}

// Month is a calendar month, the unit of a rollup.
type Month struct {
	Year  int
	Month time.Month
}

var monthRE = regexp.MustCompile(`^(\d{4})-(\d{2})$`)

// ParseMonth reads 2025-07.
func ParseMonth(s string) (Month, error) {
	m := monthRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Month{}, fmt.Errorf("%s is not a month; use the form 2025-07", textsafe.Quote(s))
	}
	y, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if mm < 1 || mm > 12 {
		return Month{}, fmt.Errorf("%s is not a month; use the form 2025-07", textsafe.Quote(s))
	}
	return Month{Year: y, Month: time.Month(mm)}, nil
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// LastDay is the last day of the month (UTC midnight).
func (m Month) LastDay() time.Time {
	return time.Date(m.Year, m.Month+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}

// Prev is the month before m.
func (m Month) Prev() Month {
	t := time.Date(m.Year, m.Month-1, 1, 0, 0, 0, 0, time.UTC)
	return Month{Year: t.Year(), Month: t.Month()}
}

// MonthOf is the month containing t.
func MonthOf(t time.Time) Month { return Month{Year: t.Year(), Month: t.Month()} }

// ReferenceQuarter is the latest quarter whose due date is on or before the last day of m.
func ReferenceQuarter(m Month, dueDays int) Quarter {
	last := m.LastDay()
	q := Containing(last)
	for q.Due(dueDays).After(last) {
		q = q.Prev()
	}
	return q
}

// LongDate writes a date as the service writes dates for people, the GOV.UK way:
// 30 October 2026.
func LongDate(t time.Time) string { return t.Format("2 January 2006") }
