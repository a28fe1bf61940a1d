package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/uptrace/bun"
)

// Fault injection: a bun query hook counts the round trips of one Service
// call — BEGIN and COMMIT included, which the hooks see (on Postgres a
// round trip is often several statements sent together, which the hook sees
// as one query: "BEGIN; SELECT …") — and then, for every k, the call is
// repeated on fresh data with a fault before its k-th round trip:
//
//   - cancel: the call's context is cancelled (a client gone, a request
//     timeout);
//   - deadline: the k-th round trip alone gets a context whose deadline has
//     passed (a statement timeout);
//   - terminate (Postgres): the connection's backend is killed with
//     pg_terminate_backend from another connection (a crashed server
//     process, a failover, a network cut);
//
// and once more with the context cancelled right after COMMIT. Each time
// the call's effect must be all or nothing — complete when it returned
// nil, absent when it failed — checked with SQL against every table.

// faultKey marks the context of the call under test: the hook ignores every
// other statement (set-up and checks).
type faultKey struct{}

type faultMode int

const (
	faultCount       faultMode = iota // count the statements only
	faultCancel                       // cancel the call's context before round trip at
	faultDeadline                     // give round trip at an expired context
	faultAfterCommit                  // cancel the call's context after COMMIT
	faultTerminate                    // run inject before round trip at
)

func (m faultMode) String() string {
	return [...]string{"count", "cancel", "deadline", "cancel-after-commit", "terminate"}[m]
}

// faultHook is a bun.QueryHook injecting one fault into the marked call.
type faultHook struct {
	mu      sync.Mutex
	mode    faultMode
	at      int // 1-based round-trip index
	seen    []string
	fired   string // the round trip the fault hit
	cancel  context.CancelFunc
	inject  func() error
	errs    []error
	cleanup []context.CancelFunc
}

var _ bun.QueryHook = (*faultHook)(nil)

func (h *faultHook) arm(mode faultMode, at int, cancel context.CancelFunc, inject func() error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mode, h.at, h.cancel, h.inject = mode, at, cancel, inject
	h.seen, h.fired, h.errs = nil, "", nil
}

// done disarms the hook and returns the round trips seen and the one hit.
func (h *faultHook) done() (seen []string, fired string, errs []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.cleanup {
		c()
	}
	h.cleanup = nil
	seen, fired, errs = h.seen, h.fired, h.errs
	h.mode, h.at, h.cancel, h.inject = faultCount, 0, nil, nil
	return seen, fired, errs
}

// commits reports whether query ends with COMMIT (alone, or after other
// statements sent in the same round trip).
func commits(query string) bool { return strings.HasSuffix(strings.TrimSpace(query), "COMMIT") }

// begins reports whether query starts with BEGIN.
func begins(query string) bool { return strings.HasPrefix(strings.TrimSpace(query), "BEGIN") }

func stmtName(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 60 {
		q = q[:60] + "…"
	}
	return q
}

func (h *faultHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if ctx.Value(faultKey{}) == nil {
		return ctx
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = append(h.seen, e.Query)
	if len(h.seen) != h.at || h.fired != "" {
		return ctx
	}
	switch h.mode {
	case faultCancel:
		h.fired = stmtName(e.Query)
		h.cancel()
	case faultDeadline:
		h.fired = stmtName(e.Query)
		c, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		h.cleanup = append(h.cleanup, cancel)
		return c
	case faultTerminate:
		h.fired = stmtName(e.Query)
		if err := h.inject(); err != nil {
			h.errs = append(h.errs, err)
		}
	}
	return ctx
}

func (h *faultHook) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if ctx.Value(faultKey{}) == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.mode == faultAfterCommit && commits(e.Query) && h.fired == "" {
		h.fired = "after COMMIT"
		h.cancel()
	}
}

// faultEnv is a store with a fault hook and a Service on it.
type faultEnv struct {
	t    *testing.T
	s    *sqlstore.Store
	svc  *orgs.Service
	hook *faultHook
	n    int // makes names unique
}

func newFaultEnv(t *testing.T, s *sqlstore.Store) *faultEnv {
	t.Helper()
	h := &faultHook{}
	s = s.WithQueryHook(h)
	svc, err := orgs.New(s)
	require.NoError(t, err)
	return &faultEnv{t: t, s: s, svc: svc, hook: h}
}

func (e *faultEnv) next() int { e.n++; return e.n }

// faultCase is one prepared call: run makes it; state reports "done",
// "absent", or what is partial.
type faultCase struct {
	run   func(ctx context.Context) error
	state func() string
}

// faultOp prepares fresh data for one call of an operation.
type faultOp struct {
	name  string
	setup func(e *faultEnv) faultCase
}

// sqlCount runs a count query against the store (unmarked: the hook ignores it).
func (e *faultEnv) sqlCount(query string, args ...any) int {
	e.t.Helper()
	var n int
	require.NoError(e.t, e.s.DB().NewRaw(query, args...).Scan(context.Background(), &n))
	return n
}

// orgRows counts an organization's rows in every table that holds them.
func (e *faultEnv) orgRows(orgID string) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"members", "categories", "pipelines", "invitations", "teams", "team_members", "organization_domains", "events"} {
		out[table] = e.sqlCount("SELECT count(*) FROM "+table+" WHERE organization_id = ?", orgID)
	}
	out["organizations"] = e.sqlCount("SELECT count(*) FROM organizations WHERE id = ?", orgID)
	out["stages"] = e.sqlCount("SELECT count(*) FROM stages WHERE pipeline_id IN (SELECT id FROM pipelines WHERE organization_id = ?)", orgID)
	return out
}

// orgID returns the ID of the organization with slug, or "".
func (e *faultEnv) orgID(slug string) string {
	e.t.Helper()
	var ids []string
	require.NoError(e.t, e.s.DB().NewRaw("SELECT id FROM organizations WHERE slug = ?", slug).Scan(context.Background(), &ids))
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

func (e *faultEnv) must(err error) {
	e.t.Helper()
	require.NoError(e.t, err)
}

// newOrg creates an organization for a case, with seed, owned by boss.
func (e *faultEnv) newOrg(prefix string, seed orgs.Seed) (slug string, org *orgs.Organization) {
	e.t.Helper()
	svc, err := orgs.New(e.s, orgs.WithSeed(seed))
	e.must(err)
	slug = fmt.Sprintf("%s-%d", prefix, e.next())
	org, err = svc.CreateOrganization(context.Background(), orgs.UserActor("boss"), orgs.CreateOrganizationInput{Name: "Fault " + slug, Slug: slug})
	e.must(err)
	return slug, org
}

func ptrTo[T any](v T) *T { return &v }

func (e *faultEnv) events(orgID, typ string) int {
	return e.sqlCount("SELECT count(*) FROM events WHERE organization_id = ? AND type = ?", orgID, typ)
}

// faultOps are the multi-statement operations under test.
var faultOps = []faultOp{
	{"CreateOrganization", func(e *faultEnv) faultCase {
		n := e.next()
		slug, user := fmt.Sprintf("fault-create-%d", n), fmt.Sprintf("creator-%d", n)
		return faultCase{
			run: func(ctx context.Context) error {
				_, err := e.svc.CreateOrganization(ctx, orgs.UserActor(user), orgs.CreateOrganizationInput{
					Name: "Fault", Slug: slug, Domains: []string{fmt.Sprintf("d%d.example.com", n)}})
				return err
			},
			state: func() string {
				id := e.orgID(slug)
				if id == "" {
					if m := e.sqlCount("SELECT count(*) FROM members WHERE user_id = ?", user); m != 0 {
						return fmt.Sprintf("partial: no organization, but %d memberships of its creator", m)
					}
					if o := orphans(e.t, e.s); o != "" {
						return "partial: " + o
					}
					return "absent"
				}
				got := e.orgRows(id)
				want := map[string]int{"organizations": 1, "members": 1, "categories": 35, "pipelines": 1, "stages": 5,
					"organization_domains": 1, "events": 1, "invitations": 0, "teams": 0, "team_members": 0}
				if fmt.Sprint(got) != fmt.Sprint(want) || e.events(id, "organization.created") != 1 ||
					e.sqlCount("SELECT count(*) FROM members WHERE organization_id = ? AND user_id = ? AND role = 'owner'", id, user) != 1 ||
					e.sqlCount("SELECT member_count FROM organizations WHERE id = ?", id) != 1 {
					return fmt.Sprintf("partial: %v", got)
				}
				return "done"
			},
		}
	}},
	{"AcceptInvitation", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-accept", orgs.SeedNone)
		user := fmt.Sprintf("joiner-%d", e.next())
		e.must(e.svc.PutUser(context.Background(), orgs.User{ID: user, Email: user + "@example.com"}))
		inv, err := e.svc.CreateInvitation(context.Background(), orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: user + "@example.com", Role: orgs.RoleAdmin})
		e.must(err)
		return faultCase{
			run: func(ctx context.Context) error {
				_, err := e.svc.AcceptInvitation(ctx, orgs.UserActor(user), inv.Token)
				return err
			},
			state: func() string {
				got, err := e.s.GetInvitation(context.Background(), org.ID, inv.ID)
				e.must(err)
				member := e.sqlCount("SELECT count(*) FROM members WHERE organization_id = ? AND user_id = ? AND role = 'admin'", org.ID, user)
				count := e.sqlCount("SELECT member_count FROM organizations WHERE id = ?", org.ID)
				ev := e.events(org.ID, "invitation.accepted")
				switch {
				case got.Status == orgs.InvitationAccepted && got.AcceptedBy == user && member == 1 && count == 2 && ev == 1:
					return "done"
				case got.Status == orgs.InvitationPending && got.AcceptedBy == "" && member == 0 && count == 1 && ev == 0:
					return "absent"
				}
				return fmt.Sprintf("partial: status %s by %q, member %d, member_count %d, events %d", got.Status, got.AcceptedBy, member, count, ev)
			},
		}
	}},
	{"DeleteOrganization", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-delete", orgs.SeedWWW)
		ctx := context.Background()
		for _, u := range []string{"ann", "bob"} {
			_, err := e.svc.AddMember(ctx, orgs.UserActor("boss"), slug, u, orgs.RoleMember)
			e.must(err)
		}
		_, err := e.svc.CreateTeam(ctx, orgs.UserActor("boss"), slug, orgs.TeamInput{Name: "Core"})
		e.must(err)
		for _, u := range []string{"ann", "bob"} {
			_, err := e.svc.AddTeamMember(ctx, orgs.UserActor("boss"), slug, "core", u, orgs.TeamRoleMember)
			e.must(err)
		}
		_, err = e.svc.CreateInvitation(ctx, orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: "carl@example.com", Role: orgs.RoleMember})
		e.must(err)
		before := e.orgRows(org.ID)
		return faultCase{
			run: func(ctx context.Context) error { return e.svc.DeleteOrganization(ctx, orgs.UserActor("boss"), slug) },
			state: func() string {
				got := e.orgRows(org.ID)
				if fmt.Sprint(got) == fmt.Sprint(before) {
					return "absent"
				}
				gone := map[string]int{}
				for k := range before {
					gone[k] = 0
				}
				gone["events"] = before["events"] + 1
				if fmt.Sprint(got) == fmt.Sprint(gone) && e.events(org.ID, "organization.deleted") == 1 {
					return "done"
				}
				return fmt.Sprintf("partial: %v (before %v)", got, before)
			},
		}
	}},
	{"TransferOwnership", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-transfer", orgs.SeedNone)
		_, err := e.svc.AddMember(context.Background(), orgs.UserActor("boss"), slug, "heir", orgs.RoleAdmin)
		e.must(err)
		return faultCase{
			run: func(ctx context.Context) error {
				return e.svc.TransferOwnership(ctx, orgs.UserActor("boss"), slug, "heir")
			},
			state: func() string {
				role := func(u string) string {
					var r []string
					e.must(e.s.DB().NewRaw("SELECT role FROM members WHERE organization_id = ? AND user_id = ?", org.ID, u).Scan(context.Background(), &r))
					return strings.Join(r, ",")
				}
				boss, heir, ev := role("boss"), role("heir"), e.events(org.ID, "ownership.transferred")
				switch {
				case boss == "admin" && heir == "owner" && ev == 1:
					return "done"
				case boss == "owner" && heir == "admin" && ev == 0:
					return "absent"
				}
				return fmt.Sprintf("partial: boss %s, heir %s, events %d", boss, heir, ev)
			},
		}
	}},
	{"RemoveMember", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-remove", orgs.SeedNone)
		ctx := context.Background()
		for _, u := range []string{"leaver", "stayer"} {
			_, err := e.svc.AddMember(ctx, orgs.UserActor("boss"), slug, u, orgs.RoleMember)
			e.must(err)
		}
		for _, team := range []string{"one", "two", "three"} {
			_, err := e.svc.CreateTeam(ctx, orgs.UserActor("boss"), slug, orgs.TeamInput{Name: team})
			e.must(err)
			_, err = e.svc.AddTeamMember(ctx, orgs.UserActor("boss"), slug, team, "leaver", orgs.TeamRoleMember)
			e.must(err)
		}
		_, err := e.svc.AddTeamMember(ctx, orgs.UserActor("boss"), slug, "one", "stayer", orgs.TeamRoleMember)
		e.must(err)
		return faultCase{
			run: func(ctx context.Context) error {
				return e.svc.RemoveMember(ctx, orgs.UserActor("boss"), slug, "leaver")
			},
			state: func() string {
				member := e.sqlCount("SELECT count(*) FROM members WHERE organization_id = ? AND user_id = 'leaver'", org.ID)
				teams := e.sqlCount("SELECT count(*) FROM team_members WHERE organization_id = ? AND user_id = 'leaver'", org.ID)
				counted := e.sqlCount("SELECT COALESCE(sum(member_count), 0) FROM teams WHERE organization_id = ?", org.ID)
				count := e.sqlCount("SELECT member_count FROM organizations WHERE id = ?", org.ID)
				ev := e.events(org.ID, "member.removed")
				switch {
				case member == 0 && teams == 0 && counted == 1 && count == 2 && ev == 1:
					return "done"
				case member == 1 && teams == 3 && counted == 4 && count == 3 && ev == 0:
					return "absent"
				}
				return fmt.Sprintf("partial: member %d, team memberships %d, teams' member_count %d, member_count %d, events %d", member, teams, counted, count, ev)
			},
		}
	}},
	{"ReorderStages", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-stages", orgs.SeedWWW)
		ps, err := e.s.ListPipelines(context.Background(), orgs.PipelineFilter{OrganizationID: org.ID})
		e.must(err)
		p := ps[0]
		var ids, names []string
		for _, st := range p.Stages {
			ids, names = append(ids, st.ID), append(names, st.Name)
		}
		slices.Reverse(ids)
		reversed := slices.Clone(names)
		slices.Reverse(reversed)
		return faultCase{
			run: func(ctx context.Context) error {
				_, err := e.svc.ReorderStages(ctx, orgs.UserActor("boss"), slug, p.ID, ids)
				return err
			},
			state: func() string {
				var got []string
				e.must(e.s.DB().NewRaw("SELECT name FROM stages WHERE pipeline_id = ? ORDER BY position", p.ID).Scan(context.Background(), &got))
				positions := e.sqlCount("SELECT count(DISTINCT position) FROM stages WHERE pipeline_id = ? AND position BETWEEN 0 AND 4", p.ID)
				ev := e.events(org.ID, "pipeline.updated")
				switch {
				case slices.Equal(got, reversed) && positions == 5 && ev == 1:
					return "done"
				case slices.Equal(got, names) && positions == 5 && ev == 0:
					return "absent"
				}
				return fmt.Sprintf("partial: stages %v, distinct positions %d, events %d", got, positions, ev)
			},
		}
	}},
	{"ResendInvitation", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-resend", orgs.SeedNone)
		svc, err := orgs.New(e.s, orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1}))
		e.must(err)
		inv, err := svc.CreateInvitation(context.Background(), orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: "again@example.com", Role: orgs.RoleMember})
		e.must(err)
		oldHash := sha256.Sum256([]byte(inv.Token))
		return faultCase{
			run: func(ctx context.Context) error {
				_, err := svc.ResendInvitation(ctx, orgs.UserActor("boss"), slug, inv.ID)
				return err
			},
			state: func() string {
				got, err := e.s.GetInvitation(context.Background(), org.ID, inv.ID)
				e.must(err)
				ev := e.events(org.ID, "invitation.resent")
				same := string(got.TokenHash) == string(oldHash[:])
				switch {
				case !same && got.ResendCount == 1 && ev == 1:
					return "done"
				case same && got.ResendCount == 0 && ev == 0:
					return "absent"
				}
				return fmt.Sprintf("partial: token rotated %v, resend count %d, events %d", !same, got.ResendCount, ev)
			},
		}
	}},
	{"UpdateOrganizationDomains", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-domains", orgs.SeedNone)
		_, err := e.svc.UpdateOrganization(context.Background(), orgs.UserActor("boss"), slug, orgs.UpdateOrganizationInput{
			Domains: []string{"a.example.com", "b.example.com"}})
		e.must(err)
		return faultCase{
			run: func(ctx context.Context) error {
				_, err := e.svc.UpdateOrganization(ctx, orgs.UserActor("boss"), slug, orgs.UpdateOrganizationInput{
					Name: ptrTo("Renamed"), Domains: []string{"b.example.com", "c.example.com", "d.example.com"}})
				return err
			},
			state: func() string {
				var ds []string
				e.must(e.s.DB().NewRaw("SELECT domain FROM organization_domains WHERE organization_id = ? ORDER BY domain", org.ID).Scan(context.Background(), &ds))
				var name []string
				e.must(e.s.DB().NewRaw("SELECT name FROM organizations WHERE id = ?", org.ID).Scan(context.Background(), &name))
				ev := e.events(org.ID, "organization.updated")
				got := fmt.Sprint(name, ds, ev)
				switch got {
				case fmt.Sprint([]string{"Renamed"}, []string{"b.example.com", "c.example.com", "d.example.com"}, 2):
					return "done"
				case fmt.Sprint([]string{"Fault " + slug}, []string{"a.example.com", "b.example.com"}, 1):
					return "absent"
				}
				return "partial: " + got
			},
		}
	}},
	{"DeleteCategory", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-category", orgs.SeedWeb)
		cs, err := e.s.ListCategories(context.Background(), orgs.CategoryFilter{OrganizationID: org.ID})
		e.must(err)
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		return faultCase{
			run: func(ctx context.Context) error {
				return e.svc.DeleteCategory(ctx, orgs.UserActor("boss"), slug, cs[1].ID)
			},
			state: func() string {
				var got []string
				e.must(e.s.DB().NewRaw("SELECT name FROM categories WHERE organization_id = ? ORDER BY position", org.ID).Scan(context.Background(), &got))
				positions := e.sqlCount("SELECT count(DISTINCT position) FROM categories WHERE organization_id = ? AND position < ?", org.ID, len(got))
				ev := e.events(org.ID, "category.deleted")
				switch {
				case slices.Equal(got, slices.Delete(slices.Clone(names), 1, 2)) && positions == len(got) && ev == 1:
					return "done"
				case slices.Equal(got, names) && positions == len(got) && ev == 0:
					return "absent"
				}
				return fmt.Sprintf("partial: %v, distinct positions %d, events %d", got, positions, ev)
			},
		}
	}},
	{"DeleteDefaultPipeline", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-pipeline", orgs.SeedWWW)
		second, err := e.svc.CreatePipeline(context.Background(), orgs.UserActor("boss"), slug, orgs.PipelineInput{Name: "Second", Stages: []string{"A", "B"}})
		e.must(err)
		ps, err := e.s.ListPipelines(context.Background(), orgs.PipelineFilter{OrganizationID: org.ID})
		e.must(err)
		first := ps[0].ID // the default
		return faultCase{
			run: func(ctx context.Context) error { return e.svc.DeletePipeline(ctx, orgs.UserActor("boss"), slug, first) },
			state: func() string {
				n := e.sqlCount("SELECT count(*) FROM pipelines WHERE organization_id = ?", org.ID)
				def := e.sqlCount("SELECT count(*) FROM pipelines WHERE organization_id = ? AND is_default AND id = ?", org.ID, second.ID)
				defs := e.sqlCount("SELECT count(*) FROM pipelines WHERE organization_id = ? AND is_default", org.ID)
				stages := e.sqlCount("SELECT count(*) FROM stages WHERE pipeline_id = ?", first)
				ev := e.events(org.ID, "pipeline.deleted")
				switch {
				case n == 1 && def == 1 && defs == 1 && stages == 0 && ev == 1:
					return "done"
				case n == 2 && def == 0 && defs == 1 && stages == 5 && ev == 0:
					return "absent"
				}
				return fmt.Sprintf("partial: %d pipelines, %d defaults (second: %d), %d stages of the first, events %d", n, defs, def, stages, ev)
			},
		}
	}},
	{"ReplacePendingInvitation", func(e *faultEnv) faultCase {
		slug, org := e.newOrg("fault-replace", orgs.SeedNone)
		svc, err := orgs.New(e.s, orgs.WithInvitationOptions(orgs.InvitationOptions{ReplacePending: true}))
		e.must(err)
		old, err := svc.CreateInvitation(context.Background(), orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: "twice@example.com", Role: orgs.RoleMember})
		e.must(err)
		return faultCase{
			run: func(ctx context.Context) error {
				_, err := svc.CreateInvitation(ctx, orgs.UserActor("boss"), slug, orgs.InvitationInput{Email: "twice@example.com", Role: orgs.RoleAdmin})
				return err
			},
			state: func() string {
				var st []string
				e.must(e.s.DB().NewRaw("SELECT status || ':' || role FROM invitations WHERE organization_id = ? ORDER BY id", org.ID).Scan(context.Background(), &st))
				created, revoked := e.events(org.ID, "invitation.created"), e.events(org.ID, "invitation.revoked")
				got := fmt.Sprint(st, created, revoked)
				switch got {
				case fmt.Sprint([]string{"revoked:member", "pending:admin"}, 2, 1):
					return "done"
				case fmt.Sprint([]string{"pending:member"}, 1, 0):
					return "absent"
				}
				_ = old
				return "partial: " + got
			},
		}
	}},
}

// orphans describes rows that belong to no organization (events excepted
// when their organization was deleted), or "" when there are none.
func orphans(t *testing.T, s *sqlstore.Store) string {
	t.Helper()
	found, err := testdb.Orphans(context.Background(), s.DB())
	require.NoError(t, err)
	return found
}

// runFaults counts op's round trips, then injects each mode's fault before
// each round trip, and the after-COMMIT cancel, checking all-or-nothing.
// terminate, when set, is the faultTerminate injection (Postgres).
func runFaults(t *testing.T, e *faultEnv, op faultOp, modes []faultMode, prepare func() func() error) int {
	t.Helper()
	marked := context.WithValue(context.Background(), faultKey{}, true)
	c := op.setup(e)
	e.hook.arm(faultCount, 0, nil, nil)
	err := c.run(marked)
	stmts, _, _ := e.hook.done()
	require.NoError(t, err, "%s without a fault", op.name)
	require.Equal(t, "done", c.state(), "%s without a fault", op.name)
	require.NotEmpty(t, stmts)
	require.True(t, slices.ContainsFunc(stmts, begins), "the hook sees BEGIN")
	require.True(t, commits(stmts[len(stmts)-1]), "the hook sees COMMIT last")
	names := make([]string, len(stmts))
	for i, q := range stmts {
		names[i] = stmtName(q)
	}
	t.Logf("%s: %d round trips: %s", op.name, len(stmts), strings.Join(names, " | "))

	injected := 0
	outcomes := map[string]int{}
	for _, mode := range modes {
		ats := make([]int, len(stmts))
		for i := range ats {
			ats[i] = i + 1
		}
		if mode == faultAfterCommit {
			ats = []int{len(stmts)}
		}
		for _, at := range ats {
			c := op.setup(e)
			ctx, cancel := context.WithCancel(marked)
			var inject func() error
			if prepare != nil {
				inject = prepare()
			}
			e.hook.arm(mode, at, cancel, inject)
			err := c.run(ctx)
			_, fired, injectErrs := e.hook.done()
			cancel()
			require.Empty(t, injectErrs, "injecting %s before round trip %d", mode, at)
			if fired == "" {
				t.Errorf("%s, %s at round trip %d: the fault was not injected (the call made other round trips this time)", op.name, mode, at)
				continue
			}
			injected++
			st := c.state()
			outcomes[st]++
			where := fmt.Sprintf("%s, %s before round trip %d (%s): err %v", op.name, mode, at, fired, err)
			switch {
			case strings.HasPrefix(st, "partial"):
				t.Errorf("%s: %s", where, st)
			case err == nil && st != "done":
				t.Errorf("%s: returned nil but the change is %s", where, st)
			case err != nil && st != "absent":
				t.Errorf("%s: failed but the change is %s", where, st)
			}
			if mode == faultAfterCommit && (err != nil || st != "done") {
				t.Errorf("%s: a cancel after COMMIT must not undo the call", where)
			}
		}
	}
	t.Logf("%s: %d faults injected (%v, before each of its %d round trips; cancel-after-commit after COMMIT): %v", op.name, injected, modes, len(stmts), outcomes)
	return injected
}

// TestFaultInjection cancels, and expires the deadline of, every round trip
// of each multi-statement operation, on both backends.
func TestFaultInjection(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		e := newFaultEnv(t, s)
		total, ops := 0, 0
		for _, op := range faultOps {
			ok := t.Run(op.name, func(t *testing.T) {
				e.t = t
				total += runFaults(t, e, op, []faultMode{faultCancel, faultDeadline, faultAfterCommit}, nil)
			})
			if ok {
				ops++
			}
		}
		e.t = t
		assert.Empty(t, orphans(t, s))
		t.Logf("fault injection: %d operations passed, %d faults injected", ops, total)
	})
}

// TestFaultTerminateBackend kills the Postgres backend of the call's
// connection (pg_terminate_backend from another connection) before each of
// its statements. The store's pool is cut to one connection so that the
// call's connection is the one whose pid was read just before.
func TestFaultTerminateBackend(t *testing.T) {
	t.Parallel()
	u := pgSchema(t)
	s := openPGAt(t, u)
	s.DB().SetMaxOpenConns(1)
	s.DB().SetMaxIdleConns(1)
	admin, err := sql.Open("pgx", u)
	require.NoError(t, err)
	defer admin.Close()
	e := newFaultEnv(t, s)
	total := 0
	prepare := func() func() error {
		var pid int
		require.NoError(t, s.DB().QueryRowContext(context.Background(), "SELECT pg_backend_pid()").Scan(&pid))
		return func() error {
			var ok bool
			if err := admin.QueryRowContext(context.Background(), "SELECT pg_terminate_backend($1)", pid).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("pg_terminate_backend(%d) found no backend", pid)
			}
			// Wait until it is gone (pg_terminate_backend's own timeout polls
			// every 100 ms).
			for deadline := time.Now().Add(5 * time.Second); ; {
				var n int
				if err := admin.QueryRowContext(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("backend %d still alive 5 s after pg_terminate_backend", pid)
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	for _, op := range faultOps {
		t.Run(op.name, func(t *testing.T) {
			e.t = t
			total += runFaults(t, e, op, []faultMode{faultTerminate}, prepare)
		})
	}
	e.t = t
	assert.Empty(t, orphans(t, s))
	var n int
	require.NoError(t, admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'").Scan(&n))
	t.Logf("terminate: %d backends killed mid-call; idle-in-transaction sessions left: %d", total, n)
}

// settled returns c's state once the database has settled. A call whose
// context was cancelled mid-round-trip returns at once, while the server
// may still be running what it received — on Postgres a whole transaction,
// COMMIT included, can be one round trip — and the state, read in several
// queries, could see part of the change before its commit and the rest
// after. A state that is partial only while that transaction finishes
// settles within moments; one that stays partial is reported.
func settled(c faultCase, err error) string {
	st := c.state()
	for deadline := time.Now().Add(3 * time.Second); err != nil && strings.HasPrefix(st, "partial") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		st = c.state()
	}
	return st
}

// TestFaultCancelAnyMoment cancels each operation's context at a random
// moment — mid-statement, mid-commit, between statements — a few times
// per operation and backend (-faults.runs), and checks that it is all or
// nothing. A call that returned nil must be done; one that failed is
// usually absent, but may be done when the cancel landed after COMMIT
// reached the server (its answer was lost): the client cannot know, so
// that case is counted, not failed.
func TestFaultCancelAnyMoment(t *testing.T) {
	t.Parallel()
	runs := runsOr(6)
	eachDB(t, func(t *testing.T, s *sqlstore.Store) {
		e := newFaultEnv(t, s)
		outcomes := map[string]int{}
		for _, op := range faultOps {
			t.Run(op.name, func(t *testing.T) {
				e.t = t
				c := op.setup(e)
				start := time.Now()
				require.NoError(t, c.run(context.Background()))
				took := time.Since(start)
				require.Equal(t, "done", c.state())
				for range runs {
					c := op.setup(e)
					ctx, cancel := context.WithCancel(context.Background())
					timer := time.AfterFunc(time.Duration(mrand.Int64N(int64(took)*5/4+1)), cancel)
					err := c.run(ctx)
					timer.Stop()
					cancel()
					st := settled(c, err)
					switch {
					case strings.HasPrefix(st, "partial"):
						t.Errorf("%s cancelled at a random moment (err %v): %s", op.name, err, st)
					case err == nil && st != "done":
						t.Errorf("%s cancelled at a random moment: returned nil but the change is %s", op.name, st)
					case err == nil:
						outcomes["done"]++
					case st == "done":
						outcomes["done, but the call failed"]++
						t.Logf("%s: done, but the call failed: %v", op.name, err)
					default:
						outcomes["absent"]++
					}
				}
			})
		}
		e.t = t
		assert.Empty(t, orphans(t, s))
		t.Logf("random-moment cancels: %d operations × %d: %v", len(faultOps), runs, outcomes)
	})
}
