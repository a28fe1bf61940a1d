package sqlstore

import (
	"context"

	"github.com/tenantkit/orgs"
)

// InsertTeam inserts a team (with no members) and counts it.
func (q *queries) InsertTeam(ctx context.Context, t *orgs.Team) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `INSERT INTO teams (id, organization_id, name, slug, description, color,
			member_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
			t.ID, t.OrganizationID, t.Name, t.Slug, t.Description, t.Color, t.CreatedAt, t.UpdatedAt)
		if err != nil {
			return err
		}
		_, err = w.exec(ctx, "UPDATE organizations SET team_count = team_count + 1 WHERE id = ?", t.OrganizationID)
		return err
	})
}

const teamColumns = "id, organization_id, name, slug, description, color, member_count, created_at, updated_at"

// GetTeam returns a team of the organization by slug.
func (q *queries) GetTeam(ctx context.Context, orgID, slug string) (*orgs.Team, error) {
	var t orgs.Team
	err := q.get(ctx, &t, "SELECT "+teamColumns+" FROM teams WHERE organization_id = ? AND slug = ?", orgID, slug)
	if err != nil {
		return nil, err
	}
	utc(&t.CreatedAt, &t.UpdatedAt)
	return &t, nil
}

// ListTeams returns a page of the organization's teams by ID.
func (q *queries) ListTeams(ctx context.Context, f orgs.TeamFilter) ([]orgs.Team, error) {
	sq := q.db.NewSelect().ColumnExpr(teamColumns).TableExpr("teams").Where("organization_id = ?", f.OrganizationID)
	ts, err := list[orgs.Team](ctx, q, sq, "id", f.Range, nil)
	for i := range ts {
		utc(&ts[i].CreatedAt, &ts[i].UpdatedAt)
	}
	return ts, err
}

// UpdateTeam writes a team's name, slug, description, color and UpdatedAt.
func (q *queries) UpdateTeam(ctx context.Context, t *orgs.Team) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, `UPDATE teams SET name = ?, slug = ?, description = ?, color = ?, updated_at = ?
			WHERE id = ? AND organization_id = ?`,
			t.Name, t.Slug, t.Description, t.Color, t.UpdatedAt, t.ID, t.OrganizationID)
	})
}

// DeleteTeam deletes a team and, by cascade, its memberships.
func (q *queries) DeleteTeam(ctx context.Context, orgID, teamID string) error {
	return q.write(ctx, func(w *queries) error {
		if err := w.execOne(ctx, "DELETE FROM teams WHERE id = ? AND organization_id = ?", teamID, orgID); err != nil {
			return err
		}
		_, err := w.exec(ctx, "UPDATE organizations SET team_count = team_count - 1 WHERE id = ?", orgID)
		return err
	})
}

// InsertTeamMember adds a team membership, in the team's organization, and
// counts it. ErrNotFound when the team does not exist, ErrNotMember when the
// user is not a member of its organization (the foreign key to members).
func (q *queries) InsertTeamMember(ctx context.Context, m *orgs.TeamMember) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.execStmt(ctx, stmt{query: w.gen.FormatQuery(`INSERT INTO team_members (team_id, user_id, organization_id, role, joined_at)
			SELECT t.id, ?, t.organization_id, ?, ? FROM teams AS t WHERE t.id = ?`,
			m.UserID, m.Role, m.JoinedAt, m.TeamID), expect: 1, fk: orgs.ErrNotMember})
		if err != nil {
			return err
		}
		_, err = w.exec(ctx, "UPDATE teams SET member_count = member_count + 1 WHERE id = ?", m.TeamID)
		return err
	})
}

// teamMemberColumns selects an orgs.TeamMember from team_members AS m LEFT
// JOIN users AS u.
const teamMemberColumns = "m.team_id, m.user_id, m.role, m.joined_at, u.username, u.email, u.name, u.avatar_url"

// GetTeamMember returns a team membership with the user's profile.
func (q *queries) GetTeamMember(ctx context.Context, teamID, userID string) (*orgs.TeamMember, error) {
	var m orgs.TeamMember
	err := q.get(ctx, &m, "SELECT "+teamMemberColumns+` FROM team_members AS m
		LEFT JOIN users AS u ON u.id = m.user_id WHERE m.team_id = ? AND m.user_id = ?`, teamID, userID)
	if err != nil {
		return nil, err
	}
	utc(&m.JoinedAt)
	return &m, nil
}

// ListTeamMembers returns a page of a team's members with profiles, in one
// keyset query on the primary key (team_id, user_id), profiles joined to the
// page.
func (q *queries) ListTeamMembers(ctx context.Context, f orgs.TeamMemberFilter) ([]orgs.TeamMember, error) {
	page := q.db.NewSelect().ColumnExpr("m.team_id, m.user_id, m.role, m.joined_at").
		TableExpr("team_members AS m").
		Where("m.team_id = ?", f.TeamID)
	ms, err := list[orgs.TeamMember](ctx, q, page, "m.user_id", f.Range, joinProfiles)
	for i := range ms {
		utc(&ms[i].JoinedAt)
	}
	return ms, err
}

// UpdateTeamMemberRole sets a team member's role.
func (q *queries) UpdateTeamMemberRole(ctx context.Context, teamID, userID string, role orgs.TeamRole) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?", role, teamID, userID)
	})
}

// DeleteTeamMember removes a team membership and uncounts it.
func (q *queries) DeleteTeamMember(ctx context.Context, teamID, userID string) error {
	return q.write(ctx, func(w *queries) error {
		if err := w.execOne(ctx, "DELETE FROM team_members WHERE team_id = ? AND user_id = ?", teamID, userID); err != nil {
			return err
		}
		_, err := w.exec(ctx, "UPDATE teams SET member_count = member_count - 1 WHERE id = ?", teamID)
		return err
	})
}
