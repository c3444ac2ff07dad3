// Package smtpmail sends reminders by SMTP with net/smtp: the local stack's Mailpit, or
// any relay. It renders collection's texts itself, as one plain-text message per
// recipient, and never logs or repeats the recipient's address.
package smtpmail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Sender sends messages through one SMTP server.
type Sender struct {
	Addr     string       // host:port, such as SMTP_ADDR of the local stack
	From     mail.Address // who the reminders come from
	Auth     smtp.Auth    // nil for none, as Mailpit takes it
	Hostname string       // for HELO and Message-ID; "localhost" when empty
	Timeout  time.Duration
	// Render gives a message's subject and body; collection.Text when nil.
	Render func(collection.Message) (subject, body string, err error)
	Now    func() time.Time
}

var _ collection.Sender = (*Sender)(nil)

const defaultTimeout = 30 * time.Second

// Send delivers m to m.To. A refusal the server says is temporary (4xx) and a failure to
// reach it match collection.ErrTemporary; a permanent refusal (5xx) does not.
func (s *Sender) Send(ctx context.Context, m collection.Message) error {
	msg, err := s.Compose(m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("SMTP: send %s: %w (%w)", m.Reference, collection.ErrTemporary, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	// A cancelled context ends the conversation at once, whatever it is waiting for.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := s.converse(conn, m.To, msg); err != nil {
		return s.failure(m, err)
	}
	return nil
}

func (s *Sender) converse(conn net.Conn, to string, msg []byte) error {
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(s.hostname()); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// failure describes err without the recipient's address, which a server's refusal often
// repeats ("550 <someone@example.gov.uk>: no such user").
func (s *Sender) failure(m collection.Message, err error) error {
	text := strings.ReplaceAll(err.Error(), m.To, "<recipient>")
	var tp *textproto.Error
	if errors.As(err, &tp) {
		if tp.Code >= 400 && tp.Code < 500 {
			return fmt.Errorf("SMTP: send %s: %w (the server answered %s)", m.Reference, collection.ErrTemporary, text)
		}
		return fmt.Errorf("SMTP: send %s: the server refused it: %s", m.Reference, text)
	}
	return fmt.Errorf("SMTP: send %s: %w (%s)", m.Reference, collection.ErrTemporary, text)
}

func (s *Sender) hostname() string {
	if s.Hostname != "" {
		return s.Hostname
	}
	return "localhost"
}

// Compose writes m as an RFC 5322 message: plain text in UTF-8, quoted-printable, with
// CRLF line ends throughout.
func (s *Sender) Compose(m collection.Message) ([]byte, error) {
	if !workforce.ValidEmail(m.To) {
		return nil, fmt.Errorf("SMTP: %s: the recipient is not one email address", m.Reference)
	}
	if !workforce.ValidEmail(s.From.Address) || strings.ContainsAny(s.From.Name, "\r\n") {
		return nil, errors.New("SMTP: the sender (From) is not one email address")
	}
	render := s.Render
	if render == nil {
		render = collection.Text
	}
	subject, body, err := render(m)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(subject, "\r\n") {
		return nil, fmt.Errorf("SMTP: %s: the subject runs over one line", m.Reference)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)

	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", s.From.String())
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("UTF-8", subject))
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", "<"+now().UTC().Format("20060102T150405Z")+"."+hex.EncodeToString(id)+"@"+s.hostname()+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\r\n", "\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
