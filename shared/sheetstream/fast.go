package sheetstream

// The fast path. Almost every cell of a sheet, and every string of a shared string table,
// is written the same few ways: <c r="A2" t="s"><v>3</v></c>, <c r="B2" s="1"/>,
// <c r="C2" t="inlineStr"><is><t>text</t></is></c>, <row r="2" spans="1:8">, </row>,
// <si><t>text</t></si>. The scanner's token loop reads them correctly but pays for its
// generality on every token; the functions here (and fastCell, fastRowStart, fastRowEnd
// and fastStringItem, which use them) read those shapes straight from the read buffer in
// one pass, and take only bytes the token loop would read to the same tokens: unprefixed
// element names, attribute names in ASCII, attribute values and text that need no
// decoding, white space between elements, elements no deeper than MaxDepth. On anything
// else — the construct running past the bytes read, a comment, an entity, a prefix, a
// formula, a name the token loop would refuse — they report !ok having changed nothing,
// and the token loop reads the construct instead, with its checks and its errors.
// fast_test.go reads every input both ways and compares.

// byteClass sorts the bytes the fast path looks at.
var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if isNameByte(b) {
			t[c] |= clName
		}
		if 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || b == '_' || b == ':' {
			t[c] |= clNameStart
		}
		// decode's test for text handed out as it is, less '<' (which ends text).
		if !(b < 0x20 && b != '\t' && b != '\n' || b >= 0x7f || b == '&' || b == ']' || b == '\r' || b == '<') {
			t[c] |= clPlain
		}
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			t[c] |= clSpace
		}
		if isNameByte(b) || b >= 0x80 {
			t[c] |= clLonger
		}
	}
	return t
}()

const (
	clName      = 1 << iota // may be in a name (ASCII)
	clNameStart             // may start a name (ASCII)
	clPlain                 // text or attribute value as it is
	clSpace                 // white space
	clLonger                // would make a name longer: readName reads on over it
)

// fastSpace passes over white space from i: inside a tag, as space does, or between
// elements, where the token loop reads it as text that no reader here keeps.
func (s *scanner) fastSpace(i int) int {
	for i < s.end && byteClass[s.buf[i]]&clSpace != 0 {
		i++
	}
	return i
}

// fastOpen reads at i the start of a start tag named name (without a prefix), up to its
// attributes.
func (s *scanner) fastOpen(i int, name string) (int, bool) {
	j := i + 1 + len(name)
	if j >= s.end || s.buf[i] != '<' || string(s.buf[i+1:j]) != name || byteClass[s.buf[j]]&clLonger != 0 {
		return 0, false
	}
	return j, true
}

// What fastAttr read.
type attrRead uint8

const (
	attrNo   attrRead = iota // something the fast path does not read
	attrOne                  // an attribute
	attrEnd                  // the end of the tag, >
	attrSelf                 // the end of a tag that closes itself, />
)

// fastAttr reads at j, inside a start tag, one attribute — a name as readName reads it and
// nsOK accepts it, and a quoted value that needs no decoding — or the end of the tag.
func (s *scanner) fastAttr(j int) (local, value []byte, next int, what attrRead) {
	b := s.buf[:s.end]
	for j < len(b) && byteClass[b[j]]&clSpace != 0 {
		j++
	}
	if j >= len(b) {
		return nil, nil, 0, attrNo
	}
	switch b[j] {
	case '>':
		return nil, nil, j + 1, attrEnd
	case '/':
		if j+1 < len(b) && b[j+1] == '>' {
			return nil, nil, j + 2, attrSelf
		}
		return nil, nil, 0, attrNo
	}
	if byteClass[b[j]]&clNameStart == 0 {
		return nil, nil, 0, attrNo
	}
	k, colon := j+1, -1
	if b[j] == ':' {
		colon = j
	}
	for k < len(b) && byteClass[b[k]]&clName != 0 {
		if b[k] == ':' {
			if colon >= 0 {
				return nil, nil, 0, attrNo // two colons: refused
			}
			colon = k
		}
		k++
	}
	if k >= len(b) || b[k] >= 0x80 {
		return nil, nil, 0, attrNo
	}
	local = b[j:k] // localName: the part after the colon, unless it starts or ends the name
	if colon > j && colon < k-1 {
		local = b[colon+1 : k]
	}
	for k < len(b) && byteClass[b[k]]&clSpace != 0 {
		k++
	}
	if k >= len(b) || b[k] != '=' {
		return nil, nil, 0, attrNo
	}
	k++
	for k < len(b) && byteClass[b[k]]&clSpace != 0 {
		k++
	}
	if k >= len(b) || b[k] != '"' && b[k] != '\'' {
		return nil, nil, 0, attrNo
	}
	q := b[k]
	k++
	v := k
	for k < len(b) && b[k] != q {
		if byteClass[b[k]]&clPlain == 0 {
			return nil, nil, 0, attrNo
		}
		k++
	}
	if k >= len(b) {
		return nil, nil, 0, attrNo
	}
	return local, b[v:k], k + 1, attrOne
}

// fastStart reads at i a whole start tag named name, passing over its attributes.
func (s *scanner) fastStart(i int, name string) (j int, self, ok bool) {
	j, ok = s.fastOpen(i, name)
	if !ok {
		return 0, false, false
	}
	for {
		_, _, k, what := s.fastAttr(j)
		switch what {
		case attrNo:
			return 0, false, false
		case attrEnd:
			return k, false, true
		case attrSelf:
			return k, true, true
		}
		j = k
	}
}

// fastText reads at i text that needs no decoding, up to the '<' that ends it.
func (s *scanner) fastText(i int) (text []byte, j int, ok bool) {
	b := s.buf[:s.end]
	j = i
	for j < len(b) && byteClass[b[j]]&clPlain != 0 {
		j++
	}
	if j >= len(b) || b[j] != '<' {
		return nil, 0, false
	}
	return b[i:j], j, true
}

// fastEnd reads at i the end tag of the element named name.
func (s *scanner) fastEnd(i int, name string) (j int, ok bool) {
	b := s.buf[:s.end]
	j = i + 2 + len(name)
	if j >= len(b) || b[i] != '<' || b[i+1] != '/' || string(b[i+2:j]) != name || byteClass[b[j]]&clLonger != 0 {
		return 0, false
	}
	for j < len(b) && byteClass[b[j]]&clSpace != 0 {
		j++
	}
	if j >= len(b) || b[j] != '>' {
		return 0, false
	}
	return j + 1, true
}

// fastTextElement reads at i, after any white space, an element named name holding only
// text: <name …>text</name>. open is how many elements are open around it, which the
// depth limit must leave room for one more.
func (s *scanner) fastTextElement(i int, name string, open int) (text []byte, j int, ok bool) {
	if open >= s.maxDepth {
		return nil, 0, false
	}
	j, self, ok := s.fastStart(s.fastSpace(i), name)
	if !ok || self {
		return nil, 0, false
	}
	text, j, ok = s.fastText(j)
	if !ok {
		return nil, 0, false
	}
	j, ok = s.fastEnd(j, name)
	return text, j, ok
}
