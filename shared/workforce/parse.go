package workforce

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ParseCSV reads a single return as CSV: UTF-8 (a byte-order mark is allowed), a header
// "field,value", then one row per field.
func ParseCSV(data []byte) ([]RawField, error) {
	rows, err := readCSV(data)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, Invalid("The CSV file is empty.", []Problem{{Line: 1, Code: "empty_file", Message: "The file has no header row. The first row must be: field,value"}})
	}
	var ps []Problem
	h := rows[0]
	if len(h.cells) != 2 || !strings.EqualFold(strings.TrimSpace(h.cells[0]), "field") || !strings.EqualFold(strings.TrimSpace(h.cells[1]), "value") {
		ps = append(ps, Problem{Line: h.line, Code: "bad_header", Message: fmt.Sprintf("The first row must be the header field,value; it is %q. (For many returns in one file, use POST /returns/bulk.)", strings.Join(h.cells, ","))})
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

// ParseBulkCSV reads many returns: a header row of field keys, then one row per return.
// Each return's fields carry the line they came from.
func ParseBulkCSV(data []byte) ([][]RawField, error) {
	rows, err := readCSV(data)
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
			ps = append(ps, Problem{Field: k, Line: 1, Code: "unknown_field", Message: fmt.Sprintf("Column %d of the header, %q, is not a field of the return.", i+1, k)})
		} else if seen[k] {
			ps = append(ps, Problem{Field: k, Line: 1, Code: "duplicate_field", Message: fmt.Sprintf("Column %q appears more than once in the header.", k)})
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

// readCSV reads every non-blank row with its line number, refusing text that is not UTF-8.
func readCSV(data []byte) ([]csvRow, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte{'\n'})
		return nil, Invalid("The file is not UTF-8 text.", []Problem{{Line: line, Code: "invalid_encoding", Message: fmt.Sprintf("Line %d is not UTF-8 text. Save the file as \"CSV UTF-8\".", line)}})
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
		rows = append(rows, csvRow{line: line, cells: rec})
	}
	return rows, nil
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
// numbers, booleans or null (null is the same as leaving the field out).
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
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, bad(fmt.Sprintf("The JSON is malformed: %v.", err))
		}
		key := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, bad(fmt.Sprintf("The JSON is malformed at %q: %v.", key, err))
		}
		var s string
		switch t := bytes.TrimSpace(v); {
		case bytes.Equal(t, []byte("null")):
			continue
		case t[0] == '"':
			_ = json.Unmarshal(t, &s)
		case t[0] == '{' || t[0] == '[':
			ps = append(ps, Problem{Field: key, Code: "not_a_value", Message: fmt.Sprintf("%s must be a single value, not an object or list.", key)})
			continue
		default: // number or boolean, as written
			s = string(t)
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
		return nil, Invalid("Some values in the JSON are not single values.", ps)
	}
	return fields, nil
}
