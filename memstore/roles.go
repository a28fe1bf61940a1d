package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/tenantkit/orgs"
)

var (
	_ orgs.OrganizationRoleStore = (*txn)(nil)
	_ orgs.AccessReader          = (*txn)(nil)
)

// storedRole is r as stored: its own copy of Permissions, Custom unset.
func storedRole(r orgs.OrganizationRole) orgs.OrganizationRole {
	r.Permissions, r.Custom = slices.Clone(r.Permissions), false
	if r.Permissions == nil {
		r.Permissions = []orgs.Permission{}
	}
	return r
}

// orgRoles returns the organization's roles ordered by name.
func (st *state) orgRoles(orgID string) []orgs.OrganizationRole {
	var list []orgs.OrganizationRole
	for _, r := range st.roles {
		if r.OrganizationID == orgID {
			list = append(list, storedRole(r))
		}
	}
	slices.SortFunc(list, func(a, b orgs.OrganizationRole) int { return strings.Compare(string(a.Name), string(b.Name)) })
	return list
}

// roleNameTaken reports whether another role of orgID (not exceptID) has name.
func (st *state) roleNameTaken(orgID string, name orgs.Role, exceptID string) bool {
	for _, r := range st.roles {
		if r.OrganizationID == orgID && r.ID != exceptID && r.Name == name {
			return true
		}
	}
	return false
}

// reassign gives the organization's members and pending invitations holding
// role from role to.
func (st *state) reassign(tx *txn, orgID string, from, to orgs.Role) {
	ms := st.members[orgID]
	for id, m := range ms {
		if m.Role == from {
			m.Role = to
			set(tx, ms, id, m)
		}
	}
	for id, i := range st.invitations {
		if i.OrganizationID == orgID && i.Status == orgs.InvitationPending && i.Role == from {
			i.Role = to
			set(tx, st.invitations, id, i)
		}
	}
}

func (tx *txn) ListOrganizationRoles(ctx context.Context, orgID string) ([]orgs.OrganizationRole, error) {
	return read(ctx, tx, func(st *state) ([]orgs.OrganizationRole, error) { return st.orgRoles(orgID), nil })
}

func (tx *txn) InsertOrganizationRole(ctx context.Context, r *orgs.OrganizationRole) error {
	return write(ctx, tx, func(st *state) error {
		if err := st.requireOrg(r.OrganizationID); err != nil {
			return err
		}
		if st.roleNameTaken(r.OrganizationID, r.Name, r.ID) {
			return taken(orgs.ErrNameTaken, "role", string(r.Name))
		}
		set(tx, st.roles, r.ID, storedRole(*r))
		return nil
	})
}

func (tx *txn) UpdateOrganizationRole(ctx context.Context, r *orgs.OrganizationRole, from orgs.Role) error {
	return write(ctx, tx, func(st *state) error {
		old, ok := st.roles[r.ID]
		if !ok || old.OrganizationID != r.OrganizationID {
			return notFound("role", r.ID)
		}
		if st.roleNameTaken(r.OrganizationID, r.Name, r.ID) {
			return taken(orgs.ErrNameTaken, "role", string(r.Name))
		}
		stored := storedRole(*r)
		stored.CreatedAt = old.CreatedAt
		set(tx, st.roles, r.ID, stored)
		if r.Name != from {
			st.reassign(tx, r.OrganizationID, from, r.Name)
		}
		return nil
	})
}

func (tx *txn) DeleteOrganizationRole(ctx context.Context, orgID, id string, reassignTo orgs.Role) error {
	return write(ctx, tx, func(st *state) error {
		r, ok := st.roles[id]
		if !ok || r.OrganizationID != orgID {
			return notFound("role", id)
		}
		if reassignTo != "" {
			st.reassign(tx, orgID, r.Name, reassignTo)
		}
		del(tx, st.roles, id)
		return nil
	})
}

func (tx *txn) CountRoleHolders(ctx context.Context, orgID string, role orgs.Role) (int, error) {
	return read(ctx, tx, func(st *state) (int, error) {
		n := 0
		for _, m := range st.members[orgID] {
			if m.Role == role {
				n++
			}
		}
		for _, i := range st.invitations {
			if i.OrganizationID == orgID && i.Status == orgs.InvitationPending && i.Role == role {
				n++
			}
		}
		return n, nil
	})
}

// GetAccess reads the organization, the user's role in it and the
// organization's definition of that role (orgs.AccessReader).
func (tx *txn) GetAccess(ctx context.Context, key orgs.OrganizationKey, userID string) (*orgs.Access, error) {
	org, err := tx.GetOrganization(ctx, key, userID)
	if err != nil {
		return nil, err
	}
	return read(ctx, tx, func(st *state) (*orgs.Access, error) {
		a := &orgs.Access{OrganizationID: org.ID, OrganizationSlug: org.Slug, Visibility: org.Visibility, Role: org.Role,
			Inactive: org.ViewerInactive}
		for _, r := range st.orgRoles(org.ID) {
			if r.Name == org.Role && org.Role != "" {
				a.OrganizationRole = &r
			}
		}
		return a, nil
	})
}
