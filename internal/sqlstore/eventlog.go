package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// The optional capability orgs.EventLog.
//
// SQLite: a trigger gives each event the next seq (max + 1) inside the
// writing transaction; writers are serialized, so seq order is commit
// order, and a position is the seq in decimal.
//
// Postgres: each event records its transaction's ID (tx, xid8, the
// column's default pg_current_xact_id()) and a seq from a sequence. Neither
// is commit order on its own: a transaction that drew a smaller value may
// commit after a reader has moved past a larger one. A reader therefore
// returns only events whose transaction is older than the oldest one still
// running in this database (see safeBound), in (tx, seq) order: every
// transaction below that bound has ended, so no event can appear behind
// the reader later, and any transaction still to commit has a tx at or
// above it. A position is "tx:seq". A write transaction of this database
// left open (idle in transaction) holds readers back until it ends; other
// databases' do not.

var _ orgs.EventLog = (*queries)(nil)

// logPosition is a decoded position.
type logPosition struct {
	tx  uint64 // Postgres only
	seq int64
}

func (q *queries) parsePosition(p string) (logPosition, error) {
	var lp logPosition
	if p == "" {
		return lp, nil
	}
	bad := fmt.Errorf("store: malformed event log position %q", p)
	seq := p
	if q.pg {
		tx, s, ok := strings.Cut(p, ":")
		if !ok {
			return lp, bad
		}
		n, err := strconv.ParseUint(tx, 10, 64)
		if err != nil {
			return lp, bad
		}
		lp.tx, seq = n, s
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 0 {
		return lp, bad
	}
	lp.seq = n
	return lp, nil
}

func (q *queries) formatPosition(tx string, seq int64) string {
	if q.pg {
		return tx + ":" + strconv.FormatInt(seq, 10)
	}
	return strconv.FormatInt(seq, 10)
}

// afterCondition is the WHERE condition "after position p" on events
// aliased e, and its arguments; "" for the start of the log.
func (q *queries) afterCondition(p string) (string, []any, error) {
	lp, err := q.parsePosition(p)
	if err != nil || p == "" {
		return "", nil, err
	}
	if q.pg {
		return "(e.tx, e.seq) > (?::xid8, ?)", []any{strconv.FormatUint(lp.tx, 10), lp.seq}, nil
	}
	return "e.seq > ?", []any{lp.seq}, nil
}

// safeBound is the Postgres reader's bound, a FROM item "b" with one
// column, bound: the oldest transaction still running at the statement's
// snapshot (pg_snapshot_xip), or the snapshot's xmax when none is — leaving
// out the transactions of other databases on the server (pg_stat_activity),
// which cannot write to this table. Events of transactions below it are
// final and visible; a transaction of this database still running, or
// still to start, has an ID at or above it. A transaction whose database
// pg_stat_activity does not show (a role without the privilege to see it)
// counts as running here: the bound only gets lower, never unsafe.
const safeBound = `(SELECT COALESCE(
		(SELECT min(x) FROM pg_snapshot_xip(s.snap) AS x
		 WHERE xid(x) NOT IN (SELECT a.backend_xid FROM pg_stat_activity AS a
		                      WHERE a.backend_xid IS NOT NULL AND a.datid IS NOT NULL AND a.datname <> current_database())),
		pg_snapshot_xmax(s.snap)) AS bound
	FROM (SELECT pg_current_snapshot() AS snap) AS s) AS b`

// safeCondition limits a Postgres read, over events e and safeBound b, to
// final events.
const safeCondition = "e.tx < b.bound"

// loggedRow is an event with its place in the log.
type loggedRow struct {
	orgs.Event
	Tx  string
	Seq int64
}

// ReadEventLog returns events after position after in commit order (see
// the top of this file).
func (q *queries) ReadEventLog(ctx context.Context, after string, limit int) ([]orgs.LoggedEvent, error) {
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	cond, args, err := q.afterCondition(after)
	if err != nil {
		return nil, err
	}
	var where []string
	if cond != "" {
		where = append(where, cond)
	}
	order, txCol, from := "e.seq", "'' AS tx", "events AS e"
	if q.pg {
		where = append(where, safeCondition)
		order, txCol, from = "e.tx, e.seq", "e.tx::text AS tx", "events AS e, "+safeBound
	}
	query := "SELECT e.id, e.organization_id, e.type, e.actor_type, e.actor_id, e.data, e.created_at, " + txCol + ", e.seq FROM " + from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY " + order + " LIMIT ?"
	var rows []loggedRow
	if err := q.db.NewRaw(query, append(args, limit)...).Scan(ctx, &rows); err != nil {
		return nil, q.interpretError(err)
	}
	out := make([]orgs.LoggedEvent, len(rows))
	for i, r := range rows {
		utc(&r.CreatedAt)
		out[i] = orgs.LoggedEvent{Event: r.Event, Position: q.formatPosition(r.Tx, r.Seq)}
	}
	return out, nil
}

// EventLogPosition returns the position of an event, or of the last safe
// one.
func (q *queries) EventLogPosition(ctx context.Context, eventID string) (string, error) {
	txCol := "'' AS tx"
	if q.pg {
		txCol = "e.tx::text AS tx"
	}
	var r struct {
		Tx  string
		Seq int64
	}
	var err error
	switch {
	case eventID != "":
		err = q.get(ctx, &r, "SELECT "+txCol+", e.seq FROM events AS e WHERE e.id = ?", eventID)
	case q.pg:
		err = q.get(ctx, &r, "SELECT "+txCol+", e.seq FROM events AS e, "+safeBound+" WHERE "+safeCondition+" ORDER BY e.tx DESC, e.seq DESC LIMIT 1")
	default:
		err = q.get(ctx, &r, "SELECT "+txCol+", e.seq FROM events AS e ORDER BY e.seq DESC LIMIT 1")
	}
	if eventID == "" && errors.Is(err, orgs.ErrNotFound) {
		return "", nil // an empty log
	}
	if err != nil {
		return "", err
	}
	return q.formatPosition(r.Tx, r.Seq), nil
}

// CountEventsAfter counts the events after position after.
func (q *queries) CountEventsAfter(ctx context.Context, after string) (int, error) {
	cond, args, err := q.afterCondition(after)
	if err != nil {
		return 0, err
	}
	query := "SELECT count(*) FROM events AS e"
	if cond != "" {
		query += " WHERE " + cond
	}
	return q.count(ctx, query, args...)
}

// consumerRow is a row of event_consumers.
type consumerRow struct {
	Name       string
	Position   string
	Holder     *string
	LeaseUntil *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (r consumerRow) state() orgs.ConsumerState {
	st := orgs.ConsumerState{Name: r.Name, Position: r.Position, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Holder != nil {
		st.Holder = *r.Holder
	}
	if r.LeaseUntil != nil {
		st.LeaseUntil = r.LeaseUntil.UTC()
	}
	return st
}

const consumerColumns = "name, position, holder, lease_until, created_at, updated_at"

// ClaimConsumer creates the consumer when missing, then takes the lease in
// one conditional UPDATE (on Postgres, a concurrent claim waits for the
// row and re-checks the condition against the winner's lease).
func (q *queries) ClaimConsumer(ctx context.Context, c orgs.ConsumerClaim) (*orgs.ConsumerState, error) {
	if err := q.ready(); err != nil {
		return nil, err
	}
	now, until := c.Now.UTC(), c.Until.UTC()
	if _, err := q.exec(ctx, "INSERT INTO event_consumers (name, position, created_at, updated_at) VALUES (?, '', ?, ?) ON CONFLICT (name) DO NOTHING",
		c.Name, now, now); err != nil {
		return nil, err
	}
	var r consumerRow
	err := q.get(ctx, &r, "UPDATE event_consumers SET holder = ?, lease_until = ? WHERE name = ? AND (holder IS NULL OR holder = ? OR lease_until <= ?) RETURNING "+consumerColumns,
		c.Holder, until, c.Name, c.Holder, now)
	if errors.Is(err, orgs.ErrNotFound) {
		return nil, fmt.Errorf("store: consumer %q: %w", c.Name, orgs.ErrConsumerBusy)
	}
	if err != nil {
		return nil, err
	}
	st := r.state()
	return &st, nil
}

// AdvanceConsumer moves the consumer if c.Holder holds it at from.
func (q *queries) AdvanceConsumer(ctx context.Context, c orgs.ConsumerClaim, from, to string) error {
	if err := q.ready(); err != nil {
		return err
	}
	var n int64
	var err error
	if to == from {
		n, err = q.execCount(ctx, "UPDATE event_consumers SET lease_until = ? WHERE name = ? AND holder = ? AND position = ?",
			c.Until.UTC(), c.Name, c.Holder, from)
	} else {
		n, err = q.execCount(ctx, "UPDATE event_consumers SET position = ?, lease_until = ?, updated_at = ? WHERE name = ? AND holder = ? AND position = ?",
			to, c.Until.UTC(), c.Now.UTC(), c.Name, c.Holder, from)
	}
	if err == nil && n == 0 {
		err = fmt.Errorf("store: consumer %q: %w", c.Name, orgs.ErrLeaseLost)
	}
	return err
}

// ReleaseConsumer ends holder's lease.
func (q *queries) ReleaseConsumer(ctx context.Context, name, holder string) error {
	if err := q.ready(); err != nil {
		return err
	}
	_, err := q.exec(ctx, "UPDATE event_consumers SET holder = NULL, lease_until = NULL WHERE name = ? AND holder = ?", name, holder)
	return err
}

// GetConsumer returns a consumer.
func (q *queries) GetConsumer(ctx context.Context, name string) (*orgs.ConsumerState, error) {
	var r consumerRow
	if err := q.get(ctx, &r, "SELECT "+consumerColumns+" FROM event_consumers WHERE name = ?", name); err != nil {
		return nil, err
	}
	st := r.state()
	return &st, nil
}

// ListConsumers returns the consumers by name.
func (q *queries) ListConsumers(ctx context.Context) ([]orgs.ConsumerState, error) {
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	var rows []consumerRow
	if err := q.db.NewRaw("SELECT "+consumerColumns+" FROM event_consumers ORDER BY name").Scan(ctx, &rows); err != nil {
		return nil, q.interpretError(err)
	}
	out := make([]orgs.ConsumerState, len(rows))
	for i, r := range rows {
		out[i] = r.state()
	}
	return out, nil
}

// SetConsumerPosition upserts a consumer's position.
func (q *queries) SetConsumerPosition(ctx context.Context, name, position string, now time.Time) error {
	if err := q.ready(); err != nil {
		return err
	}
	if _, err := q.parsePosition(position); err != nil {
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO event_consumers (name, position, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
		name, position, now.UTC(), now.UTC())
	return err
}

// DeleteConsumer deletes a consumer.
func (q *queries) DeleteConsumer(ctx context.Context, name string) error {
	if err := q.ready(); err != nil {
		return err
	}
	return q.execOne(ctx, "DELETE FROM event_consumers WHERE name = ?", name)
}
