package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestInvitations covers the invitation lifecycle: create, list, resend,
// revoke, decline, accept (email check, expiry, single use), the Notifier
// and the invitation options.
func TestInvitations(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"Create", testCreateInvitation},
		{"CreateConflicts", testCreateInvitationConflicts},
		{"ReplacePending", testReplacePending},
		{"ExpiredReplacedByNew", testExpiredReplacedByNew},
		{"ListByStatus", testListInvitationsByStatus},
		{"ListPagination", testListInvitationsPagination},
		{"Resend", testResendInvitation},
		{"Revoke", testRevokeInvitation},
		{"Decline", testDeclineInvitation},
		{"Accept", testAcceptInvitation},
		{"AcceptEmailCheck", testAcceptEmailCheck},
		{"SkipEmailCheck", testSkipEmailCheck},
		{"Expiry", testInvitationExpiry},
		{"OrganizationDeleted", testInvitationOrganizationDeleted},
		{"Notifier", testNotifier},
		{"NotifierFailure", testNotifierFailure},
		{"Options", testInvitationOptions},
		{"Permissions", testInvitationPermissions},
	})
}

const acceptBase = "https://app.example/invite?src=mail"

// invitationFixture is a fixture whose invitations carry accept URLs.
func invitationFixture(t *testing.T, newStore NewStore, opts ...orgs.Option) *fixture {
	return newFixture(t, newStore, append([]orgs.Option{
		orgs.WithSeed(orgs.SeedNone),
		orgs.WithInvitationOptions(orgs.InvitationOptions{AcceptURL: acceptBase}),
	}, opts...)...)
}

// invite creates an invitation as admin.
func (f *fixture) invite(email string, role orgs.Role) *orgs.Invitation {
	f.t.Helper()
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), f.org.Slug, orgs.InvitationInput{Email: email, Role: role})
	require.NoError(f.t, err)
	return inv
}

// invitation reads an invitation through the Service.
func (f *fixture) invitation(id string) *orgs.Invitation {
	f.t.Helper()
	inv, err := f.svc.GetInvitation(f.ctx, orgs.UserActor(owner), f.org.Slug, id)
	require.NoError(f.t, err)
	return inv
}

// checkToken checks a token's shape (32 random bytes, base64url) and that
// the accept URL carries it.
func checkToken(t *testing.T, inv *orgs.Invitation) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(inv.Token)
	require.NoError(t, err, "token %q", inv.Token)
	assert.Len(t, b, 32)
	u, err := url.Parse(inv.AcceptURL)
	require.NoError(t, err)
	assert.Equal(t, inv.Token, u.Query().Get("token"))
	assert.Equal(t, "mail", u.Query().Get("src"), "the base URL's query is kept")
	assert.Equal(t, "app.example", u.Host)
}

func testCreateInvitation(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	now := f.clock.Now()
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "New.Person@Example.COM", Role: orgs.RoleAdmin})
	require.NoError(t, err)
	assert.Regexp(t, idPattern(orgs.PrefixInvitation), inv.ID)
	assert.Equal(t, f.org.ID, inv.OrganizationID)
	assert.Equal(t, "new.person@example.com", inv.Email, "emails are stored lower-case")
	assert.Equal(t, orgs.RoleAdmin, inv.Role)
	assert.Equal(t, orgs.InvitationPending, inv.Status)
	assert.Equal(t, admin, inv.InvitedBy)
	assert.Equal(t, "adam", inv.InviterUsername)
	assert.Zero(t, inv.ResendCount)
	assert.False(t, inv.IsExpired)
	assert.True(t, inv.CreatedAt.Equal(now))
	assert.True(t, inv.LastSentAt.Equal(now))
	assert.True(t, inv.ExpiresAt.Equal(now.Add(7*24*time.Hour)), "default TTL: 7 days, got %v", inv.ExpiresAt)
	assert.Empty(t, inv.DeliveryError)
	checkToken(t, inv)

	e := f.lastEvent()
	assert.Equal(t, "invitation.created", string(e.Type))
	assert.Equal(t, admin, e.ActorID)
	assert.Equal(t, map[string]string{"invitation_id": inv.ID, "email": "new.person@example.com", "role": "admin"}, e.Data)

	// The token is never shown again.
	got := f.invitation(inv.ID)
	assert.Empty(t, got.Token)
	assert.Empty(t, got.AcceptURL)
	assert.Equal(t, inv.Email, got.Email)
	assert.Equal(t, inv.InviterUsername, got.InviterUsername)
	assert.True(t, got.ExpiresAt.Equal(inv.ExpiresAt))
	assert.Equal(t, orgs.InvitationPending, got.Status)
	l, err := f.svc.ListInvitations(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationQuery{})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Empty(t, l.Data[0].Token)
	assert.Empty(t, l.Data[0].AcceptURL)
	assert.Equal(t, inv.ID, l.Data[0].ID)

	// A second invitation gets another token.
	inv2 := f.invite("other@example.com", orgs.RoleMember)
	assert.NotEqual(t, inv.Token, inv2.Token)

	// Unknown IDs and other organizations' invitations are not found.
	other, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Other"})
	require.NoError(t, err)
	foreign, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), other.Slug, orgs.InvitationInput{Email: "f@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	for name, id := range map[string]string{"unknown": orgs.NewID(orgs.PrefixInvitation), "malformed": "inv_x", "foreign": foreign.ID} {
		_, err := f.svc.GetInvitation(f.ctx, orgs.UserActor(owner), "acme", id)
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
}

func testCreateInvitationConflicts(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	f.invite("pending@example.com", orgs.RoleMember)
	before := snapshot(t, f.store, f.org.ID)
	for name, tc := range map[string]struct {
		email string
		want  error
	}{
		"a member's email":                 {"mia@example.com", orgs.ErrAlreadyMember},
		"a member's email, other case":     {"MIA@Example.com", orgs.ErrAlreadyMember},
		"the owner's email":                {"olivia@example.com", orgs.ErrAlreadyMember},
		"a pending invitation":             {"pending@example.com", orgs.ErrAlreadyInvited},
		"a pending invitation, other case": {"Pending@EXAMPLE.com", orgs.ErrAlreadyInvited},
	} {
		_, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: tc.email, Role: orgs.RoleMember})
		assert.ErrorIs(t, err, tc.want, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// The same email may be invited by another organization.
	other, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Other"})
	require.NoError(t, err)
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), other.Slug, orgs.InvitationInput{Email: "pending@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	f.invite("oscar@example.com", orgs.RoleMember)
}

func testReplacePending(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore, orgs.WithInvitationOptions(orgs.InvitationOptions{ReplacePending: true, AcceptURL: acceptBase}))
	old := f.invite("oscar@example.com", orgs.RoleMember)
	f.clock.Advance(time.Minute)
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "OSCAR@example.com", Role: orgs.RoleAdmin})
	require.NoError(t, err)
	assert.NotEqual(t, old.ID, inv.ID)
	assert.Equal(t, orgs.InvitationRevoked, f.invitation(old.ID).Status)
	assert.Equal(t, orgs.InvitationPending, f.invitation(inv.ID).Status)
	es := f.events()
	assert.Equal(t, []string{"invitation.revoked", "invitation.created"}, eventTypes(es[len(es)-2:]))
	assert.Equal(t, old.ID, es[len(es)-2].Data["invitation_id"])

	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), old.Token)
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending, "the replaced token is dead")
	m, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), inv.Token)
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleAdmin, m.Role)
}

func testExpiredReplacedByNew(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	old, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "oscar@example.com", Role: orgs.RoleMember, ExpiresIn: time.Hour})
	require.NoError(t, err)
	f.clock.Advance(2 * time.Hour)
	inv := f.invite("oscar@example.com", orgs.RoleMember) // no ErrAlreadyInvited: the old one expired
	got := f.invitation(old.ID)
	assert.Equal(t, orgs.InvitationExpired, got.Status)
	assert.True(t, got.IsExpired, "status expired, so is_expired")
	assert.Equal(t, orgs.InvitationPending, f.invitation(inv.ID).Status)
	assert.Equal(t, "invitation.created", string(f.lastEvent().Type))

	// The retired invitation is still listed as expired.
	l, err := f.svc.ListInvitations(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationQuery{Status: orgs.InvitationExpired})
	require.NoError(t, err)
	var ids []string
	for _, i := range l.Data {
		ids = append(ids, i.ID)
		assert.Equal(t, orgs.InvitationExpired, i.Status)
		assert.True(t, i.IsExpired)
	}
	assert.Equal(t, []string{old.ID}, ids, "a retired expired invitation is listed under expired")
	l, err = f.svc.ListInvitations(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationQuery{Status: orgs.InvitationPending})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Equal(t, inv.ID, l.Data[0].ID)
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), old.Token)
	assert.ErrorIs(t, err, orgs.ErrInvitationExpired, "the old token is expired (ErrInvitationNotPending is for accepted, declined or revoked)")
}

func testListInvitationsByStatus(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	f.putUsers("acc", "dec")
	expiring, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "exp@example.com", Role: orgs.RoleMember, ExpiresIn: time.Hour})
	require.NoError(t, err)
	pending := f.invite("pend@example.com", orgs.RoleMember)
	accepted := f.invite("acc@example.com", orgs.RoleMember)
	revoked := f.invite("rev@example.com", orgs.RoleMember)
	declined := f.invite("dec@example.com", orgs.RoleMember)
	f.clock.Advance(time.Hour) // expiring expires at exactly this moment
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("acc"), accepted.Token)
	require.NoError(t, err)
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", revoked.ID))
	require.NoError(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor("dec"), declined.Token))

	list := func(status orgs.InvitationStatus) []string {
		t.Helper()
		l, err := f.svc.ListInvitations(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationQuery{Status: status})
		require.NoError(t, err)
		var ids []string
		for _, i := range l.Data {
			ids = append(ids, i.ID)
			if status != "" {
				assert.Equal(t, status, i.Status)
			}
			assert.Equal(t, i.Status == orgs.InvitationExpired, i.IsExpired, "is_expired of %s", i.Email)
		}
		return ids
	}
	assert.Equal(t, []string{expiring.ID, pending.ID, accepted.ID, revoked.ID, declined.ID}, list(""))
	assert.Equal(t, []string{pending.ID}, list(orgs.InvitationPending))
	assert.Equal(t, []string{expiring.ID}, list(orgs.InvitationExpired))
	assert.Equal(t, []string{accepted.ID}, list(orgs.InvitationAccepted))
	assert.Equal(t, []string{revoked.ID}, list(orgs.InvitationRevoked))
	assert.Equal(t, []string{declined.ID}, list(orgs.InvitationDeclined))

	got := f.invitation(expiring.ID)
	assert.Equal(t, orgs.InvitationExpired, got.Status)
	assert.True(t, got.IsExpired)
	got = f.invitation(accepted.ID)
	assert.Equal(t, "acc", got.AcceptedBy)
	assert.False(t, got.IsExpired)

	_, err = f.svc.ListInvitations(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationQuery{Status: "lost"})
	requireInvalid(t, err, "status")
}

func testListInvitationsPagination(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	var all, live []string
	for i := range 25 {
		inv := f.invite(fmt.Sprintf("p%02d@example.com", i), orgs.RoleMember)
		all = append(all, inv.ID)
		if i%5 == 0 {
			require.NoError(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID))
		} else {
			live = append(live, inv.ID)
		}
	}
	key := func(i orgs.Invitation) string { return i.ID }
	checkWalks(t, 10, all, key, func(p orgs.Page) (*orgs.List[orgs.Invitation], error) {
		return f.svc.ListInvitations(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationQuery{Page: p})
	})
	checkWalks(t, 6, live, key, func(p orgs.Page) (*orgs.List[orgs.Invitation], error) {
		return f.svc.ListInvitations(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationQuery{Status: orgs.InvitationPending, Page: p})
	})
}

func testResendInvitation(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	inv := f.invite("oscar@example.com", orgs.RoleMember)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID)
	assert.ErrorIs(t, err, orgs.ErrResendTooSoon)
	f.clock.Advance(59 * time.Second)
	_, err = f.svc.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID)
	assert.ErrorIs(t, err, orgs.ErrResendTooSoon)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	f.clock.Advance(time.Second)
	now := f.clock.Now()
	re, err := f.svc.ResendInvitation(f.ctx, orgs.UserActor(owner), "acme", inv.ID)
	require.NoError(t, err)
	assert.Equal(t, inv.ID, re.ID)
	assert.NotEqual(t, inv.Token, re.Token, "resending rotates the token")
	checkToken(t, re)
	assert.Equal(t, 1, re.ResendCount)
	assert.True(t, re.LastSentAt.Equal(now))
	assert.True(t, re.ExpiresAt.Equal(now.Add(7*24*time.Hour)), "resending extends the expiry")
	assert.Equal(t, orgs.InvitationPending, re.Status)
	e := f.lastEvent()
	assert.Equal(t, "invitation.resent", string(e.Type))
	assert.Equal(t, owner, e.ActorID)
	assert.Equal(t, map[string]string{"invitation_id": inv.ID, "email": "oscar@example.com"}, e.Data)
	got := f.invitation(inv.ID)
	assert.Equal(t, 1, got.ResendCount)
	assert.True(t, got.ExpiresAt.Equal(re.ExpiresAt))
	assert.Empty(t, got.Token)

	_, err = f.svc.ResendInvitation(f.ctx, orgs.UserActor(owner), "acme", inv.ID)
	assert.ErrorIs(t, err, orgs.ErrResendTooSoon, "the interval counts from the last send")

	// An expired invitation can be resent, and lives again.
	f.clock.Advance(8 * 24 * time.Hour)
	assert.Equal(t, orgs.InvitationExpired, f.invitation(inv.ID).Status)
	re2, err := f.svc.ResendInvitation(f.ctx, orgs.UserActor(owner), "acme", inv.ID)
	require.NoError(t, err)
	assert.Equal(t, orgs.InvitationPending, re2.Status)
	assert.False(t, re2.IsExpired)
	assert.Equal(t, 2, re2.ResendCount)

	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), inv.Token)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the first token is dead")
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), re.Token)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the second token is dead")
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), re2.Token)
	require.NoError(t, err)

	f.clock.Advance(time.Hour)
	_, err = f.svc.ResendInvitation(f.ctx, orgs.UserActor(owner), "acme", inv.ID)
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending, "an accepted invitation is not resent")
	_, err = f.svc.ResendInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.NewID(orgs.PrefixInvitation))
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.ResendInvitation(f.ctx, orgs.UserActor(owner), "acme", "inv_x")
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	// A negative MinResendInterval turns the check off.
	eager := f.service(orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1}))
	inv2 := f.invite("again@example.com", orgs.RoleMember)
	for i := 1; i <= 3; i++ {
		re, err := eager.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv2.ID)
		require.NoError(t, err)
		assert.Equal(t, i, re.ResendCount)
	}
}

func testRevokeInvitation(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	inv := f.invite("oscar@example.com", orgs.RoleMember)
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID))
	e := f.lastEvent()
	assert.Equal(t, "invitation.revoked", string(e.Type))
	assert.Equal(t, map[string]string{"invitation_id": inv.ID, "email": "oscar@example.com"}, e.Data)
	assert.Equal(t, orgs.InvitationRevoked, f.invitation(inv.ID).Status)

	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID), orgs.ErrInvitationNotPending)
	assert.ErrorIs(t, get2(f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), inv.Token)), orgs.ErrInvitationNotPending)
	assert.ErrorIs(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor(outsider), inv.Token), orgs.ErrInvitationNotPending)
	f.clock.Advance(time.Hour)
	assert.ErrorIs(t, get2(f.svc.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID)), orgs.ErrInvitationNotPending)
	assert.ErrorIs(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.NewID(orgs.PrefixInvitation)), orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// A revoked invitation does not block a new one.
	again := f.invite("oscar@example.com", orgs.RoleMember)
	_, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), again.Token)
	require.NoError(t, err)
}

func testDeclineInvitation(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	inv := f.invite("oscar@example.com", orgs.RoleMember)
	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor(member), inv.Token), orgs.ErrEmailMismatch, "only the invited user declines")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	require.NoError(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor(outsider), inv.Token))
	e := f.lastEvent()
	assert.Equal(t, "invitation.declined", string(e.Type))
	assert.Equal(t, outsider, e.ActorID)
	assert.Equal(t, map[string]string{"invitation_id": inv.ID, "user_id": outsider}, e.Data)
	assert.Equal(t, orgs.InvitationDeclined, f.invitation(inv.ID).Status)
	assert.Equal(t, 3, f.get(owner, "acme").MemberCount, "declining joins nothing")

	before = snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor(outsider), inv.Token), orgs.ErrInvitationNotPending)
	assert.ErrorIs(t, get2(f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), inv.Token)), orgs.ErrInvitationNotPending)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testAcceptInvitation(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "bob", Username: "bobby", Email: "BOB@example.com", Name: "Bob"}))
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "Bob@Example.COM", Role: orgs.RoleAdmin})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)

	m, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor("bob"), inv.Token)
	require.NoError(t, err)
	assert.Equal(t, "bob", m.UserID)
	assert.Equal(t, orgs.RoleAdmin, m.Role, "the invited role")
	assert.Equal(t, "bobby", m.Username)
	assert.Equal(t, "bob@example.com", m.Email)
	assert.True(t, m.JoinedAt.Equal(f.clock.Now()))
	got, err := f.svc.GetMember(f.ctx, orgs.UserActor(owner), "acme", "bob")
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleAdmin, got.Role)
	assert.Equal(t, 4, f.get("bob", "acme").MemberCount)

	i := f.invitation(inv.ID)
	assert.Equal(t, orgs.InvitationAccepted, i.Status)
	assert.Equal(t, "bob", i.AcceptedBy)
	assert.True(t, i.UpdatedAt.Equal(f.clock.Now()))
	e := f.lastEvent()
	assert.Equal(t, "invitation.accepted", string(e.Type))
	assert.Equal(t, "bob", e.ActorID)
	assert.Equal(t, map[string]string{"invitation_id": inv.ID, "user_id": "bob", "role": "admin"}, e.Data)

	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("bob"), inv.Token)
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending, "a token is single-use")
	for name, token := range map[string]string{
		"empty":               "",
		"malformed":           "not-a-token",
		"too short":           base64.RawURLEncoding.EncodeToString(make([]byte, 16)),
		"unknown":             base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		"padded":              inv.Token + "=",
		"with a NUL":          inv.Token[:10] + "\x00" + inv.Token[11:],
		"standard base64 alt": base64.StdEncoding.EncodeToString(make([]byte, 32)),
	} {
		_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("bob"), token)
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
		assert.ErrorIs(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor("bob"), token), orgs.ErrNotFound, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testAcceptEmailCheck(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	inv := f.invite("oscar@example.com", orgs.RoleMember)
	f.putUsers("impostor")
	before := snapshot(t, f.store, f.org.ID)
	for _, user := range []string{"impostor", "noprofile", member} {
		_, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(user), inv.Token)
		assert.ErrorIs(t, err, orgs.ErrEmailMismatch, user)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	// The email compared is the one recorded now.
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "impostor", Email: "Oscar@Example.com"}))
	m, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor("impostor"), inv.Token)
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleMember, m.Role)
}

func testSkipEmailCheck(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore, orgs.WithInvitationOptions(orgs.InvitationOptions{SkipEmailCheck: true}))
	inv := f.invite("someone@example.com", orgs.RoleMember)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(member), inv.Token)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember, "a member cannot join again")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "the invitation stays pending")

	m, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor("anyone"), inv.Token)
	require.NoError(t, err, "any signed-in user may accept")
	assert.Equal(t, "anyone", m.UserID)
	assert.Equal(t, "anyone", f.invitation(inv.ID).AcceptedBy)

	inv2 := f.invite("other@example.com", orgs.RoleMember)
	require.NoError(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor("whoever"), inv2.Token))
	assert.Equal(t, orgs.InvitationDeclined, f.invitation(inv2.ID).Status)
}

func testInvitationExpiry(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "oscar@example.com", Role: orgs.RoleMember, ExpiresIn: 2 * time.Hour})
	require.NoError(t, err)
	assert.True(t, inv.ExpiresAt.Equal(f.clock.Now().Add(2*time.Hour)))
	f.clock.Advance(2*time.Hour - time.Second)
	assert.Equal(t, orgs.InvitationPending, f.invitation(inv.ID).Status)
	f.clock.Advance(time.Second)

	got := f.invitation(inv.ID)
	assert.Equal(t, orgs.InvitationExpired, got.Status, "expired at ExpiresAt")
	assert.True(t, got.IsExpired)
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), inv.Token)
	assert.ErrorIs(t, err, orgs.ErrInvitationExpired)
	assert.ErrorIs(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor(outsider), inv.Token), orgs.ErrInvitationExpired)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// Revoking an expired invitation is allowed.
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID))
	assert.Equal(t, orgs.InvitationRevoked, f.invitation(inv.ID).Status)
}

func testInvitationOrganizationDeleted(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	inv := f.invite("oscar@example.com", orgs.RoleMember)
	inv2 := f.invite("other@example.com", orgs.RoleMember)
	require.NoError(t, f.svc.DeleteOrganization(f.ctx, orgs.UserActor(owner), "acme"))
	_, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), inv.Token)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor(outsider), inv2.Token), orgs.ErrNotFound)
	l, err := f.svc.ListOrganizations(f.ctx, orgs.UserActor(outsider), orgs.OrganizationQuery{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	assert.Equal(t, "organization.deleted", string(f.lastEvent().Type))
}

// recorder is a Notifier that records what it is asked to deliver and,
// while delivering, checks the invitation is already committed.
type recorder struct {
	mu      sync.Mutex
	notices []orgs.InvitationNotice
	visible []error // GetInvitation's error at delivery time
	fail    error
	svc     func() *orgs.Service
}

func (r *recorder) NotifyInvitation(ctx context.Context, n orgs.InvitationNotice) error {
	_, err := r.svc().GetInvitation(ctx, orgs.UserActor(owner), n.Organization.Slug, n.Invitation.ID)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	r.visible = append(r.visible, err)
	return r.fail
}

func testNotifier(t *testing.T, newStore NewStore) {
	rec := &recorder{}
	f := invitationFixture(t, newStore, orgs.WithNotifier(rec))
	rec.svc = func() *orgs.Service { return f.svc }
	inv := f.invite("oscar@example.com", orgs.RoleMember)
	require.Len(t, rec.notices, 1)
	n := rec.notices[0]
	assert.NoError(t, rec.visible[0], "the Notifier runs after the invitation is committed")
	assert.False(t, n.Resent)
	assert.Equal(t, inv.Token, n.Invitation.Token)
	assert.Equal(t, inv.AcceptURL, n.Invitation.AcceptURL)
	assert.Equal(t, inv.ID, n.Invitation.ID)
	assert.Equal(t, "oscar@example.com", n.Invitation.Email)
	assert.Equal(t, f.org.ID, n.Organization.ID)
	assert.Equal(t, "Acme", n.Organization.Name)
	assert.Empty(t, inv.DeliveryError)

	f.clock.Advance(time.Hour)
	re, err := f.svc.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID)
	require.NoError(t, err)
	require.Len(t, rec.notices, 2)
	assert.True(t, rec.notices[1].Resent)
	assert.Equal(t, re.Token, rec.notices[1].Invitation.Token)
	assert.NoError(t, rec.visible[1])

	// A failed call notifies no one.
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "oscar@example.com", Role: orgs.RoleMember})
	require.ErrorIs(t, err, orgs.ErrAlreadyInvited)
	_, err = f.svc.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID)
	require.ErrorIs(t, err, orgs.ErrResendTooSoon)
	assert.Len(t, rec.notices, 2)
}

func testNotifierFailure(t *testing.T, newStore NewStore) {
	rec := &recorder{fail: errors.New("smtp: connection refused")}
	f := invitationFixture(t, newStore, orgs.WithNotifier(rec), orgs.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	rec.svc = func() *orgs.Service { return f.svc }
	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "oscar@example.com", Role: orgs.RoleMember})
	require.NoError(t, err, "a delivery failure does not fail the invitation")
	assert.Equal(t, "smtp: connection refused", inv.DeliveryError)
	assert.NotEmpty(t, inv.Token)
	assert.Equal(t, orgs.InvitationPending, f.invitation(inv.ID).Status)
	assert.Equal(t, "invitation.created", string(f.lastEvent().Type))

	f.clock.Advance(time.Hour)
	re, err := f.svc.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID)
	require.NoError(t, err)
	assert.Equal(t, "smtp: connection refused", re.DeliveryError)

	m, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(outsider), re.Token)
	require.NoError(t, err, "the invitation stays valid")
	assert.Equal(t, outsider, m.UserID)
}

func testInvitationOptions(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	for name, tc := range map[string]struct {
		o     orgs.InvitationOptions
		field string
	}{
		"TTL under an hour": {orgs.InvitationOptions{TTL: 30 * time.Minute}, "ttl"},
		"TTL over 30 days":  {orgs.InvitationOptions{TTL: 31 * 24 * time.Hour}, "ttl"},
		"TTL negative":      {orgs.InvitationOptions{TTL: -time.Hour}, "ttl"},
		"accept URL ftp":    {orgs.InvitationOptions{AcceptURL: "ftp://files.example/x"}, "accept_url"},
		"accept URL bare":   {orgs.InvitationOptions{AcceptURL: "app.example/invite"}, "accept_url"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := orgs.New(store, orgs.WithInvitationOptions(tc.o))
			requireInvalid(t, err, tc.field)
		})
	}

	f := invitationFixture(t, newStore, orgs.WithInvitationOptions(orgs.InvitationOptions{TTL: 24 * time.Hour}))
	inv := f.invite("a@example.com", orgs.RoleMember)
	assert.True(t, inv.ExpiresAt.Equal(f.clock.Now().Add(24*time.Hour)), "configured TTL")
	assert.Empty(t, inv.AcceptURL, "no AcceptURL configured")
	assert.NotEmpty(t, inv.Token)

	inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "b@example.com", Role: orgs.RoleMember, ExpiresIn: 30 * 24 * time.Hour})
	require.NoError(t, err)
	assert.True(t, inv.ExpiresAt.Equal(f.clock.Now().Add(30*24*time.Hour)))
	before := snapshot(t, f.store, f.org.ID)
	for _, d := range []time.Duration{time.Minute, time.Hour - time.Nanosecond, 30*24*time.Hour + time.Second, -time.Hour} {
		_, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "c@example.com", Role: orgs.RoleMember, ExpiresIn: d})
		requireInvalid(t, err, "expires_in")
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testInvitationPermissions(t *testing.T, newStore NewStore) {
	f := invitationFixture(t, newStore)
	inv := f.invite("oscar@example.com", orgs.RoleMember)
	f.clock.Advance(time.Hour)
	before := snapshot(t, f.store, f.org.ID)
	for name, err := range map[string]error{
		"member invites":      get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(member), "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember})),
		"member lists":        get2(f.svc.ListInvitations(f.ctx, orgs.UserActor(member), "acme", orgs.InvitationQuery{})),
		"member gets":         get2(f.svc.GetInvitation(f.ctx, orgs.UserActor(member), "acme", inv.ID)),
		"member resends":      get2(f.svc.ResendInvitation(f.ctx, orgs.UserActor(member), "acme", inv.ID)),
		"member revokes":      f.svc.RevokeInvitation(f.ctx, orgs.UserActor(member), "acme", inv.ID),
		"admin invites owner": get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleOwner})),
	} {
		assert.ErrorIs(t, err, orgs.ErrForbidden, name)
	}
	for name, err := range map[string]error{
		"outsider invites": get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(outsider), "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember})),
		"outsider revokes": f.svc.RevokeInvitation(f.ctx, orgs.UserActor(outsider), "acme", inv.ID),
		"outsider resends": get2(f.svc.ResendInvitation(f.ctx, orgs.UserActor(outsider), "acme", inv.ID)),
	} {
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	owned, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "co-owner@example.com", Role: orgs.RoleOwner})
	require.NoError(t, err, "an owner may invite an owner")
	assert.Equal(t, orgs.RoleOwner, owned.Role)
}
