package report

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"time"
)

// contentTypes is the package part that readers look for first.
const contentTypes = "[Content_Types].xml"

// canonicalZip rewrites the package excelize wrote so that its bytes depend only on the
// workbook: parts in a fixed order ([Content_Types].xml first, then by name), every part
// stamped with the workbook's modified time rather than the clock, and the content types
// sorted, because excelize adds the image types that come with a chart in map order.
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
		data, err := readPart(f)
		if err != nil {
			return nil, err
		}
		if f.Name == contentTypes {
			if data, err = sortContentTypes(data); err != nil {
				return nil, err
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func readPart(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// contentTypesXML is the [Content_Types].xml part of an Open Packaging Conventions file.
type contentTypesXML struct {
	XMLName   xml.Name `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
	Defaults  []contentTypeDefault
	Overrides []contentTypeOverride
}

type contentTypeDefault struct {
	XMLName     xml.Name `xml:"Default"`
	Extension   string   `xml:",attr"`
	ContentType string   `xml:",attr"`
}

type contentTypeOverride struct {
	XMLName     xml.Name `xml:"Override"`
	PartName    string   `xml:",attr"`
	ContentType string   `xml:",attr"`
}

// sortContentTypes orders the defaults by extension and the overrides by part name.
func sortContentTypes(data []byte) ([]byte, error) {
	var ct contentTypesXML
	if err := xml.Unmarshal(data, &ct); err != nil {
		return nil, err
	}
	slices.SortFunc(ct.Defaults, func(a, b contentTypeDefault) int { return cmp.Compare(a.Extension, b.Extension) })
	slices.SortFunc(ct.Overrides, func(a, b contentTypeOverride) int { return cmp.Compare(a.PartName, b.PartName) })
	out, err := xml.Marshal(ct)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}
