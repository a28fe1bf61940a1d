package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

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
// transaction, recording them in the orgs_migrations table. On Postgres it
// holds an advisory lock (per schema) meanwhile, so that application
// instances starting together migrate one at a time.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.ready(); err != nil {
		return err
	}
	ms, err := s.migrations()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
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
