package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ddat-workforce/returns/shared/extract/extracttest"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// extractRows is the size of the staff extracts the demo sends (SPEC §10).
const extractRows = 100_000

// extractOrg is the organisation whose latest return the demo computes from a staff
// extract: the largest civil-service body that is neither held back nor missing.
func extractOrg(orgs []workforce.Organisation, held workforce.Organisation) workforce.Organisation {
	var big workforce.Organisation
	for _, o := range orgs {
		if o.Kind == workforce.CivilService && o.Code != held.Code && o.Code != missingOrg && o.BaselineHeadcount > big.BaselineHeadcount {
			big = o
		}
	}
	return big
}

// extracts sends big's return for q as a staff extract of 100,000 people, as CSV and then
// as XLSX, the way a department would: POST /extracts with the leadership answers, PUT of
// the file to the presigned URL, then GET /extracts/{id} until it is accepted. The XLSX
// holds the same people, so its return is a duplicate of the CSV's, and so is a second
// run's. It prints how long each took from the upload to acceptance.
func (d *demo) extracts(big workforce.Organisation, q period.Quarter) error {
	if big.Code == "" {
		return nil
	}
	tok, err := d.token(big.Code)
	if err != nil {
		return err
	}
	people := extracttest.People(extractRows, q, 2025)
	likeItsReturns(people, sample.Return(big, q))
	rows := extracttest.Table(people, extracttest.Layout{Seed: 2025, Varied: true, Extra: 2})
	fmt.Fprintf(d.out, "\nStaff extracts: %s people of %s for %s, computed into its return (SPEC §10)\n", numfmt.Int(extractRows), big.Code, q)
	csvFile := extracttest.CSV(rows)
	if err := d.sendExtract(tok, big.Code, q, "csv", csvFile); err != nil {
		return err
	}
	xlsxFile, err := extractWorkbook(rows)
	if err != nil {
		return err
	}
	return d.sendExtract(tok, big.Code, q, "xlsx", xlsxFile)
}

type extractStatus struct {
	Status     string              `json:"status"`
	Rows       int                 `json:"rows"`
	Receipt    *workforce.Receipt  `json:"receipt"`
	Message    string              `json:"message"`
	Problems   []workforce.Problem `json:"problems"`
	StartedAt  time.Time           `json:"started_at"`
	FinishedAt time.Time           `json:"finished_at"`
}

func (d *demo) sendExtract(tok, org string, q period.Quarter, format string, file []byte) error {
	body, _ := json.Marshal(map[string]any{
		"org": org, "period": q.String(), "format": format, "content_length": len(file),
		"exec_committee_digital_leader": "yes", "board_digital_ned": "yes",
		"senior_appointments": 3, "senior_appointments_assessed": 3, "digital_senior_roles": 6,
		"digital_senior_roles_with_succession_plan": 6, "cslg_members": 14, "cslg_members_ai_immersion": 9,
	})
	began := time.Now()
	r, err := d.do("POST", "/extracts", tok, httpapi.ContentTypeJSON, body)
	if err != nil {
		return err
	}
	if r.Status != http.StatusCreated {
		d.fail("POST /extracts (%s): %s %s", format, statusText(r.Status), r.Body)
		return nil
	}
	var up struct {
		ID      string            `json:"extract_id"`
		URL     string            `json:"upload_url"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(r.Body, &up); err != nil {
		return fmt.Errorf("POST /extracts: %w", err)
	}
	uploadStart := time.Now()
	req, err := http.NewRequestWithContext(d.ctx, up.Method, up.URL, bytes.NewReader(file))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", up.Headers["Content-Type"])
	resp, err := d.client.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("upload the extract: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		d.fail("PUT of the %s extract to its upload URL: %s", format, statusText(resp.StatusCode))
		return nil
	}
	uploaded := time.Since(uploadStart)
	var st extractStatus
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		r, err := d.do("GET", "/extracts/"+up.ID, tok, "", nil)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(r.Body, &st); err != nil || r.Status != http.StatusOK {
			d.fail("GET /extracts/%s: %s %s", up.ID, statusText(r.Status), r.Body)
			return nil
		}
		if st.Status == "accepted" || st.Status == "rejected" {
			break
		}
		if time.Now().After(deadline) {
			d.fail("extract %s still %s after two minutes", up.ID, st.Status)
			return nil
		}
	}
	toAccepted := time.Since(uploadStart)
	if st.Status != "accepted" {
		d.fail("the %s extract was rejected: %s %v", format, st.Message, st.Problems)
		return nil
	}
	what := fmt.Sprintf("version %d", st.Receipt.Version)
	if st.Receipt.Duplicate {
		what = fmt.Sprintf("a duplicate of version %d, the same figures", st.Receipt.Version)
	}
	d.accepted = append(d.accepted, accepted{format: workforce.FormatExtract, receipt: *st.Receipt, latency: toAccepted})
	fmt.Fprintf(d.out, "   %-4s %s rows, %.1f MB: upload to accepted in %s (upload %s, read and stored %s; asked to accepted %s) → %s\n",
		format, numfmt.Int(int64(st.Rows)), float64(len(file))/(1<<20), ms(toAccepted), ms(uploaded),
		ms(st.FinishedAt.Sub(st.StartedAt)), ms(time.Since(began)), what)
	return nil
}

// extractWorkbook writes rows as an .xlsx, streamed as HR systems write large exports.
func extractWorkbook(rows [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	cells := make([]any, 0, 16)
	for i, r := range rows {
		cells = cells[:0]
		for _, c := range r {
			cells = append(cells, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// likeItsReturns makes the generated people (about 15% DDaT) as digital as the
// organisation's returns say it is, so that its return computed from the extract does not
// move the government's figures: some DDaT people are given another profession, chosen by
// position, so the same people come out every run.
func likeItsReturns(people []extracttest.Person, values map[string]string) {
	hc, _ := strconv.ParseFloat(values[workforce.KeyHeadcount], 64)
	ddat, _ := strconv.ParseFloat(values[workforce.KeyDDaTHeadcount], 64)
	if hc <= 0 {
		return
	}
	keep := int(math.Round(ddat / hc / 0.15 * 1000)) // of each 1,000 DDaT people
	n := 0
	for i := range people {
		if people[i].Profession != "ddat" {
			continue
		}
		if n%1000 >= keep {
			people[i].Profession = "other"
		}
		n++
	}
}
