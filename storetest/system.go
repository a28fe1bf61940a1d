package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestSystem covers what the system caller (orgs.SystemActor) adds, and the
// capabilities it rests on: memberships as resources with a status
// (orgs.Memberships) — deactivation and its last-owner rule, also under
// concurrency — and the environment-wide reads (orgs.SystemReader):
// organizations listed in both orders with an any-of domain filter,
// invitations read by ID, by token and by email, and accepted on a user's
// behalf; and the fields that came with them (stripe customer IDs, domain
// states and strategies, invitation times).
func TestSystem(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"MembershipResource", testMembershipResource},
		{"MembershipPermissions", testMembershipPermissions},
		{"Deactivate", testDeactivate},
		{"DeactivateLastOwner", testDeactivateLastOwner},
		{"ConcurrentDeactivateLastTwoOwners", testConcurrentDeactivateLastTwo},
		{"ListAllOrganizations", testListAllOrganizations},
		{"StripeCustomerID", testStripeCustomerID},
		{"DomainStates", testDomainStates},
		{"DomainObjects", testDomainObjects},
		{"InvitationReads", testSystemInvitationReads},
		{"InvitationInput", testSystemInvitationInput},
		{"AcceptFor", testAcceptFor},
		{"ConcurrentAcceptFor", testConcurrentAcceptFor},
		{"SystemCreatesEmpty", testSystemCreatesEmpty},
		{"IDOrderIsCreationOrder", testIDOrderIsCreationOrder},
	})
}

var system = orgs.SystemActor()

// needStore skips the test unless store implements the capability T.
func needStore[T any](t *testing.T, store orgs.Store, name string) {
	t.Helper()
	if _, ok := store.(T); !ok {
		t.Skipf("the store does not implement the optional capability orgs.%s: skipped (the Service refuses what needs it)", name)
	}
}

// systemFixture is a fixture on a store with memberships and the system
// reads, or a skip.
func systemFixture(t *testing.T, newStore NewStore, opts ...orgs.Option) *fixture {
	t.Helper()
	f := newFixture(t, newStore, append([]orgs.Option{orgs.WithSeed(orgs.SeedNone)}, opts...)...)
	needStore[orgs.Memberships](t, f.store, "Memberships")
	needStore[orgs.SystemReader](t, f.store, "SystemReader")
	return f
}

// membershipID returns the membership ID of userID in the fixture's
// organization.
func (f *fixture) membershipID(userID string) string {
	f.t.Helper()
	m, err := f.store.GetMember(f.ctx, f.org.ID, userID)
	require.NoError(f.t, err)
	require.True(f.t, strings.HasPrefix(m.ID, orgs.PrefixMembership), "membership ID %q", m.ID)
	return m.ID
}

func testMembershipResource(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	f.clock.Advance(time.Minute)
	m, err := f.svc.AddMember(f.ctx, system, f.org.ID, "opaque|user", orgs.RoleAdmin)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(m.ID, "om_"), "ID %q", m.ID)
	assert.Equal(t, orgs.MembershipActive, m.Status)
	assert.Equal(t, f.clock.Now(), m.JoinedAt)
	assert.Equal(t, f.clock.Now(), m.UpdatedAt)
	assert.Equal(t, "Acme", m.OrganizationName)

	got, err := f.svc.GetMembership(f.ctx, system, m.ID)
	require.NoError(t, err)
	assert.Equal(t, m.ID, got.ID)
	assert.Equal(t, f.org.ID, got.OrganizationID)
	assert.Equal(t, "Acme", got.OrganizationName)
	assert.Equal(t, orgs.RoleAdmin, got.Role)

	f.clock.Advance(time.Minute)
	up, err := f.svc.UpdateMembership(f.ctx, system, m.ID, orgs.RoleMember)
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleMember, up.Role)
	assert.Equal(t, f.clock.Now(), up.UpdatedAt, "a role change moves updated_at")
	assert.Equal(t, m.JoinedAt, up.JoinedAt)
	assert.Equal(t, orgs.EventMemberRoleUpdated, f.lastEvent().Type)
	assert.Equal(t, orgs.ActorTypeSystem, f.lastEvent().ActorType)

	// Lists: by organization, by user, both, by status, both orders.
	other, err := f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	m2, err := f.svc.AddMember(f.ctx, system, other.ID, "opaque|user", orgs.RoleOwner)
	require.NoError(t, err)
	ids := func(q orgs.MembershipQuery) []string {
		t.Helper()
		l, err := f.svc.ListMemberships(f.ctx, system, q)
		require.NoError(t, err)
		var out []string
		for _, x := range l.Data {
			out = append(out, x.ID)
		}
		return out
	}
	assert.Equal(t, []string{m.ID, m2.ID}, ids(orgs.MembershipQuery{UserID: "opaque|user"}))
	assert.Equal(t, []string{m2.ID, m.ID}, ids(orgs.MembershipQuery{UserID: "opaque|user", Page: orgs.Page{Descending: true}}))
	assert.Equal(t, []string{m2.ID}, ids(orgs.MembershipQuery{UserID: "opaque|user", Organization: "other"}))
	all := ids(orgs.MembershipQuery{Organization: f.org.Slug})
	assert.Len(t, all, 4)
	assert.True(t, slices.IsSorted(all), "by membership ID")
	l, err := f.svc.ListMemberships(f.ctx, system, orgs.MembershipQuery{UserID: "opaque|user"})
	require.NoError(t, err)
	assert.Equal(t, []string{"Acme", "Other"}, []string{l.Data[0].OrganizationName, l.Data[1].OrganizationName})

	// Pages of one, forward and back, in descending order.
	desc := ids(orgs.MembershipQuery{Organization: f.org.Slug, Page: orgs.Page{Descending: true}})
	assert.Equal(t, reversed(all), desc)
	var walked []string
	page := orgs.Page{Limit: 1, Descending: true}
	for {
		l, err := f.svc.ListMemberships(f.ctx, system, orgs.MembershipQuery{Organization: f.org.Slug, Page: page})
		require.NoError(t, err)
		for _, x := range l.Data {
			walked = append(walked, x.ID)
		}
		if l.NextCursor == "" {
			break
		}
		page.After = l.NextCursor
	}
	assert.Equal(t, desc, walked)
	back, err := f.svc.ListMemberships(f.ctx, system, orgs.MembershipQuery{Organization: f.org.Slug,
		Page: orgs.Page{Limit: 2, Descending: true, Before: orgs.EncodeCursor(desc[3])}})
	require.NoError(t, err)
	assert.Equal(t, desc[1:3], membershipIDs(back.Data))
	assert.NotEmpty(t, back.PreviousCursor, "desc[0] precedes the page")

	// Delete by ID.
	require.NoError(t, f.svc.DeleteMembership(f.ctx, system, m.ID))
	_, err = f.svc.GetMembership(f.ctx, system, m.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeleteMembership(f.ctx, system, m.ID), orgs.ErrNotFound)
	assert.Equal(t, orgs.EventMemberRemoved, f.lastEvent().Type)

	// Bad input.
	for _, id := range []string{"", "om_", "om_nope", "org_01ARZ3NDEKTSV4RRFFQ69G5FAV", "om_01ARZ3NDEKTSV4RRFFQ69G5FAV"} {
		_, err := f.svc.GetMembership(f.ctx, system, id)
		assert.ErrorIs(t, err, orgs.ErrNotFound, "%q", id)
	}
	_, err = f.svc.ListMemberships(f.ctx, system, orgs.MembershipQuery{})
	assert.ErrorIs(t, err, orgs.ErrInvalid)
	_, err = f.svc.ListMemberships(f.ctx, system, orgs.MembershipQuery{UserID: "x", Statuses: []orgs.MembershipStatus{"gone"}})
	assert.ErrorIs(t, err, orgs.ErrInvalid)
	_, err = f.svc.UpdateMembership(f.ctx, system, m2.ID, "emperor")
	assert.ErrorIs(t, err, orgs.ErrInvalid)
}

func membershipIDs(ms []orgs.Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func reversed[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func testMembershipPermissions(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	adminID, ownerID := f.membershipID(admin), f.membershipID(owner)
	// A member may read memberships of its organization, not change them.
	_, err := f.svc.GetMembership(f.ctx, orgs.UserActor(member), adminID)
	require.NoError(t, err)
	_, err = f.svc.DeactivateMembership(f.ctx, orgs.UserActor(member), adminID)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	// An admin cannot act on the owner (the rank rule).
	_, err = f.svc.DeactivateMembership(f.ctx, orgs.UserActor(admin), ownerID)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	// An outsider sees nothing of a private organization.
	_, err = f.svc.GetMembership(f.ctx, orgs.UserActor(outsider), adminID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	// A user lists its own memberships, not another's.
	l, err := f.svc.ListMemberships(f.ctx, orgs.UserActor(admin), orgs.MembershipQuery{UserID: admin})
	require.NoError(t, err)
	assert.Equal(t, []string{adminID}, membershipIDs(l.Data))
	_, err = f.svc.ListMemberships(f.ctx, orgs.UserActor(admin), orgs.MembershipQuery{UserID: owner})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListMemberships(f.ctx, orgs.UserActor(outsider), orgs.MembershipQuery{Organization: "acme"})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	// The system-only reads refuse users.
	_, err = f.svc.GetInvitationByID(f.ctx, orgs.UserActor(owner), orgs.NewID(orgs.PrefixInvitation))
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListAllInvitations(f.ctx, orgs.UserActor(owner), orgs.AllInvitationsQuery{})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, _, err = f.svc.AcceptInvitationFor(f.ctx, orgs.UserActor(owner), orgs.NewID(orgs.PrefixInvitation), owner)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListOrganizations(f.ctx, orgs.UserActor(owner), orgs.OrganizationQuery{Page: orgs.Page{Descending: true}})
	assert.ErrorIs(t, err, orgs.ErrInvalid)
}

func testDeactivate(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore, orgs.WithLimits(orgs.Limits{MembersPerOrganization: 3}))
	adminID := f.membershipID(admin)
	f.clock.Advance(time.Minute)
	off, err := f.svc.DeactivateMembership(f.ctx, orgs.UserActor(owner), adminID)
	require.NoError(t, err)
	assert.Equal(t, orgs.MembershipInactive, off.Status)
	assert.Equal(t, orgs.RoleAdmin, off.Role, "an inactive member keeps its role")
	assert.Equal(t, f.clock.Now(), off.UpdatedAt)
	e := f.lastEvent()
	assert.Equal(t, orgs.EventMemberDeactivated, e.Type)
	assert.Equal(t, map[string]string{"user_id": admin, "membership_id": adminID, "role": "admin"}, e.Data)

	// No permission anywhere: the private organization is gone for it, it
	// is out of its list, and it can change nothing.
	_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(admin), "acme")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	l, err := f.svc.ListOrganizations(f.ctx, orgs.UserActor(admin), orgs.OrganizationQuery{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(admin), "acme", "newbie", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor(admin), "acme", orgs.MemberQuery{})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor(admin), "acme"), orgs.ErrNotFound)
	// Public: the public view only.
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Visibility: ptr(orgs.VisibilityPublic)})
	require.NoError(t, err)
	pub, err := f.svc.GetOrganization(f.ctx, orgs.UserActor(admin), "acme")
	require.NoError(t, err)
	assert.True(t, pub.IsPublicView())
	assert.True(t, pub.ViewerInactive)
	// It cannot be made owner by a transfer while inactive.
	assert.ErrorIs(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", admin), orgs.ErrNotMember)

	// It still holds its seat (limit 3: owner, admin, member).
	_, err = f.svc.AddMember(f.ctx, system, "acme", "newbie", orgs.RoleMember)
	assert.ErrorIs(t, err, orgs.ErrLimitExceeded)
	// Listed with its status.
	st := func(statuses ...orgs.MembershipStatus) []string {
		l, err := f.svc.ListMemberships(f.ctx, system, orgs.MembershipQuery{Organization: "acme", Statuses: statuses})
		require.NoError(t, err)
		var users []string
		for _, m := range l.Data {
			users = append(users, m.UserID)
		}
		slices.Sort(users)
		return users
	}
	assert.Equal(t, []string{admin}, st(orgs.MembershipInactive))
	assert.Equal(t, []string{member, owner}, st(orgs.MembershipActive))
	assert.Equal(t, []string{admin, member, owner}, st())
	assert.Empty(t, st(orgs.MembershipPending))

	// Idempotent: deactivating again changes nothing and records nothing.
	events := len(f.events())
	again, err := f.svc.DeactivateMembership(f.ctx, system, adminID)
	require.NoError(t, err)
	assert.Equal(t, off.UpdatedAt, again.UpdatedAt)
	assert.Len(t, f.events(), events)

	f.clock.Advance(time.Minute)
	on, err := f.svc.ReactivateMembership(f.ctx, system, adminID)
	require.NoError(t, err)
	assert.Equal(t, orgs.MembershipActive, on.Status)
	assert.Equal(t, orgs.RoleAdmin, on.Role)
	assert.Equal(t, orgs.EventMemberReactivated, f.lastEvent().Type)
	assert.Equal(t, orgs.ActorTypeSystem, f.lastEvent().ActorType)
	_, err = f.svc.ListMembers(f.ctx, orgs.UserActor(admin), "acme", orgs.MemberQuery{})
	assert.NoError(t, err, "permissions are back")
}

func testDeactivateLastOwner(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	ownerID := f.membershipID(owner)
	for _, a := range []orgs.Actor{system, orgs.UserActor(owner)} {
		_, err := f.svc.DeactivateMembership(f.ctx, a, ownerID)
		assert.ErrorIs(t, err, orgs.ErrLastOwner, "%s", a)
	}
	// Two owners: one may be deactivated; then the other is the last active
	// owner for every rule.
	f.addMembers(orgs.RoleOwner, "owner2")
	_, err := f.svc.DeactivateMembership(f.ctx, system, ownerID)
	require.NoError(t, err)
	o2 := f.membershipID("owner2")
	_, err = f.svc.DeactivateMembership(f.ctx, system, o2)
	assert.ErrorIs(t, err, orgs.ErrLastOwner)
	_, err = f.svc.UpdateMembership(f.ctx, system, o2, orgs.RoleAdmin)
	assert.ErrorIs(t, err, orgs.ErrLastOwner)
	assert.ErrorIs(t, f.svc.DeleteMembership(f.ctx, system, o2), orgs.ErrLastOwner)
	assert.ErrorIs(t, f.svc.RemoveMember(f.ctx, system, "acme", "owner2"), orgs.ErrLastOwner)
	_, err = f.svc.UpdateMemberRole(f.ctx, orgs.UserActor("owner2"), "acme", "owner2", orgs.RoleAdmin)
	assert.ErrorIs(t, err, orgs.ErrLastOwner)
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor("owner2"), "acme"), orgs.ErrLastOwner)
	// The inactive owner is no active owner: removing it is allowed.
	assert.Equal(t, 1, countOwners(t, f.store, f.org.ID))
	require.NoError(t, f.svc.DeleteMembership(f.ctx, system, ownerID))
	assert.Equal(t, 1, countOwners(t, f.store, f.org.ID))
}

func testConcurrentDeactivateLastTwo(t *testing.T, newStore NewStore) {
	// Two active owners (and an inactive one), two goroutines each
	// deactivating one: exactly one succeeds, one active owner stays.
	store := openStore(t, newStore)
	needStore[orgs.Memberships](t, store, "Memberships")
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone))
	ctx := t.Context()
	const rounds = 20
	var total outcome
	total.expected = map[error]int{}
	for round := range rounds {
		org, err := svc.CreateOrganization(ctx, system, orgs.CreateOrganizationInput{Name: "Pair", Slug: fmt.Sprintf("pair-%d", round)})
		require.NoError(t, err)
		var ids []string
		for _, u := range []string{"a", "b", "c"} {
			m, err := svc.AddMember(ctx, system, org.ID, u, orgs.RoleOwner)
			require.NoError(t, err)
			ids = append(ids, m.ID)
		}
		_, err = svc.DeactivateMembership(ctx, system, ids[2])
		require.NoError(t, err)
		errs := testkit.Storm(2, func(i int) error {
			actor := system
			if i == 1 {
				actor = orgs.UserActor("b") // an owner deactivating itself
			}
			_, err := svc.DeactivateMembership(ctx, actor, ids[i])
			return err
		})
		o := tally(errs, orgs.ErrLastOwner)
		assert.Empty(t, o.other, "round %d", round)
		assert.Equal(t, 1, o.ok, "round %d: one deactivation", round)
		assert.Equal(t, 1, countOwners(t, store, org.ID), "round %d: one active owner left", round)
		total.ok += o.ok
		total.expected[orgs.ErrLastOwner] += o.expected[orgs.ErrLastOwner]
		total.other = append(total.other, o.other...)
	}
	t.Logf("deactivate the last two owners: %d rounds × 2 goroutines: %s", rounds, total)
}

func testListAllOrganizations(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	var want []string // the organizations with the a.test or b.test domain
	for i := range 13 {
		in := orgs.CreateOrganizationInput{Name: fmt.Sprintf("Env %02d", i), Slug: fmt.Sprintf("env-%02d", i)}
		switch i % 3 {
		case 0:
			in.Domains = []string{fmt.Sprintf("d%d.a.test", i)}
		case 1:
			in.DomainData = []orgs.DomainInput{{Domain: fmt.Sprintf("d%d.b.test", i), State: orgs.DomainVerified}}
		}
		o, err := f.svc.CreateOrganization(f.ctx, system, in)
		require.NoError(t, err)
		if i%3 != 2 {
			want = append(want, o.ID)
		}
	}
	var domains []string
	for i := range 13 {
		if i%3 == 0 {
			domains = append(domains, fmt.Sprintf("d%d.a.test", i))
		} else if i%3 == 1 {
			domains = append(domains, fmt.Sprintf("D%d.B.test", i)) // normalized
		}
	}
	walk := func(p orgs.Page) []string {
		var out []string
		for {
			l, err := f.svc.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{Domains: domains, Page: p})
			require.NoError(t, err)
			for _, o := range l.Data {
				out = append(out, o.ID)
				assert.Empty(t, o.Role, "the system caller has no role")
				assert.Len(t, o.DomainDetails, 1)
			}
			if l.NextCursor == "" {
				return out
			}
			p.After = l.NextCursor
		}
	}
	assert.Equal(t, want, walk(orgs.Page{Limit: 4}))
	assert.Equal(t, reversed(want), walk(orgs.Page{Limit: 4, Descending: true}))
	// Back from the end, descending.
	l, err := f.svc.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{Domains: domains,
		Page: orgs.Page{Limit: 3, Descending: true, Before: orgs.EncodeCursor(want[0])}})
	require.NoError(t, err)
	var got []string
	for _, o := range l.Data {
		got = append(got, o.ID)
	}
	assert.Equal(t, reversed(want)[len(want)-4:len(want)-1], got)
	// Every organization, the fixture's included; search.
	all, err := f.svc.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(t, err)
	assert.Len(t, all.Data, 14)
	s, err := f.svc.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{Search: "ENV 1"})
	require.NoError(t, err)
	assert.Len(t, s.Data, 3)
	none, err := f.svc.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{Domains: []string{"nobody.test"}})
	require.NoError(t, err)
	assert.Empty(t, none.Data)
	_, err = f.svc.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{Domains: []string{"not a domain"}})
	assert.ErrorIs(t, err, orgs.ErrInvalid)
}

func testStripeCustomerID(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	o, err := f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Paying", StripeCustomerID: "cus_Abc123"})
	require.NoError(t, err)
	assert.Equal(t, "cus_Abc123", o.StripeCustomerID)
	got, err := f.svc.GetOrganization(f.ctx, system, o.ID)
	require.NoError(t, err)
	assert.Equal(t, "cus_Abc123", got.StripeCustomerID)
	_, err = f.svc.UpdateOrganization(f.ctx, system, o.ID, orgs.UpdateOrganizationInput{Name: ptr("Renamed")})
	require.NoError(t, err)
	got, err = f.svc.GetOrganization(f.ctx, system, o.ID)
	require.NoError(t, err)
	assert.Equal(t, "cus_Abc123", got.StripeCustomerID, "kept through updates")
	_, err = f.svc.UpdateOrganization(f.ctx, system, o.ID, orgs.UpdateOrganizationInput{StripeCustomerID: ptr("cus_New")})
	require.NoError(t, err)
	assert.Equal(t, "cus_New", getSystem(t, f, o.ID).StripeCustomerID)
	_, err = f.svc.UpdateOrganization(f.ctx, system, o.ID, orgs.UpdateOrganizationInput{StripeCustomerID: ptr("")})
	require.NoError(t, err)
	assert.Empty(t, getSystem(t, f, o.ID).StripeCustomerID, "cleared")
	for _, bad := range []string{"cus_", "abc", "cus_a b", "cus_a/b", "cus_\x00", "cus_" + strings.Repeat("a", 61)} {
		_, err = f.svc.UpdateOrganization(f.ctx, system, o.ID, orgs.UpdateOrganizationInput{StripeCustomerID: ptr(bad)})
		assert.ErrorIs(t, err, orgs.ErrInvalid, "%q", bad)
		_, err = f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Bad", StripeCustomerID: bad})
		assert.ErrorIs(t, err, orgs.ErrInvalid, "%q", bad)
	}
	// A member sees it; the public view does not.
	_, err = f.svc.UpdateOrganization(f.ctx, system, "acme", orgs.UpdateOrganizationInput{StripeCustomerID: ptr("cus_1"), Visibility: ptr(orgs.VisibilityPublic)})
	require.NoError(t, err)
	assert.Equal(t, "cus_1", f.get(member, "acme").StripeCustomerID)
	assert.Empty(t, f.get(outsider, "acme").StripeCustomerID)
}

func getSystem(t *testing.T, f *fixture, ref string) *orgs.Organization {
	t.Helper()
	o, err := f.svc.GetOrganization(f.ctx, system, ref)
	require.NoError(t, err)
	return o
}

func testDomainStates(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	o, err := f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Doms",
		Domains:    []string{"dns.example"},
		DomainData: []orgs.DomainInput{{Domain: "man.example", State: orgs.DomainVerified}, {Domain: "pend.example"}}})
	require.NoError(t, err)
	byName := func(o *orgs.Organization) map[string]orgs.Domain {
		m := map[string]orgs.Domain{}
		for _, d := range o.DomainDetails {
			m[d.Domain] = d
		}
		return m
	}
	ds := byName(o)
	assert.Equal(t, orgs.DomainStrategyDNS, ds["dns.example"].Strategy)
	assert.Equal(t, orgs.DomainPending, ds["dns.example"].State)
	assert.Equal(t, orgs.DomainStrategyManual, ds["man.example"].Strategy)
	assert.Equal(t, orgs.DomainVerified, ds["man.example"].State)
	assert.NotNil(t, ds["man.example"].VerifiedAt)
	assert.Equal(t, orgs.DomainPending, ds["pend.example"].State)
	assert.Equal(t, o.DomainDetails, getSystem(t, f, o.ID).DomainDetails, "read as created")

	// A user cannot claim verified; another organization cannot verify
	// what is verified already.
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Mine",
		DomainData: []orgs.DomainInput{{Domain: "mine.example", State: orgs.DomainVerified}}})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Thief", Slug: "thief",
		DomainData: []orgs.DomainInput{{Domain: "man.example", State: orgs.DomainVerified}}})
	assert.ErrorIs(t, err, orgs.ErrDomainTaken)
	_, err = f.svc.GetOrganization(f.ctx, system, "thief")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "nothing written")
	_, err = f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Odd",
		DomainData: []orgs.DomainInput{{Domain: "odd.example", State: "failed"}}})
	assert.ErrorIs(t, err, orgs.ErrInvalid)

	// SetDomainState: system only, recorded.
	d := ds["pend.example"]
	f.clock.Advance(time.Minute)
	got, err := f.svc.SetDomainState(f.ctx, system, o.ID, d.ID, orgs.DomainVerified)
	require.NoError(t, err)
	assert.Equal(t, orgs.DomainVerified, got.State)
	assert.Equal(t, orgs.DomainStrategyManual, got.Strategy)
	assert.Equal(t, f.clock.Now(), got.UpdatedAt)
	es := allEvents(t, f.store, o.ID)
	assert.Equal(t, orgs.EventDomainVerified, es[len(es)-1].Type)
	_, err = f.svc.SetDomainState(f.ctx, system, o.ID, d.ID, orgs.DomainPending)
	require.NoError(t, err)
	es = allEvents(t, f.store, o.ID)
	assert.Equal(t, orgs.EventDomainStateUpdated, es[len(es)-1].Type)
	_, err = f.svc.SetDomainState(f.ctx, orgs.UserActor(owner), "acme", d.ID, orgs.DomainVerified)
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.SetDomainState(f.ctx, system, o.ID, d.ID, "bogus")
	assert.ErrorIs(t, err, orgs.ErrInvalid)
	_, err = f.svc.SetDomainState(f.ctx, system, o.ID, orgs.NewID(orgs.PrefixDomain), orgs.DomainVerified)
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	// DomainData in an update replaces the set; kept names keep their ID
	// and take the given state.
	up, err := f.svc.UpdateOrganization(f.ctx, system, o.ID, orgs.UpdateOrganizationInput{
		DomainData: []orgs.DomainInput{{Domain: "dns.example", State: orgs.DomainVerified}, {Domain: "new.example"}}})
	require.NoError(t, err)
	after := byName(up)
	assert.Len(t, after, 2)
	assert.Equal(t, ds["dns.example"].ID, after["dns.example"].ID)
	assert.Equal(t, ds["dns.example"].CreatedAt, after["dns.example"].CreatedAt)
	assert.Equal(t, orgs.DomainVerified, after["dns.example"].State)
	assert.Equal(t, orgs.DomainStrategyManual, after["dns.example"].Strategy)
	assert.Equal(t, up.DomainDetails, getSystem(t, f, o.ID).DomainDetails, "the update's result is what a read shows")
	assert.Equal(t, []string{"dns.example", "new.example"}, sorted(up.Domains))
	up, err = f.svc.UpdateOrganization(f.ctx, system, o.ID, orgs.UpdateOrganizationInput{DomainData: []orgs.DomainInput{}})
	require.NoError(t, err)
	assert.Empty(t, up.DomainDetails)
	assert.Empty(t, getSystem(t, f, o.ID).Domains)
}

func testDomainObjects(t *testing.T, newStore NewStore) {
	// Every organization read carries its domains as objects, matching
	// Domains by name and order, on every read path.
	f := systemFixture(t, newStore)
	_, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Domains: []string{"b.example", "a.example"}})
	require.NoError(t, err)
	check := func(o *orgs.Organization, path string) {
		t.Helper()
		require.Len(t, o.DomainDetails, len(o.Domains), path)
		for i, d := range o.DomainDetails {
			assert.Equal(t, o.Domains[i], d.Domain, path)
			assert.Equal(t, o.ID, d.OrganizationID, path)
			assert.True(t, strings.HasPrefix(d.ID, orgs.PrefixDomain), path)
			assert.False(t, d.CreatedAt.IsZero(), path)
			assert.False(t, d.UpdatedAt.IsZero(), path)
			assert.Equal(t, orgs.DomainStrategyDNS, d.Strategy, path)
		}
	}
	check(f.get(owner, "acme"), "get")
	l, err := f.svc.ListOrganizations(f.ctx, orgs.UserActor(owner), orgs.OrganizationQuery{})
	require.NoError(t, err)
	check(&l.Data[0], "user list")
	l, err = f.svc.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{})
	require.NoError(t, err)
	check(&l.Data[0], "system list")
	got, err := f.store.GetOrganization(f.ctx, orgs.OrganizationKey{Slug: "acme"}, "")
	require.NoError(t, err)
	check(got, "store")
	ds, err := f.svc.ListDomains(f.ctx, orgs.UserActor(owner), "acme")
	require.NoError(t, err)
	assert.Equal(t, ds, got.DomainDetails, "the same objects as ListDomains")
}

func testSystemInvitationReads(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	other, err := f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	a, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "Zed@Example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	b, err := f.svc.CreateInvitation(f.ctx, system, other.ID, orgs.InvitationInput{Email: "zed@example.com", Role: orgs.RoleAdmin})
	require.NoError(t, err)
	c, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "amy@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)

	got, err := f.svc.GetInvitationByID(f.ctx, system, b.ID)
	require.NoError(t, err)
	assert.Equal(t, other.ID, got.OrganizationID)
	assert.Empty(t, got.Token)
	assert.Nil(t, got.TokenHash)
	_, err = f.svc.GetInvitationByID(f.ctx, system, orgs.NewID(orgs.PrefixInvitation))
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.GetInvitationByID(f.ctx, system, "inv_../x")
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	found, err := f.svc.FindInvitationByToken(f.ctx, system, a.Token)
	require.NoError(t, err)
	assert.Equal(t, a.ID, found.ID)
	assert.Empty(t, found.Token, "never the token")
	assert.Nil(t, found.TokenHash)
	for _, tok := range []string{"", "short", a.Token + "x", strings.Repeat("A", 43)} {
		_, err := f.svc.FindInvitationByToken(f.ctx, system, tok)
		assert.ErrorIs(t, err, orgs.ErrNotFound, "%q", tok)
	}
	re, err := f.svc.ResendInvitation(f.ctx, system, "acme", a.ID)
	require.NoError(t, err, "the system caller resends at once (no throttle by default)")
	_, err = f.svc.FindInvitationByToken(f.ctx, system, a.Token)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the rotated token is gone")
	found, err = f.svc.FindInvitationByToken(f.ctx, system, re.Token)
	require.NoError(t, err)
	assert.Equal(t, a.ID, found.ID)
	_, err = f.svc.FindInvitationByToken(f.ctx, orgs.UserActor(owner), re.Token)
	assert.ErrorIs(t, err, orgs.ErrForbidden)

	list := func(q orgs.AllInvitationsQuery) []string {
		t.Helper()
		l, err := f.svc.ListAllInvitations(f.ctx, system, q)
		require.NoError(t, err)
		var ids []string
		for _, i := range l.Data {
			assert.Empty(t, i.Token)
			ids = append(ids, i.ID)
		}
		return ids
	}
	assert.Equal(t, []string{a.ID, c.ID}, list(orgs.AllInvitationsQuery{Organization: "acme"}))
	assert.Equal(t, []string{c.ID, a.ID}, list(orgs.AllInvitationsQuery{Organization: f.org.ID, Page: orgs.Page{Descending: true}}))
	assert.Equal(t, []string{a.ID, b.ID}, list(orgs.AllInvitationsQuery{Email: "ZED@example.com"}))
	assert.Equal(t, []string{b.ID}, list(orgs.AllInvitationsQuery{Email: "zed@example.com", Organization: "other"}))
	assert.Equal(t, []string{a.ID, b.ID, c.ID}, list(orgs.AllInvitationsQuery{}))
	assert.Equal(t, []string{c.ID, b.ID}, list(orgs.AllInvitationsQuery{Page: orgs.Page{Limit: 2, Descending: true}}))
	assert.Empty(t, list(orgs.AllInvitationsQuery{Email: "nobody@example.com"}))
	_, err = f.svc.ListAllInvitations(f.ctx, system, orgs.AllInvitationsQuery{Email: "not an email"})
	assert.ErrorIs(t, err, orgs.ErrInvalid)
	_, err = f.svc.ListAllInvitations(f.ctx, system, orgs.AllInvitationsQuery{Organization: "missing"})
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	// Revoke records revoked_at.
	f.clock.Advance(time.Minute)
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, system, "acme", c.ID))
	got, err = f.svc.GetInvitationByID(f.ctx, system, c.ID)
	require.NoError(t, err)
	require.NotNil(t, got.RevokedAt)
	assert.Equal(t, f.clock.Now(), *got.RevokedAt)
	assert.Nil(t, got.AcceptedAt)
}

func testSystemInvitationInput(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore, orgs.WithInvitationOptions(orgs.InvitationOptions{SystemMinResendInterval: time.Hour}))
	for _, days := range []int{-1, 31} {
		_, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "d@example.com", Role: orgs.RoleMember, ExpiresInDays: days})
		var ve *orgs.ValidationError
		require.ErrorAs(t, err, &ve, "%d days", days)
		assert.Equal(t, "expires_in_days", ve.Fields[0].Field)
	}
	assert.Empty(t, f.invitationsOf("acme"), "nothing written")
	inv, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "d@example.com", Role: orgs.RoleMember,
		ExpiresInDays: 3, InviterUserID: "someone-else"})
	require.NoError(t, err)
	assert.Equal(t, f.clock.Now().Add(72*time.Hour), inv.ExpiresAt)
	assert.Equal(t, "someone-else", inv.InvitedBy)
	assert.Equal(t, "someone-else", f.invitation(inv.ID).InvitedBy)
	assert.Equal(t, orgs.ActorTypeSystem, f.lastEvent().ActorType, "the event records the system caller")
	sys, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "e@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	assert.Empty(t, sys.InvitedBy, "no inviter: the system caller")
	// A user may not invite on another's behalf.
	_, err = f.svc.CreateInvitation(f.ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "g@example.com", Role: orgs.RoleMember, InviterUserID: admin})
	assert.ErrorIs(t, err, orgs.ErrInvalid)
	// The host's throttle for the system caller applies.
	_, err = f.svc.ResendInvitation(f.ctx, system, "acme", sys.ID)
	assert.ErrorIs(t, err, orgs.ErrResendTooSoon)
}

// invitationsOf lists an organization's invitations through the system
// caller.
func (f *fixture) invitationsOf(ref string) []orgs.Invitation {
	f.t.Helper()
	l, err := f.svc.ListAllInvitations(f.ctx, system, orgs.AllInvitationsQuery{Organization: ref})
	require.NoError(f.t, err)
	return l.Data
}

func testAcceptFor(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	// An explicit user.
	a, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleAdmin})
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	m, inv, err := f.svc.AcceptInvitationFor(f.ctx, system, a.ID, "explicit-user")
	require.NoError(t, err)
	assert.Equal(t, "explicit-user", m.UserID)
	assert.Equal(t, orgs.RoleAdmin, m.Role)
	assert.Equal(t, orgs.MembershipActive, m.Status)
	assert.True(t, strings.HasPrefix(m.ID, "om_"))
	assert.Equal(t, orgs.InvitationAccepted, inv.Status)
	assert.Equal(t, "explicit-user", inv.AcceptedBy)
	require.NotNil(t, inv.AcceptedAt)
	assert.Equal(t, f.clock.Now(), *inv.AcceptedAt)
	stored := f.invitation(a.ID)
	require.NotNil(t, stored.AcceptedAt)
	assert.Equal(t, f.clock.Now(), *stored.AcceptedAt)
	assert.Equal(t, orgs.EventInvitationAccepted, f.lastEvent().Type)
	_, _, err = f.svc.AcceptInvitationFor(f.ctx, system, a.ID, "explicit-user")
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending)

	// Resolved by email from the directory.
	b, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "OSCAR@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	m, _, err = f.svc.AcceptInvitationFor(f.ctx, system, b.ID, "")
	require.NoError(t, err)
	assert.Equal(t, outsider, m.UserID, "the directory's user with the email")

	// Minted, then reused for the same email.
	other, err := f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	c, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "new@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	m, _, err = f.svc.AcceptInvitationFor(f.ctx, system, c.ID, "")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(m.UserID, "user_"), "minted %q", m.UserID)
	d, err := f.svc.CreateInvitation(f.ctx, system, other.ID, orgs.InvitationInput{Email: "new@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	m2, _, err := f.svc.AcceptInvitationFor(f.ctx, system, d.ID, "")
	require.NoError(t, err)
	assert.Equal(t, m.UserID, m2.UserID, "the same email resolves to the same user")

	// Revoked, expired, unknown, already a member.
	e, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "e@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	require.NoError(t, f.svc.RevokeInvitation(f.ctx, system, "acme", e.ID))
	_, _, err = f.svc.AcceptInvitationFor(f.ctx, system, e.ID, "")
	assert.ErrorIs(t, err, orgs.ErrInvitationNotPending)
	g, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "g@example.com", Role: orgs.RoleMember, ExpiresInDays: 1})
	require.NoError(t, err)
	h, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "h@example.com", Role: orgs.RoleMember, ExpiresInDays: 30})
	require.NoError(t, err)
	_, _, err = f.svc.AcceptInvitationFor(f.ctx, system, h.ID, member)
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	f.clock.Advance(25 * time.Hour)
	_, _, err = f.svc.AcceptInvitationFor(f.ctx, system, g.ID, "")
	assert.ErrorIs(t, err, orgs.ErrInvitationExpired)
	_, _, err = f.svc.AcceptInvitationFor(f.ctx, system, orgs.NewID(orgs.PrefixInvitation), "")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, _, err = f.svc.AcceptInvitationFor(f.ctx, system, h.ID, "bad\x00id")
	assert.ErrorIs(t, err, orgs.ErrInvalid)
}

func testConcurrentAcceptFor(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	inv, err := f.svc.CreateInvitation(f.ctx, system, "acme", orgs.InvitationInput{Email: "race@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	const n = 16
	errs := testkit.Storm(n, func(i int) error {
		_, _, err := f.svc.AcceptInvitationFor(f.ctx, system, inv.ID, fmt.Sprintf("racer-%02d", i))
		return err
	})
	o := tally(errs, orgs.ErrInvitationNotPending)
	t.Logf("%d concurrent server-side accepts: %s", n, o)
	assert.Empty(t, o.other)
	assert.Equal(t, 1, o.ok)
	n2, err := f.store.CountMembers(f.ctx, f.org.ID, "")
	require.NoError(t, err)
	assert.Equal(t, 4, n2, "one new member")
}

func testSystemCreatesEmpty(t *testing.T, newStore NewStore) {
	f := systemFixture(t, newStore)
	o, err := f.svc.CreateOrganization(f.ctx, system, orgs.CreateOrganizationInput{Name: "Empty"})
	require.NoError(t, err)
	assert.Zero(t, o.MemberCount)
	l, err := f.svc.ListMemberships(f.ctx, system, orgs.MembershipQuery{Organization: o.ID})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	// Unsupported capabilities are refused, not faked.
	plain := newService(t, plainStore{f.store})
	_, err = plain.ListOrganizations(f.ctx, system, orgs.OrganizationQuery{})
	assert.True(t, errors.Is(err, errors.ErrUnsupported), "%v", err)
	_, err = plain.GetMembership(f.ctx, system, f.membershipID(owner))
	assert.True(t, errors.Is(err, errors.ErrUnsupported), "%v", err)
}

func testIDOrderIsCreationOrder(t *testing.T, newStore NewStore) {
	// Lists are in ID order; WorkOS clients check that creation times
	// agree. Organizations, memberships and invitations made at once by many
	// goroutines (with the real clock) must list with non-decreasing
	// created_at.
	store := openStore(t, newStore)
	needStore[orgs.SystemReader](t, store, "SystemReader")
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone))
	ctx := t.Context()
	const n = 24
	errs := testkit.Storm(n, func(i int) error {
		o, err := svc.CreateOrganization(ctx, system, orgs.CreateOrganizationInput{Name: fmt.Sprintf("Order %02d", i)})
		if err != nil {
			return err
		}
		if _, err := svc.AddMember(ctx, system, o.ID, fmt.Sprintf("u%02d", i), orgs.RoleOwner); err != nil {
			return err
		}
		_, err = svc.CreateInvitation(ctx, system, o.ID, orgs.InvitationInput{Email: fmt.Sprintf("i%02d@example.com", i), Role: orgs.RoleMember})
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	os, err := svc.ListOrganizations(ctx, system, orgs.OrganizationQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(t, err)
	require.Len(t, os.Data, n)
	for i := 1; i < n; i++ {
		assert.False(t, os.Data[i].CreatedAt.Before(os.Data[i-1].CreatedAt), "organization %d created before %d", i, i-1)
	}
	invs, err := svc.ListAllInvitations(ctx, system, orgs.AllInvitationsQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(t, err)
	require.Len(t, invs.Data, n)
	for i := 1; i < n; i++ {
		assert.False(t, invs.Data[i].CreatedAt.Before(invs.Data[i-1].CreatedAt), "invitation %d created before %d", i, i-1)
	}
	if _, ok := store.(orgs.Memberships); ok {
		var ms []orgs.Member
		for i := range n {
			l, err := svc.ListMemberships(ctx, system, orgs.MembershipQuery{UserID: fmt.Sprintf("u%02d", i)})
			require.NoError(t, err)
			ms = append(ms, l.Data...)
		}
		slices.SortFunc(ms, func(a, b orgs.Member) int { return strings.Compare(a.ID, b.ID) })
		for i := 1; i < len(ms); i++ {
			assert.False(t, ms[i].JoinedAt.Before(ms[i-1].JoinedAt), "membership %d created before %d", i, i-1)
		}
	}
}
