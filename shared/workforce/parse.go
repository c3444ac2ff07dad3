package workforce

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/textsafe"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Limits on what a CSV or JSON return may hold. A return has about forty fields, and
// the longest value is a note of 2,000 characters; these leave room for blank rows, a
// column of comments and mistakes, and anything beyond them is refused as soon as it is
// seen, before the rest is read, so a hostile file costs no more than its size.
const (
	// MaxFieldRows is how many rows of fields a field,value file may have.
	MaxFieldRows = 200
	// MaxColumns is how many columns any row of a CSV file may have.
	MaxColumns = 100
	// MaxBulkReturns is how many returns one bulk file may hold: a quarter for each of
	// 500 organisations four times over (the register holds tens to hundreds), or the
	// register of 30 over sixteen years. More is split into several files.
	MaxBulkReturns = 2000
	// MaxJSONFields is how many properties a JSON return may have.
	MaxJSONFields = 200
	// MaxNumberLength is how many characters a number may have: 10,000,000.00 with
	// separators is 13, so 32 leaves room for trailing zeros and nothing else.
	MaxNumberLength = 32
	// maxJSONDepth is how deep a nested value is followed to skip it; a return has none.
	maxJSONDepth = 32
)

// longestText is the text field that holds the most characters, and maxValueBytes the
// most bytes any value can take: that many characters of four bytes each (UTF-8).
var longestText, maxValueBytes = longestTextField()

func longestTextField() (Field, int) {
	var longest Field
	for _, f := range Fields {
		if f.MaxLen > longest.MaxLen {
			longest = f
		}
	}
	return longest, 4 * max(longest.MaxLen, 256)
}

// tooLong is the sentence for a value longer than any field holds.
func tooLong(where string) string {
	return fmt.Sprintf("%s is too long: no field of the return holds more than %s characters (%s, the longest).",
		where, numfmt.Int(int64(longestText.MaxLen)), longestText.Label)
}

// csvTooLong is tooLong for a CSV file, where the cause is often a stray quotation mark.
func csvTooLong(where string) string {
	return tooLong(where) + " Check for a quotation mark that is not closed."
}

// ParseCSV reads a single return as CSV: UTF-8 (a byte-order mark is allowed), a header
// "field,value", then one row per field.
func ParseCSV(data []byte) ([]RawField, error) {
	rows, err := readCSV(data, 1+MaxFieldRows, func(line, column int) string {
		if column == 1 {
			return csvTooLong(fmt.Sprintf("The field name on line %d", line))
		}
		return csvTooLong(fmt.Sprintf("The value on line %d", line))
	})
	var over tooManyRows
	if errors.As(err, &over) {
		return nil, Invalid("The CSV file has more rows than a return has fields.", []Problem{{Line: over.line, Code: "too_many_rows",
			Message: fmt.Sprintf("The file has more than %s rows of fields; a return has %d fields, one row each. For many returns in one file, use POST /returns/bulk.", numfmt.Int(MaxFieldRows), len(Fields))}})
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, Invalid("The CSV file is empty.", []Problem{{Line: 1, Code: "empty_file", Message: "The file has no header row. The first row must be: field,value"}})
	}
	var ps []Problem
	h := rows[0]
	if len(h.cells) != 2 || !strings.EqualFold(strings.TrimSpace(h.cells[0]), "field") || !strings.EqualFold(strings.TrimSpace(h.cells[1]), "value") {
		ps = append(ps, Problem{Line: h.line, Code: "bad_header", Message: fmt.Sprintf("The first row must be the header field,value; it is %s. (For many returns in one file, use POST /returns/bulk.)", textsafe.Quote(strings.Join(h.cells, ",")))})
	}
	var fields []RawField
	for _, r := range rows[1:] {
		if len(r.cells) != 2 {
			ps = append(ps, Problem{Line: r.line, Code: "bad_row", Message: fmt.Sprintf("Line %d has %d columns; each row must be a field name and its value.", r.line, len(r.cells))})
			continue
		}
		fields = append(fields, RawField{Key: r.cells[0], Value: r.cells[1], Line: r.line})
	}
	if len(ps) > 0 {
		return nil, Invalid("The CSV file is not laid out as field,value rows.", ps)
	}
	return fields, nil
}

// ParseBulkCSV reads many returns: a header row of field keys, then one row per return,
// at most MaxBulkReturns. Each return's fields carry the line they came from.
func ParseBulkCSV(data []byte) ([][]RawField, error) {
	rows, err := readCSV(data, 1+MaxBulkReturns, func(line, column int) string {
		if line == 1 {
			return csvTooLong(fmt.Sprintf("Column %d of the header", column))
		}
		return csvTooLong(fmt.Sprintf("The value in column %d of line %d", column, line))
	})
	if errors.As(err, new(tooManyRows)) {
		return nil, Errorf(ETooLarge, "The bulk file holds more than %s returns, the most one file can hold. Split it into files of up to %s returns each and send them one after another.",
			numfmt.Int(MaxBulkReturns), numfmt.Int(MaxBulkReturns))
	}
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, Invalid("The bulk CSV file has no returns.", []Problem{{Line: 1, Code: "empty_file", Message: "The file needs a header row of field names (org,period,headcount,…) and one row per return."}})
	}
	header := rows[0].cells
	var ps []Problem
	seen := map[string]bool{}
	for i, k := range header {
		k = strings.TrimSpace(k)
		header[i] = k
		if _, ok := FieldByKey(k); !ok {
			ps = append(ps, Problem{Field: k, Line: 1, Code: "unknown_field", Message: fmt.Sprintf("Column %d of the header, %s, is not a field of the return.", i+1, textsafe.Quote(k))})
		} else if seen[k] {
			ps = append(ps, Problem{Field: k, Line: 1, Code: "duplicate_field", Message: fmt.Sprintf("Column %s appears more than once in the header.", textsafe.Quote(k))})
		}
		seen[k] = true
	}
	var returns [][]RawField
	for _, r := range rows[1:] {
		if len(r.cells) != len(header) {
			ps = append(ps, Problem{Line: r.line, Code: "bad_row", Message: fmt.Sprintf("Line %d has %d columns but the header has %d.", r.line, len(r.cells), len(header))})
			continue
		}
		fields := make([]RawField, len(header))
		for i, k := range header {
			fields[i] = RawField{Key: k, Value: r.cells[i], Line: r.line}
		}
		returns = append(returns, fields)
	}
	if len(ps) > 0 {
		return nil, Invalid("The bulk CSV file's layout is wrong; nothing was stored.", ps)
	}
	return returns, nil
}

type csvRow struct {
	line  int
	cells []string
}

// tooManyRows stops readCSV at the first row over its limit, on line.
type tooManyRows struct{ line int }

func (e tooManyRows) Error() string { return fmt.Sprintf("line %d: too many rows", e.line) }

// readCSV reads every non-blank row with its line number, refusing text that is not UTF-8,
// a row of more than MaxColumns columns, a value longer than any field holds (worded by
// long), and stopping at the first row beyond maxRows.
func readCSV(data []byte, maxRows int, long func(line, column int) string) ([]csvRow, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte{'\n'})
		return nil, Invalid("The file is not UTF-8 text.", []Problem{{Line: line, Code: "invalid_encoding", Message: fmt.Sprintf("Line %d is not UTF-8 text. Save the file as \"CSV UTF-8\".", line)}})
	}
	if s := csvShape(data); s.line > 0 {
		if s.wide {
			return nil, Invalid("The CSV file has more columns than a return has fields.", []Problem{{Line: s.line, Code: "too_many_columns",
				Message: fmt.Sprintf("Line %d has more than %d columns; a return has %d fields.", s.line, MaxColumns, len(Fields))}})
		}
		return nil, Invalid("The CSV file holds a value longer than any field.", []Problem{{Line: s.line, Code: "value_too_long", Message: long(s.line, s.column)}})
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var rows []csvRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, Invalid("The file could not be read as CSV.", []Problem{{Line: line, Code: "bad_csv", Message: fmt.Sprintf("The file is not valid CSV: %v.", err)}})
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rows) == maxRows {
			return nil, tooManyRows{line: line}
		}
		rows = append(rows, csvRow{line: line, cells: rec})
	}
	return rows, nil
}

// shape is where a CSV file first has too many columns (wide) or too long a value.
type shape struct {
	line, column int
	wide         bool
}

// csvShape walks the file once, without allocating, to find a row wider than MaxColumns
// or a value longer than any field, before encoding/csv reads it: that reader holds a
// whole row in memory, several times over, before it can be checked. A quotation mark
// opens or closes a quoted value (a doubled one closes and reopens it), so commas and
// line breaks inside quotes are counted as the reader counts them.
func csvShape(data []byte) shape {
	// A value may be quoted, with every quotation mark in it doubled.
	limit := 2*maxValueBytes + 2
	line, recordLine, column, start := 1, 1, 1, 0
	quoted := false
	for i, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case b == '\n':
			line++
			if !quoted {
				recordLine, column, start = line, 1, i+1
				continue
			}
		case b == ',' && !quoted:
			if column++; column > MaxColumns {
				return shape{line: recordLine, column: column, wide: true}
			}
			start = i + 1
			continue
		}
		if i-start >= limit {
			return shape{line: recordLine, column: column}
		}
	}
	return shape{}
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// ParseJSON reads one flat object whose properties are field keys. Values may be strings,
// numbers, booleans or null (null is the same as leaving the field out). An object or a
// list as a value is a problem naming its field; it is skipped, not read, and one nested
// deeper than any JSON a person writes stops the reading there.
func ParseJSON(data []byte) ([]RawField, error) {
	if !utf8.Valid(data) {
		return nil, Invalid("The request body is not UTF-8 JSON.", []Problem{{Code: "invalid_encoding", Message: "The body must be UTF-8 encoded JSON."}})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	bad := func(msg string) error {
		return Invalid("The request body is not a JSON object of field values.", []Problem{{Code: "bad_json", Message: msg}})
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad("The body must be one JSON object, such as {\"org\": \"HMRC\", \"period\": \"2025-26-Q1\", …}.")
	}
	var fields []RawField
	var ps []Problem
	for n := 0; dec.More(); n++ {
		if n == MaxJSONFields {
			return nil, Invalid("The JSON object has more properties than a return has fields.", []Problem{{Code: "too_many_fields",
				Message: fmt.Sprintf("The object has more than %d properties; a return has %d fields.", MaxJSONFields, len(Fields))}})
		}
		kt, err := dec.Token()
		if err != nil {
			return nil, bad(fmt.Sprintf("The JSON is malformed: %v.", err))
		}
		key, _ := kt.(string)
		vt, err := dec.Token()
		if err != nil {
			return nil, bad(fmt.Sprintf("The JSON is malformed at %s: %v.", textsafe.Quote(key), err))
		}
		var s string
		switch v := vt.(type) {
		case nil:
			continue
		case string:
			s = v
		case bool:
			s = strconv.FormatBool(v)
		case json.Number: // as written, so that 1250.0 and 1.25e3 can be told apart
			s = string(v)
			if len(s) > MaxNumberLength {
				ps = append(ps, Problem{Field: key, Code: "number_too_long", Message: fmt.Sprintf("%s is a number of %s characters; no figure in a return has more than %d.",
					textsafe.Quote(key), numfmt.Int(int64(len(s))), MaxNumberLength)})
				continue
			}
		case json.Delim: // [ or {
			ps = append(ps, Problem{Field: key, Code: "not_a_value", Message: fmt.Sprintf("%s must be a single value, not an object or list.", textsafe.Quote(key))})
			if err := skipJSON(dec); err != nil {
				if errors.Is(err, errTooDeep) {
					ps = append(ps, Problem{Field: key, Code: "too_deep", Message: fmt.Sprintf("The value of %s is nested more than %d levels deep; the rest of the body was not read.", textsafe.Quote(key), maxJSONDepth)})
					return nil, Invalid(msgJSONValues, ps)
				}
				return nil, bad(fmt.Sprintf("The JSON is malformed at %s: %v.", textsafe.Quote(key), err))
			}
			continue
		}
		if len(s) > maxValueBytes {
			ps = append(ps, Problem{Field: key, Code: "value_too_long", Message: tooLong("The value of " + textsafe.Quote(key))})
			continue
		}
		fields = append(fields, RawField{Key: key, Value: s})
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(fmt.Sprintf("The JSON is malformed: %v.", err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("The body must hold exactly one JSON object; there is more after it.")
	}
	if len(ps) > 0 {
		return nil, Invalid(msgJSONValues, ps)
	}
	return fields, nil
}

const msgJSONValues = "Some values in the JSON are not values a return can hold."

var errTooDeep = errors.New("nested too deeply")

// skipJSON reads past the rest of an object or list whose opening token was just read,
// token by token, keeping nothing, and gives up beyond maxJSONDepth.
func skipJSON(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > maxJSONDepth {
				return errTooDeep
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}
