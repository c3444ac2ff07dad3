// Package extract is the domain of staff extracts (SPEC §10): record-level HR data, one row
// per person, from which the service computes the workforce and entrant fields of a return.
// It holds the column catalogue, the code lists that read what HR systems export, and an
// Aggregator that validates and counts rows one at a time, so a file of any length is read
// in memory that does not grow with it (except a compact set of staff references, bounded by
// the row limit). It keeps no row's values and never quotes one in a problem.
//
// It imports nothing from AWS or excelize: CSV is read here through encoding/csv, and a
// streaming sheet reader feeds the same Aggregator row by row.
package extract

import (
	"strings"
)

// Column is one entry of the catalogue. Its Key names it in problems and in the guide;
// Aliases are the headers HR systems export for it, matched loosely (see headerKey).
type Column struct {
	Key     string
	Label   string
	Accepts string // what a cell may hold, in a sentence for people
	Aliases []string
}

// Positions of the columns in the catalogue; the Aggregator keeps their place in the file
// in an array indexed by these.
const (
	ColStaffRef = iota
	ColGrade
	ColProfession
	ColJobFamily
	ColFTE
	ColInPost
	ColDDaTStartDate
	ColEntryRoute
	numColumns
)

// Columns is the catalogue. Every column is required: each feeds a figure of the return,
// and a column a system does not record is sent blank (counted as not recorded).
var Columns = [numColumns]Column{
	ColStaffRef: {
		Key: "staff_ref", Label: "staff reference",
		Accepts: "a pseudonymous reference that identifies each person once, never a name, National Insurance number or email address",
		Aliases: []string{"Staff Ref", "Staff Reference", "Staff ID", "Staff Number", "Staff No",
			"Employee ID", "Employee Number", "Employee No", "Employee Ref", "Employee Reference",
			"Person Number", "Person ID", "Person Ref", "Personnel Number", "Payroll Number",
			"Pseudonymised ID", "Pseudonymous ID", "Pseudonym", "Anonymised ID", "Unique ID", "Record ID"},
	},
	ColGrade: {
		Key: "grade", Label: "grade",
		Accepts: "a Civil Service grade: AA, AO, EO, HEO, SEO, G7 (Grade 7), G6 (Grade 6), or SCS1 to SCS4 (SCS Pay Band 1 to 4, Deputy Director, Director, Director General, Permanent Secretary); anything else is counted as grade not recorded",
		Aliases: []string{"Grade", "Pay Band", "Payband", "Grade Code", "Substantive Grade",
			"Civil Service Grade", "Grade Level", "Grade Name"},
	},
	ColProfession: {
		Key: "profession", Label: "profession",
		Accepts: "the person's Civil Service profession: DDaT (Digital, Data and Technology), any other profession, or blank, Unknown or Not recorded",
		Aliases: []string{"Profession", "Profession Name", "Primary Profession", "Civil Service Profession",
			"Main Profession", "Professional Group"},
	},
	ColJobFamily: {
		Key: "job_family", Label: "job family",
		Accepts: "a DDaT Capability Framework job family (Architecture, Chief Digital and Data, Data, IT Operations, Product and Delivery, Quality Assurance Testing, Software Development, User-Centred Design), or blank for not recorded",
		Aliases: []string{"Job Family", "DDaT Job Family", "DDaT Family", "Role Family", "Job Family Name",
			"Capability Framework Job Family", "DDaT Capability Framework Job Family", "DDaT Role Family"},
	},
	ColFTE: {
		Key: "fte", Label: "FTE",
		Accepts: "full-time equivalent as a decimal more than 0 and at most 1 with a dot for the decimal point, for example 0.6 for three days a week",
		Aliases: []string{"FTE", "Full-time equivalent", "Full time equivalent", "FTE Value",
			"Contracted FTE", "Working Pattern FTE", "Actual FTE"},
	},
	ColInPost: {
		Key: "in_post", Label: "in post",
		Accepts: "whether the person was in post at the reference date: yes or no (also y/n, true/false, 1/0, Active/Inactive)",
		Aliases: []string{"In Post", "In Post at Reference Date", "Active", "Is Active", "Active Flag",
			"Employment Status", "Assignment Status"},
	},
	ColDDaTStartDate: {
		Key: "ddat_start_date", Label: "DDaT start date",
		Accepts: "the date the person joined the DDaT profession, as 2025-04-01, 01/04/2025 (day/month/year), 1 April 2025 or 01-APR-2025 with the year in full, or blank if not known",
		Aliases: []string{"DDaT Start Date", "Date Joined Profession", "Date Joined DDaT", "Date Joined DDaT Profession",
			"DDaT Profession Start Date", "Profession Start Date", "DDaT Join Date", "Joined DDaT"},
	},
	ColEntryRoute: {
		Key: "entry_route", Label: "entry route",
		Accepts: "how the person joined the DDaT profession: apprenticeship, fast stream, graduate programme, internship, other early career, experienced hire, or blank for unknown",
		Aliases: []string{"Entry Route", "Entry Route into DDaT", "Route of Entry", "Recruitment Route",
			"Entry Scheme", "Recruitment Scheme", "Recruitment Type", "Entry Type"},
	},
}

// headerIndex maps a normalised header to the column it names.
var headerIndex = indexHeaders()

func indexHeaders() map[string]int {
	m := map[string]int{}
	add := func(h string, c int) {
		k := headerKey(h)
		if prev, ok := m[k]; ok && prev != c {
			panic("extract: header alias " + h + " names two columns")
		}
		m[k] = c
	}
	for c, col := range Columns {
		add(col.Key, c)
		for _, a := range col.Aliases {
			add(a, c)
		}
	}
	return m
}

// headerKey is how a header is compared: without a byte order mark, in lower case, with
// underscores and hyphens read as spaces and runs of spaces as one ("Full-time equivalent",
// "FULL_TIME  EQUIVALENT" and "full time equivalent" are the same header).
func headerKey(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return r
	}, strings.ToLower(s))
	return strings.Join(strings.Fields(s), " ")
}

// ColumnFor is the catalogue column a header names.
func ColumnFor(header string) (Column, bool) {
	c, ok := headerIndex[headerKey(header)]
	if !ok {
		return Column{}, false
	}
	return Columns[c], true
}

// columnLetter is a spreadsheet column name for a 0-based index: 0 → A, 26 → AA.
func columnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// acceptedHeaders lists a column's key and aliases for a message about a missing column.
func acceptedHeaders(c Column) string {
	return c.Key + ", " + strings.Join(c.Aliases, ", ")
}
