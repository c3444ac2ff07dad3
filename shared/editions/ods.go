package editions

import (
	"fmt"

	"github.com/ddat-workforce/returns/shared/gsswriter"
	"github.com/ddat-workforce/returns/shared/rollup"
)

// RenderODS writes one edition of a snapshot as an OpenDocument spreadsheet, from the
// same sheets as Render. The same snapshot always gives the same bytes.
func RenderODS(s rollup.Snapshot, edition string) ([]byte, error) {
	wb, err := Build(s, edition)
	if err != nil {
		return nil, err
	}
	return gsswriter.WriteODS(wb)
}

// RenderFormat writes one edition of a snapshot in one of rollup.Formats: it is the
// rollup's WorkbookFunc.
func RenderFormat(s rollup.Snapshot, edition, format string) ([]byte, error) {
	switch format {
	case rollup.FormatXLSX:
		return Render(s, edition)
	case rollup.FormatODS:
		return RenderODS(s, edition)
	}
	return nil, fmt.Errorf("unknown workbook format %q", format)
}

var _ rollup.WorkbookFunc = RenderFormat
