package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/uptrace/bun/migrate"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration tables, named apart from a host's own bun migrations.
const (
	migrationsTable      = "orgs_migrations"
	migrationsLocksTable = "orgs_migration_locks"
)

// migrations returns the embedded migrations of the store's dialect.
func (s *Store) migrations() (*migrate.Migrations, error) {
	dir := "migrations/sqlite"
	if s.pg {
		dir = "migrations/postgres"
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, err
	}
	return ms, nil
}

// Migrate applies the embedded migrations not yet applied, each in its own
// transaction, recording them in the orgs_migrations table. It holds a lock
// meanwhile, so that application instances starting together migrate one at
// a time and the later ones find the work done: on Postgres an advisory lock
// (per schema); on SQLite a write lock on a sibling file, PATH-migrate.lock,
// that SQLite releases when its holder's connection closes or its process
// dies (nothing to clean up after a crash). An in-memory SQLite database
// takes no lock: no other process can open it.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.ready(); err != nil {
		return err
	}
	ms, err := s.migrations()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if !s.pg && !skipSQLiteMigrationLock {
		unlock, err := s.lockSQLiteMigrations(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer unlock()
	}
	if s.pg {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		defer conn.Close()
		const key = "hashtextextended('orgs:migrate:' || current_schema(), 0)"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")") //nolint:errcheck
	}
	m := migrate.NewMigrator(s.db, ms,
		migrate.WithTableName(migrationsTable),
		migrate.WithLocksTableName(migrationsLocksTable),
		migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// skipSQLiteMigrationLock is set by a negative-control test only.
var skipSQLiteMigrationLock bool

// sqliteMigrateLockWait bounds how long Migrate waits for another process's
// migration on SQLite.
const sqliteMigrateLockWait = 2 * time.Minute

// lockSQLiteMigrations takes the cross-process migration lock of a SQLite
// database: an immediate transaction on the sibling file PATH-migrate.lock,
// held on one connection until unlock. SQLite's own file locking makes it
// exclusive across processes, and the operating system drops it when the
// holder dies. It does nothing for a database without a file.
func (s *Store) lockSQLiteMigrations(ctx context.Context) (unlock func(), err error) {
	var dbs []struct {
		Seq  int
		Name string
		File string
	}
	if err := s.db.NewRaw("PRAGMA database_list").Scan(ctx, &dbs); err != nil {
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
	lockDB, err := sql.Open(sqliteDriver, "file:"+file+"-migrate.lock?_pragma=busy_timeout(1000)")
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
	deadline := time.Now().Add(sqliteMigrateLockWait)
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
