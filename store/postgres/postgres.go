// Package postgres is the production orgs.Store: PostgreSQL through pgx's
// database/sql driver (which verifies TLS certificates) and bun.
//
//	st, err := postgres.Open("postgres://app@db.internal/app?sslmode=verify-full")
//	if err != nil { … }
//	defer st.Close()
//	if err := st.Migrate(ctx); err != nil { … } // once per deploy
//	svc, err := orgs.New(st)
//
// It shares its queries with package store/sqlite (one code path, dialect
// differences written inline); a program that imports only this package
// does not link SQLite.
//
// # Many instances, one database
//
// Any number of application instances may share the database: the
// Service's invariants (the last owner, limits, single-use invitations)
// are checked with the organization's row locked. Transactions run at READ
// COMMITTED; LockOrganization takes SELECT … FOR NO KEY UPDATE on the
// organization's row (which still lets other transactions insert rows that
// refer to it), and LockUser a transaction-scoped advisory lock
// (pg_advisory_xact_lock) on the user ID. The capabilities
// orgs.OrganizationLocker and orgs.LockReader lock and then read, in
// statements after the locking one: one statement cannot, because at READ
// COMMITTED a statement that waited for a lock still reads other tables as
// they were when it started. Transact reruns a transaction Postgres aborted
// to break a deadlock (40P01) or a serialization conflict (40001), up to
// four attempts.
//
// # Round trips
//
// A transaction is pipelined: it holds one connection, and sends its
// statements as few simple-protocol query strings as the Service's protocol
// allows — BEGIN with the first ones; the lock and every read a change
// needs together (orgs.LockReader); the writes held back (orgs.WriteBatcher)
// and sent with COMMIT. A change of one organization is two round trips, a
// new organization one. A held-back write that must affect a row is sent as
// WITH w AS (… RETURNING 1) SELECT 1 / count(*) FROM w, so that finding no
// row fails on the server, before the COMMIT behind it. A cancelled context
// may leave a transaction whose COMMIT the server received finishing after
// the call returned an error: as with any database, the client cannot know.
// Query hooks added with Store.WithQueryHook see each round trip as one
// query of several statements; hooks on a *bun.DB passed to New see the
// statements bun runs, not the pipelines.
//
// # Host transactions
//
// WithTx (a bun.Tx) and WithSQLTx (a *sql.Tx, as pgx's stdlib driver
// gives) return a Store bound to a transaction the host began on this
// Store's database; Service.WithStore runs calls in it, so that the host's
// rows and ours commit or roll back together, events included. Each call
// runs in a savepoint: a refused call (a taken slug is a unique violation,
// which would otherwise abort the whole transaction) is rolled back to it,
// and the host's transaction stays usable. Nothing is committed until the
// host commits.
//
// Locking: the locks a call takes — the organization's row (FOR NO KEY
// UPDATE), the user's advisory lock of a per-user limit, the row locks of
// its writes — are held until the host's transaction ends, not until the
// call returns: every other change of that organization, from any
// instance, waits for the host's commit or rollback. Keep host
// transactions short, and take locks in one order (the host's rows, then
// ours, say); Postgres breaks a deadlock by aborting one transaction
// (40P01), which inside a host's transaction is returned, not retried:
// retry the whole transaction. Run at READ COMMITTED (the default), as
// Transact does: the Service re-reads what it checks after locking.
// # The event log
//
// Durable consumers (orgs.EventLog) read events in commit order. Each event
// records its transaction's ID (pg_current_xact_id()) and a sequence
// number; a reader takes them in that order, and only those whose
// transaction is older than every transaction of this database still
// running. (Event IDs are ULIDs made in Go before the commit, and sequence
// numbers are drawn inside the transaction: ordered by either, a reader
// would pass an event whose transaction commits after a later one's and
// never see it.) So a write transaction left open in the database — idle
// in transaction — holds readers back until it ends: set
// idle_in_transaction_session_timeout. Transactions of other databases on
// the server do not.
//
// # Connections
//
// Open keeps as many connections idle as it may open (max(4,
// 2×GOMAXPROCS)): a pool that closes idle connections reconnects on every
// burst. Statements use pgx's simple protocol: bun formats arguments into
// the SQL text, so each statement runs in one round trip with nothing to
// prepare. Change the pool with DB().SetMaxOpenConns and SetMaxIdleConns.
//
// # Migrations
//
// Migrate applies the embedded migrations (migrations/*.sql, versioned like
// store/sqlite's) not yet applied, each in a transaction, recording them in
// orgs_migrations, while it holds an advisory lock per schema, so that
// instances starting together migrate one at a time. The tables live in the
// connection's current schema (search_path). Calling the Service before
// Migrate fails with orgs.ErrNotMigrated.
//
// # Errors and values
//
// Every unique constraint is a named index, and a violation maps to its
// sentinel (organizations_slug_key → orgs.ErrSlugTaken, …); a foreign key
// violation to ErrNotFound; the driver's *pgconn.PgError stays reachable
// with errors.As. A unique violation aborts the transaction (25P02 on the
// next statement): the Service returns at once after any failed write.
// Searches lower-case ASCII letters with translate() and use LIKE, not
// ILIKE, whose Unicode folding would let a look-alike letter match an ASCII
// one.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

// Store is an orgs.Store on a PostgreSQL database. Its methods are safe for
// concurrent use.
type Store struct {
	*sqlstore.Store
}

var _ orgs.Store = (*Store)(nil)

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value DSN, as pgx accepts). Call Migrate before first use.
func Open(url string) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	sqldb := stdlib.OpenDB(*cfg)
	n := max(4, 2*runtime.GOMAXPROCS(0))
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	db := bun.NewDB(sqldb, pgdialect.New())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: open %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, err)
	}
	return New(db)
}

// New returns a Store over db, which must have bun's pgdialect and pgx's
// database/sql driver (github.com/jackc/pgx/v5/stdlib): the Store maps its
// errors and sends its pipelines on pgx connections.
func New(db *bun.DB) (*Store, error) {
	s, err := sqlstore.New(db, Dialect())
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{s}, nil
}

// Migrate applies the migrations not yet applied (see the package
// documentation).
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.Store.Migrate(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// DB returns the underlying database.
func (s *Store) DB() *bun.DB { return s.Store.DB() }

// Close closes the connection pool. Every call after Close, Close
// included, fails with an error wrapping orgs.ErrClosed.
func (s *Store) Close() error { return s.Store.Close() }

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the Postgres half of the shared code path (for the test of the
// internal package).
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	return sqlstore.Dialect{Name: dialect.PG, Classify: classify, Migrations: sub, LockMigrations: lockMigrations,
		Pipeline: pipeline}
}

// classify tells what a pgx error means, by SQLSTATE.
func classify(err error) sqlstore.DriverError {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlstore.DriverError{Native: err}
	}
	de := sqlstore.DriverError{Native: pe, Code: pe.Code}
	switch pe.Code {
	case "23505": // unique_violation
		de.Unique, de.Constraint = true, pe.ConstraintName
	case "23503": // foreign_key_violation
		de.ForeignKey = true
	case "40P01", "40001": // deadlock_detected, serialization_failure
		de.Retry = true
	case "42P01", "42703": // undefined_table, undefined_column
		de.Schema = true
	}
	return de
}

// lockMigrations holds a session advisory lock, per schema, on one
// connection until unlock.
func lockMigrations(ctx context.Context, db *bun.DB) (unlock func(), err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	const key = "hashtextextended('orgs:migrate:' || current_schema(), 0)"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")")
		_ = conn.Close()
	}, nil
}
