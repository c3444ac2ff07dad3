package gsswriter

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// contentTypes is the package part that readers look for first.
const contentTypes = "[Content_Types].xml"

// canonicalZip is the zip writer excelize saves through. It holds the parts until
// excelize has written them all and then writes the package so that its bytes depend
// only on the workbook: parts in a fixed order ([Content_Types].xml first, then by
// name), every part stamped with the workbook's modified time rather than the clock, and
// the content types sorted, because excelize adds the image types that come with a chart
// in map order. Collecting the parts uncompressed also saves compressing them twice.
type canonicalZip struct {
	out   io.Writer
	stamp time.Time
	parts map[string]*bytes.Buffer
}

func newCanonicalZip(out io.Writer, modified time.Time) excelize.ZipWriter {
	// MS-DOS times start in 1980.
	stamp := modified.UTC()
	if epoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); stamp.Before(epoch) {
		stamp = epoch
	}
	return &canonicalZip{out: out, stamp: stamp, parts: map[string]*bytes.Buffer{}}
}

func (z *canonicalZip) Create(name string) (io.Writer, error) {
	if _, dup := z.parts[name]; dup {
		return nil, errors.New("zip: part " + name + " written twice")
	}
	b := new(bytes.Buffer)
	z.parts[name] = b
	return b, nil
}

// AddFS is part of excelize's interface; excelize does not call it when saving.
func (z *canonicalZip) AddFS(fs.FS) error {
	return errors.New("zip: AddFS is not supported")
}

func (z *canonicalZip) Close() error {
	names := make([]string, 0, len(z.parts))
	for name := range z.parts {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		if (a == contentTypes) != (b == contentTypes) {
			if a == contentTypes {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	zw := zip.NewWriter(z.out)
	for _, name := range names {
		data := z.parts[name].Bytes()
		if name == contentTypes {
			var err error
			if data, err = sortContentTypes(data); err != nil {
				return err
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.stamp})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// contentTypesXML is the [Content_Types].xml part of an Open Packaging Conventions file.
type contentTypesXML struct {
	XMLName   xml.Name              `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
	Defaults  []contentTypeDefault  `xml:"Default"`
	Overrides []contentTypeOverride `xml:"Override"`
}

type contentTypeDefault struct {
	Extension   string `xml:",attr"`
	ContentType string `xml:",attr"`
}

type contentTypeOverride struct {
	PartName    string `xml:",attr"`
	ContentType string `xml:",attr"`
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
