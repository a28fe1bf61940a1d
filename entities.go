package orgs

import "time"

// Visibility says who may see an organization.
type Visibility string

// Visibilities. A private organization is visible only to its members. A
// public one's public profile (see Organization.IsPublicView), categories and
// pipelines may be read by any user; the rest of its record, and its
// members, teams, invitations, domains and events, only by members.
const (
	VisibilityPrivate Visibility = "private"
	VisibilityPublic  Visibility = "public"
)

// Organization is a tenant. Role is the acting user's role ("" when the actor
// is not a member, which only happens for public organizations).
//
// What a caller sees is decided by field: a user who is not a member of a
// public organization gets its public view — ID, Name, Slug, Handle,
// Description, LogoURL, Website, Industry, Visibility, MemberCount,
// TeamCount, CreatedAt and UpdatedAt — and the other fields (ContactEmail,
// ContactPhone, Domains, ExternalID, Metadata, CreatedBy) empty. Read
// IsPublicView to tell the two apart.
type Organization struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Slug         string            `json:"slug"`
	Handle       string            `json:"handle"`
	Description  string            `json:"description"`
	LogoURL      string            `json:"logo_url"`
	Website      string            `json:"website"`
	Industry     string            `json:"industry"`
	ContactEmail string            `json:"contact_email"`
	ContactPhone string            `json:"contact_phone"`
	Visibility   Visibility        `json:"visibility"`
	Domains      []string          `json:"domains"`
	ExternalID   string            `json:"external_id"`
	Metadata     map[string]string `json:"metadata"`
	MemberCount  int               `json:"member_count"`
	TeamCount    int               `json:"team_count"`
	Role         Role              `json:"role"`
	// StripeCustomerID is the host's Stripe customer for the organization
	// ("cus_…"), or "". httpapi does not show it.
	StripeCustomerID string `json:"-"`
	// DomainDetails are the organization's domains as objects (ID, state,
	// verification strategy, times), in the order of Domains, which names
	// them. httpapi shows only Domains.
	DomainDetails []Domain `json:"-"`
	// ViewerInactive reports that the viewer's membership is inactive (see
	// MembershipInactive). A Store sets it with Role; the Service then
	// treats the viewer as no member (no permission, Role cleared).
	ViewerInactive bool      `json:"-"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (o Organization) listKey() string { return o.ID }

// IsPublicView reports whether o is the public view of an organization: read
// by a user who is not one of its members, with only the public fields set.
func (o *Organization) IsPublicView() bool { return o.Role == "" && o.Visibility == VisibilityPublic }

// publicView clears what only members may see (see Organization).
func (o *Organization) publicView() {
	o.ContactEmail, o.ContactPhone, o.ExternalID, o.CreatedBy, o.StripeCustomerID = "", "", "", "", ""
	o.Domains, o.Metadata, o.DomainDetails = nil, nil, nil
}

// OrganizationDetail is an organization with its categories and pipelines.
type OrganizationDetail struct {
	Organization
	Categories []Category `json:"categories"`
	Pipelines  []Pipeline `json:"pipelines"`
}

// Category is a per-organization category (a department, a job family).
// Names are unique per organization, compared case-insensitively. Positions
// are 0-based and contiguous.
type Category struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"-"`
	Name           string    `json:"name"`
	Position       int       `json:"position"`
	CreatedAt      time.Time `json:"-"`
}

// Pipeline is a hiring pipeline: ordered stages. At most one pipeline of an
// organization is the default.
type Pipeline struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"-"`
	Name           string    `json:"name"`
	IsDefault      bool      `json:"is_default"`
	Stages         []Stage   `json:"stages"`
	CreatedAt      time.Time `json:"-"`
}

// Stage is one step of a pipeline. Positions are 0-based and contiguous.
type Stage struct {
	ID         string `json:"id"`
	PipelineID string `json:"-"`
	Name       string `json:"name"`
	Position   int    `json:"position"`
}

// Event is one entry of an organization's audit log, appended in the same
// transaction as the change it records. Events outlive the organization:
// deleting an organization appends organization.deleted and keeps its log.
//
// ActorType is ActorTypeUser, with the user in ActorID, or ActorTypeSystem,
// with ActorID empty: a change made by the system caller (see Actor).
type Event struct {
	ID             string            `json:"id"`
	OrganizationID string            `json:"organization_id"`
	Type           EventType         `json:"type"`
	ActorType      string            `json:"actor_type"`
	ActorID        string            `json:"actor_id"`
	Data           map[string]string `json:"data"`
	CreatedAt      time.Time         `json:"created_at"`
}

func (e Event) listKey() string { return e.ID }

// InvitationStatus is an invitation's state.
type InvitationStatus string

// Invitation states. A pending invitation whose ExpiresAt has passed is
// reported as expired; the Service stores "expired" only when it retires such
// an invitation (a new invitation for the same email replaces it).
const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationRevoked  InvitationStatus = "revoked"
	InvitationDeclined InvitationStatus = "declined"
	InvitationExpired  InvitationStatus = "expired"
)

// Invitation invites an email address to join an organization with a role.
// Token and AcceptURL are set only in the results of CreateInvitation and
// ResendInvitation: the store keeps only TokenHash.
type Invitation struct {
	ID              string           `json:"id"`
	OrganizationID  string           `json:"organization_id"`
	Email           string           `json:"email"`
	Role            Role             `json:"role"`
	Status          InvitationStatus `json:"status"`
	InvitedBy       string           `json:"invited_by"`
	InviterUsername string           `json:"invited_by_username"`
	TokenHash       []byte           `json:"-"`
	ResendCount     int              `json:"resend_count"`
	LastSentAt      time.Time        `json:"last_sent_at"`
	ExpiresAt       time.Time        `json:"expires_at"`
	IsExpired       bool             `json:"is_expired"`
	AcceptedBy      string           `json:"accepted_by,omitempty"`
	// AcceptedAt and RevokedAt are when the invitation was accepted or
	// revoked (nil before). httpapi does not show them.
	AcceptedAt *time.Time `json:"-"`
	RevokedAt  *time.Time `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Token      string     `json:"token,omitempty"`
	AcceptURL  string     `json:"accept_url,omitempty"`
	// DeliveryError is the Notifier's error, when delivery failed; the
	// invitation is saved regardless and can be resent.
	DeliveryError string `json:"delivery_error,omitempty"`
}

func (i Invitation) listKey() string { return i.ID }

// TeamRole is a member's role within a team.
type TeamRole string

// Team roles. Maintainers manage their team's membership.
const (
	TeamRoleMaintainer TeamRole = "maintainer"
	TeamRoleMember     TeamRole = "member"
)

// Team groups members of an organization. Slugs are unique within the
// organization.
type Team struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"-"`
	Name           string    `json:"name"`
	Slug           string    `json:"slug"`
	Description    string    `json:"description"`
	Color          string    `json:"color"`
	MemberCount    int       `json:"member_count"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func (t Team) listKey() string { return t.ID }

// TeamMember is an organization member's membership of a team, with profile.
type TeamMember struct {
	TeamID    string    `json:"-"`
	UserID    string    `json:"user_id"`
	Role      TeamRole  `json:"role"`
	JoinedAt  time.Time `json:"joined_at"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	AvatarURL string    `json:"avatar_url"`
}

func (m TeamMember) listKey() string { return m.UserID }
