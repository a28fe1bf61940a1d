package orgs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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

	perms          []Permission        // known permissions: built-in, then registered
	permSet        map[Permission]bool // the same, as a set
	grants         []grant             // WithGrant's, applied by New
	ownerRedefined bool                // WithRole replaced the owner role
	obs            observer            // WithTracerProvider, WithMeterProvider
	webhooks       WebhookOptions
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
	// RolesPerOrganization caps the roles one organization defines, below
	// MaxOrganizationRoles, which always applies.
	RolesPerOrganization int
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
		for _, p := range def.Permissions {
			if !validPermissionName(p) {
				return invalid("role", fmt.Sprintf("permission %q must be 1–64 lower-case letters, digits, ':', '_', '-' or '.'", p))
			}
			s.register(p)
		}
		s.roles.add(def)
		if def.Name == RoleOwner {
			s.ownerRedefined = true
		}
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

// WithClock replaces time.Now (for tests). The clock is read while IDs are
// made, under the lock that orders them: it must not call NewID or the
// Service.
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
		permSet:        map[Permission]bool{},
	}
	for _, p := range AllPermissions {
		s.register(p)
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if err := s.finishRoles(); err != nil {
		return nil, err
	}
	if st, ok := s.store.(StatementTracer); ok && s.obs.tp != nil {
		s.store = st.TraceStatements(s.obs.tp)
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
		for _, p := range s.perms {
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

// orgKey turns an organization reference — a slug, or the organization's
// ID — into a Store key. A reference that can be neither is ErrNotFound.
// Slugs are matched after ASCII lower-casing only (see normalizeSlug).
func orgKey(ref string) (OrganizationKey, error) {
	if validID(PrefixOrganization, ref) {
		return OrganizationKey{ID: ref}, nil
	}
	slug, ok := normalizeSlug(ref)
	if !ok {
		return OrganizationKey{}, ErrNotFound
	}
	return OrganizationKey{Slug: slug}, nil
}

// view reads the organization ref names for actor, outside a transaction,
// and checks perm. A private organization a user is not a member of is
// ErrNotFound; a public one allows PermOrgRead to anyone and ErrForbidden for
// the rest. What view returns is for the Service's own use: a read returned
// to a caller goes through forViewer.
func (s *Service) view(ctx context.Context, actor Actor, ref string, perm Permission) (*Organization, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	key, err := orgKey(ref)
	if err != nil {
		return nil, err
	}
	ctx, c := s.observe(ctx, actor)
	org, err := s.store.GetOrganization(ctx, key, actor.viewer())
	if err == nil {
		c.organization(org)
		err = s.authorize(ctx, actor, org, perm, &roleTable{s: s, r: s.store, orgID: org.ID})
	}
	c.end(err)
	return org, err
}

// asActor makes org, read as the actor's view, what the rules see: a
// viewer whose membership is inactive has no role — no permission, the
// public view of a public organization, nothing of a private one — though
// the store keeps its role for when it is reactivated.
func asActor(org *Organization) *Organization {
	if org.ViewerInactive {
		org.Role = ""
	}
	return org
}

// permNone is the permission of a call that needs none in the organization
// (answering an invitation to it): only its existence is checked.
const permNone Permission = ""

// authorize checks that actor may do perm in org, read with actor's role,
// whose permissions roles resolves (the organization's own roles
// included); an inactive membership has none (asActor). The system caller
// may do everything.
func (s *Service) authorize(ctx context.Context, actor Actor, org *Organization, perm Permission, roles *roleTable) error {
	asActor(org)
	switch {
	case actor.system, perm == permNone:
		return nil
	case org.Role == "":
		if org.Visibility != VisibilityPublic {
			return ErrNotFound
		}
		if perm == PermOrgRead {
			return nil
		}
		return ErrForbidden
	}
	ok, err := roles.can(ctx, org.Role, perm)
	if err != nil {
		return err
	}
	if !ok {
		return ErrForbidden
	}
	return nil
}

// forViewer prepares an organization for the caller who read it: a user who
// is not a member sees the public view only.
func forViewer(actor Actor, org *Organization) *Organization {
	if !actor.system && org.Role == "" {
		org.publicView()
	}
	return org
}

// lock finds the organization key names in tx, locks it, and reads it as
// actor sees it (the actor's current role, current counters) with what r
// names, then checks perm. With the store's LockReader that is one step,
// one round trip where the database allows; without, the lock and a Reader
// call for each read (see lockRead).
func (s *Service) lock(ctx context.Context, tx Tx, actor Actor, key OrganizationKey, perm Permission, r Reads) (*Locked, error) {
	got, err := lockRead(ctx, tx, key, actor.viewer(), r)
	if err != nil {
		return nil, err
	}
	return got, s.authorize(ctx, actor, got.Organization, perm, &roleTable{s: s, r: tx, orgID: got.Organization.ID})
}

// mutation is one change in progress: its transaction, the actor, the
// organization it changes (locked, read as the actor sees it), and the
// events it records.
type mutation struct {
	ctx    context.Context
	tx     Tx
	s      *Service
	actor  Actor
	org    *Organization
	reads  Reads   // what the change asked to read with the lock
	got    *Locked // what it read
	events []*Event
	roles  *roleTable // the organization's roles, read when first needed
}

// record adds an event of the change to m.org's log; it is appended in the
// change's transaction.
func (m *mutation) record(typ EventType, data map[string]string) {
	e := &Event{ID: NewID(PrefixEvent), OrganizationID: m.org.ID, Type: typ, ActorType: ActorTypeUser,
		ActorID: m.actor.userID, Data: data, CreatedAt: m.s.clock()}
	if m.actor.system {
		e.ActorType = ActorTypeSystem
	}
	m.events = append(m.events, e)
}

// errNoEvent is a Service bug: a mutation that recorded no event.
var errNoEvent = errors.New("orgs: internal error: a change recorded no event")

// transact runs fn as one change by actor: in one Store transaction, fn
// writes and records its events, and the events are appended after it. A
// change that records no event fails (every mutation is in the log). The
// store may hold the writes back and send them with the commit (see
// WriteBatcher): fn returns at its first error, as every change does.
func (s *Service) transact(ctx context.Context, actor Actor, fn func(m *mutation) error) (err error) {
	ctx, c := s.observe(ctx, actor)
	defer func() { c.end(err) }()
	return s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		if b, ok := tx.(WriteBatcher); ok {
			b.BatchWrites()
		}
		m := &mutation{ctx: ctx, tx: tx, s: s, actor: actor}
		err := fn(m)
		c.organization(m.org)
		if err != nil {
			return err
		}
		if len(m.events) == 0 {
			return errNoEvent
		}
		return insertEvents(ctx, tx, m.events)
	})
}

// mutate is the protocol every change to an existing organization follows,
// written once: in one transaction, lock the organization ref names and read
// it as actor sees it, check perm, run change — which holds only its own
// rule and writes — and append the events it recorded. Rules that depend on
// the organization's state (the owner count, limits, an invitation's
// status) are checked inside change, under the lock, so they hold across
// goroutines and processes.
func mutate[T any](ctx context.Context, s *Service, actor Actor, ref string, perm Permission, change func(m *mutation) (T, error)) (T, error) {
	return mutateReading(ctx, s, actor, ref, perm, Reads{}, change)
}

// mutateReading is mutate for a change that reads what r names, besides
// the organization: the reads are made with the lock, in one round trip
// where the store allows (LockReader), and the change finds them in m.got.
// Every read a rule depends on is made after the lock is held.
func mutateReading[T any](ctx context.Context, s *Service, actor Actor, ref string, perm Permission, r Reads, change func(m *mutation) (T, error)) (T, error) {
	var zero T
	if err := actor.check(); err != nil {
		return zero, err
	}
	key, err := orgKey(ref)
	if err != nil {
		return zero, err
	}
	return changeLocked(ctx, s, actor, key, perm, r, change)
}

// changeLocked is mutateReading by an organization key (the zero key: the
// organization of the invitation whose token hash r names).
func changeLocked[T any](ctx context.Context, s *Service, actor Actor, key OrganizationKey, perm Permission, r Reads, change func(m *mutation) (T, error)) (T, error) {
	var out, zero T
	err := s.transact(ctx, actor, func(m *mutation) error {
		got, err := s.lock(m.ctx, m.tx, actor, key, perm, r)
		if err != nil {
			return err
		}
		m.org, m.reads, m.got = got.Organization, r, got
		out, err = change(m)
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// mutateErr is mutate for a change with no result.
func mutateErr(ctx context.Context, s *Service, actor Actor, ref string, perm Permission, change func(m *mutation) error) error {
	_, err := mutate(ctx, s, actor, ref, perm, func(m *mutation) (struct{}, error) { return struct{}{}, change(m) })
	return err
}

// randomSuffix returns n random lower-case letters and digits, without
// modulo bias (crypto/rand.Text's alphabet, lower-cased: 32 symbols).
func randomSuffix(n int) string {
	return strings.ToLower(rand.Text()[:n])
}
