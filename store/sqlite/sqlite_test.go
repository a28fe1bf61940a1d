package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/hosttxtest"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/tenantkit/orgs/storetest"
)

// TestSQLite runs the conformance suite on SQLite files, one per test.
func TestSQLite(t *testing.T) {
	storetest.RunWithOptions(t, newSQLite, storetest.Options{HostTransactions: hosttxtest.HostTransactions(hosttxtest.BunTx)})
}

func newSQLite(t *testing.T) orgs.Store {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "orgs.db"))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// TestSQLiteSQLTx runs the area HostTransactions again with the host's
// transactions begun with database/sql (WithSQLTx) instead of bun
// (WithTx); TestSQLite runs the rest.
func TestSQLiteSQLTx(t *testing.T) {
	storetest.RunWithOptions(t, newSQLite, storetest.Options{HostTransactions: hosttxtest.HostTransactions(hosttxtest.SQLTx),
		Exceptions: hosttxtest.AllAreasBut("HostTransactions", "run by TestSQLite")})
}

// TestOpenExplainsItself: bad usage names the path and says what to do.
func TestOpenExplainsItself(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir", "orgs.db")
	_, err := sqlite.Open(missing)
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing, "the error names the path")
	assert.True(t, errors.Is(err, os.ErrNotExist), "the cause is reachable: %v", err)

	// Used before Migrate: a sentinel that says to migrate, not a raw
	// "no such table".
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "fresh.db"))
	require.NoError(t, err)
	defer s.Close()
	svc, err := orgs.New(s)
	require.NoError(t, err)
	_, err = svc.CreateOrganization(context.Background(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.ErrorIs(t, err, orgs.ErrNotMigrated)
	assert.True(t, strings.Contains(err.Error(), "Migrate"), "the message says what to do: %v", err)
	_, err = svc.GetOrganization(context.Background(), orgs.UserActor("alice"), "acme")
	require.ErrorIs(t, err, orgs.ErrNotMigrated)
	require.NoError(t, s.Migrate(context.Background()))
	_, err = svc.CreateOrganization(context.Background(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
}

// TestNewRefusesOtherDialects: New checks the bun database's dialect.
func TestNewRefusesOtherDialects(t *testing.T) {
	db := pgDB(t)
	_, err := sqlite.New(db)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dialect")
}

// pgDB is a bun database with Postgres's dialect (over an in-memory SQLite
// connection it never uses).
func pgDB(t *testing.T) *bun.DB {
	sqldb, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { _ = db.Close() })
	return db
}
