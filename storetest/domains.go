package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestDomains checks domain claims and their verification, through the
// Service and the Store.
func TestDomains(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"AddListDelete", testDomainsAddListDelete},
		{"Verify", testDomainsVerify},
		{"VerifiedByOneOrganization", testDomainsVerifiedOnce},
		{"OrganizationDomainsKeepState", testDomainsSync},
		{"Permissions", testDomainsPermissions},
		{"Store", testDomainsStore},
	})
}

// newDomain returns a pending Domain row for the store-level tests.
func newDomain(orgID, name string) orgs.Domain {
	return orgs.Domain{ID: orgs.NewID(orgs.PrefixDomain), OrganizationID: orgID, Domain: name,
		State: orgs.DomainPending, VerificationToken: "tok-" + name, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
}

// verifierFunc adapts a function to orgs.DomainVerifier.
type verifierFunc func(ctx context.Context, d orgs.Domain) (bool, error)

func (f verifierFunc) VerifyDomain(ctx context.Context, d orgs.Domain) (bool, error) {
	return f(ctx, d)
}

// publishedVerifier verifies the domains named in published.
func publishedVerifier(published ...string) orgs.DomainVerifier {
	return verifierFunc(func(_ context.Context, d orgs.Domain) (bool, error) {
		for _, p := range published {
			if p == d.Domain {
				return true, nil
			}
		}
		return false, nil
	})
}

func testDomainsAddListDelete(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	d, err := f.svc.AddDomain(f.ctx, orgs.UserActor(owner), "acme", "Jobs.Acme.Example.")
	require.NoError(t, err)
	assert.Equal(t, "jobs.acme.example", d.Domain)
	assert.Equal(t, orgs.DomainPending, d.State)
	assert.Equal(t, "_orgs-challenge.jobs.acme.example", d.VerificationName)
	assert.Equal(t, "orgs-verification="+d.VerificationToken, d.VerificationValue)
	assert.NotEmpty(t, d.VerificationToken)
	assert.Nil(t, d.VerifiedAt)

	_, err = f.svc.AddDomain(f.ctx, orgs.UserActor(owner), "acme", "jobs.acme.example")
	assert.ErrorIs(t, err, orgs.ErrDomainTaken)
	_, err = f.svc.AddDomain(f.ctx, orgs.UserActor(owner), "acme", "localhost")
	requireInvalid(t, err, "domain")

	ds, err := f.svc.ListDomains(f.ctx, orgs.UserActor(owner), "acme")
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, d.ID, ds[0].ID)
	assert.Equal(t, []string{"jobs.acme.example"}, f.get(owner, "acme").Domains)

	l, err := f.svc.ListOrganizations(f.ctx, orgs.UserActor(owner), orgs.OrganizationQuery{Domain: "JOBS.acme.example"})
	require.NoError(t, err)
	require.Len(t, l.Data, 1)
	assert.Equal(t, "acme", l.Data[0].Slug)

	require.NoError(t, f.svc.DeleteDomain(f.ctx, orgs.UserActor(owner), "acme", d.ID))
	assert.ErrorIs(t, f.svc.DeleteDomain(f.ctx, orgs.UserActor(owner), "acme", d.ID), orgs.ErrNotFound)
	assert.Empty(t, f.get(owner, "acme").Domains)
	assert.Equal(t, []string{"domain.added", "domain.deleted"}, eventTypes(f.events())[len(f.events())-2:])
}

func testDomainsVerify(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	svc := f.service(orgs.WithDomainVerifier(publishedVerifier("acme.example")))
	good, err := svc.AddDomain(f.ctx, orgs.UserActor(owner), "acme", "acme.example")
	require.NoError(t, err)
	bad, err := svc.AddDomain(f.ctx, orgs.UserActor(owner), "acme", "other.example")
	require.NoError(t, err)

	v, err := svc.VerifyDomain(f.ctx, orgs.UserActor(owner), "acme", good.ID)
	require.NoError(t, err)
	assert.Equal(t, orgs.DomainVerified, v.State)
	require.NotNil(t, v.VerifiedAt)
	assert.Equal(t, f.clock.Now(), v.VerifiedAt.UTC())
	assert.Equal(t, "domain.verified", string(f.lastEvent().Type))

	v, err = svc.VerifyDomain(f.ctx, orgs.UserActor(owner), "acme", bad.ID)
	require.NoError(t, err)
	assert.Equal(t, orgs.DomainFailed, v.State)
	assert.Nil(t, v.VerifiedAt)
	assert.Equal(t, "domain.verification_failed", string(f.lastEvent().Type))

	ds, err := svc.ListDomains(f.ctx, orgs.UserActor(owner), "acme")
	require.NoError(t, err)
	states := map[string]orgs.DomainState{}
	for _, d := range ds {
		states[d.Domain] = d.State
	}
	assert.Equal(t, map[string]orgs.DomainState{"acme.example": orgs.DomainVerified, "other.example": orgs.DomainFailed}, states)

	_, err = svc.VerifyDomain(f.ctx, orgs.UserActor(owner), "acme", orgs.NewID(orgs.PrefixDomain))
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

func testDomainsVerifiedOnce(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	svc := f.service(orgs.WithDomainVerifier(publishedVerifier("acme.example")))
	_, err := svc.CreateOrganization(f.ctx, orgs.UserActor(outsider), orgs.CreateOrganizationInput{Name: "Rival", Slug: "rival"})
	require.NoError(t, err)
	mine, err := svc.AddDomain(f.ctx, orgs.UserActor(owner), "acme", "acme.example")
	require.NoError(t, err)
	theirs, err := svc.AddDomain(f.ctx, orgs.UserActor(outsider), "rival", "acme.example")
	require.NoError(t, err, "several organizations may claim a domain while pending")

	_, err = svc.VerifyDomain(f.ctx, orgs.UserActor(owner), "acme", mine.ID)
	require.NoError(t, err)
	before := eventsCount(t, f.store, f.org.ID)
	_, err = svc.VerifyDomain(f.ctx, orgs.UserActor(outsider), "rival", theirs.ID)
	assert.ErrorIs(t, err, orgs.ErrDomainTaken, "a domain is verified by one organization only")
	ds, err := svc.ListDomains(f.ctx, orgs.UserActor(outsider), "rival")
	require.NoError(t, err)
	assert.Equal(t, orgs.DomainPending, ds[0].State, "the refused verification wrote nothing")
	assert.Equal(t, before, eventsCount(t, f.store, f.org.ID))
}

func testDomainsSync(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	svc := f.service(orgs.WithDomainVerifier(publishedVerifier("a.example")))
	org, err := svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Dom", Slug: "dom", Domains: []string{"a.example", "b.example"}})
	require.NoError(t, err)
	ds, err := svc.ListDomains(f.ctx, orgs.UserActor(owner), "dom")
	require.NoError(t, err)
	require.Len(t, ds, 2)
	_, err = svc.VerifyDomain(f.ctx, orgs.UserActor(owner), "dom", ds[0].ID)
	require.NoError(t, err)

	_, err = svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "dom", orgs.UpdateOrganizationInput{Domains: []string{"c.example", "a.example"}})
	require.NoError(t, err)
	after, err := svc.ListDomains(f.ctx, orgs.UserActor(owner), "dom")
	require.NoError(t, err)
	byName := map[string]orgs.Domain{}
	for _, d := range after {
		byName[d.Domain] = d
	}
	require.Len(t, byName, 2)
	assert.Equal(t, orgs.DomainVerified, byName["a.example"].State, "a kept domain keeps its verification")
	assert.Equal(t, ds[0].ID, byName["a.example"].ID)
	assert.Equal(t, orgs.DomainPending, byName["c.example"].State)
	assert.ElementsMatch(t, []string{"a.example", "c.example"}, f.get(owner, "dom").Domains)

	_, err = svc.UpdateOrganization(f.ctx, orgs.UserActor(owner), "dom", orgs.UpdateOrganizationInput{Name: ptr("Dom 2")})
	require.NoError(t, err)
	assert.Len(t, f.get(owner, "dom").Domains, 2, "an update without domains leaves them")
	require.NoError(t, svc.DeleteOrganization(f.ctx, orgs.UserActor(owner), "dom"))
	left, err := f.store.ListDomains(f.ctx, orgs.DomainFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	assert.Empty(t, left, "deleting the organization deletes its domains")
}

func testDomainsPermissions(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	d, err := f.svc.AddDomain(f.ctx, orgs.UserActor(admin), "acme", "acme.example")
	require.NoError(t, err, "admins manage domains")
	before := eventsCount(t, f.store, f.org.ID)
	_, err = f.svc.AddDomain(f.ctx, orgs.UserActor(member), "acme", "x.example")
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListDomains(f.ctx, orgs.UserActor(member), "acme")
	assert.ErrorIs(t, err, orgs.ErrForbidden)
	assert.ErrorIs(t, f.svc.DeleteDomain(f.ctx, orgs.UserActor(member), "acme", d.ID), orgs.ErrForbidden)
	_, err = f.svc.AddDomain(f.ctx, orgs.UserActor(outsider), "acme", "x.example")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "a private organization is invisible to outsiders")

	// Another organization's owner cannot reach acme's domain by ID.
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(outsider), orgs.CreateOrganizationInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	assert.ErrorIs(t, f.svc.DeleteDomain(f.ctx, orgs.UserActor(outsider), "other", d.ID), orgs.ErrNotFound)
	_, err = f.svc.VerifyDomain(f.ctx, orgs.UserActor(outsider), "other", d.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Equal(t, before, eventsCount(t, f.store, f.org.ID))
}

func testDomainsStore(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store, org := storeFixture(t, newStore)
	other := insertOrganization(t, store, "other", owner)
	a := newDomain(org.ID, "a.example")
	update(t, store, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertDomains(ctx, []orgs.Domain{a}) })
	err := store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
		return tx.InsertDomains(ctx, []orgs.Domain{newDomain(org.ID, "a.example")})
	})
	assert.ErrorIs(t, err, orgs.ErrDomainTaken)

	got, err := store.GetDomain(ctx, org.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Domain, got.Domain)
	assert.Equal(t, a.VerificationToken, got.VerificationToken)
	_, err = store.GetDomain(ctx, other.ID, a.ID)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "a domain is found only under its organization")

	now := time.Now().UTC().Truncate(time.Microsecond)
	got.State, got.VerifiedAt = orgs.DomainVerified, &now
	update(t, store, func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateDomain(ctx, got) })
	b := newDomain(other.ID, "a.example")
	update(t, store, func(ctx context.Context, tx orgs.Tx) error { return tx.InsertDomains(ctx, []orgs.Domain{b}) })
	b.State, b.VerifiedAt = orgs.DomainVerified, &now
	err = store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return tx.UpdateDomain(ctx, &b) })
	assert.ErrorIs(t, err, orgs.ErrDomainTaken)

	got, err = store.GetDomain(ctx, org.ID, a.ID)
	require.NoError(t, err)
	require.NotNil(t, got.VerifiedAt)
	assert.True(t, now.Equal(*got.VerifiedAt))
	assert.Equal(t, orgs.DomainVerified, got.State)

	update(t, store, func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteOrganization(ctx, org.ID) })
	left, err := store.ListDomains(ctx, orgs.DomainFilter{OrganizationID: org.ID})
	require.NoError(t, err)
	assert.Empty(t, left, "deleting the organization deletes its domains")
	err = store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return tx.DeleteDomain(ctx, other.ID, a.ID) })
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}
