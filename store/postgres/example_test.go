package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/store/postgres"
)

// openService is the README's Postgres snippet.
func openService(ctx context.Context, url string) (*orgs.Service, error) {
	// README:postgres {
	st, err := postgres.Open(url) // "postgres://app@db.internal/app?sslmode=verify-full"
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil { // once per deploy, before serving
		return nil, err
	}
	svc, err := orgs.New(st)
	// README:postgres }
	return svc, err
}

// TestREADMEPostgres runs the README's Postgres snippet.
func TestREADMEPostgres(t *testing.T) {
	svc, err := openService(t.Context(), testdb.PostgresSchemaURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Store().Close() })
	org, err := svc.CreateOrganization(t.Context(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
	require.Equal(t, orgs.RoleOwner, org.Role)
}
