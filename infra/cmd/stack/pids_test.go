package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadPids(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []pidEntry
		wantErr string
	}{
		{
			name:    "one per line",
			content: "dynamodb 4242\ns3 4243\n\ngateway 4250\n",
			want:    []pidEntry{{"dynamodb", 4242}, {"s3", 4243}, {"gateway", 4250}},
		},
		{name: "empty", content: "", want: nil},
		{name: "missing pid", content: "dynamodb\n", wantErr: `want "name pid"`},
		{name: "not a number", content: "s3 abc\n", wantErr: "bad pid"},
		{name: "init is never ours", content: "s3 1\n", wantErr: "bad pid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pids")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readPids(path)
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

func TestAppendPid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pids")
	for _, e := range []pidEntry{{"dynamodb", 100}, {"s3", 101}} {
		if err := appendPid(path, e.Name, e.Pid); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readPids(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []pidEntry{{"dynamodb", 100}, {"s3", 101}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// A recorded pid that now belongs to another program must never count as the stack's.
func TestRunningNeedsTheServiceCommandLine(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc")
	}
	if running("dynamodb", os.Getpid()) {
		t.Error("the test binary was taken for DynamoDB Local")
	}
}
