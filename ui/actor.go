package ui

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
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

// interimPreview previews invitations until the core's
// Service.PreviewInvitation lands; then it becomes
//
//	func(ctx, a, token) { p, err := svc.PreviewInvitation(ctx, a, token); … copy the fields … }
//
// and the rest of the UI is unchanged. Meanwhile it reads the Store the way
// Service.AcceptInvitation finds an invitation (the token's SHA-256, its
// organization by ID, the inviter's profile), shows nothing the token's
// holder could not learn by accepting, and never writes.
func interimPreview(svc *orgs.Service) previewFunc {
	return func(ctx context.Context, a actor, token string) (*invitationPreview, error) {
		if a.UserID() == "" {
			return nil, orgs.ErrUnauthenticated
		}
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw) != 32 {
			return nil, orgs.ErrNotFound
		}
		sum := sha256.Sum256([]byte(token))
		st := svc.Store()
		inv, err := st.GetInvitationByTokenHash(ctx, sum[:])
		if err != nil {
			return nil, err
		}
		org, err := st.GetOrganization(ctx, orgs.OrganizationKey{ID: inv.OrganizationID}, "")
		if err != nil {
			return nil, err
		}
		p := &invitationPreview{
			OrganizationName: org.Name, OrganizationSlug: org.Slug,
			Role: inv.Role, ExpiresAt: inv.ExpiresAt, Status: inv.Status,
			InviterName: inv.InviterUsername,
		}
		if p.Status == orgs.InvitationPending && !time.Now().Before(inv.ExpiresAt) {
			p.Status = orgs.InvitationExpired
		}
		if users, err := st.Users(ctx, []string{inv.InvitedBy}); err == nil {
			if u, ok := users[inv.InvitedBy]; ok && u.Name != "" {
				p.InviterName = u.Name
			}
		}
		if p.InviterName == "" {
			p.InviterName = inv.InvitedBy
		}
		return p, nil
	}
}
