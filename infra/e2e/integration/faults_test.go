package integration

import (
	"context"
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Faults are injected as SDK middleware on the real DynamoDB and S3 clients, between the
// SDK and DynamoDB Local or versitygw, so the adapters see exactly what AWS would send.

type faultKind string

const (
	faultThrottled faultKind = "throttled"                     // DynamoDB ThrottlingException, S3 SlowDown
	faultServer    faultKind = "5xx"                           // InternalServerError / InternalError
	faultTimeout   faultKind = "timeout"                       // no answer: the request never arrived
	faultLost      faultKind = "response lost after the write" // the request is served, its answer dropped
)

var faultKinds = []faultKind{faultThrottled, faultServer, faultTimeout, faultLost}

// injector records every SDK call by operation name and fails the one it is armed for.
type injector struct {
	mu    sync.Mutex
	calls []string
	armed int // which call (from 1) to fail; 0 fails none
	kind  faultKind
}

func (in *injector) arm(n int, k faultKind) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.calls, in.armed, in.kind = nil, n, k
}

// seen lists the calls since the last arm.
func (in *injector) seen() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.calls...)
}

// add puts the injector last in the deserialize step: nearest the wire, under the SDK's
// retryer and its response parsing.
func (in *injector) add(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("injectFault", in.handle), middleware.After)
}

func (in *injector) handle(ctx context.Context, input middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	in.mu.Lock()
	in.calls = append(in.calls, awsmw.GetOperationName(ctx))
	hit, kind := in.armed == len(in.calls), in.kind
	in.mu.Unlock()
	if !hit {
		return next.HandleDeserialize(ctx, input)
	}
	s3 := awsmw.GetServiceID(ctx) == "S3"
	switch kind {
	case faultThrottled:
		if s3 {
			return awsError(s3, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
		}
		return awsError(s3, http.StatusBadRequest, "ThrottlingException", "Rate of requests exceeds the allowed throughput.")
	case faultServer:
		if s3 {
			return awsError(s3, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		}
		return awsError(s3, http.StatusInternalServerError, "InternalServerError", "Internal server error")
	case faultTimeout:
		return middleware.DeserializeOutput{}, middleware.Metadata{}, &smithyhttp.RequestSendError{
			Err: &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}}
	case faultLost:
		out, md, err := next.HandleDeserialize(ctx, input)
		if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return middleware.DeserializeOutput{}, md, &smithyhttp.RequestSendError{
			Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	}
	panic("unknown fault " + kind)
}

// awsError is the answer AWS sends for an error, for the SDK to parse into its types.
func awsError(s3 bool, status int, code, message string) (middleware.DeserializeOutput, middleware.Metadata, error) {
	ct, body := "application/x-amz-json-1.0", fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, code, message)
	if s3 {
		ct, body = "application/xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>injected</RequestId></Error>`, code, message)
	}
	// DynamoDB signs its bodies with a CRC32 the SDK checks.
	crc := fmt.Sprint(crc32.ChecksumIEEE([]byte(body)))
	resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}, "X-Amzn-Requestid": {"injected"}, "X-Amz-Crc32": {crc}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
	return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: resp}}, middleware.Metadata{}, nil
}

// faulty is the API in process over clients carrying inj. The SDK's retryer is off, so
// every injected fault reaches the service (TestSDKRetriesAbsorbAThrottle runs with it on).
func (h *harness) faulty(inj *injector) *inProcess {
	p := h.inProcess(config.WithAPIOptions([]func(*middleware.Stack) error{inj.add}),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }))
	p.clean = h.inProcess()
	return p
}

func (p *inProcess) freshOrg(t *testing.T, kind workforce.OrgKind) workforce.Organisation {
	t.Helper()
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<40))
	o := workforce.Organisation{Code: fmt.Sprintf("F%X", n), Name: "Fault test organisation", Parent: "CO", Kind: kind, BaselineHeadcount: 12000}
	if err := p.store.PutOrganisation(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

// checkReturn asserts that org's return for q is whole: versions contiguous from 1, the
// current pointer on the newest (and only when there is a version), and every version's
// file kept. It answers the number of versions.
func (p *inProcess) checkReturn(t *testing.T, org string, q period.Quarter) int {
	t.Helper()
	p = p.reads()
	ctx := context.Background()
	vs, err := p.store.Versions(ctx, org, q)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := p.store.Current(ctx, org, q)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v.Number != i+1 {
			t.Errorf("%s %s: versions not contiguous: position %d holds %d", org, q, i+1, v.Number)
		}
		if _, err := p.clients.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &p.cfg.BucketName, Key: &v.FileKey}); err != nil {
			t.Errorf("%s %s: version %d points at a missing file %s: %v", org, q, v.Number, v.FileKey, err)
		}
	}
	switch {
	case len(vs) == 0 && cur != nil:
		t.Errorf("%s %s: a current pointer (version %d) without a version", org, q, cur.Number)
	case len(vs) > 0 && cur == nil:
		t.Errorf("%s %s: %d versions without a current pointer", org, q, len(vs))
	case len(vs) > 0 && (cur.Number != len(vs) || cur.SHA256 != vs[len(vs)-1].SHA256):
		t.Errorf("%s %s: the current pointer is on version %d of %d", org, q, cur.Number, len(vs))
	}
	return len(vs)
}

// checkIdempotency asserts that the record for key, if any, answers only versions that
// exist. The scope is the service's: "sub:" and the token's subject.
func (p *inProcess) checkIdempotency(t *testing.T, subject, key string, mustExist bool) {
	t.Helper()
	p = p.reads()
	ctx := context.Background()
	rec, err := p.store.Idempotency(ctx, "sub:"+subject, key)
	if err != nil {
		t.Fatal(err)
	}
	if rec == nil {
		if mustExist {
			t.Errorf("no idempotency record for %s after a successful request", key)
		}
		return
	}
	for _, rc := range rec.Receipts {
		q, _ := period.ParseQuarter(rc.Period)
		v, err := p.store.Version(ctx, rc.Org, q, rc.Version)
		if err != nil {
			t.Fatal(err)
		}
		if v == nil || v.SHA256 != rc.SHA256 || (!rc.Duplicate && v.SubmissionID != rc.SubmissionID) {
			t.Errorf("idempotency record %s answers %s %s version %d, which is not stored as answered (%+v)", key, rc.Org, rc.Period, rc.Version, v)
		}
	}
}

// A submission scenario: the state before it, what it sends, and how many versions each
// of its organisations has once it has been sent and retried.
type submissionScenario struct {
	name     string
	orgs     int
	setup    func(t *testing.T, p *inProcess, orgs []workforce.Organisation)
	send     func(p *inProcess, who workforce.Principal, orgs []workforce.Organisation, key string) ([]workforce.Receipt, error)
	versions int // of each organisation, after the retry
	created  bool
}

func submitOne(values func(workforce.Organisation) map[string]string) func(*inProcess, workforce.Principal, []workforce.Organisation, string) ([]workforce.Receipt, error) {
	return func(p *inProcess, who workforce.Principal, orgs []workforce.Organisation, key string) ([]workforce.Receipt, error) {
		who.Org = orgs[0].Code
		rc, _, err := p.api.Service.Submit(context.Background(), workforce.Upload{Principal: who, Format: workforce.FormatJSON,
			Body: sample.JSON(values(orgs[0])), IdempotencyKey: key})
		if err != nil {
			return nil, err
		}
		return []workforce.Receipt{rc}, nil
	}
}

// faultQuarter is where the fault tests submit: not the quarter the rollup tests sum, so
// the hundred-odd returns they store do not weigh on those figures.
var faultQuarter = period.MustQuarter("2024-25-Q3")

func first(o workforce.Organisation) map[string]string { return sampleFor(o, faultQuarter) }

func revised(o workforce.Organisation) map[string]string {
	v := sampleFor(o, faultQuarter)
	v["cslg_members"] = "88"
	v[workforce.KeyRevisionReason] = "CSLG membership corrected."
	return v
}

func storeFirst(t *testing.T, p *inProcess, orgs []workforce.Organisation) {
	for _, o := range orgs {
		who := workforce.Principal{Subject: "setup", Org: o.Code, Roles: []string{"submitter"}}
		if _, _, err := p.api.Service.Submit(context.Background(), workforce.Upload{Principal: who, Format: workforce.FormatJSON, Body: sample.JSON(first(o))}); err != nil {
			t.Fatal(err)
		}
	}
}

var submissionScenarios = []submissionScenario{
	{name: "first version", orgs: 1, send: submitOne(first), versions: 1, created: true},
	{name: "revision", orgs: 1, setup: storeFirst, send: submitOne(revised), versions: 2, created: true},
	{name: "duplicate", orgs: 1, setup: storeFirst, send: submitOne(first), versions: 1},
	{name: "bulk of two", orgs: 2, versions: 1, created: true,
		send: func(p *inProcess, who workforce.Principal, orgs []workforce.Organisation, key string) ([]workforce.Receipt, error) {
			who.Roles = []string{"admin"}
			return p.api.Service.SubmitBulk(context.Background(), workforce.Upload{Principal: who,
				Body: sample.BulkCSV([]map[string]string{first(orgs[0]), first(orgs[1])}), IdempotencyKey: key})
		}},
}

// Every DynamoDB and S3 call a submission makes fails in turn, each way a call can fail.
// Whatever the failure, nothing partial is stored, no file is left that no version
// references, and a retry with the same Idempotency-Key gives exactly one version.
func TestSubmissionSurvivesFaults(t *testing.T) {
	h := newHarness(t)
	inj := &injector{}
	p := h.faulty(inj)
	cases := 0
	for _, sc := range submissionScenarios {
		// A run without faults lists the calls the scenario makes.
		orgs := make([]workforce.Organisation, sc.orgs)
		for i := range orgs {
			orgs[i] = p.freshOrg(t, workforce.CivilService)
		}
		if sc.setup != nil {
			sc.setup(t, p, orgs)
		}
		inj.arm(0, "")
		if _, err := sc.send(p, workforce.Principal{Subject: "dry-run", Roles: []string{"submitter"}}, orgs, "dry-run-"+orgs[0].Code); err != nil {
			t.Fatalf("%s without faults: %v", sc.name, err)
		}
		calls := inj.seen()
		for i, op := range calls {
			for _, kind := range faultKinds {
				cases++
				t.Run(fmt.Sprintf("%s/call %d %s/%s", sc.name, i+1, op, kind), func(t *testing.T) {
					runSubmissionFault(t, p, inj, sc, i+1, op, kind)
				})
			}
		}
	}
	t.Logf("%d faults injected into submissions", cases)
}

func runSubmissionFault(t *testing.T, p *inProcess, inj *injector, sc submissionScenario, call int, op string, kind faultKind) {
	orgs := make([]workforce.Organisation, sc.orgs)
	for i := range orgs {
		orgs[i] = p.freshOrg(t, workforce.CivilService)
	}
	if sc.setup != nil {
		sc.setup(t, p, orgs)
	}
	who := workforce.Principal{Subject: "faulty-" + orgs[0].Code, Roles: []string{"submitter"}}
	key := "fault-" + orgs[0].Code
	dated := "uploads/" + time.Now().UTC().Format("2006/01/02") + "/"
	filesBefore := map[string]bool{}
	for _, k := range p.uploads(t, dated) {
		filesBefore[k] = true
	}

	inj.arm(call, kind)
	got, err := sc.send(p, who, orgs, key)
	if seen := inj.seen(); len(seen) < call {
		t.Fatalf("the fault was not injected: only %d calls (%v)", len(seen), seen)
	}
	inj.arm(0, "")
	// A failed call fails the request, except a transaction whose answer was lost: the
	// service reads back that it was stored and answers its receipt.
	if recovered := kind == faultLost && op == "TransactWriteItems"; recovered != (err == nil) {
		t.Errorf("answered %+v, %v; want success %v", got, err, recovered)
	}
	for _, o := range orgs {
		p.checkReturn(t, o.Code, faultQuarter)
	}
	p.checkIdempotency(t, who.Subject, key, err == nil)

	retried, err := sc.send(p, who, orgs, key)
	if err != nil {
		t.Fatalf("retry with the same Idempotency-Key: %v", err)
	}
	for _, o := range orgs {
		if n := p.checkReturn(t, o.Code, faultQuarter); n != sc.versions {
			t.Errorf("%s has %d versions after the retry, want %d", o.Code, n, sc.versions)
		}
		if left := p.unreferencedUploads(t, o.Code, faultQuarter); len(left) > 0 {
			t.Errorf("%s: %d files without a version:\n%s", o.Code, len(left), joinLines(left))
		}
	}
	p.checkIdempotency(t, who.Subject, key, true)
	if got != nil && (len(got) != len(retried) || got[0].SubmissionID != retried[0].SubmissionID) {
		t.Errorf("the first answer %+v and the retry's %+v differ", got, retried)
	}
	if sc.created && retried[len(retried)-1].Duplicate {
		t.Errorf("the retry answers a duplicate where the request created a version: %+v", retried)
	}
	// Bulk files are kept by date: every one this case stored is referenced.
	referenced := map[string]bool{}
	for _, o := range orgs {
		vs, _ := p.store.Versions(context.Background(), o.Code, faultQuarter)
		for _, v := range vs {
			referenced[v.FileKey] = true
		}
	}
	for _, k := range p.uploads(t, dated) {
		if !filesBefore[k] && !referenced[k] && sc.orgs > 1 {
			t.Errorf("bulk file %s has no version", k)
		}
	}
}

// With the SDK's own retryer on (the standard one, as on Lambda), a throttled call is
// retried under the service and the submission succeeds: the injector sees the call twice.
func TestSDKRetriesAbsorbAThrottle(t *testing.T) {
	h := newHarness(t)
	inj := &injector{}
	p := h.inProcess(config.WithAPIOptions([]func(*middleware.Stack) error{inj.add}),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			})
		}))
	o := p.freshOrg(t, workforce.CivilService)
	who := workforce.Principal{Subject: "retried-" + o.Code, Org: o.Code, Roles: []string{"submitter"}}
	// Without an Idempotency-Key the fifth call is the transaction: the organisation, the
	// quarter before, the current version, the file, then the new version.
	inj.arm(5, faultThrottled)
	rc, created, err := p.api.Service.Submit(context.Background(), workforce.Upload{Principal: who, Format: workforce.FormatJSON, Body: sample.JSON(first(o))})
	if err != nil || !created || rc.Version != 1 {
		t.Fatalf("submission: %+v %v %v", rc, created, err)
	}
	calls := inj.seen()
	if len(calls) != 6 || calls[4] != "TransactWriteItems" || calls[5] != "TransactWriteItems" {
		t.Errorf("calls %v, want the throttled TransactWriteItems attempted twice", calls)
	}
	p.checkReturn(t, o.Code, faultQuarter)
}

// faultMonth is rolled up only here: its reference quarter is before any quarter the other
// tests submit for, so only the register changes its inputs.
const faultMonth = "2024-02"

// Every call a rollup makes fails in turn. The month's latest pointer always names a
// stored revision and snapshot, no revision exists beyond it, and running again after
// the failure gives exactly one new revision.
func TestRollupSurvivesFaults(t *testing.T) {
	h := newHarness(t)
	inj := &injector{}
	p := h.faulty(inj)
	// Workbooks are stored as the real ones are; rendering them is not under test.
	p.api.Rollups.Workbook = func(s rollup.Snapshot, edition, format string) ([]byte, error) {
		return []byte(fmt.Sprintf("%s r%d %s %s", s.Month, s.Revision, edition, format)), nil
	}
	m, err := period.ParseMonth(faultMonth)
	if err != nil {
		t.Fatal(err)
	}
	run := func() (rollup.Snapshot, bool, error) { return p.api.Rollups.Run(context.Background(), m, "fault-test") }
	p.freshOrg(t, workforce.CivilService) // new inputs, so the run makes a revision
	inj.arm(0, "")
	if _, created, err := run(); err != nil || !created {
		t.Fatalf("rollup without faults: created %v, %v", created, err)
	}
	calls := inj.seen()
	for i, op := range calls {
		for _, kind := range faultKinds {
			t.Run(fmt.Sprintf("call %d %s/%s", i+1, op, kind), func(t *testing.T) {
				before := p.checkRollup(t, faultMonth)
				p.freshOrg(t, workforce.CivilService)
				inj.arm(i+1, kind)
				_, _, err := run()
				if len(inj.seen()) < i+1 {
					t.Fatalf("the fault was not injected: calls %v", inj.seen())
				}
				inj.arm(0, "")
				if err == nil {
					t.Errorf("the rollup succeeded despite %s on %s", kind, op)
				}
				p.checkRollup(t, faultMonth)
				snap, _, err := run()
				if err != nil {
					t.Fatalf("rollup run again: %v", err)
				}
				if after := p.checkRollup(t, faultMonth); after != before+1 || snap.Revision != after {
					t.Errorf("revisions went from %d to %d (snapshot revision %d), want one more", before, after, snap.Revision)
				}
			})
		}
	}
}

// checkRollup asserts that month's latest pointer names a stored revision whose snapshot
// is kept, that every revision up to it is stored and none beyond it. It answers the
// latest revision.
func (p *inProcess) checkRollup(t *testing.T, month string) int {
	t.Helper()
	p = p.reads()
	ctx := context.Background()
	latest, err := p.store.LatestRollup(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if latest != nil {
		n = latest.Revision
		if _, err := p.api.Rollups.Blobs.Get(ctx, latest.SnapshotKey); err != nil {
			t.Errorf("%s revision %d: the snapshot is missing: %v", month, n, err)
		}
	}
	for r := 1; r <= n; r++ {
		if rec, err := p.store.Rollup(ctx, month, r); err != nil || rec == nil {
			t.Errorf("%s: the latest pointer is at %d but revision %d is not stored (%v)", month, n, r, err)
		}
	}
	if rec, err := p.store.Rollup(ctx, month, n+1); err != nil || rec != nil {
		t.Errorf("%s: revision %d is stored beyond the latest pointer (%v)", month, n+1, err)
	}
	return n
}
