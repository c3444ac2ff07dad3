package returntemplate

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads the few parts of an .xlsx package that a return needs, token by token:
// the workbook's sheets and defined names, the relationships that lead from a sheet's name
// to its part, the named cells of those sheets, and the shared strings those cells use.
// Nothing is built whole and nothing is expanded, so reading costs what the named cells
// cost, whatever the file declares about itself; what a return cannot hold is refused as
// soon as it is seen.

// Bounds on a sheet that holds answers. The template's Return sheet uses columns A to E
// and fewer than 100 rows; a sheet is read within A1:Z1000, so a cell (or a declared
// dimension) beyond column Z or row 1,000 is refused, as is a sheet with more rows or
// cells than fit in that area.
const (
	maxCol      = 26
	maxRow      = 1000
	maxCells    = maxCol * maxRow
	maxDepth    = 64    // elements nest a few levels deep in a workbook; deeper is not one
	maxSheets   = 1000  // as many as a package may have parts
	maxCellText = 32767 // characters in a cell, as in Excel
	maxRefersTo = 1024  // characters of a defined name's formula that are read
	// No text or tag in a workbook runs this long without a '<' (a cell holds 32,767
	// characters, 192 KB escaped at worst); the XML decoder would hold a run whole.
	maxRun = 256 << 10
)

// errDamaged is any failure to read a part as the XML it should be: a syntax error, a part
// that is missing, or a ZIP entry that does not inflate to what it says.
var errDamaged = errors.New("damaged part")

// pkg is an opened ZIP package whose parts are found by name, as OPC names them:
// case-insensitively and without a leading slash.
type pkg map[string]*zip.File

func newPkg(zr *zip.Reader) pkg {
	p := make(pkg, len(zr.File))
	for _, f := range zr.File {
		name := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := p[name]; !dup {
			p[name] = f
		}
	}
	return p
}

// open starts reading the named part; ok is false when the package has no such part.
func (p pkg) open(name string) (t *tokens, ok bool, err error) {
	f, ok := p[strings.ToLower(name)]
	if !ok {
		return nil, false, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, true, errDamaged
	}
	return newTokens(rc), true, nil
}

func newTokens(rc io.ReadCloser) *tokens {
	return &tokens{d: xml.NewDecoder(&runLimit{r: io.LimitReader(rc, maxEntrySize)}), rc: rc}
}

// runLimit fails a read once more than maxRun bytes have passed without a '<'.
type runLimit struct {
	r   io.Reader
	run int
}

var errLongRun = errors.New("text or tag too long")

func (l *runLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if first := bytes.IndexByte(p[:n], '<'); first < 0 {
		l.run += n
	} else {
		l.run += first // runs inside p are shorter than p, which is shorter than maxRun
		if l.run <= maxRun {
			l.run = n - 1 - bytes.LastIndexByte(p[:n], '<')
		}
	}
	if l.run > maxRun {
		return 0, errLongRun
	}
	return n, err
}

// tokens reads one part's XML, refusing nesting deeper than any workbook has (the decoder
// would otherwise keep a frame for every open element).
type tokens struct {
	d     *xml.Decoder
	rc    io.ReadCloser
	depth int
	done  bool // the root element has ended
}

func (t *tokens) close() { _ = t.rc.Close() }

// next is the next token; io.EOF at the end of the part or of its root element (what
// follows is not read, as an XML decoder's Decode would not), errDamaged if it is not XML.
func (t *tokens) next() (xml.Token, error) {
	if t.done {
		return nil, io.EOF
	}
	tok, err := t.d.Token()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, errDamaged
	}
	switch tok.(type) {
	case xml.StartElement:
		t.depth++
		if t.depth > maxDepth {
			return nil, errDamaged
		}
	case xml.EndElement:
		t.depth--
		t.done = t.depth == 0
	}
	return tok, nil
}

// text is the character data of the element just started, up to its end, ignoring any
// elements inside it. long reports more than limit bytes, of which only limit are kept.
func (t *tokens) text(limit int) (s string, long bool, err error) {
	var b []byte
	for end := t.depth - 1; ; {
		tok, err := t.next()
		if err == io.EOF {
			return "", false, errDamaged
		}
		if err != nil {
			return "", false, err
		}
		switch tok := tok.(type) {
		case xml.CharData:
			if len(b)+len(tok) > limit {
				long = true
				tok = tok[:max(0, limit-len(b))]
			}
			b = append(b, tok...)
		case xml.EndElement:
			if t.depth == end {
				return string(b), long, nil
			}
		}
	}
}

// skip reads to the end of the element just started.
func (t *tokens) skip() error {
	for end := t.depth - 1; t.depth > end; {
		if _, err := t.next(); err != nil {
			if err == io.EOF {
				return errDamaged
			}
			return err
		}
	}
	return nil
}

func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// relID is a sheet's r:id, the one attribute named id in the relationships namespace
// (transitional or strict).
func relID(e xml.StartElement) string {
	for _, a := range e.Attr {
		if a.Name.Local == "id" && strings.HasSuffix(a.Name.Space, "/relationships") {
			return a.Value
		}
	}
	return ""
}

// workbookPart is the part the package's relationships name as its main document,
// xl/workbook.xml when it names none.
func (p pkg) workbookPart() (string, error) {
	part := "xl/workbook.xml"
	err := p.relationships("_rels/.rels", "", func(id, typ, target string) bool {
		if strings.HasSuffix(typ, "/officeDocument") {
			part = target
			return true
		}
		return false
	})
	return part, err
}

// relationships streams the relationships of a .rels part, resolving each internal
// target against dir, until each returns true. A package without the part has none.
func (p pkg) relationships(name, dir string, each func(id, typ, target string) (done bool)) error {
	t, ok, err := p.open(name)
	if !ok || err != nil {
		return err
	}
	defer t.close()
	for {
		tok, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		e, ok := tok.(xml.StartElement)
		if !ok || e.Name.Local != "Relationship" {
			continue
		}
		if mode, _ := attr(e, "TargetMode"); strings.EqualFold(mode, "External") {
			continue
		}
		id, _ := attr(e, "Id")
		typ, _ := attr(e, "Type")
		target, _ := attr(e, "Target")
		if each(id, typ, resolvePart(dir, target)) {
			return nil
		}
	}
}

// resolvePart is a relationship's target as a part name: /xl/a.xml or, relative to the
// source's folder, a.xml.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+path.Join(dir, target)), "/")
}

// workbook is what Parse needs of xl/workbook.xml.
type workbook struct {
	sheets []sheetEntry
	names  []definedName // workbook-scoped names that the return reads
}

type sheetEntry struct{ name, relID string }

type definedName struct {
	key      string // the name, trimmed and in lower case as Excel compares names
	refersTo string
	long     bool // the formula is longer than maxRefersTo
}

// readWorkbook reads the sheets and the workbook-scoped defined names for which keep is
// true, at most two for each name (enough to tell that one is defined twice).
func readWorkbook(t *tokens, keep func(key string) bool) (workbook, error) {
	var wb workbook
	count := map[string]int{}
	for {
		tok, err := t.next()
		if err == io.EOF {
			return wb, nil
		}
		if err != nil {
			return wb, err
		}
		e, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch e.Name.Local {
		case "sheet":
			if len(wb.sheets) == maxSheets {
				return wb, errTooManySheets
			}
			name, _ := attr(e, "name")
			wb.sheets = append(wb.sheets, sheetEntry{name: name, relID: relID(e)})
		case "definedName":
			name, _ := attr(e, "name")
			key := strings.ToLower(strings.TrimSpace(name))
			if _, local := attr(e, "localSheetId"); local || !keep(key) || count[key] == 2 {
				// Sheet-scoped copies (for example from a copied sheet) and names the
				// return does not read: print areas, lists, the analyst's own.
				if err := t.skip(); err != nil {
					return wb, err
				}
				continue
			}
			count[key]++
			refersTo, long, err := t.text(maxRefersTo)
			if err != nil {
				return wb, err
			}
			wb.names = append(wb.names, definedName{key: key, refersTo: refersTo, long: long})
		}
	}
}

var errTooManySheets = errors.New("too many sheets")

// sheet finds a sheet by name, case-insensitively as Excel does.
func (wb workbook) sheet(name string) (sheetEntry, bool) {
	for _, s := range wb.sheets {
		if strings.EqualFold(s.name, name) {
			return s, true
		}
	}
	return sheetEntry{}, false
}

// cellAt is a cell's column and row, from 1.
type cellAt struct{ col, row int }

// parseCell reads a cell reference such as D12 (columns up to XFD, rows up to 1048576).
func parseCell(ref string) (cellAt, bool) {
	var c cellAt
	i := 0
	for ; i < len(ref) && i < 3; i++ {
		ch := ref[i] | 0x20 // lower case
		if ch < 'a' || ch > 'z' {
			break
		}
		c.col = c.col*26 + int(ch-'a') + 1
	}
	if i == 0 || i == len(ref) || len(ref)-i > 7 || ref[i] == '0' {
		return c, false
	}
	for _, ch := range ref[i:] {
		if ch < '0' || ch > '9' {
			return c, false
		}
		c.row = c.row*10 + int(ch-'0')
	}
	return c, c.col <= 16384 && c.row <= 1048576
}

func (c cellAt) String() string {
	var col []byte
	for n := c.col; n > 0; n = (n - 1) / 26 {
		col = append([]byte{byte('A' + (n-1)%26)}, col...)
	}
	return string(col) + strconv.Itoa(c.row)
}

// cellData is a cell as stored: its type attribute, its <v> and any inline string.
type cellData struct {
	found     bool
	typ       string
	v         string
	inline    string // an inline string, <is>
	hasInline bool
	shared    string // the shared string <v> indexes, for type s
	hasShared bool
	long      bool // more text than a cell can hold
}

// sheetTooLarge says what about a sheet is beyond what Parse reads.
type sheetTooLarge struct{ what string }

func (e *sheetTooLarge) Error() string { return e.what }

// readSheet streams a worksheet's <sheetData>, filling in the wanted cells, and stops at
// its end. It refuses a declared dimension, a cell, or more rows or cells than fit within
// A1:Z1000, as soon as it meets them; sheet is its name as a reference starts with it.
func readSheet(t *tokens, sheet string, want map[cellAt]*cellData) error {
	var (
		inData     bool
		row, col   int
		rows, cell int
	)
	for {
		tok, err := t.next()
		if err == io.EOF {
			return nil // a sheet without cells
		}
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.EndElement:
			if inData && e.Name.Local == "sheetData" && t.depth == 1 {
				return nil // nothing after the cells is needed
			}
		case xml.StartElement:
			switch {
			case !inData && e.Name.Local == "dimension" && t.depth == 2:
				ref, _ := attr(e, "ref")
				_, last, _ := strings.Cut(ref, ":")
				if last == "" {
					last = ref
				}
				if c, ok := parseCell(strings.ReplaceAll(last, "$", "")); ok && (c.col > maxCol || c.row > maxRow) {
					return &sheetTooLarge{"it declares that its cells span " + sheet + "!" + ref}
				}
			case !inData && e.Name.Local == "sheetData" && t.depth == 2:
				inData = true
			case inData && e.Name.Local == "row" && t.depth == 3:
				if rows++; rows > maxRow {
					return &sheetTooLarge{"it has more than " + strconv.Itoa(maxRow) + " rows"}
				}
				row, col = row+1, 0
				if r, ok := attr(e, "r"); ok {
					n, err := strconv.Atoi(strings.TrimSpace(r))
					if err != nil || n < 1 {
						return errDamaged
					}
					row = n
				}
				if row > maxRow {
					return &sheetTooLarge{"it has a row numbered " + strconv.Itoa(row) + " (" + sheet + "!" + strconv.Itoa(row) + ":" + strconv.Itoa(row) + ")"}
				}
			case inData && e.Name.Local == "c" && t.depth == 4:
				if cell++; cell > maxCells {
					return &sheetTooLarge{"it has more than " + strconv.Itoa(maxCells) + " cells"}
				}
				at := cellAt{col: col + 1, row: max(row, 1)}
				if r, ok := attr(e, "r"); ok {
					if at, ok = parseCell(strings.TrimSpace(r)); !ok {
						return errDamaged
					}
				}
				if at.col > maxCol || at.row > maxRow {
					return &sheetTooLarge{"it has a cell at " + sheet + "!" + at.String()}
				}
				col = at.col
				if c := want[at]; c != nil && !c.found {
					c.found = true
					c.typ, _ = attr(e, "t")
					if err := readCell(t, c); err != nil {
						return err
					}
				}
			}
		}
	}
}

// readCell reads the <c> element just started: its value and any inline string, and skips
// its formula, whose value Excel saved in <v>.
func readCell(t *tokens, c *cellData) error {
	for end := t.depth - 1; ; {
		tok, err := t.next()
		if err == io.EOF {
			return errDamaged
		}
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.EndElement:
			if t.depth == end {
				return nil
			}
		case xml.StartElement:
			switch e.Name.Local {
			case "v":
				v, long, err := t.text(4 * maxCellText)
				if err != nil {
					return err
				}
				c.v, c.long = v, c.long || long
			case "is":
				s, long, err := stringItem(t)
				if err != nil {
					return err
				}
				c.inline, c.hasInline, c.long = s, true, c.long || long
			default:
				if err := t.skip(); err != nil {
					return err
				}
			}
		}
	}
}

// stringItem reads a string item (<si> of the shared strings, <is> of a cell) just
// started: its text and the text of its runs, not the phonetic guides (<rPh>), with Excel's
// _xHHHH_ escapes decoded.
func stringItem(t *tokens) (s string, long bool, err error) {
	var b strings.Builder
	for end := t.depth - 1; ; {
		tok, err := t.next()
		if err == io.EOF {
			return "", false, errDamaged
		}
		if err != nil {
			return "", false, err
		}
		switch e := tok.(type) {
		case xml.EndElement:
			if t.depth == end {
				s := bstrUnmarshal(b.String())
				return s, long || utf8.RuneCountInString(s) > maxCellText, nil
			}
		case xml.StartElement:
			switch e.Name.Local {
			case "rPh", "phoneticPr":
				if err := t.skip(); err != nil {
					return "", false, err
				}
			case "t":
				text, l, err := t.text(4*maxCellText - b.Len())
				if err != nil {
					return "", false, err
				}
				long = long || l
				b.WriteString(text)
			}
		}
	}
}

// readSharedStrings streams the shared string table, filling in the wanted items by index,
// and stops after the last of them.
func readSharedStrings(t *tokens, want map[int][]*cellData) error {
	last := -1
	for i := range want {
		last = max(last, i)
	}
	i := -1
	for i < last {
		tok, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		e, ok := tok.(xml.StartElement)
		if !ok || e.Name.Local != "si" || t.depth != 2 {
			continue
		}
		i++
		cells, ok := want[i]
		if !ok {
			if err := t.skip(); err != nil {
				return err
			}
			continue
		}
		s, long, err := stringItem(t)
		if err != nil {
			return err
		}
		for _, c := range cells {
			c.shared, c.hasShared, c.long = s, true, c.long || long
		}
		delete(want, i)
	}
	return nil
}

// bstrExp is Excel's escape for a character XML cannot hold, _x000D_ for a carriage return.
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// bstrUnmarshal decodes _xHHHH_ escapes as Excel (and the workbook library) does: _x005F_
// stands for _, so _x005F_x000D_ is the text _x000D_.
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	cursor := 0
	for _, m := range bstrExp.FindAllStringIndex(s, -1) {
		b.WriteString(s[cursor:m[0]])
		cursor = m[1]
		n, _ := strconv.ParseUint(s[m[0]+2:m[1]-1], 16, 32)
		switch {
		case n == 0x5F:
			b.WriteByte('_')
		case utf8.ValidRune(rune(n)):
			b.WriteRune(rune(n))
		}
	}
	b.WriteString(s[cursor:])
	return b.String()
}
