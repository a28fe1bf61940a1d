package bench_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/bench"
)

// A countCase counts the round trips to the database one Service operation
// makes, at two data sizes: the count must be the same at both — no
// statement per row, no N+1 — and equal want. On Postgres they are counted
// on the wire (and must equal the queries the store's hook saw: a pipeline
// of statements is one); on SQLite, where a statement is a call into the
// library, the statements.
type countCase struct {
	name  string
	sizes [2]int
	// sqlite and pg are the round trips wanted; the comment on each case
	// lists them. BEGIN and COMMIT are included: on Postgres they go with
	// the first and the last statements. The reads of one row each (the
	// member, a profile, the invitation, the team and up to two of its
	// members) are joined into the organization's statement, so on SQLite
	// a case has fewer statements than its comment lists reads.
	sqlite, pg int64
	// atMost, when set, is the target for Postgres round trips; the
	// case fails above it whatever pg says.
	atMost int64
	// setup builds data of the given size and returns the operation.
	setup func(t *testing.T, e *bench.Env, size int) func() error
}

// writeTarget is the target: a single-entity write in at most four
// round trips on Postgres, BEGIN and COMMIT included.
const writeTarget = 4

// org creates an organization without seed data owned by "<name>-owner"
// (with a profile), with members more members with profiles, and returns
// its slug, owner and the members' IDs.
func org(t *testing.T, e *bench.Env, name string, members int) (slug, owner string, users []string) {
	t.Helper()
	owner = name + "-owner"
	if err := e.Svc.PutUser(ctx, bench.User(owner)); err != nil {
		t.Fatal(err)
	}
	o, err := e.NoSeed.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Org " + name, Slug: name})
	if err != nil {
		t.Fatal(err)
	}
	for i := range members {
		users = append(users, fmt.Sprintf("%s-%06d", name, i))
	}
	if err := e.InsertUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	if err := e.InsertMembers(ctx, o.ID, users, orgs.RoleMember); err != nil {
		t.Fatal(err)
	}
	return o.Slug, owner, users
}

// seedOf returns a seed of n categories (from SeedWWW's) and pipelines of
// stages stages each.
func seedOf(n, pipelines, stages int) orgs.Seed {
	s := orgs.Seed{Categories: orgs.SeedWWW.Categories[:n]}
	for p := range pipelines {
		ps := orgs.PipelineSeed{Name: fmt.Sprintf("Pipeline %d", p)}
		for i := range stages {
			ps.Stages = append(ps.Stages, fmt.Sprintf("Stage %d", i))
		}
		s.Pipelines = append(s.Pipelines, ps)
	}
	return s
}

func service(t *testing.T, e *bench.Env, opts ...orgs.Option) *orgs.Service {
	t.Helper()
	svc, err := orgs.New(e.Store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// invitee records a user with a profile and returns it.
func invitee(t *testing.T, e *bench.Env, id string) orgs.User {
	t.Helper()
	u := bench.User(id)
	if err := e.Svc.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// rows returns n member rows of new users named prefix-i.
func memberRows(prefix string, n int) []orgs.MemberInput {
	rows := make([]orgs.MemberInput, n)
	for i := range rows {
		rows[i] = orgs.MemberInput{UserID: fmt.Sprintf("%s-%05d", prefix, i), Role: orgs.RoleMember}
	}
	return rows
}

var countCases = []countCase{
	{
		// SELECT organization with the viewer's role; SELECT the page of
		// members LEFT JOIN users.
		name: "ListMembers/page of 100 with profiles", sizes: [2]int{10, 1000}, sqlite: 2, pg: 2,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("list-%d", size), size)
			return func() error {
				l, err := e.Svc.ListMembers(ctx, orgs.UserActor(owner), slug, orgs.MemberQuery{Page: orgs.Page{Limit: 100}})
				if err == nil && (len(l.Data) != min(size+1, 100) || l.Data[0].Email == "") {
					err = fmt.Errorf("unexpected page of %d", len(l.Data))
				}
				return err
			}
		},
	},
	{
		// SELECT organization; SELECT categories; SELECT pipelines; SELECT
		// stages of those pipelines.
		name: "GetOrganizationDetail/categories and pipelines", sizes: [2]int{5, 35}, sqlite: 4, pg: 4,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			pipelines := size / 5 // 1 or 7 pipelines of 5 or 7 stages
			svc := service(t, e, orgs.WithSeed(seedOf(size, pipelines, 5+pipelines-1)))
			owner := fmt.Sprintf("detail-%d-owner", size)
			o, err := svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Detail", Slug: fmt.Sprintf("detail-%d", size)})
			if err != nil {
				t.Fatal(err)
			}
			return func() error {
				d, err := svc.GetOrganizationDetail(ctx, orgs.UserActor(owner), o.Slug)
				if err == nil && (len(d.Categories) != size || len(d.Pipelines) != pipelines) {
					err = fmt.Errorf("unexpected detail: %d categories, %d pipelines", len(d.Categories), len(d.Pipelines))
				}
				return err
			}
		},
	},
	{
		// BEGIN; INSERT organization; INSERT owner; INSERT categories (one
		// multi-row statement); INSERT pipeline; INSERT stages (one
		// statement); INSERT event; COMMIT — on Postgres one round trip.
		name: "CreateOrganization/with seed data", sizes: [2]int{5, 35}, sqlite: 8, pg: 1, atMost: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			svc := service(t, e, orgs.WithSeed(seedOf(size, 1, 5)))
			return func() error {
				_, err := svc.CreateOrganization(ctx, orgs.UserActor("creator"), orgs.CreateOrganizationInput{Name: fmt.Sprintf("Created %d", size)})
				return err
			}
		},
	},
	{
		// [BEGIN; SELECT … FOR NO KEY UPDATE (Postgres); SELECT organization
		// with the actor's role and the owners; SELECT the member with
		// profile] [UPDATE role; INSERT event; COMMIT].
		name: "UpdateMemberRole", sizes: [2]int{10, 1000}, sqlite: 5, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("role-%d", size), size)
			return func() error {
				_, err := e.Svc.UpdateMemberRole(ctx, orgs.UserActor(owner), slug, users[size/2], orgs.RoleAdmin)
				return err
			}
		},
	},
	{
		// [BEGIN; lock; SELECT organization and owners; SELECT the member]
		// [UPDATE teams' counters; DELETE member; UPDATE member count;
		// INSERT event; COMMIT].
		name: "RemoveMember", sizes: [2]int{10, 1000}, sqlite: 7, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("remove-%d", size), size)
			return func() error { return e.Svc.RemoveMember(ctx, orgs.UserActor(owner), slug, users[size/2]) }
		},
	},
	{
		// [BEGIN; lock; SELECT organization; SELECT the inviter's profile;
		// SELECT members with the email; SELECT pending invitations for it]
		// [INSERT invitation; INSERT event; COMMIT].
		name: "CreateInvitation", sizes: [2]int{10, 1000}, sqlite: 5, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("invite-%d", size), size)
			return func() error {
				_, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: "new@invite.example", Role: orgs.RoleMember})
				return err
			}
		},
	},
	{
		// [BEGIN; lock the organization of the token; SELECT organization;
		// SELECT the user's profile; SELECT invitation by token] [INSERT
		// member; UPDATE member count; UPDATE invitation; INSERT event;
		// COMMIT].
		name: "AcceptInvitation", sizes: [2]int{10, 1000}, sqlite: 7, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("accept-%d", size), size)
			u := invitee(t, e, fmt.Sprintf("accept-%d-invitee", size))
			inv, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: u.Email, Role: orgs.RoleMember})
			if err != nil {
				t.Fatal(err)
			}
			return func() error {
				_, err := e.Svc.AcceptInvitation(ctx, orgs.UserActor(u.ID), inv.Token)
				return err
			}
		},
	},
	{
		// [BEGIN; lock; SELECT organization; SELECT the new member's
		// profile] [INSERT member; UPDATE member count; INSERT event;
		// COMMIT].
		name: "AddMember", sizes: [2]int{10, 1000}, sqlite: 6, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("add-%d", size), size)
			return func() error {
				_, err := e.Svc.AddMember(ctx, orgs.UserActor(owner), slug, "added-user", orgs.RoleMember)
				return err
			}
		},
	},
	{
		// SELECT the page of the user's organizations with domains and role.
		name: "ListOrganizations/page of 100", sizes: [2]int{5, 150}, sqlite: 1, pg: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			user := fmt.Sprintf("orgs-%d-user", size)
			for i := range size {
				if _, err := e.NoSeed.CreateOrganization(ctx, orgs.UserActor(user), orgs.CreateOrganizationInput{
					Name: "Mine", Slug: fmt.Sprintf("mine-%d-%d", size, i)}); err != nil {
					t.Fatal(err)
				}
			}
			return func() error {
				l, err := e.Svc.ListOrganizations(ctx, orgs.UserActor(user), orgs.OrganizationQuery{Page: orgs.Page{Limit: 100}})
				if err == nil && len(l.Data) != min(size, 100) {
					err = fmt.Errorf("unexpected page of %d", len(l.Data))
				}
				return err
			}
		},
	},
	{
		// [BEGIN; lock; SELECT organization; SELECT the member with profile;
		// SELECT team; SELECT the actor's team membership] [INSERT team
		// member; UPDATE team member count; INSERT event; COMMIT].
		name: "AddTeamMember", sizes: [2]int{10, 1000}, sqlite: 6, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("team-%d", size), size)
			team, err := e.Svc.CreateTeam(ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: "Team", Members: teamRows(users[:size/2])})
			if err != nil {
				t.Fatal(err)
			}
			return func() error {
				_, err := e.Svc.AddTeamMember(ctx, orgs.UserActor(owner), slug, team.Slug, users[size-1], orgs.TeamRoleMember)
				return err
			}
		},
	},
	{
		// As AddTeamMember, the team members many rows of one statement
		// each: their number does not change the count.
		name: "AddTeamMembers/10 or 200 users", sizes: [2]int{10, 200}, sqlite: 8, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("teams-%d", size), size)
			team, err := e.Svc.CreateTeam(ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: "Team"})
			if err != nil {
				t.Fatal(err)
			}
			return func() error {
				_, err := e.Svc.AddTeamMembers(ctx, orgs.UserActor(owner), slug, team.Slug, teamRows(users))
				return err
			}
		},
	},
	{
		// [BEGIN; lock; SELECT organization; SELECT the members with
		// profiles] [INSERT team; UPDATE team count; INSERT team members;
		// UPDATE the team's member count; INSERT events; COMMIT]: the
		// INSERT events of the team and its members are one statement.
		name: "CreateTeam/with 10 or 200 members", sizes: [2]int{10, 200}, sqlite: 9, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("newteam-%d", size), size)
			return func() error {
				_, err := e.Svc.CreateTeam(ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: "Team", Members: teamRows(users)})
				return err
			}
		},
	},
	{
		// [BEGIN; lock; SELECT organization; SELECT the members among the
		// users; SELECT their profiles] [INSERT members; UPDATE member
		// count; INSERT events; COMMIT] — up to 1,000 rows a statement.
		name: "AddMembers/10 or 900 users", sizes: [2]int{10, 900}, sqlite: 8, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("bulk-%d", size), 10)
			rows := memberRows(fmt.Sprintf("bulk-%d-new", size), size)
			return func() error {
				_, err := e.Svc.AddMembers(ctx, orgs.UserActor(owner), slug, rows, orgs.AllOrNothing)
				return err
			}
		},
	},
	{
		// [BEGIN; lock; SELECT organization; SELECT the inviter's profile;
		// SELECT members with the emails; SELECT pending invitations for
		// them] [INSERT invitations; INSERT events; COMMIT].
		name: "CreateInvitations/10 or 900 emails", sizes: [2]int{10, 900}, sqlite: 7, pg: 2, atMost: writeTarget,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("bulkinv-%d", size), 10)
			rows := make([]orgs.InvitationInput, size)
			for i := range rows {
				rows[i] = orgs.InvitationInput{Email: fmt.Sprintf("bulk-%d-%05d@invite.example", size, i), Role: orgs.RoleMember}
			}
			return func() error {
				_, err := e.Svc.CreateInvitations(ctx, orgs.UserActor(owner), slug, rows, orgs.AllOrNothing)
				return err
			}
		},
	},
}

// count runs op with the counter recording and returns its round trips, the
// queries the hook saw, and their log.
func count(t *testing.T, e *bench.Env, op func() error) (trips, queries int64, log []string) {
	t.Helper()
	e.Counter.Reset(true)
	err := op()
	_, trips = e.Counter.Counts()
	queries = e.Counter.Queries()
	log = e.Counter.Log()
	e.Counter.Reset(false)
	if err != nil {
		t.Fatal(err)
	}
	return trips, queries, log
}

func TestQueryCounts(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := openEnv(t, backend)
			for _, c := range countCases {
				t.Run(c.name, func(t *testing.T) {
					var got, queries [2]int64
					var logs [2][]string
					for i, size := range c.sizes {
						op := c.setup(t, e, size)
						got[i], queries[i], logs[i] = count(t, e, op)
					}
					show := func(i int) string {
						qs := make([]string, len(logs[i]))
						for j, q := range logs[i] {
							q = strings.Join(strings.Fields(q), " ")
							if len(q) > 200 {
								q = q[:200] + "…"
							}
							qs[j] = q
						}
						return fmt.Sprintf("at size %d, %d round trips (%d statements):\n\t%s", c.sizes[i], got[i],
							bench.CountStatements(strings.Join(logs[i], ";")), strings.Join(qs, "\n\t"))
					}
					if got[0] != got[1] {
						t.Errorf("the round trips grow with the data: %s\n%s", show(0), show(1))
					}
					if e.PG && queries[1] != got[1] {
						t.Errorf("the hook saw %d queries, the wire %d round trips: %s", queries[1], got[1], show(1))
					}
					if e.PG && c.atMost > 0 && got[1] > c.atMost {
						t.Errorf("target: at most %d round trips, BEGIN and COMMIT included; %s", c.atMost, show(1))
					}
					want := c.sqlite
					if e.PG {
						want = c.pg
					}
					if got[1] != want {
						t.Errorf("want %d round trips (update countCases when a change is intended); %s", want, show(1))
					} else if testing.Verbose() {
						t.Log(show(1))
					}
				})
			}
		})
	}
}

func TestCountStatements(t *testing.T) {
	for q, want := range map[string]int{
		"":      0,
		"BEGIN": 1,
		"SAVEPOINT sp1; INSERT INTO t VALUES (1)": 2,
		"SELECT 'a;b', \"c;d\" ; ":                1,
		"SELECT 'it''s; fine'; SELECT 2;":         2,
		"-- a comment; not a statement\nSELECT 1": 1,
	} {
		if got := bench.CountStatements(q); got != want {
			t.Errorf("CountStatements(%q) = %d, want %d", q, got, want)
		}
	}
}
