package gsswriter_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/gsswriter"
)

func ExampleWrite() {
	wb := gsswriter.Workbook{
		Title:      "DDaT workforce: monthly progress report",
		Properties: gsswriter.Properties{Creator: "DDaT workforce returns service", Created: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)},
		Cover:      []gsswriter.CoverItem{{Heading: "Month", Text: "April 2026"}},
		Notes:      []gsswriter.Note{{Number: 1, Text: "Headcount on the last day of the quarter."}},
		Tables: []gsswriter.Table{{
			Sheet: "Headcount",
			Title: "Table 1: DDaT headcount by quarter [note 1]",
			Columns: []gsswriter.Column{
				{Header: "Quarter"},
				{Header: "DDaT headcount (number)", Kind: gsswriter.Count},
				{Header: "DDaT share (percent)", Kind: gsswriter.Percent},
			},
			Rows: [][]gsswriter.Cell{
				{"2025-26 Q3", 33000, 0.0667},
				{"2025-26 Q4", gsswriter.Confidential, 0.0683},
			},
		}},
	}
	b, err := gsswriter.Write(wb)
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
