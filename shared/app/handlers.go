package app

import (
	"context"
	"errors"

	"github.com/ddat-workforce/returns/shared/httpapi"
)

// Handlers builds every function's API handler, by function name, for the local gateway.
// They share one set of clients, as each Lambda shares its own across invocations.
func Handlers(ctx context.Context, cfg Config) (map[string]httpapi.Handler, error) {
	api, _, err := clientsAndAPI(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The local stack sends reminders through its Mailpit; without a sender configured,
	// POST /reminders/{date} answers 500 and the other routes are served as ever.
	switch sc, err := SenderConfigFromEnv(); {
	case errors.Is(err, ErrNoSender):
	case err != nil:
		return nil, err
	default:
		if err := withSender(ctx, api, cfg, sc); err != nil {
			return nil, err
		}
	}
	hs := map[string]httpapi.Handler{}
	for _, r := range httpapi.Routes {
		hs[r.Function] = api.Handler(r.Function)
	}
	return hs, nil
}
