// Command seed loads the starting organisation register into the table. It adds
// organisations that are missing and leaves existing entries alone, so it is safe to run
// again (and never undoes a change an admin made through PUT /organisations).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/ddat-workforce/returns/shared/app"
	"github.com/ddat-workforce/returns/shared/dynamo"
	"github.com/ddat-workforce/returns/shared/register"
)

func main() {
	if err := run(context.Background()); err != nil {
		slog.Error("seed", "error", err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return err
	}
	c, err := app.NewClients(ctx, cfg)
	if err != nil {
		return err
	}
	store := &dynamo.Store{DB: c.DynamoDB, Table: cfg.TableName}
	existing, err := store.Organisations(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, o := range existing {
		have[o.Code] = true
	}
	orgs, err := register.Seed()
	if err != nil {
		return err
	}
	added := 0
	for _, o := range orgs {
		if have[o.Code] {
			continue
		}
		if err := store.PutOrganisation(ctx, o); err != nil {
			return err
		}
		added++
	}
	fmt.Printf("register: %d organisations added, %d already present\n", added, len(orgs)-added)
	return nil
}
