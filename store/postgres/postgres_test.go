package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/hosttxtest"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/storetest"
)

// TestPostgres runs the conformance suite on PostgreSQL, each store in a
// schema of its own. It needs ORGS_TEST_POSTGRES_URL (scripts/test.sh starts
// a server and sets it).
func TestPostgres(t *testing.T) {
	testdb.PostgresURL(t)
	storetest.RunWithOptions(t, newPostgres, storetest.Options{HostTransactions: hosttxtest.HostTransactions(hosttxtest.SQLTx)})
}

func newPostgres(t *testing.T) orgs.Store {
	s, err := postgres.Open(testdb.PostgresSchemaURL(t))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// TestPostgresBunTx runs the area HostTransactions again with the host's
// transactions begun with bun (WithTx) instead of database/sql
// (WithSQLTx); TestPostgres runs the rest.
func TestPostgresBunTx(t *testing.T) {
	testdb.PostgresURL(t)
	storetest.RunWithOptions(t, newPostgres, storetest.Options{HostTransactions: hosttxtest.HostTransactions(hosttxtest.BunTx),
		Exceptions: hosttxtest.AllAreasBut("HostTransactions", "run by TestPostgres")})
}

// TestUnmigrated: used before Migrate, the Service says to migrate.
func TestUnmigrated(t *testing.T) {
	s, err := postgres.Open(testdb.PostgresSchemaURL(t))
	require.NoError(t, err)
	defer s.Close()
	svc, err := orgs.New(s)
	require.NoError(t, err)
	_, err = svc.CreateOrganization(context.Background(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.ErrorIs(t, err, orgs.ErrNotMigrated)
	_, err = svc.GetOrganization(context.Background(), orgs.UserActor("alice"), "acme")
	require.ErrorIs(t, err, orgs.ErrNotMigrated)
	require.NoError(t, s.Migrate(context.Background()))
	_, err = svc.CreateOrganization(context.Background(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
}

// TestNewRefusesOtherDialects: New checks the bun database's dialect.
func TestNewRefusesOtherDialects(t *testing.T) {
	sqldb, err := sql.Open("pgx", "postgres://localhost/unused") // never connects
	require.NoError(t, err)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	defer db.Close()
	_, err = postgres.New(db)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dialect")
}
