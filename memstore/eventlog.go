package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// The optional capability orgs.EventLog: the events in commit order, and
// durable consumers.
//
// Every write holds the store's write lock from its first statement to its
// commit, so an event's place in the log, drawn when it is inserted, is
// its commit order: no reader can see an event until every event before
// it is committed. Positions are decimal sequence numbers, never reused
// (a rolled-back event leaves a gap).

var _ orgs.EventLog = (*txn)(nil)

// eventLogState is the log and the consumers.
type eventLogState struct {
	last      int64                         // the last sequence number given
	entries   []logEntry                    // in sequence order
	seqOf     map[string]int64              // event ID → sequence number
	consumers map[string]orgs.ConsumerState // by name
}

type logEntry struct {
	seq int64
	id  string
}

// eventLog returns st's log, made on first use.
func (st *state) eventLog() *eventLogState {
	if st.log == nil {
		st.log = &eventLogState{seqOf: map[string]int64{}, consumers: map[string]orgs.ConsumerState{}}
	}
	return st.log
}

// appendToLog gives event id the next position; InsertEvent calls it.
// Rolled back with the transaction.
func (tx *txn) appendToLog(st *state, id string) {
	l := st.eventLog()
	if _, ok := l.seqOf[id]; ok {
		return
	}
	l.last++
	n := len(l.entries)
	l.entries = append(l.entries, logEntry{seq: l.last, id: id})
	if tx.inTx {
		tx.undo = append(tx.undo, func() { l.entries = l.entries[:n] })
	}
	set(tx, l.seqOf, id, l.last)
}

func parsePosition(p string) (int64, error) {
	if p == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(p, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("memstore: malformed event log position %q", p)
	}
	return n, nil
}

// after returns the index of the first entry after position p.
func (l *eventLogState) after(p int64) int {
	return sort.Search(len(l.entries), func(i int) bool { return l.entries[i].seq > p })
}

func (tx *txn) ReadEventLog(ctx context.Context, after string, limit int) ([]orgs.LoggedEvent, error) {
	pos, err := parsePosition(after)
	if err != nil {
		return nil, err
	}
	return read(ctx, tx, func(st *state) ([]orgs.LoggedEvent, error) {
		l := st.eventLog()
		var out []orgs.LoggedEvent
		for _, en := range l.entries[l.after(pos):] {
			if len(out) == limit {
				break
			}
			e := st.events[en.id]
			e.Data = maps.Clone(e.Data)
			out = append(out, orgs.LoggedEvent{Event: e, Position: strconv.FormatInt(en.seq, 10)})
		}
		return out, nil
	})
}

func (tx *txn) EventLogPosition(ctx context.Context, eventID string) (string, error) {
	return read(ctx, tx, func(st *state) (string, error) {
		l := st.eventLog()
		if eventID == "" {
			if len(l.entries) == 0 {
				return "", nil
			}
			return strconv.FormatInt(l.entries[len(l.entries)-1].seq, 10), nil
		}
		seq, ok := l.seqOf[eventID]
		if !ok {
			return "", notFound("event", eventID)
		}
		return strconv.FormatInt(seq, 10), nil
	})
}

func (tx *txn) CountEventsAfter(ctx context.Context, after string) (int, error) {
	pos, err := parsePosition(after)
	if err != nil {
		return 0, err
	}
	return read(ctx, tx, func(st *state) (int, error) {
		l := st.eventLog()
		return len(l.entries) - l.after(pos), nil
	})
}

func (tx *txn) ClaimConsumer(ctx context.Context, c orgs.ConsumerClaim) (*orgs.ConsumerState, error) {
	var out orgs.ConsumerState
	err := write(ctx, tx, func(st *state) error {
		l := st.eventLog()
		cs, ok := l.consumers[c.Name]
		if !ok {
			cs = orgs.ConsumerState{Name: c.Name, CreatedAt: c.Now, UpdatedAt: c.Now}
		}
		if cs.Holder != "" && cs.Holder != c.Holder && cs.LeaseUntil.After(c.Now) {
			return fmt.Errorf("memstore: consumer %q held by %q: %w", c.Name, cs.Holder, orgs.ErrConsumerBusy)
		}
		cs.Holder, cs.LeaseUntil = c.Holder, c.Until
		set(tx, l.consumers, c.Name, cs)
		out = cs
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (tx *txn) AdvanceConsumer(ctx context.Context, c orgs.ConsumerClaim, from, to string) error {
	return write(ctx, tx, func(st *state) error {
		l := st.eventLog()
		cs, ok := l.consumers[c.Name]
		if !ok || cs.Holder != c.Holder || cs.Position != from {
			return fmt.Errorf("memstore: consumer %q: %w", c.Name, orgs.ErrLeaseLost)
		}
		if to != from {
			cs.Position, cs.UpdatedAt = to, c.Now
		}
		cs.LeaseUntil = c.Until
		set(tx, l.consumers, c.Name, cs)
		return nil
	})
}

func (tx *txn) ReleaseConsumer(ctx context.Context, name, holder string) error {
	return write(ctx, tx, func(st *state) error {
		l := st.eventLog()
		if cs, ok := l.consumers[name]; ok && cs.Holder == holder {
			cs.Holder, cs.LeaseUntil = "", time.Time{}
			set(tx, l.consumers, name, cs)
		}
		return nil
	})
}

func (tx *txn) GetConsumer(ctx context.Context, name string) (*orgs.ConsumerState, error) {
	return read(ctx, tx, func(st *state) (*orgs.ConsumerState, error) {
		cs, ok := st.eventLog().consumers[name]
		if !ok {
			return nil, notFound("consumer", name)
		}
		return &cs, nil
	})
}

func (tx *txn) ListConsumers(ctx context.Context) ([]orgs.ConsumerState, error) {
	return read(ctx, tx, func(st *state) ([]orgs.ConsumerState, error) {
		out := slices.Collect(maps.Values(st.eventLog().consumers))
		slices.SortFunc(out, func(a, b orgs.ConsumerState) int { return strings.Compare(a.Name, b.Name) })
		return out, nil
	})
}

func (tx *txn) SetConsumerPosition(ctx context.Context, name, position string, now time.Time) error {
	if _, err := parsePosition(position); err != nil {
		return err
	}
	return write(ctx, tx, func(st *state) error {
		l := st.eventLog()
		cs, ok := l.consumers[name]
		if !ok {
			cs = orgs.ConsumerState{Name: name, CreatedAt: now}
		}
		cs.Position, cs.UpdatedAt = position, now
		set(tx, l.consumers, name, cs)
		return nil
	})
}

func (tx *txn) DeleteConsumer(ctx context.Context, name string) error {
	return write(ctx, tx, func(st *state) error {
		l := st.eventLog()
		if _, ok := l.consumers[name]; !ok {
			return notFound("consumer", name)
		}
		del(tx, l.consumers, name)
		return nil
	})
}
