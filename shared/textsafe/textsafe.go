// Package textsafe handles text that came from a client: it shortens what a message quotes
// back, finds characters that have no place in a return, and keeps text that a spreadsheet
// would run as a formula from being run when the service writes it out.
package textsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxEcho is how many characters of a client's value an answer quotes back. An answer
// says which value is wrong; it does not need all of a 3 MB one to say so.
const MaxEcho = 64

// Truncate shortens s to MaxEcho characters, ending with "…" when it cuts. Bytes that are
// not UTF-8 count as one character each.
func Truncate(s string) string { return TruncateTo(s, MaxEcho) }

// TruncateTo shortens s to at most n characters (n ≥ 2), the last of them "…" when it cuts.
func TruncateTo(s string, n int) string {
	if len(s) <= n { // no more bytes than n means no more characters
		return s
	}
	i := 0
	for range n - 1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		if i += size; i >= len(s) {
			return s
		}
	}
	if _, size := utf8.DecodeRuneInString(s[i:]); i+size == len(s) {
		return s // exactly n characters
	}
	return s[:i] + "…"
}

// Quote is a client's value as a message quotes it: shortened, in double quotation marks,
// with control characters and bytes that are not UTF-8 written as escapes ("a\x00b").
func Quote(s string) string { return strconv.Quote(Truncate(s)) }

// ControlChar finds the first control character in s (C0, DEL, C1, and the bidirectional
// and line-separator characters that make text display other than as it is stored),
// allowing newlines and tabs when multiline; a carriage return is allowed there only as
// part of "\r\n". It returns the character and its position, counting characters from 1,
// or 0 when there is none.
func ControlChar(s string, multiline bool) (rune, int) {
	at := 0
	for i, r := range s {
		at++
		switch {
		case multiline && (r == '\n' || r == '\t'):
			continue
		case multiline && r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			continue
		case r < 0x20, r >= 0x7f && r < 0xa0:
			return r, at
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
			return r, at
		}
	}
	return 0, 0
}

// CharName names a control character for people: "a tab", "NUL (character 0)".
func CharName(r rune) string {
	switch r {
	case 0:
		return "a NUL character (character 0)"
	case '\t':
		return "a tab"
	case '\n', 0x2028, 0x2029:
		return "a line break"
	case '\r':
		return "a carriage return"
	case 0x1b:
		return "an escape character (character 27)"
	case 0x7f:
		return "a delete character (character 127)"
	}
	if r >= 0x202a {
		return "an invisible text-direction character (U+" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + ")"
	}
	return "an invisible control character (character " + strconv.Itoa(int(r)) + ")"
}

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula
// (OWASP, "CSV Injection"): = + - @, and a tab or carriage return before any of them.
const formulaStarts = "=+-@\t\r"

// FormulaLike reports whether a spreadsheet opening s as a cell would run it as a
// formula: it starts with = + - @, a tab or a carriage return. "- first point" counts: a
// space does not stop Excel reading "- 2+3" as a sum.
func FormulaLike(s string) bool {
	return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
}

// CSVField neutralises one field of a CSV file the service writes, as OWASP recommends:
// text that a spreadsheet would run as a formula gets a leading apostrophe, which a
// spreadsheet shows as text and does not display. Other text is returned as it is; the
// CSV writer quotes it as needed.
func CSVField(s string) string {
	if FormulaLike(s) {
		return "'" + s
	}
	return s
}

// CSVRecord is CSVField applied to every field of a record, in a new slice.
func CSVRecord(rec []string) []string {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = CSVField(s)
	}
	return out
}

// OrNone is s, or "none" when s is empty: how a message names a value that may be missing,
// such as the organisation of a caller who has none.
func OrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
