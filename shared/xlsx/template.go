// Package xlsx adapts the quarterly return to Excel: it writes the template that
// departmental analysts fill in and reads filled workbooks back. Every input cell of the
// template carries a workbook-scoped defined name equal to its field key, and the parser
// reads by those names only, so the layout can change between template versions without
// breaking old files or tools that fill the template by name.
package xlsx

import (
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// TemplateVersion identifies this layout of the template. It is written into the
// workbook as the cell named template_version.
const TemplateVersion = "2026.1"

// Sheet and defined names of the template.
const (
	SheetInstructions   = "Instructions"
	SheetReturn         = "Return"
	SheetLists          = "Lists"
	NameTemplateVersion = "template_version"

	nameOrganisations = "list_organisations"
	namePeriods       = "list_periods"
	nameYesNo         = "list_yes_no"
)

// templateDate is written as the document's created and modified time, so the same
// options always produce the same bytes (a cached or compared template does not change
// with the clock).
const templateDate = "2026-04-01T00:00:00Z"

// TemplateOptions chooses what the template's drop-downs offer and what is filled in.
type TemplateOptions struct {
	Organisations []workforce.Organisation // the organisation drop-down, by code, with names on the Lists sheet
	Periods       []period.Quarter         // the quarter drop-down, in canonical form
	Prefill       map[string]string        // field key -> value to fill in, such as org and period
}

// Columns of the Return sheet.
const (
	colKey   = "A" // the field key, which is also the input cell's defined name
	colLabel = "B"
	colHelp  = "C"
	colInput = "D"
	colCheck = "E"

	firstBodyRow = 6 // the row after the column headings
)

// Template builds the XLSX template.
func Template(opts TemplateOptions) ([]byte, error) {
	for key := range opts.Prefill {
		if _, ok := workforce.FieldByKey(key); !ok {
			return nil, workforce.Errorf(workforce.EBadRequest, "Cannot pre-fill %q: it is not a field of the return.", key)
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &builder{f: f, opts: opts, inputs: map[string]string{}}
	steps := []func() error{
		b.newStyles, b.sheets, b.lists, b.instructions, b.returnSheet, b.protect, b.properties,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("xlsx template: %w", err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("xlsx template: %w", err)
	}
	return buf.Bytes(), nil
}

// builder carries the state of one template while it is written.
type builder struct {
	f    *excelize.File
	opts TemplateOptions
	s    styleIDs

	inputs    map[string]string // field key -> input cell on the Return sheet (D12)
	orgTable  string            // Lists range for looking up an organisation's name and kind, "" if none
	periodTbl string            // Lists range for looking up a quarter's months and reference date
}

type styleIDs struct {
	title, heading, body, version                     int
	header, section, intro, key, label, help, total   int
	check, summary, checkOK, checkBad                 int
	inputCount, inputFTE, inputText, inputNotes, list int
}

func (b *builder) newStyles() error {
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(s)
		return id
	}
	cond := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewConditionalStyle(s)
		return id
	}
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	border := []excelize.Border{
		{Type: "left", Color: "7F7F7F", Style: 1}, {Type: "right", Color: "7F7F7F", Style: 1},
		{Type: "top", Color: "7F7F7F", Style: 1}, {Type: "bottom", Color: "7F7F7F", Style: 1},
	}
	fill := func(rgb string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{rgb}}
	}
	// Input cells: light yellow with a border, unlocked so that they can be typed in
	// while the rest of the sheet is protected.
	input := func(numFmt int, align *excelize.Alignment) *excelize.Style {
		return &excelize.Style{
			Fill: fill("FFF2CC"), Border: border, NumFmt: numFmt, Alignment: align,
			Protection: &excelize.Protection{Locked: false},
		}
	}
	const (
		fmtText    = 49 // @
		fmtCount   = 3  // #,##0
		fmtDecimal = 4  // #,##0.00
	)
	b.s = styleIDs{
		title:      style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}}),
		heading:    style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}, Alignment: &excelize.Alignment{Vertical: "bottom"}}),
		body:       style(&excelize.Style{Alignment: top}),
		version:    style(&excelize.Style{NumFmt: fmtText, Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "left"}}),
		header:     style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("D9D9D9"), Border: border, Alignment: top}),
		section:    style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Fill: fill("DDEBF7"), Alignment: &excelize.Alignment{Vertical: "center"}}),
		intro:      style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "404040"}}),
		key:        style(&excelize.Style{Font: &excelize.Font{Size: 9, Color: "595959"}, Alignment: top}),
		label:      style(&excelize.Style{Alignment: top}),
		help:       style(&excelize.Style{Font: &excelize.Font{Color: "404040"}, Alignment: top}),
		total:      style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("F2F2F2"), Border: border, NumFmt: fmtCount, Alignment: top}),
		check:      style(&excelize.Style{Alignment: top}),
		summary:    style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top}),
		checkOK:    cond(&excelize.Style{Font: &excelize.Font{Color: "006100"}, Fill: fill("E2EFDA")}),
		checkBad:   cond(&excelize.Style{Font: &excelize.Font{Color: "9C0006"}, Fill: fill("FFC7CE")}),
		inputCount: style(input(fmtCount, &excelize.Alignment{Vertical: "top"})),
		inputFTE:   style(input(fmtDecimal, &excelize.Alignment{Vertical: "top"})),
		inputText:  style(input(fmtText, &excelize.Alignment{Vertical: "top", Horizontal: "left"})),
		inputNotes: style(input(fmtText, &excelize.Alignment{Vertical: "top", Horizontal: "left", WrapText: true})),
		list:       style(&excelize.Style{NumFmt: fmtText}),
	}
	return err
}

// sheets creates the three sheets in order: Instructions first, so that it is what
// opens, then Return, then the hidden Lists that feed the drop-downs.
func (b *builder) sheets() error {
	if err := b.f.SetSheetName("Sheet1", SheetInstructions); err != nil {
		return err
	}
	for _, name := range []string{SheetReturn, SheetLists} {
		if _, err := b.f.NewSheet(name); err != nil {
			return err
		}
	}
	b.f.SetActiveSheet(0)
	return b.f.SetSheetVisible(SheetLists, false)
}

// lists writes the drop-down sources on the Lists sheet and names them.
func (b *builder) lists() error {
	orgs := slices.Clone(b.opts.Organisations)
	slices.SortStableFunc(orgs, func(x, y workforce.Organisation) int { return strings.Compare(x.Code, y.Code) })
	rows := [][]any{{"Organisation code", "Organisation name", "Kind", nil, "Quarter", "Months", "Reference date", nil, "Answer"}}
	row := func(i int) []any {
		for len(rows) <= i {
			rows = append(rows, make([]any, 9))
		}
		return rows[i]
	}
	for i, o := range orgs {
		r := row(i + 1)
		r[0], r[1], r[2] = o.Code, o.Name, string(o.Kind)
	}
	for i, q := range b.opts.Periods {
		r := row(i + 1)
		r[4], r[5], r[6] = q.String(), q.Label(), q.ReferenceDate().Format("2 January 2006")
	}
	for i, a := range []string{"yes", "no"} {
		row(i + 1)[8] = a
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := b.f.SetSheetRow(SheetLists, cell, &r); err != nil {
			return err
		}
	}
	if err := b.f.SetCellStyle(SheetLists, "A1", fmt.Sprintf("I%d", len(rows)), b.s.list); err != nil {
		return err
	}
	for _, w := range []struct {
		cols  string
		width float64
	}{{"A", 18}, {"B", 50}, {"C", 18}, {"D", 3}, {"E", 12}, {"F", 24}, {"G", 18}, {"H", 3}, {"I", 10}} {
		if err := b.f.SetColWidth(SheetLists, w.cols, w.cols, w.width); err != nil {
			return err
		}
	}
	names := []excelize.DefinedName{{Name: nameYesNo, RefersTo: "Lists!$I$2:$I$3", Comment: "Answers for yes/no questions"}}
	if n := len(orgs); n > 0 {
		names = append(names, excelize.DefinedName{Name: nameOrganisations, RefersTo: fmt.Sprintf("Lists!$A$2:$A$%d", n+1), Comment: "Organisation codes"})
		b.orgTable = fmt.Sprintf("Lists!$A$2:$C$%d", n+1)
	}
	if n := len(b.opts.Periods); n > 0 {
		names = append(names, excelize.DefinedName{Name: namePeriods, RefersTo: fmt.Sprintf("Lists!$E$2:$E$%d", n+1), Comment: "Quarters"})
		b.periodTbl = fmt.Sprintf("Lists!$E$2:$G$%d", n+1)
	}
	for _, n := range names {
		if err := b.f.SetDefinedName(&n); err != nil {
			return err
		}
	}
	return nil
}

// instructionParagraphs is the text of the Instructions sheet: a heading (h) or a
// paragraph (p) per row.
var instructionParagraphs = []struct{ kind, text string }{
	{"h", "What this return is"},
	{"p", "Every quarter, each government organisation reports on its digital, data and technology (DDaT) workforce and its digital leadership. The figures measure progress on the government's commitments: at least 6% of civil servants in the DDaT profession, 2,500 new early-career entrants to the profession, a digital leader on every executive committee and board, digital and data skills assessed for every new director and director general, and succession plans for senior digital and data roles."},
	{"h", "The reference date"},
	{"p", "Count staff in post on the reference date, the last day of the quarter. Quarters follow the financial year, which starts in April: Q1 is April to June (reference date 30 June), Q2 is July to September (30 September), Q3 is October to December (31 December) and Q4 is January to March (31 March). Entrants, appointments and learning are counted over the whole quarter."},
	{"p", "Quarters are written as 2025-26-Q1: the financial year, then the quarter. Choose yours from the drop-down list."},
	{"h", "Who counts"},
	{"p", "Count civil servants in post, as a headcount and as full-time equivalent (FTE). Do not count contractors, consultants or agency staff."},
	{"p", "The DDaT profession means staff recorded in your HR system as members of the Digital, Data and Technology profession. Put staff whose profession is not recorded in 'Headcount with profession not recorded'. The job family and grade breakdowns must each add up to the DDaT headcount; use the 'not recorded' rows for anyone you cannot place."},
	{"p", "Local-government bodies answer only 'About this return' and 'Digital leadership'. Leave the workforce, job family, grade and entrants sections blank."},
	{"h", "How to fill it in"},
	{"p", "Fill in the yellow cells on the Return sheet. Choose the organisation, quarter and yes/no answers from the drop-down lists. Counts are whole numbers; FTE may have up to 2 decimal places. Enter 0 when the answer is none, rather than leaving the cell blank."},
	{"p", "Column E of the Return sheet checks your figures as you type. Every check must say OK before you submit. The service runs the same checks when you submit and lists anything still wrong."},
	{"p", "Do not delete rows or move the yellow cells. Each yellow cell has a name (shown in column A, and in the Name Box when you select the cell) which the service reads, so the names must stay on the cells. You can add your own working on a new sheet."},
	{"p", "The sheets are protected, without a password, so that questions and checks are not changed by accident. If you need to change them, use Review > Unprotect Sheet."},
	{"h", "How to submit"},
	{"p", "Save the workbook as an Excel workbook (.xlsx), without a password, and upload it to the DDaT workforce returns service (POST /returns). Old .xls files and macro-enabled .xlsm files are not accepted. Returns are due 30 days after the reference date."},
	{"p", "To correct a return, submit it again. Every submission is kept as a new version, and the latest one counts."},
	{"p", "Systems can fill this template by the cell names, or send the same fields as CSV (a field,value header) or JSON, using the names in column A of the Return sheet."},
	{"h", "Template version"},
}

// instructionsWidth is the width of the Instructions sheet's only column.
const instructionsWidth = 85

func (b *builder) instructions() error {
	const sh = SheetInstructions
	if err := b.f.SetColWidth(sh, "A", "A", instructionsWidth); err != nil {
		return err
	}
	set := func(row int, text string, style int, height float64) error {
		cell := fmt.Sprintf("A%d", row)
		if err := b.f.SetCellStr(sh, cell, text); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(sh, cell, cell, style); err != nil {
			return err
		}
		return b.f.SetRowHeight(sh, row, height)
	}
	if err := set(1, "DDaT workforce quarterly return", b.s.title, 24); err != nil {
		return err
	}
	row := 2
	for _, p := range instructionParagraphs {
		var err error
		if p.kind == "h" {
			row++ // a blank row before each heading
			err = set(row, p.text, b.s.heading, 20)
		} else {
			err = set(row, p.text, b.s.body, rowHeight(instructionsWidth, p.text))
		}
		if err != nil {
			return err
		}
		row++
	}
	cell := fmt.Sprintf("A%d", row)
	if err := set(row, TemplateVersion, b.s.version, 15); err != nil {
		return err
	}
	if err := fitToPageWidth(b.f, sh, "portrait"); err != nil {
		return err
	}
	return b.f.SetDefinedName(&excelize.DefinedName{
		Name: NameTemplateVersion, RefersTo: absRef(sh, cell), Comment: "Version of the DDaT return template",
	})
}

// localGovNote is added to the intro of the sections local-government bodies skip.
const localGovNote = " Local-government bodies: leave this section blank."

// totalRows are calculated rows that follow the last field of a breakdown, showing its
// sum beside the check that it adds up.
var totalRows = []struct {
	label string
	keys  []string
	check func() string
}{
	{"Total of job families (calculated)", workforce.FamilyKeys, func() string {
		return addsUpTo(workforce.FamilyKeys, "Job families add up to ")
	}},
	{"Total of grades (calculated)", workforce.GradeKeys, func() string {
		return addsUpTo(workforce.GradeKeys, "Grades add up to ")
	}},
	{"Early-career entrants (calculated)", workforce.EarlyCareerKeys, func() string {
		s := sum(workforce.EarlyCareerKeys)
		return fmt.Sprintf(`IF(%s<=%s,"OK","Early-career entrants ("&%s&") are more than all entrants to DDaT ("&%s&")")`,
			s, n(workforce.KeyEntrantsTotal), whole(s), whole(n(workforce.KeyEntrantsTotal)))
	}},
}

func (b *builder) returnSheet() error {
	const sh = SheetReturn
	for _, w := range []struct {
		col   string
		width float64
	}{{colKey, 34}, {colLabel, 46}, {colHelp, 60}, {colInput, 30}, {colCheck, 58}} {
		if err := b.f.SetColWidth(sh, w.col, w.col, w.width); err != nil {
			return err
		}
	}
	w := &rowWriter{f: b.f, sheet: sh}
	w.text(1, colKey, "DDaT workforce quarterly return", b.s.title)
	w.height(1, 24)
	w.text(2, colKey, "Fill in the yellow cells. Column E checks your figures as you type: every check must say OK before you submit. Local-government bodies answer only 'About this return' and 'Digital leadership'.", b.s.intro)
	w.text(3, colKey, "Checks", b.s.summary)
	for i, h := range []string{"Field key (cell name)", "Question", "Guidance", "Your answer", "Check"} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w.text(5, col, h, b.s.header)
	}

	// First pass: lay out the rows, so that every input cell is known before the check
	// formulas refer to them.
	type pendingCheck struct{ cell, formula string }
	var checks []pendingCheck
	row := firstBodyRow
	for _, sec := range workforce.Sections {
		row++ // a blank row before each section
		w.text(row, colKey, sec.Title, b.s.section)
		for _, col := range []string{colLabel, colHelp, colInput, colCheck} {
			w.style(row, col, b.s.section)
		}
		w.height(row, 20)
		row++
		intro := sec.Intro
		if !sectionApplies(sec, workforce.LocalGovernment) {
			intro += localGovNote
		}
		w.text(row, colKey, intro, b.s.intro)
		row++
		for _, fld := range workforce.Fields {
			if fld.Section.ID != sec.ID {
				continue
			}
			input := fmt.Sprintf("%s%d", colInput, row)
			b.inputs[fld.Key] = input
			w.text(row, colKey, fld.Key, b.s.key)
			w.text(row, colLabel, fld.Label, b.s.label)
			w.text(row, colHelp, fld.Help, b.s.help)
			w.style(row, colInput, b.inputStyle(fld))
			w.height(row, max(rowHeight(46, fld.Label), rowHeight(60, fld.Help)))
			if fld.Key == workforce.KeyNotes {
				w.height(row, 75)
			}
			if formula := b.checkFor(fld.Key); formula != "" {
				checks = append(checks, pendingCheck{fmt.Sprintf("%s%d", colCheck, row), formula})
			}
			row++
			for _, t := range totalRows {
				if t.keys[len(t.keys)-1] != fld.Key {
					continue
				}
				w.text(row, colLabel, t.label, b.s.label)
				w.formula(row, colInput, sum(t.keys), b.s.total)
				checks = append(checks, pendingCheck{fmt.Sprintf("%s%d", colCheck, row), t.check()})
				row++
			}
		}
	}
	if w.err != nil {
		return w.err
	}
	for _, c := range checks {
		if err := b.f.SetCellFormula(sh, c.cell, c.formula); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(sh, c.cell, c.cell, b.s.check); err != nil {
			return err
		}
		if err := b.checkColours(c.cell); err != nil {
			return err
		}
	}
	// The summary counts the checks that say OK: it refers to the check cells, which
	// refer to the inputs by name.
	rng := fmt.Sprintf("%s%d:%s%d", colCheck, firstBodyRow, colCheck, row)
	summary := fmt.Sprintf(`IF(COUNTIF(%[1]s,"OK*")=%[2]d,"All %[2]d checks say OK","Checks still to put right: "&(%[2]d-COUNTIF(%[1]s,"OK*")))`, rng, len(checks))
	if err := b.f.SetCellFormula(sh, colCheck+"3", summary); err != nil {
		return err
	}
	if err := b.f.SetCellStyle(sh, colCheck+"3", colCheck+"3", b.s.summary); err != nil {
		return err
	}
	if err := b.checkColours(colCheck + "3"); err != nil {
		return err
	}

	for _, fld := range workforce.Fields {
		if err := b.inputCell(fld); err != nil {
			return fmt.Errorf("field %s: %w", fld.Key, err)
		}
	}
	if err := b.f.SetPanes(sh, &excelize.Panes{
		Freeze: true, YSplit: firstBodyRow - 1, TopLeftCell: fmt.Sprintf("A%d", firstBodyRow), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}
	return fitToPageWidth(b.f, sh, "landscape")
}

// fitToPageWidth prints a sheet one page wide, as many pages long as it needs.
func fitToPageWidth(f *excelize.File, sheet, orientation string) error {
	wide, tall := 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	fit := true
	return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// sectionApplies reports whether any field of the section applies to kind k.
func sectionApplies(s workforce.Section, k workforce.OrgKind) bool {
	for _, f := range workforce.Fields {
		if f.Section.ID == s.ID && f.AppliesTo(k) {
			return true
		}
	}
	return false
}

func (b *builder) inputStyle(f workforce.Field) int {
	switch {
	case f.Type == workforce.TypeCount:
		return b.s.inputCount
	case f.Type == workforce.TypeFTE:
		return b.s.inputFTE
	case f.Key == workforce.KeyNotes:
		return b.s.inputNotes
	default:
		return b.s.inputText
	}
}

// inputCell names the field's input cell, adds its data validation and pre-fills it.
func (b *builder) inputCell(fld workforce.Field) error {
	const sh = SheetReturn
	cell := b.inputs[fld.Key]
	if err := b.f.SetDefinedName(&excelize.DefinedName{Name: fld.Key, RefersTo: absRef(sh, cell)}); err != nil {
		return err
	}
	if dv := b.validation(fld); dv != nil {
		dv.Sqref = cell
		if err := b.f.AddDataValidation(sh, dv); err != nil {
			return err
		}
	}
	v, ok := b.opts.Prefill[fld.Key]
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	v = strings.TrimSpace(v)
	// Numbers are written as numbers so that the checks and formats work on them.
	if fld.Numeric() {
		if x, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
			return b.f.SetCellFloat(sh, cell, x, -1, 64)
		}
	}
	return b.f.SetCellStr(sh, cell, v)
}

// validation is the data validation of a field's input cell, nil if it has none.
func (b *builder) validation(fld workforce.Field) *excelize.DataValidation {
	dv := excelize.NewDataValidation(true)
	list := func(name, title, msg string) *excelize.DataValidation {
		dv.SetSqrefDropList(name)
		dv.SetError(excelize.DataValidationErrorStyleStop, title, msg)
		return dv
	}
	var kind string // what the cell takes, the prompt's title when the label is too long for one
	switch fld.Type {
	case workforce.TypeOrg:
		if b.orgTable == "" {
			return nil
		}
		kind = "Organisation"
		list(nameOrganisations, kind, "Choose your organisation's code from the list.")
	case workforce.TypePeriod:
		if b.periodTbl == "" {
			return nil
		}
		kind = "Quarter"
		list(namePeriods, kind, "Choose the quarter from the list, for example 2025-26-Q1.")
	case workforce.TypeYesNo:
		kind = "Yes or no"
		list(nameYesNo, kind, "Choose yes or no.")
	case workforce.TypeCount:
		// Set directly rather than with SetRange, which also writes an unused formula2.
		kind = "Whole number"
		dv.Type, dv.Operator, dv.Formula1 = "whole", "greaterThanOrEqual", strconv.FormatInt(fld.Min, 10)
		dv.SetError(excelize.DataValidationErrorStyleStop, kind, fmt.Sprintf("Enter a whole number, %d or more.", fld.Min))
	case workforce.TypeFTE:
		kind = "Full-time equivalent"
		dv.Type, dv.Operator, dv.Formula1 = "decimal", "greaterThanOrEqual", "0"
		dv.SetError(excelize.DataValidationErrorStyleStop, kind, "Enter a number, 0 or more, with up to 2 decimal places.")
	case workforce.TypeText, workforce.TypeEmail:
		if fld.MaxLen == 0 {
			return nil
		}
		kind = fmt.Sprintf("Text, up to %s characters", numfmt.Int(int64(fld.MaxLen)))
		dv.Type, dv.Operator, dv.Formula1 = "textLength", "lessThanOrEqual", strconv.Itoa(fld.MaxLen)
		dv.SetError(excelize.DataValidationErrorStyleStop, "Too long", fmt.Sprintf("Use up to %s characters.", numfmt.Int(int64(fld.MaxLen))))
	default:
		return nil
	}
	// Excel limits an input prompt's title to 32 characters and its text to 255.
	title := fld.Label
	if utf8.RuneCountInString(title) > 32 {
		title = kind
	}
	prompt := fld.Help
	if prompt == "" {
		prompt = fld.Section.Intro
	}
	dv.SetInput(title, truncate(prompt, 255))
	return dv
}

// checkFor is the running check shown beside a field, "" if it has none. Checks refer to
// inputs by their defined names and treat a blank as 0 (N()), so an untouched section
// (a local-government body's workforce figures) says OK.
func (b *builder) checkFor(key string) string {
	switch key {
	case workforce.KeyOrg:
		if b.orgTable == "" {
			return `IF(LEN(org)=0,"Enter your organisation's code","OK")`
		}
		look := func(col int) string { return fmt.Sprintf("VLOOKUP(org,%s,%d,FALSE)", b.orgTable, col) }
		return fmt.Sprintf(`IF(LEN(org)=0,"Choose your organisation",IFERROR("OK: "&%s&IF(%s="local_government"," (local government: answer 'About this return' and 'Digital leadership' only)",""),"Choose your organisation from the list"))`,
			look(2), look(3))
	case workforce.KeyPeriod:
		if b.periodTbl == "" {
			return `IF(LEN(period)=0,"Enter the quarter, for example 2025-26-Q1","OK")`
		}
		look := func(col int) string { return fmt.Sprintf("VLOOKUP(period,%s,%d,FALSE)", b.periodTbl, col) }
		return fmt.Sprintf(`IF(LEN(period)=0,"Choose the quarter",IFERROR("OK: "&%s&"; count staff in post on "&%s,"Choose the quarter from the list"))`,
			look(2), look(3))
	case workforce.KeyFTE:
		return fmt.Sprintf(`IF(%s<=%s,"OK","FTE ("&%s&") is more than headcount ("&%s&")")`,
			n(key), n(workforce.KeyHeadcount), decimal(n(key)), whole(n(workforce.KeyHeadcount)))
	case workforce.KeyDDaTHeadcount:
		// ddat <= headcount - unknown, written in forms that excelize's calculator (which
		// the tests use) evaluates as Excel does: it stumbles on N(a)-N(b) inside IF.
		known := "SUM(" + workforce.KeyHeadcount + ",-" + n(workforce.KeyProfessionUnknown) + ")"
		return fmt.Sprintf(`IF(%s+%s<=%s,"OK","DDaT headcount ("&%s&") is more than headcount less those with profession not recorded ("&%s&")")`,
			n(key), n(workforce.KeyProfessionUnknown), n(workforce.KeyHeadcount), whole(n(key)), whole(known))
	case workforce.KeyDDaTFTE:
		return fmt.Sprintf(`IF(%[1]s>%[2]s,"DDaT FTE ("&%[4]s&") is more than DDaT headcount ("&%[5]s&")",IF(%[1]s>%[3]s,"DDaT FTE ("&%[4]s&") is more than total FTE ("&%[6]s&")","OK"))`,
			n(key), n(workforce.KeyDDaTHeadcount), n(workforce.KeyFTE),
			decimal(n(key)), whole(n(workforce.KeyDDaTHeadcount)), decimal(n(workforce.KeyFTE)))
	case workforce.KeyExecDigitalLeader, workforce.KeyBoardDigitalNED:
		return fmt.Sprintf(`IF(OR(%[1]s="yes",%[1]s="no"),"OK","Choose yes or no")`, key)
	case workforce.KeySeniorAppointmentsAssessed:
		return notMore(key, workforce.KeySeniorAppointments, "Directors and directors general assessed", "appointed")
	case workforce.KeyDigitalSeniorRolesSuccessor:
		return notMore(key, workforce.KeyDigitalSeniorRoles, "Roles with a succession plan", "roles")
	}
	return ""
}

// checkColours shades a check cell green when it says OK and red otherwise; the words
// carry the meaning, the colour only helps the eye.
func (b *builder) checkColours(cell string) error {
	ok := fmt.Sprintf(`LEFT($%s$%s,2)="OK"`, cell[:1], cell[1:])
	return b.f.SetConditionalFormat(SheetReturn, cell, []excelize.ConditionalFormatOptions{
		{Type: "formula", Criteria: ok, Format: &b.s.checkOK},
		{Type: "formula", Criteria: "NOT(" + ok + ")", Format: &b.s.checkBad},
	})
}

func (b *builder) protect() error {
	for _, sh := range []string{SheetInstructions, SheetReturn, SheetLists} {
		// No password: protection prevents accidents, not determined edits.
		if err := b.f.ProtectSheet(sh, &excelize.SheetProtectionOptions{
			SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) properties() error {
	full := true
	if err := b.f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}); err != nil {
		return err
	}
	return b.f.SetDocProps(&excelize.DocProperties{
		Title:          "DDaT workforce quarterly return",
		Subject:        "Quarterly return of the digital, data and technology (DDaT) workforce and digital leadership",
		Creator:        "DDaT workforce returns service",
		LastModifiedBy: "DDaT workforce returns service",
		Keywords:       "DDaT; workforce; quarterly return; template " + TemplateVersion,
		Description:    "Template version " + TemplateVersion + ". Fill in the yellow cells on the Return sheet; every input cell is named after its field key.",
		Category:       "Data collection",
		Version:        TemplateVersion,
		Language:       "en-GB",
		Created:        templateDate,
		Modified:       templateDate,
	})
}

// rowWriter writes cells of one sheet, keeping the first error.
type rowWriter struct {
	f     *excelize.File
	sheet string
	err   error
}

func (w *rowWriter) text(row int, col, s string, style int) {
	if w.err != nil {
		return
	}
	cell := fmt.Sprintf("%s%d", col, row)
	if s != "" {
		w.err = w.f.SetCellStr(w.sheet, cell, s)
	}
	w.style(row, col, style)
}

func (w *rowWriter) formula(row int, col, formula string, style int) {
	if w.err != nil {
		return
	}
	w.err = w.f.SetCellFormula(w.sheet, fmt.Sprintf("%s%d", col, row), formula)
	w.style(row, col, style)
}

func (w *rowWriter) style(row int, col string, style int) {
	if w.err != nil {
		return
	}
	cell := fmt.Sprintf("%s%d", col, row)
	w.err = w.f.SetCellStyle(w.sheet, cell, cell, style)
}

func (w *rowWriter) height(row int, h float64) {
	if w.err == nil {
		w.err = w.f.SetRowHeight(w.sheet, row, h)
	}
}

// Formula pieces. n(key) is the input's number, 0 when blank or text.
func n(key string) string        { return "N(" + key + ")" }
func sum(keys []string) string   { return "SUM(" + strings.Join(keys, ",") + ")" }
func whole(expr string) string   { return `TEXT(` + expr + `,"#,##0")` }
func decimal(expr string) string { return `TEXT(` + expr + `,"#,##0.00")` }
func absRef(sheet, cell string) string {
	col, row, _ := excelize.SplitCellName(cell)
	return fmt.Sprintf("%s!$%s$%d", quoteSheet(sheet), col, row)
}

// addsUpTo checks that a breakdown adds up to the DDaT headcount.
func addsUpTo(keys []string, what string) string {
	s, total := sum(keys), n(workforce.KeyDDaTHeadcount)
	return fmt.Sprintf(`IF(%s=%s,"OK","%s"&%s&" but DDaT headcount is "&%s)`, s, total, what, whole(s), whole(total))
}

// notMore checks that part does not exceed whole.
func notMore(part, of, partLabel, ofLabel string) string {
	return fmt.Sprintf(`IF(%s<=%s,"OK","%s ("&%s&") are more than %s ("&%s&")")`,
		n(part), n(of), partLabel, whole(n(part)), ofLabel, whole(n(of)))
}

// rowHeight estimates the height in points of a wrapped cell of the given column width:
// Excel does not fit row heights to wrapped text when it opens a file.
func rowHeight(width float64, text string) float64 {
	perLine := int(width * 1.1)
	lines := max(1, (utf8.RuneCountInString(text)+perLine-1)/perLine)
	return float64(lines)*15 + 3
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
