// Package gsswriter writes statistical workbooks for leaders that follow the Government
// Statistical Service guidance "Releasing statistics in spreadsheets", in the manner of
// ONS gptables and aftables: the caller describes each sheet as a value (a table with a
// title, notes, columns with units, rows and charts) and Write applies the accessibility
// rules to all of them, so no report can get them wrong.
//
// A workbook opens on its cover sheet, followed by a contents sheet with links, a notes
// sheet when there are notes, and one sheet per table. Every table sheet starts with its
// title in A1 and a few lines of description in column A; the table follows with one
// header row and is marked up as an Excel table, with no merged cells or blank rows or
// columns. Numbers stay numbers with a number format, shorthand markers ([x], [z], [c])
// are explained on the cover, and the same Workbook always gives the same bytes.
package gsswriter

import "time"

// Workbook describes a whole workbook. Write turns it into an XLSX file.
type Workbook struct {
	Title      string // A1 of the cover, such as "DDaT workforce: monthly progress report"
	Subtitle   string // A2 of the cover, such as "Management edition"; optional
	Properties Properties
	Cover      []CoverItem // the cover's rows under the title: month, source, coverage, contact...
	Notes      []Note      // the notes sheet, referred to as "[note N]"
	Tables     []Table     // one sheet each, in this order

	// Shorthand overrides the cover's explanation of a shorthand marker, written after
	// the marker: Shorthand[Confidential] = "confidential: counts of 1 to 4 are withheld".
	// Markers without an entry here use DefaultShorthand; a marker that is in neither
	// is an error.
	Shorthand map[Shorthand]string
}

// Properties are the document properties shown by File > Info and used by search tools.
// The times are the caller's, not the clock's, so that the same workbook always gives the
// same bytes.
type Properties struct {
	Title       string // defaults to the workbook's title
	Subject     string
	Creator     string // also written as the last modifier
	Company     string
	Keywords    string
	Description string
	Category    string
	Language    string // defaults to "en-GB"
	Created     time.Time
	Modified    time.Time // defaults to Created
}

// CoverItem is a heading and a line of text on the cover sheet, each in its own row.
// When Link is set (https://… or mailto:…) the text is a link to it, so the text
// should say where it goes.
type CoverItem struct {
	Heading string
	Text    string
	Link    string
}

// Note is one row of the notes sheet. Titles, descriptions, headers, cover text and text
// cells refer to it as "[note N]".
type Note struct {
	Number int
	Text   string
}

// Kind says how a column's values are written and formatted.
type Kind int

// Column kinds. Numbers are written as numbers, never as text, so that they can be
// calculated with.
const (
	Text    Kind = iota // strings, formatted as text
	Count               // whole numbers: 2,500
	Decimal             // numbers with 2 decimal places: 1,234.50
	Percent             // fractions shown as percentages: 0.0612 shows as 6.1%
	Date                // time.Time values, shown as 31 March 2026
	numKinds
)

func (k Kind) numeric() bool { return k == Count || k == Decimal || k == Percent }

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Count:
		return "count"
	case Decimal:
		return "decimal"
	case Percent:
		return "percent"
	case Date:
		return "date"
	}
	return "unknown"
}

// Column is one column of a table. Units belong in the header of a numeric column, in
// brackets: "DDaT headcount (number)", "DDaT share (percent)".
type Column struct {
	Header string
	Kind   Kind
	Width  float64 // in characters; 0 fits the column to its content
}

// Cell is one value of a table: a string (Text columns), an int, int64 or float64
// (Count, Decimal and Percent columns), a time.Time (Date columns), or a Shorthand in any
// column. A string that is a shorthand marker, such as "[c]", counts as that Shorthand.
// Blank cells are refused: say why a value is missing with a Shorthand.
type Cell = any

// Shorthand is a marker written in place of a value, explained on the cover sheet.
type Shorthand string

// The shorthand of the GSS guidance.
const (
	NotAvailable  Shorthand = "[x]"
	NotApplicable Shorthand = "[z]"
	Confidential  Shorthand = "[c]"
)

// DefaultShorthand is the cover's explanation of each standard marker, written after it.
var DefaultShorthand = map[Shorthand]string{
	Confidential:  "confidential: the figure is withheld to protect the confidentiality of individuals",
	NotAvailable:  "not available: the figure was not collected or not reported",
	NotApplicable: "not applicable: there is no figure because the question does not apply",
}

// Table is one sheet: a title in A1, description lines under it and then the table.
type Table struct {
	Sheet       string   // the sheet's name: unique, under 31 characters, none of []:*?/\
	Title       string   // A1, such as "Table 1: DDaT share of the Civil Service by quarter [note 1]"
	Description []string // lines between the title and the table: units, coverage, shorthand
	Columns     []Column
	Rows        [][]Cell // each with exactly one cell per column
	Charts      []Chart  // drawn to the right of the table
}

// ChartKind is the type of a chart.
type ChartKind int

// Chart kinds.
const (
	LineChart ChartKind = iota
	ColumnChart
)

// Chart plots columns of its table; its series refer to the table's cells, so the data
// behind the chart is always on the sheet beside it.
type Chart struct {
	Kind       ChartKind
	Title      string
	AltText    string // what the chart shows, for screen readers: required
	XAxisTitle string
	YAxisTitle string
	Category   int     // index of the column that labels the categories, usually 0
	Series     []int   // indexes of the numeric columns plotted
	Target     *Target // an optional constant line, such as a 6% target
}

// Target is a constant reference line on a chart. Write adds it to the table as a
// column of its own, with Header as the header and Value in every row, so that the
// chart's line refers to real cells and the figure is readable without the chart. It
// takes the kind of the chart's first series.
type Target struct {
	Header string  // "Target (percent)"
	Value  float64 // in the series' units: 0.06 for 6%
}
