package period

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxMessage bounds a parse error's sentence: the input is quoted shortened, so however
// long it is, the message is not.
const maxMessage = 400

// Whatever is typed, ParseQuarter answers a quarter whose canonical form reads back as
// itself, or a *ParseError that is a short sentence showing the canonical form.
func FuzzParseQuarter(f *testing.F) {
	for _, s := range []string{"2025-26-Q1", "2025/26 Q1", "Q1 2025-26", "FY2025-26 Q1", "fy 2025/26 q4",
		"2025-2026 Q2", " 1999-00-Q3 ", "2025 Q1", "Q1 2025", "2025-27-Q1", "2025-26-Q5", "", "June 2025",
		"0000-01-Q1", "9999-00-Q4", "FY 2025 / 26 - Q3", strings.Repeat("2025-26-Q1 ", 10),
		strings.Repeat("x", 1<<20), "2025 Q1" + strings.Repeat(" ", 1<<20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuarter(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseQuarter(%q) error %T is not a *ParseError", s, err)
			}
			if m := err.Error(); len(m) > maxMessage || !strings.Contains(m, "2025-26-Q1") || !utf8.ValidString(m) {
				t.Fatalf("ParseQuarter(%q) message %q", s, m)
			}
			return
		}
		if q.Q < 1 || q.Q > 4 || q.StartYear < 0 || q.StartYear > 9999 {
			t.Fatalf("ParseQuarter(%q) = %+v", s, q)
		}
		back, err := ParseQuarter(q.String())
		if err != nil || back != q {
			t.Fatalf("ParseQuarter(%q) = %v, whose String reads back as %+v, %v", s, q, back, err)
		}
		if q.Next().Prev() != q || FromIndex(q.Index()) != q || !q.ReferenceDate().After(q.Start()) || Containing(q.ReferenceDate()) != q {
			t.Fatalf("%v: dates or order inconsistent", q)
		}
	})
}

// Whatever is typed, ParseMonth answers a month whose form reads back as itself, or a
// short error showing the form.
func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2025-07", " 2026-03 ", "2025-13", "2025-00", "2025-7", "July 2025", "", "0000-01", "9999-12", strings.Repeat("7", 1<<20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMonth(s)
		if err != nil {
			if msg := err.Error(); len(msg) > maxMessage || !strings.Contains(msg, "2025-07") {
				t.Fatalf("ParseMonth(%q) message %q", s, msg)
			}
			return
		}
		if m.Month < 1 || m.Month > 12 {
			t.Fatalf("ParseMonth(%q) = %+v", s, m)
		}
		back, err := ParseMonth(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseMonth(%q) = %v, whose String reads back as %+v, %v", s, m, back, err)
		}
		if MonthOf(m.LastDay()) != m || m.Prev().String() >= m.String() && m.Year > 0 {
			t.Fatalf("%v: last day or previous month inconsistent", m)
		}
	})
}
