package gsswriter

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The synthetic workbook of the tests: a cover, three notes, a 12-quarter series with a
// percent column, a 6% target and a line chart, a cumulative series with a 2,500 target
// and a column chart, and an organisations table with shorthand. Notes and organisations
// come from maps, so each build meets them in a different order, as a real rollup might.

var syntheticNotes = map[int]string{
	1: "The DDaT share is DDaT headcount divided by Civil Service headcount, both on the reference date.",
	2: "Early-career entrants joined through apprenticeships, graduate schemes or fast streams.",
	3: "Figures of 1 to 4 are shown as [c] to protect individuals.",
}

type syntheticOrg struct {
	name, kind       string
	headcount, ddat  any
	share, fte, date any
}

var syntheticOrgs = map[string]syntheticOrg{
	"D01": {"Department for Examples", "ministerial department", 12500, 812, 0.06496, 11890.25, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
	"D02": {"Office for Illustration", "non-ministerial department", 940, Confidential, Confidential, 901.5, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
	"D03": {"Agency of Samples", "executive agency", 4300, 301, 0.07, 4120.0, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
	"L01": {"Borough of Placeholders", "local government", NotApplicable, NotApplicable, NotApplicable, NotApplicable, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
	"D04": {"Ministry of Tests", "ministerial department", 25010, 1620, 0.06477, 24003.75, NotAvailable},
}

var syntheticQuarters = []string{
	"2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4",
	"2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4",
	"2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4",
}

func synthetic() Workbook {
	var notes []Note
	for n, text := range syntheticNotes {
		notes = append(notes, Note{Number: n, Text: text})
	}

	var share [][]Cell
	for i, q := range syntheticQuarters {
		cs := int64(480000 + 1500*i)
		ddat := int64(24000 + 900*i)
		share = append(share, []Cell{q, cs, ddat, float64(ddat) / float64(cs)})
	}
	var entrants [][]Cell
	cumulative := 0
	for i, q := range syntheticQuarters {
		n := 120 + 15*i
		cumulative += n
		entrants = append(entrants, []Cell{q, n, cumulative})
	}

	codes := make([]string, 0, len(syntheticOrgs))
	for code := range syntheticOrgs {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int {
		return strings.Compare(syntheticOrgs[a].name, syntheticOrgs[b].name)
	})
	var orgs [][]Cell
	for _, code := range codes {
		o := syntheticOrgs[code]
		orgs = append(orgs, []Cell{code, o.name, o.kind, o.headcount, o.ddat, o.share, o.fte, o.date})
	}

	return Workbook{
		Title:    "DDaT workforce: monthly progress report",
		Subtitle: "Management edition",
		Properties: Properties{
			Subject:     "Digital, data and technology workforce of government",
			Creator:     "DDaT workforce returns service",
			Company:     "Government Digital Service",
			Keywords:    "DDaT; workforce; statistics",
			Description: "Monthly progress report built from the quarterly returns.",
			Category:    "Statistics",
			Created:     time.Date(2026, 4, 30, 9, 0, 0, 0, time.UTC),
		},
		Cover: []CoverItem{
			{Heading: "Month", Text: "April 2026"},
			{Heading: "Reference quarter", Text: "2025-26 Q4 (January to March 2026)"},
			{Heading: "Source", Text: "Quarterly DDaT workforce returns from government organisations [note 2]"},
			{Heading: "Coverage", Text: "Civil Service departments and agencies, and local-government bodies for leadership questions."},
			{Heading: "Contact", Text: "Email the DDaT workforce team", Link: "mailto:ddat-workforce@example.gov.uk"},
			{Heading: "Edition", Text: "Management edition: exact figures, for leaders only."},
		},
		Notes: notes,
		Tables: []Table{
			{
				Sheet: "Share",
				Title: "Table 1: DDaT share of the Civil Service by quarter [note 1]",
				Description: []string{
					"Headcounts are on the last day of each quarter.",
					"The target is 6% of civil servants in the DDaT profession.",
				},
				Columns: []Column{
					{Header: "Quarter"},
					{Header: "Civil Service headcount (number)", Kind: Count},
					{Header: "DDaT headcount (number)", Kind: Count},
					{Header: "DDaT share (percent)", Kind: Percent},
				},
				Rows: share,
				Charts: []Chart{{
					Kind:       LineChart,
					Title:      "DDaT share of the Civil Service by quarter",
					AltText:    "Line chart: the DDaT share rose steadily from 5.0% in 2023-24 Q1 to 6.8% in 2025-26 Q4, reaching the 6% target in 2024-25 Q3.",
					XAxisTitle: "Quarter",
					YAxisTitle: "DDaT share (percent)",
					Series:     []int{3},
					Target:     &Target{Header: "Target (percent)", Value: 0.06},
				}},
			},
			{
				Sheet:       "Entrants",
				Title:       "Table 2: Early-career entrants to the DDaT profession by quarter [note 2]",
				Description: []string{"The target is 2,500 early-career entrants in total."},
				Columns: []Column{
					{Header: "Quarter"},
					{Header: "Entrants in quarter (number)", Kind: Count},
					{Header: "Cumulative entrants (number)", Kind: Count},
				},
				Rows: entrants,
				Charts: []Chart{{
					Kind:       ColumnChart,
					Title:      "Cumulative early-career entrants against the 2,500 target",
					AltText:    "Column chart: cumulative entrants grew from 120 in 2023-24 Q1 to 2,430 in 2025-26 Q4, just under the 2,500 target.",
					XAxisTitle: "Quarter",
					YAxisTitle: "Entrants (number)",
					Series:     []int{2},
					Target:     &Target{Header: "Target (number)", Value: 2500},
				}},
			},
			{
				Sheet: "Organisations",
				Title: "Table 3: DDaT workforce by organisation, 2025-26 Q4 [note 3]",
				Columns: []Column{
					{Header: "Organisation code"},
					{Header: "Organisation"},
					{Header: "Organisation type"},
					{Header: "Headcount (number)", Kind: Count},
					{Header: "DDaT headcount (number)", Kind: Count},
					{Header: "DDaT share (percent)", Kind: Percent},
					{Header: "Full-time equivalent (FTE)", Kind: Decimal},
					{Header: "Reference date", Kind: Date},
				},
				Rows: orgs,
			},
		},
	}
}

// bigWorkbook is the benchmark's workbook: 500 organisations by 20 columns and the
// 12-quarter series.
func bigWorkbook() Workbook {
	wb := synthetic()
	cols := []Column{{Header: "Organisation code"}, {Header: "Organisation"}}
	for i := 2; i < 20; i++ {
		switch i % 3 {
		case 0:
			cols = append(cols, Column{Header: fmt.Sprintf("Measure %d (number)", i), Kind: Count})
		case 1:
			cols = append(cols, Column{Header: fmt.Sprintf("Measure %d (percent)", i), Kind: Percent})
		default:
			cols = append(cols, Column{Header: fmt.Sprintf("Measure %d (FTE)", i), Kind: Decimal})
		}
	}
	var rows [][]Cell
	for r := range 500 {
		row := []Cell{fmt.Sprintf("O%03d", r), fmt.Sprintf("Organisation number %d of the government", r)}
		for i := 2; i < 20; i++ {
			switch {
			case (r+i)%97 == 0:
				row = append(row, Confidential)
			case i%3 == 0:
				row = append(row, r*i)
			case i%3 == 1:
				row = append(row, float64(r%100)/1000)
			default:
				row = append(row, float64(r*i)+0.25)
			}
		}
		rows = append(rows, row)
	}
	wb.Tables[2] = Table{Sheet: "Organisations", Title: "Table 3: Organisations", Columns: cols, Rows: rows}
	return wb
}
