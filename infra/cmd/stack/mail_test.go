package main

import (
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The stack hands Mailpit's two loopback addresses to everything else, on ports of their
// own, and API_URL stays the last line.
func TestStackEnvNamesMailpit(t *testing.T) {
	l := newLayout(t.TempDir())
	if err := os.MkdirAll(l.state, 0o755); err != nil {
		t.Fatal(err)
	}
	ports, env, err := newStackEnv(l)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range []int{ports.dynamo, ports.s3, ports.gateway, ports.smtp, ports.mail, ports.idp} {
		if p == 0 || seen[p] {
			t.Fatalf("ports %+v are not distinct", ports)
		}
		seen[p] = true
	}
	if got, want := env.Get("MAILPIT_URL"), loopbackURL(ports.mail); got != want {
		t.Errorf("MAILPIT_URL = %q, want %q", got, want)
	}
	host, _, err := net.SplitHostPort(env.Get("SMTP_ADDR"))
	if err != nil || host != "127.0.0.1" || !strings.HasSuffix(env.Get("SMTP_ADDR"), ":"+strconv.Itoa(ports.smtp)) {
		t.Errorf("SMTP_ADDR = %q, want 127.0.0.1:%d", env.Get("SMTP_ADDR"), ports.smtp)
	}
	if last := env[len(env)-1]; last.Key != "API_URL" {
		t.Errorf("the last variable is %s, want API_URL (up prints it last)", last.Key)
	}
	var b strings.Builder
	if err := writeEnv(&b, env); err != nil {
		t.Fatal(err)
	}
}

func TestMailpitIsAServiceOfTheStack(t *testing.T) {
	if serviceMarkers["mail"] != "mailpit" {
		t.Errorf("down would not recognise Mailpit's process: markers %v", serviceMarkers)
	}
	l := newLayout("/repo")
	if l.mailpit != "/repo/.tools/bin/mailpit" || !strings.HasPrefix(l.mailRoot, l.state) {
		t.Errorf("mailpit at %s, its database under %s", l.mailpit, l.mailRoot)
	}
}
