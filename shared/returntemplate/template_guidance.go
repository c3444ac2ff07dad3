package returntemplate

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// instructionParagraphs is the text of the Instructions sheet: a heading (h) or a
// paragraph (p) per row.
var instructionParagraphs = []struct{ kind, text string }{
	{"h", "What this return is"},
	{"p", "Every quarter, each government organisation reports on its digital, data and technology (DDaT) workforce and its digital leadership. The figures measure progress on the government's commitments for digital and data, which the service publishes beside them (GET /targets lists each commitment and its source)."},
	{"h", "The reference date"},
	{"p", "Count staff in post on the reference date, the last day of the quarter. Quarters follow the financial year, which starts in April: Q1 is April to June (reference date 30 June), Q2 is July to September (30 September), Q3 is October to December (31 December) and Q4 is January to March (31 March). Entrants and appointments are counted over the whole quarter. Everything else is counted on the reference date, including Civil Service Leadership Group members and how many of them have attended an AI immersion workshop at any time up to that date (not only in the quarter)."},
	{"p", "Quarters are written as 2025-26-Q1: the financial year, then the quarter. Choose yours from the drop-down list."},
	{"h", "Who counts"},
	{"p", "Count civil servants in post, as a headcount and as full-time equivalent (FTE). Do not count contractors, consultants or agency staff."},
	{"p", "The DDaT profession means staff recorded in your HR system as members of the Digital, Data and Technology profession. Put staff whose profession is not recorded in 'Headcount with profession not recorded'. The job family and grade breakdowns must each add up to the DDaT headcount; use the 'not recorded' rows for anyone you cannot place."},
	{"p", "Local-government bodies answer only 'About this return' and the two yes/no questions in 'Digital leadership'. Leave every other yellow cell blank."},
	{"h", "How to fill it in"},
	{"p", "Fill in the yellow cells on the Return sheet. Choose the organisation, quarter and yes/no answers from the drop-down lists. Counts are whole numbers; FTE may have up to 2 decimal places. Enter 0 when the answer is none, rather than leaving the cell blank."},
	{"p", "Column E of the Return sheet checks your figures as you type. Every check must say OK before you submit. The service runs the same checks when you submit and lists anything still wrong."},
	{"p", "Do not delete rows or move the yellow cells. Each yellow cell has a name (shown in column A, and in the Name Box when you select the cell) which the service reads, so the names must stay on the cells. You can add your own working on a new sheet."},
	{"p", "The sheets are protected, without a password, so that questions and checks are not changed by accident. If you need to change them, use Review > Unprotect Sheet."},
	{"h", "How to submit"},
	{"p", "Save the workbook as an Excel workbook (.xlsx), without a password, and upload it to the DDaT workforce returns service (POST /returns). Old .xls files and macro-enabled .xlsm files are not accepted. Returns are due 30 days after the reference date."},
	{"p", "To correct a return, submit it again, saying why in 'Reason for this revision' (the last question of 'About this return'): a correction without a reason is refused. Every submission is kept as a new version, and the latest one counts."},
	{"p", "Systems can fill this template by the cell names, or send the same fields as CSV (a field,value header) or JSON, using the names in column A of the Return sheet."},
	{"h", "Template version"},
	{"p", "The service accepts returns on the current version of this template only, shown below. A workbook made from an earlier template is refused: download the current one (GET /template, or from the portal), copy your figures into it and upload that."},
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
