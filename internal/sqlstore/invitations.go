package sqlstore

import (
	"context"
	"time"

	"github.com/tenantkit/orgs"
)

// InsertInvitation inserts an invitation; the partial unique index on
// (organization_id, email) WHERE status = 'pending' refuses a second pending
// one with ErrAlreadyInvited.
func (q *queries) InsertInvitation(ctx context.Context, inv *orgs.Invitation) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `INSERT INTO invitations (id, organization_id, email, role, status, invited_by,
			inviter_username, token_hash, resend_count, last_sent_at, expires_at, accepted_by, created_at,
			updated_at, accepted_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			inv.ID, inv.OrganizationID, inv.Email, inv.Role, inv.Status, inv.InvitedBy, inv.InviterUsername, inv.TokenHash,
			inv.ResendCount, nullTime(inv.LastSentAt), inv.ExpiresAt, nullString(inv.AcceptedBy),
			inv.CreatedAt, inv.UpdatedAt, inv.AcceptedAt, inv.RevokedAt)
		return err
	})
}

// invitationSelect selects orgs.Invitation rows. IsExpired is left false:
// it depends on the time, which the Service knows.
const invitationSelect = `SELECT id, organization_id, email, role, status, invited_by, inviter_username,
	token_hash, resend_count, last_sent_at, expires_at, accepted_by, created_at, updated_at,
	accepted_at, revoked_at
	FROM invitations `

func (q *queries) getInvitation(ctx context.Context, where string, args ...any) (*orgs.Invitation, error) {
	var inv orgs.Invitation
	if err := q.get(ctx, &inv, invitationSelect+where, args...); err != nil {
		return nil, err
	}
	fixInvitation(&inv)
	return &inv, nil
}

func fixInvitation(inv *orgs.Invitation) {
	utc(&inv.LastSentAt, &inv.ExpiresAt, &inv.CreatedAt, &inv.UpdatedAt)
	for _, t := range []**time.Time{&inv.AcceptedAt, &inv.RevokedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
}

// GetInvitation returns an invitation of the organization by ID.
func (q *queries) GetInvitation(ctx context.Context, orgID, id string) (*orgs.Invitation, error) {
	return q.getInvitation(ctx, "WHERE id = ? AND organization_id = ?", id, orgID)
}

// GetInvitationByTokenHash returns the invitation whose token hash is h.
func (q *queries) GetInvitationByTokenHash(ctx context.Context, h []byte) (*orgs.Invitation, error) {
	if len(h) == 0 {
		return nil, orgs.ErrNotFound
	}
	return q.getInvitation(ctx, "WHERE token_hash = ?", h)
}

// FindPendingInvitation returns the organization's pending invitation for
// email, expired or not.
func (q *queries) FindPendingInvitation(ctx context.Context, orgID, email string) (*orgs.Invitation, error) {
	return q.getInvitation(ctx, "WHERE organization_id = ? AND email = ? AND status = ?",
		orgID, email, orgs.InvitationPending)
}

// ListInvitations returns a page of the organization's invitations by ID.
func (q *queries) ListInvitations(ctx context.Context, f orgs.InvitationFilter) ([]orgs.Invitation, error) {
	sq := q.db.NewSelect().TableExpr("invitations AS i").ColumnExpr("i.*").
		Where("i.organization_id = ?", f.OrganizationID)
	whereStatus(sq, f.Status, f.Now)
	invs, err := list[orgs.Invitation](ctx, q, sq, "i.id", f.Range, nil)
	for i := range invs {
		fixInvitation(&invs[i])
	}
	return invs, err
}

// CountPendingInvitations counts pending invitations expiring after now.
func (q *queries) CountPendingInvitations(ctx context.Context, orgID string, now time.Time) (int, error) {
	return q.count(ctx, "SELECT count(*) FROM invitations WHERE organization_id = ? AND status = ? AND expires_at > ?",
		orgID, orgs.InvitationPending, now)
}

// UpdateInvitation writes an invitation's mutable fields.
func (q *queries) UpdateInvitation(ctx context.Context, inv *orgs.Invitation) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, `UPDATE invitations SET status = ?, token_hash = ?, resend_count = ?,
			last_sent_at = ?, expires_at = ?, accepted_by = ?, updated_at = ?, accepted_at = ?, revoked_at = ?
			WHERE id = ? AND organization_id = ?`,
			inv.Status, inv.TokenHash, inv.ResendCount, nullTime(inv.LastSentAt), inv.ExpiresAt,
			nullString(inv.AcceptedBy), inv.UpdatedAt, inv.AcceptedAt, inv.RevokedAt, inv.ID, inv.OrganizationID)
	})
}
