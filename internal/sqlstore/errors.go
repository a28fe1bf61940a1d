package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

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
	{"organization_roles_name_key", "organization_roles.organization_id, organization_roles.name", orgs.ErrNameTaken},
}

// interpretError maps a driver's error to the orgs sentinel it means,
// wrapping both: a unique violation to its constraint's sentinel, a foreign
// key violation (a row referring to a missing one) and sql.ErrNoRows to
// ErrNotFound, a missing table or column to ErrNotMigrated. Other errors are
// returned as they are.
func (q *queries) interpretError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", orgs.ErrNotFound, err)
	}
	de := q.d.Classify(err)
	switch {
	case de.Unique:
		for _, c := range uniqueConstraints {
			if c.index == de.Constraint || c.columns == de.Constraint {
				return fmt.Errorf("%w: %w", c.err, err)
			}
		}
	case de.ForeignKey:
		return fmt.Errorf("%w: %w", orgs.ErrNotFound, err)
	case de.Schema:
		return fmt.Errorf("%w: %w", orgs.ErrNotMigrated, err)
	}
	return err
}
