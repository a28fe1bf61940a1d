// Package storetest is the conformance suite every orgs.Store runs.
//
// A Store passes when Run passes against it:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) orgs.Store {
//			s, err := mystore.Open(t.TempDir() + "/orgs.db")
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s // the suite closes it
//		})
//	}
//
// Run calls newStore once per test, from parallel tests, and closes each
// store when its test ends: give every call its own empty database (a file
// in t.TempDir() for SQLite, a schema or database for Postgres).
//
// Most tests go through the portable orgs.Service, so that the Service's
// rules — permissions, role ranks, the last-owner rule, limits, invitation
// checks, events — are proven on top of the store; TestStoreContract
// exercises the Store contract directly (Range paging, conflict sentinels,
// ErrNotFound, rollback, counters, cascades, ErrClosed),
// TestConcurrency races goroutines against the invariants that must hold
// under any concurrency, TestTorture attacks each invariant with a random mix
// of operations and checks it against the store (-torture.rounds,
// -torture.seed to reproduce), and TestSecurity checks cross-tenant access
// and verbatim storage of hostile input.
//
// Each area is exported on its own (TestOrganizations, TestMembers, …) and
// runs under a stable subtest name in Run, so a failing area can be run and
// bisected alone:
//
//	go test ./mystore -run 'TestMyStore/Concurrency/LastOwner'
//
// The concurrency tests log what happened (runs, successes, failures) with
// t.Logf; run with -v to see them.
package storetest

import (
	"testing"

	"github.com/tenantkit/orgs"
)

// NewStore returns a fresh, empty, migrated store for one test. It is called
// once per test, possibly from parallel tests; the store is closed by the
// suite (register extra cleanup with t.Cleanup).
type NewStore func(t *testing.T) orgs.Store

// Run runs the whole suite against stores made by newStore. Each area runs
// as a parallel subtest named after it: Organizations, Members, Ranks,
// Categories, Pipelines, Events, Invitations, Teams, Domains, Limits, Validation,
// Concurrency, StoreContract, Torture and Security.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	for _, area := range []struct {
		name string
		run  func(*testing.T, NewStore)
	}{
		{"Organizations", TestOrganizations},
		{"Members", TestMembers},
		{"Ranks", TestRanks},
		{"Categories", TestCategories},
		{"Pipelines", TestPipelines},
		{"Events", TestEvents},
		{"Invitations", TestInvitations},
		{"Teams", TestTeams},
		{"Domains", TestDomains},
		{"Limits", TestLimits},
		{"Validation", TestValidation},
		{"Concurrency", TestConcurrency},
		{"StoreContract", TestStoreContract},
		{"Torture", TestTorture},
		{"Security", TestSecurity},
	} {
		t.Run(area.name, func(t *testing.T) {
			t.Parallel()
			area.run(t, newStore)
		})
	}
}
