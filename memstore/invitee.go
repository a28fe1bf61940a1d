package memstore

import (
	"context"
	"time"

	"github.com/tenantkit/orgs"
)

var _ orgs.InvitationsByEmailLister = (*Store)(nil)

// ListInvitationsByEmail returns the invitations addressed to f.Email
// across organizations (orgs.InvitationsByEmailLister), filtered by status
// as ListInvitations filters.
func (tx *txn) ListInvitationsByEmail(ctx context.Context, f orgs.InvitationEmailFilter) ([]orgs.AddressedInvitation, error) {
	return read(ctx, tx, func(st *state) ([]orgs.AddressedInvitation, error) {
		var list []orgs.AddressedInvitation
		for _, i := range st.invitations {
			if i.Email != f.Email || (f.ID != "" && i.ID != f.ID) || !statusMatches(i, f.Status, f.Now) {
				continue
			}
			o, ok := st.orgs[i.OrganizationID]
			if !ok {
				continue
			}
			list = append(list, orgs.AddressedInvitation{Invitation: cloneInvitation(i), OrganizationName: o.Name, OrganizationSlug: o.Slug})
		}
		return page(list, f.Range, func(a orgs.AddressedInvitation) string { return a.Invitation.ID }), nil
	})
}

// statusMatches reports whether i has status as seen at now: a pending
// invitation whose ExpiresAt is at or before now is expired, not pending.
// Status "" matches any.
func statusMatches(i orgs.Invitation, status orgs.InvitationStatus, now time.Time) bool {
	s := i.Status
	if s == orgs.InvitationPending && !i.ExpiresAt.After(now) {
		s = orgs.InvitationExpired
	}
	return status == "" || s == status
}
