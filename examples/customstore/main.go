// Command customstore shows how to write an orgs.Store of your own and
// prove it with the conformance suite.
//
// A Store for another database starts from package memstore's source: it
// is written the way any store should be (the contract on orgs.Store,
// orgs.Reader and orgs.Tx: conflict sentinels, ErrNotFound, Range paging,
// exact counters, cascading deletes, atomic transactions, ErrClosed after
// Close). Copy it, replace the maps with your database's tables, and keep
// one test:
//
//	storetest.Run(t, func(t *testing.T) orgs.Store { return newYourStore(t) })
//
// This program's store is the other common kind: one that wraps a Store to
// add something — here, a log line per transaction with its duration and
// outcome, where a host would add metrics or tracing. main_test.go runs the
// whole suite on it, which proves the wrapper changes nothing else.
//
//	go run ./customstore
//	go test ./customstore
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
)

// loggingStore is an orgs.Store that logs every transaction of the Store it
// wraps. Reads go straight through (the embedded Store); Transact passes
// the inner transaction to fn as it is, so the inner store's optional
// capabilities (orgs.OrganizationLocker) stay visible to the Service.
type loggingStore struct {
	orgs.Store
	log *slog.Logger
}

// Transact runs fn in the wrapped store's transaction and logs it.
func (s loggingStore) Transact(ctx context.Context, fn func(ctx context.Context, tx orgs.Tx) error) error {
	start := time.Now()
	err := s.Store.Transact(ctx, fn)
	s.log.DebugContext(ctx, "transaction", "duration", time.Since(start), "error", err)
	return err
}

func main() {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := loggingStore{Store: memstore.New(), log: logger}
	defer store.Close()

	svc, err := orgs.New(store)
	if err != nil {
		log.Fatal(err)
	}
	alice := orgs.UserActor("alice")
	org, err := svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: "Acme"})
	if err != nil {
		log.Fatal(err)
	}
	detail, err := svc.GetOrganizationDetail(ctx, alice, org.Slug)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created %q (slug %s) with %d categories and %d pipeline(s); alice is %s\n",
		detail.Name, detail.Slug, len(detail.Categories), len(detail.Pipelines), detail.Role)
}
