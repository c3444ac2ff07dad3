package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"github.com/ddat-workforce/returns/infra/kit/tabledef"
	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/dynamo"
	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/s3store"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/testsupport/sample"
	"github.com/ddat-workforce/returns/shared/workforce"
)

const (
	rollupOrgs     = 500
	rollupQuarters = 12
)

// BenchmarkRollup500x12 runs the rollup's reads and computation (what POST /rollups does
// before it writes) over 500 organisations ×
// 12 quarters of current returns held in DynamoDB Local, in a table of its own created
// from template.yaml. It reports wall time, items read and read capacity per rollup.
func BenchmarkRollup500x12(b *testing.B) {
	ctx := context.Background()
	env := stackEnv(b)
	cfg := app.Config{BucketName: env["BUCKET_NAME"], Region: "eu-west-2",
		DynamoDBEndpoint: env["DYNAMODB_ENDPOINT"], S3Endpoint: env["S3_ENDPOINT"], DueDays: 30}
	clients, err := app.NewClients(ctx, cfg, config.WithCredentialsProvider(
		credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], "")))
	if err != nil {
		b.Fatal(err)
	}
	table := benchTable(b, ctx, clients.DynamoDB)
	store := &dynamo.Store{DB: clients.DynamoDB, Table: table}
	first := period.MustQuarter("2023-24-Q1")
	last := first.Add(rollupQuarters - 1)
	seedRollup(b, ctx, store, first, last)

	set, err := targets.Default()
	if err != nil {
		b.Fatal(err)
	}
	meter := &capacityMeter{API: clients.DynamoDB}
	metered := &dynamo.Store{DB: meter, Table: table}
	svc := &rollup.Service{Returns: metered, Organisations: metered, Store: metered, Targets: set, DueDays: 30,
		FirstQuarter: first, Blobs: &s3store.Store{Client: clients.S3, Bucket: cfg.BucketName}}
	// One whole run first, writes included, so the benchmark fails if the rollup does.
	if _, _, err := svc.Run(ctx, period.MonthOf(last.Due(30)), "bench"); err != nil {
		b.Fatal(err)
	}
	month := period.MonthOf(last.Due(30)) // the first month whose reference quarter is last

	meter.reset()
	for b.Loop() {
		inputs, orgs, err := svc.Inputs(ctx, last)
		if err != nil {
			b.Fatal(err)
		}
		if len(inputs) != rollupOrgs*rollupQuarters {
			b.Fatalf("read %d returns, want %d", len(inputs), rollupOrgs*rollupQuarters)
		}
		res := metrics.Compute(metrics.ComputeInput{Returns: inputs, Register: orgs, Targets: set, Month: month, Reference: last, DueDays: 30})
		if len(res.Organisations) != rollupOrgs {
			b.Fatalf("%d organisation rows, want %d", len(res.Organisations), rollupOrgs)
		}
	}
	read, _, calls := meter.totals()
	meter.mu.Lock()
	items := meter.items
	meter.mu.Unlock()
	n := float64(b.N)
	b.ReportMetric(float64(items)/n, "items-read/op")
	b.ReportMetric(read/n, "RCU/op")
	b.ReportMetric(float64(calls)/n, "calls/op")
}

// benchTable creates a table of its own from template.yaml and deletes it afterwards.
func benchTable(b *testing.B, ctx context.Context, db *dynamodb.Client) string {
	src, err := os.ReadFile(reporoot.Path("template.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "ddat-bench-" + hex.EncodeToString(suffix)
	def, err := tabledef.FromTemplate(src, "ReturnsTable", name)
	if err != nil {
		b.Fatal(err)
	}
	if err := tabledef.Create(ctx, db, def); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}) })
	return name
}

// seedRollup writes 500 organisations and one current return for each of 12 quarters,
// through the store's own conditional writes.
func seedRollup(b *testing.B, ctx context.Context, store *dynamo.Store, first, last period.Quarter) {
	reg := workforce.Register{}
	var orgs []workforce.Organisation
	for i := range rollupOrgs {
		o := workforce.Organisation{Code: fmt.Sprintf("ORG%03d", i), Name: fmt.Sprintf("Organisation %d", i), Parent: "CO",
			Kind: workforce.CivilService, BaselineHeadcount: int64(500 + 97*i)}
		if i%25 == 0 {
			o.Kind, o.BaselineHeadcount = workforce.LocalGovernment, 0
		}
		if err := store.PutOrganisation(ctx, o); err != nil {
			b.Fatal(err)
		}
		reg[o.Code] = o
		orgs = append(orgs, o)
	}
	received := time.Now().UTC()
	jobs := make(chan workforce.Organisation)
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range jobs {
				for _, q := range period.Range(first, last) {
					var raw []workforce.RawField
					for k, v := range sample.Return(o, q) {
						raw = append(raw, workforce.RawField{Key: k, Value: v})
					}
					r, ps := workforce.Normalise(raw, reg, received)
					if len(ps) > 0 {
						once.Do(func() { failed = fmt.Errorf("%s %s: %v", o.Code, q, ps) })
						return
					}
					v := workforce.Version{SubmissionID: "bench", Org: r.Org, Period: r.Period, Number: 1, Kind: r.Kind,
						Values: r.Values, SHA256: r.ContentHash(), Format: "json", ReceivedAt: received, FirstReceivedAt: received}
					if err := store.Append(ctx, v, nil); err != nil {
						once.Do(func() { failed = err })
						return
					}
				}
			}
		}()
	}
	for _, o := range orgs {
		jobs <- o
	}
	close(jobs)
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
}
