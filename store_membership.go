package orgs

import "context"

// Memberships is an optional capability of a Store and of its Tx:
// memberships as resources of their own, addressed by their ID, with a
// status. Without it the Service still adds, changes and removes members by
// user ID (every member then counts as active), and refuses the calls that
// need it — GetMembership, ListMemberships, UpdateMembership,
// DeleteMembership, DeactivateMembership, ReactivateMembership — with an
// error wrapping errors.ErrUnsupported.
//
// A Store that implements it must persist Member.ID, Status and UpdatedAt
// in InsertMember (and InsertOrganization's owner), report the viewer's
// inactive membership as Organization.ViewerInactive (with Role) in
// GetOrganization and LockAndGetOrganization, and leave inactive
// memberships out of ListOrganizations' user lists.
type Memberships interface {
	// GetMembership returns the membership with the ID, with the user's
	// profile and OrganizationName, or ErrNotFound.
	GetMembership(ctx context.Context, id string) (*Member, error)
	// ListMemberships returns the memberships f selects, with profiles and
	// OrganizationName, in one query, ordered by membership ID.
	ListMemberships(ctx context.Context, f MembershipFilter) ([]Member, error)
	// CountActiveMembers counts the organization's active members with
	// role, or all active members when role is "".
	CountActiveMembers(ctx context.Context, orgID string, role Role) (int, error)
	// UpdateMember writes m's Role, Status and UpdatedAt to the membership
	// of m.UserID in m.OrganizationID; ErrNotFound when there is none.
	UpdateMember(ctx context.Context, m *Member) error
}

// MembershipFilter selects memberships: of OrganizationID when set, of
// UserID when set (at least one is set), in any of Statuses (every status
// when empty), ordered by membership ID.
type MembershipFilter struct {
	OrganizationID string
	UserID         string
	Statuses       []MembershipStatus
	Range
}
