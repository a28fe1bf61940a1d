package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestStoreContract checks the orgs.Store contract directly, without the
// Service: round trips, Range paging, conflict sentinels, ErrNotFound,
// rollback, counters, cascades and ErrClosed.
func TestStoreContract(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"OrganizationRoundTrip", testStoreOrganizationRoundTrip},
		{"OrganizationConflicts", testStoreOrganizationConflicts},
		{"UpdateOrganization", testStoreUpdateOrganization},
		{"Range", testStoreRange},
		{"NotFound", testStoreNotFound},
		{"Members", testStoreMembers},
		{"FindMemberByEmail", testStoreFindMemberByEmail},
		{"Categories", testStoreCategories},
		{"Pipelines", testStorePipelines},
		{"Events", testStoreEvents},
		{"Invitations", testStoreInvitations},
		{"Teams", testStoreTeams},
		{"Counters", testStoreCounters},
		{"CascadeDelete", testStoreCascadeDelete},
		{"RollbackOnError", testStoreRollbackOnError},
		{"RollbackOnPanic", testStoreRollbackOnPanic},
		{"CanceledContext", testStoreCanceledContext},
		{"Close", testStoreClose},
	})
}

// now returns the current time as the Service would store it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// storeFixture is a store with one organization "acme" owned by "owner".
func storeFixture(t *testing.T, newStore NewStore) (orgs.Store, *orgs.Organization) {
	t.Helper()
	store := openStore(t, newStore)
	return store, insertOrganization(t, store, "acme", owner)
}

func testStoreOrganizationRoundTrip(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	org, m := newOrganization("acme", owner)
	org.Name, org.Handle, org.Description = "Acme ✓", "acme-hq", "Line 1\nLine 2 — ünïcode 日本"
	org.LogoURL, org.Website, org.Industry = "https://img.example/l.png", "https://acme.example", "Software"
	org.ContactEmail, org.ContactPhone, org.Visibility = "info@acme.example", "+1 555 0100", orgs.VisibilityPublic
	org.Domains, org.ExternalID = []string{"acme.example", "jobs.acme.example"}, "crm-1"
	org.Metadata = map[string]string{"tier": "gold", "emoji": "🚀", "empty": ""}
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		if err := tx.InsertOrganization(ctx, org, m); err != nil {
			return err
		}
		return tx.InsertDomains(ctx, []orgs.Domain{newDomain(org.ID, "acme.example"), newDomain(org.ID, "jobs.acme.example")})
	})

	want := normOrg(org)
	want.Role = orgs.RoleOwner
	for name, key := range map[string]orgs.OrganizationKey{"id": {ID: org.ID}, "slug": {Slug: "acme"}, "external id": {ExternalID: "crm-1"}} {
		got, err := store.GetOrganization(ctx, key, owner)
		require.NoError(t, err, name)
		assert.Equal(t, want, normOrg(got), name)
	}
	for _, viewer := range []string{"", "stranger"} {
		got, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, viewer)
		require.NoError(t, err)
		assert.Equal(t, orgs.Role(""), got.Role, "viewer %q", viewer)
		assert.Equal(t, 1, got.MemberCount)
	}
	l, err := store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: owner, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	require.Len(t, l, 1)
	assert.Equal(t, want, normOrg(&l[0]))
	got, err := store.GetMember(ctx, org.ID, owner)
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleOwner, got.Role)
	assert.True(t, got.JoinedAt.Equal(m.JoinedAt))
	assert.Equal(t, org.ID, got.OrganizationID)
	n, err := store.CountOrganizationsCreatedBy(ctx, owner)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = store.CountOrganizationsCreatedBy(ctx, "nobody")
	require.NoError(t, err)
	assert.Zero(t, n)

	// Domain and search filters.
	for name, tc := range map[string]struct {
		f    orgs.OrganizationFilter
		want int
	}{
		"domain":           {orgs.OrganizationFilter{UserID: owner, Domain: "jobs.acme.example"}, 1},
		"other domain":     {orgs.OrganizationFilter{UserID: owner, Domain: "acme.example.com"}, 0},
		"domain substring": {orgs.OrganizationFilter{UserID: owner, Domain: "acme"}, 0},
		"search":           {orgs.OrganizationFilter{UserID: owner, Search: "ACME ✓"}, 1},
		"search none":      {orgs.OrganizationFilter{UserID: owner, Search: "beta"}, 0},
		"other user":       {orgs.OrganizationFilter{UserID: "stranger"}, 0},
	} {
		tc.f.Range = orgs.Range{MaxRows: 10}
		l, err := store.ListOrganizations(ctx, tc.f)
		require.NoError(t, err)
		assert.Len(t, l, tc.want, name)
	}
}

func testStoreOrganizationConflicts(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	first, m := newOrganization("acme", "alice")
	first.Handle, first.ExternalID = "acme-hq", "ext-1"
	update(t, store, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertOrganization(ctx, first, m) })

	insert := func(mod func(o *orgs.Organization)) error {
		o, m := newOrganization(fmt.Sprintf("other-%d", time.Now().UnixNano()), "bob")
		mod(o)
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertOrganization(ctx, o, m) })
	}
	assert.ErrorIs(t, insert(func(o *orgs.Organization) { o.Slug = "acme" }), orgs.ErrSlugTaken)
	assert.ErrorIs(t, insert(func(o *orgs.Organization) { o.Handle = "acme-hq" }), orgs.ErrHandleTaken)
	assert.ErrorIs(t, insert(func(o *orgs.Organization) { o.ExternalID = "ext-1" }), orgs.ErrExternalIDTaken)
	assert.Error(t, insert(func(o *orgs.Organization) { o.ID = first.ID }), "a duplicate ID is refused")
	n, err := store.CountOrganizationsCreatedBy(ctx, "bob")
	require.NoError(t, err)
	assert.Zero(t, n, "refused inserts leave nothing")
	l, err := store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "bob", Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, l)

	// Empty handles and external IDs never collide.
	for range 3 {
		require.NoError(t, insert(func(*orgs.Organization) {}))
	}

	// Updates conflict the same way.
	second := insertOrganization(t, store, "second", "bob")
	for name, tc := range map[string]struct {
		mod  func(o *orgs.Organization)
		want error
	}{
		"slug":        {func(o *orgs.Organization) { o.Slug = "acme" }, orgs.ErrSlugTaken},
		"handle":      {func(o *orgs.Organization) { o.Handle = "acme-hq" }, orgs.ErrHandleTaken},
		"external id": {func(o *orgs.Organization) { o.ExternalID = "ext-1" }, orgs.ErrExternalIDTaken},
	} {
		o := *second
		tc.mod(&o)
		err := store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			return errors.Join(tx.LockOrganization(ctx, o.ID), tx.UpdateOrganization(ctx, &o))
		})
		assert.ErrorIs(t, err, tc.want, name)
		got, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: second.ID}, "")
		require.NoError(t, err)
		assert.Equal(t, "second", got.Slug, name)
		assert.Empty(t, got.Handle, name)
		assert.Empty(t, got.ExternalID, name)
	}
}

func testStoreUpdateOrganization(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return tx.InsertDomains(ctx, []orgs.Domain{newDomain(org.ID, "a.example"), newDomain(org.ID, "b.example")})
	})

	up := *org
	up.Name, up.Slug, up.Handle, up.Description = "Renamed", "renamed", "renamed-hq", "New"
	up.LogoURL, up.Website, up.Industry = "https://x.example/l.png", "https://x.example", "Legal"
	up.ContactEmail, up.ContactPhone, up.Visibility = "x@x.example", "12345", orgs.VisibilityPublic
	up.Domains, up.ExternalID, up.Metadata = []string{"b.example", "c.example"}, "ext-9", map[string]string{"k": "v"}
	up.UpdatedAt = org.UpdatedAt.Add(time.Hour)
	// Fields a caller may not change are ignored.
	up.MemberCount, up.TeamCount, up.CreatedBy, up.CreatedAt, up.Role = 99, 99, "mallory", org.CreatedAt.Add(-time.Hour), orgs.RoleOwner
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.UpdateOrganization(ctx, &up))
	})

	got, err := store.GetOrganization(ctx, orgs.OrganizationKey{Slug: "renamed"}, owner)
	require.NoError(t, err)
	want := normOrg(&up)
	want.MemberCount, want.TeamCount, want.CreatedBy, want.CreatedAt = 1, 0, owner, org.CreatedAt
	want.Domains = []string{"a.example", "b.example"} // UpdateOrganization leaves domains alone
	assert.Equal(t, want, normOrg(got))
	_, err = store.GetOrganization(ctx, orgs.OrganizationKey{Slug: "acme"}, owner)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the old slug is gone")
	l, err := store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: owner, Domain: "a.example", Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Len(t, l, 1)
	l, err = store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: owner, Domain: "c.example", Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, l)
	n, err := store.CountOrganizationsCreatedBy(ctx, owner)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "CreatedBy is not changed by an update")
}

// rangeCase is one Range and the slice of keys it must return.
type rangeCase struct {
	r        orgs.Range
	from, to int // keys[from:to]
}

// checkRange checks a Store list method against the Range contract. keys
// are all the list's keys in ascending order (at least 8).
func checkRange(t *testing.T, name string, keys []string, list func(r orgs.Range) ([]string, error)) {
	t.Helper()
	require.GreaterOrEqual(t, len(keys), 8)
	n := len(keys)
	between := func(i int) string { return keys[i] + "0" } // after keys[i], before keys[i+1]
	for _, tc := range []rangeCase{
		{orgs.Range{MaxRows: n + 1}, 0, n},
		{orgs.Range{MaxRows: n}, 0, n},
		{orgs.Range{MaxRows: 3}, 0, 3},
		{orgs.Range{After: keys[2], MaxRows: 3}, 3, 6},
		{orgs.Range{After: keys[n-3], MaxRows: 5}, n - 2, n},
		{orgs.Range{After: keys[n-1], MaxRows: 3}, n, n},
		{orgs.Range{After: between(2), MaxRows: 2}, 3, 5},
		{orgs.Range{Before: keys[5], MaxRows: 3}, 2, 5},
		{orgs.Range{Before: keys[1], MaxRows: 3}, 0, 1},
		{orgs.Range{Before: keys[0], MaxRows: 3}, 0, 0},
		{orgs.Range{Before: between(n - 1), MaxRows: 2}, n - 2, n},
		{orgs.Range{Before: between(4), MaxRows: 2}, 3, 5},
		{orgs.Range{Before: keys[n-1], MaxRows: n + 1}, 0, n - 1},
		{orgs.Range{After: keys[1], Before: keys[6], MaxRows: 10}, 2, 6},
		{orgs.Range{After: keys[1], Before: keys[6], MaxRows: 2}, 2, 4},
		{orgs.Range{After: keys[3], Before: keys[4], MaxRows: 2}, 4, 4},
	} {
		got, err := list(tc.r)
		require.NoError(t, err, "%s %+v", name, tc.r)
		want := keys[tc.from:tc.to]
		if len(want) == 0 {
			want = nil
		}
		if len(got) == 0 {
			got = nil
		}
		assert.Equal(t, want, got, "%s with %+v", name, tc.r)
	}
}

func testStoreRange(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	const n = 10
	var orgIDs []string
	for i := range n {
		orgIDs = append(orgIDs, insertOrganization(t, store, fmt.Sprintf("org-%02d", i), "alice").ID)
	}
	insertOrganization(t, store, "bobs", "bob")
	orgID := orgIDs[0]
	checkRange(t, "ListOrganizations", orgIDs, func(r orgs.Range) ([]string, error) {
		l, err := store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "alice", Range: r})
		return keysOf(l, func(o orgs.Organization) string { return o.ID }), err
	})

	users := names("u", n)
	team := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: orgID, Name: "T", Slug: "t", CreatedAt: now(), UpdatedAt: now()}
	var eventIDs, invIDs, teamIDs []string
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		if err := tx.LockOrganization(ctx, orgID); err != nil {
			return err
		}
		if err := tx.InsertTeam(ctx, team); err != nil {
			return err
		}
		teamIDs = append(teamIDs, team.ID)
		for i, u := range users {
			if err := tx.InsertMember(ctx, &orgs.Member{OrganizationID: orgID, UserID: u, Role: orgs.RoleMember, JoinedAt: now()}); err != nil {
				return err
			}
			if err := tx.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: team.ID, UserID: u, Role: orgs.TeamRoleMember, JoinedAt: now()}); err != nil {
				return err
			}
			e := &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: orgID, Type: "test.event", ActorID: u, CreatedAt: now()}
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
			eventIDs = append(eventIDs, e.ID)
			inv := newInvitation(orgID, fmt.Sprintf("i%02d@example.com", i))
			if err := tx.InsertInvitation(ctx, inv); err != nil {
				return err
			}
			invIDs = append(invIDs, inv.ID)
			tm := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: orgID, Name: "T", Slug: fmt.Sprintf("t-%02d", i), CreatedAt: now(), UpdatedAt: now()}
			if err := tx.InsertTeam(ctx, tm); err != nil {
				return err
			}
			teamIDs = append(teamIDs, tm.ID)
		}
		return nil
	})
	checkRange(t, "ListMembers", sorted(append(users, "alice")), func(r orgs.Range) ([]string, error) {
		l, err := store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: orgID, Range: r})
		return keysOf(l, func(m orgs.Member) string { return m.UserID }), err
	})
	checkRange(t, "ListMembers by role", users, func(r orgs.Range) ([]string, error) {
		l, err := store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: orgID, Role: orgs.RoleMember, Range: r})
		return keysOf(l, func(m orgs.Member) string { return m.UserID }), err
	})
	checkRange(t, "ListTeamMembers", users, func(r orgs.Range) ([]string, error) {
		l, err := store.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: team.ID, Range: r})
		return keysOf(l, func(m orgs.TeamMember) string { return m.UserID }), err
	})
	checkRange(t, "ListEvents", eventIDs, func(r orgs.Range) ([]string, error) {
		l, err := store.ListEvents(ctx, orgs.EventFilter{OrganizationID: orgID, Type: "test.event", Range: r})
		return keysOf(l, func(e orgs.Event) string { return e.ID }), err
	})
	checkRange(t, "ListInvitations", invIDs, func(r orgs.Range) ([]string, error) {
		l, err := store.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: orgID, Now: now(), Range: r})
		return keysOf(l, func(i orgs.Invitation) string { return i.ID }), err
	})
	checkRange(t, "ListInvitations pending", invIDs, func(r orgs.Range) ([]string, error) {
		l, err := store.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: orgID, Status: orgs.InvitationPending, Now: now(), Range: r})
		return keysOf(l, func(i orgs.Invitation) string { return i.ID }), err
	})
	checkRange(t, "ListTeams", teamIDs, func(r orgs.Range) ([]string, error) {
		l, err := store.ListTeams(ctx, orgs.TeamFilter{OrganizationID: orgID, Range: r})
		return keysOf(l, func(tm orgs.Team) string { return tm.ID }), err
	})
}

// keysOf returns the keys of items.
func keysOf[T any](items []T, key func(T) string) []string {
	ks := make([]string, len(items))
	for i, x := range items {
		ks[i] = key(x)
	}
	return ks
}

// newInvitation returns a pending invitation to orgID for email, valid for
// a day, with a random token hash.
func newInvitation(orgID, email string) *orgs.Invitation {
	t := now()
	h := sha256.Sum256([]byte(orgs.NewID("token")))
	return &orgs.Invitation{ID: orgs.NewID(orgs.PrefixInvitation), OrganizationID: orgID, Email: email, Role: orgs.RoleMember,
		Status: orgs.InvitationPending, InvitedBy: owner, InviterUsername: "olivia", TokenHash: h[:],
		LastSentAt: t, ExpiresAt: t.Add(24 * time.Hour), CreatedAt: t, UpdatedAt: t}
}

func testStoreNotFound(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", owner)
	// Rows of the other organization, to ask for through the wrong one.
	cat := orgs.Category{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: other.ID, Name: "Cat", CreatedAt: now()}
	pipe := &orgs.Pipeline{ID: orgs.NewID(orgs.PrefixPipeline), OrganizationID: other.ID, Name: "P", CreatedAt: now(), Stages: []orgs.Stage{}}
	inv := newInvitation(other.ID, "x@example.com")
	team := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: other.ID, Name: "T", Slug: "team", CreatedAt: now(), UpdatedAt: now()}
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, other.ID), tx.InsertCategories(ctx, []orgs.Category{cat}),
			tx.InsertPipeline(ctx, pipe), tx.InsertInvitation(ctx, inv), tx.InsertTeam(ctx, team))
	})
	missingOrg := orgs.NewID(orgs.PrefixOrganization)
	missingTeam := orgs.NewID(orgs.PrefixTeam)

	reads := map[string]func(tx orgs.Reader) error{
		"GetOrganization id": func(tx orgs.Reader) error {
			return get2(tx.GetOrganization(ctx, orgs.OrganizationKey{ID: missingOrg}, owner))
		},
		"GetOrganization slug": func(tx orgs.Reader) error {
			return get2(tx.GetOrganization(ctx, orgs.OrganizationKey{Slug: "missing"}, owner))
		},
		"GetOrganization external": func(tx orgs.Reader) error {
			return get2(tx.GetOrganization(ctx, orgs.OrganizationKey{ExternalID: "missing"}, owner))
		},
		"GetMember":             func(tx orgs.Reader) error { return get2(tx.GetMember(ctx, org.ID, "nobody")) },
		"GetMember other org":   func(tx orgs.Reader) error { return get2(tx.GetMember(ctx, missingOrg, owner)) },
		"GetPipeline":           func(tx orgs.Reader) error { return get2(tx.GetPipeline(ctx, org.ID, orgs.NewID(orgs.PrefixPipeline))) },
		"GetPipeline wrong org": func(tx orgs.Reader) error { return get2(tx.GetPipeline(ctx, org.ID, pipe.ID)) },
		"GetInvitation": func(tx orgs.Reader) error {
			return get2(tx.GetInvitation(ctx, org.ID, orgs.NewID(orgs.PrefixInvitation)))
		},
		"GetInvitation wrong org":  func(tx orgs.Reader) error { return get2(tx.GetInvitation(ctx, org.ID, inv.ID)) },
		"GetInvitationByTokenHash": func(tx orgs.Reader) error { return get2(tx.GetInvitationByTokenHash(ctx, make([]byte, 32))) },
		"FindPendingInvitation":    func(tx orgs.Reader) error { return get2(tx.FindPendingInvitation(ctx, org.ID, "x@example.com")) },
		"GetTeam":                  func(tx orgs.Reader) error { return get2(tx.GetTeam(ctx, org.ID, "missing")) },
		"GetTeam wrong org":        func(tx orgs.Reader) error { return get2(tx.GetTeam(ctx, org.ID, "team")) },
		"GetTeamMember":            func(tx orgs.Reader) error { return get2(tx.GetTeamMember(ctx, team.ID, owner)) },
		"GetTeamMember no team":    func(tx orgs.Reader) error { return get2(tx.GetTeamMember(ctx, missingTeam, owner)) },
	}
	err := store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return tx.LockOrganization(ctx, missingOrg) })
	assert.ErrorIs(t, err, orgs.ErrNotFound, "LockOrganization of a missing organization")
	for name, read := range reads {
		assert.ErrorIs(t, read(store), orgs.ErrNotFound, "%s on the store", name)
		err := store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return read(tx) })
		assert.ErrorIs(t, err, orgs.ErrNotFound, "%s in Update", name)
	}

	missingCat := cat
	missingCat.ID = orgs.NewID(orgs.PrefixCategory)
	wrongCat := cat
	wrongCat.OrganizationID = org.ID
	missingPipe := *pipe
	missingPipe.ID = orgs.NewID(orgs.PrefixPipeline)
	missingInv := *inv
	missingInv.ID = orgs.NewID(orgs.PrefixInvitation)
	missingTeamRow := *team
	missingTeamRow.ID = missingTeam
	missingOrgRow, _ := newOrganization("ghost", owner)
	before := snapshot(t, store, other.ID)
	for name, write := range map[string]func(ctx context.Context, tx orgs.Tx) error{
		"UpdateOrganization": func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateOrganization(ctx, missingOrgRow) },
		"DeleteOrganization": func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteOrganization(ctx, missingOrg) },
		"UpdateMemberRole": func(ctx context.Context, tx orgs.Tx) error {
			return tx.UpdateMemberRole(ctx, org.ID, "nobody", orgs.RoleAdmin)
		},
		"DeleteMember":             func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteMember(ctx, org.ID, "nobody") },
		"UpdateCategory":           func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateCategory(ctx, &missingCat) },
		"UpdateCategory wrong org": func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateCategory(ctx, &wrongCat) },
		"DeleteCategory":           func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteCategory(ctx, other.ID, missingCat.ID) },
		"DeleteCategory wrong org": func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteCategory(ctx, org.ID, cat.ID) },
		"UpdatePipeline":           func(ctx context.Context, tx orgs.Tx) error { return tx.UpdatePipeline(ctx, &missingPipe) },
		"DeletePipeline":           func(ctx context.Context, tx orgs.Tx) error { return tx.DeletePipeline(ctx, other.ID, missingPipe.ID) },
		"DeletePipeline wrong org": func(ctx context.Context, tx orgs.Tx) error { return tx.DeletePipeline(ctx, org.ID, pipe.ID) },
		"UpdateInvitation":         func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateInvitation(ctx, &missingInv) },
		"UpdateTeam":               func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateTeam(ctx, &missingTeamRow) },
		"DeleteTeam":               func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteTeam(ctx, other.ID, missingTeam) },
		"DeleteTeam wrong org":     func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteTeam(ctx, org.ID, team.ID) },
		"UpdateTeamMemberRole": func(ctx context.Context, tx orgs.Tx) error {
			return tx.UpdateTeamMemberRole(ctx, team.ID, owner, orgs.TeamRoleMaintainer)
		},
		"DeleteTeamMember":         func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteTeamMember(ctx, team.ID, owner) },
		"DeleteTeamMember no team": func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteTeamMember(ctx, missingTeam, owner) },
		"UpdateMemberRole no org": func(ctx context.Context, tx orgs.Tx) error {
			return tx.UpdateMemberRole(ctx, missingOrg, owner, orgs.RoleAdmin)
		},
		"DeleteMember no org": func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteMember(ctx, missingOrg, owner) },
		"UpdateCategory no such org": func(ctx context.Context, tx orgs.Tx) error {
			c := cat
			c.OrganizationID = missingOrg
			return tx.UpdateCategory(ctx, &c)
		},
	} {
		err := store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := errors.Join(tx.LockOrganization(ctx, org.ID), tx.LockOrganization(ctx, other.ID)); err != nil {
				return fmt.Errorf("locking: %v", err) // not ErrNotFound
			}
			return write(ctx, tx)
		})
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
	assert.Equal(t, before, snapshot(t, store, other.ID), "nothing of the other organization changed")
}

func testStoreMembers(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", "bob")
	add := func(orgID, user string, role orgs.Role) error {
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := tx.LockOrganization(ctx, orgID); err != nil {
				return err
			}
			return tx.InsertMember(ctx, &orgs.Member{OrganizationID: orgID, UserID: user, Role: role, JoinedAt: now()})
		})
	}
	require.NoError(t, add(org.ID, "ann", orgs.RoleAdmin))
	require.NoError(t, add(org.ID, "ben", orgs.RoleMember))
	require.NoError(t, add(org.ID, "cat", orgs.RoleMember))
	require.NoError(t, add(other.ID, "ann", orgs.RoleMember), "a user may belong to several organizations")
	assert.ErrorIs(t, add(org.ID, "ann", orgs.RoleMember), orgs.ErrAlreadyMember)
	assert.ErrorIs(t, add(org.ID, owner, orgs.RoleMember), orgs.ErrAlreadyMember)
	m, err := store.GetMember(ctx, org.ID, "ann")
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleAdmin, m.Role, "a refused insert changes nothing")

	for role, want := range map[orgs.Role]int{"": 4, orgs.RoleOwner: 1, orgs.RoleAdmin: 1, orgs.RoleMember: 2, "ghost": 0} {
		n, err := store.CountMembers(ctx, org.ID, role)
		require.NoError(t, err)
		assert.Equal(t, want, n, "role %q", role)
	}

	for _, u := range []orgs.User{
		{ID: "ann", Username: "ann_1", Email: "ann@corp.example", Name: "Ann Archer", AvatarURL: "https://img.example/a.png"},
		{ID: "ben", Username: "benny", Email: "ben@home.example", Name: "Ben Baker"},
	} {
		require.NoError(t, putUser(t, store, &u))
	}
	users, err := store.Users(ctx, []string{"ann", "ben", "cat", "ann"})
	require.NoError(t, err)
	assert.Len(t, users, 2, "unknown IDs are left out")
	assert.Equal(t, "Ann Archer", users["ann"].Name)
	users, err = store.Users(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, users)
	require.NoError(t, putUser(t, store, &orgs.User{ID: "ben", Name: "Benjamin"}))
	users, err = store.Users(ctx, []string{"ben"})
	require.NoError(t, err)
	assert.Equal(t, orgs.User{ID: "ben", Name: "Benjamin"}, users["ben"], "PutUser replaces the whole profile")

	list := func(f orgs.MemberFilter) []string {
		t.Helper()
		f.OrganizationID, f.Range.MaxRows = org.ID, 50
		ms, err := store.ListMembers(ctx, f)
		require.NoError(t, err)
		return userIDs(ms)
	}
	assert.Equal(t, []string{"ann", "ben", "cat", owner}, list(orgs.MemberFilter{}))
	assert.Equal(t, []string{"ben", "cat"}, list(orgs.MemberFilter{Role: orgs.RoleMember}))
	assert.Equal(t, []string{"ann"}, list(orgs.MemberFilter{Search: "ARCHER"}))
	assert.Equal(t, []string{"ann"}, list(orgs.MemberFilter{Search: "corp.EX"}))
	assert.Equal(t, []string{"ann"}, list(orgs.MemberFilter{Search: "_1"}))
	assert.Equal(t, []string{"ben"}, list(orgs.MemberFilter{Search: "jam"}))
	assert.Empty(t, list(orgs.MemberFilter{Search: "benny"}), "the replaced profile no longer matches")
	assert.Empty(t, list(orgs.MemberFilter{Search: "%"}))
	assert.Empty(t, list(orgs.MemberFilter{Search: "ann", Role: orgs.RoleMember}))
	ms, err := store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: 50}})
	require.NoError(t, err)
	require.Len(t, ms, 4)
	assert.Equal(t, orgs.Member{OrganizationID: org.ID, UserID: "ann", Role: orgs.RoleAdmin, JoinedAt: ms[0].JoinedAt,
		Username: "ann_1", Email: "ann@corp.example", Name: "Ann Archer", AvatarURL: "https://img.example/a.png"}, memberCore(ms[0]))
	assert.Empty(t, ms[2].Name+ms[2].Email+ms[2].Username, "no profile: blank")
	got, err := store.GetMember(ctx, org.ID, "ann")
	require.NoError(t, err)
	assert.Equal(t, ms[0].Email, got.Email, "GetMember joins the profile")

	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.UpdateMemberRole(ctx, org.ID, "ben", orgs.RoleAdmin))
	})
	assert.Equal(t, []string{"ann", "ben"}, list(orgs.MemberFilter{Role: orgs.RoleAdmin}))
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.DeleteMember(ctx, org.ID, "ann"))
	})
	assert.Equal(t, []string{"ben", "cat", owner}, list(orgs.MemberFilter{}))
	_, err = store.GetMember(ctx, other.ID, "ann")
	require.NoError(t, err, "the other membership stays")
}

func testStoreCategories(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", owner)
	insert := func(orgID string, names ...string) ([]orgs.Category, error) {
		var cs []orgs.Category
		existing, err := store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: orgID})
		if err != nil {
			return nil, err
		}
		for i, n := range names {
			cs = append(cs, orgs.Category{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: orgID, Name: n, Position: len(existing) + i, CreatedAt: now()})
		}
		return cs, store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			return errors.Join(tx.LockOrganization(ctx, orgID), tx.InsertCategories(ctx, cs))
		})
	}
	cs, err := insert(org.ID, "Sales", "Finance", "Ops")
	require.NoError(t, err)
	_, err = insert(other.ID, "Sales")
	require.NoError(t, err, "names are unique per organization")
	for name, names := range map[string][]string{
		"same":            {"Sales"},
		"other case":      {"SALES"},
		"in a batch":      {"New", "new"},
		"after new names": {"Fresh", "finance"},
	} {
		_, err := insert(org.ID, names...)
		assert.ErrorIs(t, err, orgs.ErrNameTaken, name)
	}
	got, err := store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{"Sales", "Finance", "Ops"}, categoryNames(t, got), "refused batches insert nothing")
	assert.Equal(t, cs[0].ID, got[0].ID)
	assert.Equal(t, org.ID, got[0].OrganizationID)

	// Moves and renames.
	swap := func(a, b orgs.Category) {
		a.Position, b.Position = b.Position, a.Position
		update(t, store, func(ctx context.Context, tx orgs.Tx) error {
			return errors.Join(tx.LockOrganization(ctx, org.ID), tx.UpdateCategory(ctx, &a), tx.UpdateCategory(ctx, &b))
		})
	}
	swap(cs[0], cs[2])
	got, err = store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{"Ops", "Finance", "Sales"}, categoryNames(t, got), "listed by position")
	renamed := got[1]
	renamed.Name = "OPS"
	err = store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.UpdateCategory(ctx, &renamed))
	})
	assert.ErrorIs(t, err, orgs.ErrNameTaken)
	renamed = got[0]
	renamed.Name = "OPS"
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.UpdateCategory(ctx, &renamed))
	})
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.DeleteCategory(ctx, org.ID, got[1].ID))
	})
	got, err = store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "OPS", got[0].Name)
	assert.Equal(t, "Sales", got[1].Name)
	_, err = insert(org.ID, "finance")
	require.NoError(t, err, "a deleted category's name is free")
}

func testStorePipelines(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	mk := func(name string, def bool, stages ...string) *orgs.Pipeline {
		p := &orgs.Pipeline{ID: orgs.NewID(orgs.PrefixPipeline), OrganizationID: org.ID, Name: name, IsDefault: def, CreatedAt: now(), Stages: []orgs.Stage{}}
		for i, s := range stages {
			p.Stages = append(p.Stages, orgs.Stage{ID: orgs.NewID(orgs.PrefixStage), PipelineID: p.ID, Name: s, Position: i})
		}
		update(t, store, func(ctx context.Context, tx orgs.Tx) error {
			return errors.Join(tx.LockOrganization(ctx, org.ID), tx.InsertPipeline(ctx, p))
		})
		return p
	}
	a := mk("A", true, "One", "Two", "Three")
	b := mk("B", false)
	ps, err := store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	require.Len(t, ps, 2)
	assert.Equal(t, a.ID, ps[0].ID)
	assert.Equal(t, []string{"One", "Two", "Three"}, stageNames(t, &ps[0]))
	assert.True(t, ps[0].IsDefault)
	assert.Empty(t, ps[1].Stages)
	assert.Equal(t, org.ID, ps[0].OrganizationID)
	got, err := store.GetPipeline(ctx, org.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Stages, got.Stages)
	assert.Equal(t, a.Name, got.Name)

	// Replace: keep Three (renamed, first), add Four, drop One and Two.
	up := *a
	up.Name, up.IsDefault = "A2", false
	up.Stages = []orgs.Stage{
		{ID: a.Stages[2].ID, PipelineID: a.ID, Name: "Three!", Position: 0},
		{ID: orgs.NewID(orgs.PrefixStage), PipelineID: a.ID, Name: "Four", Position: 1},
	}
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.UpdatePipeline(ctx, &up))
	})
	got, err = store.GetPipeline(ctx, org.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "A2", got.Name)
	assert.False(t, got.IsDefault)
	assert.Equal(t, up.Stages, got.Stages)

	// Swap two stages' positions in one write.
	up.Stages[0].Position, up.Stages[1].Position = 1, 0
	up.Stages[0], up.Stages[1] = up.Stages[1], up.Stages[0]
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.UpdatePipeline(ctx, &up))
	})
	got, err = store.GetPipeline(ctx, org.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Four", "Three!"}, stageNames(t, got))

	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.DeletePipeline(ctx, org.ID, a.ID))
	})
	_, err = store.GetPipeline(ctx, org.ID, a.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	ps, err = store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, b.ID, ps[0].ID)
}

func testStoreEvents(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", owner)
	e1 := &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: org.ID, Type: "a.one", ActorID: owner,
		Data: map[string]string{"k": "v", "unicode": "日本 ✓", "empty": ""}, CreatedAt: now()}
	e2 := &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: org.ID, Type: "b.two", ActorID: "x", CreatedAt: now()}
	e3 := &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: other.ID, Type: "a.one", ActorID: owner, CreatedAt: now()}
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.InsertEvent(ctx, e1), tx.InsertEvent(ctx, e2), tx.InsertEvent(ctx, e3))
	})
	es, err := store.ListEvents(ctx, orgs.EventFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	require.Len(t, es, 2)
	assert.Equal(t, e1.ID, es[0].ID)
	assert.Equal(t, e1.Data, es[0].Data)
	assert.Equal(t, "a.one", string(es[0].Type))
	assert.Equal(t, owner, es[0].ActorID)
	assert.Equal(t, org.ID, es[0].OrganizationID)
	assert.True(t, es[0].CreatedAt.Equal(e1.CreatedAt))
	assert.Empty(t, es[1].Data)
	es, err = store.ListEvents(ctx, orgs.EventFilter{OrganizationID: org.ID, Type: "b.two", Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, e2.ID, es[0].ID)
	es, err = store.ListEvents(ctx, orgs.EventFilter{OrganizationID: orgs.NewID(orgs.PrefixOrganization), Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, es)

	// Events may be written for an organization that no longer exists (the
	// Service records organization.deleted after deleting).
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		if err := tx.LockOrganization(ctx, other.ID); err != nil {
			return err
		}
		if err := tx.DeleteOrganization(ctx, other.ID); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: other.ID, Type: "organization.deleted", ActorID: owner, CreatedAt: now()})
	})
	assert.Len(t, allEvents(t, store, other.ID), 2)
}

func testStoreInvitations(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	write := func(fn func(ctx context.Context, tx orgs.Tx) error) error {
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := tx.LockOrganization(ctx, org.ID); err != nil {
				return err
			}
			return fn(ctx, tx)
		})
	}
	inv := newInvitation(org.ID, "a@example.com")
	inv.Role, inv.ResendCount = orgs.RoleAdmin, 2
	require.NoError(t, write(func(ctx context.Context, tx orgs.Tx) error { return tx.InsertInvitation(ctx, inv) }))
	got, err := store.GetInvitation(ctx, org.ID, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, normInvitation(*inv), normInvitation(*got))
	got, err = store.GetInvitationByTokenHash(ctx, inv.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, inv.ID, got.ID)
	got, err = store.FindPendingInvitation(ctx, org.ID, "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, inv.ID, got.ID)

	dup := newInvitation(org.ID, "a@example.com")
	assert.ErrorIs(t, write(func(ctx context.Context, tx orgs.Tx) error { return tx.InsertInvitation(ctx, dup) }), orgs.ErrAlreadyInvited)
	// Even when the pending one has expired.
	old := newInvitation(org.ID, "b@example.com")
	old.ExpiresAt = now().Add(-time.Hour)
	require.NoError(t, write(func(ctx context.Context, tx orgs.Tx) error { return tx.InsertInvitation(ctx, old) }))
	got, err = store.FindPendingInvitation(ctx, org.ID, "b@example.com")
	require.NoError(t, err, "an expired pending invitation is still found")
	assert.Equal(t, old.ID, got.ID)
	dup = newInvitation(org.ID, "b@example.com")
	dup.ExpiresAt = inv.ExpiresAt // both pending ones expire together, below
	assert.ErrorIs(t, write(func(ctx context.Context, tx orgs.Tx) error { return tx.InsertInvitation(ctx, dup) }), orgs.ErrAlreadyInvited)

	// Updating writes status, token hash, counters and times.
	up := *got
	h := sha256.Sum256([]byte("new token"))
	up.Status, up.TokenHash, up.ResendCount, up.AcceptedBy = orgs.InvitationAccepted, h[:], 5, "bob"
	up.LastSentAt, up.ExpiresAt, up.UpdatedAt = now().Add(time.Minute), now().Add(48*time.Hour), now().Add(time.Minute)
	require.NoError(t, write(func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateInvitation(ctx, &up) }))
	got, err = store.GetInvitation(ctx, org.ID, old.ID)
	require.NoError(t, err)
	assert.Equal(t, normInvitation(up), normInvitation(*got))
	_, err = store.GetInvitationByTokenHash(ctx, old.TokenHash)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the old hash is gone")
	_, err = store.FindPendingInvitation(ctx, org.ID, "b@example.com")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "no longer pending")
	require.NoError(t, write(func(ctx context.Context, tx orgs.Tx) error { return tx.InsertInvitation(ctx, dup) }), "a new invitation once the old is not pending")

	// Status filters and the pending count use Now.
	rev := newInvitation(org.ID, "c@example.com")
	rev.Status = orgs.InvitationRevoked
	require.NoError(t, write(func(ctx context.Context, tx orgs.Tx) error { return tx.InsertInvitation(ctx, rev) }))
	list := func(status orgs.InvitationStatus, at time.Time) []string {
		l, err := store.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: org.ID, Status: status, Now: at, Range: orgs.Range{MaxRows: 20}})
		require.NoError(t, err)
		return keysOf(l, func(i orgs.Invitation) string { return i.ID })
	}
	t0 := now()
	assert.Equal(t, []string{inv.ID, old.ID, dup.ID, rev.ID}, list("", t0))
	assert.Equal(t, []string{inv.ID, dup.ID}, list(orgs.InvitationPending, t0))
	assert.Equal(t, []string{old.ID}, list(orgs.InvitationAccepted, t0))
	assert.Equal(t, []string{rev.ID}, list(orgs.InvitationRevoked, t0))
	assert.Empty(t, list(orgs.InvitationExpired, t0))
	later := inv.ExpiresAt
	assert.Equal(t, []string{inv.ID, dup.ID}, list(orgs.InvitationExpired, later), "expired at ExpiresAt")
	assert.Empty(t, list(orgs.InvitationPending, later))
	for at, want := range map[time.Time]int{t0: 2, later.Add(-time.Microsecond): 2, later: 0} {
		n, err := store.CountPendingInvitations(ctx, org.ID, at)
		require.NoError(t, err)
		assert.Equal(t, want, n, "pending at %v", at)
	}
}

// normInvitation makes an invitation comparable: times in UTC.
func normInvitation(i orgs.Invitation) orgs.Invitation {
	i.LastSentAt, i.ExpiresAt, i.CreatedAt, i.UpdatedAt = i.LastSentAt.UTC(), i.ExpiresAt.UTC(), i.CreatedAt.UTC(), i.UpdatedAt.UTC()
	return i
}

func testStoreTeams(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", owner)
	write := func(orgID string, fn func(ctx context.Context, tx orgs.Tx) error) error {
		return store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := tx.LockOrganization(ctx, orgID); err != nil {
				return err
			}
			return fn(ctx, tx)
		})
	}
	mk := func(orgID, slug string) *orgs.Team {
		return &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: orgID, Name: "Team " + slug, Slug: slug,
			Description: "About " + slug, Color: "#abcdef", CreatedAt: now(), UpdatedAt: now()}
	}
	core := mk(org.ID, "core")
	require.NoError(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertTeam(ctx, core) }))
	assert.ErrorIs(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertTeam(ctx, mk(org.ID, "core")) }), orgs.ErrSlugTaken)
	require.NoError(t, write(other.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertTeam(ctx, mk(other.ID, "core")) }))
	got, err := store.GetTeam(ctx, org.ID, "core")
	require.NoError(t, err)
	assert.Equal(t, core.ID, got.ID)
	assert.Equal(t, core.Name, got.Name)
	assert.Equal(t, core.Description, got.Description)
	assert.Equal(t, core.Color, got.Color)
	assert.Equal(t, org.ID, got.OrganizationID)
	assert.True(t, got.CreatedAt.Equal(core.CreatedAt))

	ops := mk(org.ID, "ops")
	require.NoError(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertTeam(ctx, ops) }))
	renamed := *ops
	renamed.Slug = "core"
	assert.ErrorIs(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateTeam(ctx, &renamed) }), orgs.ErrSlugTaken)
	renamed.Slug, renamed.Name, renamed.Description, renamed.Color = "operations", "Operations", "", "#000000"
	renamed.UpdatedAt = now().Add(time.Hour)
	require.NoError(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateTeam(ctx, &renamed) }))
	got, err = store.GetTeam(ctx, org.ID, "operations")
	require.NoError(t, err)
	assert.Equal(t, "Operations", got.Name)
	assert.Empty(t, got.Description)
	assert.Equal(t, "#000000", got.Color)
	assert.True(t, got.UpdatedAt.Equal(renamed.UpdatedAt))
	_, err = store.GetTeam(ctx, org.ID, "ops")
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	require.NoError(t, putUser(t, store, &orgs.User{ID: owner, Username: "olivia", Name: "Olivia"}))
	tm := &orgs.TeamMember{TeamID: core.ID, UserID: owner, Role: orgs.TeamRoleMaintainer, JoinedAt: now()}
	require.NoError(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertTeamMember(ctx, tm) }))
	assert.ErrorIs(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error {
		return tx.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: core.ID, UserID: owner, Role: orgs.TeamRoleMember, JoinedAt: now()})
	}), orgs.ErrAlreadyMember)
	gm, err := store.GetTeamMember(ctx, core.ID, owner)
	require.NoError(t, err)
	assert.Equal(t, orgs.TeamRoleMaintainer, gm.Role)
	assert.Equal(t, "olivia", gm.Username, "with the profile")
	assert.Equal(t, "Olivia", gm.Name)
	assert.True(t, gm.JoinedAt.Equal(tm.JoinedAt))
	ms, err := store.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: core.ID, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, "Olivia", ms[0].Name)
	require.NoError(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error {
		return tx.UpdateTeamMemberRole(ctx, core.ID, owner, orgs.TeamRoleMember)
	}))
	gm, err = store.GetTeamMember(ctx, core.ID, owner)
	require.NoError(t, err)
	assert.Equal(t, orgs.TeamRoleMember, gm.Role)
	require.NoError(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteTeamMember(ctx, core.ID, owner) }))
	_, err = store.GetTeamMember(ctx, core.ID, owner)
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	require.NoError(t, write(org.ID, func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteTeam(ctx, org.ID, core.ID) }))
	_, err = store.GetTeam(ctx, org.ID, "core")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = store.GetTeam(ctx, other.ID, "core")
	require.NoError(t, err, "the other organization's team stays")
}

func testStoreCounters(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	counts := func(tx orgs.Reader) (members, teams int) {
		t.Helper()
		o, err := tx.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, "")
		require.NoError(t, err)
		return o.MemberCount, o.TeamCount
	}
	teamCount := func(tx orgs.Reader, slug string) int {
		t.Helper()
		tm, err := tx.GetTeam(ctx, org.ID, slug)
		require.NoError(t, err)
		return tm.MemberCount
	}
	a := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: org.ID, Name: "A", Slug: "aaa", CreatedAt: now(), UpdatedAt: now()}
	b := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: org.ID, Name: "B", Slug: "bbb", CreatedAt: now(), UpdatedAt: now()}
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		require.NoError(t, tx.LockOrganization(ctx, org.ID))
		m, tc := counts(tx)
		assert.Equal(t, 1, m)
		assert.Zero(t, tc)
		for _, u := range []string{"u1", "u2", "u3"} {
			require.NoError(t, tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: u, Role: orgs.RoleMember, JoinedAt: now()}))
		}
		require.NoError(t, tx.InsertTeam(ctx, a))
		require.NoError(t, tx.InsertTeam(ctx, b))
		for _, u := range []string{"u1", "u2", "u3"} {
			require.NoError(t, tx.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: a.ID, UserID: u, Role: orgs.TeamRoleMember, JoinedAt: now()}))
		}
		require.NoError(t, tx.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: b.ID, UserID: "u1", Role: orgs.TeamRoleMember, JoinedAt: now()}))
		m, tc = counts(tx)
		assert.Equal(t, 4, m, "member_count inside the transaction")
		assert.Equal(t, 2, tc, "team_count inside the transaction")
		assert.Equal(t, 3, teamCount(tx, "aaa"), "team member_count inside the transaction")
		return nil
	})
	m, tc := counts(store)
	assert.Equal(t, 4, m)
	assert.Equal(t, 2, tc)
	assert.Equal(t, 3, teamCount(store, "aaa"))
	assert.Equal(t, 1, teamCount(store, "bbb"))
	ts, err := store.ListTeams(ctx, orgs.TeamFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	require.Len(t, ts, 2)
	assert.Equal(t, 3, ts[0].MemberCount, "ListTeams counts too")
	l, err := store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: "u1", Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	require.Len(t, l, 1)
	assert.Equal(t, 4, l[0].MemberCount, "ListOrganizations counts too")
	assert.Equal(t, 2, l[0].TeamCount)
	assert.Equal(t, orgs.RoleMember, l[0].Role)

	// Removing a member removes its team memberships; removing a team
	// its memberships.
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.DeleteMember(ctx, org.ID, "u1"))
	})
	m, tc = counts(store)
	assert.Equal(t, 3, m)
	assert.Equal(t, 2, tc)
	assert.Equal(t, 2, teamCount(store, "aaa"))
	assert.Equal(t, 0, teamCount(store, "bbb"))
	_, err = store.GetTeamMember(ctx, a.ID, "u1")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.DeleteTeamMember(ctx, a.ID, "u2"), tx.DeleteTeam(ctx, org.ID, b.ID))
	})
	m, tc = counts(store)
	assert.Equal(t, 3, m, "team changes leave member_count")
	assert.Equal(t, 1, tc)
	assert.Equal(t, 1, teamCount(store, "aaa"))
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.DeleteTeam(ctx, org.ID, a.ID))
	})
	ms, err := store.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: a.ID, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, ms, "a deleted team's memberships are gone")
	_, err = store.GetMember(ctx, org.ID, "u3")
	require.NoError(t, err, "deleting a team keeps its members in the organization")
	m, tc = counts(store)
	assert.Equal(t, 3, m)
	assert.Zero(t, tc)
}

func testStoreCascadeDelete(t *testing.T, newStore NewStore) {
	// Everything an organization owns, written through the Service, goes
	// with it; its events stay. (testDeleteOrganization covers the Service
	// side; this checks the store's counters and the other organization.)
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", owner)
	team := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: org.ID, Name: "T", Slug: "team", CreatedAt: now(), UpdatedAt: now()}
	otherTeam := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: other.ID, Name: "T", Slug: "team", CreatedAt: now(), UpdatedAt: now()}
	pipe := &orgs.Pipeline{ID: orgs.NewID(orgs.PrefixPipeline), OrganizationID: org.ID, Name: "P", IsDefault: true, CreatedAt: now(),
		Stages: []orgs.Stage{{ID: orgs.NewID(orgs.PrefixStage), Name: "S", Position: 0}}}
	pipe.Stages[0].PipelineID = pipe.ID
	inv := newInvitation(org.ID, "x@example.com")
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(
			tx.LockOrganization(ctx, org.ID), tx.LockOrganization(ctx, other.ID),
			tx.InsertTeam(ctx, team), tx.InsertTeam(ctx, otherTeam),
			tx.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: team.ID, UserID: owner, Role: orgs.TeamRoleMember, JoinedAt: now()}),
			tx.InsertTeamMember(ctx, &orgs.TeamMember{TeamID: otherTeam.ID, UserID: owner, Role: orgs.TeamRoleMember, JoinedAt: now()}),
			tx.InsertCategories(ctx, []orgs.Category{{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: org.ID, Name: "C", CreatedAt: now()}}),
			tx.InsertPipeline(ctx, pipe),
			tx.InsertInvitation(ctx, inv),
			tx.InsertEvent(ctx, &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: org.ID, Type: "x.y", ActorID: owner, CreatedAt: now()}),
		)
	})
	otherBefore := snapshot(t, store, other.ID)

	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return errors.Join(tx.LockOrganization(ctx, org.ID), tx.DeleteOrganization(ctx, org.ID))
	})
	_, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, "")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = store.GetOrganization(ctx, orgs.OrganizationKey{Slug: "acme"}, "")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = store.GetMember(ctx, org.ID, owner)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = store.GetTeamMember(ctx, team.ID, owner)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = store.GetPipeline(ctx, org.ID, pipe.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = store.GetInvitationByTokenHash(ctx, inv.TokenHash)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	cs, err := store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	assert.Empty(t, cs)
	n, err := store.CountOrganizationsCreatedBy(ctx, owner)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Len(t, allEvents(t, store, org.ID), 1, "events stay")
	assert.Equal(t, otherBefore, snapshot(t, store, other.ID), "the other organization is untouched")
	l, err := store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: owner, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	require.Len(t, l, 1)
	assert.Equal(t, other.ID, l[0].ID)

	// The slug is free again.
	insertOrganization(t, store, "acme", owner)
}

// rollbackWrites does one of every kind of write, for the rollback tests:
// a new organization with rows of every kind, and changes to org.
func rollbackWrites(ctx context.Context, t *testing.T, tx orgs.Tx, org *orgs.Organization) {
	fresh, m := newOrganization("fresh", "someone")
	require.NoError(t, tx.InsertOrganization(ctx, fresh, m))
	require.NoError(t, tx.LockOrganization(ctx, org.ID))
	require.NoError(t, tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: "new", Role: orgs.RoleAdmin, JoinedAt: now()}))
	require.NoError(t, tx.UpdateMemberRole(ctx, org.ID, owner, orgs.RoleAdmin))
	up := *org
	up.Name, up.Slug = "Changed", "changed"
	require.NoError(t, tx.UpdateOrganization(ctx, &up))
	require.NoError(t, tx.InsertCategories(ctx, []orgs.Category{{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: org.ID, Name: "C", CreatedAt: now()}}))
	require.NoError(t, tx.InsertPipeline(ctx, &orgs.Pipeline{ID: orgs.NewID(orgs.PrefixPipeline), OrganizationID: org.ID, Name: "P", CreatedAt: now(), Stages: []orgs.Stage{}}))
	require.NoError(t, tx.InsertInvitation(ctx, newInvitation(org.ID, "r@example.com")))
	require.NoError(t, tx.InsertTeam(ctx, &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), OrganizationID: org.ID, Name: "T", Slug: "team", CreatedAt: now(), UpdatedAt: now()}))
	require.NoError(t, tx.InsertEvent(ctx, &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: org.ID, Type: "x.y", ActorID: owner, CreatedAt: now()}))
	require.NoError(t, tx.PutUser(ctx, &orgs.User{ID: "new", Name: "New"}))
}

// checkRolledBack checks that nothing rollbackWrites wrote persists.
func checkRolledBack(t *testing.T, store orgs.Store, org *orgs.Organization, before state) {
	t.Helper()
	assert.Equal(t, before, snapshot(t, store, org.ID))
	_, err := store.GetOrganization(t.Context(), orgs.OrganizationKey{Slug: "fresh"}, "")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the new organization")
	n, err := store.CountOrganizationsCreatedBy(t.Context(), "someone")
	require.NoError(t, err)
	assert.Zero(t, n)
	users, err := store.Users(t.Context(), []string{"new"})
	require.NoError(t, err)
	assert.Empty(t, users, "the profile")
	// The store still works.
	insertOrganization(t, store, "after", owner)
}

func testStoreRollbackOnError(t *testing.T, newStore NewStore) {
	store, org := storeFixture(t, newStore)
	before := snapshot(t, store, org.ID)
	boom := errors.New("boom")
	err := store.Transact(t.Context(), func(ctx context.Context, tx orgs.Tx) error {
		rollbackWrites(ctx, t, tx, org)
		return boom
	})
	assert.True(t, err == boom, "Update returns fn's error unchanged, got %v", err) //nolint:errorlint // identity is the contract
	checkRolledBack(t, store, org, before)

	// A conflict inside fn rolls back the writes before it too.
	err = store.Transact(t.Context(), func(ctx context.Context, tx orgs.Tx) error {
		if err := tx.LockOrganization(ctx, org.ID); err != nil {
			return err
		}
		if err := tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: "new", Role: orgs.RoleAdmin, JoinedAt: now()}); err != nil {
			return err
		}
		return tx.InsertMember(ctx, &orgs.Member{OrganizationID: org.ID, UserID: owner, Role: orgs.RoleAdmin, JoinedAt: now()})
	})
	assert.ErrorIs(t, err, orgs.ErrAlreadyMember)
	_, err = store.GetMember(t.Context(), org.ID, "new")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func testStoreRollbackOnPanic(t *testing.T, newStore NewStore) {
	store, org := storeFixture(t, newStore)
	before := snapshot(t, store, org.ID)
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = store.Transact(t.Context(), func(ctx context.Context, tx orgs.Tx) error {
			rollbackWrites(ctx, t, tx, org)
			panic("boom")
		})
	}()
	t.Logf("the panic reached the caller: %v", recovered != nil)
	checkRolledBack(t, store, org, before)
}

func testStoreCanceledContext(t *testing.T, newStore NewStore) {
	store, org := storeFixture(t, newStore)
	before := snapshot(t, store, org.ID)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
		fresh, m := newOrganization("fresh", "someone")
		if err := tx.InsertOrganization(ctx, fresh, m); err != nil {
			return err
		}
		return nil
	})
	assert.Error(t, err, "an Update with a canceled context must fail")
	assert.Equal(t, before, snapshot(t, store, org.ID))
	_, err = store.GetOrganization(t.Context(), orgs.OrganizationKey{Slug: "fresh"}, "")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "nothing committed")
}

func testStoreClose(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	require.NoError(t, store.Close())
	for name, err := range map[string]error{
		"Update": store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return nil }),
		"Update writing": store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			o, m := newOrganization("late", owner)
			return tx.InsertOrganization(ctx, o, m)
		}),
		"GetOrganization":   get2(store.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, owner)),
		"ListOrganizations": get2(store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: owner, Range: orgs.Range{MaxRows: 10}})),
		"GetMember":         get2(store.GetMember(ctx, org.ID, owner)),
		"ListMembers":       get2(store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: 10}})),
		"PutUser":           putUser(t, store, &orgs.User{ID: "x"}),
		"Users":             get2(store.Users(ctx, []string{"x"})),
		"ListCategories":    get2(store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: org.ID})),
		"ListEvents":        get2(store.ListEvents(ctx, orgs.EventFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: 10}})),
		"GetTeam":           get2(store.GetTeam(ctx, org.ID, "team")),
	} {
		assert.ErrorIs(t, err, orgs.ErrClosed, name)
	}
	svc := newService(t, store)
	_, err := svc.GetOrganization(ctx, orgs.UserActor(owner), "acme")
	assert.ErrorIs(t, err, orgs.ErrClosed, "through the Service")
	_, err = svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Late"})
	assert.ErrorIs(t, err, orgs.ErrClosed, "through the Service")
	if err := store.Close(); err != nil {
		assert.ErrorIs(t, err, orgs.ErrClosed, "closing twice")
	}
}

func testStoreFindMemberByEmail(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", outsider)
	require.NoError(t, putUser(t, store, &orgs.User{ID: member, Username: "mia", Email: "mia@example.com"}))
	require.NoError(t, putUser(t, store, &orgs.User{ID: outsider, Email: "oscar@example.com"}))
	insertMember(t, store, org.ID, member, orgs.RoleMember)

	m, err := store.FindMemberByEmail(ctx, org.ID, "mia@example.com")
	require.NoError(t, err)
	assert.Equal(t, member, m.UserID)
	assert.Equal(t, orgs.RoleMember, m.Role)
	assert.Equal(t, "mia", m.Username)

	_, err = store.FindMemberByEmail(ctx, other.ID, "mia@example.com")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "a member of another organization")
	_, err = store.FindMemberByEmail(ctx, org.ID, "oscar@example.com")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "a known user who is not a member")
	_, err = store.FindMemberByEmail(ctx, org.ID, "mia@example")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the match is exact, not a substring")
}
