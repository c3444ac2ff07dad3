package app

import (
	"log/slog"
	"os"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/portal"
)

// NewPortalHandler builds the portal function's handler from its environment. The portal
// needs no AWS client: it reaches the data through the JSON API. It reads the collection's
// calendar as the API does (DUE_DAYS, FIRST_QUARTER), to say which quarters are owed.
func NewPortalHandler() (httpapi.Handler, error) {
	cfg, err := portal.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	due, err := DueDaysFromEnv()
	if err != nil {
		return nil, err
	}
	first, err := FirstQuarterFromEnv()
	if err != nil {
		return nil, err
	}
	cal, err := collection.Default(due, first)
	if err != nil {
		return nil, err
	}
	cfg.Calendar = &cal
	s, err := portal.New(cfg, slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err != nil {
		return nil, err
	}
	return portal.LambdaHandler(s), nil
}
