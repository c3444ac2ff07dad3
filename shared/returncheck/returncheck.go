// Package returncheck checks a return file on an analyst's own computer, before it is sent,
// with the rules the service applies: it reads the file with the service's parsers
// (returntemplate.Parse, workforce.ParseCSV, workforce.ParseJSON) and judges it with
// workforce.Normalise and workforce.Warnings against a register. It holds no rule of its
// own; only what the service's stored data decides (a duplicate of the current version,
// changes against the previous quarter) is out of its reach.
//
// The program that wraps it, returns-check, is in cmd/returns-check. It lives here, on the
// product side of the layout, because it is something the service ships to departmental
// analysts: functions/ holds only Lambdas (make build zips each of its folders as a
// bootstrap), and infra/ is development tooling that product code never imports.
package returncheck

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// MaxFileBytes is the largest file the service accepts with its default MAX_UPLOAD_BYTES;
// a larger file is refused here as it would be there.
const MaxFileBytes = 4 << 20

// DefaultDueDays is the service's default DUE_DAYS, which the late-return warning uses.
const DefaultDueDays = 30

// Checker checks return files against a register as of a day.
type Checker struct {
	Register workforce.Register
	// Now is when the file is checked: a quarter whose reference date is after it is in
	// the future, and lateness is judged as if the file were sent then.
	Now     time.Time
	DueDays int
}

// Result is what checking one file found. Problems and Warnings have the shape of the
// API's (workforce.Problem): field, cell or line, code and a sentence for people.
type Result struct {
	File     string              `json:"file"`
	Format   workforce.Format    `json:"format,omitempty"`
	Valid    bool                `json:"valid"`
	Org      string              `json:"org,omitempty"`
	Period   string              `json:"period,omitempty"`
	Problems []workforce.Problem `json:"problems"`
	Warnings []workforce.Problem `json:"warnings"`
	// Error says why the file could not be read at all (it does not exist, or is a
	// folder); the file was then not checked, and Problems is empty.
	Error string `json:"error,omitempty"`
}

// Check checks the contents of one file; name is used for its extension and in the result.
func (c Checker) Check(name string, data []byte) Result {
	res := Result{File: name, Problems: []workforce.Problem{}, Warnings: []workforce.Problem{}}
	format, p := detect(name, data)
	res.Format = format
	if p != nil {
		res.Problems = append(res.Problems, *p)
		return res
	}
	raw, err := parse(format, data)
	if err != nil {
		res.Problems = problemsOf(err)
		return res
	}
	ret, ps := workforce.Normalise(raw, c.Register, c.Now)
	res.Org = ret.Org
	if !ret.Period.IsZero() {
		res.Period = ret.Period.String()
	}
	if len(ps) > 0 {
		res.Problems = ps
		return res
	}
	res.Valid = true
	// The service judges lateness on when the first version arrived and compares with the
	// previous quarter's return; offline this file is taken to be the first, sent now.
	if ws := workforce.Warnings(ret, nil, c.Now, c.DueDays); ws != nil {
		res.Warnings = ws
	}
	return res
}

func parse(f workforce.Format, data []byte) ([]workforce.RawField, error) {
	switch f {
	case workforce.FormatXLSX:
		return returntemplate.Parse(data)
	case workforce.FormatJSON:
		return workforce.ParseJSON(data)
	}
	return workforce.ParseCSV(data)
}

// problemsOf turns a parser's refusal into problems: those it names, or its message as
// one problem carrying its code (an Excel file that is encrypted, say).
func problemsOf(err error) []workforce.Problem {
	var e *workforce.Error
	if !errors.As(err, &e) {
		return []workforce.Problem{{Code: workforce.EInternal, Message: err.Error()}}
	}
	if len(e.Problems) > 0 {
		return e.Problems
	}
	return []workforce.Problem{{Code: e.Code, Message: e.Message}}
}

// CodeWrongFormat is the problem code of a file whose content is not what its name says.
// It is the code the service answers (415) when a file is not what its content type says.
const CodeWrongFormat = workforce.EUnsupported

var (
	zipMagic = []byte("PK\x03\x04")
	// Compound File Binary: an encrypted workbook or an old .xls, which returntemplate.Parse names.
	cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// kindOf says what data looks like from its first bytes.
func kindOf(data []byte) workforce.Format {
	if bytes.HasPrefix(data, zipMagic) || bytes.HasPrefix(data, cfbMagic) {
		return workforce.FormatXLSX
	}
	if t := bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM)); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return workforce.FormatJSON
	}
	return workforce.FormatCSV
}

// describe says what content of each format is, and named what a file of it is called.
var (
	describe = map[workforce.Format]string{
		workforce.FormatXLSX: "an Excel workbook (or another ZIP archive)",
		workforce.FormatJSON: "JSON",
		workforce.FormatCSV:  "plain text, such as CSV",
	}
	named = map[workforce.Format]string{
		workforce.FormatXLSX: "an Excel workbook", workforce.FormatJSON: "a JSON file", workforce.FormatCSV: "a CSV file",
	}
	extensionOf = map[workforce.Format]string{
		workforce.FormatXLSX: ".xlsx", workforce.FormatJSON: ".json", workforce.FormatCSV: ".csv",
	}
)

// detect decides the format from the file's extension and confirms it from its content.
// A file with another extension is read as what its content looks like. A workbook's own
// problems (encrypted, macros, an old .xls) are left for returntemplate.Parse to name.
func detect(name string, data []byte) (workforce.Format, *workforce.Problem) {
	got := kindOf(data)
	var want workforce.Format
	ext := filepath.Ext(name)
	switch strings.ToLower(ext) {
	case ".xlsx", ".xlsm", ".xlsb", ".xls":
		want = workforce.FormatXLSX
	case ".csv":
		want = workforce.FormatCSV
	case ".json":
		want = workforce.FormatJSON
	default:
		return got, nil
	}
	if got == want || len(bytes.TrimSpace(data)) == 0 {
		return want, nil // an empty file is for the format's reader to name
	}
	what := fmt.Sprintf("it is not %s: its content is %s", describe[want], describe[got])
	if want == workforce.FormatXLSX {
		what = fmt.Sprintf("it is not an Excel workbook: an .xlsx file is a ZIP archive, and this one is %s", describe[got])
	}
	return want, &workforce.Problem{Code: CodeWrongFormat, Message: fmt.Sprintf(
		"The file's name ends in %s but %s. If it is really %s, rename it to end in %s; otherwise save it again as %s from the program that made it.",
		ext, what, named[got], extensionOf[got], named[want])}
}

// Today is midnight UTC at the start of a day given as YYYY-MM-DD: a quarter that ends on
// that day can be checked on it, as the service accepts it from then.
func Today(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date in the form 2025-07-01", s)
	}
	return t, nil
}
