package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestRoles covers the roles an organization defines for itself
// (orgs.OrganizationRoleStore): defining, assigning, renaming, deleting
// (refused while held, or with reassignment), who may do each, the limit on
// their number under concurrency, and that a role of one organization never
// applies in another. The rank rule with such roles is in TestRanks.
func TestRoles(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"Create", testCreateRole},
		{"CreateInvalid", testCreateRoleInvalid},
		{"Who", testRoleManagers},
		{"Assign", testAssignRole},
		{"Update", testUpdateRole},
		{"Delete", testDeleteRole},
		{"Limit", testRoleLimit},
		{"ConcurrentLimit", testConcurrentRoleLimit},
		{"ConcurrentDeleteAndAssign", testConcurrentDeleteAndAssign},
		{"CrossTenant", testRolesCrossTenant},
		{"Unsupported", testRolesUnsupported},
	})
}

// permJobsPublish is the host permission of the role tests.
const permJobsPublish orgs.Permission = "jobs:publish"

// roleFixture is a fixture whose Service knows jobs:publish, granted to
// admins, after opts; it skips without the capability.
func roleFixture(t *testing.T, newStore NewStore, opts ...orgs.Option) *fixture {
	t.Helper()
	f := newFixture(t, newStore, append([]orgs.Option{orgs.WithSeed(orgs.SeedNone), orgs.WithPermissions(permJobsPublish),
		orgs.WithGrant(orgs.RoleAdmin, permJobsPublish)}, opts...)...)
	needStore[orgs.OrganizationRoleStore](t, f.store, "OrganizationRoleStore")
	return f
}

// editor is the role most tests define.
var editor = orgs.OrganizationRoleInput{Name: "editor", Rank: 150,
	Permissions: []orgs.Permission{permJobsPublish, orgs.PermMembersRead, orgs.PermOrgRead, orgs.PermTeamsManage}}

// defineRole creates a role in slug as owner.
func (f *fixture) defineRole(slug string, in orgs.OrganizationRoleInput) *orgs.OrganizationRole {
	f.t.Helper()
	r, err := f.svc.CreateOrganizationRole(f.ctx, orgs.UserActor(owner), slug, in)
	require.NoError(f.t, err)
	return r
}

// ownRoles lists the organization's own roles through the Service.
func (f *fixture) ownRoles(actor, slug string) map[orgs.Role]orgs.OrganizationRole {
	f.t.Helper()
	list, err := f.svc.ListOrganizationRoles(f.ctx, orgs.UserActor(actor), slug)
	require.NoError(f.t, err)
	own := map[orgs.Role]orgs.OrganizationRole{}
	for _, r := range list {
		if r.Custom {
			own[r.Name] = r
		}
	}
	return own
}

func testCreateRole(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	r := f.defineRole("acme", orgs.OrganizationRoleInput{Name: "editor", Rank: 150,
		Permissions: []orgs.Permission{permJobsPublish, orgs.PermOrgRead, orgs.PermOrgRead, orgs.PermMembersRead}})
	assert.Regexp(t, idPattern(orgs.PrefixRole), r.ID)
	assert.Equal(t, orgs.Role("editor"), r.Name)
	assert.Equal(t, 150, r.Rank)
	assert.True(t, r.Custom)
	assert.Equal(t, []orgs.Permission{orgs.PermOrgRead, orgs.PermMembersRead, permJobsPublish}, r.Permissions,
		"deduplicated, in the Service's order")
	assert.True(t, r.CreatedAt.Equal(f.clock.Now()))
	e := f.lastEvent()
	assert.Equal(t, orgs.EventRoleCreated, e.Type)
	assert.Equal(t, owner, e.ActorID)
	assert.Equal(t, map[string]string{"role_id": r.ID, "name": "editor", "rank": "150"}, e.Data)

	// Listed beside the Service's roles, highest rank first, to any member.
	list, err := f.svc.ListOrganizationRoles(f.ctx, orgs.UserActor(member), "acme")
	require.NoError(t, err)
	var names []orgs.Role
	for _, x := range list {
		names = append(names, x.Name)
	}
	assert.Equal(t, []orgs.Role{orgs.RoleOwner, orgs.RoleAdmin, "editor", orgs.RoleMember}, names)
	got := f.ownRoles(member, "acme")["editor"]
	assert.Equal(t, r.ID, got.ID)
	assert.Equal(t, r.Permissions, got.Permissions)
	assert.True(t, got.CreatedAt.Equal(r.CreatedAt), "read back: %v, %v", got.CreatedAt, r.CreatedAt)
	assert.Contains(t, list[0].Permissions, permJobsPublish, "owners hold registered permissions")
	_, err = f.svc.ListOrganizationRoles(f.ctx, orgs.UserActor(outsider), "acme")
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	// A role with no permission is a role too.
	bare := f.defineRole("acme", orgs.OrganizationRoleInput{Name: "observer", Rank: 1})
	assert.Equal(t, []orgs.Permission{}, bare.Permissions)
	assert.Equal(t, []orgs.Permission{}, f.ownRoles(owner, "acme")["observer"].Permissions)

	// The name is the organization's alone.
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.CreateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", orgs.OrganizationRoleInput{Name: "editor", Rank: 10})
	assert.ErrorIs(t, err, orgs.ErrNameTaken)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testCreateRoleInvalid(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	for name, tc := range map[string]struct {
		in    orgs.OrganizationRoleInput
		field string
	}{
		"empty name":          {orgs.OrganizationRoleInput{Rank: 10}, "name"},
		"upper case":          {orgs.OrganizationRoleInput{Name: "Editor", Rank: 10}, "name"},
		"space":               {orgs.OrganizationRoleInput{Name: "chief editor", Rank: 10}, "name"},
		"33 characters":       {orgs.OrganizationRoleInput{Name: orgs.Role(strings.Repeat("e", 33)), Rank: 10}, "name"},
		"kelvin sign":         {orgs.OrganizationRoleInput{Name: "\u212Aing", Rank: 10}, "name"},
		"NUL":                 {orgs.OrganizationRoleInput{Name: "ed\x00itor", Rank: 10}, "name"},
		"a built-in name":     {orgs.OrganizationRoleInput{Name: orgs.RoleAdmin, Rank: 10}, "name"},
		"the owner's name":    {orgs.OrganizationRoleInput{Name: orgs.RoleOwner, Rank: 10}, "name"},
		"rank 0":              {orgs.OrganizationRoleInput{Name: "x", Rank: 0}, "rank"},
		"negative rank":       {orgs.OrganizationRoleInput{Name: "x", Rank: -5}, "rank"},
		"the owner's rank":    {orgs.OrganizationRoleInput{Name: "x", Rank: 300}, "rank"},
		"above the owner":     {orgs.OrganizationRoleInput{Name: "x", Rank: 1 << 40}, "rank"},
		"unknown permission":  {orgs.OrganizationRoleInput{Name: "x", Rank: 10, Permissions: []orgs.Permission{"jobs:delete"}}, "permissions"},
		"empty permission":    {orgs.OrganizationRoleInput{Name: "x", Rank: 10, Permissions: []orgs.Permission{""}}, "permissions"},
		"permission with SQL": {orgs.OrganizationRoleInput{Name: "x", Rank: 10, Permissions: []orgs.Permission{"' OR 1=1"}}, "permissions"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.svc.CreateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", tc.in)
			requireInvalid(t, err, tc.field)
		})
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Empty(t, f.ownRoles(owner, "acme"))
}

// testRoleManagers: who may define roles — owners (roles:manage), the
// system caller; an admin only when granted roles:manage, and then only
// roles it could hold itself: ranked at or below its own, with
// permissions it has.
func testRoleManagers(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	for actor, want := range map[string]error{admin: orgs.ErrForbidden, member: orgs.ErrForbidden, outsider: orgs.ErrNotFound} {
		_, err := f.svc.CreateOrganizationRole(f.ctx, orgs.UserActor(actor), "acme", editor)
		assert.ErrorIs(t, err, want, actor)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	r, err := f.svc.CreateOrganizationRole(f.ctx, orgs.SystemActor(), "acme", orgs.OrganizationRoleInput{Name: "auditor", Rank: 299,
		Permissions: []orgs.Permission{orgs.PermEventsRead, orgs.PermOrgDelete}})
	require.NoError(t, err)
	assert.Equal(t, orgs.ActorTypeSystem, f.lastEvent().ActorType)

	delegated := f.service(orgs.WithSeed(orgs.SeedNone), orgs.WithPermissions(permJobsPublish),
		orgs.WithGrant(orgs.RoleAdmin, permJobsPublish, orgs.PermRolesManage))
	before = snapshot(t, f.store, f.org.ID)
	for name, in := range map[string]orgs.OrganizationRoleInput{
		"ranked above admin":      {Name: "boss", Rank: 201},
		"with org:delete":         {Name: "wrecker", Rank: 100, Permissions: []orgs.Permission{orgs.PermOrgDelete}},
		"with ownership:transfer": {Name: "heir", Rank: 100, Permissions: []orgs.Permission{orgs.PermOwnershipTransfer}},
	} {
		_, err := delegated.CreateOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", in)
		assert.ErrorIs(t, err, orgs.ErrForbidden, name)
	}
	// Nor change or delete a role above it.
	_, err = delegated.UpdateOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", r.Name, orgs.OrganizationRoleUpdate{Rank: ptr(100)})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	assert.ErrorIs(t, delegated.DeleteOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", r.Name, ""), orgs.ErrForbidden)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	_, err = delegated.CreateOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", orgs.OrganizationRoleInput{Name: "peer", Rank: 200,
		Permissions: []orgs.Permission{permJobsPublish, orgs.PermMembersManage}})
	require.NoError(t, err, "at its own rank, with its own permissions")
	_, err = delegated.UpdateOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", "peer", orgs.OrganizationRoleUpdate{
		Permissions: []orgs.Permission{orgs.PermOrgDelete}})
	assert.ErrorIs(t, err, orgs.ErrForbidden, "raising a role past its own permissions")
	_, err = delegated.UpdateOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", "peer", orgs.OrganizationRoleUpdate{Rank: ptr(250)})
	assert.ErrorIs(t, err, orgs.ErrForbidden, "raising a role past its own rank")
}

func testAssignRole(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	f.defineRole("acme", editor)
	f.putUsers("ed", "newbie")

	// Assigned like any role: directly, by role change, by invitation.
	m, err := f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "ed", "editor")
	require.NoError(t, err)
	assert.Equal(t, orgs.Role("editor"), m.Role)
	_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", member, "editor")
	require.NoError(t, err)
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "newbie@example.com", Role: "editor"})
	require.NoError(t, err)
	joined, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor("newbie"), inv.Token)
	require.NoError(t, err)
	assert.Equal(t, orgs.Role("editor"), joined.Role)
	l, err := f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Role: "editor"})
	require.NoError(t, err)
	assert.Equal(t, []string{"ed", member, "newbie"}, userIDs(l.Data))

	// Its permissions are what its holders may do.
	assert.Equal(t, orgs.Role("editor"), f.get("ed", "acme").Role)
	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor("ed"), "acme", orgs.MemberQuery{})
	require.NoError(t, err, "members:read")
	_, err = f.svc.CreateTeam(f.ctx, orgs.UserActor("ed"), "acme", orgs.TeamInput{Name: "Writers"})
	require.NoError(t, err, "teams:manage")
	_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor("ed"), "acme", "writers", member, orgs.TeamRoleMember)
	require.NoError(t, err, "teams:manage lets it manage team members")
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor("ed"), "acme", "someone", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrForbidden, "no members:manage")
	_, err = f.svc.ListEvents(f.ctx, orgs.UserActor("ed"), "acme", orgs.EventQuery{})
	assert.ErrorIs(t, err, orgs.ErrForbidden, "no events:read")
	// An admin outranks it; a member does not.
	_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(member), "acme", "ed", orgs.RoleMember)
	assert.Error(t, err)

	// Unknown roles are refused as ever.
	for _, role := range []orgs.Role{"writer", "Editor"} {
		_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "someone", role)
		requireInvalid(t, err, "role")
		_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "x@example.com", Role: role})
		requireInvalid(t, err, "role")
		_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", "ed", role)
		requireInvalid(t, err, "role")
		_, err = f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Role: role})
		requireInvalid(t, err, "role")
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testUpdateRole(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	r := f.defineRole("acme", editor)
	f.defineRole("acme", orgs.OrganizationRoleInput{Name: "viewer", Rank: 50})
	f.putUsers("ed")
	_, err := f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "ed", "editor")
	require.NoError(t, err)
	pending := f.invite("later@example.com", "editor")
	f.putUsers("acc")
	accepted := f.invite("acc@example.com", "editor")
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("acc"), accepted.Token)
	require.NoError(t, err)

	// A taken name, a built-in one, a bad rank: refused, nothing written.
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", orgs.OrganizationRoleUpdate{Name: ptr(orgs.Role("viewer"))})
	assert.ErrorIs(t, err, orgs.ErrNameTaken)
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", orgs.OrganizationRoleUpdate{Name: ptr(orgs.RoleMember)})
	requireInvalid(t, err, "name")
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", orgs.OrganizationRoleUpdate{Rank: ptr(300)})
	requireInvalid(t, err, "rank")
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "nobody", orgs.OrganizationRoleUpdate{Rank: ptr(3)})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", orgs.RoleAdmin, orgs.OrganizationRoleUpdate{Rank: ptr(3)})
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the Service's roles are not the organization's to change")
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", "editor", orgs.OrganizationRoleUpdate{Rank: ptr(3)})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// Renamed: members and pending invitations follow; history does not.
	f.clock.Advance(time.Second)
	got, err := f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", orgs.OrganizationRoleUpdate{
		Name: ptr(orgs.Role("writer")), Rank: ptr(120), Permissions: []orgs.Permission{orgs.PermOrgRead}})
	require.NoError(t, err)
	assert.Equal(t, r.ID, got.ID)
	assert.Equal(t, orgs.Role("writer"), got.Name)
	assert.Equal(t, 120, got.Rank)
	assert.Equal(t, []orgs.Permission{orgs.PermOrgRead}, got.Permissions)
	assert.True(t, got.UpdatedAt.Equal(f.clock.Now()))
	assert.True(t, got.CreatedAt.Equal(r.CreatedAt))
	e := f.lastEvent()
	assert.Equal(t, orgs.EventRoleUpdated, e.Type)
	assert.Equal(t, map[string]string{"role_id": r.ID, "name": "writer", "rank": "120", "from": "editor"}, e.Data)
	assert.Equal(t, orgs.Role("writer"), f.get("ed", "acme").Role)
	assert.Equal(t, orgs.Role("writer"), f.invitation(pending.ID).Role)
	assert.Equal(t, orgs.Role("editor"), f.invitation(accepted.ID).Role, "an accepted invitation keeps its history")
	assert.NotContains(t, f.ownRoles(owner, "acme"), orgs.Role("editor"))
	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor("ed"), "acme", orgs.MemberQuery{})
	assert.ErrorIs(t, err, orgs.ErrForbidden, "the new permissions apply at once")
	// Permissions alone.
	got, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "writer", orgs.OrganizationRoleUpdate{Permissions: []orgs.Permission{}})
	require.NoError(t, err)
	assert.Equal(t, []orgs.Permission{}, got.Permissions)
	assert.Equal(t, orgs.Role("writer"), got.Name)
	assert.NotContains(t, f.lastEvent().Data, "from")
}

func testDeleteRole(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	r := f.defineRole("acme", editor)
	f.defineRole("acme", orgs.OrganizationRoleInput{Name: "viewer", Rank: 50})
	f.putUsers("ed")

	// Held by an invitation alone, or by a member: in use.
	inv := f.invite("later@example.com", "editor")
	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", ""), orgs.ErrRoleInUse)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	_, err := f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "ed", "editor")
	require.NoError(t, err)
	before = snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", ""), orgs.ErrRoleInUse)
	requireInvalid(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", "editor"), "reassign_to")
	requireInvalid(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", "writer"), "reassign_to")
	requireInvalid(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", "Bad Role"), "reassign_to")
	assert.ErrorIs(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "nobody", ""), orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", orgs.RoleMember, ""), orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(admin), "acme", "editor", orgs.RoleMember), orgs.ErrForbidden)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// With reassignment: to another own role, or one of the Service's.
	require.NoError(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", "viewer"))
	assert.Equal(t, orgs.Role("viewer"), f.memberRole("ed"))
	assert.Equal(t, orgs.Role("viewer"), f.invitation(inv.ID).Role)
	e := f.lastEvent()
	assert.Equal(t, orgs.EventRoleDeleted, e.Type)
	assert.Equal(t, map[string]string{"role_id": r.ID, "name": "editor", "reassigned_to": "viewer", "reassigned": "2"}, e.Data)
	require.NoError(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "viewer", orgs.RoleMember))
	assert.Equal(t, orgs.RoleMember, f.memberRole("ed"))
	assert.Empty(t, f.ownRoles(owner, "acme"))

	// Unused: deleted outright; the name is free again.
	f.defineRole("acme", editor)
	require.NoError(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", ""))
	assert.Equal(t, map[string]string{"role_id": f.lastEvent().Data["role_id"], "name": "editor"}, f.lastEvent().Data)
	f.defineRole("acme", editor)
}

func testRoleLimit(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore, orgs.WithLimits(orgs.Limits{RolesPerOrganization: 3}))
	for i := range 3 {
		f.defineRole("acme", orgs.OrganizationRoleInput{Name: orgs.Role(fmt.Sprintf("r%d", i)), Rank: 10})
	}
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.CreateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", orgs.OrganizationRoleInput{Name: "r3", Rank: 10})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	// The cap is per organization.
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	f.defineRole("other", orgs.OrganizationRoleInput{Name: "r3", Rank: 10})
	// MaxOrganizationRoles applies whatever the limit says.
	g := roleFixture(t, newStore, orgs.WithLimits(orgs.Limits{RolesPerOrganization: 1000}))
	for i := range orgs.MaxOrganizationRoles {
		g.defineRole("acme", orgs.OrganizationRoleInput{Name: orgs.Role(fmt.Sprintf("r%d", i)), Rank: 10})
	}
	_, err = g.svc.CreateOrganizationRole(g.ctx, orgs.UserActor(owner), "acme", orgs.OrganizationRoleInput{Name: "one-more", Rank: 10})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
}

func testConcurrentRoleLimit(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore, orgs.WithLimits(orgs.Limits{RolesPerOrganization: 3}))
	const n = 12
	errs := testkit.Storm(n, func(i int) error {
		name := orgs.Role(fmt.Sprintf("r%d", i%6)) // two goroutines per name
		_, err := f.svc.CreateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", orgs.OrganizationRoleInput{Name: name, Rank: 10})
		return err
	})
	o := tally(errs, orgs.ErrLimitExceeded, orgs.ErrNameTaken)
	t.Logf("%d concurrent role definitions, limit 3: %s", n, o)
	assert.Empty(t, o.other)
	assert.Equal(t, 3, o.ok)
	assert.Len(t, f.ownRoles(owner, "acme"), 3)
	created := 0
	for _, e := range f.events() {
		if e.Type == orgs.EventRoleCreated {
			created++
		}
	}
	assert.Equal(t, 3, created, "one event per role")
}

// testConcurrentDeleteAndAssign: deleting a role while others assign it
// never leaves a member holding a role that no longer exists.
func testConcurrentDeleteAndAssign(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	const rounds, n = 4, 8
	for round := range rounds {
		name := orgs.Role(fmt.Sprintf("temp-%d", round))
		f.defineRole("acme", orgs.OrganizationRoleInput{Name: name, Rank: 10})
		users := names(fmt.Sprintf("r%d-u", round), n)
		errs := testkit.Storm(n+1, func(i int) error {
			if i == n {
				return f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", name, "")
			}
			_, err := f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", users[i], name)
			return err
		})
		deleted := errs[n] == nil
		if !deleted {
			require.ErrorIs(t, errs[n], orgs.ErrRoleInUse)
		}
		added := 0
		for _, err := range errs[:n] {
			if err == nil {
				added++
			} else {
				require.ErrorIs(t, err, orgs.ErrInvalid, "assigning a deleted role")
			}
		}
		l, err := f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Page: orgs.Page{Limit: 100}})
		require.NoError(t, err)
		holders := 0
		for _, m := range l.Data {
			if m.Role == name {
				holders++
			}
		}
		_, exists := f.ownRoles(owner, "acme")[name]
		t.Logf("round %d: deleted %v, %d assigned", round, deleted, added)
		assert.Equal(t, !deleted, exists)
		assert.Equal(t, added, holders)
		if deleted {
			assert.Zero(t, holders, "members hold a deleted role")
		}
	}
}

// testRolesCrossTenant: a role of one organization never applies in
// another, even under the same name.
func testRolesCrossTenant(t *testing.T, newStore NewStore) {
	f := roleFixture(t, newStore)
	globex, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Globex", Slug: "globex"})
	require.NoError(t, err)
	f.defineRole("acme", editor)
	f.putUsers("ed")

	// globex does not know acme's role: it cannot be assigned there, and
	// a member holding that name (written behind the Service's back) holds
	// nothing.
	before := snapshot(t, f.store, globex.ID)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "globex", "ed", "editor")
	requireInvalid(t, err, "role")
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "globex", orgs.InvitationInput{Email: "ed@example.com", Role: "editor"})
	requireInvalid(t, err, "role")
	assert.Equal(t, before, snapshot(t, f.store, globex.ID))
	insertMember(t, f.store, globex.ID, "ed", "editor")
	_, err = f.svc.Authorize(f.ctx, orgs.UserActor("ed"), "globex", permJobsPublish)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor("ed"), "globex", orgs.MemberQuery{})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.CreateTeam(f.ctx, orgs.UserActor("ed"), "globex", orgs.TeamInput{Name: "Stolen"})
	assert.ErrorIs(t, err, orgs.ErrForbidden)

	// The same name defined in both, with other permissions: each applies
	// in its own organization only.
	f.defineRole("globex", orgs.OrganizationRoleInput{Name: "editor", Rank: 20, Permissions: []orgs.Permission{orgs.PermOrgRead}})
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "ed", "editor")
	require.NoError(t, err)
	m, err := f.svc.Authorize(f.ctx, orgs.UserActor("ed"), "acme", permJobsPublish)
	require.NoError(t, err)
	assert.Equal(t, f.org.ID, m.OrganizationID)
	_, err = f.svc.Authorize(f.ctx, orgs.UserActor("ed"), "globex", permJobsPublish)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	m, err = f.svc.Authorize(f.ctx, orgs.UserActor("ed"), "globex", orgs.PermOrgRead)
	require.NoError(t, err)
	assert.Equal(t, []orgs.Permission{orgs.PermOrgRead}, m.Permissions)

	// Changing, renaming or deleting one leaves the other alone.
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", orgs.OrganizationRoleUpdate{Name: ptr(orgs.Role("author"))})
	require.NoError(t, err)
	assert.Equal(t, orgs.Role("editor"), f.get("ed", "globex").Role, "globex's member keeps globex's role")
	assert.Equal(t, orgs.Role("author"), f.get("ed", "acme").Role)
	assert.ErrorIs(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", ""), orgs.ErrNotFound)
	require.NoError(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "author", orgs.RoleMember))
	assert.Equal(t, orgs.Role("editor"), f.get("ed", "globex").Role)
	assert.Contains(t, f.ownRoles(owner, "globex"), orgs.Role("editor"))

	// An organization's roles go with it.
	require.NoError(t, f.svc.DeleteOrganization(f.ctx, orgs.UserActor(owner), "globex"))
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Globex", Slug: "globex"})
	require.NoError(t, err)
	assert.Empty(t, f.ownRoles(owner, "globex"))
}

// testRolesUnsupported: without the capability, defining roles fails with
// errors.ErrUnsupported and writes nothing; the Service's roles work.
func testRolesUnsupported(t *testing.T, newStore NewStore) {
	f := newFixture(t, func(t *testing.T) orgs.Store { return plainStore{newStore(t)} }, orgs.WithSeed(orgs.SeedNone))
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.CreateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", orgs.OrganizationRoleInput{Name: "editor", Rank: 150})
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = f.svc.UpdateOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", orgs.OrganizationRoleUpdate{Rank: ptr(3)})
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	assert.ErrorIs(t, f.svc.DeleteOrganizationRole(f.ctx, orgs.UserActor(owner), "acme", "editor", ""), errors.ErrUnsupported)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "x", "editor")
	requireInvalid(t, err, "role")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	list, err := f.svc.ListOrganizationRoles(f.ctx, orgs.UserActor(member), "acme")
	require.NoError(t, err)
	assert.Len(t, list, 3)
}

// memberRole reads a member's role in the fixture's organization from the
// store.
func (f *fixture) memberRole(userID string) orgs.Role {
	f.t.Helper()
	m, err := f.store.GetMember(f.ctx, f.org.ID, userID)
	require.NoError(f.t, err)
	return m.Role
}
