package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/targets"
)

// rollup runs the month's rollup as an admin would, prints the government figures against
// each target, and downloads both workbooks into out/.
func (d *demo) rollup(month period.Month) error {
	r, err := d.do("POST", "/rollups/"+month.String(), d.admin, "", nil)
	if err != nil {
		return err
	}
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		return fmt.Errorf("POST /rollups/%s: %s: %s", month, statusText(r.Status), r.Body)
	}
	var snap rollup.Snapshot
	if err := json.Unmarshal(r.Body, &snap); err != nil {
		return err
	}
	what := "a new revision"
	if r.Status == http.StatusOK {
		what = "unchanged inputs, so the existing revision"
	}
	fmt.Fprintf(d.out, "\n6. Monthly rollup for %s (POST /rollups/%s: %s, %s)\n", month, month, statusText(r.Status), what)
	fmt.Fprintf(d.out, "   revision %d, reference quarter %s, %d returns used, inputs fingerprint %s…\n",
		snap.Revision, snap.ReferenceQuarter, len(snap.Inputs), snap.InputsFingerprint[:16])
	if n := len(snap.Government.Quarters); n > 0 {
		g := snap.Government.Quarters[n-1]
		fmt.Fprintf(d.out, "   government, %s: headcount %s, DDaT headcount %s, DDaT share %s (of FTE %s), coverage %s, returns %d of %d\n",
			g.Period, numfmt.Int(g.Headcount), numfmt.Int(g.DDaTHeadcount), pct(g.DDaTShare), pct(g.DDaTShareFTE), pct(g.Coverage), g.ReturnsReceived, g.ReturnsExpected)
	}
	fmt.Fprintf(d.out, "\n   Progress against the commitments, %s\n", month)
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   target\tstatus\tjudgement\tthreshold\torganisations answered")
	for _, t := range snap.Targets {
		fmt.Fprintf(tw, "   %s\t%s\t%s\t%s\t%d of %d\n", t.Title, strings.ToUpper(strings.ReplaceAll(string(t.Status), "_", " ")),
			judgement(t), figure(&t.Threshold, t.Unit), t.OrganisationsAnswered, t.OrganisationsExpected)
	}
	tw.Flush()
	dq := snap.DataQuality
	fmt.Fprintf(d.out, "   data quality: %d expected, %d received, %d late, %d missing, %d carried forward (%d with stale leadership answers), %d revised\n",
		dq.Expected, dq.Received, dq.Late, dq.Missing, dq.CarriedForward, dq.StaleLeadership, dq.Revised)
	return d.downloadReports(snap)
}

func (d *demo) downloadReports(snap rollup.Snapshot) error {
	if len(snap.Reports) == 0 {
		fmt.Fprintf(d.out, "   workbooks: this revision has none\n")
		return nil
	}
	if err := os.MkdirAll("out", 0o755); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\n7. Workbooks (GET /reports/%s?edition=…: 303 to a presigned S3 URL)\n", snap.Month)
	for _, ed := range rollup.Editions {
		for _, format := range rollup.Formats {
			if err := d.downloadReport(snap, ed, format); err != nil {
				return err
			}
		}
	}
	return nil
}

// downloadReport follows GET /reports/{month} to the presigned URL and checks the file
// against the SHA-256 the snapshot recorded.
func (d *demo) downloadReport(snap rollup.Snapshot, ed, format string) error {
	r, err := d.do("GET", fmt.Sprintf("/reports/%s?edition=%s&format=%s&revision=%d", snap.Month, ed, format, snap.Revision), d.leader, "", nil)
	if err != nil {
		return err
	}
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || loc == "" {
		return fmt.Errorf("GET /reports/%s?edition=%s&format=%s: %s: %s", snap.Month, ed, format, statusText(r.Status), r.Body)
	}
	resp, err := http.Get(loc)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s %s workbook: %s %v", ed, format, resp.Status, err)
	}
	sum := sha256.Sum256(body)
	rep, _ := snap.ReportIn(ed, format)
	if hex.EncodeToString(sum[:]) != rep.SHA256 {
		return fmt.Errorf("%s %s workbook: downloaded SHA-256 %x differs from the snapshot's %s", ed, format, sum, rep.SHA256)
	}
	path := filepath.Join("out", snap.FileName(ed, format))
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   %-10s %-4s %s (%s KB, SHA-256 %s… as recorded in the snapshot)\n", ed, format, path, numfmt.Int(int64(len(body)/1024)), rep.SHA256[:16])
	return nil
}

func pct(v *float64) string {
	if v == nil {
		return "[x]"
	}
	return fmt.Sprintf("%.2f%%", 100**v)
}

// figure writes a target's value as its unit says: a share to one decimal place of a
// percentage, or a count.
func figure(v *float64, unit targets.Unit) string {
	if v == nil {
		return "[x]"
	}
	if unit == targets.UnitCount {
		return numfmt.Int(int64(*v + 0.5))
	}
	return fmt.Sprintf("%.1f%%", 100**v)
}

// judgement says where a target stands in the words a leader reads: "missed at the
// deadline, 4.9%; 5.5% now".
func judgement(t metrics.TargetStatus) string {
	word := strings.ReplaceAll(string(t.Status), "_", " ")
	switch {
	case t.Status == metrics.NotStarted || t.Status == metrics.NoData:
		return t.Note
	case t.JudgedAt == metrics.AtDeadlineQuarter:
		s := fmt.Sprintf("%s at the deadline (%s), %s", word, t.Period, figure(t.Value, t.Unit))
		if t.LatestValue != nil && t.LatestPeriod != nil {
			s += fmt.Sprintf("; %s now (%s)", figure(t.LatestValue, t.Unit), t.LatestPeriod)
		}
		return s
	case t.JudgedAt == metrics.AtWindowEnd:
		return fmt.Sprintf("%s over the window to %s, %s", word, t.Period, figure(t.Value, t.Unit))
	}
	s := fmt.Sprintf("%s at %s", figure(t.Value, t.Unit), t.Period)
	if t.Projection != nil {
		s += fmt.Sprintf(", projected %s by %s", figure(t.Projection, t.Unit), t.EndQuarter)
	}
	return s
}
