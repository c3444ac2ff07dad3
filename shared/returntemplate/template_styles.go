package returntemplate

import (
	"github.com/xuri/excelize/v2"
)

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
