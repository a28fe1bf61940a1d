package orgs

import (
	"context"
	"time"
)

// This file is the Store contract: what a storage backend implements and
// the Service calls. Hosts do not call a Store themselves; they open one
// (store/sqlite, store/postgres, memstore, or their own) and pass it to New.
// The types below — Store, Reader, Tx, the optional capabilities, the
// ...Filter types, OrganizationKey and Range — are store-facing; the
// entities they carry (Organization, Member, …) are the ones callers see.

// Store persists organizations and everything they own. The Service holds
// every rule (permissions, the last-owner rule, limits, invitation checks) and
// calls the Store only with validated, normalized values; a Store's job is to
// persist them faithfully, to report conflicts from its own unique
// constraints, and to run Transact transactions atomically and serialized per
// organization. storetest.Run proves a Store meets this contract.
//
// What the Service guarantees before calling:
//   - every ID, slug, email and name is valid and normalized (slugs,
//     handles, emails and domains lower-case ASCII, IDs well-formed), every
//     string valid UTF-8 without NUL bytes: a store compares them as they
//     are, and must not case-fold them again (Unicode case mapping would make
//     different values equal);
//   - every write happens inside Transact, and every write that touches an
//     organization's members, invitations, teams, categories or pipelines
//     comes after LockOrganization for that organization in the same
//     transaction;
//   - a Range's MaxRows is between 2 and MaxPageLimit+1.
//
// Errors: a Store must return an error wrapping ErrNotFound when a row it is
// asked to read, update or delete does not exist, and the conflict sentinels
// named on each method when a unique constraint refuses a write. Any other
// error is reported to the caller as an internal error. Wrap the driver's
// error too (fmt.Errorf("%w: %w", orgs.ErrSlugTaken, err)) so errors.As still
// reaches it.
//
// Growing: methods are never added to Store, Reader or Tx. A new ability is
// an optional capability — a small interface such as OrganizationLocker that
// a Store (or its Tx) may implement, and that the Service type-asserts,
// falling back to the required methods or refusing the one option that needs
// it — and new parameters go into the ...Filter structs. storetest tests
// each capability a store has and says which it skipped.
type Store interface {
	Reader

	// Transact runs fn in one read-write transaction and commits when fn
	// returns nil; when fn returns an error (or panics) nothing fn wrote may
	// persist, and Transact returns fn's error unchanged. The Tx passed to
	// fn must not be used after fn returns. A store may run fn again, in a
	// new transaction, when the database aborted the first to break a
	// deadlock; the Service's functions are safe to re-run.
	//
	// Transactions must be serializable with respect to each other for any
	// one organization: once fn has called LockOrganization(id), no other
	// transaction may lock, read-for-write or write that organization's
	// rows until this one ends. (A store may serialize all transactions, as
	// SQLite does.) Likewise for LockUser.
	Transact(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error

	// Close releases the store's resources. Calls after Close must return an
	// error wrapping ErrClosed.
	Close() error
}

// Reader is the reads a Store offers, on the Store itself (each on its own)
// and on a Tx (inside the transaction, seeing its writes).
//
// Counters: Organization.MemberCount and TeamCount and Team.MemberCount
// returned by any read must equal the number of rows at that moment (a store
// may keep counters, updated in the same transaction, or count).
type Reader interface {
	// GetOrganization returns the organization matching key, with Role set
	// to viewer's role ("" when viewer is not a member or empty) and Domains
	// the names of its Domain rows in ID order. Exactly one of key's fields
	// is set.
	GetOrganization(ctx context.Context, key OrganizationKey, viewer string) (*Organization, error)
	// ListOrganizations returns the organizations f.UserID is a member of,
	// Role set, ordered by ID, filtered as f says.
	ListOrganizations(ctx context.Context, f OrganizationFilter) ([]Organization, error)
	// CountOrganizationsCreatedBy counts existing organizations whose
	// CreatedBy is userID.
	CountOrganizationsCreatedBy(ctx context.Context, userID string) (int, error)

	// GetMember returns a membership with the profile from the store's users.
	GetMember(ctx context.Context, orgID, userID string) (*Member, error)
	// FindMemberByEmail returns the organization's member whose profile
	// email (in the store's users) is email, or ErrNotFound. The Service
	// calls it, with the organization locked, for every invitation: it
	// should cost an index lookup, not a scan of the organization's members.
	FindMemberByEmail(ctx context.Context, orgID, email string) (*Member, error)
	// ListMembers returns the members of f.OrganizationID with profiles
	// (from the store's users, blank when none) in one query, ordered by
	// user ID, filtered as f says. Search matches a substring ignoring
	// ASCII case only.
	ListMembers(ctx context.Context, f MemberFilter) ([]Member, error)
	// CountMembers counts the organization's members with role, or all
	// members when role is "".
	CountMembers(ctx context.Context, orgID string, role Role) (int, error)
	// Users returns the profiles known for ids, keyed by ID.
	Users(ctx context.Context, ids []string) (map[string]User, error)

	// ListCategories returns the categories of f.OrganizationID by position.
	ListCategories(ctx context.Context, f CategoryFilter) ([]Category, error)
	// ListPipelines returns the pipelines of f.OrganizationID, ordered by
	// ID, each with its stages by position.
	ListPipelines(ctx context.Context, f PipelineFilter) ([]Pipeline, error)
	// GetPipeline returns a pipeline of the organization with its stages.
	GetPipeline(ctx context.Context, orgID, id string) (*Pipeline, error)

	// ListDomains returns the domains of f.OrganizationID ordered by ID.
	ListDomains(ctx context.Context, f DomainFilter) ([]Domain, error)
	// GetDomain returns a domain of the organization by ID.
	GetDomain(ctx context.Context, orgID, id string) (*Domain, error)

	// ListEvents returns the events of f.OrganizationID ordered by ID,
	// filtered as f says.
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)

	// GetInvitation returns an invitation of the organization by ID.
	GetInvitation(ctx context.Context, orgID, id string) (*Invitation, error)
	// GetInvitationByTokenHash returns the invitation whose token hash is h.
	GetInvitationByTokenHash(ctx context.Context, h []byte) (*Invitation, error)
	// FindPendingInvitation returns the organization's pending invitation for
	// email, or ErrNotFound.
	FindPendingInvitation(ctx context.Context, orgID, email string) (*Invitation, error)
	// ListInvitations returns the invitations of f.OrganizationID ordered by
	// ID, filtered as f says.
	ListInvitations(ctx context.Context, f InvitationFilter) ([]Invitation, error)
	// CountPendingInvitations counts pending invitations expiring after now.
	CountPendingInvitations(ctx context.Context, orgID string, now time.Time) (int, error)

	// GetTeam returns a team of the organization by slug.
	GetTeam(ctx context.Context, orgID, slug string) (*Team, error)
	// ListTeams returns the teams of f.OrganizationID ordered by ID.
	ListTeams(ctx context.Context, f TeamFilter) ([]Team, error)
	// GetTeamMember returns a team membership with profile.
	GetTeamMember(ctx context.Context, teamID, userID string) (*TeamMember, error)
	// ListTeamMembers returns the members of f.TeamID with profiles, in one
	// query, ordered by user ID.
	ListTeamMembers(ctx context.Context, f TeamMemberFilter) ([]TeamMember, error)
}

// Tx is one Store transaction: the reads, which see its writes, the locks,
// and the writes. A Tx is used from one goroutine, and not after the
// function Transact passed it to returns.
type Tx interface {
	Reader

	// LockOrganization locks the organization for the rest of the
	// transaction (see Store.Transact) and must return ErrNotFound when it
	// does not exist.
	LockOrganization(ctx context.Context, orgID string) error
	// LockUser serializes transactions that call it with the same user ID,
	// for per-user limits. The user need not exist anywhere.
	LockUser(ctx context.Context, userID string) error

	// InsertOrganization inserts org and, when owner is not nil, its first
	// member, together (an organization the system caller creates starts
	// with no members). org.Domains is not written here (see
	// InsertDomains). It must fail with ErrSlugTaken, ErrHandleTaken or
	// ErrExternalIDTaken when another organization has the same slug, the
	// same non-empty handle or the same non-empty external ID.
	InsertOrganization(ctx context.Context, org *Organization, owner *Member) error
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
	// UpdateMemberRole sets a member's role; ErrNotFound when not a member.
	UpdateMemberRole(ctx context.Context, orgID, userID string, role Role) error
	// DeleteMember removes a membership and the user's memberships of the
	// organization's teams; ErrNotFound when not a member.
	DeleteMember(ctx context.Context, orgID, userID string) error

	// PutUser inserts or replaces a user's profile (the default directory).
	PutUser(ctx context.Context, u *User) error

	// InsertCategories inserts categories (one batch). It must fail with
	// ErrNameTaken when a name's NameKey equals that of another category of
	// the same organization.
	InsertCategories(ctx context.Context, cs []Category) error
	// UpdateCategory writes a category's name and position; ErrNameTaken as
	// InsertCategories; ErrNotFound unless the category exists in
	// c.OrganizationID.
	UpdateCategory(ctx context.Context, c *Category) error
	// DeleteCategory deletes a category of the organization.
	DeleteCategory(ctx context.Context, orgID, id string) error

	// InsertPipeline inserts a pipeline and its stages.
	InsertPipeline(ctx context.Context, p *Pipeline) error
	// UpdatePipeline writes a pipeline's name and IsDefault, and makes its
	// stages exactly p.Stages: stages with a known ID are updated, new IDs
	// inserted, stages not listed deleted.
	UpdatePipeline(ctx context.Context, p *Pipeline) error
	// DeletePipeline deletes a pipeline of the organization and its stages.
	DeletePipeline(ctx context.Context, orgID, id string) error

	// InsertDomains inserts an organization's domains (one batch). It must
	// fail with ErrDomainTaken when the organization has the domain already.
	InsertDomains(ctx context.Context, ds []Domain) error
	// UpdateDomain writes a domain's State, VerifiedAt, Strategy and
	// UpdatedAt. It must fail with
	// ErrDomainTaken when d becomes verified while another organization's
	// row for the same domain is verified.
	UpdateDomain(ctx context.Context, d *Domain) error
	// DeleteDomain deletes a domain of the organization.
	DeleteDomain(ctx context.Context, orgID, id string) error

	// InsertEvent appends an event.
	InsertEvent(ctx context.Context, e *Event) error

	// InsertInvitation inserts an invitation. It must fail with
	// ErrAlreadyInvited when a pending invitation for the same organization
	// and email exists (whatever its expiry).
	InsertInvitation(ctx context.Context, inv *Invitation) error
	// UpdateInvitation writes an invitation's status, token hash, resend
	// count, last-sent time, expiry, AcceptedBy, AcceptedAt, RevokedAt and
	// UpdatedAt.
	UpdateInvitation(ctx context.Context, inv *Invitation) error

	// InsertTeam inserts a team; ErrSlugTaken when the organization has a
	// team with the slug.
	InsertTeam(ctx context.Context, t *Team) error
	// UpdateTeam writes name, slug, description, color and UpdatedAt;
	// ErrSlugTaken as InsertTeam.
	UpdateTeam(ctx context.Context, t *Team) error
	// DeleteTeam deletes a team and its memberships.
	DeleteTeam(ctx context.Context, orgID, teamID string) error
	// InsertTeamMember adds a team membership; ErrAlreadyMember when the user
	// is on the team already.
	InsertTeamMember(ctx context.Context, m *TeamMember) error
	// UpdateTeamMemberRole sets a team member's role.
	UpdateTeamMemberRole(ctx context.Context, teamID, userID string, role TeamRole) error
	// DeleteTeamMember removes a team membership.
	DeleteTeamMember(ctx context.Context, teamID, userID string) error
}

// OrganizationLocker is an optional Tx capability: lock an organization and
// read it, as viewer sees it, in one step — one statement where the
// database allows (SELECT … FOR NO KEY UPDATE on Postgres), instead of the
// read, LockOrganization and read again that the Service does without it.
// The result and errors are GetOrganization's, and the lock
// LockOrganization's. Every mutation of an organization starts with it.
type OrganizationLocker interface {
	LockAndGetOrganization(ctx context.Context, key OrganizationKey, viewer string) (*Organization, error)
}

// OrganizationKey selects one organization. Exactly one field is set.
type OrganizationKey struct {
	ID         string
	Slug       string
	ExternalID string
}

// Range is a decoded Page as a Store sees it: keys instead of cursors, and
// MaxRows, one more than the page size, so that the Service can tell
// whether more follow.
//
// A Store's list method must return at most MaxRows items whose key is
// greater than After (when After is set) and less than Before (when Before
// is set), ordered by key ascending. When Before is set without After, it
// must return the MaxRows items nearest Before (the last ones), still in
// ascending order. MaxRows 0 means no limit (storetest uses it to read
// everything).
type Range struct {
	After   string
	Before  string
	MaxRows int
}

// OrganizationFilter selects the organizations of one user.
type OrganizationFilter struct {
	UserID string
	Domain string // only organizations with this domain, when set
	Search string // substring of the name, ignoring ASCII case, when set
	Range
}

// MemberFilter selects members of one organization.
type MemberFilter struct {
	OrganizationID string
	Role           Role   // only members with this role, when set
	Search         string // substring of name, username or email, ignoring ASCII case
	Range
}

// CategoryFilter selects the categories of one organization.
type CategoryFilter struct {
	OrganizationID string
}

// PipelineFilter selects the pipelines of one organization.
type PipelineFilter struct {
	OrganizationID string
}

// DomainFilter selects the domains of one organization.
type DomainFilter struct {
	OrganizationID string
}

// EventFilter selects events of one organization.
type EventFilter struct {
	OrganizationID string
	Type           EventType // only events of this type, when set
	Range
}

// InvitationFilter selects invitations of one organization. Status
// "expired" means stored as expired, or pending with ExpiresAt at or before
// Now; "pending" means pending with ExpiresAt after Now; other statuses match
// the stored status.
type InvitationFilter struct {
	OrganizationID string
	Status         InvitationStatus
	Now            time.Time
	Range
}

// TeamFilter selects the teams of one organization.
type TeamFilter struct {
	OrganizationID string
	Range
}

// TeamMemberFilter selects the members of one team.
type TeamMemberFilter struct {
	TeamID string
	Range
}
