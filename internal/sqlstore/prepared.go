package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// On SQLite a statement costs no round trip, but preparing one — parsing
// and compiling its text — costs more than running it for the reads of a
// change: the organization with its many columns and its domains' subquery
// took two thirds of UpdateMemberRole's time (pprof). The store formats
// values into the SQL text (bun), so no two statements' texts are the same
// and nothing could be reused; the hot reads of LockAndRead are therefore
// written with placeholders and prepared once per connection (database/sql
// keeps a Stmt's prepared statement per connection, and Tx.StmtContext
// reuses it). The hooks still see the statement, values formatted in.

// stmtOf is the statement of query with args: formatted (bun), and on
// SQLite, when it has arguments and each is a plain value, with its
// template for a prepared statement. A prepared statement is formatted only for the hooks,
// when there are some.
func (q *queries) stmtOf(query string, args []any) stmt {
	// A query without arguments was formatted already (bun's builders):
	// its text is its values, no template to reuse.
	if q.pg || len(args) == 0 || !preparable(args) {
		return stmt{query: q.gen.FormatQuery(query, args...)}
	}
	st := stmt{tmpl: query, args: args}
	if len(q.st.hooks) > 0 {
		st.query = q.gen.FormatQuery(query, args...)
	}
	return st
}

// preparable reports whether args are values a driver binds as bun would
// format them: not bun's SQL fragments (Safe, Ident, List, …).
func preparable(args []any) bool {
	for _, a := range args {
		switch a.(type) {
		case nil, string, []byte, int, int64, bool, time.Time,
			orgs.Role, orgs.TeamRole, orgs.InvitationStatus, orgs.Visibility, orgs.EventType:
		default:
			return false
		}
	}
	return true
}

// execPrepared runs st, a write with a template, as a prepared statement,
// seen by the Store's hooks.
func (q *queries) execPrepared(ctx context.Context, st stmt) (int64, error) {
	ps, ok, err := q.st.prepared.get(ctx, q.st.db.DB, st.tmpl)
	if err != nil {
		return 0, q.interpret(st, err)
	}
	if !ok {
		st.query, st.tmpl = q.gen.FormatQuery(st.tmpl, st.args...), ""
		return q.execStmt(ctx, st)
	}
	ctx, done := q.st.hook(ctx, st.query)
	res, err := q.txStmt(ctx, ps).ExecContext(ctx, driverArgs(st.args)...)
	done(err)
	if err != nil {
		return 0, q.interpret(st, err)
	}
	n, err := res.RowsAffected()
	if err == nil && n < int64(st.expect) {
		err = orgs.ErrNotFound
	}
	return n, err
}

// driverArgs converts args for the driver as bun formats them on SQLite:
// times as text in bun's layout (they are compared as text), bool as 1 or 0.
func driverArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			a = v.UTC().Format(sqliteTime)
		case orgs.Role:
			a = string(v)
		case orgs.TeamRole:
			a = string(v)
		case orgs.InvitationStatus:
			a = string(v)
		case orgs.Visibility:
			a = string(v)
		case orgs.EventType:
			a = string(v)
		}
		out[i] = a
	}
	return out
}

// stmtCache holds prepared statements by query text, at most
// maxPrepared of them.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxPrepared = 256

// get returns the prepared statement of query on db, preparing it the
// first time; ok is false when the cache is full (run it unprepared).
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (stmt *sql.Stmt, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s, true, nil
	}
	if len(c.m) >= maxPrepared {
		return nil, false, nil
	}
	s, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = s
	return s, true, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		_ = s.Close()
	}
	c.m = nil
}

// queryPrepared runs st, a read with a template, as a prepared statement
// in q's transaction (or on the database), seen by the Store's hooks.
func (q *queries) queryPrepared(ctx context.Context, st stmt) (*sql.Rows, error) {
	ps, ok, err := q.st.prepared.get(ctx, q.st.db.DB, st.tmpl)
	if err != nil {
		return nil, err
	}
	if !ok {
		return q.db.QueryContext(ctx, q.gen.FormatQuery(st.tmpl, st.args...))
	}
	args := driverArgs(st.args)
	ctx, done := q.st.hook(ctx, st.query)
	rows, err := q.txStmt(ctx, ps).QueryContext(ctx, args...)
	done(err)
	return rows, err
}

// txStmt returns ps to run in q's transaction: the Store's own (a bun.Tx),
// the host's (WithTx, WithSQLTx), or none (ps itself, on the database).
// A prepared statement run on the database inside a transaction would run
// on another connection — outside it, and on SQLite waiting for its lock.
func (q *queries) txStmt(ctx context.Context, ps *sql.Stmt) *sql.Stmt {
	switch db := q.db.(type) {
	case bun.Tx:
		return db.Tx.StmtContext(ctx, ps)
	case *sqlTxDB:
		return db.tx.StmtContext(ctx, ps)
	}
	return ps
}

// sqliteTime is how bun writes a time on SQLite.
const sqliteTime = "2006-01-02 15:04:05.999999-07:00"
