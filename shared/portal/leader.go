package portal

// leader.go is the leaders' pages (SPEC §9): progress against the commitments, with the
// government series as charts and tables, and the organisations with their return status.
// Everything shown is what the JSON API answered: a rollup snapshot (GET /rollups,
// GET /rollups/{month}) or, before any rollup, the live figures (GET /metrics/{period}),
// and a quarter's collection (GET /collection/{period}).

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func init() {
	pageGroups = append(pageGroups, func(s *Server) []page {
		b := s.cfg.BasePath
		return []page{
			{"GET " + b + "/progress", s.leadProgress},
			{"GET " + b + "/organisations", s.leadOrganisations},
			{"GET " + b + "/workbooks", s.leadWorkbooks},
			{"GET " + b + "/workbooks/{month}", s.leadWorkbookDownload},
		}
	})
}

// The API's answers, as far as these pages read them. The shapes are metrics.Result (which
// a rollup.Snapshot extends), rollup.Record, and httpapi's collection view.

// leadFigures is a rollup snapshot, or the live metrics of a quarter (which have no
// revision, inputs or reports).
type leadFigures struct {
	Month            string `json:"month"`
	ReferenceQuarter string `json:"reference_quarter"`
	Government       struct {
		Quarters []leadQuarter `json:"quarters"`
	} `json:"government"`
	Organisations []leadOrgRow    `json:"organisations"`
	Targets       []leadTarget    `json:"targets"`
	DataQuality   leadDataQuality `json:"data_quality"`

	Revision  int          `json:"revision"`
	CreatedAt time.Time    `json:"created_at"`
	Trigger   string       `json:"trigger"`
	Inputs    []struct{}   `json:"inputs"`
	Reports   []leadReport `json:"reports"`
}

type leadDataQuality struct {
	Expected       int `json:"returns_expected"`
	Received       int `json:"returns_received"`
	Late           int `json:"late"`
	Missing        int `json:"missing"`
	CarriedForward int `json:"carried_forward"`
}

// leadQuarter is one quarter of the government series.
type leadQuarter struct {
	Period                        string   `json:"period"`
	ReturnsExpected               int      `json:"returns_expected"`
	ReturnsReceived               int      `json:"returns_received"`
	CivilServiceReturns           int      `json:"civil_service_returns"`
	Headcount                     int64    `json:"headcount"`
	DDaTHeadcount                 int64    `json:"ddat_headcount"`
	DDaTShare                     *float64 `json:"ddat_share"`
	Coverage                      *float64 `json:"coverage"`
	EarlyCareerEntrants           int64    `json:"early_career_entrants"`
	EarlyCareerEntrantsCumulative *int64   `json:"early_career_entrants_cumulative"`
}

// leadTarget is where one target stands (metrics.TargetStatus).
type leadTarget struct {
	ID                    string   `json:"id"`
	Title                 string   `json:"title"`
	Measure               string   `json:"measure"`
	Unit                  string   `json:"unit"`
	Comparison            string   `json:"comparison"`
	Commitment            string   `json:"commitment"`
	Value                 *float64 `json:"value"`
	Period                string   `json:"period"`
	JudgedAt              string   `json:"judged_at"`
	LatestValue           *float64 `json:"latest_value"`
	LatestPeriod          string   `json:"latest_period"`
	OrganisationsAnswered int      `json:"organisations_answered"`
	OrganisationsExpected int      `json:"organisations_expected"`
	Threshold             float64  `json:"threshold"`
	Status                string   `json:"status"`
	Projection            *float64 `json:"projection"`
	EndQuarter            string   `json:"end_quarter"`
	Deadline              string   `json:"deadline"`
	WindowStart           string   `json:"window_start"`
	WindowEnd             string   `json:"window_end"`
	From                  string   `json:"from"`
	Note                  string   `json:"note"`
}

// leadOrgRow is one organisation at the reference quarter (metrics.OrgRow).
type leadOrgRow struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	Status     string     `json:"status"`
	DueDate    string     `json:"due_date"`
	Period     string     `json:"period"`
	Version    int        `json:"version"`
	ReceivedAt *time.Time `json:"received_at"`
	Warnings   int        `json:"warnings"`
}

// leadRollup is a month's latest revision as GET /rollups lists it (rollup.Record).
type leadRollup struct {
	Month            string       `json:"month"`
	Revision         int          `json:"revision"`
	ReferenceQuarter string       `json:"reference_quarter"`
	CreatedAt        time.Time    `json:"created_at"`
	Trigger          string       `json:"trigger"`
	Reports          []leadReport `json:"reports"`
}

// leadReport is one stored workbook (rollup.Report).
type leadReport struct {
	Edition string `json:"edition"`
	Format  string `json:"format"`
	Bytes   int    `json:"bytes"`
}

// leadCollection is where a quarter's collection stands (GET /collection/{period}).
type leadCollection struct {
	Period   string    `json:"period"`
	AsOf     time.Time `json:"as_of"`
	Schedule struct {
		Opens string `json:"opens"`
		Due   string `json:"due"`
	} `json:"schedule"`
	Organisations []leadCollectionOrg `json:"organisations"`
}

type leadCollectionOrg struct {
	Org       string     `json:"org"`
	Name      string     `json:"name"`
	Kind      string     `json:"kind"`
	State     string     `json:"state"`
	Version   int        `json:"version"`
	SentAt    *time.Time `json:"sent_at"`
	Reminders []struct {
		Stage    string `json:"stage"`
		Date     string `json:"date"`
		Messages int    `json:"messages"`
	} `json:"reminders"`
}

// due is the quarter's due date.
func (c leadCollection) due() (time.Time, error) {
	return time.Parse(time.DateOnly, c.Schedule.Due)
}

// leadTag is a GOV.UK tag: the word says it, the colour only supports it.
type leadTag struct {
	Text  string
	Class string // a govuk-tag-- modifier
}

// leadStatusTags are the words of the six target statuses (SPEC §4).
var leadStatusTags = map[string]leadTag{
	"met":         {"Met", "govuk-tag--green"},
	"on_track":    {"On track", "govuk-tag--blue"},
	"off_track":   {"Not on track", "govuk-tag--orange"},
	"missed":      {"Missed", "govuk-tag--red"},
	"not_started": {"Not started", "govuk-tag--grey"},
	"no_data":     {"No data", "govuk-tag--yellow"},
}

// leadStatusTag is a target status as a tag; a status the portal does not know yet is
// shown in its own words, never dropped.
func leadStatusTag(status string) leadTag {
	if t, ok := leadStatusTags[status]; ok {
		return t
	}
	w := strings.ReplaceAll(status, "_", " ")
	if w == "" {
		w = "unknown"
	}
	return leadTag{strings.ToUpper(w[:1]) + w[1:], "govuk-tag--grey"}
}

// leadQuarterName writes a quarter as people read it, "2026-27 Q2".
func leadQuarterName(s string) string {
	q, err := period.ParseQuarter(s)
	if err != nil {
		return s
	}
	c := q.String()
	return c[:7] + " " + c[8:]
}

// leadQuarterLong is a quarter with its months, "2026-27 Q2 (July to September 2026)".
func leadQuarterLong(s string) string {
	q, err := period.ParseQuarter(s)
	if err != nil {
		return s
	}
	return leadQuarterName(s) + " (" + q.Label() + ")"
}

// leadMonthName writes a month as people read it, "November 2026".
func leadMonthName(s string) string {
	m, err := period.ParseMonth(s)
	if err != nil {
		return s
	}
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC).Format("January 2006")
}

// leadDate writes a YYYY-MM-DD date the GOV.UK way, "30 October 2026".
func leadDate(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return period.LongDate(d)
}

var leadKinds = map[string]string{
	string(workforce.CivilService):    "Civil service",
	string(workforce.LocalGovernment): "Local government",
}

func leadKind(k string) string {
	if s, ok := leadKinds[k]; ok {
		return s
	}
	return k
}

// leadReferenceQuarter is the reference quarter of the current month, picked as the rollup
// picks it (SPEC §2, period.ReferenceQuarter): the latest quarter whose due date is on or
// before the month's last day. The due date is the API's: GET /collection/{period} answers
// the quarter's calendar, whose due date is DUE_DAYS after its reference date, so the
// portal needs no DUE_DAYS of its own. The answer's collection is the reference quarter's,
// so a page that needs it makes no second call.
func (s *Server) leadReferenceQuarter(ctx context.Context, sess *Session) (period.Quarter, leadCollection, error) {
	month := period.MonthOf(s.now().UTC())
	probe := period.Containing(s.now().UTC()).Prev() // the last quarter that has ended
	var c leadCollection
	if err := s.api.getJSON(ctx, sess, apiPath("collection", probe.String()), nil, &c); err != nil {
		return period.Quarter{}, c, err
	}
	due, err := c.due()
	if err != nil {
		return period.Quarter{}, c, fmt.Errorf("GET /collection/%s: due date %q: %w", probe, c.Schedule.Due, err)
	}
	dueDays := int(due.Sub(probe.ReferenceDate()).Hours() / 24)
	ref := period.ReferenceQuarter(month, dueDays)
	if ref == probe {
		return ref, c, nil
	}
	c = leadCollection{}
	err = s.api.getJSON(ctx, sess, apiPath("collection", ref.String()), nil, &c)
	return ref, c, err
}

// leadQuarterChoice reads ?period= from a page that shows one quarter: the quarter asked
// for, or ok=false with the error to show beside the field. An empty value asks for the
// reference quarter.
func leadQuarterChoice(r *http.Request) (q period.Quarter, asked string, problem string) {
	asked = strings.TrimSpace(r.URL.Query().Get("period"))
	if asked == "" {
		return period.Quarter{}, "", ""
	}
	q, err := period.ParseQuarter(asked)
	if err != nil {
		return period.Quarter{}, asked, "Enter a quarter like 2026-27 Q2: " + err.Error()
	}
	return q, asked, ""
}

// --- Progress against the commitments ---------------------------------------------------

// leadProgressView is the progress page.
type leadProgressView struct {
	Live       bool   // no rollup yet: the live figures of the reference quarter
	Month      string // "November 2026"
	MonthCode  string
	Revision   int
	CreatedAt  time.Time
	RefQuarter string // "2026-27 Q2 (July to September 2026)"
	Received   int
	Expected   int
	Targets    []leadTargetRow
	Charts     []leadChart
	Months     []leadOption // other months rolled up, for the chooser
	HasReports bool
	NoTargets  bool
}

type leadOption struct {
	Value, Text string
	Selected    bool
}

// leadTargetRow is one row of the targets table, every figure already in words.
type leadTargetRow struct {
	ID         string
	Title      string
	Commitment string
	When       string // the deadline, window or start
	Value      string
	ValueAt    string // where the value is taken, when it is not the reference quarter
	Latest     string // the value now, beside a value judged at the deadline
	Answered   string // "38 of 40 organisations answered"
	Threshold  string
	Tag        leadTag
	Projection string
	Note       string
}

func leadUnit(u string) chartUnit {
	if u == string(chartCount) {
		return chartCount
	}
	return chartShare
}

// leadThreshold says what the target asks for: "At least 6%", "100%".
func leadThreshold(t leadTarget) string {
	v := chartFormat(t.Threshold, leadUnit(t.Unit), true)
	if t.Comparison == "at_least" {
		return "At least " + v
	}
	return v
}

func leadTargetRows(ts []leadTarget, refQuarter string) []leadTargetRow {
	rows := make([]leadTargetRow, 0, len(ts))
	for _, t := range ts {
		unit := leadUnit(t.Unit)
		row := leadTargetRow{ID: t.ID, Title: t.Title, Commitment: t.Commitment, Threshold: leadThreshold(t),
			Tag: leadStatusTag(t.Status), Note: t.Note}
		switch {
		case t.Deadline != "":
			row.When = "Deadline: " + leadDate(t.Deadline)
		case t.WindowStart != "":
			row.When = "Counted from " + leadQuarterName(t.WindowStart) + " to " + leadQuarterName(t.WindowEnd)
		case t.From != "":
			row.When = "Measured from " + leadDate(t.From)
		}
		row.Value = "No figure"
		if t.Value != nil {
			row.Value = chartFormat(*t.Value, unit, false)
		}
		if t.Period != "" && (t.Period != refQuarter || t.JudgedAt != "reference_quarter") {
			row.ValueAt = "at " + leadQuarterName(t.Period)
			switch t.JudgedAt {
			case "deadline_quarter":
				row.ValueAt += ", the deadline quarter"
			case "window_end":
				row.ValueAt += ", the window's last quarter"
			}
		}
		if t.LatestValue != nil {
			row.Latest = "Now " + chartFormat(*t.LatestValue, unit, false)
			if t.LatestPeriod != "" {
				row.Latest += " (" + leadQuarterName(t.LatestPeriod) + ")"
			}
		}
		if t.OrganisationsExpected > 0 && t.Status != "not_started" {
			row.Answered = fmt.Sprintf("%s of %s organisations answered", leadNumber(t.OrganisationsAnswered), leadNumber(t.OrganisationsExpected))
		}
		row.Projection = "No projection"
		if t.Projection != nil {
			row.Projection = chartFormat(*t.Projection, unit, false)
			if t.EndQuarter != "" {
				row.Projection += " by " + leadQuarterName(t.EndQuarter)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func leadNumber(v any) string { return printer.Sprintf("%v", v) }

// leadChart is a chart and the same figures as a table.
type leadChart struct {
	ID      string
	Heading string
	SVG     template.HTML
	Caption string
	Headers []leadHeader
	Rows    [][]string // the first cell heads its row
}

type leadHeader struct {
	Text    string
	Numeric bool
}

// leadSeries says how a target's measure is drawn from the government series: the value
// of each quarter, and the table's other columns. A measure not here is not charted (its
// figures are in the targets table); targets are data, so a new target on one of these
// measures is charted with no change here.
type leadSeries struct {
	YLabel  string
	Value   func(q leadQuarter) *float64
	Skip    func(q leadQuarter) bool // a quarter outside the series (before a window)
	Columns []leadColumn
}

type leadColumn struct {
	Header  string
	Numeric bool
	Cell    func(q leadQuarter) string
}

func leadPercent(v *float64) string {
	if v == nil {
		return "Not available"
	}
	return chartFormat(*v, chartShare, false)
}

var leadSeriesByMeasure = map[string]leadSeries{
	"ddat_share": {
		YLabel: "DDaT share of headcount (%)",
		Value:  func(q leadQuarter) *float64 { return q.DDaTShare },
		Columns: []leadColumn{
			{"DDaT share of headcount", true, func(q leadQuarter) string { return leadPercent(q.DDaTShare) }},
			{"DDaT headcount", true, func(q leadQuarter) string { return leadNumber(q.DDaTHeadcount) }},
			{"Headcount", true, func(q leadQuarter) string { return leadNumber(q.Headcount) }},
			{"Coverage of expected headcount", true, func(q leadQuarter) string { return leadPercent(q.Coverage) }},
		},
	},
	"early_career_entrants_cumulative": {
		YLabel: "Entrants since the window began",
		Value: func(q leadQuarter) *float64 {
			if q.EarlyCareerEntrantsCumulative == nil {
				return nil
			}
			v := float64(*q.EarlyCareerEntrantsCumulative)
			return &v
		},
		Skip: func(q leadQuarter) bool { return q.EarlyCareerEntrantsCumulative == nil },
		Columns: []leadColumn{
			{"Early-career entrants in the quarter", true, func(q leadQuarter) string { return leadNumber(q.EarlyCareerEntrants) }},
			{"Early-career entrants since the window began", true, func(q leadQuarter) string {
				return leadNumber(*q.EarlyCareerEntrantsCumulative)
			}},
		},
	},
}

// leadCharts draws one chart per charted measure, in the order of the targets, with
// every target on that measure as a threshold line.
func leadCharts(f leadFigures) []leadChart {
	var out []leadChart
	done := map[string]bool{}
	for _, t := range f.Targets {
		series, ok := leadSeriesByMeasure[t.Measure]
		if !ok || done[t.Measure] {
			continue
		}
		done[t.Measure] = true
		c := chart{ID: "chart-" + t.ID, Title: t.Title + ", by quarter", Unit: leadUnit(t.Unit), YLabel: series.YLabel, XLabel: "Quarter"}
		for _, o := range f.Targets {
			if o.Measure == t.Measure {
				c.Lines = append(c.Lines, chartLine{Label: "Target: " + strings.ToLower(leadThreshold(o)[:1]) + leadThreshold(o)[1:], Value: o.Threshold})
			}
		}
		lc := leadChart{ID: c.ID, Heading: c.Title, Caption: c.Title + ": the figures in the chart",
			Headers: []leadHeader{{Text: "Quarter"}}}
		for _, col := range series.Columns {
			lc.Headers = append(lc.Headers, leadHeader{col.Header, col.Numeric})
		}
		for _, q := range f.Government.Quarters {
			if series.Skip != nil && series.Skip(q) {
				continue
			}
			name := leadQuarterName(q.Period)
			c.Points = append(c.Points, chartPoint{Label: name, Value: series.Value(q)})
			row := []string{name}
			for _, col := range series.Columns {
				row = append(row, col.Cell(q))
			}
			lc.Rows = append(lc.Rows, row)
		}
		lc.SVG = c.SVG()
		out = append(out, lc)
	}
	return out
}

// leadProgress is "Progress against the commitments": the latest rollup (or the month asked
// for), or the live figures of the reference quarter before the first rollup.
func (s *Server) leadProgress(w http.ResponseWriter, r *http.Request, sess *Session) {
	ctx := r.Context()
	var list struct {
		Rollups []leadRollup `json:"rollups"`
	}
	if err := s.api.getJSON(ctx, sess, "/rollups", nil, &list); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var f leadFigures
	v := leadProgressView{}
	if len(list.Rollups) == 0 {
		ref, _, err := s.leadReferenceQuarter(ctx, sess)
		if err == nil {
			err = s.api.getJSON(ctx, sess, apiPath("metrics", ref.String()), nil, &f)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		v.Live = true
	} else {
		month := list.Rollups[0].Month
		if asked := r.URL.Query().Get("month"); asked != "" {
			month = ""
			for _, rec := range list.Rollups {
				if rec.Month == asked {
					month = asked
				}
			}
			if month == "" {
				s.notFound(w, r)
				return
			}
		}
		if err := s.api.getJSON(ctx, sess, apiPath("rollups", month), nil, &f); err != nil {
			s.apiFail(w, r, err)
			return
		}
		for _, rec := range list.Rollups {
			v.Months = append(v.Months, leadOption{Value: rec.Month, Text: leadMonthName(rec.Month), Selected: rec.Month == month})
		}
	}
	v.Month, v.MonthCode, v.Revision, v.CreatedAt = leadMonthName(f.Month), f.Month, f.Revision, f.CreatedAt
	v.RefQuarter = leadQuarterLong(f.ReferenceQuarter)
	v.Received, v.Expected = f.DataQuality.Received, f.DataQuality.Expected
	v.Targets = leadTargetRows(f.Targets, f.ReferenceQuarter)
	v.Charts = leadCharts(f)
	v.HasReports = len(f.Reports) > 0
	v.NoTargets = len(f.Targets) == 0
	s.render(w, r, http.StatusOK, "progress", sess, v)
}

// --- Organisations ---------------------------------------------------------------------

type leadOrganisationsView struct {
	Quarter     string // "2026-27 Q2 (July to September 2026)"
	QuarterCode string
	QuarterForm
	Due     string
	AsOf    time.Time
	Rows    []leadOrganisationRow
	Sent    int
	Late    int
	Warned  int
	NotSent int
}

type leadOrganisationRow struct {
	Code, Name, Kind string
	Tag              leadTag
	Detail           string // "Version 2, first sent 12 October 2026", "Due 30 October 2026"
	Warnings         int
}

// QuarterForm is the quarter chooser of a page about one quarter's returns
// (templates/layout.html, "quarter-form"): where it goes, its button, what was asked and
// the problem shown beside the field.
type QuarterForm struct {
	Action, Button string
	Asked, Problem string
}

// leadCollectionFor reads the collection of the quarter a page was asked for (?period=),
// or of the reference quarter, noting what was asked in form. A quarter that is not one,
// or one the collection does not have, is shown on the field: view (which holds form) is
// rendered as page with the problem; ok is false when the page has been answered.
func (s *Server) leadCollectionFor(w http.ResponseWriter, r *http.Request, sess *Session, form *QuarterForm, page string, view any) (period.Quarter, leadCollection, bool) {
	q, asked, problem := leadQuarterChoice(r)
	form.Asked = asked
	refuse := func(status int, problem string) {
		form.Problem = problem
		s.render(w, r, status, page, sess, view, FormError{Href: "#period", Text: problem})
	}
	if problem != "" {
		refuse(http.StatusBadRequest, problem)
		return q, leadCollection{}, false
	}
	var c leadCollection
	var err error
	if q.IsZero() {
		q, c, err = s.leadReferenceQuarter(r.Context(), sess)
	} else {
		err = s.api.getJSON(r.Context(), sess, apiPath("collection", q.String()), nil, &c)
	}
	if asked != "" && apiStatus(err) == http.StatusNotFound {
		refuse(http.StatusNotFound, "There are no returns for "+leadQuarterName(q.String())+": "+strings.TrimSuffix(leadAPIDetail(err), ".")+".")
		return q, c, false
	}
	if err != nil {
		s.apiFail(w, r, err)
		return q, c, false
	}
	return q, c, true
}

// leadOrganisations lists every organisation expected for a quarter with where its return
// stands: sent (on time or late, with warnings or not), not yet due, or overdue. The state
// is the collection's (GET /collection/{period}); the warnings are the metrics' (GET
// /metrics/{period}).
func (s *Server) leadOrganisations(w http.ResponseWriter, r *http.Request, sess *Session) {
	ctx := r.Context()
	v := leadOrganisationsView{QuarterForm: QuarterForm{Action: s.cfg.BasePath + "/organisations", Button: "Show returns"}}
	q, c, ok := s.leadCollectionFor(w, r, sess, &v.QuarterForm, "organisations", &v)
	if !ok {
		return
	}
	// The metrics answer only for quarters that have ended; a later quarter has no
	// figures, and so no warnings, yet.
	warnings := map[string]int{}
	if !q.ReferenceDate().After(s.now()) {
		var f leadFigures
		if err := s.api.getJSON(ctx, sess, apiPath("metrics", q.String()), nil, &f); err != nil {
			s.apiFail(w, r, err)
			return
		}
		for _, o := range f.Organisations {
			if o.Period == q.String() {
				warnings[o.Code] = o.Warnings
			}
		}
	}
	v.Quarter, v.QuarterCode, v.Due, v.AsOf = leadQuarterLong(q.String()), q.String(), leadDate(c.Schedule.Due), c.AsOf
	for _, o := range c.Organisations {
		row := leadOrganisationRow{Code: o.Org, Name: o.Name, Kind: leadKind(o.Kind), Warnings: warnings[o.Org]}
		switch o.State {
		case "sent", "late":
			v.Sent++
			row.Tag = leadTag{"Received", "govuk-tag--green"}
			if o.State == "late" {
				v.Late++
				row.Tag = leadTag{"Received late", "govuk-tag--orange"}
			}
			if row.Warnings > 0 {
				v.Warned++
				row.Tag.Text += ", with warnings"
				row.Tag.Class = "govuk-tag--yellow"
			}
			row.Detail = fmt.Sprintf("Version %d", o.Version)
			if o.SentAt != nil {
				row.Detail += ", first sent " + period.LongDate(o.SentAt.In(london))
			}
		case "overdue":
			v.NotSent++
			row.Tag, row.Detail = leadTag{"Overdue", "govuk-tag--red"}, "Was due "+v.Due
		default: // not_started
			v.NotSent++
			row.Tag, row.Detail = leadTag{"Not received yet", "govuk-tag--grey"}, "Due "+v.Due
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "organisations", sess, v)
}

// leadAPIDetail is the API's sentence about an error, or the error's own text.
func leadAPIDetail(err error) string {
	var ae *APIError
	if errors.As(err, &ae) && ae.Problem.Detail != "" {
		return ae.Problem.Detail
	}
	return err.Error()
}

// leadValues builds a query from pairs of names and values, leaving out empty values.
func leadValues(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return q
}
