// Package dbflag opens the store a command's -db flag names: a SQLite file
// path, or a postgres:// (or postgresql://) URL. The commands under cmd/
// share it.
package dbflag

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/store/sqlite"
)

// Usage describes the flag's value, for flag help texts.
const Usage = "SQLite file path, or a postgres:// URL"

// IsPostgres reports whether db is a Postgres URL.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open opens the store db names and, when migrate is set, applies its
// migrations. It returns the store and a description for logs ("SQLite
// orgs.db" or "PostgreSQL").
func Open(ctx context.Context, db string, migrate bool) (*sqlstore.Store, string, error) {
	var st *sqlstore.Store
	desc := "SQLite " + db
	if IsPostgres(db) {
		desc = "PostgreSQL"
		s, err := postgres.Open(db)
		if err != nil {
			return nil, "", err
		}
		st = s.Store
	} else {
		s, err := sqlite.Open(db)
		if err != nil {
			return nil, "", err
		}
		st = s.Store
	}
	if migrate {
		if err := st.Migrate(ctx); err != nil {
			_ = st.Close()
			return nil, "", fmt.Errorf("migrate: %w", err)
		}
	}
	return st, desc, nil
}
