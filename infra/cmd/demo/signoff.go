package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// changesAndSignOff shows what the revision changed and why (SPEC §11), then has the
// organisation's approver sign off the current version, bound to its SHA-256: a sign-off
// with a stale hash is refused, and the sign-off shows on the version.
func (d *demo) changesAndSignOff(o workforce.Organisation, q period.Quarter) error {
	tok, err := d.token(o.Code)
	if err != nil {
		return err
	}
	path := "/returns/" + o.Code + "/" + q.String()
	cur, status, err := d.view(tok, path)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("GET %s: status %d, %v", path, status, err)
	}
	r, err := d.do("GET", fmt.Sprintf("%s/versions/%d/changes", path, cur.Version), tok, "", nil)
	if err != nil {
		return err
	}
	var ch struct {
		Version         int     `json:"version"`
		PreviousVersion *int    `json:"previous_version"`
		RevisionReason  *string `json:"revision_reason"`
		Changes         []struct {
			Field string `json:"field"`
			Old   any    `json:"old"`
			New   any    `json:"new"`
		} `json:"changes"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &ch) != nil {
		return fmt.Errorf("GET %s/versions/%d/changes: %s %s", path, cur.Version, statusText(r.Status), r.Body)
	}
	reason := "none"
	if ch.RevisionReason != nil {
		reason = *ch.RevisionReason
	}
	fmt.Fprintf(d.out, "   GET %s/versions/%d/changes: reason %q\n", path, ch.Version, reason)
	for _, c := range ch.Changes {
		fmt.Fprintf(d.out, "     %s: %v → %v\n", c.Field, c.Old, c.New)
	}

	// The approver (the accountable officer) signs off exactly what they read.
	approver, err := d.client.Token("demo-approver-"+strings.ToLower(o.Code), o.Code, []string{"approver"}, nil)
	if err != nil {
		return err
	}
	signOff := func(sha string) (int, []byte, error) {
		body, _ := json.Marshal(map[string]string{"sha256": sha})
		r, err := d.do("POST", fmt.Sprintf("%s/versions/%d/sign-off", path, cur.Version), approver, httpapi.ContentTypeJSON, body)
		return r.Status, r.Body, err
	}
	st, body, err := signOff(strings.Repeat("0", 64))
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "   sign-off of version %d with a stale hash: %s\n", cur.Version, statusText(st))
	if st != http.StatusConflict {
		d.fail("a sign-off with a stale hash answered %d, want 409: %s", st, body)
	}
	var current struct {
		SHA256 string `json:"sha256"`
	}
	if r, err := d.do("GET", fmt.Sprintf("%s/versions/%d", path, cur.Version), approver, "", nil); err != nil || json.Unmarshal(r.Body, &current) != nil {
		return fmt.Errorf("GET %s/versions/%d as the approver: %v", path, cur.Version, err)
	}
	st, body, err = signOff(current.SHA256)
	if err != nil {
		return err
	}
	switch st {
	case http.StatusCreated, http.StatusOK:
		fmt.Fprintf(d.out, "   sign-off of version %d (sha256 %.12s…) by its approver: %s\n", cur.Version, current.SHA256, statusText(st))
	case http.StatusConflict:
		// A second run of the demo: the version was signed off by the first.
		fmt.Fprintf(d.out, "   version %d was signed off by an earlier run: %s\n", cur.Version, statusText(st))
	default:
		d.fail("the approver's sign-off answered %d: %s", st, body)
	}
	return nil
}
