package app

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/ddat-workforce/returns/shared/apigw"
)

// Placeholder wiring while the handlers are built; replaced in the next commit.
func placeholder(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusServiceUnavailable, Body: `{"title":"starting"}`}, nil
}

func NewSubmitHandler(ctx context.Context, cfg Config) (apigw.Handler, error) {
	return placeholder, nil
}
func NewReadHandler(ctx context.Context, cfg Config) (apigw.Handler, error) { return placeholder, nil }
