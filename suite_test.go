package orgs_test

import (
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
	"github.com/tenantkit/orgs/storetest"
)

// TestService runs the conformance suite through the in-memory store: it
// is the root package's own test of the Service's rules (go test -cover .),
// in about a second. The SQL stores run the same suite in their packages.
func TestService(t *testing.T) {
	storetest.RunWithOptions(t, func(t *testing.T) orgs.Store { return memstore.New() }, storetest.Options{
		Exceptions: map[string]string{"HostTransactions": "memstore keeps its rows in memory: there is no database transaction of the host's to join"},
	})
}
