package extract

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// ReadCSV streams a CSV extract (UTF-8, a byte order mark allowed) through an Aggregator
// for quarter q. Memory does not grow with the file: records are read one at a time into a
// reused slice, one record may be at most MaxRowBytes and the file at most MaxBytes. Rows
// are numbered by the line they start on, as a spreadsheet shows them.
//
// Cells are compared as bytes, so codes are read from a file in another ASCII-compatible
// encoding too; only UTF-16 is refused, as nothing in it could be read.
//
// Everything wrong with the file is in the Result's problems; the error is only for a
// reader that fails (a broken download), which says nothing about the file.
func ReadCSV(r io.Reader, q period.Quarter, opts ...Option) (Result, error) {
	cfg := newConfig(opts)
	a := NewAggregator(q, opts...)
	lim := &limitReader{r: r, total: cfg.maxBytes, perRecord: int64(cfg.maxRowBytes) + readBuffer}
	br := bufio.NewReaderSize(lim, readBuffer)
	if head, _ := br.Peek(4); isUTF16(head) {
		a.Fail(workforce.Problem{Row: 1, Code: "not_utf8", Message: "The file is UTF-16 text. Save it as \"CSV UTF-8\" and send it again."})
		return a.Result(), nil
	}
	if head, _ := br.Peek(3); bytes.Equal(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	for {
		lim.startRecord()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			switch {
			case errors.Is(err, errTooLarge):
				a.Fail(workforce.Problem{Code: "file_too_large", Message: fmt.Sprintf("The file is larger than %s MB, the most an extract can be.", numfmt.Int(cfg.maxBytes>>20))})
			case errors.Is(err, errRecordTooLong):
				a.Fail(workforce.Problem{Row: a.lastRow + 1, Code: "row_too_long", Message: fmt.Sprintf("The row after row %s is longer than %s KB; no row of a staff extract is so long. Check for a quotation mark that is never closed.", numfmt.Int(int64(a.lastRow)), numfmt.Int(int64(cfg.maxRowBytes>>10)))})
			default:
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					return Result{}, fmt.Errorf("reading the extract: %w", err)
				}
				// pe.Err says what is wrong with the syntax (a bare quotation mark …),
				// never what the cell holds.
				a.Fail(workforce.Problem{Row: pe.Line, Code: "bad_csv", Message: fmt.Sprintf("Row %s is not valid CSV: %v. Save the file as \"CSV UTF-8\" from your spreadsheet or HR system.", numfmt.Int(int64(pe.Line)), pe.Err)})
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if !a.AddRow(line, rec) {
			break
		}
	}
	return a.Result(), nil
}

const readBuffer = 64 << 10

var (
	errTooLarge      = errors.New("extract: file too large")
	errRecordTooLong = errors.New("extract: record too long")
)

// limitReader bounds the bytes read in all and since the last startRecord. The bound per
// record allows for the read-ahead of the buffer in front of the CSV reader.
type limitReader struct {
	r                io.Reader
	total, perRecord int64
	read, sinceStart int64
}

func (l *limitReader) startRecord() { l.sinceStart = 0 }

func (l *limitReader) Read(p []byte) (int, error) {
	if l.read >= l.total+1 {
		return 0, errTooLarge
	}
	if l.sinceStart >= l.perRecord {
		return 0, errRecordTooLong
	}
	if max := l.total + 1 - l.read; int64(len(p)) > max { // one byte over tells "too large" from "exactly the limit"
		p = p[:max]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	l.sinceStart += int64(n)
	if l.read > l.total {
		return n, errTooLarge
	}
	return n, err
}

func isUTF16(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || b[0] == 0xfe && b[1] == 0xff)
}
