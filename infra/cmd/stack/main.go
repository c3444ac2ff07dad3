// Command stack starts and stops the local development stack: DynamoDB Local, the Versity S3
// gateway, Mailpit (an SMTP server that keeps what it is sent), the local API gateway and the
// local OpenID provider the portal signs in with, each on a free loopback port.
//
//	go run ./infra/cmd/stack up    # start (or reuse) the stack and print its environment
//	go run ./infra/cmd/stack down  # stop exactly the processes that up started
//	go run ./infra/cmd/stack env   # print .local/stack.env
//
// What other processes need (endpoints, keys, table, bucket, the issuer, the portal's client,
// API URL) goes to .local/stack.env; the process ids go to .local/pids so that down stops those
// processes and nothing else.
package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/ddat-workforce/returns/infra/kit/reporoot"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
)

const usage = "usage: go run ./infra/cmd/stack up|down|env"

func main() {
	log.SetFlags(0)
	log.SetPrefix("stack: ")
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Stdout); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

func run(ctx context.Context, command string, out io.Writer) error {
	root, err := reporoot.Dir()
	if err != nil {
		return err
	}
	l := newLayout(root)
	switch command {
	case "up":
		return up(ctx, l, out)
	case "down":
		return down(l)
	case "env":
		return printEnv(l, out)
	default:
		return errors.New(usage)
	}
}
