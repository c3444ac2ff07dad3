// Command demo shows the service working end to end on the local stack, through the local
// API gateway with real tokens, as departments would use it:
//
//  1. loads the starting register with PUT /organisations, as an admin;
//  2. submits a return for every organisation of the register and every quarter from
//     the collection's first (FIRST_QUARTER, 2023-24-Q1 by default) to 2025-26-Q1 as a
//     submitter of that organisation, in turn as a filled template (GET /template, then
//     filled by defined name), CSV and JSON;
//     2a. runs a collection round for the last quarter: its calendar, returns contacts for
//     three organisations, the reminders of each day that has come (to the two that have
//     not sent it yet, not to the one that has), and what Mailpit received;
//  3. revises one return (version 2; version 1 stays readable), sends the same figures
//     again (a duplicate) and sends two files with mistakes (rejected, every problem named);
//  4. reads the returns back as a leader and prints the government-wide figures;
//  5. sends a staff extract of 100,000 people as CSV and as XLSX through its presigned
//     upload URL and prints how long each took from upload to accepted.
//
// `make demo` starts the stack and runs it. Running it again is safe: the figures are
// deterministic, so a second run stores nothing new and says so.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/register"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/textsafe"
	"github.com/ddat-workforce/returns/shared/workforce"
)

const workers = 8

var (
	// The demo rolls up last month, as the schedule would on the 1st, so it submits every
	// quarter up to that month's reference quarter.
	rollupMonth = period.MonthOf(time.Now().UTC()).Prev()
	lastQuarter = period.ReferenceQuarter(rollupMonth, 30)
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// demo holds the client and what the run has seen so far.
type demo struct {
	ctx    context.Context
	out    io.Writer
	client *localclient.Client
	admin  string
	leader string

	mu       sync.Mutex
	tokens   map[string]string
	accepted []accepted
	rejected int
	failures []string
	sent     map[string]map[string]string // org+" "+period -> the figures last sent
	// extractOrg's last quarter comes from a staff extract, not a sample return.
	extractOrg workforce.Organisation
}

// accepted is one submission the API took (201 new version, or 200 duplicate).
type accepted struct {
	format  workforce.Format
	receipt workforce.Receipt
	latency time.Duration
}

func run(ctx context.Context, out io.Writer) error {
	began := time.Now()
	env, err := localclient.LoadEnv()
	if err != nil {
		return err
	}
	client, err := localclient.New(env)
	if err != nil {
		return fmt.Errorf("%w; restart the stack with `make up`", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 2 * workers
	client.HTTP = &http.Client{Timeout: 60 * time.Second, Transport: transport}

	d := &demo{ctx: ctx, out: out, client: client, tokens: map[string]string{}, sent: map[string]map[string]string{}}
	if d.admin, err = client.Token("demo-admin", "CO", []string{"admin"}, nil); err != nil {
		return err
	}
	if d.leader, err = client.Token("demo-leader", "CO", []string{"leader"}, nil); err != nil {
		return err
	}
	fmt.Fprintf(out, "DDaT workforce returns: a demonstration against the local stack at %s\n", client.API)

	orgs, err := d.seed()
	if err != nil {
		return err
	}
	firstQuarter, err := app.FirstQuarterFromEnv()
	if err != nil {
		return err
	}
	quarters := period.Range(firstQuarter, lastQuarter)
	held := heldBack(orgs)
	d.extractOrg = extractOrg(orgs, held)
	submitTook, err := d.submitAll(orgs, quarters, held)
	if err != nil {
		return err
	}
	if err := d.collectionRound(orgs, held, lastQuarter); err != nil {
		return err
	}
	if err := d.revise(held, lastQuarter); err != nil {
		return err
	}
	if err := d.reject(orgs, lastQuarter); err != nil {
		return err
	}
	if err := d.extracts(d.extractOrg, lastQuarter); err != nil {
		return err
	}
	readTook, err := d.readBack(orgs, quarters)
	if err != nil {
		return err
	}
	if err := d.rollup(rollupMonth); err != nil {
		return err
	}
	d.summary(orgs, quarters, submitTook, readTook, time.Since(began))
	if len(d.failures) > 0 {
		return fmt.Errorf("%d requests did not get the answer expected:\n  %s", len(d.failures), strings.Join(d.failures[:min(len(d.failures), 10)], "\n  "))
	}
	return d.portal(held, lastQuarter, rollupMonth)
}

// unreachable is a request the gateway did not answer: the stack is down, so the demo
// stops rather than reporting every later request.
type unreachable struct{ error }

// do sends a request, turning a refused connection into a pointer at `make up`.
func (d *demo) do(method, path, token, contentType string, body []byte) (localclient.Response, error) {
	r, err := d.client.Do(d.ctx, method, path, token, contentType, body, nil)
	if err != nil {
		return r, unreachable{fmt.Errorf("the local gateway at %s did not answer %s %s (%w); is the stack running? Start it with `make up`", d.client.API, method, path, err)}
	}
	return r, nil
}

func (d *demo) token(org string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.tokens[org]; ok {
		return t, nil
	}
	t, err := d.client.Token("demo-submitter-"+strings.ToLower(org), org, []string{"submitter"}, nil)
	d.tokens[org] = t
	return t, err
}

func (d *demo) fail(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failures = append(d.failures, fmt.Sprintf(format, args...))
}

// seed adds the organisations of the starting register that the table does not have,
// leaving existing entries alone (as infra/cmd/seed does) so an admin's change is kept.
func (d *demo) seed() ([]workforce.Organisation, error) {
	orgs, err := register.Seed()
	if err != nil {
		return nil, err
	}
	r, err := d.do("GET", "/organisations", d.admin, "", nil)
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusOK {
		return nil, fmt.Errorf("GET /organisations: %d %s", r.Status, r.Body)
	}
	var existing struct{ Organisations []workforce.Organisation }
	if err := json.Unmarshal(r.Body, &existing); err != nil {
		return nil, fmt.Errorf("GET /organisations: %w", err)
	}
	have := map[string]bool{}
	for _, o := range existing.Organisations {
		have[o.Code] = true
	}
	added := 0
	for _, o := range orgs {
		if have[o.Code] {
			continue
		}
		body, _ := json.Marshal(o)
		r, err := d.do("PUT", "/organisations/"+o.Code, d.admin, httpapi.ContentTypeJSON, body)
		if err != nil {
			return nil, err
		}
		if r.Status != http.StatusCreated && r.Status != http.StatusOK {
			return nil, fmt.Errorf("PUT /organisations/%s: %d %s", o.Code, r.Status, r.Body)
		}
		added++
	}
	cs, lg := kinds(orgs)
	fmt.Fprintf(d.out, "\n1. The register\n")
	fmt.Fprintf(d.out, "   %d organisations in the starting register: %d civil service, %d local government.\n", len(orgs), cs, lg)
	fmt.Fprintf(d.out, "   PUT /organisations/{code} as an admin: %d added, %d already present (left as they are).\n", added, len(orgs)-added)
	return orgs, nil
}

func kinds(orgs []workforce.Organisation) (civil, local int) {
	for _, o := range orgs {
		if o.Kind == workforce.CivilService {
			civil++
		} else {
			local++
		}
	}
	return civil, local
}

// heldBack is the organisation whose latest return the revision step sends, so that a
// second run finds it revised already rather than sending the first figures again.
// missingOrg sends nothing for the last quarter, so the rollup shows it carried forward.
const missingOrg = "NIO"

func heldBack(orgs []workforce.Organisation) workforce.Organisation {
	for _, o := range orgs {
		if o.Code == "HMRC" {
			return o
		}
	}
	for _, o := range orgs {
		if o.Kind == workforce.CivilService {
			return o
		}
	}
	return orgs[0]
}

var formats = []workforce.Format{workforce.FormatXLSX, workforce.FormatCSV, workforce.FormatJSON}

// submitAll sends every organisation's returns, eight organisations at a time. Each
// organisation's quarters go in order, as they would in life, so that the warnings that
// compare a quarter with the one before are the same on every run.
func (d *demo) submitAll(orgs []workforce.Organisation, quarters []period.Quarter, held workforce.Organisation) (time.Duration, error) {
	began := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	var down error
	var once sync.Once
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				o := orgs[i]
				for j, q := range quarters {
					if (o.Code == held.Code || o.Code == missingOrg || o.Code == d.extractOrg.Code) && q == lastQuarter {
						continue // held back for step 3; missing, to show a carried-forward return; or sent as a staff extract
					}
					err := d.submitSample(o, q, formats[(i+j)%len(formats)])
					if u := (unreachable{}); errors.As(err, &u) {
						once.Do(func() { down = err })
						break
					}
					if err != nil {
						d.fail("%s %s: %v", o.Code, q, err)
					}
				}
			}
		}()
	}
	for i := range orgs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if down != nil {
		return 0, down
	}
	took := time.Since(began)

	fmt.Fprintf(d.out, "\n2. Quarterly returns, %s to %s\n", quarters[0], quarters[len(quarters)-1])
	fmt.Fprintf(d.out, "   Every organisation, every quarter, each as a submitter of its own organisation, %d organisations at a time;\n", workers)
	fmt.Fprintf(d.out, "   the format turns XLSX (GET /template?org=&period=, filled by defined name), CSV, JSON. %s %s is held back for step 3.\n", held.Code, lastQuarter)
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "   \tformat\tsent\tnew version (201)\tduplicate (200)\tmean time (XLSX: with GET /template)\t")
	for _, f := range formats {
		var n, created, dup int
		var total time.Duration
		for _, a := range d.accepted {
			if a.format == f {
				n++
				total += a.latency
				if a.receipt.Duplicate {
					dup++
				} else {
					created++
				}
			}
		}
		mean := "-"
		if n > 0 {
			mean = ms(total / time.Duration(n))
		}
		fmt.Fprintf(tw, "   \t%s\t%d\t%d\t%d\t%s\t\n", strings.ToUpper(string(f)), n, created, dup, mean)
	}
	tw.Flush()
	fmt.Fprintf(d.out, "   %d returns in %s.\n", len(d.accepted), took.Round(10*time.Millisecond))
	return took, nil
}

func (d *demo) submitSample(o workforce.Organisation, q period.Quarter, f workforce.Format) error {
	values := sample.Return(o, q)
	_, _, err := d.submit(o.Code, q, values, f)
	return err
}

// submit sends values in format f as a submitter of org and records the answer. It
// answers an error unless the return was accepted.
func (d *demo) submit(org string, q period.Quarter, values map[string]string, f workforce.Format) (workforce.Receipt, localclient.Response, error) {
	tok, err := d.token(org)
	if err != nil {
		return workforce.Receipt{}, localclient.Response{}, err
	}
	began := time.Now()
	contentType, body, err := d.encode(tok, org, q, values, f)
	if err != nil {
		return workforce.Receipt{}, localclient.Response{}, err
	}
	r, err := d.do("POST", "/returns", tok, contentType, body)
	if err != nil {
		return workforce.Receipt{}, r, err
	}
	latency := time.Since(began)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		return workforce.Receipt{}, r, fmt.Errorf("POST /returns (%s): %d %s", f, r.Status, r.Body)
	}
	var rc workforce.Receipt
	if err := json.Unmarshal(r.Body, &rc); err != nil {
		return rc, r, fmt.Errorf("POST /returns (%s): receipt: %w", f, err)
	}
	if rc.Duplicate != (r.Status == http.StatusOK) {
		return rc, r, fmt.Errorf("POST /returns (%s): status %d with duplicate %v", f, r.Status, rc.Duplicate)
	}
	d.mu.Lock()
	d.accepted = append(d.accepted, accepted{format: f, receipt: rc, latency: latency})
	d.sent[org+" "+q.String()] = values
	d.mu.Unlock()
	return rc, r, nil
}

// encode writes values in format f. A workbook starts from the template pre-filled with
// the organisation and quarter, so those two come from the API, not from the filling.
func (d *demo) encode(tok, org string, q period.Quarter, values map[string]string, f workforce.Format) (string, []byte, error) {
	switch f {
	case workforce.FormatCSV:
		return httpapi.ContentTypeCSV, sample.CSV(values), nil
	case workforce.FormatJSON:
		return httpapi.ContentTypeJSON, sample.JSON(values), nil
	}
	query := url.Values{"org": {org}, "period": {q.String()}}
	r, err := d.do("GET", "/template?"+query.Encode(), tok, "", nil)
	if err != nil {
		return "", nil, err
	}
	if r.Status != http.StatusOK {
		return "", nil, fmt.Errorf("GET /template: %d %s", r.Status, r.Body)
	}
	rest := maps.Clone(values)
	delete(rest, workforce.KeyOrg)
	delete(rest, workforce.KeyPeriod)
	book, err := sample.FillTemplate(r.Body, rest)
	if err != nil {
		return "", nil, fmt.Errorf("fill the template: %w", err)
	}
	return workforce.ContentTypeXLSX, book, nil
}

// returnView is the part of GET /returns/{org}/{period} the demo reads.
type returnView struct {
	Version  int                        `json:"version"`
	Current  bool                       `json:"current"`
	Format   string                     `json:"format"`
	Values   map[string]json.RawMessage `json:"values"`
	Versions []struct {
		Version int `json:"version"`
	} `json:"versions"`
}

func (v returnView) count(key string) int64 {
	n, _ := strconv.ParseInt(string(v.Values[key]), 10, 64)
	return n
}

func (d *demo) view(token, path string) (returnView, int, error) {
	var v returnView
	r, err := d.do("GET", path, token, "", nil)
	if err != nil || r.Status != http.StatusOK {
		return v, r.Status, err
	}
	return v, r.Status, json.Unmarshal(r.Body, &v)
}

// revise sends a corrected return for o in q (version 2), shows that version 1 is still
// there, then sends the corrected figures once more in another format (a duplicate).
func (d *demo) revise(o workforce.Organisation, q period.Quarter) error {
	fmt.Fprintf(d.out, "\n3. A revision and a duplicate: %s %s\n", o.Code, q)
	tok, err := d.token(o.Code)
	if err != nil {
		return err
	}
	path := "/returns/" + o.Code + "/" + q.String()
	first := sample.Return(o, q)
	revised := maps.Clone(first)
	if o.Kind == workforce.CivilService {
		hc, _ := strconv.ParseInt(first[workforce.KeyHeadcount], 10, 64)
		revised[workforce.KeyHeadcount] = strconv.FormatInt(hc+120, 10)
		revised[workforce.KeyRevisionReason] = "Headcount corrected: 120 staff who transferred in on 30 June were left out of the first return."
	} else {
		revised[workforce.KeyBoardDigitalNED] = yesNoFlip(first[workforce.KeyBoardDigitalNED])
		revised[workforce.KeyRevisionReason] = "Corrected: the board's digital non-executive director was appointed before the reference date."
	}

	tw := tabwriter.NewWriter(d.out, 0, 0, 3, ' ', 0)
	defer tw.Flush()
	_, status, err := d.view(tok, path)
	if err != nil {
		return err
	}
	if status == http.StatusNotFound {
		rc, r, err := d.submit(o.Code, q, first, workforce.FormatJSON)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "   the first return, as JSON\t%s: version %d, headcount %s\n", statusText(r.Status), rc.Version, numfmt.Decimal(first[workforce.KeyHeadcount]))
	} else {
		fmt.Fprintf(tw, "   the first return\tsent by an earlier run; this run sends only the correction\n")
	}
	rc, r, err := d.submit(o.Code, q, revised, workforce.FormatJSON)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "   the corrected return, as JSON\t%s: version %d, headcount %s, duplicate %v\n",
		statusText(r.Status), rc.Version, numfmt.Decimal(revised[workforce.KeyHeadcount]), rc.Duplicate)

	cur, status, err := d.view(tok, path)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("GET %s: status %d, %v", path, status, err)
	}
	v1, status, err := d.view(tok, path+"/versions/1")
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("GET %s/versions/1: status %d, %v", path, status, err)
	}
	fmt.Fprintf(tw, "   GET %s\tversion %d is current, %d versions kept, headcount %s\n", path, cur.Version, len(cur.Versions), numfmt.Decimal(string(cur.Values[workforce.KeyHeadcount])))
	fmt.Fprintf(tw, "   GET %s/versions/1\tstill readable (current: %v), headcount %s\n", path, v1.Current, numfmt.Decimal(string(v1.Values[workforce.KeyHeadcount])))

	rc, r, err = d.submit(o.Code, q, revised, workforce.FormatCSV)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "   the corrected figures again, as CSV\t%s: duplicate %v, version %d, sha256 %.12s… as before\n",
		statusText(r.Status), rc.Duplicate, rc.Version, rc.SHA256)
	if !rc.Duplicate {
		d.fail("the same figures sent again were not recognised as a duplicate: %s", r.Body)
	}
	tw.Flush()
	return d.changesAndSignOff(o, q)
}

// reject sends two files with mistakes and prints the problems the API names.
func (d *demo) reject(orgs []workforce.Organisation, q period.Quarter) error {
	var o workforce.Organisation
	for _, x := range orgs {
		if x.Kind == workforce.CivilService && (o.Code == "" || x.Code == "DSIT") {
			o = x
		}
	}
	tok, err := d.token(o.Code)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\n4. Rejected files: %s %s\n", o.Code, q)

	book := sample.Return(o, q)
	book[workforce.KeyFTE] = "12.345"                // three decimal places
	book[workforce.KeyBoardDigitalNED] = "sometimes" // not yes or no
	book["entrants_internship"] = "-1"               // negative
	book[workforce.KeyDDaTHeadcount] = "about 900"   // not a number
	_, xlsx, err := d.encode(tok, o.Code, q, book, workforce.FormatXLSX)
	if err != nil {
		return err
	}
	if err := d.rejectOne(tok, "a workbook with four mistakes", workforce.ContentTypeXLSX, xlsx); err != nil {
		return err
	}

	csv := sample.Return(o, q)
	csv["ddat_grade_g7_g6"] = "0" // the grades no longer add up
	csv[workforce.KeySeniorAppointmentsAssessed] = "9"
	csv[workforce.KeySeniorAppointments] = "2" // more assessed than appointed
	return d.rejectOne(tok, "a CSV file whose figures do not add up", httpapi.ContentTypeCSV, sample.CSV(csv))
}

func (d *demo) rejectOne(tok, what, contentType string, body []byte) error {
	r, err := d.do("POST", "/returns", tok, contentType, body)
	if err != nil {
		return err
	}
	var p httpapi.Problem
	_ = json.Unmarshal(r.Body, &p)
	fmt.Fprintf(d.out, "   %s: %s. %s\n", what, statusText(r.Status), p.Detail)
	if r.Status != http.StatusUnprocessableEntity || len(p.Errors) == 0 {
		d.fail("%s: status %d, want 422 with problems: %s", what, r.Status, r.Body)
		return nil
	}
	d.mu.Lock()
	d.rejected++
	d.mu.Unlock()
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "     field\twhere\tcode\tmessage")
	for _, e := range p.Errors {
		where := e.Cell
		if e.Line > 0 {
			where = "line " + strconv.Itoa(e.Line)
		}
		fmt.Fprintf(tw, "     %s\t%s\t%s\t%s\n", textsafe.OrNone(e.Field), textsafe.OrNone(where), e.Code, e.Message)
	}
	return tw.Flush()
}

// quarterFigures are government-wide sums over civil-service returns read back.
type quarterFigures struct {
	returns, civil     int
	headcount, ddat    int64
	mismatched, others int
}

// readBack lists each quarter's current returns as a leader and reads every one, to
// show the figures come from storage, and checks them against what was sent.
func (d *demo) readBack(orgs []workforce.Organisation, quarters []period.Quarter) (time.Duration, error) {
	began := time.Now()
	kind := map[string]workforce.OrgKind{}
	for _, o := range orgs {
		kind[o.Code] = o.Kind
	}
	figures := make([]quarterFigures, len(quarters))
	type job struct {
		qi  int
		org string
	}
	var jobs []job
	for qi, q := range quarters {
		r, err := d.do("GET", "/returns?period="+q.String(), d.leader, "", nil)
		if err != nil {
			return 0, err
		}
		if r.Status != http.StatusOK {
			return 0, fmt.Errorf("GET /returns?period=%s: %d %s", q, r.Status, r.Body)
		}
		var list struct {
			Returns []struct{ Org string } `json:"returns"`
		}
		if err := json.Unmarshal(r.Body, &list); err != nil {
			return 0, err
		}
		for _, x := range list.Returns {
			if _, ok := kind[x.Org]; ok {
				jobs = append(jobs, job{qi, x.Org})
			} else {
				figures[qi].others++ // organisations the tests registered, not the demo's
			}
		}
	}
	views := make([]returnView, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				path := "/returns/" + jobs[i].org + "/" + quarters[jobs[i].qi].String()
				v, status, err := d.view(d.leader, path)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("GET %s: status %d", path, status)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
				}
				views[i] = v
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	for i, j := range jobs {
		f, v := &figures[j.qi], views[i]
		f.returns++
		if want := d.sent[j.org+" "+quarters[j.qi].String()]; want != nil && !matches(v, want) {
			f.mismatched++
		}
		if kind[j.org] == workforce.CivilService {
			f.civil++
			f.headcount += v.count(workforce.KeyHeadcount)
			f.ddat += v.count(workforce.KeyDDaTHeadcount)
		}
	}
	took := time.Since(began)

	fmt.Fprintf(d.out, "\n5. Read back as a leader: GET /returns?period= for each quarter, then GET /returns/{org}/{period} for each return\n")
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "   \tquarter\treturns received\tcivil service\theadcount\tDDaT headcount\tDDaT share\t")
	var total, mismatched, others int
	for qi, q := range quarters {
		f := figures[qi]
		share := "-"
		if f.headcount > 0 {
			share = fmt.Sprintf("%.2f%%", 100*float64(f.ddat)/float64(f.headcount))
		}
		fmt.Fprintf(tw, "   \t%s\t%d of %d\t%d\t%s\t%s\t%s\t\n", q, f.returns, len(orgs), f.civil,
			numfmt.Decimal(strconv.FormatInt(f.headcount, 10)), numfmt.Decimal(strconv.FormatInt(f.ddat, 10)), share)
		total += f.returns
		mismatched += f.mismatched
		others += f.others
	}
	tw.Flush()
	fmt.Fprintf(d.out, "   Headcount and DDaT headcount are sums over civil-service returns; local-government bodies send leadership answers only.\n")
	checked := len(d.sent)
	switch {
	case mismatched == 0:
		fmt.Fprintf(d.out, "   %d returns read in %s; each of the %d this run sent reads back with the figures sent.\n", total, took.Round(10*time.Millisecond), checked)
	default:
		fmt.Fprintf(d.out, "   %d returns read in %s; %d do not hold the figures this run sent (changed since by someone else?).\n", total, took.Round(10*time.Millisecond), mismatched)
		d.fail("%d returns read back differ from what was sent", mismatched)
	}
	if others > 0 {
		fmt.Fprintf(d.out, "   %d returns from organisations outside the starting register (made by the tests) are left out.\n", others)
	}
	return took, nil
}

// matches reports whether a stored return holds the values sent, compared as the API
// normalises them: numbers by value, yes/no as booleans.
func matches(v returnView, sent map[string]string) bool {
	for k, s := range sent {
		raw, ok := v.Values[k]
		if !ok {
			return false
		}
		f, _ := workforce.FieldByKey(k)
		switch {
		case f.Numeric():
			a, err1 := strconv.ParseFloat(string(raw), 64)
			b, err2 := strconv.ParseFloat(s, 64)
			if err1 != nil || err2 != nil || a != b {
				return false
			}
		case f.Type == workforce.TypeYesNo:
			if string(raw) != strconv.FormatBool(strings.EqualFold(s, "yes")) {
				return false
			}
		default:
			var got string
			if json.Unmarshal(raw, &got) != nil || got != s {
				return false
			}
		}
	}
	return true
}

func (d *demo) summary(orgs []workforce.Organisation, quarters []period.Quarter, submitTook, readTook, total time.Duration) {
	byFormat := map[workforce.Format]int{}
	byVersion := map[int]int{}
	warnings := map[string]int{}
	created, dups := 0, 0
	for _, a := range d.accepted {
		byFormat[a.format]++
		if a.receipt.Duplicate {
			dups++
		} else {
			created++
			byVersion[a.receipt.Version]++
		}
		for _, w := range a.receipt.Warnings {
			warnings[w.Code]++
		}
	}
	cs, lg := kinds(orgs)
	fmt.Fprintf(d.out, "\nSummary\n")
	tw := tabwriter.NewWriter(d.out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "   organisations\t%d (%d civil service, %d local government)\n", len(orgs), cs, lg)
	fmt.Fprintf(tw, "   quarters\t%d (%s to %s)\n", len(quarters), quarters[0], quarters[len(quarters)-1])
	var fs []string
	for _, f := range append(slices.Clone(formats), workforce.FormatExtract) {
		fs = append(fs, fmt.Sprintf("%s %d", strings.ToUpper(string(f)), byFormat[f]))
	}
	fmt.Fprintf(tw, "   returns accepted\t%d: %s\n", len(d.accepted), strings.Join(fs, ", "))
	var vs []string
	for _, n := range slices.Sorted(maps.Keys(byVersion)) {
		vs = append(vs, fmt.Sprintf("%d as version %d", byVersion[n], n))
	}
	if len(vs) == 0 {
		vs = []string{"none"}
	}
	fmt.Fprintf(tw, "   new versions\t%d (%s)\n", created, strings.Join(vs, ", "))
	fmt.Fprintf(tw, "   duplicates\t%d (200, \"duplicate\": true: the figures match the current version)\n", dups)
	fmt.Fprintf(tw, "   rejections\t%d (422, nothing stored)\n", d.rejected)
	codes := slices.Collect(maps.Keys(warnings))
	sort.Slice(codes, func(i, j int) bool {
		if warnings[codes[i]] != warnings[codes[j]] {
			return warnings[codes[i]] > warnings[codes[j]]
		}
		return codes[i] < codes[j]
	})
	var ws []string
	for _, c := range codes {
		ws = append(ws, fmt.Sprintf("%s %d", c, warnings[c]))
	}
	if len(ws) == 0 {
		ws = []string{"none"}
	}
	fmt.Fprintf(tw, "   warnings\t%s (on the receipts; stored with the versions)\n", strings.Join(ws, ", "))
	fmt.Fprintf(tw, "   time taken\t%s (submissions %s, read back %s)\n", total.Round(10*time.Millisecond), submitTook.Round(10*time.Millisecond), readTook.Round(10*time.Millisecond))
	tw.Flush()
	if created == 0 && dups > 0 {
		fmt.Fprintf(d.out, "\nNothing new was stored: an earlier run already sent these figures, so every submission was a duplicate of the current version.\n")
	} else if dups > 1 {
		fmt.Fprintf(d.out, "\n%d submissions were duplicates of returns an earlier run stored; %d created versions.\n", dups, created)
	}
	if warnings["late_return"] > 0 {
		fmt.Fprintf(d.out, "The late_return warnings are expected: the demo sends past quarters' returns today, long after they were due.\n")
	}
}

func statusText(code int) string { return strconv.Itoa(code) + " " + http.StatusText(code) }

func yesNoFlip(s string) string {
	if s == "yes" {
		return "no"
	}
	return "yes"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
