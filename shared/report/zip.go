package report

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"time"
)

// contentTypes is the package part that readers look for first.
const contentTypes = "[Content_Types].xml"

// canonicalZip rewrites the package excelize wrote with its parts in a fixed order
// ([Content_Types].xml first, then by name) and every part stamped with the workbook's
// modified time, so that the file's bytes depend only on the parts' contents: neither on
// the order in which excelize happens to write them nor on the clock. The compressed
// data is copied as it is, which keeps this cheap.
func canonicalZip(raw []byte, modified time.Time) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int {
		if (a.Name == contentTypes) != (b.Name == contentTypes) {
			if a.Name == contentTypes {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	// MS-DOS times start in 1980.
	stamp := modified.UTC()
	if epoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); stamp.Before(epoch) {
		stamp = epoch
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := zip.FileHeader{
			Name:               f.Name,
			Method:             f.Method,
			Flags:              f.Flags,
			Modified:           stamp,
			CRC32:              f.CRC32,
			CompressedSize64:   f.CompressedSize64,
			UncompressedSize64: f.UncompressedSize64,
		}
		w, err := zw.CreateRaw(&h)
		if err != nil {
			return nil, err
		}
		r, err := f.OpenRaw()
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, r); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
