package sqlstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestResendOfExpiredInvitationRespectsLimits: an expired invitation no
// longer holds a seat nor a pending slot, so others may take them; resending
// it makes it pending again, and must then be refused with
// ErrLimitExceeded when the seat or slot is gone — else the organization
// ends up with more pending invitations than PendingInvitationsPerOrganization
// and more members plus pending invitations than MembersPerOrganization.
// (Found by the torture scenario Expiry.)
func TestResendOfExpiredInvitationRespectsLimits(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		clock := testkit.NewClock()
		svc, err := orgs.New(s, orgs.WithClock(clock.Now), orgs.WithSeed(orgs.SeedNone),
			orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1}),
			orgs.WithLimits(orgs.Limits{MembersPerOrganization: 4, PendingInvitationsPerOrganization: 2}))
		require.NoError(t, err)
		org, err := svc.CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Limits", Slug: "limits"})
		require.NoError(t, err)
		invite := func(email string, ttl time.Duration) *orgs.Invitation {
			inv, err := svc.CreateInvitation(ctx, orgs.UserActor("boss"), "limits", orgs.InvitationInput{Email: email, Role: orgs.RoleMember, ExpiresIn: ttl})
			require.NoError(t, err)
			return inv
		}
		short := invite("a@example.com", time.Hour)
		invite("b@example.com", 0)
		clock.Advance(2 * time.Hour) // a expires: its seat and pending slot are free
		invite("c@example.com", 0)   // pending: b, c — the pending limit
		_, err = svc.AddMember(ctx, orgs.UserActor("boss"), "limits", "m1", orgs.RoleMember)
		require.NoError(t, err) // 2 members + 2 pending: the member limit

		_, err = svc.ResendInvitation(ctx, orgs.UserActor("boss"), "limits", short.ID)
		assert.ErrorIs(t, err, orgs.ErrLimitExceeded, "resending the expired invitation takes a slot and a seat that are gone")
		pending, err := s.CountPendingInvitations(ctx, org.ID, clock.Now())
		require.NoError(t, err)
		members, err := s.CountMembers(ctx, org.ID, "")
		require.NoError(t, err)
		assert.LessOrEqual(t, pending, 2, "pending invitations, limit 2")
		assert.LessOrEqual(t, members+pending, 4, "members + pending invitations, limit 4")

		// With room again, the resend works.
		require.NoError(t, svc.RemoveMember(ctx, orgs.UserActor("boss"), "limits", "m1"))
		l, err := svc.ListInvitations(ctx, orgs.UserActor("boss"), "limits", orgs.InvitationQuery{Status: orgs.InvitationPending})
		require.NoError(t, err)
		require.NoError(t, svc.RevokeInvitation(ctx, orgs.UserActor("boss"), "limits", l.Data[0].ID))
		_, err = svc.ResendInvitation(ctx, orgs.UserActor("boss"), "limits", short.ID)
		assert.NoError(t, err)
	})
}
