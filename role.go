package orgs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// An organization's own roles ("dynamic roles" in Better Auth, "organization
// roles" in WorkOS): besides the roles the Service was built with (the
// built-in three and WithRole's), an organization's owners may define roles
// of their own — a name, a rank below owner, permissions drawn from the
// registered ones — assign them like any role, rename them and delete them.
// A role of one organization means nothing in another: a member of B
// holding a name that only A defines holds no permission in B.

// PrefixRole prefixes the IDs of organizations' own roles.
const PrefixRole = "role_"

// MaxOrganizationRoles caps the roles one organization may define;
// Limits.RolesPerOrganization may set a lower cap.
const MaxOrganizationRoles = 50

// ErrRoleInUse: the role is held by members or pending invitations; delete
// it with a role to reassign them to.
var ErrRoleInUse = errors.New("orgs: role is in use")

// OrganizationRole is a role: one an organization defined for itself
// (Custom, with an ID), or, in ListOrganizationRoles, one of the Service's.
type OrganizationRole struct {
	ID             string       `json:"id,omitempty"`
	OrganizationID string       `json:"-"`
	Name           Role         `json:"name"`
	Rank           int          `json:"rank"`
	Permissions    []Permission `json:"permissions"`
	Custom         bool         `json:"custom"`
	CreatedAt      time.Time    `json:"created_at,omitzero"`
	UpdatedAt      time.Time    `json:"updated_at,omitzero"`
}

// OrganizationRoleInput defines an organization's role.
type OrganizationRoleInput struct {
	Name        Role         `json:"name"`
	Rank        int          `json:"rank"`
	Permissions []Permission `json:"permissions"`
}

// OrganizationRoleUpdate changes an organization's role; nil fields are
// unchanged, and Permissions, when not nil, replaces the set.
type OrganizationRoleUpdate struct {
	Name        *Role        `json:"name"`
	Rank        *int         `json:"rank"`
	Permissions []Permission `json:"permissions"`
}

// entry is the role's rank and permission set.
func (r *OrganizationRole) entry() roleEntry {
	e := roleEntry{rank: r.Rank, perms: map[Permission]bool{}}
	for _, p := range r.Permissions {
		e.perms[p] = true
	}
	return e
}

// roleTable resolves role names in one organization: the Service's roles
// first, then the organization's own, read once (one statement) on the
// first name the Service does not know. Built-in roles cost nothing.
type roleTable struct {
	s      *Service
	r      Reader
	orgID  string
	custom map[Role]roleEntry // nil until read
}

// get returns role's rank and permissions in the organization, and whether
// the role exists there.
func (t *roleTable) get(ctx context.Context, role Role) (roleEntry, bool, error) {
	if e, ok := t.s.roles[role]; ok {
		return e, true, nil
	}
	if role == "" {
		return roleEntry{}, false, nil
	}
	if t.custom == nil {
		rs, ok := t.r.(OrganizationRoleStore)
		if !ok {
			return roleEntry{}, false, nil
		}
		list, err := rs.ListOrganizationRoles(ctx, t.orgID)
		if err != nil {
			return roleEntry{}, false, err
		}
		t.custom = map[Role]roleEntry{}
		for i := range list {
			t.custom[list[i].Name] = list[i].entry()
		}
	}
	e, ok := t.custom[role]
	return e, ok, nil
}

// can reports whether role grants perm in the organization.
func (t *roleTable) can(ctx context.Context, role Role, perm Permission) (bool, error) {
	e, _, err := t.get(ctx, role)
	return e.perms[perm], err
}

// roleTable returns the change's role table, reading the organization's
// roles through the change's transaction.
func (m *mutation) roleTable() *roleTable {
	if m.roles == nil || m.roles.orgID != m.org.ID {
		m.roles = &roleTable{s: m.s, r: m.tx, orgID: m.org.ID}
	}
	return m.roles
}

// checkRole fails with a validation error unless role exists in the
// change's organization.
func (m *mutation) checkRole(role Role) error {
	_, ok, err := m.roleTable().get(m.ctx, role)
	if err != nil {
		return err
	}
	if !ok {
		return invalid("role", "is not a known role")
	}
	return nil
}

// roleStore returns the store's OrganizationRoleStore, or an error wrapping
// errors.ErrUnsupported.
func (s *Service) roleStore() (OrganizationRoleStore, error) {
	rs, ok := s.store.(OrganizationRoleStore)
	if !ok {
		return nil, fmt.Errorf("orgs: the store cannot keep organizations' own roles (orgs.OrganizationRoleStore): %w", errors.ErrUnsupported)
	}
	return rs, nil
}

// txRoles returns the change's OrganizationRoleStore.
func txRoles(m *mutation) (OrganizationRoleStore, error) {
	rs, ok := m.tx.(OrganizationRoleStore)
	if !ok {
		return nil, fmt.Errorf("orgs: the store's transactions cannot keep organizations' own roles (orgs.OrganizationRoleStore): %w", errors.ErrUnsupported)
	}
	return rs, nil
}

// ListOrganizationRoles lists the roles members of the organization may
// hold, highest rank first: the Service's (Custom false) and the
// organization's own (Custom true, with IDs) (PermMembersRead).
func (s *Service) ListOrganizationRoles(ctx context.Context, actor Actor, slug string) ([]OrganizationRole, error) {
	org, err := s.view(ctx, actor, slug, PermMembersRead)
	if err != nil {
		return nil, err
	}
	var out []OrganizationRole
	for _, d := range s.Roles() {
		out = append(out, OrganizationRole{Name: d.Name, Rank: d.Rank, Permissions: nonNil(d.Permissions)})
	}
	if rs, ok := s.store.(OrganizationRoleStore); ok {
		own, err := rs.ListOrganizationRoles(ctx, org.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range own {
			r.Custom, r.Permissions = true, nonNil(r.Permissions)
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b OrganizationRole) int { return b.Rank - a.Rank })
	return out, nil
}

// checkRoleInput validates the fields of a role definition that need no
// organization: the name's form, and that it is none of the Service's;
// the rank, from 1 to below the owner's; the permissions, registered ones.
// It returns the permissions deduplicated, in the Service's order.
func (s *Service) checkRoleInput(fe *fieldErrors, name *Role, rank *int, perms []Permission) []Permission {
	if name != nil {
		switch _, builtin := s.roles[*name]; {
		case !validRoleName(string(*name)):
			fe.add("name", "must be 1–32 lower-case letters, digits, ':', '_' or '-'")
		case builtin:
			fe.add("name", "is the name of a role every organization has")
		}
	}
	if rank != nil {
		if top := s.roles.rank(RoleOwner); *rank < 1 || *rank >= top {
			fe.add("rank", "must be between 1 and "+strconv.Itoa(top-1)+" (below owner)")
		}
	}
	if perms == nil {
		return nil
	}
	var unknown bool
	for _, p := range perms {
		if !s.knownPermission(p) {
			unknown = true
		}
	}
	if unknown {
		fe.add("permissions", "must be registered permissions")
		return nil
	}
	out := []Permission{}
	for _, p := range s.perms {
		if slices.Contains(perms, p) {
			out = append(out, p)
		}
	}
	return out
}

// mayDefine fails with ErrForbidden unless the change's actor may define a
// role with rank and perms: a user only at or below its own rank, and only
// with permissions it holds itself (no one grants what they do not have);
// the system caller any.
func (s *Service) mayDefine(m *mutation, rank int, perms []Permission) error {
	if m.actor.system {
		return nil
	}
	own, _, err := m.roleTable().get(m.ctx, m.org.Role)
	if err != nil {
		return err
	}
	if rank > own.rank {
		return ErrForbidden
	}
	for _, p := range perms {
		if !own.perms[p] {
			return ErrForbidden
		}
	}
	return nil
}

// organizationRole finds the change's organization's role by name.
func organizationRole(m *mutation, rs OrganizationRoleStore, name Role) (*OrganizationRole, error) {
	list, err := rs.ListOrganizationRoles(m.ctx, m.org.ID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Name == name {
			return &list[i], nil
		}
	}
	return nil, ErrNotFound
}

// CreateOrganizationRole defines a role of the organization
// (PermRolesManage: owners by default). The name must be none of the
// Service's roles and is unique in the organization (ErrNameTaken); the rank
// is below the owner's; the permissions are registered ones — and a user
// may define only roles ranked at or below its own, with permissions it
// holds. An organization holds at most MaxOrganizationRoles
// (or Limits.RolesPerOrganization) roles (ErrLimitExceeded). It records
// role.created.
func (s *Service) CreateOrganizationRole(ctx context.Context, actor Actor, slug string, in OrganizationRoleInput) (*OrganizationRole, error) {
	var fe fieldErrors
	perms := s.checkRoleInput(&fe, &in.Name, &in.Rank, nonNil(in.Permissions))
	if err := fe.err(); err != nil {
		return nil, err
	}
	if _, err := s.roleStore(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermRolesManage, func(m *mutation) (*OrganizationRole, error) {
		rs, err := txRoles(m)
		if err != nil {
			return nil, err
		}
		if err := s.mayDefine(m, in.Rank, perms); err != nil {
			return nil, err
		}
		list, err := rs.ListOrganizationRoles(m.ctx, m.org.ID)
		if err != nil {
			return nil, err
		}
		max := MaxOrganizationRoles
		if l := s.limits.RolesPerOrganization; l > 0 && l < max {
			max = l
		}
		if len(list) >= max {
			return nil, ErrLimitExceeded
		}
		now := s.clock()
		r := &OrganizationRole{ID: NewID(PrefixRole), OrganizationID: m.org.ID, Name: in.Name, Rank: in.Rank,
			Permissions: perms, Custom: true, CreatedAt: now, UpdatedAt: now}
		if err := rs.InsertOrganizationRole(m.ctx, r); err != nil {
			return nil, err
		}
		m.record(EventRoleCreated, map[string]string{"role_id": r.ID, "name": string(r.Name), "rank": strconv.Itoa(r.Rank)})
		return r, nil
	})
}

// UpdateOrganizationRole renames a role of the organization, changes its
// rank or replaces its permissions (PermRolesManage). The rules of
// CreateOrganizationRole apply to the role before and after the change
// (a user may change only roles it could define). Renaming carries the
// role's members and pending invitations along. It records role.updated.
func (s *Service) UpdateOrganizationRole(ctx context.Context, actor Actor, slug string, name Role, in OrganizationRoleUpdate) (*OrganizationRole, error) {
	var fe fieldErrors
	perms := s.checkRoleInput(&fe, in.Name, in.Rank, in.Permissions)
	if err := fe.err(); err != nil {
		return nil, err
	}
	if _, err := s.roleStore(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, actor, slug, PermRolesManage, func(m *mutation) (*OrganizationRole, error) {
		rs, err := txRoles(m)
		if err != nil {
			return nil, err
		}
		r, err := organizationRole(m, rs, name)
		if err != nil {
			return nil, err
		}
		if err := s.mayDefine(m, r.Rank, r.Permissions); err != nil {
			return nil, err
		}
		from := r.Name
		if in.Name != nil {
			r.Name = *in.Name
		}
		if in.Rank != nil {
			r.Rank = *in.Rank
		}
		if in.Permissions != nil {
			r.Permissions = perms
		}
		if err := s.mayDefine(m, r.Rank, r.Permissions); err != nil {
			return nil, err
		}
		r.UpdatedAt, r.Custom = s.clock(), true
		if err := rs.UpdateOrganizationRole(m.ctx, r, from); err != nil {
			return nil, err
		}
		data := map[string]string{"role_id": r.ID, "name": string(r.Name), "rank": strconv.Itoa(r.Rank)}
		if from != r.Name {
			data["from"] = string(from)
		}
		m.record(EventRoleUpdated, data)
		r.Permissions = nonNil(r.Permissions)
		return r, nil
	})
}

// DeleteOrganizationRole deletes a role of the organization
// (PermRolesManage; a user may delete only roles it could define). A role
// that members or pending invitations hold is refused with ErrRoleInUse
// unless reassignTo names another role of the organization, which they
// then hold (and which the actor must be allowed to grant). It records
// role.deleted, with the reassigned role and count.
func (s *Service) DeleteOrganizationRole(ctx context.Context, actor Actor, slug string, name, reassignTo Role) error {
	if reassignTo != "" && reassignTo == name {
		return invalid("reassign_to", "must be another role")
	}
	if reassignTo != "" {
		if err := s.checkRole(reassignTo); err != nil {
			return invalid("reassign_to", "is not a known role")
		}
	}
	if _, err := s.roleStore(); err != nil {
		return err
	}
	return mutateErr(ctx, s, actor, slug, PermRolesManage, func(m *mutation) error {
		rs, err := txRoles(m)
		if err != nil {
			return err
		}
		r, err := organizationRole(m, rs, name)
		if err != nil {
			return err
		}
		if err := s.mayDefine(m, r.Rank, r.Permissions); err != nil {
			return err
		}
		holders, err := rs.CountRoleHolders(m.ctx, m.org.ID, r.Name)
		if err != nil {
			return err
		}
		if reassignTo != "" {
			if err := m.checkRole(reassignTo); err != nil {
				return invalid("reassign_to", "is not a known role")
			}
			if err := s.mayGrant(m, reassignTo); err != nil {
				return err
			}
		} else if holders > 0 {
			return ErrRoleInUse
		}
		if err := rs.DeleteOrganizationRole(m.ctx, m.org.ID, r.ID, reassignTo); err != nil {
			return err
		}
		data := map[string]string{"role_id": r.ID, "name": string(r.Name)}
		if reassignTo != "" {
			data["reassigned_to"], data["reassigned"] = string(reassignTo), strconv.Itoa(holders)
		}
		m.record(EventRoleDeleted, data)
		return nil
	})
}
