package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
	"github.com/tenantkit/orgs/storetest"
)

// TestLoggingStore is the test that proves a Store: the conformance suite.
func TestLoggingStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) orgs.Store {
		return loggingStore{Store: memstore.New(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	})
}
