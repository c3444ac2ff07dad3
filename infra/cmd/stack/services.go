package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// s3EventsPath is where the local gateway takes versitygw's bucket notifications.
const s3EventsPath = "/_local/s3-events"

// startStores starts DynamoDB Local and versitygw together and waits for both to answer.
// beforeS3 runs between the two: versitygw posts bucket notifications (objects created,
// as the template's notification delivers them) to the local gateway, and refuses to
// start unless something listens there.
func startStores(ctx context.Context, l layout, jar string, ports stackPorts, env stackEnv, beforeS3 func() error) error {
	jarDir := filepath.Dir(jar)
	dynamo, err := startService(l, "dynamodb", os.Environ(), javaCommand(),
		"-Djava.library.path="+filepath.Join(jarDir, "DynamoDBLocal_lib"),
		"-jar", jar, "-inMemory", "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(ports.dynamo))
	if err != nil {
		return fmt.Errorf("%w (DynamoDB Local needs Java 17+)", err)
	}
	log.Printf("DynamoDB Local on %s", env.Get("DYNAMODB_ENDPOINT"))
	if err := beforeS3(); err != nil {
		return err
	}
	filter := filepath.Join(l.state, "s3-events.json")
	if err := writeFileAtomic(filter, []byte(`{"s3:ObjectCreated:*": true}`+"\n"), 0o644); err != nil {
		return err
	}
	s3, err := startService(l, "s3", append(os.Environ(),
		"ROOT_ACCESS_KEY="+env.Get("AWS_ACCESS_KEY_ID"),
		"ROOT_SECRET_KEY="+env.Get("AWS_SECRET_ACCESS_KEY"),
	), l.versitygw, "--port", "127.0.0.1:"+strconv.Itoa(ports.s3), "--region", region, "--quiet",
		"--event-webhook-url", env.Get("API_URL")+s3EventsPath, "--event-filter", filter, "posix", l.s3Root)
	if err != nil {
		return err
	}
	log.Printf("versitygw on %s", env.Get("S3_ENDPOINT"))
	c := newClients(env)
	if err := waitReady(ctx, dynamo, dynamoTimeout, c.dynamoReady); err != nil {
		return err
	}
	return waitReady(ctx, s3, s3Timeout, c.s3Ready)
}

func javaCommand() string {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		return filepath.Join(home, "bin", "java")
	}
	return "java"
}

// buildGateway compiles the local gateway in the background, overlapping the JVM's start-up,
// and returns a function that waits for the binary. GATEWAY_BIN names a prebuilt one instead.
func buildGateway(ctx context.Context, l layout) func() (string, error) {
	return buildInBackground(ctx, l, "the local gateway", "gateway", l.gatewayPkg, "GATEWAY_BIN")
}

// buildIdP compiles the local OpenID provider the same way; IDP_BIN names a prebuilt one.
func buildIdP(ctx context.Context, l layout) func() (string, error) {
	return buildInBackground(ctx, l, "the local identity provider", "idp", l.idpPkg, "IDP_BIN")
}

// buildInBackground runs go build for pkg into .local/bin/name and returns a function that
// waits for the binary, unless the environment variable prebuilt names one.
func buildInBackground(ctx context.Context, l layout, what, name, pkg, prebuilt string) func() (string, error) {
	if bin := os.Getenv(prebuilt); bin != "" {
		return func() (string, error) { return bin, nil }
	}
	bin := filepath.Join(l.bin, name)
	type result struct {
		output []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
		cmd.Dir = l.root
		output, err := cmd.CombinedOutput()
		done <- result{output, err}
	}()
	return func() (string, error) {
		r := <-done
		if r.err != nil {
			return "", fmt.Errorf("build %s (go build -o %s %s): %w\n%s",
				what, l.rel(bin), pkg, r.err, bytes.TrimSpace(r.output))
		}
		return bin, nil
	}
}

// startGateway runs the local gateway with the stack's environment and waits for its health
// route.
func startGateway(ctx context.Context, l layout, bin string, port int, env stackEnv) error {
	environ := append(os.Environ(), env.Environ()...)
	environ = append(environ, "GATEWAY_ADDR=127.0.0.1:"+strconv.Itoa(port))
	gw, err := startService(l, "gateway", environ, bin)
	if err != nil {
		return err
	}
	log.Printf("gateway on %s", env.Get("API_URL"))
	return waitReady(ctx, gw, gatewayTimeout, func(ctx context.Context) error {
		return gatewayReady(ctx, env.Get("API_URL"))
	})
}

// gatewayReady succeeds once the local gateway's health route answers 200.
func gatewayReady(ctx context.Context, apiURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL+"/_local/health", nil)
	if err != nil {
		return fmt.Errorf("gateway health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("gateway health: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("gateway health: %s", resp.Status)
	}
	return nil
}

// startIdP runs the local OpenID provider with the stack's environment (its issuer, the
// signing key, the portal's client) and waits for its discovery document.
func startIdP(ctx context.Context, l layout, bin string, port int, env stackEnv) error {
	environ := append(os.Environ(), env.Environ()...)
	environ = append(environ,
		"IDP_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"PORTAL_REDIRECT_URIS="+env.Get("API_URL")+portalCallbackPath,
		"PORTAL_POST_LOGOUT_URIS="+env.Get("API_URL")+portalSignedOutPath,
	)
	idp, err := startService(l, "idp", environ, bin)
	if err != nil {
		return err
	}
	log.Printf("identity provider on %s", env.Get("IDP_URL"))
	return waitReady(ctx, idp, idpTimeout, func(ctx context.Context) error {
		return idpReady(ctx, env.Get("IDP_URL"))
	})
}

// idpReady succeeds once the provider serves its discovery document.
func idpReady(ctx context.Context, idpURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, idpURL+"/.well-known/openid-configuration", nil)
	if err != nil {
		return fmt.Errorf("identity provider: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("identity provider: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("identity provider: discovery answered %s", resp.Status)
	}
	return nil
}

// waitReady polls probe until it succeeds, the service exits, or timeout passes; the error
// names the log to read.
func waitReady(ctx context.Context, s *service, timeout time.Duration, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(150 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := s.exited(); err != nil {
			return err
		}
		probeCtx, cancelProbe := context.WithTimeout(ctx, 2*time.Second)
		lastErr := probe(probeCtx)
		cancelProbe()
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%s not ready after %s (%w); see %s", s.name, timeout, lastErr, s.log)
			}
			return fmt.Errorf("wait for %s: %w", s.name, ctx.Err())
		case <-s.done:
		case <-tick.C:
		}
	}
}
