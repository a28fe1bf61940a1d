package orgs

import (
	"context"
	"errors"
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
)

// AllPermissions lists every permission the Service checks.
var AllPermissions = []Permission{
	PermOrgRead, PermOrgUpdate, PermOrgDelete, PermMembersRead, PermMembersManage,
	PermInvitationsManage, PermTeamsManage, PermCategoriesManage, PermPipelinesManage,
	PermDomainsManage, PermOwnershipTransfer, PermEventsRead,
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

// canActOn reports whether an actor with role actor may change or remove a
// member with role target: only members ranked below, except that owners may
// act on owners.
func (r roleRegistry) canActOn(actor, target Role) bool {
	if actor == RoleOwner {
		return true
	}
	return r.rank(actor) > r.rank(target)
}

// canGrant reports whether actor may give someone role.
func (r roleRegistry) canGrant(actor, role Role) bool {
	return r.rank(role) <= r.rank(actor)
}

// The rank rule, in one place. Every operation that creates, renews,
// transfers or withdraws a grant of a role checks mayGrant for that role —
// AddMember, UpdateMemberRole (the new role), CreateInvitation,
// ResendInvitation and RevokeInvitation (the invitation's role),
// TransferOwnership (owner) — and every operation on an existing member
// checks mayActOn for the member's role — UpdateMemberRole, RemoveMember.
// storetest's rank table proves it for each (actor role, target role,
// operation).

// mayGrant fails with ErrForbidden unless org's viewer (the actor) may grant
// role: only roles ranked at or below the actor's own.
func (s *Service) mayGrant(org *Organization, role Role) error {
	if !s.roles.canGrant(org.Role, role) {
		return ErrForbidden
	}
	return nil
}

// mayActOn fails with ErrForbidden unless org's viewer (the actor) may
// change or remove a member with role target: one ranked below it, or any
// member when the actor is an owner.
func (s *Service) mayActOn(org *Organization, target Role) error {
	if !s.roles.canActOn(org.Role, target) {
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
type Member struct {
	OrganizationID string    `json:"-"`
	UserID         string    `json:"user_id"`
	Role           Role      `json:"role"`
	JoinedAt       time.Time `json:"joined_at"`
	Username       string    `json:"username"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	AvatarURL      string    `json:"avatar_url"`
}

func (m Member) listKey() string { return m.UserID }

// MemberQuery filters a member list.
type MemberQuery struct {
	Role   Role   // only members with this role, when set
	Search string // case-insensitive substring of name, username or email
	Page
}

// checkRole validates a role name against the registry.
func (s *Service) checkRole(role Role) error {
	if _, ok := s.roles[role]; !ok {
		return invalid("role", "is not a known role")
	}
	return nil
}

// PutUser records a user's profile in the Store's directory (the default
// UserDirectory, and what member search matches). Hosts call it when a user
// signs up or changes their profile. Email is normalized; every field but ID
// is optional.
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
	return s.store.PutUser(ctx, &u)
}

// profiles fills members' profiles from the host's directory, in one call,
// when the host supplied one; otherwise the Store has joined them already.
func (s *Service) profiles(ctx context.Context, ms []Member) error {
	if s.directory == nil || len(ms) == 0 {
		return nil
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	users, err := s.directory.Users(ctx, ids)
	if err != nil {
		return err
	}
	for i := range ms {
		u := users[ms[i].UserID]
		ms[i].Username, ms[i].Email, ms[i].Name, ms[i].AvatarURL = u.Username, u.Email, u.Name, u.AvatarURL
	}
	return nil
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

func (s *Service) member(ctx context.Context, tx Tx, orgID, userID string) (*Member, error) {
	m, err := tx.GetMember(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	ms := []Member{*m}
	if err := s.profiles(ctx, ms); err != nil {
		return nil, err
	}
	return &ms[0], nil
}

// AddMember makes userID a member with role directly, without an
// invitation (PermMembersManage; the actor may grant only roles ranked at or
// below its own). It fails with ErrAlreadyMember, or ErrLimitExceeded when
// the organization's member limit (members plus pending invitations) is
// reached.
func (s *Service) AddMember(ctx context.Context, actor, slug, userID string, role Role) (*Member, error) {
	var fe fieldErrors
	fe.check("user_id", validateUserID(userID))
	fe.check("role", s.checkRole(role))
	if err := fe.err(); err != nil {
		return nil, err
	}
	var out *Member
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermMembersManage)
		if err != nil {
			return err
		}
		if err := s.mayGrant(org, role); err != nil {
			return err
		}
		if err := s.checkMemberLimit(ctx, tx, org); err != nil {
			return err
		}
		m := &Member{OrganizationID: org.ID, UserID: userID, Role: role, JoinedAt: s.clock()}
		if err := tx.InsertMember(ctx, m); err != nil {
			return err
		}
		if err := s.event(ctx, tx, org.ID, actor, "member.added", map[string]string{"user_id": userID, "role": string(role)}); err != nil {
			return err
		}
		out, err = s.member(ctx, tx, org.ID, userID)
		return err
	})
	return out, err
}

// checkMemberLimit fails with ErrLimitExceeded when one more member (or
// pending invitation) would pass the limit. Call with the organization
// locked.
func (s *Service) checkMemberLimit(ctx context.Context, tx Tx, org *Organization) error {
	max := s.limits.MembersPerOrganization
	if max <= 0 {
		return nil
	}
	members, err := tx.CountMembers(ctx, org.ID, "")
	if err != nil {
		return err
	}
	pending, err := tx.CountPendingInvitations(ctx, org.ID, s.clock())
	if err != nil {
		return err
	}
	if members+pending >= max {
		return ErrLimitExceeded
	}
	return nil
}

// GetMember returns one member with profile (PermMembersRead).
func (s *Service) GetMember(ctx context.Context, actor, slug, userID string) (*Member, error) {
	org, err := s.view(ctx, s.store, actor, slug, PermMembersRead)
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
func (s *Service) ListMembers(ctx context.Context, actor, slug string, q MemberQuery) (*List[Member], error) {
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
	org, err := s.view(ctx, s.store, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListMembers(ctx, org.ID, MemberFilter{Role: q.Role, Search: q.Search, Range: r})
	if err != nil {
		return nil, err
	}
	l := paginate(ms, r, Member.listKey)
	return l, s.profiles(ctx, l.Data)
}

// target loads the member an actor wants to change and checks the actor
// outranks it (owners may act on owners).
func (s *Service) target(ctx context.Context, tx Tx, org *Organization, userID string) (*Member, error) {
	if validateUserID(userID) != nil {
		return nil, ErrNotFound
	}
	m, err := tx.GetMember(ctx, org.ID, userID)
	if err != nil {
		return nil, err
	}
	if err := s.mayActOn(org, m.Role); err != nil {
		return nil, err
	}
	return m, nil
}

// keepsOwner fails with ErrLastOwner when m is the organization's only
// owner. Call with the organization locked.
func keepsOwner(ctx context.Context, tx Tx, m *Member) error {
	if m.Role != RoleOwner {
		return nil
	}
	n, err := tx.CountMembers(ctx, m.OrganizationID, RoleOwner)
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastOwner
	}
	return nil
}

// UpdateMemberRole changes a member's role (PermMembersManage). The actor
// must outrank the member (owners may change owners, themselves included)
// and may grant only roles ranked at or below its own. Demoting the last
// owner fails with ErrLastOwner.
func (s *Service) UpdateMemberRole(ctx context.Context, actor, slug, userID string, role Role) (*Member, error) {
	if err := s.checkRole(role); err != nil {
		return nil, err
	}
	var out *Member
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermMembersManage)
		if err != nil {
			return err
		}
		m, err := s.target(ctx, tx, org, userID)
		if err != nil {
			return err
		}
		if err := s.mayGrant(org, role); err != nil {
			return err
		}
		if role != RoleOwner {
			if err := keepsOwner(ctx, tx, m); err != nil {
				return err
			}
		}
		if err := tx.UpdateMemberRole(ctx, org.ID, userID, role); err != nil {
			return err
		}
		if err := s.event(ctx, tx, org.ID, actor, "member.role_updated",
			map[string]string{"user_id": userID, "from": string(m.Role), "to": string(role)}); err != nil {
			return err
		}
		updated := []Member{*m} // read by target with its profile: no second read
		updated[0].Role = role
		if err := s.profiles(ctx, updated); err != nil {
			return err
		}
		out = &updated[0]
		return nil
	})
	return out, err
}

// RemoveMember removes a member, and its team memberships
// (PermMembersManage; the actor must outrank the member). Removing oneself
// is LeaveOrganization. Removing the last owner fails with ErrLastOwner.
func (s *Service) RemoveMember(ctx context.Context, actor, slug, userID string) error {
	if userID == actor {
		return s.LeaveOrganization(ctx, actor, slug)
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermMembersManage)
		if err != nil {
			return err
		}
		m, err := s.target(ctx, tx, org, userID)
		if err != nil {
			return err
		}
		if err := keepsOwner(ctx, tx, m); err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, org.ID, userID); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "member.removed", map[string]string{"user_id": userID, "role": string(m.Role)})
	})
}

// LeaveOrganization removes the actor from the organization and its teams.
// The last owner cannot leave (ErrLastOwner).
func (s *Service) LeaveOrganization(ctx context.Context, actor, slug string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermOrgRead)
		if err != nil {
			return err
		}
		if org.Role == "" {
			return ErrNotMember
		}
		m := &Member{OrganizationID: org.ID, UserID: actor, Role: org.Role}
		if err := keepsOwner(ctx, tx, m); err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, org.ID, actor); err != nil {
			return err
		}
		return s.event(ctx, tx, org.ID, actor, "member.left", map[string]string{"user_id": actor, "role": string(org.Role)})
	})
}

// TransferOwnership makes userID, an existing member, an owner and the actor,
// when an owner, an admin, atomically (PermOwnershipTransfer, held by a role
// that may grant owner). A non-member target fails with ErrNotMember.
func (s *Service) TransferOwnership(ctx context.Context, actor, slug, userID string) error {
	var fe fieldErrors
	fe.check("user_id", validateUserID(userID))
	if err := fe.err(); err != nil {
		return err
	}
	if userID == actor {
		return invalid("user_id", "must be another member")
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		org, err := s.lock(ctx, tx, actor, slug, PermOwnershipTransfer)
		if err != nil {
			return err
		}
		if err := s.mayGrant(org, RoleOwner); err != nil {
			return err // a role given ownership:transfer, ranked below owner
		}
		m, err := tx.GetMember(ctx, org.ID, userID)
		if errors.Is(err, ErrNotFound) {
			return ErrNotMember
		} else if err != nil {
			return err
		}
		if m.Role != RoleOwner {
			if err := tx.UpdateMemberRole(ctx, org.ID, userID, RoleOwner); err != nil {
				return err
			}
		}
		if org.Role == RoleOwner {
			if err := tx.UpdateMemberRole(ctx, org.ID, actor, RoleAdmin); err != nil {
				return err
			}
		}
		return s.event(ctx, tx, org.ID, actor, "ownership.transferred",
			map[string]string{"from": actor, "to": userID})
	})
}
