package orgs

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// errNoSystemReader refuses a call that needs the SystemReader capability.
var errNoSystemReader = fmt.Errorf("orgs: the store does not implement orgs.SystemReader: %w", errors.ErrUnsupported)

// systemReader returns the store's SystemReader, or the refusal.
func (s *Service) systemReader() (SystemReader, error) {
	sr, ok := s.store.(SystemReader)
	if !ok {
		return nil, errNoSystemReader
	}
	return sr, nil
}

// validateStripeCustomerID accepts "" or a Stripe customer ID: "cus_" and
// 1–60 ASCII letters, digits or underscores.
func validateStripeCustomerID(id string) error {
	if id == "" {
		return nil
	}
	rest, ok := strings.CutPrefix(id, "cus_")
	if !ok || rest == "" || len(rest) > 60 {
		return invalid("", "must be a Stripe customer ID such as cus_NffrFeUfNV2Hib")
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return invalid("", "must be a Stripe customer ID such as cus_NffrFeUfNV2Hib")
		}
	}
	return nil
}

// listAllOrganizations is ListOrganizations for the system caller: every
// organization of the environment.
func (s *Service) listAllOrganizations(ctx context.Context, q OrganizationQuery) (*List[Organization], error) {
	r, err := q.Page.orderedRange(PrefixOrganization)
	var fe fieldErrors
	fe.merge(err)
	var domains []string
	for _, d := range append([]string{q.Domain}, q.Domains...) {
		if d == "" {
			continue
		}
		n, err := NormalizeDomain(d)
		if err != nil {
			fe.add("domains", "must be domain names such as example.com")
			break
		}
		domains = append(domains, n)
	}
	if len(domains) > MaxPageLimit*2 {
		fe.add("domains", "must be at most 200 domains")
	}
	fe.check("search", validateText(q.Search, maxNameLen, false))
	if err := fe.err(); err != nil {
		return nil, err
	}
	sr, err := s.systemReader()
	if err != nil {
		return nil, err
	}
	items, err := sr.ListAllOrganizations(ctx, AllOrganizationsFilter{Domains: domains, Search: q.Search, Range: r})
	if err != nil {
		return nil, err
	}
	return paginateOrdered(items, r, Organization.listKey, q.Page, PrefixOrganization), nil
}

// requireSystem fails unless actor is the system caller.
func requireSystem(actor Actor) error {
	if err := actor.check(); err != nil {
		return err
	}
	if !actor.system {
		return ErrForbidden
	}
	return nil
}

// GetInvitationByID returns an invitation by ID, whatever its
// organization, without its token (the system caller only; a user gets
// ErrForbidden and uses GetInvitation in its organization).
func (s *Service) GetInvitationByID(ctx context.Context, actor Actor, id string) (*Invitation, error) {
	if err := requireSystem(actor); err != nil {
		return nil, err
	}
	sr, err := s.systemReader()
	if err != nil {
		return nil, err
	}
	if !validID(PrefixInvitation, id) {
		return nil, ErrNotFound
	}
	inv, err := sr.GetInvitationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.present(inv), nil
}

// FindInvitationByToken returns the invitation a token names, in any state,
// without the token (the system caller only). A malformed, unknown or
// rotated-away token is ErrNotFound; the token's hash is compared in
// constant time.
func (s *Service) FindInvitationByToken(ctx context.Context, actor Actor, token string) (*Invitation, error) {
	if err := requireSystem(actor); err != nil {
		return nil, err
	}
	hash, ok := parseToken(token)
	if !ok {
		return nil, ErrNotFound
	}
	inv, err := s.store.GetInvitationByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(inv.TokenHash, hash) != 1 {
		return nil, ErrNotFound
	}
	return s.present(inv), nil
}

// AllInvitationsQuery filters ListAllInvitations: by organization (a slug
// or ID), by email, both, or neither (the whole environment).
type AllInvitationsQuery struct {
	Organization string
	Email        string
	Page         // Descending allowed
}

// ListAllInvitations lists invitations across organizations, in ID
// (creation) order or, with Page.Descending, newest first, every status,
// without tokens (the system caller only). An unknown organization is
// ErrNotFound.
func (s *Service) ListAllInvitations(ctx context.Context, actor Actor, q AllInvitationsQuery) (*List[Invitation], error) {
	if err := requireSystem(actor); err != nil {
		return nil, err
	}
	r, err := q.Page.orderedRange(PrefixInvitation)
	var fe fieldErrors
	fe.merge(err)
	f := AllInvitationsFilter{Range: r}
	if q.Email != "" {
		f.Email, err = NormalizeEmail(q.Email)
		fe.check("email", err)
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	sr, err := s.systemReader()
	if err != nil {
		return nil, err
	}
	if q.Organization != "" {
		org, err := s.view(ctx, actor, q.Organization, PermInvitationsManage)
		if err != nil {
			return nil, err
		}
		f.OrganizationID = org.ID
	}
	invs, err := sr.ListAllInvitations(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range invs {
		s.present(&invs[i])
	}
	return paginateOrdered(invs, r, Invitation.listKey, q.Page, PrefixInvitation), nil
}

// AcceptInvitationFor accepts an invitation by ID on behalf of the invited
// user — a server-side accept by the system caller (a user gets
// ErrForbidden). The user is userID when given. When userID is empty, it is
// the user of the Store's directory whose email is the invitation's; when
// the directory has none, a new opaque user ID ("user_" and a ULID) is
// minted and recorded there with the invitation's email, so that the same
// email resolves to the same user next time. The email check of
// AcceptInvitation does not apply (the system caller vouches); expiry,
// status, the membership limit and ErrAlreadyMember do, and of concurrent
// accepts exactly one succeeds. It returns the new membership and the
// accepted invitation (AcceptedBy, AcceptedAt set).
func (s *Service) AcceptInvitationFor(ctx context.Context, actor Actor, id, userID string) (*Member, *Invitation, error) {
	if err := requireSystem(actor); err != nil {
		return nil, nil, err
	}
	if userID != "" {
		if err := validateUserID(userID); err != nil {
			return nil, nil, invalid("user_id", "must be a user ID")
		}
	}
	sr, err := s.systemReader()
	if err != nil {
		return nil, nil, err
	}
	if !validID(PrefixInvitation, id) {
		return nil, nil, ErrNotFound
	}
	found, err := sr.GetInvitationByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var newUser *User
	if userID == "" {
		u, err := sr.FindUserByEmail(ctx, found.Email)
		switch {
		case err == nil:
			userID = u.ID
		case errors.Is(err, ErrNotFound):
			newUser = &User{ID: "user_" + NewID(""), Email: found.Email}
			userID = newUser.ID
		default:
			return nil, nil, err
		}
	}
	type result struct {
		mb  *Member
		inv *Invitation
	}
	r, err := mutate(ctx, s, actor, found.OrganizationID, permNone, func(m *mutation) (result, error) {
		inv, err := m.tx.GetInvitation(m.ctx, m.org.ID, id)
		if err != nil {
			return result{}, err
		}
		switch s.status(inv) {
		case InvitationPending:
		case InvitationExpired:
			return result{}, ErrInvitationExpired
		default:
			return result{}, ErrInvitationNotPending
		}
		if max := s.limits.MembersPerOrganization; max > 0 {
			// The invitation held a seat: the membership takes it over.
			n, err := m.tx.CountMembers(m.ctx, m.org.ID, "")
			if err != nil {
				return result{}, err
			}
			if n >= max {
				return result{}, ErrLimitExceeded
			}
		}
		if newUser != nil {
			if err := m.tx.PutUser(m.ctx, newUser); err != nil {
				return result{}, err
			}
		}
		now := s.clock()
		mb := s.newMember(m.org.ID, userID, inv.Role)
		mb.JoinedAt, mb.UpdatedAt = now, now
		if err := m.tx.InsertMember(m.ctx, mb); err != nil {
			return result{}, err
		}
		inv.Status, inv.AcceptedBy, inv.UpdatedAt, inv.AcceptedAt = InvitationAccepted, userID, now, &now
		if err := m.tx.UpdateInvitation(m.ctx, inv); err != nil {
			return result{}, err
		}
		m.record(EventInvitationAccepted, map[string]string{"invitation_id": inv.ID, "user_id": userID, "role": string(inv.Role)})
		out, err := s.member(m.ctx, m.tx, m.org.ID, userID)
		if err != nil {
			return result{}, err
		}
		out.OrganizationName = m.org.Name
		return result{out, inv}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return r.mb, s.present(r.inv), nil
}

// resendInterval is the least time between two sends of one invitation by
// actor.
func (s *Service) resendInterval(actor Actor) time.Duration {
	if actor.system {
		return s.invitations.SystemMinResendInterval
	}
	return s.invitations.MinResendInterval
}
