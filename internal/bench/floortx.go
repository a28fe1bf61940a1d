package bench

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// ftx is one write transaction of the floor. On Postgres its statements go
// in as few round trips as the work allows: BEGIN with the first
// statements, the statements of one step together, COMMIT with the last —
// one simple-protocol query string each, on one connection. On SQLite,
// where a statement is no round trip, they run one at a time in an
// immediate transaction.
type ftx struct {
	f     *Floor
	conn  bun.Conn // Postgres
	tx    bun.Tx   // SQLite
	begun bool
	done  bool
}

// fstmt is one statement of a round, and how to read its rows.
type fstmt struct {
	query string
	rows  func(r rowScanner) error
}

// rowScanner is the rows of one statement: *sql.Rows or pgx.Rows.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// q formats query with args, as bun does.
func (f *Floor) q(query string, args ...any) string {
	return f.e.DB.QueryGen().FormatQuery(query, args...)
}

// begin starts a write transaction.
func (f *Floor) begin(ctx context.Context) (*ftx, error) {
	t := &ftx{f: f}
	var err error
	if f.e.PG {
		t.conn, err = f.e.DB.Conn(ctx)
	} else {
		t.tx, err = f.e.DB.BeginTx(ctx, nil)
	}
	return t, err
}

// round sends stmts: on Postgres in one round trip, with BEGIN the first
// time (and COMMIT last when commit).
func (t *ftx) round(ctx context.Context, commit bool, stmts ...fstmt) error {
	if !t.f.e.PG {
		for _, st := range stmts {
			if err := t.sqliteStmt(ctx, st); err != nil {
				return err
			}
		}
		if commit {
			t.done = true
			return t.tx.Commit()
		}
		return nil
	}
	var all []fstmt
	if !t.begun {
		all = append(all, fstmt{query: "BEGIN"})
	}
	all = append(all, stmts...)
	if commit {
		all = append(all, fstmt{query: "COMMIT"})
	}
	t.begun = true
	err := pipeline(ctx, t.f.e, t.conn, all)
	if err == nil && commit {
		t.done = true
		_ = t.conn.Close()
	}
	return err
}

func (t *ftx) sqliteStmt(ctx context.Context, st fstmt) error {
	if st.rows == nil {
		_, err := t.tx.ExecContext(ctx, st.query)
		return err
	}
	rows, err := t.tx.QueryContext(ctx, st.query)
	if err != nil {
		return err
	}
	err = st.rows(rows)
	if cerr := closeRows(rows); err == nil {
		err = cerr
	}
	return err
}

// end rolls back a transaction that did not commit.
func (t *ftx) end() {
	if t.done {
		return
	}
	if !t.f.e.PG {
		_ = t.tx.Rollback()
		return
	}
	if t.begun {
		if err := pipeline(context.Background(), t.f.e, t.conn, []fstmt{{query: "ROLLBACK"}}); err != nil {
			_ = t.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}
	_ = t.conn.Close()
}

// pipeline sends stmts as one query string on conn and reads each
// statement's result, counted by e's Counter.
func pipeline(ctx context.Context, e *Env, conn bun.Conn, stmts []fstmt) error {
	queries := make([]string, len(stmts))
	for i, st := range stmts {
		queries[i] = st.query
	}
	query := strings.Join(queries, ";\n")
	e.Counter.observe(query)
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("bench: not a pgx connection: %T", dc)
		}
		mrr := c.Conn().PgConn().Exec(ctx, query)
		var first error
		for i := 0; mrr.NextResult(); i++ {
			rr := mrr.ResultReader()
			if i < len(stmts) && stmts[i].rows != nil && first == nil {
				r := pgx.RowsFromResultReader(c.Conn().TypeMap(), rr)
				err := stmts[i].rows(r)
				r.Close()
				if err == nil {
					err = r.Err()
				}
				first = err
			}
			if _, err := rr.Close(); err != nil && first == nil {
				first = err
			}
		}
		if err := mrr.Close(); err != nil && first == nil {
			first = err
		}
		return first
	})
}

// one scans the single row of a statement into dest; no row is errFloor.
func one(dest ...any) func(r rowScanner) error {
	return func(r rowScanner) error {
		if !r.Next() {
			if err := r.Err(); err != nil {
				return err
			}
			return fmt.Errorf("%w: no row", errFloor)
		}
		return r.Scan(dest...)
	}
}

// ts scans a time column as either driver returns it.
type ts struct{ t *time.Time }

func (s ts) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*s.t = x.UTC()
	case string:
		for _, l := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
			if t, err := time.Parse(l, x); err == nil {
				*s.t = t.UTC()
				return nil
			}
		}
		return fmt.Errorf("bench: time %q", x)
	case nil:
		*s.t = time.Time{}
	default:
		return errors.New("bench: not a time")
	}
	return nil
}
