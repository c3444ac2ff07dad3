package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

const mailTimeout = 30 * time.Second

// startMail runs Mailpit on loopback, its SMTP server on one free port and its web
// interface and API on another, and waits for it to be ready. Its database lives under
// .local/mail, emptied by every fresh up, as DynamoDB Local's tables are.
func startMail(ctx context.Context, l layout, ports stackPorts) error {
	mp, err := startService(l, "mail", os.Environ(), l.mailpit,
		"--smtp", "127.0.0.1:"+strconv.Itoa(ports.smtp),
		"--listen", "127.0.0.1:"+strconv.Itoa(ports.mail),
		"--database", filepath.Join(l.mailRoot, "mailpit.db"),
		"--disable-version-check", // it would ask the internet for a newer release
		"--smtp-disable-rdns",
		"--block-remote-css-and-fonts")
	if err != nil {
		return err
	}
	url := loopbackURL(ports.mail)
	log.Printf("Mailpit on %s (SMTP 127.0.0.1:%d)", url, ports.smtp)
	return waitReady(ctx, mp, mailTimeout, func(ctx context.Context) error { return mailReady(ctx, url) })
}

// mailReady succeeds once Mailpit's readiness route answers 200.
func mailReady(ctx context.Context, mailpitURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, mailpitURL+"/readyz", nil)
	if err != nil {
		return fmt.Errorf("mailpit: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("mailpit: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit: readyz answered %s", resp.Status)
	}
	return nil
}
