package gsswriter

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Chart size in centimetres: the XLSX writer's pixels at 96 to the inch.
var (
	odsChartWidth  = pxToCm(chartWidth)
	odsChartHeight = pxToCm(chartHeight)
	odsChartGap    = pxToCm(chartGap)
)

func pxToCm(px int) float64 { return float64(px) * 2.54 / 96 }

func cm(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) + "cm" }

// odsChart is a chart object: a chart document of its own inside the package, whose
// series refer to the cells of its table.
type odsChart struct {
	sheet                string
	ch                   chartPlan
	kind                 Kind // of the first series: the value axis's format
	header, first, last  int
	categories, allCells string
}

// chartObject is the folder of the i'th chart object.
func chartObject(i int) string { return "Object " + strconv.Itoa(i+1) }

// chartFrame anchors a chart in the current cell, which is one column to the right of
// the table, level with its header; the table's later charts stack below it.
func (w *odsWriter) chartFrame(sp *sheetPlan, ch chartPlan, i, header, first, last int) {
	c := &odsChart{sheet: sp.name, ch: ch, kind: sp.columns[ch.Series[0]].Kind, header: header, first: first, last: last}
	c.categories = odsColumn(sp.name, ch.Category, first, last)
	ranges := []string{c.categories}
	for _, col := range c.columns() {
		ranges = append(ranges, odsColumn(sp.name, col, header, header), odsColumn(sp.name, col, first, last))
	}
	c.allCells = strings.Join(ranges, " ")
	n := len(w.charts)
	w.charts = append(w.charts, c)
	fmt.Fprintf(&w.b, `<draw:frame draw:name="Chart %d" draw:style-name="chart-frame" draw:z-index="%d" svg:width="%s" svg:height="%s" svg:x="0cm" svg:y="%s">`,
		n+1, n, cm(odsChartWidth), cm(odsChartHeight), cm(float64(i)*(odsChartHeight+odsChartGap)))
	fmt.Fprintf(&w.b, `<draw:object draw:notify-on-update-of-ranges="%s" xlink:href="./%s" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>`,
		esc(c.allCells), chartObject(n))
	fmt.Fprintf(&w.b, `<svg:title>%s</svg:title><svg:desc>%s</svg:desc></draw:frame>`, esc(ch.Title), esc(ch.AltText))
}

// columns are the plotted columns: the series, then the target line.
func (c *odsChart) columns() []int {
	cols := append([]int{}, c.ch.Series...)
	if c.ch.target >= 0 {
		cols = append(cols, c.ch.target)
	}
	return cols
}

// axisDataStyle shows the value axis in the series' units, rounded to whole units.
func axisDataStyle(k Kind) string {
	switch k {
	case Percent:
		return `<number:percentage-style style:name="N-axis"><number:number number:decimal-places="0" number:min-decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>`
	case Decimal:
		return `<number:number-style style:name="N-axis"><number:number number:decimal-places="1" number:min-decimal-places="1" number:min-integer-digits="1" number:grouping="true"/></number:number-style>`
	}
	return `<number:number-style style:name="N-axis"><number:number number:decimal-places="0" number:min-decimal-places="0" number:min-integer-digits="1" number:grouping="true"/></number:number-style>`
}

func (c *odsChart) content() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<office:document-content` + odsNamespaces + `><office:automatic-styles>`)
	b.WriteString(axisDataStyle(c.kind))
	text := func(size string) string {
		return `<style:text-properties fo:font-family="` + odsFont + `" fo:font-size="` + size + `" fo:color="#000000"/>`
	}
	b.WriteString(`<style:style style:name="chart" style:family="chart"><style:graphic-properties draw:stroke="none" draw:fill="solid" draw:fill-color="#ffffff"/></style:style>`)
	b.WriteString(`<style:style style:name="title" style:family="chart">` + text("13pt") + `</style:style>`)
	b.WriteString(`<style:style style:name="legend" style:family="chart"><style:graphic-properties draw:stroke="none" draw:fill="none"/>` + text("10pt") + `</style:style>`)
	class, plot := "chart:line", `<style:chart-properties chart:treat-empty-cells="leave-gap"/>`
	if c.ch.Kind == ColumnChart {
		class, plot = "chart:bar", `<style:chart-properties chart:vertical="false" chart:treat-empty-cells="leave-gap" chart:gap-width="100" chart:overlap="0"/>`
	}
	b.WriteString(`<style:style style:name="plot" style:family="chart">` + plot + `</style:style>`)
	b.WriteString(`<style:style style:name="axis-title" style:family="chart">` + text("10pt") + `</style:style>`)
	b.WriteString(`<style:style style:name="axis-x" style:family="chart"><style:chart-properties chart:display-label="true" chart:tick-marks-major-outer="true"/><style:graphic-properties svg:stroke-color="#bfbfbf"/>` + text("9pt") + `</style:style>`)
	b.WriteString(`<style:style style:name="axis-y" style:family="chart" style:data-style-name="N-axis"><style:chart-properties chart:display-label="true" chart:link-data-style-to-source="false" chart:minimum="0"/><style:graphic-properties draw:stroke="none"/>` + text("9pt") + `</style:style>`)
	b.WriteString(`<style:style style:name="grid" style:family="chart"><style:graphic-properties svg:stroke-color="#d9d9d9" svg:stroke-width="0.026cm"/></style:style>`)
	for i := range c.ch.Series {
		colour := "#" + strings.ToLower(seriesColours[i%len(seriesColours)])
		if c.ch.Kind == LineChart {
			fmt.Fprintf(&b, `<style:style style:name="series-%d" style:family="chart"><style:chart-properties chart:symbol-type="named-symbol" chart:symbol-name="circle" chart:symbol-width="0.176cm" chart:symbol-height="0.176cm"/><style:graphic-properties draw:stroke="solid" svg:stroke-width="0.079cm" svg:stroke-color="%s" draw:fill-color="%s"/></style:style>`, i+1, colour, colour)
		} else {
			fmt.Fprintf(&b, `<style:style style:name="series-%d" style:family="chart"><style:graphic-properties draw:stroke="none" draw:fill="solid" draw:fill-color="%s"/></style:style>`, i+1, colour)
		}
	}
	target := "#" + strings.ToLower(targetColour)
	fmt.Fprintf(&b, `<style:style style:name="target" style:family="chart"><style:chart-properties chart:symbol-type="none"/><style:graphic-properties draw:stroke="dash" draw:stroke-dash="Dash" svg:stroke-width="0.053cm" svg:stroke-color="%s" draw:fill-color="%s"/></style:style>`, target, target)
	b.WriteString(`<style:style style:name="wall" style:family="chart"><style:graphic-properties draw:stroke="none" draw:fill="none"/></style:style>`)
	b.WriteString(`</office:automatic-styles><office:body><office:chart>`)

	fmt.Fprintf(&b, `<chart:chart svg:width="%s" svg:height="%s" chart:class="%s" chart:style-name="chart">`, cm(odsChartWidth), cm(odsChartHeight), class)
	fmt.Fprintf(&b, `<chart:title chart:style-name="title"><text:p>%s</text:p></chart:title>`, esc(c.ch.Title))
	b.WriteString(`<chart:legend chart:legend-position="bottom" chart:style-name="legend"/>`)
	fmt.Fprintf(&b, `<chart:plot-area chart:style-name="plot" table:cell-range-address="%s" chart:data-source-has-labels="both">`, esc(c.allCells))
	fmt.Fprintf(&b, `<chart:axis chart:dimension="x" chart:name="primary-x" chart:style-name="axis-x"><chart:title chart:style-name="axis-title"><text:p>%s</text:p></chart:title><chart:categories table:cell-range-address="%s"/></chart:axis>`,
		esc(c.ch.XAxisTitle), esc(c.categories))
	fmt.Fprintf(&b, `<chart:axis chart:dimension="y" chart:name="primary-y" chart:style-name="axis-y"><chart:title chart:style-name="axis-title"><text:p>%s</text:p></chart:title><chart:grid chart:class="major" chart:style-name="grid"/></chart:axis>`,
		esc(c.ch.YAxisTitle))
	series := func(col int, style, class string) {
		fmt.Fprintf(&b, `<chart:series chart:style-name="%s" chart:class="%s" chart:values-cell-range-address="%s" chart:label-cell-address="%s"/>`,
			style, class, esc(odsColumn(c.sheet, col, c.first, c.last)), esc(odsColumn(c.sheet, col, c.header, c.header)))
	}
	for i, col := range c.ch.Series {
		series(col, "series-"+strconv.Itoa(i+1), class)
	}
	if c.ch.target >= 0 {
		// A target across columns is still a line, drawn on the same axes.
		series(c.ch.target, "target", "chart:line")
	}
	b.WriteString(`<chart:wall chart:style-name="wall"/></chart:plot-area></chart:chart></office:chart></office:body></office:document-content>`)
	return b.Bytes()
}

// chartStyles holds the dash of the target lines.
func chartStyles() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<office:document-styles` + odsNamespaces + `><office:styles>`)
	b.WriteString(`<draw:stroke-dash draw:name="Dash" draw:style="rect" draw:dots1="1" draw:dots1-length="0.2cm" draw:distance="0.1cm"/>`)
	b.WriteString(`</office:styles></office:document-styles>`)
	return b.Bytes()
}
