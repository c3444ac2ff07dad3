package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ddat-workforce/returns/shared/cloudwatch"
	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/dynamo"
	"github.com/ddat-workforce/returns/shared/editions"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/ingest"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/s3store"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Clients are the AWS SDK clients, created once per process (at Lambda init), never per
// request.
type Clients struct {
	DynamoDB *dynamodb.Client
	S3       *s3.Client
}

// NewClients builds the SDK clients. On the local stack the endpoints point at DynamoDB
// Local and versitygw, with path-style S3 addressing.
func NewClients(ctx context.Context, cfg Config, opts ...func(*config.LoadOptions) error) (Clients, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx, append([]func(*config.LoadOptions) error{config.WithRegion(cfg.Region)}, opts...)...)
	if err != nil {
		return Clients{}, fmt.Errorf("load AWS config: %w", err)
	}
	return Clients{
		DynamoDB: dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
			if cfg.DynamoDBEndpoint != "" {
				o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
			}
		}),
		S3: s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			if cfg.S3Endpoint != "" {
				o.BaseEndpoint = aws.String(cfg.S3Endpoint)
				o.UsePathStyle = true
			}
		}),
	}, nil
}

// Logger is the JSON logger every function uses.
func Logger() *slog.Logger { return slog.New(slog.NewJSONHandler(os.Stderr, nil)) }

// NewAPI builds the HTTP API over the given clients. The targets file is loaded here, at
// init: a bad file stops the function with a clear message before it serves anything.
func NewAPI(cfg Config, c Clients, log *slog.Logger) (*httpapi.API, error) {
	set, err := targets.Default()
	if err != nil {
		return nil, fmt.Errorf("targets file: %w", err)
	}
	recorder := &cloudwatch.Metrics{W: os.Stdout}
	// The calendar is checked here too: a bad one stops every function at start-up.
	cal, err := collection.Default(cfg.DueDays, cfg.FirstQuarter)
	if err != nil {
		return nil, err
	}
	store := &dynamo.Store{DB: c.DynamoDB, Table: cfg.TableName}
	files := &s3store.Store{Client: c.S3, Bucket: cfg.BucketName}
	svc := &workforce.Service{
		Returns:       store,
		Organisations: store,
		Files:         files,
		SignOffs:      store,
		ParseXLSX:     returntemplate.Parse,
		DueDays:       cfg.DueDays,
		Log:           log,
	}
	rollups := &rollup.Service{
		Returns:       store,
		Organisations: store,
		Store:         store,
		Blobs:         files,
		Workbook:      editions.RenderFormat,
		Targets:       set,
		DueDays:       cfg.DueDays,
		FirstQuarter:  cfg.FirstQuarter,
		Recorder:      recorder,
	}
	// Only the reminders function gives it a sender (withSender).
	coll := &collection.Service{Calendar: cal, Organisations: store, Returns: store, Records: store, Log: log}
	extracts := &ingest.Service{Extracts: store, Objects: files, Returns: svc, Log: log}
	return &httpapi.API{
		Service:        svc,
		Rollups:        rollups,
		Collection:     coll,
		Extracts:       extracts,
		Presign:        files.PresignGet,
		Template:       template,
		Claims:         httpapi.Claims{Org: cfg.OrgClaim, Roles: cfg.RolesClaim},
		MaxUploadBytes: cfg.MaxUploadBytes,
		FirstQuarter:   cfg.FirstQuarter,
		Log:            log,
		Metrics:        recorder,
	}, nil
}

func template(orgs []workforce.Organisation, periods []period.Quarter, prefill map[string]string) ([]byte, error) {
	return returntemplate.Template(returntemplate.TemplateOptions{Organisations: orgs, Periods: periods, Prefill: prefill})
}

// clientsAndAPI builds one function's SDK clients (once, at init), logger and API.
func clientsAndAPI(ctx context.Context, cfg Config) (*httpapi.API, *slog.Logger, error) {
	c, err := NewClients(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	log := Logger()
	api, err := NewAPI(cfg, c, log)
	if err != nil {
		return nil, nil, err
	}
	return api, log, nil
}

// NewSubmitHandler is the submit function: it writes returns and the register.
func NewSubmitHandler(ctx context.Context, cfg Config) (httpapi.Handler, error) {
	api, _, err := clientsAndAPI(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return api.Handler(httpapi.FunctionSubmit), nil
}

// NewReadHandler is the read function: returns, the register and the template.
func NewReadHandler(ctx context.Context, cfg Config) (httpapi.Handler, error) {
	api, _, err := clientsAndAPI(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return api.Handler(httpapi.FunctionRead), nil
}

// NewRollupHandler is the rollup function: the monthly schedule and POST /rollups/{month}.
func NewRollupHandler(ctx context.Context, cfg Config) (func(context.Context, json.RawMessage) (any, error), error) {
	api, log, err := clientsAndAPI(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return RollupHandler(api.Handler(httpapi.FunctionRollup), api.Rollups, log), nil
}
