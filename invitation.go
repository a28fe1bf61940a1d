package orgs

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
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
	// SystemMinResendInterval is MinResendInterval for resends by the
	// system caller (the host's backend, the WorkOS-compatible API), which
	// by default may resend at any time, as WorkOS allows (0: no minimum).
	SystemMinResendInterval time.Duration
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
// configured TTL; ExpiresInDays, when set, gives it in whole days instead
// (1–30; not with ExpiresIn).
//
// InviterUserID records who invites when that is not the actor: only the
// system caller may set it (inviting on behalf of a user, who need not be a
// member, or even known); a user who sets it to anything but its own ID
// gets a validation error. Without it the inviter is the acting user, or
// nobody for the system caller.
type InvitationInput struct {
	Email         string        `json:"email"`
	Role          Role          `json:"role"`
	ExpiresIn     time.Duration `json:"-"`
	ExpiresInDays int           `json:"-"`
	InviterUserID string        `json:"-"`
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
			"orgs.invitation.id", inv.ID, AttrOrganization, org.ID, "error", err)
	}
}

// CreateInvitation invites an email address with a role
// (PermInvitationsManage; a user may invite only to roles ranked at or below
// its own). It fails with ErrAlreadyMember when a member has that email (as
// recorded in the Store's directory), ErrAlreadyInvited when a pending
// invitation exists (unless ReplacePending), and ErrLimitExceeded past the
// pending-invitation or member limit (pending invitations count as members).
// The result carries the token and accept URL; they are never shown again.
func (s *Service) CreateInvitation(ctx context.Context, actor Actor, slug string, in InvitationInput) (*Invitation, error) {
	email, ttl, err := s.checkInvitation(actor, in)
	if err != nil {
		return nil, err
	}
	if err := actor.check(); err != nil {
		return nil, err
	}
	inviterID := cmp.Or(in.InviterUserID, actor.userID)
	id, now := s.newIDAt(PrefixInvitation)
	r, inviter, err := s.invitationReads(ctx, inviterID, now, email)
	if err != nil {
		return nil, err
	}
	token, hash := newToken()
	inv := &Invitation{
		ID: id, Email: email, Role: in.Role, Status: InvitationPending,
		InvitedBy: inviterID, TokenHash: hash,
		LastSentAt: now, ExpiresAt: now.Add(ttl), CreatedAt: now, UpdatedAt: now,
	}
	org, err := mutateReading(ctx, s, actor, slug, PermInvitationsManage, r, func(m *mutation) (*Organization, error) {
		if err := s.mayGrant(m, in.Role); err != nil {
			return nil, err
		}
		inv.OrganizationID = m.org.ID
		inv.InviterUsername = inviter(m).Username
		if err := s.checkNotMember(m, email); err != nil {
			return nil, err
		}
		retire, freed, err := s.retirement(m, email, now)
		if err != nil {
			return nil, err
		}
		if err := s.checkInvitationLimits(m, 1, freed); err != nil {
			return nil, err
		}
		if err := s.retire(m, retire); err != nil {
			return nil, err
		}
		if err := m.tx.InsertInvitation(m.ctx, inv); err != nil {
			return nil, err
		}
		m.record(EventInvitationCreated, map[string]string{"invitation_id": inv.ID, "email": email, "role": string(in.Role)})
		return m.org, nil
	})
	if err != nil {
		return nil, err
	}
	s.withToken(inv, token)
	s.notify(ctx, org, inv, false)
	return inv, nil
}

// invitationReads is what inviting emails reads with the lock: the members
// and pending invitations with those emails, the pending invitations'
// count when a limit needs it, and the inviter's profile (from the store's
// users; from the host's directory, the profile is looked up now, before
// the transaction). inviter returns the inviter's profile within the
// change.
func (s *Service) invitationReads(ctx context.Context, inviterID string, now time.Time, emails ...string) (Reads, func(m *mutation) User, error) {
	r := s.limitReads(now)
	r.MemberEmails, r.PendingEmails = emails, emails
	var user User
	inviter := func(m *mutation) User {
		if s.directory == nil {
			return m.got.Users[inviterID]
		}
		return user
	}
	if inviterID == "" {
		return r, func(*mutation) User { return User{} }, nil
	}
	if s.directory == nil {
		r.Users = []string{inviterID}
		return r, inviter, nil
	}
	var err error
	user, err = s.lookupUser(ctx, inviterID)
	return r, inviter, err
}

// checkInvitation validates an invitation's input and returns its
// normalized email and its time to live.
func (s *Service) checkInvitation(actor Actor, in InvitationInput) (email string, ttl time.Duration, err error) {
	var fe fieldErrors
	email, err = NormalizeEmail(in.Email)
	fe.check("email", err)
	fe.check("role", s.checkRole(in.Role))
	ttl = in.ExpiresIn
	switch {
	case in.ExpiresInDays != 0 && in.ExpiresIn != 0:
		fe.add("expires_in_days", "cannot be combined with expires_in")
	case in.ExpiresInDays < 0 || in.ExpiresInDays > 30:
		fe.add("expires_in_days", "must be between 1 and 30")
	case in.ExpiresInDays != 0:
		ttl = time.Duration(in.ExpiresInDays) * 24 * time.Hour
	case ttl == 0:
		ttl = s.invitations.TTL
	}
	if ttl != 0 && (ttl < MinInvitationTTL || ttl > MaxInvitationTTL) {
		fe.add("expires_in", "must be between 1 hour and 30 days")
	}
	if in.InviterUserID != "" {
		fe.check("inviter_user_id", validateUserID(in.InviterUserID))
		if !actor.system && in.InviterUserID != actor.userID {
			fe.add("inviter_user_id", "only the system caller invites on behalf of another user")
		}
	}
	return email, ttl, fe.err()
}

// checkInvitationLimits fails with ErrLimitExceeded when adding pending
// invitations would pass the pending-invitation or the member limit, freed
// pending invitations of the change being revoked. It counts them as the
// change read them with the lock (limitReads).
func (s *Service) checkInvitationLimits(m *mutation, adding, freed int) error {
	if max := s.limits.PendingInvitationsPerOrganization; max > 0 {
		pending, err := s.pending(m)
		if err != nil {
			return err
		}
		if pending-freed+adding > max {
			return ErrLimitExceeded
		}
	}
	return s.checkMemberLimit(m, adding, freed)
}

// checkNotMember fails with ErrAlreadyMember when a member's recorded email
// is email (as the change read it with the lock: Reads.MemberEmails).
func (s *Service) checkNotMember(m *mutation, email string) error {
	if _, ok := m.got.MemberByEmail[email]; ok {
		return ErrAlreadyMember
	}
	return nil
}

// retirement decides what becomes of the pending invitation for email, as
// the change read it with the lock (Reads.PendingEmails): an expired one is
// to be marked expired, a live one revoked when ReplacePending is set — it
// then frees a pending slot — and refused with ErrAlreadyInvited otherwise.
// It returns the invitation to write (nil when there is none).
func (s *Service) retirement(m *mutation, email string, now time.Time) (old *Invitation, freed int, err error) {
	inv, ok := m.got.PendingByEmail[email]
	if !ok {
		return nil, 0, nil
	}
	switch {
	case !now.Before(inv.ExpiresAt):
		inv.Status = InvitationExpired
	case s.invitations.ReplacePending:
		inv.Status, freed = InvitationRevoked, 1
	default:
		return nil, 0, ErrAlreadyInvited
	}
	inv.UpdatedAt = now
	return &inv, freed, nil
}

// retire writes a retirement, and records a revocation.
func (s *Service) retire(m *mutation, old *Invitation) error {
	if old == nil {
		return nil
	}
	if err := m.tx.UpdateInvitation(m.ctx, old); err != nil {
		return err
	}
	if old.Status == InvitationRevoked {
		m.record(EventInvitationRevoked, map[string]string{"invitation_id": old.ID, "email": old.Email, "reason": "replaced"})
	}
	return nil
}

// GetInvitation returns one invitation, without its token
// (PermInvitationsManage).
func (s *Service) GetInvitation(ctx context.Context, actor Actor, slug, id string) (*Invitation, error) {
	org, err := s.view(ctx, actor, slug, PermInvitationsManage)
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
func (s *Service) ListInvitations(ctx context.Context, actor Actor, slug string, q InvitationQuery) (*List[Invitation], error) {
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
	org, err := s.view(ctx, actor, slug, PermInvitationsManage)
	if err != nil {
		return nil, err
	}
	invs, err := s.store.ListInvitations(ctx, InvitationFilter{OrganizationID: org.ID, Status: q.Status, Now: s.clock(), Range: r})
	if err != nil {
		return nil, err
	}
	for i := range invs {
		s.present(&invs[i])
	}
	return paginate(invs, r, Invitation.listKey), nil
}

// invitationRead is what a change of the invitation id reads with the
// lock: the invitation (nothing for an ID that cannot be one).
func invitationRead(id string) Reads {
	if !validID(PrefixInvitation, id) {
		return Reads{}
	}
	return Reads{Invitation: id}
}

// invitation finds the invitation of the change's organization, as the
// change read it with the lock (invitationRead), and checks the actor may
// grant its role: renewing or withdrawing a grant takes the same rank as
// giving it.
func (s *Service) invitation(m *mutation, id string) (*Invitation, error) {
	inv := m.got.Invitation
	if inv == nil || inv.ID != id {
		return nil, ErrNotFound
	}
	if err := s.mayGrant(m, inv.Role); err != nil {
		return nil, err
	}
	return inv, nil
}

// ResendInvitation rotates a pending (or expired) invitation's token — the
// old one stops working — extends its expiry by the TTL, counts the resend
// and delivers it again (PermInvitationsManage, and a user must be allowed
// to grant the invitation's role: an admin cannot re-issue an owner's
// invitation). Resending sooner than MinResendInterval after the last send
// fails with ErrResendTooSoon.
func (s *Service) ResendInvitation(ctx context.Context, actor Actor, slug, id string) (*Invitation, error) {
	token, hash := newToken()
	type result struct {
		inv *Invitation
		org *Organization
	}
	now := s.clock()
	reads := s.limitReads(now)
	reads.Invitation = invitationRead(id).Invitation
	r, err := mutateReading(ctx, s, actor, slug, PermInvitationsManage, reads, func(m *mutation) (result, error) {
		inv, err := s.invitation(m, id)
		if err != nil {
			return result{}, err
		}
		if inv.Status != InvitationPending {
			return result{}, ErrInvitationNotPending
		}
		if d := s.resendInterval(m.actor); d > 0 && now.Sub(inv.LastSentAt) < d {
			return result{}, ErrResendTooSoon
		}
		if !now.Before(inv.ExpiresAt) {
			// An expired invitation held no seat and no pending slot;
			// reviving it takes both, so the limits apply as to a new one.
			if err := s.checkInvitationLimits(m, 1, 0); err != nil {
				return result{}, err
			}
		}
		inv.TokenHash, inv.ResendCount, inv.LastSentAt = hash, inv.ResendCount+1, now
		inv.ExpiresAt, inv.UpdatedAt = now.Add(s.invitations.TTL), now
		if err := m.tx.UpdateInvitation(m.ctx, inv); err != nil {
			return result{}, err
		}
		m.record(EventInvitationResent, map[string]string{"invitation_id": inv.ID, "email": inv.Email})
		return result{inv, m.org}, nil
	})
	if err != nil {
		return nil, err
	}
	s.present(r.inv)
	s.withToken(r.inv, token)
	s.notify(ctx, r.org, r.inv, true)
	return r.inv, nil
}

// RevokeInvitation cancels a pending invitation (PermInvitationsManage, and
// a user must be allowed to grant the invitation's role).
func (s *Service) RevokeInvitation(ctx context.Context, actor Actor, slug, id string) error {
	_, err := mutateReading(ctx, s, actor, slug, PermInvitationsManage, invitationRead(id), func(m *mutation) (struct{}, error) {
		inv, err := s.invitation(m, id)
		if err != nil {
			return struct{}{}, err
		}
		if inv.Status != InvitationPending {
			return struct{}{}, ErrInvitationNotPending
		}
		now := s.clock()
		inv.Status, inv.UpdatedAt, inv.RevokedAt = InvitationRevoked, now, &now
		if err := m.tx.UpdateInvitation(m.ctx, inv); err != nil {
			return struct{}{}, err
		}
		m.record(EventInvitationRevoked, map[string]string{"invitation_id": inv.ID, "email": inv.Email})
		return struct{}{}, nil
	})
	return err
}

// respond runs the checks common to accepting and declining by token: the
// token names a pending, unexpired invitation whose email matches the acting
// user's (unless SkipEmailCheck); then it calls fn, as a change of the
// invitation's organization (locked).
func (s *Service) respond(ctx context.Context, actor Actor, token string, fn func(m *mutation, inv *Invitation) error) error {
	if err := checkInvitee(actor); err != nil {
		return err
	}
	hash, ok := parseToken(token)
	if !ok {
		return ErrNotFound
	}
	// The invitation, its organization (locked) and the acting user's
	// profile (from the store's users; from the host's directory, now,
	// before the transaction) are read together.
	r := Reads{InvitationTokenHash: hash, Users: s.profileReads(actor.userID)}
	email := func(*mutation) string { return "" }
	if check := !s.invitations.SkipEmailCheck; check && s.directory != nil {
		e, err := s.inviteeEmail(ctx, actor)
		if err != nil {
			return err
		}
		email = func(*mutation) string { return e }
	} else if check {
		// The store's email in its normal form, or none: an address that
		// does not normalize matches no invitation.
		email = func(m *mutation) string {
			e, _ := NormalizeEmail(m.got.Users[actor.userID].Email)
			return e
		}
	}
	return s.answer(ctx, actor, OrganizationKey{}, r, !s.invitations.SkipEmailCheck, email,
		func(m *mutation) (*Invitation, error) {
			inv := m.got.Invitation
			if inv == nil || subtle.ConstantTimeCompare(inv.TokenHash, hash) != 1 {
				return nil, ErrNotFound
			}
			return inv, nil
		}, fn)
}

// checkInvitee checks that actor is a user: an invitation is answered by
// the invited user, never by the system caller.
func checkInvitee(actor Actor) error {
	if err := actor.check(); err != nil {
		return err
	}
	if actor.system {
		return invalid("actor", "an invitation is answered by the invited user")
	}
	return nil
}

// inviteeEmail is the acting user's email from the directory, in its normal
// form, or "": an address that does not normalize matches no invitation.
func (s *Service) inviteeEmail(ctx context.Context, actor Actor) (string, error) {
	u, err := s.lookupUser(ctx, actor.userID)
	if err != nil {
		return "", err
	}
	email, _ := NormalizeEmail(u.Email)
	return email, nil
}

// answer is the locked half of accepting or declining: as a change of the
// organization key names (the zero key: that of the invitation whose token
// hash r names), reading r with the lock — the invitation, and the acting
// user's profile (profileReads) for join — it finds the invitation with
// find, checks that it is pending and unexpired and, when checkEmail, that
// it is addressed to email's address, and calls fn.
func (s *Service) answer(ctx context.Context, actor Actor, key OrganizationKey, r Reads, checkEmail bool, email func(m *mutation) string,
	find func(m *mutation) (*Invitation, error), fn func(m *mutation, inv *Invitation) error) error {
	_, err := changeLocked(ctx, s, actor, key, permNone, r, func(m *mutation) (struct{}, error) {
		inv, err := find(m)
		if err != nil {
			return struct{}{}, err
		}
		if inv.OrganizationID != m.org.ID {
			return struct{}{}, ErrNotFound
		}
		switch s.status(inv) {
		case InvitationPending:
		case InvitationExpired:
			return struct{}{}, ErrInvitationExpired
		default:
			return struct{}{}, ErrInvitationNotPending
		}
		if checkEmail && email(m) != inv.Email {
			return struct{}{}, ErrEmailMismatch
		}
		return struct{}{}, fn(m, inv)
	})
	return err
}

// AcceptInvitation makes the acting user a member with the invited role and
// marks the invitation accepted, in one transaction. Of any number of
// concurrent accepts of one token exactly one succeeds; the others fail with
// ErrInvitationNotPending. It fails with ErrNotFound for an unknown token (or
// a deleted organization), ErrInvitationExpired, ErrEmailMismatch,
// ErrAlreadyMember, or ErrLimitExceeded when the organization is full.
func (s *Service) AcceptInvitation(ctx context.Context, actor Actor, token string) (*Member, error) {
	var out *Member
	err := s.respond(ctx, actor, token, func(m *mutation, inv *Invitation) (err error) {
		out, err = s.join(m, inv)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// join makes the change's actor a member by inv, under the organization's
// lock, and marks inv accepted. The change read the actor's profile with
// the lock (profileReads).
func (s *Service) join(m *mutation, inv *Invitation) (*Member, error) {
	// The invitation held a seat until now: the members alone must leave
	// room for one more (the organization's count, read with the lock).
	if max := s.limits.MembersPerOrganization; max > 0 && m.org.MemberCount >= max {
		return nil, ErrLimitExceeded
	}
	now := s.clock()
	mb := s.newMember(inv.OrganizationID, m.actor.userID, inv.Role)
	mb.JoinedAt, mb.UpdatedAt = now, now
	if err := m.tx.InsertMember(m.ctx, mb); err != nil {
		return nil, err
	}
	inv.Status, inv.AcceptedBy, inv.UpdatedAt, inv.AcceptedAt = InvitationAccepted, m.actor.userID, now, &now
	if err := m.tx.UpdateInvitation(m.ctx, inv); err != nil {
		return nil, err
	}
	m.record(EventInvitationAccepted, map[string]string{"invitation_id": inv.ID, "user_id": m.actor.userID, "role": string(inv.Role)})
	return s.withProfile(m, *mb)
}

// DeclineInvitation marks the invitation declined. The same checks as
// AcceptInvitation apply.
func (s *Service) DeclineInvitation(ctx context.Context, actor Actor, token string) error {
	return s.respond(ctx, actor, token, s.decline)
}

// decline marks inv declined by the change's actor.
func (s *Service) decline(m *mutation, inv *Invitation) error {
	inv.Status, inv.UpdatedAt = InvitationDeclined, s.clock()
	if err := m.tx.UpdateInvitation(m.ctx, inv); err != nil {
		return err
	}
	m.record(EventInvitationDeclined, map[string]string{"invitation_id": inv.ID, "user_id": m.actor.userID})
	return nil
}
