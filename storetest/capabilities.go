package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
)

// TestCapabilities tests the optional capabilities a store has — small
// interfaces beside orgs.Store and orgs.Tx that the Service type-asserts —
// and, in Fallbacks, runs the areas that lean on them again with every
// capability hidden, proving the Service's fallbacks. A capability the store
// lacks is skipped, saying so.
func TestCapabilities(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"OrganizationLocker", testOrganizationLocker},
		{"LockReader", testLockReader},
		{"WriteBatcher", testWriteBatcher},
		{"BulkWriter", testBulkWriter},
		{"Fallbacks", testFallbacks},
	})
}

// needTx returns the capability T of a transaction of store, or skips the
// test: the store does not implement it, and the Service falls back (or
// refuses the option that needs it).
func needTx[T any](t *testing.T, store orgs.Store, name string) {
	t.Helper()
	var has bool
	require.NoError(t, store.Transact(t.Context(), func(ctx context.Context, tx orgs.Tx) error {
		_, has = tx.(T)
		return nil
	}))
	if !has {
		t.Skipf("the store's Tx does not implement the optional capability orgs.%s: skipped (the Service falls back)", name)
	}
}

func testOrganizationLocker(t *testing.T, newStore NewStore) {
	ctx := t.Context()
	store := openStore(t, newStore)
	needTx[orgs.OrganizationLocker](t, store, "OrganizationLocker")
	org := insertOrganization(t, store, "lock-me", owner)
	org.ExternalID = "ext-lock"
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		require.NoError(t, tx.LockOrganization(ctx, org.ID))
		return tx.UpdateOrganization(ctx, org)
	})
	want, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: org.ID}, owner)
	require.NoError(t, err)
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		lk := tx.(orgs.OrganizationLocker)
		for _, key := range []orgs.OrganizationKey{{ID: org.ID}, {Slug: "lock-me"}, {ExternalID: "ext-lock"}} {
			got, err := lk.LockAndGetOrganization(ctx, key, owner)
			require.NoError(t, err, key)
			assert.Equal(t, want, got, "LockAndGetOrganization(%+v) reads as GetOrganization", key)
		}
		got, err := lk.LockAndGetOrganization(ctx, orgs.OrganizationKey{Slug: "lock-me"}, "stranger")
		require.NoError(t, err)
		assert.Equal(t, orgs.Role(""), got.Role, "the viewer's role")
		for _, key := range []orgs.OrganizationKey{{ID: orgs.NewID(orgs.PrefixOrganization)}, {Slug: "missing"}, {ExternalID: "missing"}} {
			_, err := lk.LockAndGetOrganization(ctx, key, owner)
			assert.ErrorIs(t, err, orgs.ErrNotFound, "%+v", key)
		}
		return nil
	})
}

// plainStore hides every optional capability of the store it wraps: the
// embedded interfaces carry only orgs.Store's and orgs.Tx's methods.
type plainStore struct{ orgs.Store }

type plainTx struct{ orgs.Tx }

func (s plainStore) Transact(ctx context.Context, fn func(ctx context.Context, tx orgs.Tx) error) error {
	return s.Store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return fn(ctx, plainTx{tx}) })
}

// testFallbacks runs the areas whose rules lean on the optional
// capabilities (every change locks its organization) with the capabilities
// hidden, so that the Service's fallbacks are proven on this store too.
func testFallbacks(t *testing.T, newStore NewStore) {
	plain := func(t *testing.T) orgs.Store { return plainStore{newStore(t)} }
	var tx orgs.Tx = plainTx{}
	_, locker := tx.(orgs.OrganizationLocker)
	_, reader := tx.(orgs.LockReader)
	_, batcher := tx.(orgs.WriteBatcher)
	_, bulk := tx.(orgs.BulkWriter)
	if locker || reader || batcher || bulk {
		t.Fatal("plainTx shows a capability: the fallbacks would not be tested")
	}
	for _, area := range []struct {
		name string
		run  func(*testing.T, NewStore)
	}{
		{"Members", TestMembers},
		{"Ranks", TestRanks},
		{"Invitations", TestInvitations},
		{"Teams", TestTeams},
		{"Limits", TestLimits},
		{"Bulk", TestBulk},
		{"Concurrency", TestConcurrency},
	} {
		t.Run(area.name, func(t *testing.T) {
			t.Parallel()
			area.run(t, plain)
		})
	}
}
