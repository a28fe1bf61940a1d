// Package bench measures the orgs Service against a floor: the same logical
// work written as hand-tuned SQL, in one transaction for writes, through the
// same *bun.DB. It holds the operations, their set-up and their floors, shared
// by the orgsbench command (cmd/orgsbench), the Go benchmarks of this
// package (go test -bench . ./internal/bench/) and the query-count tests.
// It is internal: a measuring harness of this module, not an API for hosts
// (its fixtures write straight into the schema, its floor is raw SQL).
//
// Statements are counted with a query hook (Counter) on the Store, which
// sees every query bun runs — BEGIN, COMMIT and ROLLBACK included — and
// every pipeline the Postgres store sends (several statements in one query
// string: "BEGIN; SELECT …; SELECT …"), counted as several statements. The
// floor reports its own pipelines to the Counter. Round trips are counted
// on the wire on Postgres — the client's writes that follow a read, on
// every connection of the Env's pool — and on SQLite, where a statement
// is a call into the library and no round trip, as the queries the hook
// sees.
package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also the "pgx" database/sql driver, for the schema
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Env is a migrated store and the Services measured over it.
type Env struct {
	Backend string // "sqlite" or "postgres"
	PG      bool
	Where   string // the SQLite file, or the Postgres schema
	Store   *sqlstore.Store
	DB      *bun.DB
	Counter *Counter
	Svc     *orgs.Service // the default seed (SeedWWW)
	NoSeed  *orgs.Service // orgs.WithSeed(orgs.SeedNone)

	seq      atomic.Int64
	mu       sync.Mutex
	fixtures map[string]any
	closers  []func() error
}

// IsPostgres reports whether dsn names a Postgres database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens a fresh, migrated store: for a postgres:// URL in a new schema
// of that database (dropped by Close unless keep), otherwise on the SQLite
// file at dsn (a new file in a temporary directory, removed by Close, when
// dsn is ""). Postgres pools keep as many idle connections as open ones.
func Open(ctx context.Context, dsn string, keep bool) (*Env, error) {
	e := &Env{fixtures: map[string]any{}, Counter: &Counter{}}
	var err error
	if IsPostgres(dsn) {
		err = e.openPostgres(ctx, dsn, keep)
	} else {
		err = e.openSQLite(dsn, keep)
	}
	if err != nil {
		_ = e.Close()
		return nil, err
	}
	e.Store = e.Store.WithQueryHook(e.Counter)
	e.DB = e.Store.DB()
	if err := e.Store.Migrate(ctx); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("bench: migrate: %w", err)
	}
	if e.Svc, err = orgs.New(e.Store); err != nil {
		return nil, err
	}
	if e.NoSeed, err = orgs.New(e.Store, orgs.WithSeed(orgs.SeedNone)); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Env) openSQLite(path string, keep bool) error {
	e.Backend = "sqlite"
	if path == "" {
		dir, err := os.MkdirTemp("", "orgsbench-")
		if err != nil {
			return err
		}
		e.closers = append(e.closers, func() error { return os.RemoveAll(dir) })
		path = filepath.Join(dir, "orgsbench.db")
	} else if !keep {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if _, err := os.Stat(path + suffix); err == nil {
				return fmt.Errorf("bench: %s exists: give a new file (the benchmark fills it)", path+suffix)
			}
		}
		e.closers = append(e.closers, func() error {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
			return nil
		})
	}
	e.Where = path
	st, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	e.Store = st.Store
	e.closers = append(e.closers, st.Close)
	return nil
}

func (e *Env) openPostgres(ctx context.Context, dsn string, keep bool) error {
	e.Backend, e.PG = "postgres", true
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	e.closers = append(e.closers, admin.Close)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "orgsbench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return fmt.Errorf("bench: create schema: %w", err)
	}
	if !keep {
		e.closers = append(e.closers, func() error {
			_, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			return err
		})
	}
	e.Where = schema
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	// The pool postgres.Open makes (pgx, simple protocol), with connections
	// that count round trips.
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	dial := cfg.DialFunc
	e.Counter.wire = true
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		w := &wireConn{Conn: c, c: e.Counter}
		w.read.Store(true)
		return w, nil
	}
	pst, err := postgres.New(bun.NewDB(stdlib.OpenDB(*cfg), pgdialect.New()))
	if err != nil {
		return err
	}
	st := pst.Store
	n := max(4, 2*runtime.GOMAXPROCS(0))
	st.DB().SetMaxOpenConns(n)
	st.DB().SetMaxIdleConns(n) // the default (2) churns connections
	e.Store = st
	e.closers = append(e.closers, st.Close)
	return nil
}

// Close closes the store and removes what Open created, in reverse order.
func (e *Env) Close() error {
	var first error
	for i := len(e.closers) - 1; i >= 0; i-- {
		if err := e.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	e.closers = nil
	return first
}

// next returns a number unique within the Env, for names.
func (e *Env) next() int64 { return e.seq.Add(1) }

// fixture returns the fixture named name, building it once.
func fixture[T any](e *Env, name string, build func() (T, error)) (T, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.fixtures[name]; ok {
		return v.(T), nil
	}
	v, err := build()
	if err != nil {
		var zero T
		return zero, err
	}
	e.fixtures[name] = v
	return v, nil
}

// Counter is a query hook counting statements and round trips.
type Counter struct {
	statements atomic.Int64
	queries    atomic.Int64 // seen by the hook (a pipeline is one)
	wire       bool         // round trips are counted on the wire (Postgres)
	wireTrips  atomic.Int64
	mu         sync.Mutex
	log        []string // when recording
	recording  atomic.Bool
}

// wireConn is a connection that counts round trips: a write that follows a
// read (or is the first) starts one.
type wireConn struct {
	net.Conn
	c    *Counter
	read atomic.Bool
}

func (w *wireConn) Write(b []byte) (int, error) {
	if w.read.Swap(false) {
		w.c.wireTrips.Add(1)
	}
	return w.Conn.Write(b)
}

func (w *wireConn) Read(b []byte) (int, error) {
	n, err := w.Conn.Read(b)
	if n > 0 {
		w.read.Store(true)
	}
	return n, err
}

// BeforeQuery does nothing.
func (c *Counter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery counts the query, unless it was not sent: bun reports a
// Rollback after Commit (a deferred Rollback) as "ROLLBACK" failing with
// sql.ErrTxDone.
func (c *Counter) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	if errors.Is(ev.Err, sql.ErrTxDone) {
		return
	}
	c.observe(ev.Query)
}

// observe counts query, one query string sent to the database.
func (c *Counter) observe(query string) {
	c.queries.Add(1)
	c.statements.Add(int64(CountStatements(query)))
	if c.recording.Load() {
		c.mu.Lock()
		if c.recording.Load() {
			c.log = append(c.log, query)
		}
		c.mu.Unlock()
	}
}

// Reset zeroes the counts and starts recording queries when record is set
// (stopping otherwise).
func (c *Counter) Reset(record bool) {
	c.mu.Lock()
	c.statements.Store(0)
	c.queries.Store(0)
	c.wireTrips.Store(0)
	c.log = nil
	c.recording.Store(record)
	c.mu.Unlock()
}

// Counts returns the statements and round trips since Reset: on the wire
// on Postgres, the queries the hook saw on SQLite.
func (c *Counter) Counts() (statements, roundTrips int64) {
	if c.wire {
		return c.statements.Load(), c.wireTrips.Load()
	}
	return c.statements.Load(), c.queries.Load()
}

// Queries returns the queries the hook saw since Reset (a pipeline of
// several statements is one): the round trips as the client counts them.
func (c *Counter) Queries() int64 { return c.queries.Load() }

// Log returns the queries recorded since Reset(true).
func (c *Counter) Log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

// CountStatements counts the SQL statements in q: the semicolons outside
// quotes and comments, plus one for a last statement without one.
func CountStatements(q string) int {
	n, pending := 0, false
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case '\'', '"', '`':
			pending = true
			for i++; i < len(q) && q[i] != c; i++ {
			}
		case '-':
			if i+1 < len(q) && q[i+1] == '-' {
				for i < len(q) && q[i] != '\n' {
					i++
				}
			} else {
				pending = true
			}
		case ';':
			if pending {
				n++
			}
			pending = false
		case ' ', '\t', '\n', '\r':
		default:
			pending = true
		}
	}
	if pending {
		n++
	}
	return n
}
