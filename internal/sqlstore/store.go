package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/schema"
)

// Store is an orgs.Store on a bun database, SQLite or PostgreSQL. Its methods
// are safe for concurrent use. The Tx passed to Transact's fn is not: use it
// from fn's goroutine only.
type Store struct {
	queries
	db     *bun.DB
	d      Dialect
	hooks  []bun.QueryHook // WithQueryHook's, run around each pipeline too
	closed atomic.Bool

	prepared stmtCache // SQLite's prepared statements, by query
}

var (
	_ orgs.Store              = (*Store)(nil)
	_ orgs.Tx                 = (*queries)(nil)
	_ orgs.OrganizationLocker = (*queries)(nil)
)

// Dialect is what differs between the two databases beyond their SQL, which
// the queries write inline (q.pg). The packages store/sqlite and
// store/postgres each supply one; nothing here imports a driver, so a
// program linking one of them does not link the other's driver.
type Dialect struct {
	// Name is dialect.SQLite or dialect.PG, the dialect db must have.
	Name dialect.Name
	// Classify tells what a driver error means.
	Classify func(err error) DriverError
	// Migrations holds the dialect's migrations, versioned like the other
	// dialect's (a test compares the lists).
	Migrations fs.FS
	// LockMigrations takes the lock that makes Migrate exclusive across
	// processes, and returns its release.
	LockMigrations func(ctx context.Context, db *bun.DB) (unlock func(), err error)
	// Pipeline, when set, sends stmts to the database in one round trip,
	// in order, on conn (the driver's connection, from sql.Conn.Raw; a
	// connection of another driver is ErrPipelineConn), and returns each
	// statement's Result. rows is called with the rows of each statement
	// that returns some, to read them before the next. When a statement
	// fails, the ones after it do not run: Pipeline returns its index and
	// error. Transactions then run on one connection, with BEGIN, COMMIT
	// and ROLLBACK sent by the Store within pipelines. Without Pipeline
	// (SQLite, where a statement costs no round trip) each statement runs
	// on its own in a database/sql transaction.
	Pipeline func(ctx context.Context, conn any, stmts []string, rows func(i int, r Rows) error) (res []Result, failed int, err error)
}

// DriverError is what a Dialect's Classify found in a driver error.
type DriverError struct {
	// Unique: a unique violation of Constraint (Postgres names the index;
	// SQLite lists the columns, "table.col, …").
	Unique     bool
	Constraint string
	// ForeignKey: a foreign key violation.
	ForeignKey bool
	// Retry: the database aborted the whole transaction to break a
	// deadlock or a serialization conflict; running it again is safe.
	Retry bool
	// Schema: a table or column is missing — the schema is older than the
	// code (Migrate was not called, or not since an upgrade).
	Schema bool
	// Code is the SQLSTATE (Postgres), or "".
	Code string
	// Native is the driver's own error value, for wrapping.
	Native error
}

// New returns a Store over db with d. db's dialect must be d's.
func New(db *bun.DB, d Dialect) (*Store, error) {
	if got := db.Dialect().Name(); got != d.Name {
		return nil, fmt.Errorf("bun database has dialect %s, want %s", got, d.Name)
	}
	s := &Store{db: db, d: d}
	s.queries = queries{db: db, gen: db.QueryGen(), d: &s.d, pg: d.Name == dialect.PG, closed: &s.closed, st: s}
	return s, nil
}

// WithQueryHook returns a Store over a copy of s's database with hook
// attached (bun.DB.WithQueryHook): the same connection pool, every query of
// the returned Store seen by hook. Closing either closes both.
func (s *Store) WithQueryHook(hook bun.QueryHook) *Store {
	c, _ := New(s.db.WithQueryHook(hook), s.d) // same dialect: cannot fail
	c.hooks = append(append(c.hooks, s.hooks...), hook)
	c.queries.closed = s.queries.closed // one pool, one closed state
	return c
}

// DB returns the underlying database.
func (s *Store) DB() *bun.DB { return s.db }

// Close closes the database. Every call after Close, Close included, fails
// with an error wrapping orgs.ErrClosed.
func (s *Store) Close() error {
	if s.queries.closed.Swap(true) {
		return errClosed
	}
	s.prepared.close()
	return s.db.Close()
}

// Transact runs fn in one transaction (on SQLite an immediate one, so
// writers are serialized) and commits it when fn returns nil. fn's error is
// returned unchanged. When Postgres aborts the transaction to break a
// deadlock or a serialization conflict, Transact runs fn again in a new
// transaction (up to maxAttempts in all). With the Dialect's Pipeline
// (Postgres) the transaction is pipelined: see pipeline.go.
func (s *Store) Transact(ctx context.Context, fn func(ctx context.Context, tx orgs.Tx) error) error {
	if err := s.ready(); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		var err error
		if s.d.Pipeline != nil {
			err = s.transactPipelined(ctx, fn)
		} else {
			err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				return fn(ctx, s.queries.withTx(tx))
			})
		}
		if err == nil || !s.d.Classify(err).Retry || attempt == maxAttempts || ctx.Err() != nil {
			return err
		}
	}
}

// maxAttempts bounds how often Transact runs a transaction that the
// database aborted to break a deadlock or a serialization conflict (on
// Postgres, two organizations swapping slugs each wait on the other's
// unique-index entry: 40P01). The transaction was rolled back, so running fn
// again is safe.
const maxAttempts = 4

var errClosed = fmt.Errorf("store: %w", orgs.ErrClosed)

// queries implements orgs.Tx over the database or one transaction.
type queries struct {
	db     bun.IDB // *bun.DB, bun.Tx, or the bun.Conn of a pipelined transaction
	gen    schema.QueryGen
	d      *Dialect
	pg     bool // Postgres; else SQLite
	closed *atomic.Bool

	inTx bool   // over a transaction
	p    *pipe  // the pipelined transaction's state, when it is one
	st   *Store // the Store it belongs to: hooks, prepared statements

	// oneStatementLock makes LockAndRead lock and read in one statement
	// (SELECT … FOR NO KEY UPDATE OF o with the reads joined), which is
	// wrong at READ COMMITTED: a statement that waited for the lock reads
	// the other tables as they were when it started. Set only by the
	// negative controls, which must see the rules broken with it.
	oneStatementLock bool
}

func (q *queries) withTx(tx bun.Tx) *queries {
	c := *q
	c.db, c.inTx = tx, true
	return &c
}

// ready reports whether the store may be used.
func (q *queries) ready() error {
	if q.closed.Load() {
		return errClosed
	}
	return nil
}

// write runs fn, one logical change of one or more statements, in the
// current transaction, or outside Transact in a transaction of its own, so that
// it is atomic either way. Inside Transact, a failed write leaves no trace on
// SQLite (the failing statement is rolled back, and a write's statements are
// ordered so that only its first can fail with a sentinel), while on Postgres
// it aborts the transaction: fn must then return an error.
func (q *queries) write(ctx context.Context, fn func(w *queries) error) error {
	if err := q.ready(); err != nil {
		return err
	}
	if q.inTx {
		return fn(q)
	}
	return q.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(q.withTx(tx))
	})
}

// exec runs one statement, formatting args into query with bun, and returns
// the number of rows it affected. Errors are interpreted (interpretError).
// In a pipelined transaction that batches writes it is held back (and
// returns 0).
func (q *queries) exec(ctx context.Context, query string, args ...any) (int64, error) {
	return q.execStmt(ctx, q.stmtOf(query, args))
}

// execCount is exec for a write whose caller uses the rows it affected:
// in a pipelined transaction that batches writes it is sent at once, with
// the held-back writes before it, rather than held back.
func (q *queries) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	st := q.stmtOf(query, args)
	st.count = true
	return q.execStmt(ctx, st)
}

// execStmt runs st, a write.
func (q *queries) execStmt(ctx context.Context, st stmt) (int64, error) {
	if q.p != nil {
		return q.p.exec(ctx, q, st)
	}
	if st.tmpl != "" {
		return q.execPrepared(ctx, st)
	}
	res, err := q.db.ExecContext(ctx, st.query)
	if err != nil {
		return 0, q.interpret(st, err)
	}
	n, err := res.RowsAffected()
	if err == nil && n < int64(st.expect) {
		err = orgs.ErrNotFound
	}
	return n, err
}

// run runs stmts, reads, in order: in a pipelined transaction in one round
// trip with BEGIN and the held-back writes, otherwise one at a time.
func (q *queries) run(ctx context.Context, stmts ...stmt) error {
	if err := q.ready(); err != nil {
		return err
	}
	if q.p != nil {
		_, err := q.p.send(ctx, q, stmts)
		return err
	}
	for _, st := range stmts {
		if st.read == nil {
			if _, err := q.execStmt(ctx, st); err != nil {
				return err
			}
			continue
		}
		var rows *sql.Rows
		var err error
		if st.tmpl != "" {
			rows, err = q.queryPrepared(ctx, st)
		} else {
			rows, err = q.db.QueryContext(ctx, st.query)
		}
		if err != nil {
			return q.interpret(st, err)
		}
		err = st.read(sqlRows{rows})
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return q.interpret(st, err)
		}
	}
	return nil
}

// sqlRows is *sql.Rows as Rows.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Columns() []string {
	cols, _ := r.Rows.Columns()
	return cols
}

// execQuery runs a query built with bun's query builder, as exec.
func (q *queries) execQuery(ctx context.Context, query schema.QueryAppender) (int64, error) {
	b, err := query.AppendQuery(q.gen, nil)
	if err != nil {
		return 0, err
	}
	return q.exec(ctx, string(b))
}

// execOne is exec for a statement that must affect a row: none is
// ErrNotFound.
func (q *queries) execOne(ctx context.Context, query string, args ...any) error {
	st := q.stmtOf(query, args)
	st.expect = 1
	_, err := q.execStmt(ctx, st)
	return err
}

// get scans the one row query returns into dest (ErrNotFound when none).
func (q *queries) get(ctx context.Context, dest any, query string, args ...any) error {
	if err := q.readyToRead(ctx); err != nil {
		return err
	}
	return q.interpretError(q.db.NewRaw(query, args...).Scan(ctx, dest))
}

// readyToRead is what every read that bun scans does first: it fails on a
// closed store and, in a pipelined transaction, flushes, so that the read
// sees the transaction's held-back writes.
func (q *queries) readyToRead(ctx context.Context) error {
	if err := q.ready(); err != nil {
		return err
	}
	return q.flush(ctx)
}

// flush, in a pipelined transaction, sends BEGIN and the held-back writes
// before a read that bun scans.
func (q *queries) flush(ctx context.Context) error {
	if q.p == nil {
		return nil
	}
	return q.p.flush(ctx, q)
}

// count runs a query returning one integer (in a pipelined transaction
// with BEGIN and the held-back writes, in one round trip).
func (q *queries) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	st := q.stmtOf(query, args)
	st.read = func(r Rows) error {
		if !r.Next() {
			if err := r.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		return r.Scan(&n)
	}
	err := q.run(ctx, st)
	return n, err
}

// list runs one keyset page query for r and returns its rows in ascending
// key order. page selects from the list's table, aliased as key's prefix
// ("m" for "m.user_id"), with the list's filters; keyset adds r to it. When
// join is set, page is only the page's rows, and join completes an outer
// query over it ("SELECT … FROM (page) AS m"), adding the columns and the
// joins (such as users' profiles): the joins then run for the page's rows
// alone, whatever plan the database would otherwise pick for a join
// ordered by the key (Postgres likes a merge join that reads the joined
// table from its start).
func list[T any](ctx context.Context, q *queries, page *bun.SelectQuery, key string, r orgs.Range,
	join func(outer *bun.SelectQuery) *bun.SelectQuery) ([]T, error) {
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	desc := keyset(page, key, r)
	sq := page
	if join != nil {
		alias, _, _ := strings.Cut(key, ".")
		sq = join(q.db.NewSelect().TableExpr("(?) AS ?", page, bun.Safe(alias)))
		order(sq, key, desc)
	}
	var out []T
	if err := sq.Scan(ctx, &out); err != nil {
		return nil, q.interpretError(err)
	}
	if desc {
		slices.Reverse(out)
	}
	return out, nil
}

// keyset applies r to sq, a list ordered by the key column key, and reports
// whether the rows come back in descending order (Before without After: the
// Limit rows nearest Before), to be reversed. A Limit of 0 means no limit.
func keyset(sq *bun.SelectQuery, key string, r orgs.Range) (desc bool) {
	if r.After != "" {
		sq.Where("? > ?", bun.Safe(key), r.After)
	}
	if r.Before != "" {
		sq.Where("? < ?", bun.Safe(key), r.Before)
	}
	desc = r.Before != "" && r.After == ""
	order(sq, key, desc)
	if r.MaxRows > 0 {
		sq.Limit(int64(r.MaxRows))
	}
	return desc
}

func order(sq *bun.SelectQuery, key string, desc bool) {
	if desc {
		sq.OrderExpr("? DESC", bun.Safe(key))
	} else {
		sq.OrderExpr("? ASC", bun.Safe(key))
	}
}

// contains returns a condition, for Where, that holds when one of cols
// contains s, case-insensitively for ASCII letters only (on both dialects:
// SQLite's LIKE folds ASCII alone, and on Postgres both sides are
// lower-cased with translate rather than ILIKE, which folds by the
// collation's Unicode rules and could make "Kate" match "kate").
// LIKE's wildcards in s are escaped with '\'.
func (q *queries) contains(s string, cols ...string) (query string, args []any) {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	pattern := "%" + s + "%"
	var conds []string
	for _, col := range cols {
		if q.pg {
			col = "translate(" + col + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
			pattern = "%" + asciiLower(s) + "%"
		}
		conds = append(conds, `? LIKE ? ESCAPE '\'`)
		args = append(args, bun.Safe(col), pattern)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// asciiLower lower-cases ASCII letters only.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// nullString maps "" to NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// utc converts times read from the database to UTC.
func utc(ts ...*time.Time) {
	for _, t := range ts {
		*t = t.UTC()
	}
}
