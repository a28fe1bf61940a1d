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
	storetest.Run(t, func(t *testing.T) orgs.Store { return memstore.New() })
}
