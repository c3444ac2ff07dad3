package extract_test

import (
	"fmt"
	"strings"

	"github.com/ddat-workforce/returns/shared/extract"
	"github.com/ddat-workforce/returns/shared/period"
)

func ExampleReadCSV() {
	file := "Employee ID,Pay Band,Profession,Job Family,FTE,Active,Date joined profession,Entry Route,Location\n" +
		"P1,Grade 7,DDaT,Data,1,Y,01/05/2025,Fast Stream,Leeds\n" +
		"P2,SCS Pay Band 1,Digital Data and Technology,Architecture,0.8,Y,2019-01-07,Experienced hire,York\n" +
		"P3,HEO,Policy,,0.5,Y,,,Leeds\n" +
		"P4,EO,DDaT,Data,1,N,15/06/2025,Apprenticeship,Hull\n"
	r, err := extract.ReadCSV(strings.NewReader(file), period.MustQuarter("2025-26-Q1"))
	if err != nil || r.Err() != nil {
		fmt.Println(err, r.Err())
		return
	}
	for _, k := range []string{"headcount", "fte", "ddat_headcount", "ddat_fte", "ddat_grade_g7_g6", "ddat_grade_scs", "ddat_entrants_total", "entrants_fast_stream", "entrants_apprenticeship"} {
		fmt.Printf("%s=%s\n", k, r.Values[k])
	}
	fmt.Println("rows:", r.Rows, "ignored:", r.Ignored)
	// Output:
	// headcount=3
	// fte=2.30
	// ddat_headcount=2
	// ddat_fte=1.80
	// ddat_grade_g7_g6=1
	// ddat_grade_scs=1
	// ddat_entrants_total=2
	// entrants_fast_stream=1
	// entrants_apprenticeship=1
	// rows: 4 ignored: [Location]
}

func ExampleAggregator() {
	a := extract.NewAggregator(period.MustQuarter("2025-26-Q1"))
	a.AddRow(1, []string{"staff_ref", "grade", "profession", "job_family", "fte", "in_post", "ddat_start_date", "entry_route"})
	a.AddRow(2, []string{"P1", "G7", "DDaT", "Data", "1", "yes", "45778", "Graduate Programme"}) // a date serial: 1 May 2025
	a.AddRow(5, []string{"P1", "G7", "DDaT", "Data", "1.5", "yes", "", ""})                      // a sheet that skips rows 3 and 4
	for _, p := range a.Result().Problems {
		fmt.Println(p.Cell, p.Code+":", p.Message)
	}
	// Output:
	// A5 duplicate_staff_ref: Row 5, column A (staff reference): the same staff reference as row 2; each person must appear once.
	// E5 fte_out_of_range: Row 5, column E (FTE): not a full-time equivalent; it must be more than 0 and at most 1 for someone in post (0.6 for three days a week), and never more than 1.
}
