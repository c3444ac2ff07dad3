// Package workbook lays a rollup snapshot out as the leaders' workbooks: the management
// edition with exact figures, contacts and return statuses, and the published edition
// under statistical disclosure control. Sheets are values; shared/report applies the
// Government Statistical Service rules to all of them.
package workbook

import (
	"fmt"
	"strings"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/report"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Contact is who readers should ask about the figures.
const Contact = "DDaT workforce data team, ddat-workforce-returns@digital.cabinet-office.gov.uk"

// Render writes one edition of a snapshot. The same snapshot always gives the same bytes.
func Render(s rollup.Snapshot, edition string) ([]byte, error) {
	wb, err := Build(s, edition)
	if err != nil {
		return nil, err
	}
	return report.Write(wb)
}

// Build describes one edition of a snapshot as sheets.
func Build(s rollup.Snapshot, edition string) (report.Workbook, error) {
	var c counter
	switch edition {
	case rollup.EditionManagement:
		c = exact
	case rollup.EditionPublished:
		c = controlled
	default:
		return report.Workbook{}, fmt.Errorf("unknown edition %q", edition)
	}
	b := builder{s: s, edition: edition, count: c}
	wb := report.Workbook{
		Title:    "Digital, data and technology (DDaT) workforce: progress against the commitments, " + monthText(s.Month),
		Subtitle: editionText(edition),
		Properties: report.Properties{
			Title:       "DDaT workforce: progress report, " + monthText(s.Month) + " (" + edition + " edition)",
			Subject:     "Quarterly DDaT workforce returns from government organisations",
			Creator:     "DDaT workforce returns service",
			Company:     "Cabinet Office",
			Keywords:    "DDaT, digital, data, technology, workforce, Civil Service",
			Description: fmt.Sprintf("Rollup %s revision %d, reference quarter %s, inputs %s", s.Month, s.Revision, s.ReferenceQuarter, s.InputsFingerprint),
			Category:    "Official statistics in development",
			Created:     s.CreatedAt,
		},
		Cover: b.cover(),
		Notes: b.notes(),
	}
	wb.Tables = []report.Table{b.targets(), b.series(), b.earlyCareer(), b.routes(), b.families(), b.grades(),
		b.organisations(), b.leadership(), b.dataQuality()}
	return wb, nil
}

// counter writes a count as the edition allows.
type counter func(n int64) report.Cell

func exact(n int64) report.Cell { return n }

// controlled rounds counts to the nearest 5 and withholds counts of 1 to 4, so no small
// group of people can be picked out. Shares are always computed from the exact figures.
func controlled(n int64) report.Cell {
	switch {
	case n >= 1 && n <= 4:
		return report.Confidential
	case n < 0:
		return -controlledAbs(-n)
	}
	return controlledAbs(n)
}

func controlledAbs(n int64) int64 { return (n + 2) / 5 * 5 }

type builder struct {
	s       rollup.Snapshot
	edition string
	count   counter
}

func (b builder) management() bool { return b.edition == rollup.EditionManagement }

func (b builder) countPtr(n *int64, na report.Shorthand) report.Cell {
	if n == nil {
		return na
	}
	return b.count(*n)
}

func share(v *float64) report.Cell {
	if v == nil {
		return report.NotAvailable
	}
	return *v
}

func yesNo(v *bool, na report.Shorthand) report.Cell {
	switch {
	case v == nil:
		return na
	case *v:
		return "Yes"
	}
	return "No"
}

func monthText(m string) string {
	pm, err := period.ParseMonth(m)
	if err != nil {
		return m
	}
	return pm.LastDay().Format("January 2006")
}

func quarterText(q period.Quarter) string {
	return fmt.Sprintf("%s (%s)", q, q.Label())
}

func editionText(edition string) string {
	if edition == rollup.EditionManagement {
		return "Management edition: exact figures, contacts and return statuses. OFFICIAL-SENSITIVE: for leaders and administrators of the service; do not forward."
	}
	return "Published edition: counts rounded to the nearest 5, and counts of 1 to 4 shown as [c]."
}

func (b builder) latest() metrics.Quarter {
	qs := b.s.Government.Quarters
	if len(qs) == 0 {
		return metrics.Quarter{Period: b.s.ReferenceQuarter}
	}
	return qs[len(qs)-1]
}

func (b builder) cover() []report.CoverItem {
	g := b.latest()
	coverage := "not available"
	if g.Coverage != nil {
		coverage = fmt.Sprintf("%.1f%% of the expected Civil Service headcount", 100**g.Coverage)
	}
	items := []report.CoverItem{
		{Heading: "About these figures", Text: "Progress toward the government's digital, data and technology (DDaT) workforce commitments: at least 6% of the Civil Service in the DDaT profession, 2,500 early-career entrants, and digital leaders on every executive committee and board [note 1]."},
		{Heading: "Month", Text: monthText(b.s.Month)},
		{Heading: "Reference quarter", Text: quarterText(b.s.ReferenceQuarter) + ": the latest quarter whose returns were due by the end of the month."},
		{Heading: "Edition", Text: editionText(b.edition)},
		{Heading: "Source", Text: "Quarterly workforce returns from government organisations to the DDaT workforce returns service, as held on " + b.s.CreatedAt.Format("2 January 2006") + "."},
		{Heading: "Coverage", Text: fmt.Sprintf("%s: %d of %d expected returns received for %s [note 2].", coverage, g.ReturnsReceived, g.ReturnsExpected, g.Period)},
		{Heading: "Revision", Text: fmt.Sprintf("Revision %d of the %s rollup. A later revision replaces this one when returns are revised or arrive late.", b.s.Revision, b.s.Month)},
		{Heading: "Contact", Text: Contact},
	}
	return items
}

func (b builder) notes() []report.Note {
	disclosure := "Figures are exact. This edition is for management use and must not be published."
	if !b.management() {
		disclosure = "To protect individuals, counts are rounded to the nearest 5 and counts of 1 to 4 are shown as [c]. Shares and percentages are calculated from the exact figures, so they may differ slightly from shares of the rounded counts."
	}
	return []report.Note{
		{Number: 1, Text: "The DDaT share is DDaT profession headcount divided by total headcount of civil servants in post at the end of the quarter, over the Civil Service organisations that sent a return. Contractors are not included. Local-government bodies return only the leadership section."},
		{Number: 2, Text: "Coverage is the headcount of organisations that sent a return, divided by that headcount plus, for each expected organisation without a return, its latest earlier reported headcount (or its baseline headcount if it has never reported)."},
		{Number: 3, Text: "Early-career entrants joined the DDaT profession through apprenticeships, the Fast Stream, graduate programmes, internships or other early-career programmes. The commitment counts entrants from 2023-24 Q1 to 2025-26 Q1."},
		{Number: 4, Text: disclosure},
		{Number: 5, Text: "Leadership answers at a quarter use each organisation's latest return at or before that quarter. Appointments count only returns for the quarter itself. Civil Service Leadership Group (CSLG) members, and those of them who have attended an AI immersion workshop, are counted at the reference date, so nobody is counted twice across quarters."},
		{Number: 6, Text: "Where an organisation has not sent a return for the reference quarter, its row shows its latest earlier return, with the status carried_forward; missing means it has never sent one."},
	}
}

func (b builder) targets() report.Table {
	rows := make([][]report.Cell, 0, len(b.s.Targets))
	for _, t := range b.s.Targets {
		isShare := t.Threshold <= 1 && !strings.Contains(string(t.Measure), "cumulative")
		valueP, valueN := report.Cell(report.NotApplicable), report.Cell(report.NotApplicable)
		threshP, threshN := report.Cell(report.NotApplicable), report.Cell(report.NotApplicable)
		projP, projN := report.Cell(report.NotApplicable), report.Cell(report.NotApplicable)
		if isShare {
			valueP, threshP, projP = share(t.Value), t.Threshold, share(t.Projection)
		} else {
			valueN, threshN, projN = b.floatCount(t.Value), int64(t.Threshold), b.floatCount(t.Projection)
		}
		rows = append(rows, []report.Cell{t.Title, when(t), valueP, valueN, threshP, threshN, projP, projN, statusWord(string(t.Status)), orZ(t.Note)})
	}
	return report.Table{
		Sheet: "Targets",
		Title: "Table 1: Progress against the DDaT workforce commitments, " + monthText(b.s.Month) + " [note 1]",
		Description: []string{"Status is met, on track, off track, missed or not started. On track means the trend of the last four quarters reaches the threshold by the deadline or the end of the window.",
			"Shares are in the percent columns and counts in the number columns; [z] marks the columns that do not apply to a target."},
		Columns: []report.Column{{Header: "Commitment"}, {Header: "Deadline or window"},
			{Header: "Value (percent)", Kind: report.Percent}, {Header: "Value (number)", Kind: report.Count},
			{Header: "Threshold (percent)", Kind: report.Percent}, {Header: "Threshold (number)", Kind: report.Count},
			{Header: "Projection (percent)", Kind: report.Percent}, {Header: "Projection (number)", Kind: report.Count},
			{Header: "Status"}, {Header: "Note", Width: 60}},
		Rows: rows,
	}
}

func (b builder) floatCount(v *float64) report.Cell {
	if v == nil {
		return report.NotAvailable
	}
	return b.count(int64(*v + 0.5))
}

func when(t metrics.TargetStatus) string {
	switch {
	case t.Deadline != "":
		return "by " + t.Deadline
	case t.WindowStart != "":
		return t.WindowStart + " to " + t.WindowEnd
	case t.From != "":
		return "from " + t.From
	}
	return "no end date"
}

func statusWord(s string) string {
	return strings.ReplaceAll(s, "_", " ")
}

func orZ(s string) report.Cell {
	if s == "" {
		return report.NotApplicable
	}
	return s
}

func (b builder) series() report.Table {
	var rows [][]report.Cell
	for _, q := range b.s.Government.Quarters {
		rows = append(rows, []report.Cell{q.Period.String(), b.count(int64(q.ReturnsReceived)), b.count(int64(q.ReturnsExpected)), share(q.Coverage),
			b.count(q.Headcount), b.count(q.DDaTHeadcount), share(q.DDaTShare), share(q.DDaTShareKnown)})
	}
	t := report.Table{
		Sheet:       "DDaT share",
		Title:       "Table 2: DDaT profession headcount and share of the Civil Service, by quarter [note 1] [note 4]",
		Description: []string{"Headcount of civil servants in post on the last day of each quarter, over Civil Service organisations that sent a return for it [note 2]."},
		Columns: []report.Column{{Header: "Quarter"}, {Header: "Returns received (number)", Kind: report.Count}, {Header: "Returns expected (number)", Kind: report.Count},
			{Header: "Coverage (percent)", Kind: report.Percent}, {Header: "Headcount (number)", Kind: report.Count}, {Header: "DDaT headcount (number)", Kind: report.Count},
			{Header: "DDaT share (percent)", Kind: report.Percent}, {Header: "DDaT share of staff with a recorded profession (percent)", Kind: report.Percent}},
		Rows: rows,
	}
	if chartable(rows, 6) {
		t.Charts = []report.Chart{{Kind: report.LineChart, Title: "DDaT share of the Civil Service against the 6% commitment",
			AltText:    "Line chart of the DDaT profession's share of Civil Service headcount by quarter, with a dashed line at the 6% commitment.",
			XAxisTitle: "Quarter", YAxisTitle: "Share of headcount (percent)", Category: 0, Series: []int{6},
			Target: &report.Target{Header: "Commitment (percent)", Value: 0.06}}}
	}
	return t
}

// chartable reports whether every row has a number in column i: a chart cannot plot a
// shorthand marker.
func chartable(rows [][]report.Cell, i int) bool {
	if len(rows) == 0 {
		return false
	}
	for _, r := range rows {
		switch r[i].(type) {
		case int64, float64, int:
		default:
			return false
		}
	}
	return true
}

func (b builder) earlyCareer() report.Table {
	var rows [][]report.Cell
	for _, q := range b.s.Government.Quarters {
		if q.EarlyCareerEntrantsCumulative == nil {
			continue // outside the commitment's window
		}
		rows = append(rows, []report.Cell{q.Period.String(), b.count(q.EarlyCareerEntrants), b.count(*q.EarlyCareerEntrantsCumulative)})
	}
	t := report.Table{
		Sheet:       "Early-career entrants",
		Title:       "Table 3: Early-career entrants to the DDaT profession, by quarter and cumulative over the commitment's window [note 3] [note 4]",
		Description: []string{"Civil Service organisations only. Quarters outside the commitment's window are not shown."},
		Columns: []report.Column{{Header: "Quarter"}, {Header: "Early-career entrants (number)", Kind: report.Count},
			{Header: "Cumulative early-career entrants (number)", Kind: report.Count}},
		Rows: rows,
	}
	if len(rows) == 0 {
		t.Rows = [][]report.Cell{{"No quarter in the window", report.NotAvailable, report.NotAvailable}}
		return t
	}
	if chartable(rows, 2) {
		t.Charts = []report.Chart{{Kind: report.ColumnChart, Title: "Cumulative early-career entrants against the 2,500 commitment",
			AltText:    "Column chart of cumulative early-career entrants to the DDaT profession by quarter, with a dashed line at the commitment of 2,500.",
			XAxisTitle: "Quarter", YAxisTitle: "Entrants (number)", Category: 0, Series: []int{2},
			Target: &report.Target{Header: "Commitment (number)", Value: 2500}}}
	}
	return t
}

func label(key string) string {
	f, _ := workforce.FieldByKey(key)
	return f.Label
}

// byKey is a table of one row per quarter and one count column per field key.
func (b builder) byKey(sheet, title string, keys []string, get func(metrics.Quarter) map[string]int64, extra []report.Column, extraCells func(metrics.Quarter) []report.Cell) report.Table {
	cols := []report.Column{{Header: "Quarter"}}
	for _, k := range keys {
		cols = append(cols, report.Column{Header: label(k) + " (number)", Kind: report.Count})
	}
	cols = append(cols, extra...)
	var rows [][]report.Cell
	for _, q := range b.s.Government.Quarters {
		row := []report.Cell{q.Period.String()}
		m := get(q)
		for _, k := range keys {
			row = append(row, b.count(m[k]))
		}
		if extraCells != nil {
			row = append(row, extraCells(q)...)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		row := []report.Cell{"No quarter has returns"}
		for range cols[1:] {
			row = append(row, report.NotAvailable)
		}
		rows = append(rows, row)
	}
	return report.Table{Sheet: sheet, Title: title, Columns: cols, Rows: rows,
		Description: []string{"Civil Service organisations that sent a return for the quarter."}}
}

func (b builder) routes() report.Table {
	return b.byKey("Entrants by route", "Table 4: Entrants to the DDaT profession by route and quarter [note 3] [note 4]", workforce.EarlyCareerKeys,
		func(q metrics.Quarter) map[string]int64 { return q.EntrantsByRoute },
		[]report.Column{{Header: "All early-career entrants (number)", Kind: report.Count}, {Header: "All entrants including experienced hires (number)", Kind: report.Count}},
		func(q metrics.Quarter) []report.Cell {
			return []report.Cell{b.count(q.EarlyCareerEntrants), b.count(q.EntrantsTotal)}
		})
}

func (b builder) families() report.Table {
	return b.byKey("Job families", "Table 5: DDaT profession headcount by job family and quarter [note 4]", workforce.FamilyKeys,
		func(q metrics.Quarter) map[string]int64 { return q.ByFamily }, nil, nil)
}

func (b builder) grades() report.Table {
	return b.byKey("Grades", "Table 6: DDaT profession headcount by grade and quarter [note 4]", workforce.GradeKeys,
		func(q metrics.Quarter) map[string]int64 { return q.ByGrade }, nil, nil)
}

func (b builder) organisations() report.Table {
	cols := []report.Column{{Header: "Organisation code"}, {Header: "Organisation", Width: 40}, {Header: "Kind"},
		{Header: "Return status"}, {Header: "Quarter of the figures"},
		{Header: "Headcount (number)", Kind: report.Count}, {Header: "DDaT headcount (number)", Kind: report.Count},
		{Header: "DDaT share (percent)", Kind: report.Percent}, {Header: "DDaT share of staff with a recorded profession (percent)", Kind: report.Percent},
		{Header: "Early-career entrants (number)", Kind: report.Count}}
	if b.management() {
		cols = append(cols, report.Column{Header: "Version (number)", Kind: report.Count}, report.Column{Header: "Received (date)", Kind: report.Date},
			report.Column{Header: "Warnings (number)", Kind: report.Count}, report.Column{Header: "Contact name"}, report.Column{Header: "Contact email"})
	}
	var rows [][]report.Cell
	for _, o := range b.s.Organisations {
		workforceNA := report.NotAvailable
		if o.Kind == workforce.LocalGovernment {
			workforceNA = report.NotApplicable
		}
		q := report.Cell(report.NotAvailable)
		if o.Period != nil {
			q = o.Period.String()
		}
		row := []report.Cell{o.Code, o.Name, kindText(o.Kind), statusWord(string(o.Status)), q,
			b.countPtr(o.Headcount, workforceNA), b.countPtr(o.DDaTHeadcount, workforceNA), shareOr(o.DDaTShare, workforceNA),
			shareOr(o.DDaTShareKnown, workforceNA), b.countPtr(o.EarlyCareerEntrants, workforceNA)}
		if b.management() {
			received := report.Cell(report.NotAvailable)
			if o.ReceivedAt != nil {
				received = o.ReceivedAt.UTC().Truncate(24 * 60 * 60 * 1e9)
			}
			version := report.Cell(report.NotAvailable)
			if o.Version > 0 {
				version = int64(o.Version)
			}
			row = append(row, version, received, int64(o.Warnings), textOr(o.ContactName), textOr(o.ContactEmail))
		}
		rows = append(rows, row)
	}
	return report.Table{
		Sheet:       "Organisations",
		Title:       "Table 7: Organisations at the reference quarter, " + b.s.ReferenceQuarter.String() + " [note 4] [note 6]",
		Description: []string{"Local-government bodies return only the leadership section, so their workforce figures are [z]."},
		Columns:     cols, Rows: nonEmpty(rows, len(cols)),
	}
}

func shareOr(v *float64, na report.Shorthand) report.Cell {
	if v == nil {
		return na
	}
	return *v
}

func textOr(s string) report.Cell {
	if s == "" {
		return report.NotAvailable
	}
	return s
}

func kindText(k workforce.OrgKind) string {
	if k == workforce.LocalGovernment {
		return "local government"
	}
	return "civil service"
}

func nonEmpty(rows [][]report.Cell, width int) [][]report.Cell {
	if len(rows) > 0 {
		return rows
	}
	row := []report.Cell{"No organisations"}
	for i := 1; i < width; i++ {
		row = append(row, report.NotAvailable)
	}
	return [][]report.Cell{row}
}

func (b builder) leadership() report.Table {
	cols := []report.Column{{Header: "Organisation code"}, {Header: "Organisation", Width: 40},
		{Header: "Digital leader on the executive committee"}, {Header: "Digital non-executive director on the board"},
		{Header: "Directors and directors general appointed (number)", Kind: report.Count},
		{Header: "Appointees assessed on digital and data skills (number)", Kind: report.Count},
		{Header: "Digital and data director and DG roles (number)", Kind: report.Count},
		{Header: "Roles with a succession plan (number)", Kind: report.Count},
		{Header: "Civil Service Leadership Group members (number)", Kind: report.Count},
		{Header: "CSLG members who have attended an AI immersion workshop (number)", Kind: report.Count}}
	var rows [][]report.Cell
	for _, o := range b.s.Organisations {
		na, countsNA := report.NotAvailable, report.NotAvailable
		if o.Kind == workforce.LocalGovernment {
			countsNA = report.NotApplicable // councils answer only the two yes/no questions
		}
		rows = append(rows, []report.Cell{o.Code, o.Name, yesNo(o.ExecDigitalLeader, na), yesNo(o.BoardDigitalNED, na),
			b.countPtr(o.SeniorAppointments, countsNA), b.countPtr(o.SeniorAppointmentsAssessed, countsNA), b.countPtr(o.DigitalSeniorRoles, countsNA),
			b.countPtr(o.DigitalSeniorRolesWithSuccessionPlan, countsNA), b.countPtr(o.CSLGMembers, countsNA), b.countPtr(o.CSLGMembersAIImmersion, countsNA)})
	}
	return report.Table{
		Sheet:       "Leadership",
		Title:       "Table 8: Digital leadership by organisation, " + b.s.ReferenceQuarter.String() + " [note 4] [note 5]",
		Description: []string{"Answers at the reference date; appointments during the quarter of the figures. Local-government bodies answer only the two yes/no questions, so their counts are [z]."},
		Columns:     cols, Rows: nonEmpty(rows, len(cols)),
	}
}

func (b builder) dataQuality() report.Table {
	dq := b.s.DataQuality
	rows := [][]report.Cell{
		{"Returns expected", b.count(int64(dq.Expected))},
		{"Returns received", b.count(int64(dq.Received))},
		{"Received on time", b.count(int64(dq.OnTime))},
		{"Received late", b.count(int64(dq.Late))},
		{"Missing (never reported)", b.count(int64(dq.Missing))},
		{"Carried forward from an earlier quarter", b.count(int64(dq.CarriedForward))},
		{"Revised (more than one version)", b.count(int64(dq.Revised))},
	}
	for _, code := range sortedKeys(dq.WarningsByCode) {
		rows = append(rows, []report.Cell{"Returns with warning: " + strings.ReplaceAll(code, "_", " "), b.count(int64(dq.WarningsByCode[code]))})
	}
	return report.Table{
		Sheet:       "Data quality",
		Title:       "Table 9: Data quality of the returns for " + b.s.ReferenceQuarter.String(),
		Description: []string{"Counts of returns [note 4]."},
		Columns:     []report.Column{{Header: "Measure"}, {Header: "Returns (number)", Kind: report.Count}},
		Rows:        rows,
	}
}
