package integration

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/dynamo"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
)

// inProcess is the API wired exactly as a Lambda wires it (app.NewAPI), in this test's
// process, over the stack's DynamoDB Local and versitygw: for tests that need to reach
// past the gateway, such as setting the clock or injecting faults into the SDK clients.
type inProcess struct {
	cfg     app.Config
	clients app.Clients
	api     *httpapi.API
	store   *dynamo.Store
	// clean, when set, is the same stack over clients without injected faults: what a
	// test reads to check the state a faulty request left. A connection the injector
	// cut must not make the check itself fail.
	clean *inProcess
}

// reads is the inProcess to check state through: the clean one when there is one.
func (p *inProcess) reads() *inProcess {
	if p.clean != nil {
		return p.clean
	}
	return p
}

func (h *harness) inProcess(opts ...func(*config.LoadOptions) error) *inProcess {
	h.t.Helper()
	for k, v := range h.env {
		h.t.Setenv(k, v)
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		h.t.Fatal(err)
	}
	c, err := app.NewClients(h.ctx, cfg, opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	api, err := app.NewAPI(cfg, c, app.Logger())
	if err != nil {
		h.t.Fatal(err)
	}
	return &inProcess{cfg: cfg, clients: c, api: api, store: &dynamo.Store{DB: c.DynamoDB, Table: cfg.TableName}}
}

// uploads lists the keys of the files kept under prefix.
func (p *inProcess) uploads(t *testing.T, prefix string) []string {
	p = p.reads()
	t.Helper()
	var keys []string
	pg := s3.NewListObjectsV2Paginator(p.clients.S3, &s3.ListObjectsV2Input{Bucket: &p.cfg.BucketName, Prefix: &prefix})
	for pg.HasMorePages() {
		page, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

// unreferencedUploads lists the files kept for org's return for q that no version of it
// references: each is a file left behind.
func (p *inProcess) unreferencedUploads(t *testing.T, org string, q period.Quarter) []string {
	p = p.reads()
	t.Helper()
	vs, err := p.store.Versions(context.Background(), org, q)
	if err != nil {
		t.Fatal(err)
	}
	referenced := map[string]bool{}
	for _, v := range vs {
		referenced[v.FileKey] = true
	}
	var out []string
	for _, k := range p.uploads(t, "uploads/"+org+"/") {
		if !referenced[k] {
			out = append(out, k)
		}
	}
	return out
}

// contentType is the Content-Type the bucket keeps for key.
func (p *inProcess) contentType(t *testing.T, key string) string {
	p = p.reads()
	t.Helper()
	out, err := p.clients.S3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &p.cfg.BucketName, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ContentType)
}

func joinLines(ss []string) string { return strings.Join(ss, "\n") }
