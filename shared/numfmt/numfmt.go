// Package numfmt writes numbers as people in the UK read them: 1,250 and 1,234.5.
package numfmt

import (
	"strconv"
	"strings"
)

// Int writes n with thousands separators: 1250 → "1,250".
func Int(n int64) string { return Decimal(strconv.FormatInt(n, 10)) }

// Decimal adds thousands separators to the whole part of a number already written as
// text ("1234.50" → "1,234.50"). Text that is not a number is returned as it is.
func Decimal(s string) string {
	if _, err := strconv.ParseFloat(s, 64); err != nil || strings.ContainsAny(s, "eExXpPnN_") {
		return s
	}
	sign, rest := "", s
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		sign, rest = s[:1], s[1:]
	}
	whole, frac, hasFrac := strings.Cut(rest, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if hasFrac {
		whole += "." + frac
	}
	return sign + whole
}
