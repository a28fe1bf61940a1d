package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

// Postgres: the event log is in commit order, not in the order IDs or
// sequence values were drawn. These tests hold a transaction open to
// commit out of order, and show that two naive readers — by event ID and
// by sequence number — skip the late event (the negative controls),
// while ReadEventLog does not.

func eventAt(orgID, id string) *orgs.Event {
	return &orgs.Event{ID: id, OrganizationID: orgID, Type: orgs.EventOrganizationUpdated, ActorType: orgs.ActorTypeSystem,
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
}

// waitLog reads the log from the start until it holds n events.
func waitLog(t *testing.T, s *sqlstore.Store, n int) []orgs.LoggedEvent {
	t.Helper()
	var got []orgs.LoggedEvent
	require.Eventually(t, func() bool {
		var err error
		got, err = s.ReadEventLog(ctx, "", 1000)
		require.NoError(t, err)
		return len(got) >= n
	}, time.Minute, 2*time.Millisecond)
	return got
}

func TestEventLogPendingTransaction(t *testing.T) {
	pgURL(t)
	t.Parallel()
	s := openPostgres(t)
	orgID := orgs.NewID(orgs.PrefixOrganization)
	idA, idB := orgs.NewID(orgs.PrefixEvent), orgs.NewID(orgs.PrefixEvent)

	// A inserts first (smaller ID, smaller seq, smaller transaction ID)
	// and stays open; B commits meanwhile.
	inserted, commit, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
			if err := tx.InsertEvent(ctx, eventAt(orgID, idA)); err != nil {
				return err
			}
			close(inserted)
			<-commit
			return nil
		})
	}()
	<-inserted
	require.NoError(t, s.InsertEvent(ctx, eventAt(orgID, idB)))

	got, err := s.ReadEventLog(ctx, "", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "B waits behind the open transaction that A is in")

	// The naive readers see B and move past it.
	var seqB int64
	require.NoError(t, s.DB().NewRaw("SELECT seq FROM events WHERE id = ?", idB).Scan(ctx, &seqB))
	var naiveSeq []string
	require.NoError(t, s.DB().NewRaw("SELECT id FROM events WHERE seq > 0 ORDER BY seq").Scan(ctx, &naiveSeq))
	require.Equal(t, []string{idB}, naiveSeq)
	naiveID, err := s.ListEvents(ctx, orgs.EventFilter{OrganizationID: orgID})
	require.NoError(t, err)
	require.Len(t, naiveID, 1)

	close(commit)
	require.NoError(t, <-done)

	got = waitLog(t, s, 2)
	assert.Equal(t, []string{idA, idB}, []string{got[0].ID, got[1].ID}, "A, then B: commit-safe order")
	rest, err := s.ReadEventLog(ctx, got[1].Position, 10)
	require.NoError(t, err)
	assert.Empty(t, rest)

	// Negative controls: after B, both naive readers find nothing — A is
	// lost to them.
	naiveSeq = nil
	require.NoError(t, s.DB().NewRaw("SELECT id FROM events WHERE seq > ? ORDER BY seq", seqB).Scan(ctx, &naiveSeq))
	assert.Empty(t, naiveSeq, "negative control: a reader by sequence number skips A")
	naiveID, err = s.ListEvents(ctx, orgs.EventFilter{OrganizationID: orgID, Range: orgs.Range{After: idB}})
	require.NoError(t, err)
	assert.Empty(t, naiveID, "negative control: a reader by event ID skips A")
}

// TestEventLogTwoInstances: two application instances (two pools) append
// events in transactions that stay open for random times, while both run
// the same durable consumer. Every committed event is handled, at most one
// instance handles events at a time (the lease), and the figures are
// logged.
func TestEventLogTwoInstances(t *testing.T) {
	pgURL(t)
	t.Parallel()
	u := pgSchema(t)
	stores := []*sqlstore.Store{openPGAt(t, u), openPGAt(t, u)}
	orgID := orgs.NewID(orgs.PrefixOrganization)
	var svcs []*orgs.Service
	for _, st := range stores {
		svc, err := orgs.New(st)
		require.NoError(t, err)
		svcs = append(svcs, svc)
	}

	runCtx, stop := context.WithCancel(ctx)
	var mu sync.Mutex
	handled := map[string]int{}
	var active, maxActive atomic.Int32
	var runs sync.WaitGroup
	for i, svc := range svcs {
		runs.Add(1)
		go func() {
			defer runs.Done()
			_ = svc.RunConsumer(runCtx, orgs.SystemActor(), "two-instances", orgs.ConsumerOptions{
				BatchSize: 5, PollInterval: time.Millisecond, Holder: fmt.Sprintf("instance-%d", i)},
				func(_ context.Context, e orgs.Event) error {
					n := active.Add(1)
					defer active.Add(-1)
					for m := maxActive.Load(); n > m && !maxActive.CompareAndSwap(m, n); m = maxActive.Load() {
					}
					mu.Lock()
					handled[e.ID]++
					mu.Unlock()
					return nil
				})
		}()
	}

	const writers, perWriter = 8, 25
	var committed sync.Map
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := stores[w%2]
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			for range perWriter {
				id := orgs.NewID(orgs.PrefixEvent)
				err := st.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
					if err := tx.InsertEvent(ctx, eventAt(orgID, id)); err != nil {
						return err
					}
					time.Sleep(time.Duration(rng.IntN(5)) * time.Millisecond)
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				committed.Store(id, true)
			}
		}()
	}
	wg.Wait()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) == writers*perWriter
	}, time.Minute, 5*time.Millisecond, "the consumer handles every committed event")
	stop()
	runs.Wait()

	dups := 0
	committed.Range(func(k, _ any) bool {
		if n := handled[k.(string)]; n != 1 {
			dups += n - 1
		}
		return true
	})
	assert.EqualValues(t, 1, maxActive.Load(), "one instance handles events at a time")
	assert.Zero(t, dups, "no lease was lost: each event handled once")
	t.Logf("two instances: %d events committed from 2 pools with open transactions, %d handled, %d duplicates, at most %d handler(s) at once",
		writers*perWriter, len(handled), dups, maxActive.Load())
}

// TestEventLogIgnoresOtherDatabases: a write transaction left open in
// another database of the server does not hold readers back (it cannot
// write to this table); the plain bound, the oldest running transaction
// of the whole server, would (the negative control).
func TestEventLogIgnoresOtherDatabases(t *testing.T) {
	base := pgURL(t)
	t.Parallel()
	s := openPostgres(t)
	u, err := url.Parse(base)
	require.NoError(t, err)
	u.Path = "/postgres" // another database, present on every server
	other, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	var otherXID string
	require.NoError(t, tx.QueryRowContext(ctx, "SELECT pg_current_xact_id()::text").Scan(&otherXID))

	id := orgs.NewID(orgs.PrefixEvent)
	require.NoError(t, s.InsertEvent(ctx, eventAt(orgs.NewID(orgs.PrefixOrganization), id)))
	got := waitLog(t, s, 1)
	assert.Equal(t, id, got[0].ID, "read while another database's transaction is open")

	var plain []string
	require.NoError(t, s.DB().NewRaw("SELECT id FROM events WHERE tx < pg_snapshot_xmin(pg_current_snapshot())").Scan(ctx, &plain))
	assert.Empty(t, plain, "negative control: the server-wide bound (xmin) waits for transaction %s of another database", otherXID)
}
