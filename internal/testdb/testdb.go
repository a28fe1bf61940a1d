// Package testdb opens fresh, migrated stores for tests: a SQLite file in the
// test's temporary directory, or a PostgreSQL schema of its own on the server
// named by ORGS_TEST_POSTGRES_URL (scripts/test.sh starts one and sets it).
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating schemas
	"github.com/uptrace/bun"

	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/store/sqlite"
)

// EnvPostgresURL names the environment variable holding the test server's
// postgres:// URL.
const EnvPostgresURL = "ORGS_TEST_POSTGRES_URL"

// SQLite returns a migrated store on a new file, closed at cleanup. It is
// the shared code path's Store, as package store/sqlite opens it.
func SQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "orgs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // a second Close reports ErrClosed
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s.Store
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
// cleanup. It is the shared code path's Store, as package store/postgres
// opens it.
func Postgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	schemaURL := PostgresSchemaURL(t)
	s, err := postgres.Open(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // runs before the schema is dropped
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s.Store
}

// Orphans checks a SQL store's tables for rows whose owner is gone (a
// member without its organization, a stage without its pipeline, events of
// a deleted organization without organization.deleted, …) and describes
// them, or returns "" when there are none.
func Orphans(ctx context.Context, db *bun.DB) (string, error) {
	var found []string
	for _, q := range []struct{ what, query string }{
		{"members", "SELECT count(*) FROM members WHERE organization_id NOT IN (SELECT id FROM organizations)"},
		{"categories", "SELECT count(*) FROM categories WHERE organization_id NOT IN (SELECT id FROM organizations)"},
		{"pipelines", "SELECT count(*) FROM pipelines WHERE organization_id NOT IN (SELECT id FROM organizations)"},
		{"stages", "SELECT count(*) FROM stages WHERE pipeline_id NOT IN (SELECT id FROM pipelines)"},
		{"invitations", "SELECT count(*) FROM invitations WHERE organization_id NOT IN (SELECT id FROM organizations)"},
		{"teams", "SELECT count(*) FROM teams WHERE organization_id NOT IN (SELECT id FROM organizations)"},
		{"team_members", "SELECT count(*) FROM team_members AS tm WHERE NOT EXISTS (SELECT 1 FROM teams AS t WHERE t.id = tm.team_id) OR NOT EXISTS (SELECT 1 FROM members AS m WHERE m.organization_id = tm.organization_id AND m.user_id = tm.user_id)"},
		{"domains", "SELECT count(*) FROM organization_domains WHERE organization_id NOT IN (SELECT id FROM organizations)"},
		{"webhook_endpoints", "SELECT count(*) FROM webhook_endpoints WHERE organization_id IS NOT NULL AND organization_id NOT IN (SELECT id FROM organizations)"},
		{"webhook_deliveries", "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id NOT IN (SELECT id FROM webhook_endpoints)"},
		{"webhook_attempts", "SELECT count(*) FROM webhook_attempts WHERE endpoint_id NOT IN (SELECT id FROM webhook_endpoints)"},
		{"events", `SELECT count(*) FROM events AS e WHERE e.organization_id NOT IN (SELECT id FROM organizations)
			AND NOT EXISTS (SELECT 1 FROM events AS d WHERE d.organization_id = e.organization_id AND d.type = 'organization.deleted')`},
	} {
		var n int
		if err := db.NewRaw(q.query).Scan(ctx, &n); err != nil {
			return "", err
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%d orphan %s", n, q.what))
		}
	}
	return strings.Join(found, ", "), nil
}
