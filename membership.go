package orgs

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// PrefixMembership prefixes membership IDs ("om_…", as WorkOS spells them).
const PrefixMembership = "om_"

// MembershipStatus says whether a membership is in force.
type MembershipStatus string

// Membership statuses.
//
// An inactive member keeps its row, its role and its team memberships, and
// still holds its seat (Limits.MembersPerOrganization counts it: reactivating
// needs no free seat), but has no permission anywhere in the organization:
// the Service reads the organization for it as for a user who is no member
// (a private organization does not exist for it, a public one shows its
// public view), it is left out of its organization list, and it cannot be
// made owner by a transfer until reactivated. The last-owner rule counts
// active owners only: deactivating, demoting or removing the last active
// owner fails with ErrLastOwner.
//
// MembershipPending is WorkOS's status of a membership created by an
// invitation not yet accepted. This library creates a membership only when
// an invitation is accepted, so no membership is ever pending; the value
// exists so that a filter naming it (the WorkOS API's statuses=pending) is
// valid and matches nothing.
const (
	MembershipActive   MembershipStatus = "active"
	MembershipInactive MembershipStatus = "inactive"
	MembershipPending  MembershipStatus = "pending"
)

func (m Member) membershipKey() string { return m.ID }

// newMember builds an active membership created now.
func (s *Service) newMember(orgID, userID string, role Role) *Member {
	id, now := s.newIDAt(PrefixMembership)
	return &Member{ID: id, OrganizationID: orgID, UserID: userID, Role: role,
		Status: MembershipActive, JoinedAt: now, UpdatedAt: now}
}

// errNoMemberships is the refusal of a call that needs the Memberships
// capability on a Store without it.
var errNoMemberships = fmt.Errorf("orgs: the store does not implement orgs.Memberships: %w", errors.ErrUnsupported)

// countActive counts the organization's active members with role: with the
// Memberships capability, else every member (without it none is inactive).
func countActive(ctx context.Context, r Reader, orgID string, role Role) (int, error) {
	if ms, ok := r.(Memberships); ok {
		return ms.CountActiveMembers(ctx, orgID, role)
	}
	return r.CountMembers(ctx, orgID, role)
}

// writeRole sets mb's role in the change's transaction, moving UpdatedAt
// where the store keeps it.
func (s *Service) writeRole(m *mutation, mb *Member, role Role) error {
	mb.Role = role
	ms, ok := m.tx.(Memberships)
	if !ok {
		return m.tx.UpdateMemberRole(m.ctx, mb.OrganizationID, mb.UserID, role)
	}
	if mb.Status == "" {
		mb.Status = MembershipActive
	}
	mb.UpdatedAt = s.clock()
	return ms.UpdateMember(m.ctx, mb)
}

// MembershipQuery filters ListMemberships: the memberships of an
// organization (Organization, a slug or ID), of a user (UserID), or both;
// at least one is required. Statuses is an any-of filter (every status when
// empty). Lists are in membership-ID (creation) order; Page.Descending
// reverses it.
type MembershipQuery struct {
	Organization string
	UserID       string
	Statuses     []MembershipStatus
	Page
}

// GetMembership returns a membership by its ID, with the user's profile and
// the organization's name (PermMembersRead in its organization).
func (s *Service) GetMembership(ctx context.Context, actor Actor, id string) (*Member, error) {
	mb, err := s.findMembership(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.view(ctx, actor, mb.OrganizationID, PermMembersRead); err != nil {
		return nil, err
	}
	ms := []Member{*mb}
	if err := s.memberProfiles(ctx, ms); err != nil {
		return nil, err
	}
	return &ms[0], nil
}

// findMembership reads a membership by ID from the store, outside a
// transaction.
func (s *Service) findMembership(ctx context.Context, actor Actor, id string) (*Member, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	ms, ok := s.store.(Memberships)
	if !ok {
		return nil, errNoMemberships
	}
	if !validID(PrefixMembership, id) {
		return nil, ErrNotFound
	}
	return ms.GetMembership(ctx, id)
}

// ListMemberships lists memberships by organization and/or user, with
// profiles and organization names, filtered by status. The system caller
// may list any; a user the memberships of an organization where it holds
// PermMembersRead, or its own.
func (s *Service) ListMemberships(ctx context.Context, actor Actor, q MembershipQuery) (*List[Member], error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	r, err := q.Page.orderedRange(PrefixMembership)
	var fe fieldErrors
	fe.merge(err)
	if q.Organization == "" && q.UserID == "" {
		fe.add("organization_id", "organization or user_id is required")
	}
	if q.UserID != "" {
		fe.check("user_id", validateUserID(q.UserID))
	}
	for _, st := range q.Statuses {
		if !slices.Contains([]MembershipStatus{MembershipActive, MembershipInactive, MembershipPending}, st) {
			fe.add("statuses", "must be active, inactive or pending")
			break
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	ms, ok := s.store.(Memberships)
	if !ok {
		return nil, errNoMemberships
	}
	f := MembershipFilter{UserID: q.UserID, Statuses: q.Statuses, Range: r}
	if q.Organization != "" {
		org, err := s.view(ctx, actor, q.Organization, PermMembersRead)
		if err != nil {
			return nil, err
		}
		f.OrganizationID = org.ID
	} else if !actor.system && q.UserID != actor.userID {
		return nil, ErrForbidden
	}
	items, err := ms.ListMemberships(ctx, f)
	if err != nil {
		return nil, err
	}
	l := paginateOrdered(items, r, Member.membershipKey, q.Page, PrefixMembership)
	return l, s.memberProfiles(ctx, l.Data)
}

// errUnchanged ends a membership change that had nothing to do (a
// deactivation of an inactive membership): it writes and records nothing.
var errUnchanged = errors.New("orgs: unchanged")

// changeMembership runs change on the membership with the ID, locked with
// its organization, after the rank rule (PermMembersManage, and a user must
// be allowed to act on the member's role). It returns the membership as
// change left it, with profile and organization name.
func (s *Service) changeMembership(ctx context.Context, actor Actor, id string, change func(m *mutation, mb *Member) error) (*Member, error) {
	found, err := s.findMembership(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var unchanged *Member
	out, err := mutate(ctx, s, actor, found.OrganizationID, PermMembersManage, func(m *mutation) (*Member, error) {
		ms, ok := m.tx.(Memberships)
		if !ok {
			return nil, errNoMemberships
		}
		mb, err := ms.GetMembership(m.ctx, id)
		if err != nil {
			return nil, err
		}
		if mb.OrganizationID != m.org.ID {
			return nil, ErrNotFound
		}
		if err := s.mayActOn(m, mb.Role); err != nil {
			return nil, err
		}
		mb.OrganizationName = m.org.Name
		if err := change(m, mb); errors.Is(err, errUnchanged) {
			unchanged = mb
			return nil, err
		} else if err != nil {
			return nil, err
		}
		return mb, nil
	})
	if unchanged != nil {
		out, err = unchanged, nil
	}
	if err != nil {
		return nil, err
	}
	ms := []Member{*out}
	if err := s.memberProfiles(ctx, ms); err != nil {
		return nil, err
	}
	return &ms[0], nil
}

// UpdateMembership changes a membership's role, by membership ID, under the
// rules of UpdateMemberRole (demoting the last active owner fails with
// ErrLastOwner). Its status is kept.
func (s *Service) UpdateMembership(ctx context.Context, actor Actor, id string, role Role) (*Member, error) {
	if err := s.checkRole(role); err != nil {
		return nil, err
	}
	return s.changeMembership(ctx, actor, id, func(m *mutation, mb *Member) error {
		if err := s.mayGrant(m, role); err != nil {
			return err
		}
		if role != RoleOwner {
			if err := keepsOwner(m, mb); err != nil {
				return err
			}
		}
		from := mb.Role
		if err := s.writeRole(m, mb, role); err != nil {
			return err
		}
		m.record(EventMemberRoleUpdated, map[string]string{"user_id": mb.UserID, "from": string(from), "to": string(role)})
		return nil
	})
}

// DeleteMembership removes a membership, by membership ID, and the user's
// team memberships, under the rules of RemoveMember (the last active owner
// stays: ErrLastOwner).
func (s *Service) DeleteMembership(ctx context.Context, actor Actor, id string) error {
	_, err := s.changeMembership(ctx, actor, id, func(m *mutation, mb *Member) error {
		if err := keepsOwner(m, mb); err != nil {
			return err
		}
		if err := m.tx.DeleteMember(m.ctx, m.org.ID, mb.UserID); err != nil {
			return err
		}
		m.record(EventMemberRemoved, map[string]string{"user_id": mb.UserID, "role": string(mb.Role)})
		return nil
	})
	return err
}

// DeactivateMembership makes a membership inactive (see
// MembershipInactive), keeping its role, and records member.deactivated
// (PermMembersManage and the rank rule). Deactivating the last active owner
// fails with ErrLastOwner, for the system caller too. Deactivating an
// inactive membership changes nothing and returns it.
func (s *Service) DeactivateMembership(ctx context.Context, actor Actor, id string) (*Member, error) {
	return s.setStatus(ctx, actor, id, MembershipInactive, EventMemberDeactivated)
}

// ReactivateMembership makes an inactive membership active again, with its
// role, and records member.reactivated. It needs no free seat: an inactive
// member holds its seat. Reactivating an active membership changes nothing.
func (s *Service) ReactivateMembership(ctx context.Context, actor Actor, id string) (*Member, error) {
	return s.setStatus(ctx, actor, id, MembershipActive, EventMemberReactivated)
}

func (s *Service) setStatus(ctx context.Context, actor Actor, id string, status MembershipStatus, typ EventType) (*Member, error) {
	return s.changeMembership(ctx, actor, id, func(m *mutation, mb *Member) error {
		if mb.Status == status {
			return errUnchanged
		}
		if status == MembershipInactive {
			if err := keepsOwner(m, mb); err != nil {
				return err
			}
		}
		mb.Status, mb.UpdatedAt = status, s.clock()
		if err := m.tx.(Memberships).UpdateMember(m.ctx, mb); err != nil {
			return err
		}
		m.record(typ, map[string]string{"user_id": mb.UserID, "membership_id": mb.ID, "role": string(mb.Role)})
		return nil
	})
}
