package sqlstore_test

import (
	"testing"

	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/store/postgres"
)

// The conformance suite runs in store/sqlite (TestSQLite) and
// store/postgres (TestPostgres); the tests here exercise the shared code
// path directly, on both databases.

// eachDB runs fn on a fresh, migrated store of each backend.
func eachDB(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t)) })
}

// openSQLite returns a migrated store on a new file, closed at cleanup.
func openSQLite(t testing.TB) *sqlstore.Store { return testdb.SQLite(t) }

// pgURL returns ORGS_TEST_POSTGRES_URL, skipping loudly (failing on CI) when
// it is unset.
func pgURL(t testing.TB) string { return testdb.PostgresURL(t) }

// openPostgres returns a migrated store in a new schema, dropped at cleanup.
func openPostgres(t testing.TB) *sqlstore.Store { return testdb.Postgres(t) }

// openPostgresAt opens an unmigrated Postgres store at url, as package
// store/postgres does.
func openPostgresAt(url string) (*sqlstore.Store, error) {
	s, err := postgres.Open(url)
	if err != nil {
		return nil, err
	}
	return s.Store, nil
}
