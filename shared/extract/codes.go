package extract

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Code is one value of a code list and the spellings HR systems export for it. Field is the
// return field it counts towards, where there is one.
type Code struct {
	Value   string
	Field   string
	Accepts []string
}

// CodeList reads a cell as one of its codes. Spellings are compared by their letters and
// digits only, in lower case: "Grade 7", "grade-7" and "GRADE7" are one spelling, and so
// are "SCS PB1", "SCS Pay Band 1" and "scs_pb_1" when listed.
//
// Every row looks up four or five cells, so the index is a small open-addressing table
// hashed while the spelling is folded, with no allocation and no second pass over the cell.
type CodeList struct {
	Name  string
	Codes []Code
	slots []codeSlot // a power of two, at most a quarter full
}

type codeSlot struct {
	key  string
	code int
	used bool
}

func newCodeList(name string, codes ...Code) *CodeList {
	l := &CodeList{Name: name, Codes: codes}
	n := 0
	for _, c := range codes {
		n += 1 + len(c.Accepts)
	}
	size := 16
	for size < 4*n {
		size *= 2
	}
	l.slots = make([]codeSlot, size)
	for i, c := range codes {
		for _, a := range append([]string{c.Value}, c.Accepts...) {
			var buf [maxCodeKey]byte
			k, h, ok := codeKey(&buf, a)
			if !ok {
				panic("extract: spelling too long for a code: " + a)
			}
			s := l.slot(k, h)
			if s.used && s.code != i {
				panic("extract: " + name + " spelling " + a + " means two codes")
			}
			*s = codeSlot{key: string(k), code: i, used: true}
		}
	}
	return l
}

// slot is where key belongs: its own slot, or the empty one where it would go.
func (l *CodeList) slot(key []byte, h uint64) *codeSlot {
	mask := uint64(len(l.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if s := &l.slots[i]; !s.used || s.key == string(key) {
			return s
		}
	}
}

// Lookup is the position in Codes of the code s spells.
func (l *CodeList) Lookup(s string) (int, bool) {
	var buf [maxCodeKey]byte
	k, h, ok := codeKey(&buf, s)
	if !ok {
		return 0, false
	}
	slot := l.slot(k, h)
	return slot.code, slot.used
}

// maxCodeKey bounds a spelling; a longer cell is no code of any list.
const maxCodeKey = 64

// codeKey writes the lower-case ASCII letters and digits of s into buf, and hashes them
// (FNV-1a). Everything else — spaces, punctuation, non-ASCII characters such as a
// non-breaking hyphen — is dropped.
func codeKey(buf *[maxCodeKey]byte, s string) ([]byte, uint64, bool) {
	n := 0
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		default:
			continue
		}
		if n == maxCodeKey {
			return nil, 0, false
		}
		buf[n] = c
		n++
		h = (h ^ uint64(c)) * 1099511628211
	}
	return buf[:n], h, true
}

// Grade bands, in the order of Grades.Codes and workforce.GradeKeys.
const (
	GradeAAAO = iota
	GradeEO
	GradeHEOSEO
	GradeG7G6
	GradeSCS
	GradeUnknown
)

// Grades maps grades to the return's grade breakdown (SPEC §10). A grade that is blank or
// not on the list is counted as unknown.
var Grades = newCodeList("grade",
	Code{Value: "aa_ao", Field: "ddat_grade_aa_ao", Accepts: []string{"AA", "AO", "Administrative Assistant", "Administrative Officer", "Admin Assistant", "Admin Officer", "AA Grade", "AO Grade"}},
	Code{Value: "eo", Field: "ddat_grade_eo", Accepts: []string{"EO", "Executive Officer", "EO Grade"}},
	Code{Value: "heo_seo", Field: "ddat_grade_heo_seo", Accepts: []string{"HEO", "SEO", "Higher Executive Officer", "Senior Executive Officer", "HEO(D)", "HEO D", "HEO Development", "HEO Grade", "SEO Grade"}},
	Code{Value: "g7_g6", Field: "ddat_grade_g7_g6", Accepts: []string{"G7", "G6", "Grade 7", "Grade 6", "Gr 7", "Gr 6", "Grade 7 (G7)", "Grade 6 (G6)", "7", "6"}},
	Code{Value: "scs", Field: "ddat_grade_scs", Accepts: []string{"SCS", "Senior Civil Service",
		"SCS1", "SCS2", "SCS3", "SCS4", "SCS1A", "SCS PB1", "SCS PB2", "SCS PB3", "SCS PB4", "PB1", "PB2", "PB3", "PB4",
		"SCS Pay Band 1", "SCS Pay Band 2", "SCS Pay Band 3", "SCS Pay Band 4", "SCS Pay Band 1A",
		"Pay Band 1", "Pay Band 2", "Pay Band 3", "Pay Band 4", "SCS Band 1", "SCS Band 2", "SCS Band 3", "SCS Band 4",
		"Deputy Director", "Director", "Director General", "Permanent Secretary", "DD", "DG", "Perm Sec"}},
	Code{Value: "unknown", Field: "ddat_grade_unknown", Accepts: []string{"Unknown", "Not recorded", "Not known", "Not specified", "None", "N/A"}},
)

// Professions: DDaT, not recorded, or (any other name) another profession.
const (
	ProfessionDDaT = iota
	ProfessionUnknown
	ProfessionOther // not in Professions.Codes: any profession not listed there
)

var Professions = newCodeList("profession",
	Code{Value: "ddat", Accepts: []string{"DDaT", "DDAT", "Digital, Data and Technology", "Digital Data and Technology", "Digital, Data & Technology",
		"Digital, Data and Technology (DDaT)", "DDaT Profession", "Digital Data and Technology Profession"}},
	Code{Value: "unknown", Accepts: []string{"Unknown", "Not recorded", "Not known", "Not specified", "Not stated", "None", "No profession", "N/A"}},
)

// Job families of the DDaT Capability Framework (SPEC §3), in the order of
// workforce.FamilyKeys. A DDaT row with a job family blank or not on the list is counted as
// unknown.
const (
	FamilyArchitecture = iota
	FamilyChiefDigitalAndData
	FamilyData
	FamilyITOperations
	FamilyProductAndDelivery
	FamilyQualityAssuranceTesting
	FamilySoftwareDevelopment
	FamilyUserCentredDesign
	FamilyUnknown
)

var JobFamilies = newCodeList("job_family",
	Code{Value: "architecture", Field: "ddat_family_architecture", Accepts: []string{"Architecture", "Architect", "Arch"}},
	Code{Value: "chief_digital_and_data", Field: "ddat_family_chief_digital_and_data", Accepts: []string{"Chief Digital and Data", "Chief Digital & Data", "CDD", "Chief Digital and Data Officer", "CDDO"}},
	Code{Value: "data", Field: "ddat_family_data", Accepts: []string{"Data"}},
	Code{Value: "it_operations", Field: "ddat_family_it_operations", Accepts: []string{"IT Operations", "IT Ops", "ITOps", "IT Operations (ITOps)"}},
	Code{Value: "product_and_delivery", Field: "ddat_family_product_and_delivery", Accepts: []string{"Product and Delivery", "Product & Delivery", "P&D", "PandD", "Product Delivery"}},
	Code{Value: "quality_assurance_testing", Field: "ddat_family_quality_assurance_testing", Accepts: []string{"Quality Assurance Testing", "Quality Assurance Testing (QAT)", "QAT", "Quality Assurance and Testing", "QA and Testing", "QA", "Testing"}},
	Code{Value: "software_development", Field: "ddat_family_software_development", Accepts: []string{"Software Development", "Software Dev", "Software Engineering"}},
	Code{Value: "user_centred_design", Field: "ddat_family_user_centred_design", Accepts: []string{"User-Centred Design", "User Centred Design", "User-Centered Design", "UCD"}},
	Code{Value: "unknown", Field: "ddat_family_unknown", Accepts: []string{"Unknown", "Not recorded", "Not known", "Not specified", "None", "N/A"}},
)

// Entry routes into the DDaT profession. The five early-career routes have a field of the
// return each; experienced hires and unknown routes count only in ddat_entrants_total.
const (
	RouteApprenticeship = iota
	RouteFastStream
	RouteGraduateProgramme
	RouteInternship
	RouteOtherEarlyCareer
	RouteExperiencedHire
	RouteUnknown
)

var EntryRoutes = newCodeList("entry_route",
	Code{Value: "apprenticeship", Field: "entrants_apprenticeship", Accepts: []string{"Apprenticeship", "Apprentice", "Apprenticeships", "Digital Apprenticeship", "Apprenticeship Scheme", "Apprenticeship Programme"}},
	Code{Value: "fast_stream", Field: "entrants_fast_stream", Accepts: []string{"Fast Stream", "Faststream", "Fast Streamer", "Digital Fast Stream", "Digital, Data and Technology Fast Stream", "DDaT Fast Stream", "Civil Service Fast Stream"}},
	Code{Value: "graduate_programme", Field: "entrants_graduate_programme", Accepts: []string{"Graduate Programme", "Graduate Program", "Graduate Scheme", "Graduate", "Graduate Entry", "Grad Scheme", "Graduate Recruitment"}},
	Code{Value: "internship", Field: "entrants_internship", Accepts: []string{"Internship", "Intern", "Summer Internship", "Internship Programme"}},
	Code{Value: "other_early_career", Field: "entrants_other_early_career", Accepts: []string{"Other Early Career", "Other Early-Career", "Other Early Careers", "Early Career", "Early Careers", "Other Early Career Programme", "Early Career Programme"}},
	Code{Value: "experienced_hire", Accepts: []string{"Experienced Hire", "Experienced", "Experienced Recruit", "Experienced Professional", "Lateral Hire", "Lateral", "Experienced Hire (External)"}},
	Code{Value: "unknown", Accepts: []string{"Unknown", "Not recorded", "Not known", "Not specified", "Other", "None", "N/A"}},
)

// InPost reads whether a person was in post at the reference date.
var InPost = newCodeList("in_post",
	Code{Value: "yes", Accepts: []string{"Y", "True", "1", "Active", "In Post", "Current"}},
	Code{Value: "no", Accepts: []string{"N", "False", "0", "Inactive", "Not in Post", "Leaver", "Left"}},
)

// lookupOr is the code s spells; blank is blankCode, and a spelling not on the list is
// otherCode with recognised false.
func lookupOr(l *CodeList, s string, blankCode, otherCode int) (code int, recognised bool) {
	if s == "" {
		return blankCode, true
	}
	if i, ok := l.Lookup(s); ok {
		return i, true
	}
	return otherCode, false
}

// microFTE is one millionth of a full-time equivalent. FTEs are summed exactly in these:
// HR systems export fractions such as 0.540540 (20 of 37 hours) and spreadsheets their
// binary expansion (0.54054054054054057), so a per-row rounding to hundredths would drift.
const microFTE = 1_000_000

// parseFTE reads a decimal written with a dot (0.6, .6, 1, 1.0, 5.4E-1) into millionths,
// rounding half up beyond the sixth place. A decimal comma, a thousands separator, a per
// cent sign or anything else is not a number: FTEs are at most 1, so "0,5" is ambiguous.
func parseFTE(s string) (int64, bool) {
	// Fast path: digits, an optional dot, digits.
	var whole, frac int64
	var fracDigits int
	seenDot, digits, round := false, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case '0' <= c && c <= '9':
			digits++
			switch {
			case !seenDot:
				if whole > 1e6 {
					return 0, false
				}
				whole = whole*10 + int64(c-'0')
			case fracDigits < 6:
				frac = frac*10 + int64(c-'0')
				fracDigits++
			case fracDigits == 6:
				round = c >= '5'
				fracDigits++
			}
		default:
			return parseFTEFloat(s)
		}
	}
	if digits == 0 {
		return 0, false
	}
	for ; fracDigits < 6; fracDigits++ {
		frac *= 10
	}
	m := whole*microFTE + frac
	if round {
		m++
	}
	return m, true
}

// parseFTEFloat reads the forms the fast path leaves, such as the exponent a spreadsheet
// writes for small numbers, and refuses the rest.
func parseFTEFloat(s string) (int64, bool) {
	if strings.ContainsAny(s, ",_xXpPiInN%") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e6 {
		return 0, false
	}
	return int64(math.Round(f * microFTE)), true
}

// A date is held as yyyymmdd, so that dates compare as integers.
type date int32

func makeDate(y, m, d int) date { return date(y*10000 + m*100 + d) }

func dateOf(t time.Time) date { return makeDate(t.Year(), int(t.Month()), t.Day()) }

// Dates accepted, in any form: a DDaT start date outside these is a mistake (a bare year,
// a serial number that is not a date, a typo of the century).
var (
	earliestDate = makeDate(1950, 1, 1)
	latestDate   = makeDate(2099, 12, 31)
)

// Why a date was refused.
const (
	dateOK = iota
	dateUnreadable
	dateOutOfRange
	dateShortYear
)

// excelEpochDays is day 0 of Excel's 1900 date system, 30 December 1899, as it counts after
// 28 February 1900 (Excel believes 1900 was a leap year), in days from 1 January 1970; and
// excel1904 is the offset of the 1904 system.
const (
	excelEpochDays = -25569
	excel1904      = 1462
)

// civil is the date n days after 1 January 1970 (H. Hinnant's civil_from_days).
func civil(n int) date {
	n += 719468
	era := n / 146097
	if n < 0 && n%146097 != 0 {
		era--
	}
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return makeDate(y, m, d)
}

// parseDate reads the forms HR systems and spreadsheets write:
//   - ISO 8601: 2025-04-01, also 2025/04/01 and with a time after it (2025-04-01T00:00:00);
//   - UK day/month/year: 01/04/2025, 1/4/2025, 01-04-2025, 01.04.2025, with an optional time;
//   - day, month name, year: 1 April 2025, 01-APR-2025, 1 Apr 2025;
//   - an Excel serial number (45748), as a streaming sheet reader hands over a date cell.
//
// Slashed dates are always day/month/year, as UK systems write them; a US month/day/year is
// read that way too and refused only when it cannot be a UK date (04/13/2025). A two-digit
// year is refused rather than guessed.
func parseDate(s string, date1904 bool) (date, int) {
	if s == "" {
		return 0, dateUnreadable
	}
	if s[0] >= '0' && s[0] <= '9' && isSerial(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 1 || f > 2958465 { // 2958465 is 31 December 9999
			return 0, dateOutOfRange
		}
		n := int(math.Floor(f))
		if date1904 {
			n += excel1904
		}
		return checkRange(civil(n + excelEpochDays))
	}
	// The two forms nearly every file uses, read in place.
	if len(s) >= 10 && timeLike(s[10:]) {
		if s[4] == '-' && s[7] == '-' {
			if y, m, d := digits(s[0:4]), digits(s[5:7]), digits(s[8:10]); y >= 0 && m >= 0 && d >= 0 {
				return validDate(y, m, d)
			}
		}
		if s[2] == '/' && s[5] == '/' {
			if d, m, y := digits(s[0:2]), digits(s[3:5]), digits(s[6:10]); y >= 0 && m >= 0 && d >= 0 {
				return validDate(y, m, d)
			}
		}
	}
	a, b, c, rest, ok := splitDate(s)
	if !ok || !timeLike(rest) {
		return 0, dateUnreadable
	}
	var y, m, d int
	switch {
	case len(a) == 4 && isDigits(a): // yyyy-mm-dd
		y, _ = strconv.Atoi(a)
		m, ok = number(b, 2)
		if !ok {
			return 0, dateUnreadable
		}
		d, ok = number(c, 2)
	default: // dd/mm/yyyy or dd-Mon-yyyy
		d, ok = number(a, 2)
		if !ok {
			return 0, dateUnreadable
		}
		if m, ok = number(b, 2); !ok {
			m, ok = monthNamed(b)
		}
		if !ok {
			return 0, dateUnreadable
		}
		if !isDigits(c) {
			return 0, dateUnreadable
		}
		if len(c) <= 2 {
			return 0, dateShortYear
		}
		if len(c) != 4 {
			return 0, dateUnreadable
		}
		y, _ = strconv.Atoi(c)
		ok = true
	}
	if !ok {
		return 0, dateUnreadable
	}
	return validDate(y, m, d)
}

func validDate(y, m, d int) (date, int) {
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, dateUnreadable
	}
	return checkRange(makeDate(y, m, d))
}

// digits is the value of a short run of decimal digits, or -1.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func checkRange(d date) (date, int) {
	if d < earliestDate || d > latestDate {
		return 0, dateOutOfRange
	}
	return d, dateOK
}

// isSerial reports whether s is a plain number: digits with an optional fraction.
func isSerial(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot && i > 0:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return true
}

// splitDate cuts s into the three parts of a date, separated twice by the same one of
// '-', '/', '.' or ' ', and what follows the third part (a time after a space or a T).
func splitDate(s string) (a, b, c, rest string, ok bool) {
	i := strings.IndexAny(s, "-/. ")
	if i <= 0 {
		return
	}
	sep := s[i]
	a, s = s[:i], s[i+1:]
	j := strings.IndexByte(s, sep)
	if j <= 0 {
		return
	}
	b, s = s[:j], s[j+1:]
	k := strings.IndexAny(s, " T")
	if k < 0 {
		k = len(s)
	}
	c, rest = s[:k], s[k:]
	return a, b, c, rest, c != ""
}

// timeLike accepts nothing, or a time of day after a date: " 00:00", "T00:00:00Z".
func timeLike(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != ' ' && s[0] != 'T' {
		return false
	}
	t := strings.TrimSpace(s[1:])
	if t == "" || t[0] < '0' || t[0] > '9' {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; !('0' <= c && c <= '9') && !strings.ContainsRune(":.Z+- ", rune(c)) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// number reads 1 to max digits.
func number(s string, max int) (int, bool) {
	if len(s) == 0 || len(s) > max || !isDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, true
}

// monthNamed reads a month's name or its first three (or, for September, four) letters.
func monthNamed(s string) (int, bool) {
	var buf [maxCodeKey]byte
	k, _, ok := codeKey(&buf, s)
	if !ok || len(k) != len(s) || len(k) < 3 {
		return 0, false
	}
	for i, name := range monthNamesLower {
		if string(k) == name || string(k) == name[:3] || (i == 8 && string(k) == "sept") {
			return i + 1, true
		}
	}
	return 0, false
}

var monthNamesLower = [12]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
