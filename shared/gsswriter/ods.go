package gsswriter

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/sheetref"
)

// ODSContentType is the media type of an OpenDocument spreadsheet.
const ODSContentType = "application/vnd.oasis.opendocument.spreadsheet"

// WriteODS validates wb and writes it as an OpenDocument spreadsheet (ODF 1.3), laid
// out from the same plan as Write: the same sheets in the same order, each table starting
// at A1 with its title, its header row marked as the sheet's header rows and the table
// as a database range, the same number formats, column widths, links, document
// properties and charts. A workbook Write refuses is refused in the same words. The same
// Workbook always gives the same bytes.
func WriteODS(wb Workbook) ([]byte, error) {
	p, err := makePlan(wb)
	if err != nil {
		return nil, err
	}
	w := &odsWriter{p: p, colStyles: map[string]string{}, rowStyles: map[string]string{}}
	content := w.content()
	parts := []odsPart{
		{name: "content.xml", data: content},
		{name: "styles.xml", data: w.styles()},
		{name: "meta.xml", data: w.meta()},
		{name: "settings.xml", data: w.settings()},
	}
	for i, ch := range w.charts {
		dir := chartObject(i)
		parts = append(parts,
			odsPart{name: dir + "/content.xml", data: ch.content()},
			odsPart{name: dir + "/styles.xml", data: chartStyles()},
		)
	}
	parts = append(parts, odsPart{name: "META-INF/manifest.xml", data: w.manifest(parts)})
	out, err := writeODSZip(parts, p.props.Modified)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return out, nil
}

// Layout in OpenDocument's units. Widths in characters are turned into centimetres at
// the width of a digit of 11-point Arial, plus the cell's padding.
const (
	odsCharWidth = 0.2159 // cm
	odsPadding   = 0.13   // cm
	odsFont      = "Arial"
)

// Namespaces of the parts, declared once on each root element.
const odsNamespaces = ` xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"` +
	` xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"` +
	` xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"` +
	` xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"` +
	` xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"` +
	` xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"` +
	` xmlns:xlink="http://www.w3.org/1999/xlink"` +
	` xmlns:dc="http://purl.org/dc/elements/1.1/"` +
	` xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"` +
	` xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"` +
	` xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"` +
	` xmlns:chart="urn:oasis:names:tc:opendocument:xmlns:chart:1.0"` +
	` xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"` +
	` office:version="1.3"`

// odsWriter carries one spreadsheet while its parts are written.
type odsWriter struct {
	p         *plan
	b         bytes.Buffer
	colStyles map[string]string // column width → style name
	colOrder  []string
	rowStyles map[string]string // row height → style name
	rowOrder  []string
	charts    []*odsChart
	ranges    []odsRange
}

// odsRange is a table's database range: the ODF counterpart of an Excel table.
type odsRange struct{ name, address string }

// Cell styles, named after what they are for. The common styles (titles, headings, links)
// are in styles.xml, where people editing the file find them; the rest are automatic.
const (
	styleTitle    = "Heading_20_1"
	styleHeading  = "Heading_20_2"
	styleBody     = "Body"
	styleLink     = "Hyperlink"
	styleDefault  = "Default"
	styleContents = "contents-link"
)

func styleName(role string, k Kind) string { return role + "-" + k.String() }

// Data styles: the number formats of the XLSX writer.
var odsDataStyle = [numKinds]string{Text: "N-text", Count: "N-count", Decimal: "N-decimal", Percent: "N-percent", Date: "N-date"}

func (w *odsWriter) content() []byte {
	// The body is written first: it decides which column and row styles exist.
	w.cover()
	for _, sp := range w.p.sheets {
		w.table(sp)
	}
	w.b.WriteString(`<table:database-ranges>`)
	for _, r := range w.ranges {
		fmt.Fprintf(&w.b, `<table:database-range table:name="%s" table:target-range-address="%s" table:contains-header="true" table:display-filter-buttons="true"/>`, esc(r.name), esc(r.address))
	}
	w.b.WriteString(`</table:database-ranges>`)

	var out bytes.Buffer
	out.WriteString(xml.Header)
	out.WriteString(`<office:document-content` + odsNamespaces + `><office:automatic-styles>`)
	for _, width := range w.colOrder {
		fmt.Fprintf(&out, `<style:style style:name="%s" style:family="table-column"><style:table-column-properties style:column-width="%s"/></style:style>`, w.colStyles[width], width)
	}
	for _, height := range w.rowOrder {
		fmt.Fprintf(&out, `<style:style style:name="%s" style:family="table-row"><style:table-row-properties style:row-height="%s" style:use-optimal-row-height="true"/></style:style>`, w.rowStyles[height], height)
	}
	out.WriteString(`<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>`)
	out.WriteString(`<style:style style:name="chart-frame" style:family="graphic"><style:graphic-properties draw:stroke="none" draw:fill="none"/></style:style>`)
	dataStyles(&out)
	cellStyles(&out)
	out.WriteString(`</office:automatic-styles><office:body><office:spreadsheet>`)
	out.Write(w.b.Bytes())
	out.WriteString(`</office:spreadsheet></office:body></office:document-content>`)
	return out.Bytes()
}

// dataStyles are the number formats: 2,500; 1,234.50; 6.1%; 31 March 2026; text.
func dataStyles(b *bytes.Buffer) {
	b.WriteString(`<number:number-style style:name="N-count"><number:number number:decimal-places="0" number:min-decimal-places="0" number:min-integer-digits="1" number:grouping="true"/></number:number-style>`)
	b.WriteString(`<number:number-style style:name="N-decimal"><number:number number:decimal-places="2" number:min-decimal-places="2" number:min-integer-digits="1" number:grouping="true"/></number:number-style>`)
	b.WriteString(`<number:percentage-style style:name="N-percent"><number:number number:decimal-places="1" number:min-decimal-places="1" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>`)
	b.WriteString(`<number:date-style style:name="N-date"><number:day/><number:text> </number:text><number:month number:textual="true" number:style="long"/><number:text> </number:text><number:year number:style="long"/></number:date-style>`)
	b.WriteString(`<number:text-style style:name="N-text"><number:text-content/></number:text-style>`)
}

// cellStyles are the header, data, wrapped and shorthand styles of each kind of column.
func cellStyles(b *bytes.Buffer) {
	for k := range numKinds {
		align := "start"
		if k.numeric() || k == Date {
			align = "end" // numbers, and the shorthand standing in for them, line up on the right
		}
		para := `<style:paragraph-properties fo:text-align="` + align + `"/>`
		fmt.Fprintf(b, `<style:style style:name="%s" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties style:vertical-align="top" fo:wrap-option="wrap"/>%s<style:text-properties fo:font-weight="bold"/></style:style>`, styleName("header", k), para)
		fmt.Fprintf(b, `<style:style style:name="%s" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="%s"><style:table-cell-properties style:vertical-align="top"/></style:style>`, styleName("data", k), odsDataStyle[k])
		fmt.Fprintf(b, `<style:style style:name="%s" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="%s"><style:table-cell-properties style:vertical-align="top" fo:wrap-option="wrap"/></style:style>`, styleName("wrapped", k), odsDataStyle[k])
		fmt.Fprintf(b, `<style:style style:name="%s" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N-text"><style:table-cell-properties style:vertical-align="top" style:text-align-source="fix"/>%s</style:style>`, styleName("shorthand", k), para)
	}
	fmt.Fprintf(b, `<style:style style:name="%s" style:family="table-cell" style:parent-style-name="Hyperlink" style:data-style-name="N-text"><style:table-cell-properties style:vertical-align="top" fo:wrap-option="no-wrap"/></style:style>`, styleContents)
}

func (w *odsWriter) colStyle(width float64) string {
	key := strconv.FormatFloat(width*odsCharWidth+odsPadding, 'f', 3, 64) + "cm"
	if name, ok := w.colStyles[key]; ok {
		return name
	}
	name := "co" + strconv.Itoa(len(w.colOrder)+1)
	w.colStyles[key] = name
	w.colOrder = append(w.colOrder, key)
	return name
}

// rowStyle is a row height in points. Rows keep an optimal height, so LibreOffice fits
// them to wrapped text; the height is for applications that do not.
func (w *odsWriter) rowStyle(points float64) string {
	key := strconv.FormatFloat(points, 'f', 2, 64) + "pt"
	if name, ok := w.rowStyles[key]; ok {
		return name
	}
	name := "ro" + strconv.Itoa(len(w.rowOrder)+1)
	w.rowStyles[key] = name
	w.rowOrder = append(w.rowOrder, key)
	return name
}

func (w *odsWriter) startTable(name string) {
	fmt.Fprintf(&w.b, `<table:table table:name="%s" table:style-name="ta1">`, esc(name))
}

func (w *odsWriter) cover() {
	w.startTable(SheetCover)
	fmt.Fprintf(&w.b, `<table:table-column table:style-name="%s" table:default-cell-style-name="%s"/>`, w.colStyle(coverWidth), styleBody)
	put := func(text, style, link string, height float64) {
		fmt.Fprintf(&w.b, `<table:table-row table:style-name="%s"><table:table-cell table:style-name="%s" office:value-type="string"><text:p>`, w.rowStyle(height), style)
		if link != "" {
			fmt.Fprintf(&w.b, `<text:a xlink:type="simple" xlink:href="%s">`, esc(link))
		}
		writeText(&w.b, text)
		if link != "" {
			w.b.WriteString(`</text:a>`)
		}
		w.b.WriteString(`</text:p></table:table-cell></table:table-row>`)
	}
	put(w.p.wb.Title, styleTitle, "", titleHeight)
	if w.p.wb.Subtitle != "" {
		put(w.p.wb.Subtitle, styleHeading, "", 20)
	}
	for _, item := range w.p.cover {
		if item.Heading != "" {
			put(item.Heading, styleHeading, "", 20)
		}
		if item.Text == "" {
			continue
		}
		style := styleBody
		if item.Link != "" {
			style = styleLink
		}
		put(item.Text, style, item.Link, rowHeight(wrapLines(item.Text, coverWidth)))
	}
	w.b.WriteString(`</table:table>`)
}

// table writes one table sheet: the title in A1, the description under it, then the
// header row, marked as the sheet's header rows, and the rows; the table is a database
// range, and the charts are anchored level with the header, one column to its right.
func (w *odsWriter) table(sp *sheetPlan) {
	w.startTable(sp.name)
	widths, wrap := columnWidths(sp)
	for ci, c := range sp.columns {
		style := styleName("data", c.Kind)
		if wrap[ci] {
			style = styleName("wrapped", c.Kind)
		}
		fmt.Fprintf(&w.b, `<table:table-column table:style-name="%s" table:default-cell-style-name="%s"/>`, w.colStyle(widths[ci]), style)
	}
	fmt.Fprintf(&w.b, `<table:table-row table:style-name="%s"><table:table-cell table:style-name="%s" office:value-type="string"><text:p>`, w.rowStyle(titleHeight), styleTitle)
	writeText(&w.b, sp.title)
	w.b.WriteString(`</text:p></table:table-cell></table:table-row>`)
	for _, line := range sp.lines {
		fmt.Fprintf(&w.b, `<table:table-row table:style-name="%s"><table:table-cell table:style-name="%s" office:value-type="string"><text:p>`, w.rowStyle(lineHeight), styleDefault)
		writeText(&w.b, line)
		w.b.WriteString(`</text:p></table:table-cell></table:table-row>`)
	}
	header := len(sp.lines) + 2
	first, last := header+1, header+len(sp.rows)

	headerLines := 1
	for i, c := range sp.columns {
		headerLines = max(headerLines, wrapLines(c.Header, widths[i]))
	}
	fmt.Fprintf(&w.b, `<table:table-header-rows><table:table-row table:style-name="%s">`, w.rowStyle(rowHeight(headerLines)))
	for _, c := range sp.columns {
		fmt.Fprintf(&w.b, `<table:table-cell table:style-name="%s" office:value-type="string"><text:p>`, styleName("header", c.Kind))
		writeText(&w.b, c.Header)
		w.b.WriteString(`</text:p></table:table-cell>`)
	}
	if len(sp.charts) > 0 {
		w.b.WriteString(`<table:table-cell/><table:table-cell>`)
		for i, ch := range sp.charts {
			w.chartFrame(sp, ch, i, header, first, last)
		}
		w.b.WriteString(`</table:table-cell>`)
	}
	w.b.WriteString(`</table:table-row></table:table-header-rows>`)

	for _, r := range sp.rows {
		lines := 1
		for ci, c := range r {
			if s, ok := c.value.(string); ok && wrap[ci] {
				lines = max(lines, wrapLines(s, widths[ci]))
			}
		}
		fmt.Fprintf(&w.b, `<table:table-row table:style-name="%s">`, w.rowStyle(rowHeight(lines)))
		for ci, c := range r {
			k := sp.columns[ci].Kind
			style := styleName("data", k)
			if wrap[ci] {
				style = styleName("wrapped", k)
			}
			w.cell(c, k, style)
		}
		w.b.WriteString(`</table:table-row>`)
	}
	w.b.WriteString(`</table:table>`)
	w.ranges = append(w.ranges, odsRange{name: sp.tableName,
		address: odsCell(sp.name, 0, header) + ":" + odsCell(sp.name, len(sp.columns)-1, last)})
}

// cell writes one value: numbers as numbers with their format, and the text the format
// shows, for readers that take the text.
func (w *odsWriter) cell(c cell, k Kind, style string) {
	b := &w.b
	switch {
	case c.shorthand != "":
		fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="string"><text:p>%s</text:p></table:table-cell>`, styleName("shorthand", k), esc(string(c.shorthand)))
		return
	case c.link != "":
		fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="string"><text:p><text:a xlink:type="simple" xlink:href="%s">`, styleContents, esc(odsLink(c.link)))
		writeText(b, c.value.(string))
		b.WriteString(`</text:a></text:p></table:table-cell>`)
		return
	}
	switch v := c.value.(type) {
	case string:
		fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="string"><text:p>`, style)
		writeText(b, v)
		b.WriteString(`</text:p></table:table-cell>`)
	case int64:
		w.number(float64(v), strconv.FormatInt(v, 10), k, style)
	case float64:
		w.number(v, strconv.FormatFloat(v, 'g', -1, 64), k, style)
	}
}

func (w *odsWriter) number(v float64, value string, k Kind, style string) {
	b := &w.b
	switch k {
	case Date:
		day := excelEpoch.AddDate(0, 0, int(v))
		fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="date" office:date-value="%s"><text:p>%s</text:p></table:table-cell>`,
			style, day.Format("2006-01-02"), period.LongDate(day))
	case Percent:
		fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="percentage" office:value="%s"><text:p>%s%%</text:p></table:table-cell>`,
			style, value, strconv.FormatFloat(v*100, 'f', 1, 64))
	default:
		places := 0
		if k == Decimal {
			places = 2
		}
		shown := numfmt.Decimal(strconv.FormatFloat(math.Abs(v), 'f', places, 64))
		if v < 0 && strings.Trim(shown, "0.,") != "" {
			shown = "-" + shown
		}
		fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>`,
			style, value, shown)
	}
}

// excelEpoch is day 0 of Excel's 1900 date system, in which the plan holds dates.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// odsLink turns the plan's internal link, 'Sheet'!A1, into OpenDocument's #'Sheet'.A1.
func odsLink(link string) string {
	if i := strings.LastIndex(link, "!"); i >= 0 {
		return "#" + link[:i] + "." + link[i+1:]
	}
	return link
}

// odsCell is an absolute cell address in OpenDocument's form, 'Sheet'.A1, for zero-based
// column col and one-based row.
func odsCell(sheet string, col, row int) string {
	return sheetref.Quote(sheet) + "." + cellName(col, row)
}

// odsColumn is the cells of column col from row first to last.
func odsColumn(sheet string, col, first, last int) string {
	return odsCell(sheet, col, first) + ":" + odsCell(sheet, col, last)
}

// writeText writes s as the content of a text:p, keeping spaces, tabs and line breaks,
// which OpenDocument would otherwise collapse: a space after another, or at the start of
// a line, is written as text:s.
func writeText(b *bytes.Buffer, s string) {
	start, afterSpace := 0, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != ' ' && c != '\t' && c != '\n' {
			afterSpace = false
			continue
		}
		xml.EscapeText(b, []byte(s[start:i]))
		start = i + 1
		switch {
		case c == '\t':
			b.WriteString(`<text:tab/>`)
		case c == '\n':
			b.WriteString(`<text:line-break/>`)
		case afterSpace:
			b.WriteString(`<text:s/>`)
		default:
			b.WriteByte(' ')
		}
		afterSpace = true
	}
	xml.EscapeText(b, []byte(s[start:]))
}

// esc escapes s for an attribute value or text.
func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (w *odsWriter) styles() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<office:document-styles` + odsNamespaces + `><office:styles>`)
	fmt.Fprintf(&b, `<style:default-style style:family="table-cell"><style:paragraph-properties style:tab-stop-distance="1.25cm"/><style:text-properties fo:font-family="%s" fo:font-size="11pt" fo:language="en" fo:country="GB"/></style:default-style>`, odsFont)
	fmt.Fprintf(&b, `<style:default-style style:family="graphic"><style:text-properties fo:font-family="%s"/></style:default-style>`, odsFont)
	b.WriteString(`<style:style style:name="Default" style:family="table-cell"><style:table-cell-properties style:vertical-align="top"/></style:style>`)
	b.WriteString(`<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties style:vertical-align="bottom"/><style:text-properties fo:font-size="15pt" fo:font-weight="bold"/></style:style>`)
	b.WriteString(`<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties style:vertical-align="bottom"/><style:text-properties fo:font-size="13pt" fo:font-weight="bold"/></style:style>`)
	b.WriteString(`<style:style style:name="Body" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties style:vertical-align="top" fo:wrap-option="wrap"/></style:style>`)
	b.WriteString(`<style:style style:name="Hyperlink" style:family="table-cell" style:parent-style-name="Body"><style:text-properties fo:color="#0563c1" style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"/></style:style>`)
	b.WriteString(`</office:styles></office:document-styles>`)
	return b.Bytes()
}

// meta writes the document properties. OpenDocument has no company or category; they
// are user-defined properties, as LibreOffice writes them.
func (w *odsWriter) meta() []byte {
	pr := w.p.props
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<office:document-meta` + odsNamespaces + `><office:meta>`)
	el := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, `<%s>%s</%s>`, name, esc(v), name)
		}
	}
	el("meta:generator", "DDaT workforce returns service")
	el("dc:title", pr.Title)
	el("dc:subject", pr.Subject)
	for _, k := range splitKeywords(pr.Keywords) {
		el("meta:keyword", k)
	}
	el("dc:description", pr.Description)
	el("meta:initial-creator", pr.Creator)
	el("dc:creator", pr.Creator)
	el("dc:language", pr.Language)
	const iso = "2006-01-02T15:04:05Z"
	el("meta:creation-date", pr.Created.UTC().Format(iso))
	el("dc:date", pr.Modified.UTC().Format(iso))
	for _, u := range [][2]string{{"Category", pr.Category}, {"Company", pr.Company}} {
		if u[1] != "" {
			fmt.Fprintf(&b, `<meta:user-defined meta:name="%s">%s</meta:user-defined>`, u[0], esc(u[1]))
		}
	}
	b.WriteString(`</office:meta></office:document-meta>`)
	return b.Bytes()
}

// splitKeywords splits "a, b; c" into its keywords: OpenDocument has one element each.
func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// settings opens the spreadsheet on the cover with the cursor in A1 of every sheet.
func (w *odsWriter) settings() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<office:document-settings` + odsNamespaces + `><office:settings><config:config-item-set config:name="ooo:view-settings">`)
	b.WriteString(`<config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>`)
	b.WriteString(`<config:config-item config:name="ViewId" config:type="string">view1</config:config-item>`)
	b.WriteString(`<config:config-item-map-named config:name="Tables">`)
	sheets := append([]string{SheetCover}, sheetNames(w.p)...)
	for _, name := range sheets {
		fmt.Fprintf(&b, `<config:config-item-map-entry config:name="%s">`, esc(name))
		for _, item := range []string{"CursorPositionX", "CursorPositionY", "PositionLeft", "PositionRight", "PositionTop", "PositionBottom"} {
			fmt.Fprintf(&b, `<config:config-item config:name="%s" config:type="int">0</config:config-item>`, item)
		}
		b.WriteString(`</config:config-item-map-entry>`)
	}
	b.WriteString(`</config:config-item-map-named>`)
	fmt.Fprintf(&b, `<config:config-item config:name="ActiveTable" config:type="string">%s</config:config-item>`, SheetCover)
	b.WriteString(`</config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set></office:settings></office:document-settings>`)
	return b.Bytes()
}

func sheetNames(p *plan) []string {
	var names []string
	for _, sp := range p.sheets {
		names = append(names, sp.name)
	}
	return names
}

func (w *odsWriter) manifest(parts []odsPart) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">`)
	fmt.Fprintf(&b, `<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="%s"/>`, ODSContentType)
	var entries []string
	for _, p := range parts {
		entries = append(entries, p.name)
	}
	for i := range w.charts {
		entries = append(entries, chartObject(i)+"/")
	}
	slices.Sort(entries)
	for _, name := range entries {
		media := "text/xml"
		if strings.HasSuffix(name, "/") {
			media = "application/vnd.oasis.opendocument.chart"
		}
		fmt.Fprintf(&b, `<manifest:file-entry manifest:full-path="%s" manifest:media-type="%s"/>`, esc(name), media)
	}
	b.WriteString(`</manifest:manifest>`)
	return b.Bytes()
}
