package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestBulk covers the bulk operations: Service.AddMembers and
// Service.CreateInvitations (imports, all or nothing or skipping failed
// rows), Service.AddTeamMembers and CreateTeam with members — every rule of
// the one-row operation checked for each row, the limits counting all rows,
// also under concurrency.
func TestBulk(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"AddMembers", testBulkAddMembers},
		{"AddMembersSkipFailed", testBulkAddMembersSkipFailed},
		{"AddMembersLimit", testBulkAddMembersLimit},
		{"AddMembersRankPerRow", testBulkRankPerRow},
		{"AddMembersMany", testBulkAddMembersMany},
		{"Rows", testBulkRows},
		{"CreateInvitations", testBulkInvitations},
		{"CreateInvitationsLimits", testBulkInvitationLimits},
		{"AddTeamMembers", testBulkTeamMembers},
		{"CreateTeamWithMembers", testBulkCreateTeam},
		{"ConcurrentLimit", testBulkConcurrentLimit},
	})
}

// rowIndexes returns the input positions of failed rows.
func rowIndexes(failed []orgs.RowError) []int {
	out := []int{}
	for _, f := range failed {
		out = append(out, f.Index)
	}
	return out
}

func testBulkAddMembers(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	f.putUsers("ann", "bob")
	before := snapshot(t, f.store, f.org.ID)
	rows := []orgs.MemberInput{{UserID: "ann", Role: orgs.RoleMember}, {UserID: "bob", Role: orgs.RoleAdmin}, {UserID: member, Role: orgs.RoleMember}}
	_, err := f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", rows, orgs.AllOrNothing)
	var re *orgs.RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 2, re.Index)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "all or nothing: nothing written")

	res, err := f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", rows[:2], orgs.AllOrNothing)
	require.NoError(t, err)
	assert.Empty(t, res.Failed)
	require.Len(t, res.Done, 2)
	assert.Equal(t, "ann", res.Done[0].UserID)
	assert.Equal(t, "User ann", res.Done[0].Name, "with the profile")
	assert.Equal(t, orgs.RoleAdmin, res.Done[1].Role)
	got, err := f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", "bob")
	require.NoError(t, err)
	assert.Equal(t, res.Done[1], *got, "returned as stored")
	assert.Equal(t, 5, f.get(owner, "acme").MemberCount)
	es := f.events()
	assert.Equal(t, []string{"member.added", "member.added"}, eventTypes(es[len(es)-2:]), "an event per member")
	assert.Equal(t, "bob", es[len(es)-1].Data["user_id"])

	_, err = f.svc.AddMembers(f.ctx, orgs.UserActor(member), "acme", []orgs.MemberInput{{UserID: "cid", Role: orgs.RoleMember}}, orgs.AllOrNothing)
	assert.ErrorIs(t, err, orgs.ErrForbidden, "members:manage")
	_, err = f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "nope", []orgs.MemberInput{{UserID: "cid", Role: orgs.RoleMember}}, orgs.AllOrNothing)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func testBulkAddMembersSkipFailed(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	rows := []orgs.MemberInput{
		{UserID: "ann", Role: orgs.RoleMember},    // 0: added
		{UserID: "", Role: orgs.RoleMember},       // 1: malformed
		{UserID: "ann", Role: orgs.RoleAdmin},     // 2: listed twice
		{UserID: admin, Role: orgs.RoleMember},    // 3: a member already
		{UserID: "bob", Role: "wizard"},           // 4: unknown role
		{UserID: "cid", Role: orgs.RoleAdmin},     // 5: added
		{UserID: "d\x00d", Role: orgs.RoleMember}, // 6: malformed
	}
	res, err := f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", rows, orgs.SkipFailed)
	require.NoError(t, err)
	assert.Equal(t, []string{"ann", "cid"}, userIDs(res.Done))
	assert.Equal(t, []int{1, 2, 3, 4, 6}, rowIndexes(res.Failed))
	for _, fr := range res.Failed {
		switch fr.Index {
		case 1, 6:
			requireInvalid(t, fr.Err, "user_id")
		case 4:
			requireInvalid(t, fr.Err, "role")
		default:
			assert.ErrorIs(t, fr.Err, orgs.ErrAlreadyMember, "row %d", fr.Index)
		}
	}
	assert.Equal(t, 5, f.get(owner, "acme").MemberCount)

	// Nothing to write: no change, no event, no error.
	before := snapshot(t, f.store, f.org.ID)
	res, err = f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", rows[2:4], orgs.SkipFailed)
	require.NoError(t, err)
	assert.Empty(t, res.Done)
	assert.Equal(t, []int{0, 1}, rowIndexes(res.Failed))
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testBulkAddMembersLimit(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithLimits(orgs.Limits{MembersPerOrganization: 6}))
	f.invite("pending@example.com", orgs.RoleMember) // 3 members + 1 pending
	rows := []orgs.MemberInput{{UserID: "u1", Role: orgs.RoleMember}, {UserID: "u2", Role: orgs.RoleMember}, {UserID: "u3", Role: orgs.RoleMember}}
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", rows, orgs.AllOrNothing)
	var re *orgs.RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 2, re.Index, "the first row past the limit")
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	res, err := f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", rows, orgs.SkipFailed)
	require.NoError(t, err)
	assert.Equal(t, []string{"u1", "u2"}, userIDs(res.Done), "the rows that fit")
	require.Equal(t, []int{2}, rowIndexes(res.Failed))
	assert.ErrorIs(t, res.Failed[0].Err, orgs.ErrLimitExceeded)
	assert.Equal(t, 5, f.get(owner, "acme").MemberCount)
}

func testBulkRankPerRow(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	rows := []orgs.MemberInput{{UserID: "ann", Role: orgs.RoleMember}, {UserID: "bob", Role: orgs.RoleOwner}, {UserID: "cid", Role: orgs.RoleAdmin}}
	res, err := f.svc.AddMembers(f.ctx, orgs.UserActor(admin), "acme", rows, orgs.SkipFailed)
	require.NoError(t, err)
	assert.Equal(t, []string{"ann", "cid"}, userIDs(res.Done))
	require.Equal(t, []int{1}, rowIndexes(res.Failed), "an admin may not grant owner")
	assert.ErrorIs(t, res.Failed[0].Err, orgs.ErrForbidden)

	invs, err := f.svc.CreateInvitations(f.ctx, orgs.UserActor(admin), "acme", []orgs.InvitationInput{
		{Email: "x@example.com", Role: orgs.RoleOwner}, {Email: "y@example.com", Role: orgs.RoleAdmin}}, orgs.SkipFailed)
	require.NoError(t, err)
	require.Len(t, invs.Done, 1)
	assert.Equal(t, "y@example.com", invs.Done[0].Email)
	require.Equal(t, []int{0}, rowIndexes(invs.Failed))
	assert.ErrorIs(t, invs.Failed[0].Err, orgs.ErrForbidden)

	// The system caller may grant any role.
	res, err = f.svc.AddMembers(f.ctx, orgs.SystemActor(), "acme", rows[1:2], orgs.AllOrNothing)
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleOwner, res.Done[0].Role)
}

func testBulkAddMembersMany(t *testing.T, newStore NewStore) {
	// More rows than one statement of the SQL stores carries.
	const n = 2500
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	rows := make([]orgs.MemberInput, n)
	for i := range rows {
		rows[i] = orgs.MemberInput{UserID: fmt.Sprintf("import-%05d", i), Role: orgs.RoleMember}
	}
	res, err := f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", rows, orgs.AllOrNothing)
	require.NoError(t, err)
	assert.Len(t, res.Done, n)
	assert.Equal(t, n+3, f.get(owner, "acme").MemberCount)
	n2, err := f.store.CountMembers(f.ctx, f.org.ID, orgs.RoleMember)
	require.NoError(t, err)
	assert.Equal(t, n+1, n2)
	assert.Equal(t, n+3, eventsCount(t, f.store, f.org.ID), "an event per member (after the fixture's three)")

	// A duplicate among the last rows fails them all.
	more := make([]orgs.MemberInput, n)
	for i := range more {
		more[i] = orgs.MemberInput{UserID: fmt.Sprintf("more-%05d", i), Role: orgs.RoleMember}
	}
	more[n-1].UserID = "import-00007"
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", more, orgs.AllOrNothing)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testBulkRows(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	_, err := f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", nil, orgs.AllOrNothing)
	requireInvalid(t, err, "rows")
	_, err = f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", make([]orgs.MemberInput, orgs.MaxBulkRows+1), orgs.SkipFailed)
	requireInvalid(t, err, "rows")
	_, err = f.svc.CreateInvitations(f.ctx, orgs.UserActor(owner), "acme", nil, orgs.AllOrNothing)
	requireInvalid(t, err, "rows")
	_, err = f.svc.AddTeamMembers(f.ctx, orgs.UserActor(owner), "acme", "core", nil)
	requireInvalid(t, err, "members")
	_, err = f.svc.AddMembers(f.ctx, orgs.UserActor(owner), "acme", []orgs.MemberInput{{UserID: "ok", Role: orgs.RoleMember}, {UserID: "x", Role: ""}}, orgs.AllOrNothing)
	var re *orgs.RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Index)
	requireInvalid(t, err, "role")
	assert.Contains(t, err.Error(), "row 1")
}

func testBulkInvitations(t *testing.T, newStore NewStore) {
	var notified atomic.Int32
	f := newFixture(t, newStore, orgs.WithNotifier(orgs.NotifierFunc(func(ctx context.Context, n orgs.InvitationNotice) error {
		notified.Add(1)
		if n.Invitation.Token == "" {
			return errors.New("no token")
		}
		return nil
	})), orgs.WithInvitationOptions(orgs.InvitationOptions{AcceptURL: "https://app.example.com/join"}))
	live := f.invite("live@example.com", orgs.RoleMember)
	expired, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "old@example.com", Role: orgs.RoleMember, ExpiresIn: time.Hour})
	require.NoError(t, err)
	f.clock.Advance(2 * time.Hour)
	notified.Store(0)
	rows := []orgs.InvitationInput{
		{Email: "New@Example.com", Role: orgs.RoleMember},                                  // 0: invited
		{Email: "mia@example.com", Role: orgs.RoleMember},                                  // 1: a member's email
		{Email: "live@example.com", Role: orgs.RoleMember},                                 // 2: pending already
		{Email: "new@example.com", Role: orgs.RoleAdmin},                                   // 3: listed twice
		{Email: "not an email", Role: orgs.RoleMember},                                     // 4: malformed
		{Email: "old@example.com", Role: orgs.RoleAdmin},                                   // 5: invited, the expired one retired
		{Email: "far@example.com", Role: orgs.RoleMember, ExpiresIn: 365 * 24 * time.Hour}, // 6: too long
	}
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.CreateInvitations(f.ctx, orgs.UserActor(admin), "acme", rows, orgs.AllOrNothing)
	var re *orgs.RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 4, re.Index, "malformed rows are found first")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Zero(t, notified.Load())

	res, err := f.svc.CreateInvitations(f.ctx, orgs.UserActor(admin), "acme", rows, orgs.SkipFailed)
	require.NoError(t, err)
	require.Len(t, res.Done, 2)
	assert.Equal(t, "new@example.com", res.Done[0].Email)
	assert.Equal(t, "old@example.com", res.Done[1].Email)
	assert.Equal(t, []int{1, 2, 3, 4, 6}, rowIndexes(res.Failed))
	for _, fr := range res.Failed {
		switch fr.Index {
		case 1:
			assert.ErrorIs(t, fr.Err, orgs.ErrAlreadyMember)
		case 2, 3:
			assert.ErrorIs(t, fr.Err, orgs.ErrAlreadyInvited, "row %d", fr.Index)
		case 4:
			requireInvalid(t, fr.Err, "email")
		case 6:
			requireInvalid(t, fr.Err, "expires_in")
		}
	}
	assert.EqualValues(t, 2, notified.Load(), "each invitation delivered")
	for _, inv := range res.Done {
		assert.NotEmpty(t, inv.Token)
		assert.Contains(t, inv.AcceptURL, "token=")
		assert.Equal(t, "adam", inv.InviterUsername)
	}
	assert.Equal(t, orgs.InvitationExpired, f.invitation(expired.ID).Status, "retired")
	assert.Equal(t, orgs.InvitationPending, f.invitation(live.ID).Status)
	assert.Equal(t, []string{"invitation.created", "invitation.created"}, eventTypes(f.events()[len(f.events())-2:]))

	// The tokens work.
	f.putUsers("newbie")
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "newbie", Email: "new@example.com"}))
	m, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor("newbie"), res.Done[0].Token)
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleMember, m.Role)

	// ReplacePending revokes the live invitation for a row.
	svc := f.service(orgs.WithInvitationOptions(orgs.InvitationOptions{ReplacePending: true}))
	res, err = svc.CreateInvitations(f.ctx, orgs.UserActor(admin), "acme", rows[2:3], orgs.AllOrNothing)
	require.NoError(t, err)
	require.Len(t, res.Done, 1)
	assert.Equal(t, orgs.InvitationRevoked, f.invitation(live.ID).Status)
}

func testBulkInvitationLimits(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithLimits(orgs.Limits{PendingInvitationsPerOrganization: 3, MembersPerOrganization: 10}))
	f.invite("one@example.com", orgs.RoleMember)
	rows := []orgs.InvitationInput{{Email: "a@example.com", Role: orgs.RoleMember}, {Email: "b@example.com", Role: orgs.RoleMember}, {Email: "c@example.com", Role: orgs.RoleMember}}
	res, err := f.svc.CreateInvitations(f.ctx, orgs.UserActor(admin), "acme", rows, orgs.SkipFailed)
	require.NoError(t, err)
	assert.Len(t, res.Done, 2)
	require.Equal(t, []int{2}, rowIndexes(res.Failed))
	assert.ErrorIs(t, res.Failed[0].Err, orgs.ErrLimitExceeded)

	// The member limit counts pending invitations: 3 members + 3 pending +
	// 4 new = 10.
	g := newFixture(t, newStore, orgs.WithLimits(orgs.Limits{MembersPerOrganization: 8}))
	g.invite("one@example.com", orgs.RoleMember)
	_, err = g.svc.CreateInvitations(g.ctx, orgs.UserActor(admin), "acme", append(rows, orgs.InvitationInput{Email: "d@example.com", Role: orgs.RoleMember},
		orgs.InvitationInput{Email: "e@example.com", Role: orgs.RoleMember}), orgs.AllOrNothing)
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	res, err = g.svc.CreateInvitations(g.ctx, orgs.UserActor(admin), "acme", rows, orgs.AllOrNothing)
	require.NoError(t, err)
	assert.Len(t, res.Done, 3)
}

func testBulkTeamMembers(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	f.putUsers("ann", "bob", "cid")
	f.addMembers(orgs.RoleMember, "ann", "bob", "cid")
	_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core", Slug: "core"})
	require.NoError(t, err)
	_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor(owner), "acme", "core", member, orgs.TeamRoleMaintainer)
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	for _, c := range []struct {
		rows  []orgs.TeamMemberInput
		index int
		want  error
	}{
		{[]orgs.TeamMemberInput{{UserID: "ann", Role: orgs.TeamRoleMember}, {UserID: outsider, Role: orgs.TeamRoleMember}}, 1, orgs.ErrNotMember},
		{[]orgs.TeamMemberInput{{UserID: "ann", Role: orgs.TeamRoleMember}, {UserID: member, Role: orgs.TeamRoleMember}}, 1, orgs.ErrAlreadyMember},
		{[]orgs.TeamMemberInput{{UserID: "ann", Role: orgs.TeamRoleMember}, {UserID: "ann", Role: orgs.TeamRoleMaintainer}}, 1, orgs.ErrAlreadyMember},
		{[]orgs.TeamMemberInput{{UserID: "ann", Role: orgs.TeamRoleMember}, {UserID: "bob", Role: "lead"}}, 1, orgs.ErrInvalid},
	} {
		_, err := f.svc.AddTeamMembers(f.ctx, orgs.UserActor(owner), "acme", "core", c.rows)
		var re *orgs.RowError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, c.index, re.Index)
		assert.ErrorIs(t, err, c.want)
	}
	_, err = f.svc.AddTeamMembers(f.ctx, orgs.UserActor("ann"), "acme", "core", []orgs.TeamMemberInput{{UserID: "bob", Role: orgs.TeamRoleMember}})
	assert.ErrorIs(t, err, orgs.ErrForbidden, "neither teams:manage nor a maintainer")
	_, err = f.svc.AddTeamMembers(f.ctx, orgs.UserActor(owner), "acme", "nope", []orgs.TeamMemberInput{{UserID: "bob", Role: orgs.TeamRoleMember}})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "nothing written by the refused calls")

	// A maintainer may add.
	added, err := f.svc.AddTeamMembers(f.ctx, orgs.UserActor(member), "acme", "core", []orgs.TeamMemberInput{
		{UserID: "ann", Role: orgs.TeamRoleMember}, {UserID: "bob", Role: orgs.TeamRoleMaintainer}, {UserID: "cid", Role: orgs.TeamRoleMember}})
	require.NoError(t, err)
	require.Len(t, added, 3)
	assert.Equal(t, "User bob", added[1].Name, "with the profile")
	assert.Equal(t, orgs.TeamRoleMaintainer, added[1].Role)
	team, err := f.svc.GetTeam(f.ctx, orgs.UserActor(owner), "acme", "core")
	require.NoError(t, err)
	assert.Equal(t, 4, team.MemberCount)
	l, err := f.svc.ListTeamMembers(f.ctx, orgs.UserActor(owner), "acme", "core", orgs.Page{Limit: 10})
	require.NoError(t, err)
	got := map[string]orgs.TeamMember{}
	for _, m := range l.Data {
		got[m.UserID] = m
	}
	for _, m := range added {
		assert.Equal(t, m, got[m.UserID], "returned as stored")
	}
	es := f.events()
	assert.Equal(t, []string{"team.member_added", "team.member_added", "team.member_added"}, eventTypes(es[len(es)-3:]))
}

func testBulkCreateTeam(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core", Members: []orgs.TeamMemberInput{
		{UserID: admin, Role: orgs.TeamRoleMaintainer}, {UserID: outsider, Role: orgs.TeamRoleMember}}})
	assert.ErrorIs(t, err, orgs.ErrNotMember)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "no team without its members")

	team, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core", Members: []orgs.TeamMemberInput{
		{UserID: admin, Role: orgs.TeamRoleMaintainer}, {UserID: member, Role: orgs.TeamRoleMember}}})
	require.NoError(t, err)
	assert.Equal(t, 2, team.MemberCount)
	got, err := f.svc.GetTeam(f.ctx, orgs.UserActor(owner), "acme", team.Slug)
	require.NoError(t, err)
	assert.Equal(t, team, got)
	l, err := f.svc.ListTeamMembers(f.ctx, orgs.UserActor(owner), "acme", team.Slug, orgs.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, l.Data, 2)
	assert.Equal(t, orgs.TeamRoleMaintainer, l.Data[0].Role)
	es := f.events()
	assert.Equal(t, []string{"team.created", "team.member_added", "team.member_added"}, eventTypes(es[len(es)-3:]))
	assert.Equal(t, 1, f.get(owner, "acme").TeamCount)
}

func testBulkConcurrentLimit(t *testing.T, newStore NewStore) {
	// Bulk adds, all or nothing and skipping failed rows, and one-row adds
	// race for the seats of one organization.
	const limit, callers, rowsEach, rounds = 20, 12, 4, 3
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone), orgs.WithLimits(orgs.Limits{MembersPerOrganization: limit}))
	for round := range rounds {
		slug := fmt.Sprintf("bulk-seats-%d", round)
		org, err := svc.CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Seats", Slug: slug})
		require.NoError(t, err)
		var added atomic.Int32
		errs := testkit.Storm(callers, func(i int) error {
			if i%4 == 3 {
				_, err := svc.AddMember(ctx, orgs.UserActor("boss"), slug, fmt.Sprintf("r%d-one%02d", round, i), orgs.RoleMember)
				if err == nil {
					added.Add(1)
				}
				return err
			}
			rows := make([]orgs.MemberInput, rowsEach)
			for j := range rows {
				rows[j] = orgs.MemberInput{UserID: fmt.Sprintf("r%d-c%02d-%d", round, i, j), Role: orgs.RoleMember}
			}
			mode := orgs.AllOrNothing
			if i%2 == 1 {
				mode = orgs.SkipFailed
			}
			res, err := svc.AddMembers(ctx, orgs.UserActor("boss"), slug, rows, mode)
			if err == nil {
				added.Add(int32(len(res.Done)))
				for _, fr := range res.Failed {
					if !errors.Is(fr.Err, orgs.ErrLimitExceeded) {
						return fr.Err
					}
				}
			}
			return err
		})
		o := tally(errs, orgs.ErrLimitExceeded)
		members, err := store.CountMembers(ctx, org.ID, "")
		require.NoError(t, err)
		t.Logf("round %d: limit %d, %d callers at once (bulk of %d, or one): %s; %d members", round, limit, callers, rowsEach, o, members)
		assert.Empty(t, o.other)
		assert.Equal(t, limit, members, "never above the limit, and every seat taken")
		assert.EqualValues(t, limit-1, added.Load(), "the members the calls report added")
	}
}
