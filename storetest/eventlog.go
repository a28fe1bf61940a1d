package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestEventLog covers the optional capability orgs.EventLog and the
// durable consumers built on it (Service.RunConsumer): the log in commit
// order — an event committed late behind one committed early is not
// skipped — at-least-once handling, resuming, the lease, reset, lag. A
// store without the capability skips the area, saying so.
func TestEventLog(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"ReadInOrder", testEventLogRead},
		{"LateCommitNotSkipped", testEventLogLateCommit},
		{"ConcurrentDelayedCommits", testEventLogDelayedCommits},
		{"ConsumerAtLeastOnce", testConsumerAtLeastOnce},
		{"ConsumerLease", testConsumerLease},
		{"ConsumerClaimStorm", testConsumerClaimStorm},
		{"ConsumerResetAndLag", testConsumerReset},
		{"RunConsumerSeesEverything", testRunConsumer},
		{"ConsumerCallers", testConsumerCallers},
	})
}

// needEventLog returns the store's EventLog, or skips the test.
func needEventLog(t *testing.T, store orgs.Store) orgs.EventLog {
	t.Helper()
	log, ok := store.(orgs.EventLog)
	if !ok {
		t.Skip("the store does not implement the optional capability orgs.EventLog: skipped (durable consumers are unsupported)")
	}
	return log
}

// readAll reads the whole log after position from, in pages of size.
func readAll(t *testing.T, log orgs.EventLog, from string, size int) []orgs.LoggedEvent {
	t.Helper()
	var all []orgs.LoggedEvent
	for {
		page, err := log.ReadEventLog(t.Context(), from, size)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), size)
		all = append(all, page...)
		if len(page) < size {
			return all
		}
		from = page[len(page)-1].Position
	}
}

// settled reads the whole log once every committed event is readable. On
// Postgres the log ends before the oldest write transaction still running
// in the database, so a test elsewhere holding one open delays it.
func settled(t *testing.T, log orgs.EventLog) []orgs.LoggedEvent {
	t.Helper()
	n, err := log.CountEventsAfter(t.Context(), "")
	require.NoError(t, err)
	var all []orgs.LoggedEvent
	require.Eventually(t, func() bool {
		all = readAll(t, log, "", 1000)
		return len(all) >= n
	}, 60*time.Second, 2*time.Millisecond, "the log shows every committed event")
	return all
}

func ids(es []orgs.LoggedEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// insertEvent appends an event with id in a transaction of its own.
func insertEvent(t *testing.T, store orgs.Store, orgID, id string) {
	t.Helper()
	update(t, store, func(ctx context.Context, tx orgs.Tx) error {
		return tx.InsertEvent(ctx, &orgs.Event{ID: id, OrganizationID: orgID, Type: orgs.EventOrganizationUpdated,
			ActorType: orgs.ActorTypeSystem, Data: map[string]string{"n": id}, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)})
	})
}

func testEventLogRead(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	log := needEventLog(t, f.store)
	ctx := f.ctx
	_, err := f.svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Beta", Slug: "beta"})
	require.NoError(t, err)
	_, err = f.svc.AddMember(ctx, orgs.UserActor(owner), "beta", admin, orgs.RoleAdmin)
	require.NoError(t, err)
	_, err = f.svc.UpdateOrganization(ctx, orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{Name: ptr("Acme 2")})
	require.NoError(t, err)

	all := settled(t, log)
	beta, err := f.svc.GetOrganization(ctx, orgs.UserActor(owner), "beta")
	require.NoError(t, err)
	// Every event of both organizations, each once, in the order the
	// Service committed them (one process: the ID order).
	want := append(allEvents(t, f.store, f.org.ID)[:3], allEvents(t, f.store, beta.ID)...)
	want = append(want, allEvents(t, f.store, f.org.ID)[3:]...)
	require.Len(t, all, len(want))
	for i, e := range all {
		assert.Equal(t, want[i], e.Event, "event %d", i)
		assert.NotEmpty(t, e.Position)
	}
	// Any page size walks the same log; the end is empty.
	for _, size := range []int{1, 2, 3, 7} {
		assert.Equal(t, ids(all), ids(readAll(t, log, "", size)), "pages of %d", size)
	}
	last := all[len(all)-1].Position
	rest, err := log.ReadEventLog(ctx, last, 10)
	require.NoError(t, err)
	assert.Empty(t, rest)
	// Positions of events, of the end, and counts.
	for i, e := range all {
		p, err := log.EventLogPosition(ctx, e.ID)
		require.NoError(t, err)
		assert.Equal(t, e.Position, p)
		n, err := log.CountEventsAfter(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, len(all)-i-1, n, "events after %d", i)
		after := readAll(t, log, p, 100)
		assert.Equal(t, ids(all[i+1:]), ids(after), "read after event %d", i)
	}
	end, err := log.EventLogPosition(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, last, end)
	n, err := log.CountEventsAfter(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, len(all), n)
	_, err = log.EventLogPosition(ctx, orgs.NewID(orgs.PrefixEvent))
	assert.ErrorIs(t, err, orgs.ErrNotFound)
}

// testEventLogLateCommit: an event whose ID was made first but which
// commits last — as with IDs made in another process, or before a slow
// transaction commits — is read after the reader has passed the event
// committed before it. A reader ordered by event ID misses it: the
// negative control, run here against the store's own ListEvents.
func testEventLogLateCommit(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	log := needEventLog(t, store)
	org := insertOrganization(t, store, "late", owner)
	early, late := orgs.NewID(orgs.PrefixEvent), orgs.NewID(orgs.PrefixEvent)
	require.Less(t, early, late)

	insertEvent(t, store, org.ID, late) // the later ID commits first
	got := settled(t, log)
	require.Equal(t, []string{late}, ids(got))
	pos := got[0].Position
	naiveAfter := late // a reader by ID has moved past late

	insertEvent(t, store, org.ID, early) // the earlier ID commits last
	settled(t, log)
	got = readAll(t, log, pos, 10)
	assert.Equal(t, []string{early}, ids(got), "the event committed last is read after the reader's position")

	naive, err := store.ListEvents(t.Context(), orgs.EventFilter{OrganizationID: org.ID, Range: orgs.Range{After: naiveAfter}})
	require.NoError(t, err)
	assert.Empty(t, naive, "negative control: a reader ordered by event ID skips the late commit")
}

// testEventLogDelayedCommits: writers whose IDs are made before their
// transactions, which commit after random delays, while a reader follows
// the log. The reader must see every committed event exactly once, and no
// rolled-back one. A reader ordered by event ID runs alongside and its
// misses are logged (the negative control; how many depends on timing).
func testEventLogDelayedCommits(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	log := needEventLog(t, store)
	org := insertOrganization(t, store, "delays", owner)
	const writers, perWriter = 8, 12
	var committed sync.Map
	var wg sync.WaitGroup
	done := make(chan struct{})
	boom := errors.New("rolled back on purpose")
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range perWriter {
				id := orgs.NewID(orgs.PrefixEvent)
				time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
				err := store.Transact(t.Context(), func(ctx context.Context, tx orgs.Tx) error {
					err := tx.InsertEvent(ctx, &orgs.Event{ID: id, OrganizationID: org.ID, Type: orgs.EventOrganizationUpdated,
						ActorType: orgs.ActorTypeSystem, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)})
					if err != nil {
						return err
					}
					time.Sleep(time.Duration(rng.IntN(4)) * time.Millisecond)
					if i%5 == 4 {
						return boom
					}
					return nil
				})
				if err == nil {
					committed.Store(id, true)
				} else if !errors.Is(err, boom) {
					t.Errorf("writer %d: %v", w, err)
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	seen := map[string]int{}
	var order []string
	pos, naiveAfter := "", ""
	naiveSeen := map[string]bool{}
	finished := false
	for !finished {
		select {
		case <-done:
			finished = true // one more read after the last commit
		default:
		}
		page, err := log.ReadEventLog(t.Context(), pos, 50)
		require.NoError(t, err)
		for _, e := range page {
			seen[e.ID]++
			order = append(order, e.ID)
			pos = e.Position
		}
		naive, err := store.ListEvents(t.Context(), orgs.EventFilter{OrganizationID: org.ID, Range: orgs.Range{After: naiveAfter}})
		require.NoError(t, err)
		for _, e := range naive {
			naiveSeen[e.ID] = true
			naiveAfter = e.ID
		}
		if !finished {
			time.Sleep(time.Millisecond)
		}
	}
	settled(t, log)
	for _, e := range readAll(t, log, pos, 50) {
		seen[e.ID]++
		order = append(order, e.ID)
	}
	var want, missed, naiveMissed int
	committed.Range(func(k, _ any) bool {
		want++
		if seen[k.(string)] != 1 {
			missed++
			t.Errorf("event %s seen %d times", k, seen[k.(string)])
		}
		if !naiveSeen[k.(string)] {
			naiveMissed++
		}
		return true
	})
	for id, n := range seen {
		if _, ok := committed.Load(id); !ok || n != 1 {
			t.Errorf("event %s: read %d times, committed %v", id, n, ok)
		}
	}
	assert.Equal(t, want, len(order), "events read")
	t.Logf("delayed commits: %d committed, %d read in log order, %d missed; a reader by event ID missed %d (negative control)",
		want, len(order), missed, naiveMissed)
}

// consumer is a Service over the fixture's store for consumer tests.
func consumerHandler(seen *[]string, failAt string, failed *bool) orgs.EventHandler {
	return func(_ context.Context, e orgs.Event) error {
		if e.ID == failAt && !*failed {
			*failed = true
			return errors.New("handler failed once")
		}
		*seen = append(*seen, e.ID)
		return nil
	}
}

func testConsumerAtLeastOnce(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	log := needEventLog(t, f.store)
	all := ids(settled(t, log))
	require.GreaterOrEqual(t, len(all), 3)
	opts := orgs.ConsumerOptions{BatchSize: 2, Holder: "reader-1"}

	// The handler fails at the third event: the first two are stored, the
	// third is handled again next time.
	var seen []string
	failed := false
	handle := consumerHandler(&seen, all[2], &failed)
	n, err := f.svc.ConsumeEvents(f.ctx, system, "billing", opts, handle)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = f.svc.ConsumeEvents(f.ctx, system, "billing", opts, handle)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "handler failed once")
	assert.Equal(t, 0, n)
	for {
		n, err = f.svc.ConsumeEvents(f.ctx, system, "billing", opts, handle)
		require.NoError(t, err)
		if n == 0 {
			break
		}
	}
	assert.Equal(t, all, seen, "every event handled once, in order, the failed one again")

	// A crash (the context ends mid-batch): what was handled is stored,
	// the rest is handled after the restart.
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "crash-1", orgs.RoleMember)
	require.NoError(t, err)
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "crash-2", orgs.RoleMember)
	require.NoError(t, err)
	settled(t, log)
	crashCtx, crash := context.WithCancel(f.ctx)
	var before []string
	_, err = f.svc.ConsumeEvents(crashCtx, system, "billing", orgs.ConsumerOptions{BatchSize: 10}, func(_ context.Context, e orgs.Event) error {
		before = append(before, e.ID)
		crash() // dies after the first
		return nil
	})
	require.NoError(t, err)
	require.Len(t, before, 1)
	var after []string
	_, err = f.svc.ConsumeEvents(f.ctx, system, "billing", orgs.ConsumerOptions{BatchSize: 10}, func(_ context.Context, e orgs.Event) error {
		after = append(after, e.ID)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, after, 1, "resumed after the event handled before the crash")
	assert.NotEqual(t, before[0], after[0])

	// A panicking handler is an error, not a crash of the caller.
	_, err = f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", "crash-3", orgs.RoleMember)
	require.NoError(t, err)
	settled(t, log)
	_, err = f.svc.ConsumeEvents(f.ctx, system, "billing", opts, func(context.Context, orgs.Event) error { panic("boom") })
	require.ErrorContains(t, err, "panicked")
	c, err := f.svc.GetConsumer(f.ctx, system, "billing")
	require.NoError(t, err)
	assert.Equal(t, 1, c.Lag, "the event whose handler panicked is still to handle")
}

func testConsumerLease(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	log := needEventLog(t, f.store)
	ctx := f.ctx
	now := f.clock.Now().UTC()
	lease := 30 * time.Second
	claim := func(holder string) orgs.ConsumerClaim {
		n := f.clock.Now().UTC()
		return orgs.ConsumerClaim{Name: "mailer", Holder: holder, Now: n, Until: n.Add(lease)}
	}
	st, err := log.ClaimConsumer(ctx, claim("a"))
	require.NoError(t, err)
	assert.Equal(t, "a", st.Holder)
	assert.Equal(t, "", st.Position)
	_, err = log.ClaimConsumer(ctx, claim("b"))
	require.ErrorIs(t, err, orgs.ErrConsumerBusy, "b while a's lease holds")
	_, err = log.ClaimConsumer(ctx, claim("a"))
	require.NoError(t, err, "a renews")

	// The Service's consumer standing by: busy, handles nothing.
	handled := 0
	_, err = f.svc.ConsumeEvents(ctx, system, "mailer", orgs.ConsumerOptions{Holder: "b"}, func(context.Context, orgs.Event) error { handled++; return nil })
	require.ErrorIs(t, err, orgs.ErrConsumerBusy)
	assert.Zero(t, handled)

	all := settled(t, log)
	require.NoError(t, log.AdvanceConsumer(ctx, claim("a"), "", all[0].Position))

	// a stops renewing; after its lease b takes over, and a's advance is
	// refused.
	f.clock.Advance(lease)
	st, err = log.ClaimConsumer(ctx, claim("b"))
	require.NoError(t, err)
	assert.Equal(t, all[0].Position, st.Position)
	require.ErrorIs(t, log.AdvanceConsumer(ctx, claim("a"), all[0].Position, all[1].Position), orgs.ErrLeaseLost)
	require.ErrorIs(t, log.AdvanceConsumer(ctx, claim("b"), "", all[1].Position), orgs.ErrLeaseLost, "from a stale position")
	require.NoError(t, log.AdvanceConsumer(ctx, claim("b"), all[0].Position, all[1].Position))

	// Release lets another reader in at once; releasing what one does not
	// hold does nothing.
	require.NoError(t, log.ReleaseConsumer(ctx, "mailer", "a"))
	_, err = log.ClaimConsumer(ctx, claim("c"))
	require.ErrorIs(t, err, orgs.ErrConsumerBusy)
	require.NoError(t, log.ReleaseConsumer(ctx, "mailer", "b"))
	st, err = log.ClaimConsumer(ctx, claim("c"))
	require.NoError(t, err)
	assert.Equal(t, all[1].Position, st.Position)
	assert.True(t, st.CreatedAt.Equal(now), "created when first claimed")
}

// testConsumerClaimStorm: of many readers claiming one consumer at once,
// exactly one gets it.
func testConsumerClaimStorm(t *testing.T, newStore NewStore) {
	store := openStore(t, newStore)
	log := needEventLog(t, store)
	const n = 20
	for run := range 5 {
		name := fmt.Sprintf("storm-%d", run)
		now := time.Now().UTC().Truncate(time.Microsecond)
		errs := testkit.Storm(n, func(i int) error {
			_, err := log.ClaimConsumer(t.Context(), orgs.ConsumerClaim{Name: name, Holder: fmt.Sprintf("r%d", i), Now: now, Until: now.Add(time.Minute)})
			return err
		})
		o := tally(errs, orgs.ErrConsumerBusy)
		assert.Empty(t, o.other, "run %d", run)
		assert.Equal(t, 1, o.ok, "run %d: claims won", run)
		t.Logf("claim storm %d: %d won, %d busy, %d other", run, o.ok, o.expected[orgs.ErrConsumerBusy], len(o.other))
	}
}

func testConsumerReset(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	log := needEventLog(t, f.store)
	ctx := f.ctx
	f.addMembers(orgs.RoleMember, "r1", "r2", "r3")
	all := settled(t, log)
	total := len(all)
	_, err := f.svc.ConsumeEvents(ctx, system, "sync", orgs.ConsumerOptions{BatchSize: 2}, func(context.Context, orgs.Event) error { return nil })
	require.NoError(t, err)
	cs, err := f.svc.ListConsumers(ctx, system)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, "sync", cs[0].Name)
	assert.Equal(t, total-2, cs[0].Lag)
	assert.Equal(t, all[1].Position, cs[0].Position)
	assert.Empty(t, cs[0].Holder, "released after ConsumeEvents")
	assert.Nil(t, cs[0].LeaseUntil)

	c, err := f.svc.ResetConsumer(ctx, system, "sync", orgs.ConsumerReset{ToEnd: true})
	require.NoError(t, err)
	assert.Equal(t, 0, c.Lag)
	c, err = f.svc.ResetConsumer(ctx, system, "sync", orgs.ConsumerReset{AfterEvent: all[3].ID})
	require.NoError(t, err)
	assert.Equal(t, total-4, c.Lag)
	var seen []string
	_, err = f.svc.ConsumeEvents(ctx, system, "sync", orgs.ConsumerOptions{}, func(_ context.Context, e orgs.Event) error {
		seen = append(seen, e.ID)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, ids(all[4:]), seen, "resumed after the event reset to")
	c, err = f.svc.ResetConsumer(ctx, system, "sync", orgs.ConsumerReset{})
	require.NoError(t, err)
	assert.Equal(t, total, c.Lag, "back to the start")

	// A reset while a reader holds the consumer: its advance is refused.
	st, err := log.ClaimConsumer(ctx, orgs.ConsumerClaim{Name: "sync", Holder: "h", Now: f.clock.Now(), Until: f.clock.Now().Add(time.Minute)})
	require.NoError(t, err)
	_, err = f.svc.ResetConsumer(ctx, system, "sync", orgs.ConsumerReset{ToEnd: true})
	require.NoError(t, err)
	require.ErrorIs(t, log.AdvanceConsumer(ctx, orgs.ConsumerClaim{Name: "sync", Holder: "h", Now: f.clock.Now(), Until: f.clock.Now().Add(time.Minute)},
		st.Position, all[0].Position), orgs.ErrLeaseLost)

	// A reset creates a consumer; unknown events and names are refused.
	c, err = f.svc.ResetConsumer(ctx, system, "new-one", orgs.ConsumerReset{ToEnd: true})
	require.NoError(t, err)
	assert.Equal(t, "new-one", c.Name)
	_, err = f.svc.ResetConsumer(ctx, system, "sync", orgs.ConsumerReset{AfterEvent: orgs.NewID(orgs.PrefixEvent)})
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.ResetConsumer(ctx, system, "sync", orgs.ConsumerReset{AfterEvent: "evt_nope"})
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.ResetConsumer(ctx, system, "sync", orgs.ConsumerReset{ToEnd: true, AfterEvent: all[0].ID})
	requireInvalid(t, err, "after_event")
	require.NoError(t, f.svc.DeleteConsumer(ctx, system, "new-one"))
	require.ErrorIs(t, f.svc.DeleteConsumer(ctx, system, "new-one"), orgs.ErrNotFound)
	_, err = f.svc.GetConsumer(ctx, system, "new-one")
	require.ErrorIs(t, err, orgs.ErrNotFound)
}

// testRunConsumer: RunConsumer follows the log while many goroutines
// change organizations, and handles every event once.
func testRunConsumer(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	needEventLog(t, f.store)
	ctx, cancel := context.WithCancel(f.ctx)
	var mu sync.Mutex
	seen := map[string]int{}
	runErr := make(chan error, 1)
	go func() {
		runErr <- f.svc.RunConsumer(ctx, system, "follower", orgs.ConsumerOptions{PollInterval: time.Millisecond, BatchSize: 7},
			func(_ context.Context, e orgs.Event) error {
				mu.Lock()
				defer mu.Unlock()
				seen[e.ID]++
				return nil
			})
	}()
	errs := testkit.Storm(10, func(i int) error {
		for j := range 5 {
			if _, err := f.svc.AddMember(f.ctx, orgs.UserActor(owner), "acme", fmt.Sprintf("u-%d-%d", i, j), orgs.RoleMember); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	want := f.events()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) >= len(want)
	}, 30*time.Second, time.Millisecond, "the consumer catches up")
	cancel()
	require.ErrorIs(t, <-runErr, context.Canceled)
	mu.Lock()
	defer mu.Unlock()
	for _, e := range want {
		assert.Equal(t, 1, seen[e.ID], "event %s", e.ID)
	}
	assert.Len(t, seen, len(want))
	c, err := f.svc.GetConsumer(f.ctx, system, "follower")
	require.NoError(t, err)
	assert.Equal(t, 0, c.Lag)
	assert.Empty(t, c.Holder, "RunConsumer releases its lease when it stops")
}

// testConsumerCallers: consumers are the system caller's; bad names and
// options are validation errors; a handler is required.
func testConsumerCallers(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	needEventLog(t, f.store)
	ctx := f.ctx
	ok := func(context.Context, orgs.Event) error { return nil }
	_, err := f.svc.ConsumeEvents(ctx, orgs.UserActor(owner), "x", orgs.ConsumerOptions{}, ok)
	require.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListConsumers(ctx, orgs.UserActor(owner))
	require.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.ListConsumers(ctx, orgs.Actor{})
	require.ErrorIs(t, err, orgs.ErrUnauthenticated)
	require.ErrorIs(t, f.svc.RunConsumer(ctx, orgs.UserActor(admin), "x", orgs.ConsumerOptions{}, ok), orgs.ErrForbidden)
	for _, name := range []string{"", "with space", "ünïcode", string(make([]byte, 65)), "a/b"} {
		_, err := f.svc.ConsumeEvents(ctx, system, name, orgs.ConsumerOptions{}, ok)
		requireInvalid(t, err, "name")
	}
	_, err = f.svc.ConsumeEvents(ctx, system, "x", orgs.ConsumerOptions{BatchSize: 1001}, ok)
	requireInvalid(t, err, "batch_size")
	_, err = f.svc.ConsumeEvents(ctx, system, "x", orgs.ConsumerOptions{Lease: -1}, ok)
	requireInvalid(t, err, "options")
	_, err = f.svc.ConsumeEvents(ctx, system, "x", orgs.ConsumerOptions{Holder: "a\x00b"}, ok)
	requireInvalid(t, err, "holder")
	_, err = f.svc.ConsumeEvents(ctx, system, "x", orgs.ConsumerOptions{}, nil)
	requireInvalid(t, err, "handle")
	cs, err := f.svc.ListConsumers(ctx, system)
	require.NoError(t, err)
	assert.Empty(t, cs, "no call above created a consumer")

	// Without the capability the calls say so.
	plain := newService(t, plainStore{f.store})
	_, err = plain.ListConsumers(ctx, system)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	var count atomic.Int32
	_, err = plain.ConsumeEvents(ctx, system, "x", orgs.ConsumerOptions{}, func(context.Context, orgs.Event) error { count.Add(1); return nil })
	require.ErrorIs(t, err, errors.ErrUnsupported)
}
