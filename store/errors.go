package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tenantkit/orgs"
)

// uniqueConstraints maps each unique index or key to the sentinel a
// violation means. SQLite names the columns (table.column, …), not the index,
// so both are listed.
var uniqueConstraints = []struct {
	index   string // the index or key, as Postgres reports it
	columns string // the columns, as SQLite reports them
	err     error
}{
	{"organizations_slug_key", "organizations.slug", orgs.ErrSlugTaken},
	{"organizations_handle_key", "organizations.handle", orgs.ErrHandleTaken},
	{"organizations_external_id_key", "organizations.external_id", orgs.ErrExternalIDTaken},
	{"members_pkey", "members.organization_id, members.user_id", orgs.ErrAlreadyMember},
	{"categories_name_key", "categories.organization_id, categories.name_key", orgs.ErrNameTaken},
	{"invitations_pending_email_key", "invitations.organization_id, invitations.email", orgs.ErrAlreadyInvited},
	{"organization_domains_org_domain_key", "organization_domains.organization_id, organization_domains.domain", orgs.ErrDomainTaken},
	{"organization_domains_verified_key", "organization_domains.domain", orgs.ErrDomainTaken},
	{"teams_slug_key", "teams.organization_id, teams.slug", orgs.ErrSlugTaken},
	{"team_members_pkey", "team_members.team_id, team_members.user_id", orgs.ErrAlreadyMember},
}

// SQLite extended result codes (modernc.org/sqlite's Error.Code).
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// sqliteError is modernc.org/sqlite's *Error.
type sqliteError interface {
	error
	Code() int
}

// interpretError maps a driver's error to the orgs sentinel it means,
// wrapping both: a unique violation to its constraint's sentinel, a foreign
// key violation (a row referring to a missing one) and sql.ErrNoRows to
// ErrNotFound. Other errors are returned as they are.
func interpretError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", orgs.ErrNotFound, err)
	}
	if s := uniqueViolation(err); s != nil {
		return fmt.Errorf("%w: %w", s, err)
	}
	if isForeignKeyViolation(err) {
		return fmt.Errorf("%w: %w", orgs.ErrNotFound, err)
	}
	return err
}

// uniqueViolation returns the sentinel for err when it is a unique violation
// of a known constraint, else nil.
func uniqueViolation(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Code != "23505" {
			return nil
		}
		for _, c := range uniqueConstraints {
			if c.index == pe.ConstraintName {
				return c.err
			}
		}
		return nil
	}
	var se sqliteError
	if errors.As(err, &se) {
		if se.Code() != sqliteConstraintUnique && se.Code() != sqliteConstraintPrimaryKey {
			return nil
		}
		// "constraint failed: UNIQUE constraint failed: teams.organization_id, teams.slug (2067)"
		_, cols, ok := strings.Cut(se.Error(), "UNIQUE constraint failed: ")
		if !ok {
			return nil
		}
		if i := strings.LastIndex(cols, " ("); i >= 0 {
			cols = cols[:i]
		}
		for _, c := range uniqueConstraints {
			if c.columns == cols {
				return c.err
			}
		}
	}
	return nil
}

// isForeignKeyViolation reports whether err is a foreign key violation.
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se sqliteError
	return errors.As(err, &se) && se.Code() == sqliteConstraintForeignKey
}

// driverError returns the driver's error within err (err when none).
func driverError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	var se sqliteError
	if errors.As(err, &se) {
		return se
	}
	return err
}
