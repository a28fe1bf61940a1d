package orgs

import (
	"context"
	"time"
)

// Store persists organizations and everything they own. The Service holds
// every rule (permissions, the last-owner rule, limits, invitation checks) and
// calls the Store only with validated, normalized values; a Store's job is to
// persist them faithfully, to report conflicts from its own unique
// constraints, and to run Update transactions atomically and serialized per
// organization. storetest.Run proves a Store meets this contract.
//
// What the Service guarantees before calling:
//   - every ID, slug, email and name is valid and normalized (slugs,
//     handles, emails and domains lower-case ASCII, IDs well-formed), every
//     string valid UTF-8 without NUL bytes: a store compares them as they
//     are, and must not case-fold them again (Unicode case mapping would make
//     different values equal);
//   - every write happens inside Update, and every write that touches an
//     organization's members, invitations, teams, categories or pipelines
//     comes after LockOrganization for that organization in the same Update;
//   - a Range's Limit is between 2 and MaxPageLimit+1.
//
// Errors: a Store must return an error wrapping ErrNotFound when a row it is
// asked to read, update or delete does not exist, and the conflict sentinels
// named on each method when a unique constraint refuses a write. Any other
// error is reported to the caller as an internal error. Wrap the driver's
// error too (fmt.Errorf("%w: %w", orgs.ErrSlugTaken, err)) so errors.As still
// reaches it.
type Store interface {
	Tx

	// Update runs fn in one read-write transaction and commits when fn
	// returns nil; when fn returns an error (or panics) nothing fn wrote may
	// persist, and Update returns fn's error unchanged. The Tx passed to fn
	// must not be used after fn returns. A store may run fn again, in a new
	// transaction, when the database aborted the first to break a deadlock;
	// the Service's functions are safe to re-run.
	//
	// Update transactions must be serializable with respect to each other for
	// any one organization: once fn has called LockOrganization(id), no other
	// Update may lock, read-for-write or write that organization's rows until
	// this one ends. (A store may serialize all Updates, as SQLite does.)
	// Likewise for LockUser.
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error

	// Close releases the store's resources. Calls after Close must return an
	// error wrapping ErrClosed.
	Close() error
}

// Tx is the set of reads and writes a Store offers, both on the Store itself
// (each call on its own) and inside Update (all calls in one transaction).
//
// Counters: Organization.MemberCount and TeamCount and Team.MemberCount
// returned by any read must equal the number of rows at that moment (a store
// may keep counters, updated in the same transaction, or count).
type Tx interface {
	// LockOrganization locks the organization for the rest of the
	// transaction (see Store.Update) and must return ErrNotFound when it does
	// not exist. Outside Update it only checks existence.
	LockOrganization(ctx context.Context, orgID string) error
	// LockUser serializes Updates that call it with the same user ID, for
	// per-user limits. The user need not exist anywhere.
	LockUser(ctx context.Context, userID string) error

	// InsertOrganization inserts org and its first member (an owner),
	// together. org.Domains is not written here (see InsertDomains). It must fail with ErrSlugTaken, ErrHandleTaken or
	// ErrExternalIDTaken when another organization has the same slug, the
	// same non-empty handle or the same non-empty external ID.
	InsertOrganization(ctx context.Context, org *Organization, owner *Member) error
	// GetOrganization returns the organization matching key, with Role set
	// to viewer's role ("" when viewer is not a member or empty) and Domains
	// the names of its Domain rows in ID order. Exactly one of key's fields
	// is set.
	GetOrganization(ctx context.Context, key OrgKey, viewer string) (*Organization, error)
	// ListOrganizations returns the organizations q.UserID is a member of,
	// Role set, ordered by ID, filtered as q says.
	ListOrganizations(ctx context.Context, q OrganizationFilter) ([]Organization, error)
	// CountOrganizationsCreatedBy counts existing organizations whose
	// CreatedBy is userID.
	CountOrganizationsCreatedBy(ctx context.Context, userID string) (int, error)
	// UpdateOrganization writes every field of org that a caller may change
	// (all but ID, CreatedBy, CreatedAt, the counters and Domains).
	// Conflicts as InsertOrganization.
	UpdateOrganization(ctx context.Context, org *Organization) error
	// DeleteOrganization deletes the organization and everything it owns
	// (members, invitations, teams and their members, categories, pipelines
	// and stages, domains) but not its events.
	DeleteOrganization(ctx context.Context, orgID string) error

	// InsertMember adds a member. It must fail with ErrAlreadyMember when the
	// user is a member already.
	InsertMember(ctx context.Context, m *Member) error
	// GetMember returns a membership with the profile from the store's users.
	GetMember(ctx context.Context, orgID, userID string) (*Member, error)
	// FindMemberByEmail returns the organization's member whose profile
	// email (in the store's users) is email, already lower-case, or
	// ErrNotFound. The Service calls it, with the organization locked, for
	// every invitation: it should cost an index lookup, not a scan of the
	// organization's members.
	FindMemberByEmail(ctx context.Context, orgID, email string) (*Member, error)
	// ListMembers returns members with profiles (from the store's users,
	// blank when none) in one query, ordered by user ID, filtered by q.
	// Search matches a substring ignoring ASCII case only.
	ListMembers(ctx context.Context, orgID string, q MemberFilter) ([]Member, error)
	// CountMembers counts the organization's members with role, or all
	// members when role is "".
	CountMembers(ctx context.Context, orgID string, role Role) (int, error)
	// UpdateMemberRole sets a member's role; ErrNotFound when not a member.
	UpdateMemberRole(ctx context.Context, orgID, userID string, role Role) error
	// DeleteMember removes a membership and the user's memberships of the
	// organization's teams; ErrNotFound when not a member.
	DeleteMember(ctx context.Context, orgID, userID string) error

	// PutUser inserts or replaces a user's profile (the default directory).
	PutUser(ctx context.Context, u *User) error
	// Users returns the profiles known for ids, keyed by ID.
	Users(ctx context.Context, ids []string) (map[string]User, error)

	// InsertCategories inserts categories (one batch). It must fail with
	// ErrNameTaken when a name's NameKey equals that of another category of
	// the same organization.
	InsertCategories(ctx context.Context, cs []Category) error
	// ListCategories returns the organization's categories by position.
	ListCategories(ctx context.Context, orgID string) ([]Category, error)
	// UpdateCategory writes a category's name and position; ErrNameTaken as
	// InsertCategories; ErrNotFound unless the category exists in
	// c.OrganizationID.
	UpdateCategory(ctx context.Context, c *Category) error
	// DeleteCategory deletes a category of the organization.
	DeleteCategory(ctx context.Context, orgID, id string) error

	// InsertPipeline inserts a pipeline and its stages.
	InsertPipeline(ctx context.Context, p *Pipeline) error
	// ListPipelines returns the organization's pipelines, ordered by ID, each
	// with its stages by position.
	ListPipelines(ctx context.Context, orgID string) ([]Pipeline, error)
	// GetPipeline returns a pipeline of the organization with its stages.
	GetPipeline(ctx context.Context, orgID, id string) (*Pipeline, error)
	// UpdatePipeline writes a pipeline's name and IsDefault, and makes its
	// stages exactly p.Stages: stages with a known ID are updated, new IDs
	// inserted, stages not listed deleted.
	UpdatePipeline(ctx context.Context, p *Pipeline) error
	// DeletePipeline deletes a pipeline of the organization and its stages.
	DeletePipeline(ctx context.Context, orgID, id string) error

	// InsertDomains inserts an organization's domains (one batch). It must
	// fail with ErrDomainTaken when the organization has the domain already.
	InsertDomains(ctx context.Context, ds []Domain) error
	// ListDomains returns the organization's domains ordered by ID.
	ListDomains(ctx context.Context, orgID string) ([]Domain, error)
	// GetDomain returns a domain of the organization by ID.
	GetDomain(ctx context.Context, orgID, id string) (*Domain, error)
	// UpdateDomain writes a domain's State and VerifiedAt. It must fail with
	// ErrDomainTaken when d becomes verified while another organization's
	// row for the same domain is verified.
	UpdateDomain(ctx context.Context, d *Domain) error
	// DeleteDomain deletes a domain of the organization.
	DeleteDomain(ctx context.Context, orgID, id string) error

	// InsertEvent appends an event.
	InsertEvent(ctx context.Context, e *Event) error
	// ListEvents returns events of the organization ordered by ID.
	ListEvents(ctx context.Context, orgID string, q EventFilter) ([]Event, error)

	// InsertInvitation inserts an invitation. It must fail with
	// ErrAlreadyInvited when a pending invitation for the same organization
	// and email exists (whatever its expiry).
	InsertInvitation(ctx context.Context, inv *Invitation) error
	// GetInvitation returns an invitation of the organization by ID.
	GetInvitation(ctx context.Context, orgID, id string) (*Invitation, error)
	// GetInvitationByTokenHash returns the invitation whose token hash is h.
	GetInvitationByTokenHash(ctx context.Context, h []byte) (*Invitation, error)
	// FindPendingInvitation returns the organization's pending invitation for
	// email, or ErrNotFound.
	FindPendingInvitation(ctx context.Context, orgID, email string) (*Invitation, error)
	// ListInvitations returns the organization's invitations ordered by ID.
	ListInvitations(ctx context.Context, orgID string, q InvitationFilter) ([]Invitation, error)
	// CountPendingInvitations counts pending invitations expiring after now.
	CountPendingInvitations(ctx context.Context, orgID string, now time.Time) (int, error)
	// UpdateInvitation writes an invitation's status, token hash, resend
	// count, last-sent time, expiry, AcceptedBy and UpdatedAt.
	UpdateInvitation(ctx context.Context, inv *Invitation) error

	// InsertTeam inserts a team; ErrSlugTaken when the organization has a
	// team with the slug.
	InsertTeam(ctx context.Context, t *Team) error
	// GetTeam returns a team of the organization by slug.
	GetTeam(ctx context.Context, orgID, slug string) (*Team, error)
	// ListTeams returns the organization's teams ordered by ID.
	ListTeams(ctx context.Context, orgID string, r Range) ([]Team, error)
	// UpdateTeam writes name, slug, description, color and UpdatedAt;
	// ErrSlugTaken as InsertTeam.
	UpdateTeam(ctx context.Context, t *Team) error
	// DeleteTeam deletes a team and its memberships.
	DeleteTeam(ctx context.Context, orgID, teamID string) error
	// InsertTeamMember adds a team membership; ErrAlreadyMember when the user
	// is on the team already.
	InsertTeamMember(ctx context.Context, m *TeamMember) error
	// GetTeamMember returns a team membership with profile.
	GetTeamMember(ctx context.Context, teamID, userID string) (*TeamMember, error)
	// ListTeamMembers returns a team's members with profiles, in one query,
	// ordered by user ID.
	ListTeamMembers(ctx context.Context, teamID string, r Range) ([]TeamMember, error)
	// UpdateTeamMemberRole sets a team member's role.
	UpdateTeamMemberRole(ctx context.Context, teamID, userID string, role TeamRole) error
	// DeleteTeamMember removes a team membership.
	DeleteTeamMember(ctx context.Context, teamID, userID string) error
}

// OrgKey selects one organization. Exactly one field is set.
type OrgKey struct {
	ID         string
	Slug       string
	ExternalID string
}

// OrganizationFilter selects the organizations of one user.
type OrganizationFilter struct {
	UserID string
	Domain string // only organizations with this domain, when set
	Search string // case-insensitive substring of the name, when set
	Range
}

// MemberFilter filters ListMembers.
type MemberFilter struct {
	Role   Role
	Search string // case-insensitive substring of name, username or email
	Range
}

// EventFilter filters ListEvents.
type EventFilter struct {
	Type string // only events of this type, when set
	Range
}

// InvitationFilter filters ListInvitations. Status "expired" means stored as
// expired, or pending with ExpiresAt at or before Now; "pending" means pending
// with ExpiresAt after Now; other statuses match the stored status.
type InvitationFilter struct {
	Status InvitationStatus
	Now    time.Time
	Range
}
