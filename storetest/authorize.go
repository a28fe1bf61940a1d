package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestAuthorize covers Service.Authorize, the check of the host's own
// resources: host permissions registered and granted, the membership it
// answers, not found and forbidden as the Service's own reads decide them,
// the system caller, the organization's own roles, and the same answers
// without the store's AccessReader (the fallback).
func TestAuthorize(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"Table", testAuthorizeTable},
		{"Fallback", func(t *testing.T, newStore NewStore) {
			testAuthorizeTable(t, func(t *testing.T) orgs.Store { return plainStore{newStore(t)} })
		}},
		{"Membership", testAuthorizeMembership},
		{"Options", testAuthorizeOptions},
		{"Current", testAuthorizeCurrent},
	})
}

// authorizeFixture is a fixture with jobs:publish registered and granted
// to admins, a public organization "open" (owner: owner), and "ed" holding
// acme's own role "editor" when the store keeps such roles.
func authorizeFixture(t *testing.T, newStore NewStore) (f *fixture, ownRoles bool) {
	t.Helper()
	f = newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone), orgs.WithPermissions(permJobsPublish, "jobs:read"),
		orgs.WithGrant(orgs.RoleAdmin, permJobsPublish, "jobs:read"), orgs.WithGrant(orgs.RoleMember, "jobs:read"))
	_, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Open", Slug: "open", Visibility: orgs.VisibilityPublic})
	require.NoError(t, err)
	if _, ownRoles = f.store.(orgs.OrganizationRoleStore); ownRoles {
		f.defineRole("acme", orgs.OrganizationRoleInput{Name: "editor", Rank: 150, Permissions: []orgs.Permission{permJobsPublish}})
		f.putUsers("ed")
		_, err := f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "ed", "editor")
		require.NoError(t, err)
	}
	return f, ownRoles
}

func testAuthorizeTable(t *testing.T, newStore NewStore) {
	f, ownRoles := authorizeFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	for _, tc := range []struct {
		actor orgs.Actor
		ref   string
		perm  orgs.Permission
		want  error // nil: allowed
	}{
		{orgs.UserActor(owner), "acme", permJobsPublish, nil},
		{orgs.UserActor(owner), "acme", orgs.PermOrgDelete, nil},
		{orgs.UserActor(admin), "acme", permJobsPublish, nil},
		{orgs.UserActor(admin), "ACME", permJobsPublish, nil},
		{orgs.UserActor(admin), f.org.ID, permJobsPublish, nil},
		{orgs.UserActor(admin), "acme", orgs.PermOrgDelete, orgs.ErrForbidden},
		{orgs.UserActor(member), "acme", "jobs:read", nil},
		{orgs.UserActor(member), "acme", permJobsPublish, orgs.ErrForbidden},
		{orgs.UserActor(member), "acme", orgs.PermMembersRead, nil},
		{orgs.UserActor(outsider), "acme", "jobs:read", orgs.ErrNotFound},
		{orgs.UserActor(outsider), "acme", orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.UserActor(outsider), "open", orgs.PermOrgRead, orgs.ErrForbidden},
		{orgs.UserActor(admin), "open", orgs.PermOrgRead, orgs.ErrForbidden},
		{orgs.UserActor(owner), "open", permJobsPublish, nil},
		{orgs.UserActor(owner), "no-such-org", orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.UserActor(owner), "Bad Slug!", orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.UserActor(owner), "", orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.UserActor(owner), "acme\x00", orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.UserActor(owner), "\u212Acme", orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.UserActor(owner), orgs.NewID(orgs.PrefixOrganization), orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.SystemActor(), "acme", permJobsPublish, nil},
		{orgs.SystemActor(), "open", orgs.PermOrgDelete, nil},
		{orgs.SystemActor(), "no-such-org", orgs.PermOrgRead, orgs.ErrNotFound},
		{orgs.Actor{}, "acme", orgs.PermOrgRead, orgs.ErrUnauthenticated},
		{orgs.UserActor(""), "acme", orgs.PermOrgRead, orgs.ErrUnauthenticated},
		{orgs.UserActor(owner), "acme", "jobs:delete", orgs.ErrInvalid},
		{orgs.UserActor(owner), "acme", "", orgs.ErrInvalid},
		{orgs.UserActor("ed"), "acme", permJobsPublish, nilIf(ownRoles, orgs.ErrNotFound)},
		{orgs.UserActor("ed"), "acme", orgs.PermOrgRead, forbiddenIf(ownRoles)},
	} {
		m, err := f.svc.Authorize(f.ctx, tc.actor, tc.ref, tc.perm)
		if tc.want == nil {
			if assert.NoError(t, err, "%s may %s in %q", tc.actor, tc.perm, tc.ref) {
				assert.True(t, m.Can(tc.perm), "the membership allows what was asked")
			}
			continue
		}
		assert.ErrorIs(t, err, tc.want, "%s may not %s in %q", tc.actor, tc.perm, tc.ref)
		assert.Nil(t, m)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "authorizing writes nothing")
}

// nilIf returns nil when cond, else err.
func nilIf(cond bool, err error) error {
	if cond {
		return nil
	}
	return err
}

// forbiddenIf returns ErrForbidden when the editor exists (it holds
// jobs:publish only), else ErrNotFound (no such member).
func forbiddenIf(ownRoles bool) error {
	if ownRoles {
		return orgs.ErrForbidden
	}
	return orgs.ErrNotFound
}

func testAuthorizeMembership(t *testing.T, newStore NewStore) {
	f, ownRoles := authorizeFixture(t, newStore)
	m, err := f.svc.Authorize(f.ctx, orgs.UserActor(admin), "acme", permJobsPublish)
	require.NoError(t, err)
	assert.Equal(t, &orgs.Membership{OrganizationID: f.org.ID, OrganizationSlug: "acme", UserID: admin, Role: orgs.RoleAdmin,
		Permissions: []orgs.Permission{orgs.PermOrgRead, orgs.PermOrgUpdate, orgs.PermMembersRead, orgs.PermMembersManage,
			orgs.PermInvitationsManage, orgs.PermTeamsManage, orgs.PermCategoriesManage, orgs.PermPipelinesManage,
			orgs.PermDomainsManage, orgs.PermEventsRead, orgs.PermWebhooksManage, permJobsPublish, "jobs:read"}}, m)
	m, err = f.svc.Authorize(f.ctx, orgs.UserActor(member), f.org.ID, "jobs:read")
	require.NoError(t, err)
	assert.Equal(t, []orgs.Permission{orgs.PermOrgRead, orgs.PermMembersRead, "jobs:read"}, m.Permissions)
	assert.Equal(t, "acme", m.OrganizationSlug, "by ID, the slug is answered too")
	m, err = f.svc.Authorize(f.ctx, orgs.UserActor(owner), "acme", orgs.PermOrgRead)
	require.NoError(t, err)
	assert.Equal(t, f.svc.Permissions(), m.Permissions, "owners hold every permission")
	assert.Contains(t, m.Permissions, permJobsPublish)
	m, err = f.svc.Authorize(f.ctx, orgs.SystemActor(), "acme", orgs.PermOrgRead)
	require.NoError(t, err)
	assert.Equal(t, &orgs.Membership{OrganizationID: f.org.ID, OrganizationSlug: "acme", System: true, Permissions: f.svc.Permissions()}, m)
	if ownRoles {
		m, err = f.svc.Authorize(f.ctx, orgs.UserActor("ed"), "acme", permJobsPublish)
		require.NoError(t, err)
		assert.Equal(t, &orgs.Membership{OrganizationID: f.org.ID, OrganizationSlug: "acme", UserID: "ed", Role: "editor",
			Permissions: []orgs.Permission{permJobsPublish}}, m)
	}
	var nilM *orgs.Membership
	assert.False(t, nilM.Can(orgs.PermOrgRead))
}

func testAuthorizeOptions(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	for name, opts := range map[string][]orgs.Option{
		"bad permission name":            {orgs.WithPermissions("Jobs:Publish")},
		"empty permission":               {orgs.WithPermissions("")},
		"long permission":                {orgs.WithPermissions(orgs.Permission(make([]byte, 65)))},
		"grant to an unknown role":       {orgs.WithPermissions("jobs:publish"), orgs.WithGrant("chief", "jobs:publish")},
		"grant an unknown permission":    {orgs.WithGrant(orgs.RoleMember, "jobs:publish")},
		"a role with a bad permission":   {orgs.WithRole(orgs.RoleDef{Name: "x", Rank: 5, Permissions: []orgs.Permission{"NO"}})},
		"a grant of an empty permission": {orgs.WithGrant(orgs.RoleMember, "")},
	} {
		_, err := orgs.New(store, opts...)
		assert.ErrorIs(t, err, orgs.ErrInvalid, name)
	}
	// Order does not matter: a grant may come before what it names.
	svc, err := orgs.New(store, orgs.WithGrant("editor", "jobs:publish"), orgs.WithRole(orgs.RoleDef{Name: "editor", Rank: 150}),
		orgs.WithPermissions("jobs:publish"))
	require.NoError(t, err)
	assert.True(t, svc.Can("editor", "jobs:publish"))
	assert.True(t, svc.Can(orgs.RoleOwner, "jobs:publish"))
	assert.False(t, svc.Can(orgs.RoleAdmin, "jobs:publish"))
	assert.Equal(t, append(append([]orgs.Permission{}, orgs.AllPermissions...), "jobs:publish"), svc.Permissions())
	// A permission a WithRole names is registered by it.
	svc, err = orgs.New(store, orgs.WithRole(orgs.RoleDef{Name: "poster", Rank: 150, Permissions: []orgs.Permission{"jobs:post"}}))
	require.NoError(t, err)
	assert.Contains(t, svc.Permissions(), orgs.Permission("jobs:post"))
	assert.True(t, svc.Can(orgs.RoleOwner, "jobs:post"))
	// A redefined owner holds what its definition says.
	svc, err = orgs.New(store, orgs.WithPermissions("jobs:post"), orgs.WithRole(orgs.RoleDef{Name: orgs.RoleOwner, Rank: 300, Permissions: orgs.AllPermissions}))
	require.NoError(t, err)
	assert.False(t, svc.Can(orgs.RoleOwner, "jobs:post"))
}

// testAuthorizeCurrent: Authorize reads the membership as it is now — a
// role changed or a member removed counts at once.
func testAuthorizeCurrent(t *testing.T, newStore NewStore) {
	f, _ := authorizeFixture(t, newStore)
	_, err := f.svc.Authorize(f.ctx, orgs.UserActor(member), "acme", permJobsPublish)
	require.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", member, orgs.RoleAdmin)
	require.NoError(t, err)
	m, err := f.svc.Authorize(f.ctx, orgs.UserActor(member), "acme", permJobsPublish)
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleAdmin, m.Role)
	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", member))
	_, err = f.svc.Authorize(f.ctx, orgs.UserActor(member), "acme", orgs.PermOrgRead)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	// An inactive membership grants nothing; reactivated, it does again.
	if _, ok := f.store.(orgs.Memberships); ok {
		mb, err := f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", admin)
		require.NoError(t, err)
		_, err = f.svc.DeactivateMembership(f.ctx, orgs.UserActor(owner), mb.ID)
		require.NoError(t, err)
		for _, perm := range []orgs.Permission{orgs.PermOrgRead, permJobsPublish} {
			_, err = f.svc.Authorize(f.ctx, orgs.UserActor(admin), "acme", perm)
			assert.ErrorIs(t, err, orgs.ErrNotFound, "an inactive admin may %s", perm)
		}
		_, err = f.svc.ReactivateMembership(f.ctx, orgs.UserActor(owner), mb.ID)
		require.NoError(t, err)
		_, err = f.svc.Authorize(f.ctx, orgs.UserActor(admin), "acme", permJobsPublish)
		assert.NoError(t, err)
	}
	// A member of two organizations holds each one's role in each.
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "open", admin, orgs.RoleMember)
	require.NoError(t, err)
	m, err = f.svc.Authorize(f.ctx, orgs.UserActor(admin), "open", "jobs:read")
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleMember, m.Role)
	_, err = f.svc.Authorize(f.ctx, orgs.UserActor(admin), "open", permJobsPublish)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
}
