package sheetstream

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is an XML tokenizer over a stream, written for speed and held to what
// encoding/xml's Decoder (Strict, Token) accepts: the same names, entities, character
// ranges, comments, CDATA, processing instructions and directives, and the same checks
// that end tags match. A document encoding/xml refuses is refused here at the same token;
// what it accepts is read to the same text. Only the fast path differs: text and
// attribute values without '&', '\r', ']' or bytes outside printable ASCII are handed
// out as slices of the read buffer, with no copy.

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

// attr is one attribute of a start tag: the raw name (prefix:local) and the decoded value.
type attr struct {
	name, local, value []byte
}

// errNeedMore is internal: the token runs past the bytes read so far.
var errNeedMore = errors.New("need more input")

// syntaxError is XML that encoding/xml also refuses.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

func syntaxErr(msg string) error { return &syntaxError{msg} }

type scanner struct {
	rd       io.Reader
	buf      []byte
	pos, end int
	eof      bool
	maxToken int // longest token (tag or text) held whole
	maxDepth int

	// The current token; its slices are valid until the next call of next.
	kind      tokKind
	name      []byte // raw name of a start or end tag
	local     []byte // the name without its prefix, as encoding/xml's Name.Local
	attrs     []attr
	text      []byte
	scratch   []byte // decoded text and attribute values of the current token
	pendEnd   bool   // the start tag just returned closed itself: an end tag follows
	stackName []byte // names of open elements, end to end
	stackOff  []int  // where each open element's name starts in stackName

	tokenLoopOnly bool // no fast path (fast.go): for its tests
}

func newScanner(rd io.Reader, bufSize, maxToken, maxDepth int) *scanner {
	return &scanner{rd: rd, buf: make([]byte, bufSize), maxToken: maxToken, maxDepth: maxDepth}
}

func (s *scanner) depth() int { return len(s.stackOff) }

// fill keeps the bytes from s.pos and reads more after them, growing the buffer when the
// token being read fills it.
func (s *scanner) fill() error {
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxToken {
			return errTokenTooLong
		}
		nb := make([]byte, min(2*len(s.buf), s.maxToken))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.rd.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
			return nil
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

var errTokenTooLong = errors.New("token too long")

// next reads the next start tag, end tag or text. Comments, processing instructions and
// directives are checked and passed over.
func (s *scanner) next() error {
	if s.pendEnd {
		s.pendEnd = false
		s.kind = tokEnd
		s.pop()
		return nil
	}
	for {
		start := s.pos
		err := s.parse()
		if err == nil {
			return nil
		}
		if err != errNeedMore {
			return err
		}
		s.pos = start
		if s.eof {
			return syntaxErr("unexpected EOF")
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
}

// parse reads one token at s.pos, or returns errNeedMore (leaving s.pos anywhere).
func (s *scanner) parse() error {
	s.scratch = s.scratch[:0]
	for {
		if s.pos >= s.end {
			if !s.eof {
				return errNeedMore
			}
			if len(s.stackOff) > 0 {
				return syntaxErr("unexpected EOF")
			}
			s.kind = tokEOF
			return nil
		}
		b := s.buf
		if b[s.pos] != '<' {
			j := bytes.IndexByte(b[s.pos:s.end], '<')
			if j < 0 {
				if !s.eof {
					return errNeedMore
				}
				j = s.end - s.pos
			}
			raw := b[s.pos : s.pos+j]
			t, err := s.decode(raw, modeText)
			if err != nil {
				return err
			}
			s.pos += j
			s.kind, s.text = tokText, t
			return nil
		}
		if s.pos+1 >= s.end {
			return s.more()
		}
		switch b[s.pos+1] {
		case '/':
			return s.endTag()
		case '?':
			if err := s.procInst(); err != nil {
				return err
			}
			s.scratch = s.scratch[:0]
			continue
		case '!':
			isText, err := s.bang()
			if err != nil || isText {
				return err
			}
			s.scratch = s.scratch[:0]
			continue
		}
		return s.startTag()
	}
}

// more is errNeedMore before the end of the input and a syntax error at it.
func (s *scanner) more() error {
	if s.eof {
		return syntaxErr("unexpected EOF")
	}
	return errNeedMore
}

func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

// readName reads a name at i as encoding/xml's readName does: up to the first single-byte
// character that cannot be in a name. It may be empty.
func (s *scanner) readName(i int) (int, error) {
	j := i
	b := s.buf
	for j < s.end && (b[j] >= utf8.RuneSelf || isNameByte(b[j])) {
		j++
	}
	if j == s.end {
		return j, s.more()
	}
	return j, nil
}

// isName is encoding/xml's check of a name's characters.
func isName(n []byte) bool {
	if len(n) == 0 {
		return false
	}
	ascii := true
	for _, c := range n {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		c := n[0]
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'
	}
	// Names outside ASCII are rare: ask encoding/xml, whose character tables are not
	// exported, through a processing instruction (whose target is checked as a plain name).
	d := xml.NewDecoder(strings.NewReader("<?" + string(n) + "?>"))
	_, err := d.RawToken()
	return err == nil
}

// nsOK is encoding/xml's nsname check: a valid name with at most one colon.
func nsOK(n []byte) bool {
	colons := 0
	for _, c := range n {
		if c == ':' {
			colons++
		}
	}
	return colons <= 1 && isName(n)
}

// localName is what encoding/xml reports as Name.Local.
func localName(n []byte) []byte {
	for i, c := range n {
		if c == ':' {
			if i > 0 && i < len(n)-1 {
				return n[i+1:]
			}
			return n
		}
	}
	return n
}

func (s *scanner) space(i int) int {
	for i < s.end {
		switch s.buf[i] {
		case ' ', '\r', '\n', '\t':
			i++
		default:
			return i
		}
	}
	return i
}

func (s *scanner) endTag() error {
	i := s.pos + 2
	j, err := s.readName(i)
	if err != nil {
		return err
	}
	name := s.buf[i:j]
	if !nsOK(name) {
		return syntaxErr("expected element name after </")
	}
	j = s.space(j)
	if j >= s.end {
		return s.more()
	}
	if s.buf[j] != '>' {
		return syntaxErr("invalid characters between </" + string(name) + " and >")
	}
	n := len(s.stackOff)
	if n == 0 {
		return syntaxErr("unexpected end element </" + string(name) + ">")
	}
	if !bytes.Equal(s.stackName[s.stackOff[n-1]:], name) {
		return syntaxErr("element <" + string(s.stackName[s.stackOff[n-1]:]) + "> closed by </" + string(name) + ">")
	}
	s.pos = j + 1
	s.kind, s.name, s.local = tokEnd, name, localName(name)
	s.pop()
	return nil
}

// openIs is whether the element open innermost has the raw name name.
func (s *scanner) openIs(name string) bool {
	n := len(s.stackOff)
	return n > 0 && string(s.stackName[s.stackOff[n-1]:]) == name
}

func (s *scanner) push(name []byte) {
	s.stackOff = append(s.stackOff, len(s.stackName))
	s.stackName = append(s.stackName, name...)
}

func (s *scanner) pop() {
	n := len(s.stackOff) - 1
	s.stackName = s.stackName[:s.stackOff[n]]
	s.stackOff = s.stackOff[:n]
}

func (s *scanner) startTag() error {
	i := s.pos + 1
	j, err := s.readName(i)
	if err != nil {
		return err
	}
	name := s.buf[i:j]
	if !nsOK(name) {
		return syntaxErr("expected element name after <")
	}
	s.attrs = s.attrs[:0]
	self := false
	b := s.buf
	for {
		j = s.space(j)
		if j >= s.end {
			return s.more()
		}
		if b[j] == '/' {
			if j+1 >= s.end {
				return s.more()
			}
			if b[j+1] != '>' {
				return syntaxErr("expected /> in element")
			}
			self = true
			j += 2
			break
		}
		if b[j] == '>' {
			j++
			break
		}
		k, err := s.readName(j)
		if err != nil {
			return err
		}
		an := b[j:k]
		if !nsOK(an) {
			return syntaxErr("expected attribute name in element")
		}
		k = s.space(k)
		if k >= s.end {
			return s.more()
		}
		if b[k] != '=' {
			return syntaxErr("attribute name without = in element")
		}
		k = s.space(k + 1)
		if k >= s.end {
			return s.more()
		}
		q := b[k]
		if q != '"' && q != '\'' {
			return syntaxErr("unquoted or missing attribute value in element")
		}
		e := bytes.IndexByte(b[k+1:s.end], q)
		if e < 0 {
			if lt := bytes.IndexByte(b[k+1:s.end], '<'); lt >= 0 {
				return syntaxErr("unescaped < inside quoted string")
			}
			return s.more()
		}
		raw := b[k+1 : k+1+e]
		if bytes.IndexByte(raw, '<') >= 0 {
			return syntaxErr("unescaped < inside quoted string")
		}
		v, err := s.decode(raw, modeAttr)
		if err != nil {
			return err
		}
		s.attrs = append(s.attrs, attr{name: an, local: localName(an), value: v})
		j = k + 2 + e
	}
	if !self && len(s.stackOff) >= s.maxDepth {
		return errTooDeep
	}
	s.pos = j
	s.kind, s.name, s.local = tokStart, name, localName(name)
	s.push(name)
	s.pendEnd = self
	return nil
}

var errTooDeep = errors.New("elements nested too deep")

// procInst checks a processing instruction: its target, and for <?xml?> the version and
// encoding, as encoding/xml does.
func (s *scanner) procInst() error {
	i := s.pos + 2
	j, err := s.readName(i)
	if err != nil {
		return err
	}
	target := s.buf[i:j]
	if len(target) == 0 || !isName(target) {
		return syntaxErr("expected target name after <?")
	}
	j = s.space(j)
	e := bytes.Index(s.buf[j:s.end], []byte("?>"))
	if e < 0 {
		return s.more()
	}
	if string(target) == "xml" {
		content := string(s.buf[j : j+e])
		if ver := xmlDeclParam("version", content); ver != "" && ver != "1.0" {
			return syntaxErr("unsupported XML version " + strconv.Quote(ver))
		}
		if enc := xmlDeclParam("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return errEncoding{enc}
		}
	}
	s.pos = j + e + 2
	return nil
}

// errEncoding is an XML declaration of an encoding other than UTF-8.
type errEncoding struct{ enc string }

func (e errEncoding) Error() string { return "encoding " + strconv.Quote(e.enc) + " declared" }

// xmlDeclParam is encoding/xml's procInst: the value of param in an XML declaration.
func xmlDeclParam(param, s string) string {
	param = param + "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// bang reads what starts <!: a comment or a directive (passed over), or a CDATA section,
// which is text.
func (s *scanner) bang() (isText bool, err error) {
	b := s.buf
	i := s.pos + 2
	if i >= s.end {
		return false, s.more()
	}
	switch b[i] {
	case '-':
		if i+1 >= s.end {
			return false, s.more()
		}
		if b[i+1] != '-' {
			return false, syntaxErr("invalid sequence <!- not part of <!--")
		}
		body := i + 2
		k := bytes.Index(b[body:s.end], []byte("--"))
		if k < 0 || body+k+2 >= s.end {
			return false, s.more()
		}
		if b[body+k+2] != '>' {
			return false, syntaxErr(`invalid sequence "--" not allowed in comments`)
		}
		s.pos = body + k + 3
		return false, nil
	case '[':
		const cdata = "CDATA["
		for n := 0; n < len(cdata); n++ {
			if i+1+n >= s.end {
				return false, s.more()
			}
			if b[i+1+n] != cdata[n] {
				return false, syntaxErr("invalid <![ sequence")
			}
		}
		body := i + 1 + len(cdata)
		k := bytes.Index(b[body:s.end], []byte("]]>"))
		if k < 0 {
			return false, s.more()
		}
		t, err := s.decode(b[body:body+k], modeCDATA)
		if err != nil {
			return false, err
		}
		s.pos = body + k + 3
		s.kind, s.text = tokText, t
		return true, nil
	}
	// A directive (<!DOCTYPE …>): encoding/xml's scan for its end, where quoted angle
	// brackets do not count and comments inside are passed over.
	var inquote byte
	depth := 0
	for j := i + 1; ; j++ {
		if j >= s.end {
			return false, s.more()
		}
		c := b[j]
		if inquote == 0 && c == '>' && depth == 0 {
			s.pos = j + 1
			return false, nil
		}
	handle:
		switch {
		case c == inquote:
			inquote = 0
		case inquote != 0:
		case c == '\'' || c == '"':
			inquote = c
		case c == '>':
			depth--
		case c == '<':
			const open = "!--"
			for n := 0; n < len(open); n++ {
				j++
				if j >= s.end {
					return false, s.more()
				}
				if c = b[j]; c != open[n] {
					depth++
					goto handle
				}
			}
			var b0, b1 byte
			for {
				j++
				if j >= s.end {
					return false, s.more()
				}
				c = b[j]
				if b0 == '-' && b1 == '-' && c == '>' {
					break
				}
				b0, b1 = b1, c
			}
		}
	}
}

type textMode uint8

const (
	modeText textMode = iota
	modeAttr
	modeCDATA
)

// decode is encoding/xml's text: entities replaced (in text and attribute values),
// "\r\n" and "\r" made "\n", "]]>" refused in text, then every character checked.
func (s *scanner) decode(raw []byte, mode textMode) ([]byte, error) {
	plain := true
	for _, c := range raw {
		if c < 0x20 && c != '\t' && c != '\n' || c >= 0x7f || c == '&' || c == ']' || c == '\r' {
			plain = false
			break
		}
	}
	if plain {
		return raw, nil
	}
	if mode == modeText && bytes.Contains(raw, []byte("]]>")) {
		return nil, syntaxErr("unescaped ]]> not in CDATA section")
	}
	start := len(s.scratch)
	out := s.scratch
	var b1 byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '&' && mode != modeCDATA {
			r, n, ok := entity(raw[i+1:])
			if !ok {
				return nil, syntaxErr("invalid character entity")
			}
			out = utf8.AppendRune(out, r)
			i += n
			b1 = 0
			continue
		}
		switch {
		case c == '\r':
			out = append(out, '\n')
		case b1 == '\r' && c == '\n':
		default:
			out = append(out, c)
		}
		b1 = c
	}
	s.scratch = out
	data := out[start:]
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return nil, syntaxErr("illegal character code")
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, syntaxErr("invalid UTF-8")
		}
		if !(r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return nil, syntaxErr("illegal character code")
		}
		i += size
	}
	return data, nil
}

// entity reads what follows '&' (up to and including ';') as encoding/xml does in Strict
// mode: the five predefined names and numeric references. n is the bytes used.
func entity(b []byte) (r rune, n int, ok bool) {
	semi := bytes.IndexByte(b, ';')
	if semi < 0 {
		return 0, 0, false
	}
	body := b[:semi]
	if len(body) > 0 && body[0] == '#' {
		digits, base := body[1:], 10
		if len(digits) > 0 && digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		for _, c := range digits {
			if !('0' <= c && c <= '9' || base == 16 && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F')) {
				return 0, 0, false
			}
		}
		v, err := strconv.ParseUint(string(digits), base, 64)
		if err != nil || v > unicode.MaxRune {
			return 0, 0, false
		}
		// string(rune(v)) in encoding/xml: a surrogate becomes U+FFFD.
		r = rune(v)
		if !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		return r, semi + 1, true
	}
	switch string(body) {
	case "lt":
		return '<', semi + 1, true
	case "gt":
		return '>', semi + 1, true
	case "amp":
		return '&', semi + 1, true
	case "apos":
		return '\'', semi + 1, true
	case "quot":
		return '"', semi + 1, true
	}
	return 0, 0, false
}
