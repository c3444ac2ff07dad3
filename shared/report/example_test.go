package report_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/report"
)

func ExampleWrite() {
	wb := report.Workbook{
		Title:      "DDaT workforce: monthly progress report",
		Properties: report.Properties{Creator: "DDaT workforce returns service", Created: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)},
		Cover:      []report.CoverItem{{Heading: "Month", Text: "April 2026"}},
		Notes:      []report.Note{{Number: 1, Text: "Headcount on the last day of the quarter."}},
		Tables: []report.Table{{
			Sheet: "Headcount",
			Title: "Table 1: DDaT headcount by quarter [note 1]",
			Columns: []report.Column{
				{Header: "Quarter"},
				{Header: "DDaT headcount (number)", Kind: report.Count},
				{Header: "DDaT share (percent)", Kind: report.Percent},
			},
			Rows: [][]report.Cell{
				{"2025-26 Q3", 33000, 0.0667},
				{"2025-26 Q4", report.Confidential, 0.0683},
			},
		}},
	}
	b, err := report.Write(wb)
	if err != nil {
		fmt.Println(err)
		return
	}
	f, _ := excelize.OpenReader(bytes.NewReader(b))
	defer f.Close()
	tables, _ := f.GetTables("Headcount")
	share, _ := f.GetCellValue("Headcount", "C7")
	fmt.Println(f.GetSheetList())
	fmt.Println(tables[0].Name, tables[0].Range, share)
	// Output:
	// [Cover Contents Notes Headcount]
	// Headcount A5:C7 6.8%
}
