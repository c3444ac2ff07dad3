package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWriteEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     stackEnv
		want    string
		wantErr string
	}{
		{
			name: "in order, one per line",
			env: stackEnv{
				{"DYNAMODB_ENDPOINT", "http://127.0.0.1:8000"},
				{"JWKS_FILE", "/repo/.local/jwks.json"},
				{"JWT_KID", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
				{"EMPTY", ""},
				{"API_URL", "http://127.0.0.1:9000"},
			},
			want: "DYNAMODB_ENDPOINT=http://127.0.0.1:8000\nJWKS_FILE=/repo/.local/jwks.json\n" +
				"JWT_KID=NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\nEMPTY=\nAPI_URL=http://127.0.0.1:9000\n",
		},
		{name: "nothing", env: nil, want: ""},
		{name: "space in value", env: stackEnv{{"JWKS_FILE", "/my repo/jwks.json"}}, wantErr: "would need quoting"},
		{name: "dollar in value", env: stackEnv{{"SECRET", "a$b"}}, wantErr: "would need quoting"},
		{name: "hash in value", env: stackEnv{{"SECRET", "a#b"}}, wantErr: "would need quoting"},
		{name: "newline in value", env: stackEnv{{"SECRET", "a\nB=c"}}, wantErr: "would need quoting"},
		{name: "lower-case key", env: stackEnv{{"api_url", "x"}}, wantErr: "env key"},
		{name: "empty key", env: stackEnv{{"", "x"}}, wantErr: "env key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			err := writeEnv(&b, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestReadEnv(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    stackEnv
		wantErr string
	}{
		{
			name: "comments and blank lines skipped",
			in:   "# local stack\n\nTABLE_NAME=ddat-returns\n  BUCKET_NAME=ddat-returns-local  \nJWT_ISSUER=http://127.0.0.1:1/x=y\n",
			want: stackEnv{
				{"TABLE_NAME", "ddat-returns"},
				{"BUCKET_NAME", "ddat-returns-local"},
				{"JWT_ISSUER", "http://127.0.0.1:1/x=y"},
			},
		},
		{name: "empty", in: "", want: nil},
		{name: "no equals", in: "TABLE_NAME\n", wantErr: `line 1: want KEY=VALUE, got "TABLE_NAME"`},
		{name: "bad key", in: "A=1\nexport B=2\n", wantErr: "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readEnv(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEnvFileRoundTrip(t *testing.T) {
	env := stackEnv{
		{"AWS_REGION", "eu-west-2"},
		{"JWT_KEY_FILE", "/repo/.local/jwt-key.pem"},
		{"API_URL", "http://127.0.0.1:40000"},
	}
	path := filepath.Join(t.TempDir(), "stack.env")
	if err := writeEnvFile(path, env); err != nil {
		t.Fatal(err)
	}
	got, err := readEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, env) {
		t.Errorf("read back %v, want %v", got, env)
	}
	if got.Get("API_URL") != "http://127.0.0.1:40000" || got.Get("MISSING") != "" {
		t.Errorf("Get: API_URL=%q MISSING=%q", got.Get("API_URL"), got.Get("MISSING"))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode %v, want 0600: the file holds the S3 secret", perm)
	}
}

// The file is read by `. .local/stack.env` in the Makefile and by make's include; both must
// see exactly the values written.
func TestEnvFileSourceable(t *testing.T) {
	env := stackEnv{
		{"JWT_ISSUER", "http://127.0.0.1:40001"},
		{"JWT_KID", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{"JWT_AUDIENCE", "ddat-returns,ddat-portal"},
		{"PORTAL_SESSION_KEY", "q+/8Zx0RtvHnYp2cd1e+K/3sQw9mLk7aUb4jXo5iFz0="}, // standard base64
	}
	path := filepath.Join(t.TempDir(), "stack.env")
	if err := writeEnvFile(path, env); err != nil {
		t.Fatal(err)
	}
	want := "http://127.0.0.1:40001 NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs ddat-returns,ddat-portal q+/8Zx0RtvHnYp2cd1e+K/3sQw9mLk7aUb4jXo5iFz0="
	readers := []struct {
		name  string
		argv  []string
		stdin string
	}{
		{
			name: "sh",
			argv: []string{"sh", "-c", `. "$0" && printf '%s %s %s %s' "$JWT_ISSUER" "$JWT_KID" "$JWT_AUDIENCE" "$PORTAL_SESSION_KEY"`, path},
		},
		{
			name:  "make",
			argv:  []string{"make", "-s", "-f", "-"},
			stdin: "include " + path + "\nall:\n\t@printf '%s %s %s %s' '$(JWT_ISSUER)' '$(JWT_KID)' '$(JWT_AUDIENCE)' '$(PORTAL_SESSION_KEY)'\n",
		},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			if _, err := exec.LookPath(r.argv[0]); err != nil {
				t.Skipf("%s not installed", r.argv[0])
			}
			cmd := exec.Command(r.argv[0], r.argv[1:]...)
			cmd.Stdin = strings.NewReader(r.stdin)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if string(out) != want {
				t.Errorf("got %q, want %q", out, want)
			}
		})
	}
}
