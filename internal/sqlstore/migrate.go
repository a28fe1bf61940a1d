package sqlstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun/migrate"
)

// Migration tables, named apart from a host's own bun migrations.
const (
	migrationsTable      = "orgs_migrations"
	migrationsLocksTable = "orgs_migration_locks"
)

// Migrate applies the dialect's migrations not yet applied, each in its own
// transaction, recording them in the orgs_migrations table, while holding
// the dialect's migration lock, so that application instances starting
// together migrate one at a time and the later ones find the work done.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.ready(); err != nil {
		return err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(s.d.Migrations); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if s.d.LockMigrations != nil {
		unlock, err := s.d.LockMigrations(ctx, s.db)
		if err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer unlock()
	}
	m := migrate.NewMigrator(s.db, ms,
		migrate.WithTableName(migrationsTable),
		migrate.WithLocksTableName(migrationsLocksTable),
		migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
