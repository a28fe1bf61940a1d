package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestMembers covers adding, listing (role filter, search, paging),
// changing roles under the rank rules, custom roles, removing, leaving,
// transferring ownership and the last-owner rule.
func TestMembers(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"AddAndGet", testAddMember},
		{"AddPermissions", testAddMemberPermissions},
		{"Profiles", testProfiles},
		{"ListFilterAndSearch", testListMembersFilter},
		{"ListPagination", testListMembersPagination},
		{"RoleRules", testRoleRules},
		{"CustomRole", testCustomRole},
		{"RedefinedRole", testRedefinedRole},
		{"Remove", testRemoveMember},
		{"Leave", testLeave},
		{"LastOwner", testLastOwner},
		{"TransferOwnership", testTransferOwnership},
		{"UserDirectory", testUserDirectory},
	})
}

func testAddMember(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	f.putUsers("newbie")
	m, err := f.svc.AddMember(f.ctx, orgs.UserActor(admin), "acme", "newbie", orgs.RoleMember)
	require.NoError(t, err)
	assert.Equal(t, "newbie", m.UserID)
	assert.Equal(t, orgs.RoleMember, m.Role)
	assert.Equal(t, "newbie@example.com", m.Email, "the profile comes with the member")
	assert.Equal(t, "User newbie", m.Name)
	assert.True(t, m.JoinedAt.Equal(f.clock.Now()), "joined_at %v", m.JoinedAt)
	assert.Equal(t, 4, f.get(owner, "acme").MemberCount)

	got, err := f.svc.GetMember(f.ctx, orgs.UserActor(member), "acme", "newbie")
	require.NoError(t, err)
	assert.Equal(t, m.Username, got.Username)
	assert.Equal(t, orgs.RoleMember, got.Role)

	e := f.lastEvent()
	assert.Equal(t, "member.added", string(e.Type))
	assert.Equal(t, admin, e.ActorID)
	assert.Equal(t, map[string]string{"user_id": "newbie", "role": "member"}, e.Data)

	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "newbie", orgs.RoleAdmin)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", owner, orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// A user needs no profile to be a member.
	m, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "ghost", orgs.RoleMember)
	require.NoError(t, err)
	assert.Empty(t, m.Email)
	assert.Empty(t, m.Name)
	_, err = f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", "nobody")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func testAddMemberPermissions(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.AddMember(f.ctx, orgs.UserActor(member), "acme", "x", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrForbidden, "a member cannot add members")
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(admin), "acme", "x", orgs.RoleOwner)
	assert.ErrorIs(t, err, orgs.ErrForbidden, "an admin cannot grant owner")
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(outsider), "acme", "x", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "x", "superuser")
	requireInvalid(t, err, "role")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	m, err := f.svc.AddMember(f.ctx, orgs.UserActor(admin), "acme", "x", orgs.RoleAdmin)
	require.NoError(t, err, "an admin may grant admin")
	assert.Equal(t, orgs.RoleAdmin, m.Role)
	m, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "y", orgs.RoleOwner)
	require.NoError(t, err, "an owner may grant owner")
	assert.Equal(t, orgs.RoleOwner, m.Role)
	assert.Equal(t, 2, countOwners(t, f.store, f.org.ID))
}

func testProfiles(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: member, Username: "mia2", Email: "Mia.New@Example.COM", Name: "Mia New", AvatarURL: "https://img.example.com/m.png"}))
	m, err := f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", member)
	require.NoError(t, err)
	assert.Equal(t, orgs.Member{UserID: member, Role: orgs.RoleMember, JoinedAt: m.JoinedAt,
		Username: "mia2", Email: "mia.new@example.com", Name: "Mia New", AvatarURL: "https://img.example.com/m.png"},
		withoutOrg(*m))
	users, err := f.store.Users(f.ctx, []string{member, owner, "unknown"})
	require.NoError(t, err)
	assert.Equal(t, map[string]orgs.User{
		member: {ID: member, Username: "mia2", Email: "mia.new@example.com", Name: "Mia New", AvatarURL: "https://img.example.com/m.png"},
		owner:  fixtureUsers[0],
	}, users)

	// Replacing a profile clears fields left empty.
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: member, Name: "Only Name"}))
	m, err = f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", member)
	require.NoError(t, err)
	assert.Equal(t, "Only Name", m.Name)
	assert.Empty(t, m.Email)
	assert.Empty(t, m.Username)
	assert.Empty(t, m.AvatarURL)

	requireInvalid(t, f.svc.PutUser(f.ctx, orgs.User{ID: "x", Email: "not an email"}), "email")
	requireInvalid(t, f.svc.PutUser(f.ctx, orgs.User{ID: ""}), "id")
	requireInvalid(t, f.svc.PutUser(f.ctx, orgs.User{ID: "x", AvatarURL: "ftp://x.example/a.png"}), "avatar_url")
	requireInvalid(t, f.svc.PutUser(f.ctx, orgs.User{ID: "x", Name: "a\x00b"}), "name")
	users, err = f.store.Users(f.ctx, []string{"x"})
	require.NoError(t, err)
	assert.Empty(t, users, "an invalid profile is not stored")
}

// withoutOrg clears a member's OrganizationID, which the Service leaves to
// the store.
func withoutOrg(m orgs.Member) orgs.Member {
	m.OrganizationID = ""
	return memberCore(m)
}

// memberCore clears what the Memberships capability adds to a member (ID,
// status, update time, organization name), which the Memberships area
// tests.
func memberCore(m orgs.Member) orgs.Member {
	m.ID, m.Status, m.UpdatedAt, m.OrganizationName = "", "", time.Time{}, ""
	return m
}

func testListMembersFilter(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	for _, u := range []orgs.User{
		{ID: "u-anna", Username: "anna.s", Email: "anna@corp.example", Name: "Anna Smith"},
		{ID: "u-bob", Username: "bobby", Email: "bob@other.example", Name: "Bob Stone"},
		{ID: "u-pct", Username: "sale", Email: "sale@shop.example", Name: "50% Off"},
		{ID: "u-und", Username: "snake_case", Email: "snake@shop.example", Name: "Snake"},
	} {
		require.NoError(t, f.svc.PutUser(f.ctx, u))
	}
	f.addMembers(orgs.RoleMember, "u-anna", "u-bob", "u-carl", "u-pct", "u-und")
	f.addMembers(orgs.RoleAdmin, "u-dora")

	list := func(q orgs.MemberQuery) []string {
		t.Helper()
		l, err := f.svc.ListMembers(f.ctx, orgs.UserActor(member), "acme", q)
		require.NoError(t, err)
		return userIDs(l.Data)
	}
	assert.Equal(t, []string{admin, member, owner, "u-anna", "u-bob", "u-carl", "u-dora", "u-pct", "u-und"}, list(orgs.MemberQuery{}))
	assert.Equal(t, []string{owner}, list(orgs.MemberQuery{Role: orgs.RoleOwner}))
	assert.Equal(t, []string{admin, "u-dora"}, list(orgs.MemberQuery{Role: orgs.RoleAdmin}))
	assert.Equal(t, []string{member, "u-anna", "u-bob", "u-carl", "u-pct", "u-und"}, list(orgs.MemberQuery{Role: orgs.RoleMember}))
	assert.Equal(t, []string{"u-anna"}, list(orgs.MemberQuery{Search: "SMITH"}), "by name")
	assert.Equal(t, []string{"u-bob"}, list(orgs.MemberQuery{Search: "bobby"}), "by username")
	assert.Equal(t, []string{"u-anna"}, list(orgs.MemberQuery{Search: "Corp.Example"}), "by email")
	assert.Equal(t, []string{admin, member, owner}, list(orgs.MemberQuery{Search: "@example.com"}))
	assert.Equal(t, []string{admin}, list(orgs.MemberQuery{Search: "example", Role: orgs.RoleAdmin}))
	assert.Equal(t, []string{"u-bob"}, list(orgs.MemberQuery{Search: "stone", Role: orgs.RoleMember}))
	assert.Equal(t, []string{"u-pct"}, list(orgs.MemberQuery{Search: "%"}), "% is not a wildcard")
	assert.Equal(t, []string{"u-und"}, list(orgs.MemberQuery{Search: "_"}), "_ is not a wildcard")
	assert.Empty(t, list(orgs.MemberQuery{Search: "nobody"}))
	assert.Empty(t, list(orgs.MemberQuery{Search: "anna", Role: orgs.RoleAdmin}))

	l, err := f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Search: "anna"})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Equal(t, orgs.Member{UserID: "u-anna", Role: orgs.RoleMember, JoinedAt: l.Data[0].JoinedAt,
		Username: "anna.s", Email: "anna@corp.example", Name: "Anna Smith"}, withoutOrg(l.Data[0]))
	l, err = f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Search: "u-carl"})
	require.NoError(t, err)
	assert.Empty(t, l.Data, "search matches profiles, not user IDs")

	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{Role: "boss"})
	requireInvalid(t, err, "role")
}

func testListMembersPagination(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	ids := names("u", 45)
	f.putUsers(ids...)
	f.addMembers(orgs.RoleMember, ids...)
	all := sorted(append([]string{owner, admin, member}, ids...))
	key := func(m orgs.Member) string { return m.UserID }
	list := func(q orgs.MemberQuery) func(orgs.Page) (*orgs.List[orgs.Member], error) {
		return func(p orgs.Page) (*orgs.List[orgs.Member], error) {
			q.Page = p
			return f.svc.ListMembers(f.ctx, orgs.UserActor(member), "acme", q)
		}
	}
	checkWalks(t, 10, all, key, list(orgs.MemberQuery{}))
	checkWalks(t, 100, all, key, list(orgs.MemberQuery{}))
	checkWalks(t, 10, sorted(append([]string{member}, ids...)), key, list(orgs.MemberQuery{Role: orgs.RoleMember}))
	checkWalks(t, 4, ids[10:20], key, list(orgs.MemberQuery{Search: "User u1"}))
	assert.Equal(t, 48, f.get(owner, "acme").MemberCount)
}

// roleCase is one attempt to change a role.
type roleCase struct {
	actor, target string
	to            orgs.Role
	want          error // nil: allowed
}

func testRoleRules(t *testing.T, newStore NewStore) {
	// The fixture plus owner2 (owner), admin2 (admin) and member2 (member).
	for name, tc := range map[string]roleCase{
		"owner demotes admin":           {owner, admin, orgs.RoleMember, nil},
		"owner promotes member":         {owner, member, orgs.RoleAdmin, nil},
		"owner makes member owner":      {owner, member, orgs.RoleOwner, nil},
		"owner demotes another owner":   {owner, "owner2", orgs.RoleAdmin, nil},
		"owner demotes itself":          {owner, owner, orgs.RoleMember, nil},
		"admin promotes member":         {admin, member, orgs.RoleAdmin, nil},
		"admin sets member's own role":  {admin, member, orgs.RoleMember, nil},
		"admin demotes admin":           {admin, "admin2", orgs.RoleMember, orgs.ErrForbidden},
		"admin demotes itself":          {admin, admin, orgs.RoleMember, orgs.ErrForbidden},
		"admin demotes owner":           {admin, owner, orgs.RoleAdmin, orgs.ErrForbidden},
		"admin grants owner":            {admin, member, orgs.RoleOwner, orgs.ErrForbidden},
		"member promotes member":        {member, "member2", orgs.RoleAdmin, orgs.ErrForbidden},
		"member sets member":            {member, "member2", orgs.RoleMember, orgs.ErrForbidden},
		"member promotes itself":        {member, member, orgs.RoleAdmin, orgs.ErrForbidden},
		"outsider":                      {outsider, member, orgs.RoleAdmin, orgs.ErrNotFound},
		"owner changes a non-member":    {owner, outsider, orgs.RoleAdmin, orgs.ErrNotFound},
		"owner changes an unknown user": {owner, "ghost", orgs.RoleAdmin, orgs.ErrNotFound},
		"unknown role":                  {owner, member, "superuser", orgs.ErrInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
			f.addMembers(orgs.RoleOwner, "owner2")
			f.addMembers(orgs.RoleAdmin, "admin2")
			f.addMembers(orgs.RoleMember, "member2")
			var from orgs.Role
			if m, err := f.store.GetMember(f.ctx, f.org.ID, tc.target); err == nil {
				from = m.Role
			}
			before := snapshot(t, f.store, f.org.ID)
			m, err := f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(tc.actor), "acme", tc.target, tc.to)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "a refused change writes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.to, m.Role)
			assert.Equal(t, tc.target, m.UserID)
			got, err := f.store.GetMember(f.ctx, f.org.ID, tc.target)
			require.NoError(t, err)
			assert.Equal(t, tc.to, got.Role)
			e := f.lastEvent()
			assert.Equal(t, "member.role_updated", string(e.Type))
			assert.Equal(t, tc.actor, e.ActorID)
			assert.Equal(t, map[string]string{"user_id": tc.target, "from": string(from), "to": string(tc.to)}, e.Data)
			org, err := f.store.GetOrganization(f.ctx, orgs.OrganizationKey{ID: f.org.ID}, "")
			require.NoError(t, err)
			assert.Equal(t, before.Org.MemberCount, org.MemberCount)
		})
	}
}

// managerRole is a custom role ranked between admin and member that may
// manage members and invitations.
var managerRole = orgs.RoleDef{Name: "manager", Rank: 150, Permissions: []orgs.Permission{
	orgs.PermOrgRead, orgs.PermMembersRead, orgs.PermMembersManage, orgs.PermInvitationsManage,
}}

func testCustomRole(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithRole(managerRole))
	var roleNames []orgs.Role
	for _, d := range f.svc.Roles() {
		roleNames = append(roleNames, d.Name)
	}
	assert.Equal(t, []orgs.Role{orgs.RoleOwner, orgs.RoleAdmin, "manager", orgs.RoleMember}, roleNames)
	assert.True(t, f.svc.Can("manager", orgs.PermMembersManage))
	assert.False(t, f.svc.Can("manager", orgs.PermTeamsManage))
	assert.False(t, f.svc.Can("nobody", orgs.PermOrgRead))

	m, err := f.svc.AddMember(f.ctx, orgs.UserActor(admin), "acme", "boss", "manager")
	require.NoError(t, err, "an admin may grant a role ranked below admin")
	assert.Equal(t, orgs.Role("manager"), m.Role)
	f.addMembers(orgs.RoleMember, "m2")
	f.addMembers("manager", "boss2")

	before := snapshot(t, f.store, f.org.ID)
	for name, err := range map[string]error{
		"change an admin":    get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("boss"), "acme", admin, orgs.RoleMember)),
		"change an owner":    get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("boss"), "acme", owner, orgs.RoleMember)),
		"change a peer":      get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("boss"), "acme", "boss2", orgs.RoleMember)),
		"grant admin":        get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("boss"), "acme", member, orgs.RoleAdmin)),
		"add an admin":       get2(f.svc.AddMember(f.ctx, orgs.UserActor("boss"), "acme", "new", orgs.RoleAdmin)),
		"remove an admin":    f.svc.RemoveMember(f.ctx, orgs.UserActor("boss"), "acme", admin),
		"remove a peer":      f.svc.RemoveMember(f.ctx, orgs.UserActor("boss"), "acme", "boss2"),
		"invite an admin":    get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor("boss"), "acme", orgs.InvitationInput{Email: "a@example.com", Role: orgs.RoleAdmin})),
		"create a team":      get2(f.svc.CreateTeam(f.ctx, orgs.UserActor("boss"), "acme", orgs.TeamInput{Name: "Boss Team"})),
		"update the org":     get2(f.svc.UpdateOrganization(f.ctx, orgs.UserActor("boss"), "acme", orgs.UpdateOrganizationInput{Name: ptr("Boss")})),
		"read events":        get2(f.svc.ListEvents(f.ctx, orgs.UserActor("boss"), "acme", orgs.EventQuery{})),
		"member grants":      get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(member), "acme", "m2", "manager")),
		"transfer (no perm)": f.svc.TransferOwnership(f.ctx, orgs.UserActor("boss"), "acme", member),
		"category (no perm)": get2(f.svc.CreateCategory(f.ctx, orgs.UserActor("boss"), "acme", orgs.CategoryInput{Name: "Boss"})),
		"pipeline (no perm)": get2(f.svc.CreatePipeline(f.ctx, orgs.UserActor("boss"), "acme", orgs.PipelineInput{Name: "Boss"})),
	} {
		assert.ErrorIs(t, err, orgs.ErrForbidden, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	m, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("boss"), "acme", member, "manager")
	require.NoError(t, err, "a manager may grant its own rank to a member")
	assert.Equal(t, orgs.Role("manager"), m.Role)
	_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("boss"), "acme", "m2", orgs.RoleMember)
	require.NoError(t, err)
	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor("boss"), "acme", "m2"))
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor("boss"), "acme", orgs.InvitationInput{Email: "c@example.com", Role: "manager"})
	require.NoError(t, err)
	assert.Equal(t, orgs.Role("manager"), inv.Role)
	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor("boss"), "acme", orgs.MemberQuery{Role: "manager"})
	require.NoError(t, err)

	// Admins outrank managers.
	_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(admin), "acme", "boss2", orgs.RoleMember)
	require.NoError(t, err)

	// A role name must be well-formed.
	_, err = orgs.New(f.store, orgs.WithRole(orgs.RoleDef{Name: "Bad Role", Rank: 1}))
	requireInvalid(t, err, "role")
}

func testRedefinedRole(t *testing.T, newStore NewStore) {
	// A host may redefine a built-in role: here members may not even list
	// members.
	f := newFixture(t, newStore, orgs.WithRole(orgs.RoleDef{Name: orgs.RoleMember, Rank: 100, Permissions: []orgs.Permission{orgs.PermOrgRead}}))
	_, err := f.svc.ListMembers(f.ctx, orgs.UserActor(member), "acme", orgs.MemberQuery{})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(member), "acme")
	require.NoError(t, err)
	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor(admin), "acme", orgs.MemberQuery{})
	require.NoError(t, err)
}

func testRemoveMember(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	f.addMembers(orgs.RoleAdmin, "admin2")
	f.addMembers(orgs.RoleMember, "member2")

	before := snapshot(t, f.store, f.org.ID)
	for name, err := range map[string]error{
		"admin removes owner":    f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", owner),
		"admin removes admin":    f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", "admin2"),
		"member removes member":  f.svc.RemoveMember(f.ctx, orgs.UserActor(member), "acme", "member2"),
		"member removes admin":   f.svc.RemoveMember(f.ctx, orgs.UserActor(member), "acme", admin),
		"owner removes nobody":   f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", "ghost"),
		"owner removes outsider": f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", outsider),
		"outsider removes":       f.svc.RemoveMember(f.ctx, orgs.UserActor(outsider), "acme", member),
		"unknown organization":   f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "nope", member),
	} {
		want := orgs.ErrForbidden
		switch name {
		case "owner removes nobody", "owner removes outsider", "outsider removes", "unknown organization":
			want = orgs.ErrNotFound
		}
		assert.ErrorIs(t, err, want, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", "member2"))
	e := f.lastEvent()
	assert.Equal(t, "member.removed", string(e.Type))
	assert.Equal(t, admin, e.ActorID)
	assert.Equal(t, map[string]string{"user_id": "member2", "role": "member"}, e.Data)
	_, err := f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", "member2")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Equal(t, 4, f.get(owner, "acme").MemberCount)
	assert.ErrorIs(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", "member2"), orgs.ErrNotFound)
	l, err := f.svc.ListOrganizations(f.ctx, orgs.UserActor("member2"), orgs.OrganizationQuery{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor("member2"), "acme")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "a removed member loses access")

	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", "admin2"))
	assert.Equal(t, map[string]string{"user_id": "admin2", "role": "admin"}, f.lastEvent().Data)
	assert.Equal(t, 3, f.get(owner, "acme").MemberCount)
}

func testLeave(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	require.NoError(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor(member), "ACME"))
	e := f.lastEvent()
	assert.Equal(t, "member.left", string(e.Type))
	assert.Equal(t, member, e.ActorID)
	assert.Equal(t, map[string]string{"user_id": member, "role": "member"}, e.Data)
	assert.Equal(t, 2, f.get(owner, "acme").MemberCount)
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor(member), "acme"), orgs.ErrNotFound, "no longer a member of a private organization")

	// Removing oneself is leaving.
	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", admin))
	assert.Equal(t, "member.left", string(f.lastEvent().Type))
	assert.Equal(t, 1, f.get(owner, "acme").MemberCount)

	// Public organization: an outsider is told it is not a member.
	_, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Visibility: ptr(orgs.VisibilityPublic)})
	require.NoError(t, err)
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor(member), "acme"), orgs.ErrNotMember)
}

func testLastOwner(t *testing.T, newStore NewStore) {
	steward := orgs.RoleDef{Name: "steward", Rank: 400, Permissions: []orgs.Permission{
		orgs.PermOrgRead, orgs.PermMembersRead, orgs.PermMembersManage}}
	f := newFixture(t, newStore, orgs.WithRole(steward))
	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", owner, orgs.RoleAdmin)), orgs.ErrLastOwner, "demote")
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor(owner), "acme"), orgs.ErrLastOwner, "leave")
	assert.ErrorIs(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", owner), orgs.ErrLastOwner, "remove oneself")
	assert.ErrorIs(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", owner), orgs.ErrForbidden, "an admin cannot act on an owner")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "refusals write nothing")

	// Setting the last owner's role to owner is not a demotion.
	_, err := f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", owner, orgs.RoleOwner)
	require.NoError(t, err)

	// A role ranked above owner can act on owners, but not remove or
	// demote the last one.
	insertMember(t, f.store, f.org.ID, "stew", "steward") // no one may grant a role above owner
	before = snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.RemoveMember(f.ctx, orgs.UserActor("stew"), "acme", owner), orgs.ErrLastOwner, "removed by a higher role")
	assert.ErrorIs(t, get2(f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("stew"), "acme", owner, orgs.RoleMember)), orgs.ErrLastOwner, "demoted by a higher role")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// With two owners, one may go; then the other is the last.
	f.addMembers(orgs.RoleOwner, "owner2")
	_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("owner2"), "acme", owner, orgs.RoleAdmin)
	require.NoError(t, err)
	assert.Equal(t, 1, countOwners(t, f.store, f.org.ID))
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor("owner2"), "acme"), orgs.ErrLastOwner)
	assert.ErrorIs(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", "owner2"), orgs.ErrForbidden, "now an admin")

	_, err = f.svc.AddMember(f.ctx, orgs.UserActor("owner2"), "acme", "owner3", orgs.RoleOwner)
	require.NoError(t, err)
	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor("owner3"), "acme", "owner2"), "owners may remove owners")
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor("owner3"), "acme"), orgs.ErrLastOwner)
	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor("stew"), "acme", owner), "not an owner any more")
	assert.Equal(t, 1, countOwners(t, f.store, f.org.ID))
}

func testTransferOwnership(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(admin), "acme", member), orgs.ErrForbidden, "admins cannot transfer")
	assert.ErrorIs(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(member), "acme", admin), orgs.ErrForbidden)
	assert.ErrorIs(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", outsider), orgs.ErrNotMember)
	assert.ErrorIs(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", "ghost"), orgs.ErrNotMember)
	assert.ErrorIs(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(outsider), "acme", member), orgs.ErrNotFound)
	requireInvalid(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", owner), "user_id")
	requireInvalid(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", ""), "user_id")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	require.NoError(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", member))
	roles := func() map[string]orgs.Role {
		ms, err := f.svc.ListMembers(f.ctx, orgs.UserActor(member), "acme", orgs.MemberQuery{})
		require.NoError(t, err)
		r := map[string]orgs.Role{}
		for _, m := range ms.Data {
			r[m.UserID] = m.Role
		}
		return r
	}
	assert.Equal(t, map[string]orgs.Role{owner: orgs.RoleAdmin, admin: orgs.RoleAdmin, member: orgs.RoleOwner}, roles())
	e := f.lastEvent()
	assert.Equal(t, "ownership.transferred", string(e.Type))
	assert.Equal(t, owner, e.ActorID)
	assert.Equal(t, map[string]string{"from": owner, "to": member}, e.Data)
	assert.Equal(t, 3, f.get(member, "acme").MemberCount)

	// The old owner, now an admin, cannot take it back.
	assert.ErrorIs(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", owner+"x"), orgs.ErrForbidden)

	// Transferring to an owner only steps the actor down.
	_, err := f.svc.AddMember(f.ctx, orgs.UserActor(member), "acme", "owner2", orgs.RoleOwner)
	require.NoError(t, err)
	require.NoError(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(member), "acme", "owner2"))
	r := roles()
	assert.Equal(t, orgs.RoleAdmin, r[member])
	assert.Equal(t, orgs.RoleOwner, r["owner2"])
	assert.Equal(t, 1, countOwners(t, f.store, f.org.ID))
}

// mapDirectory is a host's UserDirectory.
type mapDirectory map[string]orgs.User

func (d mapDirectory) Users(_ context.Context, ids []string) (map[string]orgs.User, error) {
	out := map[string]orgs.User{}
	for _, id := range ids {
		if u, ok := d[id]; ok {
			out[id] = u
		}
	}
	return out, nil
}

func testUserDirectory(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	dir := mapDirectory{
		owner:  {ID: owner, Username: "dir-owner", Email: "owner@host.example", Name: "Directory Owner"},
		member: {ID: member, Username: "dir-member", Email: "member@host.example", Name: "Directory Member"},
	}
	svc := f.service(orgs.WithUserDirectory(dir))
	l, err := svc.ListMembers(f.ctx, orgs.UserActor(owner), "acme", orgs.MemberQuery{})
	require.NoError(t, err)
	require.Len(t, l.Data, 3)
	got := map[string]string{}
	for _, m := range l.Data {
		got[m.UserID] = m.Name
	}
	assert.Equal(t, map[string]string{owner: "Directory Owner", member: "Directory Member", admin: ""}, got,
		"profiles come from the host's directory, blank when it has none")
	m, err := svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", member)
	require.NoError(t, err)
	assert.Equal(t, "member@host.example", m.Email)

	team, err := svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	tm, err := svc.AddTeamMember(f.ctx, orgs.UserActor(owner), "acme", team.Slug, member, orgs.TeamRoleMember)
	require.NoError(t, err)
	assert.Equal(t, "dir-member", tm.Username)
	tl, err := svc.ListTeamMembers(f.ctx, orgs.UserActor(owner), "acme", team.Slug, orgs.Page{})
	require.NoError(t, err)
	require.Len(t, tl.Data, 1)
	assert.Equal(t, "Directory Member", tl.Data[0].Name)

	// Invitations check the accepting user's email in the directory.
	inv, err := svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "new@host.example", Role: orgs.RoleMember})
	require.NoError(t, err)
	assert.Equal(t, "dir-owner", inv.InviterUsername)
	gotInv, err := svc.GetInvitation(f.ctx, orgs.UserActor(owner), "acme", inv.ID)
	require.NoError(t, err)
	assert.Equal(t, "dir-owner", gotInv.InviterUsername, "the inviter's username is a snapshot, whatever the directory")
	dir["newbie"] = orgs.User{ID: "newbie", Email: "NEW@host.example", Name: "New"}
	nm, err := svc.AcceptInvitation(f.ctx, orgs.UserActor("newbie"), inv.Token)
	require.NoError(t, err)
	assert.Equal(t, "New", nm.Name)
}
