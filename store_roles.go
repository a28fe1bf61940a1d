package orgs

import "context"

// OrganizationRoleStore is an optional capability of a Store and of its Tx:
// the roles an organization defines for itself (see
// Service.CreateOrganizationRole). Without it the Service knows only the
// roles it was built with, and refuses the calls that define roles with an
// error wrapping errors.ErrUnsupported.
//
// A role belongs to one organization: no read or write may reach another
// organization's roles, members or invitations. Members and invitations
// refer to a role by name; the methods below keep them in step when a role
// is renamed or deleted. The Service calls the writes inside Transact,
// after LockOrganization.
type OrganizationRoleStore interface {
	// ListOrganizationRoles returns the organization's roles ordered by
	// name, each with its Permissions in the order written (none: empty).
	ListOrganizationRoles(ctx context.Context, orgID string) ([]OrganizationRole, error)
	// InsertOrganizationRole inserts a role. It must fail with
	// ErrNameTaken when the organization has a role with the same name.
	InsertOrganizationRole(ctx context.Context, r *OrganizationRole) error
	// UpdateOrganizationRole writes r's Name, Rank, Permissions and
	// UpdatedAt, for the role with r.ID in r.OrganizationID (ErrNotFound
	// when there is none; ErrNameTaken as InsertOrganizationRole). When
	// r.Name differs from from, the organization's members and pending
	// invitations holding role from hold r.Name afterwards, in the same
	// write.
	UpdateOrganizationRole(ctx context.Context, r *OrganizationRole, from Role) error
	// DeleteOrganizationRole deletes the organization's role with ID id
	// (ErrNotFound when there is none). When reassignTo is not empty, the
	// organization's members and pending invitations holding the role's
	// name hold reassignTo afterwards, in the same write.
	DeleteOrganizationRole(ctx context.Context, orgID, id string, reassignTo Role) error
	// CountRoleHolders counts the organization's members plus its pending
	// invitations (expired or not) that hold role.
	CountRoleHolders(ctx context.Context, orgID string, role Role) (int, error)
}

// AccessReader is an optional Store capability: what Authorize needs, in
// one statement where the database allows — the organization key selects,
// userID's membership of it, and, when the organization defines that
// membership's role itself (OrganizationRoleStore), the role's definition.
// It must return ErrNotFound when no organization matches key, an Access
// with Role "" when userID is not a member, and Inactive set when the
// membership is inactive. Without it, Authorize
// reads the organization (GetOrganization) and, for a role the
// organization defines, its roles: two statements.
type AccessReader interface {
	GetAccess(ctx context.Context, key OrganizationKey, userID string) (*Access, error)
}

// Access is what AccessReader returns.
type Access struct {
	OrganizationID   string
	OrganizationSlug string
	Visibility       Visibility
	// Role is the user's role, "" when not a member.
	Role Role
	// Inactive reports that the membership is inactive
	// (MembershipInactive): it grants nothing.
	Inactive bool
	// OrganizationRole is the organization's own definition of Role, when
	// it has one (nil for the Service's roles, and for non-members).
	OrganizationRole *OrganizationRole
}
