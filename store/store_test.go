package store_test

import (
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/store"
	"github.com/tenantkit/orgs/storetest"
)

// TestSQLite runs the conformance suite on SQLite files.
func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) orgs.Store { return openSQLite(t) })
}

// TestPostgres runs the conformance suite on PostgreSQL, each store in a
// schema of its own. It needs ORGS_TEST_POSTGRES_URL (scripts/test.sh starts
// a server and sets it).
func TestPostgres(t *testing.T) {
	pgURL(t)
	storetest.Run(t, func(t *testing.T) orgs.Store { return openPostgres(t) })
}

// eachDB runs fn on a fresh, migrated store of each backend.
func eachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t)) })
}

// openSQLite returns a migrated store on a new file, closed at cleanup.
func openSQLite(t testing.TB) *store.Store { return testdb.SQLite(t) }

// pgURL returns ORGS_TEST_POSTGRES_URL, skipping loudly (failing on CI) when
// it is unset.
func pgURL(t testing.TB) string { return testdb.PostgresURL(t) }

// adminDB is a shared pool to the test server's default schema.
var adminDB = testdb.Admin

// openPostgres returns a migrated store in a new schema, dropped at cleanup.
func openPostgres(t testing.TB) *store.Store { return testdb.Postgres(t) }
