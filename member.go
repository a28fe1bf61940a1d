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
