package storetest

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestOrganizations covers creating (seeding, slugs, conflicts), reading
// (by slug, ID and external ID; visibility), listing, updating and deleting
// organizations.
func TestOrganizations(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"CreateSeedsWWW", testCreateSeedsWWW},
		{"CreateSeedWeb", testCreateSeedWeb},
		{"CreateSeedNone", testCreateSeedNone},
		{"CreateCustomSeed", testCreateCustomSeed},
		{"CreateStoresEveryField", testCreateStoresEveryField},
		{"DerivedSlugs", testDerivedSlugs},
		{"CreateConflicts", testCreateConflicts},
		{"ReservedSlugs", testReservedSlugs},
		{"Industries", testIndustries},
		{"Get", testGetOrganization},
		{"Visibility", testVisibility},
		{"List", testListOrganizations},
		{"ListPagination", testListOrganizationsPagination},
		{"Update", testUpdateOrganization},
		{"UpdateSlug", testUpdateSlug},
		{"UpdateConflicts", testUpdateConflicts},
		{"UpdatePermissions", testUpdatePermissions},
		{"Metadata", testMetadata},
		{"Delete", testDeleteOrganization},
		{"DeletePermissions", testDeletePermissions},
		{"Unauthenticated", testUnauthenticated},
	})
}

// wwwCategories is SeedWWW's list, written out so that a change to the
// preset shows here.
var wwwCategories = []string{
	"Software Development", "Finance", "Operations", "HR & Recruiting", "Security",
	"Marketing", "Sales", "Customer Success", "Product Management", "Data & Analytics",
	"Legal & Compliance", "Design & Creative", "Quality Assurance", "IT Support",
	"Public Relations", "Administration", "Logistics & Supply Chain",
	"Research & Development", "Customer Support", "Project Management",
	"Health & Safety", "Facilities & Real Estate", "Strategy", "Engineering",
	"Manufacturing", "Purchasing & Procurement", "Risk Management",
	"Training & Development", "Executive Leadership", "Content & Copywriting",
	"Social Media", "Advertising", "Business Development", "Event Planning",
	"Sustainability & ESG",
}

var webCategories = []string{"Software Development", "Finance", "Operations", "HR & Recruiting", "Security"}

var hiringStages = []string{"Screening", "Interview", "Technical Task", "Final Interview", "Offer"}

// idPattern matches an ID with prefix: the prefix and a ULID.
func idPattern(prefix string) *regexp.Regexp {
	return regexp.MustCompile("^" + prefix + "[0-9A-HJKMNP-TV-Z]{26}$")
}

// normOrg returns a copy of org comparable with require.Equal: times in
// UTC, domains sorted, empty collections non-nil.
func normOrg(org *orgs.Organization) orgs.Organization {
	o := *org
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	o.Domains = sorted(o.Domains)
	if o.Domains == nil {
		o.Domains = []string{}
	}
	o.Metadata = maps.Clone(o.Metadata)
	if o.Metadata == nil {
		o.Metadata = map[string]string{}
	}
	o.DomainDetails = nil // compared by testDomainObjects
	return o
}

func testCreateSeedsWWW(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store) // the default seed
	org, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
	assert.Regexp(t, idPattern(orgs.PrefixOrganization), org.ID)
	assert.Equal(t, "acme", org.Slug)
	assert.Equal(t, 1, org.MemberCount)
	assert.Equal(t, orgs.RoleOwner, org.Role)
	assert.Equal(t, orgs.VisibilityPrivate, org.Visibility)
	assert.Equal(t, "alice", org.CreatedBy)

	d, err := svc.GetOrganizationDetail(ctx, orgs.UserActor("alice"), "acme")
	require.NoError(t, err)
	assert.Equal(t, org.ID, d.ID)
	assert.Equal(t, 1, d.MemberCount)
	require.Len(t, d.Categories, 35)
	assert.Equal(t, wwwCategories, categoryNames(t, d.Categories))
	for _, c := range d.Categories {
		assert.Regexp(t, idPattern(orgs.PrefixCategory), c.ID)
	}
	require.Len(t, d.Pipelines, 1)
	p := d.Pipelines[0]
	assert.Regexp(t, idPattern(orgs.PrefixPipeline), p.ID)
	assert.Equal(t, "General Hiring Pipeline", p.Name)
	assert.True(t, p.IsDefault)
	assert.Equal(t, hiringStages, stageNames(t, &p))
	for _, st := range p.Stages {
		assert.Regexp(t, idPattern(orgs.PrefixStage), st.ID)
	}

	m, err := svc.GetMember(ctx, orgs.UserActor("alice"), "acme", "alice")
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleOwner, m.Role)

	es := allEvents(t, store, org.ID)
	require.Len(t, es, 1)
	assert.Equal(t, "organization.created", string(es[0].Type))
	assert.Equal(t, "alice", es[0].ActorID)
	assert.Equal(t, org.ID, es[0].OrganizationID)
	assert.Equal(t, "acme", es[0].Data["slug"])
	assert.Equal(t, "Acme", es[0].Data["name"])
	assert.Regexp(t, idPattern(orgs.PrefixEvent), es[0].ID)
}

func testCreateSeedWeb(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	svc := newService(t, openStore(t, newStore), orgs.WithSeed(orgs.SeedWeb))
	_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
	d, err := svc.GetOrganizationDetail(ctx, orgs.UserActor("alice"), "acme")
	require.NoError(t, err)
	assert.Equal(t, webCategories, categoryNames(t, d.Categories))
	assert.Empty(t, d.Pipelines)
	assert.NotNil(t, d.Pipelines, "an empty list is [] in JSON, not null")
}

func testCreateSeedNone(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	svc := newService(t, openStore(t, newStore), orgs.WithSeed(orgs.SeedNone))
	_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
	d, err := svc.GetOrganizationDetail(ctx, orgs.UserActor("alice"), "acme")
	require.NoError(t, err)
	assert.Empty(t, d.Categories)
	assert.NotNil(t, d.Categories)
	assert.Empty(t, d.Pipelines)
	cs, err := svc.ListCategories(ctx, orgs.UserActor("alice"), "acme")
	require.NoError(t, err)
	assert.Empty(t, cs)
}

func testCreateCustomSeed(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	seed := orgs.Seed{
		Categories: []string{"Kitchen", "Front of House"},
		Pipelines: []orgs.PipelineSeed{
			{Name: "Chefs", Stages: []string{"Tasting", "Trial Shift"}},
			{Name: "Waiters", Stages: []string{"Call"}},
		},
	}
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(seed))
	_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Bistro"})
	require.NoError(t, err)
	d, err := svc.GetOrganizationDetail(ctx, orgs.UserActor("alice"), "bistro")
	require.NoError(t, err)
	assert.Equal(t, seed.Categories, categoryNames(t, d.Categories))
	require.Len(t, d.Pipelines, 2)
	byName := map[string]orgs.Pipeline{}
	for _, p := range d.Pipelines {
		byName[p.Name] = p
	}
	chefs, waiters := byName["Chefs"], byName["Waiters"]
	assert.True(t, chefs.IsDefault, "the first seeded pipeline is the default")
	assert.False(t, waiters.IsDefault)
	assert.Equal(t, []string{"Tasting", "Trial Shift"}, stageNames(t, &chefs))
	assert.Equal(t, []string{"Call"}, stageNames(t, &waiters))

	// A seed that could not be created is refused up front.
	_, err = orgs.New(store, orgs.WithSeed(orgs.Seed{Categories: []string{"Sales", "sales"}}))
	requireInvalid(t, err, "seed.categories")
	_, err = orgs.New(store, orgs.WithSeed(orgs.Seed{Pipelines: []orgs.PipelineSeed{{Name: ""}}}))
	requireInvalid(t, err, "seed.pipelines")
}

func testCreateStoresEveryField(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone))
	in := orgs.CreateOrganizationInput{
		Name:         "Acme Corporation",
		Slug:         "Acme-Corp",
		Handle:       "AcmeHQ",
		Description:  "We make everything.\nReally everything.",
		LogoURL:      "https://cdn.acme.example/logo.png",
		Website:      "https://acme.example",
		Industry:     "Software",
		ContactEmail: "Info@Acme.Example",
		ContactPhone: "+1 (555) 010-0100",
		Visibility:   orgs.VisibilityPublic,
		Domains:      []string{"Acme.Example", "acme.example.", "jobs.acme.example"},
		ExternalID:   "crm-42",
		Metadata:     map[string]string{"tier": "gold", "note": "ünïcode ✓ 日本"},
	}
	org, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), in)
	require.NoError(t, err)
	assert.Equal(t, "acme-corp", org.Slug)
	assert.Equal(t, "acmehq", org.Handle)
	assert.Equal(t, "info@acme.example", org.ContactEmail)
	assert.ElementsMatch(t, []string{"acme.example", "jobs.acme.example"}, org.Domains)
	assert.Equal(t, in.Metadata, org.Metadata)

	for _, get := range []func() (*orgs.Organization, error){
		func() (*orgs.Organization, error) {
			return svc.GetOrganization(ctx, orgs.UserActor("alice"), "acme-corp")
		},
		func() (*orgs.Organization, error) {
			return svc.GetOrganizationByID(ctx, orgs.UserActor("alice"), org.ID)
		},
		func() (*orgs.Organization, error) {
			return svc.GetOrganizationByExternalID(ctx, orgs.UserActor("alice"), "crm-42")
		},
		func() (*orgs.Organization, error) {
			return store.GetOrganization(ctx, orgs.OrganizationKey{Slug: "acme-corp"}, "alice")
		},
	} {
		got, err := get()
		require.NoError(t, err)
		assert.Equal(t, normOrg(org), normOrg(got))
	}
	l, err := svc.ListOrganizations(ctx, orgs.UserActor("alice"), orgs.OrganizationQuery{})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Equal(t, normOrg(org), normOrg(&l.Data[0]))
}

func testDerivedSlugs(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	svc := newService(t, openStore(t, newStore), orgs.WithSeed(orgs.SeedNone))
	create := func(name string) (*orgs.Organization, error) {
		return svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: name})
	}
	org, err := create("Acme Corp, Inc.")
	require.NoError(t, err)
	assert.Equal(t, "acme-corp-inc", org.Slug)

	org, err = create("X")
	require.NoError(t, err)
	assert.Regexp(t, `^x-[a-z0-9]{6}$`, org.Slug, "a short name gets a random suffix")

	org, err = create("日本")
	require.NoError(t, err)
	assert.Regexp(t, `^[a-z0-9]{6}$`, org.Slug, "a name without Latin letters gets a random slug")

	long := strings.Repeat("Word ", 19) + "End" // 98 characters
	org, err = create(long)
	require.NoError(t, err)
	assert.True(t, orgs.ValidSlug(org.Slug), "slug %q", org.Slug)
	assert.LessOrEqual(t, len(org.Slug), 63)

	// The derived slug is looked up like an explicit one.
	got, err := svc.GetOrganization(ctx, orgs.UserActor("alice"), "ACME-corp-INC")
	require.NoError(t, err)
	assert.Equal(t, "Acme Corp, Inc.", got.Name)

	// A derived slug that is taken is a conflict, not a silent rename.
	_, err = create("Acme  Corp Inc")
	require.ErrorIs(t, err, orgs.ErrSlugTaken)
}

func testCreateConflicts(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store)
	first, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{
		Name: "Acme", Slug: "acme", Handle: "acme-hq", ExternalID: "ext-1"})
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		in   orgs.CreateOrganizationInput
		want error
	}{
		{"slug", orgs.CreateOrganizationInput{Name: "Other", Slug: "acme"}, orgs.ErrSlugTaken},
		{"slug case", orgs.CreateOrganizationInput{Name: "Other", Slug: "ACME"}, orgs.ErrSlugTaken},
		{"derived slug", orgs.CreateOrganizationInput{Name: "ACME"}, orgs.ErrSlugTaken},
		{"handle", orgs.CreateOrganizationInput{Name: "Other", Handle: "acme-hq"}, orgs.ErrHandleTaken},
		{"handle case", orgs.CreateOrganizationInput{Name: "Other", Handle: "ACME-HQ"}, orgs.ErrHandleTaken},
		{"external id", orgs.CreateOrganizationInput{Name: "Other", ExternalID: "ext-1"}, orgs.ErrExternalIDTaken},
	} {
		_, err := svc.CreateOrganization(ctx, orgs.UserActor("bob"), tc.in)
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
	// Nothing of the failed creations is left behind.
	l, err := svc.ListOrganizations(ctx, orgs.UserActor("bob"), orgs.OrganizationQuery{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	n, err := store.CountOrganizationsCreatedBy(ctx, "bob")
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, 1, eventsCount(t, store, first.ID))

	// Empty handles and external IDs never collide; external IDs are
	// compared exactly.
	for i := range 3 {
		_, err := svc.CreateOrganization(ctx, orgs.UserActor("bob"), orgs.CreateOrganizationInput{Name: fmt.Sprintf("Bob %d", i)})
		require.NoError(t, err)
	}
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("bob"), orgs.CreateOrganizationInput{Name: "Bob ext", ExternalID: "EXT-1"})
	require.NoError(t, err, "external IDs are case-sensitive")
}

func testReservedSlugs(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	svc := newService(t, openStore(t, newStore), orgs.WithSeed(orgs.SeedNone), orgs.WithReservedSlugs("new", "Settings"))
	_, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "New", Slug: "new"})
	requireInvalid(t, err, "slug")
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "S", Slug: "SETTINGS"})
	requireInvalid(t, err, "slug")
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "S", Slug: "s-org", Handle: "settings"})
	requireInvalid(t, err, "handle")

	org, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "News", Slug: "news"})
	require.NoError(t, err)
	_, err = svc.UpdateOrganization(ctx, orgs.UserActor("alice"), org.Slug, orgs.UpdateOrganizationInput{Slug: ptr("new")})
	requireInvalid(t, err, "slug")
	_, err = svc.GetOrganization(ctx, orgs.UserActor("alice"), "news")
	require.NoError(t, err)
}

func testIndustries(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	svc := newService(t, store, orgs.WithSeed(orgs.SeedNone))
	assert.Equal(t, orgs.DefaultIndustries, svc.Industries())
	got := svc.Industries()
	got[0] = "Changed"
	assert.Equal(t, orgs.DefaultIndustries[0], svc.Industries()[0], "Industries returns a copy")

	org, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Soft", Industry: "Software"})
	require.NoError(t, err)
	assert.Equal(t, "Software", org.Industry)
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Space", Industry: "Spaceships"})
	requireInvalid(t, err, "industry")
	_, err = svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Space", Industry: "software"})
	requireInvalid(t, err, "industry")

	custom := newService(t, store, orgs.WithSeed(orgs.SeedNone), orgs.WithIndustries([]string{"Spaceships", "Mining"}))
	assert.Equal(t, []string{"Spaceships", "Mining"}, custom.Industries())
	_, err = custom.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Space", Industry: "Spaceships"})
	require.NoError(t, err)
	_, err = custom.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Soft 2", Industry: "Software"})
	requireInvalid(t, err, "industry")
	_, err = custom.UpdateOrganization(ctx, orgs.UserActor("alice"), "space", orgs.UpdateOrganizationInput{Industry: ptr("Software")})
	requireInvalid(t, err, "industry")
	_, err = custom.UpdateOrganization(ctx, orgs.UserActor("alice"), "space", orgs.UpdateOrganizationInput{Industry: ptr("")})
	require.NoError(t, err, "an empty industry clears it")
}

func testGetOrganization(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	_, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{ExternalID: ptr("crm-7")})
	require.NoError(t, err)

	for actor, role := range map[string]orgs.Role{owner: orgs.RoleOwner, admin: orgs.RoleAdmin, member: orgs.RoleMember} {
		for name, get := range map[string]func() (*orgs.Organization, error){
			"slug":      func() (*orgs.Organization, error) { return f.svc.GetOrganization(f.ctx, orgs.UserActor(actor), "acme") },
			"slug case": func() (*orgs.Organization, error) { return f.svc.GetOrganization(f.ctx, orgs.UserActor(actor), "AcMe") },
			"id": func() (*orgs.Organization, error) {
				return f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(actor), f.org.ID)
			},
			"external id": func() (*orgs.Organization, error) {
				return f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(actor), "crm-7")
			},
		} {
			org, err := get()
			require.NoError(t, err, "%s by %s", actor, name)
			assert.Equal(t, f.org.ID, org.ID, "%s by %s", actor, name)
			assert.Equal(t, role, org.Role, "%s by %s", actor, name)
			assert.Equal(t, 3, org.MemberCount, "%s by %s", actor, name)
		}
	}

	for name, err := range map[string]error{
		"unknown slug":        get2(f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "nope")),
		"malformed slug":      get2(f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "a")),
		"unknown id":          get2(f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(owner), orgs.NewID(orgs.PrefixOrganization))),
		"malformed id":        get2(f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(owner), "org_nope")),
		"id of other kind":    get2(f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(owner), orgs.NewID(orgs.PrefixTeam))),
		"unknown external id": get2(f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(owner), "crm-8")),
		"external id case":    get2(f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(owner), "CRM-7")),
		"empty external id":   get2(f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(owner), "")),
	} {
		assert.ErrorIs(t, err, orgs.ErrNotFound, name)
	}
}

// get2 returns the error of a two-result call.
func get2[T any](_ T, err error) error { return err }

func testVisibility(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	_, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{
		ExternalID: ptr("crm-7"), ContactEmail: ptr("legal@acme.example"), ContactPhone: ptr("+1 555 0100"),
		Domains: []string{"acme.example"}, Metadata: map[string]string{"plan": "gold"},
		Description: ptr("We make things"), Website: ptr("https://acme.example")})
	require.NoError(t, err)
	team, err := f.svc.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)

	// Private: an outsider cannot tell the organization exists.
	for name, err := range map[string]error{
		"get":             get2(f.svc.GetOrganization(f.ctx, orgs.UserActor(outsider), "acme")),
		"get by id":       get2(f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(outsider), f.org.ID)),
		"get by external": get2(f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(outsider), "crm-7")),
		"detail":          get2(f.svc.GetOrganizationDetail(f.ctx, orgs.UserActor(outsider), "acme")),
		"categories":      get2(f.svc.ListCategories(f.ctx, orgs.UserActor(outsider), "acme")),
		"pipelines":       get2(f.svc.ListPipelines(f.ctx, orgs.UserActor(outsider), "acme")),
		"members":         get2(f.svc.ListMembers(f.ctx, orgs.UserActor(outsider), "acme", orgs.MemberQuery{})),
		"member":          get2(f.svc.GetMember(f.ctx, orgs.UserActor(outsider), "acme", owner)),
		"events":          get2(f.svc.ListEvents(f.ctx, orgs.UserActor(outsider), "acme", orgs.EventQuery{})),
		"teams":           get2(f.svc.ListTeams(f.ctx, orgs.UserActor(outsider), "acme", orgs.Page{})),
		"team":            get2(f.svc.GetTeam(f.ctx, orgs.UserActor(outsider), "acme", team.Slug)),
		"invitations":     get2(f.svc.ListInvitations(f.ctx, orgs.UserActor(outsider), "acme", orgs.InvitationQuery{})),
		"update":          get2(f.svc.UpdateOrganization(f.ctx, orgs.UserActor(outsider), "acme", orgs.UpdateOrganizationInput{Name: ptr("Mine")})),
		"delete":          f.svc.DeleteOrganization(f.ctx, orgs.UserActor(outsider), "acme"),
		"add member":      get2(f.svc.AddMember(f.ctx, orgs.UserActor(outsider), "acme", outsider, orgs.RoleMember)),
		"leave":           f.svc.LeaveOrganization(f.ctx, orgs.UserActor(outsider), "acme"),
		"create team":     get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(outsider), "acme", orgs.TeamInput{Name: "Mine"})),
	} {
		assert.ErrorIs(t, err, orgs.ErrNotFound, "private, %s", name)
	}
	l, err := f.svc.ListOrganizations(f.ctx, orgs.UserActor(outsider), orgs.OrganizationQuery{})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	// Public: anyone may read the organization's public view, and nothing
	// else: what a caller sees is decided by field, not by record.
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Visibility: ptr(orgs.VisibilityPublic)})
	require.NoError(t, err)
	full := f.get(owner, "acme")
	require.False(t, full.IsPublicView())
	require.Equal(t, "legal@acme.example", full.ContactEmail)
	require.Equal(t, []string{"acme.example"}, full.Domains)
	public := *full
	public.Role, public.ContactEmail, public.ContactPhone, public.ExternalID, public.CreatedBy = "", "", "", "", ""
	public.Domains, public.Metadata, public.DomainDetails = nil, nil, nil
	before = snapshot(t, f.store, f.org.ID)
	detail := func() (*orgs.Organization, error) {
		d, err := f.svc.GetOrganizationDetail(f.ctx, orgs.UserActor(outsider), "acme")
		if err != nil {
			return nil, err
		}
		assert.NotEmpty(t, d.Categories, "a public organization's categories are public")
		return &d.Organization, nil
	}
	for name, get := range map[string]func() (*orgs.Organization, error){
		"get": func() (*orgs.Organization, error) {
			return f.svc.GetOrganization(f.ctx, orgs.UserActor(outsider), "acme")
		},
		"get by id": func() (*orgs.Organization, error) {
			return f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(outsider), f.org.ID)
		},
		"detail": detail,
	} {
		org, err := get()
		require.NoError(t, err, "public, %s", name)
		assert.Equal(t, public, *org, "public, %s: the public view, and nothing more", name)
		assert.True(t, org.IsPublicView(), "public, %s", name)
	}
	// The external ID is not public, so it finds nothing for an outsider.
	_, err = f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(outsider), "crm-7")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "public, get by external ID")
	_, err = f.svc.ListDomains(f.ctx, orgs.UserActor(outsider), "acme")
	assert.ErrorIs(t, err, orgs.ErrForbidden, "public, domains")
	// A member still sees everything.
	m, err := f.svc.GetOrganization(f.ctx, orgs.UserActor(member), "acme")
	require.NoError(t, err)
	assert.Equal(t, "legal@acme.example", m.ContactEmail)
	assert.Equal(t, "crm-7", m.ExternalID)
	assert.Equal(t, map[string]string{"plan": "gold"}, m.Metadata)
	for name, err := range map[string]error{
		"members":     get2(f.svc.ListMembers(f.ctx, orgs.UserActor(outsider), "acme", orgs.MemberQuery{})),
		"member":      get2(f.svc.GetMember(f.ctx, orgs.UserActor(outsider), "acme", owner)),
		"events":      get2(f.svc.ListEvents(f.ctx, orgs.UserActor(outsider), "acme", orgs.EventQuery{})),
		"teams":       get2(f.svc.ListTeams(f.ctx, orgs.UserActor(outsider), "acme", orgs.Page{})),
		"team":        get2(f.svc.GetTeam(f.ctx, orgs.UserActor(outsider), "acme", team.Slug)),
		"invitations": get2(f.svc.ListInvitations(f.ctx, orgs.UserActor(outsider), "acme", orgs.InvitationQuery{})),
		"update":      get2(f.svc.UpdateOrganization(f.ctx, orgs.UserActor(outsider), "acme", orgs.UpdateOrganizationInput{Name: ptr("Mine")})),
		"delete":      f.svc.DeleteOrganization(f.ctx, orgs.UserActor(outsider), "acme"),
		"add member":  get2(f.svc.AddMember(f.ctx, orgs.UserActor(outsider), "acme", outsider, orgs.RoleMember)),
		"create team": get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(outsider), "acme", orgs.TeamInput{Name: "Mine"})),
		"invite":      get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(outsider), "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember})),
	} {
		assert.ErrorIs(t, err, orgs.ErrForbidden, "public, %s", name)
	}
	assert.ErrorIs(t, f.svc.LeaveOrganization(f.ctx, orgs.UserActor(outsider), "acme"), orgs.ErrNotMember)
	l, err = f.svc.ListOrganizations(f.ctx, orgs.UserActor(outsider), orgs.OrganizationQuery{})
	require.NoError(t, err)
	assert.Empty(t, l.Data, "a public organization is not one of the outsider's")
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testListOrganizations(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	svc := newService(t, openStore(t, newStore), orgs.WithSeed(orgs.SeedNone))
	create := func(actor, name string, domains ...string) *orgs.Organization {
		org, err := svc.CreateOrganization(ctx, orgs.UserActor(actor), orgs.CreateOrganizationInput{Name: name, Domains: domains})
		require.NoError(t, err)
		return org
	}
	alpha := create("alice", "Alpha Widgets", "alpha.example")
	beta := create("alice", "Beta Gadgets", "beta.example", "shared.example")
	gamma := create("alice", "Gamma Widgets", "shared.example")
	delta := create("bob", "Delta Widgets", "shared.example")
	_, err := svc.AddMember(ctx, orgs.UserActor("alice"), beta.Slug, "bob", orgs.RoleMember)
	require.NoError(t, err)

	list := func(actor string, q orgs.OrganizationQuery) []string {
		t.Helper()
		l, err := svc.ListOrganizations(ctx, orgs.UserActor(actor), q)
		require.NoError(t, err)
		var ids []string
		for _, o := range l.Data {
			ids = append(ids, o.ID)
		}
		return ids
	}
	assert.Equal(t, []string{alpha.ID, beta.ID, gamma.ID}, list("alice", orgs.OrganizationQuery{}))
	assert.Equal(t, []string{beta.ID, delta.ID}, list("bob", orgs.OrganizationQuery{}))
	assert.Equal(t, []string{beta.ID, gamma.ID}, list("alice", orgs.OrganizationQuery{Domain: "SHARED.example."}))
	assert.Equal(t, []string{beta.ID, delta.ID}, list("bob", orgs.OrganizationQuery{Domain: "shared.example"}))
	assert.Empty(t, list("alice", orgs.OrganizationQuery{Domain: "example.com"}))
	assert.Equal(t, []string{alpha.ID, gamma.ID}, list("alice", orgs.OrganizationQuery{Search: "widgets"}))
	assert.Equal(t, []string{alpha.ID, gamma.ID}, list("alice", orgs.OrganizationQuery{Search: "WIDGETS"}))
	assert.Equal(t, []string{beta.ID}, list("alice", orgs.OrganizationQuery{Search: "ta gad"}))
	assert.Equal(t, []string{gamma.ID}, list("alice", orgs.OrganizationQuery{Search: "widgets", Domain: "shared.example"}))
	assert.Empty(t, list("carol", orgs.OrganizationQuery{}))

	// Each organization carries the caller's role.
	l, err := svc.ListOrganizations(ctx, orgs.UserActor("bob"), orgs.OrganizationQuery{})
	require.NoError(t, err)
	require.Len(t, l.Data, 2)
	assert.Equal(t, orgs.RoleMember, l.Data[0].Role)
	assert.Equal(t, orgs.RoleOwner, l.Data[1].Role)
	assert.Equal(t, 2, l.Data[0].MemberCount)
	assert.False(t, l.HasMore)
	assert.Empty(t, l.NextCursor)
	assert.Empty(t, l.PreviousCursor)

	// Search is a substring match: % and _ are ordinary characters.
	pct := create("carol", "100% Pure")
	create("carol", "1000 Pure")
	under := create("carol", "a_b Labs")
	create("carol", "axb Labs")
	assert.Equal(t, []string{pct.ID}, list("carol", orgs.OrganizationQuery{Search: "100%"}))
	assert.Equal(t, []string{under.ID}, list("carol", orgs.OrganizationQuery{Search: "a_b"}))
	assert.Empty(t, list("carol", orgs.OrganizationQuery{Search: `\`}))
}

func testListOrganizationsPagination(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	svc := newService(t, openStore(t, newStore), orgs.WithSeed(orgs.SeedNone))
	var want []string
	for i := range 45 {
		org, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: fmt.Sprintf("Org %02d", i)})
		require.NoError(t, err)
		want = append(want, org.ID)
		if i%10 == 0 { // someone else's organizations are not listed
			_, err := svc.CreateOrganization(ctx, orgs.UserActor("bob"), orgs.CreateOrganizationInput{Name: fmt.Sprintf("Bob %02d", i)})
			require.NoError(t, err)
		}
	}
	require.Equal(t, sorted(want), want, "IDs sort in creation order")
	list := func(p orgs.Page) (*orgs.List[orgs.Organization], error) {
		return svc.ListOrganizations(ctx, orgs.UserActor("alice"), orgs.OrganizationQuery{Page: p})
	}
	key := func(o orgs.Organization) string { return o.ID }
	checkWalks(t, 10, want, key, list)
	checkWalks(t, 7, want, key, list)
	checkWalks(t, 45, want, key, list)
	checkWalks(t, 100, want, key, list)
	checkWalks(t, 3, want[:10], key, func(p orgs.Page) (*orgs.List[orgs.Organization], error) {
		return svc.ListOrganizations(ctx, orgs.UserActor("alice"), orgs.OrganizationQuery{Search: "Org 0", Page: p})
	})

	l, err := list(orgs.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Data, orgs.DefaultPageLimit, "the default page size")
	assert.True(t, l.HasMore)

	// A cursor past the end gives an empty page, not an error.
	l, err = list(orgs.Page{After: orgs.EncodeCursor(want[44])})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	assert.NotNil(t, l.Data)
	assert.False(t, l.HasMore)
	l, err = list(orgs.Page{Before: orgs.EncodeCursor(want[0])})
	require.NoError(t, err)
	assert.Empty(t, l.Data)
	assert.False(t, l.HasMore)
}

func testUpdateOrganization(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	created := f.org
	f.clock.Advance(time.Hour)
	in := orgs.UpdateOrganizationInput{
		Name:         ptr("Acme Two"),
		Slug:         ptr("Acme-Two"),
		Handle:       ptr("Acme2"),
		Description:  ptr("New description"),
		LogoURL:      ptr("https://img.example.com/a.png"),
		Website:      ptr("http://acme.example/"),
		Industry:     ptr("Consulting"),
		ContactEmail: ptr("Hello@ACME.example"),
		ContactPhone: ptr("+44 20 7946 0000"),
		Visibility:   ptr(orgs.VisibilityPublic),
		Domains:      []string{"ACME.example", "acme.example"},
		ExternalID:   ptr("ext-9"),
		Metadata:     map[string]string{"plan": "pro"},
	}
	org, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(admin), "acme", in)
	require.NoError(t, err)
	want := orgs.Organization{
		ID: created.ID, Name: "Acme Two", Slug: "acme-two", Handle: "acme2", Description: "New description",
		LogoURL: "https://img.example.com/a.png", Website: "http://acme.example/", Industry: "Consulting",
		ContactEmail: "hello@acme.example", ContactPhone: "+44 20 7946 0000", Visibility: orgs.VisibilityPublic,
		Domains: []string{"acme.example"}, ExternalID: "ext-9", Metadata: map[string]string{"plan": "pro"},
		MemberCount: 3, Role: orgs.RoleAdmin, CreatedBy: owner,
		CreatedAt: created.CreatedAt.UTC(), UpdatedAt: f.clock.Now(),
	}
	assert.Equal(t, want, normOrg(org))
	got, err := f.svc.GetOrganization(f.ctx, orgs.UserActor(admin), "acme-two")
	require.NoError(t, err)
	assert.Equal(t, want, normOrg(got))

	e := f.lastEvent()
	assert.Equal(t, "organization.updated", string(e.Type))
	assert.Equal(t, admin, e.ActorID)
	assert.Equal(t, "name,slug,handle,description,logo_url,website,industry,contact_email,contact_phone,external_id,visibility,domains,metadata",
		e.Data["fields"])

	// Empty values clear the optional fields; nil leaves them.
	org, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme-two", orgs.UpdateOrganizationInput{
		Handle: ptr(""), Description: ptr(""), LogoURL: ptr(""), Website: ptr(""), Industry: ptr(""),
		ContactEmail: ptr(""), ContactPhone: ptr(""), ExternalID: ptr(""),
		Domains: []string{}, Metadata: map[string]string{},
	})
	require.NoError(t, err)
	want.Handle, want.Description, want.LogoURL, want.Website, want.Industry = "", "", "", "", ""
	want.ContactEmail, want.ContactPhone, want.ExternalID = "", "", ""
	want.Domains, want.Metadata, want.Role = []string{}, map[string]string{}, orgs.RoleOwner
	got, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "acme-two")
	require.NoError(t, err)
	assert.Equal(t, want, normOrg(got))
	assert.Equal(t, want, normOrg(org))
	_, err = f.svc.GetOrganizationByExternalID(f.ctx, orgs.UserActor(owner), "ext-9")
	assert.ErrorIs(t, err, orgs.ErrNotFound)

	// An empty update changes nothing but is still recorded.
	n := len(f.events())
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme-two", orgs.UpdateOrganizationInput{})
	require.NoError(t, err)
	got, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "acme-two")
	require.NoError(t, err)
	assert.Equal(t, want, normOrg(got))
	assert.Len(t, f.events(), n+1)
}

func testUpdateSlug(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	org, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "ACME", orgs.UpdateOrganizationInput{Slug: ptr("acme-inc")})
	require.NoError(t, err)
	assert.Equal(t, "acme-inc", org.Slug)
	_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "acme")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "the old slug is gone")
	got := f.get(member, "acme-inc")
	assert.Equal(t, f.org.ID, got.ID)

	// The old slug is free for another organization.
	other, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(admin), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
	assert.Equal(t, "acme", other.Slug)
	assert.NotEqual(t, f.org.ID, other.ID)

	// Setting a slug to its current value is not a conflict.
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme-inc", orgs.UpdateOrganizationInput{Slug: ptr("acme-inc"), Name: ptr("Acme Inc")})
	require.NoError(t, err)
}

func testUpdateConflicts(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	_, err := f.svc.CreateOrganization(f.ctx, orgs.UserActor(outsider), orgs.CreateOrganizationInput{
		Name: "Other", Slug: "other", Handle: "other-hq", ExternalID: "ext-2"})
	require.NoError(t, err)
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Handle: ptr("acme-hq"), ExternalID: ptr("ext-1")})
	require.NoError(t, err)
	before := snapshot(t, f.store, f.org.ID)

	for _, tc := range []struct {
		name string
		in   orgs.UpdateOrganizationInput
		want error
	}{
		{"slug", orgs.UpdateOrganizationInput{Slug: ptr("other")}, orgs.ErrSlugTaken},
		{"slug case", orgs.UpdateOrganizationInput{Slug: ptr("OTHER"), Name: ptr("Renamed")}, orgs.ErrSlugTaken},
		{"handle", orgs.UpdateOrganizationInput{Handle: ptr("other-hq")}, orgs.ErrHandleTaken},
		{"external id", orgs.UpdateOrganizationInput{ExternalID: ptr("ext-2"), Description: ptr("changed")}, orgs.ErrExternalIDTaken},
	} {
		_, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", tc.in)
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID), "a refused update writes nothing")

	// Keeping one's own handle and external ID is not a conflict.
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{
		Handle: ptr("acme-hq"), ExternalID: ptr("ext-1"), Slug: ptr("acme")})
	require.NoError(t, err)
}

func testUpdatePermissions(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	_, err := f.svc.UpdateOrganization(f.ctx, orgs.UserActor(member), "acme", orgs.UpdateOrganizationInput{Name: ptr("Mine")})
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(outsider), "acme", orgs.UpdateOrganizationInput{Name: ptr("Mine")})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "nope", orgs.UpdateOrganizationInput{Name: ptr("Mine")})
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))

	_, err = f.svc.UpdateOrganization(f.ctx, orgs.UserActor(admin), "acme", orgs.UpdateOrganizationInput{Name: ptr("Acme by Admin")})
	require.NoError(t, err)
	assert.Equal(t, "Acme by Admin", f.get(member, "acme").Name)
}

func testMetadata(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	update := func(svc *orgs.Service, md map[string]string) error {
		_, err := svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Metadata: md})
		return err
	}
	keys := func(n int) map[string]string {
		md := map[string]string{}
		for i := range n {
			md[fmt.Sprintf("key-%02d", i)] = "v"
		}
		return md
	}
	// At the bounds: accepted, and stored whole. Bounds count characters.
	edge := keys(49)
	edge[strings.Repeat("é", 40)] = strings.Repeat("ü", 600)
	require.NoError(t, update(f.svc, edge))
	assert.Equal(t, edge, f.get(owner, "acme").Metadata)
	require.NoError(t, update(f.svc, map[string]string{"multi": "line 1\nline 2\ttab", "empty": ""}))
	assert.Equal(t, map[string]string{"multi": "line 1\nline 2\ttab", "empty": ""}, f.get(owner, "acme").Metadata)

	before := snapshot(t, f.store, f.org.ID)
	for name, md := range map[string]map[string]string{
		"51 keys":          keys(51),
		"41-char key":      {strings.Repeat("k", 41): "v"},
		"601-char value":   {"k": strings.Repeat("v", 601)},
		"empty key":        {"": "v"},
		"control in key":   {"a\nb": "v"},
		"NUL in value":     {"k": "a\x00b"},
		"bad UTF-8 in key": {"\xff": "v"},
	} {
		requireInvalid(t, update(f.svc, md), "metadata")
		assert.Equal(t, before, snapshot(t, f.store, f.org.ID), name)
	}

	// WithMetadataLimits replaces the bounds.
	tight := f.service(orgs.WithMetadataLimits(orgs.MetadataLimits{MaxKeys: 2, MaxKeyLen: 3, MaxValueLen: 4}))
	require.NoError(t, update(tight, map[string]string{"abc": "1234", "x": ""}))
	requireInvalid(t, update(tight, map[string]string{"a": "1", "b": "2", "c": "3"}), "metadata")
	requireInvalid(t, update(tight, map[string]string{"abcd": "1"}), "metadata")
	requireInvalid(t, update(tight, map[string]string{"a": "12345"}), "metadata")
	_, err := tight.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Meta", Metadata: keys(3)})
	requireInvalid(t, err, "metadata")
}

func testDeleteOrganization(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	ctx := f.ctx
	team, err := f.svc.CreateTeam(ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Core"})
	require.NoError(t, err)
	_, err = f.svc.AddTeamMember(ctx, orgs.UserActor(owner), "acme", team.Slug, member, orgs.TeamRoleMember)
	require.NoError(t, err)
	inv, err := f.svc.CreateInvitation(ctx, orgs.UserActor(owner), "acme", orgs.InvitationInput{Email: "new@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)
	pipe, err := f.svc.CreatePipeline(ctx, orgs.UserActor(owner), "acme", orgs.PipelineInput{Name: "Extra", Stages: []string{"One"}})
	require.NoError(t, err)
	cats, err := f.svc.ListCategories(ctx, orgs.UserActor(owner), "acme")
	require.NoError(t, err)
	require.NotEmpty(t, cats)
	// Another organization must not lose anything.
	other, err := f.svc.CreateOrganization(ctx, orgs.UserActor(member), orgs.CreateOrganizationInput{Name: "Other"})
	require.NoError(t, err)
	otherBefore := snapshot(t, f.store, other.ID)
	eventsBefore := len(f.events())

	require.NoError(t, f.svc.DeleteOrganization(ctx, orgs.UserActor(owner), "acme"))

	_, err = f.svc.GetOrganization(ctx, orgs.UserActor(owner), "acme")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.GetOrganizationByID(ctx, orgs.UserActor(owner), f.org.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.store.GetOrganization(ctx, orgs.OrganizationKey{ID: f.org.ID}, "")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.ErrorIs(t, f.store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
		return tx.LockOrganization(ctx, f.org.ID)
	}), orgs.ErrNotFound)
	for _, u := range []string{owner, admin, member} {
		_, err = f.store.GetMember(ctx, f.org.ID, u)
		assert.ErrorIs(t, err, orgs.ErrNotFound, "membership of %s", u)
	}
	ms, err := f.store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: f.org.ID, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, ms)
	n, err := f.store.CountMembers(ctx, f.org.ID, "")
	require.NoError(t, err)
	assert.Zero(t, n)
	cs, err := f.store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: f.org.ID})
	require.NoError(t, err)
	assert.Empty(t, cs)
	ps, err := f.store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: f.org.ID})
	require.NoError(t, err)
	assert.Empty(t, ps)
	_, err = f.store.GetPipeline(ctx, f.org.ID, pipe.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.store.GetInvitation(ctx, f.org.ID, inv.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.store.FindPendingInvitation(ctx, f.org.ID, "new@example.com")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	invs, err := f.store.ListInvitations(ctx, orgs.InvitationFilter{OrganizationID: f.org.ID, Now: f.clock.Now(), Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, invs)
	_, err = f.store.GetTeam(ctx, f.org.ID, team.Slug)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	ts, err := f.store.ListTeams(ctx, orgs.TeamFilter{OrganizationID: f.org.ID, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, ts)
	_, err = f.store.GetTeamMember(ctx, team.ID, member)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	tms, err := f.store.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: team.ID, Range: orgs.Range{MaxRows: 10}})
	require.NoError(t, err)
	assert.Empty(t, tms)
	for _, u := range []string{owner, admin} {
		l, err := f.svc.ListOrganizations(ctx, orgs.UserActor(u), orgs.OrganizationQuery{})
		require.NoError(t, err)
		assert.Empty(t, l.Data, "organizations of %s", u)
	}

	// The audit log stays, ending with the deletion.
	es := f.events()
	require.Len(t, es, eventsBefore+1)
	assert.Equal(t, "organization.deleted", string(es[len(es)-1].Type))
	assert.Equal(t, owner, es[len(es)-1].ActorID)
	assert.Equal(t, "organization.created", string(es[0].Type))

	// Profiles are the host's users, not the organization's.
	users, err := f.store.Users(ctx, []string{owner, member})
	require.NoError(t, err)
	assert.Len(t, users, 2)

	assert.Equal(t, otherBefore, snapshot(t, f.store, other.ID), "another organization is untouched")
	assert.ErrorIs(t, f.svc.DeleteOrganization(ctx, orgs.UserActor(owner), "acme"), orgs.ErrNotFound)

	// The slug, handle and external ID are free again.
	again, err := f.svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Acme"})
	require.NoError(t, err)
	assert.Equal(t, "acme", again.Slug)
	assert.NotEqual(t, f.org.ID, again.ID)
}

func testDeletePermissions(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	assert.ErrorIs(t, f.svc.DeleteOrganization(f.ctx, orgs.UserActor(admin), "acme"), orgs.ErrForbidden)
	assert.ErrorIs(t, f.svc.DeleteOrganization(f.ctx, orgs.UserActor(member), "acme"), orgs.ErrForbidden)
	assert.ErrorIs(t, f.svc.DeleteOrganization(f.ctx, orgs.UserActor(outsider), "acme"), orgs.ErrNotFound)
	assert.ErrorIs(t, f.svc.DeleteOrganization(f.ctx, orgs.UserActor(owner), "nope"), orgs.ErrNotFound)
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}

func testUnauthenticated(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	before := snapshot(t, f.store, f.org.ID)
	for _, actor := range []string{"", "a\x00b", "bad\xffutf8", strings.Repeat("u", 129)} {
		for name, err := range map[string]error{
			"create":       get2(f.svc.CreateOrganization(f.ctx, orgs.UserActor(actor), orgs.CreateOrganizationInput{Name: "X Org"})),
			"get":          get2(f.svc.GetOrganization(f.ctx, orgs.UserActor(actor), "acme")),
			"get by id":    get2(f.svc.GetOrganizationByID(f.ctx, orgs.UserActor(actor), f.org.ID)),
			"list":         get2(f.svc.ListOrganizations(f.ctx, orgs.UserActor(actor), orgs.OrganizationQuery{})),
			"update":       get2(f.svc.UpdateOrganization(f.ctx, orgs.UserActor(actor), "acme", orgs.UpdateOrganizationInput{})),
			"delete":       f.svc.DeleteOrganization(f.ctx, orgs.UserActor(actor), "acme"),
			"add member":   get2(f.svc.AddMember(f.ctx, orgs.UserActor(actor), "acme", "someone", orgs.RoleMember)),
			"list members": get2(f.svc.ListMembers(f.ctx, orgs.UserActor(actor), "acme", orgs.MemberQuery{})),
			"leave":        f.svc.LeaveOrganization(f.ctx, orgs.UserActor(actor), "acme"),
			"events":       get2(f.svc.ListEvents(f.ctx, orgs.UserActor(actor), "acme", orgs.EventQuery{})),
			"create team":  get2(f.svc.CreateTeam(f.ctx, orgs.UserActor(actor), "acme", orgs.TeamInput{Name: "T"})),
			"invite":       get2(f.svc.CreateInvitation(f.ctx, orgs.UserActor(actor), "acme", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember})),
			"accept":       get2(f.svc.AcceptInvitation(f.ctx, orgs.UserActor(actor), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
		} {
			assert.ErrorIs(t, err, orgs.ErrUnauthenticated, "%s by %q", name, actor)
		}
	}
	assert.Equal(t, before, snapshot(t, f.store, f.org.ID))
}
