package editions

import (
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/rollup"
)

// The management edition's organisations table says whether each organisation's return
// was signed off; the published edition does not carry the column.
func TestManagementEditionShowsSignOff(t *testing.T) {
	s := snapshot(t)
	for i := range s.Organisations {
		s.Organisations[i].SignedOff = s.Organisations[i].Code == "HMRC"
	}
	header := func(f *excelize.File) []string {
		t.Helper()
		rows, _ := f.GetRows("Organisations", excelize.Options{RawCellValue: true})
		for _, r := range rows {
			if len(r) > 0 && r[0] == "Organisation code" {
				return r
			}
		}
		t.Fatal("no header row")
		return nil
	}
	mgmt := open(t, render(t, s, rollup.EditionManagement))
	col := slices.Index(header(mgmt), "Signed off")
	if col < 0 {
		t.Fatalf("the management edition has no Signed off column: %v", header(mgmt))
	}
	for code, want := range map[string]string{"HMRC": "Yes", "DWP": "No"} {
		if r := findRow(t, mgmt, "Organisations", code); r[col] != want {
			t.Errorf("%s signed off %q, want %s", code, r[col], want)
		}
	}
	pub := open(t, render(t, s, rollup.EditionPublished))
	if slices.Contains(header(pub), "Signed off") {
		t.Error("the published edition shows sign-offs")
	}
}
