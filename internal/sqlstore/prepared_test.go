package sqlstore_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

// TestPreparedStatementsAreTemplates: on SQLite the prepared statements are
// kept by template, so their number does not grow with the calls — a
// statement whose values are in its text (bun's builders) is never kept —
// and on Postgres none are.
func TestPreparedStatementsAreTemplates(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		svc, err := orgs.New(s)
		require.NoError(t, err)
		ctx := t.Context()
		counts, done := map[int]int{}, 0
		for _, n := range []int{20, 60} {
			for i := done; i < n; i++ {
				slug := fmt.Sprintf("prep-%d", i)
				_, err := svc.CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Prep", Slug: slug})
				require.NoError(t, err)
				_, err = svc.AddMember(ctx, orgs.UserActor("boss"), slug, "ann", orgs.RoleMember)
				require.NoError(t, err)
				_, err = svc.UpdateMemberRole(ctx, orgs.UserActor("boss"), slug, "ann", orgs.RoleAdmin)
				require.NoError(t, err)
			}
			counts[n], done = sqlstore.PreparedCount(s), n
		}
		t.Logf("prepared statements after 20 and 60 rounds: %v", counts)
		assert.Equal(t, counts[20], counts[60], "the prepared statements grow with the calls")
		if s.DB().Dialect().Name().String() == "pg" {
			assert.Zero(t, counts[60])
		} else {
			assert.Positive(t, counts[60])
		}
	})
}
