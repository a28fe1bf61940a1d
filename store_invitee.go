package orgs

import (
	"context"
	"time"
)

// InvitationsByEmailLister is an optional Store capability: the invitations
// addressed to one email address, across organizations, with the name and
// slug of each one's organization. The Service's invitee-facing calls need
// it (ListMyInvitations, AcceptMyInvitation, DeclineMyInvitation) and fail
// with an error wrapping errors.ErrUnsupported on a store without it.
//
// ListInvitationsByEmail must return the invitations, of any organization,
// whose Email is f.Email (compared as stored: the Service passes it
// normalized), filtered by f.Status as InvitationFilter says, ordered by
// invitation ID and paged by f.Range as Range says; with f.ID set, only the
// invitation with that ID (when it matches the rest). It should cost an index lookup by email, not a scan of every
// invitation. The Invitation of each result is read as GetInvitation reads
// it.
type InvitationsByEmailLister interface {
	ListInvitationsByEmail(ctx context.Context, f InvitationEmailFilter) ([]AddressedInvitation, error)
}

// InvitationEmailFilter selects the invitations addressed to one email
// address (see InvitationsByEmailLister).
type InvitationEmailFilter struct {
	Email  string
	Status InvitationStatus // as InvitationFilter's: "" for any
	Now    time.Time
	ID     string // only this invitation, when set
	Range
}

// AddressedInvitation is an invitation with its organization's name and
// slug, as InvitationsByEmailLister returns it.
type AddressedInvitation struct {
	Invitation       Invitation
	OrganizationName string
	OrganizationSlug string
}

func (a AddressedInvitation) listKey() string { return a.Invitation.ID }
