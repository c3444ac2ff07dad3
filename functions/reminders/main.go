// Command reminders is the reminders Lambda function: the daily EventBridge schedule and
// the admin route POST /reminders/{date}. Configuration, wiring, lambda.Start.
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
	h, err := app.NewRemindersHandler(context.Background(), cfg)
	if err != nil {
		app.Fail("wiring", err)
	}
	lambda.Start(h)
}
