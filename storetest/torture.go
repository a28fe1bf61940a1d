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
	weights  map[string]int // operation → weight
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
	sc       scenario
	clock    *fakeClock // the Services' clock, when sc.clock
	svcs     []*orgs.Service
	store    orgs.Store // the first instance, for the pickers' reads
	users    []string
	slugs    []string
	extIDs   []string
	handles  []string
	teams    []string
	catNames []string

	mu      sync.Mutex
	created []string            // IDs of every organization created
	tokens  []tokenRef          // recent tokens, newest last
	allInvs []tokenRef          // every invitation made (with its latest token)
	accepts map[string][]string // invitation ID → users whose accept succeeded
	invOrg  map[string]string   // invitation ID → organization ID
	deletes int                 // successful DeleteOrganization calls
	events  map[string]int      // event type → successful calls that must have appended one
	report  TortureReport
}

// tortureEvents is the event each operation appends when it succeeds ("":
// the operation notes its own, as pipelineOp does).
var tortureEvents = map[string]string{
	"createOrg": "organization.created", "deleteOrg": "organization.deleted", "updateOrg": "organization.updated",
	"addMember": "member.added", "updateRole": "member.role_updated", "removeMember": "member.removed",
	"leave": "member.left", "transfer": "ownership.transferred", "invite": "invitation.created",
	"accept": "invitation.accepted", "decline": "invitation.declined", "resend": "invitation.resent",
	"revoke": "invitation.revoked", "createTeam": "team.created", "deleteTeam": "team.deleted",
	"addTeamMember": "team.member_added", "removeTeamMember": "team.member_removed",
	"createCategory": "category.created", "moveCategory": "category.updated", "deleteCategory": "category.deleted",
	"pipeline": "", "tick": "",
}

// expectEvent counts one event a successful call must have appended.
func (w *torture) expectEvent(typ string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events[typ]++
}

type tokenRef struct{ token, invID, orgID string }

// tortureErrors are the sentinels each operation may fail with, besides
// ErrNotFound and ErrForbidden, which any call on a picked organization may
// meet (it was deleted, its slug changed, the actor was demoted meanwhile).
var tortureErrors = map[string][]error{
	"createOrg":        {orgs.ErrSlugTaken, orgs.ErrHandleTaken, orgs.ErrExternalIDTaken, orgs.ErrLimitExceeded},
	"updateOrg":        {orgs.ErrSlugTaken, orgs.ErrHandleTaken, orgs.ErrExternalIDTaken},
	"addMember":        {orgs.ErrAlreadyMember, orgs.ErrLimitExceeded},
	"updateRole":       {orgs.ErrLastOwner},
	"removeMember":     {orgs.ErrLastOwner},
	"leave":            {orgs.ErrLastOwner, orgs.ErrNotMember},
	"transfer":         {orgs.ErrNotMember},
	"invite":           {orgs.ErrAlreadyMember, orgs.ErrAlreadyInvited, orgs.ErrLimitExceeded},
	"accept":           {orgs.ErrInvitationNotPending, orgs.ErrAlreadyMember, orgs.ErrLimitExceeded, orgs.ErrInvitationExpired},
	"decline":          {orgs.ErrInvitationNotPending, orgs.ErrInvitationExpired},
	"resend":           {orgs.ErrInvitationNotPending, orgs.ErrLimitExceeded},
	"revoke":           {orgs.ErrInvitationNotPending},
	"createTeam":       {orgs.ErrSlugTaken},
	"addTeamMember":    {orgs.ErrNotMember, orgs.ErrAlreadyMember},
	"createCategory":   {orgs.ErrNameTaken, orgs.ErrLimitExceeded},
	"moveCategory":     {orgs.ErrNameTaken},
	"pipeline":         {orgs.ErrInvalid, orgs.ErrLimitExceeded}, // a reorder with a stale stage list
	"tick":             nil,
	"deleteOrg":        nil,
	"deleteTeam":       nil,
	"removeTeamMember": nil,
	"deleteCategory":   nil,
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
	w := &torture{sc: sc, store: stores[0], accepts: map[string][]string{}, invOrg: map[string]string{}, events: map[string]int{}}
	w.report = TortureReport{Scenario: sc.name, Seed: opts.Seed, Rounds: opts.Rounds,
		Goroutines: opts.Goroutines, Instances: len(stores), PerOp: map[string]*OpCounts{}}
	if sc.clock {
		w.clock = newFakeClock()
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
	for i := range sc.slugPool {
		w.slugs = append(w.slugs, fmt.Sprintf("tort-%d", i))
	}
	w.extIDs = []string{"crm-1", "crm-2", "crm-3"}
	w.handles = []string{"hdl-one", "hdl-two", "hdl-three"}
	w.teams = []string{"red", "green", "blue"}
	w.catNames = []string{"Alpha", "alpha", "Beta", "Gamma", "GAMMA", "Delta"}
	if err := w.setUp(ctx); err != nil {
		t.Fatalf("torture %s: set-up: %v", sc.name, err)
	}

	var opNames []string
	var total int
	for _, name := range slices.Sorted(maps.Keys(sc.weights)) {
		opNames = append(opNames, name)
		total += sc.weights[name]
	}
	for round := range opts.Rounds {
		var wg sync.WaitGroup
		startGate := make(chan struct{})
		for g := range opts.Goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(opts.Seed, uint64(round)<<32|uint64(g)))
				svc := w.svcs[g%len(w.svcs)]
				<-startGate
				for range opts.Ops {
					n := rng.IntN(total)
					op := opNames[len(opNames)-1]
					for _, name := range opNames {
						if n < sc.weights[name] {
							op = name
							break
						}
						n -= sc.weights[name]
					}
					w.run(ctx, svc, rng, op)
				}
			}()
		}
		close(startGate)
		wg.Wait()
		vs, err := CheckInvariants(ctx, w.store, InvariantOptions{Users: w.users, OrganizationIDs: w.createdIDs(),
			MemberLimit: sc.limit, PendingLimit: sc.pending, OrganizationsPerUser: sc.perUser, Now: w.now()})
		if err != nil {
			t.Fatalf("torture %s: round %d: checking invariants: %v", sc.name, round, err)
		}
		for _, v := range vs {
			w.report.Violations = append(w.report.Violations, fmt.Sprintf("round %d: %s", round, v))
		}
	}
	vs, err := w.checkBookkeeping(ctx)
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

func (w *torture) createdIDs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.created)
}

// setUp records the users' profiles and creates the starting organizations:
// each with sc.owners owners, one admin and two members.
func (w *torture) setUp(ctx context.Context) error {
	svc := w.svcs[0]
	for _, u := range w.users {
		if err := svc.PutUser(ctx, orgs.User{ID: u, Username: u, Email: u + "@example.com", Name: "User " + u}); err != nil {
			return err
		}
	}
	for i := range w.sc.orgs {
		first := w.users[i%len(w.users)]
		org, err := svc.CreateOrganization(ctx, orgs.UserActor(first), orgs.CreateOrganizationInput{Name: "Torture " + w.slugs[i], Slug: w.slugs[i]})
		if err != nil {
			return err
		}
		w.created = append(w.created, org.ID)
		w.expectEvent("organization.created")
		next := i + 1
		add := func(role orgs.Role, n int) error {
			for range n {
				u := w.users[next%len(w.users)]
				next++
				if _, err := svc.AddMember(ctx, orgs.UserActor(first), org.Slug, u, role); err != nil {
					return err
				}
				w.expectEvent("member.added")
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
func (w *torture) run(ctx context.Context, svc *orgs.Service, rng *rand.Rand, op string) {
	err := w.do(ctx, svc, rng, op)
	if errors.Is(err, errSkip) || errors.Is(err, orgs.ErrUnauthenticated) {
		// Nothing to act on, or no one to act (the picker found no member
		// with the role): no call was made, or one that checked nothing.
		return
	}
	expected := false
	if err != nil {
		expected = errors.Is(err, orgs.ErrNotFound) || errors.Is(err, orgs.ErrForbidden)
		for _, e := range tortureErrors[op] {
			expected = expected || errors.Is(err, e)
		}
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
		if typ := tortureEvents[op]; typ != "" {
			w.events[typ]++
		}
	case expected:
		w.report.Refused++
		c.Refused++
	default:
		c.Unexpected++
		w.report.Unexpected = append(w.report.Unexpected, fmt.Sprintf("%s: %v", op, err))
	}
}

// errSkip: the picker found nothing to act on; the call is not made.
var errSkip = errors.New("skip")

// errCounted: the call succeeded and its event was counted already.
var errCounted = errors.New("counted")

// target is an organization picked for a call, as read just before it.
type target struct {
	org     *orgs.Organization
	members []orgs.Member
}

// pick reads a random organization of the slug pool (trying a few slugs)
// and its members.
func (w *torture) pick(ctx context.Context, rng *rand.Rand) (*target, error) {
	for range 4 {
		slug := w.slugs[rng.IntN(len(w.slugs))]
		org, err := w.store.GetOrganization(ctx, orgs.OrganizationKey{Slug: slug}, "")
		if errors.Is(err, orgs.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		return w.pickOrg(ctx, org.ID)
	}
	return nil, errSkip
}

// pickOrg reads an organization and its members.
func (w *torture) pickOrg(ctx context.Context, id string) (*target, error) {
	org, err := w.store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
	if err != nil {
		return nil, err
	}
	ms, err := w.store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: orgs.MaxPageLimit + 1}})
	if err != nil {
		return nil, err
	}
	return &target{org: org, members: ms}, nil
}

// someone returns a random member with one of roles (any member when none
// are given), or "" when there is none.
func (tg *target) someone(rng *rand.Rand, roles ...orgs.Role) string {
	var ids []string
	for _, m := range tg.members {
		if len(roles) == 0 || slices.Contains(roles, m.Role) {
			ids = append(ids, m.UserID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return ids[rng.IntN(len(ids))]
}

// manager returns an owner or admin, now and then a plain member (who is
// refused).
func (tg *target) manager(rng *rand.Rand) string {
	if rng.IntN(10) == 0 {
		if m := tg.someone(rng, orgs.RoleMember); m != "" {
			return m
		}
	}
	return tg.someone(rng, orgs.RoleOwner, orgs.RoleAdmin)
}

func (w *torture) user(rng *rand.Rand) string { return w.users[rng.IntN(len(w.users))] }

func randomRole(rng *rand.Rand) orgs.Role {
	return []orgs.Role{orgs.RoleOwner, orgs.RoleAdmin, orgs.RoleMember}[rng.IntN(3)]
}

// do makes one call of op.
func (w *torture) do(ctx context.Context, svc *orgs.Service, rng *rand.Rand, op string) error {
	if op == "tick" {
		w.clock.Advance(time.Duration(10+rng.IntN(41)) * time.Minute)
		return nil
	}
	if op == "createOrg" {
		in := orgs.CreateOrganizationInput{Name: "Torture org", Slug: w.slugs[rng.IntN(len(w.slugs))]}
		if rng.IntN(2) == 0 {
			in.ExternalID = w.extIDs[rng.IntN(len(w.extIDs))]
		}
		if rng.IntN(3) == 0 {
			in.Handle = w.handles[rng.IntN(len(w.handles))]
		}
		org, err := svc.CreateOrganization(ctx, orgs.UserActor(w.user(rng)), in)
		if err == nil {
			w.mu.Lock()
			w.created = append(w.created, org.ID)
			w.mu.Unlock()
		}
		return err
	}
	if op == "accept" || op == "decline" {
		ref, ok := w.recentToken(rng)
		if !ok {
			return errSkip
		}
		actor := w.user(rng)
		if op == "decline" {
			return svc.DeclineInvitation(ctx, orgs.UserActor(actor), ref.token)
		}
		_, err := svc.AcceptInvitation(ctx, orgs.UserActor(actor), ref.token)
		if err == nil {
			w.mu.Lock()
			w.accepts[ref.invID] = append(w.accepts[ref.invID], actor)
			w.mu.Unlock()
		}
		return err
	}
	if op == "resend" || op == "revoke" {
		ref, ok := w.recentToken(rng)
		if rng.IntN(2) == 0 {
			ref, ok = w.anyInvitation(rng) // perhaps long expired
		}
		if !ok {
			return errSkip
		}
		tg, err := w.pickOrg(ctx, ref.orgID) // the invitation's organization
		if err != nil {
			return err
		}
		if op == "revoke" {
			return svc.RevokeInvitation(ctx, orgs.UserActor(tg.manager(rng)), tg.org.Slug, ref.invID)
		}
		inv, err := svc.ResendInvitation(ctx, orgs.UserActor(tg.manager(rng)), tg.org.Slug, ref.invID)
		if err == nil {
			w.addToken(tokenRef{token: inv.Token, invID: inv.ID, orgID: ref.orgID})
		}
		return err
	}

	tg, err := w.pick(ctx, rng)
	if err != nil {
		return err
	}
	slug := tg.org.Slug
	switch op {
	case "deleteOrg":
		err := svc.DeleteOrganization(ctx, orgs.UserActor(tg.someone(rng, orgs.RoleOwner)), slug)
		if err == nil {
			w.mu.Lock()
			w.deletes++
			w.mu.Unlock()
		}
		return err
	case "updateOrg":
		var in orgs.UpdateOrganizationInput
		switch rng.IntN(4) {
		case 0:
			in.Slug = ptr(w.slugs[rng.IntN(len(w.slugs))])
		case 1:
			in.ExternalID = ptr(w.extIDs[rng.IntN(len(w.extIDs))])
		case 2:
			in.Handle = ptr(w.handles[rng.IntN(len(w.handles))])
		default:
			in.ExternalID, in.Handle = ptr(""), ptr("")
		}
		_, err := svc.UpdateOrganization(ctx, orgs.UserActor(tg.manager(rng)), slug, in)
		return err
	case "addMember":
		_, err := svc.AddMember(ctx, orgs.UserActor(tg.manager(rng)), slug, w.user(rng), randomRole(rng))
		return err
	case "updateRole":
		actor := tg.someone(rng, orgs.RoleOwner, orgs.RoleAdmin)
		target := actor // demote oneself, the last owner's classic
		if rng.IntN(2) == 0 {
			target = tg.someone(rng)
		}
		_, err := svc.UpdateMemberRole(ctx, orgs.UserActor(actor), slug, target, randomRole(rng))
		return err
	case "removeMember":
		actor, target := tg.manager(rng), tg.someone(rng)
		if actor == target || target == "" {
			return errSkip
		}
		return svc.RemoveMember(ctx, orgs.UserActor(actor), slug, target)
	case "leave":
		actor := tg.someone(rng)
		if w.sc.name == "LastOwner" && rng.IntN(3) > 0 {
			actor = tg.someone(rng, orgs.RoleOwner)
		}
		return svc.LeaveOrganization(ctx, orgs.UserActor(actor), slug)
	case "transfer":
		actor, target := tg.someone(rng, orgs.RoleOwner), tg.someone(rng)
		if actor == target || target == "" {
			return errSkip
		}
		return svc.TransferOwnership(ctx, orgs.UserActor(actor), slug, target)
	case "invite":
		role := orgs.RoleMember
		if w.sc.name == "LastOwner" {
			role = randomRole(rng)
		}
		in := orgs.InvitationInput{Email: w.user(rng) + "@example.com", Role: role}
		if w.clock != nil {
			in.ExpiresIn = []time.Duration{time.Hour, 2 * time.Hour, 0}[rng.IntN(3)]
		}
		inv, err := svc.CreateInvitation(ctx, orgs.UserActor(tg.manager(rng)), slug, in)
		if err == nil {
			w.addToken(tokenRef{token: inv.Token, invID: inv.ID, orgID: tg.org.ID})
		}
		return err
	case "createTeam":
		_, err := svc.CreateTeam(ctx, orgs.UserActor(tg.manager(rng)), slug, orgs.TeamInput{Name: "Team", Slug: w.teams[rng.IntN(len(w.teams))]})
		return err
	case "deleteTeam":
		return svc.DeleteTeam(ctx, orgs.UserActor(tg.manager(rng)), slug, w.teams[rng.IntN(len(w.teams))])
	case "addTeamMember":
		target := tg.someone(rng)
		if rng.IntN(4) == 0 {
			target = w.user(rng) // perhaps not a member
		}
		if target == "" {
			return errSkip // the organization went while it was picked
		}
		_, err := svc.AddTeamMember(ctx, orgs.UserActor(tg.manager(rng)), slug, w.teams[rng.IntN(len(w.teams))], target,
			[]orgs.TeamRole{orgs.TeamRoleMember, orgs.TeamRoleMaintainer}[rng.IntN(2)])
		return err
	case "removeTeamMember":
		return svc.RemoveTeamMember(ctx, orgs.UserActor(tg.manager(rng)), slug, w.teams[rng.IntN(len(w.teams))], tg.someone(rng))
	case "createCategory":
		in := orgs.CategoryInput{Name: w.catNames[rng.IntN(len(w.catNames))]}
		if rng.IntN(2) == 0 {
			in.Position = ptr(rng.IntN(8))
		}
		_, err := svc.CreateCategory(ctx, orgs.UserActor(tg.manager(rng)), slug, in)
		return err
	case "moveCategory", "deleteCategory":
		cs, err := w.store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: tg.org.ID})
		if err != nil || len(cs) == 0 {
			return cmpErr(err, errSkip)
		}
		c := cs[rng.IntN(len(cs))]
		if op == "deleteCategory" {
			return svc.DeleteCategory(ctx, orgs.UserActor(tg.manager(rng)), slug, c.ID)
		}
		in := orgs.CategoryUpdate{Position: ptr(rng.IntN(len(cs) + 1))}
		if rng.IntN(3) == 0 {
			in.Name = ptr(w.catNames[rng.IntN(len(w.catNames))])
		}
		_, err = svc.UpdateCategory(ctx, orgs.UserActor(tg.manager(rng)), slug, c.ID, in)
		return err
	case "pipeline":
		return w.pipelineOp(ctx, svc, rng, tg)
	}
	return fmt.Errorf("storetest: unknown torture operation %q", op)
}

// cmpErr returns err, or alt when err is nil.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// pipelineOp creates, deletes or defaults a pipeline, or adds, removes or
// reorders its stages.
func (w *torture) pipelineOp(ctx context.Context, svc *orgs.Service, rng *rand.Rand, tg *target) error {
	actor, slug := tg.manager(rng), tg.org.Slug
	ps, err := w.store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: tg.org.ID})
	if err != nil {
		return err
	}
	if len(ps) == 0 || rng.IntN(6) == 0 {
		_, err := svc.CreatePipeline(ctx, orgs.UserActor(actor), slug, orgs.PipelineInput{Name: "Pipe", IsDefault: rng.IntN(2) == 0,
			Stages: []string{"One", "Two", "Three"}})
		if err == nil {
			w.expectEvent("pipeline.created")
		}
		return err
	}
	p := ps[rng.IntN(len(ps))]
	err = w.editPipeline(ctx, svc, rng, actor, slug, p)
	switch {
	case errors.Is(err, errCounted):
		return nil
	case err == nil:
		w.expectEvent("pipeline.updated")
	}
	return err
}

// editPipeline deletes or defaults a pipeline, or adds, removes or reorders
// its stages.
func (w *torture) editPipeline(ctx context.Context, svc *orgs.Service, rng *rand.Rand, actor, slug string, p orgs.Pipeline) error {
	switch rng.IntN(6) {
	case 0:
		err := svc.DeletePipeline(ctx, orgs.UserActor(actor), slug, p.ID)
		if err == nil {
			w.expectEvent("pipeline.deleted")
			return errCounted
		}
		return err
	case 1:
		_, err := svc.UpdatePipeline(ctx, orgs.UserActor(actor), slug, p.ID, orgs.PipelineUpdate{IsDefault: ptr(true)})
		return err
	case 2:
		if len(p.Stages) >= 8 {
			return errSkip
		}
		_, err := svc.AddStage(ctx, orgs.UserActor(actor), slug, p.ID, fmt.Sprintf("Stage %d", rng.IntN(100)))
		return err
	case 3:
		if len(p.Stages) <= 2 {
			return errSkip
		}
		_, err := svc.RemoveStage(ctx, orgs.UserActor(actor), slug, p.ID, p.Stages[rng.IntN(len(p.Stages))].ID)
		return err
	default:
		ids := make([]string, len(p.Stages))
		for i, st := range p.Stages {
			ids[i] = st.ID
		}
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		_, err := svc.ReorderStages(ctx, orgs.UserActor(actor), slug, p.ID, ids)
		return err
	}
}

// addToken records a fresh token; the ring keeps the newest 6, so that
// goroutines pick the same ones and race.
func (w *torture) addToken(ref tokenRef) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.invOrg[ref.invID]; !ok {
		w.allInvs = append(w.allInvs, ref)
	}
	w.invOrg[ref.invID] = ref.orgID
	w.tokens = append(w.tokens, ref)
	if len(w.tokens) > 6 {
		w.tokens = w.tokens[len(w.tokens)-6:]
	}
}

func (w *torture) anyInvitation(rng *rand.Rand) (tokenRef, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.allInvs) == 0 {
		return tokenRef{}, false
	}
	return w.allInvs[rng.IntN(len(w.allInvs))], true
}

func (w *torture) recentToken(rng *rand.Rand) (tokenRef, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.tokens) == 0 {
		return tokenRef{}, false
	}
	return w.tokens[rng.IntN(len(w.tokens))], true
}

// checkBookkeeping checks what the calls reported against the store: each
// invitation accepted at most once, by the caller that was told so, with
// one invitation.accepted event; each vanished organization deleted.
func (w *torture) checkBookkeeping(ctx context.Context) ([]string, error) {
	var vs []string
	violate := func(format string, args ...any) { vs = append(vs, fmt.Sprintf(format, args...)) }
	accepted := map[string]int{} // invitation ID → invitation.accepted events
	byType := map[string]int{}   // event type → events
	vanished := 0
	for _, id := range w.created {
		es, err := listAll(func(r orgs.Range) ([]orgs.Event, error) {
			return w.store.ListEvents(ctx, orgs.EventFilter{OrganizationID: id, Range: r})
		}, func(e orgs.Event) string { return e.ID })
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			byType[string(e.Type)]++
			if e.Type == "invitation.accepted" {
				accepted[e.Data["invitation_id"]]++
			}
		}
		if _, err := w.store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, ""); errors.Is(err, orgs.ErrNotFound) {
			vanished++
		} else if err != nil {
			return nil, err
		}
	}
	if vanished != w.deletes {
		violate("%d organizations vanished, %d DeleteOrganization calls succeeded", vanished, w.deletes)
	}
	// Each successful call appended exactly one event, each failed one none.
	for _, typ := range slices.Sorted(maps.Keys(byType)) {
		if byType[typ] != w.events[typ] {
			violate("%d %s events, %d calls succeeded that append one", byType[typ], typ, w.events[typ])
		}
	}
	for typ, n := range w.events {
		if _, ok := byType[typ]; !ok && n > 0 {
			violate("no %s events, %d calls succeeded that append one", typ, n)
		}
	}
	for invID, orgID := range w.invOrg {
		users := w.accepts[invID]
		if len(users) > 1 {
			violate("invitation %s: accepted %d times, by %v", invID, len(users), users)
		}
		if accepted[invID] != len(users) {
			violate("invitation %s: %d invitation.accepted events, %d successful accepts", invID, accepted[invID], len(users))
		}
		inv, err := w.store.GetInvitation(ctx, orgID, invID)
		if errors.Is(err, orgs.ErrNotFound) {
			continue // its organization was deleted
		} else if err != nil {
			return nil, err
		}
		if (inv.Status == orgs.InvitationAccepted) != (len(users) == 1) {
			violate("invitation %s: status %s after %d successful accepts", invID, inv.Status, len(users))
		}
		if len(users) == 1 && inv.AcceptedBy != users[0] {
			violate("invitation %s: accepted by %q, but %q was told it accepted", invID, inv.AcceptedBy, users[0])
		}
	}
	return vs, nil
}

// InvariantOptions says what CheckInvariants looks at.
type InvariantOptions struct {
	// Users whose organizations are checked (found with ListOrganizations).
	Users []string
	// OrganizationIDs are organizations checked too; one that no longer
	// exists must have ended its event log with organization.deleted.
	OrganizationIDs []string
	// MemberLimit is the members-per-organization limit the Services ran
	// with (0: none).
	MemberLimit int
	// PendingLimit is the pending-invitations-per-organization limit (0:
	// none).
	PendingLimit int
	// OrganizationsPerUser is the organizations-per-user limit (0: none),
	// checked for Users.
	OrganizationsPerUser int
	// Now is the Services' time, which decides which invitations are
	// pending (zero: time.Now()).
	Now time.Time
}

// CheckInvariants checks the rules that hold whatever calls were made,
// against the store itself, and returns the violations it finds (an error
// only when it cannot read the store):
//
//   - every organization has at least one owner;
//   - member_count equals the members listed, team_count the teams listed,
//     each team's member_count its members listed;
//   - members, and members plus pending invitations, stay within
//     MemberLimit; pending invitations within PendingLimit; each user's
//     organizations within OrganizationsPerUser;
//   - every team member is a member of the team's organization;
//   - slugs, handles and external IDs are unique, and looking one up finds
//     the organization that has it;
//   - each user's organization list agrees with the organizations' member
//     lists, roles included;
//   - categories have distinct names (case-insensitively) and positions
//     0…n-1; pipelines have stage positions 0…n-1 and exactly one default
//     when there are any;
//   - an organization that vanished ended with organization.deleted.
func CheckInvariants(ctx context.Context, store orgs.Store, opts InvariantOptions) ([]string, error) {
	var vs []string
	violate := func(format string, args ...any) { vs = append(vs, fmt.Sprintf(format, args...)) }

	all := map[string]*orgs.Organization{}
	roleOf := map[[2]string]orgs.Role{} // (org, user) → role, from the users' lists
	for _, u := range opts.Users {
		os, err := listAll(func(r orgs.Range) ([]orgs.Organization, error) {
			return store.ListOrganizations(ctx, orgs.OrganizationFilter{UserID: u, Range: r})
		}, func(o orgs.Organization) string { return o.ID })
		if err != nil {
			return nil, err
		}
		for i := range os {
			all[os[i].ID] = &os[i]
			roleOf[[2]string{os[i].ID, u}] = os[i].Role
		}
	}
	for _, id := range opts.OrganizationIDs {
		org, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
		if errors.Is(err, orgs.ErrNotFound) {
			es, err := listAll(func(r orgs.Range) ([]orgs.Event, error) {
				return store.ListEvents(ctx, orgs.EventFilter{OrganizationID: id, Range: r})
			}, func(e orgs.Event) string { return e.ID })
			if err != nil {
				return nil, err
			}
			if len(es) == 0 || es[len(es)-1].Type != "organization.deleted" {
				violate("organization %s vanished without organization.deleted", id)
			}
			continue
		} else if err != nil {
			return nil, err
		}
		if _, ok := all[id]; !ok {
			all[id] = org
		}
	}

	unique := map[string]string{} // "slug:acme" → organization ID
	for _, id := range slices.Sorted(maps.Keys(all)) {
		org, err := store.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
		if errors.Is(err, orgs.ErrNotFound) {
			continue // deleted since it was listed (not by us: nothing runs)
		} else if err != nil {
			return nil, err
		}
		for _, k := range []struct {
			kind, value string
			key         orgs.OrganizationKey
		}{
			{"slug", strings.ToLower(org.Slug), orgs.OrganizationKey{Slug: org.Slug}},
			{"handle", org.Handle, orgs.OrganizationKey{}},
			{"external_id", org.ExternalID, orgs.OrganizationKey{ExternalID: org.ExternalID}},
		} {
			if k.value == "" {
				continue
			}
			if other, ok := unique[k.kind+":"+k.value]; ok {
				violate("%s %q is used by %s and %s", k.kind, k.value, other, id)
			}
			unique[k.kind+":"+k.value] = id
			if k.key != (orgs.OrganizationKey{}) {
				got, err := store.GetOrganization(ctx, k.key, "")
				if err != nil {
					violate("%s %q of %s: lookup: %v", k.kind, k.value, id, err)
				} else if got.ID != id {
					violate("%s %q of %s: lookup finds %s", k.kind, k.value, id, got.ID)
				}
			}
		}
		v, err := checkOrganization(ctx, store, org, opts, roleOf)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v...)
	}
	if opts.OrganizationsPerUser > 0 {
		for _, u := range opts.Users {
			n, err := store.CountOrganizationsCreatedBy(ctx, u)
			if err != nil {
				return nil, err
			}
			if n > opts.OrganizationsPerUser {
				violate("user %s created %d organizations, limit %d", u, n, opts.OrganizationsPerUser)
			}
		}
	}
	// Every (user, organization) of the users' lists is a membership.
	for key, role := range roleOf {
		m, err := store.GetMember(ctx, key[0], key[1])
		if errors.Is(err, orgs.ErrNotFound) {
			violate("organization %s is in %s's list, who is not a member", key[0], key[1])
		} else if err != nil {
			return nil, err
		} else if m.Role != role {
			violate("organization %s: %s's list says %s, the membership %s", key[0], key[1], role, m.Role)
		}
	}
	return vs, nil
}

// checkOrganization checks one organization's invariants.
func checkOrganization(ctx context.Context, store orgs.Store, org *orgs.Organization, opts InvariantOptions, roleOf map[[2]string]orgs.Role) ([]string, error) {
	var vs []string
	violate := func(format string, args ...any) {
		vs = append(vs, fmt.Sprintf("organization %s (%s): ", org.ID, org.Slug)+fmt.Sprintf(format, args...))
	}
	id := org.ID
	members, err := listAll(func(r orgs.Range) ([]orgs.Member, error) {
		return store.ListMembers(ctx, orgs.MemberFilter{OrganizationID: id, Range: r})
	}, func(m orgs.Member) string { return m.UserID })
	if err != nil {
		return nil, err
	}
	isMember := map[string]bool{}
	owners := 0
	for _, m := range members {
		isMember[m.UserID] = true
		if m.Role == orgs.RoleOwner {
			owners++
		}
		if slices.Contains(opts.Users, m.UserID) {
			if role, ok := roleOf[[2]string{id, m.UserID}]; !ok {
				violate("member %s does not see it in their organizations", m.UserID)
			} else if role != m.Role {
				violate("member %s is %s, their list says %s", m.UserID, m.Role, role)
			}
		}
	}
	if owners < 1 {
		violate("%d owners", owners)
	}
	if n, err := store.CountMembers(ctx, id, orgs.RoleOwner); err != nil {
		return nil, err
	} else if n != owners {
		violate("CountMembers(owner) = %d, %d owners listed", n, owners)
	}
	if org.MemberCount != len(members) {
		violate("member_count %d, %d members listed", org.MemberCount, len(members))
	}
	if n, err := store.CountMembers(ctx, id, ""); err != nil {
		return nil, err
	} else if n != len(members) {
		violate("CountMembers = %d, %d members listed", n, len(members))
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	pending, err := store.CountPendingInvitations(ctx, id, now)
	if err != nil {
		return nil, err
	}
	if opts.PendingLimit > 0 && pending > opts.PendingLimit {
		violate("%d pending invitations, limit %d", pending, opts.PendingLimit)
	}
	if opts.MemberLimit > 0 {
		if len(members) > opts.MemberLimit {
			violate("%d members, limit %d", len(members), opts.MemberLimit)
		}
		if len(members)+pending > opts.MemberLimit {
			violate("%d members + %d pending invitations, limit %d", len(members), pending, opts.MemberLimit)
		}
	}

	teams, err := listAll(func(r orgs.Range) ([]orgs.Team, error) {
		return store.ListTeams(ctx, orgs.TeamFilter{OrganizationID: id, Range: r})
	},
		func(t orgs.Team) string { return t.ID })
	if err != nil {
		return nil, err
	}
	if org.TeamCount != len(teams) {
		violate("team_count %d, %d teams listed", org.TeamCount, len(teams))
	}
	teamSlugs := map[string]bool{}
	for _, tm := range teams {
		if teamSlugs[tm.Slug] {
			violate("team slug %q twice", tm.Slug)
		}
		teamSlugs[tm.Slug] = true
		tms, err := listAll(func(r orgs.Range) ([]orgs.TeamMember, error) {
			return store.ListTeamMembers(ctx, orgs.TeamMemberFilter{TeamID: tm.ID, Range: r})
		},
			func(m orgs.TeamMember) string { return m.UserID })
		if err != nil {
			return nil, err
		}
		if tm.MemberCount != len(tms) {
			violate("team %s: member_count %d, %d members listed", tm.Slug, tm.MemberCount, len(tms))
		}
		for _, m := range tms {
			if !isMember[m.UserID] {
				violate("team %s: %s is not a member of the organization", tm.Slug, m.UserID)
			}
		}
	}

	cs, err := store.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: id})
	if err != nil {
		return nil, err
	}
	catNames := map[string]bool{}
	for i, c := range cs {
		if c.Position != i {
			violate("category %q at position %d, index %d", c.Name, c.Position, i)
		}
		if catNames[strings.ToLower(c.Name)] {
			violate("category name %q twice", c.Name)
		}
		catNames[strings.ToLower(c.Name)] = true
	}
	ps, err := store.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: id})
	if err != nil {
		return nil, err
	}
	defaults := 0
	for _, p := range ps {
		if p.IsDefault {
			defaults++
		}
		for i, st := range p.Stages {
			if st.Position != i {
				violate("pipeline %s: stage %q at position %d, index %d", p.ID, st.Name, st.Position, i)
			}
		}
	}
	if len(ps) > 0 && defaults != 1 {
		violate("%d default pipelines of %d", defaults, len(ps))
	}
	return vs, nil
}

// listAll reads every row of a Store list method, page by page.
func listAll[T any](list func(orgs.Range) ([]T, error), key func(T) string) ([]T, error) {
	var all []T
	after := ""
	for {
		page, err := list(orgs.Range{After: after, MaxRows: orgs.MaxPageLimit + 1})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < orgs.MaxPageLimit+1 {
			return all, nil
		}
		after = key(page[len(page)-1])
	}
}
