package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/ddat-workforce/returns/shared/extract"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/sheetstream"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Reader reads an extract of one format, of size bytes, through an extract.Aggregator for
// quarter q. Everything wrong with the file is in the Result; the error is for a reader
// that failed (a broken download), which says nothing about the file.
type Reader func(ctx context.Context, r io.Reader, size int64, q period.Quarter, opts ...extract.Option) (extract.Result, error)

// DefaultReaders are the formats extracts are read in.
var DefaultReaders = map[Format]Reader{
	CSV:  ReadCSV,
	XLSX: ReadXLSX,
}

// ReadCSV streams a CSV extract through extract.ReadCSV.
func ReadCSV(_ context.Context, r io.Reader, _ int64, q period.Quarter, opts ...extract.Option) (extract.Result, error) {
	return extract.ReadCSV(r, q, opts...)
}

// TempDir is where ReadXLSX keeps a workbook while it reads it ("" is os.TempDir, /tmp on
// Lambda).
var TempDir = ""

// xlsxLimits are the sheet reader's limits for an extract. Rows are counted by the
// Aggregator, which says clearly when there are too many; the reader's own bound on row
// numbers is a sheet's, so that a sheet with gaps is not refused for its numbering.
var xlsxLimits = func() sheetstream.Limits {
	l := sheetstream.DefaultLimits
	l.MaxFileSize = MaxBytes
	l.MaxRows = 1 << 20
	return l
}()

// ReadXLSX reads the first sheet of an XLSX extract. A ZIP file is read from its end, so
// the workbook is first copied to a temporary file (at most MaxBytes, removed before this
// returns, whatever happens): the heap holds one row at a time and the shared strings,
// never the file. The sheet reader refuses zip bombs and oversized parts as the return
// parser does, and its messages name parts and rows, never a cell's value.
func ReadXLSX(ctx context.Context, r io.Reader, size int64, q period.Quarter, opts ...extract.Option) (extract.Result, error) {
	a := extract.NewAggregator(q, opts...)
	tooLarge := workforce.Problem{Code: "file_too_large", Message: fmt.Sprintf("The file is larger than %d MB, the most an extract can be.", MaxBytes>>20)}
	if size > MaxBytes {
		a.Fail(tooLarge)
		return a.Result(), nil
	}
	f, err := os.CreateTemp(TempDir, "extract-*.xlsx")
	if err != nil {
		return extract.Result{}, fmt.Errorf("spool the extract: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return extract.Result{}, fmt.Errorf("spool the extract: %w", err)
	}
	if n > MaxBytes {
		a.Fail(tooLarge)
		return a.Result(), nil
	}
	book, err := sheetstream.Open(f, n, xlsxLimits)
	if err != nil {
		return workbookProblem(a, err)
	}
	defer book.Close()
	rows, err := book.Rows("")
	if err != nil {
		return workbookProblem(a, err)
	}
	defer rows.Close()
	var cells []string
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return extract.Result{}, err
		}
		cells = cells[:0]
		for _, c := range rows.Row() {
			cells = append(cells, c.Value)
		}
		if !a.AddRow(rows.Number(), cells) {
			return a.Result(), nil
		}
	}
	if err := rows.Err(); err != nil {
		return workbookProblem(a, err)
	}
	return a.Result(), nil
}

// workbookProblem turns the sheet reader's refusal into the extract's problem; anything
// that is not a refusal (the temporary file failing) is an error.
func workbookProblem(a *extract.Aggregator, err error) (extract.Result, error) {
	code := sheetstream.Code(err)
	var se *sheetstream.Error
	if code == "" || !errors.As(err, &se) {
		return extract.Result{}, fmt.Errorf("read the workbook: %w", err)
	}
	codes := map[string]string{
		sheetstream.CodeNotXLSX: "not_xlsx", sheetstream.CodeEncrypted: "encrypted", sheetstream.CodeDamaged: "damaged_file",
		sheetstream.CodeTooLarge: "file_too_large", sheetstream.CodeOutOfOrder: "rows_out_of_order",
		sheetstream.CodeUnsupported: "unsupported_workbook", sheetstream.CodeNoSheet: "no_sheet",
	}
	msg := se.Message
	if se.Part != "" {
		msg = se.Part + ": " + msg
	}
	a.Fail(workforce.Problem{Code: codes[code], Message: "The workbook cannot be read as a staff extract: " + msg + ". Save the extract from your HR system as an .xlsx workbook with one sheet, or as CSV UTF-8."})
	return a.Result(), nil
}

// hashingReader computes the SHA-256 of what is read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func newHashingReader(r io.Reader) *hashingReader { return &hashingReader{r: r, h: sha256.New()} }

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// finish reads what the reader left (a CSV reader stops at its end, an XLSX one has read
// it all) and answers the hash of the whole object, which must be size bytes.
func (h *hashingReader) finish(size int64) (string, error) {
	if _, err := io.Copy(io.Discard, io.LimitReader(h, size-h.n+1)); err != nil {
		return "", fmt.Errorf("read the rest of the extract: %w", err)
	}
	if h.n != size {
		return "", fmt.Errorf("the extract read was %d bytes, not the %d stored", h.n, size)
	}
	return hex.EncodeToString(h.h.Sum(nil)), nil
}
