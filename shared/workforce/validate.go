package workforce

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/textsafe"
)

// maxCount bounds counts far above any real organisation, so a typo of extra digits is
// caught rather than summed into government figures.
const maxCount = 10_000_000

// Normalise checks raw fields against the catalogue and the register and builds the
// Return. It names every problem at once; the Return is usable only when there are none.
func Normalise(raw []RawField, reg Register, now time.Time) (Return, []Problem) {
	var ps []Problem
	byKey := make(map[string]RawField, len(raw))
	for _, rf := range raw {
		key := strings.TrimSpace(rf.Key)
		rf.Key = key
		if _, ok := FieldByKey(key); !ok {
			ps = append(ps, problemAt(rf, "unknown_field", fmt.Sprintf("%s is not a field of the return. Check the spelling against the template; field names are like ddat_headcount.", textsafe.Quote(key))))
			continue
		}
		if _, dup := byKey[key]; dup {
			ps = append(ps, problemAt(rf, "duplicate_field", fmt.Sprintf("%s is given more than once; give each field once.", key)))
			continue
		}
		rf.Value = strings.TrimSpace(rf.Value)
		if rf.Value == "" {
			continue // blank is absent: required fields are reported below
		}
		byKey[key] = rf
	}

	r := Return{Values: map[string]string{}}
	org, orgOK := checkOrg(byKey, reg, &ps)
	q, periodOK := checkPeriod(byKey, now, &ps)
	if orgOK {
		r.Org, r.Kind = org.Code, org.Kind
		r.Values[KeyOrg] = org.Code
	}
	if periodOK {
		r.Period = q
		r.Values[KeyPeriod] = q.String()
	}
	if orgOK && periodOK && !org.ActiveOn(q.ReferenceDate()) {
		ps = append(ps, problemAt(byKey[KeyOrg], "organisation_inactive", fmt.Sprintf("%s was not active on %s, the reference date of %s.", org.Code, period.LongDate(q.ReferenceDate()), q)))
	}

	for _, f := range Fields {
		if f.Type == TypeOrg || f.Type == TypePeriod {
			continue
		}
		rf, given := byKey[f.Key]
		if orgOK && !f.AppliesTo(r.Kind) {
			if given {
				ps = append(ps, problemAt(rf, "not_applicable", fmt.Sprintf("Local-government bodies answer only the identity fields and the two yes/no leadership questions; leave %s (%s) blank.", f.Label, f.Key)))
			}
			continue
		}
		if !given {
			if !f.Optional && orgOK {
				ps = append(ps, Problem{Field: f.Key, Code: "required", Message: fmt.Sprintf("%s (%s) is required.", f.Label, f.Key)})
			}
			continue
		}
		v, p := normaliseValue(f, rf.Value)
		if p != "" {
			ps = append(ps, problemAt(rf, p, valueMessage(f, rf.Value, p)))
			continue
		}
		r.Values[f.Key] = v
	}
	if len(ps) == 0 {
		for _, rule := range Rules {
			if msg, broken := rule.broken(r); broken {
				ps = append(ps, problemAt(byKey[rule.Report], rule.Code, msg))
			}
		}
	}
	return r, ps
}

func checkOrg(byKey map[string]RawField, reg Register, ps *[]Problem) (Organisation, bool) {
	rf, ok := byKey[KeyOrg]
	if !ok {
		*ps = append(*ps, Problem{Field: KeyOrg, Code: "required", Message: "Organisation (org) is required, for example HMRC."})
		return Organisation{}, false
	}
	code := strings.ToUpper(rf.Value)
	o, ok := reg[code]
	if !ok {
		*ps = append(*ps, problemAt(rf, "unknown_organisation", fmt.Sprintf("%s is not an organisation in the register. Use your organisation's code from the template's list, for example HMRC.", textsafe.Quote(rf.Value))))
		return Organisation{}, false
	}
	return o, true
}

func checkPeriod(byKey map[string]RawField, now time.Time, ps *[]Problem) (period.Quarter, bool) {
	rf, ok := byKey[KeyPeriod]
	if !ok {
		*ps = append(*ps, Problem{Field: KeyPeriod, Code: "required", Message: "Quarter (period) is required, for example 2025-26-Q1."})
		return period.Quarter{}, false
	}
	q, err := period.ParseQuarter(rf.Value)
	if err != nil {
		*ps = append(*ps, problemAt(rf, "invalid_period", err.Error()+"."))
		return q, false
	}
	if q.ReferenceDate().After(now) {
		*ps = append(*ps, problemAt(rf, "future_period", fmt.Sprintf("%s has not ended yet: a return counts staff in post on %s, so it can be sent from then.", q, period.LongDate(q.ReferenceDate()))))
		return q, false
	}
	if q.StartYear < 2020 {
		*ps = append(*ps, problemAt(rf, "period_too_early", fmt.Sprintf("%s is before 2020-21, when this collection began.", q)))
		return q, false
	}
	return q, true
}

// normaliseValue returns the canonical text of a value, or a problem code.
func normaliseValue(f Field, s string) (string, string) {
	switch f.Type {
	case TypeCount:
		h, code := parseNumber(s, true)
		if code != "" {
			return "", code
		}
		if h/100 < f.Min {
			return "", "below_minimum"
		}
		return strconv.FormatInt(h/100, 10), ""
	case TypeFTE:
		h, code := parseNumber(s, false)
		if code != "" {
			return "", code
		}
		return formatHundredths(h), ""
	case TypeYesNo:
		switch strings.ToLower(s) {
		case "yes", "y", "true":
			return "yes", ""
		case "no", "n", "false":
			return "no", ""
		}
		return "", "not_yes_no"
	case TypeEmail:
		if code := textProblem(f, s); code != "" {
			return "", code
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
			return "", "invalid_email"
		}
		return s, ""
	default:
		if code := textProblem(f, s); code != "" {
			return "", code
		}
		if f.Multiline {
			s = strings.ReplaceAll(s, "\r\n", "\n")
		}
		if f.MaxLen > 0 && utf8.RuneCountInString(s) > f.MaxLen {
			return "", "too_long"
		}
		return s, ""
	}
}

// textProblem is the code of what makes s unfit to store as free text: bytes that are not
// UTF-8, a control character (a line break or tab only in multiline fields), or a start
// that a spreadsheet would run as a formula. Text is refused rather than changed: what
// is stored is what the organisation sent, and a workbook or CSV written from it later is
// safe whatever it says (see textsafe.CSVField and the report package's formula test).
func textProblem(f Field, s string) string {
	if !utf8.ValidString(s) {
		return "invalid_text"
	}
	if _, at := textsafe.ControlChar(s, f.Multiline); at > 0 {
		return "control_character"
	}
	if textsafe.FormulaLike(s) {
		return "formula_like"
	}
	return ""
}

func valueMessage(f Field, raw, code string) string {
	example := "1250"
	if f.Type == TypeFTE {
		example = "1234.5"
	}
	shown := textsafe.Truncate(raw)
	switch code {
	case "not_a_number":
		return fmt.Sprintf("%s (%s) must be a number such as %s; %s is not.", f.Label, f.Key, example, textsafe.Quote(raw))
	case "not_plain_number":
		return fmt.Sprintf("%s (%s) must be written as a plain number such as %s, with no plus sign or leading zeros and a digit either side of any decimal point; it is %s.", f.Label, f.Key, example, shown)
	case "scientific_notation":
		return fmt.Sprintf("%s (%s) is written in scientific notation (%s); write the figure out in full%s. In a spreadsheet, format the cell as Number before saving.", f.Label, f.Key, shown, inFull(raw))
	case "negative":
		return fmt.Sprintf("%s (%s) cannot be negative; it is %s.", f.Label, f.Key, shown)
	case "not_whole_number":
		return fmt.Sprintf("%s (%s) must be a whole number of people; %s is not.", f.Label, f.Key, shown)
	case "too_many_decimals":
		return fmt.Sprintf("%s (%s) can have at most 2 decimal places; %s has more.", f.Label, f.Key, shown)
	case "too_large":
		return fmt.Sprintf("%s (%s) is %s, which is larger than any organisation; check for extra digits.", f.Label, f.Key, shown)
	case "below_minimum":
		return fmt.Sprintf("%s (%s) must be at least %d.", f.Label, f.Key, f.Min)
	case "not_yes_no":
		return fmt.Sprintf("%s (%s) must be yes or no; %s is neither.", f.Label, f.Key, textsafe.Quote(raw))
	case "invalid_email":
		return fmt.Sprintf("%s (%s) %s is not an email address.", f.Label, f.Key, textsafe.Quote(raw))
	case "too_long":
		return fmt.Sprintf("%s (%s) can be at most %s characters; it has %s.", f.Label, f.Key, numfmt.Int(int64(f.MaxLen)), numfmt.Int(int64(utf8.RuneCountInString(raw))))
	case "invalid_text":
		return fmt.Sprintf("%s (%s) is not UTF-8 text; type it again and save the file as UTF-8.", f.Label, f.Key)
	case "control_character":
		r, at := textsafe.ControlChar(raw, f.Multiline)
		return fmt.Sprintf("%s (%s) contains %s at character %s, which cannot be stored; type the text again without it.", f.Label, f.Key, textsafe.CharName(r), numfmt.Int(int64(at)))
	case "formula_like":
		msg := fmt.Sprintf("%s (%s) cannot start with %s, because a spreadsheet would run text starting with =, +, - or @ as a formula. Start with a letter or a digit instead", f.Label, f.Key, strconv.Quote(raw[:1]))
		if f.Multiline {
			return msg + ", for example \"Changes:\" on a line before a list; later lines may start with anything."
		}
		return msg + "."
	}
	return fmt.Sprintf("%s (%s) is not valid.", f.Label, f.Key)
}

// inFull is ", as 73144" for a number in scientific notation that is a plain figure
// written out, or "" when it is not one.
func inFull(s string) string {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 0 || x > maxCount {
		return ""
	}
	t := strconv.FormatFloat(x, 'f', -1, 64)
	if _, code := parseNumber(t, false); code != "" {
		return ""
	}
	return ", as " + t
}

var (
	// plainNumberRE is how a figure is written: digits without leading zeros, or in groups
	// of three separated by commas as a spreadsheet shows them; then, optionally, a point
	// and digits. Group 1 is the whole part, group 2 the digits after the point.
	plainNumberRE = regexp.MustCompile(`^(0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.([0-9]+))?$`)
	// scientificRE is a number in scientific notation, as 7.3144e4 or 1E+09.
	scientificRE = regexp.MustCompile(`^[+-]?[0-9]*\.?[0-9]+[eE][+-]?[0-9]+$`)
	// digitsRE is digits written some other way: +5, 007, .5, 5.
	digitsRE = regexp.MustCompile(`^\+?[0-9]*\.?[0-9]*$`)
)

// parseNumber reads a count (whole) or an FTE into hundredths, accepting only a figure
// written plainly: 1250, 1,250, 1234.5, and the zeros after a point that a spreadsheet
// writes for a whole number or a fixed number of places (1250.0, 1234.500). Nothing is
// rounded: 70000.0000000001 is not a whole number and 1234.4500000000001 has more than 2
// decimal places, and 7.3144e4 is refused as scientific notation, as are a plus sign,
// leading zeros and a point without a digit on each side. A workbook's binary noise
// (1234.4500000000001 stored for 1234.45) never reaches here: the workbook reader reads
// numbers to the 15 significant digits that Excel shows.
func parseNumber(s string, whole bool) (int64, string) {
	m := plainNumberRE.FindStringSubmatch(s)
	if m == nil {
		switch {
		case strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.,") == "" && s != "-":
			return 0, "not_plain_number" // -0
		case strings.HasPrefix(s, "-") && (plainNumberRE.MatchString(s[1:]) || scientificRE.MatchString(s[1:])):
			return 0, "negative"
		case scientificRE.MatchString(s):
			return 0, "scientific_notation"
		case strings.ContainsAny(s, "0123456789") && digitsRE.MatchString(s):
			return 0, "not_plain_number"
		}
		return 0, "not_a_number"
	}
	digits, frac := strings.ReplaceAll(m[1], ",", ""), strings.TrimRight(m[2], "0")
	switch {
	case len(digits) > len(strconv.Itoa(maxCount)):
		return 0, "too_large"
	case whole && frac != "":
		return 0, "not_whole_number"
	case len(frac) > 2:
		return 0, "too_many_decimals"
	}
	n, _ := strconv.ParseInt(digits, 10, 64)
	cents, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	if n > maxCount || (n == maxCount && cents > 0) {
		return 0, "too_large"
	}
	return n*100 + cents, ""
}

func parseHundredths(s string) (int64, bool) {
	h, code := parseNumber(s, false)
	return h, code == ""
}

func formatHundredths(h int64) string { return fmt.Sprintf("%d.%02d", h/100, h%100) }

// fteText writes hundredths for people: 1234.50 → "1,234.5".
func fteText(h int64) string {
	s := numfmt.Int(h / 100)
	if h%100 == 0 {
		return s
	}
	return strings.TrimRight(fmt.Sprintf("%s.%02d", s, h%100), "0")
}

func problemAt(rf RawField, code, msg string) Problem {
	return Problem{Field: textsafe.Truncate(rf.Key), Cell: rf.Cell, Line: rf.Line, Code: code, Message: msg}
}
