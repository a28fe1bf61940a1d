package storetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
	"github.com/tenantkit/orgs/internal/workload"
)

// Torture tests: many goroutines run a seeded random mix of Service calls
// against a few organizations for a number of rounds; after every round the
// invariants are checked against the store itself (CheckInvariants), and at
// the end the bookkeeping of what succeeded is checked against what the
// store holds: each accepted invitation made exactly one membership, each
// vanished organization was deleted, each successful call appended exactly
// one event and each failed call none.
//
// The defaults keep a scenario to about a second per backend. Longer runs:
//
//	go test ./store -run 'TestPostgres/Torture' -torture.rounds=50 -torture.ops=40
//	go test ./store -run 'TestSQLite/Torture/LastOwner' -torture.seed=12345 -v
//
// The seed fixes each goroutine's choice of operations, not the
// interleaving, which is the scheduler's.
var tortureFlags struct {
	rounds, goroutines, ops int
	seed                    uint64
}

func init() {
	// Only in test binaries: a program importing storetest keeps its flags.
	if !testing.Testing() {
		return
	}
	flag.IntVar(&tortureFlags.rounds, "torture.rounds", 0, "storetest: rounds per torture scenario (default 3)")
	flag.IntVar(&tortureFlags.goroutines, "torture.goroutines", 0, "storetest: goroutines per torture scenario (default 8)")
	flag.IntVar(&tortureFlags.ops, "torture.ops", 0, "storetest: operations per goroutine and round (default 12)")
	flag.Uint64Var(&tortureFlags.seed, "torture.seed", 0, "storetest: torture seed (default: random, logged)")
}

// TortureScenarios names the torture scenarios, one per invariant under
// attack: the last owner; single-use invitations; the member limit
// (pending invitations included) and the pending-invitation limit; the
// same limits while invitations expire and are resent (a fake clock);
// unique slugs, handles and external IDs (and organizations per user);
// team membership within organization membership; exact counters (every
// operation). Every scenario checks every invariant; they differ in the mix
// of operations and in the Service's options.
var TortureScenarios = []string{"LastOwner", "AcceptOnce", "MemberLimit", "Expiry", "Uniqueness", "TeamSubset", "Counters"}

// TortureOptions sizes a torture run. Zero fields take the -torture.* flags,
// then the defaults.
type TortureOptions struct {
	Rounds     int    // rounds; invariants are checked after each (default 3)
	Goroutines int    // goroutines racing in each round (default 8)
	Ops        int    // operations per goroutine and round (default 12)
	Seed       uint64 // seed of the operations' choice (default random, logged)
}

func (o TortureOptions) withDefaults() TortureOptions {
	pick := func(v, flagV, def int) int {
		switch {
		case v > 0:
			return v
		case flagV > 0:
			return flagV
		}
		return def
	}
	o.Rounds = pick(o.Rounds, tortureFlags.rounds, 3)
	o.Goroutines = pick(o.Goroutines, tortureFlags.goroutines, 8)
	o.Ops = pick(o.Ops, tortureFlags.ops, 12)
	if o.Seed == 0 {
		o.Seed = tortureFlags.seed
	}
	if o.Seed == 0 {
		o.Seed = rand.Uint64()
	}
	return o
}

// TortureReport is what a torture run did and found.
type TortureReport struct {
	Scenario   string
	Seed       uint64
	Rounds     int
	Goroutines int
	Instances  int                  // Services (stores) the goroutines were spread over
	Ops        int                  // calls made
	OK         int                  // calls that succeeded
	Refused    int                  // calls refused with an expected sentinel
	PerOp      map[string]*OpCounts // by operation
	Unexpected []string             // calls that failed with an error not expected of them
	Violations []string             // broken invariants
	Elapsed    time.Duration
}

// OpCounts counts one operation's calls.
type OpCounts struct{ OK, Refused, Unexpected int }

// String summarizes the report on one line, and the operations on a second.
func (r TortureReport) String() string {
	var ops []string
	for _, name := range slices.Sorted(maps.Keys(r.PerOp)) {
		c := r.PerOp[name]
		ops = append(ops, fmt.Sprintf("%s %d/%d", name, c.OK, c.OK+c.Refused+c.Unexpected))
	}
	return fmt.Sprintf("torture %s: seed %d, %d rounds × %d goroutines over %d instance(s): %d ops, %d ok, %d refused, %d unexpected, %d violations in %v\n  ok/calls: %s",
		r.Scenario, r.Seed, r.Rounds, r.Goroutines, r.Instances, r.Ops, r.OK, r.Refused, len(r.Unexpected),
		len(r.Violations), r.Elapsed.Round(time.Millisecond), strings.Join(ops, ", "))
}

// TestTorture runs every torture scenario, each on a fresh store, and fails
// on any violated invariant or unexpected error.
func TestTorture(t *testing.T, newStore NewStore) {
	for _, sc := range TortureScenarios {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			store := openStore(t, newStore)
			r := Torture(t, sc, []orgs.Store{store}, TortureOptions{})
			t.Log(r.String())
			checkTortureReport(t, r)
		})
	}
}

// checkTortureReport fails t for every unexpected error and violation of r
// (the first few of each, then a count).
func checkTortureReport(t *testing.T, r TortureReport) {
	t.Helper()
	for i, v := range r.Violations {
		if i == 10 {
			t.Errorf("… and %d more violations", len(r.Violations)-i)
			break
		}
		t.Errorf("violation: %s", v)
	}
	for i, u := range r.Unexpected {
		if i == 10 {
			t.Errorf("… and %d more unexpected errors", len(r.Unexpected)-i)
			break
		}
		t.Errorf("unexpected error: %s", u)
	}
	if r.Violations != nil || r.Unexpected != nil {
		t.Errorf("reproduce the choice of operations with -torture.seed=%d", r.Seed)
	}
}

// scenario configures a torture run.
type scenario struct {
	name     string
	orgs     int            // organizations at the start
	owners   int            // owners of each at the start (admins: 1, members: 2)
	seed     orgs.Seed      // what a new organization starts with
	limit    int            // members per organization, 0: none
	pending  int            // pending invitations per organization, 0: none
	perUser  int            // organizations per user, 0: none
	clock    bool           // a fake clock, moved forward by the "tick" operation
	weights  map[string]int // operation of workload.Ops → weight
	slugPool int            // organization slugs in play
}

func scenarioByName(name string) (scenario, bool) {
	all := map[string]int{
		"createOrg": 3, "deleteOrg": 1, "updateOrg": 4, "addMember": 6, "updateRole": 6,
		"removeMember": 4, "leave": 4, "transfer": 3, "invite": 6, "accept": 6, "decline": 1,
		"resend": 2, "revoke": 2, "createTeam": 3, "deleteTeam": 1, "addTeamMember": 5,
		"removeTeamMember": 2, "createCategory": 3, "moveCategory": 3, "deleteCategory": 2, "pipeline": 4,
	}
	scs := map[string]scenario{
		"LastOwner": {orgs: 2, owners: 4, seed: orgs.SeedNone, slugPool: 2, weights: map[string]int{
			"addMember": 4, "updateRole": 8, "removeMember": 5, "leave": 6, "transfer": 5,
			"invite": 2, "accept": 2}},
		"AcceptOnce": {orgs: 2, owners: 1, seed: orgs.SeedNone, slugPool: 2, weights: map[string]int{
			"invite": 6, "accept": 12, "decline": 2, "resend": 2, "revoke": 1, "leave": 3, "removeMember": 3}},
		"MemberLimit": {orgs: 2, owners: 1, seed: orgs.SeedNone, limit: 6, pending: 3, slugPool: 2, weights: map[string]int{
			"addMember": 5, "invite": 5, "accept": 6, "removeMember": 3, "leave": 2, "revoke": 1, "decline": 1, "transfer": 1}},
		// Invitations expire while they are resent, accepted and counted
		// against the limits.
		"Expiry": {orgs: 2, owners: 1, seed: orgs.SeedNone, limit: 6, pending: 3, slugPool: 2, clock: true, weights: map[string]int{
			"invite": 6, "resend": 5, "accept": 5, "addMember": 4, "removeMember": 2, "leave": 2, "revoke": 1, "tick": 3}},
		"Uniqueness": {orgs: 3, owners: 1, seed: orgs.SeedWWW, slugPool: 6, perUser: 2, weights: map[string]int{
			"createOrg": 6, "updateOrg": 6, "deleteOrg": 2, "createTeam": 3, "addMember": 1}},
		"TeamSubset": {orgs: 2, owners: 1, seed: orgs.SeedNone, slugPool: 2, weights: map[string]int{
			"createTeam": 2, "deleteTeam": 1, "addTeamMember": 8, "removeTeamMember": 2, "addMember": 4,
			"removeMember": 4, "leave": 3, "accept": 1, "invite": 1}},
		"Counters": {orgs: 3, owners: 2, seed: orgs.SeedWeb, slugPool: 4, limit: 9, weights: all},
	}
	sc, ok := scs[name]
	sc.name = name
	return sc, ok
}

// torture is the state of one torture run.
type torture struct {
	sc     scenario
	clock  *testkit.Clock // the Services' clock, when sc.clock
	svcs   []*orgs.Service
	store  orgs.Store // the first instance, for the checks
	world  *workload.World
	users  []string
	mu     sync.Mutex
	report TortureReport
}

// Torture runs one torture scenario (one of TortureScenarios) on stores,
// which must all be fresh and over one database: more than one means more
// than one application instance, and the goroutines are spread over them,
// each instance with its own Service. It reports what it found instead of
// failing t; it fails t only when it cannot set up or read the store.
func Torture(t *testing.T, scenarioName string, stores []orgs.Store, opts TortureOptions) TortureReport {
	t.Helper()
	sc, ok := scenarioByName(scenarioName)
	if !ok {
		t.Fatalf("storetest: unknown torture scenario %q", scenarioName)
	}
	if len(stores) == 0 {
		t.Fatal("storetest: Torture needs a store")
	}
	opts = opts.withDefaults()
	ctx := t.Context()
	start := time.Now()
	w := &torture{sc: sc, store: stores[0]}
	w.report = TortureReport{Scenario: sc.name, Seed: opts.Seed, Rounds: opts.Rounds,
		Goroutines: opts.Goroutines, Instances: len(stores), PerOp: map[string]*OpCounts{}}
	if sc.clock {
		w.clock = testkit.NewClock()
	}
	for _, st := range stores {
		svcOpts := []orgs.Option{
			orgs.WithSeed(sc.seed),
			orgs.WithInvitationOptions(orgs.InvitationOptions{SkipEmailCheck: true, MinResendInterval: -1}),
		}
		if w.clock != nil {
			svcOpts = append(svcOpts, orgs.WithClock(w.clock.Now))
		}
		if sc.limit+sc.pending+sc.perUser > 0 {
			svcOpts = append(svcOpts, orgs.WithLimits(orgs.Limits{MembersPerOrganization: sc.limit,
				PendingInvitationsPerOrganization: sc.pending, OrganizationsPerUser: sc.perUser}))
		}
		svc, err := orgs.New(st, svcOpts...)
		if err != nil {
			t.Fatal(err)
		}
		w.svcs = append(w.svcs, svc)
	}
	w.users = names("tu", 12)
	var slugs []string
	for i := range sc.slugPool {
		slugs = append(slugs, fmt.Sprintf("tort-%d", i))
	}
	w.world = workload.New(w.store, workload.Config{
		Users: w.users, Slugs: slugs, ExtIDs: []string{"crm-1", "crm-2", "crm-3"},
		Handles: []string{"hdl-one", "hdl-two", "hdl-three"}, Teams: []string{"red", "green", "blue"},
		Categories: []string{"Alpha", "alpha", "Beta", "Gamma", "GAMMA", "Delta"},
		OwnerBias:  sc.name == "LastOwner", AnyRole: sc.name == "LastOwner", AnyoneAnswers: true, Clock: w.clock,
	})
	if err := w.setUp(ctx, slugs); err != nil {
		t.Fatalf("torture %s: set-up: %v", sc.name, err)
	}

	for round := range opts.Rounds {
		testkit.Storm(opts.Goroutines, func(g int) error {
			rng := rand.New(rand.NewPCG(opts.Seed, uint64(round)<<32|uint64(g)))
			d := workload.Service{Svc: w.svcs[g%len(w.svcs)]}
			for range opts.Ops {
				w.run(ctx, d, rng, workload.Pick(rng, sc.weights))
			}
			return nil
		})
		vs, err := CheckInvariants(ctx, w.store, InvariantOptions{Users: w.users, OrganizationIDs: w.world.Created(),
			MemberLimit: sc.limit, PendingLimit: sc.pending, OrganizationsPerUser: sc.perUser, Now: w.now()})
		if err != nil {
			t.Fatalf("torture %s: round %d: checking invariants: %v", sc.name, round, err)
		}
		for _, v := range vs {
			w.report.Violations = append(w.report.Violations, fmt.Sprintf("round %d: %s", round, v))
		}
	}
	vs, err := w.world.Bookkeeping(ctx)
	if err != nil {
		t.Fatalf("torture %s: final check: %v", sc.name, err)
	}
	w.report.Violations = append(w.report.Violations, vs...)
	w.report.Elapsed = time.Since(start)
	return w.report
}

// now is the Services' time.
func (w *torture) now() time.Time {
	if w.clock != nil {
		return w.clock.Now()
	}
	return time.Now()
}

// setUp records the users' profiles and creates the starting organizations:
// each with sc.owners owners, one admin and two members.
func (w *torture) setUp(ctx context.Context, slugs []string) error {
	svc := w.svcs[0]
	for _, u := range w.users {
		if err := svc.PutUser(ctx, orgs.User{ID: u, Username: u, Email: u + "@example.com", Name: "User " + u}); err != nil {
			return err
		}
	}
	for i := range w.sc.orgs {
		first := w.users[i%len(w.users)]
		org, err := svc.CreateOrganization(ctx, orgs.UserActor(first), orgs.CreateOrganizationInput{Name: "Torture " + slugs[i], Slug: slugs[i]})
		if err != nil {
			return err
		}
		w.world.NoteCreated(org.ID)
		next := i + 1
		add := func(role orgs.Role, n int) error {
			for range n {
				u := w.users[next%len(w.users)]
				next++
				if _, err := svc.AddMember(ctx, orgs.UserActor(first), org.Slug, u, role); err != nil {
					return err
				}
				w.world.ExpectEvent(orgs.EventMemberAdded)
			}
			return nil
		}
		if err := errors.Join(add(orgs.RoleOwner, w.sc.owners-1), add(orgs.RoleAdmin, 1), add(orgs.RoleMember, 2)); err != nil {
			return err
		}
	}
	return nil
}

// run makes one call of op and counts its outcome.
func (w *torture) run(ctx context.Context, d workload.Driver, rng *rand.Rand, op string) {
	err := w.world.Run(ctx, d, rng, op)
	if errors.Is(err, workload.ErrSkip) || errors.Is(err, orgs.ErrUnauthenticated) {
		return // nothing to act on: no call was made
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.report.PerOp[op]
	if c == nil {
		c = &OpCounts{}
		w.report.PerOp[op] = c
	}
	w.report.Ops++
	switch {
	case err == nil:
		w.report.OK++
		c.OK++
	case workload.Refused(op, err):
		w.report.Refused++
		c.Refused++
	default:
		c.Unexpected++
		w.report.Unexpected = append(w.report.Unexpected, fmt.Sprintf("%s: %v", op, err))
	}
}
