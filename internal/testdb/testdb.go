// Package testdb opens fresh, migrated stores for tests: a SQLite file in the
// test's temporary directory, or a PostgreSQL schema of its own on the server
// named by ORGS_TEST_POSTGRES_URL (scripts/test.sh starts one and sets it).
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating schemas

	"github.com/tenantkit/orgs/store"
)

// EnvPostgresURL names the environment variable holding the test server's
// postgres:// URL.
const EnvPostgresURL = "ORGS_TEST_POSTGRES_URL"

// SQLite returns a migrated store on a new file, closed at cleanup.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.OpenSQLite(filepath.Join(t.TempDir(), "orgs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // a second Close reports ErrClosed
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// PostgresURL returns the test server's URL. When it is unset the test is
// skipped, loudly — or fails when CI=true, so CI never passes without
// Postgres.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgresURL)
	if u == "" {
		const msg = EnvPostgresURL + " is not set: PostgreSQL is NOT TESTED here (scripts/test.sh starts a server)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	return u
}

var adminDB = sync.OnceValues(func() (*sql.DB, error) {
	return sql.Open("pgx", os.Getenv(EnvPostgresURL))
})

// Admin returns a shared connection pool to the test server (its default
// schema), for creating schemas or inspecting and disturbing sessions.
func Admin() (*sql.DB, error) { return adminDB() }

// PostgresSchemaURL creates a new schema, dropped at cleanup, and returns the
// server URL with search_path set to it: every connection opened with it
// works in that schema alone.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := adminDB()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "orgs_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	return u.String()
}

// Postgres returns a migrated store in a new schema, closed and dropped at
// cleanup.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	schemaURL := PostgresSchemaURL(t)
	s, err := store.OpenPostgres(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // runs before the schema is dropped
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
