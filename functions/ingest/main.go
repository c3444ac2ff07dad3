// Command ingest is the ingest Lambda function: it reads staff extracts uploaded under
// extracts/ when S3 tells of them. Configuration, wiring, lambda.Start.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ddat-workforce/returns/shared/app"
)

func main() {
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		app.Fail("configuration", err)
	}
	h, err := app.NewIngestHandler(context.Background(), cfg)
	if err != nil {
		app.Fail("wiring", err)
	}
	lambda.Start(h)
}
