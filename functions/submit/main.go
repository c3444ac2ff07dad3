// Command submit is the submit Lambda function: configuration, wiring, lambda.Start.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ddat-workforce/returns/shared/app"
)

func main() {
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		slog.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	h, err := app.NewSubmitHandler(context.Background(), cfg)
	if err != nil {
		slog.Error("init", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h)
}
