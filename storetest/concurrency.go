package storetest

import (
	"context"
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

// TestConcurrency races goroutines against the rules that must hold under
// any concurrency: the last owner, unique slugs, single-use invitations,
// the limits, team memberships of removed members, and the Store's own
// serialization of Updates. Each test logs its figures with t.Logf.
func TestConcurrency(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"LastOwner", testConcurrentLastOwner},
		{"SlugTaken", testConcurrentSlug},
		{"ExternalIDTaken", testConcurrentExternalID},
		{"AcceptOnce", testConcurrentAccept},
		{"MemberLimitOnAccept", testConcurrentAcceptLimit},
		{"MemberLimitOnAdd", testConcurrentAddLimit},
		{"OrganizationsPerUser", testConcurrentOrganizationLimit},
		{"PendingInvitations", testConcurrentPendingLimit},
		{"RemoveWhileAddingToTeams", testConcurrentRemoveVsTeams},
		{"StoreSerializesUpdates", testStoreSerializesUpdates},
		{"StoreSerializesLockUser", testStoreSerializesLockUser},
	})
}

// outcome counts a storm's results: successes, expected failures by
// sentinel, and anything else.
type outcome struct {
	ok       int
	expected map[error]int
	other    []error
}

// tally sorts errs into an outcome; a failure is expected when it wraps one
// of expected.
func tally(errs []error, expected ...error) outcome {
	o := outcome{expected: map[error]int{}}
	for _, err := range errs {
		switch {
		case err == nil:
			o.ok++
		default:
			matched := false
			for _, want := range expected {
				if errors.Is(err, want) {
					o.expected[want]++
					matched = true
					break
				}
			}
			if !matched {
				o.other = append(o.other, err)
			}
		}
	}
	return o
}

// String describes an outcome for the logs.
func (o outcome) String() string {
	var parts []string
	parts = append(parts, fmt.Sprintf("%d ok", o.ok))
	for err, n := range o.expected {
		parts = append(parts, fmt.Sprintf("%d %q", n, strings.TrimPrefix(err.Error(), "orgs: ")))
	}
	if len(o.other) > 0 {
		parts = append(parts, fmt.Sprintf("%d unexpected (first: %v)", len(o.other), o.other[0]))
	}
	return strings.Join(parts, ", ")
}

// stewardRole outranks owner, so that it may remove owners without being
// one (no one may grant it: tests insert it through the store).
var stewardRole = orgs.RoleDef{Name: "steward", Rank: 400, Permissions: []orgs.Permission{
	orgs.PermOrgRead, orgs.PermMembersRead, orgs.PermMembersManage}}

func testConcurrentLastOwner(t *testing.T, newStore NewStore) {
	// 32 owners; goroutine i acts on owner i: a third demote themselves, a
	// third leave, and a third are removed by a steward — and, on a store
	// with memberships (orgs.Memberships), a quarter each, the last quarter
	// deactivating themselves. Exactly one active owner must remain, and
	// every failure must be ErrLastOwner.
	ctx := t.Context()
	store := openStore(t, newStore)
	_, withStatus := store.(orgs.Memberships)
	kinds := 3
	if withStatus {
		kinds = 4
	}
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone), orgs.WithRole(stewardRole))
	const owners, rounds = 32, 5
	var total outcome
	total.expected = map[error]int{}
	for round := range rounds {
		slug := fmt.Sprintf("round-%d", round)
		ids := names(fmt.Sprintf("r%d-o", round), owners)
		org, err := svc.CreateOrganization(ctx, orgs.UserActor(ids[0]), orgs.CreateOrganizationInput{Name: "Round", Slug: slug})
		require.NoError(t, err)
		mids := make([]string, owners)
		first, err := store.GetMember(ctx, org.ID, ids[0])
		require.NoError(t, err)
		mids[0] = first.ID
		for i, id := range ids[1:] {
			m, err := svc.AddMember(ctx, orgs.UserActor(ids[0]), slug, id, orgs.RoleOwner)
			require.NoError(t, err)
			mids[i+1] = m.ID
		}
		insertMember(t, store, org.ID, "steward", "steward")
		require.Equal(t, owners, countOwners(t, store, org.ID))
		eventsBefore := eventsCount(t, store, org.ID)

		errs := testkit.Storm(owners, func(i int) error {
			switch i % kinds {
			case 0:
				_, err := svc.UpdateMemberRole(ctx, orgs.UserActor(ids[i]), slug, ids[i], orgs.RoleAdmin)
				return err
			case 1:
				return svc.LeaveOrganization(ctx, orgs.UserActor(ids[i]), slug)
			case 2:
				return svc.RemoveMember(ctx, orgs.UserActor("steward"), slug, ids[i])
			default:
				_, err := svc.DeactivateMembership(ctx, orgs.UserActor(ids[i]), mids[i])
				return err
			}
		})
		o := tally(errs, orgs.ErrLastOwner)
		left := countOwners(t, store, org.ID)
		t.Logf("round %d: %d owners acting: %s; owners left: %d", round, owners, o, left)
		assert.Empty(t, o.other, "round %d: every failure must be ErrLastOwner", round)
		assert.GreaterOrEqual(t, left, 1, "round %d: the organization lost its last owner", round)
		assert.Equal(t, owners-o.ok, left, "round %d: owners left = initial - successes", round)
		assert.Equal(t, 1, left, "round %d: every owner was asked to go, so exactly one stays", round)
		assert.Equal(t, owners-1, o.ok, "round %d: successes", round)
		assert.Equal(t, 1, o.expected[orgs.ErrLastOwner], "round %d: ErrLastOwner", round)
		assert.Equal(t, eventsBefore+o.ok, eventsCount(t, store, org.ID), "round %d: one event per success", round)

		n, err := store.CountMembers(ctx, org.ID, "")
		require.NoError(t, err)
		got, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, "")
		require.NoError(t, err)
		assert.Equal(t, n, got.MemberCount, "round %d: member_count", round)
		total.ok += o.ok
		total.expected[orgs.ErrLastOwner] += o.expected[orgs.ErrLastOwner]
		total.other = append(total.other, o.other...)
	}
	t.Logf("last owner: %d rounds × %d goroutines: %s", rounds, owners, total)
}

func testConcurrentSlug(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store) // the full seed: long transactions
	const n, rounds = 20, 3
	for round := range rounds {
		slug := fmt.Sprintf("race-%d", round)
		in := orgs.CreateOrganizationInput{Name: "Race", Slug: slug}
		if round == rounds-1 {
			in = orgs.CreateOrganizationInput{Name: "Race Derived"} // the derived slug races too
			slug = "race-derived"
		}
		users := names(fmt.Sprintf("r%d-u", round), n)
		created := make([]*orgs.Organization, n)
		errs := testkit.Storm(n, func(i int) error {
			org, err := svc.CreateOrganization(ctx, orgs.UserActor(users[i]), in)
			created[i] = org
			return err
		})
		o := tally(errs, orgs.ErrSlugTaken)
		t.Logf("slug %q: %d concurrent creates: %s", slug, n, o)
		assert.Empty(t, o.other)
		require.Equal(t, 1, o.ok, "exactly one create wins")
		assert.Equal(t, n-1, o.expected[orgs.ErrSlugTaken])

		var winner *orgs.Organization
		for i, org := range created {
			c, err := store.CountOrganizationsCreatedBy(ctx, users[i])
			require.NoError(t, err)
			if org != nil {
				winner = org
				assert.Equal(t, 1, c)
				continue
			}
			assert.Zero(t, c, "a losing create left an organization behind")
			l, err := svc.ListOrganizations(ctx, orgs.UserActor(users[i]), orgs.OrganizationQuery{})
			require.NoError(t, err)
			assert.Empty(t, l.Data)
		}
		got, err := svc.GetOrganization(ctx, orgs.UserActor(winner.CreatedBy), slug)
		require.NoError(t, err)
		assert.Equal(t, winner.ID, got.ID)
		assert.Equal(t, 1, got.MemberCount)
		cs, err := store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: winner.ID})
		require.NoError(t, err)
		assert.Len(t, cs, 35, "the winner's seed, once")
		assert.Equal(t, 1, eventsCount(t, store, winner.ID))
	}
}

func testConcurrentExternalID(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone))
	const n = 12
	errs := testkit.Storm(n, func(i int) error {
		_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{
			Name: fmt.Sprintf("Ext %d", i), ExternalID: "crm-1", Handle: fmt.Sprintf("ext-%d", i)})
		return err
	})
	o := tally(errs, orgs.ErrExternalIDTaken)
	t.Logf("external id: %d concurrent creates: %s", n, o)
	assert.Empty(t, o.other)
	assert.Equal(t, 1, o.ok)
	c, err := store.CountOrganizationsCreatedBy(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 1, c)

	errs = testkit.Storm(n, func(i int) error {
		_, err := svc.CreateOrganization(ctx, orgs.UserActor("bob"), orgs.CreateOrganizationInput{Name: fmt.Sprintf("Handle %d", i), Handle: "same-handle"})
		return err
	})
	o = tally(errs, orgs.ErrHandleTaken)
	t.Logf("handle: %d concurrent creates: %s", n, o)
	assert.Empty(t, o.other)
	assert.Equal(t, 1, o.ok)
}

func testConcurrentAccept(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone), orgs.WithInvitationOptions(orgs.InvitationOptions{SkipEmailCheck: true}))
	const n, rounds = 10, 4
	for round := range rounds {
		sameUser := round%2 == 1
		inv := f.invite(fmt.Sprintf("round%d@example.com", round), orgs.RoleMember)
		users := names(fmt.Sprintf("r%d-u", round), n)
		if sameUser {
			for i := range users {
				users[i] = fmt.Sprintf("r%d-same", round)
			}
		}
		membersBefore := f.get(owner, "acme").MemberCount
		errs := testkit.Storm(n, func(i int) error {
			_, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(users[i]), inv.Token)
			return err
		})
		o := tally(errs, orgs.ErrInvitationNotPending, orgs.ErrAlreadyMember)
		t.Logf("round %d (same user: %v): %d concurrent accepts of one token: %s", round, sameUser, n, o)
		assert.Empty(t, o.other)
		assert.Equal(t, 1, o.ok, "exactly one accept succeeds")
		assert.Equal(t, membersBefore+1, f.get(owner, "acme").MemberCount, "exactly one membership")
		joined := 0
		for _, u := range users {
			if _, err := f.store.GetMember(f.ctx, f.org.ID, u); err == nil {
				joined++
			}
		}
		if sameUser {
			assert.Equal(t, n, joined) // the same user, n times
		} else {
			assert.Equal(t, 1, joined)
		}
		got := f.invitation(inv.ID)
		assert.Equal(t, orgs.InvitationAccepted, got.Status)
		assert.Contains(t, users, got.AcceptedBy)
		accepted := 0
		for _, e := range f.events() {
			if e.Type == "invitation.accepted" && e.Data["invitation_id"] == inv.ID {
				accepted++
			}
		}
		assert.Equal(t, 1, accepted, "one invitation.accepted event")
	}
}

func testConcurrentAcceptLimit(t *testing.T, newStore NewStore) {
	// Invitations made without a limit, accepted through a Service with
	// one: the limit (owner included) holds.
	const limit, rounds = 5, 3
	ctx := t.Context()
	store := openStore(t, newStore)
	clock := testkit.NewClock()
	free := newService(t, store, orgs.WithClock(clock.Now), orgs.WithSeed(orgs.SeedNone))
	capped := newService(t, store, orgs.WithClock(clock.Now), orgs.WithLimits(orgs.Limits{MembersPerOrganization: limit}))
	for round := range rounds {
		slug := fmt.Sprintf("capped-%d", round)
		org, err := free.CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Capped", Slug: slug})
		require.NoError(t, err)
		users := names(fmt.Sprintf("r%d-u", round), 3*limit)
		tokens := make([]string, len(users))
		for i, u := range users {
			require.NoError(t, free.PutUser(ctx, orgs.User{ID: u, Email: u + "@example.com"}))
			inv, err := free.CreateInvitation(ctx, orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: u + "@example.com", Role: orgs.RoleMember})
			require.NoError(t, err)
			tokens[i] = inv.Token
		}
		errs := testkit.Storm(len(users), func(i int) error {
			_, err := capped.AcceptInvitation(ctx, orgs.UserActor(users[i]), tokens[i])
			return err
		})
		o := tally(errs, orgs.ErrLimitExceeded)
		members, err := store.CountMembers(ctx, org.ID, "")
		require.NoError(t, err)
		t.Logf("round %d: limit %d, %d concurrent accepts: %s; members: %d", round, limit, len(users), o, members)
		assert.Empty(t, o.other)
		assert.Equal(t, limit, members, "exactly the limit, owner included")
		assert.Equal(t, limit-1, o.ok)
		assert.Equal(t, 3*limit-(limit-1), o.expected[orgs.ErrLimitExceeded])
		got, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, "")
		require.NoError(t, err)
		assert.Equal(t, limit, got.MemberCount)
	}
}

func testConcurrentAddLimit(t *testing.T, newStore NewStore) {
	// Direct adds and invitations race for the seats of one organization.
	const limit, adds, invites, rounds = 5, 16, 8, 3
	ctx := t.Context()
	store := openStore(t, newStore)
	clock := testkit.NewClock()
	svc := newService(t, store, orgs.WithClock(clock.Now), orgs.WithSeed(orgs.SeedNone), orgs.WithLimits(orgs.Limits{MembersPerOrganization: limit}))
	for round := range rounds {
		slug := fmt.Sprintf("seats-%d", round)
		org, err := svc.CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Seats", Slug: slug})
		require.NoError(t, err)
		errs := testkit.Storm(adds+invites, func(i int) error {
			if i < adds {
				_, err := svc.AddMember(ctx, orgs.UserActor("boss"), slug, fmt.Sprintf("r%d-add%02d", round, i), orgs.RoleMember)
				return err
			}
			_, err := svc.CreateInvitation(ctx, orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: fmt.Sprintf("r%d-inv%02d@example.com", round, i), Role: orgs.RoleMember})
			return err
		})
		o := tally(errs, orgs.ErrLimitExceeded)
		members, err := store.CountMembers(ctx, org.ID, "")
		require.NoError(t, err)
		pending, err := store.CountPendingInvitations(ctx, org.ID, clock.Now())
		require.NoError(t, err)
		t.Logf("round %d: limit %d, %d adds + %d invitations at once: %s; members %d + pending %d", round, limit, adds, invites, o, members, pending)
		assert.Empty(t, o.other)
		assert.Equal(t, limit, members+pending, "never above the limit, and every seat taken")
		assert.Equal(t, limit-1, o.ok)
	}
}

func testConcurrentOrganizationLimit(t *testing.T, newStore NewStore) {
	const limit, n = 3, 12
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone), orgs.WithLimits(orgs.Limits{OrganizationsPerUser: limit}))
	errs := testkit.Storm(n, func(i int) error {
		_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: fmt.Sprintf("Mine %02d", i)})
		return err
	})
	o := tally(errs, orgs.ErrLimitExceeded)
	c, err := store.CountOrganizationsCreatedBy(ctx, "alice")
	require.NoError(t, err)
	t.Logf("organizations per user %d: %d concurrent creates by one user: %s; created: %d", limit, n, o, c)
	assert.Empty(t, o.other)
	assert.Equal(t, limit, c)
	assert.Equal(t, limit, o.ok)
}

func testConcurrentPendingLimit(t *testing.T, newStore NewStore) {
	const limit, n = 4, 16
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone), orgs.WithLimits(orgs.Limits{PendingInvitationsPerOrganization: limit}))
	errs := testkit.Storm(n, func(i int) error {
		_, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: fmt.Sprintf("p%02d@example.com", i), Role: orgs.RoleMember})
		return err
	})
	o := tally(errs, orgs.ErrLimitExceeded)
	pending, err := f.store.CountPendingInvitations(f.ctx, f.org.ID, f.clock.Now())
	require.NoError(t, err)
	t.Logf("pending invitations %d: %d concurrent invitations: %s; pending: %d", limit, n, o, pending)
	assert.Empty(t, o.other)
	assert.Equal(t, limit, pending)
	assert.Equal(t, limit, o.ok)
}

func testConcurrentRemoveVsTeams(t *testing.T, newStore NewStore) {
	// One goroutine removes (or, every other round, lets leave) user x while
	// others add x to every team: afterwards no team may keep a member who
	// is not in the organization, and the counters must be exact.
	const teams, rounds = 8, 10
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	slugs := make([]string, teams)
	for i := range slugs {
		tm, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: fmt.Sprintf("Team %d", i)})
		require.NoError(t, err)
		slugs[i] = tm.Slug
		_, err = f.svc.AddTeamMember(f.ctx, orgs.UserActor(owner), "acme", tm.Slug, member, orgs.TeamRoleMember)
		require.NoError(t, err)
	}
	var landed, refused int
	for round := range rounds {
		x := fmt.Sprintf("x%d", round)
		f.addMembers(orgs.RoleMember, x)
		leave := round%2 == 1
		errs := testkit.Storm(teams+1, func(i int) error {
			if i == 0 {
				if leave {
					return f.svc.LeaveOrganization(f.ctx, orgs.UserActor(x), "acme")
				}
				return f.svc.RemoveMember(f.ctx, orgs.UserActor(admin), "acme", x)
			}
			_, err := f.svc.AddTeamMember(f.ctx, orgs.UserActor(admin), "acme", slugs[i-1], x, orgs.TeamRoleMember)
			return err
		})
		require.NoError(t, errs[0], "round %d: removing x", round)
		o := tally(errs[1:], orgs.ErrNotMember)
		landed += o.ok
		refused += o.expected[orgs.ErrNotMember]
		t.Logf("round %d (leave: %v): %d team adds racing the removal: %s", round, leave, teams, o)
		assert.Empty(t, o.other)

		for _, slug := range slugs {
			ids := f.teamMembers(slug) // checks member_count
			for _, id := range ids {
				_, err := f.store.GetMember(f.ctx, f.org.ID, id)
				assert.NoError(t, err, "round %d: team %s keeps %s, who is not in the organization", round, slug, id)
			}
			assert.Equal(t, []string{member}, ids, "round %d: team %s", round, slug)
		}
	}
	t.Logf("remove vs team adds: %d rounds × %d adds: %d landed before the removal, %d refused with ErrNotMember", rounds, teams, landed, refused)
	assert.Equal(t, 3, f.get(owner, "acme").MemberCount)
	assert.Equal(t, teams, f.get(owner, "acme").TeamCount)
}

func testStoreSerializesUpdates(t *testing.T, newStore NewStore) {
	// Each Update locks the organization, counts its members and inserts a
	// member named after the count: a lost update shows as a duplicate
	// name (ErrAlreadyMember) or a gap.
	ctx := t.Context()
	store := openStore(t, newStore)
	org := insertOrganization(t, store, "serial", "owner")
	const n = 24
	errs := testkit.Storm(n, func(int) error {
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := tx.LockOrganization(ctx, org.ID); err != nil {
				return err
			}
			c, err := tx.CountMembers(ctx, org.ID, "")
			if err != nil {
				return err
			}
			time.Sleep(time.Millisecond) // widen the window a lost update needs
			return tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: fmt.Sprintf("seq-%03d", c), Role: orgs.RoleMember, JoinedAt: org.CreatedAt})
		})
	})
	o := tally(errs)
	t.Logf("%d concurrent lock-count-insert Updates: %s", n, o)
	assert.Empty(t, o.other, "Updates that lock one organization must not interleave (nor fail)")
	ms := storeAll(t, func(r orgs.Range) ([]orgs.Member, error) {
		return store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: org.ID, Range: r})
	}, func(m orgs.Member) string { return m.UserID })
	want := []string{"owner"}
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("seq-%03d", i))
	}
	assert.Equal(t, sorted(want), userIDs(ms))
}

func testStoreSerializesLockUser(t *testing.T, newStore NewStore) {
	// Each Update locks one user, counts the organizations the user created
	// and creates one more while fewer than 5 exist.
	ctx := t.Context()
	store := openStore(t, newStore)
	const n, max = 16, 5
	errs := testkit.Storm(n, func(i int) error {
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := tx.LockUser(ctx, "alice"); err != nil {
				return err
			}
			c, err := tx.CountOrganizationsCreatedBy(ctx, "alice")
			if err != nil || c >= max {
				return err
			}
			time.Sleep(time.Millisecond)
			org, owner := newOrganization(fmt.Sprintf("lock-user-%02d", i), "alice")
			return tx.InsertOrganization(ctx, org, owner)
		})
	})
	o := tally(errs)
	c, err := store.CountOrganizationsCreatedBy(ctx, "alice")
	require.NoError(t, err)
	t.Logf("%d concurrent lock-user-count-insert Updates: %s; created %d (max %d)", n, o, c, max)
	assert.Empty(t, o.other)
	assert.Equal(t, max, c, "Updates that lock one user must not interleave")
}
