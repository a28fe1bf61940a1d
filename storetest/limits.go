package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestLimits covers orgs.WithLimits: members per organization (pending
// invitations included), organizations per user and pending invitations
// per organization. TestConcurrency checks them under concurrency.
func TestLimits(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"MembersPerOrganization", testMemberLimit},
		{"MembersPerOrganizationOnAccept", testMemberLimitOnAccept},
		{"OrganizationsPerUser", testOrganizationLimit},
		{"PendingInvitationsPerOrganization", testPendingInvitationLimit},
	})
}

func testMemberLimit(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone), orgs.WithLimits(orgs.Limits{MembersPerOrganization: 5}))
	inv := f.invite("pending@example.com", orgs.RoleMember) // 3 members + 1 pending
	expiring, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "short@example.com", Role: orgs.RoleMember, ExpiresIn: time.Hour})
	require.NoError(t, err) // 3 + 2
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "m4", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded, "pending invitations count")
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "more@example.com", Role: orgs.RoleMember})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// An expired invitation no longer holds a seat.
	f.clock.Advance(time.Hour)
	assert.Equal(t, orgs.InvitationExpired, f.invitation(expiring.ID).Status)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "m4", orgs.RoleMember)
	require.NoError(t, err) // 4 + 1
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "m5", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)

	// Nor does a revoked one.
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID))
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "m5", orgs.RoleMember)
	require.NoError(t, err) // 5
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "m6", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, 5, f.get(owner, "acme").MemberCount)

	// A seat freed by leaving can be taken.
	require.NoError(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor("m5"), "acme"))
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "m6", orgs.RoleMember)
	require.NoError(t, err)
}

func testMemberLimitOnAccept(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone), orgs.WithLimits(orgs.Limits{MembersPerOrganization: 5}))
	a := f.invite("oscar@example.com", orgs.RoleMember)
	b := f.invite("bea@example.com", orgs.RoleMember) // 3 + 2: full
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "bea", Email: "bea@example.com"}))
	_, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), a.Token)
	require.NoError(t, err, "an invitation holds its seat") // 4 + 1

	// Members added past the limit by a host's unlimited Service fill the
	// seats; then an invitation cannot be accepted.
	_, err = f.service().AddMember(f.ctx, orgs.UserActor(owner), "acme", "extra", orgs.RoleMember) // 5 + 1
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("bea"), b.Token)
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	assert.Equal(t, orgs.InvitationPending, f.invitation(b.ID).Status)

	require.NoError(t, f.svc.RemoveMember(f.ctx, orgs.UserActor(owner), "acme", "extra"))
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("bea"), b.Token)
	require.NoError(t, err)
	assert.Equal(t, 5, f.get(owner, "acme").MemberCount)
}

func testOrganizationLimit(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone), orgs.WithLimits(orgs.Limits{OrganizationsPerUser: 2}))
	for _, name := range []string{"One", "Two"} {
		_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: name})
		require.NoError(t, err)
	}
	_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Three"})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	_, err = svc.GetOrganization(ctx, orgs.UserActor("alice"), "three")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "nothing was created")
	n, err := store.CountOrganizationsCreatedBy(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	// Memberships of others' organizations do not count.
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("bob"), orgs.CreateOrganizationInput{Name: "Bob's"})
	require.NoError(t, err)
	_, err = svc.AddMember(ctx, orgs.UserActor("bob"), "bob-s", "alice", orgs.RoleOwner)
	require.NoError(t, err)
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Three"})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)

	// Organizations that no longer exist do not count.
	require.NoError(t, svc.DeleteOrganization(ctx, orgs.UserActor("alice"), "one"))
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Three"})
	require.NoError(t, err)
	// The count is by creator: handing an organization over does not free
	// a place.
	_, err = svc.AddMember(ctx, orgs.UserActor("alice"), "two", "bob", orgs.RoleMember)
	require.NoError(t, err)
	require.NoError(t, svc.TransferOwnership(ctx, orgs.UserActor("alice"), "two", "bob"))
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Four"})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
}

func testPendingInvitationLimit(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithSeed(orgs.SeedNone),
		orgs.WithLimits(orgs.Limits{PendingInvitationsPerOrganization: 2}))
	a := f.invite("a@example.com", orgs.RoleMember)
	_, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "b@example.com", Role: orgs.RoleMember, ExpiresIn: time.Hour})
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "c@example.com", Role: orgs.RoleMember})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// Replacing a pending invitation frees its place first.
	replacing := f.service(orgs.WithLimits(orgs.Limits{PendingInvitationsPerOrganization: 2}),
		orgs.WithInvitationOptions(orgs.InvitationOptions{ReplacePending: true}))
	_, err = replacing.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "a@example.com", Role: orgs.RoleAdmin})
	require.NoError(t, err)
	assert.Equal(t, orgs.InvitationRevoked, f.invitation(a.ID).Status)

	// Expired invitations do not count.
	f.clock.Advance(time.Hour)
	c := f.invite("c@example.com", orgs.RoleMember)
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "d@example.com", Role: orgs.RoleMember})
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)

	// Nor do accepted ones.
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), c.Token)
	assert.ErrorIs(t, err, orgs.ErrEmailMismatch)
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "carol", Email: "c@example.com"}))
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("carol"), c.Token)
	require.NoError(t, err)
	f.invite("d@example.com", orgs.RoleMember)
}
