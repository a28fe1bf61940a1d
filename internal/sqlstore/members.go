package sqlstore

import (
	"context"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// InsertMember inserts a membership and counts it.
func (q *queries) InsertMember(ctx context.Context, m *orgs.Member) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, "INSERT INTO members (organization_id, user_id, role, joined_at, id, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			m.OrganizationID, m.UserID, m.Role, m.JoinedAt, nullString(m.ID), memberStatus(m), memberUpdatedAt(m))
		if err != nil {
			return err
		}
		_, err = w.exec(ctx, "UPDATE organizations SET member_count = member_count + 1 WHERE id = ?", m.OrganizationID)
		return err
	})
}

// memberColumns selects an orgs.Member from members AS m LEFT JOIN users AS u.
const memberColumns = `m.organization_id, m.user_id, m.role, m.joined_at, m.id, m.status, m.updated_at,
	u.username, u.email, u.name, u.avatar_url`

// GetMember returns a membership with the user's profile.
func (q *queries) GetMember(ctx context.Context, orgID, userID string) (*orgs.Member, error) {
	var m orgs.Member
	err := q.get(ctx, &m, "SELECT "+memberColumns+` FROM members AS m
		LEFT JOIN users AS u ON u.id = m.user_id
		WHERE m.organization_id = ? AND m.user_id = ?`, orgID, userID)
	if err != nil {
		return nil, err
	}
	fixMember(&m)
	return &m, nil
}

// FindMemberByEmail finds a member by profile email (users_email_idx).
func (q *queries) FindMemberByEmail(ctx context.Context, orgID, email string) (*orgs.Member, error) {
	var m orgs.Member
	err := q.get(ctx, &m, "SELECT "+memberColumns+` FROM users AS u
		JOIN members AS m ON m.organization_id = ? AND m.user_id = u.id
		WHERE u.email = ? ORDER BY m.user_id LIMIT 1`, orgID, email)
	if err != nil {
		return nil, err
	}
	fixMember(&m)
	return &m, nil
}

// ListMembers returns a page of members with profiles: one keyset query on
// members' primary key (organization_id, user_id), profiles joined to the
// page (and, to search them, to the members).
func (q *queries) ListMembers(ctx context.Context, f orgs.MemberFilter) ([]orgs.Member, error) {
	orgID := f.OrganizationID
	page := q.db.NewSelect().ColumnExpr("m.organization_id, m.user_id, m.role, m.joined_at, m.id, m.status, m.updated_at").
		TableExpr("members AS m").
		Where("m.organization_id = ?", orgID)
	if f.Role != "" {
		page.Where("m.role = ?", f.Role)
	}
	if f.Search != "" {
		cond, args := q.contains(f.Search, "u.name", "u.username", "u.email")
		page.Join("JOIN users AS u ON u.id = m.user_id").Where(cond, args...)
	}
	ms, err := list[orgs.Member](ctx, q, page, "m.user_id", f.Range, joinProfiles)
	for i := range ms {
		fixMember(&ms[i])
	}
	return ms, err
}

// joinProfiles completes a page of members or team members, m, with their
// profiles.
func joinProfiles(sq *bun.SelectQuery) *bun.SelectQuery {
	return sq.ColumnExpr("m.*, u.username, u.email, u.name, u.avatar_url").
		Join("LEFT JOIN users AS u ON u.id = m.user_id")
}

// CountMembers counts members with role, or all of them (the counter) when
// role is "". An unknown organization has none.
func (q *queries) CountMembers(ctx context.Context, orgID string, role orgs.Role) (int, error) {
	if role == "" {
		return q.count(ctx, "SELECT COALESCE((SELECT member_count FROM organizations WHERE id = ?), 0)", orgID)
	}
	return q.count(ctx, "SELECT count(*) FROM members WHERE organization_id = ? AND role = ?", orgID, role)
}

// UpdateMemberRole sets a member's role.
func (q *queries) UpdateMemberRole(ctx context.Context, orgID, userID string, role orgs.Role) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "UPDATE members SET role = ? WHERE organization_id = ? AND user_id = ?",
			role, orgID, userID)
	})
}

// DeleteMember removes a membership and, by cascade, the user's team
// memberships in the organization, keeping every counter exact.
func (q *queries) DeleteMember(ctx context.Context, orgID, userID string) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `UPDATE teams SET member_count = member_count - 1 WHERE id IN
			(SELECT team_id FROM team_members WHERE organization_id = ? AND user_id = ?)`, orgID, userID)
		if err != nil {
			return err
		}
		if err := w.execOne(ctx, "DELETE FROM members WHERE organization_id = ? AND user_id = ?", orgID, userID); err != nil {
			return err
		}
		_, err = w.exec(ctx, "UPDATE organizations SET member_count = member_count - 1 WHERE id = ?", orgID)
		return err
	})
}
