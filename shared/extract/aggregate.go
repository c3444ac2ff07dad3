package extract

import (
	"fmt"
	"hash/maphash"
	"strings"
	"unicode"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/textsafe"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Limits of an extract (SPEC §10).
const (
	MaxRows     = 500_000   // staff rows, not counting the header
	MaxBytes    = 100 << 20 // a CSV file, 100 MB
	MaxRowBytes = 1 << 20   // one CSV record: far beyond any real row, a bound on memory
	MaxProblems = 100       // problems listed; all are counted by code
	maxIgnored  = 100       // ignored column names listed
	maxWarnRows = 10        // row numbers listed in a warning
)

// Option changes a limit or how cells are read.
type Option func(*config)

type config struct {
	maxRows     int
	maxBytes    int64
	maxRowBytes int
	date1904    bool
}

func newConfig(opts []Option) config {
	c := config{maxRows: MaxRows, maxBytes: MaxBytes, maxRowBytes: MaxRowBytes}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithMaxRows lowers (or raises) the row limit.
func WithMaxRows(n int) Option { return func(c *config) { c.maxRows = n } }

// WithMaxBytes changes the size limit of a CSV file.
func WithMaxBytes(n int64) Option { return func(c *config) { c.maxBytes = n } }

// WithDate1904 reads date serial numbers in the 1904 date system of a workbook that uses it.
func WithDate1904(on bool) Option { return func(c *config) { c.date1904 = on } }

// Result is what an extract amounts to.
type Result struct {
	// Rows is the number of staff rows read (blank rows are skipped, the header is not a row).
	Rows int
	// Values are the workforce and entrant fields of the return, keyed by workforce field
	// keys, in the canonical text workforce.Normalise reads; nil when there are problems.
	Values map[string]string
	// Ignored names the header's columns that are not in the catalogue (at most 100).
	Ignored []string
	// Problems are the first MaxProblems problems in file order; ProblemCounts counts every
	// problem by code. A problem's Row is the row as a spreadsheet numbers it (the header's
	// row is 1 when nothing is above it), Cell its reference (C12) and Field the column key
	// (grade), not a field of the return. No problem quotes a cell.
	Problems      []workforce.Problem
	ProblemCounts map[string]int
	// Warnings say where a code was not recognised and was counted as unknown; they do not
	// reject the extract.
	Warnings []workforce.Problem
}

// ProblemCount is the number of problems found, listed or not.
func (r Result) ProblemCount() int {
	n := 0
	for _, c := range r.ProblemCounts {
		n += c
	}
	return n
}

// Err is nil for an extract that can be used, and otherwise the workforce.EInvalid error
// that names its problems.
func (r Result) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	n := r.ProblemCount()
	msg := "The extract has 1 problem, so no return was computed from it."
	if n > 1 {
		msg = fmt.Sprintf("The extract has %s problems, so no return was computed from it.", numfmt.Int(int64(n)))
	}
	if n > len(r.Problems) {
		msg += fmt.Sprintf(" The first %d are listed.", len(r.Problems))
	}
	return workforce.Invalid(msg, r.Problems)
}

// RawFields are the Values as raw fields for workforce.Normalise, in catalogue order. The
// caller adds org, period and the leadership answers.
func (r Result) RawFields() []workforce.RawField {
	var fs []workforce.RawField
	for _, f := range workforce.Fields {
		if v, ok := r.Values[f.Key]; ok {
			fs = append(fs, workforce.RawField{Key: f.Key, Value: v})
		}
	}
	return fs
}

// Aggregator validates and counts an extract fed to it one row at a time, header first.
// It keeps no row: only counts, the first problems (which quote no cell) and a set of
// 64-bit hashes of staff references to find a person given twice.
//
// A reader that knows each row's number (a sheet that skips empty rows) calls AddRow; one
// that does not calls Add. Rows whose cells are all blank are skipped. Cells are read during
// the call only, so a reader may reuse the slice and its strings afterwards.
type Aggregator struct {
	cfg        config
	start, end date // the quarter, inclusive

	header   bool
	stopped  bool
	finished bool            // Result has checked for an empty extract
	col      [numColumns]int // position of each catalogue column in a row
	width    int             // cells of the header up to its last non-blank one
	lastRow  int
	rows     int
	ignored  []string

	// seen holds a hash of every staff reference with the row it was first on. maphash
	// with a seed of this Aggregator's own: two different references of 500,000 collide
	// with probability about n²/2⁶⁵ ≈ 7·10⁻⁹, and would be reported as a duplicate (never
	// miscounted); a second try, with a new seed, would not repeat it.
	seed maphash.Seed
	seen map[uint64]int32

	headcount, fte, professionUnknown, ddatHeadcount, ddatFTE int64 // FTEs in microFTE
	families                                                  [FamilyUnknown + 1]int64
	grades                                                    [GradeUnknown + 1]int64
	entrants                                                  int64
	routes                                                    [RouteUnknown + 1]int64

	problems []workforce.Problem
	counts   map[string]int
	total    int // problems counted, listed or not
	warnings [numWarnings]tally
}

type tally struct {
	n    int
	rows []int
}

// NewAggregator starts an extract for quarter q, which must be valid.
func NewAggregator(q period.Quarter, opts ...Option) *Aggregator {
	return &Aggregator{
		cfg:    newConfig(opts),
		start:  dateOf(q.Start()),
		end:    dateOf(q.ReferenceDate()),
		seed:   maphash.MakeSeed(),
		seen:   map[uint64]int32{},
		counts: map[string]int{},
	}
}

// Add feeds the next row, numbering rows 1, 2, 3 … from the header.
func (a *Aggregator) Add(cells []string) bool { return a.AddRow(a.lastRow+1, cells) }

// AddRow feeds row number row (the header's row is usually 1). It reports whether to go on:
// false once the header is unusable or the row limit is passed, when nothing more can be
// learnt from the rows.
func (a *Aggregator) AddRow(row int, cells []string) bool {
	if a.stopped {
		return false
	}
	a.lastRow = row
	if blankRow(cells) {
		return true
	}
	if !a.header {
		a.readHeader(row, cells)
		return !a.stopped
	}
	if a.rows == a.cfg.maxRows {
		a.fileProblem(workforce.Problem{Row: row, Code: "too_many_rows", Message: fmt.Sprintf(
			"The extract has more than %s staff rows, the most one extract can hold; row %s is the first beyond it. Send an extract of staff in post and recent DDaT entrants only.",
			numfmt.Int(int64(a.cfg.maxRows)), numfmt.Int(int64(row)))})
		a.stopped = true
		return false
	}
	a.rows++
	a.readRow(row, cells)
	return true
}

// Fail records a problem found by the reader (a malformed file, a row too long) and stops.
func (a *Aggregator) Fail(p workforce.Problem) {
	a.fileProblem(p)
	a.stopped = true
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (a *Aggregator) readHeader(row int, cells []string) {
	a.header = true
	for i := range a.col {
		a.col[i] = -1
	}
	matched := 0
	var ignored []string
	for j, h := range cells {
		if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) != "" {
			a.width = j + 1
		}
		c, ok := headerIndex[headerKey(h)]
		if !ok {
			if name := headerKey(h); name != "" && len(ignored) < maxIgnored {
				ignored = append(ignored, ignoredName(h))
			}
			continue
		}
		if a.col[c] >= 0 {
			a.fileProblem(workforce.Problem{Field: Columns[c].Key, Row: row, Cell: cellRef(j, row), Code: "duplicate_column", Message: fmt.Sprintf(
				"Columns %s and %s of the header both name the %s column (%s); keep one of them.",
				columnLetter(a.col[c]), columnLetter(j), Columns[c].Label, Columns[c].Key)})
			continue
		}
		a.col[c] = j
		matched++
	}
	if matched == 0 {
		// Perhaps no header at all, so the row may be a person's: name none of its cells.
		a.fileProblem(workforce.Problem{Row: row, Code: "no_header", Message: fmt.Sprintf(
			"Row %d should be the header, naming the columns, but none of its cells names a column of a staff extract. The columns are %s.", row, columnKeys())})
		a.stopped = true
		return
	}
	for c, at := range a.col {
		if at < 0 {
			a.fileProblem(workforce.Problem{Field: Columns[c].Key, Row: row, Code: "missing_column", Message: fmt.Sprintf(
				"The header has no %s column. Name it %s (headers are matched without regard to case, spaces or underscores).",
				Columns[c].Label, acceptedHeaders(Columns[c]))})
		}
	}
	if len(a.problems) > 0 {
		a.stopped = true
		return
	}
	a.ignored = ignored
}

// ignoredName is a header cell as it can be quoted: a column name, without control
// characters, trimmed and shortened as every echo of a client's text is.
func ignoredName(h string) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(strings.TrimPrefix(h, "\ufeff"), "\uFFFD"))
	return textsafe.Truncate(strings.Join(strings.Fields(s), " "))
}

func columnKeys() string {
	ks := make([]string, len(Columns))
	for i, c := range Columns {
		ks[i] = c.Key
	}
	return strings.Join(ks, ", ")
}

func cellRef(col, row int) string { return fmt.Sprintf("%s%d", columnLetter(col), row) }

// Row problem codes and what they say, after "Row 12, column C (grade): ". None quotes the
// cell: a row is a person's record.
var rowProblems = map[string]string{
	"missing_staff_ref":   "blank; every row needs the person's pseudonymous staff reference.",
	"duplicate_staff_ref": "the same staff reference as row %s; each person must appear once.",
	"missing_in_post":     "blank; say whether the person was in post at the reference date (yes or no).",
	"not_yes_no":          "not yes or no; write yes or no (y/n, true/false, 1/0 and Active/Inactive are also accepted).",
	"missing_fte":         "blank, but the person is in post; give their full-time equivalent, for example 1 or 0.6.",
	"not_a_number":        "not a number; write the full-time equivalent as a decimal with a dot, for example 0.6.",
	"fte_out_of_range":    "not a full-time equivalent; it must be more than 0 and at most 1 for someone in post (0.6 for three days a week), and never more than 1.",
	"not_a_date":          "not a date we can read; write dates as 2025-04-01 or 01/04/2025 (day/month/year), or leave it blank if not known.",
	"date_out_of_range":   "not a date between 1950 and 2099; check the year (a number is read as a spreadsheet date serial).",
	"two_digit_year":      "a date with a two-digit year; write the year in full, for example 01/04/2025.",
	"extra_cell":          "a value beyond the last column of the header; give the column a header, or check for a comma that splits a value in two.",
}

// rowProblem records a problem with one cell: column is the position in the row, c the
// catalogue column (or -1).
func (a *Aggregator) rowProblem(row, column, c int, code string, args ...any) {
	a.counts[code]++
	a.total++
	if len(a.problems) >= MaxProblems {
		return
	}
	what := rowProblems[code]
	if len(args) > 0 {
		what = fmt.Sprintf(what, args...)
	}
	p := workforce.Problem{Row: row, Cell: cellRef(column, row), Code: code}
	if c >= 0 {
		p.Field = Columns[c].Key
		p.Message = fmt.Sprintf("Row %s, column %s (%s): %s", numfmt.Int(int64(row)), columnLetter(column), Columns[c].Label, what)
	} else {
		p.Message = fmt.Sprintf("Row %s, column %s: %s", numfmt.Int(int64(row)), columnLetter(column), what)
	}
	a.problems = append(a.problems, p)
}

func (a *Aggregator) fileProblem(p workforce.Problem) {
	a.counts[p.Code]++
	a.total++
	if len(a.problems) < MaxProblems {
		a.problems = append(a.problems, p)
	}
}

func (a *Aggregator) readRow(row int, cells []string) {
	get := func(c int) string {
		if i := a.col[c]; i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	before := a.total
	prob := func(c int, code string, args ...any) { a.rowProblem(row, a.col[c], c, code, args...) }

	for j := a.width; j < len(cells); j++ {
		if strings.TrimSpace(cells[j]) != "" {
			a.rowProblem(row, j, -1, "extra_cell")
			break
		}
	}

	if ref := get(ColStaffRef); ref == "" {
		prob(ColStaffRef, "missing_staff_ref")
	} else {
		h := maphash.String(a.seed, ref)
		if first, dup := a.seen[h]; dup {
			prob(ColStaffRef, "duplicate_staff_ref", numfmt.Int(int64(first)))
		} else {
			a.seen[h] = int32(row)
		}
	}

	inPost := false
	switch s := get(ColInPost); {
	case s == "":
		prob(ColInPost, "missing_in_post")
	default:
		i, ok := InPost.Lookup(s)
		if !ok {
			prob(ColInPost, "not_yes_no")
		}
		inPost = ok && i == 0
	}

	var fte int64
	if s := get(ColFTE); s == "" {
		if inPost {
			prob(ColFTE, "missing_fte")
		}
	} else if m, ok := parseFTE(s); !ok {
		prob(ColFTE, "not_a_number")
	} else if m > microFTE || m < 0 || (inPost && m == 0) {
		prob(ColFTE, "fte_out_of_range")
	} else {
		fte = m
	}

	var start date
	if s := get(ColDDaTStartDate); s != "" {
		d, why := parseDate(s, a.cfg.date1904)
		switch why {
		case dateOK:
			start = d
		case dateOutOfRange:
			prob(ColDDaTStartDate, "date_out_of_range")
		case dateShortYear:
			prob(ColDDaTStartDate, "two_digit_year")
		default:
			prob(ColDDaTStartDate, "not_a_date")
		}
	}

	grade, gradeKnown := lookupOr(Grades, get(ColGrade), GradeUnknown, GradeUnknown)
	profession, _ := lookupOr(Professions, get(ColProfession), ProfessionUnknown, ProfessionOther)
	family, familyKnown := lookupOr(JobFamilies, get(ColJobFamily), FamilyUnknown, FamilyUnknown)
	route, routeKnown := lookupOr(EntryRoutes, get(ColEntryRoute), RouteUnknown, RouteUnknown)

	if a.total > before {
		return // the extract is refused; counting this row would mean nothing
	}
	ddat := profession == ProfessionDDaT
	if inPost {
		a.headcount++
		a.fte += fte
		if profession == ProfessionUnknown {
			a.professionUnknown++
		}
		if ddat {
			a.ddatHeadcount++
			a.ddatFTE += fte
			a.families[family]++
			a.grades[grade]++
			if !gradeKnown {
				a.warn(warnGrade, row)
			}
			if !familyKnown {
				a.warn(warnFamily, row)
			}
		}
	}
	if ddat {
		switch {
		case start == 0:
			a.warn(warnNoStartDate, row)
		case a.start <= start && start <= a.end:
			a.entrants++
			a.routes[route]++
			if !routeKnown {
				a.warn(warnRoute, row)
			}
		}
	}
}

// Warnings: a code counted as unknown because it was not recognised.
const (
	warnGrade = iota
	warnFamily
	warnRoute
	warnNoStartDate
	numWarnings
)

// Each text takes the number of rows and the list of them.
var warningTexts = [numWarnings]struct {
	column     int
	code, text string
}{
	warnGrade:       {ColGrade, "unrecognised_grade", "Grade not recognised for %s DDaT staff in post (%s); they are counted as grade not recorded."},
	warnFamily:      {ColJobFamily, "unrecognised_job_family", "Job family not recognised for %s DDaT staff in post (%s); they are counted as job family not recorded."},
	warnRoute:       {ColEntryRoute, "unrecognised_entry_route", "Entry route not recognised for %s DDaT entrants in the quarter (%s); they count only in all entrants."},
	warnNoStartDate: {ColDDaTStartDate, "no_ddat_start_date", "No DDaT start date for %s DDaT staff (%s); they cannot be counted as entrants in the quarter."},
}

func (a *Aggregator) warn(w, row int) {
	t := &a.warnings[w]
	t.n++
	if len(t.rows) < maxWarnRows {
		t.rows = append(t.rows, row)
	}
}

// Result is what the rows fed so far amount to.
func (a *Aggregator) Result() Result {
	if !a.finished && a.total == 0 {
		switch {
		case !a.header:
			a.fileProblem(workforce.Problem{Row: 1, Code: "empty_file", Message: fmt.Sprintf("The extract is empty. Its first row must be a header naming the columns (%s), then one row per person.", columnKeys())})
		case a.rows == 0:
			a.fileProblem(workforce.Problem{Row: a.lastRow + 1, Code: "no_rows", Message: "The extract has a header but no staff rows."})
		}
	}
	a.finished = true
	r := Result{Rows: a.rows, Ignored: a.ignored, Problems: a.problems, ProblemCounts: a.counts}
	for w, t := range a.warnings {
		if t.n == 0 {
			continue
		}
		wt := warningTexts[w]
		r.Warnings = append(r.Warnings, workforce.Problem{Field: Columns[wt.column].Key, Code: wt.code,
			Message: fmt.Sprintf(wt.text, rowsCount(t.n), rowList(t.rows, t.n)) + " The column accepts " + Columns[wt.column].Accepts + "."})
	}
	if len(r.Problems) > 0 {
		return r
	}
	v := map[string]string{
		workforce.KeyHeadcount:         itoa(a.headcount),
		workforce.KeyFTE:               hundredths(a.fte),
		workforce.KeyProfessionUnknown: itoa(a.professionUnknown),
		workforce.KeyDDaTHeadcount:     itoa(a.ddatHeadcount),
		workforce.KeyDDaTFTE:           hundredths(a.ddatFTE),
		workforce.KeyEntrantsTotal:     itoa(a.entrants),
	}
	for i, c := range JobFamilies.Codes {
		v[c.Field] = itoa(a.families[i])
	}
	for i, c := range Grades.Codes {
		v[c.Field] = itoa(a.grades[i])
	}
	for i, c := range EntryRoutes.Codes {
		if c.Field != "" {
			v[c.Field] = itoa(a.routes[i])
		}
	}
	r.Values = v
	return r
}

func itoa(n int64) string { return fmt.Sprint(n) }

// hundredths rounds a sum of microFTE half up to two decimal places: "1234.50".
func hundredths(m int64) string {
	h := (m + microFTE/200) / (microFTE / 100)
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

func rowsCount(n int) string { return numfmt.Int(int64(n)) }

func rowList(rows []int, n int) string {
	s := make([]string, len(rows))
	for i, r := range rows {
		s[i] = numfmt.Int(int64(r))
	}
	out := "row " + strings.Join(s, ", ")
	if len(rows) > 1 {
		out = "rows " + strings.Join(s, ", ")
	}
	if n > len(rows) {
		out += fmt.Sprintf(" and %s more", numfmt.Int(int64(n-len(rows))))
	}
	return out
}
