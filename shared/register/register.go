// Package register holds the starting organisation register that seeds a new table.
// The figures are approximate (31 March 2025 Civil Service Statistics, or estimates) and
// are used only to estimate coverage until an organisation's first return.
package register

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/ddat-workforce/returns/shared/workforce"
)

//go:embed organisations.csv
var organisationsCSV []byte

// Seed is the starting register.
func Seed() ([]workforce.Organisation, error) { return Read("organisations.csv", organisationsCSV) }

// Read reads a register laid out as organisations.csv is (a byte-order mark is allowed, as
// a spreadsheet saving UTF-8 CSV writes one), checking each organisation as the service
// does before adding it; name is the file's name for messages.
func Read(name string, data []byte) ([]workforce.Organisation, error) {
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	want := []string{"code", "name", "parent", "kind", "baseline_headcount_approx"}
	if len(rows) == 0 || fmt.Sprint(rows[0]) != fmt.Sprint(want) {
		return nil, fmt.Errorf("%s: header must be %v", name, want)
	}
	var orgs []workforce.Organisation
	for i, r := range rows[1:] {
		var n int64 // blank for local-government bodies, which send no workforce figures
		if r[4] != "" {
			n, err = strconv.ParseInt(r[4], 10, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: baseline headcount %q: %w", name, i+2, r[4], err)
		}
		o := workforce.Organisation{Code: r[0], Name: r[1], Parent: r[2], Kind: workforce.OrgKind(r[3]), BaselineHeadcount: n}
		if ps := o.Validate(); len(ps) > 0 {
			return nil, fmt.Errorf("%s line %d: %s", name, i+2, ps[0].Message)
		}
		orgs = append(orgs, o)
	}
	return orgs, nil
}
