package orgs

import (
	"context"
	"slices"
)

// Membership is what Authorize answers: the actor's membership of the
// organization, with everything its role allows there.
type Membership struct {
	OrganizationID   string `json:"organization_id"`
	OrganizationSlug string `json:"organization_slug"`
	// UserID is the member; "" for the system caller.
	UserID string `json:"user_id"`
	// Role is the member's role — one of the Service's, or one the
	// organization defined; "" for the system caller.
	Role Role `json:"role"`
	// Permissions is every permission Role holds in the organization, in
	// the Service's order (Service.Permissions); for the system caller,
	// every permission.
	Permissions []Permission `json:"permissions"`
	// System reports a membership of the system caller, which is no member
	// and may do everything.
	System bool `json:"system"`
}

// Can reports whether the membership allows perm.
func (m *Membership) Can(perm Permission) bool {
	return m != nil && slices.Contains(m.Permissions, perm)
}

// Authorize answers whether actor may do perm in the organization ref names
// (a slug or an ID) — for the host's own resources, such as "may this user
// publish a job in acme?" — and returns the actor's membership. It fails
// with ErrNotFound for an organization that does not exist or that the
// actor may not know of (a private one it is not a member of), and
// ErrForbidden when it may know of it but not do perm (a public one it is
// not a member of, or a role without perm). Unlike reads of the
// organization itself, it never admits a non-member, not even to org:read
// of a public organization. perm must be built in or registered
// (WithPermissions): another is a validation error, since a misspelt
// permission would otherwise refuse everyone silently.
//
// It reads one statement on a store with AccessReader (every store of this
// module), the organization's own roles included.
func (s *Service) Authorize(ctx context.Context, actor Actor, ref string, perm Permission) (_ *Membership, err error) {
	if !s.knownPermission(perm) {
		return nil, invalid("permission", "is not a registered permission")
	}
	if err := actor.check(); err != nil {
		return nil, err
	}
	key, err := orgKey(ref)
	if err != nil {
		return nil, err
	}
	ctx, c := s.observe(ctx, actor)
	defer func() { c.end(err) }()
	a, err := s.access(ctx, key, actor.viewer())
	if err != nil {
		return nil, err
	}
	c.orgID = a.OrganizationID
	m := &Membership{OrganizationID: a.OrganizationID, OrganizationSlug: a.OrganizationSlug, UserID: actor.userID, Role: a.Role}
	var perms map[Permission]bool
	switch {
	case actor.system:
		m.System = true
		perms = s.permSet
	case a.Role == "" || a.Inactive: // an inactive membership grants nothing
		m.Role = ""
		if a.Visibility == VisibilityPublic {
			return nil, ErrForbidden
		}
		return nil, ErrNotFound
	default:
		// The Service's roles first, as everywhere (roleTable); an unknown
		// role holds nothing.
		e, known := s.roles[a.Role]
		if !known && a.OrganizationRole != nil && a.OrganizationRole.Name == a.Role {
			e = a.OrganizationRole.entry()
		}
		perms = e.perms
	}
	m.Permissions = []Permission{}
	for _, p := range s.perms {
		if perms[p] {
			m.Permissions = append(m.Permissions, p)
		}
	}
	if !perms[perm] {
		return nil, ErrForbidden
	}
	return m, nil
}

// access reads what Authorize needs: with the store's AccessReader in one
// statement; without, the organization and, for a role the Service does
// not know, the organization's roles.
func (s *Service) access(ctx context.Context, key OrganizationKey, viewer string) (*Access, error) {
	if ar, ok := s.store.(AccessReader); ok {
		return ar.GetAccess(ctx, key, viewer)
	}
	org, err := s.store.GetOrganization(ctx, key, viewer)
	if err != nil {
		return nil, err
	}
	a := &Access{OrganizationID: org.ID, OrganizationSlug: org.Slug, Visibility: org.Visibility, Role: org.Role, Inactive: org.ViewerInactive}
	if _, known := s.roles[org.Role]; !known && org.Role != "" {
		if rs, ok := s.store.(OrganizationRoleStore); ok {
			list, err := rs.ListOrganizationRoles(ctx, org.ID)
			if err != nil {
				return nil, err
			}
			for i := range list {
				if list[i].Name == org.Role {
					a.OrganizationRole = &list[i]
				}
			}
		}
	}
	return a, nil
}
