package main

import (
	"fmt"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// portal ends the demo with where the portal is and how to sign in to it, once its start
// page answers: the same data, in a browser.
func (d *demo) portal(held workforce.Organisation, q period.Quarter, month period.Month) error {
	url := os.Getenv("PORTAL_URL")
	if url == "" {
		return fmt.Errorf("PORTAL_URL is not set; is the stack running (make up)?")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		return fmt.Errorf("the portal at %s did not answer: %w", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the portal's start page at %s answered %d", url, resp.StatusCode)
	}
	fmt.Fprintf(d.out, "\nThe portal, with the demo's data in it:\n\n    %s\n\n", url)
	fmt.Fprintf(d.out, "Open it in a browser and choose Sign in. The local identity provider asks for a Role\n")
	fmt.Fprintf(d.out, "and an Organisation (no password); choose, then Sign in:\n")
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  submitter, %s (%s)\tYour returns; the template for %s; upload it, fix what the\n", held.Name, held.Code, q)
	fmt.Fprintf(tw, "  \terror summary names, send it, see it in the version history\n")
	fmt.Fprintf(tw, "  approver, %s (%s)\tsign off a version\n", held.Name, held.Code)
	fmt.Fprintf(tw, "  leader, any organisation\tProgress against the commitments for %s; the workbooks\n", month.LastDay().Format("January 2006"))
	fmt.Fprintf(tw, "  admin, any organisation\tthe register, run the rollup, missing returns\n")
	if err := tw.Flush(); err != nil {
		return err
	}
	return nil
}
