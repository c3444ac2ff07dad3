// Command portal is the portal Lambda function (SPEC §9): configuration, wiring,
// lambda.Start. It holds no data permission; it calls the JSON API with each user's token.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ddat-workforce/returns/shared/app"
)

func main() {
	h, err := app.NewPortalHandler()
	if err != nil {
		app.Fail("configuration", err)
	}
	lambda.Start(h)
}
