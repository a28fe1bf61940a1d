package orgs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"
)

// Invitation bounds.
const (
	MinInvitationTTL = time.Hour
	MaxInvitationTTL = 30 * 24 * time.Hour
	tokenBytes       = 32
)

// InvitationOptions configures invitations.
type InvitationOptions struct {
	// TTL is how long an invitation stays valid, from creation or resend
	// (default 7 days; 1 hour to 30 days).
	TTL time.Duration
	// AcceptURL is the base of Invitation.AcceptURL; the token is added as
	// the "token" query parameter. Empty: AcceptURL stays empty.
	AcceptURL string
	// ReplacePending makes inviting an email with a pending invitation revoke
	// that one and create a new one, instead of failing with
	// ErrAlreadyInvited.
	ReplacePending bool
	// SkipEmailCheck lets any signed-in user accept or decline with the
	// token, whatever their email. By default the accepting user's email (from
	// the UserDirectory) must equal the invited one, case-insensitively.
	SkipEmailCheck bool
	// MinResendInterval is the least time between two sends of one
	// invitation (default 1 minute; 0 in a WithInvitationOptions value keeps
	// the default, a negative value disables the check).
	MinResendInterval time.Duration
}

// DefaultInvitationOptions are the invitation settings of a new Service.
var DefaultInvitationOptions = InvitationOptions{TTL: 7 * 24 * time.Hour, MinResendInterval: time.Minute}

// WithInvitationOptions configures invitations. Zero TTL and
// MinResendInterval keep the defaults.
func WithInvitationOptions(o InvitationOptions) Option {
	return func(s *Service) error {
		if o.TTL == 0 {
			o.TTL = DefaultInvitationOptions.TTL
		}
		if o.TTL < MinInvitationTTL || o.TTL > MaxInvitationTTL {
			return invalid("ttl", "must be between 1 hour and 30 days")
		}
		if o.MinResendInterval == 0 {
			o.MinResendInterval = DefaultInvitationOptions.MinResendInterval
		}
		if o.AcceptURL != "" {
			if err := validateURL(o.AcceptURL); err != nil {
				return invalid("accept_url", "must be an http or https URL")
			}
		}
		s.invitations = o
		return nil
	}
}

// Notifier delivers invitations (by email, chat, …). The Service calls it
// after the invitation is committed, with the token and accept URL set. A
// failure is logged and reported in Invitation.DeliveryError; the invitation
// stays valid and can be resent.
type Notifier interface {
	NotifyInvitation(ctx context.Context, n InvitationNotice) error
}

// InvitationNotice is what a Notifier delivers.
type InvitationNotice struct {
	Organization Organization
	Invitation   Invitation // Token and AcceptURL set
	Resent       bool
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, n InvitationNotice) error

// NotifyInvitation calls f.
func (f NotifierFunc) NotifyInvitation(ctx context.Context, n InvitationNotice) error {
	return f(ctx, n)
}

// WithNotifier sets the Notifier that delivers invitations.
func WithNotifier(n Notifier) Option {
	return func(s *Service) error { s.notifier = n; return nil }
}

// InvitationInput describes a new invitation. ExpiresIn 0 means the
// configured TTL.
type InvitationInput struct {
	Email     string        `json:"email"`
	Role      Role          `json:"role"`
	ExpiresIn time.Duration `json:"-"`
}

// InvitationQuery filters ListInvitations.
type InvitationQuery struct {
	Status InvitationStatus // only invitations in this status
	Page
}

// newToken returns a fresh token and its hash.
func newToken() (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// parseToken checks a token's shape and returns its hash.
func parseToken(token string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenBytes {
		return nil, false
	}
	return hashToken(token), true
}

// status is an invitation's effective status: pending past its expiry is
// expired.
func (s *Service) status(inv *Invitation) InvitationStatus {
	if inv.Status == InvitationPending && !s.clock().Before(inv.ExpiresAt) {
		return InvitationExpired
	}
	return inv.Status
}

// present prepares an invitation read from the Store for a caller: the
// computed status and IsExpired, and no token hash (callers see the token
// once, never its hash).
func (s *Service) present(inv *Invitation) *Invitation {
	inv.Status = s.status(inv)
	inv.IsExpired = inv.Status == InvitationExpired
	inv.TokenHash = nil
	return inv
}

// withToken sets the token and accept URL on an invitation being returned.
func (s *Service) withToken(inv *Invitation, token string) {
	inv.Token = token
	if base := s.invitations.AcceptURL; base != "" {
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		inv.AcceptURL = base + sep + "token=" + url.QueryEscape(token)
	}
}

// notify delivers inv after commit and records a failure on it.
func (s *Service) notify(ctx context.Context, org *Organization, inv *Invitation, resent bool) {
	if s.notifier == nil {
		return
	}
	if err := s.notifier.NotifyInvitation(ctx, InvitationNotice{Organization: *org, Invitation: *inv, Resent: resent}); err != nil {
		inv.DeliveryError = err.Error()
		s.logger.ErrorContext(ctx, "orgs: invitation delivery failed",
			"invitation_id", inv.ID, "organization_id", org.ID, "error", err)
	}
}

// CreateInvitation invites an email address with a role
// (PermInvitationsManage; only roles ranked at or below the actor's). It
// fails with ErrAlreadyMember when a member has that email (as recorded in
// the Store's directory), ErrAlreadyInvited when a pending invitation exists
// (unless ReplacePending), and ErrLimitExceeded past the pending-invitation
// or member limit (pending invitations count as members). The result carries
// the token and accept URL; they are never shown again.
func (s *Service) CreateInvitation(ctx context.Context, actor, slug string, in InvitationInput) (*Invitation, error) {
	var fe fieldErrors
	email, err := NormalizeEmail(in.Email)
	fe.check("email", err)
	fe.check("role", s.checkRole(in.Role))
	ttl := in.ExpiresIn
	if ttl == 0 {
		ttl = s.invitations.TTL
	}
	if ttl < MinInvitationTTL || ttl > MaxInvitationTTL {
		fe.add("expires_in", "must be between 1 hour and 30 days")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	inviter, err := s.lookupUser(ctx, actor)
	if err != nil {
		return nil, err
	}
	token, hash := newToken()
	now := s.clock()
	inv := &Invitation{
		ID: NewID(PrefixInvitation), Email: email, Role: in.Role, Status: InvitationPending,
		InvitedBy: actor, InviterUsername: inviter.Username, TokenHash: hash,
		LastSentAt: now, ExpiresAt: now.Add(ttl), CreatedAt: now, UpdatedAt: now,
	}
	var org *Organization
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err = s.lock(ctx, tx, actor, slug, PermInvitationsManage)
		if err != nil {
			return err
		}
		if err := s.mayGrant(org, in.Role); err != nil {
			return err
		}
		inv.OrganizationID = org.ID
		if err := s.checkNotMember(ctx, tx, org.ID, email); err != nil {
			return err
		}
		if err := s.retirePending(ctx, tx, actor, org.ID, email); err != nil {
			return err
		}
		if err := s.checkInvitationLimits(ctx, tx, org, now); err != nil {
			return err
		}
		if err := tx.InsertInvitation(ctx, inv); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "invitation.created",
			map[string]string{"invitation_id": inv.ID, "email": email, "role": string(in.Role)})
	})
	if err != nil {
		return nil, err
	}
	s.withToken(inv, token)
	s.notify(ctx, org, inv, false)
	return inv, nil
}

// checkInvitationLimits fails with ErrLimitExceeded when one more pending
// invitation would pass the pending-invitation or the member limit. Call with
// the organization locked.
func (s *Service) checkInvitationLimits(ctx context.Context, tx Tx, org *Organization, now time.Time) error {
	if max := s.limits.PendingInvitationsPerOrganization; max > 0 {
		n, err := tx.CountPendingInvitations(ctx, org.ID, now)
		if err != nil {
			return err
		}
		if n >= max {
			return ErrLimitExceeded
		}
	}
	return s.checkMemberLimit(ctx, tx, org)
}

// checkNotMember fails with ErrAlreadyMember when a member's recorded email
// is email.
func (s *Service) checkNotMember(ctx context.Context, tx Tx, orgID, email string) error {
	_, err := tx.FindMemberByEmail(ctx, orgID, email)
	switch {
	case err == nil:
		return ErrAlreadyMember
	case errors.Is(err, ErrNotFound):
		return nil
	}
	return err
}

// retirePending handles an existing pending invitation for email: an expired
// one is marked expired, a live one is revoked when ReplacePending is set and
// refused with ErrAlreadyInvited otherwise.
func (s *Service) retirePending(ctx context.Context, tx Tx, actor, orgID, email string) error {
	old, err := tx.FindPendingInvitation(ctx, orgID, email)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	now := s.clock()
	switch {
	case !now.Before(old.ExpiresAt):
		old.Status = InvitationExpired
	case s.invitations.ReplacePending:
		old.Status = InvitationRevoked
	default:
		return ErrAlreadyInvited
	}
	old.UpdatedAt = now
	if err := tx.UpdateInvitation(ctx, old); err != nil {
		return err
	}
	if old.Status == InvitationRevoked {
		return s.event(ctx, tx, orgID, actor, "invitation.revoked", map[string]string{"invitation_id": old.ID, "email": old.Email, "reason": "replaced"})
	}
	return nil
}

// GetInvitation returns one invitation, without its token
// (PermInvitationsManage).
func (s *Service) GetInvitation(ctx context.Context, actor, slug, id string) (*Invitation, error) {
	org, err := s.view(ctx, s.store, actor, slug, PermInvitationsManage)
	if err != nil {
		return nil, err
	}
	if !validID(PrefixInvitation, id) {
		return nil, ErrNotFound
	}
	inv, err := s.store.GetInvitation(ctx, org.ID, id)
	if err != nil {
		return nil, err
	}
	return s.present(inv), nil
}

// ListInvitations lists an organization's invitations, oldest first,
// optionally by status (PermInvitationsManage). Status "expired" lists
// pending invitations whose expiry has passed; "pending" only live ones.
func (s *Service) ListInvitations(ctx context.Context, actor, slug string, q InvitationQuery) (*List[Invitation], error) {
	r, err := q.Page.toRange()
	var fe fieldErrors
	fe.merge(err)
	switch q.Status {
	case "", InvitationPending, InvitationAccepted, InvitationRevoked, InvitationDeclined, InvitationExpired:
	default:
		fe.add("status", "must be pending, accepted, revoked, declined or expired")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	org, err := s.view(ctx, s.store, actor, slug, PermInvitationsManage)
	if err != nil {
		return nil, err
	}
	invs, err := s.store.ListInvitations(ctx, org.ID, InvitationFilter{Status: q.Status, Now: s.clock(), Range: r})
	if err != nil {
		return nil, err
	}
	for i := range invs {
		s.present(&invs[i])
	}
	return paginate(invs, r, Invitation.listKey), nil
}

// ResendInvitation rotates a pending (or expired) invitation's token — the
// old one stops working — extends its expiry by the TTL, counts the resend
// and delivers it again (PermInvitationsManage, and the actor must be allowed
// to grant the invitation's role: an admin cannot re-issue an owner's
// invitation). Resending sooner than MinResendInterval after the last send
// fails with ErrResendTooSoon.
func (s *Service) ResendInvitation(ctx context.Context, actor, slug, id string) (*Invitation, error) {
	if !validID(PrefixInvitation, id) {
		return nil, ErrNotFound
	}
	token, hash := newToken()
	var inv *Invitation
	var org *Organization
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		org, err = s.lock(ctx, tx, actor, slug, PermInvitationsManage)
		if err != nil {
			return err
		}
		if inv, err = tx.GetInvitation(ctx, org.ID, id); err != nil {
			return err
		}
		// A resend issues a fresh, live grant of the invitation's role.
		if err := s.mayGrant(org, inv.Role); err != nil {
			return err
		}
		if inv.Status != InvitationPending {
			return ErrInvitationNotPending
		}
		now := s.clock()
		if d := s.invitations.MinResendInterval; d > 0 && now.Sub(inv.LastSentAt) < d {
			return ErrResendTooSoon
		}
		if s.status(inv) == InvitationExpired {
			// An expired invitation held no seat and no pending slot;
			// reviving it takes both, so the limits apply as to a new one.
			if err := s.checkInvitationLimits(ctx, tx, org, now); err != nil {
				return err
			}
		}
		inv.TokenHash, inv.ResendCount, inv.LastSentAt = hash, inv.ResendCount+1, now
		inv.ExpiresAt, inv.UpdatedAt = now.Add(s.invitations.TTL), now
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "invitation.resent", map[string]string{"invitation_id": inv.ID, "email": inv.Email})
	})
	if err != nil {
		return nil, err
	}
	s.present(inv)
	s.withToken(inv, token)
	s.notify(ctx, org, inv, true)
	return inv, nil
}

// RevokeInvitation cancels a pending invitation (PermInvitationsManage, and
// the actor must be allowed to grant the invitation's role).
func (s *Service) RevokeInvitation(ctx context.Context, actor, slug, id string) error {
	if !validID(PrefixInvitation, id) {
		return ErrNotFound
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermInvitationsManage)
		if err != nil {
			return err
		}
		inv, err := tx.GetInvitation(ctx, org.ID, id)
		if err != nil {
			return err
		}
		// Withdrawing a grant is managing it: the same rank as giving it.
		if err := s.mayGrant(org, inv.Role); err != nil {
			return err
		}
		if inv.Status != InvitationPending {
			return ErrInvitationNotPending
		}
		inv.Status, inv.UpdatedAt = InvitationRevoked, s.clock()
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "invitation.revoked", map[string]string{"invitation_id": inv.ID, "email": inv.Email})
	})
}

// respond runs the checks common to accepting and declining: the token names
// a pending, unexpired invitation whose email matches the actor's; then it
// calls fn with the organization locked.
func (s *Service) respond(ctx context.Context, actor, token string, fn func(ctx context.Context, tx Tx, inv *Invitation) error) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	hash, ok := parseToken(token)
	if !ok {
		return ErrNotFound
	}
	found, err := s.store.GetInvitationByTokenHash(ctx, hash)
	if err != nil {
		return err
	}
	var email string
	if !s.invitations.SkipEmailCheck {
		u, err := s.lookupUser(ctx, actor)
		if err != nil {
			return err
		}
		// The directory's email in its normal form, or none: an address
		// that does not normalize matches no invitation.
		email, _ = NormalizeEmail(u.Email)
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.LockOrganization(ctx, found.OrganizationID); err != nil {
			return err
		}
		inv, err := tx.GetInvitationByTokenHash(ctx, hash)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(inv.TokenHash, hash) != 1 {
			return ErrNotFound
		}
		switch s.status(inv) {
		case InvitationPending:
		case InvitationExpired:
			return ErrInvitationExpired
		default:
			return ErrInvitationNotPending
		}
		if !s.invitations.SkipEmailCheck && email != inv.Email {
			return ErrEmailMismatch
		}
		return fn(ctx, tx, inv)
	})
}

// AcceptInvitation makes the actor a member with the invited role and marks
// the invitation accepted, in one transaction. Of any number of concurrent
// accepts of one token exactly one succeeds; the others fail with
// ErrInvitationNotPending. It fails with ErrNotFound for an unknown token (or
// a deleted organization), ErrInvitationExpired, ErrEmailMismatch,
// ErrAlreadyMember, or ErrLimitExceeded when the organization is full.
func (s *Service) AcceptInvitation(ctx context.Context, actor, token string) (*Member, error) {
	var out *Member
	err := s.respond(ctx, actor, token, func(ctx context.Context, tx Tx, inv *Invitation) error {
		if max := s.limits.MembersPerOrganization; max > 0 {
			n, err := tx.CountMembers(ctx, inv.OrganizationID, "")
			if err != nil {
				return err
			}
			if n >= max {
				return ErrLimitExceeded
			}
		}
		now := s.clock()
		if err := tx.InsertMember(ctx, &Member{OrganizationID: inv.OrganizationID, UserID: actor, Role: inv.Role, JoinedAt: now}); err != nil {
			return err
		}
		inv.Status, inv.AcceptedBy, inv.UpdatedAt = InvitationAccepted, actor, now
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		if err := s.event(ctx, tx, inv.OrganizationID, actor, "invitation.accepted",
			map[string]string{"invitation_id": inv.ID, "user_id": actor, "role": string(inv.Role)}); err != nil {
			return err
		}
		var err error
		out, err = s.member(ctx, tx, inv.OrganizationID, actor)
		return err
	})
	return out, err
}

// DeclineInvitation marks the invitation declined. The same checks as
// AcceptInvitation apply.
func (s *Service) DeclineInvitation(ctx context.Context, actor, token string) error {
	return s.respond(ctx, actor, token, func(ctx context.Context, tx Tx, inv *Invitation) error {
		inv.Status, inv.UpdatedAt = InvitationDeclined, s.clock()
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return s.event(ctx, tx, inv.OrganizationID, actor, "invitation.declined",
			map[string]string{"invitation_id": inv.ID, "user_id": actor})
	})
}
