// Package editions lays a rollup snapshot out as the leaders' workbooks: the management
// edition with exact figures, contacts and return statuses, and the published edition
// under statistical disclosure control. Sheets are values; shared/gsswriter applies the
// Government Statistical Service rules to all of them.
package editions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ddat-workforce/returns/shared/editions/internal/disclosure"
	"github.com/ddat-workforce/returns/shared/gsswriter"
	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
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
	return gsswriter.Write(wb)
}

// Build describes one edition of a snapshot as sheets.
func Build(s rollup.Snapshot, edition string) (gsswriter.Workbook, error) {
	switch edition {
	case rollup.EditionManagement:
		return build(s, edition, uncontrolled)
	case rollup.EditionPublished:
		return build(s, edition, published)
	}
	return gsswriter.Workbook{}, fmt.Errorf("unknown edition %q", edition)
}

func build(s rollup.Snapshot, edition string, ctl control) (gsswriter.Workbook, error) {
	wb, _ := layout(s, edition, ctl)
	return wb, nil
}

// layout is build, with the rows in which disclosure control withheld counts other than
// 1 to 4 (the notes list them).
func layout(s rollup.Snapshot, edition string, ctl control) (gsswriter.Workbook, []disclosure.At) {
	// A snapshot written before targets carried a unit reads it from the measure.
	s.Targets = slices.Clone(s.Targets)
	for i := range s.Targets {
		if s.Targets[i].Unit == "" {
			s.Targets[i].Unit = s.Targets[i].Measure.Unit()
		}
	}
	b := builder{s: s, edition: edition, count: exact, control: ctl}
	if ctl.counts {
		b.count = controlled
	}
	wb := gsswriter.Workbook{
		Title:    "Digital, data and technology (DDaT) workforce: progress against the commitments, " + monthText(s.Month),
		Subtitle: editionText(edition),
		Properties: gsswriter.Properties{
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
	wb.Tables = []gsswriter.Table{b.targets(), b.series(), b.earlyCareer(), b.routes(), b.families(), b.grades(),
		b.organisations(), b.leadership(), b.dataQuality()}
	if ctl.counts {
		wb.Shorthand = map[gsswriter.Shorthand]string{gsswriter.Confidential: confidentialText}
	}
	var withheld []disclosure.At
	if ctl.complementary {
		withheld = protect(&wb)
		noteWithheld(&wb, withheld)
	}
	return wb, withheld
}

type builder struct {
	s       rollup.Snapshot
	edition string
	count   counter
	control control
}

func (b builder) management() bool { return b.edition == rollup.EditionManagement }

func (b builder) countPtr(n *int64, na gsswriter.Shorthand) gsswriter.Cell {
	if n == nil {
		return na
	}
	return b.count(*n)
}

func yesNo(v *bool, na gsswriter.Shorthand) gsswriter.Cell {
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

func (b builder) cover() []gsswriter.CoverItem {
	g := b.latest()
	coverage := "not available"
	if g.Coverage != nil {
		coverage = fmt.Sprintf("%.1f%% of the expected Civil Service headcount", 100**g.Coverage)
	}
	items := []gsswriter.CoverItem{
		{Heading: "About these figures", Text: b.aboutText()},
		{Heading: "Month", Text: monthText(b.s.Month)},
		{Heading: "Reference quarter", Text: quarterText(b.s.ReferenceQuarter) + ": the latest quarter whose returns were due by the end of the month."},
		{Heading: "Edition", Text: editionText(b.edition)},
		{Heading: "Source", Text: "Quarterly workforce returns from government organisations to the DDaT workforce returns service, as held on " + period.LongDate(b.s.CreatedAt) + "."},
		{Heading: "Coverage", Text: fmt.Sprintf("%s: %d of %d expected returns received for %s [note 2].", coverage, g.ReturnsReceived, g.ReturnsExpected, g.Period)},
		{Heading: "Revision", Text: fmt.Sprintf("Revision %d of the %s rollup. A later revision replaces this one when returns are revised or arrive late.", b.s.Revision, b.s.Month)},
		{Heading: "Contact", Text: Contact},
	}
	return items
}

// notes are the general notes, then one for each target, numbered after them.
func (b builder) notes() []gsswriter.Note {
	return append(b.generalNotes(), b.targetNotes()...)
}

func (b builder) generalNotes() []gsswriter.Note {
	disclosure := b.disclosureNote()
	return []gsswriter.Note{
		{Number: 1, Text: "The DDaT share is DDaT profession headcount divided by total headcount of civil servants in post at the end of the quarter, over the Civil Service organisations that sent a return. Contractors are not included. Local-government bodies return only the two yes/no leadership answers."},
		{Number: 2, Text: "Coverage is the headcount of organisations that sent a return, divided by that headcount plus, for each expected organisation without a return, its latest earlier reported headcount (or its baseline headcount if it has never reported)."},
		{Number: 3, Text: "Early-career entrants joined the DDaT profession through apprenticeships, the Fast Stream, graduate programmes, internships or other early-career programmes." + b.windowText()},
		{Number: noteDisclosure, Text: disclosure},
		{Number: 5, Text: "Leadership answers at a quarter use each organisation's latest return at or before that quarter. Appointments count only returns for the quarter itself. Civil Service Leadership Group (CSLG) members, and those of them who have attended an AI immersion workshop, are counted at the reference date, so nobody is counted twice across quarters."},
		{Number: 6, Text: "Where an organisation has not sent a return for the reference quarter, its row shows its latest earlier return, with the status carried_forward; missing means it has never sent one."},
	}
}

func (b builder) targets() gsswriter.Table {
	rows := make([][]gsswriter.Cell, 0, len(b.s.Targets))
	for i, t := range b.s.Targets {
		isShare := t.Unit != targets.UnitCount
		z := gsswriter.Cell(gsswriter.NotApplicable)
		valueP, valueN, threshP, threshN, projP, projN, latestP, latestN := z, z, z, z, z, z, z, z
		if isShare {
			valueP, threshP, projP = b.targetShare(t, t.Value), t.Threshold, b.targetShare(t, t.Projection)
		} else {
			valueN, threshN, projN = b.floatCount(t.Value), int64(t.Threshold), b.floatCount(t.Projection)
		}
		// A deadline target settled at its deadline quarter shows where it is now beside it.
		latestAt := gsswriter.Cell(gsswriter.NotApplicable)
		if t.LatestPeriod != nil {
			latestAt = t.LatestPeriod.String()
			if isShare {
				at := t
				at.Period = *t.LatestPeriod // disclosure is judged on the latest quarter's figures
				latestP = b.targetShare(at, t.LatestValue)
			} else {
				latestN = b.floatCount(t.LatestValue)
			}
		}
		note := t.Note
		if !b.management() {
			note = publishedNote(t)
		}
		// Counts of organisations are not counts of people: exact in every edition.
		rows = append(rows, []gsswriter.Cell{t.Title, when(t), valueP, valueN, threshP, threshN, projP, projN, statusWord(string(t.Status)), orZ(note),
			t.Period.String(), judgedAtText(t.JudgedAt), latestAt, latestP, latestN,
			int64(t.OrganisationsAnswered), int64(t.OrganisationsExpected), fmt.Sprintf("[note %d]", b.targetNote(i))})
	}
	return gsswriter.Table{
		Sheet: "Targets",
		Title: "Table 1: Progress against the DDaT workforce commitments, " + monthText(b.s.Month) + " [note 1]",
		Description: []string{"Status is met, on track, off track, missed, not started or no data. Once the returns for a deadline's last quarter (or a window's last quarter) are due, the target is judged there for good, met or missed, and its latest value is shown beside it. Before then, on track means the trend of the last four quarters reaches the threshold by the deadline or the end of the window.",
			"Shares are in the percent columns and counts in the number columns; [z] marks the columns that do not apply to a target. Each target's note gives the commitment in its source's words and what is assumed about it."},
		Columns: []gsswriter.Column{{Header: "Commitment"}, {Header: "Deadline or window"},
			{Header: "Value (percent)", Kind: gsswriter.Percent}, {Header: "Value (number)", Kind: gsswriter.Count},
			{Header: "Threshold (percent)", Kind: gsswriter.Percent}, {Header: "Threshold (number)", Kind: gsswriter.Count},
			{Header: "Projection (percent)", Kind: gsswriter.Percent}, {Header: "Projection (number)", Kind: gsswriter.Count},
			{Header: "Status"}, {Header: "Note", Width: 60},
			{Header: "Quarter of the value"}, {Header: "Value taken at"}, {Header: "Quarter of the latest value"},
			{Header: "Latest value (percent)", Kind: gsswriter.Percent}, {Header: "Latest value (number)", Kind: gsswriter.Count},
			{Header: "Answered (organisations)", Kind: gsswriter.Count}, {Header: "Expected (organisations)", Kind: gsswriter.Count},
			{Header: "Source and assumptions"}},
		Rows: rows,
	}
}

func judgedAtText(at string) string {
	switch at {
	case metrics.AtDeadlineQuarter:
		return "deadline quarter"
	case metrics.AtWindowEnd:
		return "window's last quarter"
	}
	return "reference quarter"
}

func (b builder) floatCount(v *float64) gsswriter.Cell {
	if v == nil {
		return gsswriter.NotAvailable
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

func orZ(s string) gsswriter.Cell {
	if s == "" {
		return gsswriter.NotApplicable
	}
	return s
}

func (b builder) series() gsswriter.Table {
	var rows [][]gsswriter.Cell
	const na = gsswriter.NotAvailable
	for _, q := range b.s.Government.Quarters {
		// The FTE share is suppressed as the headcount share is: its numerator is the DDaT
		// staff, its base the staff.
		rows = append(rows, []gsswriter.Cell{q.Period.String(), orgCount(q.ReturnsReceived), orgCount(q.ReturnsExpected), b.coverage(q),
			b.count(q.Headcount), b.count(q.DDaTHeadcount), b.headcountShare(q.DDaTShare, q.DDaTHeadcount, q.Headcount, na),
			b.headcountShare(q.DDaTShareKnown, q.DDaTHeadcount, q.Headcount-q.ProfessionUnknown, na),
			b.headcountShare(q.DDaTShareFTE, q.DDaTHeadcount, q.Headcount, na), b.headcountShare(q.ProfessionUnknownRate, q.ProfessionUnknown, q.Headcount, na)})
	}
	t := gsswriter.Table{
		Sheet:       "DDaT share",
		Title:       "Table 2: DDaT profession headcount and share of the Civil Service, by quarter [note 1] [note 4]",
		Description: []string{"Headcount of civil servants in post on the last day of each quarter, over Civil Service organisations that sent a return for it [note 2]."},
		Columns: []gsswriter.Column{{Header: "Quarter"}, {Header: "Returns received (number)", Kind: gsswriter.Count}, {Header: "Returns expected (number)", Kind: gsswriter.Count},
			{Header: "Coverage (percent)", Kind: gsswriter.Percent}, {Header: "Headcount (number)", Kind: gsswriter.Count}, {Header: "DDaT headcount (number)", Kind: gsswriter.Count},
			{Header: "DDaT share (percent)", Kind: gsswriter.Percent}, {Header: "DDaT share of staff with a recorded profession (percent)", Kind: gsswriter.Percent},
			{Header: "DDaT share of full-time equivalent (percent)", Kind: gsswriter.Percent}, {Header: "Profession not recorded (percent)", Kind: gsswriter.Percent}},
		Rows: rows,
	}
	if chartable(rows, 6) {
		t.Charts = b.thresholdCharts(targets.DDaTShare, func(tg metrics.TargetStatus, line *gsswriter.Target) gsswriter.Chart {
			c := thresholdText(tg, tg.Threshold) + " " + whenText(tg)
			return gsswriter.Chart{Kind: gsswriter.LineChart, Title: "DDaT share of the Civil Service against the commitment of " + c,
				AltText:    "Line chart of the DDaT profession's share of Civil Service headcount by quarter, with a dashed line at the commitment of " + c + ".",
				XAxisTitle: "Quarter", YAxisTitle: "Share of headcount (percent)", Category: 0, Series: []int{6}, Target: line}
		})
	}
	return t
}

// chartable reports whether every row has a number in column i: a chart cannot plot a
// shorthand marker.
func chartable(rows [][]gsswriter.Cell, i int) bool {
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

func (b builder) earlyCareer() gsswriter.Table {
	var rows [][]gsswriter.Cell
	for _, q := range b.s.Government.Quarters {
		if q.EarlyCareerEntrantsCumulative == nil {
			continue // outside the commitment's window
		}
		rows = append(rows, []gsswriter.Cell{q.Period.String(), b.count(q.EarlyCareerEntrants), b.count(*q.EarlyCareerEntrantsCumulative)})
	}
	t := gsswriter.Table{
		Sheet:       "Early-career entrants",
		Title:       "Table 3: Early-career entrants to the DDaT profession, by quarter and cumulative over the commitment's window [note 3] [note 4]",
		Description: []string{"Civil Service organisations only. Quarters outside the commitment's window are not shown."},
		Columns: []gsswriter.Column{{Header: "Quarter"}, {Header: "Early-career entrants (number)", Kind: gsswriter.Count},
			{Header: "Cumulative early-career entrants (number)", Kind: gsswriter.Count}},
		Rows: rows,
	}
	if len(rows) == 0 {
		t.Rows = [][]gsswriter.Cell{{"No quarter in the window", gsswriter.NotAvailable, gsswriter.NotAvailable}}
		return t
	}
	if chartable(rows, 2) {
		// The cumulative column follows the first early-career target's window, so its
		// line is that target's threshold.
		t.Charts = b.thresholdCharts(targets.EarlyCareerEntrants, func(tg metrics.TargetStatus, line *gsswriter.Target) gsswriter.Chart {
			c := thresholdText(tg, tg.Threshold) + " " + whenText(tg)
			return gsswriter.Chart{Kind: gsswriter.ColumnChart, Title: "Cumulative early-career entrants against the commitment of " + c,
				AltText:    "Column chart of cumulative early-career entrants to the DDaT profession by quarter, with a dashed line at the commitment of " + c + ".",
				XAxisTitle: "Quarter", YAxisTitle: "Entrants (number)", Category: 0, Series: []int{2}, Target: line}
		})
		if len(t.Charts) > 1 {
			t.Charts = t.Charts[:1]
		}
	}
	return t
}

func label(key string) string {
	f, _ := workforce.FieldByKey(key)
	return f.Label
}

// byKey is a table of one row per quarter and one count column per field key.
func (b builder) byKey(sheet, title string, keys []string, get func(metrics.Quarter) map[string]int64, extra []gsswriter.Column, extraCells func(metrics.Quarter) []gsswriter.Cell) gsswriter.Table {
	cols := []gsswriter.Column{{Header: "Quarter"}}
	for _, k := range keys {
		cols = append(cols, gsswriter.Column{Header: label(k) + " (number)", Kind: gsswriter.Count})
	}
	cols = append(cols, extra...)
	var rows [][]gsswriter.Cell
	for _, q := range b.s.Government.Quarters {
		row := []gsswriter.Cell{q.Period.String()}
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
		row := []gsswriter.Cell{"No quarter has returns"}
		for range cols[1:] {
			row = append(row, gsswriter.NotAvailable)
		}
		rows = append(rows, row)
	}
	return gsswriter.Table{Sheet: sheet, Title: title, Columns: cols, Rows: rows,
		Description: []string{"Civil Service organisations that sent a return for the quarter."}}
}

func (b builder) routes() gsswriter.Table {
	return b.byKey("Entrants by route", "Table 4: Entrants to the DDaT profession by route and quarter [note 3] [note 4]", workforce.EarlyCareerKeys,
		func(q metrics.Quarter) map[string]int64 { return q.EntrantsByRoute },
		[]gsswriter.Column{{Header: "All early-career entrants (number)", Kind: gsswriter.Count}, {Header: "All entrants including experienced hires (number)", Kind: gsswriter.Count}},
		func(q metrics.Quarter) []gsswriter.Cell {
			return []gsswriter.Cell{b.count(q.EarlyCareerEntrants), b.count(q.EntrantsTotal)}
		})
}

func (b builder) families() gsswriter.Table {
	return b.byKey("Job families", "Table 5: DDaT profession headcount by job family and quarter [note 4]", workforce.FamilyKeys,
		func(q metrics.Quarter) map[string]int64 { return q.ByFamily }, nil, nil)
}

func (b builder) grades() gsswriter.Table {
	return b.byKey("Grades", "Table 6: DDaT profession headcount by grade and quarter [note 4]", workforce.GradeKeys,
		func(q metrics.Quarter) map[string]int64 { return q.ByGrade }, nil, nil)
}

func (b builder) organisations() gsswriter.Table {
	cols := []gsswriter.Column{{Header: "Organisation code"}, {Header: "Organisation", Width: 40}, {Header: "Kind"},
		{Header: "Return status"}, {Header: "Quarter of the figures"},
		{Header: "Headcount (number)", Kind: gsswriter.Count}, {Header: "DDaT headcount (number)", Kind: gsswriter.Count},
		{Header: "DDaT share (percent)", Kind: gsswriter.Percent}, {Header: "DDaT share of staff with a recorded profession (percent)", Kind: gsswriter.Percent}}
	if !b.control.noOrgEntrants {
		cols = append(cols, gsswriter.Column{Header: "Early-career entrants (number)", Kind: gsswriter.Count})
	}
	if b.management() {
		cols = append(cols, gsswriter.Column{Header: "Version (number)", Kind: gsswriter.Count}, gsswriter.Column{Header: "Received (date)", Kind: gsswriter.Date},
			gsswriter.Column{Header: "Signed off"},
			gsswriter.Column{Header: "Warnings (number)", Kind: gsswriter.Count}, gsswriter.Column{Header: "Contact name"}, gsswriter.Column{Header: "Contact email"})
	}
	var rows [][]gsswriter.Cell
	for _, o := range b.s.Organisations {
		workforceNA := gsswriter.NotAvailable
		if o.Kind == workforce.LocalGovernment {
			workforceNA = gsswriter.NotApplicable
		}
		q := gsswriter.Cell(gsswriter.NotAvailable)
		if o.Period != nil {
			q = o.Period.String()
		}
		row := []gsswriter.Cell{o.Code, o.Name, kindText(o.Kind), statusWord(string(o.Status)), q,
			b.countPtr(o.Headcount, workforceNA), b.countPtr(o.DDaTHeadcount, workforceNA), b.orgRowShare(o.DDaTShare, o.DDaTHeadcount, o.Headcount, workforceNA),
			b.orgRowShare(o.DDaTShareKnown, o.DDaTHeadcount, knownProfession(o), workforceNA)}
		if !b.control.noOrgEntrants {
			row = append(row, b.countPtr(o.EarlyCareerEntrants, workforceNA))
		}
		if b.management() {
			received := gsswriter.Cell(gsswriter.NotAvailable)
			if o.ReceivedAt != nil {
				received = o.ReceivedAt.UTC().Truncate(24 * 60 * 60 * 1e9)
			}
			version := gsswriter.Cell(gsswriter.NotAvailable)
			if o.Version > 0 {
				version = int64(o.Version)
			}
			// Whether the organisation's approver signed off the version used; [x] with no return.
			signed := gsswriter.Cell(gsswriter.NotAvailable)
			if o.Version > 0 {
				signed = yesNo(&o.SignedOff, gsswriter.NotAvailable)
			}
			row = append(row, version, received, signed, int64(o.Warnings), textOr(o.ContactName), textOr(o.ContactEmail))
		}
		rows = append(rows, row)
	}
	return gsswriter.Table{
		Sheet:       "Organisations",
		Title:       "Table 7: Organisations at the reference quarter, " + b.s.ReferenceQuarter.String() + " [note 4] [note 6]",
		Description: []string{"Local-government bodies return only the two yes/no leadership answers, so their workforce figures are [z]."},
		Columns:     cols, Rows: nonEmpty(rows, len(cols)),
	}
}

func textOr(s string) gsswriter.Cell {
	if s == "" {
		return gsswriter.NotAvailable
	}
	return s
}

func kindText(k workforce.OrgKind) string {
	if k == workforce.LocalGovernment {
		return "local government"
	}
	return "civil service"
}

func nonEmpty(rows [][]gsswriter.Cell, width int) [][]gsswriter.Cell {
	if len(rows) > 0 {
		return rows
	}
	row := []gsswriter.Cell{"No organisations"}
	for i := 1; i < width; i++ {
		row = append(row, gsswriter.NotAvailable)
	}
	return [][]gsswriter.Cell{row}
}

func (b builder) leadership() gsswriter.Table {
	cols := []gsswriter.Column{{Header: "Organisation code"}, {Header: "Organisation", Width: 40},
		{Header: "Digital leader on the executive committee"}, {Header: "Digital non-executive director on the board"},
		{Header: "Directors and directors general appointed (number)", Kind: gsswriter.Count},
		{Header: "Appointees assessed on digital and data skills (number)", Kind: gsswriter.Count},
		{Header: "Digital and data director and DG roles (number)", Kind: gsswriter.Count},
		{Header: "Roles with a succession plan (number)", Kind: gsswriter.Count},
		{Header: "Civil Service Leadership Group members (number)", Kind: gsswriter.Count},
		{Header: "CSLG members who have attended an AI immersion workshop (number)", Kind: gsswriter.Count}}
	var rows [][]gsswriter.Cell
	for _, o := range b.s.Organisations {
		na, countsNA := gsswriter.NotAvailable, gsswriter.NotAvailable
		if o.Kind == workforce.LocalGovernment {
			countsNA = gsswriter.NotApplicable // councils answer only the two yes/no questions
		}
		rows = append(rows, []gsswriter.Cell{o.Code, o.Name, yesNo(o.ExecDigitalLeader, na), yesNo(o.BoardDigitalNED, na),
			b.countPtr(o.SeniorAppointments, countsNA), b.countPtr(o.SeniorAppointmentsAssessed, countsNA), b.countPtr(o.DigitalSeniorRoles, countsNA),
			b.countPtr(o.DigitalSeniorRolesWithSuccessionPlan, countsNA), b.countPtr(o.CSLGMembers, countsNA), b.countPtr(o.CSLGMembersAIImmersion, countsNA)})
	}
	return gsswriter.Table{
		Sheet:       "Leadership",
		Title:       "Table 8: Digital leadership by organisation, " + b.s.ReferenceQuarter.String() + " [note 4] [note 5]",
		Description: []string{"Answers at the reference date; appointments during the quarter of the figures. Local-government bodies answer only the two yes/no questions, so their counts are [z]."},
		Columns:     cols, Rows: nonEmpty(rows, len(cols)),
	}
}

func (b builder) dataQuality() gsswriter.Table {
	dq := b.s.DataQuality
	rows := [][]gsswriter.Cell{
		{"Returns expected", orgCount(dq.Expected)},
		{"Returns received", orgCount(dq.Received)},
		{"Received on time", orgCount(dq.OnTime)},
		{"Received late", orgCount(dq.Late)},
		{"Missing (never reported)", orgCount(dq.Missing)},
		{"Carried forward from an earlier quarter", orgCount(dq.CarriedForward)},
		{"Revised (more than one version)", orgCount(dq.Revised)},
	}
	for _, code := range sortedKeys(dq.WarningsByCode) {
		rows = append(rows, []gsswriter.Cell{"Returns with warning: " + strings.ReplaceAll(code, "_", " "), orgCount(dq.WarningsByCode[code])})
	}
	return gsswriter.Table{
		Sheet:       "Data quality",
		Title:       "Table 9: Data quality of the returns for " + b.s.ReferenceQuarter.String(),
		Description: []string{"Counts of returns [note 4]."},
		Columns:     []gsswriter.Column{{Header: "Measure"}, {Header: "Returns (number)", Kind: gsswriter.Count}},
		Rows:        rows,
	}
}
