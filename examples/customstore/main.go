// Command customstore is the template for writing your own orgs.Store.
//
// memstore.go holds memStore, a small in-memory Store written the way a
// store for any database should be: it keeps the contract written on
// orgs.Store and orgs.Tx (conflict sentinels, ErrNotFound, Range paging,
// exact counters, cascading deletes, atomic Updates, ErrClosed after Close).
// Copy it, replace the maps with your database's tables, and keep
// memstore_test.go's one line that matters:
//
//	storetest.Run(t, func(t *testing.T) orgs.Store { return newYourStore(t) })
//
// The storetest suite drives a fresh store per test, directly and through
// orgs.Service, and checks every rule of the contract: conflicts and not-found
// errors, paging in both directions, counters, cascades, rollback of failed
// Updates, serialized Updates under concurrency (the last-owner rule and the
// limits must hold), and use after Close.
//
// This program runs the Service on memStore:
//
//	go run ./examples/customstore
//	go test ./examples/customstore
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/tenantkit/orgs"
)

func main() {
	ctx := context.Background()
	store := newMemStore()
	defer store.Close()

	svc, err := orgs.New(store)
	if err != nil {
		log.Fatal(err)
	}
	org, err := svc.CreateOrganization(ctx, "alice", orgs.CreateOrganizationInput{Name: "Acme"})
	if err != nil {
		log.Fatal(err)
	}
	detail, err := svc.GetOrganizationDetail(ctx, "alice", org.Slug)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created %q (slug %s) with %d categories and %d pipeline(s); alice is %s\n",
		detail.Name, detail.Slug, len(detail.Categories), len(detail.Pipelines), detail.Role)
}
