package period

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseQuarter(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2025-26-Q1", "2025-26-Q1"},
		{"2025/26 Q1", "2025-26-Q1"},
		{"Q1 2025-26", "2025-26-Q1"},
		{"FY2025-26 Q1", "2025-26-Q1"},
		{"fy 2025/26 q4", "2025-26-Q4"},
		{"2025-2026 Q2", "2025-26-Q2"},
		{" 1999-00-Q3 ", "1999-00-Q3"},
	} {
		q, err := ParseQuarter(tc.in)
		if err != nil || q.String() != tc.want {
			t.Errorf("ParseQuarter(%q) = %v, %v; want %s", tc.in, q, err, tc.want)
		}
	}
}

func TestParseQuarterRefuses(t *testing.T) {
	for _, tc := range []struct {
		in        string
		ambiguous bool
	}{
		{"2025 Q1", true}, {"Q1 2025", true}, {"2025-Q1", true},
		{"2025-27-Q1", false}, {"2025-26-Q5", false}, {"", false}, {"June 2025", false},
	} {
		_, err := ParseQuarter(tc.in)
		if err == nil {
			t.Errorf("ParseQuarter(%q) accepted", tc.in)
			continue
		}
		if errors.Is(err, ErrAmbiguous) != tc.ambiguous {
			t.Errorf("ParseQuarter(%q) ambiguous = %v, want %v", tc.in, errors.Is(err, ErrAmbiguous), tc.ambiguous)
		}
		if !strings.Contains(err.Error(), "2025-26-Q1") {
			t.Errorf("ParseQuarter(%q) error %q does not show the canonical form", tc.in, err)
		}
	}
}

func TestQuarterDates(t *testing.T) {
	for _, tc := range []struct {
		q          string
		start, ref string
		due        string
	}{
		{"2025-26-Q1", "2025-04-01", "2025-06-30", "2025-07-30"},
		{"2025-26-Q3", "2025-10-01", "2025-12-31", "2026-01-30"},
		{"2025-26-Q4", "2026-01-01", "2026-03-31", "2026-04-30"},
	} {
		q := MustQuarter(tc.q)
		if got := q.Start().Format(time.DateOnly); got != tc.start {
			t.Errorf("%s start %s, want %s", tc.q, got, tc.start)
		}
		if got := q.ReferenceDate().Format(time.DateOnly); got != tc.ref {
			t.Errorf("%s reference %s, want %s", tc.q, got, tc.ref)
		}
		if got := q.Due(30).Format(time.DateOnly); got != tc.due {
			t.Errorf("%s due %s, want %s", tc.q, got, tc.due)
		}
	}
	if got := MustQuarter("2025-26-Q4").Next().String(); got != "2026-27-Q1" {
		t.Errorf("next of Q4 = %s", got)
	}
	if got := Containing(time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)).String(); got != "2025-26-Q4" {
		t.Errorf("Containing(Feb 2026) = %s", got)
	}
}

func TestReferenceQuarter(t *testing.T) {
	for _, tc := range []struct{ month, want string }{
		{"2025-07", "2025-26-Q1"}, // Q1 due 30 July
		{"2025-06", "2024-25-Q4"}, // Q4 due 30 April
		{"2025-10", "2025-26-Q2"},
		{"2026-01", "2025-26-Q3"},
	} {
		m, err := ParseMonth(tc.month)
		if err != nil {
			t.Fatal(err)
		}
		if got := ReferenceQuarter(m, 30).String(); got != tc.want {
			t.Errorf("ReferenceQuarter(%s) = %s, want %s", tc.month, got, tc.want)
		}
	}
	if _, err := ParseMonth("2025-13"); err == nil {
		t.Error("ParseMonth accepted month 13")
	}
}

func ExampleParseQuarter() {
	q, _ := ParseQuarter("Q1 2025/26")
	fmt.Println(q, q.Label())
	// Output: 2025-26-Q1 April to June 2025
}
