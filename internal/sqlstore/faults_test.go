package sqlstore_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/internal/testkit"
	"github.com/tenantkit/orgs/storetest"
)

// Reliability tests of the bun store: two application instances on one
// Postgres database, negative controls proving the concurrency tests catch
// a missing lock, and fault injection (faults_inject_test.go, crash_test.go).

// faultRuns is how many times the negative controls and the two-instance
// storms repeat (-faults.runs, or ORGS_FAULT_RUNS).
var (
	faultRuns = flag.Int("faults.runs", envInt("ORGS_FAULT_RUNS", 0), "store: runs of each storm of TestTwoInstances (default 5) and TestNegativeControls (default 10)")
	negative  = flag.Bool("faults.negative", os.Getenv("ORGS_NEGATIVE") == "1", "store: also run the torture scenarios as negative controls (slow)")
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func runsOr(def int) int {
	if *faultRuns > 0 {
		return *faultRuns
	}
	return def
}

// pgSchema creates a fresh, migrated schema and returns a URL whose
// connections use it; the schema is dropped at cleanup. Open as many stores
// on the URL as needed: they are application instances sharing a database.
func pgSchema(t *testing.T) string {
	t.Helper()
	u := testdb.PostgresSchemaURL(t)
	s, err := openPostgresAt(u)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(context.Background()))
	return u
}

// openPGAt opens a store (one more pool, one more application instance) at
// url, closed at cleanup (before the schema is dropped).
func openPGAt(t *testing.T, url string) *sqlstore.Store {
	t.Helper()
	s, err := openPostgresAt(url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// instances returns n stores over one fresh Postgres schema.
func instances(t *testing.T, n int) []orgs.Store {
	t.Helper()
	u := pgSchema(t)
	out := make([]orgs.Store, n)
	for i := range out {
		out[i] = openPGAt(t, u)
	}
	return out
}

// count returns how many errs are nil, wrap want, and neither.
func count(errs []error, want ...error) (ok, expected int, other []error) {
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			matched := false
			for _, w := range want {
				matched = matched || errors.Is(err, w)
			}
			if matched {
				expected++
			} else {
				other = append(other, err)
			}
		}
	}
	return ok, expected, other
}

// lastOwnerStorm creates an organization with n owners and has each demote
// itself at once, half through each Service, and returns how many owners
// are left and the storm's errors.
func lastOwnerStorm(t *testing.T, svcs []*orgs.Service, st orgs.Store, run, n int) (owners int, errs []error) {
	t.Helper()
	ctx := t.Context()
	slug := fmt.Sprintf("storm-%d", run)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("r%d-o%02d", run, i)
	}
	org, err := svcs[0].CreateOrganization(ctx, orgs.UserActor(ids[0]), orgs.CreateOrganizationInput{Name: "Storm", Slug: slug})
	require.NoError(t, err)
	for _, id := range ids[1:] {
		_, err := svcs[0].AddMember(ctx, orgs.UserActor(ids[0]), slug, id, orgs.RoleOwner)
		require.NoError(t, err)
	}
	errs = testkit.Storm(n, func(i int) error {
		_, err := svcs[i%len(svcs)].UpdateMemberRole(ctx, orgs.UserActor(ids[i]), slug, ids[i], orgs.RoleAdmin)
		return err
	})
	owners, err = st.CountMembers(ctx, org.ID, orgs.RoleOwner)
	require.NoError(t, err)
	return owners, errs
}

// deactivateStorm creates an organization with n owners and has each
// deactivate its own membership at once, alternating the two instances; it
// returns how many active owners are left and the storm's errors.
func deactivateStorm(t *testing.T, svcs []*orgs.Service, st orgs.Store, run, n int) (active int, errs []error) {
	t.Helper()
	ctx := t.Context()
	sys := orgs.SystemActor()
	org, err := svcs[0].CreateOrganization(ctx, sys, orgs.CreateOrganizationInput{Name: "Deactivate", Slug: fmt.Sprintf("deact-%d", run)})
	require.NoError(t, err)
	ids := make([]string, n)
	for i := range ids {
		m, err := svcs[0].AddMember(ctx, sys, org.ID, fmt.Sprintf("r%d-d%02d", run, i), orgs.RoleOwner)
		require.NoError(t, err)
		ids[i] = m.ID
	}
	errs = testkit.Storm(n, func(i int) error {
		_, err := svcs[i%len(svcs)].DeactivateMembership(ctx, orgs.UserActor(fmt.Sprintf("r%d-d%02d", run, i)), ids[i])
		return err
	})
	active, err = st.(orgs.Memberships).CountActiveMembers(ctx, org.ID, orgs.RoleOwner)
	require.NoError(t, err)
	return active, errs
}

// acceptStorm creates an organization and one invitation, and has n users
// accept its token at once, half through each Service; it returns how
// many memberships the invitation made and the storm's errors.
func acceptStorm(t *testing.T, svcs []*orgs.Service, st orgs.Store, run, n int) (joined int, errs []error) {
	t.Helper()
	ctx := t.Context()
	slug := fmt.Sprintf("accept-%d", run)
	org, err := svcs[0].CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Accept", Slug: slug})
	require.NoError(t, err)
	inv, err := svcs[0].CreateInvitation(ctx, orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: fmt.Sprintf("r%d@example.com", run), Role: orgs.RoleMember})
	require.NoError(t, err)
	errs = testkit.Storm(n, func(i int) error {
		_, err := svcs[i%len(svcs)].AcceptInvitation(ctx, orgs.UserActor(fmt.Sprintf("r%d-u%02d", run, i)), inv.Token)
		return err
	})
	members, err := st.CountMembers(ctx, org.ID, "")
	require.NoError(t, err)
	return members - 1, errs
}

// limitStorm creates an organization limited to limit members and has n
// users added at once, half through each Service; it returns the members.
func limitStorm(t *testing.T, svcs []*orgs.Service, st orgs.Store, run, n int) (members int, errs []error) {
	t.Helper()
	ctx := t.Context()
	slug := fmt.Sprintf("limit-%d", run)
	org, err := svcs[0].CreateOrganization(ctx, orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Limit", Slug: slug})
	require.NoError(t, err)
	errs = testkit.Storm(n, func(i int) error {
		_, err := svcs[i%len(svcs)].AddMember(ctx, orgs.UserActor("boss"), slug, fmt.Sprintf("r%d-u%02d", run, i), orgs.RoleMember)
		return err
	})
	members, err = st.CountMembers(ctx, org.ID, "")
	require.NoError(t, err)
	return members, errs
}

const stormLimit = 5

// stormServices returns a Service per store (no seed, any user may accept
// any token), with opts.
func stormServices(t *testing.T, stores []orgs.Store, opts ...orgs.Option) []*orgs.Service {
	t.Helper()
	var svcs []*orgs.Service
	for _, st := range stores {
		svc, err := orgs.New(st, append([]orgs.Option{orgs.WithSeed(orgs.SeedNone),
			orgs.WithInvitationOptions(orgs.InvitationOptions{SkipEmailCheck: true})}, opts...)...)
		require.NoError(t, err)
		svcs = append(svcs, svc)
	}
	return svcs
}

// limited is stormServices' option for limitStorm.
var limited = orgs.WithLimits(orgs.Limits{MembersPerOrganization: stormLimit})

// TestTwoInstances attacks the last-owner, single-use-invitation and
// member-limit rules from two application instances (two *bun.DB pools) on
// one Postgres database at once, then runs every torture scenario with its
// goroutines spread over both.
func TestTwoInstances(t *testing.T) {
	pgURL(t)
	t.Parallel()
	t.Run("Storms", func(t *testing.T) {
		t.Parallel()
		stores := instances(t, 2)
		svcs, capped := stormServices(t, stores), stormServices(t, stores, limited)
		const n = 20
		runs := runsOr(5)
		var badOwner, badAccept, badLimit int
		for run := range runs {
			owners, errs := lastOwnerStorm(t, svcs, stores[0], run, n)
			ok, refused, other := count(errs, orgs.ErrLastOwner)
			assert.Empty(t, other, "last owner, run %d", run)
			if owners != 1 || ok != n-1 || refused != 1 {
				badOwner++
				t.Errorf("last owner, run %d: %d owners left, %d demotions, %d ErrLastOwner", run, owners, ok, refused)
			}

			active, errs := deactivateStorm(t, svcs, stores[0], run, n)
			ok, refused, other = count(errs, orgs.ErrLastOwner)
			assert.Empty(t, other, "deactivate, run %d", run)
			if active != 1 || ok != n-1 || refused != 1 {
				badOwner++
				t.Errorf("deactivate, run %d: %d active owners left, %d deactivations, %d ErrLastOwner", run, active, ok, refused)
			}

			joined, errs := acceptStorm(t, svcs, stores[0], run, n)
			ok, refused, other = count(errs, orgs.ErrInvitationNotPending)
			assert.Empty(t, other, "accept, run %d", run)
			if joined != 1 || ok != 1 || refused != n-1 {
				badAccept++
				t.Errorf("accept, run %d: %d memberships, %d accepts succeeded", run, joined, ok)
			}

			members, errs := limitStorm(t, capped, stores[0], run, n)
			ok, _, other = count(errs, orgs.ErrLimitExceeded)
			assert.Empty(t, other, "limit, run %d", run)
			if members != stormLimit || ok != stormLimit-1 {
				badLimit++
				t.Errorf("limit, run %d: %d members (limit %d), %d adds succeeded", run, members, stormLimit, ok)
			}
		}
		t.Logf("two instances, %d runs × %d goroutines each: last owner broken in %d, accept-once in %d, member limit in %d",
			runs, n, badOwner, badAccept, badLimit)
	})
	for _, sc := range storetest.TortureScenarios {
		t.Run("Torture/"+sc, func(t *testing.T) {
			t.Parallel()
			r := storetest.Torture(t, sc, instances(t, 2), storetest.TortureOptions{})
			t.Log(r.String())
			assert.Empty(t, r.Violations)
			assert.Empty(t, r.Unexpected)
			if len(r.Violations)+len(r.Unexpected) > 0 {
				t.Logf("reproduce the operations with -torture.seed=%d", r.Seed)
			}
		})
	}
}

// naiveStore is a deliberately broken store for the negative controls: its
// Transact hands the Service a Tx whose LockOrganization only checks that
// the organization exists, without locking it — the "check, then write" of
// a READ COMMITTED transaction that FINDINGS.md shows losing the last owner.
// naiveTx embeds the orgs.Tx interface, which hides the store's optional
// orgs.OrganizationLocker, so the Service falls back to LockOrganization.
type naiveStore struct{ *sqlstore.Store }

func (s naiveStore) Transact(ctx context.Context, fn func(ctx context.Context, tx orgs.Tx) error) error {
	return s.Store.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error { return fn(ctx, naiveTx{tx}) })
}

type naiveTx struct{ orgs.Tx }

func (tx naiveTx) LockOrganization(ctx context.Context, orgID string) error {
	_, err := tx.GetOrganization(ctx, orgs.OrganizationKey{ID: orgID}, "")
	return err
}

// TestNegativeControls proves that the concurrency tests catch the bug they
// guard against: with the organization lock removed (naiveStore), on
// Postgres, the storms of TestTwoInstances and the torture scenarios must
// see the rules broken at least once. On SQLite every write transaction is
// immediate and excludes the others, so no lock can be left out there and
// there is no negative control.
func TestNegativeControls(t *testing.T) {
	pgURL(t)
	t.Parallel()
	naive := func(t *testing.T) []orgs.Store { return naiveStoresAt(t, pgSchema(t)) }
	t.Run("Storms", func(t *testing.T) {
		t.Parallel()
		stores := naive(t)
		svcs, capped := stormServices(t, stores), stormServices(t, stores, limited)
		const n = 20
		runs := runsOr(10)
		var badOwner, badAccept, badLimit int
		for run := range runs {
			if joined, _ := acceptStorm(t, svcs, stores[0], run, n); joined != 1 {
				badAccept++
			}
			if members, _ := limitStorm(t, capped, stores[0], run, n); members > stormLimit {
				badLimit++
			}
		}
		// The last owner breaks in 40–95% of runs (depending on the load of
		// the machine) whatever the number of owners (2 to 20 measured): run
		// small storms, twice as many.
		const owners = 4
		for run := range 2 * runs {
			if left, _ := lastOwnerStorm(t, svcs, stores[0], run, owners); left != 1 {
				badOwner++
			}
		}
		t.Logf("NEGATIVE CONTROL (no lock), over two instances: last owner broken in %d/%d runs (%d owners demoting themselves at once), "+
			"accept-once in %d/%d, member limit in %d/%d (%d goroutines)", badOwner, 2*runs, owners, badAccept, runs, badLimit, runs, n)
		assert.Positive(t, badOwner, "the last-owner storm did not catch the missing lock")
		assert.Positive(t, badAccept, "the accept storm did not catch the missing lock")
		assert.Positive(t, badLimit, "the member-limit storm did not catch the missing lock")
	})
	for _, sc := range []string{"LastOwner", "AcceptOnce", "MemberLimit"} {
		t.Run("Torture/"+sc, func(t *testing.T) {
			if !*negative {
				t.Skip("the torture negative controls run with -faults.negative or ORGS_NEGATIVE=1")
			}
			t.Parallel()
			runs := runsOr(5)
			caught := 0
			for run := range runs {
				t.Run(fmt.Sprint(run), func(t *testing.T) { // its stores closed when it ends
					r := storetest.Torture(t, sc, naive(t), storetest.TortureOptions{})
					t.Logf("NEGATIVE CONTROL (no lock): %s; first violation: %s", r, first(r.Violations))
					if len(r.Violations) > 0 {
						caught++
					}
				})
			}
			t.Logf("NEGATIVE CONTROL torture %s: violations found in %d/%d runs", sc, caught, runs)
			assert.Positive(t, caught, "torture %s did not catch the missing lock", sc)
		})
	}
}

// naiveStoresAt returns two naive stores (two instances) at url.
func naiveStoresAt(t *testing.T, url string) []orgs.Store {
	t.Helper()
	return []orgs.Store{naiveStore{openPGAt(t, url)}, naiveStore{openPGAt(t, url)}}
}

func first(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return s[0]
}
