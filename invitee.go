package orgs

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"
)

// The invitee's side of invitations: what the invited user sees and does
// before they are a member — the accept page's preview, the list of
// invitations waiting for them, and answering one of those by its ID.

// InvitationPreview is what an invited user may learn of an invitation
// before answering it: who invites them to which organization, as which
// role, until when, and whether it can still be answered. It never carries
// the token.
type InvitationPreview struct {
	InvitationID     string           `json:"id"`
	OrganizationID   string           `json:"organization_id"`
	OrganizationName string           `json:"organization_name"`
	OrganizationSlug string           `json:"organization_slug"`
	Email            string           `json:"email"`
	Role             Role             `json:"role"`
	Status           InvitationStatus `json:"status"`
	// InviterName is the inviter's name from the UserDirectory, else their
	// username (as recorded when inviting), else "" (an invitation from the
	// system caller).
	InviterName string    `json:"inviter_name"`
	ExpiresAt   time.Time `json:"expires_at"`
	IsExpired   bool      `json:"is_expired"`
	CreatedAt   time.Time `json:"created_at"`

	invitedBy string
}

// previewOf builds the preview of an invitation read from the Store.
func (s *Service) previewOf(inv *Invitation, orgName, orgSlug string) InvitationPreview {
	status := s.status(inv)
	return InvitationPreview{
		InvitationID: inv.ID, OrganizationID: inv.OrganizationID, OrganizationName: orgName,
		OrganizationSlug: orgSlug, Email: inv.Email, Role: inv.Role, Status: status,
		InviterName: inv.InviterUsername, ExpiresAt: inv.ExpiresAt, IsExpired: status == InvitationExpired,
		CreatedAt: inv.CreatedAt, invitedBy: inv.InvitedBy,
	}
}

// withInviterNames sets each preview's InviterName from the directory in
// use, in one call.
func (s *Service) withInviterNames(ctx context.Context, ps []InvitationPreview) error {
	var ids []string
	for _, p := range ps {
		if p.invitedBy != "" {
			ids = append(ids, p.invitedBy)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var users map[string]User
	var err error
	if s.directory != nil {
		users, err = s.directory.Users(ctx, ids)
	} else {
		users, err = s.store.Users(ctx, ids)
	}
	if err != nil {
		return err
	}
	for i := range ps {
		u := users[ps[i].invitedBy]
		switch {
		case u.Name != "":
			ps[i].InviterName = u.Name
		case u.Username != "":
			ps[i].InviterName = u.Username
		}
	}
	return nil
}

// PreviewInvitation returns what the accept page shows before the user
// answers: the organization's name and slug, the inviter's name, the role,
// the expiry and the status (expired, accepted, declined or revoked
// invitations are previewed too, so the page can say so). Anyone holding the
// token may preview it — the token is the credential, as it is for
// accepting — whatever their email; nothing is written. An unknown or
// malformed token is ErrNotFound.
func (s *Service) PreviewInvitation(ctx context.Context, actor Actor, token string) (_ *InvitationPreview, err error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	hash, ok := parseToken(token)
	if !ok {
		return nil, ErrNotFound
	}
	ctx, c := s.observe(ctx, actor)
	defer func() { c.end(err) }()
	inv, err := s.store.GetInvitationByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(inv.TokenHash, hash) != 1 {
		return nil, ErrNotFound
	}
	org, err := s.store.GetOrganization(ctx, OrganizationKey{ID: inv.OrganizationID}, "")
	if err != nil {
		return nil, err
	}
	c.organization(org)
	ps := []InvitationPreview{s.previewOf(inv, org.Name, org.Slug)}
	if err := s.withInviterNames(ctx, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// errNoEmailLister refuses the invitee calls on a store without the
// capability.
var errNoEmailLister = fmt.Errorf("orgs: the store cannot list invitations by email (orgs.InvitationsByEmailLister): %w", errors.ErrUnsupported)

// emailLister returns the store's InvitationsByEmailLister, or
// errNoEmailLister.
func (s *Service) emailLister() (InvitationsByEmailLister, error) {
	l, ok := s.store.(InvitationsByEmailLister)
	if !ok {
		return nil, errNoEmailLister
	}
	return l, nil
}

// ListMyInvitations lists the pending, unexpired invitations addressed to
// the acting user's email (as the UserDirectory knows it) across
// organizations, oldest first — "you have 2 invitations". A user without an
// email has none. It needs the store's InvitationsByEmailLister (every
// store of this module has it) and fails with an error wrapping
// errors.ErrUnsupported without it.
func (s *Service) ListMyInvitations(ctx context.Context, actor Actor, page Page) (_ *List[InvitationPreview], err error) {
	r, err := page.toRange()
	if err != nil {
		return nil, err
	}
	if err := checkInvitee(actor); err != nil {
		return nil, err
	}
	lister, err := s.emailLister()
	if err != nil {
		return nil, err
	}
	ctx, c := s.observe(ctx, actor)
	defer func() { c.end(err) }()
	email, err := s.inviteeEmail(ctx, actor)
	if err != nil {
		return nil, err
	}
	var rows []AddressedInvitation
	if email != "" {
		rows, err = lister.ListInvitationsByEmail(ctx, InvitationEmailFilter{Email: email, Status: InvitationPending, Now: s.clock(), Range: r})
		if err != nil {
			return nil, err
		}
	}
	l := paginate(rows, r, AddressedInvitation.listKey)
	out := &List[InvitationPreview]{Data: make([]InvitationPreview, len(l.Data)),
		NextCursor: l.NextCursor, PreviousCursor: l.PreviousCursor, HasMore: l.HasMore}
	for i, a := range l.Data {
		out.Data[i] = s.previewOf(&a.Invitation, a.OrganizationName, a.OrganizationSlug)
	}
	return out, s.withInviterNames(ctx, out.Data)
}

// answerMine runs the checks of accepting or declining an invitation by its
// ID: it must be addressed to the acting user's email — always, whatever
// InvitationOptions.SkipEmailCheck says, since an ID is no secret — and be
// pending and unexpired; then fn runs as a change of its organization.
func (s *Service) answerMine(ctx context.Context, actor Actor, id string, fn func(m *mutation, inv *Invitation) error) error {
	if err := checkInvitee(actor); err != nil {
		return err
	}
	lister, err := s.emailLister()
	if err != nil {
		return err
	}
	if !validID(PrefixInvitation, id) {
		return ErrNotFound
	}
	email, err := s.inviteeEmail(ctx, actor)
	if err != nil {
		return err
	}
	if email == "" {
		return ErrNotFound
	}
	rows, err := lister.ListInvitationsByEmail(ctx, InvitationEmailFilter{Email: email, ID: id, Range: Range{MaxRows: 2}})
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return ErrNotFound // none addressed to this user: not theirs to know of
	}
	r := Reads{Invitation: id, Users: s.profileReads(actor.userID)}
	return s.answer(ctx, actor, OrganizationKey{ID: rows[0].Invitation.OrganizationID}, r, true,
		func(*mutation) string { return email },
		func(m *mutation) (*Invitation, error) {
			if inv := m.got.Invitation; inv != nil && inv.ID == id {
				return inv, nil
			}
			return nil, ErrNotFound
		}, fn)
}

// AcceptMyInvitation accepts, by its ID, an invitation addressed to the
// acting user's email (one of ListMyInvitations): the user joins with the
// invited role, as with AcceptInvitation and under the same rules (single
// use, expiry, limits). An invitation addressed to another email is
// ErrNotFound — its existence is not the user's to learn. It needs the
// store's InvitationsByEmailLister (errors.ErrUnsupported without).
func (s *Service) AcceptMyInvitation(ctx context.Context, actor Actor, id string) (*Member, error) {
	var out *Member
	err := s.answerMine(ctx, actor, id, func(m *mutation, inv *Invitation) (err error) {
		out, err = s.join(m, inv)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeclineMyInvitation declines, by its ID, an invitation addressed to the
// acting user's email, under AcceptMyInvitation's checks.
func (s *Service) DeclineMyInvitation(ctx context.Context, actor Actor, id string) error {
	return s.answerMine(ctx, actor, id, s.decline)
}
