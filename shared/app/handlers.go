package app

import (
	"context"

	"github.com/ddat-workforce/returns/shared/apigw"
)

// Handlers builds every API function's handler, by function name, for the local gateway.
func Handlers(ctx context.Context, cfg Config) (map[string]apigw.Handler, error) {
	submit, err := NewSubmitHandler(ctx, cfg)
	if err != nil {
		return nil, err
	}
	read, err := NewReadHandler(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return map[string]apigw.Handler{apigw.FunctionSubmit: submit, apigw.FunctionRead: read}, nil
}
