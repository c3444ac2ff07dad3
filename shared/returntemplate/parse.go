package returntemplate

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/sheetref"
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
	msgNotXLSX       = "This file is not an Excel workbook (.xlsx). Fill in the template from GET /template and upload it as .xlsx; to send CSV or JSON instead, set the Content-Type to text/csv or application/json."
	msgCFB           = "This file is an encrypted (password-protected) or old .xls workbook, which cannot be read. Remove the password / save as .xlsx (Excel Workbook) and upload it again."
	msgMacro         = "This is a macro-enabled workbook, which is not accepted. Save it as an Excel Workbook (.xlsx), without macros, and upload it again."
	msgBinary        = "This is a binary workbook (.xlsb), which cannot be read. Save it as an Excel Workbook (.xlsx) and upload it again."
	msgZipNotXLSX    = "This file is a ZIP archive but not an Excel workbook (.xlsx). Fill in the template from GET /template and upload that."
	msgDamaged       = "This file could not be read as a workbook: it looks damaged or incomplete. Open it in Excel, save it as .xlsx and upload it again."
	msgNotTemplate   = "This workbook is not the DDaT return template; download it from GET /template."
	msgBadNames      = "Some of the workbook's named answer cells could not be read."
	msgTooManyParts  = "This workbook has %d parts; a return workbook has far fewer (at most %d are read). Fill in the template from GET /template and upload that."
	msgTooManySheets = "This workbook has more than %d sheets; a return workbook has three. Fill in the template from GET /template and upload that."
	// A sheet that holds answers is read within A1:Z1000; see maxCol and maxRow.
	msgSheetTooLarge = "The sheet %s is larger than a return can be: %s. Answers are read only from cells within A1:Z1000 of a sheet (the template's Return sheet uses columns A to E and fewer than 100 rows). Delete the rows and columns beyond that, or move your own working to a new sheet, then save the workbook and upload it again."
)

// Parse reads a filled template: the value of every cell whose workbook-scoped defined
// name is a field key, with the cell it came from. Empty cells are left out; whether a
// field is missing is for validation to say. Anything that is not a readable .xlsx
// workbook is refused with an *workforce.Error, never a panic.
//
// Only the parts a return needs are read, and those token by token (see ooxml.go), so the
// cost follows the named cells, not what the file declares: a sheet with answers on it is
// read within A1:Z1000 and refused, naming the cell, when it has anything beyond.
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
	return readNamedCells(zr)
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

// checkContentTypes streams [Content_Types].xml to tell an .xlsx from an .xlsm, .xlsb,
// .docx or any other ZIP.
func checkContentTypes(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return workforce.Errorf(workforce.EInvalid, msgDamaged)
	}
	t := newTokens(rc)
	defer t.close()
	var binary, macro, workbook, root bool
	for {
		tok, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return workforce.Errorf(workforce.EInvalid, msgDamaged)
		}
		e, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		root = true
		if e.Name.Local != "Default" && e.Name.Local != "Override" {
			continue
		}
		ct, _ := attr(e, "ContentType")
		switch ct = strings.ToLower(ct); {
		case strings.Contains(ct, "sheet.binary"):
			binary = true
		case strings.Contains(ct, "macroenabled"), strings.Contains(ct, "vbaproject"):
			macro = true
		case ct == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
			ct == "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml":
			workbook = true
		}
	}
	switch {
	case !root:
		return workforce.Errorf(workforce.EInvalid, msgDamaged)
	case binary:
		return workforce.Errorf(workforce.EUnsupported, msgBinary)
	case macro:
		return workforce.Errorf(workforce.EUnsupported, msgMacro)
	case workbook:
		return nil
	}
	return workforce.Errorf(workforce.EUnsupported, msgZipNotXLSX)
}

// namedCell is a field's defined name resolved to a cell.
type namedCell struct {
	key, sheet, cell string
}

// readNamedCells reads the cells named after fields, and nothing else of the workbook: its
// defined names, the sheets they point at (streamed up to the end of their cells) and the
// shared strings those cells use.
func readNamedCells(zr *zip.Reader) ([]workforce.RawField, error) {
	damaged := workforce.Errorf(workforce.EInvalid, msgDamaged)
	p := newPkg(zr)
	wbPart, err := p.workbookPart()
	if err != nil {
		return nil, damaged
	}
	t, ok, err := p.open(wbPart)
	if !ok || err != nil {
		return nil, damaged
	}
	wb, err := readWorkbook(t, func(key string) bool {
		_, field := workforce.FieldByKey(key)
		return field || key == NameTemplateVersion
	})
	t.close()
	if errors.Is(err, errTooManySheets) {
		return nil, workforce.Errorf(workforce.EInvalid, msgTooManySheets, maxSheets)
	}
	if err != nil {
		return nil, damaged
	}

	var (
		problems   []workforce.Problem
		cells      []namedCell
		version    *namedCell // the template_version cell, if it names one
		hasVersion bool
		fieldNames int
		seen       = map[string]bool{}
	)
	bad := func(key, cell, format string, args ...any) {
		problems = append(problems, workforce.Problem{
			Field: key, Cell: cell, Code: CodeBadDefinedName,
			Message: fmt.Sprintf(format, args...) + " Each answer cell must carry its field's name on one cell of this workbook, as in the template from GET /template (Formulas > Name Manager shows the names).",
		})
	}
	answers := answerSheet(wb)
	for _, dn := range wb.names {
		sheet, cell, why := singleCell(dn.refersTo)
		if dn.long {
			sheet, cell, why = "", "", fmt.Sprintf("does not refer to a cell (its formula is longer than %d characters)", maxRefersTo)
		}
		if dn.key == NameTemplateVersion {
			hasVersion = true
			if _, ok := wb.sheet(sheet); why == "" && ok && version == nil {
				version = &namedCell{key: dn.key, sheet: sheet, cell: cell}
			}
			continue
		}
		fieldNames++
		ref := refText(dn.refersTo)
		if seen[dn.key] {
			bad(dn.key, ref, "The name %s is defined more than once.", dn.key)
			continue
		}
		seen[dn.key] = true
		if why != "" {
			bad(dn.key, ref, "The name %s %s.", dn.key, why)
			continue
		}
		at := sheetref.Minimal(sheet) + "!" + cell
		if _, ok := wb.sheet(sheet); !ok {
			bad(dn.key, at, "The name %s refers to the sheet %q, which is not in this workbook.", dn.key, sheet)
			continue
		}
		if !strings.EqualFold(sheet, answers) {
			// A name moved onto the lists or the instructions would read whatever is
			// there, another organisation's code or a title, as the answer.
			bad(dn.key, at, "The name %s refers to %s, on the sheet %s; every answer is on the sheet %s.", dn.key, at, sheet, answers)
			continue
		}
		cells = append(cells, namedCell{key: dn.key, sheet: sheet, cell: cell})
	}
	if !hasVersion && fieldNames == 0 {
		return nil, workforce.Errorf(workforce.EInvalid, msgNotTemplate)
	}

	// The template_version cell is read with the answers: it says which template the
	// workbook was made from.
	toRead := cells
	if version != nil {
		toRead = append(slices.Clip(cells), *version)
	}
	values, err := readCells(p, wbPart, wb, toRead)
	if err != nil {
		return nil, err
	}
	if hasVersion {
		var found, at string // "" when the name does not point at one readable cell
		if version != nil {
			if v, why := values[*version].value(); why == "" {
				found, at = v, sheetref.Minimal(version.sheet)+"!"+version.cell
			}
		}
		if err := checkVersion(found, at); err != nil {
			return nil, err
		}
	}
	var fields []workforce.RawField
	for _, c := range cells {
		v, why := values[c].value()
		ref := sheetref.Minimal(c.sheet) + "!" + c.cell
		if why != "" {
			problems = append(problems, workforce.Problem{
				Field: c.key, Cell: ref, Code: "unreadable_cell",
				Message: fmt.Sprintf("The cell %s (%s) could not be read: it %s. Type the value in again and save the workbook.", ref, c.key, why),
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

// answerSheet is the sheet every answer must be on: the template's Return sheet or, in a
// workbook without one, the sheet most field names point at.
func answerSheet(wb workbook) string {
	if s, ok := wb.sheet(SheetReturn); ok {
		return s.name
	}
	count := map[string]int{}
	for _, dn := range wb.names {
		if sheet, _, why := singleCell(dn.refersTo); why == "" && dn.key != NameTemplateVersion {
			if s, ok := wb.sheet(sheet); ok {
				count[s.name]++
			}
		}
	}
	best := ""
	for _, s := range wb.sheets {
		if count[s.name] > count[best] {
			best = s.name
		}
	}
	return best
}

// readCells reads the given cells: each sheet they are on is streamed once, up to the end
// of its cells, then the shared strings they use. A sheet larger than a return can be is
// refused as soon as that is seen.
func readCells(p pkg, wbPart string, wb workbook, cells []namedCell) (map[namedCell]*cellData, error) {
	damaged := workforce.Errorf(workforce.EInvalid, msgDamaged)
	values := make(map[namedCell]*cellData, len(cells))
	bySheet := map[string]map[cellAt]*cellData{} // by relationship id
	var order []sheetEntry
	for _, c := range cells {
		s, _ := wb.sheet(c.sheet)
		at, _ := parseCell(c.cell)
		if bySheet[s.relID] == nil {
			bySheet[s.relID] = map[cellAt]*cellData{}
			order = append(order, s)
		}
		d := bySheet[s.relID][at]
		if d == nil {
			d = &cellData{}
			bySheet[s.relID][at] = d
		}
		values[c] = d
	}
	if len(cells) == 0 {
		return values, nil
	}

	dir, base := path.Split(wbPart)
	parts := map[string]string{}
	sharedStrings := path.Join(dir, "sharedStrings.xml")
	err := p.relationships(dir+"_rels/"+base+".rels", dir, func(id, typ, target string) bool {
		switch {
		case strings.HasSuffix(typ, "/sharedStrings"):
			sharedStrings = target
		case bySheet[id] != nil:
			parts[id] = target
		}
		return false
	})
	if err != nil {
		return nil, damaged
	}
	for _, s := range order {
		t, ok, err := p.open(parts[s.relID])
		if !ok || err != nil {
			return nil, damaged
		}
		err = readSheet(t, sheetref.Minimal(s.name), bySheet[s.relID])
		t.close()
		var large *sheetTooLarge
		if errors.As(err, &large) {
			return nil, workforce.Errorf(workforce.EInvalid, msgSheetTooLarge, sheetref.Minimal(s.name), large.what)
		}
		if err != nil {
			return nil, damaged
		}
	}

	strs := map[int][]*cellData{}
	for _, d := range values {
		if !d.found || d.typ != "s" || strings.TrimSpace(d.v) == "" {
			continue
		}
		i, err := strconv.Atoi(strings.TrimSpace(d.v))
		if err != nil || i < 0 {
			continue // read as a missing string
		}
		if !slices.Contains(strs[i], d) {
			strs[i] = append(strs[i], d)
		}
	}
	if len(strs) == 0 {
		return values, nil
	}
	t, ok, err := p.open(sharedStrings)
	if !ok {
		return values, nil // each cell says its string is missing
	}
	if err != nil {
		return nil, damaged
	}
	defer t.close()
	if err := readSharedStrings(t, strs); err != nil {
		return nil, damaged
	}
	return values, nil
}

// value reads a cell as it is stored: a formula's cached result, TRUE/FALSE as true/false,
// numbers as Excel shows them. why says what is wrong with a cell that cannot be read.
func (c *cellData) value() (v, why string) {
	if c == nil || !c.found {
		return "", ""
	}
	if c.long {
		return "", fmt.Sprintf("holds more than the %d characters a cell can", maxCellText)
	}
	v = strings.TrimSpace(c.v)
	switch c.typ {
	case "s":
		if c.hasShared {
			return strings.TrimSpace(c.shared), ""
		}
		if v == "" {
			return "", ""
		}
		return "", "refers to text (number " + v + " of the shared strings) that the workbook does not have"
	case "inlineStr":
		if c.hasInline {
			return strings.TrimSpace(c.inline), ""
		}
		return v, ""
	case "b":
		switch v {
		case "1":
			return "true", ""
		case "0":
			return "false", ""
		}
		return v, ""
	case "str", "e", "d":
		return v, ""
	}
	// A number cell usually has no type attribute.
	return plainNumber(v), ""
}

// refText is a defined name's formula as a problem names it: without = and $, and short.
func refText(refersTo string) string {
	r := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(refersTo), "="), "$", "")
	if len(r) > 100 {
		r = strings.ToValidUTF8(r[:100], "") + "…"
	}
	return r
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

func mebibytes(n uint64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
