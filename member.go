package orgs

import (
	"context"
	"time"
)

// Role names a member's role in an organization. The three built-in roles are
// ranked owner > admin > member; hosts register more with WithRole.
type Role string

// Built-in roles.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Permission names something a role allows.
type Permission string

// Permissions checked by the Service.
const (
	PermOrgRead           Permission = "org:read"
	PermOrgUpdate         Permission = "org:update"
	PermOrgDelete         Permission = "org:delete"
	PermMembersRead       Permission = "members:read"
	PermMembersManage     Permission = "members:manage"
	PermInvitationsManage Permission = "invitations:manage"
	PermTeamsManage       Permission = "teams:manage"
	PermCategoriesManage  Permission = "categories:manage"
	PermPipelinesManage   Permission = "pipelines:manage"
	PermDomainsManage     Permission = "domains:manage"
	PermOwnershipTransfer Permission = "ownership:transfer"
	PermEventsRead        Permission = "events:read"
	// PermRolesManage ("roles:manage") is declared with the host
	// permissions, in permission.go.
)

// AllPermissions lists every permission the Service checks.
var AllPermissions = []Permission{
	PermOrgRead, PermOrgUpdate, PermOrgDelete, PermMembersRead, PermMembersManage,
	PermInvitationsManage, PermTeamsManage, PermCategoriesManage, PermPipelinesManage,
	PermDomainsManage, PermOwnershipTransfer, PermEventsRead, PermRolesManage, PermWebhooksManage,
}

// RoleDef defines a role: its rank and what it may do. A higher rank outranks
// a lower one. An actor may change or remove only members ranked below itself
// (owners may act on owners) and may grant only roles ranked at or below its
// own.
type RoleDef struct {
	Name        Role
	Rank        int
	Permissions []Permission
}

// Built-in role definitions.
var (
	OwnerRole = RoleDef{Name: RoleOwner, Rank: 300, Permissions: AllPermissions}
	AdminRole = RoleDef{Name: RoleAdmin, Rank: 200, Permissions: []Permission{
		PermOrgRead, PermOrgUpdate, PermMembersRead, PermMembersManage, PermInvitationsManage,
		PermTeamsManage, PermCategoriesManage, PermPipelinesManage, PermDomainsManage, PermEventsRead,
		PermWebhooksManage,
	}}
	MemberRole = RoleDef{Name: RoleMember, Rank: 100, Permissions: []Permission{PermOrgRead, PermMembersRead}}
)

// roleRegistry holds the known roles.
type roleRegistry map[Role]roleEntry

type roleEntry struct {
	rank  int
	perms map[Permission]bool
}

func newRoleRegistry() roleRegistry {
	r := roleRegistry{}
	for _, d := range []RoleDef{OwnerRole, AdminRole, MemberRole} {
		r.add(d)
	}
	return r
}

func (r roleRegistry) add(d RoleDef) {
	e := roleEntry{rank: d.Rank, perms: map[Permission]bool{}}
	for _, p := range d.Permissions {
		e.perms[p] = true
	}
	r[d.Name] = e
}

func (r roleRegistry) can(role Role, p Permission) bool {
	e, ok := r[role]
	return ok && e.perms[p]
}

func (r roleRegistry) rank(role Role) int { return r[role].rank }

// canActOn reports whether an actor holding actor (ranked a) may change or
// remove a member ranked t: only members ranked below, except that owners
// may act on owners.
func canActOn(actor Role, a, t roleEntry) bool {
	if actor == RoleOwner {
		return true
	}
	return a.rank > t.rank
}

// canGrant reports whether an actor ranked a may give someone a role ranked
// g.
func canGrant(a, g roleEntry) bool {
	return g.rank <= a.rank
}

// The rank rule, in one place. Every operation that creates, renews,
// transfers or withdraws a grant of a role checks mayGrant for that role —
// AddMember, UpdateMemberRole (the new role), CreateInvitation,
// ResendInvitation and RevokeInvitation (the invitation's role),
// TransferOwnership (owner) — and every operation on an existing member
// checks mayActOn for the member's role — UpdateMemberRole, RemoveMember.
// Ranks are read in the change's organization: the Service's roles and the
// organization's own (roleTable), so its own roles follow the same rule,
// and defining one (mayDefine) is bounded by it too. storetest's rank table
// proves it for each (actor role, target role, operation), with a row and
// a column for an organization's own role.

// mayGrant fails with ErrForbidden unless the change's actor may grant
// role: a user only roles ranked at or below its own role in the
// organization; the system caller any. A role the organization does not
// have is a validation error, for everyone.
func (s *Service) mayGrant(m *mutation, role Role) error {
	// Every grant names a role the organization has: one of the Service's
	// or its own (a pre-check by name cannot know the latter).
	if err := m.checkRole(role); err != nil {
		return err
	}
	if m.actor.system {
		return nil
	}
	a, g, err := m.ranks(role)
	if err != nil {
		return err
	}
	if !canGrant(a, g) {
		return ErrForbidden
	}
	return nil
}

// ranks returns the change's actor's role entry and role's, in the
// change's organization (its own roles included).
func (m *mutation) ranks(role Role) (actor, other roleEntry, err error) {
	t := m.roleTable()
	if actor, _, err = t.get(m.ctx, m.org.Role); err != nil {
		return
	}
	other, _, err = t.get(m.ctx, role)
	return
}

// mayActOn fails with ErrForbidden unless the change's actor may change or
// remove a member with role target: a user only members ranked below it (an
// owner any member); the system caller any.
func (s *Service) mayActOn(m *mutation, target Role) error {
	if m.actor.system {
		return nil
	}
	a, t, err := m.ranks(target)
	if err != nil {
		return err
	}
	if !canActOn(m.org.Role, a, t) {
		return ErrForbidden
	}
	return nil
}

// User is a user's profile as the UserDirectory knows it.
type User struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	AvatarURL string `json:"avatar_url"`
}

// UserDirectory supplies users' profiles. The default directory is the
// Store's own users table, filled by Service.PutUser; member lists then join
// profiles in the same query and can search them. A host with its own user
// service supplies its directory with WithUserDirectory: each page of members
// then costs one batched Users call, and member search still matches the
// profiles recorded with PutUser.
type UserDirectory interface {
	// Users returns the profiles it knows of ids, keyed by ID. Unknown IDs are
	// left out; that is not an error.
	Users(ctx context.Context, ids []string) (map[string]User, error)
}

// Member is a user's membership of an organization, with the user's profile.
//
// A membership is also a resource of its own (see membership.go): ID is its
// stable identifier ("om_…"), JoinedAt its creation time, UpdatedAt the time
// of its last role or status change, and Status whether it is active. An
// inactive member keeps its row, its role and its seat, but has no
// permission in the organization. OrganizationName is set by the
// membership reads (GetMembership, ListMemberships) only. httpapi does not
// show these fields (its OpenAPI document is unchanged); the
// WorkOS-compatible API does.
type Member struct {
	ID               string           `json:"-"`
	OrganizationID   string           `json:"-"`
	OrganizationName string           `json:"-"`
	UserID           string           `json:"user_id"`
	Role             Role             `json:"role"`
	Status           MembershipStatus `json:"-"`
	JoinedAt         time.Time        `json:"joined_at"`
	UpdatedAt        time.Time        `json:"-"`
	Username         string           `json:"username"`
	Email            string           `json:"email"`
	Name             string           `json:"name"`
	AvatarURL        string           `json:"avatar_url"`
}

func (m Member) listKey() string { return m.UserID }

// MemberQuery filters a member list.
type MemberQuery struct {
	Role   Role   // only members with this role, when set
	Search string // case-insensitive substring of name, username or email
	Page
}

// checkRole validates a role name before a change: one of the Service's
// roles or, when the store keeps organizations' own roles, any well-formed
// name — whether the organization defines it is checked in the change
// (mutation.checkRole).
func (s *Service) checkRole(role Role) error {
	if _, ok := s.roles[role]; ok {
		return nil
	}
	if _, ok := s.store.(OrganizationRoleStore); ok && validRoleName(string(role)) {
		return nil
	}
	return invalid("role", "is not a known role")
}

// PutUser records a user's profile in the Store's directory (the default
// UserDirectory, and what member search and the "already a member" check of
// invitations match). Hosts call it when a user signs up or changes their
// profile. Email is normalized (NormalizeEmail); every field but ID is
// optional.
func (s *Service) PutUser(ctx context.Context, u User) error {
	var fe fieldErrors
	fe.check("id", validateUserID(u.ID))
	fe.check("username", validateText(u.Username, maxNameLen, false))
	fe.check("name", validateText(u.Name, maxNameLen, false))
	fe.check("avatar_url", validateURL(u.AvatarURL))
	if u.Email != "" {
		e, err := NormalizeEmail(u.Email)
		fe.check("email", err)
		u.Email = e
	}
	if err := fe.err(); err != nil {
		return err
	}
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error { return tx.PutUser(ctx, &u) })
}

// withProfiles fills the profiles of items from the host's directory, in one
// call, when the host supplied one; otherwise the Store has joined them
// already. It serves members and team members alike.
func withProfiles[T any](ctx context.Context, s *Service, items []T, id func(*T) string, set func(*T, User)) error {
	if s.directory == nil || len(items) == 0 {
		return nil
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = id(&items[i])
	}
	users, err := s.directory.Users(ctx, ids)
	if err != nil {
		return err
	}
	for i := range items {
		set(&items[i], users[id(&items[i])])
	}
	return nil
}

func memberID(m *Member) string { return m.UserID }

func setMemberProfile(m *Member, u User) {
	m.Username, m.Email, m.Name, m.AvatarURL = u.Username, u.Email, u.Name, u.AvatarURL
}

// memberProfiles fills members' profiles from the host's directory.
func (s *Service) memberProfiles(ctx context.Context, ms []Member) error {
	return withProfiles(ctx, s, ms, memberID, setMemberProfile)
}

// lookupUser returns a user's profile from the directory in use.
func (s *Service) lookupUser(ctx context.Context, userID string) (User, error) {
	var users map[string]User
	var err error
	if s.directory != nil {
		users, err = s.directory.Users(ctx, []string{userID})
	} else {
		users, err = s.store.Users(ctx, []string{userID})
	}
	if err != nil {
		return User{}, err
	}
	return users[userID], nil
}

// member reads one membership with its profile.
func (s *Service) member(ctx context.Context, r Reader, orgID, userID string) (*Member, error) {
	m, err := r.GetMember(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	ms := []Member{*m}
	if err := s.memberProfiles(ctx, ms); err != nil {
		return nil, err
	}
	return &ms[0], nil
}

// AddMember makes userID a member with role directly, without an
// invitation (PermMembersManage; a user may grant only roles ranked at or
// below its own). It fails with ErrAlreadyMember, or ErrLimitExceeded when
// the organization's member limit (members plus pending invitations) is
// reached.
func (s *Service) AddMember(ctx context.Context, actor Actor, slug, userID string, role Role) (*Member, error) {
	var fe fieldErrors
	fe.check("user_id", validateUserID(userID))
	fe.check("role", s.checkRole(role))
	if err := fe.err(); err != nil {
		return nil, err
	}
	now := s.clock()
	r := s.limitReads(now)
	r.Users = s.profileReads(userID)
	return mutateReading(ctx, s, actor, slug, PermMembersManage, r, func(m *mutation) (*Member, error) {
		if err := m.checkRole(role); err != nil {
			return nil, err
		}
		if err := s.mayGrant(m, role); err != nil {
			return nil, err
		}
		if err := s.checkMemberLimit(m, 1, 0); err != nil {
			return nil, err
		}
		mb := s.newMember(m.org.ID, userID, role)
		if err := m.tx.InsertMember(m.ctx, mb); err != nil {
			return nil, err
		}
		m.record(EventMemberAdded, map[string]string{"user_id": userID, "role": string(role)})
		out, err := s.withProfile(m, *mb)
		if err == nil {
			out.OrganizationName = m.org.Name
		}
		return out, err
	})
}

// limitReads is what checkMemberLimit and checkInvitationLimits read with
// the lock: the pending invitations at now, when a limit needs them.
func (s *Service) limitReads(now time.Time) Reads {
	if s.limits.MembersPerOrganization > 0 || s.limits.PendingInvitationsPerOrganization > 0 {
		return Reads{PendingAt: now}
	}
	return Reads{}
}

// profileReads is what a change reads with the lock to return userIDs'
// profiles: the store's users, unless the host supplied a directory.
func (s *Service) profileReads(userIDs ...string) []string {
	if s.directory != nil {
		return nil
	}
	return userIDs
}

// withProfile returns mb with its user's profile: as the change read it
// with the lock (profileReads), or from the host's directory.
func (s *Service) withProfile(m *mutation, mb Member) (*Member, error) {
	if s.directory == nil {
		setMemberProfile(&mb, m.got.Users[mb.UserID])
		return &mb, nil
	}
	ms := []Member{mb}
	if err := s.memberProfiles(m.ctx, ms); err != nil {
		return nil, err
	}
	return &ms[0], nil
}

// checkMemberLimit fails with ErrLimitExceeded when adding members (or
// pending invitations) would pass the member limit, freed pending
// invitations of the change being revoked. It counts the members and the
// pending invitations as the change read them with the lock (limitReads).
func (s *Service) checkMemberLimit(m *mutation, adding, freed int) error {
	max := s.limits.MembersPerOrganization
	if max <= 0 {
		return nil
	}
	pending, err := s.pending(m)
	if err != nil {
		return err
	}
	if m.org.MemberCount+pending-freed+adding > max {
		return ErrLimitExceeded
	}
	return nil
}

// pending is the organization's pending invitations, as the change read
// them with the lock (limitReads), or counted now, under the lock, by a
// change that did not ask.
func (s *Service) pending(m *mutation) (int, error) {
	if !m.reads.PendingAt.IsZero() {
		return m.got.Pending, nil
	}
	return m.tx.CountPendingInvitations(m.ctx, m.org.ID, s.clock())
}

// GetMember returns one member with profile (PermMembersRead).
func (s *Service) GetMember(ctx context.Context, actor Actor, slug, userID string) (*Member, error) {
	org, err := s.view(ctx, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	if validateUserID(userID) != nil {
		return nil, ErrNotFound
	}
	return s.member(ctx, s.store, org.ID, userID)
}

// ListMembers lists an organization's members with profiles, ordered by user
// ID (PermMembersRead). One Store query a page.
func (s *Service) ListMembers(ctx context.Context, actor Actor, slug string, q MemberQuery) (*List[Member], error) {
	r, err := q.Page.toRange()
	var fe fieldErrors
	fe.merge(err)
	if q.Role != "" {
		fe.check("role", s.checkRole(q.Role))
	}
	fe.check("search", validateText(q.Search, maxNameLen, false))
	if err := fe.err(); err != nil {
		return nil, err
	}
	org, err := s.view(ctx, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	if q.Role != "" {
		if _, ok, err := (&roleTable{s: s, r: s.store, orgID: org.ID}).get(ctx, q.Role); err != nil {
			return nil, err
		} else if !ok {
			return nil, invalid("role", "is not a known role")
		}
	}
	ms, err := s.store.ListMembers(ctx, MemberFilter{OrganizationID: org.ID, Role: q.Role, Search: q.Search, Range: r})
	if err != nil {
		return nil, err
	}
	l := paginate(ms, r, Member.listKey)
	return l, s.memberProfiles(ctx, l.Data)
}

// validUsers returns the user IDs among ids that are well-formed, for a
// change to read: an ID that is not is read as no one.
func validUsers(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if validateUserID(id) == nil {
			out = append(out, id)
		}
	}
	return out
}

// targetReads is what a change of the member userID reads with the lock:
// the membership with its profile, and the owners (see keepsOwner).
func targetReads(userID string) Reads {
	return Reads{Members: validUsers(userID), Owners: true}
}

// target finds the member an actor wants to change, as the change read it
// with the lock (targetReads), and checks the actor may act on it (the
// rank rule).
func (s *Service) target(m *mutation, userID string) (*Member, error) {
	mb, ok := m.got.Members[userID]
	if !ok {
		return nil, ErrNotFound
	}
	if err := s.mayActOn(m, mb.Role); err != nil {
		return nil, err
	}
	return &mb, nil
}

// keepsOwner fails with ErrLastOwner when mb is the organization's only
// active owner, counting the active owners as the change read them with
// the lock (Reads.Owners). An inactive owner's removal, demotion or
// deactivation takes nothing from the owners who can act.
func keepsOwner(m *mutation, mb *Member) error {
	if mb.Role != RoleOwner || mb.Status == MembershipInactive {
		return nil
	}
	n := m.got.Owners
	if !m.reads.Owners { // a change that did not ask: count now, under the lock
		var err error
		if n, err = countActive(m.ctx, m.tx, mb.OrganizationID, RoleOwner); err != nil {
			return err
		}
	}
	if n <= 1 {
		return ErrLastOwner
	}
	return nil
}

// UpdateMemberRole changes a member's role (PermMembersManage). A user must
// outrank the member (owners may change owners, themselves included) and may
// grant only roles ranked at or below its own. Demoting the last owner fails
// with ErrLastOwner.
func (s *Service) UpdateMemberRole(ctx context.Context, actor Actor, slug, userID string, role Role) (*Member, error) {
	if err := s.checkRole(role); err != nil {
		return nil, err
	}
	return mutateReading(ctx, s, actor, slug, PermMembersManage, targetReads(userID), func(m *mutation) (*Member, error) {
		mb, err := s.target(m, userID)
		if err != nil {
			return nil, err
		}
		if err := m.checkRole(role); err != nil {
			return nil, err
		}
		if err := s.mayGrant(m, role); err != nil {
			return nil, err
		}
		if role != RoleOwner {
			if err := keepsOwner(m, mb); err != nil {
				return nil, err
			}
		}
		from := mb.Role
		if err := s.writeRole(m, mb, role); err != nil {
			return nil, err
		}
		m.record(EventMemberRoleUpdated, map[string]string{"user_id": userID, "from": string(from), "to": string(role)})
		updated := []Member{*mb} // read with the lock, with its profile: no second read
		if err := s.memberProfiles(m.ctx, updated); err != nil {
			return nil, err
		}
		return &updated[0], nil
	})
}

// RemoveMember removes a member, and its team memberships
// (PermMembersManage; a user must outrank the member). A user removing
// itself is LeaveOrganization. Removing the last owner fails with
// ErrLastOwner, for the system caller too.
func (s *Service) RemoveMember(ctx context.Context, actor Actor, slug, userID string) error {
	if !actor.system && userID == actor.userID {
		return s.LeaveOrganization(ctx, actor, slug)
	}
	_, err := mutateReading(ctx, s, actor, slug, PermMembersManage, targetReads(userID), func(m *mutation) (struct{}, error) {
		mb, err := s.target(m, userID)
		if err != nil {
			return struct{}{}, err
		}
		if err := keepsOwner(m, mb); err != nil {
			return struct{}{}, err
		}
		if err := m.tx.DeleteMember(m.ctx, m.org.ID, userID); err != nil {
			return struct{}{}, err
		}
		m.record(EventMemberRemoved, map[string]string{"user_id": userID, "role": string(mb.Role)})
		return struct{}{}, nil
	})
	return err
}

// LeaveOrganization removes the acting user from the organization and its
// teams. The last owner cannot leave (ErrLastOwner); the system caller, a
// member of nothing, gets ErrNotMember.
func (s *Service) LeaveOrganization(ctx context.Context, actor Actor, slug string) error {
	_, err := mutateReading(ctx, s, actor, slug, PermOrgRead, Reads{Owners: true}, func(m *mutation) (struct{}, error) {
		if m.org.Role == "" {
			return struct{}{}, ErrNotMember
		}
		mb := &Member{OrganizationID: m.org.ID, UserID: actor.userID, Role: m.org.Role}
		if err := keepsOwner(m, mb); err != nil {
			return struct{}{}, err
		}
		if err := m.tx.DeleteMember(m.ctx, m.org.ID, actor.userID); err != nil {
			return struct{}{}, err
		}
		m.record(EventMemberLeft, map[string]string{"user_id": actor.userID, "role": string(m.org.Role)})
		return struct{}{}, nil
	})
	return err
}

// TransferOwnership makes userID, an existing member, an owner and the
// acting user, when an owner, an admin, atomically (PermOwnershipTransfer,
// held by a role that may grant owner). The system caller makes userID an
// owner and demotes nobody, which recovers an organization whose owners are
// gone. A non-member target fails with ErrNotMember.
func (s *Service) TransferOwnership(ctx context.Context, actor Actor, slug, userID string) error {
	var fe fieldErrors
	fe.check("user_id", validateUserID(userID))
	if err := fe.err(); err != nil {
		return err
	}
	if !actor.system && userID == actor.userID {
		return invalid("user_id", "must be another member")
	}
	_, err := mutateReading(ctx, s, actor, slug, PermOwnershipTransfer, Reads{Members: []string{userID}}, func(m *mutation) (struct{}, error) {
		if err := s.mayGrant(m, RoleOwner); err != nil {
			return struct{}{}, err // a role given ownership:transfer, ranked below owner
		}
		mb, ok := m.got.Members[userID]
		if !ok || mb.Status == MembershipInactive {
			return struct{}{}, ErrNotMember // an inactive member must be reactivated first
		}
		if mb.Role != RoleOwner {
			if err := s.writeRole(m, &mb, RoleOwner); err != nil {
				return struct{}{}, err
			}
		}
		if m.org.Role == RoleOwner {
			if err := m.tx.UpdateMemberRole(m.ctx, m.org.ID, actor.userID, RoleAdmin); err != nil {
				return struct{}{}, err
			}
		}
		m.record(EventOwnershipTransferred, map[string]string{"from": actor.userID, "to": userID})
		return struct{}{}, nil
	})
	return err
}
