package orgs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
)

// MaxBulkRows is the most rows one bulk call (AddMembers,
// CreateInvitations, AddTeamMembers, CreateTeam's members) takes: an import
// of 10,000 members is one call.
const MaxBulkRows = 10_000

// BulkMode says what a bulk operation does with a row it cannot write: a
// malformed row, a member already there, a role the actor may not grant, a
// row past a limit.
type BulkMode int

const (
	// AllOrNothing fails the whole call at the first row that cannot be
	// written — its error is a *RowError naming the row — and writes
	// nothing.
	AllOrNothing BulkMode = iota
	// SkipFailed writes every row that can be written, in one transaction,
	// and reports each other row in BulkResult.Failed with its error.
	SkipFailed
)

// RowError is the failure of one row of a bulk call: errors.Is and
// errors.As see through it to the row's error (ErrAlreadyMember, a
// *ValidationError, …).
type RowError struct {
	Index int // the row's position in the call's input
	Err   error
}

func (e *RowError) Error() string { return fmt.Sprintf("orgs: row %d: %v", e.Index, e.Err) }

// Unwrap returns the row's error.
func (e *RowError) Unwrap() error { return e.Err }

// BulkResult is what a bulk call wrote, and, in SkipFailed mode, the rows
// it did not.
type BulkResult[T any] struct {
	Done   []T        // the rows written, in input order
	Failed []RowError // the rows not written, in input order
}

// MemberInput is one user to add with AddMembers.
type MemberInput struct {
	UserID string `json:"user_id"`
	Role   Role   `json:"role"`
}

// errNothingWritten ends a bulk change in which every row failed: there is
// nothing to write and no event to record.
var errNothingWritten = errors.New("orgs: nothing to write")

// bulkRows checks a bulk call's row count.
func bulkRows(n int) error {
	if n == 0 {
		return invalid("rows", "must not be empty")
	}
	if n > MaxBulkRows {
		return invalid("rows", fmt.Sprintf("at most %d in one call", MaxBulkRows))
	}
	return nil
}

// bulk tracks the rows of a bulk call: which failed, by mode.
type bulk struct {
	mode   BulkMode
	failed []RowError
	bad    map[int]bool
}

func newBulk(mode BulkMode) *bulk { return &bulk{mode: mode, bad: map[int]bool{}} }

// fail records row i's failure; in AllOrNothing mode it returns the error
// that ends the call.
func (b *bulk) fail(i int, err error) error {
	b.failed = append(b.failed, RowError{Index: i, Err: err})
	b.bad[i] = true
	if b.mode == AllOrNothing {
		return &b.failed[len(b.failed)-1]
	}
	return nil
}

// sorted returns the failures in input order (a row validated early may
// fail after one checked under the lock).
func (b *bulk) sorted() []RowError {
	slices.SortStableFunc(b.failed, func(x, y RowError) int { return cmp.Compare(x.Index, y.Index) })
	return b.failed
}

// AddMembers adds users as members directly, as AddMember does each, in one
// transaction, for imports (PermMembersManage): up to MaxBulkRows rows, the
// memberships and their member.added events written in a few statements on
// a store with BulkWriter. Each row is checked as AddMember checks it — a
// malformed user ID or role (*ValidationError), a role the actor may not
// grant (ErrForbidden), a user who is a member already or listed twice
// (ErrAlreadyMember) — and the member limit counts them all: rows past it
// fail with ErrLimitExceeded. mode says whether one failed row fails the
// call (AllOrNothing: a *RowError, nothing written) or is reported in the
// result (SkipFailed). The result's members carry their profiles.
func (s *Service) AddMembers(ctx context.Context, actor Actor, slug string, rows []MemberInput, mode BulkMode) (*BulkResult[Member], error) {
	if err := bulkRows(len(rows)); err != nil {
		return nil, err
	}
	b := newBulk(mode)
	var users []string
	for i, r := range rows {
		var fe fieldErrors
		fe.check("user_id", validateUserID(r.UserID))
		fe.check("role", s.checkRole(r.Role))
		if err := fe.err(); err != nil {
			if err := b.fail(i, err); err != nil {
				return nil, err
			}
			continue
		}
		users = append(users, r.UserID)
	}
	now := s.clock()
	reads := s.limitReads(now)
	reads.Members, reads.Users = users, s.profileReads(users...)
	done, err := mutateReading(ctx, s, actor, slug, PermMembersManage, reads, func(m *mutation) ([]Member, error) {
		var add []Member
		seen := make(map[string]bool, len(rows))
		for i, r := range rows {
			if b.bad[i] {
				continue
			}
			var err error
			if _, ok := m.got.Members[r.UserID]; ok || seen[r.UserID] {
				err = ErrAlreadyMember
			} else if err = s.mayGrant(m, r.Role); err == nil {
				err = s.checkMemberLimit(m, len(add)+1, 0)
			}
			if err != nil {
				if err := b.fail(i, err); err != nil {
					return nil, err
				}
				continue
			}
			seen[r.UserID] = true
			add = append(add, *s.newMember(m.org.ID, r.UserID, r.Role))
		}
		if len(add) == 0 {
			return nil, errNothingWritten
		}
		if err := insertMembers(m.ctx, m.tx, add); err != nil {
			return nil, err
		}
		for i := range add {
			m.record(EventMemberAdded, map[string]string{"user_id": add[i].UserID, "role": string(add[i].Role)})
			if s.directory == nil {
				setMemberProfile(&add[i], m.got.Users[add[i].UserID])
			}
		}
		return add, nil
	})
	if err != nil && !errors.Is(err, errNothingWritten) {
		return nil, err
	}
	if err := s.memberProfiles(ctx, done); err != nil {
		return nil, err
	}
	return &BulkResult[Member]{Done: done, Failed: b.sorted()}, nil
}

// CreateInvitations invites many emails, as CreateInvitation does each, in
// one transaction, for imports (PermInvitationsManage): up to MaxBulkRows
// rows, the invitations and their invitation.created events written in a
// few statements on a store with BulkWriter. Each row is checked as
// CreateInvitation checks it — a malformed email, role or expiry
// (*ValidationError), a role the actor may not grant (ErrForbidden), an
// email of a member (ErrAlreadyMember), one with a pending invitation or
// listed twice (ErrAlreadyInvited, unless ReplacePending) — and the limits
// count them all: rows past one fail with ErrLimitExceeded. mode says
// whether one failed row fails the call (AllOrNothing: a *RowError,
// nothing written) or is reported in the result (SkipFailed). After the
// commit each invitation is delivered by the Notifier, one call each; the
// result's invitations carry their tokens and accept URLs, shown only now.
func (s *Service) CreateInvitations(ctx context.Context, actor Actor, slug string, rows []InvitationInput, mode BulkMode) (*BulkResult[Invitation], error) {
	if err := bulkRows(len(rows)); err != nil {
		return nil, err
	}
	if err := actor.check(); err != nil {
		return nil, err
	}
	b := newBulk(mode)
	now := s.clock()
	invs := make([]Invitation, len(rows))
	tokens := make([]string, len(rows))
	var emails []string
	inviters := map[string]bool{}
	for i, in := range rows {
		email, ttl, err := s.checkInvitation(actor, in)
		if err != nil {
			if err := b.fail(i, err); err != nil {
				return nil, err
			}
			continue
		}
		inviterID := cmp.Or(in.InviterUserID, actor.userID)
		id, now := s.newIDAt(PrefixInvitation)
		token, hash := newToken()
		tokens[i] = token
		invs[i] = Invitation{ID: id, Email: email, Role: in.Role, Status: InvitationPending,
			InvitedBy: inviterID, TokenHash: hash, LastSentAt: now, ExpiresAt: now.Add(ttl), CreatedAt: now, UpdatedAt: now}
		emails = append(emails, email)
		if inviterID != "" {
			inviters[inviterID] = true
		}
	}
	reads := s.limitReads(now)
	reads.MemberEmails, reads.PendingEmails = emails, emails
	// The inviters' profiles (from the host's directory: now, before the
	// transaction).
	profiles := map[string]User{}
	var err error
	for id := range inviters {
		if s.directory == nil {
			reads.Users = append(reads.Users, id)
		} else if profiles[id], err = s.lookupUser(ctx, id); err != nil {
			return nil, err
		}
	}
	type result struct {
		org  *Organization
		done []int // rows written
	}
	r, err := mutateReading(ctx, s, actor, slug, PermInvitationsManage, reads, func(m *mutation) (result, error) {
		var done []int
		var retire []*Invitation
		seen := make(map[string]bool, len(rows))
		adding, freed := 0, 0
		for i := range rows {
			if b.bad[i] {
				continue
			}
			inv := &invs[i]
			var old *Invitation
			var frees int
			err := s.mayGrant(m, inv.Role)
			if err == nil {
				err = s.checkNotMember(m, inv.Email)
			}
			if err == nil && seen[inv.Email] {
				err = ErrAlreadyInvited
			}
			if err == nil {
				old, frees, err = s.retirement(m, inv.Email, now)
			}
			if err == nil {
				err = s.checkInvitationLimits(m, adding+1, freed+frees)
			}
			if err != nil {
				if err := b.fail(i, err); err != nil {
					return result{}, err
				}
				continue
			}
			seen[inv.Email] = true
			adding, freed = adding+1, freed+frees
			if old != nil {
				retire = append(retire, old)
			}
			done = append(done, i)
		}
		if len(done) == 0 {
			return result{}, errNothingWritten
		}
		for _, old := range retire {
			if err := s.retire(m, old); err != nil {
				return result{}, err
			}
		}
		add := make([]Invitation, len(done))
		for j, i := range done {
			inviter := profiles[invs[i].InvitedBy]
			if s.directory == nil {
				inviter = m.got.Users[invs[i].InvitedBy]
			}
			invs[i].OrganizationID, invs[i].InviterUsername = m.org.ID, inviter.Username
			add[j] = invs[i]
		}
		if err := insertInvitations(m.ctx, m.tx, add); err != nil {
			return result{}, err
		}
		for _, inv := range add {
			m.record(EventInvitationCreated, map[string]string{"invitation_id": inv.ID, "email": inv.Email, "role": string(inv.Role)})
		}
		return result{m.org, done}, nil
	})
	if err != nil && !errors.Is(err, errNothingWritten) {
		return nil, err
	}
	out := &BulkResult[Invitation]{Done: make([]Invitation, 0, len(r.done)), Failed: b.sorted()}
	for _, i := range r.done {
		inv := invs[i]
		s.withToken(&inv, tokens[i])
		s.notify(ctx, r.org, &inv, false)
		out.Done = append(out.Done, inv)
	}
	return out, nil
}
