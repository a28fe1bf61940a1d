package sqlstore_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/store/sqlite"
)

// TestMigrationBackfillsMemberships: members and domains written before
// the migration that made memberships resources (20261205000001) get a
// well-formed, unique membership ID, the active status and an update time,
// and domains the dns strategy — on both dialects.
func TestMigrationBackfillsMemberships(t *testing.T) {
	for _, b := range []struct {
		name string
		open func(t *testing.T) *sqlstore.Store
		d    sqlstore.Dialect
	}{
		{"sqlite", func(t *testing.T) *sqlstore.Store {
			s, err := sqlite.Open(filepath.Join(t.TempDir(), "orgs.db"))
			require.NoError(t, err)
			return s.Store
		}, sqlite.Dialect()},
		{"postgres", func(t *testing.T) *sqlstore.Store {
			s, err := postgres.Open(testdb.PostgresSchemaURL(t))
			require.NoError(t, err)
			return s.Store
		}, postgres.Dialect()},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			st := b.open(t)
			t.Cleanup(func() { _ = st.Close() })
			// The schema as it was before: every migration but this one.
			old := fstest.MapFS{}
			require.NoError(t, fs.WalkDir(b.d.Migrations, ".", func(path string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() || strings.HasPrefix(path, "20261205000001") {
					return err
				}
				data, err := fs.ReadFile(b.d.Migrations, path)
				old[path] = &fstest.MapFile{Data: data}
				return err
			}))
			d := b.d
			d.Migrations = old
			before, err := sqlstore.New(st.DB(), d)
			require.NoError(t, err)
			require.NoError(t, before.Migrate(ctx))

			now := time.Now().UTC().Truncate(time.Second)
			orgID := orgs.NewID(orgs.PrefixOrganization)
			db := st.DB()
			_, err = db.ExecContext(ctx, `INSERT INTO organizations (id, name, slug, visibility, member_count, team_count, created_by, created_at, updated_at)
				VALUES (?, 'Old', 'old', 'private', 3, 0, 'u0', ?, ?)`, orgID, now, now)
			require.NoError(t, err)
			for i, u := range []string{"u0", "u1", "u2"} {
				role := "member"
				if i == 0 {
					role = "owner"
				}
				_, err = db.ExecContext(ctx, "INSERT INTO members (organization_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)", orgID, u, role, now)
				require.NoError(t, err)
			}
			_, err = db.ExecContext(ctx, `INSERT INTO organization_domains (id, organization_id, domain, state, verification_token, created_at)
				VALUES (?, ?, 'old.example', 'pending', 'tok', ?)`, orgs.NewID(orgs.PrefixDomain), orgID, now)
			require.NoError(t, err)

			require.NoError(t, st.Migrate(ctx))
			svc, err := orgs.New(st)
			require.NoError(t, err)
			l, err := svc.ListMemberships(ctx, orgs.SystemActor(), orgs.MembershipQuery{Organization: orgID})
			require.NoError(t, err)
			require.Len(t, l.Data, 3, "every old member is listed by membership ID")
			seen := map[string]bool{}
			for _, m := range l.Data {
				assert.Regexp(t, `^om_0[0-9A-F]{25}$`, m.ID)
				assert.False(t, seen[m.ID], "unique")
				seen[m.ID] = true
				assert.Equal(t, orgs.MembershipActive, m.Status)
				assert.True(t, m.UpdatedAt.Equal(now), "updated_at = joined_at")
				got, err := svc.GetMembership(ctx, orgs.SystemActor(), m.ID)
				require.NoError(t, err, "a backfilled ID is a valid ID")
				assert.Equal(t, m.UserID, got.UserID)
			}
			o, err := svc.GetOrganization(ctx, orgs.SystemActor(), orgID)
			require.NoError(t, err)
			require.Len(t, o.DomainDetails, 1)
			assert.Equal(t, orgs.DomainStrategyDNS, o.DomainDetails[0].Strategy)
			assert.True(t, o.DomainDetails[0].UpdatedAt.Equal(now))
			// The old owner is the last active owner.
			_, err = svc.DeactivateMembership(ctx, orgs.SystemActor(), findUser(l.Data, "u0"))
			assert.ErrorIs(t, err, orgs.ErrLastOwner)
		})
	}
}

func findUser(ms []orgs.Member, user string) string {
	for _, m := range ms {
		if m.UserID == user {
			return m.ID
		}
	}
	return ""
}
