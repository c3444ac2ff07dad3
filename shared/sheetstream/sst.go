package sheetstream

import (
	"errors"
	"strconv"
	"strings"
)

// sharedStrings is the workbook's shared string table, held as one string and the
// bounds of each entry in it: two allocations however many entries there are.
type sharedStrings struct {
	all  string
	ends []uint32 // entry i is all[ends[i-1]:ends[i]]
}

func (t *sharedStrings) len() int { return len(t.ends) }

func (t *sharedStrings) get(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.all[start:t.ends[i]]
}

// sharedStrings reads xl/sharedStrings.xml (excelize reads it from that name, whatever
// the relationships say) the first time a row needs it.
func (r *Reader) sharedStrings() (*sharedStrings, error) {
	if r.sst != nil || r.sstErr != nil {
		return r.sst, r.sstErr
	}
	r.sst, r.sstErr = r.readSharedStrings()
	return r.sst, r.sstErr
}

// readSharedStrings decodes the table as encoding/xml decodes it into excelize's xlsxSST:
// the first element must be sst in the SpreadsheetML namespace; its count and
// uniqueCount must be integers; each si child is a string item; the part is read only
// to the end of that element.
func (r *Reader) readSharedStrings() (*sharedStrings, error) {
	const part = sharedStringsPart
	t := &sharedStrings{}
	f, ok := r.parts[part]
	if !ok {
		return t, nil
	}
	rc, err := r.open(f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	l := r.limits
	sc := r.newScanner(rc)
	fail := func(err error) (*sharedStrings, error) {
		var e *Error
		var se *syntaxError
		var enc errEncoding
		switch {
		case errors.As(err, &e):
			return nil, err
		case errors.As(err, &se):
			return nil, errorf(CodeDamaged, part, "the shared strings are not well-formed XML (%s)", se.msg)
		case errors.As(err, &enc):
			return nil, errorf(CodeUnsupported, part, "the shared strings declare the %s; save the workbook as .xlsx from a spreadsheet application, which writes UTF-8", enc.Error())
		case err == errTokenTooLong:
			return nil, errorf(CodeTooLarge, part, "a tag or text in the shared strings is longer than %d bytes", l.MaxToken)
		case err == errTooDeep:
			return nil, errorf(CodeTooLarge, part, "elements in the shared strings are nested more than %d deep", l.MaxDepth)
		}
		return nil, errorf(CodeDamaged, part, "the shared strings cannot be read: %v", err)
	}
	for {
		if err := sc.next(); err != nil {
			return fail(err)
		}
		if sc.kind == tokEOF {
			return t, nil // no element at all: no strings
		}
		if sc.kind == tokStart {
			break
		}
	}
	if string(sc.local) != "sst" || rootSpace(sc) != mainNS {
		return nil, errorf(CodeDamaged, part, "the shared strings part does not hold a shared string table")
	}
	for _, a := range sc.attrs {
		if n := string(a.local); (n == "count" || n == "uniqueCount") && len(a.value) > 0 {
			if _, err := strconv.ParseInt(strings.TrimSpace(string(a.value)), 10, 64); err != nil {
				return nil, errorf(CodeDamaged, part, "the shared string table's %s is not a number", n)
			}
		}
	}
	var (
		all         []byte
		tBuf, runs  []byte
		buf         []byte
		depth       = sc.depth()
		maxBytes    = l.MaxSharedStringBytes
		maxStrings  = l.MaxSharedStrings
		hasT        bool
		itemScratch []byte
	)
	add := func(item []byte) *Error {
		all = append(all, bstrUnmarshal(item)...)
		if int64(len(all)) > maxBytes {
			return errorf(CodeTooLarge, part, "the shared strings hold more than %s of text, the most read", mib(maxBytes))
		}
		if len(t.ends) == maxStrings {
			return errorf(CodeTooLarge, part, "the workbook has more than %d shared strings, the most read", maxStrings)
		}
		t.ends = append(t.ends, uint32(len(all)))
		return nil
	}
	for {
		if sc.depth() == depth { // between the table's items
			if text, ok := fastStringItem(sc); ok {
				if err := add(text); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err := sc.next(); err != nil {
			return fail(err)
		}
		switch sc.kind {
		case tokEOF:
			return fail(syntaxErr("unexpected EOF"))
		case tokEnd:
			if sc.depth() < depth {
				t.all = string(all)
				return t, nil
			}
		case tokStart:
			if sc.depth() != depth+1 {
				continue
			}
			if string(sc.local) != "si" {
				if err := skip(sc); err != nil {
					return fail(err)
				}
				continue
			}
			tBuf, runs, hasT = tBuf[:0], runs[:0], false
			if err := readStringItem(sc, &tBuf, &hasT, &runs, &buf); err != nil {
				return fail(err)
			}
			itemScratch = append(append(itemScratch[:0], tBuf...), runs...)
			if err := add(itemScratch); err != nil {
				return nil, err
			}
		}
	}
}

// rootSpace is the namespace encoding/xml gives the start tag the scanner is on, when it
// is the document's first element: only its own xmlns attributes are in scope.
func rootSpace(sc *scanner) string {
	prefix := ""
	if len(sc.local) < len(sc.name) {
		prefix = string(sc.name[:len(sc.name)-len(sc.local)-1])
	}
	switch prefix {
	case "xmlns":
		return "xmlns"
	case "xml":
		return "http://www.w3.org/XML/1998/namespace"
	}
	ns, ok := "", false
	for _, a := range sc.attrs {
		name := string(a.name)
		switch {
		case name == "xmlns" && prefix == "":
			ns, ok = string(a.value), true
		case prefix != "" && len(a.local) < len(a.name) && name[:len(name)-len(a.local)-1] == "xmlns" && string(a.local) == prefix:
			ns, ok = string(a.value), true
		}
	}
	if !ok {
		return prefix
	}
	return string(strictToTransitional([]byte(ns)))
}

// fastStringItem reads, on the fast path (fast.go), a string item that is one plain text,
// <si><t>text</t></si>, to what readStringItem reads from it. ok is false when the scanner
// is on anything else, which it has not moved past.
func fastStringItem(sc *scanner) (text []byte, ok bool) {
	if sc.tokenLoopOnly || sc.pendEnd || sc.depth()+1 >= sc.maxDepth {
		return nil, false
	}
	b := sc.buf[:sc.end]
	j := sc.fastSpace(sc.pos)
	if hasAt(b, j, "<si><t>") {
		j += len("<si><t>")
	} else {
		var self bool
		if j, self, ok = sc.fastStart(j, "si"); !ok || self {
			return nil, false
		}
		if j, self, ok = sc.fastStart(sc.fastSpace(j), "t"); !ok || self {
			return nil, false
		}
	}
	if text, j, ok = sc.fastText(j); !ok {
		return nil, false
	}
	if hasAt(b, j, "</t></si>") {
		j += len("</t></si>")
	} else {
		if j, ok = sc.fastEnd(j, "t"); !ok {
			return nil, false
		}
		if j, ok = sc.fastEnd(sc.fastSpace(j), "si"); !ok {
			return nil, false
		}
	}
	sc.pos = j
	return text, true
}
