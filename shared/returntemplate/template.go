// Package returntemplate adapts the quarterly return to Excel: it writes the template that
// departmental analysts fill in and reads filled workbooks back. Every input cell of the
// template carries a workbook-scoped defined name equal to its field key, and the parser
// reads by those names only, so the layout can change between template versions without
// breaking old files or tools that fill the template by name.
package returntemplate

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/sheetref"
	"github.com/ddat-workforce/returns/shared/workforce"
)

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
		r[4], r[5], r[6] = q.String(), q.Label(), period.LongDate(q.ReferenceDate())
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

// fitToPageWidth prints a sheet one page wide, as many pages long as it needs.
func fitToPageWidth(f *excelize.File, sheet, orientation string) error {
	wide, tall := 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	fit := true
	return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
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

func absRef(sheet, cell string) string {
	col, row, _ := excelize.SplitCellName(cell)
	return fmt.Sprintf("%s!$%s$%d", sheetref.Minimal(sheet), col, row)
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
