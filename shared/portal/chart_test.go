package portal

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

func chartValue(v float64) *float64 { return &v }

// chartSVGElement is one element of a drawn chart, with its attributes and text.
type chartSVGElement struct {
	Name  string
	Attrs map[string]string
	Text  string
}

// chartParse reads a chart as XML, failing the test if it is not well formed, and lists
// its elements in document order.
func chartParse(t *testing.T, svg string) []chartSVGElement {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	var out []chartSVGElement
	var open []int
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := chartSVGElement{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			open = append(open, len(out)-1)
		case xml.CharData:
			if len(open) > 0 {
				out[open[len(open)-1]].Text += string(tok)
			}
		case xml.EndElement:
			open = open[:len(open)-1]
		}
	}
	return out
}

func chartElements(es []chartSVGElement, name string) []chartSVGElement {
	var out []chartSVGElement
	for _, e := range es {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

func chartAttr(t *testing.T, e chartSVGElement, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(e.Attrs[name], 64)
	if err != nil {
		t.Fatalf("%s %s=%q: %v", e.Name, name, e.Attrs[name], err)
	}
	return f
}

func chartShareFixture(values ...*float64) chart {
	c := chart{ID: "share", Title: "DDaT share of the Civil Service", Unit: chartShare,
		YLabel: "DDaT share of headcount (%)", XLabel: "Quarter",
		Lines: []chartLine{{Label: "Target: at least 6%", Value: 0.06}}}
	for i, v := range values {
		c.Points = append(c.Points, chartPoint{Label: "2025-26 Q" + strconv.Itoa(i+1), Value: v})
	}
	return c
}

func TestChartScale(t *testing.T) {
	for _, tc := range []struct {
		max       float64
		unit      chartUnit
		top, step float64
	}{
		{0.059, chartShare, 0.08, 0.02}, // the 6% line and a share under it, with headroom
		{0.06, chartShare, 0.08, 0.02},
		{0.5, chartShare, 0.6, 0.2},
		{0.97, chartShare, 1, 0.2}, // shares stop at 100%
		{1, chartShare, 1, 0.2},
		{2500, chartCount, 3000, 1000}, // the 2,500 entrants line
		{3, chartCount, 4, 1},          // counts step by whole numbers
		{0, chartShare, 0.1, 0.02},     // nothing to show: a default axis
		{0, chartCount, 10, 2},
		{math.NaN(), chartShare, 0.1, 0.02},
	} {
		s := newChartScale(tc.max, tc.unit)
		if math.Abs(s.Top-tc.top) > 1e-9 || math.Abs(s.Step-tc.step) > 1e-9 {
			t.Errorf("scale for %v %s: top %v step %v, want %v %v", tc.max, tc.unit, s.Top, s.Step, tc.top, tc.step)
		}
		ticks := s.ticks()
		if ticks[0] != 0 || math.Abs(ticks[len(ticks)-1]-s.Top) > 1e-9 || len(ticks) < 3 || len(ticks) > 12 {
			t.Errorf("scale for %v: ticks %v", tc.max, ticks)
		}
		if s.y(0) != chartBottom || s.y(s.Top) != chartTop {
			t.Errorf("scale for %v: y(0)=%v y(top)=%v, want %d and %d", tc.max, s.y(0), s.y(s.Top), chartBottom, chartTop)
		}
	}
	if s := newChartScale(0.059, chartShare); s.y(0.04) != chartBottom-0.5*(chartBottom-chartTop) {
		t.Errorf("4%% on a 0–8%% axis is at %v, not half way", s.y(0.04))
	}
}

func TestChartAxisLabels(t *testing.T) {
	for v, want := range map[float64]string{0: "0%", 0.02: "2%", 0.025: "2.5%", 1: "100%"} {
		if got := chartFormat(v, chartShare, true); got != want {
			t.Errorf("tick %v = %q, want %q", v, got, want)
		}
	}
	if got := chartFormat(0.0594, chartShare, false); got != "5.9%" {
		t.Errorf("a share reads %q, want 5.9%%", got)
	}
	if got := chartFormat(2500, chartCount, true); got != "2,500" {
		t.Errorf("a count reads %q, want 2,500", got)
	}
}

func TestChartIsAnAccessibleImage(t *testing.T) {
	c := chartShareFixture(chartValue(0.052), chartValue(0.055), chartValue(0.059))
	svg := string(c.SVG())
	es := chartParse(t, svg)
	root := es[0]
	if root.Name != "svg" || root.Attrs["role"] != "img" || root.Attrs["aria-labelledby"] != "share-title share-desc" || root.Attrs["viewBox"] == "" {
		t.Fatalf("root %+v", root)
	}
	title, desc := chartElements(es, "title"), chartElements(es, "desc")
	if len(title) != 1 || title[0].Attrs["id"] != "share-title" || title[0].Text != c.Title {
		t.Errorf("title %+v", title)
	}
	wantDesc := "DDaT share of the Civil Service, 3 quarters from 2025-26 Q1 to 2025-26 Q3. Lowest 5.2% in 2025-26 Q1, highest 5.9% in 2025-26 Q3, latest 5.9% in 2025-26 Q3. The dashed line is the target: at least 6%."
	if len(desc) != 1 || desc[0].Attrs["id"] != "share-desc" || desc[0].Text != wantDesc {
		t.Errorf("desc %+v\nwant %q", desc, wantDesc)
	}
	var texts []string
	for _, e := range chartElements(es, "text") {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"DDaT share of headcount (%)", "Quarter", "0%", "8%", "2025-26 Q1", "2025-26 Q3", "Target: at least 6%"} {
		if !strings.Contains("|"+all+"|", "|"+want+"|") {
			t.Errorf("no SVG text %q among %q", want, all)
		}
	}
	if strings.Contains(svg, "style") || strings.Contains(svg, "<script") {
		t.Error("the chart carries a style attribute or a script, which the CSP refuses")
	}
	if got := len(chartElements(es, "circle")); got != 3 {
		t.Errorf("%d points drawn, want 3", got)
	}
	lines := chartElements(es, "polyline")
	if len(lines) != 1 || len(strings.Fields(lines[0].Attrs["points"])) != 3 {
		t.Errorf("series %+v", lines)
	}
	// The target line sits at 6% of a 0–8% axis.
	var target *chartSVGElement
	for _, e := range chartElements(es, "line") {
		if e.Attrs["stroke-dasharray"] != "" {
			target = &e
		}
	}
	if target == nil {
		t.Fatal("no dashed target line")
	}
	wantY := chartBottom - 0.75*(chartBottom-chartTop)
	if y := chartAttr(t, *target, "y1"); math.Abs(y-wantY) > 0.1 || chartAttr(t, *target, "y2") != y {
		t.Errorf("target line at y=%v, want %v", y, wantY)
	}
}

func TestChartEmptySeries(t *testing.T) {
	for name, c := range map[string]chart{
		"no quarters":         chartShareFixture(),
		"quarters, no figure": chartShareFixture(nil, nil),
	} {
		es := chartParse(t, string(c.SVG()))
		if n := len(chartElements(es, "circle")) + len(chartElements(es, "polyline")); n != 0 {
			t.Errorf("%s: %d marks drawn", name, n)
		}
		found := false
		for _, e := range chartElements(es, "text") {
			found = found || e.Text == "No figures yet"
		}
		if !found {
			t.Errorf("%s: the chart does not say it has no figures", name)
		}
		if d := chartElements(es, "desc")[0].Text; !strings.HasPrefix(d, "DDaT share of the Civil Service: there are no figures yet.") {
			t.Errorf("%s: desc %q", name, d)
		}
	}
}

func TestChartOnePoint(t *testing.T) {
	c := chartShareFixture(chartValue(0.055))
	es := chartParse(t, string(c.SVG()))
	circles := chartElements(es, "circle")
	if len(circles) != 1 || len(chartElements(es, "polyline")) != 0 {
		t.Fatalf("one quarter: %d dots, %d lines", len(circles), len(chartElements(es, "polyline")))
	}
	if x := chartAttr(t, circles[0], "cx"); x != (chartLeft+chartRight)/2.0 {
		t.Errorf("one point at x=%v, not in the middle", x)
	}
	if d := chartElements(es, "desc")[0].Text; !strings.Contains(d, "one quarter has figures, 5.5% in 2025-26 Q1") {
		t.Errorf("desc %q", d)
	}
}

func TestChartValuesAtZeroAndAHundredPercent(t *testing.T) {
	c := chart{ID: "ned", Title: "Digital non-executive directors", Unit: chartShare, YLabel: "Share (%)", XLabel: "Quarter",
		Points: []chartPoint{{"2025-26 Q1", chartValue(0)}, {"2025-26 Q2", chartValue(1)}},
		Lines:  []chartLine{{Label: "Target: 100%", Value: 1}}}
	es := chartParse(t, string(c.SVG()))
	circles := chartElements(es, "circle")
	if len(circles) != 2 {
		t.Fatalf("%d dots", len(circles))
	}
	if y := chartAttr(t, circles[0], "cy"); y != chartBottom {
		t.Errorf("0%% at y=%v, want the axis at %d", y, chartBottom)
	}
	if y := chartAttr(t, circles[1], "cy"); y != chartTop {
		t.Errorf("100%% at y=%v, want the top at %d", y, chartTop)
	}
	var top string
	for _, e := range chartElements(es, "text") {
		if strings.HasSuffix(e.Text, "%") && e.Attrs["text-anchor"] == "end" && e.Attrs["dominant-baseline"] == "middle" {
			top = e.Text
		}
	}
	if top != "100%" {
		t.Errorf("the axis ends at %q, want 100%%", top)
	}
}

func TestChartGapBreaksTheLine(t *testing.T) {
	c := chartShareFixture(chartValue(0.05), chartValue(0.051), nil, chartValue(0.053), chartValue(0.054))
	es := chartParse(t, string(c.SVG()))
	if got := len(chartElements(es, "polyline")); got != 2 {
		t.Errorf("%d line segments around a quarter without figures, want 2", got)
	}
	if got := len(chartElements(es, "circle")); got != 4 {
		t.Errorf("%d dots, want 4", got)
	}
}

func TestChartEscapesText(t *testing.T) {
	c := chartShareFixture(chartValue(0.05))
	c.Title = `Share <script>"&'`
	c.Points[0].Label = "<b>Q1</b>"
	svg := string(c.SVG())
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") {
		t.Fatalf("text not escaped: %s", svg)
	}
	if got := chartElements(chartParse(t, svg), "title")[0].Text; got != c.Title {
		t.Errorf("title reads back %q", got)
	}
}

func TestChartLabelsNeverCrowd(t *testing.T) {
	for n := 1; n <= 40; n++ {
		xs := chartXs(n)
		show := chartLabelled(xs)
		var at []float64
		for i, s := range show {
			if s {
				at = append(at, xs[i])
			}
		}
		if !show[0] || !show[n-1] || len(at) > chartXLabels+1 {
			t.Errorf("%d quarters: labels %v", n, show)
		}
		for i := 1; i < len(at); i++ {
			if at[i]-at[i-1] < chartLabelWidth {
				t.Errorf("%d quarters: labels %v apart", n, at[i]-at[i-1])
			}
		}
	}
}
