package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestTeams covers teams and team members: slugs unique within an
// organization, maintainers, exact counters, and leaving the organization
// leaving its teams.
func TestTeams(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"CreateGetUpdateDelete", testTeamCRUD},
		{"SlugUniqueWithinOrganization", testTeamSlugs},
		{"ListPagination", testListTeamsPagination},
		{"Members", testTeamMembers},
		{"MembersPagination", testTeamMembersPagination},
		{"Maintainers", testTeamMaintainers},
		{"LeavingTheOrganization", testLeavingRemovesTeamMemberships},
		{"Permissions", testTeamPermissions},
	})
}

// team reads a team through the Service.
func (f *fixture) team(slug string) *orgs.Team {
	f.t.Helper()
	tm, err := f.svc.GetTeam(f.ctx, orgs.UserActor(owner), f.org.Slug, slug)
	require.NoError(f.t, err)
	return tm
}

// teamMembers lists a team's members through the Service, checks the
// team's member_count against the list and returns their IDs.
func (f *fixture) teamMembers(slug string) []string {
	f.t.Helper()
	l, err := f.svc.ListTeamMembers(f.ctx, orgs.UserActor(owner), f.org.Slug, slug, orgs.Page{Limit: orgs.MaxPageLimit})
	require.NoError(f.t, err)
	require.False(f.t, l.HasMore)
	ids := []string{}
	for _, m := range l.Data {
		ids = append(ids, m.UserID)
	}
	assert.Equal(f.t, len(ids), f.team(slug).MemberCount, "member_count of team %s", slug)
	return ids
}

func testTeamCRUD(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	tm, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: "Core Team", Description: "The core.\nOf it all.", Color: "#1F6FEB"})
	require.NoError(t, err)
	assert.Regexp(t, idPattern(orgs.PrefixTeam), tm.ID)
	assert.Equal(t, "core-team", tm.Slug, "derived from the name")
	assert.Equal(t, "#1f6feb", tm.Color)
	assert.Zero(t, tm.MemberCount)
	assert.True(t, tm.CreatedAt.Equal(f.clock.Now()))
	e := f.lastEvent()
	assert.Equal(t, "team.created", string(e.Type))
	assert.Equal(t, map[string]string{"team_id": tm.ID, "slug": "core-team"}, e.Data)

	got, err := f.svc.GetTeam(f.ctx, orgs.UserActor(member), "acme", "CORE-Team")
	require.NoError(t, err)
	assert.Equal(t, tm.ID, got.ID)
	assert.Equal(t, "Core Team", got.Name)
	assert.Equal(t, "The core.\nOf it all.", got.Description)
	assert.Equal(t, "#1f6feb", got.Color)
	assert.Equal(t, 1, f.get(owner, "acme").TeamCount)

	short, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: "QA"})
	require.NoError(t, err)
	assert.Regexp(t, `^qa-[a-z0-9]{6}$`, short.Slug)
	assert.Equal(t, 2, f.get(owner, "acme").TeamCount)

	f.clock.Advance(time.Second)
	up, err := f.svc.UpdateTeam(f.ctx, orgs.UserActor(admin), "acme", "core-team", orgs.TeamUpdate{
		Name: ptr("Platform"), Slug: ptr("Platform"), Description: ptr(""), Color: ptr("#ABCDEF")})
	require.NoError(t, err)
	assert.Equal(t, "platform", up.Slug)
	assert.Equal(t, "#abcdef", up.Color)
	assert.Empty(t, up.Description)
	e = f.lastEvent()
	assert.Equal(t, "team.updated", string(e.Type))
	assert.Equal(t, map[string]string{"team_id": tm.ID, "slug": "platform"}, e.Data)
	got = f.team("platform")
	assert.Equal(t, tm.ID, got.ID)
	assert.Equal(t, "Platform", got.Name)
	assert.Empty(t, got.Description)
	assert.True(t, got.UpdatedAt.Equal(f.clock.Now()))
	assert.True(t, got.CreatedAt.Equal(tm.CreatedAt))
	_, err = f.svc.GetTeam(f.ctx, orgs.UserActor(member), "acme", "core-team")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the old slug is gone")

	// Nil fields are unchanged.
	up, err = f.svc.UpdateTeam(f.ctx, orgs.UserActor(admin), "acme", "platform", orgs.TeamUpdate{Description: ptr("Again")})
	require.NoError(t, err)
	assert.Equal(t, "Platform", up.Name)
	assert.Equal(t, "#abcdef", up.Color)

	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.UpdateTeam(f.ctx, orgs.UserActor(admin), "acme", "platform", orgs.TeamUpdate{Color: ptr("blue")})
	requireInvalid(t, err, "color")
	_, err = f.svc.UpdateTeam(f.ctx, orgs.UserActor(admin), "acme", "platform", orgs.TeamUpdate{Name: ptr("")})
	requireInvalid(t, err, "name")
	_, err = f.svc.UpdateTeam(f.ctx, orgs.UserActor(admin), "acme", "platform", orgs.TeamUpdate{Slug: ptr("-bad-")})
	requireInvalid(t, err, "slug")
	_, err = f.svc.UpdateTeam(f.ctx, orgs.UserActor(admin), "acme", "nope", orgs.TeamUpdate{Name: ptr("X")})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	require.NoError(t, f.svc.DeleteTeam(f.ctx, orgs.UserActor(admin), "acme", "platform"))
	e = f.lastEvent()
	assert.Equal(t, "team.deleted", string(e.Type))
	assert.Equal(t, map[string]string{"team_id": tm.ID, "slug": "platform"}, e.Data)
	_, err = f.svc.GetTeam(f.ctx, orgs.UserActor(member), "acme", "platform")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeleteTeam(f.ctx, orgs.UserActor(admin), "acme", "platform"), orgs.ErrNotFound)
	assert.Equal(t, 1, f.get(owner, "acme").TeamCount)
	l, err := f.svc.ListTeams(f.ctx, orgs.UserActor(member), "acme", orgs.Page{})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Equal(t, short.ID, l.Data[0].ID)
}

func testTeamSlugs(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone), orgs.WithReservedSlugs("new"))
	_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	other, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Other"})
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	for name, err := range map[string]error{
		"same name":          get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core"})),
		"explicit slug":      get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Another", Slug: "core"})),
		"explicit, any case": get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Another", Slug: "CORE"})),
		"renamed onto":       get2(f.svc.UpdateTeam(f.ctx, orgs.UserActor(owner), "acme", "other", orgs.TeamUpdate{Slug: ptr("core"), Name: ptr("Renamed")})),
	} {
		assert.ErrorIs(t, err, orgs.ErrSlugTaken, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Equal(t, "Other", f.team(other.Slug).Name)

	// Unique within one organization only; an organization's own slug and
	// the organization-level reserved words are fine for teams.
	o2, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Second"})
	require.NoError(t, err)
	tm, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), o2.Slug, orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	assert.Equal(t, "core", tm.Slug)
	_, err = f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Acme"})
	require.NoError(t, err)
	_, err = f.svc.UpdateTeam(f.ctx, orgs.UserActor(owner), "acme", "other", orgs.TeamUpdate{Slug: ptr("other")})
	require.NoError(t, err, "keeping one's own slug")
}

func testListTeamsPagination(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	var want []string
	for i := range 25 {
		tm, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: fmt.Sprintf("Team %02d", i)})
		require.NoError(t, err)
		want = append(want, tm.ID)
	}
	checkWalks(t, 10, want, func(tm orgs.Team) string { return tm.ID }, func(p orgs.Page) (*orgs.List[orgs.Team], error) {
		return f.svc.ListTeams(f.ctx, orgs.UserActor(member), "acme", p)
	})
	assert.Equal(t, 25, f.get(owner, "acme").TeamCount)
}

func testTeamMembers(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	tm, err := f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", member, orgs.TeamRoleMaintainer)
	require.NoError(t, err)
	assert.Equal(t, member, tm.UserID)
	assert.Equal(t, orgs.TeamRoleMaintainer, tm.Role)
	assert.Equal(t, "mia", tm.Username, "with the profile")
	assert.Equal(t, "Mia Member", tm.Name)
	assert.True(t, tm.JoinedAt.Equal(f.clock.Now()))
	e := f.lastEvent()
	assert.Equal(t, "team.member_added", string(e.Type))
	assert.Equal(t, map[string]string{"team_id": f.team("core").ID, "user_id": member, "role": "maintainer"}, e.Data)
	_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", owner, orgs.TeamRoleMember)
	require.NoError(t, err)
	assert.Equal(t, []string{member, owner}, f.teamMembers("core"))
	assert.Equal(t, 3, f.get(owner, "acme").MemberCount, "team membership is not org membership")

	before := snapshot(t, f.store, f.org.ID)
	for name, tc := range map[string]struct {
		err  error
		want error
	}{
		"an outsider":    {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", outsider, orgs.TeamRoleMember)), orgs.ErrNotMember},
		"an unknown":     {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", "ghost", orgs.TeamRoleMember)), orgs.ErrNotMember},
		"twice":          {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", member, orgs.TeamRoleMember)), orgs.ErrAlreadyMember},
		"unknown team":   {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "nope", admin, orgs.TeamRoleMember)), orgs.ErrNotFound},
		"bad team role":  {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", admin, "lead")), orgs.ErrInvalid},
		"org role":       {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", admin, "admin")), orgs.ErrInvalid},
		"update nobody":  {get2(f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(admin), "acme", "core", admin, orgs.TeamRoleMaintainer)), orgs.ErrNotFound},
		"remove nobody":  {f.svc.RemoveTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", admin), orgs.ErrNotFound},
		"remove unknown": {f.svc.RemoveTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", "ghost"), orgs.ErrNotFound},
		"bad role":       {get2(f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(admin), "acme", "core", member, "boss")), orgs.ErrInvalid},
	} {
		assert.ErrorIs(t, tc.err, tc.want, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	tm, err = f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(admin), "acme", "core", member, orgs.TeamRoleMember)
	require.NoError(t, err)
	assert.Equal(t, orgs.TeamRoleMember, tm.Role)
	assert.Equal(t, "team.member_role_updated", string(f.lastEvent().Type))
	got, err := f.store.GetTeamMember(f.ctx, f.team("core").ID, member)
	require.NoError(t, err)
	assert.Equal(t, orgs.TeamRoleMember, got.Role)

	require.NoError(t, f.svc.RemoveTeamMember(f.ctx, orgs.UserActor(admin), "acme", "core", owner))
	e = f.lastEvent()
	assert.Equal(t, "team.member_removed", string(e.Type))
	assert.Equal(t, map[string]string{"team_id": f.team("core").ID, "user_id": owner}, e.Data)
	assert.Equal(t, []string{member}, f.teamMembers("core"))

	// Deleting a team keeps its members in the organization.
	require.NoError(t, f.svc.DeleteTeam(f.ctx, orgs.UserActor(admin), "acme", "core"))
	assert.Equal(t, 3, f.get(owner, "acme").MemberCount)
	_, err = f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", member)
	require.NoError(t, err)
}

func testTeamMembersPagination(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	ids := names("u", 23)
	f.addMembers(orgs.RoleMember, ids...)
	_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: "Big"})
	require.NoError(t, err)
	for _, id := range ids {
		_, err := f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "big", id, orgs.TeamRoleMember)
		require.NoError(t, err)
	}
	checkWalks(t, 5, ids, func(m orgs.TeamMember) string { return m.UserID }, func(p orgs.Page) (*orgs.List[orgs.TeamMember], error) {
		return f.svc.ListTeamMembers(f.ctx, orgs.UserActor(member), "acme", "big", p)
	})
	assert.Equal(t, 23, f.team("big").MemberCount)
}

func testTeamMaintainers(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	f.addMembers(orgs.RoleMember, "m2", "m3", "m4")
	for _, name := range []string{"Alpha", "Beta"} {
		_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: name})
		require.NoError(t, err)
	}
	_, err := f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "alpha", member, orgs.TeamRoleMaintainer)
	require.NoError(t, err)
	_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "alpha", "m2", orgs.TeamRoleMember)
	require.NoError(t, err)
	_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", "beta", "m4", orgs.TeamRoleMember)
	require.NoError(t, err)

	// A maintainer (an org member) manages its own team's members.
	tm, err := f.svc.AddTeamMember(f.ctx, orgs.UserActor(member), "acme", "alpha", "m3", orgs.TeamRoleMember)
	require.NoError(t, err)
	assert.Equal(t, "m3", tm.UserID)
	assert.Equal(t, member, f.lastEvent().ActorID)
	_, err = f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(member), "acme", "alpha", "m3", orgs.TeamRoleMaintainer)
	require.NoError(t, err)
	_, err = f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(member), "acme", "alpha", "m3", orgs.TeamRoleMember)
	require.NoError(t, err)
	require.NoError(t, f.svc.RemoveTeamMember(f.ctx, orgs.UserActor(member), "acme", "alpha", "m3"))
	assert.Equal(t, []string{"m2", member}, f.teamMembers("alpha"))

	before := snapshot(t, f.store, f.org.ID)
	for name, tc := range map[string]struct {
		err  error
		want error
	}{
		"maintainer adds to another team":     {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(member), "acme", "beta", "m3", orgs.TeamRoleMember)), orgs.ErrForbidden},
		"maintainer removes from another":     {f.svc.RemoveTeamMember(f.ctx, orgs.UserActor(member), "acme", "beta", "m4"), orgs.ErrForbidden},
		"maintainer changes role in another":  {get2(f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(member), "acme", "beta", "m4", orgs.TeamRoleMaintainer)), orgs.ErrForbidden},
		"maintainer adds an outsider":         {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(member), "acme", "alpha", outsider, orgs.TeamRoleMember)), orgs.ErrNotMember},
		"maintainer renames the team":         {get2(f.svc.UpdateTeam(f.ctx, orgs.UserActor(member), "acme", "alpha", orgs.TeamUpdate{Name: ptr("Mine")})), orgs.ErrForbidden},
		"maintainer deletes the team":         {f.svc.DeleteTeam(f.ctx, orgs.UserActor(member), "acme", "alpha"), orgs.ErrForbidden},
		"team member adds":                    {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor("m2"), "acme", "alpha", "m3", orgs.TeamRoleMember)), orgs.ErrForbidden},
		"team member promotes itself":         {get2(f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor("m2"), "acme", "alpha", "m2", orgs.TeamRoleMaintainer)), orgs.ErrForbidden},
		"team member removes the maintainer":  {f.svc.RemoveTeamMember(f.ctx, orgs.UserActor("m2"), "acme", "alpha", member), orgs.ErrForbidden},
		"org member outside the team adds":    {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor("m3"), "acme", "alpha", "m3", orgs.TeamRoleMaintainer)), orgs.ErrForbidden},
		"outsider adds":                       {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(outsider), "acme", "alpha", "m3", orgs.TeamRoleMember)), orgs.ErrNotFound},
		"maintainer on a team that is absent": {get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(member), "acme", "gamma", "m3", orgs.TeamRoleMember)), orgs.ErrNotFound},
	} {
		assert.ErrorIs(t, tc.err, tc.want, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// Demoted, the former maintainer loses the power.
	_, err = f.svc.UpdateTeamMemberRole(f.ctx, orgs.UserActor(admin), "acme", "alpha", member, orgs.TeamRoleMember)
	require.NoError(t, err)
	_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor(member), "acme", "alpha", "m3", orgs.TeamRoleMember)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
}

func testLeavingRemovesTeamMemberships(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	f.addMembers(orgs.RoleMember, "m2")
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: name})
		require.NoError(t, err)
		for _, u := range []string{member, "m2", owner} {
			_, err := f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", name, u, orgs.TeamRoleMember)
			require.NoError(t, err)
		}
	}
	// Another organization's teams are untouched.
	o2, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Second"})
	require.NoError(t, err)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), o2.Slug, member, orgs.RoleMember)
	require.NoError(t, err)
	_, err = f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), o2.Slug, orgs.TeamInput{Name: "Alpha"})
	require.NoError(t, err)
	_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor(owner), o2.Slug, "alpha", member, orgs.TeamRoleMember)
	require.NoError(t, err)
	o2Before := snapshot(t, f.store, o2.ID)

	require.NoError(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor(member), "acme"))
	for _, slug := range []string{"alpha", "beta", "gamma"} {
		assert.Equal(t, []string{"m2", owner}, f.teamMembers(slug), "after leaving, team %s", slug)
		_, err := f.store.GetTeamMember(f.ctx, f.team(slug).ID, member)
		assert.ErrorIs(t, err, orgs.ErrNotFound)
	}
	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", "m2"))
	for _, slug := range []string{"alpha", "beta", "gamma"} {
		assert.Equal(t, []string{owner}, f.teamMembers(slug), "after removal, team %s", slug)
	}
	assert.Equal(t, o2Before, snapshot(t, f.store, o2.ID))

	// Rejoining the organization does not restore team memberships.
	f.addMembers(orgs.RoleMember, "m2")
	assert.Equal(t, []string{owner}, f.teamMembers("alpha"))
	assert.Equal(t, 3, f.get(owner, "acme").TeamCount)
}

func testTeamPermissions(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(member), "acme", orgs.TeamInput{Name: "Mine"})), orgs.ErrForbidden)
	assert.ErrorIs(t, get2(f.svc.UpdateTeam(f.ctx, orgs.UserActor(member), "acme", "core", orgs.TeamUpdate{Name: ptr("Mine")})), orgs.ErrForbidden)
	assert.ErrorIs(t, f.svc.DeleteTeam(f.ctx, orgs.UserActor(member), "acme", "core"), orgs.ErrForbidden)
	assert.ErrorIs(t, get2(f.svc.AddTeamMember(f.ctx, orgs.UserActor(member), "acme", "core", member, orgs.TeamRoleMaintainer)), orgs.ErrForbidden)
	assert.ErrorIs(t, get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(outsider), "acme", orgs.TeamInput{Name: "Mine"})), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(f.svc.GetTeam(f.ctx, orgs.UserActor(outsider), "acme", "core")), orgs.ErrNotFound)
	assert.ErrorIs(t, get2(f.svc.ListTeamMembers(f.ctx, orgs.UserActor(outsider), "acme", "core", orgs.Page{})), orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Empty(t, f.teamMembers("core"), "members may read teams")
}
