package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// envVar is one KEY=VALUE line of .local/stack.env.
type envVar struct {
	Key, Value string
}

// stackEnv is the environment the stack hands to tests, tools and the gateway, in file order.
type stackEnv []envVar

var (
	envKeyPattern = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	// Values need no quoting in sh or make: no spaces, quotes, $, #, backslashes or globs.
	envValuePattern = regexp.MustCompile(`^[A-Za-z0-9_./:@%+,=-]*$`)
)

// Get returns the value of key, or "" when it is not set.
func (e stackEnv) Get(key string) string {
	for _, v := range e {
		if v.Key == key {
			return v.Value
		}
	}
	return ""
}

// Environ renders the variables in the KEY=VALUE form of os/exec.
func (e stackEnv) Environ() []string {
	out := make([]string, len(e))
	for i, v := range e {
		out[i] = v.Key + "=" + v.Value
	}
	return out
}

// writeEnv writes one KEY=VALUE line per variable. It refuses anything that a shell's `.` or
// make's include would read differently, rather than quoting it.
func writeEnv(w io.Writer, env stackEnv) error {
	var b bytes.Buffer
	for _, v := range env {
		if !envKeyPattern.MatchString(v.Key) {
			return fmt.Errorf("env key %q: want upper-case letters, digits and _", v.Key)
		}
		if !envValuePattern.MatchString(v.Value) {
			return fmt.Errorf("env %s=%q: value would need quoting in sh or make", v.Key, v.Value)
		}
		fmt.Fprintf(&b, "%s=%s\n", v.Key, v.Value)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write env: %w", err)
	}
	return nil
}

// readEnv parses KEY=VALUE lines, skipping blank lines and # comments.
func readEnv(r io.Reader) (stackEnv, error) {
	var env stackEnv
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || !envKeyPattern.MatchString(key) {
			return nil, fmt.Errorf("line %d: want KEY=VALUE, got %q", n, line)
		}
		env = append(env, envVar{key, value})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read env: %w", err)
	}
	return env, nil
}

func writeEnvFile(path string, env stackEnv) error {
	var b bytes.Buffer
	if err := writeEnv(&b, env); err != nil {
		return err
	}
	return writeFileAtomic(path, b.Bytes(), 0o600)
}

func readEnvFile(path string) (stackEnv, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env, err := readEnv(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return env, nil
}

// printEnv is the env command.
func printEnv(l layout, out io.Writer) error {
	env, err := readEnvFile(l.stackEnv)
	if err != nil {
		return fmt.Errorf("no local stack (run make up): %w", err)
	}
	return writeEnv(out, env)
}
