package ui

import (
	"context"
	"time"

	"github.com/tenantkit/orgs"
)

// actor is what the Service's methods take as the acting caller.
type actor = orgs.Actor

// actorFor turns the authenticated user ID into the Service's actor. It is
// the only place the UI does so.
func actorFor(userID string) actor { return orgs.UserActor(userID) }

// invitationPreview is what the accept page shows before the user answers:
// who invites them to what, as which role, until when. Fields it could not
// learn are empty.
type invitationPreview struct {
	OrganizationName string
	OrganizationSlug string
	InviterName      string
	Role             orgs.Role
	ExpiresAt        time.Time
	Status           orgs.InvitationStatus // "" when unknown
}

// previewFunc previews the invitation a token names, for the actor holding
// it. It fails with orgs.ErrNotFound for an unknown token.
type previewFunc func(ctx context.Context, a actor, token string) (*invitationPreview, error)

// servicePreview previews invitations through the core's
// Service.PreviewInvitation: it shows nothing the token's holder could not
// learn by accepting, and never writes.
func servicePreview(svc *orgs.Service) previewFunc {
	return func(ctx context.Context, a actor, token string) (*invitationPreview, error) {
		p, err := svc.PreviewInvitation(ctx, a, token)
		if err != nil {
			return nil, err
		}
		return &invitationPreview{
			OrganizationName: p.OrganizationName, OrganizationSlug: p.OrganizationSlug,
			InviterName: p.InviterName, Role: p.Role, ExpiresAt: p.ExpiresAt, Status: p.Status,
		}, nil
	}
}
