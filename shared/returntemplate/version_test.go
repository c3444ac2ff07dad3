package returntemplate

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// withVersionCell is a filled template whose template_version cell is changed by set, or
// whose template_version name is deleted when set is nil.
func withVersionCell(t *testing.T, set func(f *excelize.File, sheet, cell string) error) []byte {
	t.Helper()
	f := openBook(t, fillByName(t, mustTemplate(t, testOptions()), sample()))
	var sheet, cell string
	for _, dn := range f.GetDefinedName() {
		if dn.Name == NameTemplateVersion {
			sheet, cell, _ = singleCell(dn.RefersTo)
		}
	}
	if cell == "" {
		t.Fatal("the template has no template_version cell")
	}
	var err error
	if set == nil {
		err = f.DeleteDefinedName(&excelize.DefinedName{Name: NameTemplateVersion})
	} else {
		err = set(f, sheet, cell)
	}
	if err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseRefusesOtherTemplateVersions(t *testing.T) {
	text := func(v string) func(*excelize.File, string, string) error {
		return func(f *excelize.File, sheet, cell string) error { return f.SetCellStr(sheet, cell, v) }
	}
	tests := []struct {
		name string
		set  func(f *excelize.File, sheet, cell string) error
		want []string // in the message, besides the current version and where to download it
	}{
		{"the previous template", text("2026.1"), []string{"template version 2026.1", "Civil Service Leadership Group"}},
		{"a version this service never made", text("2031.7"), []string{`"2031.7"`}},
		{"a blank version cell", text(""), []string{"blank"}},
		{"a name that is not one cell", func(f *excelize.File, sheet, _ string) error {
			if err := f.DeleteDefinedName(&excelize.DefinedName{Name: NameTemplateVersion}); err != nil {
				return err
			}
			return f.SetDefinedName(&excelize.DefinedName{Name: NameTemplateVersion, RefersTo: sheet + "!$A$1:$A$3"})
		}, []string{"cannot be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(withVersionCell(t, tt.set))
			var e *workforce.Error
			if !errors.As(err, &e) || e.Code != workforce.EInvalid {
				t.Fatalf("got %d fields, %v; want the workbook refused as invalid (422)", len(got), err)
			}
			for _, w := range append(tt.want, "version "+TemplateVersion, "GET /template", "portal") {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q does not say %q", e.Message, w)
				}
			}
			// One problem, with a machine code, not a problem per answer.
			if len(e.Problems) != 1 || e.Problems[0].Code != CodeOldTemplate || e.Problems[0].Field != NameTemplateVersion {
				t.Errorf("problems %+v, want one %s on %s", e.Problems, CodeOldTemplate, NameTemplateVersion)
			}
		})
	}
}

func TestParseCurrentTemplateVersion(t *testing.T) {
	tests := []struct {
		name string
		set  func(f *excelize.File, sheet, cell string) error
	}{
		{"as the template writes it", func(*excelize.File, string, string) error { return nil }},
		{"retyped with spaces", func(f *excelize.File, sheet, cell string) error {
			return f.SetCellStr(sheet, cell, " "+TemplateVersion+" ")
		}},
		{"retyped as a number", func(f *excelize.File, sheet, cell string) error {
			return f.SetCellValue(sheet, cell, 2026.2)
		}},
		// A tool that builds its workbook from the field names has no version to give; its
		// fields are judged against the current catalogue (a missing one is "required").
		{"no template_version name at all", nil},
	}
	if TemplateVersion != "2026.2" {
		t.Fatalf("the number case writes 2026.2; update it to the current version %s", TemplateVersion)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(withVersionCell(t, tt.set))
			if err != nil || len(got) != len(workforce.Fields) {
				t.Fatalf("got %d fields, %v; want every field of the return", len(got), err)
			}
		})
	}
}
