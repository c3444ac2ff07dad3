// Package sheetref writes a sheet's name as a cell reference or formula names it: quoted,
// with any apostrophe doubled, when it must be (and, for the service's own workbooks,
// always).
package sheetref

import (
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"
)

// Quote always quotes a sheet name, as in 'Share'!A1, doubling any apostrophe in it.
// The service's workbooks write every reference this way.
func Quote(sheet string) string {
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}

// Minimal quotes a sheet name only when Excel would, when it is not a plain word:
// Return!D12 but 'My Sheet'!D12. Messages about a client's workbook name cells this way.
func Minimal(sheet string) string {
	plain := sheet != "" && !unicode.IsDigit([]rune(sheet)[0])
	for _, r := range sheet {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' {
			plain = false
			break
		}
	}
	if _, _, err := excelize.CellNameToCoordinates(sheet); err == nil {
		plain = false // a sheet called A1 would read as a cell
	}
	if plain {
		return sheet
	}
	return Quote(sheet)
}
