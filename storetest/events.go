package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestEvents covers the audit log: an event for every mutation, in order,
// listed with a cursor and a type filter, and none for a failed call.
func TestEvents(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"EveryMutation", testEveryMutationRecorded},
		{"ListPagination", testListEventsPagination},
		{"TypeFilter", testListEventsTypeFilter},
		{"NotWrittenOnFailure", testEventsNotWrittenOnFailure},
		{"RollbackAfterPartialWrite", testRollbackAfterPartialWrite},
		{"Permissions", testEventPermissions},
		{"IDsIncreaseWithinAProcess", testIDsIncrease},
	})
}

func testEveryMutationRecorded(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1}))
	ctx := f.ctx
	type step struct {
		actor string
		want  []string
		do    func() error
	}
	var catID, pipeID, invID, token string
	replacing := f.service(orgs.WithInvitationOptions(orgs.InvitationOptions{ReplacePending: true}))
	steps := []step{
		{owner, []string{"organization.updated"}, func() error {
			return get2(f.svc.UpdateOrganization(ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Name: ptr("Acme 2")}))
		}},
		{owner, []string{"member.added"}, func() error { return get2(f.svc.AddMember(ctx, orgs.UserActor(owner), "acme", "m2", orgs.RoleMember)) }},
		{admin, []string{"member.role_updated"}, func() error {
			return get2(f.svc.UpdateMemberRole(ctx, orgs.UserActor(admin), "acme", "m2", orgs.RoleAdmin))
		}},
		{owner, []string{"member.removed"}, func() error { return f.svc.RemoveMember(ctx, orgs.UserActor(owner), "acme", "m2") }},
		{admin, []string{"member.added"}, func() error { return get2(f.svc.AddMember(ctx, orgs.UserActor(admin), "acme", "m3", orgs.RoleMember)) }},
		{"m3", []string{"member.left"}, func() error { return f.svc.LeaveOrganization(ctx, orgs.UserActor("m3"), "acme") }},
		{admin, []string{"category.created"}, func() error {
			c, err := f.svc.CreateCategory(ctx, orgs.UserActor(admin), "acme", orgs.CategoryInput{Name: "Audit"})
			if err == nil {
				catID = c.ID
			}
			return err
		}},
		{admin, []string{"category.updated"}, func() error {
			return get2(f.svc.UpdateCategory(ctx, orgs.UserActor(admin), "acme", catID, orgs.CategoryUpdate{Position: ptr(0)}))
		}},
		{admin, []string{"category.deleted"}, func() error { return f.svc.DeleteCategory(ctx, orgs.UserActor(admin), "acme", catID) }},
		{admin, []string{"pipeline.created"}, func() error {
			p, err := f.svc.CreatePipeline(ctx, orgs.UserActor(admin), "acme", orgs.PipelineInput{Name: "Audit"})
			if err == nil {
				pipeID = p.ID
			}
			return err
		}},
		{admin, []string{"pipeline.updated"}, func() error {
			return get2(f.svc.UpdatePipeline(ctx, orgs.UserActor(admin), "acme", pipeID, orgs.PipelineUpdate{Name: ptr("Audit 2")}))
		}},
		{admin, []string{"pipeline.updated"}, func() error { return get2(f.svc.AddStage(ctx, orgs.UserActor(admin), "acme", pipeID, "Stage")) }},
		{admin, []string{"pipeline.deleted"}, func() error { return f.svc.DeletePipeline(ctx, orgs.UserActor(admin), "acme", pipeID) }},
		{admin, []string{"invitation.created"}, func() error {
			inv, err := f.svc.CreateInvitation(ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember})
			if err == nil {
				invID = inv.ID
			}
			return err
		}},
		{admin, []string{"invitation.resent"}, func() error { return get2(f.svc.ResendInvitation(ctx, orgs.UserActor(admin), "acme", invID)) }},
		{owner, []string{"invitation.revoked"}, func() error { return f.svc.RevokeInvitation(ctx, orgs.UserActor(owner), "acme", invID) }},
		{admin, []string{"invitation.created"}, func() error {
			inv, err := f.svc.CreateInvitation(ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "oscar@example.com", Role: orgs.RoleMember})
			if err == nil {
				token = inv.Token
			}
			return err
		}},
		{outsider, []string{"invitation.declined"}, func() error { return f.svc.DeclineInvitation(ctx, orgs.UserActor(outsider), token) }},
		{admin, []string{"invitation.created"}, func() error {
			inv, err := f.svc.CreateInvitation(ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "oscar@example.com", Role: orgs.RoleMember})
			if err == nil {
				token = inv.Token
			}
			return err
		}},
		{outsider, []string{"invitation.accepted"}, func() error { return get2(f.svc.AcceptInvitation(ctx, orgs.UserActor(outsider), token)) }},
		{admin, []string{"invitation.created"}, func() error {
			return get2(f.svc.CreateInvitation(ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "y@example.com", Role: orgs.RoleMember}))
		}},
		{admin, []string{"invitation.revoked", "invitation.created"}, func() error {
			return get2(replacing.CreateInvitation(ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "Y@example.com", Role: orgs.RoleAdmin}))
		}},
		{admin, []string{"team.created"}, func() error {
			return get2(f.svc.CreateTeam(ctx, orgs.UserActor(admin), "acme", orgs.TeamInput{Name: "Audit"}))
		}},
		{admin, []string{"team.updated"}, func() error {
			return get2(f.svc.UpdateTeam(ctx, orgs.UserActor(admin), "acme", "audit", orgs.TeamUpdate{Name: ptr("Audit Team")}))
		}},
		{admin, []string{"team.member_added"}, func() error {
			return get2(f.svc.AddTeamMember(ctx, orgs.UserActor(admin), "acme", "audit", member, orgs.TeamRoleMember))
		}},
		{admin, []string{"team.member_role_updated"}, func() error {
			return get2(f.svc.UpdateTeamMemberRole(ctx, orgs.UserActor(admin), "acme", "audit", member, orgs.TeamRoleMaintainer))
		}},
		{member, []string{"team.member_removed"}, func() error { return f.svc.RemoveTeamMember(ctx, orgs.UserActor(member), "acme", "audit", member) }},
		{admin, []string{"team.deleted"}, func() error { return f.svc.DeleteTeam(ctx, orgs.UserActor(admin), "acme", "audit") }},
		{owner, []string{"ownership.transferred"}, func() error { return f.svc.TransferOwnership(ctx, orgs.UserActor(owner), "acme", member) }},
		{member, []string{"organization.deleted"}, func() error { return f.svc.DeleteOrganization(ctx, orgs.UserActor(member), "acme") }},
	}

	want := []string{"organization.created", "member.added", "member.added"}
	require.Equal(t, want, eventTypes(f.events()))
	for i, s := range steps {
		f.clock.Advance(time.Minute)
		n := len(f.events())
		require.NoError(t, s.do(), "step %d (%v)", i, s.want)
		es := f.events()
		require.Len(t, es, n+len(s.want), "step %d (%v)", i, s.want)
		for j, typ := range s.want {
			e := es[n+j]
			assert.Equal(t, typ, string(e.Type), "step %d", i)
			assert.Equal(t, s.actor, e.ActorID, "step %d: actor of %s", i, typ)
			assert.Equal(t, f.org.ID, e.OrganizationID)
			assert.True(t, e.CreatedAt.Equal(f.clock.Now()), "step %d: created_at %v", i, e.CreatedAt)
			assert.Regexp(t, idPattern(orgs.PrefixEvent), e.ID)
		}
		want = append(want, s.want...)
	}
	es := f.events()
	assert.Equal(t, want, eventTypes(es))
	for i := 1; i < len(es); i++ {
		assert.Less(t, es[i-1].ID, es[i].ID, "events are ordered by ID")
	}
}

func testListEventsPagination(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	for i := range 30 {
		_, err := f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: fmt.Sprintf("C%02d", i)})
		require.NoError(t, err)
	}
	var want []string
	for _, e := range f.events() {
		want = append(want, e.ID)
	}
	require.Len(t, want, 33)
	key := func(e orgs.Event) string { return e.ID }
	list := func(p orgs.Page) (*orgs.List[orgs.Event], error) {
		return f.svc.ListEvents(f.ctx, orgs.UserActor(admin), "acme", orgs.EventQuery{Page: p})
	}
	checkWalks(t, 7, want, key, list)
	checkWalks(t, 33, want, key, list)
	checkWalks(t, 4, want[3:], key, func(p orgs.Page) (*orgs.List[orgs.Event], error) {
		return f.svc.ListEvents(f.ctx, orgs.UserActor(admin), "acme", orgs.EventQuery{Type: "category.created", Page: p})
	})

	l, err := list(orgs.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Data, orgs.DefaultPageLimit)
	assert.True(t, l.HasMore)
	assert.Equal(t, f.events()[:orgs.DefaultPageLimit], l.Data, "the Service lists what the store holds")
}

func testListEventsTypeFilter(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	f.addMembers(orgs.RoleMember, names("u", 9)...)
	for i := range 5 {
		_, err := f.svc.CreateCategory(f.ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: fmt.Sprintf("C%d", i)})
		require.NoError(t, err)
	}
	var added []string
	for _, e := range f.events() {
		if e.Type == "member.added" {
			added = append(added, e.ID)
		}
	}
	require.Len(t, added, 11)
	checkWalks(t, 4, added, func(e orgs.Event) string { return e.ID }, func(p orgs.Page) (*orgs.List[orgs.Event], error) {
		return f.svc.ListEvents(f.ctx, orgs.UserActor(owner), "acme", orgs.EventQuery{Type: "member.added", Page: p})
	})
	l, err := f.svc.ListEvents(f.ctx, orgs.UserActor(owner), "acme", orgs.EventQuery{Type: "organization.created"})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Equal(t, "organization.created", string(l.Data[0].Type))
	l, err = f.svc.ListEvents(f.ctx, orgs.UserActor(owner), "acme", orgs.EventQuery{Type: orgs.EventTeamDeleted})
	require.NoError(t, err)
	assert.Empty(t, l.Data, "a type with no events")
	for _, typ := range []orgs.EventType{"member", "no.such.type", "Member.Added"} {
		_, err = f.svc.ListEvents(f.ctx, orgs.UserActor(owner), "acme", orgs.EventQuery{Type: typ})
		requireInvalid(t, err, "type")
	}
	// The store matches whole types: a prefix is not a type.
	es, err := f.store.ListEvents(f.ctx, orgs.EventFilter{OrganizationID: f.org.ID, Type: "member", Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, es, "the type filter matches whole types")
}

func testEventsNotWrittenOnFailure(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	ctx := f.ctx
	inv, err := f.svc.CreateInvitation(ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "pending@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	team, err := f.svc.CreateTeam(ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	_, err = f.svc.CreateTeam(ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Other"})
	require.NoError(t, err)
	cats, err := f.svc.ListCategories(ctx, orgs.UserActor(owner), "acme")
	require.NoError(t, err)
	pipe := f.pipelines()[0]
	before := snapshot(t, f.store, f.org.ID)

	for name, err := range map[string]error{
		"update by a member":          get2(f.svc.UpdateOrganization(ctx, orgs.UserActor(member), "acme", orgs.UpdateOrganizationInput{Name: ptr("X")})),
		"update with a bad website":   get2(f.svc.UpdateOrganization(ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Name: ptr("X"), Website: ptr("nope")})),
		"add an existing member":      get2(f.svc.AddMember(ctx, orgs.UserActor(owner), "acme", member, orgs.RoleMember)),
		"demote the last owner":       get2(f.svc.UpdateMemberRole(ctx, orgs.UserActor(owner), "acme", owner, orgs.RoleMember)),
		"the last owner leaves":       f.svc.LeaveOrganization(ctx, orgs.UserActor(owner), "acme"),
		"admin removes owner":         f.svc.RemoveMember(ctx, orgs.UserActor(admin), "acme", owner),
		"transfer to a non-member":    f.svc.TransferOwnership(ctx, orgs.UserActor(owner), "acme", outsider),
		"duplicate category":          get2(f.svc.CreateCategory(ctx, orgs.UserActor(owner), "acme", orgs.CategoryInput{Name: "finance", Position: ptr(0)})),
		"rename to a taken name":      get2(f.svc.UpdateCategory(ctx, orgs.UserActor(owner), "acme", cats[0].ID, orgs.CategoryUpdate{Name: ptr("SALES"), Position: ptr(3)})),
		"unset the default pipeline":  get2(f.svc.UpdatePipeline(ctx, orgs.UserActor(owner), "acme", pipe.ID, orgs.PipelineUpdate{Name: ptr("X"), IsDefault: ptr(false)})),
		"invite a member":             get2(f.svc.CreateInvitation(ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "MIA@example.com", Role: orgs.RoleMember})),
		"invite twice":                get2(f.svc.CreateInvitation(ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "Pending@Example.com", Role: orgs.RoleAdmin})),
		"resend too soon":             get2(f.svc.ResendInvitation(ctx, orgs.UserActor(owner), "acme", inv.ID)),
		"accept with the wrong email": get2(f.svc.AcceptInvitation(ctx, orgs.UserActor(outsider), inv.Token)),
		"team slug taken":             get2(f.svc.CreateTeam(ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core 2", Slug: "core"})),
		"team renamed to taken slug":  get2(f.svc.UpdateTeam(ctx, orgs.UserActor(owner), "acme", "other", orgs.TeamUpdate{Name: ptr("X"), Slug: ptr("core")})),
		"outsider on a team":          get2(f.svc.AddTeamMember(ctx, orgs.UserActor(owner), "acme", team.Slug, outsider, orgs.TeamRoleMember)),
		"delete by an admin":          f.svc.DeleteOrganization(ctx, orgs.UserActor(admin), "acme"),
	} {
		assert.Error(t, err, name)
		assert.Equal(t, before, snapshot(t, f.store, f.org.ID), name)
	}
}

func testRollbackAfterPartialWrite(t *testing.T, newStore NewStore) {
	// CreateInvitation with ReplacePending revokes the pending invitation
	// (a write and an event) before it checks the member limit; when that
	// check fails, the revocation must roll back too.
	f := newFixture(t, newStore)
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "new@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	full := f.service(
		orgs.WithInvitationOptions(orgs.InvitationOptions{ReplacePending: true}),
		orgs.WithLimits(orgs.Limits{MembersPerOrganization: 3}))
	_, err = full.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "new@example.com", Role: orgs.RoleAdmin})
	require.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "the replaced invitation is pending again")
	got, err := f.svc.GetInvitation(f.ctx, orgs.UserActor(owner), "acme", inv.ID)
	require.NoError(t, err)
	assert.Equal(t, orgs.InvitationPending, got.Status)

	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "newuser", Email: "new@example.com"}))
	m, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor("newuser"), inv.Token)
	require.NoError(t, err, "the old token still works")
	assert.Equal(t, orgs.RoleMember, m.Role)
}

func testEventPermissions(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	_, err := f.svc.ListEvents(f.ctx, orgs.UserActor(member), "acme", orgs.EventQuery{})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListEvents(f.ctx, orgs.UserActor(outsider), "acme", orgs.EventQuery{})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	for _, actor := range []string{owner, admin} {
		l, err := f.svc.ListEvents(f.ctx, orgs.UserActor(actor), "acme", orgs.EventQuery{})
		require.NoError(t, err)
		assert.Len(t, l.Data, 3)
	}
}

func testIDsIncrease(t *testing.T, newStore NewStore) {
	// The audit log is ordered by event ID, so IDs made one after another
	// must increase, even while other goroutines (other requests) make IDs
	// too. This needs no store, but every list's "creation order" and this
	// suite's event checks depend on it.
	const n = 300_000
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				_ = orgs.NewID(orgs.PrefixTeam)
			}
		}()
	}
	bad, prev := 0, orgs.NewID(orgs.PrefixEvent)
	for range n {
		id := orgs.NewID(orgs.PrefixEvent)
		if id <= prev {
			bad++
		}
		prev = id
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d of %d IDs made in sequence sorted before the one made just before them", bad, n)
	assert.Zero(t, bad, "orgs.NewID must increase within a process (events are listed by ID)")
}
