// Command gateway is the local stand-in for API Gateway: it serves the routes table in front
// of the same handlers the Lambda functions run, verifying JWTs against a local JWKS.
//
// It also receives versitygw's bucket notifications on /_local/s3-events and delivers them
// to the ingest handler as the S3 events Lambda would receive.
//
// With PORTAL_CLIENT_ID set it serves the portal too, on its open routes (no authorizer),
// configured as portal.ConfigFromEnv reads it.
//
// Environment: GATEWAY_ADDR (default 127.0.0.1:8080; port 0 picks a free one), JWKS_FILE,
// JWT_ISSUER, JWT_AUDIENCE (comma-separated, like the stack parameter), and whatever
// app.ConfigFromEnv reads.
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
	"strings"
	"syscall"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localgateway"
	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/portal"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("gateway stopped", slog.String("error", err.Error()))
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	addr := envOr("GATEWAY_ADDR", "127.0.0.1:8080")
	for _, k := range []string{"JWKS_FILE", "JWT_ISSUER", "JWT_AUDIENCE"} {
		if os.Getenv(k) == "" {
			return fmt.Errorf("%s must be set", k)
		}
	}
	keys, err := localgateway.LoadJWKS(os.Getenv("JWKS_FILE"))
	if err != nil {
		return fmt.Errorf("JWKS_FILE: %w", err)
	}
	verifier, err := localgateway.NewVerifier(keys, os.Getenv("JWT_ISSUER"), audiences(os.Getenv("JWT_AUDIENCE")))
	if err != nil {
		return fmt.Errorf("JWT_ISSUER/JWT_AUDIENCE: %w", err)
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return err
	}
	handlers, err := app.Handlers(ctx, cfg)
	if err != nil {
		return err
	}
	ingest, err := app.NewIngestHandler(ctx, cfg)
	if err != nil {
		return err
	}
	// versitygw posts bucket notifications here; they reach the ingest handler as S3 events.
	events := &s3Events{ingest: ingest, log: log, retries: []time.Duration{time.Second, 2 * time.Second}, ctx: ctx}
	defer events.wg.Wait()
	opts := []localgateway.Option{localgateway.WithLogger(log)}
	// The portal is served when the stack configures its OpenID client (PORTAL_CLIENT_ID).
	if os.Getenv("PORTAL_CLIENT_ID") != "" {
		h, err := app.NewPortalHandler()
		if err != nil {
			return fmt.Errorf("portal: %w", err)
		}
		handlers[portal.FunctionPortal] = h
		opts = append(opts, localgateway.WithOpenRoutes(portal.Routes))
	}
	gw := localgateway.New(httpapi.Routes, handlers, verifier, opts...)
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == S3EventsPath {
			events.ServeHTTP(w, r)
			return
		}
		gw.ServeHTTP(w, r)
	})

	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second, // a 10 MB upload on a slow link
		// The integration may take its full timeout; leave room to write the answer.
		WriteTimeout:   localgateway.DefaultIntegrationTimeout + 30*time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("gateway listening", slog.String("addr", ln.Addr().String()), slog.Int("routes", len(httpapi.Routes)))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("gateway shutting down")
	// In-flight requests may be mid-write to DynamoDB: give them their integration timeout.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), localgateway.DefaultIntegrationTimeout+5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// audiences splits a comma-separated list, as CloudFormation splits a CommaDelimitedList.
func audiences(list string) []string {
	var out []string
	for a := range strings.SplitSeq(list, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
