package app

import (
	"log/slog"
	"os"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/portal"
)

// NewPortalHandler builds the portal function's handler from its environment. The portal
// needs no AWS client: it reaches the data through the JSON API.
func NewPortalHandler() (httpapi.Handler, error) {
	cfg, err := portal.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	s, err := portal.New(cfg, slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err != nil {
		return nil, err
	}
	return portal.LambdaHandler(s), nil
}
