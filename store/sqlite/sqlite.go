// Package sqlite is the embedded orgs.Store: one SQLite file, pure Go
// (modernc.org/sqlite, no cgo on any build), zero set-up.
//
//	st, err := sqlite.Open("orgs.db")
//	if err != nil { … }
//	defer st.Close()
//	if err := st.Migrate(ctx); err != nil { … }
//	svc, err := orgs.New(st)
//
// It shares its queries with package store/postgres (one code path,
// dialect differences written inline); see the package documentation of
// store/postgres for the Postgres side.
//
// # The file
//
// Open uses the DSN that DSN returns: _txlock=immediate, so that every
// transaction takes the write lock at BEGIN and writers are serialized, with
// a busy timeout of 5 s to wait for it; WAL, so that reads go on during a
// write; foreign keys on (cascades need them) and synchronous=NORMAL.
// Serializing all writers is what makes the Service's invariants hold here:
// LockOrganization only checks that the organization exists and LockUser
// does nothing. Several processes on one host may open the same file; a
// network file system is not supported (SQLite's locks need a local one).
// The busy wait does not observe a context's deadline: keep request
// timeouts above 5 s.
//
// # Host transactions
//
// WithTx (a bun.Tx) and WithSQLTx (a *sql.Tx) return a Store bound to a
// transaction the host began on this Store's database; Service.WithStore
// runs calls in it, so that the host's rows and ours commit or roll back
// together (see ExampleStore_WithTx). Each call runs in a savepoint of the
// host's transaction: a refused call leaves nothing and the transaction
// goes on; nothing is committed until the host commits.
//
// Locking: SQLite has one writer at a time. Begin the host's transaction
// on a connection opened with DSN (or Open): _txlock=immediate makes it
// take the write lock at BEGIN. A deferred transaction that reads first
// and then lets a Service call write can fail at once with SQLITE_BUSY
// when another writer got in between, and retrying does not help. While
// the host's transaction is open every other writer waits (up to the busy
// timeout, 5 s): keep it short, and do no network calls inside it. Reads
// go on meanwhile (WAL) and do not see its writes until it commits.
//
// # Migrations
//
// Migrate applies the embedded migrations (migrations/*.sql, versioned like
// store/postgres's) not yet applied, recording them in orgs_migrations.
// Nothing is applied implicitly. Migrate holds a write lock on a sibling
// file, PATH-migrate.lock, meanwhile, so that servers started together on a
// new file migrate one after the other; SQLite releases it when the holder's
// connection closes or its process dies. Calling the Service on a file that
// was not migrated, or not since an upgrade, fails with orgs.ErrNotMigrated.
//
// # Errors and values
//
// Unique violations map to the orgs sentinels (ErrSlugTaken, …) by the
// columns SQLite names; foreign key violations and missing rows to
// ErrNotFound; the driver's *sqlite.Error stays reachable with errors.As.
// The reads of a change and the writes whose arguments are plain values run
// as prepared statements, reused on each connection: parsing a statement
// costs SQLite more than running these.
// Searches ignore ASCII case only (SQLite's LIKE). Times are stored in UTC
// as text that sorts in time order, with microsecond precision.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

// Store is an orgs.Store on a SQLite database. Its methods are safe for
// concurrent use.
type Store struct {
	*sqlstore.Store
}

var _ orgs.Store = (*Store)(nil)

// driverName is the database/sql driver modernc.org/sqlite registers.
const driverName = "sqlite"

// busyTimeout is DSN's busy_timeout.
const busyTimeout = 5 * time.Second

// DSN returns the DSN Open uses for the file at path: immediate write
// transactions (writers are serialized), a 5 s busy timeout, WAL, foreign
// keys on and synchronous=NORMAL. Use it to open a *bun.DB of your own for
// New.
func DSN(path string) string {
	return "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
}

// Open opens (creating it when missing) the SQLite database file at path
// with DSN. The directory must exist. Call Migrate before first use.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if fi, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: directory %s: %w", path, dir, err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("sqlite: open %s: %s is not a directory", path, dir)
		}
	}
	sqldb, err := sql.Open(driverName, DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Keep connections open: each new one re-runs the pragmas.
	sqldb.SetMaxIdleConns(16)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	if err := ping(db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return New(db)
}

// New returns a Store over db, which must have bun's SQLite dialect and a
// connection opened with DSN's options — at least _txlock=immediate, a busy
// timeout and foreign_keys(1): the Store relies on them.
func New(db *bun.DB) (*Store, error) {
	s, err := sqlstore.New(db, Dialect())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return &Store{s}, nil
}

// Migrate applies the migrations not yet applied (see the package
// documentation).
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.Store.Migrate(ctx); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// DB returns the underlying database.
func (s *Store) DB() *bun.DB { return s.Store.DB() }

// Close closes the database. Every call after Close, Close included, fails
// with an error wrapping orgs.ErrClosed.
func (s *Store) Close() error { return s.Store.Close() }

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the SQLite half of the shared code path (for the test of the
// internal package).
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	return sqlstore.Dialect{Name: dialect.SQLite, Classify: classify, Migrations: sub, LockMigrations: lockMigrations}
}

// classify tells what a modernc.org/sqlite error means.
func classify(err error) sqlstore.DriverError {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlstore.DriverError{Native: err}
	}
	de := sqlstore.DriverError{Native: se}
	msg := se.Error()
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		// "constraint failed: UNIQUE constraint failed: teams.organization_id, teams.slug (2067)"
		if _, cols, ok := strings.Cut(msg, "UNIQUE constraint failed: "); ok {
			if i := strings.LastIndex(cols, " ("); i >= 0 {
				cols = cols[:i]
			}
			de.Unique, de.Constraint = true, cols
		}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		de.ForeignKey = true
	case sqlite3.SQLITE_ERROR:
		de.Schema = strings.Contains(msg, "no such table") || strings.Contains(msg, "no such column") ||
			strings.Contains(msg, "has no column named")
	}
	return de
}

// ping opens the first connection. Setting WAL mode on a new file takes a
// lock that another process opening or migrating the same new file may
// hold, and SQLite reports that at once (SQLITE_BUSY) rather than waiting:
// so busy is retried for as long as the busy timeout would wait.
func ping(db *bun.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := db.Ping()
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// skipMigrationLock is set by a negative-control test only.
var skipMigrationLock bool

// migrateLockWait bounds how long Migrate waits for another process's
// migration.
const migrateLockWait = 2 * time.Minute

// lockMigrations takes the cross-process migration lock: an immediate
// transaction on the sibling file PATH-migrate.lock, held on one connection
// until unlock. SQLite's own file locking makes it exclusive across
// processes, and the operating system drops it when the holder dies. It
// does nothing for a database without a file (in memory: no other process
// can open it).
func lockMigrations(ctx context.Context, db *bun.DB) (unlock func(), err error) {
	if skipMigrationLock {
		return func() {}, nil
	}
	var dbs []struct {
		Seq  int
		Name string
		File string
	}
	if err := db.NewRaw("PRAGMA database_list").Scan(ctx, &dbs); err != nil {
		return nil, err
	}
	file := ""
	for _, d := range dbs {
		if d.Name == "main" {
			file = d.File
		}
	}
	if file == "" {
		return func() {}, nil
	}
	lockDB, err := sql.Open(driverName, "file:"+file+"-migrate.lock?_pragma=busy_timeout(1000)")
	if err != nil {
		return nil, err
	}
	lockDB.SetMaxOpenConns(1)
	conn, err := lockDB.Conn(ctx)
	if err != nil {
		_ = lockDB.Close()
		return nil, err
	}
	release := func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		_ = conn.Close()
		_ = lockDB.Close()
	}
	deadline := time.Now().Add(migrateLockWait)
	for {
		_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil {
			return release, nil
		}
		// Busy: another process migrates. Wait on (busy_timeout does) and
		// try again, until the deadline or ctx ends.
		if ctx.Err() != nil || time.Now().After(deadline) {
			release()
			return nil, fmt.Errorf("another process holds %s-migrate.lock: %w", file, err)
		}
	}
}
