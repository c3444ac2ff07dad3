package smtpmail

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var from = mail.Address{Name: "DDaT workforce returns", Address: "ddat.returns@example.gov.uk"}

func reminder(t *testing.T, name string) collection.Message {
	t.Helper()
	cal, err := collection.Default(30, period.MustQuarter("2023-24-Q1"))
	if err != nil {
		t.Fatal(err)
	}
	r := cal.Due(time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC))[0] // 2026-27-Q2, overdue
	a := collection.Addressee{Org: "HMRC", Name: name, Kind: workforce.CivilService, Contacts: []string{"returns@hmrc.example.gov.uk"}}
	return r.Messages(a, "https://returns.example.gov.uk/portal")[0]
}

func TestCompose(t *testing.T) {
	now := time.Date(2026, 11, 6, 9, 30, 0, 0, time.UTC)
	s := &Sender{From: from, Hostname: "returns.example.gov.uk", Now: func() time.Time { return now }}
	// A name outside ASCII, and a body line longer than quoted-printable's 76 characters.
	m := reminder(t, "Cyngor Gwynedd – Gwasanaethau Digidol")
	raw, err := s.Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
		t.Error("a line ends without CR LF")
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	for k, want := range map[string]string{
		"From":                      `"DDaT workforce returns" <ddat.returns@example.gov.uk>`,
		"To":                        "returns@hmrc.example.gov.uk",
		"Date":                      "Fri, 06 Nov 2026 09:30:00 +0000",
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=UTF-8",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !regexp.MustCompile(`^<20261106T093000Z\.[0-9a-f]{24}@returns\.example\.gov\.uk>$`).MatchString(h.Get("Message-ID")) {
		t.Errorf("Message-ID = %q", h.Get("Message-ID"))
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "DDaT workforce return for Cyngor Gwynedd – Gwasanaethau Digidol: overdue" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	if h.Get("Subject") == subject {
		t.Error("a subject outside ASCII is not encoded")
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := collection.Text(m)
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

func TestComposeRefusesBadAddresses(t *testing.T) {
	m := reminder(t, "HM Revenue and Customs")
	for _, tc := range []struct {
		name string
		s    Sender
		to   string
		want string
	}{
		{"recipient with a second header", Sender{From: from}, "a@example.gov.uk\r\nBcc: b@example.com", "the recipient is not one email address"},
		{"two recipients", Sender{From: from}, "a@example.gov.uk, b@example.gov.uk", "the recipient is not one email address"},
		{"no sender", Sender{}, m.To, "the sender (From) is not one email address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mm := m
			mm.To = tc.to
			_, err := tc.s.Compose(mm)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "a@example") {
				t.Errorf("%q repeats the address", err)
			}
		})
	}
}

// fakeSMTP is a one-connection-at-a-time SMTP server that answers RCPT with rcpt and
// keeps what it was sent.
type fakeSMTP struct {
	addr string
	rcpt string

	mu   sync.Mutex
	got  []string // the commands
	data string
}

func newFakeSMTP(t *testing.T, rcpt string) *fakeSMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &fakeSMTP{addr: l.Addr().String(), rcpt: rcpt}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { _, _ = io.WriteString(c, s+"\r\n") }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		f.mu.Lock()
		f.got = append(f.got, cmd)
		f.mu.Unlock()
		switch verb := strings.ToUpper(strings.Fields(cmd + " x")[0]); verb {
		case "EHLO", "HELO":
			say("250 fake")
		case "MAIL":
			say("250 OK")
		case "RCPT":
			say(f.rcpt)
		case "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			f.mu.Lock()
			f.data = b.String()
			f.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 what")
		}
	}
}

func TestSend(t *testing.T) {
	f := newFakeSMTP(t, "250 OK")
	s := &Sender{Addr: f.addr, From: from}
	m := reminder(t, "HM Revenue and Customs")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	want := []string{"EHLO localhost", "MAIL FROM:<ddat.returns@example.gov.uk>", "RCPT TO:<returns@hmrc.example.gov.uk>", "DATA", "QUIT"}
	for i, w := range want {
		if i >= len(f.got) || !strings.HasPrefix(f.got[i], w) {
			t.Fatalf("commands = %q, want %q", f.got, want)
		}
	}
	if !strings.Contains(f.data, "Subject: DDaT workforce return for HM Revenue and Customs: overdue\r\n") ||
		!strings.Contains(f.data, "was due on 30 October 2026.") {
		t.Errorf("data:\n%s", f.data)
	}
}

func TestSendFailures(t *testing.T) {
	m := reminder(t, "HM Revenue and Customs")
	for _, tc := range []struct {
		name      string
		rcpt      string
		temporary bool
	}{
		{"mailbox full, try later", "452 4.2.2 <returns@hmrc.example.gov.uk>: mailbox full", true},
		{"no such user", "550 5.1.1 <returns@hmrc.example.gov.uk>: no such user", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSMTP(t, tc.rcpt)
			err := (&Sender{Addr: f.addr, From: from}).Send(context.Background(), m)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, collection.ErrTemporary) != tc.temporary {
				t.Errorf("temporary = %v, want %v: %v", !tc.temporary, tc.temporary, err)
			}
			if strings.Contains(err.Error(), m.To) {
				t.Errorf("%q repeats the address", err)
			}
			if !strings.Contains(err.Error(), m.Reference) || !strings.Contains(err.Error(), tc.rcpt[:3]) {
				t.Errorf("%q names neither the reminder nor the server's answer", err)
			}
		})
	}
	t.Run("nobody listening", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		err := (&Sender{Addr: addr, From: from}).Send(context.Background(), m)
		if !errors.Is(err, collection.ErrTemporary) {
			t.Errorf("err = %v, want a temporary failure", err)
		}
	})
	t.Run("a server that never answers", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		go func() {
			c, err := l.Accept()
			if err == nil {
				defer c.Close()
				time.Sleep(2 * time.Second)
			}
		}()
		began := time.Now()
		err := (&Sender{Addr: l.Addr().String(), From: from, Timeout: 200 * time.Millisecond}).Send(context.Background(), m)
		if !errors.Is(err, collection.ErrTemporary) || time.Since(began) > time.Second {
			t.Errorf("err = %v after %s, want a temporary failure within the timeout", err, time.Since(began))
		}
	})
}
