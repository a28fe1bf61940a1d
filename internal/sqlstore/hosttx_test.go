package sqlstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

// statementLog is a query hook that records every statement.
type statementLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *statementLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (l *statementLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, e.Query)
}

// TestHostTxBinding: WithTx and WithSQLTx refuse what is no transaction of
// this database; a call through a *sql.Tx passes the Store's query hooks
// and runs in a savepoint; the bound store's writes stay in the host's
// transaction.
func TestHostTxBinding(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		_, err := s.WithTx(bun.Tx{})
		assert.Error(t, err)
		_, err = s.WithSQLTx(nil)
		assert.Error(t, err)
		other := openSQLite(t)
		if s.DB().Dialect().Name() == other.DB().Dialect().Name() {
			other = openPostgres(t)
		}
		otx, err := other.DB().BeginTx(ctx, nil)
		require.NoError(t, err)
		defer otx.Rollback()
		_, err = s.WithTx(otx)
		assert.ErrorContains(t, err, "dialect", "a transaction of another dialect")

		log := &statementLog{}
		hooked := s.WithQueryHook(log)
		tx, err := hooked.DB().DB.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer tx.Rollback()
		bound, err := hooked.WithSQLTx(tx)
		require.NoError(t, err)
		svc, err := orgs.New(bound, orgs.WithSeed(orgs.SeedNone))
		require.NoError(t, err)
		_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"})
		require.NoError(t, err)
		joined := strings.Join(log.seen, "\n")
		assert.Contains(t, joined, "SAVEPOINT orgs_")
		assert.Contains(t, joined, "RELEASE SAVEPOINT orgs_")
		assert.Contains(t, joined, "INSERT INTO organizations")
		assert.NotContains(t, joined, "BEGIN", "no transaction of its own")
		assert.NotContains(t, joined, "COMMIT")
		_, err = s.GetOrganization(ctx, orgs.OrganizationKey{Slug: "acme"}, "")
		assert.ErrorIs(t, err, orgs.ErrNotFound, "not committed")
		require.NoError(t, tx.Commit())
		_, err = s.GetOrganization(ctx, orgs.OrganizationKey{Slug: "acme"}, "")
		assert.NoError(t, err)
	})
}
