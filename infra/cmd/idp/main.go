// Command idp is the local stack's OpenID provider, standing in for the issuer the API trusts
// on AWS. It is built on zitadel/oidc's provider package (an OpenID Certified library) and
// serves discovery, a JWKS, the authorisation, token, userinfo and end-session endpoints,
// and a sign-in page where you choose a role and an organisation instead of a password.
//
// It has one client, the portal: confidential, authorisation code flow only, PKCE with S256
// required. Its tokens are signed with the stack's key (the one make token uses) under the
// stack's kid, and its access tokens are JWTs that the local gateway verifies.
//
// Environment (the stack sets all of it): IDP_ADDR (listen address, default
// 127.0.0.1:8081), JWT_ISSUER (the provider's own base URL), JWT_KEY_FILE and JWT_KID,
// PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET, PORTAL_REDIRECT_URIS and PORTAL_POST_LOGOUT_URIS
// (comma-separated).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localgateway"
	"github.com/ddat-workforce/returns/shared/register"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, log, os.Getenv); err != nil {
		log.Error("idp stopped", slog.String("error", err.Error()))
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, getenv func(string) string) error {
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	handler, err := newProvider(cfg)
	if err != nil {
		return err
	}
	addr := getenv("IDP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8081"
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("idp listening", slog.String("addr", ln.Addr().String()), slog.String("issuer", cfg.issuer))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// configFromEnv reads the provider's configuration, naming every variable that is missing.
func configFromEnv(getenv func(string) string) (config, error) {
	var missing []error
	for _, k := range []string{"JWT_ISSUER", "JWT_KEY_FILE", "JWT_KID", "PORTAL_CLIENT_ID", "PORTAL_CLIENT_SECRET", "PORTAL_REDIRECT_URIS"} {
		if getenv(k) == "" {
			missing = append(missing, fmt.Errorf("%s must be set", k))
		}
	}
	if len(missing) > 0 {
		return config{}, errors.Join(missing...)
	}
	key, err := localgateway.LoadPrivateKey(getenv("JWT_KEY_FILE"))
	if err != nil {
		return config{}, fmt.Errorf("JWT_KEY_FILE: %w", err)
	}
	orgs, err := register.Seed()
	if err != nil {
		return config{}, err
	}
	return config{
		issuer: getenv("JWT_ISSUER"),
		key:    signingKey{id: getenv("JWT_KID"), key: key},
		client: portalClient{
			id:             getenv("PORTAL_CLIENT_ID"),
			secret:         getenv("PORTAL_CLIENT_SECRET"),
			redirectURIs:   splitList(getenv("PORTAL_REDIRECT_URIS")),
			postLogoutURIs: splitList(getenv("PORTAL_POST_LOGOUT_URIS")),
		},
		orgs: orgs,
	}, nil
}
