package storetest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestInvitee covers the invited user's side: previewing an invitation by
// its token, listing the invitations addressed to one's email across
// organizations (orgs.InvitationsByEmailLister), and answering one by its
// ID — with the email check that an ID, being no secret, always needs, and
// single use under concurrency.
func TestInvitee(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"Preview", testPreviewInvitation},
		{"PreviewStatuses", testPreviewStatuses},
		{"ListMine", testListMyInvitations},
		{"ListMinePagination", testListMyInvitationsPagination},
		{"AcceptMine", testAcceptMyInvitation},
		{"DeclineMine", testDeclineMyInvitation},
		{"MineNeedsEmail", testMyInvitationsNeedEmail},
		{"MineConcurrent", testConcurrentAcceptMine},
		{"Unsupported", testInviteeUnsupported},
	})
}

// inviteeFixture is an invitation fixture with a second organization,
// "globex", owned by owner, and a user "ivy" (ivy@example.com) invited to
// neither yet.
func inviteeFixture(t *testing.T, newStore NewStore, opts ...orgs.Option) (*fixture, *orgs.Organization) {
	t.Helper()
	f := invitationFixture(t, newStore, opts...)
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "ivy", Username: "ivy", Email: "Ivy@Example.com", Name: "Ivy Invitee"}))
	globex, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Globex", Slug: "globex"})
	require.NoError(t, err)
	return f, globex
}

func testPreviewInvitation(t *testing.T, newStore NewStore) {
	f, _ := inviteeFixture(t, newStore)
	inv := f.invite("IVY@example.com", orgs.RoleAdmin)
	before := snapshot(t, f.store, f.org.ID)
	for _, actor := range []orgs.Actor{orgs.UserActor("ivy"), orgs.UserActor("someone-else"), orgs.SystemActor()} {
		p, err := f.svc.PreviewInvitation(f.ctx, actor, inv.Token)
		require.NoError(t, err, actor)
		assert.Equal(t, orgs.InvitationPreview{
			InvitationID: inv.ID, OrganizationID: f.org.ID, OrganizationName: "Acme", OrganizationSlug: "acme",
			Email: "ivy@example.com", Role: orgs.RoleAdmin, Status: orgs.InvitationPending,
			InviterName: "Adam Admin", ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt,
		}, withoutInviter(p), "anyone holding the token may preview it (%s)", actor)
		b, err := json.Marshal(p)
		require.NoError(t, err)
		assert.NotContains(t, string(b), inv.Token, "a preview never carries the token")
		assert.NotContains(t, string(b), "token")
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "previewing writes nothing")

	// The inviter's name: the directory's name, else the username recorded
	// at invitation time, else nothing (the system caller).
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: admin, Username: "adam2"}))
	p, err := f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), inv.Token)
	require.NoError(t, err)
	assert.Equal(t, "adam2", p.InviterName, "no name: the username")
	sys, err := f.svc.CreateInvitation(f.ctx, orgs.SystemActor(), "acme", orgs.InvitationInput{Email: "sys@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	p, err = f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), sys.Token)
	require.NoError(t, err)
	assert.Empty(t, p.InviterName, "an invitation from the system caller names no inviter")

	for name, token := range map[string]string{
		"empty":     "",
		"malformed": "not-a-token",
		"unknown":   base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		"padded":    inv.Token + "=",
		"with NUL":  inv.Token[:10] + "\x00" + inv.Token[11:],
		"too long":  inv.Token + inv.Token,
	} {
		_, err := f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), token)
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
	_, err = f.svc.PreviewInvitation(f.ctx, orgs.Actor{}, inv.Token)
	assert.ErrorIs(t, err, orgs.ErrUnauthenticated)

	// A resent invitation's old token previews nothing.
	f.clock.Advance(time.Hour)
	re, err := f.svc.ResendInvitation(f.ctx, orgs.UserActor(admin), "acme", inv.ID)
	require.NoError(t, err)
	_, err = f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), inv.Token)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the rotated token")
	_, err = f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), re.Token)
	assert.NoError(t, err)
}

// withoutInviter returns p as a comparable value (the unexported inviter
// ID cleared).
func withoutInviter(p *orgs.InvitationPreview) orgs.InvitationPreview {
	var q orgs.InvitationPreview
	b, _ := json.Marshal(p)
	_ = json.Unmarshal(b, &q)
	q.ExpiresAt, q.CreatedAt = p.ExpiresAt, p.CreatedAt // keep the time values as they are
	return q
}

func testPreviewStatuses(t *testing.T, newStore NewStore) {
	f, _ := inviteeFixture(t, newStore)
	f.putUsers("acc", "dec")
	expiring, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(admin), "acme", orgs.InvitationInput{Email: "exp@example.com", Role: orgs.RoleMember, ExpiresIn: time.Hour})
	require.NoError(t, err)
	accepted := f.invite("acc@example.com", orgs.RoleMember)
	declined := f.invite("dec@example.com", orgs.RoleMember)
	revoked := f.invite("rev@example.com", orgs.RoleMember)
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("acc"), accepted.Token)
	require.NoError(t, err)
	require.NoError(t, f.svc.DeclineInvitation(f.ctx, orgs.UserActor("dec"), declined.Token))
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(admin), "acme", revoked.ID))
	f.clock.Advance(time.Hour)
	for inv, want := range map[*orgs.Invitation]orgs.InvitationStatus{
		expiring: orgs.InvitationExpired, accepted: orgs.InvitationAccepted,
		declined: orgs.InvitationDeclined, revoked: orgs.InvitationRevoked,
	} {
		p, err := f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), inv.Token)
		require.NoError(t, err, want)
		assert.Equal(t, want, p.Status)
		assert.Equal(t, want == orgs.InvitationExpired, p.IsExpired, want)
	}
	// The organization gone, its invitations are gone too.
	require.NoError(t, f.svc.DeleteOrganization(f.ctx, orgs.UserActor(owner), "acme"))
	_, err = f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), expiring.Token)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

// previewIDs returns the invitation IDs of a list of previews.
func previewIDs(ps []orgs.InvitationPreview) []string {
	ids := []string{}
	for _, p := range ps {
		ids = append(ids, p.InvitationID)
	}
	return ids
}

func testListMyInvitations(t *testing.T, newStore NewStore) {
	f, globex := inviteeFixture(t, newStore)
	needStore[orgs.InvitationsByEmailLister](t, f.store, "InvitationsByEmailLister")
	toAcme := f.invite("ivy@example.com", orgs.RoleAdmin)
	toGlobex, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "globex", orgs.InvitationInput{Email: "IVY@EXAMPLE.COM", Role: orgs.RoleMember})
	require.NoError(t, err)
	f.invite("someone@example.com", orgs.RoleMember) // another address
	// Not pending: revoked, and expired, in a third organization.
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(member), orgs.CreateOrganizationInput{Name: "Third", Slug: "third"})
	require.NoError(t, err)
	revoked, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(member), "third", orgs.InvitationInput{Email: "ivy@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, orgs.UserActor(member), "third", revoked.ID))
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(member), orgs.CreateOrganizationInput{Name: "Fourth", Slug: "fourth"})
	require.NoError(t, err)
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(member), "fourth", orgs.InvitationInput{Email: "ivy@example.com", Role: orgs.RoleMember, ExpiresIn: time.Hour})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)

	before := snapshot(t, f.store, f.org.ID)
	l, err := f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy"), orgs.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{toAcme.ID, toGlobex.ID}, previewIDs(l.Data), "pending invitations to my email, across organizations")
	assert.False(t, l.HasMore)
	require.Len(t, l.Data, 2)
	assert.Equal(t, orgs.InvitationPreview{
		InvitationID: toGlobex.ID, OrganizationID: globex.ID, OrganizationName: "Globex", OrganizationSlug: "globex",
		Email: "ivy@example.com", Role: orgs.RoleMember, Status: orgs.InvitationPending,
		InviterName: "Olivia Owner", ExpiresAt: toGlobex.ExpiresAt, CreatedAt: toGlobex.CreatedAt,
	}, withoutInviter(&l.Data[1]))
	assert.Equal(t, "Adam Admin", l.Data[0].InviterName)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "listing writes nothing")

	// Others see theirs only; the system caller has none to see.
	l, err = f.svc.ListMyInvitations(f.ctx, orgs.UserActor(outsider), orgs.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	_, err = f.svc.ListMyInvitations(f.ctx, orgs.SystemActor(), orgs.Page{})
	requireInvalid(t, err, "actor")
	_, err = f.svc.ListMyInvitations(f.ctx, orgs.Actor{}, orgs.Page{})
	assert.ErrorIs(t, err, orgs.ErrUnauthenticated)
	_, err = f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy"), orgs.Page{Limit: 101})
	requireInvalid(t, err, "limit")
	_, err = f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy"), orgs.Page{After: "%%%"})
	requireInvalid(t, err, "after")

	// The email compared is the one recorded now.
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "ivy", Email: "ivy@elsewhere.example"}))
	l, err = f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy"), orgs.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: "ivy2", Email: "IVY@example.com"}))
	l, err = f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy2"), orgs.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{toAcme.ID, toGlobex.ID}, previewIDs(l.Data), "matched by normalized email")

	// Accepted, they leave the list.
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("ivy2"), toAcme.Token)
	require.NoError(t, err)
	l, err = f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy2"), orgs.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{toGlobex.ID}, previewIDs(l.Data))
}

func testListMyInvitationsPagination(t *testing.T, newStore NewStore) {
	f, _ := inviteeFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	needStore[orgs.InvitationsByEmailLister](t, f.store, "InvitationsByEmailLister")
	var want []string
	for i := range 13 {
		slug := fmt.Sprintf("inviter-%02d", i)
		_, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Inviter", Slug: slug})
		require.NoError(t, err)
		inv, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: "ivy@example.com", Role: orgs.RoleMember})
		require.NoError(t, err)
		want = append(want, inv.ID)
	}
	checkWalks(t, 5, want, func(p orgs.InvitationPreview) string { return p.InvitationID }, func(p orgs.Page) (*orgs.List[orgs.InvitationPreview], error) {
		return f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy"), p)
	})
}

func testAcceptMyInvitation(t *testing.T, newStore NewStore) {
	f, globex := inviteeFixture(t, newStore)
	needStore[orgs.InvitationsByEmailLister](t, f.store, "InvitationsByEmailLister")
	toAcme := f.invite("ivy@example.com", orgs.RoleAdmin)
	toGlobex, err := f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "globex", orgs.InvitationInput{Email: "ivy@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	oscars := f.invite("oscar@example.com", orgs.RoleMember)
	f.clock.Advance(time.Minute)

	// Not addressed to the actor, malformed, unknown: not found, nothing
	// written — whoever asks.
	acmeBefore, globexBefore := snapshot(t, f.store, f.org.ID), snapshot(t, f.store, globex.ID)
	for name, tc := range map[string]struct {
		actor orgs.Actor
		id    string
	}{
		"another's invitation":      {orgs.UserActor("ivy"), oscars.ID},
		"mine, asked by a member":   {orgs.UserActor(member), toAcme.ID},
		"mine, asked by the owner":  {orgs.UserActor(owner), toGlobex.ID},
		"malformed":                 {orgs.UserActor("ivy"), "inv_nope"},
		"empty":                     {orgs.UserActor("ivy"), ""},
		"unknown":                   {orgs.UserActor("ivy"), orgs.NewID(orgs.PrefixInvitation)},
		"an organization ID":        {orgs.UserActor("ivy"), f.org.ID},
		"a user with no profile":    {orgs.UserActor("ghost"), toAcme.ID},
		"a SQL-looking ID":          {orgs.UserActor("ivy"), "inv_' OR 1=1 --"},
		"an ID with a NUL":          {orgs.UserActor("ivy"), toAcme.ID[:6] + "\x00" + toAcme.ID[7:]},
		"an ID in other case":       {orgs.UserActor("ivy"), "INV_" + toAcme.ID[4:]},
		"another's, by the invitee": {orgs.UserActor(outsider), toAcme.ID},
	} {
		_, err := f.svc.AcceptMyInvitation(f.ctx, tc.actor, tc.id)
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
		assert.ErrorIs(t, f.svc.DeclineMyInvitation(f.ctx, tc.actor, tc.id), orgs.ErrNotFound, name)
	}
	_, err = f.svc.AcceptMyInvitation(f.ctx, orgs.SystemActor(), toAcme.ID)
	requireInvalid(t, err, "actor")
	_, err = f.svc.AcceptMyInvitation(f.ctx, orgs.Actor{}, toAcme.ID)
	assert.ErrorIs(t, err, orgs.ErrUnauthenticated)
	assert.Equal(t, acmeBefore, snapshot(t, f.store, f.org.ID))
	assert.Equal(t, globexBefore, snapshot(t, f.store, globex.ID))

	// Accepting joins the invitation's organization — globex, not acme.
	m, err := f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor("ivy"), toGlobex.ID)
	require.NoError(t, err)
	assert.Equal(t, globex.ID, m.OrganizationID)
	assert.Equal(t, orgs.RoleMember, m.Role)
	assert.Equal(t, "ivy@example.com", m.Email)
	_, err = f.store.GetMember(f.ctx, f.org.ID, "ivy")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "not a member of acme")
	es := allEvents(t, f.store, globex.ID)
	e := es[len(es)-1]
	assert.Equal(t, orgs.EventInvitationAccepted, e.Type)
	assert.Equal(t, "ivy", e.ActorID)
	assert.Equal(t, map[string]string{"invitation_id": toGlobex.ID, "user_id": "ivy", "role": "member"}, e.Data)
	got, err := f.svc.GetInvitation(f.ctx, orgs.UserActor(owner), "globex", toGlobex.ID)
	require.NoError(t, err)
	assert.Equal(t, orgs.InvitationAccepted, got.Status)
	assert.Equal(t, "ivy", got.AcceptedBy)
	assert.Equal(t, acmeBefore, snapshot(t, f.store, f.org.ID), "acme untouched")

	_, err = f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor("ivy"), toGlobex.ID)
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending, "single use")
	_, err = f.svc.AcceptInvitation(f.ctx, orgs.UserActor("ivy"), toGlobex.Token)
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending, "the token is spent too")

	// Expired: said so.
	f.clock.Advance(8 * 24 * time.Hour)
	before := snapshot(t, f.store, f.org.ID)
	_, err = f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor("ivy"), toAcme.ID)
	assert.ErrorIs(t, err, orgs.ErrInvitationExpired)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testDeclineMyInvitation(t *testing.T, newStore NewStore) {
	f, _ := inviteeFixture(t, newStore)
	needStore[orgs.InvitationsByEmailLister](t, f.store, "InvitationsByEmailLister")
	inv := f.invite("ivy@example.com", orgs.RoleMember)
	require.NoError(t, f.svc.DeclineMyInvitation(f.ctx, orgs.UserActor("ivy"), inv.ID))
	assert.Equal(t, orgs.InvitationDeclined, f.invitation(inv.ID).Status)
	e := f.lastEvent()
	assert.Equal(t, orgs.EventInvitationDeclined, e.Type)
	assert.Equal(t, map[string]string{"invitation_id": inv.ID, "user_id": "ivy"}, e.Data)
	assert.ErrorIs(t, f.svc.DeclineMyInvitation(f.ctx, orgs.UserActor("ivy"), inv.ID), orgs.ErrInvitationNotPending)
	_, err := f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor("ivy"), inv.ID)
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending)
	l, err := f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy"), orgs.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
}

// testMyInvitationsNeedEmail: answering by ID always checks the email, even
// where SkipEmailCheck lets a token's holder answer whatever their email —
// an ID is no secret.
func testMyInvitationsNeedEmail(t *testing.T, newStore NewStore) {
	f, _ := inviteeFixture(t, newStore, orgs.WithInvitationOptions(orgs.InvitationOptions{SkipEmailCheck: true}))
	needStore[orgs.InvitationsByEmailLister](t, f.store, "InvitationsByEmailLister")
	inv := f.invite("ivy@example.com", orgs.RoleMember)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor(outsider), inv.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	_, err = f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor("ivy"), inv.ID)
	require.NoError(t, err)
}

func testConcurrentAcceptMine(t *testing.T, newStore NewStore) {
	f, _ := inviteeFixture(t, newStore, orgs.WithSeed(orgs.SeedNone))
	needStore[orgs.InvitationsByEmailLister](t, f.store, "InvitationsByEmailLister")
	const n, rounds = 10, 3
	for round := range rounds {
		user := fmt.Sprintf("racer-%d", round)
		require.NoError(t, f.svc.PutUser(f.ctx, orgs.User{ID: user, Email: user + "@example.com"}))
		inv := f.invite(user+"@example.com", orgs.RoleMember)
		membersBefore := f.get(owner, "acme").MemberCount
		// Half by ID, half by token; a few decline.
		errs := testkit.Storm(n, func(i int) error {
			switch {
			case i%5 == 4:
				return f.svc.DeclineMyInvitation(f.ctx, orgs.UserActor(user), inv.ID)
			case i%2 == 0:
				_, err := f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor(user), inv.ID)
				return err
			default:
				_, err := f.svc.AcceptInvitation(f.ctx, orgs.UserActor(user), inv.Token)
				return err
			}
		})
		o := tally(errs, orgs.ErrInvitationNotPending, orgs.ErrAlreadyMember)
		t.Logf("round %d: %d concurrent answers to one invitation: %s", round, n, o)
		assert.Empty(t, o.other)
		assert.Equal(t, 1, o.ok, "exactly one answer wins")
		got := f.invitation(inv.ID)
		answered := 0
		for _, e := range f.events() {
			if (e.Type == orgs.EventInvitationAccepted || e.Type == orgs.EventInvitationDeclined) && e.Data["invitation_id"] == inv.ID {
				answered++
			}
		}
		assert.Equal(t, 1, answered, "one answer event")
		switch got.Status {
		case orgs.InvitationAccepted:
			assert.Equal(t, membersBefore+1, f.get(owner, "acme").MemberCount)
		case orgs.InvitationDeclined:
			assert.Equal(t, membersBefore, f.get(owner, "acme").MemberCount)
		default:
			t.Fatalf("status %s after the race", got.Status)
		}
	}
}

// testInviteeUnsupported: on a store without InvitationsByEmailLister the
// calls that need it fail with errors.ErrUnsupported and write nothing;
// the preview, which needs no capability, still works.
func testInviteeUnsupported(t *testing.T, newStore NewStore) {
	f, _ := inviteeFixture(t, func(t *testing.T) orgs.Store { return plainStore{newStore(t)} })
	inv := f.invite("ivy@example.com", orgs.RoleMember)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.ListMyInvitations(f.ctx, orgs.UserActor("ivy"), orgs.Page{})
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = f.svc.AcceptMyInvitation(f.ctx, orgs.UserActor("ivy"), inv.ID)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	assert.ErrorIs(t, f.svc.DeclineMyInvitation(f.ctx, orgs.UserActor("ivy"), inv.ID), errors.ErrUnsupported)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
	_, err = f.svc.PreviewInvitation(f.ctx, orgs.UserActor("ivy"), inv.Token)
	assert.NoError(t, err)
}
