package gsswriter

import (
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/sheetref"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Write validates wb and writes it as an XLSX workbook. A workbook that breaks a rule of
// the guidance is refused with a *ValidationError listing every problem. The same
// Workbook always gives the same bytes.
func Write(wb Workbook) ([]byte, error) {
	p, err := makePlan(wb)
	if err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	defer f.Close()
	w := &writer{f: f, p: p}
	steps := []func() error{w.newStyles, w.sheets, w.cover, w.tables, w.views, w.properties}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	f.SetZipWriter(func(out io.Writer) excelize.ZipWriter { return newCanonicalZip(out, p.props.Modified) })
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return buf.Bytes(), nil
}

// Layout, in Excel's units: characters for widths, points for heights.
const (
	coverWidth     = 100 // the cover's only column, wide enough for a sentence a line
	minWidth       = 10
	maxTextWidth   = 60 // longer text wraps
	maxNumberWidth = 30
	lineHeight     = 15 // one line of 11-point text
	titleHeight    = 24

	chartWidth  = 640 // pixels
	chartHeight = 360
	chartGap    = 20

	tableStyle = "TableStyleLight1"
)

// Colours of the Analysis Function's accessible categorical palette, in order, and the
// dark grey of a target line.
var (
	seriesColours = []string{"12436D", "28A197", "801650", "F46A25", "3D3D3D", "A285D1"}
	targetColour  = "3D3D3D"
)

// writer carries one workbook while it is written.
type writer struct {
	f *excelize.File
	p *plan
	s styles
}

type styles struct {
	title, subtitle, body, link, contentsLink int
	header, data, wrapped, shorthand          [numKinds]int
}

func (w *writer) newStyles() error {
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = w.f.NewStyle(s)
		return id
	}
	const (
		fmtText    = 49 // @
		fmtCount   = 3  // #,##0
		fmtDecimal = 4  // #,##0.00
	)
	percent, date := "0.0%", "d mmmm yyyy"
	linkFont := &excelize.Font{Color: "0563C1", Underline: "single"}
	w.s.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 15}})
	w.s.subtitle = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	w.s.body = style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	w.s.link = style(&excelize.Style{Font: linkFont, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	w.s.contentsLink = style(&excelize.Style{NumFmt: fmtText, Font: linkFont, Alignment: &excelize.Alignment{Vertical: "top"}})
	for k := range numKinds {
		// Numbers, and the shorthand standing in for them, line up on the right.
		horizontal := "left"
		if k.numeric() || k == Date {
			horizontal = "right"
		}
		w.s.header[k] = style(&excelize.Style{Font: &excelize.Font{Bold: true},
			Alignment: &excelize.Alignment{Horizontal: horizontal, Vertical: "top", WrapText: true}})
		w.s.shorthand[k] = style(&excelize.Style{NumFmt: fmtText,
			Alignment: &excelize.Alignment{Horizontal: horizontal, Vertical: "top"}})
		data := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}
		switch k {
		case Text:
			data.NumFmt = fmtText
		case Count:
			data.NumFmt = fmtCount
		case Decimal:
			data.NumFmt = fmtDecimal
		case Percent:
			data.CustomNumFmt = &percent
		case Date:
			data.CustomNumFmt = &date
		}
		w.s.data[k] = style(data)
		wrapped := *data
		wrapped.Alignment = &excelize.Alignment{Vertical: "top", WrapText: true}
		w.s.wrapped[k] = style(&wrapped)
	}
	return err
}

// sheets creates every sheet in order, the cover first so that it is what opens.
func (w *writer) sheets() error {
	if err := w.f.SetSheetName("Sheet1", SheetCover); err != nil {
		return err
	}
	for _, sp := range w.p.sheets {
		if _, err := w.f.NewSheet(sp.name); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) cover() error {
	const sh = SheetCover
	if err := w.f.SetColWidth(sh, "A", "A", coverWidth); err != nil {
		return err
	}
	row := 0
	put := func(text string, style int, height float64) error {
		row++
		cell := "A" + strconv.Itoa(row)
		if err := w.f.SetCellStr(sh, cell, text); err != nil {
			return err
		}
		if err := w.f.SetCellStyle(sh, cell, cell, style); err != nil {
			return err
		}
		return w.f.SetRowHeight(sh, row, height)
	}
	if err := put(w.p.wb.Title, w.s.title, titleHeight); err != nil {
		return err
	}
	if w.p.wb.Subtitle != "" {
		if err := put(w.p.wb.Subtitle, w.s.subtitle, 20); err != nil {
			return err
		}
	}
	for _, item := range w.p.cover {
		if item.Heading != "" {
			if err := put(item.Heading, w.s.subtitle, 20); err != nil {
				return err
			}
		}
		if item.Text == "" {
			continue
		}
		style := w.s.body
		if item.Link != "" {
			style = w.s.link
		}
		if err := put(item.Text, style, rowHeight(wrapLines(item.Text, coverWidth))); err != nil {
			return err
		}
		if item.Link != "" {
			if err := w.f.SetCellHyperLink(sh, "A"+strconv.Itoa(row), item.Link, "External"); err != nil {
				return err
			}
		}
	}
	return w.f.SetSheetDimension(sh, "A1:A"+strconv.Itoa(row))
}

func (w *writer) tables() error {
	for _, sp := range w.p.sheets {
		if err := w.table(sp); err != nil {
			return fmt.Errorf("sheet %q: %w", sp.name, err)
		}
	}
	return nil
}

// table writes one table sheet: the title in A1, the description under it, then the
// header row and the rows, marked up as an Excel table, and the charts to its right.
func (w *writer) table(sp *sheetPlan) error {
	sh := sp.name
	if err := w.f.SetCellStr(sh, "A1", sp.title); err != nil {
		return err
	}
	if err := w.f.SetCellStyle(sh, "A1", "A1", w.s.title); err != nil {
		return err
	}
	for i, line := range sp.lines {
		if err := w.f.SetCellStr(sh, "A"+strconv.Itoa(i+2), line); err != nil {
			return err
		}
	}
	header := len(sp.lines) + 2
	first, last := header+1, header+len(sp.rows)
	heights := map[int]float64{1: titleHeight} // rows taller than one line of text

	widths, wrap := columnWidths(sp)
	names := make([]any, len(sp.columns))
	headerLines := 1
	for i, c := range sp.columns {
		names[i] = c.Header
		headerLines = max(headerLines, wrapLines(c.Header, widths[i]))
	}
	if err := w.f.SetSheetRow(sh, cellName(0, header), &names); err != nil {
		return err
	}
	if headerLines > 1 {
		heights[header] = rowHeight(headerLines)
	}
	for ri, r := range sp.rows {
		values := make([]any, len(r))
		lines := 1
		for ci, c := range r {
			values[ci] = c.value
			if s, ok := c.value.(string); ok && wrap[ci] {
				lines = max(lines, wrapLines(s, widths[ci]))
			}
		}
		if err := w.f.SetSheetRow(sh, cellName(0, first+ri), &values); err != nil {
			return err
		}
		if lines > 1 {
			heights[first+ri] = rowHeight(lines)
		}
	}
	for ci, c := range sp.columns {
		col := colName(ci)
		if err := w.f.SetColWidth(sh, col, col, widths[ci]); err != nil {
			return err
		}
		if err := w.f.SetCellStyle(sh, cellName(ci, header), cellName(ci, header), w.s.header[c.Kind]); err != nil {
			return err
		}
		style := w.s.data[c.Kind]
		if wrap[ci] {
			style = w.s.wrapped[c.Kind]
		}
		if err := w.f.SetCellStyle(sh, cellName(ci, first), cellName(ci, last), style); err != nil {
			return err
		}
	}
	if err := w.cellExtras(sp, first); err != nil {
		return err
	}
	for row := 1; row <= last; row++ {
		if h, ok := heights[row]; ok {
			if err := w.f.SetRowHeight(sh, row, h); err != nil {
				return err
			}
		}
	}
	// excelize leaves the used range at A1; readers that trust it would see an empty sheet.
	if err := w.f.SetSheetDimension(sh, "A1:"+cellName(len(sp.columns)-1, last)); err != nil {
		return err
	}
	noStripes := false
	if err := w.f.AddTable(sh, &excelize.Table{
		Range:          cellName(0, header) + ":" + cellName(len(sp.columns)-1, last),
		Name:           sp.tableName,
		StyleName:      tableStyle,
		ShowRowStripes: &noStripes,
	}); err != nil {
		return err
	}
	// Charts start level with the header row, one empty column to the right of the table,
	// and stack downwards; the title and description lines above may run on under them.
	anchor := header
	for _, ch := range sp.charts {
		if err := w.chart(sp, ch, cellName(len(sp.columns)+1, anchor), header, first, last); err != nil {
			return err
		}
		anchor = rowsBelow(anchor, chartHeight+chartGap, heights)
	}
	return nil
}

// cellExtras styles shorthand cells and adds the contents' links, cell by cell: they are
// few, so the column-wide styles above do most of the work.
func (w *writer) cellExtras(sp *sheetPlan, first int) error {
	for ri, r := range sp.rows {
		for ci, c := range r {
			cell := cellName(ci, first+ri)
			switch {
			case c.shorthand != "":
				if err := w.f.SetCellStyle(sp.name, cell, cell, w.s.shorthand[sp.columns[ci].Kind]); err != nil {
					return err
				}
			case c.link != "":
				if err := w.f.SetCellHyperLink(sp.name, cell, c.link, "Location"); err != nil {
					return err
				}
				if err := w.f.SetCellStyle(sp.name, cell, cell, w.s.contentsLink); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// chart draws one chart whose series refer to the table's cells.
func (w *writer) chart(sp *sheetPlan, ch chartPlan, anchor string, header, first, last int) error {
	ref := func(col int) string {
		c := "$" + colName(col) + "$"
		return sheetref.Quote(sp.name) + "!" + c + strconv.Itoa(first) + ":" + c + strconv.Itoa(last)
	}
	// Series are named by their header cells, so the legend says what the table says.
	name := func(col int) string {
		return sheetref.Quote(sp.name) + "!$" + colName(col) + "$" + strconv.Itoa(header)
	}
	categories := ref(ch.Category)
	var series []excelize.ChartSeries
	for i, col := range ch.Series {
		colour := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{seriesColours[i%len(seriesColours)]}}
		s := excelize.ChartSeries{Name: name(col), Categories: categories, Values: ref(col), Fill: colour}
		if ch.Kind == LineChart {
			s.Line = excelize.LineOptions{Width: 2.25}
			s.Marker = excelize.ChartMarker{Symbol: "circle", Size: 5, Fill: colour}
		}
		series = append(series, s)
	}
	var combo []*excelize.Chart
	if ch.target >= 0 {
		target := excelize.ChartSeries{
			Name: name(ch.target), Categories: categories, Values: ref(ch.target),
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{targetColour}},
			Line:   excelize.LineOptions{Width: 1.5, Dash: excelize.LineDashDash},
			Marker: excelize.ChartMarker{Symbol: "none"},
		}
		if ch.Kind == LineChart {
			series = append(series, target)
		} else {
			// A target across columns is still a line: drawn by a line chart on the same
			// axes. excelize takes the axes of the last chart drawn, so it gets them too.
			combo = append(combo, &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{target}})
		}
	}
	kind := excelize.Line
	if ch.Kind == ColumnChart {
		kind = excelize.Col
	}
	printed, vary := true, false
	xAxis := excelize.ChartAxis{Title: chartTitle(ch.XAxisTitle)}
	yAxis := excelize.ChartAxis{Title: chartTitle(ch.YAxisTitle), MajorGridLines: true, NumFmt: axisFormat(sp.columns[ch.Series[0]].Kind)}
	for _, c := range combo {
		c.XAxis, c.YAxis = xAxis, yAxis
	}
	c := &excelize.Chart{
		Type:         kind,
		Series:       series,
		Format:       excelize.GraphicOptions{AltText: ch.AltText, PrintObject: &printed},
		Dimension:    excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		Title:        chartTitle(ch.Title),
		XAxis:        xAxis,
		YAxis:        yAxis,
		VaryColors:   &vary, // one colour per series, not per column
		ShowBlanksAs: "gap",
	}
	return w.f.AddChart(sp.name, anchor, c, combo...)
}

func chartTitle(text string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: text}}}
}

// axisFormat shows the value axis in the series' units, rounded to whole units.
func axisFormat(k Kind) excelize.ChartNumFmt {
	switch k {
	case Percent:
		return excelize.ChartNumFmt{CustomNumFmt: "0%"}
	case Decimal:
		return excelize.ChartNumFmt{CustomNumFmt: "#,##0.0"}
	}
	return excelize.ChartNumFmt{CustomNumFmt: "#,##0"}
}

// views puts the cursor in A1 of every sheet and opens the workbook on the cover.
func (w *writer) views() error {
	for _, sh := range w.f.GetSheetList() {
		if err := w.f.SetPanes(sh, &excelize.Panes{Selection: []excelize.Selection{{SQRef: "A1", ActiveCell: "A1"}}}); err != nil {
			return err
		}
	}
	w.f.SetActiveSheet(0)
	return nil
}

func (w *writer) properties() error {
	pr := w.p.props
	const w3cdtf = "2006-01-02T15:04:05Z"
	if err := w.f.SetDocProps(&excelize.DocProperties{
		Title:          pr.Title,
		Subject:        pr.Subject,
		Creator:        pr.Creator,
		LastModifiedBy: pr.Creator,
		Keywords:       pr.Keywords,
		Description:    pr.Description,
		Category:       pr.Category,
		Language:       pr.Language,
		Created:        pr.Created.UTC().Format(w3cdtf),
		Modified:       pr.Modified.UTC().Format(w3cdtf),
	}); err != nil {
		return err
	}
	return w.f.SetAppProps(&excelize.AppProperties{Application: "Microsoft Excel", Company: pr.Company})
}

// columnWidths fits each column to its longest value and its header, which may wrap onto
// a few lines; text longer than maxTextWidth wraps.
func columnWidths(sp *sheetPlan) ([]float64, []bool) {
	widths := make([]float64, len(sp.columns))
	wrap := make([]bool, len(sp.columns))
	for ci, c := range sp.columns {
		longest := 0
		for _, r := range sp.rows {
			longest = max(longest, displayLen(r[ci], c.Kind))
		}
		if c.Width > 0 {
			widths[ci] = c.Width
			wrap[ci] = c.Kind == Text && float64(longest+2) > c.Width
			continue
		}
		limit := maxNumberWidth
		if c.Kind == Text {
			limit = maxTextWidth
		}
		header := max(longestWord(c.Header), min(utf8.RuneCountInString(c.Header), 20))
		widths[ci] = float64(min(max(longest, header)+2, limit))
		widths[ci] = max(widths[ci], minWidth)
		wrap[ci] = c.Kind == Text && longest+2 > limit
	}
	return widths, wrap
}

// displayLen is roughly the number of characters Excel shows for a cell.
func displayLen(c cell, k Kind) int {
	switch v := c.value.(type) {
	case string:
		return utf8.RuneCountInString(v)
	case int64:
		if k == Percent {
			return len(strconv.FormatInt(v*100, 10)) + 3
		}
		return len(numfmt.Decimal(strconv.FormatInt(v, 10)))
	case float64:
		switch k {
		case Percent:
			return len(strconv.FormatFloat(v*100, 'f', 1, 64)) + 1
		case Date:
			return len("30 September 2026")
		case Count:
			return len(numfmt.Decimal(strconv.FormatFloat(v, 'f', 0, 64)))
		}
		return len(numfmt.Decimal(strconv.FormatFloat(v, 'f', 2, 64)))
	}
	return 0
}

func longestWord(s string) int {
	n := 0
	for _, word := range strings.Fields(s) {
		n = max(n, utf8.RuneCountInString(word))
	}
	return n
}

// wrapLines estimates the lines text takes in a wrapped column of the given width:
// Excel does not fit row heights to wrapped text when it opens a file.
func wrapLines(text string, width float64) int {
	perLine := max(1, int(width)-1)
	lines, used := 1, 0
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case used == 0:
			used = n
		case used+1+n <= perLine:
			used += 1 + n
		default:
			lines++
			used = n
		}
		for used > perLine { // a word longer than a line breaks across lines
			lines++
			used -= perLine
		}
	}
	return lines
}

func rowHeight(lines int) float64 { return float64(lines)*lineHeight + 3 }

// rowsBelow is the first row at least px pixels below the top of row from.
func rowsBelow(from, px int, heights map[int]float64) int {
	row, covered := from, 0.0
	for covered < float64(px) {
		h, ok := heights[row]
		if !ok {
			h = lineHeight
		}
		covered += math.Round(h * 4 / 3)
		row++
	}
	return row
}

// colName is the letter of the zero-based column index.
func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col + 1)
	return name
}

// cellName is the reference of the zero-based column and one-based row.
func cellName(col, row int) string { return colName(col) + strconv.Itoa(row) }
