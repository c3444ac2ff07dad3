package portal

// chart.go draws a government series as an accessible chart: inline SVG rendered on the
// server (no script, no style attribute, so the Content-Security-Policy holds), with
// role="img", a <title> and a <desc> that says in words what the lines show, the axes
// labelled in SVG text and each target's threshold as a dashed line. The page puts the
// same figures in a table beside it, so nothing is only in the picture.

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// chartUnit is how a chart's values read: shares in 0..1 shown as percentages, or counts.
type chartUnit string

const (
	chartShare chartUnit = "share"
	chartCount chartUnit = "count"
)

// chart is one series over quarters.
type chart struct {
	ID     string // unique on the page; prefixes the ids of the <title> and <desc>
	Title  string
	Unit   chartUnit
	YLabel string // the vertical axis's title, with its unit
	XLabel string // the horizontal axis's title
	Points []chartPoint
	Lines  []chartLine // thresholds drawn across the chart
}

// chartPoint is one quarter; a nil Value has no figure and breaks the line.
type chartPoint struct {
	Label string
	Value *float64
}

// chartLine is a threshold, drawn as a dashed line and named in the text alternative.
type chartLine struct {
	Label string // "Target: at least 6%"
	Value float64
}

// The drawing's size (the viewBox) and the plot area inside it.
const (
	chartWidth   = 640
	chartHeight  = 360
	chartLeft    = 80  // room for the tick labels and the rotated axis title
	chartRight   = 624 // a little room after the last point
	chartTop     = 24
	chartBottom  = 296 // room under the axis for quarter labels and the axis title
	chartInset   = 20  // between the axis and the first and last points
	chartXLabels = 5   // labels every ceil(n/5) quarters (and the last), so they never overlap
)

// chartScale is the vertical axis: from 0 to Top in steps of Step.
type chartScale struct{ Top, Step float64 }

// newChartScale fits a "nice" axis (steps of 1, 2, 2.5 or 5 times a power of ten) over
// 0..max with a little headroom; shares never go above 100%, counts step by whole numbers.
func newChartScale(max float64, unit chartUnit) chartScale {
	if !(max > 0) || math.IsInf(max, 0) {
		if unit == chartShare {
			return chartScale{Top: 0.1, Step: 0.02}
		}
		return chartScale{Top: 10, Step: 2}
	}
	want := max * 1.05
	step := chartNiceStep(want / 5)
	if unit == chartCount && step < 1 {
		step = 1
	}
	top := math.Ceil(want/step-1e-9) * step
	if unit == chartShare && top >= 1 {
		return chartScale{Top: 1, Step: 0.2}
	}
	return chartScale{Top: top, Step: step}
}

// chartNiceStep is the smallest of 1, 2, 2.5, 5 and 10 times a power of ten that is at least raw.
func chartNiceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// ticks are the values the axis labels, 0 and Top included.
func (s chartScale) ticks() []float64 {
	var out []float64
	for i := 0; ; i++ {
		v := float64(i) * s.Step
		if v > s.Top*(1+1e-9) {
			break
		}
		out = append(out, v)
	}
	return out
}

// y is where value v falls: the axis's foot for 0, the plot's top for Top. Values beyond
// the axis are held at its ends.
func (s chartScale) y(v float64) float64 {
	f := v / s.Top
	f = math.Max(0, math.Min(1, f))
	return chartBottom - f*(chartBottom-chartTop)
}

// chartXs spaces n points evenly across the plot; one point stands in the middle.
func chartXs(n int) []float64 {
	xs := make([]float64, n)
	switch n {
	case 0:
	case 1:
		xs[0] = (chartLeft + chartRight) / 2.0
	default:
		span := float64(chartRight - chartLeft - 2*chartInset)
		for i := range xs {
			xs[i] = chartLeft + chartInset + span*float64(i)/float64(n-1)
		}
	}
	return xs
}

// chartLabelWidth is room enough for a quarter's label ("2025-26 Q1") at 16px.
const chartLabelWidth = 96

// chartLabelled says which points get a label under the axis: every k-th from the first,
// so that no more than chartXLabels show, and the last, dropping the label before it if
// the two would touch.
func chartLabelled(xs []float64) []bool {
	n := len(xs)
	show := make([]bool, n)
	if n == 0 {
		return show
	}
	every := max(1, int(math.Ceil(float64(n)/chartXLabels)))
	last := 0
	for i := 0; i < n; i += every {
		show[i], last = true, i
	}
	if last != n-1 {
		show[n-1] = true
		if last != 0 && xs[n-1]-xs[last] < chartLabelWidth {
			show[last] = false
		}
	}
	return show
}

// max is the largest value or threshold the axis must show.
func (c chart) max() float64 {
	m := 0.0
	for _, p := range c.Points {
		if p.Value != nil && *p.Value > m {
			m = *p.Value
		}
	}
	for _, l := range c.Lines {
		m = math.Max(m, l.Value)
	}
	return m
}

// format writes a value as the chart's text does: shares to one decimal place of a
// percentage (5.9%), counts whole with thousands separated (2,500).
func (c chart) format(v float64) string { return chartFormat(v, c.Unit, false) }

// chartFormat writes a value; short drops a trailing ".0" from a percentage, for axis
// labels and thresholds (6%, not 6.0%).
func chartFormat(v float64, unit chartUnit, short bool) string {
	if unit == chartShare {
		s := strconv.FormatFloat(math.Round(v*1000)/10, 'f', 1, 64)
		if short {
			s = strings.TrimSuffix(s, ".0")
		}
		return s + "%"
	}
	return printer.Sprintf("%d", int64(math.Round(v)))
}

// Summary is the chart's text alternative: what the series covers, its lowest, highest
// and latest figures, and the thresholds.
func (c chart) Summary() string {
	var with []chartPoint
	for _, p := range c.Points {
		if p.Value != nil {
			with = append(with, p)
		}
	}
	var b strings.Builder
	switch len(with) {
	case 0:
		b.WriteString(c.Title + ": there are no figures yet.")
	case 1:
		fmt.Fprintf(&b, "%s: one quarter has figures, %s in %s.", c.Title, c.format(*with[0].Value), with[0].Label)
	default:
		lo, hi := with[0], with[0]
		for _, p := range with {
			if *p.Value < *lo.Value {
				lo = p
			}
			if *p.Value > *hi.Value {
				hi = p
			}
		}
		last := with[len(with)-1]
		fmt.Fprintf(&b, "%s, %d quarters from %s to %s. Lowest %s in %s, highest %s in %s, latest %s in %s.",
			c.Title, len(with), with[0].Label, last.Label, c.format(*lo.Value), lo.Label,
			c.format(*hi.Value), hi.Label, c.format(*last.Value), last.Label)
	}
	for _, l := range c.Lines {
		fmt.Fprintf(&b, " The dashed line is the %s.", strings.ToLower(l.Label[:1])+l.Label[1:])
	}
	return b.String()
}

// SVG draws the chart. Every text in it is escaped; the only attributes are SVG
// presentation attributes, so no style is inline.
func (c chart) SVG() template.HTML {
	scale := newChartScale(c.max(), c.Unit)
	esc := template.HTMLEscapeString
	var b strings.Builder
	num := func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
	id := esc(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-title %s-desc" focusable="false" font-family="arial, helvetica, sans-serif">`,
		chartWidth, chartHeight, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Summary()))

	// Grid lines and the vertical axis's labels.
	b.WriteString(`<g font-size="16" fill="#0b0c0c">`)
	for _, t := range scale.ticks() {
		y := num(scale.y(t))
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#b1b4b6" stroke-width="1"/>`, chartLeft, chartRight, y, y)
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, chartLeft-8, y, esc(chartFormat(t, c.Unit, true)))
	}
	// Axes and their titles.
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#0b0c0c" stroke-width="2"/>`, chartLeft, chartRight, chartBottom, chartBottom)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#0b0c0c" stroke-width="2"/>`, chartLeft, chartLeft, chartTop, chartBottom)
	fmt.Fprintf(&b, `<text transform="rotate(-90)" x="%s" y="18" text-anchor="middle">%s</text>`, num(-(chartTop+chartBottom)/2.0), esc(c.YLabel))
	fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle">%s</text>`, num((chartLeft+chartRight)/2.0), chartHeight-8, esc(c.XLabel))

	// Quarter labels: at most chartXLabels of them, always the last.
	xs := chartXs(len(c.Points))
	for i, show := range chartLabelled(xs) {
		if !show {
			continue
		}
		// The last point is at the plot's right edge: its label ends there rather than
		// centring on it, so it is not cut off by the edge of the chart.
		x, anchor := xs[i], "middle"
		if i == len(xs)-1 && len(xs) > 1 {
			x, anchor = float64(chartWidth-4), "end"
		}
		fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="%s">%s</text>`, num(x), chartBottom+24, anchor, esc(c.Points[i].Label))
	}
	b.WriteString(`</g>`)

	// Thresholds, under the series; their labels go on top, haloed, so the line never
	// hides them.
	for _, l := range c.Lines {
		y := num(scale.y(l.Value))
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#d4351c" stroke-width="3" stroke-dasharray="10 6"/>`, chartLeft, chartRight, y, y)
	}

	// The series: a line through each run of quarters with figures, and a dot on each.
	var run []string
	flush := func() {
		if len(run) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1d70b8" stroke-width="3"/>`, strings.Join(run, " "))
		}
		run = run[:0]
	}
	drawn := 0
	for i, p := range c.Points {
		if p.Value == nil {
			flush()
			continue
		}
		run = append(run, num(xs[i])+","+num(scale.y(*p.Value)))
	}
	flush()
	for i, p := range c.Points {
		if p.Value == nil {
			continue
		}
		drawn++
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="5" fill="#1d70b8"/>`, num(xs[i]), num(scale.y(*p.Value)))
	}
	for _, l := range c.Lines {
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" font-size="16" fill="#0b0c0c" stroke="#ffffff" stroke-width="4" paint-order="stroke">%s</text>`,
			chartRight-4, num(scale.y(l.Value)-8), esc(l.Label))
	}
	if drawn == 0 {
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="19" fill="#0b0c0c">No figures yet</text>`,
			num((chartLeft+chartRight)/2.0), num((chartTop+chartBottom)/2.0))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
