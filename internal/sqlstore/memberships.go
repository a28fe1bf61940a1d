package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

var (
	_ orgs.Memberships  = (*queries)(nil)
	_ orgs.SystemReader = (*queries)(nil)
)

// memberStatus is the status column's value for m (active when unset).
func memberStatus(m *orgs.Member) string {
	return string(cmp.Or(m.Status, orgs.MembershipActive))
}

// memberUpdatedAt is the updated_at column's value for m (JoinedAt when
// unset).
func memberUpdatedAt(m *orgs.Member) time.Time {
	return updatedAt(m.UpdatedAt, m.JoinedAt)
}

// updatedAt is t, or created when t is zero.
func updatedAt(t, created time.Time) time.Time {
	if t.IsZero() {
		return created
	}
	return t
}

// fixMember converts a member's times to UTC; a row from before the
// migration that added updated_at and status reads as active, updated when
// it joined.
func fixMember(m *orgs.Member) {
	m.UpdatedAt = updatedAt(m.UpdatedAt, m.JoinedAt)
	utc(&m.JoinedAt, &m.UpdatedAt)
	m.Status = cmp.Or(m.Status, orgs.MembershipActive)
}

// GetMembership returns a membership by its ID, with profile and the
// organization's name.
func (q *queries) GetMembership(ctx context.Context, id string) (*orgs.Member, error) {
	var m orgs.Member
	err := q.get(ctx, &m, "SELECT "+memberColumns+`, o.name AS organization_name FROM members AS m
		JOIN organizations AS o ON o.id = m.organization_id
		LEFT JOIN users AS u ON u.id = m.user_id
		WHERE m.id = ?`, id)
	if err != nil {
		return nil, err
	}
	fixMember(&m)
	return &m, nil
}

// ListMemberships returns a page of memberships by ID: one keyset query on
// (organization_id, id) or (user_id, id), profiles and organization names
// joined to the page.
func (q *queries) ListMemberships(ctx context.Context, f orgs.MembershipFilter) ([]orgs.Member, error) {
	page := q.db.NewSelect().ColumnExpr("m.organization_id, m.user_id, m.role, m.joined_at, m.id, m.status, m.updated_at").
		TableExpr("members AS m").Where("m.id IS NOT NULL")
	if f.OrganizationID != "" {
		page.Where("m.organization_id = ?", f.OrganizationID)
	}
	if f.UserID != "" {
		page.Where("m.user_id = ?", f.UserID)
	}
	if len(f.Statuses) > 0 {
		page.Where("m.status IN (?)", bun.List(f.Statuses))
	}
	ms, err := list[orgs.Member](ctx, q, page, "m.id", f.Range, func(sq *bun.SelectQuery) *bun.SelectQuery {
		return joinProfiles(sq).ColumnExpr("o.name AS organization_name").
			Join("JOIN organizations AS o ON o.id = m.organization_id")
	})
	for i := range ms {
		fixMember(&ms[i])
	}
	return ms, err
}

// CountActiveMembers counts the organization's active members with role,
// or all of them.
func (q *queries) CountActiveMembers(ctx context.Context, orgID string, role orgs.Role) (int, error) {
	if role == "" {
		return q.count(ctx, "SELECT count(*) FROM members WHERE organization_id = ? AND status = 'active'", orgID)
	}
	return q.count(ctx, "SELECT count(*) FROM members WHERE organization_id = ? AND role = ? AND status = 'active'", orgID, role)
}

// UpdateMember writes a membership's role, status and update time.
func (q *queries) UpdateMember(ctx context.Context, m *orgs.Member) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "UPDATE members SET role = ?, status = ?, updated_at = ? WHERE organization_id = ? AND user_id = ?",
			m.Role, memberStatus(m), memberUpdatedAt(m), m.OrganizationID, m.UserID)
	})
}

// ListAllOrganizations returns a page of every organization by ID, with the
// any-of domain filter and the name search.
func (q *queries) ListAllOrganizations(ctx context.Context, f orgs.AllOrganizationsFilter) ([]orgs.Organization, error) {
	page := q.db.NewSelect().ColumnExpr(q.orgColumns()).TableExpr("organizations AS o")
	if len(f.Domains) > 0 {
		page.Where(`EXISTS (SELECT 1 FROM organization_domains AS d
			WHERE d.organization_id = o.id AND d.domain IN (?))`, bun.List(f.Domains))
	}
	if f.Search != "" {
		cond, args := q.contains(f.Search, "o.name")
		page.Where(cond, args...)
	}
	rows, err := list[orgRow](ctx, q, page, "o.id", f.Range, nil)
	if err != nil {
		return nil, err
	}
	return organizations(rows)
}

// organizations converts the rows of a list.
func organizations(rows []orgRow) ([]orgs.Organization, error) {
	out := make([]orgs.Organization, len(rows))
	for i := range rows {
		o, err := rows[i].organization()
		if err != nil {
			return nil, err
		}
		out[i] = *o
	}
	return out, nil
}

// GetInvitationByID returns an invitation by ID, whatever its organization.
func (q *queries) GetInvitationByID(ctx context.Context, id string) (*orgs.Invitation, error) {
	return q.getInvitation(ctx, "WHERE id = ?", id)
}

// ListAllInvitations returns a page of invitations by ID, of an
// organization and/or an email, or of the whole environment.
func (q *queries) ListAllInvitations(ctx context.Context, f orgs.AllInvitationsFilter) ([]orgs.Invitation, error) {
	sq := q.db.NewSelect().TableExpr("invitations AS i").ColumnExpr("i.*")
	if f.OrganizationID != "" {
		sq.Where("i.organization_id = ?", f.OrganizationID)
	}
	if f.Email != "" {
		sq.Where("i.email = ?", f.Email)
	}
	invs, err := list[orgs.Invitation](ctx, q, sq, "i.id", f.Range, nil)
	for i := range invs {
		fixInvitation(&invs[i])
	}
	return invs, err
}

// FindUserByEmail returns the directory's user with the email (users_email_idx).
func (q *queries) FindUserByEmail(ctx context.Context, email string) (*orgs.User, error) {
	var u orgs.User
	if err := q.get(ctx, &u, "SELECT id, username, email, name, avatar_url FROM users WHERE email = ? ORDER BY id LIMIT 1", email); err != nil {
		return nil, err
	}
	return &u, nil
}

// domainJSON is one domain as orgColumns aggregates it.
type domainJSON struct {
	ID         string  `json:"id"`
	Domain     string  `json:"domain"`
	State      string  `json:"state"`
	Token      string  `json:"token"`
	Strategy   *string `json:"strategy"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  *string `json:"updated_at"`
	VerifiedAt *string `json:"verified_at"`
}

// decodeDomains decodes the aggregated domains of an organization.
func decodeDomains(orgID, s string) ([]orgs.Domain, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var rows []domainJSON
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, fmt.Errorf("sqlstore: decoding domains: %w", err)
	}
	ds := make([]orgs.Domain, len(rows))
	for i, r := range rows {
		created, err := parseTime(r.CreatedAt)
		if err != nil {
			return nil, err
		}
		d := orgs.Domain{ID: r.ID, OrganizationID: orgID, Domain: r.Domain, State: orgs.DomainState(r.State),
			VerificationToken: r.Token, Strategy: orgs.DomainStrategyDNS, CreatedAt: created, UpdatedAt: created}
		if r.Strategy != nil {
			d.Strategy = orgs.DomainStrategy(*r.Strategy)
		}
		if r.UpdatedAt != nil {
			if d.UpdatedAt, err = parseTime(*r.UpdatedAt); err != nil {
				return nil, err
			}
		}
		if r.VerifiedAt != nil {
			t, err := parseTime(*r.VerifiedAt)
			if err != nil {
				return nil, err
			}
			d.VerifiedAt = &t
		}
		d.VerificationName = "_orgs-challenge." + d.Domain
		d.VerificationValue = "orgs-verification=" + d.VerificationToken
		ds[i] = d
	}
	return ds, nil
}

// timeLayouts are the forms a time takes in the aggregated JSON: SQLite's
// stored text and Postgres's JSON rendering of timestamptz.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("sqlstore: unreadable time %q", s)
}
