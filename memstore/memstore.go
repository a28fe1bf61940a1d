// Package memstore is an orgs.Store that keeps everything in memory: for
// tests (the root package's own suite runs through it, and hosts can use it
// in theirs), for trying the library, and as the template for writing a
// Store for another database. It passes storetest.Run in full.
//
//	svc, err := orgs.New(memstore.New())
//
// It is written the way a store for any database should be: it keeps the
// contract written on orgs.Store, orgs.Reader and orgs.Tx (conflict
// sentinels, ErrNotFound, Range paging, exact counters, cascading deletes,
// atomic transactions, ErrClosed after Close) and implements the optional
// capabilities orgs.OrganizationLocker, orgs.Memberships and
// orgs.SystemReader (workos.go). To write your own, copy it, replace
// the maps with your database's tables, and keep memstore_test.go's one
// test that matters:
//
//	storetest.Run(t, func(t *testing.T) orgs.Store { return newYourStore(t) })
//
// Data lives in one process and is gone with it: memstore is not
// multi-process, and Transact serializes every transaction of the store
// behind one lock (stronger than the contract's per-organization
// serialization). A Store value must not be copied.
package memstore

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenantkit/orgs"
)

// Store is an orgs.Store that keeps every row in memory.
//
// Concurrency: one RWMutex. A read outside Transact takes the read lock;
// every Transact takes the write lock, so transactions run one at a time.
// That is stronger than the contract asks (transactions serialized per
// organization and per user), which makes LockOrganization an existence
// check and LockUser a no-op.
//
// Atomicity: inside Transact every write first records how to undo itself
// in a journal; when fn fails or panics, Transact replays the journal
// backwards.
//
// The Store's own reads come from an embedded auto-commit txn that locks
// for each call (it has the writes too, each atomic on its own, which this
// package's tests use).
type Store struct {
	*txn // the store's own reads and writes, each locking on its own

	mu     sync.RWMutex
	closed bool
	st     *state // nil after Close
}

var (
	_ orgs.Store              = (*Store)(nil)
	_ orgs.Tx                 = (*txn)(nil)
	_ orgs.OrganizationLocker = (*txn)(nil)
)

var (
	errClosed = fmt.Errorf("memstore: %w", orgs.ErrClosed)
	errTxDone = errors.New("memstore: transaction used after its Transact returned")
)

// New returns an empty store.
func New() *Store {
	s := &Store{st: &state{
		orgs:        map[string]orgs.Organization{},
		members:     map[string]map[string]orgs.Member{},
		users:       map[string]orgs.User{},
		categories:  map[string]orgs.Category{},
		domains:     map[string]orgs.Domain{},
		pipelines:   map[string]orgs.Pipeline{},
		events:      map[string]orgs.Event{},
		invitations: map[string]orgs.Invitation{},
		teams:       map[string]orgs.Team{},
		teamMembers: map[string]map[string]orgs.TeamMember{},
		roles:       map[string]orgs.OrganizationRole{},
	}}
	s.txn = &txn{s: s}
	return s
}

// state is every row the store holds, stored as values. A write replaces a
// whole value and never modifies one in place (slices and maps inside a row
// are cloned on the way in and on the way out), so a journaled old value
// stays intact until rollback restores it.
type state struct {
	orgs        map[string]orgs.Organization          // by ID; Domains, counters and Role unset
	domains     map[string]orgs.Domain                // by ID
	members     map[string]map[string]orgs.Member     // by org ID, user ID; profile unset
	users       map[string]orgs.User                  // by user ID
	categories  map[string]orgs.Category              // by ID
	pipelines   map[string]orgs.Pipeline              // by ID; Stages inside, by position
	events      map[string]orgs.Event                 // by ID; kept when the organization goes
	invitations map[string]orgs.Invitation            // by ID
	teams       map[string]orgs.Team                  // by ID; MemberCount unset
	teamMembers map[string]map[string]orgs.TeamMember // by team ID, user ID; profile unset
	roles       map[string]orgs.OrganizationRole      // organizations' own roles, by ID (roles.go)
	log         *eventLogState                        // the event log and consumers (eventlog.go)
	hooks       *webhookState                         // webhook endpoints, deliveries, attempts (webhooks.go)
}

// Transact runs fn with the write lock held, journaling fn's writes, and
// undoes them unless fn returns nil. The rollback runs from a deferred
// function, so it also happens when fn panics (the panic goes on) or calls
// runtime.Goexit (t.FailNow). fn must not call s.Transact or s's own
// methods: the lock is held, and they would deadlock; it uses tx.
func (s *Store) Transact(ctx context.Context, fn func(ctx context.Context, tx orgs.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	tx := &txn{s: s, inTx: true}
	committed := false
	defer func() {
		tx.done.Store(true)
		if !committed {
			for _, undo := range slices.Backward(tx.undo) {
				undo()
			}
		}
	}()
	err := fn(ctx, tx)
	committed = err == nil
	return err
}

// Close drops the data; every later call fails with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.closed, s.st = true, nil
	return nil
}

// txn implements orgs.Tx on the store's state. Inside Transact (inTx) the
// write lock is already held and every write is journaled. The store's own
// txn locks for each call and journals nothing: each write method checks
// everything before it changes anything, so a single call never half-fails.
type txn struct {
	s    *Store
	inTx bool
	done atomic.Bool // Transact's fn has returned: tx is dead
	undo []func()
}

// lock readies tx for one call: outside Transact it takes the store's lock
// (shared unless write) and returns the unlock; inside Transact, where the
// write lock is held already, it refuses a transaction that has ended.
func (tx *txn) lock(ctx context.Context, write bool) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if tx.inTx {
		if tx.done.Load() {
			return nil, errTxDone
		}
		return func() {}, nil
	}
	lock, unlock := tx.s.mu.RLock, tx.s.mu.RUnlock
	if write {
		lock, unlock = tx.s.mu.Lock, tx.s.mu.Unlock
	}
	lock()
	if tx.s.closed {
		unlock()
		return nil, errClosed
	}
	return unlock, nil
}

// read runs one reading call of tx on the state.
func read[T any](ctx context.Context, tx *txn, f func(st *state) (T, error)) (T, error) {
	unlock, err := tx.lock(ctx, false)
	if err != nil {
		var zero T
		return zero, err
	}
	defer unlock()
	return f(tx.s.st)
}

// write runs one writing call of tx on the state.
func write(ctx context.Context, tx *txn, f func(st *state) error) error {
	unlock, err := tx.lock(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	return f(tx.s.st)
}

// set writes m[k] = v, journaling the old entry inside Transact.
func set[K comparable, V any](tx *txn, m map[K]V, k K, v V) {
	journal(tx, m, k)
	m[k] = v
}

// del deletes m[k], journaling the old entry inside Transact.
func del[K comparable, V any](tx *txn, m map[K]V, k K) {
	journal(tx, m, k)
	delete(m, k)
}

// delWhere deletes the entries of m whose value matches and returns their keys.
func delWhere[K comparable, V any](tx *txn, m map[K]V, match func(V) bool) []K {
	var keys []K
	for k, v := range m {
		if match(v) {
			del(tx, m, k)
			keys = append(keys, k)
		}
	}
	return keys
}

func journal[K comparable, V any](tx *txn, m map[K]V, k K) {
	if !tx.inTx {
		return
	}
	old, had := m[k]
	tx.undo = append(tx.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// page applies r to unordered items: it keeps those whose key lies after
// r.After and before r.Before, sorts them by key, and keeps the first
// r.MaxRows, or the last r.MaxRows when only Before is set. Limit 0 means all.
func page[T any](items []T, r orgs.Range, key func(T) string) []T {
	items = slices.DeleteFunc(items, func(v T) bool {
		k := key(v)
		return (r.After != "" && k <= r.After) || (r.Before != "" && k >= r.Before)
	})
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	if r.MaxRows > 0 && len(items) > r.MaxRows {
		if r.Before != "" && r.After == "" {
			return items[len(items)-r.MaxRows:]
		}
		return items[:r.MaxRows]
	}
	return items
}

func notFound(what, id string) error {
	return fmt.Errorf("memstore: %s %q: %w", what, id, orgs.ErrNotFound)
}

func taken(sentinel error, what, value string) error {
	return fmt.Errorf("memstore: %s %q: %w", what, value, sentinel)
}

// containsFold reports whether substr is in s, ignoring ASCII case.
func containsFold(s, substr string) bool {
	return strings.Contains(asciiLower(s), asciiLower(substr))
}

// ---- Organizations ----

func (st *state) requireOrg(id string) error {
	if _, ok := st.orgs[id]; !ok {
		return notFound("organization", id)
	}
	return nil
}

// checkOrgUnique fails when another organization has o's slug, handle or
// external ID (the last two only when set).
func (st *state) checkOrgUnique(o *orgs.Organization) error {
	for _, other := range st.orgs {
		switch {
		case other.ID == o.ID:
		case other.Slug == o.Slug:
			return taken(orgs.ErrSlugTaken, "slug", o.Slug)
		case o.Handle != "" && other.Handle == o.Handle:
			return taken(orgs.ErrHandleTaken, "handle", o.Handle)
		case o.ExternalID != "" && other.ExternalID == o.ExternalID:
			return taken(orgs.ErrExternalIDTaken, "external ID", o.ExternalID)
		}
	}
	return nil
}

// storedOrg is o as stored: its own copy of Metadata, no domains (they are
// rows of their own), no counters, no role.
func storedOrg(o orgs.Organization) orgs.Organization {
	o.Domains, o.Metadata = nil, maps.Clone(o.Metadata)
	o.MemberCount, o.TeamCount, o.Role = 0, 0, ""
	return o
}

// viewOrg returns a copy of o with its counters and viewer's role.
func (st *state) viewOrg(o orgs.Organization, viewer string) orgs.Organization {
	o.Domains, o.Metadata = st.domainNames(o.ID), maps.Clone(o.Metadata)
	o.DomainDetails = st.domainDetails(o.ID)
	o.MemberCount = len(st.members[o.ID])
	o.TeamCount = 0
	for _, t := range st.teams {
		if t.OrganizationID == o.ID {
			o.TeamCount++
		}
	}
	vm := st.members[o.ID][viewer]
	o.Role = vm.Role // "" when not a member
	o.ViewerInactive = vm.Status == orgs.MembershipInactive
	return o
}

// LockOrganization checks that the organization exists; every Transact holds
// the store's write lock already.
func (tx *txn) LockOrganization(ctx context.Context, orgID string) error {
	_, err := read(ctx, tx, func(st *state) (struct{}, error) { return struct{}{}, st.requireOrg(orgID) })
	return err
}

// LockUser does nothing but check the store and tx are usable: transactions are
// serialized already.
func (tx *txn) LockUser(ctx context.Context, userID string) error {
	_, err := read(ctx, tx, func(*state) (struct{}, error) { return struct{}{}, nil })
	return err
}

func (tx *txn) InsertOrganization(ctx context.Context, org *orgs.Organization, owner *orgs.Member) error {
	return write(ctx, tx, func(st *state) error {
		if _, ok := st.orgs[org.ID]; ok {
			return fmt.Errorf("memstore: organization %q exists", org.ID)
		}
		if err := st.checkOrgUnique(org); err != nil {
			return err
		}
		set(tx, st.orgs, org.ID, storedOrg(*org))
		ms := map[string]orgs.Member{}
		if owner != nil {
			ms[owner.UserID] = storedMember(org.ID, *owner)
		}
		set(tx, st.members, org.ID, ms)
		return nil
	})
}

// LockAndGetOrganization is GetOrganization: every Transact holds the
// store's write lock already (orgs.OrganizationLocker).
func (tx *txn) LockAndGetOrganization(ctx context.Context, key orgs.OrganizationKey, viewer string) (*orgs.Organization, error) {
	return tx.GetOrganization(ctx, key, viewer)
}

func (tx *txn) GetOrganization(ctx context.Context, key orgs.OrganizationKey, viewer string) (*orgs.Organization, error) {
	return read(ctx, tx, func(st *state) (*orgs.Organization, error) {
		for _, o := range st.orgs {
			if (key.ID != "" && o.ID == key.ID) || (key.Slug != "" && o.Slug == key.Slug) ||
				(key.ExternalID != "" && o.ExternalID == key.ExternalID) {
				v := st.viewOrg(o, viewer)
				return &v, nil
			}
		}
		return nil, notFound("organization", cmp.Or(key.ID, key.Slug, key.ExternalID))
	})
}

func (tx *txn) ListOrganizations(ctx context.Context, q orgs.OrganizationFilter) ([]orgs.Organization, error) {
	return read(ctx, tx, func(st *state) ([]orgs.Organization, error) {
		var list []orgs.Organization
		for id, ms := range st.members {
			if m, member := ms[q.UserID]; member && m.Status != orgs.MembershipInactive && orgMatches(st.viewOrg(st.orgs[id], ""), q) {
				list = append(list, st.orgs[id])
			}
		}
		list = page(list, q.Range, func(o orgs.Organization) string { return o.ID })
		for i, o := range list {
			list[i] = st.viewOrg(o, q.UserID)
		}
		return list, nil
	})
}

// orgMatches reports whether o passes q's domain and search filters.
func orgMatches(o orgs.Organization, q orgs.OrganizationFilter) bool {
	hasDomain := func(d string) bool { return d == q.Domain }
	return (q.Domain == "" || slices.ContainsFunc(o.Domains, hasDomain)) &&
		(q.Search == "" || containsFold(o.Name, q.Search))
}

func (tx *txn) CountOrganizationsCreatedBy(ctx context.Context, userID string) (int, error) {
	return read(ctx, tx, func(st *state) (int, error) {
		n := 0
		for _, o := range st.orgs {
			if o.CreatedBy == userID {
				n++
			}
		}
		return n, nil
	})
}

func (tx *txn) UpdateOrganization(ctx context.Context, org *orgs.Organization) error {
	return write(ctx, tx, func(st *state) error {
		old, ok := st.orgs[org.ID]
		if !ok {
			return notFound("organization", org.ID)
		}
		if err := st.checkOrgUnique(org); err != nil {
			return err
		}
		o := storedOrg(*org)
		o.CreatedBy, o.CreatedAt = old.CreatedBy, old.CreatedAt
		set(tx, st.orgs, o.ID, o)
		return nil
	})
}

// DeleteOrganization deletes the organization and all it owns but its events.
func (tx *txn) DeleteOrganization(ctx context.Context, orgID string) error {
	return write(ctx, tx, func(st *state) error {
		if err := st.requireOrg(orgID); err != nil {
			return err
		}
		del(tx, st.orgs, orgID)
		del(tx, st.members, orgID)
		for _, teamID := range delWhere(tx, st.teams, func(t orgs.Team) bool { return t.OrganizationID == orgID }) {
			del(tx, st.teamMembers, teamID)
		}
		delWhere(tx, st.categories, func(c orgs.Category) bool { return c.OrganizationID == orgID })
		delWhere(tx, st.domains, func(d orgs.Domain) bool { return d.OrganizationID == orgID })
		delWhere(tx, st.pipelines, func(p orgs.Pipeline) bool { return p.OrganizationID == orgID })
		delWhere(tx, st.invitations, func(i orgs.Invitation) bool { return i.OrganizationID == orgID })
		delWhere(tx, st.roles, func(r orgs.OrganizationRole) bool { return r.OrganizationID == orgID })
		tx.deleteWebhooksOf(st, orgID)
		return nil
	})
}

// ---- Members and users ----

// storedMember is m as stored: no profile, which is read from users.
func storedMember(orgID string, m orgs.Member) orgs.Member {
	return orgs.Member{ID: m.ID, OrganizationID: orgID, UserID: m.UserID, Role: m.Role, JoinedAt: m.JoinedAt,
		Status: cmp.Or(m.Status, orgs.MembershipActive), UpdatedAt: cmp.Or(m.UpdatedAt, m.JoinedAt)}
}

// withProfile fills m's profile from the users (blank when unknown).
func (st *state) withProfile(m orgs.Member) orgs.Member {
	u := st.users[m.UserID]
	m.Username, m.Email, m.Name, m.AvatarURL = u.Username, u.Email, u.Name, u.AvatarURL
	return m
}

func (tx *txn) InsertMember(ctx context.Context, m *orgs.Member) error {
	return write(ctx, tx, func(st *state) error {
		if err := st.requireOrg(m.OrganizationID); err != nil {
			return err
		}
		if _, ok := st.members[m.OrganizationID][m.UserID]; ok {
			return taken(orgs.ErrAlreadyMember, "member", m.UserID)
		}
		set(tx, st.members[m.OrganizationID], m.UserID, storedMember(m.OrganizationID, *m))
		return nil
	})
}

func (tx *txn) GetMember(ctx context.Context, orgID, userID string) (*orgs.Member, error) {
	return read(ctx, tx, func(st *state) (*orgs.Member, error) {
		m, ok := st.members[orgID][userID]
		if !ok {
			return nil, notFound("member", userID)
		}
		m = st.withProfile(m)
		return &m, nil
	})
}

func (tx *txn) FindMemberByEmail(ctx context.Context, orgID, email string) (*orgs.Member, error) {
	return read(ctx, tx, func(st *state) (*orgs.Member, error) {
		for userID, m := range st.members[orgID] {
			if st.users[userID].Email == email {
				m = st.withProfile(m)
				return &m, nil
			}
		}
		return nil, notFound("member with email", email)
	})
}

func (tx *txn) ListMembers(ctx context.Context, q orgs.MemberFilter) ([]orgs.Member, error) {
	orgID := q.OrganizationID
	return read(ctx, tx, func(st *state) ([]orgs.Member, error) {
		var list []orgs.Member
		for _, m := range st.members[orgID] {
			if m = st.withProfile(m); memberMatches(m, q) {
				list = append(list, m)
			}
		}
		return page(list, q.Range, func(m orgs.Member) string { return m.UserID }), nil
	})
}

// memberMatches reports whether m (with its profile) passes q's role and
// search filters.
func memberMatches(m orgs.Member, q orgs.MemberFilter) bool {
	return (q.Role == "" || m.Role == q.Role) && (q.Search == "" ||
		containsFold(m.Name, q.Search) || containsFold(m.Username, q.Search) || containsFold(m.Email, q.Search))
}

func (tx *txn) CountMembers(ctx context.Context, orgID string, role orgs.Role) (int, error) {
	return read(ctx, tx, func(st *state) (int, error) {
		n := 0
		for _, m := range st.members[orgID] {
			if role == "" || m.Role == role {
				n++
			}
		}
		return n, nil
	})
}

func (tx *txn) UpdateMemberRole(ctx context.Context, orgID, userID string, role orgs.Role) error {
	return write(ctx, tx, func(st *state) error {
		ms := st.members[orgID]
		m, ok := ms[userID]
		if !ok {
			return notFound("member", userID)
		}
		m.Role = role
		set(tx, ms, userID, m)
		return nil
	})
}

// DeleteMember removes the membership and the user's memberships of the
// organization's teams.
func (tx *txn) DeleteMember(ctx context.Context, orgID, userID string) error {
	return write(ctx, tx, func(st *state) error {
		if _, ok := st.members[orgID][userID]; !ok {
			return notFound("member", userID)
		}
		del(tx, st.members[orgID], userID)
		for _, t := range st.teams {
			if _, ok := st.teamMembers[t.ID][userID]; ok && t.OrganizationID == orgID {
				del(tx, st.teamMembers[t.ID], userID)
			}
		}
		return nil
	})
}

func (tx *txn) PutUser(ctx context.Context, u *orgs.User) error {
	return write(ctx, tx, func(st *state) error {
		set(tx, st.users, u.ID, *u)
		return nil
	})
}

func (tx *txn) Users(ctx context.Context, ids []string) (map[string]orgs.User, error) {
	return read(ctx, tx, func(st *state) (map[string]orgs.User, error) {
		users := make(map[string]orgs.User, len(ids))
		for _, id := range ids {
			if u, ok := st.users[id]; ok {
				users[id] = u
			}
		}
		return users, nil
	})
}

// ---- Categories ----

// categoryNameTaken reports whether a category of orgID other than exceptID
// has name, compared case-insensitively.
func (st *state) categoryNameTaken(orgID, name, exceptID string) bool {
	for _, c := range st.categories {
		if c.OrganizationID == orgID && c.ID != exceptID && orgs.NameKey(c.Name) == orgs.NameKey(name) {
			return true
		}
	}
	return false
}

func (tx *txn) InsertCategories(ctx context.Context, cs []orgs.Category) error {
	return write(ctx, tx, func(st *state) error {
		seen := map[[2]string]bool{} // org ID and lower-case name, within the batch
		for _, c := range cs {
			if err := st.requireOrg(c.OrganizationID); err != nil {
				return err
			}
			key := [2]string{c.OrganizationID, orgs.NameKey(c.Name)}
			if seen[key] || st.categoryNameTaken(c.OrganizationID, c.Name, "") {
				return taken(orgs.ErrNameTaken, "category name", c.Name)
			}
			seen[key] = true
		}
		for _, c := range cs {
			set(tx, st.categories, c.ID, c)
		}
		return nil
	})
}

func (tx *txn) ListCategories(ctx context.Context, f orgs.CategoryFilter) ([]orgs.Category, error) {
	orgID := f.OrganizationID
	return read(ctx, tx, func(st *state) ([]orgs.Category, error) {
		var list []orgs.Category
		for _, c := range st.categories {
			if c.OrganizationID == orgID {
				list = append(list, c)
			}
		}
		slices.SortFunc(list, func(a, b orgs.Category) int {
			return cmp.Or(cmp.Compare(a.Position, b.Position), strings.Compare(a.ID, b.ID))
		})
		return list, nil
	})
}

func (tx *txn) UpdateCategory(ctx context.Context, c *orgs.Category) error {
	return write(ctx, tx, func(st *state) error {
		old, ok := st.categories[c.ID]
		if !ok || old.OrganizationID != c.OrganizationID {
			return notFound("category", c.ID)
		}
		if st.categoryNameTaken(c.OrganizationID, c.Name, c.ID) {
			return taken(orgs.ErrNameTaken, "category name", c.Name)
		}
		old.Name, old.Position = c.Name, c.Position
		set(tx, st.categories, c.ID, old)
		return nil
	})
}

func (tx *txn) DeleteCategory(ctx context.Context, orgID, id string) error {
	return write(ctx, tx, func(st *state) error {
		if c, ok := st.categories[id]; !ok || c.OrganizationID != orgID {
			return notFound("category", id)
		}
		del(tx, st.categories, id)
		return nil
	})
}

// ---- Pipelines ----

// storedStages returns a copy of stages belonging to pipelineID, by position.
func storedStages(pipelineID string, stages []orgs.Stage) []orgs.Stage {
	stages = slices.Clone(stages)
	for i := range stages {
		stages[i].PipelineID = pipelineID
	}
	slices.SortStableFunc(stages, func(a, b orgs.Stage) int { return cmp.Compare(a.Position, b.Position) })
	return stages
}

func clonePipeline(p orgs.Pipeline) orgs.Pipeline {
	p.Stages = slices.Clone(p.Stages)
	return p
}

func (tx *txn) InsertPipeline(ctx context.Context, p *orgs.Pipeline) error {
	return write(ctx, tx, func(st *state) error {
		if err := st.requireOrg(p.OrganizationID); err != nil {
			return err
		}
		stored := *p
		stored.Stages = storedStages(p.ID, p.Stages)
		set(tx, st.pipelines, p.ID, stored)
		return nil
	})
}

func (tx *txn) ListPipelines(ctx context.Context, f orgs.PipelineFilter) ([]orgs.Pipeline, error) {
	orgID := f.OrganizationID
	return read(ctx, tx, func(st *state) ([]orgs.Pipeline, error) {
		var list []orgs.Pipeline
		for _, p := range st.pipelines {
			if p.OrganizationID == orgID {
				list = append(list, clonePipeline(p))
			}
		}
		return page(list, orgs.Range{}, func(p orgs.Pipeline) string { return p.ID }), nil
	})
}

func (tx *txn) GetPipeline(ctx context.Context, orgID, id string) (*orgs.Pipeline, error) {
	return read(ctx, tx, func(st *state) (*orgs.Pipeline, error) {
		p, ok := st.pipelines[id]
		if !ok || p.OrganizationID != orgID {
			return nil, notFound("pipeline", id)
		}
		p = clonePipeline(p)
		return &p, nil
	})
}

// UpdatePipeline writes name and IsDefault and replaces the stages with
// p.Stages, which updates, inserts and deletes stages as the contract says.
func (tx *txn) UpdatePipeline(ctx context.Context, p *orgs.Pipeline) error {
	return write(ctx, tx, func(st *state) error {
		old, ok := st.pipelines[p.ID]
		if !ok || old.OrganizationID != p.OrganizationID {
			return notFound("pipeline", p.ID)
		}
		old.Name, old.IsDefault, old.Stages = p.Name, p.IsDefault, storedStages(p.ID, p.Stages)
		set(tx, st.pipelines, p.ID, old)
		return nil
	})
}

func (tx *txn) DeletePipeline(ctx context.Context, orgID, id string) error {
	return write(ctx, tx, func(st *state) error {
		if p, ok := st.pipelines[id]; !ok || p.OrganizationID != orgID {
			return notFound("pipeline", id)
		}
		del(tx, st.pipelines, id)
		return nil
	})
}

// ---- Events ----

// InsertEvent appends an event. The organization need not exist: deleting
// one appends organization.deleted after the rows are gone.
func (tx *txn) InsertEvent(ctx context.Context, e *orgs.Event) error {
	return write(ctx, tx, func(st *state) error {
		stored := *e
		stored.Data = maps.Clone(e.Data)
		set(tx, st.events, e.ID, stored)
		tx.appendToLog(st, e.ID)
		return nil
	})
}

func (tx *txn) ListEvents(ctx context.Context, q orgs.EventFilter) ([]orgs.Event, error) {
	orgID := q.OrganizationID
	return read(ctx, tx, func(st *state) ([]orgs.Event, error) {
		var list []orgs.Event
		for _, e := range st.events {
			if e.OrganizationID == orgID && (q.Type == "" || e.Type == q.Type) {
				e.Data = maps.Clone(e.Data)
				list = append(list, e)
			}
		}
		return page(list, q.Range, func(e orgs.Event) string { return e.ID }), nil
	})
}

// ---- Invitations ----

func cloneInvitation(inv orgs.Invitation) orgs.Invitation {
	inv.TokenHash = bytes.Clone(inv.TokenHash)
	return inv
}

// pendingTaken reports whether another pending invitation (not exceptID) of
// orgID is for email: the unique constraint on pending invitations.
func (st *state) pendingTaken(orgID, email, exceptID string) bool {
	for _, i := range st.invitations {
		if i.OrganizationID == orgID && i.ID != exceptID && i.Status == orgs.InvitationPending && i.Email == email {
			return true
		}
	}
	return false
}

func (tx *txn) InsertInvitation(ctx context.Context, inv *orgs.Invitation) error {
	return write(ctx, tx, func(st *state) error {
		if err := st.requireOrg(inv.OrganizationID); err != nil {
			return err
		}
		if inv.Status == orgs.InvitationPending && st.pendingTaken(inv.OrganizationID, inv.Email, inv.ID) {
			return taken(orgs.ErrAlreadyInvited, "email", inv.Email)
		}
		stored := cloneInvitation(*inv)
		stored.Token, stored.AcceptURL = "", "" // only the hash is kept
		set(tx, st.invitations, inv.ID, stored)
		return nil
	})
}

func (tx *txn) GetInvitation(ctx context.Context, orgID, id string) (*orgs.Invitation, error) {
	return tx.findInvitation(ctx, id, func(i orgs.Invitation) bool { return i.ID == id && i.OrganizationID == orgID })
}

func (tx *txn) GetInvitationByTokenHash(ctx context.Context, h []byte) (*orgs.Invitation, error) {
	return tx.findInvitation(ctx, "by token", func(i orgs.Invitation) bool { return len(h) > 0 && bytes.Equal(i.TokenHash, h) })
}

func (tx *txn) FindPendingInvitation(ctx context.Context, orgID, email string) (*orgs.Invitation, error) {
	return tx.findInvitation(ctx, email, func(i orgs.Invitation) bool {
		return i.OrganizationID == orgID && i.Status == orgs.InvitationPending && i.Email == email
	})
}

// findInvitation returns a copy of the invitation that matches, or
// ErrNotFound naming what.
func (tx *txn) findInvitation(ctx context.Context, what string, match func(orgs.Invitation) bool) (*orgs.Invitation, error) {
	return read(ctx, tx, func(st *state) (*orgs.Invitation, error) {
		for _, i := range st.invitations {
			if match(i) {
				i = cloneInvitation(i)
				return &i, nil
			}
		}
		return nil, notFound("invitation", what)
	})
}

// ListInvitations filters by status as seen at q.Now: a pending invitation
// whose ExpiresAt is at or before q.Now counts as expired, not pending.
// (An invitation stored with status expired is expired too.)
func (tx *txn) ListInvitations(ctx context.Context, q orgs.InvitationFilter) ([]orgs.Invitation, error) {
	orgID := q.OrganizationID
	return read(ctx, tx, func(st *state) ([]orgs.Invitation, error) {
		var list []orgs.Invitation
		for _, i := range st.invitations {
			status := i.Status
			if status == orgs.InvitationPending && !i.ExpiresAt.After(q.Now) {
				status = orgs.InvitationExpired
			}
			if i.OrganizationID == orgID && (q.Status == "" || status == q.Status) {
				list = append(list, cloneInvitation(i))
			}
		}
		return page(list, q.Range, func(i orgs.Invitation) string { return i.ID }), nil
	})
}

func (tx *txn) CountPendingInvitations(ctx context.Context, orgID string, now time.Time) (int, error) {
	return read(ctx, tx, func(st *state) (int, error) {
		n := 0
		for _, i := range st.invitations {
			if i.OrganizationID == orgID && i.Status == orgs.InvitationPending && i.ExpiresAt.After(now) {
				n++
			}
		}
		return n, nil
	})
}

func (tx *txn) UpdateInvitation(ctx context.Context, inv *orgs.Invitation) error {
	return write(ctx, tx, func(st *state) error {
		old, ok := st.invitations[inv.ID]
		if !ok || old.OrganizationID != inv.OrganizationID {
			return notFound("invitation", inv.ID)
		}
		if inv.Status == orgs.InvitationPending && st.pendingTaken(old.OrganizationID, old.Email, old.ID) {
			return taken(orgs.ErrAlreadyInvited, "email", old.Email)
		}
		old.Status, old.TokenHash, old.ResendCount = inv.Status, bytes.Clone(inv.TokenHash), inv.ResendCount
		old.LastSentAt, old.ExpiresAt, old.AcceptedBy, old.UpdatedAt = inv.LastSentAt, inv.ExpiresAt, inv.AcceptedBy, inv.UpdatedAt
		old.AcceptedAt, old.RevokedAt = inv.AcceptedAt, inv.RevokedAt
		set(tx, st.invitations, inv.ID, old)
		return nil
	})
}

// ---- Teams ----

// teamSlugTaken reports whether a team of orgID other than exceptID has slug.
func (st *state) teamSlugTaken(orgID, slug, exceptID string) bool {
	for _, t := range st.teams {
		if t.OrganizationID == orgID && t.ID != exceptID && t.Slug == slug {
			return true
		}
	}
	return false
}

func (st *state) viewTeam(t orgs.Team) orgs.Team {
	t.MemberCount = len(st.teamMembers[t.ID])
	return t
}

func (st *state) withTeamProfile(m orgs.TeamMember) orgs.TeamMember {
	u := st.users[m.UserID]
	m.Username, m.Email, m.Name, m.AvatarURL = u.Username, u.Email, u.Name, u.AvatarURL
	return m
}

func (tx *txn) InsertTeam(ctx context.Context, t *orgs.Team) error {
	return write(ctx, tx, func(st *state) error {
		if err := st.requireOrg(t.OrganizationID); err != nil {
			return err
		}
		if st.teamSlugTaken(t.OrganizationID, t.Slug, t.ID) {
			return taken(orgs.ErrSlugTaken, "team slug", t.Slug)
		}
		stored := *t
		stored.MemberCount = 0
		set(tx, st.teams, t.ID, stored)
		set(tx, st.teamMembers, t.ID, map[string]orgs.TeamMember{})
		return nil
	})
}

func (tx *txn) GetTeam(ctx context.Context, orgID, slug string) (*orgs.Team, error) {
	return read(ctx, tx, func(st *state) (*orgs.Team, error) {
		for _, t := range st.teams {
			if t.OrganizationID == orgID && t.Slug == slug {
				t = st.viewTeam(t)
				return &t, nil
			}
		}
		return nil, notFound("team", slug)
	})
}

func (tx *txn) ListTeams(ctx context.Context, f orgs.TeamFilter) ([]orgs.Team, error) {
	orgID, r := f.OrganizationID, f.Range
	return read(ctx, tx, func(st *state) ([]orgs.Team, error) {
		var list []orgs.Team
		for _, t := range st.teams {
			if t.OrganizationID == orgID {
				list = append(list, st.viewTeam(t))
			}
		}
		return page(list, r, func(t orgs.Team) string { return t.ID }), nil
	})
}

func (tx *txn) UpdateTeam(ctx context.Context, t *orgs.Team) error {
	return write(ctx, tx, func(st *state) error {
		old, ok := st.teams[t.ID]
		if !ok || old.OrganizationID != t.OrganizationID {
			return notFound("team", t.ID)
		}
		if st.teamSlugTaken(t.OrganizationID, t.Slug, t.ID) {
			return taken(orgs.ErrSlugTaken, "team slug", t.Slug)
		}
		old.Name, old.Slug, old.Description, old.Color, old.UpdatedAt = t.Name, t.Slug, t.Description, t.Color, t.UpdatedAt
		set(tx, st.teams, t.ID, old)
		return nil
	})
}

// DeleteTeam deletes the team and its memberships.
func (tx *txn) DeleteTeam(ctx context.Context, orgID, teamID string) error {
	return write(ctx, tx, func(st *state) error {
		if t, ok := st.teams[teamID]; !ok || t.OrganizationID != orgID {
			return notFound("team", teamID)
		}
		del(tx, st.teams, teamID)
		del(tx, st.teamMembers, teamID)
		return nil
	})
}

func (tx *txn) InsertTeamMember(ctx context.Context, m *orgs.TeamMember) error {
	return write(ctx, tx, func(st *state) error {
		ms, ok := st.teamMembers[m.TeamID]
		if !ok {
			return notFound("team", m.TeamID)
		}
		if _, ok := ms[m.UserID]; ok {
			return taken(orgs.ErrAlreadyMember, "team member", m.UserID)
		}
		set(tx, ms, m.UserID, orgs.TeamMember{TeamID: m.TeamID, UserID: m.UserID, Role: m.Role, JoinedAt: m.JoinedAt})
		return nil
	})
}

func (tx *txn) GetTeamMember(ctx context.Context, teamID, userID string) (*orgs.TeamMember, error) {
	return read(ctx, tx, func(st *state) (*orgs.TeamMember, error) {
		m, ok := st.teamMembers[teamID][userID]
		if !ok {
			return nil, notFound("team member", userID)
		}
		m = st.withTeamProfile(m)
		return &m, nil
	})
}

func (tx *txn) ListTeamMembers(ctx context.Context, f orgs.TeamMemberFilter) ([]orgs.TeamMember, error) {
	teamID, r := f.TeamID, f.Range
	return read(ctx, tx, func(st *state) ([]orgs.TeamMember, error) {
		var list []orgs.TeamMember
		for _, m := range st.teamMembers[teamID] {
			list = append(list, st.withTeamProfile(m))
		}
		return page(list, r, func(m orgs.TeamMember) string { return m.UserID }), nil
	})
}

func (tx *txn) UpdateTeamMemberRole(ctx context.Context, teamID, userID string, role orgs.TeamRole) error {
	return write(ctx, tx, func(st *state) error {
		ms := st.teamMembers[teamID]
		m, ok := ms[userID]
		if !ok {
			return notFound("team member", userID)
		}
		m.Role = role
		set(tx, ms, userID, m)
		return nil
	})
}

func (tx *txn) DeleteTeamMember(ctx context.Context, teamID, userID string) error {
	return write(ctx, tx, func(st *state) error {
		ms := st.teamMembers[teamID]
		if _, ok := ms[userID]; !ok {
			return notFound("team member", userID)
		}
		del(tx, ms, userID)
		return nil
	})
}

// ---- Domains ----

// orgDomains returns the organization's domains ordered by ID.
func (st *state) orgDomains(orgID string) []orgs.Domain {
	var ds []orgs.Domain
	for _, d := range st.domains {
		if d.OrganizationID == orgID {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, func(a, b orgs.Domain) int { return strings.Compare(a.ID, b.ID) })
	return ds
}

// domainNames returns the names of the organization's domains, by ID.
func (st *state) domainNames(orgID string) []string {
	var names []string
	for _, d := range st.orgDomains(orgID) {
		names = append(names, d.Domain)
	}
	return names
}

func (tx *txn) InsertDomains(ctx context.Context, ds []orgs.Domain) error {
	return write(ctx, tx, func(st *state) error {
		for i, d := range ds {
			if err := st.requireOrg(d.OrganizationID); err != nil {
				return err
			}
			for _, other := range append(st.orgDomains(d.OrganizationID), ds[:i]...) {
				if other.OrganizationID == d.OrganizationID && other.Domain == d.Domain {
					return taken(orgs.ErrDomainTaken, "domain", d.Domain)
				}
			}
		}
		for _, d := range ds {
			if d.State == orgs.DomainVerified && st.verifiedElsewhere(d) {
				return taken(orgs.ErrDomainTaken, "domain", d.Domain)
			}
		}
		for _, d := range ds {
			d.Strategy, d.UpdatedAt = cmp.Or(d.Strategy, orgs.DomainStrategyDNS), cmp.Or(d.UpdatedAt, d.CreatedAt)
			set(tx, st.domains, d.ID, d)
		}
		return nil
	})
}

func (tx *txn) ListDomains(ctx context.Context, f orgs.DomainFilter) ([]orgs.Domain, error) {
	orgID := f.OrganizationID
	return read(ctx, tx, func(st *state) ([]orgs.Domain, error) { return st.orgDomains(orgID), nil })
}

func (tx *txn) GetDomain(ctx context.Context, orgID, id string) (*orgs.Domain, error) {
	return read(ctx, tx, func(st *state) (*orgs.Domain, error) {
		d, ok := st.domains[id]
		if !ok || d.OrganizationID != orgID {
			return nil, notFound("domain", id)
		}
		return &d, nil
	})
}

func (tx *txn) UpdateDomain(ctx context.Context, d *orgs.Domain) error {
	return write(ctx, tx, func(st *state) error {
		old, ok := st.domains[d.ID]
		if !ok || old.OrganizationID != d.OrganizationID {
			return notFound("domain", d.ID)
		}
		if d.State == orgs.DomainVerified {
			for _, other := range st.domains {
				if other.ID != d.ID && other.Domain == old.Domain && other.State == orgs.DomainVerified {
					return taken(orgs.ErrDomainTaken, "domain", old.Domain)
				}
			}
		}
		old.State, old.VerifiedAt = d.State, d.VerifiedAt
		old.Strategy, old.UpdatedAt = cmp.Or(d.Strategy, orgs.DomainStrategyDNS), cmp.Or(d.UpdatedAt, old.CreatedAt)
		set(tx, st.domains, d.ID, old)
		return nil
	})
}

func (tx *txn) DeleteDomain(ctx context.Context, orgID, id string) error {
	return write(ctx, tx, func(st *state) error {
		if d, ok := st.domains[id]; !ok || d.OrganizationID != orgID {
			return notFound("domain", id)
		}
		del(tx, st.domains, id)
		return nil
	})
}

// asciiLower lower-cases ASCII letters only, as the SQL stores' searches
// do: Unicode case mapping would let "\u212Aate" match "kate".
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
