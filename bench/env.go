// Package bench measures the orgs Service against a floor: the same logical
// work written as hand-tuned SQL, in one transaction for writes, through the
// same *bun.DB. It holds the operations, their set-up and their floors, shared
// by the orgsbench command (cmd/orgsbench), the Go benchmarks of this
// package (go test -bench . ./bench/) and the query-count tests.
//
// Statements are counted with a bun query hook (Counter) on the Store's
// *bun.DB. bun reports BEGIN, COMMIT and ROLLBACK to its hooks, so they are
// counted; a query string holding several statements ("SAVEPOINT x;
// INSERT …" sent in one round trip) counts as several statements and one
// round trip.
package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the schema
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/uptrace/bun"
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
	e := &Env{fixtures: map[string]any{}}
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
	e.Counter = &Counter{}
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
	pst, err := postgres.Open(u.String())
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

// Counter is a bun query hook counting statements and round trips.
type Counter struct {
	statements atomic.Int64
	roundTrips atomic.Int64
	mu         sync.Mutex
	log        []string // when recording
	recording  atomic.Bool
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
	c.roundTrips.Add(1)
	c.statements.Add(int64(CountStatements(ev.Query)))
	if c.recording.Load() {
		c.mu.Lock()
		if c.recording.Load() {
			c.log = append(c.log, ev.Query)
		}
		c.mu.Unlock()
	}
}

// Reset zeroes the counts and starts recording queries when record is set
// (stopping otherwise).
func (c *Counter) Reset(record bool) {
	c.mu.Lock()
	c.statements.Store(0)
	c.roundTrips.Store(0)
	c.log = nil
	c.recording.Store(record)
	c.mu.Unlock()
}

// Counts returns the statements and round trips since Reset.
func (c *Counter) Counts() (statements, roundTrips int64) {
	return c.statements.Load(), c.roundTrips.Load()
}

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
