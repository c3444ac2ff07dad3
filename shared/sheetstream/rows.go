package sheetstream

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Type is what kind of value a cell holds, from its t attribute.
type Type uint8

const (
	TypeEmpty   Type = iota // no value (a formula whose cached value is missing, or a gap)
	TypeNumber              // a number, date or time as stored: t="n" or none
	TypeString              // a shared string (t="s"), inline string (t="inlineStr") or formula text (t="str")
	TypeBool                // t="b": 1 or 0
	TypeError               // t="e": #N/A, #DIV/0! …
	TypeDate                // t="d": ISO 8601 text
	TypeUnknown             // any other t: the value as stored
)

// Cell is one cell's raw value.
type Cell struct {
	Value string
	Type  Type
}

// Rows reads one sheet's rows in order. Rows that are not in the sheet's XML (gaps) are
// not returned; Number says which row each one is.
type Rows struct {
	r    *Reader
	part string
	rc   io.ReadCloser
	sc   *scanner
	err  error
	done bool

	num   int    // the current row's number
	cells []Cell // the current row
	arena []byte // the current row's values, copied out of the read buffer
	spans []span // where each cell's value lies in arena

	prevNum int  // the number of the last row start read
	cellCol int  // the column of the last cell of the current row
	pending bool // the scanner stopped on the start of the next row
	pendNum int

	sst     *sharedStrings
	textBuf []byte // text of the element being read
	vBuf    []byte // the current cell's <v>
	isT     []byte // the current cell's inline string
	isRuns  []byte
	isBuf   []byte // the current cell's inline string and runs, joined
}

type span struct {
	col        int
	start, end int
	typ        Type
	shared     int // index into the shared strings, or -1
}

// Number is the current row's number (1 for the first row of the sheet).
func (rs *Rows) Number() int { return rs.num }

// Row is the current row's cells, from column A to the last that holds a value or a
// formula; cells not in the XML are TypeEmpty. The slice is reused by Next.
func (rs *Rows) Row() []Cell { return rs.cells }

// Err is why reading stopped early, or nil at the end of the sheet.
func (rs *Rows) Err() error { return rs.err }

// Close stops reading.
func (rs *Rows) Close() error {
	rs.done = true
	return rs.rc.Close()
}

func (rs *Rows) fail(err error) bool {
	if rs.err == nil {
		rs.err = rs.wrap(err)
	}
	rs.done = true
	return false
}

// wrap names the part in a scanner error.
func (rs *Rows) wrap(err error) error {
	var e *Error
	var se *syntaxError
	var enc errEncoding
	switch {
	case errors.As(err, &e):
		return err
	case errors.As(err, &se):
		return errorf(CodeDamaged, rs.part, "the sheet is not well-formed XML (%s)", se.msg)
	case errors.As(err, &enc):
		return errorf(CodeUnsupported, rs.part, "the sheet declares the %s; save the workbook as .xlsx from a spreadsheet application, which writes UTF-8", enc.Error())
	case err == errTokenTooLong:
		return errorf(CodeTooLarge, rs.part, "a tag or text in the sheet is longer than %d bytes", rs.r.limits.MaxToken)
	case err == errTooDeep:
		return errorf(CodeTooLarge, rs.part, "elements in the sheet are nested more than %d deep", rs.r.limits.MaxDepth)
	}
	return errorf(CodeDamaged, rs.part, "the sheet cannot be read: %v", err)
}

// Next reads the next row; false at the end of the sheet or on an error (see Err).
//
// What counts as a row and a cell follows excelize: any element named row (by its local
// name) starts a new row, and every c element after it belongs to it, until the next row
// or the end of sheetData (after which a further row is still read, up to another end of
// sheetData). A row's number is its r attribute, or one more than the row before; a
// cell's column is its r attribute's, or one more than the cell before. Rows and cells
// must come in ascending order.
func (rs *Rows) Next() bool {
	if rs.done {
		return false
	}
	sc := rs.sc
	if !rs.pending {
		// Find the first row.
		for {
			if err := sc.next(); err != nil {
				return rs.fail(err)
			}
			switch sc.kind {
			case tokEOF:
				rs.done = true
				return false
			case tokEnd:
				if string(sc.local) == "sheetData" {
					rs.done = true
					return false
				}
				continue
			case tokStart:
			default:
				continue
			}
			if string(sc.local) != "row" {
				continue
			}
			n, err := rs.rowNumber()
			if err != nil {
				return rs.fail(err)
			}
			rs.pendNum = n
			break
		}
	}
	rs.pending = false
	if rs.sst == nil {
		sst, err := rs.r.sharedStrings()
		if err != nil {
			return rs.fail(err)
		}
		rs.sst = sst
	}
	rs.num = rs.pendNum
	rs.cellCol = 0
	rs.arena = rs.arena[:0]
	rs.spans = rs.spans[:0]
	for {
		if ok, err := rs.fastCell(); err != nil {
			return rs.fail(err)
		} else if ok {
			continue
		}
		if rs.fastRowEnd() {
			continue
		}
		if ok, err := rs.fastRowStart(); err != nil {
			return rs.fail(err)
		} else if ok {
			return rs.finishRow()
		}
		if err := sc.next(); err != nil {
			return rs.fail(err)
		}
		switch sc.kind {
		case tokEOF:
			rs.done = true
			return rs.finishRow()
		case tokEnd:
			if string(sc.local) == "sheetData" {
				// As in excelize, the end of sheetData ends this row, and the next row is
				// looked for from here, up to another end of sheetData.
				return rs.finishRow()
			}
		case tokStart:
			switch string(sc.local) {
			case "row":
				n, err := rs.rowNumber()
				if err != nil {
					return rs.fail(err)
				}
				rs.pending, rs.pendNum = true, n
				return rs.finishRow()
			case "c":
				if err := rs.readCell(); err != nil {
					return rs.fail(err)
				}
			}
		}
	}
}

// rowNumber is the number of the row whose start tag the scanner is on.
func (rs *Rows) rowNumber() (int, error) {
	var r, bad []byte
	set := false
	for _, a := range rs.sc.attrs {
		if string(a.local) != "r" {
			continue
		}
		if _, err := atoi(a.value); err != nil && bad == nil {
			bad = a.value
		}
		r, set = a.value, true
	}
	return rs.numberRow(r, set, bad)
}

// numberRow numbers a row from the last of its r attributes (set is whether it has one),
// as excelize does: strconv.Atoi of every r, the last one kept, 0 meaning none. bad is the
// first r that is not a number.
func (rs *Rows) numberRow(r []byte, set bool, bad []byte) (int, error) {
	if bad != nil {
		return 0, errorf(CodeDamaged, rs.part, "a row's number %q is not a number", clip(bad))
	}
	n := 0
	if set {
		n, _ = atoi(r)
	}
	prev := rs.prevNum
	if !set || n == 0 {
		n = prev + 1
	}
	switch {
	case n > 1048576:
		return 0, errorf(CodeDamaged, rs.part, "row %d is beyond the last row a sheet can have (1,048,576)", n)
	case n <= prev:
		return 0, errorf(CodeOutOfOrder, rs.part, "row %d comes after row %d; rows must be in ascending order (save the workbook again from a spreadsheet application)", n, prev)
	case n > rs.r.limits.MaxRows:
		return 0, errorf(CodeTooLarge, rs.part, "the sheet has a row %d; the most read is %d rows", n, rs.r.limits.MaxRows)
	}
	rs.prevNum = n
	return n, nil
}

// clip is a few bytes of markup for a message: never a cell's value, only attributes.
func clip(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "…"
	}
	return string(b)
}

// finishRow turns the spans read into the row's cells.
func (rs *Rows) finishRow() bool {
	last := 0 // the spans are in ascending order of column
	if n := len(rs.spans); n > 0 {
		last = rs.spans[n-1].col
	}
	if cap(rs.cells) < last {
		rs.cells = make([]Cell, last, max(last, 2*cap(rs.cells)))
	} else {
		rs.cells = rs.cells[:last]
		clear(rs.cells)
	}
	var all string
	if len(rs.arena) > 0 {
		all = string(rs.arena)
	}
	for _, sp := range rs.spans {
		c := &rs.cells[sp.col-1]
		c.Type = sp.typ
		if sp.shared >= 0 {
			c.Value = rs.sst.get(sp.shared)
		} else {
			c.Value = all[sp.start:sp.end]
		}
	}
	return true
}

// cellState is what readCell gathers from one c element, as excelize's xlsxC.
type cellState struct {
	typ    cellType
	hasF   bool
	hasIS  bool
	isT    []byte
	hasIST bool
	isRuns []byte
}

// readCell reads the c element whose start tag the scanner is on.
func (rs *Rows) readCell() error {
	sc := rs.sc
	c := cellState{isT: rs.isT[:0], isRuns: rs.isRuns[:0]}
	var ref []byte // the last r, as in excelize
	for _, a := range sc.attrs {
		switch string(a.local) {
		case "r":
			ref = a.value
		case "t":
			c.typ = cellTypeOf(a.value)
		}
	}
	col, err := rs.nextColumn(ref)
	if err != nil {
		return err
	}
	depth := sc.depth() // the c element is open
	vb := rs.vBuf[:0]
	for {
		if err := sc.next(); err != nil {
			return err
		}
		switch sc.kind {
		case tokEOF:
			return syntaxErr("unexpected EOF")
		case tokEnd:
			if sc.depth() < depth {
				rs.vBuf, rs.isT, rs.isRuns = vb, c.isT, c.isRuns
				return rs.addCell(&c, col, vb)
			}
		case tokStart:
			switch string(sc.local) {
			case "v":
				// excelize decodes <v> into a string: its own text, each <v> replacing the last.
				t, err := rs.ownText()
				if err != nil {
					return err
				}
				vb = append(vb[:0], t...)
			case "f":
				c.hasF = true
				if err := rs.skip(); err != nil {
					return err
				}
			case "is":
				// A second <is> adds to the first, as excelize decodes it into the same value.
				c.hasIS = true
				if err := rs.readStringItem(&c.isT, &c.hasIST, &c.isRuns); err != nil {
					return err
				}
			case "c":
				return errorf(CodeUnsupported, rs.part, "row %d has a cell inside a cell", rs.num)
			}
		}
	}
}

// nextColumn is the column of the cell whose last r attribute is ref (nil when it has
// none), which must come after the cell before it.
func (rs *Rows) nextColumn(ref []byte) (int, error) {
	col := rs.cellCol + 1
	if len(ref) > 0 {
		cc, ok := cellColumn(ref)
		if !ok {
			return 0, errorf(CodeDamaged, rs.part, "row %d has a cell reference %q that is not a cell", rs.num, clip(ref))
		}
		col = cc
	}
	if col <= rs.cellCol {
		return 0, errorf(CodeOutOfOrder, rs.part, "row %d has a cell in column %s after one in column %s; cells must be in ascending order (save the workbook again from a spreadsheet application)", rs.num, columnName(col), columnName(rs.cellCol))
	}
	rs.cellCol = col
	return col, nil
}

// fastCell reads, on the fast path (fast.go), a cell with at most one value or inline
// string and nothing else — <c …/>, <c …></c>, <c …><v>text</v></c> or
// <c …><is><t>text</t></is></c> — to what readCell reads from it. ok is false when the
// scanner is on anything else, which it has not moved past.
func (rs *Rows) fastCell() (ok bool, err error) {
	sc := rs.sc
	if sc.tokenLoopOnly || sc.pendEnd {
		return false, nil
	}
	j, ok := sc.fastOpen(sc.fastSpace(sc.pos), "c")
	if !ok {
		return false, nil
	}
	var ref []byte // the last r, as in readCell
	refCol := 0    // its column, when it is a plain reference
	typ, self := tNumber, false
	b := sc.buf[:sc.end]
attrs:
	for {
		if j+4 < len(b) && b[j] == ' ' && b[j+2] == '=' && b[j+3] == '"' && byteClass[b[j+1]]&clNameStart != 0 {
			// The usual attribute, ` r="A2"`: a one-letter name (ending at '='), quoted.
			k := j + 4
			for k < len(b) && b[k] != '"' {
				if byteClass[b[k]]&clPlain == 0 {
					return false, nil
				}
				k++
			}
			if k >= len(b) {
				return false, nil
			}
			switch b[j+1] {
			case 'r':
				ref, refCol = b[j+4:k], plainColumn(b[j+4:k])
			case 't':
				typ = cellTypeOf(b[j+4 : k])
			}
			j = k + 1
			continue
		}
		local, value, k, what := sc.fastAttr(j)
		j = k
		switch what {
		case attrNo:
			return false, nil
		case attrSelf:
			self = true
			break attrs
		case attrEnd:
			break attrs
		}
		if len(local) == 1 {
			switch local[0] {
			case 'r':
				ref, refCol = value, plainColumn(value)
			case 't':
				typ = cellTypeOf(value)
			}
		}
	}
	var v []byte
	c := cellState{typ: typ}
	if !self {
		open := sc.depth()
		if open >= sc.maxDepth {
			return false, nil
		}
		if j = sc.fastSpace(j); hasAt(b, j, "<v>") && open+1 < sc.maxDepth {
			// The value as Excel writes it; written another way, fastTextElement reads it.
			t, k, ok := sc.fastText(j + 3)
			if !ok {
				return false, nil
			}
			if hasAt(b, k, "</v>") {
				k += 4
			} else if k, ok = sc.fastEnd(k, "v"); !ok {
				return false, nil
			}
			v, j = t, k
		} else if hasAt(b, j, "<is>") {
			// An inline string of one text, as readStringItem reads it.
			t, k, ok := sc.fastTextElement(j+4, "t", open+2)
			if !ok {
				return false, nil
			}
			if hasAt(b, k, "</is>") {
				k += 5
			} else if k, ok = sc.fastEnd(sc.fastSpace(k), "is"); !ok {
				return false, nil
			}
			c.hasIS, c.isT, j = true, t, k
		} else if t, k, ok := sc.fastTextElement(j, "v", open+1); ok {
			v, j = t, k
		}
		if hasAt(b, j, "</c>") {
			j += 4
		} else if j, ok = sc.fastEnd(sc.fastSpace(j), "c"); !ok {
			return false, nil
		}
	}
	sc.pos = j
	col := refCol
	if col == 0 {
		var err error
		if col, err = rs.nextColumn(ref); err != nil {
			return true, err
		}
	} else if col <= rs.cellCol {
		_, err := rs.nextColumn(ref) // the error
		return true, err
	}
	rs.cellCol = col
	return true, rs.addCell(&c, col, v)
}

// fastRowEnd reads, on the fast path, the end tag of the row element that is open.
func (rs *Rows) fastRowEnd() bool {
	sc := rs.sc
	if sc.tokenLoopOnly || sc.pendEnd || !sc.openIs("row") {
		return false
	}
	j, ok := sc.fastEnd(sc.fastSpace(sc.pos), "row")
	if !ok {
		return false
	}
	sc.pos = j
	sc.pop()
	return true
}

// fastRowStart reads, on the fast path, the start tag of a row that does not close itself,
// and numbers the row as rowNumber does.
func (rs *Rows) fastRowStart() (ok bool, err error) {
	sc := rs.sc
	if sc.tokenLoopOnly || sc.pendEnd || sc.depth() >= sc.maxDepth {
		return false, nil
	}
	i := sc.fastSpace(sc.pos)
	j, ok := sc.fastOpen(i, "row")
	if !ok {
		return false, nil
	}
	var r, bad []byte // the last r attribute, and the first that is not a number
	set := false
	for {
		local, value, k, what := sc.fastAttr(j)
		j = k
		if what == attrEnd {
			break
		}
		if what != attrOne {
			return false, nil
		}
		if len(local) == 1 && local[0] == 'r' {
			if _, err := atoi(value); err != nil && bad == nil {
				bad = value
			}
			r, set = value, true
		}
	}
	sc.pos = j
	sc.push(sc.buf[i+1 : i+4])
	n, err := rs.numberRow(r, set, bad)
	if err != nil {
		return true, err
	}
	rs.pending, rs.pendNum = true, n
	return true, nil
}

// hasAt is whether b holds lit at i.
func hasAt(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// cellType is a cell's t attribute, as getValueFrom tells them apart.
type cellType uint8

const (
	tNumber cellType = iota // "", "n"
	tBool
	tDate
	tError
	tStr
	tShared
	tInline
	tOther
)

func cellTypeOf(t []byte) cellType {
	switch string(t) {
	case "", "n":
		return tNumber
	case "b":
		return tBool
	case "d":
		return tDate
	case "e":
		return tError
	case "str":
		return tStr
	case "s":
		return tShared
	case "inlineStr":
		return tInline
	}
	return tOther
}

// addCell works out a cell's value as excelize's getValueFrom does with RawCellValue,
// and keeps it if it has a value or a formula.
func (rs *Rows) addCell(c *cellState, col int, v []byte) error {
	sp := span{col: col, shared: -1}
	var val []byte
	switch c.typ {
	case tBool:
		sp.typ, val = TypeBool, v
	case tDate:
		sp.typ, val = TypeDate, v
	case tError:
		sp.typ, val = TypeError, v
	case tStr:
		sp.typ, val = TypeString, v
	case tShared:
		sp.typ, val = TypeString, v
		if len(v) > 0 {
			i := sharedIndex(v)
			if i < 0 || i >= rs.sst.len() {
				return errorf(CodeDamaged, rs.part, "row %d, column %s refers to shared string %d, which is not in the workbook", rs.num, columnName(col), i)
			}
			sp.shared, val = i, nil // the value is the shared string's
		}
	case tInline:
		sp.typ, val = TypeString, v
		if c.hasIS {
			rs.isBuf = append(append(rs.isBuf[:0], c.isT...), c.isRuns...)
			val = bstrUnmarshal(rs.isBuf) // copied into the arena below
		}
	case tNumber:
		sp.typ, val = TypeNumber, v
	default:
		sp.typ, val = TypeUnknown, v
	}
	if sp.shared >= 0 {
		if rs.sst.get(sp.shared) == "" && !c.hasF {
			return nil
		}
	} else if len(val) == 0 && !c.hasF {
		return nil
	}
	if col > rs.r.limits.MaxColumns {
		return errorf(CodeTooLarge, rs.part, "row %d has a value in column %s; the most read is %d columns (%s)", rs.num, columnName(col), rs.r.limits.MaxColumns, columnName(rs.r.limits.MaxColumns))
	}
	if sp.shared < 0 && len(val) == 0 {
		sp.typ = TypeEmpty
	}
	sp.start = len(rs.arena)
	rs.arena = append(rs.arena, val...)
	sp.end = len(rs.arena)
	rs.spans = append(rs.spans, sp)
	return nil
}

// ownText is the text directly inside the element whose start tag the scanner is on,
// up to its end; text inside elements within it is passed over, as encoding/xml does
// when it decodes an element into a string.
func (rs *Rows) ownText() ([]byte, error) {
	return ownText(rs.sc, &rs.textBuf)
}

func ownText(sc *scanner, buf *[]byte) ([]byte, error) {
	depth := sc.depth()
	*buf = (*buf)[:0]
	for {
		if err := sc.next(); err != nil {
			return nil, err
		}
		switch sc.kind {
		case tokEOF:
			return nil, syntaxErr("unexpected EOF")
		case tokText:
			if sc.depth() == depth {
				*buf = append(*buf, sc.text...)
			}
		case tokEnd:
			if sc.depth() < depth {
				return *buf, nil
			}
		}
	}
}

func (rs *Rows) skip() error { return skip(rs.sc) }

// skip reads to the end of the element whose start tag the scanner is on.
func skip(sc *scanner) error {
	depth := sc.depth()
	for {
		if err := sc.next(); err != nil {
			return err
		}
		switch sc.kind {
		case tokEOF:
			return syntaxErr("unexpected EOF")
		case tokEnd:
			if sc.depth() < depth {
				return nil
			}
		}
	}
}

func (rs *Rows) readStringItem(t *[]byte, hasT *bool, runs *[]byte) error {
	return readStringItem(rs.sc, t, hasT, runs, &rs.textBuf)
}

// readStringItem reads a string item (<si> or <is>) as excelize's xlsxSI: the text of
// its last <t> child, and the text of the last <t> child of each <r> run after it.
// Phonetic runs (<rPh>) and run properties are not text.
func readStringItem(sc *scanner, t *[]byte, hasT *bool, runs *[]byte, buf *[]byte) error {
	depth := sc.depth()
	for {
		if err := sc.next(); err != nil {
			return err
		}
		switch sc.kind {
		case tokEOF:
			return syntaxErr("unexpected EOF")
		case tokEnd:
			if sc.depth() < depth {
				return nil
			}
		case tokStart:
			if sc.depth() != depth+1 {
				continue
			}
			switch string(sc.local) {
			case "t":
				txt, err := ownText(sc, buf)
				if err != nil {
					return err
				}
				*t = append((*t)[:0], txt...)
				*hasT = true
			case "r":
				// One run: the text of its last <t>.
				rd := sc.depth()
				var run []byte
				for {
					if err := sc.next(); err != nil {
						return err
					}
					if sc.kind == tokEOF {
						return syntaxErr("unexpected EOF")
					}
					if sc.kind == tokEnd && sc.depth() < rd {
						break
					}
					if sc.kind == tokStart && sc.depth() == rd+1 {
						if string(sc.local) == "t" {
							txt, err := ownText(sc, buf)
							if err != nil {
								return err
							}
							run = append(run[:0], txt...)
						} else if err := skip(sc); err != nil {
							return err
						}
					}
				}
				*runs = append(*runs, run...)
			default:
				if err := skip(sc); err != nil {
					return err
				}
			}
		}
	}
}

// bstrUnmarshal is excelize's: _xHHHH_ escapes in shared and inline strings are
// the characters they name (_x005F_ is "_"); one that names no character is dropped.
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

func bstrUnmarshal(b []byte) []byte {
	if !bytes.Contains(b, []byte("_x")) {
		return b
	}
	s := string(b)
	var out strings.Builder
	cursor := 0
	for _, m := range bstrExp.FindAllStringIndex(s, -1) {
		out.WriteString(s[cursor:m[0]])
		cursor = m[1]
		sub := s[m[0]:m[1]]
		if sub == "_x005F_" {
			out.WriteString("_")
			continue
		}
		v, _ := strconv.Unquote(`"\u` + s[m[0]+2:m[1]-1] + `"`)
		out.WriteString(v)
	}
	out.WriteString(s[cursor:])
	return []byte(out.String())
}

// cellColumn is the column of a cell reference, checked as excelize's
// CellNameToCoordinates checks it (the row part must be a row, but is not used).
func cellColumn(ref []byte) (int, bool) {
	// The usual reference, A1 to XFD1048576, is read without a copy.
	i, col := 0, 0
	for i < len(ref) && i < 3 && 'A' <= ref[i] && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i > 0 && i < len(ref) && len(ref)-i <= 7 && ref[i] != '0' {
		row := 0
		j := i
		for j < len(ref) && '0' <= ref[j] && ref[j] <= '9' {
			row = row*10 + int(ref[j]-'0')
			j++
		}
		if j == len(ref) {
			return col, col <= 16384 && row >= 1 && row <= 1048576
		}
	}
	return cellColumnSlow(string(ref))
}

// plainColumn is the column of a reference written the usual way, A1 to XFD1048576 (as
// cellColumn reads it), or 0 for any other.
func plainColumn(ref []byte) int {
	n, i, col := len(ref), 0, 0
	for i < n && i < 3 && ref[i]-'A' < 26 {
		col = col*26 + int(ref[i]-'A') + 1
		i++
	}
	if i == 0 || i == n || n-i > 7 || ref[i] == '0' {
		return 0
	}
	row := 0
	for _, c := range ref[i:] {
		if c-'0' > 9 {
			return 0
		}
		row = row*10 + int(c-'0')
	}
	if col > 16384 || row > 1048576 {
		return 0
	}
	return col
}

// cellColumnSlow is excelize's SplitCellName and ColumnNameToNumber, for references with
// dollars, lower case, signs or leading zeros.
func cellColumnSlow(s string) (int, bool) {
	alpha := func(r rune) bool { return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || r == '$' }
	if strings.IndexFunc(s, alpha) != 0 {
		return 0, false
	}
	i := strings.LastIndexFunc(s, alpha)
	if i < 0 || i >= len(s)-1 {
		return 0, false
	}
	name := strings.ReplaceAll(s[:i+1], "$", "")
	row, err := strconv.Atoi(s[i+1:])
	if err != nil || row <= 0 || row > 1048576 || name == "" {
		return 0, false
	}
	col, multi := 0, 1
	for j := len(name) - 1; j >= 0; j-- {
		c := name[j]
		switch {
		case 'A' <= c && c <= 'Z':
			col += int(c-'A'+1) * multi
		case 'a' <= c && c <= 'z':
			col += int(c-'a'+1) * multi
		default:
			return 0, false
		}
		if col > 16384 {
			return 0, false
		}
		multi *= 26
	}
	return col, true
}

// atoi is strconv.Atoi, without a copy for the usual plain number.
func atoi(b []byte) (int, error) {
	if len(b) > 0 && len(b) < 10 {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return strconv.Atoi(string(b))
			}
			n = n*10 + int(c-'0')
		}
		return n, nil
	}
	return strconv.Atoi(string(b))
}

// sharedIndex is excelize's reading of a shared string cell's value: strconv.Atoi of it
// with spaces trimmed, 0 when that fails.
func sharedIndex(v []byte) int {
	if len(v) > 0 && len(v) < 10 {
		n := 0
		plain := true
		for _, c := range v {
			if c < '0' || c > '9' {
				plain = false
				break
			}
			n = n*10 + int(c-'0')
		}
		if plain {
			return n
		}
	}
	i, _ := strconv.Atoi(strings.TrimSpace(string(v)))
	return i
}

// columnName is a column's letters: 1 is A, 27 is AA.
func columnName(col int) string {
	if col < 1 {
		return "-"
	}
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}
