// Package sheetstream reads the rows of one worksheet of an .xlsx workbook as a stream,
// for record-level staff extracts of up to 500,000 rows (SPEC §10). It reads only what
// counting rows needs — the workbook's sheet list and relationships, the shared strings,
// and the one sheet's XML — straight from the ZIP entries, without unpacking the package
// or building the sheet in memory: a row is decoded, handed out and forgotten.
//
// Cells come as their raw values, as excelize reads them with RawCellValue: numbers,
// dates and times as stored (serial numbers such as 45382, or ISO 8601 text for t="d"
// cells), booleans as 1 or 0, errors such as #N/A, formulas by their cached value, shared
// and inline strings (rich text runs joined) as text. No number format is applied.
//
// It is proven against excelize: for a corpus written by excelize, LibreOffice and
// openpyxl, and under differential fuzzing, it reads what excelize's Rows reads, cell for
// cell; the few inputs where it refuses what excelize reads (damaged entries, XML that is
// not well formed, rows or cells out of order, inputs over the limits) are listed in
// fuzz_test.go.
//
// Hostile files are refused before they cost much: the ZIP directory is checked for the
// number of entries, declared sizes and compression ratios (as shared/returntemplate does for
// returns), the bytes inflated are counted as they are read, and rows, columns, shared
// strings, nesting and the length of any one tag or text are bounded (see Limits).
package sheetstream

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// Limits bound what a workbook may cost. A zero field takes its default.
type Limits struct {
	MaxFileSize          int64 // bytes of the .xlsx file (100 MB, SPEC §10)
	MaxEntries           int   // entries in the ZIP directory (1,000)
	MaxEntrySize         int64 // bytes one part inflates to, declared or read (1 GiB)
	MaxTotalSize         int64 // bytes all parts declare, and all read inflate to (2 GiB)
	MaxRatio             int64 // inflated:compressed for parts over 1 MiB (200)
	MaxRows              int   // the last row number read (500,001: SPEC §10's 500,000 records and a header)
	MaxColumns           int   // the last column that holds a value (200; extracts have 8–20)
	MaxSharedStrings     int   // entries in the shared string table (2,000,000)
	MaxSharedStringBytes int64 // bytes of text in the shared string table (128 MiB)
	MaxToken             int   // bytes of one tag, or of text between two tags (1 MiB)
	MaxDepth             int   // elements open at once (256)
}

// DefaultLimits are the limits for a staff extract.
var DefaultLimits = Limits{
	MaxFileSize:          100 << 20,
	MaxEntries:           1000,
	MaxEntrySize:         1 << 30,
	MaxTotalSize:         2 << 30,
	MaxRatio:             200,
	MaxRows:              500_001,
	MaxColumns:           200,
	MaxSharedStrings:     2_000_000,
	MaxSharedStringBytes: 128 << 20,
	MaxToken:             1 << 20,
	MaxDepth:             256,
}

const ratioCheckFrom = 1 << 20 // small parts may compress as well as they like

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	set64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set64(&l.MaxFileSize, d.MaxFileSize)
	set(&l.MaxEntries, d.MaxEntries)
	set64(&l.MaxEntrySize, d.MaxEntrySize)
	set64(&l.MaxTotalSize, d.MaxTotalSize)
	set64(&l.MaxRatio, d.MaxRatio)
	set(&l.MaxRows, d.MaxRows)
	set(&l.MaxColumns, d.MaxColumns)
	set(&l.MaxSharedStrings, d.MaxSharedStrings)
	set64(&l.MaxSharedStringBytes, d.MaxSharedStringBytes)
	set(&l.MaxToken, d.MaxToken)
	set(&l.MaxDepth, d.MaxDepth)
	return l
}

// Codes of an *Error.
const (
	CodeNotXLSX     = "not_xlsx"     // not an .xlsx workbook at all
	CodeEncrypted   = "encrypted"    // a password-protected workbook or an old .xls
	CodeDamaged     = "damaged"      // a ZIP entry or XML part that cannot be read
	CodeTooLarge    = "too_large"    // over a size, ratio, row, column or string limit
	CodeOutOfOrder  = "out_of_order" // rows or cells not in ascending order
	CodeUnsupported = "unsupported"  // well-formed, but not what this reader reads
	CodeNoSheet     = "no_sheet"     // the sheet asked for is not in the workbook
)

// Error is why a workbook cannot be read, for people: it names parts, rows and cell
// references, never a cell's value.
type Error struct {
	Code    string
	Message string
	Part    string // the package part, when one is to blame
}

func (e *Error) Error() string {
	if e.Part != "" {
		return "sheetstream: " + e.Part + ": " + e.Message
	}
	return "sheetstream: " + e.Message
}

func errorf(code, part, format string, args ...any) *Error {
	return &Error{Code: code, Part: part, Message: fmt.Sprintf(format, args...)}
}

// Code is err's code when it is an *Error, and "" otherwise.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Reader is an opened workbook.
type Reader struct {
	limits  Limits
	parts   map[string]*zip.File // by name as excelize keys them
	sheets  []sheetEntry
	inflate *budget
	sst     *sharedStrings // read on the first row that needs it
	sstErr  error

	// For the tests of the fast path: its scanners' first buffer size (0: bufferSize), and
	// whether they read every token through the token loop.
	bufSize       int
	tokenLoopOnly bool
}

// bufferSize is a scanner's first buffer, which grows to hold a longer token.
const bufferSize = 64 << 10

// newScanner is a scanner of one of the workbook's parts.
func (r *Reader) newScanner(rc io.Reader) *scanner {
	size := bufferSize
	if r.bufSize > 0 {
		size = r.bufSize
	}
	sc := newScanner(rc, size, r.limits.MaxToken, r.limits.MaxDepth)
	sc.tokenLoopOnly = r.tokenLoopOnly
	return sc
}

type sheetEntry struct {
	name string
	path string // the sheet's part; "" when no relationship leads to one that exists
}

// Open reads the ZIP directory, checks it against the limits, and reads the workbook's
// list of sheets. ra must hold the whole file: size bytes.
func Open(ra io.ReaderAt, size int64, limits Limits) (*Reader, error) {
	l := limits.withDefaults()
	if size <= 0 {
		return nil, errorf(CodeNotXLSX, "", "the file is empty")
	}
	if size > l.MaxFileSize {
		return nil, errorf(CodeTooLarge, "", "the file is %s; the most read is %s", mib(size), mib(l.MaxFileSize))
	}
	head := make([]byte, len(cfbMagic))
	if n, _ := ra.ReadAt(head, 0); n == len(head) && bytes.Equal(head, cfbMagic) {
		return nil, errorf(CodeEncrypted, "", "the file is an encrypted (password-protected) workbook or an old .xls; remove the password or save it as .xlsx")
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, errorf(CodeNotXLSX, "", "the file is not an .xlsx workbook (not a readable ZIP archive)")
	}
	if len(zr.File) > l.MaxEntries {
		return nil, errorf(CodeTooLarge, "", "the file has %d parts; the most read is %d", len(zr.File), l.MaxEntries)
	}
	r := &Reader{limits: l, parts: make(map[string]*zip.File, len(zr.File))}
	var total uint64
	for _, f := range zr.File {
		n := f.UncompressedSize64
		if n > uint64(l.MaxEntrySize) {
			return nil, errorf(CodeTooLarge, f.Name, "the part unzips to %s; the most read is %s", mib(int64(min(n, 1<<62))), mib(l.MaxEntrySize))
		}
		if n > ratioCheckFrom && (f.CompressedSize64 == 0 || n/f.CompressedSize64 > uint64(l.MaxRatio)) {
			return nil, errorf(CodeTooLarge, f.Name, "the part unzips to %s from %d bytes, which is not what a workbook looks like", mib(int64(n)), f.CompressedSize64)
		}
		// excelize opens every entry, and refuses a package with one it cannot open: so
		// does this reader, though it inflates only the few it reads.
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, errorf(CodeDamaged, f.Name, "the part is compressed with a method (%d) that .xlsx files do not use", f.Method)
		}
		if _, err := f.DataOffset(); err != nil {
			return nil, errorf(CodeDamaged, f.Name, "the part cannot be found in the file: the ZIP archive is damaged")
		}
		total += n
		if total > uint64(l.MaxTotalSize) {
			return nil, errorf(CodeTooLarge, "", "the file unzips to more than %s, the most read", mib(l.MaxTotalSize))
		}
		r.parts[partKey(f.Name)] = f // the last of two entries with one name wins, as in excelize
	}
	r.inflate = &budget{left: l.MaxTotalSize}
	if err := r.readWorkbook(); err != nil {
		return nil, err
	}
	return r, nil
}

// Close releases nothing today; it is here so that callers need not change when it does.
func (r *Reader) Close() error { return nil }

// partKey is the name excelize files a ZIP entry under.
func partKey(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	switch strings.ToLower(name) {
	case "[content_types].xml":
		return "[Content_Types].xml"
	case "xl/sharedstrings.xml":
		return sharedStringsPart
	}
	return name
}

const (
	sharedStringsPart = "xl/sharedStrings.xml"
	relOfficeDocument = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)

// Sheets is the names of the workbook's sheets, in the workbook's order.
func (r *Reader) Sheets() []string {
	names := make([]string, len(r.sheets))
	for i, s := range r.sheets {
		names[i] = s.name
	}
	return names
}

// readPart inflates a small part whole (workbook, relationships), within the limits.
func (r *Reader) readPart(name string) ([]byte, bool, error) {
	f, ok := r.parts[name]
	if !ok {
		return nil, false, nil
	}
	rc, err := r.open(f)
	if err != nil {
		return nil, true, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 16<<20+1))
	if err != nil {
		return nil, true, err
	}
	if len(data) > 16<<20 {
		return nil, true, errorf(CodeTooLarge, name, "the part is larger than 16 MiB, which a workbook's list of sheets never is")
	}
	return data, true, nil
}

// The parts of the workbook's structure are read with encoding/xml into the shapes
// excelize reads them into, so that the sheet found is the sheet excelize finds.
type relationships struct {
	XMLName       xml.Name `xml:"http://schemas.openxmlformats.org/package/2006/relationships Relationships"`
	Relationships []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:",attr"`
		Type   string `xml:",attr"`
	} `xml:"Relationship"`
}

type workbookXML struct {
	XMLName xml.Name `xml:"http://schemas.openxmlformats.org/spreadsheetml/2006/main workbook"`
	Sheets  struct {
		Sheet []struct {
			Name    string `xml:"name,attr,omitempty"`
			SheetID int    `xml:"sheetId,attr,omitempty"`
			ID      string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheet"`
	} `xml:"sheets"`
}

// decodePart decodes a structural part as excelize does: Strict OOXML namespaces mapped to
// Transitional ones, an empty part read as nothing.
func decodePart(data []byte, v any) error {
	if err := xml.NewDecoder(bytes.NewReader(strictToTransitional(data))).Decode(v); err != nil && err != io.EOF {
		return err
	}
	return nil
}

// strictToTransitional is excelize's namespaceStrictToTransitional for the namespaces that
// matter here; the longer names go first so the result does not depend on order.
var strictToTransitionalPairs = []string{
	"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument", relOfficeDocument,
	"http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
	"http://purl.oclc.org/ooxml/officeDocument/relationships/comments", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments",
	"http://purl.oclc.org/ooxml/officeDocument/relationships/chart", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart",
	"http://purl.oclc.org/ooxml/officeDocument/relationships/image", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image",
	"http://purl.oclc.org/ooxml/officeDocument/relationships", "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
	"http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
	"http://purl.oclc.org/ooxml/officeDocument/extendedProperties", "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
	"http://purl.oclc.org/ooxml/spreadsheetml/main", mainNS,
	"http://purl.oclc.org/ooxml/drawingml/main", "http://schemas.openxmlformats.org/drawingml/2006/main",
}

const mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

func strictToTransitional(b []byte) []byte {
	if !bytes.Contains(b, []byte("purl.oclc.org")) {
		return b
	}
	for i := 0; i < len(strictToTransitionalPairs); i += 2 {
		b = bytes.ReplaceAll(b, []byte(strictToTransitionalPairs[i]), []byte(strictToTransitionalPairs[i+1]))
	}
	return b
}

// readWorkbook finds the workbook part from the package relationships, and each sheet's
// part from the workbook's, as excelize does.
func (r *Reader) readWorkbook() error {
	wbPath := ""
	if data, ok, err := r.readPart("_rels/.rels"); err != nil {
		return err
	} else if ok {
		var rels relationships
		if decodePart(data, &rels) == nil {
			for _, rel := range rels.Relationships {
				if rel.Type == relOfficeDocument {
					wbPath = strings.TrimPrefix(rel.Target, "/")
					break
				}
			}
		}
	}
	if wbPath == "" {
		return errorf(CodeNotXLSX, "", "the file is a ZIP archive but not an .xlsx workbook (no workbook part)")
	}
	data, _, err := r.readPart(wbPath)
	if err != nil {
		return err
	}
	var wb workbookXML
	if err := decodePart(data, &wb); err != nil {
		return errorf(CodeDamaged, wbPath, "the workbook part cannot be read")
	}
	wbDir := filepath.Dir(wbPath)
	relsPath := "_rels/" + filepath.Base(wbPath) + ".rels"
	if wbDir != "." {
		relsPath = strings.TrimPrefix(wbDir+"/_rels/"+filepath.Base(wbPath)+".rels", "/")
	}
	data, ok, err := r.readPart(relsPath)
	if err != nil {
		return err
	}
	var rels relationships
	if ok {
		if err := decodePart(data, &rels); err != nil {
			return errorf(CodeDamaged, relsPath, "the workbook's relationships cannot be read")
		}
	}
	for _, s := range wb.Sheets.Sheet {
		sh := sheetEntry{name: s.Name}
		for _, rel := range rels.Relationships {
			if rel.ID != s.ID {
				continue
			}
			p := filepath.ToSlash(strings.TrimPrefix(strings.ReplaceAll(filepath.Clean(wbDir+"/"+rel.Target), `\`, "/"), "/"))
			if strings.HasPrefix(rel.Target, "/") {
				p = filepath.ToSlash(strings.TrimPrefix(strings.ReplaceAll(filepath.Clean(rel.Target), `\`, "/"), "/"))
			}
			if _, ok := r.parts[p]; ok {
				sh.path = p
			}
		}
		r.sheets = append(r.sheets, sh)
	}
	return nil
}

// Rows starts reading the named sheet (names compare case-insensitively, as in Excel),
// or the first sheet when name is "".
func (r *Reader) Rows(name string) (*Rows, error) {
	if name == "" {
		if len(r.sheets) == 0 {
			return nil, errorf(CodeNoSheet, "", "the workbook has no sheets")
		}
		name = r.sheets[0].name
	}
	if err := checkSheetName(name); err != nil {
		return nil, err
	}
	// excelize keeps the last sheet of each exact name that has a part, then looks the
	// name up case-insensitively; two sheets whose names differ only in case would make
	// that lookup a matter of chance, so they are refused.
	byName := map[string]string{}
	for _, s := range r.sheets {
		if s.path != "" {
			byName[s.name] = s.path
		}
	}
	path, found := "", 0
	for n, p := range byName {
		if strings.EqualFold(n, name) {
			path = p
			found++
		}
	}
	switch {
	case found == 0:
		return nil, errorf(CodeNoSheet, "", "the workbook has no sheet %q", name)
	case found > 1:
		return nil, errorf(CodeUnsupported, "", "the workbook has two sheets named %q, in different cases", name)
	}
	rc, err := r.open(r.parts[path])
	if err != nil {
		return nil, err
	}
	return &Rows{r: r, part: path, rc: rc, sc: r.newScanner(rc)}, nil
}

// checkSheetName is excelize's: it refuses to read a sheet whose name Excel would refuse.
func checkSheetName(name string) error {
	bad := func(why string) error { return errorf(CodeUnsupported, "", "the sheet name %q %s", name, why) }
	switch {
	case len(utf16.Encode([]rune(name))) > 31:
		return bad("is longer than 31 characters")
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return bad("starts or ends with an apostrophe")
	case strings.ContainsAny(name, `:\/?*[]`):
		return bad(`contains one of : \ / ? * [ ]`)
	}
	return nil
}

func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// budget is what is left of MaxTotalSize to inflate, across every part read.
type budget struct{ left int64 }

// entry counts the bytes inflated from one part against its declared size, the ratio
// limit, the per-part limit and the shared budget, as they are read.
type entry struct {
	rc         io.ReadCloser
	name       string
	read       int64
	declared   int64
	compressed int64
	limits     *Limits
	budget     *budget
	err        error
}

func (r *Reader) open(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, errorf(CodeDamaged, f.Name, "the part cannot be unzipped")
	}
	return &entry{rc: rc, name: f.Name, declared: int64(min(f.UncompressedSize64, 1<<62)),
		compressed: int64(min(f.CompressedSize64, 1<<62)), limits: &r.limits, budget: r.inflate}, nil
}

func (e *entry) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.rc.Read(p)
	e.read += int64(n)
	e.budget.left -= int64(n)
	switch {
	case e.read > e.limits.MaxEntrySize || e.budget.left < 0:
		e.err = errorf(CodeTooLarge, e.name, "the part unzips to more than the limit")
	case e.read > e.declared:
		e.err = errorf(CodeDamaged, e.name, "the part unzips to more than its declared size")
	case e.read > ratioCheckFrom && e.read/max(e.compressed, 1) > e.limits.MaxRatio:
		e.err = errorf(CodeTooLarge, e.name, "the part unzips to %s from %d bytes, which is not what a workbook looks like", mib(e.read), e.compressed)
	case err != nil && err != io.EOF:
		e.err = errorf(CodeDamaged, e.name, "the part cannot be unzipped: it is damaged or incomplete")
	}
	if e.err != nil {
		return n, e.err
	}
	return n, err
}

func (e *entry) Close() error { return e.rc.Close() }
