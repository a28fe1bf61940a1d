package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestRanks proves the rank rule for every operation that gives, renews,
// transfers or withdraws a role, or acts on a member: for each (actor role,
// target role, operation) the outcome is written out below, by hand, and a
// refused call must change nothing. The roles are the three built-in ones;
// "manager", a host role ranked between member and admin that holds every
// permission these operations check (members:manage, invitations:manage
// and ownership:transfer): its permissions let it try everything, and only
// the rank rule stops it; and "deputy", the same rank and permissions but
// defined by the organization itself (orgs.OrganizationRoleStore; its
// cases are skipped on a store without it), which must follow the same
// rule as actor and as target.
func TestRanks(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"Table", testRankTable},
	})
}

// rankManagerRole is the host role of the rank table: ranked between member
// and admin, holding every permission the table's operations check.
var rankManagerRole = orgs.RoleDef{Name: "manager", Rank: 150, Permissions: []orgs.Permission{
	orgs.PermOrgRead, orgs.PermMembersRead, orgs.PermMembersManage, orgs.PermInvitationsManage,
	orgs.PermOwnershipTransfer,
}}

// rankOps are the operations of the rank table. Each is called by actor on
// an organization holding a target of role target: a new user to add or
// invite with that role, a member with that role, and pending and expired
// invitations for that role.
var rankOps = []string{"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote", "demote", "remove", "transfer"}

// rankExpected is the rank table: for each actor role, the operations it may
// do per target role ("" — every operation refused). What each means:
//   - add, invite: grant the target role to a new user; add-bulk,
//     invite-bulk: the same as one row of AddMembers or CreateInvitations,
//     among rows the actor may grant (the rule holds for each row);
//   - resend, resend-expired, revoke: renew or withdraw a pending (or an
//     expired) invitation for the target role;
//   - promote: change a plain member to the target role;
//   - demote, remove: act on a member holding the target role;
//   - transfer: transfer ownership to a member holding the target role.
var rankExpected = map[orgs.Role]map[orgs.Role][]string{
	orgs.RoleOwner: {
		orgs.RoleOwner:  rankOps,
		orgs.RoleAdmin:  rankOps,
		rankDeputy:      rankOps,
		orgs.RoleMember: rankOps,
	},
	orgs.RoleAdmin: {
		orgs.RoleOwner:  nil,
		orgs.RoleAdmin:  {"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote"},
		rankDeputy:      {"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote", "demote", "remove"},
		orgs.RoleMember: {"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote", "demote", "remove"},
	},
	"manager": {
		orgs.RoleOwner:  nil,
		orgs.RoleAdmin:  nil,
		rankDeputy:      {"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote"},
		orgs.RoleMember: {"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote", "demote", "remove"},
	},
	rankDeputy: {
		orgs.RoleOwner:  nil,
		orgs.RoleAdmin:  nil,
		rankDeputy:      {"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote"},
		orgs.RoleMember: {"add", "add-bulk", "invite", "invite-bulk", "resend", "resend-expired", "revoke", "promote", "demote", "remove"},
	},
	orgs.RoleMember: {
		orgs.RoleOwner:  nil,
		orgs.RoleAdmin:  nil,
		rankDeputy:      nil,
		orgs.RoleMember: nil,
	},
}

// rankDeputy is the organization's own role of the rank table: manager's
// rank and permissions, defined in each organization (rankCase).
const rankDeputy orgs.Role = "deputy"

func testRankTable(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	_, ownRoles := store.(orgs.OrganizationRoleStore)
	n := 0
	for actorRole, byTarget := range rankExpected {
		for _, target := range []orgs.Role{orgs.RoleOwner, orgs.RoleAdmin, rankDeputy, orgs.RoleMember} {
			allowed := map[string]bool{}
			for _, op := range byTarget[target] {
				allowed[op] = true
			}
			for _, op := range rankOps {
				n++
				name := fmt.Sprintf("%s/%s/%s", actorRole, op, target)
				t.Run(name, func(t *testing.T) {
					if !ownRoles && (actorRole == rankDeputy || target == rankDeputy) {
						t.Skip("the store does not implement the optional capability orgs.OrganizationRoleStore: an organization's own role cannot be tested")
					}
					rankCase(t, store, n, actorRole, target, op, allowed[op])
				})
			}
		}
	}
}

// rankCase sets up one organization and runs one cell of the rank table.
func rankCase(t *testing.T, store orgs.Store, n int, actorRole, target orgs.Role, op string, allowed bool) {
	ctx := t.Context()
	clock := testkit.NewClock()
	svc := newService(t, store, orgs.WithClock(clock.Now), orgs.WithRole(rankManagerRole), orgs.WithSeed(orgs.SeedNone),
		orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1, TTL: 24 * time.Hour}))
	slug := fmt.Sprintf("rank-%d", n)
	founder := fmt.Sprintf("founder-%d", n)
	actor := fmt.Sprintf("actor-%d", n)
	holder := fmt.Sprintf("holder-%d", n) // a member with the target role
	plain := fmt.Sprintf("plain-%d", n)   // a plain member
	org, err := svc.CreateOrganization(ctx, orgs.UserActor(founder), orgs.CreateOrganizationInput{Name: "Ranks", Slug: slug})
	require.NoError(t, err)
	if actorRole == rankDeputy || target == rankDeputy {
		_, err := svc.CreateOrganizationRole(ctx, orgs.UserActor(founder), slug, orgs.OrganizationRoleInput{
			Name: rankDeputy, Rank: rankManagerRole.Rank, Permissions: rankManagerRole.Permissions})
		require.NoError(t, err)
	}
	for user, role := range map[string]orgs.Role{actor: actorRole, holder: target, plain: orgs.RoleMember} {
		_, err := svc.AddMember(ctx, orgs.UserActor(founder), slug, user, role)
		require.NoError(t, err)
	}
	expired, err := svc.CreateInvitation(ctx, orgs.UserActor(founder), slug, orgs.InvitationInput{Email: fmt.Sprintf("old-%d@example.com", n), Role: target})
	require.NoError(t, err)
	clock.Advance(25 * time.Hour) // expired is now past its expiry
	pending, err := svc.CreateInvitation(ctx, orgs.UserActor(founder), slug, orgs.InvitationInput{Email: fmt.Sprintf("new-%d@example.com", n), Role: target})
	require.NoError(t, err)

	before := snapshot(t, store, org.ID)
	var callErr error
	switch op {
	case "add":
		_, callErr = svc.AddMember(ctx, orgs.UserActor(actor), slug, fmt.Sprintf("newcomer-%d", n), target)
	case "add-bulk", "invite-bulk":
		callErr = rankBulk(t, svc, slug, n, actor, target, op)
	case "invite":
		_, callErr = svc.CreateInvitation(ctx, orgs.UserActor(actor), slug, orgs.InvitationInput{Email: fmt.Sprintf("third-%d@example.com", n), Role: target})
	case "resend":
		_, callErr = svc.ResendInvitation(ctx, orgs.UserActor(actor), slug, pending.ID)
	case "resend-expired":
		_, callErr = svc.ResendInvitation(ctx, orgs.UserActor(actor), slug, expired.ID)
	case "revoke":
		callErr = svc.RevokeInvitation(ctx, orgs.UserActor(actor), slug, pending.ID)
	case "promote":
		_, callErr = svc.UpdateMemberRole(ctx, orgs.UserActor(actor), slug, plain, target)
	case "demote":
		_, callErr = svc.UpdateMemberRole(ctx, orgs.UserActor(actor), slug, holder, orgs.RoleMember)
	case "remove":
		callErr = svc.RemoveMember(ctx, orgs.UserActor(actor), slug, holder)
	case "transfer":
		callErr = svc.TransferOwnership(ctx, orgs.UserActor(actor), slug, holder)
	default:
		t.Fatalf("unknown operation %q", op)
	}
	if allowed {
		require.NoError(t, callErr, "%s may %s (%s)", actorRole, op, target)
		return
	}
	require.ErrorIs(t, callErr, orgs.ErrForbidden, "%s may not %s (%s)", actorRole, op, target)
	assert.Equal(t, before, snapshot(t, store, org.ID), "a refused %s wrote something", op)
}

// rankBulk is the add-bulk or invite-bulk cell: a bulk call, all or
// nothing, of two rows — a plain member's, which every actor that may call
// may grant, then the target role's. Refused, its RowError must name the
// target's row. (TestBulk checks the rule per row when failed rows are
// skipped.)
func rankBulk(t *testing.T, svc *orgs.Service, slug string, n int, actor string, target orgs.Role, op string) error {
	ctx := t.Context()
	var err error
	if op == "add-bulk" {
		_, err = svc.AddMembers(ctx, orgs.UserActor(actor), slug, []orgs.MemberInput{
			{UserID: fmt.Sprintf("bulk-plain-%d", n), Role: orgs.RoleMember},
			{UserID: fmt.Sprintf("bulk-%d", n), Role: target},
		}, orgs.AllOrNothing)
	} else {
		_, err = svc.CreateInvitations(ctx, orgs.UserActor(actor), slug, []orgs.InvitationInput{
			{Email: fmt.Sprintf("bulk-plain-%d@example.com", n), Role: orgs.RoleMember},
			{Email: fmt.Sprintf("bulk-%d@example.com", n), Role: target},
		}, orgs.AllOrNothing)
	}
	var re *orgs.RowError
	if errors.As(err, &re) {
		assert.Equal(t, 1, re.Index, "the refused row")
	}
	return err
}
