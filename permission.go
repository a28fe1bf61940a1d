package orgs

import (
	"fmt"
	"slices"
)

// Host permissions: a host authorizes its own resources (jobs, projects,
// documents) against organization roles. It registers the permissions it
// checks (WithPermissions), grants them to roles (WithGrant, WithRole, or an
// organization's own roles), and asks Authorize.
//
// The owner role holds every permission, built-in and registered, unless
// the host redefined it with WithRole.

// PermRolesManage allows defining, changing and deleting the organization's
// own roles (see CreateOrganizationRole). Only owners hold it by default.
const PermRolesManage Permission = "roles:manage"

// maxPermissionLen bounds a permission's name.
const maxPermissionLen = 64

// validPermissionName reports whether p is 1–64 lower-case ASCII letters,
// digits, ':', '_', '-' or '.'.
func validPermissionName(p Permission) bool {
	if p == "" || len(p) > maxPermissionLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// grant is a WithGrant option, applied when New has read every option.
type grant struct {
	role  Role
	perms []Permission
}

// WithPermissions registers permissions the host checks with Authorize,
// for example "jobs:publish". Names are 1–64 lower-case letters, digits,
// ':', '_', '-' or '.'. Registering a built-in permission, or one twice, is
// harmless. Owners hold every registered permission (unless WithRole
// redefined the owner role); grant them to other roles with WithGrant, and
// organizations may grant them to their own roles.
func WithPermissions(perms ...Permission) Option {
	return func(s *Service) error {
		for _, p := range perms {
			if !validPermissionName(p) {
				return invalid("permissions", fmt.Sprintf("%q must be 1–64 lower-case letters, digits, ':', '_', '-' or '.'", p))
			}
			s.register(p)
		}
		return nil
	}
}

// WithGrant grants registered permissions to a role the Service knows — a
// built-in one or one of WithRole — in addition to those it has. It is
// applied after every other option, so it may come before the
// WithPermissions and WithRole it refers to; New fails when the role or a
// permission is unknown.
func WithGrant(role Role, perms ...Permission) Option {
	return func(s *Service) error {
		s.grants = append(s.grants, grant{role: role, perms: slices.Clone(perms)})
		return nil
	}
}

// register adds p to the known permissions.
func (s *Service) register(p Permission) {
	if !s.permSet[p] {
		s.permSet[p] = true
		s.perms = append(s.perms, p)
	}
}

// finishRoles applies the grants and gives the owner every registered
// permission; New calls it after the options.
func (s *Service) finishRoles() error {
	for _, g := range s.grants {
		e, ok := s.roles[g.role]
		if !ok {
			return invalid("grant", fmt.Sprintf("role %q is not registered", g.role))
		}
		for _, p := range g.perms {
			if !s.permSet[p] {
				return invalid("grant", fmt.Sprintf("permission %q is not registered (WithPermissions)", p))
			}
			e.perms[p] = true
		}
	}
	if !s.ownerRedefined {
		for _, p := range s.perms {
			s.roles[RoleOwner].perms[p] = true
		}
	}
	return nil
}

// Permissions returns every permission the Service knows: the built-in
// ones (AllPermissions), then those the host registered, in registration
// order.
func (s *Service) Permissions() []Permission { return slices.Clone(s.perms) }

// knownPermission reports whether p is built in or registered.
func (s *Service) knownPermission(p Permission) bool { return s.permSet[p] }
