package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Limits on what Parse unzips. They are checked against the ZIP central directory before
// anything is decompressed; Go's archive/zip then refuses an entry that inflates past its
// declared size, so a lying directory cannot get round them. A filled template is about
// 75 KB unzipped.
const (
	maxEntries      = 1000
	maxEntrySize    = 20 << 20
	maxTotalSize    = 50 << 20
	maxRatio        = 200     // uncompressed:compressed, for entries over ratioCheckFrom
	ratioCheckFrom  = 1 << 20 // small entries may compress as well as they like
	contentTypesXML = "[Content_Types].xml"
)

// Problem code for a field name that does not point at one cell of the workbook.
const CodeBadDefinedName = "bad_defined_name"

var (
	zipMagic = []byte("PK\x03\x04")
	// Compound File Binary: an encrypted OOXML workbook, or an Excel 97–2003 .xls.
	cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

	// fieldOrder sorts parsed fields into catalogue order.
	fieldOrder = func() map[string]int {
		m := make(map[string]int, len(workforce.Fields))
		for i, f := range workforce.Fields {
			m[f.Key] = i
		}
		return m
	}()
)

// Messages for people; each says what to do next.
const (
	msgNotXLSX      = "This file is not an Excel workbook (.xlsx). Fill in the template from GET /template and upload it as .xlsx; to send CSV or JSON instead, set the Content-Type to text/csv or application/json."
	msgCFB          = "This file is an encrypted (password-protected) or old .xls workbook, which cannot be read. Remove the password / save as .xlsx (Excel Workbook) and upload it again."
	msgMacro        = "This is a macro-enabled workbook, which is not accepted. Save it as an Excel Workbook (.xlsx), without macros, and upload it again."
	msgBinary       = "This is a binary workbook (.xlsb), which cannot be read. Save it as an Excel Workbook (.xlsx) and upload it again."
	msgZipNotXLSX   = "This file is a ZIP archive but not an Excel workbook (.xlsx). Fill in the template from GET /template and upload that."
	msgDamaged      = "This file could not be read as a workbook: it looks damaged or incomplete. Open it in Excel, save it as .xlsx and upload it again."
	msgNotTemplate  = "This workbook is not the DDaT return template; download it from GET /template."
	msgBadNames     = "Some of the workbook's named answer cells could not be read."
	msgTooManyParts = "This workbook has %d parts; a return workbook has far fewer (at most %d are read). Fill in the template from GET /template and upload that."
)

// Parse reads a filled template: the value of every cell whose workbook-scoped defined
// name is a field key, with the cell it came from. Empty cells are left out; whether a
// field is missing is for validation to say. Anything that is not a readable .xlsx
// workbook is refused with an *workforce.Error, never a panic.
func Parse(data []byte) ([]workforce.RawField, error) {
	if err := sniff(data); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, workforce.Errorf(workforce.EInvalid, msgDamaged)
	}
	if err := checkPackage(zr); err != nil {
		return nil, err
	}
	return readNamedCells(data)
}

// sniff refuses what is plainly not an .xlsx file, by its first bytes.
func sniff(data []byte) error {
	switch {
	case len(data) == 0:
		return workforce.Errorf(workforce.EUnsupported, "The file is empty. "+msgNotXLSX)
	case bytes.HasPrefix(data, cfbMagic):
		return workforce.Errorf(workforce.EUnsupported, msgCFB)
	case !bytes.HasPrefix(data, zipMagic):
		return workforce.Errorf(workforce.EUnsupported, msgNotXLSX)
	}
	return nil
}

// checkPackage walks the ZIP central directory: it refuses zip bombs before anything is
// inflated, then macro-enabled, binary and non-spreadsheet packages.
func checkPackage(zr *zip.Reader) error {
	if len(zr.File) > maxEntries {
		return workforce.Errorf(workforce.EInvalid, msgTooManyParts, len(zr.File), maxEntries)
	}
	var (
		total        uint64
		contentTypes *zip.File
		macro        bool
	)
	for _, f := range zr.File {
		size := f.UncompressedSize64
		if size > maxEntrySize {
			return workforce.Errorf(workforce.EInvalid, "This workbook is too large to read: its part %s unzips to %s, and the most we read is %s. A return workbook is far smaller; fill in the template from GET /template.",
				f.Name, mebibytes(size), mebibytes(maxEntrySize))
		}
		if size > ratioCheckFrom && (f.CompressedSize64 == 0 || size/f.CompressedSize64 > maxRatio) {
			return workforce.Errorf(workforce.EInvalid, "This workbook cannot be read safely: its part %s unzips to %s from %d bytes, which is not what a workbook looks like.",
				f.Name, mebibytes(size), f.CompressedSize64)
		}
		total += size
		if strings.EqualFold(f.Name, contentTypesXML) {
			contentTypes = f
		}
		if strings.HasSuffix(strings.ToLower(f.Name), "vbaproject.bin") {
			macro = true
		}
	}
	if total > maxTotalSize {
		return workforce.Errorf(workforce.EInvalid, "This workbook is too large to read: it unzips to %s, and the most we read is %s. A return workbook is far smaller; fill in the template from GET /template.",
			mebibytes(total), mebibytes(maxTotalSize))
	}
	if macro {
		return workforce.Errorf(workforce.EUnsupported, msgMacro)
	}
	if contentTypes == nil {
		return workforce.Errorf(workforce.EUnsupported, msgZipNotXLSX)
	}
	return checkContentTypes(contentTypes)
}

// checkContentTypes reads [Content_Types].xml to tell an .xlsx from an .xlsm, .xlsb,
// .docx or any other ZIP.
func checkContentTypes(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return workforce.Errorf(workforce.EInvalid, msgDamaged)
	}
	defer rc.Close()
	var types struct {
		Defaults []struct {
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Default"`
		Overrides []struct {
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if err := xml.NewDecoder(io.LimitReader(rc, maxEntrySize)).Decode(&types); err != nil {
		return workforce.Errorf(workforce.EInvalid, msgDamaged)
	}
	all := make([]string, 0, len(types.Defaults)+len(types.Overrides))
	for _, d := range types.Defaults {
		all = append(all, strings.ToLower(d.ContentType))
	}
	for _, o := range types.Overrides {
		all = append(all, strings.ToLower(o.ContentType))
	}
	has := func(sub string) bool {
		return slices.ContainsFunc(all, func(ct string) bool { return strings.Contains(ct, sub) })
	}
	switch {
	case has("sheet.binary"):
		return workforce.Errorf(workforce.EUnsupported, msgBinary)
	case has("macroenabled"), has("vbaproject"):
		return workforce.Errorf(workforce.EUnsupported, msgMacro)
	case slices.Contains(all, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
		slices.Contains(all, "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"):
		return nil
	}
	return workforce.Errorf(workforce.EUnsupported, msgZipNotXLSX)
}

// namedCell is a field's defined name resolved to a cell.
type namedCell struct {
	key, sheet, cell string
}

// readNamedCells opens the workbook with excelize and reads the cells named after fields.
// excelize is not written for hostile input, so a panic inside it becomes a refusal.
func readNamedCells(data []byte) (fields []workforce.RawField, err error) {
	defer func() {
		if r := recover(); r != nil {
			fields, err = nil, workforce.Errorf(workforce.EInvalid, msgDamaged)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxTotalSize,
		UnzipXMLSizeLimit: maxEntrySize, // keeps every part in memory: no temporary files
		RawCellValue:      true,
	})
	if f != nil {
		// Close only removes temporary files, of which there are none; its error says nothing
		// about the values read.
		defer func() { _ = f.Close() }()
	}
	if err != nil {
		return nil, workforce.Errorf(workforce.EInvalid, msgDamaged)
	}

	var (
		problems   []workforce.Problem
		cells      []namedCell
		hasVersion bool
		versionRef string
		fieldNames int
		seen       = map[string]bool{}
	)
	bad := func(key, format string, args ...any) {
		problems = append(problems, workforce.Problem{
			Field: key, Code: CodeBadDefinedName,
			Message: fmt.Sprintf(format, args...) + " Each answer cell must carry its field's name on one cell of this workbook, as in the template from GET /template (Formulas > Name Manager shows the names).",
		})
	}
	for _, dn := range f.GetDefinedName() {
		if dn.Scope != "Workbook" { // sheet-scoped copies, for example from a copied sheet
			continue
		}
		// Excel's names are case-insensitive.
		key := strings.ToLower(strings.TrimSpace(dn.Name))
		if key == NameTemplateVersion {
			hasVersion = true
			versionRef = dn.RefersTo
			continue
		}
		if _, ok := workforce.FieldByKey(key); !ok {
			continue // print areas, drop-down lists, the analyst's own names
		}
		fieldNames++
		if seen[key] {
			bad(key, "The name %s is defined more than once.", key)
			continue
		}
		seen[key] = true
		sheet, cell, why := singleCell(dn.RefersTo)
		if why != "" {
			bad(key, "The name %s %s.", key, why)
			continue
		}
		if i, _ := f.GetSheetIndex(sheet); i < 0 {
			bad(key, "The name %s refers to the sheet %q, which is not in this workbook.", key, sheet)
			continue
		}
		cells = append(cells, namedCell{key: key, sheet: sheet, cell: cell})
	}
	if !hasVersion && fieldNames == 0 {
		return nil, workforce.Errorf(workforce.EInvalid, msgNotTemplate)
	}
	if found, at := versionCell(f, versionRef); hasVersion {
		if err := checkVersion(found, at); err != nil {
			return nil, err
		}
	}
	for _, c := range cells {
		ref := quoteSheet(c.sheet) + "!" + c.cell
		v, err := cellValue(f, c.sheet, c.cell)
		if err != nil {
			problems = append(problems, workforce.Problem{
				Field: c.key, Cell: ref, Code: "unreadable_cell",
				Message: fmt.Sprintf("The cell %s (%s) could not be read. Type the value in again and save the workbook.", ref, c.key),
			})
			continue
		}
		if v == "" {
			continue
		}
		fields = append(fields, workforce.RawField{Key: c.key, Value: v, Cell: ref})
	}
	if len(problems) > 0 {
		return nil, workforce.Invalid(msgBadNames, problems)
	}
	slices.SortFunc(fields, func(a, b workforce.RawField) int { return fieldOrder[a.Key] - fieldOrder[b.Key] })
	return fields, nil
}

// cellValue reads a cell as it is stored: a formula's cached result, TRUE/FALSE as
// true/false, numbers as Excel shows them.
func cellValue(f *excelize.File, sheet, cell string) (string, error) {
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		return "", err
	}
	v, err := f.GetCellValue(sheet, cell) // raw: the workbook was opened with RawCellValue
	if err != nil {
		return "", err
	}
	v = strings.TrimSpace(v)
	switch typ {
	case excelize.CellTypeBool:
		switch v {
		case "1":
			return "true", nil
		case "0":
			return "false", nil
		}
	case excelize.CellTypeUnset, excelize.CellTypeNumber: // a number cell usually has no type attribute
		return plainNumber(v), nil
	}
	return v, nil
}

// plainNumber writes a stored number as Excel displays it, to 15 significant digits and
// without an exponent: a computed 1234.5599999999999 reads as 1234.56, 1250 as 1250.
func plainNumber(s string) string {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return s
	}
	x, _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// singleCell resolves a defined name's formula (Return!$D$12, 'My Sheet'!D12) to a sheet
// and a cell (D12). why says what is wrong when it does not name one cell of this workbook.
func singleCell(refersTo string) (sheet, cell, why string) {
	r := strings.TrimPrefix(strings.TrimSpace(refersTo), "=")
	const notCell = "does not refer to a cell"
	if strings.Contains(r, "#REF!") {
		return "", "", "refers to a cell that has been deleted (#REF!)"
	}
	var rest string
	if strings.HasPrefix(r, "'") {
		// A quoted sheet name, in which '' stands for '.
		var b strings.Builder
		i := 1
		for ; i < len(r); i++ {
			if r[i] == '\'' {
				if i+1 < len(r) && r[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				break
			}
			b.WriteByte(r[i])
		}
		if i+1 >= len(r) || r[i+1] != '!' {
			return "", "", notCell
		}
		sheet, rest = b.String(), r[i+2:]
	} else {
		var ok bool
		if sheet, rest, ok = strings.Cut(r, "!"); !ok {
			return "", "", notCell
		}
	}
	// Sheet names cannot contain brackets; a reference to another workbook starts with
	// [1] or [Book.xlsx].
	if strings.ContainsAny(sheet, "[]") {
		return "", "", "refers to a cell in another workbook (" + r + ")"
	}
	if sheet == "" {
		return "", "", notCell
	}
	rest = strings.ReplaceAll(rest, "$", "")
	if strings.Contains(rest, ",") {
		return "", "", "refers to more than one cell (" + r + ")"
	}
	from, to, isRange := strings.Cut(rest, ":")
	c1, r1, err := excelize.CellNameToCoordinates(from)
	if err != nil {
		if isRange {
			return "", "", "refers to a range of cells (" + r + "), not one cell"
		}
		return "", "", notCell + " (" + r + ")"
	}
	if isRange {
		c2, r2, err := excelize.CellNameToCoordinates(to)
		if err != nil {
			return "", "", "refers to a range of cells (" + r + "), not one cell"
		}
		if c1 != c2 || r1 != r2 {
			n := (abs(c2-c1) + 1) * (abs(r2-r1) + 1)
			return "", "", fmt.Sprintf("refers to a range of %d cells (%s), not one cell", n, r)
		}
	}
	cell, _ = excelize.CoordinatesToCellName(c1, r1)
	return sheet, cell, ""
}

// quoteSheet writes a sheet name as it appears in a cell reference, quoted as Excel
// quotes it when it is not a plain word: Return!D12 but 'My Sheet'!D12.
func quoteSheet(s string) string {
	plain := s != "" && !unicode.IsDigit([]rune(s)[0])
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' {
			plain = false
			break
		}
	}
	if _, _, err := excelize.CellNameToCoordinates(s); err == nil {
		plain = false // a sheet called A1 would read as a cell
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func mebibytes(n uint64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
