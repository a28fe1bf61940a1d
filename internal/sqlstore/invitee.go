package sqlstore

import (
	"context"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

var _ orgs.InvitationsByEmailLister = (*queries)(nil)

// addressedRow is an invitation with its organization's name and slug.
type addressedRow struct {
	orgs.Invitation
	OrgName string
	OrgSlug string
}

// ListInvitationsByEmail returns a page of the invitations addressed to
// f.Email across organizations (orgs.InvitationsByEmailLister): a keyset
// query on invitations_email_idx (email, id), organizations joined to the
// page.
func (q *queries) ListInvitationsByEmail(ctx context.Context, f orgs.InvitationEmailFilter) ([]orgs.AddressedInvitation, error) {
	page := q.db.NewSelect().TableExpr("invitations AS i").ColumnExpr("i.*").Where("i.email = ?", f.Email)
	if f.ID != "" {
		page.Where("i.id = ?", f.ID)
	}
	whereStatus(page, f.Status, f.Now)
	rows, err := list[addressedRow](ctx, q, page, "i.id", f.Range, func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.ColumnExpr("i.*, o.name AS org_name, o.slug AS org_slug").
			Join("JOIN organizations AS o ON o.id = i.organization_id")
	})
	if err != nil {
		return nil, err
	}
	out := make([]orgs.AddressedInvitation, len(rows))
	for i := range rows {
		fixInvitation(&rows[i].Invitation)
		out[i] = orgs.AddressedInvitation{Invitation: rows[i].Invitation, OrganizationName: rows[i].OrgName, OrganizationSlug: rows[i].OrgSlug}
	}
	return out, nil
}

// whereStatus filters invitations AS i by status as seen at now (see
// orgs.InvitationFilter): pending means pending and unexpired, expired
// includes pending past its expiry.
func whereStatus(sq *bun.SelectQuery, status orgs.InvitationStatus, now time.Time) {
	switch status {
	case "":
	case orgs.InvitationPending:
		sq.Where("i.status = ? AND i.expires_at > ?", orgs.InvitationPending, now)
	case orgs.InvitationExpired:
		sq.Where("(i.status = ? OR (i.status = ? AND i.expires_at <= ?))",
			orgs.InvitationExpired, orgs.InvitationPending, now)
	default:
		sq.Where("i.status = ?", status)
	}
}
