package gsswriter

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/sheetref"
)

// Names of the sheets that every workbook has.
const (
	SheetCover    = "Cover"
	SheetContents = "Contents"
	SheetNotes    = "Notes"
)

// maxSheetName is the longest sheet name allowed. Excel allows 31 characters; the
// project's specification asks for names under 31.
const maxSheetName = 30

// maxCellText is Excel's limit on the characters in one cell.
const maxCellText = 32767

// ValidationError lists everything wrong with a Workbook, so that a caller can put it all
// right at once.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "report: invalid workbook: " + strings.Join(e.Problems, "; ")
}

// plan is a validated workbook, laid out: every sheet that is a table, including the
// contents and notes, in the order of the workbook.
type plan struct {
	wb       Workbook
	props    Properties
	cover    []CoverItem // the caller's items, then the explanation of the shorthand used
	sheets   []*sheetPlan
	contents *sheetPlan
}

// sheetPlan is one table sheet as it will be written.
type sheetPlan struct {
	name      string
	tableName string
	title     string
	lines     []string // description lines, in column A under the title
	columns   []Column
	rows      [][]cell
	charts    []chartPlan
}

// chartPlan is a validated chart; target is the index of its target column, -1 if none.
type chartPlan struct {
	Chart
	target int
}

// cell is a validated value, ready to write.
type cell struct {
	value     any       // int64, float64 or string
	shorthand Shorthand // set when the value is a shorthand marker
	link      string    // an internal link's location, 'Sheet'!A1
}

// problems collects validation failures.
type problems []string

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

var (
	noteRef       = regexp.MustCompile(`\[note (\d+)\]`)
	noteLike      = regexp.MustCompile(`(?i)\[\s*notes?\b[^\]]*\]?`)
	shorthandLike = regexp.MustCompile(`^\[[a-z]{1,5}\]$`)
	unitInHeader  = regexp.MustCompile(`\(([^()]+)\)`)
)

// makePlan validates wb and lays it out.
func makePlan(wb Workbook) (*plan, error) {
	var bad problems
	p := &plan{wb: wb, props: wb.Properties}
	notes := checkNotes(wb.Notes, &bad)
	refs := noteChecker{notes: notes, bad: &bad}

	if strings.TrimSpace(wb.Title) == "" {
		bad.addf("the workbook has no title")
	}
	refs.check("the workbook title", wb.Title)
	refs.check("the workbook subtitle", wb.Subtitle)
	if p.props.Title == "" {
		p.props.Title = wb.Title
	}
	if p.props.Language == "" {
		p.props.Language = "en-GB"
	}
	if p.props.Created.IsZero() {
		bad.addf("Properties.Created is not set: the caller fixes the document's times so that the same workbook gives the same bytes")
	}
	if p.props.Modified.IsZero() {
		p.props.Modified = p.props.Created
	}
	for i, c := range wb.Cover {
		where := fmt.Sprintf("cover item %d", i+1)
		if strings.TrimSpace(c.Heading) == "" && strings.TrimSpace(c.Text) == "" {
			bad.addf("%s has neither heading nor text", where)
		}
		if c.Link != "" {
			if strings.TrimSpace(c.Text) == "" {
				bad.addf("%s links to %s without text saying where the link goes", where, c.Link)
			}
			if u, err := url.Parse(c.Link); err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "mailto") {
				bad.addf("%s: link %q is not an https, http or mailto address", where, c.Link)
			}
		}
		refs.check(where, c.Heading)
		refs.check(where, c.Text)
	}
	if len(wb.Tables) == 0 {
		bad.addf("the workbook has no tables")
	}

	used := map[Shorthand]bool{}
	seenSheet := map[string]string{}
	for _, name := range []string{SheetCover, SheetContents, SheetNotes} {
		seenSheet[strings.ToLower(name)] = "the writer"
	}
	var tables []*sheetPlan
	for i, t := range wb.Tables {
		where := fmt.Sprintf("table %d (sheet %q)", i+1, t.Sheet)
		checkSheetName(t.Sheet, where, &bad)
		if by, dup := seenSheet[strings.ToLower(t.Sheet)]; dup && t.Sheet != "" {
			bad.addf("%s: the sheet name is already used by %s", where, by)
		}
		seenSheet[strings.ToLower(t.Sheet)] = where
		sp := planTable(t, where, wb.Shorthand, refs, used, &bad)
		tables = append(tables, sp)
	}

	p.cover = append(slices.Clone(wb.Cover), shorthandCover(used, wb.Shorthand)...)
	p.contents = contentsSheet(tables, len(notes) > 0)
	p.sheets = append(p.sheets, p.contents)
	if len(notes) > 0 {
		p.sheets = append(p.sheets, notesSheet(notes))
	}
	p.sheets = append(p.sheets, tables...)
	names := map[string]bool{}
	for _, sp := range p.sheets {
		sp.tableName = tableName(sp.name, names)
	}
	if len(bad) > 0 {
		return nil, &ValidationError{Problems: bad}
	}
	return p, nil
}

// checkNotes returns the notes sorted by number, so that the notes sheet does not
// depend on the order the caller built them in.
func checkNotes(notes []Note, bad *problems) []Note {
	sorted := slices.Clone(notes)
	slices.SortStableFunc(sorted, func(a, b Note) int { return a.Number - b.Number })
	for i, n := range sorted {
		if n.Number < 1 {
			bad.addf("note %d: notes are numbered from 1", n.Number)
		}
		if i > 0 && sorted[i-1].Number == n.Number {
			bad.addf("note %d is defined twice", n.Number)
		}
		if strings.TrimSpace(n.Text) == "" {
			bad.addf("note %d has no text", n.Number)
		}
	}
	return sorted
}

// noteChecker reports note references to notes that do not exist, and references not
// written as "[note N]", which readers searching for them would miss.
type noteChecker struct {
	notes []Note
	bad   *problems
}

// check reports bad references in s and whether s refers to any note.
func (c noteChecker) check(where, s string) bool {
	if !strings.Contains(s, "[") {
		return false
	}
	refers := false
	for _, m := range noteLike.FindAllString(s, -1) {
		sub := noteRef.FindStringSubmatch(m)
		if sub == nil || sub[0] != m {
			c.bad.addf("%s: write the note reference %q as [note N]", where, m)
			continue
		}
		refers = true
		n, _ := strconv.Atoi(sub[1])
		if !slices.ContainsFunc(c.notes, func(x Note) bool { return x.Number == n }) {
			c.bad.addf("%s refers to [note %d], which is not one of the notes", where, n)
		}
	}
	return refers
}

func checkSheetName(name, where string, bad *problems) {
	switch {
	case strings.TrimSpace(name) == "":
		bad.addf("%s has no sheet name", where)
	case utf8.RuneCountInString(name) > maxSheetName:
		bad.addf("%s: the sheet name is %d characters; it must be %d or fewer", where, utf8.RuneCountInString(name), maxSheetName)
	case strings.ContainsAny(name, `[]:*?/\`):
		bad.addf(`%s: the sheet name may not contain any of []:*?/\`, where)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		bad.addf("%s: the sheet name may not start or end with an apostrophe", where)
	case strings.EqualFold(name, "History"):
		bad.addf("%s: Excel reserves the sheet name History", where)
	}
}

// planTable validates one table and lays it out, adding the columns of chart targets.
func planTable(t Table, where string, explained map[Shorthand]string, refs noteChecker, used map[Shorthand]bool, bad *problems) *sheetPlan {
	sp := &sheetPlan{name: t.Sheet, title: t.Title, columns: slices.Clone(t.Columns)}
	if strings.TrimSpace(t.Title) == "" {
		bad.addf("%s has no title", where)
	}
	if strings.ContainsAny(t.Title, "\r\n") {
		bad.addf("%s: the title must be one line", where)
	}
	hasNotes := refs.check(where+" title", t.Title)
	for i, line := range t.Description {
		if strings.TrimSpace(line) == "" {
			bad.addf("%s: description line %d is blank", where, i+1)
		}
		if strings.ContainsAny(line, "\r\n") {
			bad.addf("%s: description line %d must be one line; add another line instead", where, i+1)
		}
		hasNotes = refs.check(fmt.Sprintf("%s description line %d", where, i+1), line) || hasNotes
	}
	if len(t.Columns) == 0 {
		bad.addf("%s has no columns", where)
	}
	if len(t.Rows) == 0 {
		bad.addf("%s has no rows: an Excel table needs at least one", where)
	}

	// Chart targets become columns of the table, shared by charts with the same target.
	targets := map[string]int{}
	for ci, ch := range t.Charts {
		cp := chartPlan{Chart: ch, target: -1}
		cw := fmt.Sprintf("%s chart %d", where, ci+1)
		checkChart(ch, t.Columns, cw, bad)
		if ch.Target != nil && len(ch.Series) > 0 && ch.Series[0] >= 0 && ch.Series[0] < len(t.Columns) {
			if math.IsNaN(ch.Target.Value) || math.IsInf(ch.Target.Value, 0) {
				bad.addf("%s: the target is not a number", cw)
			}
			if idx, ok := targets[ch.Target.Header]; ok {
				if first := t.Charts[targetOwner(t.Charts, ch.Target.Header)].Target.Value; first != ch.Target.Value {
					bad.addf("%s: target column %q already holds %v, not %v", cw, ch.Target.Header, first, ch.Target.Value)
				}
				cp.target = idx
			} else {
				cp.target = len(sp.columns)
				targets[ch.Target.Header] = cp.target
				sp.columns = append(sp.columns, Column{Header: ch.Target.Header, Kind: t.Columns[ch.Series[0]].Kind})
			}
		}
		sp.charts = append(sp.charts, cp)
	}
	hasNotes = checkHeaders(sp.columns, where, refs, bad) || hasNotes

	tableUses := map[Shorthand]bool{}
	charted := chartedColumns(t.Charts, len(t.Columns))
	for ri, r := range t.Rows {
		if len(r) != len(t.Columns) {
			bad.addf("%s row %d has %d cells; the table has %d columns", where, ri+1, len(r), len(t.Columns))
			continue
		}
		row := make([]cell, len(sp.columns))
		for ci, v := range r {
			col := t.Columns[ci]
			// Named only when needed: most cells are fine, and tables have thousands.
			at := func() string { return fmt.Sprintf("%s row %d column %q", where, ri+1, col.Header) }
			c, err := toCell(v, col.Kind)
			if err != "" {
				bad.addf("%s: %s", at(), err)
				continue
			}
			if c.shorthand != "" {
				if _, ok := explained[c.shorthand]; !ok {
					if _, ok := DefaultShorthand[c.shorthand]; !ok {
						bad.addf("%s: shorthand %s is not explained: add it to Workbook.Shorthand", at(), c.shorthand)
					}
				}
				if charted[ci] {
					bad.addf("%s: shorthand %s in a charted column would be plotted as zero; leave the row out of the table", at(), c.shorthand)
				}
				used[c.shorthand], tableUses[c.shorthand] = true, true
			} else if s, ok := c.value.(string); ok && strings.Contains(s, "[") {
				hasNotes = refs.check(at(), s) || hasNotes
			}
			row[ci] = c
		}
		for _, ch := range sp.charts {
			if ch.target >= 0 {
				row[ch.target] = targetCell(ch.Target.Value, sp.columns[ch.target].Kind)
			}
		}
		sp.rows = append(sp.rows, row)
	}
	sp.lines = append(sheetSummary(len(t.Charts)), t.Description...)
	if hasNotes {
		sp.lines = append(sp.lines, "Some cells refer to notes which can be found on the Notes worksheet.")
	}
	if len(tableUses) > 0 {
		sp.lines = append(sp.lines, fmt.Sprintf("Some cells contain shorthand (%s), explained on the Cover worksheet.", strings.Join(sortedShorthand(tableUses), ", ")))
	}
	return sp
}

// targetOwner is the index of the first chart whose target has the given header.
func targetOwner(charts []Chart, header string) int {
	return slices.IndexFunc(charts, func(c Chart) bool { return c.Target != nil && c.Target.Header == header })
}

// targetCell is a target's value as a cell of a column of kind k.
func targetCell(v float64, k Kind) cell {
	if k == Count && v == math.Trunc(v) {
		return cell{value: int64(v)}
	}
	return cell{value: v}
}

// chartedColumns marks the columns whose values a chart plots.
func chartedColumns(charts []Chart, n int) []bool {
	charted := make([]bool, n)
	for _, ch := range charts {
		for _, s := range ch.Series {
			if s >= 0 && s < n {
				charted[s] = true
			}
		}
	}
	return charted
}

// sheetSummary is the first line under a table's title, telling screen-reader users what
// the sheet holds before they reach it.
func sheetSummary(charts int) []string {
	switch charts {
	case 0:
		return []string{"This worksheet contains one table."}
	case 1:
		return []string{"This worksheet contains one table and one chart, to the right of the table."}
	}
	n := strconv.Itoa(charts)
	if charts < 10 {
		n = [...]string{2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}[charts]
	}
	return []string{"This worksheet contains one table and " + n + " charts, to the right of the table."}
}

// checkHeaders requires a unique, non-blank header for every column (Excel renames
// duplicates of a table's headers) and a unit in brackets for every numeric column.
func checkHeaders(cols []Column, where string, refs noteChecker, bad *problems) bool {
	seen := map[string]bool{}
	hasNotes := false
	for i, c := range cols {
		cw := fmt.Sprintf("%s column %d", where, i+1)
		h := strings.TrimSpace(c.Header)
		switch {
		case h == "":
			bad.addf("%s has no header", cw)
			continue
		case seen[strings.ToLower(h)]:
			bad.addf("%s: header %q is used twice in the table", cw, c.Header)
		case strings.ContainsAny(c.Header, "\r\n"):
			bad.addf("%s: header %q must be one line", cw, c.Header)
		}
		seen[strings.ToLower(h)] = true
		if c.Kind < Text || c.Kind >= numKinds {
			bad.addf("%s: unknown kind %d", cw, int(c.Kind))
		}
		if c.Kind.numeric() {
			unit := unitInHeader.FindStringSubmatch(noteRef.ReplaceAllString(c.Header, ""))
			switch {
			case unit == nil:
				bad.addf("%s: header %q has no unit in brackets, such as (number) or (percent)", cw, c.Header)
			case c.Kind == Percent && !strings.Contains(strings.ToLower(unit[1]), "percent") && !strings.Contains(unit[1], "%"):
				bad.addf("%s: header %q of a percent column should give its unit as (percent)", cw, c.Header)
			}
		}
		if c.Width < 0 || c.Width > 255 {
			bad.addf("%s: width %g is outside 0 to 255", cw, c.Width)
		}
		hasNotes = refs.check(cw+" header", c.Header) || hasNotes
	}
	return hasNotes
}

func checkChart(ch Chart, cols []Column, where string, bad *problems) {
	if ch.Kind != LineChart && ch.Kind != ColumnChart {
		bad.addf("%s: unknown chart kind %d", where, int(ch.Kind))
	}
	if strings.TrimSpace(ch.Title) == "" {
		bad.addf("%s has no title", where)
	}
	if strings.TrimSpace(ch.AltText) == "" {
		bad.addf("%s has no alt text: describe what the chart shows for screen-reader users", where)
	}
	if strings.TrimSpace(ch.XAxisTitle) == "" || strings.TrimSpace(ch.YAxisTitle) == "" {
		bad.addf("%s needs titles on both axes", where)
	}
	if ch.Category < 0 || ch.Category >= len(cols) {
		bad.addf("%s: category column %d is not a column of the table", where, ch.Category)
	}
	if len(ch.Series) == 0 {
		bad.addf("%s plots no series", where)
	}
	for _, s := range ch.Series {
		switch {
		case s < 0 || s >= len(cols):
			bad.addf("%s: series column %d is not a column of the table", where, s)
		case s == ch.Category:
			bad.addf("%s: column %d is both the category and a series", where, s)
		case !cols[s].Kind.numeric():
			bad.addf("%s: series column %q is not numeric", where, cols[s].Header)
		}
	}
	if ch.Target != nil && strings.TrimSpace(ch.Target.Header) == "" {
		bad.addf("%s: the target has no header", where)
	}
}

// toCell checks a caller's value against its column's kind. The error is "" when the
// value is good.
func toCell(v Cell, k Kind) (cell, string) {
	if s, ok := v.(string); ok && shorthandLike.MatchString(s) {
		v = Shorthand(s)
	}
	switch x := v.(type) {
	case nil:
		return cell{}, "the cell is blank; use a shorthand such as [x] (not available) or [z] (not applicable)"
	case Shorthand:
		if !shorthandLike.MatchString(string(x)) {
			return cell{}, fmt.Sprintf("shorthand %q is not of the form [x]", string(x))
		}
		return cell{value: string(x), shorthand: x}, ""
	case string:
		if k != Text {
			return cell{}, fmt.Sprintf("text %q in a %s column: write numbers as numbers", x, k)
		}
		if strings.TrimSpace(x) == "" {
			return cell{}, "the cell is blank; use a shorthand such as [x] (not available) or [z] (not applicable)"
		}
		if utf8.RuneCountInString(x) > maxCellText {
			return cell{}, fmt.Sprintf("the text is longer than Excel's %d characters", maxCellText)
		}
		return cell{value: x}, ""
	case int:
		return number(float64(x), int64(x), true, k)
	case int64:
		return number(float64(x), x, true, k)
	case float64:
		return number(x, int64(x), false, k)
	case time.Time:
		if k != Date {
			return cell{}, fmt.Sprintf("a date in a %s column", k)
		}
		return cell{value: excelDate(x)}, ""
	}
	return cell{}, fmt.Sprintf("unsupported value of type %T", v)
}

// number checks a number against its column's kind.
func number(f float64, i int64, integer bool, k Kind) (cell, string) {
	switch {
	case !k.numeric():
		return cell{}, fmt.Sprintf("number %v in a %s column", f, k)
	case math.IsNaN(f) || math.IsInf(f, 0):
		return cell{}, "the value is not a number; use a shorthand such as [x]"
	case k == Count && f != math.Trunc(f):
		return cell{}, fmt.Sprintf("%v in a count column is not a whole number", f)
	case integer || (k == Count && math.Abs(f) < 1<<53):
		return cell{value: i}, ""
	}
	return cell{value: f}, ""
}

// excelDate is the serial number of t's calendar date in Excel's 1900 date system.
func excelDate(t time.Time) float64 {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return math.Round(day.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// sortedShorthand lists markers in a fixed order, whatever order they were met in.
func sortedShorthand(set map[Shorthand]bool) []string {
	var out []string
	for s := range set {
		out = append(out, string(s))
	}
	slices.Sort(out)
	return out
}

// shorthandCover explains on the cover each marker the tables use.
func shorthandCover(used map[Shorthand]bool, explained map[Shorthand]string) []CoverItem {
	if len(used) == 0 {
		return nil
	}
	var items []CoverItem
	for i, s := range sortedShorthand(used) {
		text, ok := explained[Shorthand(s)]
		if !ok {
			text = DefaultShorthand[Shorthand(s)]
		}
		item := CoverItem{Text: s + " " + text}
		if i == 0 {
			item.Heading = "Shorthand used in this workbook"
		}
		items = append(items, item)
	}
	return items
}

// contentsSheet lists the sheets after it, each name linking to the sheet's A1.
func contentsSheet(tables []*sheetPlan, notes bool) *sheetPlan {
	sp := &sheetPlan{
		name:  SheetContents,
		title: "Contents",
		lines: []string{
			"This worksheet contains one table.",
			"Select a sheet name to go to that sheet.",
		},
		columns: []Column{{Header: "Sheet name"}, {Header: "Table title", Width: 90}},
	}
	add := func(sheet, title string) {
		sp.rows = append(sp.rows, []cell{{value: sheet, link: sheetA1(sheet)}, {value: title}})
	}
	if notes {
		add(SheetNotes, "Notes used in this workbook")
	}
	for _, t := range tables {
		add(t.name, t.title)
	}
	return sp
}

func notesSheet(notes []Note) *sheetPlan {
	sp := &sheetPlan{
		name:  SheetNotes,
		title: "Notes",
		lines: []string{
			"This worksheet contains one table.",
			"Titles, column headings and cells refer to these notes by their number.",
		},
		columns: []Column{{Header: "Note number"}, {Header: "Note text", Width: 100}},
	}
	for _, n := range notes {
		sp.rows = append(sp.rows, []cell{{value: fmt.Sprintf("[note %d]", n.Number)}, {value: n.Text}})
	}
	return sp
}

// sheetA1 is the location of a sheet's A1 in a link or formula.
func sheetA1(sheet string) string { return sheetref.Quote(sheet) + "!A1" }

var cellLike = regexp.MustCompile(`^([A-Za-z]{1,3}[0-9]+|[RrCc]|[Rr][0-9]*[Cc][0-9]*)$`)

// tableName derives a valid, unique Excel table name from a sheet name: letters, digits
// and underscores, not starting with a digit and not readable as a cell reference.
func tableName(sheet string, taken map[string]bool) string {
	var b strings.Builder
	lastUnderscore := false
	for _, r := range sheet {
		ok := r < utf8.RuneSelf && (r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		if !ok {
			r = '_'
		}
		if r == '_' && lastUnderscore {
			continue
		}
		lastUnderscore = r == '_'
		b.WriteRune(r)
	}
	name := strings.Trim(b.String(), "_")
	if name == "" || name[0] >= '0' && name[0] <= '9' || cellLike.MatchString(name) {
		name = "Table_" + name
	}
	name = strings.TrimRight(name, "_")
	unique := name
	for i := 2; taken[strings.ToLower(unique)]; i++ {
		unique = name + "_" + strconv.Itoa(i)
	}
	taken[strings.ToLower(unique)] = true
	return unique
}
