package orgs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Service is the organizations API a host calls. It holds every rule —
// permissions, role ranks, the last-owner rule, limits, invitation checks —
// and persists through a Store. Every method takes the acting user's ID
// (actor) and checks what that user may do. A Service is safe for concurrent
// use.
type Service struct {
	store          Store
	roles          roleRegistry
	seed           Seed
	industries     []string
	reserved       map[string]bool
	metadataLimits MetadataLimits
	directory      UserDirectory
	now            func() time.Time
	logger         *slog.Logger
	limits         Limits
	invitations    InvitationOptions
	notifier       Notifier
	verifier       DomainVerifier
}

// Limits are optional caps; zero means unlimited. Each holds under
// concurrent requests on any Store that passes storetest.
type Limits struct {
	// MembersPerOrganization caps members plus pending invitations.
	MembersPerOrganization int
	// OrganizationsPerUser caps the organizations one user has created and
	// that still exist.
	OrganizationsPerUser int
	// PendingInvitationsPerOrganization caps pending, unexpired invitations.
	PendingInvitationsPerOrganization int
}

// Option configures a Service.
type Option func(*Service) error

// WithRole registers a role (or redefines a built-in one's rank and
// permissions). Role names are 1–32 lower-case letters, digits, ':' '_' or '-'.
func WithRole(def RoleDef) Option {
	return func(s *Service) error {
		if !validRoleName(string(def.Name)) {
			return invalid("role", "name must be 1–32 lower-case letters, digits, ':', '_' or '-'")
		}
		s.roles.add(def)
		return nil
	}
}

// WithSeed sets what a new organization starts with (default SeedWWW).
func WithSeed(seed Seed) Option {
	return func(s *Service) error {
		if err := seed.validate(); err != nil {
			return err
		}
		s.seed = seed
		return nil
	}
}

// WithIndustries replaces the industry choices (default DefaultIndustries).
func WithIndustries(industries []string) Option {
	return func(s *Service) error {
		s.industries = slices.Clone(industries)
		return nil
	}
}

// WithReservedSlugs forbids slugs and handles, for example "new", "settings"
// or "api", that would clash with the host's own routes. Each must be a
// well-formed slug (ASCII; upper case is lower-cased).
func WithReservedSlugs(slugs ...string) Option {
	return func(s *Service) error {
		for _, sl := range slugs {
			n, ok := normalizeSlug(sl)
			if !ok {
				return invalid("reserved_slugs", fmt.Sprintf("%q is not a well-formed slug", sl))
			}
			s.reserved[n] = true
		}
		return nil
	}
}

// WithMetadataLimits replaces DefaultMetadataLimits.
func WithMetadataLimits(l MetadataLimits) Option {
	return func(s *Service) error { s.metadataLimits = l; return nil }
}

// WithLimits sets optional caps (default: none).
func WithLimits(l Limits) Option {
	return func(s *Service) error { s.limits = l; return nil }
}

// WithUserDirectory supplies users' profiles from the host instead of the
// Store's users table. See UserDirectory.
func WithUserDirectory(d UserDirectory) Option {
	return func(s *Service) error { s.directory = d; return nil }
}

// WithClock replaces time.Now (for tests).
func WithClock(now func() time.Time) Option {
	return func(s *Service) error { s.now = now; return nil }
}

// WithLogger sets the logger for failures that are not returned (a Notifier
// error). Default: slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) error { s.logger = l; return nil }
}

// New returns a Service over store.
func New(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, errors.New("orgs: New needs a Store")
	}
	s := &Service{
		store:          store,
		roles:          newRoleRegistry(),
		seed:           SeedWWW,
		industries:     DefaultIndustries,
		reserved:       map[string]bool{},
		metadataLimits: DefaultMetadataLimits,
		now:            time.Now,
		logger:         slog.Default(),
		invitations:    DefaultInvitationOptions,
		verifier:       DNSVerifier{},
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Store returns the Service's store.
func (s *Service) Store() Store { return s.store }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func validRoleName(r string) bool {
	if r == "" || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Industries returns the industry choices.
func (s *Service) Industries() []string { return slices.Clone(s.industries) }

// Roles returns the known roles, highest rank first.
func (s *Service) Roles() []RoleDef {
	var defs []RoleDef
	for name, e := range s.roles {
		d := RoleDef{Name: name, Rank: e.rank}
		for _, p := range AllPermissions {
			if e.perms[p] {
				d.Permissions = append(d.Permissions, p)
			}
		}
		defs = append(defs, d)
	}
	slices.SortFunc(defs, func(a, b RoleDef) int { return b.Rank - a.Rank })
	return defs
}

// Can reports whether role grants perm.
func (s *Service) Can(role Role, perm Permission) bool { return s.roles.can(role, perm) }

// checkActor validates the acting user's ID.
func checkActor(actor string) error {
	if actor == "" {
		return ErrUnauthenticated
	}
	if validateUserID(actor) != nil {
		return ErrUnauthenticated
	}
	return nil
}

// view reads an organization by slug for actor, outside a transaction, and
// checks perm. A private organization the actor is not a member of is
// ErrNotFound; a public one allows PermOrgRead to anyone and ErrForbidden for
// the rest. What view returns is for the Service's own use: a read returned
// to a caller goes through forViewer.
func (s *Service) view(ctx context.Context, tx Tx, actor, slug string, perm Permission) (*Organization, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	slug, ok := normalizeSlug(slug)
	if !ok {
		return nil, ErrNotFound
	}
	org, err := tx.GetOrganization(ctx, OrgKey{Slug: slug}, actor)
	if err != nil {
		return nil, err
	}
	return org, s.authorize(org, perm)
}

func (s *Service) authorize(org *Organization, perm Permission) error {
	if org.Role == "" {
		if org.Visibility != VisibilityPublic {
			return ErrNotFound
		}
		if perm == PermOrgRead {
			return nil
		}
		return ErrForbidden
	}
	if !s.roles.can(org.Role, perm) {
		return ErrForbidden
	}
	return nil
}

// forViewer prepares an organization for the caller who read it: a user who is
// not a member sees the public view only.
func forViewer(org *Organization) *Organization {
	if org.Role == "" {
		org.publicView()
	}
	return org
}

// lock is view inside an Update: it finds the organization, locks it, and
// then re-reads it so that the actor's role and the counters are current.
func (s *Service) lock(ctx context.Context, tx Tx, actor, slug string, perm Permission) (*Organization, error) {
	org, err := s.view(ctx, tx, actor, slug, PermOrgRead)
	if err != nil {
		return nil, err
	}
	if err := tx.LockOrganization(ctx, org.ID); err != nil {
		return nil, err
	}
	if org, err = tx.GetOrganization(ctx, OrgKey{ID: org.ID}, actor); err != nil {
		return nil, err
	}
	return org, s.authorize(org, perm)
}

// event appends an audit event in tx.
func (s *Service) event(ctx context.Context, tx Tx, orgID, actor, typ string, data map[string]string) error {
	return tx.InsertEvent(ctx, &Event{
		ID: NewID(PrefixEvent), OrganizationID: orgID, Type: typ, ActorID: actor,
		Data: data, CreatedAt: s.clock(),
	})
}

// randomSuffix returns n random lower-case letters and digits.
func randomSuffix(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
