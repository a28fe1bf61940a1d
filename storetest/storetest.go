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
	"strings"
	"sync"
	"testing"

	"github.com/tenantkit/orgs"
)

// NewStore returns a fresh, empty, migrated store for one test. It is called
// once per test, possibly from parallel tests; the store is closed by the
// suite (register extra cleanup with t.Cleanup).
type NewStore func(t *testing.T) orgs.Store

// Run runs the whole suite against stores made by newStore. Each area runs
// as a parallel subtest named after it: Organizations, Members, Ranks,
// Categories, Pipelines, Events, Invitations, Invitee, Roles, Authorize,
// HostTransactions, Teams, Domains, Limits, Validation, Concurrency, Bulk,
// StoreContract, Capabilities, EventLog, Webhooks, System, Torture and
// Security.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	RunWithOptions(t, newStore, Options{})
}

// Options configures RunWithOptions.
type Options struct {
	// Exceptions lists what the store declares it cannot do: each key names
	// an area ("Torture") or a test within one ("Concurrency/LastOwner"),
	// each value says why. Those tests are skipped with the reason printed
	// (t.Skip) — never passed silently. Optional capabilities need no
	// declaration: their tests skip, saying so, when the store lacks them
	// (see TestCapabilities).
	Exceptions map[string]string
	// HostTransactions begins transactions of the host's on the store's
	// database, for the area HostTransactions (Service.WithStore); nil
	// skips it, saying so.
	HostTransactions HostTransactions
}

// areas are the suite's parts, in order.
var areas = []struct {
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
	{"Invitee", TestInvitee},
	{"Roles", TestRoles},
	{"Authorize", TestAuthorize},
	{"HostTransactions", TestHostTransactions},
	{"Teams", TestTeams},
	{"Domains", TestDomains},
	{"Limits", TestLimits},
	{"Validation", TestValidation},
	{"Concurrency", TestConcurrency},
	{"Bulk", TestBulk},
	{"StoreContract", TestStoreContract},
	{"Capabilities", TestCapabilities},
	{"EventLog", TestEventLog},
	{"Webhooks", TestWebhooks},
	{"System", TestSystem},
	{"Torture", TestTorture},
	{"Security", TestSecurity},
}

// Areas returns the names of the suite's areas, in the order Run runs
// them: for an Options.Exceptions that runs only some.
func Areas() []string {
	names := make([]string, len(areas))
	for i, a := range areas {
		names[i] = a.name
	}
	return names
}

// RunWithOptions is Run with the store's declared exceptions.
func RunWithOptions(t *testing.T, newStore NewStore, opts Options) {
	t.Helper()
	declared.Store(t.Name(), opts)
	t.Cleanup(func() { declared.Delete(t.Name()) })
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			t.Parallel()
			skipIfDeclared(t)
			area.run(t, newStore)
		})
	}
}

// declared holds the Options of each running RunWithOptions, by the name
// of the test that called it.
var declared sync.Map

// skipIfDeclared skips t when a running RunWithOptions declared it (or an
// enclosing area) an exception.
func skipIfDeclared(t *testing.T) {
	t.Helper()
	declared.Range(func(k, v any) bool {
		rel, ok := strings.CutPrefix(t.Name(), k.(string)+"/")
		if !ok {
			return true
		}
		for ex, reason := range v.(Options).Exceptions {
			if rel == ex || strings.HasPrefix(rel, ex+"/") {
				t.Skipf("declared exception %q: %s", ex, reason)
			}
		}
		return true
	})
}
