package store_test

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

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the test schemas
	"github.com/tenantkit/orgs"
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
func openSQLite(t testing.TB) *store.Store {
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

// pgURL returns ORGS_TEST_POSTGRES_URL. When it is unset the test is skipped,
// loudly, or fails on CI.
func pgURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("ORGS_TEST_POSTGRES_URL")
	if u == "" {
		const msg = "ORGS_TEST_POSTGRES_URL is not set: the PostgreSQL store is NOT TESTED (scripts/test.sh starts a server)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	return u
}

var adminDB = sync.OnceValues(func() (*sql.DB, error) {
	return sql.Open("pgx", os.Getenv("ORGS_TEST_POSTGRES_URL"))
})

// openPostgres returns a migrated store in a new schema (its connections'
// search_path), dropped at cleanup.
func openPostgres(t testing.TB) *store.Store {
	t.Helper()
	base := pgURL(t)
	admin, err := adminDB()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "orgs_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	s, err := store.OpenPostgres(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}
