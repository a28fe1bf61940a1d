package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// HostTransactions lets the suite run Service calls inside a transaction
// the host began, for a store that can join one (see
// Service.WithStore): give it in Options.HostTransactions. A store that
// cannot (an in-memory one has no transaction of the host's to join)
// declares the area HostTransactions an exception, saying why.
type HostTransactions interface {
	// Begin begins a transaction of the host's on store's database. It
	// may be called from goroutines other than the test's.
	Begin(t *testing.T, store orgs.Store) (HostTx, error)
	// HostRowExists reports whether a row of the host's own named key was
	// committed, read outside any transaction.
	HostRowExists(t *testing.T, store orgs.Store, key string) bool
}

// HostTx is one transaction of the host's.
type HostTx interface {
	// Store is the store bound to the transaction (such as
	// sqlite.Store.WithTx returns).
	Store() orgs.Store
	// InsertHostRow writes a row of the host's own, named key, in the
	// transaction. A second row with the same key must fail.
	InsertHostRow(ctx context.Context, key string) error
	Commit() error
	Rollback() error
}

// TestHostTransactions runs Service calls inside transactions the host
// began (Options.HostTransactions): committed, the host's rows and ours
// are both there; rolled back, nothing of ours is left, events included; a
// refused call leaves the host's transaction usable; the rules hold across
// concurrent host transactions. Without Options.HostTransactions it is
// skipped, saying so.
func TestHostTransactions(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"CommitKeepsBoth", testHostCommit},
		{"RollbackLeavesNothing", testHostRollback},
		{"RefusedCallKeepsHostTx", testHostRefusedCall},
		{"FailedTransactLeavesNothing", testHostFailedTransact},
		{"ConcurrentSlug", testHostConcurrentSlug},
		{"ConcurrentLastOwner", testHostConcurrentLastOwner},
	})
}

// hostTransactions returns the Options.HostTransactions of the running
// RunWithOptions, or skips the test.
func hostTransactions(t *testing.T) HostTransactions {
	t.Helper()
	var h HostTransactions
	declared.Range(func(k, v any) bool {
		if strings.HasPrefix(t.Name(), k.(string)+"/") {
			h = v.(Options).HostTransactions
		}
		return true
	})
	if h == nil {
		t.Skip("no Options.HostTransactions: this store's run does not say how to begin a transaction of the host's; skipped")
	}
	return h
}

// begin begins a host's transaction, failing the test on error.
func begin(t *testing.T, h HostTransactions, store orgs.Store) HostTx {
	t.Helper()
	tx, err := h.Begin(t, store)
	require.NoError(t, err)
	return tx
}

// hostFixture is a fixture and the store's host transactions.
func hostFixture(t *testing.T, newStore NewStore) (*fixture, HostTransactions) {
	t.Helper()
	h := hostTransactions(t)
	return newFixture(t, newStore, orgs.WithSeed(orgs.SeedWeb)), h
}

func testHostCommit(t *testing.T, newStore NewStore) {
	f, h := hostFixture(t, newStore)
	tx := begin(t, h, f.store)
	require.NoError(t, tx.InsertHostRow(f.ctx, "tenant-1"))
	in := f.svc.WithStore(tx.Store())
	org, err := in.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Tenant", Slug: "tenant"})
	require.NoError(t, err)
	_, err = in.AddMember(f.ctx, orgs.UserActor(owner), "tenant", member, orgs.RoleAdmin)
	require.NoError(t, err)
	_, err = in.CreateInvitation(f.ctx, orgs.UserActor(owner), "tenant", orgs.InvitationInput{Email: "new@example.com", Role: orgs.RoleMember})
	require.NoError(t, err)

	// Inside, the transaction's writes are seen; outside, not yet.
	got, err := in.GetOrganization(f.ctx, orgs.UserActor(member), "tenant")
	require.NoError(t, err)
	assert.Equal(t, 2, got.MemberCount)
	_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "tenant")
	assert.ErrorIs(t, err, orgs.ErrNotFound, "uncommitted, invisible outside")
	assert.False(t, h.HostRowExists(t, f.store, "tenant-1"))

	require.NoError(t, tx.Commit())
	assert.True(t, h.HostRowExists(t, f.store, "tenant-1"))
	got, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(member), "tenant")
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleAdmin, got.Role)
	assert.Equal(t, []string{"organization.created", "member.added", "invitation.created"}, eventTypes(allEvents(t, f.store, org.ID)))
	cs, err := f.svc.ListCategories(f.ctx, orgs.UserActor(owner), "tenant")
	require.NoError(t, err)
	assert.Len(t, cs, len(orgs.SeedWeb.Categories), "the seed came along")
}

func testHostRollback(t *testing.T, newStore NewStore) {
	f, h := hostFixture(t, newStore)
	acmeBefore := snapshot(t, f.store, f.org.ID)
	tx := begin(t, h, f.store)
	require.NoError(t, tx.InsertHostRow(f.ctx, "tenant-1"))
	in := f.svc.WithStore(tx.Store())
	org, err := in.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Tenant", Slug: "tenant"})
	require.NoError(t, err)
	_, err = in.AddMember(f.ctx, orgs.UserActor(owner), "tenant", member, orgs.RoleAdmin)
	require.NoError(t, err)
	// A change of an existing organization, too.
	_, err = in.AddMember(f.ctx, orgs.UserActor(owner), "acme", outsider, orgs.RoleMember)
	require.NoError(t, err)
	_, err = in.CreateTeam(f.ctx, orgs.UserActor(owner), "acme", orgs.TeamInput{Name: "Rolled back"})
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())

	assert.False(t, h.HostRowExists(t, f.store, "tenant-1"))
	_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "tenant")
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	assert.Empty(t, allEvents(t, f.store, org.ID), "no event of a rolled-back organization")
	assert.Equal(t, acmeBefore, snapshot(t, f.store, f.org.ID), "nothing of the rolled-back changes, events included")
	_, err = f.svc.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Tenant", Slug: "tenant"})
	require.NoError(t, err, "the slug is free")
}

// testHostRefusedCall: a call the Service refuses after its store
// refused a write (a taken slug: on Postgres a unique violation, which
// would abort the whole transaction) leaves the host's transaction usable,
// and nothing of the refused call in it.
func testHostRefusedCall(t *testing.T, newStore NewStore) {
	f, h := hostFixture(t, newStore)
	tx := begin(t, h, f.store)
	require.NoError(t, tx.InsertHostRow(f.ctx, "tenant-1"))
	in := f.svc.WithStore(tx.Store())
	_, err := in.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Acme again", Slug: "acme"})
	require.ErrorIs(t, err, orgs.ErrSlugTaken)
	_, err = in.AddMember(f.ctx, orgs.UserActor(owner), "acme", admin, orgs.RoleMember)
	require.ErrorIs(t, err, orgs.ErrAlreadyMember)
	_, err = in.UpdateMemberRole(f.ctx, orgs.UserActor(owner), "acme", owner, orgs.RoleMember)
	require.ErrorIs(t, err, orgs.ErrLastOwner)
	// The transaction goes on.
	_, err = in.CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Tenant", Slug: "tenant"})
	require.NoError(t, err)
	require.NoError(t, tx.InsertHostRow(f.ctx, "tenant-2"))
	require.NoError(t, tx.Commit())
	assert.True(t, h.HostRowExists(t, f.store, "tenant-1"))
	assert.True(t, h.HostRowExists(t, f.store, "tenant-2"))
	_, err = f.svc.GetOrganization(f.ctx, orgs.UserActor(owner), "tenant")
	require.NoError(t, err)
	assert.Equal(t, orgs.RoleAdmin, f.memberRole(admin))
	assert.Equal(t, orgs.RoleOwner, f.memberRole(owner))
}

// testHostFailedTransact: the bound store's Transact keeps the contract
// inside the host's transaction — fn's writes are undone when it fails, or
// panics — and commits nothing itself.
func testHostFailedTransact(t *testing.T, newStore NewStore) {
	f, h := hostFixture(t, newStore)
	tx := begin(t, h, f.store)
	bound := tx.Store()
	org, m := newOrganization("undone", owner)
	boom := fmt.Errorf("boom")
	err := bound.Transact(f.ctx, func(ctx context.Context, btx orgs.Tx) error {
		require.NoError(t, btx.InsertOrganization(ctx, org, m))
		return boom
	})
	require.ErrorIs(t, err, boom)
	func() {
		defer func() { assert.Equal(t, boom, recover()) }()
		_ = bound.Transact(f.ctx, func(ctx context.Context, btx orgs.Tx) error {
			require.NoError(t, btx.InsertOrganization(ctx, org, m))
			panic(boom)
		})
	}()
	_, err = bound.GetOrganization(f.ctx, orgs.OrganizationKey{Slug: "undone"}, owner)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "undone inside the host's transaction")
	kept, km := newOrganization("kept", owner)
	require.NoError(t, bound.Transact(f.ctx, func(ctx context.Context, btx orgs.Tx) error { return btx.InsertOrganization(ctx, kept, km) }))
	_, err = f.store.GetOrganization(f.ctx, orgs.OrganizationKey{Slug: "kept"}, owner)
	assert.ErrorIs(t, err, orgs.ErrNotFound, "Transact commits nothing: the host does")
	require.NoError(t, tx.Commit())
	_, err = f.store.GetOrganization(f.ctx, orgs.OrganizationKey{Slug: "kept"}, owner)
	assert.NoError(t, err)
	_, err = f.store.GetOrganization(f.ctx, orgs.OrganizationKey{Slug: "undone"}, owner)
	assert.ErrorIs(t, err, orgs.ErrNotFound)
	require.NoError(t, bound.Close())
	assert.ErrorIs(t, bound.Close(), orgs.ErrClosed)
	assert.ErrorIs(t, bound.Transact(f.ctx, func(context.Context, orgs.Tx) error { return nil }), orgs.ErrClosed)
	_, err = f.store.GetOrganization(f.ctx, orgs.OrganizationKey{Slug: "kept"}, owner)
	assert.NoError(t, err, "closing the bound store leaves the store open")
}

// testHostConcurrentSlug: hosts creating their tenant and an organization
// with one slug, each in its own transaction at once: exactly one commits;
// the others see ErrSlugTaken and roll back their own rows.
func testHostConcurrentSlug(t *testing.T, newStore NewStore) {
	f, h := hostFixture(t, newStore)
	const n = 6
	errs := testkit.Storm(n, func(i int) error {
		tx, err := h.Begin(t, f.store)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("tenant-%d", i)
		if err := tx.InsertHostRow(f.ctx, key); err != nil {
			_ = tx.Rollback()
			return err
		}
		_, err = f.svc.WithStore(tx.Store()).CreateOrganization(f.ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Contested", Slug: "contested"})
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	o := tally(errs, orgs.ErrSlugTaken)
	t.Logf("%d host transactions creating one slug at once: %s", n, o)
	assert.Empty(t, o.other)
	require.Equal(t, 1, o.ok)
	rows := 0
	for i := range n {
		if h.HostRowExists(t, f.store, fmt.Sprintf("tenant-%d", i)) {
			rows++
			assert.NoError(t, errs[i], "the committed host row is the winner's")
		}
	}
	assert.Equal(t, 1, rows)
}

// testHostConcurrentLastOwner: owners demoting themselves, each in a
// transaction of the host's at once: the organization keeps one owner —
// the lock taken inside a host's transaction holds until it ends.
func testHostConcurrentLastOwner(t *testing.T, newStore NewStore) {
	f, h := hostFixture(t, newStore)
	const n = 5
	owners := names("co-owner-", n)
	f.addMembers(orgs.RoleOwner, owners...)
	require.NoError(t, f.svc.TransferOwnership(f.ctx, orgs.UserActor(owner), "acme", owners[0]))
	_, err := f.svc.UpdateMemberRole(f.ctx, orgs.UserActor(owners[0]), "acme", owner, orgs.RoleMember)
	require.NoError(t, err)
	errs := testkit.Storm(n, func(i int) error {
		tx, err := h.Begin(t, f.store)
		if err != nil {
			return err
		}
		_, err = f.svc.WithStore(tx.Store()).UpdateMemberRole(f.ctx, orgs.UserActor(owners[i]), "acme", owners[i], orgs.RoleAdmin)
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	o := tally(errs, orgs.ErrLastOwner)
	t.Logf("%d owners demoting themselves in host transactions at once: %s", n, o)
	assert.Empty(t, o.other)
	assert.Equal(t, n-1, o.ok)
	assert.Equal(t, 1, countOwners(t, f.store, f.org.ID))
}
