package orgs

import "context"

// SystemReader is an optional Store capability: the environment-wide reads
// of the system caller, across organizations. Without it the Service
// refuses the calls that need it — ListOrganizations by the system caller,
// GetInvitationByID, ListAllInvitations, and AcceptInvitationFor without a
// user ID — with an error wrapping errors.ErrUnsupported.
type SystemReader interface {
	// ListAllOrganizations returns the organizations f selects, among all,
	// ordered by ID, Role empty, with Domains and DomainDetails. Domains is
	// an any-of filter on domain names (every state); Search as in
	// OrganizationFilter.
	ListAllOrganizations(ctx context.Context, f AllOrganizationsFilter) ([]Organization, error)
	// GetInvitationByID returns the invitation with the ID, whatever its
	// organization, or ErrNotFound.
	GetInvitationByID(ctx context.Context, id string) (*Invitation, error)
	// ListAllInvitations returns the invitations f selects, ordered by ID.
	ListAllInvitations(ctx context.Context, f AllInvitationsFilter) ([]Invitation, error)
	// FindUserByEmail returns the user of the store's directory whose email
	// is email (the one with the lowest ID when several), or ErrNotFound.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
}

// AllOrganizationsFilter selects organizations across the environment.
type AllOrganizationsFilter struct {
	Domains []string // any of these domains, when set
	Search  string   // substring of the name, ignoring ASCII case, when set
	Range
}

// AllInvitationsFilter selects invitations of one organization, of one
// email, or of both, or all (neither set). Every status matches.
type AllInvitationsFilter struct {
	OrganizationID string
	Email          string
	Range
}
