package returntemplate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// localGovNote is what a section's intro tells local-government bodies, from the
// catalogue: to leave it blank, or which of its questions to answer; "" when they answer
// all of it.
func localGovNote(sec workforce.Section) string {
	var answer []string
	all := true
	for _, f := range workforce.Fields {
		if f.Section.ID != sec.ID {
			continue
		}
		if f.AppliesTo(workforce.LocalGovernment) {
			answer = append(answer, "'"+f.Label+"'")
		} else {
			all = false
		}
	}
	switch {
	case all:
		return ""
	case len(answer) == 0:
		return " Local-government bodies: leave this section blank."
	case len(answer) == 1:
		return " Local-government bodies: answer only " + answer[0] + " and leave the rest blank."
	}
	return " Local-government bodies: answer only " + strings.Join(answer[:len(answer)-1], ", ") + " and " + answer[len(answer)-1] + ", and leave the rest blank."
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
	w.text(2, colKey, "Fill in the yellow cells. Column E checks your figures as you type: every check must say OK before you submit. Local-government bodies answer only 'About this return' and the two yes/no questions in 'Digital leadership'.", b.s.intro)
	w.text(3, colKey, "Checks", b.s.summary)
	for i, h := range []string{"Field key (cell name)", "Question", "Guidance", "Your answer", "Check"} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w.text(5, col, h, b.s.header)
	}

	// First pass: lay out the rows, so that every input cell is known before the check
	// formulas refer to them.
	type pendingCheck struct{ cell, formula string }
	var checks []pendingCheck
	plan := planChecks(workforce.Rules, b.fieldCheck)
	row := firstBodyRow
	for _, sec := range workforce.Sections {
		row++ // a blank row before each section
		w.text(row, colKey, sec.Title, b.s.section)
		for _, col := range []string{colLabel, colHelp, colInput, colCheck} {
			w.style(row, col, b.s.section)
		}
		w.height(row, 20)
		row++
		intro := sec.Intro + localGovNote(sec)
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
			if fld.Multiline {
				w.height(row, 75) // room for a few lines of text
			}
			if formula := b.fieldCheck(fld.Key); formula != "" {
				checks = append(checks, pendingCheck{fmt.Sprintf("%s%d", colCheck, row), formula})
			}
			if rule, ok := plan.beside[fld.Key]; ok {
				checks = append(checks, pendingCheck{fmt.Sprintf("%s%d", colCheck, row), ruleCheck(rule)})
			}
			row++
			// A breakdown's calculated total, or a further check on this field, has a
			// row of its own.
			for _, rule := range plan.after[fld.Key] {
				w.text(row, colLabel, rule.Label, b.s.label)
				if len(rule.Left) > 1 {
					w.formula(row, colInput, sum(rule.Left), b.s.total)
				}
				checks = append(checks, pendingCheck{fmt.Sprintf("%s%d", colCheck, row), ruleCheck(rule)})
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

func (b *builder) inputStyle(f workforce.Field) int {
	switch {
	case f.Type == workforce.TypeCount:
		return b.s.inputCount
	case f.Type == workforce.TypeFTE:
		return b.s.inputFTE
	case f.Multiline:
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
