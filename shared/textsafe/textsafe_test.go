package textsafe

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"colour", "colour"},
		{strings.Repeat("a", MaxEcho), strings.Repeat("a", MaxEcho)},
		{strings.Repeat("é", MaxEcho), strings.Repeat("é", MaxEcho)}, // 128 bytes, 64 characters
		{strings.Repeat("a", MaxEcho+1), strings.Repeat("a", MaxEcho-1) + "…"},
		{strings.Repeat("é", MaxEcho+1), strings.Repeat("é", MaxEcho-1) + "…"},
		{long, strings.Repeat("x", MaxEcho-1) + "…"},
	} {
		got := Truncate(tc.in)
		if got != tc.want {
			t.Errorf("Truncate(%d bytes) = %q, want %q", len(tc.in), got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > MaxEcho {
			t.Errorf("Truncate(%d bytes) has %d characters", len(tc.in), n)
		}
	}
	if got := Quote(long); len(got) > MaxEcho+4 {
		t.Errorf("Quote of 3 MB is %d bytes", len(got))
	}
	if got := Quote("a\x00b\x1b"); got != `"a\x00b\x1b"` {
		t.Errorf("Quote = %s, want escapes", got)
	}
	if got := Quote(strings.Repeat("\xff", 100)); !utf8.ValidString(got) || len(got) > 4*MaxEcho+5 {
		t.Errorf("Quote of bytes that are not UTF-8 = %s", got)
	}
}

func TestControlChar(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		r         rune
		at        int
	}{
		{"A Analyst", false, 0, 0},
		{"Müller-Lüdenscheidt, Zoë", false, 0, 0},
		{"a\x00b", false, 0, 2},
		{"é\x1b[31mred", true, 0x1b, 2},
		{"a\x7f", false, 0x7f, 2},
		{"a\u0085b", false, 0x85, 2}, // C1 next line
		{"abc\u202edcba", true, 0x202e, 4},
		{"line one\nline two", false, '\n', 9},
		{"line one\nline two\tindented", true, 0, 0},
		{"windows\r\nline", true, 0, 0},
		{"old mac\rline", true, '\r', 8},
	} {
		r, at := ControlChar(tc.in, tc.multiline)
		if r != tc.r || at != tc.at {
			t.Errorf("ControlChar(%q, %v) = %U at %d, want %U at %d", tc.in, tc.multiline, r, at, tc.r, tc.at)
		}
	}
}

func TestFormulaLike(t *testing.T) {
	for in, want := range map[string]bool{
		`=HYPERLINK("https://evil.example","Click")`: true,
		"+44 20 7946 0000":                           true,
		"-2+3+cmd|' /C calc'!A0":                     true,
		"- first point":                              true,
		"@SUM(A1:A2)":                                true,
		"\t=1+1":                                     true,
		"\r=1+1":                                     true,
		"A Analyst":                                  false,
		"Reorganisation on 1 May; see note":          false,
		"":                                           false,
		"50% of staff":                               false,
	} {
		if got := FormulaLike(in); got != want {
			t.Errorf("FormulaLike(%q) = %v, want %v", in, got, want)
		}
	}
}

// A spreadsheet opening the CSV sees the apostrophe-prefixed text as text, not a formula;
// everything else is written unchanged.
func TestCSVRecord(t *testing.T) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	rec := []string{"headcount", `=HYPERLINK("https://evil.example","Click")`, "@cmd", "fine, with a comma", ""}
	if err := w.Write(CSVRecord(rec)); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	want := `headcount,"'=HYPERLINK(""https://evil.example"",""Click"")",'@cmd,"fine, with a comma",` + "\n"
	if b.String() != want {
		t.Errorf("CSV\n%s\nwant\n%s", b.String(), want)
	}
	if rec[1][0] != '=' {
		t.Error("CSVRecord changed its argument")
	}
}

func ExampleCSVField() {
	fmt.Println(CSVField("=1+1"))
	fmt.Println(CSVField("HMRC"))
	// Output:
	// '=1+1
	// HMRC
}

func TestOrNone(t *testing.T) {
	if got := OrNone(""); got != "none" {
		t.Errorf(`OrNone("") = %q, want "none"`, got)
	}
	if got := OrNone("HMRC"); got != "HMRC" {
		t.Errorf(`OrNone("HMRC") = %q, want "HMRC"`, got)
	}
}
