package sqlstore

import (
	"context"
	"strings"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

var (
	_ orgs.OrganizationRoleStore = (*queries)(nil)
	_ orgs.AccessReader          = (*queries)(nil)
)

// roleRow is an organization's role as stored: permissions space-separated.
type roleRow struct {
	ID             string
	OrganizationID string
	Name           string
	Rank           int
	Permissions    string
	CreatedAt      bun.NullTime
	UpdatedAt      bun.NullTime
}

func (r *roleRow) role() orgs.OrganizationRole {
	out := orgs.OrganizationRole{ID: r.ID, OrganizationID: r.OrganizationID, Name: orgs.Role(r.Name), Rank: r.Rank,
		Permissions: []orgs.Permission{}, CreatedAt: r.CreatedAt.Time.UTC(), UpdatedAt: r.UpdatedAt.Time.UTC()}
	for _, p := range strings.Fields(r.Permissions) {
		out.Permissions = append(out.Permissions, orgs.Permission(p))
	}
	return out
}

func joinPermissions(ps []orgs.Permission) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, " ")
}

// ListOrganizationRoles returns the organization's roles by name.
func (q *queries) ListOrganizationRoles(ctx context.Context, orgID string) ([]orgs.OrganizationRole, error) {
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	var rows []roleRow
	err := q.db.NewRaw(`SELECT id, organization_id, name, rank, permissions, created_at, updated_at
		FROM organization_roles WHERE organization_id = ? ORDER BY name`, orgID).Scan(ctx, &rows)
	if err != nil {
		return nil, q.interpretError(err)
	}
	out := make([]orgs.OrganizationRole, len(rows))
	for i := range rows {
		out[i] = rows[i].role()
	}
	return out, nil
}

// InsertOrganizationRole inserts a role; organization_roles_name_key
// refuses a second of the same name with ErrNameTaken.
func (q *queries) InsertOrganizationRole(ctx context.Context, r *orgs.OrganizationRole) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `INSERT INTO organization_roles (id, organization_id, name, rank, permissions, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.OrganizationID, r.Name, r.Rank, joinPermissions(r.Permissions), r.CreatedAt, r.UpdatedAt)
		return err
	})
}

// UpdateOrganizationRole writes the role and, when it is renamed, renames
// it on the organization's members and pending invitations: the role's own
// row first, so that a name conflict fails before anything else is written.
func (q *queries) UpdateOrganizationRole(ctx context.Context, r *orgs.OrganizationRole, from orgs.Role) error {
	return q.write(ctx, func(w *queries) error {
		err := w.execOne(ctx, `UPDATE organization_roles SET name = ?, rank = ?, permissions = ?, updated_at = ?
			WHERE id = ? AND organization_id = ?`, r.Name, r.Rank, joinPermissions(r.Permissions), r.UpdatedAt, r.ID, r.OrganizationID)
		if err != nil || r.Name == from {
			return err
		}
		return w.reassign(ctx, r.OrganizationID, from, r.Name)
	})
}

// reassign gives the organization's members and pending invitations
// holding role from role to.
func (q *queries) reassign(ctx context.Context, orgID string, from, to orgs.Role) error {
	if _, err := q.exec(ctx, "UPDATE members SET role = ? WHERE organization_id = ? AND role = ?", to, orgID, from); err != nil {
		return err
	}
	_, err := q.exec(ctx, "UPDATE invitations SET role = ? WHERE organization_id = ? AND status = ? AND role = ?",
		to, orgID, orgs.InvitationPending, from)
	return err
}

// DeleteOrganizationRole reassigns the role's holders when asked, then
// deletes it.
func (q *queries) DeleteOrganizationRole(ctx context.Context, orgID, id string, reassignTo orgs.Role) error {
	return q.write(ctx, func(w *queries) error {
		if reassignTo != "" {
			var name string
			if err := w.get(ctx, &name, "SELECT name FROM organization_roles WHERE id = ? AND organization_id = ?", id, orgID); err != nil {
				return err
			}
			if err := w.reassign(ctx, orgID, orgs.Role(name), reassignTo); err != nil {
				return err
			}
		}
		return w.execOne(ctx, "DELETE FROM organization_roles WHERE id = ? AND organization_id = ?", id, orgID)
	})
}

// CountRoleHolders counts members and pending invitations holding role, in
// one statement.
func (q *queries) CountRoleHolders(ctx context.Context, orgID string, role orgs.Role) (int, error) {
	return q.count(ctx, `SELECT (SELECT count(*) FROM members WHERE organization_id = ? AND role = ?)
		+ (SELECT count(*) FROM invitations WHERE organization_id = ? AND status = ? AND role = ?)`,
		orgID, role, orgID, orgs.InvitationPending, role)
}

// GetAccess reads, in one statement, the organization, the user's role in
// it and the organization's definition of that role (orgs.AccessReader).
func (q *queries) GetAccess(ctx context.Context, key orgs.OrganizationKey, userID string) (*orgs.Access, error) {
	col, val, err := orgKeyColumn(key)
	if err != nil {
		return nil, err
	}
	var row struct {
		ID          string
		Slug        string
		Visibility  string
		Role        string
		Inactive    bool
		RoleID      *string
		RoleName    *string
		RoleRank    *int
		Permissions *string
	}
	err = q.get(ctx, &row, `SELECT o.id, o.slug, o.visibility, COALESCE(m.role, '') AS role,
		COALESCE(m.status, '') = 'inactive' AS inactive,
		r.id AS role_id, r.name AS role_name, r.rank AS role_rank, r.permissions
		FROM organizations AS o
		LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ?
		LEFT JOIN organization_roles AS r ON r.organization_id = o.id AND r.name = m.role
		WHERE ? = ?`, userID, bun.Safe(col), val)
	if err != nil {
		return nil, err
	}
	a := &orgs.Access{OrganizationID: row.ID, OrganizationSlug: row.Slug, Visibility: orgs.Visibility(row.Visibility),
		Role: orgs.Role(row.Role), Inactive: row.Inactive}
	if row.RoleID != nil {
		rr := roleRow{ID: *row.RoleID, OrganizationID: row.ID, Name: *row.RoleName, Rank: *row.RoleRank, Permissions: *row.Permissions}
		r := rr.role() // its times are not read: Authorize needs none
		a.OrganizationRole = &r
	}
	return a, nil
}
