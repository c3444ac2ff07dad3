// Command token prints a signed JWT that the local gateway accepts.
//
//	go run ./infra/cmd/token -role admin -org HMRC [-roles admin,leader] [-ttl 1h] [-aud …] [-sub …]
//
// It reads JWT_KEY_FILE, JWT_KID, JWT_ISSUER and JWT_AUDIENCE from the stack's env file:
// $STACK_ENV, or .local/stack.env at the repository root. A negative -ttl mints a token that
// has already expired, for trying the 401 path.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/localgateway"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	role := fs.String("role", "", "one role: submitter, leader or admin")
	roles := fs.String("roles", "", "comma-separated roles, added to -role")
	org := fs.String("org", "", "organisation code for the org claim")
	ttl := fs.Duration("ttl", time.Hour, "lifetime; negative for an expired token")
	aud := fs.String("aud", "", "audience (default: the stack's first JWT_AUDIENCE)")
	sub := fs.String("sub", "", "subject (default: local-<first role>)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	env, err := readStackEnv()
	if err != nil {
		return err
	}
	for _, k := range []string{"JWT_KEY_FILE", "JWT_KID", "JWT_ISSUER", "JWT_AUDIENCE"} {
		if env[k] == "" {
			return fmt.Errorf("%s is not set in the stack env file; is the stack up (make up)?", k)
		}
	}
	key, err := localgateway.LoadPrivateKey(env["JWT_KEY_FILE"])
	if err != nil {
		return err
	}

	all := splitList(*role + "," + *roles)
	if *aud == "" {
		*aud = splitList(env["JWT_AUDIENCE"])[0]
	}
	if *sub == "" {
		*sub = "local-user"
		if len(all) > 0 {
			*sub = "local-" + all[0]
		}
	}
	claims := map[string]any{
		"iss":   env["JWT_ISSUER"],
		"aud":   *aud,
		"sub":   *sub,
		"iat":   now.Unix(),
		"exp":   now.Add(*ttl).Unix(),
		"roles": all, // a JSON array, which API Gateway flattens to "[a b]"
	}
	if *ttl < 0 {
		// iat must not be after exp, or the token would be refused for the wrong reason.
		claims["iat"] = now.Add(2 * *ttl).Unix()
	}
	if *org != "" {
		claims["org"] = *org
	}
	token, err := localgateway.MintToken(key, env["JWT_KID"], claims)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

// splitList splits on commas, dropping blanks and repeats; never nil, so roles is [] not null.
func splitList(s string) []string {
	out := []string{}
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func readStackEnv() (map[string]string, error) {
	path := os.Getenv("STACK_ENV")
	if path == "" {
		root, err := reporoot.Dir()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(root, ".local", "stack.env")
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist; start the stack with make up", path)
		}
		return nil, err
	}
	defer f.Close()
	env, err := parseEnv(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return env, nil
}

// parseEnv reads KEY=VALUE lines, skipping blanks and # comments. The stack writes values
// that need no quoting; surrounding quotes are removed anyway for hand-written files.
func parseEnv(r io.Reader) (map[string]string, error) {
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			return nil, fmt.Errorf("line %d is not KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		env[strings.TrimSpace(k)] = v
	}
	return env, sc.Err()
}
