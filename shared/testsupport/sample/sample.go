// Package sample makes plausible, internally consistent returns for the demo, the
// integration tests, the benchmarks and the workbook tests, and writes them in each
// accepted format. It is test support: it lives under shared/ so that shared tests can use
// it without importing infra/, and no product package imports it.
package sample

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// growthBase is the quarter from which the sample figures grow: test data, fixed so that
// the same inputs always give the same figures, whatever the collection's FIRST_QUARTER.
var growthBase = period.MustQuarter("2023-24-Q1")

// Return makes a return for o in q. The same inputs always give the same figures; the
// DDaT share grows a little each quarter, as the commitments intend.
func Return(o workforce.Organisation, q period.Quarter) map[string]string {
	r := rng(o.Code + q.String())
	v := map[string]string{"org": o.Code, "period": q.String(), "contact_name": "Workforce Analyst", "contact_email": "workforce.analyst@example.gov.uk"}
	growth := float64(q.Sub(growthBase))
	v["exec_committee_digital_leader"] = yesNo(r.next()%10 < uint64(5+min(growth, 4)))
	v["board_digital_ned"] = yesNo(r.next()%10 < uint64(3+min(growth, 6)))
	if o.Kind != workforce.CivilService {
		return v // councils answer only the two yes/no questions
	}
	appointed := int64(r.next() % 5)
	roles := int64(1 + r.next()%6)
	v["senior_appointments"] = itoa(appointed)
	v["senior_appointments_assessed"] = itoa(appointed - int64(r.next()%uint64(appointed+1))/2)
	v["digital_senior_roles"] = itoa(roles)
	v["digital_senior_roles_with_succession_plan"] = itoa(roles - int64(r.next()%uint64(roles+1))/2)
	r.next() // the draw that fed a retired field, kept so the workforce figures stay as they were
	// CSLG members are a stock that changes little; those who have attended AI immersion
	// grow through 2025-26, when the workshops run, and never fall.
	members := int64(1 + rng(o.Code).next()%15)
	attended := min(members, members*max(int64(q.Sub(period.MustQuarter("2025-26-Q1")))+1, 0)/4)
	v[workforce.KeyCSLGMembers] = itoa(members)
	v[workforce.KeyCSLGMembersAIImmersion] = itoa(attended)
	base := max(o.BaselineHeadcount, 100)
	headcount := base + int64(float64(base)*0.002*growth) + int64(r.next()%uint64(base/100+1))
	unknown := headcount * int64(1+r.next()%3) / 100
	share := 0.035 + 0.0012*growth + float64(r.next()%10)/1000
	ddat := int64(float64(headcount) * share)
	v["headcount"] = itoa(headcount)
	v["fte"] = fmt.Sprintf("%.2f", float64(headcount)*0.93)
	v["profession_unknown_headcount"] = itoa(unknown)
	v["ddat_headcount"] = itoa(ddat)
	v["ddat_fte"] = fmt.Sprintf("%.2f", float64(ddat)*0.97)
	split(v, workforce.FamilyKeys, ddat, []int64{8, 2, 14, 22, 16, 6, 20, 8, 4})
	split(v, workforce.GradeKeys, ddat, []int64{5, 15, 40, 33, 4, 3})
	entrants := ddat/25 + int64(r.next()%5)
	early := entrants * int64(30+r.next()%20) / 100
	v["ddat_entrants_total"] = itoa(entrants)
	split(v, workforce.EarlyCareerKeys, early, []int64{40, 20, 25, 5, 10})
	return v
}

// split shares total across keys by weight, the remainder on the largest, so the parts
// add up exactly.
func split(v map[string]string, keys []string, total int64, weights []int64) {
	var wsum, used int64
	big := 0
	for i, w := range weights {
		wsum += w
		if w > weights[big] {
			big = i
		}
	}
	parts := make([]int64, len(keys))
	for i, w := range weights {
		parts[i] = total * w / wsum
		used += parts[i]
	}
	parts[big] += total - used
	for i, k := range keys {
		v[k] = itoa(parts[i])
	}
}

// JSON writes values as the JSON format: numbers as numbers.
func JSON(values map[string]string) []byte {
	out := map[string]any{}
	for k, s := range values {
		if f, ok := workforce.FieldByKey(k); ok && f.Numeric() {
			out[k] = json.Number(s)
		} else {
			out[k] = s
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// CSV writes values as the field,value format, in catalogue order.
func CSV(values map[string]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"field", "value"})
	for _, f := range workforce.Fields {
		if s, ok := values[f.Key]; ok {
			_ = w.Write([]string{f.Key, s})
		}
	}
	for k, s := range values { // keys outside the catalogue, for tests of unknown fields
		if _, ok := workforce.FieldByKey(k); !ok {
			_ = w.Write([]string{k, s})
		}
	}
	w.Flush()
	return b.Bytes()
}

// BulkCSV writes many returns, one per row, under a header of every field key.
func BulkCSV(returns []map[string]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	var header []string
	for _, f := range workforce.Fields {
		header = append(header, f.Key)
	}
	_ = w.Write(header)
	for _, v := range returns {
		row := make([]string, len(header))
		for i, k := range header {
			row[i] = v[k]
		}
		_ = w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// FillTemplate writes values into a template by its defined names, as a tool that fills
// the template programmatically would.
func FillTemplate(template []byte, values map[string]string) ([]byte, error) {
	f, err := excelize.OpenReader(bytes.NewReader(template))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cells := map[string][2]string{}
	for _, dn := range f.GetDefinedName() {
		sheet, cell, ok := strings.Cut(strings.ReplaceAll(strings.TrimPrefix(dn.RefersTo, "="), "$", ""), "!")
		if ok && (dn.Scope == "" || dn.Scope == "Workbook") {
			cells[dn.Name] = [2]string{strings.Trim(sheet, "'"), cell}
		}
	}
	for k, s := range values {
		at, ok := cells[k]
		if !ok {
			return nil, fmt.Errorf("template has no defined name %q", k)
		}
		if fl, ok := workforce.FieldByKey(k); ok && fl.Numeric() {
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				if err := f.SetCellValue(at[0], at[1], n); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err := f.SetCellStr(at[0], at[1], s); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

type prng struct{ s uint64 }

func rng(seed string) *prng {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return &prng{s: h.Sum64() | 1}
}

// next is xorshift64: deterministic and good enough for sample figures.
func (p *prng) next() uint64 {
	p.s ^= p.s << 13
	p.s ^= p.s >> 7
	p.s ^= p.s << 17
	return p.s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
