package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// test is one named test of an area.
type test struct {
	name string
	run  func(t *testing.T, newStore NewStore)
}

// runTests runs an area's tests as parallel subtests.
func runTests(t *testing.T, newStore NewStore, tests []test) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			skipIfDeclared(t)
			tc.run(t, newStore)
		})
	}
}

// openStore returns a fresh store from newStore, closed when the test ends.
// A test that closes the store itself may leave ErrClosed to the cleanup.
func openStore(t *testing.T, newStore NewStore) orgs.Store {
	t.Helper()
	s := newStore(t)
	require.NotNil(t, s, "NewStore returned nil")
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, orgs.ErrClosed) {
			t.Errorf("closing the store: %v", err)
		}
	})
	return s
}

// newService returns a Service over store, failing the test on error.
func newService(t *testing.T, store orgs.Store, opts ...orgs.Option) *orgs.Service {
	t.Helper()
	svc, err := orgs.New(store, opts...)
	require.NoError(t, err)
	return svc
}

// The fixture's users. Each has a profile (PutUser); outsider belongs to no
// organization.
const (
	owner    = "owner"
	admin    = "admin"
	member   = "member"
	outsider = "outsider"
)

// fixtureUsers are the profiles recorded for the fixture's users.
var fixtureUsers = []orgs.User{
	{ID: owner, Username: "olivia", Email: "olivia@example.com", Name: "Olivia Owner", AvatarURL: "https://img.example.com/olivia.png"},
	{ID: admin, Username: "adam", Email: "adam@example.com", Name: "Adam Admin"},
	{ID: member, Username: "mia", Email: "mia@example.com", Name: "Mia Member"},
	{ID: outsider, Username: "oscar", Email: "oscar@example.com", Name: "Oscar Outsider"},
}

// fixture is a store, a Service on it with a fake clock, and one
// organization "Acme" (slug "acme") whose owner is "owner", with "admin" as
// admin and "member" as member.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store orgs.Store
	clock *testkit.Clock
	svc   *orgs.Service
	org   *orgs.Organization
}

// newFixture builds a fixture; opts are applied after the fixture's own
// (WithClock), so a test may override them.
func newFixture(t *testing.T, newStore NewStore, opts ...orgs.Option) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: t.Context(), store: openStore(t, newStore), clock: testkit.NewClock()}
	f.svc = f.service(opts...)
	for _, u := range fixtureUsers {
		require.NoError(t, f.svc.PutUser(f.ctx, u))
	}
	_, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"})
	require.NoError(t, err)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", admin, orgs.RoleAdmin)
	require.NoError(t, err)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", member, orgs.RoleMember)
	require.NoError(t, err)
	f.org = f.get(owner, "acme")
	return f
}

// service returns another Service on the fixture's store and clock.
func (f *fixture) service(opts ...orgs.Option) *orgs.Service {
	f.t.Helper()
	return newService(f.t, f.store, append([]orgs.Option{orgs.WithClock(f.clock.Now)}, opts...)...)
}

// get reads an organization through the Service, failing on error.
func (f *fixture) get(actor, slug string) *orgs.Organization {
	f.t.Helper()
	org, err := f.svc.GetOrganization(f.ctx, orgs.UserActor(actor), slug)
	require.NoError(f.t, err)
	return org
}

// putUsers records a profile for each ID, with email ID@example.com.
func (f *fixture) putUsers(ids ...string) {
	f.t.Helper()
	for _, id := range ids {
		require.NoError(f.t, f.svc.PutUser(f.ctx, orgs.User{ID: id, Username: id, Email: id + "@example.com", Name: "User " + id}))
	}
}

// addMembers adds each ID to the fixture's organization with role.
func (f *fixture) addMembers(role orgs.Role, ids ...string) {
	f.t.Helper()
	for _, id := range ids {
		_, err := f.svc.AddMember(f.ctx, orgs.UserActor(owner), f.org.Slug, id, role)
		require.NoError(f.t, err)
	}
}

// events returns the fixture organization's events, read from the store.
func (f *fixture) events() []orgs.Event {
	f.t.Helper()
	return allEvents(f.t, f.store, f.org.ID)
}

// eventTypes returns the types of events, in order.
func eventTypes(events []orgs.Event) []string {
	types := make([]string, len(events))
	for i, e := range events {
		types[i] = string(e.Type)
	}
	return types
}

// lastEvent returns the fixture organization's newest event.
func (f *fixture) lastEvent() orgs.Event {
	f.t.Helper()
	es := f.events()
	require.NotEmpty(f.t, es, "no events")
	return es[len(es)-1]
}

// allEvents reads every event of an organization directly from the store,
// page by page.
func allEvents(t *testing.T, store orgs.Store, orgID string) []orgs.Event {
	t.Helper()
	var all []orgs.Event
	after := ""
	for {
		page, err := store.ListEvents(t.Context(), orgs.EventFilter{OrganizationID: orgID, Range: orgs.Range{After: after, MaxRows: orgs.MaxPageLimit + 1}})
		require.NoError(t, err)
		all = append(all, page...)
		if len(page) < orgs.MaxPageLimit+1 {
			return all
		}
		after = page[len(page)-1].ID
	}
}

// eventsCount counts an organization's events in the store.
func eventsCount(t *testing.T, store orgs.Store, orgID string) int {
	t.Helper()
	return len(allEvents(t, store, orgID))
}

// state is everything the store holds for one organization, to show that a
// failed call wrote nothing.
type state struct {
	Org         *orgs.Organization
	Members     []orgs.Member
	Categories  []orgs.Category
	Pipelines   []orgs.Pipeline
	Invitations []orgs.Invitation
	Teams       []orgs.Team
	TeamMembers map[string][]orgs.TeamMember
	Events      int
}

// snapshot reads the state of an organization from the store.
func snapshot(t *testing.T, store orgs.Store, orgID string) state {
	t.Helper()
	ctx := t.Context()
	var s state
	var err error
	s.Org, err = store.GetOrganization(ctx, orgs.OrganizationKey{ID: orgID}, owner)
	require.NoError(t, err)
	s.Members = storeAll(t, func(r orgs.Range) ([]orgs.Member, error) {
		return store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: orgID, Range: r})
	}, func(m orgs.Member) string { return m.UserID })
	s.Categories, err = store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: orgID})
	require.NoError(t, err)
	s.Pipelines, err = store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: orgID})
	require.NoError(t, err)
	s.Invitations = storeAll(t, func(r orgs.Range) ([]orgs.Invitation, error) {
		return store.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: orgID, Range: r, Now: time.Now()})
	}, func(i orgs.Invitation) string { return i.ID })
	s.Teams = storeAll(t, func(r orgs.Range) ([]orgs.Team, error) {
		return store.ListTeams(ctx, orgs.TeamFilter{OrganizationID: orgID, Range: r})
	},
		func(tm orgs.Team) string { return tm.ID })
	s.TeamMembers = map[string][]orgs.TeamMember{}
	for _, tm := range s.Teams {
		s.TeamMembers[tm.Slug] = storeAll(t, func(r orgs.Range) ([]orgs.TeamMember, error) {
			return store.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: tm.ID, Range: r})
		}, func(m orgs.TeamMember) string { return m.UserID })
	}
	s.Events = eventsCount(t, store, orgID)
	return s
}

// storeAll reads every row of a Store list method, page by page.
func storeAll[T any](t *testing.T, list func(orgs.Range) ([]T, error), key func(T) string) []T {
	t.Helper()
	var all []T
	after := ""
	for {
		page, err := list(orgs.Range{After: after, MaxRows: orgs.MaxPageLimit + 1})
		require.NoError(t, err)
		all = append(all, page...)
		if len(page) < orgs.MaxPageLimit+1 {
			return all
		}
		after = key(page[len(page)-1])
	}
}

// walkForward pages through a Service list with limit from the start,
// checking each page's cursors and HasMore, and returns every page.
func walkForward[T any](t *testing.T, limit int, list func(orgs.Page) (*orgs.List[T], error)) [][]T {
	t.Helper()
	var pages [][]T
	p := orgs.Page{Limit: limit}
	for i := 0; ; i++ {
		require.Less(t, i, 1000, "forward walk does not end")
		l, err := list(p)
		require.NoError(t, err)
		require.LessOrEqual(t, len(l.Data), limit)
		pages = append(pages, l.Data)
		if i == 0 {
			assert.Empty(t, l.PreviousCursor, "first page has a previous cursor")
		} else if len(l.Data) > 0 {
			assert.NotEmpty(t, l.PreviousCursor, "page %d has no previous cursor", i)
		}
		if !l.HasMore {
			assert.Empty(t, l.NextCursor, "last page has a next cursor")
			return pages
		}
		require.Len(t, l.Data, limit, "a page with more after it is not full")
		require.NotEmpty(t, l.NextCursor, "HasMore without a next cursor")
		p = orgs.Page{Limit: limit, After: l.NextCursor}
	}
}

// walkBackward pages backward with limit from the cursor before (a
// PreviousCursor) to the start, and returns the pages from the last read
// (the first items) to the first read.
func walkBackward[T any](t *testing.T, limit int, before string, list func(orgs.Page) (*orgs.List[T], error)) [][]T {
	t.Helper()
	var pages [][]T
	p := orgs.Page{Limit: limit, Before: before}
	for i := 0; ; i++ {
		require.Less(t, i, 1000, "backward walk does not end")
		l, err := list(p)
		require.NoError(t, err)
		require.LessOrEqual(t, len(l.Data), limit)
		pages = append([][]T{l.Data}, pages...)
		if len(l.Data) > 0 {
			assert.NotEmpty(t, l.NextCursor, "a backward page has no next cursor")
		}
		if !l.HasMore {
			assert.Empty(t, l.PreviousCursor, "the first page has a previous cursor")
			return pages
		}
		require.Len(t, l.Data, limit, "a page with more before it is not full")
		require.NotEmpty(t, l.PreviousCursor, "HasMore without a previous cursor")
		p = orgs.Page{Limit: limit, Before: l.PreviousCursor}
	}
}

// checkWalks pages through a list of want (in list order) forward and then
// backward from the last page, with limit, and checks each walk yields every
// item exactly once, in order, in pages of limit.
func checkWalks[T any](t *testing.T, limit int, want []string, key func(T) string, list func(orgs.Page) (*orgs.List[T], error)) {
	t.Helper()
	keys := func(pages [][]T) (ks []string, sizes []int) {
		for _, p := range pages {
			sizes = append(sizes, len(p))
			for _, x := range p {
				ks = append(ks, key(x))
			}
		}
		return ks, sizes
	}
	var wantSizes []int
	for n := len(want); n > 0; n -= limit {
		wantSizes = append(wantSizes, min(n, limit))
	}

	forward := walkForward(t, limit, list)
	got, sizes := keys(forward)
	require.Equal(t, want, got, "forward walk")
	require.Equal(t, wantSizes, sizes, "forward page sizes")

	// Back from the last page: its PreviousCursor leads to the page before.
	lastPage := orgs.Page{Limit: limit}
	var last *orgs.List[T]
	for {
		l, err := list(lastPage)
		require.NoError(t, err)
		last = l
		if !l.HasMore {
			break
		}
		lastPage.After = l.NextCursor
	}
	if len(forward) < 2 {
		assert.Empty(t, last.PreviousCursor)
		return
	}
	require.NotEmpty(t, last.PreviousCursor, "the last page has no previous cursor")
	backward := walkBackward(t, limit, last.PreviousCursor, list)
	got, _ = keys(append(backward, last.Data))
	require.Equal(t, want, got, "backward walk")
	// Backward pages are full except the first (the oldest items).
	_, sizes = keys(backward)
	for i, n := range sizes {
		if i > 0 {
			assert.Equal(t, limit, n, "backward page %d size", i)
		}
	}
}

// requireInvalid checks that err is a validation error naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, orgs.ErrInvalid)
	var ve *orgs.ValidationError
	require.ErrorAs(t, err, &ve, "ErrInvalid without a *orgs.ValidationError")
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
		assert.NotEmpty(t, f.Message, "field %q has no message", f.Field)
	}
	require.Contains(t, fields, field, "the validation error names other fields")
}

// categoryNames returns the names of cs, checking positions are 0..n-1.
func categoryNames(t *testing.T, cs []orgs.Category) []string {
	t.Helper()
	names := make([]string, len(cs))
	for i, c := range cs {
		assert.Equal(t, i, c.Position, "category %q position", c.Name)
		names[i] = c.Name
	}
	return names
}

// stageNames returns the names of a pipeline's stages, checking positions
// are 0..n-1.
func stageNames(t *testing.T, p *orgs.Pipeline) []string {
	t.Helper()
	names := []string{}
	for i, st := range p.Stages {
		assert.Equal(t, i, st.Position, "stage %q position", st.Name)
		names = append(names, st.Name)
	}
	return names
}

// userIDs returns the user IDs of members.
func userIDs(ms []orgs.Member) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	return ids
}

// countOwners counts an organization's owners in the store.
func countOwners(t *testing.T, store orgs.Store, orgID string) int {
	t.Helper()
	// With memberships, only active owners count (the last-owner rule's).
	if ms, ok := store.(orgs.Memberships); ok {
		n, err := ms.CountActiveMembers(t.Context(), orgID, orgs.RoleOwner)
		require.NoError(t, err)
		return n
	}
	n, err := store.CountMembers(t.Context(), orgID, orgs.RoleOwner)
	require.NoError(t, err)
	return n
}

// names returns n IDs prefix00, prefix01, … that sort in creation order.
func names(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return ids
}

// sorted returns a sorted copy of s.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// insertMember adds a membership directly through the store, bypassing the
// Service's rules (for roles no one may grant).
func insertMember(t *testing.T, store orgs.Store, orgID, userID string, role orgs.Role) {
	t.Helper()
	err := store.Transact(t.Context(), func(ctx context.Context, tx orgs.Tx) error {
		if err := tx.LockOrganization(ctx, orgID); err != nil {
			return err
		}
		return tx.InsertMember(ctx, &orgs.Member{OrganizationID: orgID, UserID: userID, Role: role, JoinedAt: time.Now().UTC().Truncate(time.Microsecond)})
	})
	require.NoError(t, err)
}

// newOrganization returns an organization with slug, created by createdBy,
// and its owner membership, ready for Tx.InsertOrganization.
func newOrganization(slug, createdBy string) (*orgs.Organization, *orgs.Member) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	id := orgs.NewID(orgs.PrefixOrganization)
	org := &orgs.Organization{ID: id, Name: "Org " + slug, Slug: slug, Visibility: orgs.VisibilityPrivate,
		Domains: []string{}, Metadata: map[string]string{}, MemberCount: 1, CreatedBy: createdBy, CreatedAt: now, UpdatedAt: now}
	return org, &orgs.Member{OrganizationID: id, UserID: createdBy, Role: orgs.RoleOwner, JoinedAt: now}
}

// insertOrganization inserts a new organization directly through the
// store and returns it.
func insertOrganization(t *testing.T, store orgs.Store, slug, createdBy string) *orgs.Organization {
	t.Helper()
	org, m := newOrganization(slug, createdBy)
	update(t, store, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertOrganization(ctx, org, m) })
	return org
}

// putUser records a profile directly in the store.
func putUser(t *testing.T, store orgs.Store, u *orgs.User) error {
	t.Helper()
	return store.Transact(t.Context(), func(ctx context.Context, tx orgs.Tx) error { return tx.PutUser(ctx, u) })
}

// update runs fn in one Update, failing the test on error.
func update(t *testing.T, store orgs.Store, fn func(ctx context.Context, tx orgs.Tx) error) {
	t.Helper()
	require.NoError(t, store.Transact(t.Context(), fn))
}
