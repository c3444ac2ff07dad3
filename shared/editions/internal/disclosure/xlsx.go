package disclosure

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads the tables of a workbook file as a reader would: the cells inside each
// sheet's Excel table, as stored (numbers unformatted, to their full stored precision).
func ReadXLSX(b []byte) (Book, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	book := Book{}
	for _, sheet := range f.GetSheetList() {
		tables, err := f.GetTables(sheet)
		if err != nil || len(tables) == 0 {
			continue
		}
		ref := strings.Split(tables[0].Range, ":")
		if len(ref) != 2 {
			return nil, fmt.Errorf("%s: table range %q", sheet, tables[0].Range)
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(ref[0])
		c2, r2, err2 := excelize.CellNameToCoordinates(ref[1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: table range %q", sheet, tables[0].Range)
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		var g Grid
		for r := r1; r <= r2 && r <= len(rows); r++ {
			line := make([]string, c2-c1+1)
			for c := c1; c <= c2; c++ {
				if c-1 < len(rows[r-1]) {
					line[c-c1] = rows[r-1][c-1]
				}
			}
			if r == r1 {
				g.Header = line
			} else {
				g.Rows = append(g.Rows, line)
			}
		}
		book[sheet] = g
	}
	return book, nil
}
