package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// A pipelined transaction (Postgres) sends its statements in as few round
// trips as the Service's protocol allows: BEGIN goes with the first
// statement, the writes of a change wait (orgs.WriteBatcher) and go with
// the next read or with COMMIT, and the lock and the reads of
// orgs.LockReader go together. A change of one organization is then two
// round trips: [BEGIN; lock; read] and [writes; events; COMMIT].
//
// Statements are formatted by bun (values inline, as everywhere in this
// package) and sent as one simple-protocol query string by the Dialect's
// Pipeline. A failing statement aborts the rest of the string and the
// transaction, so a write that must affect a row (execOne) is sent as
//
//	WITH w AS (UPDATE … RETURNING 1) SELECT 1 / count(*) FROM w
//
// which fails (division by zero, read back as ErrNotFound) when it affects
// none, before any COMMIT behind it can run (with n rows expected,
// 1 / (count(*) / n)).

// Rows is the rows of one statement of a pipeline, read by a stmt's read.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Columns() []string
	Err() error
}

// Result is one statement's outcome in a pipeline.
type Result struct {
	Tag          string // the command tag (Postgres), such as "INSERT 0 1"
	RowsAffected int64
}

// stmt is one statement of this package, formatted, with what its outcome
// means.
type stmt struct {
	query  string
	expect int              // must affect at least this many rows: ErrNotFound otherwise
	fk     error            // what a foreign key violation means (default ErrNotFound)
	read   func(Rows) error // reads the statement's rows, when set
	lock   bool             // a lock: never held back
	count  bool             // its rows affected are used (execCount): never held back
	commit bool             // COMMIT: its tag must say COMMIT

	// tmpl and args, when tmpl is set, are query with placeholders, for a
	// prepared statement (SQLite; see stmtCache).
	tmpl string
	args []any
}

// interpret maps the driver error of st to this package's errors.
func (q *queries) interpret(st stmt, err error) error {
	de := q.d.Classify(err)
	switch {
	case st.expect > 0 && de.Code == "22012": // the division of an expecting statement: too few rows
		return fmt.Errorf("%w: %w", orgs.ErrNotFound, de.Native)
	case st.fk != nil && de.ForeignKey:
		return fmt.Errorf("%w: %w", st.fk, de.Native)
	}
	return q.interpretError(err)
}

// pipe is the state of one pipelined transaction.
type pipe struct {
	s       *Store
	conn    bun.Conn
	begun   bool   // BEGIN was sent (or may have been)
	batch   bool   // writes are held back (orgs.WriteBatcher)
	pending []stmt // held-back writes, in order
	failed  error  // a statement failed: the transaction is aborted
}

// expecting turns a statement that must affect at least n rows into one
// that fails, on the server, when it affects fewer.
func expecting(query string, n int) string {
	return fmt.Sprintf("WITH w AS (%s RETURNING 1) SELECT 1 / (count(*) / %d) FROM w", query, n)
}

// exec runs a write: held back while batching, otherwise sent at once with
// what is pending. It returns the rows affected (0 when held back).
func (p *pipe) exec(ctx context.Context, q *queries, st stmt) (int64, error) {
	if p.failed != nil {
		return 0, p.failed
	}
	if st.expect > 0 {
		st.query = expecting(st.query, st.expect)
	}
	if p.batch && !st.lock && !st.count {
		p.pending = append(p.pending, st)
		return 0, nil
	}
	res, err := p.send(ctx, q, []stmt{st})
	if err != nil {
		return 0, err
	}
	return res[len(res)-1].RowsAffected, nil
}

// flush sends BEGIN, when not sent yet, and the held-back writes, before a
// statement that does not go through the pipeline (a read scanned by bun).
func (p *pipe) flush(ctx context.Context, q *queries) error {
	if p.failed != nil {
		return p.failed
	}
	if p.begun && len(p.pending) == 0 {
		return nil
	}
	_, err := p.send(ctx, q, nil)
	return err
}

// send sends BEGIN (the first time), the held-back writes and stmts in one
// round trip, and returns the results of stmts. The first failing
// statement's error is returned, interpreted; the transaction is then
// aborted and every later use of it fails with that error.
func (p *pipe) send(ctx context.Context, q *queries, stmts []stmt) ([]Result, error) {
	all := make([]stmt, 0, 1+len(p.pending)+len(stmts))
	if !p.begun {
		all = append(all, stmt{query: "BEGIN"})
	}
	all = append(append(all, p.pending...), stmts...)
	p.pending = nil
	p.begun = true
	res, failed, err := p.run(ctx, all)
	if err != nil {
		if failed >= 0 && failed < len(all) {
			err = q.interpret(all[failed], err)
		} else {
			err = q.interpretError(err)
		}
		p.failed = err
		return nil, err
	}
	for i, st := range all {
		if st.commit && !strings.HasPrefix(res[i].Tag, "COMMIT") {
			// A COMMIT of a transaction that failed reports ROLLBACK.
			p.failed = fmt.Errorf("store: the transaction was rolled back (%s)", res[i].Tag)
			return nil, p.failed
		}
	}
	return res[len(all)-len(stmts):], nil
}

// run sends stmts through the Dialect's Pipeline, on the transaction's
// connection, seen by the Store's query hooks as one query.
func (p *pipe) run(ctx context.Context, stmts []stmt) ([]Result, int, error) {
	queries := make([]string, len(stmts))
	for i, st := range stmts {
		queries[i] = st.query
	}
	query := strings.Join(queries, ";\n")
	ctx, done := p.s.hook(ctx, query, queries...)
	var res []Result
	failed := -1
	err := p.conn.Raw(func(dc any) error {
		var err error
		res, failed, err = p.s.d.Pipeline(ctx, dc, queries, func(i int, r Rows) error {
			if read := stmts[i].read; read != nil {
				return read(r)
			}
			return nil
		})
		return err
	})
	done(err)
	return res, failed, err
}

// hook runs the Store's query hooks before query (a pipeline: several
// statements in one round trip) and returns the context to run it with and
// the function that runs them after it.
func (s *Store) hook(ctx context.Context, query string, pipeline ...string) (context.Context, func(error)) {
	if len(s.hooks) == 0 {
		return ctx, func(error) {}
	}
	ev := &bun.QueryEvent{DB: s.db, Query: query, QueryTemplate: query, StartTime: time.Now(), Stash: map[any]any{}}
	if len(pipeline) > 0 {
		ev.Stash[pipelineKey{}] = pipeline // its statements, for the tracing hook
	}
	for _, h := range s.hooks {
		ctx = h.BeforeQuery(ctx, ev)
	}
	return ctx, func(err error) {
		ev.Err = err
		for i := len(s.hooks) - 1; i >= 0; i-- {
			s.hooks[i].AfterQuery(ctx, ev)
		}
	}
}

// commit sends the held-back writes and COMMIT in one round trip; a
// transaction that sent nothing has nothing to commit.
func (p *pipe) commit(ctx context.Context, q *queries) error {
	if p.failed != nil {
		return p.failed
	}
	if !p.begun && len(p.pending) == 0 {
		return nil
	}
	_, err := p.send(ctx, q, []stmt{{query: "COMMIT", commit: true}})
	if err == nil {
		p.begun = false
	}
	return err
}

// rollback ends a transaction that failed (not after a successful commit),
// even when ctx is done. A connection that cannot roll back is discarded.
func (p *pipe) rollback(ctx context.Context) {
	p.pending = nil
	if !p.begun {
		return
	}
	p.begun = false
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, _, err := p.run(ctx, []stmt{{query: "ROLLBACK"}}); err != nil {
		_ = p.conn.Raw(func(any) error { return driver.ErrBadConn }) // database/sql closes it
	}
}

// transactPipelined is Transact on a database with a Pipeline: one
// connection, BEGIN, COMMIT and ROLLBACK sent by the pipe.
func (s *Store) transactPipelined(ctx context.Context, fn func(ctx context.Context, tx orgs.Tx) error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.interpretError(err)
	}
	defer conn.Close()
	p := &pipe{s: s, conn: conn}
	q := s.queries
	q.db, q.inTx, q.p = conn, true, p
	defer func() {
		if r := recover(); r != nil {
			p.rollback(ctx)
			panic(r)
		}
	}()
	if err = fn(ctx, &q); err == nil {
		err = p.commit(ctx, &q)
	}
	if err != nil {
		p.rollback(ctx)
	}
	return err
}

// BatchWrites holds the transaction's writes back until its next read or
// its commit (orgs.WriteBatcher), on Postgres; on SQLite, where a statement
// costs no round trip, writes run at once.
func (q *queries) BatchWrites() {
	if q.p != nil {
		q.p.batch = true
	}
}

// ErrPipelineConn is a Dialect's Pipeline's error when the connection it
// was given is not its driver's.
var ErrPipelineConn = errors.New("store: the connection is not one the dialect's Pipeline can drive")
