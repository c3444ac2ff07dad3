// Package bench measures the service on the local stack: the latency of a submission
// through the gateway, and the DynamoDB capacity one submission consumes. `make bench`
// starts the stack and runs these with the rest of the benchmarks; without the stack
// they fail, pointing at `make up`.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/dynamo"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/s3store"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// quarters the benchmarks spread their returns over: past quarters, so none is refused as
// being in the future.
var quarters = period.Range(period.MustQuarter("2023-24-Q1"), period.MustQuarter("2025-26-Q1"))

// distinctReturn is the i-th return of a run for o: it cycles through the quarters and
// changes one figure, so that every one is new content and creates a version.
func distinctReturn(o workforce.Organisation, i int) map[string]string {
	v := sample.Return(o, quarters[i%len(quarters)])
	v[workforce.KeyCSLGMembers] = strconv.Itoa(1000 + i/len(quarters)) // a civil-service organisation: CSLG members ≥ those who attended
	if i >= len(quarters) {
		v[workforce.KeyRevisionReason] = "CSLG membership corrected." // a revision says why
	}
	return v
}

func stackEnv(b *testing.B) localclient.Env {
	b.Helper()
	env, err := localclient.LoadEnv()
	if err != nil {
		b.Fatalf("this benchmark needs the local stack: %v", err)
	}
	return env
}

func newOrg(b *testing.B) workforce.Organisation {
	b.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(1<<40))
	if err != nil {
		b.Fatal(err)
	}
	return workforce.Organisation{Code: fmt.Sprintf("B%X", n), Name: "Benchmark organisation for " + b.Name(),
		Parent: "CO", Kind: workforce.CivilService, BaselineHeadcount: 12000}
}

// BenchmarkSubmitRoundTrip sends JSON returns one after another through the local gateway
// (JWT check, the submit handler, DynamoDB Local, versitygw) and reports the median and
// 99th-percentile time to the receipt.
func BenchmarkSubmitRoundTrip(b *testing.B) {
	ctx := context.Background()
	c, err := localclient.New(stackEnv(b))
	if err != nil {
		b.Fatal(err)
	}
	admin, err := c.Token("bench-admin", "CO", []string{"admin"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	o := newOrg(b)
	body, _ := json.Marshal(o)
	r, err := c.Do(ctx, "PUT", "/organisations/"+o.Code, admin, httpapi.ContentTypeJSON, body, nil)
	if err != nil {
		b.Fatalf("the local gateway at %s does not answer (%v); start the stack with `make up`", c.API, err)
	}
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		b.Fatalf("register %s: %d %s", o.Code, r.Status, r.Body)
	}
	tok, err := c.Token("bench-submitter", o.Code, []string{"submitter"}, nil)
	if err != nil {
		b.Fatal(err)
	}

	var latencies []time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		body := sample.JSON(distinctReturn(o, i))
		b.StartTimer()
		began := time.Now()
		r, err := c.Do(ctx, "POST", "/returns", tok, httpapi.ContentTypeJSON, body, nil)
		latencies = append(latencies, time.Since(began))
		if err != nil {
			b.Fatal(err)
		}
		if r.Status != http.StatusCreated {
			b.Fatalf("submission %d: %d %s", i, r.Status, r.Body)
		}
	}
	slices.Sort(latencies)
	b.ReportMetric(ms(percentile(latencies, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(latencies, 99)), "p99-ms")
}

// percentile is the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkDynamoDBCapacityPerSubmission submits returns through the service itself, over
// the DynamoDB store on DynamoDB Local and the S3 store on versitygw, asking DynamoDB for
// the capacity each call consumed. It reports read and write capacity units and DynamoDB
// calls per submission: what a submission would cost on an on-demand table.
func BenchmarkDynamoDBCapacityPerSubmission(b *testing.B) {
	ctx := context.Background()
	env := stackEnv(b)
	cfg := app.Config{TableName: env["TABLE_NAME"], BucketName: env["BUCKET_NAME"], Region: env["AWS_REGION"],
		DynamoDBEndpoint: env["DYNAMODB_ENDPOINT"], S3Endpoint: env["S3_ENDPOINT"]}
	if cfg.TableName == "" || cfg.BucketName == "" || cfg.DynamoDBEndpoint == "" {
		b.Fatal("stack.env has no TABLE_NAME, BUCKET_NAME or DYNAMODB_ENDPOINT; restart the stack with `make up`")
	}
	if cfg.Region == "" {
		cfg.Region = "eu-west-2"
	}
	clients, err := app.NewClients(ctx, cfg, config.WithCredentialsProvider(
		credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], "")))
	if err != nil {
		b.Fatal(err)
	}
	meter := &capacityMeter{API: clients.DynamoDB}
	store := &dynamo.Store{DB: meter, Table: cfg.TableName}
	svc := &workforce.Service{Returns: store, Organisations: store, ParseXLSX: returntemplate.Parse, DueDays: 30,
		Files: &s3store.Store{Client: clients.S3, Bucket: cfg.BucketName}}
	o := newOrg(b)
	if err := store.PutOrganisation(ctx, o); err != nil {
		b.Fatalf("DynamoDB Local at %s: %v; start the stack with `make up`", cfg.DynamoDBEndpoint, err)
	}
	who := workforce.Principal{Subject: "bench-submitter", Org: o.Code, Roles: []string{"submitter"}}

	bodies := make([][]byte, 0, 1024)
	meter.reset()
	n := 0
	for b.Loop() {
		b.StopTimer()
		if n == len(bodies) {
			bodies = append(bodies, sample.JSON(distinctReturn(o, n)))
		}
		body := bodies[n]
		b.StartTimer()
		_, created, err := svc.Submit(ctx, workforce.Upload{Principal: who, Format: workforce.FormatJSON, Body: body})
		if err != nil {
			b.Fatal(err)
		}
		if !created {
			b.Fatalf("submission %d was not stored as a new version", n)
		}
		n++
	}
	read, write, calls := meter.totals()
	if read == 0 && write == 0 {
		b.Fatal("DynamoDB reported no consumed capacity; it must answer ReturnConsumedCapacity")
	}
	b.ReportMetric(read/float64(n), "RCU/submission")
	b.ReportMetric(write/float64(n), "WCU/submission")
	b.ReportMetric(float64(calls)/float64(n), "calls/submission")
}

// capacityMeter asks DynamoDB for the capacity every call consumes, indexes included, and
// adds it up.
type capacityMeter struct {
	dynamo.API
	mu          sync.Mutex
	read, write float64
	calls       int
	items       int // items returned by reads
}

var _ dynamo.API = (*capacityMeter)(nil)

func (m *capacityMeter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read, m.write, m.calls, m.items = 0, 0, 0, 0
}

func (m *capacityMeter) totals() (read, write float64, calls int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.read, m.write, m.calls
}

// add counts consumed capacity as reads or writes by the kind of call. Capacity is asked
// for with INDEXES, so each entry's total includes what the table's indexes consumed (the
// current pointer's copy in gsi1); a transaction answers one entry per table.
func (m *capacityMeter) add(write bool, ccs ...types.ConsumedCapacity) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	for _, cc := range ccs {
		var units float64
		switch {
		case write && cc.WriteCapacityUnits != nil:
			units = *cc.WriteCapacityUnits
		case !write && cc.ReadCapacityUnits != nil:
			units = *cc.ReadCapacityUnits
		case cc.CapacityUnits != nil:
			units = *cc.CapacityUnits
		}
		if write {
			m.write += units
		} else {
			m.read += units
		}
	}
}

func (m *capacityMeter) countItems(n int) {
	m.mu.Lock()
	m.items += n
	m.mu.Unlock()
}

func one(cc *types.ConsumedCapacity) []types.ConsumedCapacity {
	if cc == nil {
		return nil
	}
	return []types.ConsumedCapacity{*cc}
}

func (m *capacityMeter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	req := *in
	req.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	out, err := m.API.GetItem(ctx, &req, opts...)
	if err == nil {
		m.add(false, one(out.ConsumedCapacity)...)
		if out.Item != nil {
			m.countItems(1)
		}
	}
	return out, err
}

func (m *capacityMeter) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	req := *in
	req.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	out, err := m.API.Query(ctx, &req, opts...)
	if err == nil {
		m.add(false, one(out.ConsumedCapacity)...)
		m.countItems(int(out.Count))
	}
	return out, err
}

func (m *capacityMeter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	req := *in
	req.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	out, err := m.API.PutItem(ctx, &req, opts...)
	if err == nil {
		m.add(true, one(out.ConsumedCapacity)...)
	}
	return out, err
}

func (m *capacityMeter) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	req := *in
	req.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
	out, err := m.API.TransactWriteItems(ctx, &req, opts...)
	if err == nil {
		m.add(true, out.ConsumedCapacity...)
	}
	return out, err
}
