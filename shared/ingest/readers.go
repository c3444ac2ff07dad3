package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/ddat-workforce/returns/shared/extract"
	"github.com/ddat-workforce/returns/shared/period"
)

// Reader reads an extract of one format, of size bytes, through an extract.Aggregator for
// quarter q. Everything wrong with the file is in the Result; the error is for a reader
// that failed (a broken download), which says nothing about the file.
type Reader func(ctx context.Context, r io.Reader, size int64, q period.Quarter, opts ...extract.Option) (extract.Result, error)

// DefaultReaders are the formats extracts are read in.
var DefaultReaders = map[Format]Reader{
	CSV: ReadCSV,
}

// ReadCSV streams a CSV extract through extract.ReadCSV.
func ReadCSV(_ context.Context, r io.Reader, _ int64, q period.Quarter, opts ...extract.Option) (extract.Result, error) {
	return extract.ReadCSV(r, q, opts...)
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
