package gsswriter

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"slices"
	"strings"
	"time"
)

// odsPart is one file of the package.
type odsPart struct {
	name string
	data []byte
}

// writeODSZip writes the package so that its bytes depend only on the parts: the
// mimetype first, stored uncompressed with no extra field as OpenDocument requires (so
// that tools can recognise the file from its first bytes), then the parts by name, each
// stamped with the workbook's modified time rather than the clock.
func writeODSZip(parts []odsPart, modified time.Time) ([]byte, error) {
	stamp := modified.UTC()
	if epoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); stamp.Before(epoch) {
		stamp = epoch // MS-DOS times start in 1980
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	mimetype := []byte(ODSContentType)
	h := &zip.FileHeader{Name: "mimetype", Method: zip.Store, CRC32: crc32.ChecksumIEEE(mimetype),
		CompressedSize64: uint64(len(mimetype)), UncompressedSize64: uint64(len(mimetype))}
	// Setting Modified would add an extended-timestamp extra field, which the mimetype
	// may not have; the MS-DOS fields carry the same time without one.
	h.ModifiedDate, h.ModifiedTime = msDosTime(stamp) //lint:ignore SA1019 see above
	w, err := zw.CreateRaw(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(mimetype); err != nil {
		return nil, err
	}
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(a, b odsPart) int { return strings.Compare(a.name, b.name) })
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(p.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// msDosTime is t in the MS-DOS date and time fields of a zip header.
func msDosTime(t time.Time) (date, clock uint16) {
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	clock = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, clock
}
