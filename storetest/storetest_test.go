package storetest_test

import (
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/storetest"
)

// TestExceptionsSkip: every area declared an exception is skipped — here the
// store factory fails any test that calls it, so the run passes only if
// nothing ran. (An undeclared area would call it and fail.)
func TestExceptionsSkip(t *testing.T) {
	exceptions := map[string]string{}
	for _, area := range []string{"Organizations", "Members", "Ranks", "Categories", "Pipelines", "Events",
		"Invitations", "Invitee", "Roles", "Authorize", "HostTransactions", "Teams", "Domains", "Limits", "Validation",
		"Concurrency", "Bulk", "StoreContract", "Capabilities", "EventLog", "Webhooks", "System", "Torture", "Security"} {
		exceptions[area] = "a store that cannot do anything, for this test"
	}
	storetest.RunWithOptions(t, func(t *testing.T) orgs.Store {
		t.Fatal("a declared exception ran")
		return nil
	}, storetest.Options{Exceptions: exceptions})
}
