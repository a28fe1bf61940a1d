package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

var ctx = context.Background()

// now is a test time: UTC at the stores' microsecond precision.
var now = time.Now().UTC().Truncate(time.Microsecond)

// newOrg inserts an organization named slug owned by owner.
func newOrg(t *testing.T, tx orgs.Tx, slug, owner string, opts ...func(*orgs.Organization)) *orgs.Organization {
	t.Helper()
	o := &orgs.Organization{
		ID: orgs.NewID(orgs.PrefixOrganization), Name: "Org " + slug, Slug: slug,
		Visibility: orgs.VisibilityPrivate, MemberCount: 1, CreatedBy: owner, CreatedAt: now, UpdatedAt: now,
	}
	for _, opt := range opts {
		opt(o)
	}
	require.NoError(t, tx.InsertOrganization(ctx, o, &orgs.Member{
		OrganizationID: o.ID, UserID: owner, Role: orgs.RoleOwner, JoinedAt: now,
	}))
	if len(o.Domains) > 0 { // domains are rows of their own, in ID order
		ds := make([]orgs.Domain, len(o.Domains))
		for i, name := range o.Domains {
			ds[i] = orgs.Domain{ID: orgs.NewID(orgs.PrefixDomain), OrganizationID: o.ID, Domain: name,
				State: orgs.DomainPending, VerificationToken: "t", CreatedAt: now}
		}
		require.NoError(t, tx.InsertDomains(ctx, ds))
	}
	return o
}

func addMember(t *testing.T, tx orgs.Tx, orgID, userID string, role orgs.Role) {
	t.Helper()
	require.NoError(t, tx.InsertMember(ctx, &orgs.Member{OrganizationID: orgID, UserID: userID, Role: role, JoinedAt: now}))
}

func getOrg(t *testing.T, s orgs.Tx, id string) *orgs.Organization {
	t.Helper()
	o, err := s.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
	require.NoError(t, err)
	return o
}

// rows counts the rows of table matching where, through the store's DB.
func rows(t *testing.T, s *sqlstore.Store, table, where string, args ...any) int {
	t.Helper()
	n, err := s.DB().NewSelect().TableExpr(table).Where(where, args...).Count(ctx)
	require.NoError(t, err)
	return int(n)
}

func TestMigrationVersionsMatch(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir("../../store/" + dir + "/migrations")
		require.NoError(t, err)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	sqlite, postgres := names("sqlite"), names("postgres")
	require.NotEmpty(t, sqlite)
	assert.Equal(t, sqlite, postgres, "store/sqlite/migrations and store/postgres/migrations must list the same versions")
	for _, n := range sqlite {
		assert.Regexp(t, `^\d{14}_[0-9a-z_]+\.tx\.(up|down)\.sql$`, n)
	}
}

func TestMigrateTwice(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		require.NoError(t, s.Migrate(ctx))
		n, err := s.DB().NewSelect().TableExpr("orgs_migrations").Count(ctx)
		require.NoError(t, err)
		ups, err := filepath.Glob("../../store/sqlite/migrations/*.up.sql")
		require.NoError(t, err)
		require.NotEmpty(t, ups)
		assert.EqualValues(t, len(ups), n, "each migration recorded once")
	})
}

func TestOrganizations(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		local := now.In(time.FixedZone("X", 3600))
		o := newOrg(t, s, "acme", "alice", func(o *orgs.Organization) {
			o.Handle, o.ExternalID = "acme-handle", "ext-1"
			o.Description, o.LogoURL, o.Website, o.Industry = "d", "https://l", "https://w", "Software"
			o.ContactEmail, o.ContactPhone, o.Visibility = "c@acme.test", "+1", orgs.VisibilityPublic
			o.Domains = []string{"zeta.test", "acme.test"}
			o.Metadata = map[string]string{"k": "v", "quote": `it's "q"?`}
			o.CreatedAt, o.UpdatedAt = local, local
		})
		want := *o
		want.CreatedAt, want.UpdatedAt = now, now
		want.Role = orgs.RoleOwner

		for _, key := range []orgs.OrganizationKey{{ID: o.ID}, {Slug: "acme"}, {ExternalID: "ext-1"}} {
			got, err := s.GetOrganization(ctx, key, "alice")
			require.NoError(t, err, key)
			require.Len(t, got.DomainDetails, 2, key)
			assert.Equal(t, []string{"zeta.test", "acme.test"}, []string{got.DomainDetails[0].Domain, got.DomainDetails[1].Domain}, key)
			got.DomainDetails = nil // as Domains; storetest's Memberships area checks them
			assert.Equal(t, &want, got, key)
		}
		got, err := s.GetOrganization(ctx, orgs.OrganizationKey{ID: o.ID}, "bob")
		require.NoError(t, err)
		assert.Equal(t, orgs.Role(""), got.Role)
		for _, key := range []orgs.OrganizationKey{{ID: "org_nope"}, {Slug: "nope"}, {ExternalID: "nope"}, {}} {
			_, err := s.GetOrganization(ctx, key, "alice")
			assert.ErrorIs(t, err, orgs.ErrNotFound, key)
		}

		// Empty handle, external ID, domains and metadata read back empty.
		o2 := newOrg(t, s, "beta", "alice")
		o3 := newOrg(t, s, "gamma", "alice")
		got = getOrg(t, s, o3.ID)
		assert.Equal(t, "", got.Handle)
		assert.Nil(t, got.Domains)
		assert.Nil(t, got.Metadata)

		n, err := s.CountOrganizationsCreatedBy(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, 3, n)

		// Update replaces every mutable field; domains are not its business.
		o2.Name, o2.Slug, o2.Handle, o2.ExternalID = "Beta Two", "beta-two", "bh", "ext-2"
		o2.Domains, o2.Metadata, o2.UpdatedAt = []string{"b.test"}, map[string]string{"a": "b"}, now.Add(time.Hour)
		require.NoError(t, s.UpdateOrganization(ctx, o2))
		got = getOrg(t, s, o2.ID)
		assert.Equal(t, "beta-two", got.Slug)
		assert.Nil(t, got.Domains)
		assert.Equal(t, map[string]string{"a": "b"}, got.Metadata)
		assert.Equal(t, now.Add(time.Hour), got.UpdatedAt)
		assert.Equal(t, now, got.CreatedAt)
		o2.Domains, o2.Metadata, o2.Handle, o2.ExternalID = nil, nil, "", ""
		require.NoError(t, s.UpdateOrganization(ctx, o2))
		got = getOrg(t, s, o2.ID)
		assert.Nil(t, got.Domains)
		assert.Equal(t, "", got.ExternalID)
		missing := *o2
		missing.ID = "org_missing"
		assert.ErrorIs(t, s.UpdateOrganization(ctx, &missing), orgs.ErrNotFound)

		// Lists: the user's organizations by ID, Role set; domain and
		// search filters.
		addMember(t, s, o.ID, "bob", orgs.RoleAdmin)
		addMember(t, s, o3.ID, "bob", orgs.RoleMember)
		list, err := s.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "bob", Range: orgs.Range{MaxRows: 10}})
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []string{o.ID, o3.ID}, []string{list[0].ID, list[1].ID})
		assert.Equal(t, orgs.RoleAdmin, list[0].Role)
		assert.Equal(t, []string{"zeta.test", "acme.test"}, list[0].Domains)
		assert.Equal(t, 2, list[0].MemberCount)
		list, err = s.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "bob", Domain: "acme.test"})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, o.ID, list[0].ID)
		list, err = s.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "alice", Search: "ORG G"})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, o3.ID, list[0].ID)
		list, err = s.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "alice", Search: "%"})
		require.NoError(t, err)
		assert.Empty(t, list)
		list, err = s.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "alice", Range: orgs.Range{Before: o3.ID, MaxRows: 2}})
		require.NoError(t, err)
		assert.Equal(t, []string{o.ID, o2.ID}, ids(list, func(o orgs.Organization) string { return o.ID }))

		// Delete.
		require.NoError(t, s.DeleteOrganization(ctx, o.ID))
		_, err = s.GetOrganization(ctx, orgs.OrganizationKey{ID: o.ID}, "")
		assert.ErrorIs(t, err, orgs.ErrNotFound)
		assert.ErrorIs(t, s.DeleteOrganization(ctx, o.ID), orgs.ErrNotFound)
		n, err = s.CountOrganizationsCreatedBy(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
	})
}

func ids[T any](xs []T, key func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, key(x))
	}
	return out
}

func TestOrganizationConflicts(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		a := newOrg(t, s, "acme", "alice", func(o *orgs.Organization) { o.Handle, o.ExternalID = "h", "x" })
		b := newOrg(t, s, "beta", "alice") // empty handle and external ID twice: no conflict
		newOrg(t, s, "gamma", "alice")

		insert := func(slug, handle, ext string) error {
			o := &orgs.Organization{ID: orgs.NewID(orgs.PrefixOrganization), Name: "n", Slug: slug, Handle: handle,
				ExternalID: ext, CreatedBy: "u", CreatedAt: now, UpdatedAt: now}
			return s.InsertOrganization(ctx, o, &orgs.Member{UserID: "u", Role: orgs.RoleOwner, JoinedAt: now})
		}
		for _, c := range []struct {
			slug, handle, ext string
			want              error
		}{
			{"acme", "", "", orgs.ErrSlugTaken},
			{"new1", "h", "", orgs.ErrHandleTaken},
			{"new2", "", "x", orgs.ErrExternalIDTaken},
		} {
			err := insert(c.slug, c.handle, c.ext)
			assert.ErrorIs(t, err, c.want, c)
			for _, other := range []error{orgs.ErrSlugTaken, orgs.ErrHandleTaken, orgs.ErrExternalIDTaken, orgs.ErrNotFound} {
				if other != c.want {
					assert.NotErrorIs(t, err, other, c)
				}
			}
		}
		n, err := s.CountOrganizationsCreatedBy(ctx, "u")
		require.NoError(t, err)
		assert.Equal(t, 0, n, "failed inserts leave nothing")
		assert.Equal(t, 3, rows(t, s, "members", "1 = 1"))

		b.Slug = "acme"
		assert.ErrorIs(t, s.UpdateOrganization(ctx, b), orgs.ErrSlugTaken)
		b.Slug, b.Handle = "beta", "h"
		assert.ErrorIs(t, s.UpdateOrganization(ctx, b), orgs.ErrHandleTaken)
		b.Handle, b.ExternalID = "", "x"
		assert.ErrorIs(t, s.UpdateOrganization(ctx, b), orgs.ErrExternalIDTaken)
		a.Slug = "acme" // unchanged slug is no conflict
		require.NoError(t, s.UpdateOrganization(ctx, a))
	})
}

func TestMembers(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice")
		require.NoError(t, s.PutUser(ctx, &orgs.User{ID: "alice", Username: "alice", Email: "alice@acme.test", Name: "Alice Liddell", AvatarURL: "https://a"}))
		require.NoError(t, s.PutUser(ctx, &orgs.User{ID: "bob", Username: "bobby", Email: "bob@x.test", Name: "Bob 100%_real"}))
		addMember(t, s, o.ID, "bob", orgs.RoleAdmin)
		addMember(t, s, o.ID, "carol", orgs.RoleMember) // no profile

		err := s.InsertMember(ctx, &orgs.Member{OrganizationID: o.ID, UserID: "bob", Role: orgs.RoleMember, JoinedAt: now})
		assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
		assert.NotErrorIs(t, err, orgs.ErrNotFound)
		err = s.InsertMember(ctx, &orgs.Member{OrganizationID: "org_missing", UserID: "bob", Role: orgs.RoleMember, JoinedAt: now})
		assert.ErrorIs(t, err, orgs.ErrNotFound)
		assert.Equal(t, 3, getOrg(t, s, o.ID).MemberCount)

		m, err := s.GetMember(ctx, o.ID, "alice")
		require.NoError(t, err)
		assert.Equal(t, &orgs.Member{OrganizationID: o.ID, UserID: "alice", Role: orgs.RoleOwner, JoinedAt: now,
			Status: orgs.MembershipActive, UpdatedAt: now, Username: "alice", Email: "alice@acme.test", Name: "Alice Liddell", AvatarURL: "https://a"}, m)
		m, err = s.GetMember(ctx, o.ID, "carol")
		require.NoError(t, err)
		assert.Equal(t, "", m.Username)
		_, err = s.GetMember(ctx, o.ID, "dave")
		assert.ErrorIs(t, err, orgs.ErrNotFound)

		list := func(f orgs.MemberFilter) []string {
			t.Helper()
			ms, err := s.ListMembers(ctx, withOrg(o.ID, f))
			require.NoError(t, err)
			return ids(ms, func(m orgs.Member) string { return m.UserID })
		}
		assert.Equal(t, []string{"alice", "bob", "carol"}, list(orgs.MemberFilter{}))
		assert.Equal(t, []string{"bob"}, list(orgs.MemberFilter{Role: orgs.RoleAdmin}))
		assert.Equal(t, []string{"alice"}, list(orgs.MemberFilter{Search: "LIDDELL"}))
		assert.Equal(t, []string{"alice"}, list(orgs.MemberFilter{Search: "acme.TEST"}))
		assert.Equal(t, []string{"bob"}, list(orgs.MemberFilter{Search: "BBY"}))
		assert.Equal(t, []string{"bob"}, list(orgs.MemberFilter{Search: "100%_"}))
		assert.Equal(t, []string{}, list(orgs.MemberFilter{Search: "b_b"}))
		assert.Equal(t, []string{"bob"}, list(orgs.MemberFilter{Search: "%"}))
		assert.Equal(t, []string{}, list(orgs.MemberFilter{Search: `\`}))
		assert.Equal(t, []string{}, list(orgs.MemberFilter{Role: orgs.RoleAdmin, Search: "alice"}))

		count := func(role orgs.Role) int {
			n, err := s.CountMembers(ctx, o.ID, role)
			require.NoError(t, err)
			return n
		}
		assert.Equal(t, 3, count(""))
		assert.Equal(t, 1, count(orgs.RoleOwner))
		require.NoError(t, s.UpdateMemberRole(ctx, o.ID, "bob", orgs.RoleOwner))
		assert.Equal(t, 2, count(orgs.RoleOwner))
		assert.ErrorIs(t, s.UpdateMemberRole(ctx, o.ID, "dave", orgs.RoleOwner), orgs.ErrNotFound)

		require.NoError(t, s.DeleteMember(ctx, o.ID, "bob"))
		assert.ErrorIs(t, s.DeleteMember(ctx, o.ID, "bob"), orgs.ErrNotFound)
		assert.Equal(t, 2, count(""))
		assert.Equal(t, 2, getOrg(t, s, o.ID).MemberCount)
		n, err := s.CountMembers(ctx, "org_missing", "")
		require.NoError(t, err)
		assert.Equal(t, 0, n)

		// Users: upsert and batch lookup.
		require.NoError(t, s.PutUser(ctx, &orgs.User{ID: "bob", Username: "robert"}))
		us, err := s.Users(ctx, []string{"alice", "bob", "zed"})
		require.NoError(t, err)
		assert.Equal(t, map[string]orgs.User{
			"alice": {ID: "alice", Username: "alice", Email: "alice@acme.test", Name: "Alice Liddell", AvatarURL: "https://a"},
			"bob":   {ID: "bob", Username: "robert"},
		}, us)
		us, err = s.Users(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, us)
	})
}

// TestPaging checks orgs.Range on ListMembers: forward, backward, both
// bounds, and the edges.
func TestPaging(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "u00")
		all := []string{"u00"}
		require.NoError(t, s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			for i := 1; i < 25; i++ {
				id := fmt.Sprintf("u%02d", i)
				all = append(all, id)
				addMember(t, tx, o.ID, id, orgs.RoleMember)
			}
			return nil
		}))
		page := func(r orgs.Range) []string {
			t.Helper()
			ms, err := s.ListMembers(ctx, orgs.MemberFilter{OrganizationID: o.ID, Range: r})
			require.NoError(t, err)
			return ids(ms, func(m orgs.Member) string { return m.UserID })
		}
		assert.Equal(t, all[:11], page(orgs.Range{MaxRows: 11}))
		assert.Equal(t, all[11:22], page(orgs.Range{After: "u10", MaxRows: 11}))
		assert.Equal(t, all[22:], page(orgs.Range{After: "u21", MaxRows: 11}))
		assert.Equal(t, []string{}, page(orgs.Range{After: "u24", MaxRows: 11}))
		assert.Equal(t, all[3:14], page(orgs.Range{Before: "u14", MaxRows: 11}))
		assert.Equal(t, all[:3], page(orgs.Range{Before: "u03", MaxRows: 11}))
		assert.Equal(t, []string{}, page(orgs.Range{Before: "u00", MaxRows: 11}))
		assert.Equal(t, all[6:9], page(orgs.Range{After: "u05", Before: "u09", MaxRows: 11}))
		assert.Equal(t, all[6:8], page(orgs.Range{After: "u05", Before: "u20", MaxRows: 2}))
		assert.Equal(t, all, page(orgs.Range{}))
	})
}

func TestCategories(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice")
		other := newOrg(t, s, "other", "alice")
		cat := func(orgID, name string, pos int) orgs.Category {
			return orgs.Category{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: orgID, Name: name, Position: pos, CreatedAt: now}
		}
		cs := []orgs.Category{cat(o.ID, "Finance", 1), cat(o.ID, "Software Development", 0), cat(o.ID, "R&D? Yes", 2)}
		require.NoError(t, s.InsertCategories(ctx, cs))
		require.NoError(t, s.InsertCategories(ctx, []orgs.Category{cat(other.ID, "finance", 0)}))
		require.NoError(t, s.InsertCategories(ctx, nil))

		got, err := s.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: o.ID})
		require.NoError(t, err)
		assert.Equal(t, []orgs.Category{cs[1], cs[0], cs[2]}, got)

		assert.ErrorIs(t, s.InsertCategories(ctx, []orgs.Category{cat(o.ID, "FINANCE", 3)}), orgs.ErrNameTaken)
		assert.ErrorIs(t, s.InsertCategories(ctx, []orgs.Category{cat(o.ID, "New", 3), cat(o.ID, "new", 4)}), orgs.ErrNameTaken)
		got, _ = s.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: o.ID})
		assert.Len(t, got, 3, "a failed batch inserts nothing")

		c := cs[0]
		c.Name, c.Position = "finance & accounting", 5
		require.NoError(t, s.UpdateCategory(ctx, &c))
		c.Name = "software DEVELOPMENT"
		assert.ErrorIs(t, s.UpdateCategory(ctx, &c), orgs.ErrNameTaken)
		c.OrganizationID = other.ID
		assert.ErrorIs(t, s.UpdateCategory(ctx, &c), orgs.ErrNotFound)
		got, _ = s.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: o.ID})
		assert.Equal(t, "finance & accounting", got[2].Name)
		assert.Equal(t, 5, got[2].Position)

		assert.ErrorIs(t, s.DeleteCategory(ctx, other.ID, cs[0].ID), orgs.ErrNotFound)
		require.NoError(t, s.DeleteCategory(ctx, o.ID, cs[0].ID))
		assert.ErrorIs(t, s.DeleteCategory(ctx, o.ID, cs[0].ID), orgs.ErrNotFound)
		got, _ = s.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: o.ID})
		assert.Len(t, got, 2)
	})
}

func TestPipelines(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice")
		other := newOrg(t, s, "other", "alice")
		pipeline := func(orgID, name string, stages ...string) *orgs.Pipeline {
			p := &orgs.Pipeline{ID: orgs.NewID(orgs.PrefixPipeline), OrganizationID: orgID, Name: name, CreatedAt: now,
				Stages: []orgs.Stage{}}
			for i, st := range stages {
				p.Stages = append(p.Stages, orgs.Stage{ID: orgs.NewID(orgs.PrefixStage), PipelineID: p.ID, Name: st, Position: i})
			}
			return p
		}
		p1 := pipeline(o.ID, "General", "Screening", "Interview", "Offer")
		p1.IsDefault = true
		p2 := pipeline(o.ID, "Empty")
		p3 := pipeline(other.ID, "Other", "One")
		for _, p := range []*orgs.Pipeline{p1, p2, p3} {
			require.NoError(t, s.InsertPipeline(ctx, p))
		}

		ps, err := s.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: o.ID})
		require.NoError(t, err)
		assert.Equal(t, []orgs.Pipeline{*p1, *p2}, ps)
		got, err := s.GetPipeline(ctx, o.ID, p1.ID)
		require.NoError(t, err)
		assert.Equal(t, p1, got)
		_, err = s.GetPipeline(ctx, other.ID, p1.ID)
		assert.ErrorIs(t, err, orgs.ErrNotFound)

		// Rename, reorder, drop one stage, add one.
		p1.Name, p1.IsDefault = "Renamed", false
		p1.Stages = []orgs.Stage{
			{ID: p1.Stages[2].ID, PipelineID: p1.ID, Name: "Offer!", Position: 0},
			{ID: orgs.NewID(orgs.PrefixStage), PipelineID: p1.ID, Name: "New", Position: 1},
			{ID: p1.Stages[0].ID, PipelineID: p1.ID, Name: "Screening", Position: 2},
		}
		require.NoError(t, s.UpdatePipeline(ctx, p1))
		got, err = s.GetPipeline(ctx, o.ID, p1.ID)
		require.NoError(t, err)
		assert.Equal(t, p1, got)
		assert.Equal(t, 3, rows(t, s, "stages", "pipeline_id = ?", p1.ID))

		// A stage of another pipeline is not taken over.
		p2.Stages = []orgs.Stage{{ID: p3.Stages[0].ID, PipelineID: p2.ID, Name: "Stolen", Position: 0}}
		require.NoError(t, s.UpdatePipeline(ctx, p2))
		got, _ = s.GetPipeline(ctx, other.ID, p3.ID)
		assert.Equal(t, p3, got)

		p1.Stages = nil
		require.NoError(t, s.UpdatePipeline(ctx, p1))
		got, _ = s.GetPipeline(ctx, o.ID, p1.ID)
		assert.Equal(t, []orgs.Stage{}, got.Stages)
		p1.OrganizationID = other.ID
		assert.ErrorIs(t, s.UpdatePipeline(ctx, p1), orgs.ErrNotFound)

		assert.ErrorIs(t, s.DeletePipeline(ctx, other.ID, p3.ID+"x"), orgs.ErrNotFound)
		require.NoError(t, s.DeletePipeline(ctx, other.ID, p3.ID))
		assert.Equal(t, 0, rows(t, s, "stages", "pipeline_id = ?", p3.ID))
		ps, _ = s.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: other.ID})
		assert.Empty(t, ps)
	})
}

func TestEvents(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice")
		var all []orgs.Event
		for i := range 5 {
			typ := orgs.EventMemberAdded
			if i%2 == 0 {
				typ = orgs.EventOrganizationUpdated
			}
			e := orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: o.ID, Type: typ, ActorType: orgs.ActorTypeUser, ActorID: "alice",
				Data: map[string]string{"i": fmt.Sprint(i)}, CreatedAt: now}
			if i == 4 {
				e.Data = nil
			}
			require.NoError(t, s.InsertEvent(ctx, &e))
			all = append(all, e)
		}
		es, err := s.ListEvents(ctx, orgs.EventFilter{OrganizationID: o.ID, Range: orgs.Range{MaxRows: 3}})
		require.NoError(t, err)
		assert.Equal(t, all[:3], es)
		es, err = s.ListEvents(ctx, orgs.EventFilter{OrganizationID: o.ID, Range: orgs.Range{After: all[2].ID}})
		require.NoError(t, err)
		assert.Equal(t, all[3:], es)
		es, err = s.ListEvents(ctx, orgs.EventFilter{OrganizationID: o.ID, Type: "member.added"})
		require.NoError(t, err)
		assert.Equal(t, []orgs.Event{all[1], all[3]}, es)

		// Events outlive their organization.
		require.NoError(t, s.DeleteOrganization(ctx, o.ID))
		es, err = s.ListEvents(ctx, orgs.EventFilter{OrganizationID: o.ID})
		require.NoError(t, err)
		assert.Len(t, es, 5)
	})
}

func TestInvitations(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice")
		n := 0
		invite := func(email string, expires time.Time) *orgs.Invitation {
			n++
			return &orgs.Invitation{ID: orgs.NewID(orgs.PrefixInvitation), OrganizationID: o.ID, Email: email,
				Role: orgs.RoleMember, Status: orgs.InvitationPending, InvitedBy: "alice", InviterUsername: "alice",
				TokenHash: []byte{byte(n), 0, 0x5c, 0x27, 0xff}, ExpiresAt: expires, CreatedAt: now, UpdatedAt: now}
		}
		// Expiries around now, down to the microsecond and across whole seconds.
		base := now.Truncate(time.Second).Add(500 * time.Millisecond)
		a := invite("a@x.test", base.Add(time.Microsecond))
		b := invite("b@x.test", base)
		c := invite("c@x.test", base.Add(-time.Microsecond))
		d := invite("d@x.test", base.Add(500*time.Millisecond)) // a whole second: no fraction
		e := invite("e@x.test", base.Add(-500*time.Millisecond))
		for _, inv := range []*orgs.Invitation{a, b, c, d, e} {
			require.NoError(t, s.InsertInvitation(ctx, inv))
		}
		dup := invite("a@x.test", base.Add(time.Hour))
		assert.ErrorIs(t, s.InsertInvitation(ctx, dup), orgs.ErrAlreadyInvited)

		got, err := s.GetInvitation(ctx, o.ID, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		got, err = s.GetInvitationByTokenHash(ctx, a.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, a.ID, got.ID)
		_, err = s.GetInvitationByTokenHash(ctx, []byte{9})
		assert.ErrorIs(t, err, orgs.ErrNotFound)
		got, err = s.FindPendingInvitation(ctx, o.ID, "c@x.test")
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.ID)
		_, err = s.GetInvitation(ctx, "org_other", a.ID)
		assert.ErrorIs(t, err, orgs.ErrNotFound)

		for _, at := range []struct {
			now     time.Time
			pending []string
		}{
			{base, []string{a.ID, d.ID}},
			{base.Add(-time.Microsecond), []string{a.ID, b.ID, d.ID}},
			{base.Add(-500 * time.Millisecond), []string{a.ID, b.ID, c.ID, d.ID}},
			{base.Add(500 * time.Millisecond), []string{}},
			{base.Add(499 * time.Millisecond), []string{d.ID}},
		} {
			cnt, err := s.CountPendingInvitations(ctx, o.ID, at.now)
			require.NoError(t, err)
			assert.Equal(t, len(at.pending), cnt, at.now)
			invs, err := s.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: o.ID, Status: orgs.InvitationPending, Now: at.now})
			require.NoError(t, err)
			assert.Equal(t, at.pending, ids(invs, func(i orgs.Invitation) string { return i.ID }), at.now)
			invs, err = s.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: o.ID, Status: orgs.InvitationExpired, Now: at.now})
			require.NoError(t, err)
			assert.Equal(t, 5-len(at.pending), len(invs), at.now)
		}

		// Accept one: no longer pending, so the email may be invited again.
		a.Status, a.AcceptedBy, a.UpdatedAt, a.ResendCount, a.LastSentAt = orgs.InvitationAccepted, "bob", now.Add(time.Minute), 2, now
		a.TokenHash = []byte("rotated")
		require.NoError(t, s.UpdateInvitation(ctx, a))
		got, err = s.GetInvitation(ctx, o.ID, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		_, err = s.FindPendingInvitation(ctx, o.ID, "a@x.test")
		assert.ErrorIs(t, err, orgs.ErrNotFound)
		require.NoError(t, s.InsertInvitation(ctx, dup))
		invs, err := s.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: o.ID, Status: orgs.InvitationAccepted})
		require.NoError(t, err)
		assert.Equal(t, []string{a.ID}, ids(invs, func(i orgs.Invitation) string { return i.ID }))
		invs, err = s.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: o.ID, Range: orgs.Range{Before: dup.ID, MaxRows: 2}})
		require.NoError(t, err)
		assert.Equal(t, []string{d.ID, e.ID}, ids(invs, func(i orgs.Invitation) string { return i.ID }))

		// A retired invitation, stored as expired, is listed as expired
		// whatever the time.
		c.Status = orgs.InvitationExpired
		require.NoError(t, s.UpdateInvitation(ctx, c))
		invs, err = s.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: o.ID, Status: orgs.InvitationExpired, Now: base.Add(-time.Hour)})
		require.NoError(t, err)
		assert.Equal(t, []string{c.ID}, ids(invs, func(i orgs.Invitation) string { return i.ID }))

		// Back to pending while another is pending: refused.
		a.Status = orgs.InvitationPending
		assert.ErrorIs(t, s.UpdateInvitation(ctx, a), orgs.ErrAlreadyInvited)
		missing := *b
		missing.ID = "inv_missing"
		assert.ErrorIs(t, s.UpdateInvitation(ctx, &missing), orgs.ErrNotFound)
	})
}

func TestTeams(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice")
		other := newOrg(t, s, "other", "alice")
		addMember(t, s, o.ID, "bob", orgs.RoleMember)
		require.NoError(t, s.PutUser(ctx, &orgs.User{ID: "bob", Username: "bob", Name: "Bob"}))
		team := func(orgID, slug string) *orgs.Team {
			return &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: orgID, Name: "Team " + slug, Slug: slug,
				Description: "d", Color: "#fff", CreatedAt: now, UpdatedAt: now}
		}
		t1, t2 := team(o.ID, "eng"), team(o.ID, "ops")
		for _, tm := range []*orgs.Team{t1, t2, team(other.ID, "eng")} {
			require.NoError(t, s.InsertTeam(ctx, tm))
		}
		assert.ErrorIs(t, s.InsertTeam(ctx, team(o.ID, "eng")), orgs.ErrSlugTaken)
		assert.ErrorIs(t, s.InsertTeam(ctx, team("org_missing", "x")), orgs.ErrNotFound)
		assert.Equal(t, 2, getOrg(t, s, o.ID).TeamCount)

		got, err := s.GetTeam(ctx, o.ID, "eng")
		require.NoError(t, err)
		assert.Equal(t, t1, got)
		_, err = s.GetTeam(ctx, o.ID, "nope")
		assert.ErrorIs(t, err, orgs.ErrNotFound)
		ts, err := s.ListTeams(ctx, orgs.TeamFilter{OrganizationID: o.ID, Range: orgs.Range{MaxRows: 5}})
		require.NoError(t, err)
		assert.Equal(t, []orgs.Team{*t1, *t2}, ts)
		ts, err = s.ListTeams(ctx, orgs.TeamFilter{OrganizationID: o.ID, Range: orgs.Range{After: t1.ID, MaxRows: 5}})
		require.NoError(t, err)
		assert.Equal(t, []orgs.Team{*t2}, ts)

		t2.Slug = "eng"
		assert.ErrorIs(t, s.UpdateTeam(ctx, t2), orgs.ErrSlugTaken)
		t2.Slug, t2.Name, t2.Color = "operations", "Operations", "#000"
		require.NoError(t, s.UpdateTeam(ctx, t2))
		got, _ = s.GetTeam(ctx, o.ID, "operations")
		assert.Equal(t, t2, got)

		// Team members.
		tm := func(teamID, userID string, role orgs.TeamRole) *orgs.TeamMember {
			return &orgs.TeamMember{TeamID: teamID, UserID: userID, Role: role, JoinedAt: now}
		}
		require.NoError(t, s.InsertTeamMember(ctx, tm(t1.ID, "alice", orgs.TeamRoleMaintainer)))
		require.NoError(t, s.InsertTeamMember(ctx, tm(t1.ID, "bob", orgs.TeamRoleMember)))
		require.NoError(t, s.InsertTeamMember(ctx, tm(t2.ID, "bob", orgs.TeamRoleMember)))
		assert.ErrorIs(t, s.InsertTeamMember(ctx, tm(t1.ID, "bob", orgs.TeamRoleMember)), orgs.ErrAlreadyMember)
		err = s.InsertTeamMember(ctx, tm(t1.ID, "carol", orgs.TeamRoleMember))
		assert.ErrorIs(t, err, orgs.ErrNotMember)
		assert.NotErrorIs(t, err, orgs.ErrNotFound)
		assert.ErrorIs(t, s.InsertTeamMember(ctx, tm("team_missing", "bob", orgs.TeamRoleMember)), orgs.ErrNotFound)

		got, _ = s.GetTeam(ctx, o.ID, "eng")
		assert.Equal(t, 2, got.MemberCount)
		m, err := s.GetTeamMember(ctx, t1.ID, "bob")
		require.NoError(t, err)
		assert.Equal(t, &orgs.TeamMember{TeamID: t1.ID, UserID: "bob", Role: orgs.TeamRoleMember, JoinedAt: now, Username: "bob", Name: "Bob"}, m)
		ms, err := s.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: t1.ID, Range: orgs.Range{Before: "bob", MaxRows: 5}})
		require.NoError(t, err)
		assert.Equal(t, []string{"alice"}, ids(ms, func(m orgs.TeamMember) string { return m.UserID }))
		require.NoError(t, s.UpdateTeamMemberRole(ctx, t1.ID, "bob", orgs.TeamRoleMaintainer))
		assert.ErrorIs(t, s.UpdateTeamMemberRole(ctx, t1.ID, "carol", orgs.TeamRoleMaintainer), orgs.ErrNotFound)
		m, _ = s.GetTeamMember(ctx, t1.ID, "bob")
		assert.Equal(t, orgs.TeamRoleMaintainer, m.Role)

		// Leaving the organization leaves its teams.
		require.NoError(t, s.DeleteMember(ctx, o.ID, "bob"))
		_, err = s.GetTeamMember(ctx, t1.ID, "bob")
		assert.ErrorIs(t, err, orgs.ErrNotFound)
		got, _ = s.GetTeam(ctx, o.ID, "eng")
		assert.Equal(t, 1, got.MemberCount)
		got, _ = s.GetTeam(ctx, o.ID, "operations")
		assert.Equal(t, 0, got.MemberCount)

		require.NoError(t, s.DeleteTeamMember(ctx, t1.ID, "alice"))
		assert.ErrorIs(t, s.DeleteTeamMember(ctx, t1.ID, "alice"), orgs.ErrNotFound)
		got, _ = s.GetTeam(ctx, o.ID, "eng")
		assert.Equal(t, 0, got.MemberCount)

		require.NoError(t, s.InsertTeamMember(ctx, tm(t1.ID, "alice", orgs.TeamRoleMember)))
		assert.ErrorIs(t, s.DeleteTeam(ctx, other.ID, t1.ID), orgs.ErrNotFound)
		require.NoError(t, s.DeleteTeam(ctx, o.ID, t1.ID))
		assert.Equal(t, 0, rows(t, s, "team_members", "team_id = ?", t1.ID))
		assert.Equal(t, 1, getOrg(t, s, o.ID).TeamCount)
	})
}

// TestCascadeDelete deletes an organization that owns one of everything.
func TestCascadeDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		keep := newOrg(t, s, "keep", "alice", func(o *orgs.Organization) { o.Domains = []string{"k.test"} })
		for _, o := range []*orgs.Organization{
			newOrg(t, s, "acme", "alice", func(o *orgs.Organization) { o.Domains = []string{"a.test"} }),
			keep,
		} {
			addMember(t, s, o.ID, "bob", orgs.RoleMember)
			require.NoError(t, s.InsertCategories(ctx, []orgs.Category{{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: o.ID, Name: "C", CreatedAt: now}}))
			require.NoError(t, s.InsertPipeline(ctx, &orgs.Pipeline{ID: orgs.NewID(orgs.PrefixPipeline), OrganizationID: o.ID, Name: "P",
				Stages: []orgs.Stage{{ID: orgs.NewID(orgs.PrefixStage), Name: "S"}}, CreatedAt: now}))
			tm := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: o.ID, Name: "T", Slug: "t", CreatedAt: now, UpdatedAt: now}
			require.NoError(t, s.InsertTeam(ctx, tm))
			require.NoError(t, s.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: tm.ID, UserID: "bob", Role: orgs.TeamRoleMember, JoinedAt: now}))
			require.NoError(t, s.InsertInvitation(ctx, &orgs.Invitation{ID: orgs.NewID(orgs.PrefixInvitation), OrganizationID: o.ID,
				Email: "x@x.test", Role: orgs.RoleMember, Status: orgs.InvitationPending, InvitedBy: "alice",
				TokenHash: []byte(o.ID), ExpiresAt: now, CreatedAt: now, UpdatedAt: now}))
			require.NoError(t, s.InsertEvent(ctx, &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: o.ID, Type: "x", ActorID: "alice", CreatedAt: now}))
		}
		tables := []string{"organizations", "organization_domains", "members", "categories", "pipelines",
			"stages", "teams", "team_members", "invitations", "events"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = rows(t, s, tb, "1 = 1")
		}
		acme, err := s.GetOrganization(ctx, orgs.OrganizationKey{Slug: "acme"}, "")
		require.NoError(t, err)
		require.NoError(t, s.DeleteOrganization(ctx, acme.ID))
		for _, tb := range tables {
			want := before[tb] / 2
			if tb == "events" {
				want = before[tb]
			}
			assert.Equal(t, want, rows(t, s, tb, "1 = 1"), tb)
		}
		got := getOrg(t, s, keep.ID)
		assert.Equal(t, 2, got.MemberCount)
		assert.Equal(t, 1, got.TeamCount)
	})
}

func TestUpdate(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		// fn's error is returned unchanged and nothing persists.
		boom := errors.New("boom")
		var o *orgs.Organization
		err := s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			o = newOrg(t, tx, "acme", "alice")
			addMember(t, tx, o.ID, "bob", orgs.RoleMember)
			got := getOrg(t, tx, o.ID)
			assert.Equal(t, 2, got.MemberCount, "reads inside see the writes")
			return boom
		})
		assert.Same(t, boom, err)
		_, err = s.GetOrganization(ctx, orgs.OrganizationKey{ID: o.ID}, "")
		assert.ErrorIs(t, err, orgs.ErrNotFound)

		// Nor after a panic.
		func() {
			defer func() { assert.Equal(t, "boom", recover()) }()
			_ = s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
				o = newOrg(t, tx, "acme", "alice")
				panic("boom")
			})
		}()
		_, err = s.GetOrganization(ctx, orgs.OrganizationKey{ID: o.ID}, "")
		assert.ErrorIs(t, err, orgs.ErrNotFound)

		// A failed write reports its sentinel; fn returns it and nothing
		// persists.
		newOrg(t, s, "taken", "alice")
		err = s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			o = newOrg(t, tx, "acme", "alice")
			return tx.InsertOrganization(ctx, &orgs.Organization{ID: orgs.NewID(orgs.PrefixOrganization), Name: "x",
				Slug: "taken", CreatedBy: "alice", CreatedAt: now, UpdatedAt: now},
				&orgs.Member{UserID: "alice", Role: orgs.RoleOwner, JoinedAt: now})
		})
		assert.ErrorIs(t, err, orgs.ErrSlugTaken)
		_, err = s.GetOrganization(ctx, orgs.OrganizationKey{ID: o.ID}, "")
		assert.ErrorIs(t, err, orgs.ErrNotFound)

		// A read that finds nothing does not disturb the transaction.
		err = s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			o = newOrg(t, tx, "acme", "alice")
			if _, err := tx.GetMember(ctx, o.ID, "nobody"); !errors.Is(err, orgs.ErrNotFound) {
				return fmt.Errorf("GetMember: %v", err)
			}
			if err := tx.LockOrganization(ctx, "org_missing"); !errors.Is(err, orgs.ErrNotFound) {
				return fmt.Errorf("LockOrganization: %v", err)
			}
			addMember(t, tx, o.ID, "bob", orgs.RoleMember)
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, 2, getOrg(t, s, o.ID).MemberCount)
	})
}

// TestLockOrganization runs concurrent read-modify-write Updates on one
// organization: with the lock none may interleave, so no update is lost.
func TestLockOrganization(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice", func(o *orgs.Organization) { o.Description = "0" })
		assert.ErrorIs(t, s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			return tx.LockOrganization(ctx, "org_missing")
		}), orgs.ErrNotFound)
		require.NoError(t, s.LockOrganization(ctx, o.ID))

		const n = 12
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				errs <- s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
					if err := tx.LockOrganization(ctx, o.ID); err != nil {
						return err
					}
					cur, err := tx.GetOrganization(ctx, orgs.OrganizationKey{ID: o.ID}, "")
					if err != nil {
						return err
					}
					time.Sleep(2 * time.Millisecond)
					var i int
					fmt.Sscan(cur.Description, &i)
					cur.Description = fmt.Sprint(i + 1)
					return tx.UpdateOrganization(ctx, cur)
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, fmt.Sprint(n), getOrg(t, s, o.ID).Description)
	})
}

// TestLockUser enforces a per-user limit (3 organizations) under
// concurrency with LockUser.
func TestLockUser(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		const n, limit = 10, 3
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				err := s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
					if err := tx.LockUser(ctx, "alice"); err != nil {
						return err
					}
					c, err := tx.CountOrganizationsCreatedBy(ctx, "alice")
					if err != nil || c >= limit {
						return err
					}
					time.Sleep(2 * time.Millisecond)
					newOrg(t, tx, fmt.Sprintf("org-%d", i), "alice")
					return nil
				})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		c, err := s.CountOrganizationsCreatedBy(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, limit, c)
	})
}

func TestClose(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		o := newOrg(t, s, "acme", "alice")
		require.NoError(t, s.Close())
		calls := map[string]error{
			"Close":            s.Close(),
			"Migrate":          s.Migrate(ctx),
			"Update":           s.Transact(ctx, func(context.Context, orgs.Tx) error { return nil }),
			"LockUser":         s.LockUser(ctx, "u"),
			"DeleteMember":     s.DeleteMember(ctx, o.ID, "alice"),
			"InsertTeam":       s.InsertTeam(ctx, &orgs.Team{ID: "team_x", OrganizationID: o.ID}),
			"InsertEvent":      s.InsertEvent(ctx, &orgs.Event{ID: "evt_x"}),
			"InsertInvitation": s.InsertInvitation(ctx, &orgs.Invitation{ID: "inv_x"}),
		}
		_, calls["GetOrganization"] = s.GetOrganization(ctx, orgs.OrganizationKey{ID: o.ID}, "")
		_, calls["ListMembers"] = s.ListMembers(ctx, orgs.MemberFilter{OrganizationID: o.ID})
		_, calls["Users"] = s.Users(ctx, []string{"a"})
		_, calls["ListPipelines"] = s.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: o.ID})
		_, calls["CountMembers"] = s.CountMembers(ctx, o.ID, "")
		for name, err := range calls {
			assert.ErrorIs(t, err, orgs.ErrClosed, name)
		}
	})
}

// TestSearchEscapes checks that LIKE wildcards in a search are literal.
func TestSearchEscapes(t *testing.T) {
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		for _, name := range []string{"50% off", "a_b", `back\slash`, "plain"} {
			slug := strings.NewReplacer("%", "", "_", "", `\`, "", " ", "-").Replace(strings.ToLower(name))
			newOrg(t, s, slug+"-org", "alice", func(o *orgs.Organization) { o.Name = name })
		}
		for search, want := range map[string]string{"%": "50% off", "_": "a_b", `\`: `back\slash`, "PLAIN": "plain"} {
			list, err := s.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "alice", Search: search})
			require.NoError(t, err)
			assert.Equal(t, []string{want}, ids(list, func(o orgs.Organization) string { return o.Name }), search)
		}
	})
}

// withOrg sets a member filter's organization.
func withOrg(orgID string, f orgs.MemberFilter) orgs.MemberFilter {
	f.OrganizationID = orgID
	return f
}
