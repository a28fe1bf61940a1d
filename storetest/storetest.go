// Package storetest is the conformance suite every orgs.Store runs.
package storetest

import (
	"testing"

	"github.com/tenantkit/orgs"
)

// NewStore returns a fresh, empty, migrated store for one test. It is called
// once per test, possibly from parallel tests; the store is closed by the
// suite (register extra cleanup with t.Cleanup).
type NewStore func(t *testing.T) orgs.Store

// Run runs the whole suite against stores made by newStore.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	// The suite is being written; see the package files.
}
