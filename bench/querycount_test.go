package bench_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/bench"
)

// A countCase counts the SQL statements (BEGIN and COMMIT included, and
// each statement of a multi-statement string) one Service operation sends, at two data sizes: the count must
// be the same at both — no statement per row, no N+1 — and equal want.
type countCase struct {
	name  string
	sizes [2]int
	want  int64 // statements; the comment on each case lists them
	// pgLock is 1 for a change of an existing organization: on Postgres its
	// lock is a statement of its own before the read (see
	// store/postgres), where SQLite's immediate transaction needs none.
	pgLock int64
	// atMost, when set, is the target; the case fails above it
	// whatever want says.
	atMost int64
	// setup builds data of the given size and returns the operation.
	setup func(t *testing.T, e *bench.Env, size int) func() error
}

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

var countCases = []countCase{
	{
		// SELECT organization with the viewer's role; SELECT the page of
		// members LEFT JOIN users.
		name: "ListMembers/page of 100 with profiles", sizes: [2]int{10, 1000}, want: 2,
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
		name: "GetOrganizationDetail/categories and pipelines", sizes: [2]int{5, 35}, want: 4,
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
		// statement); INSERT event; COMMIT.
		name: "CreateOrganization/with seed data", sizes: [2]int{5, 35}, want: 8, atMost: 8,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			svc := service(t, e, orgs.WithSeed(seedOf(size, 1, 5)))
			return func() error {
				_, err := svc.CreateOrganization(ctx, orgs.UserActor("creator"), orgs.CreateOrganizationInput{Name: fmt.Sprintf("Created %d", size)})
				return err
			}
		},
	},
	{
		// BEGIN; SELECT organization by slug with the actor's role, FOR NO
		// KEY UPDATE on Postgres (orgs.OrganizationLocker); SELECT the
		// member; UPDATE role; INSERT event; COMMIT.
		name: "UpdateMemberRole", sizes: [2]int{10, 1000}, want: 6, pgLock: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("role-%d", size), size)
			return func() error {
				_, err := e.Svc.UpdateMemberRole(ctx, orgs.UserActor(owner), slug, users[size/2], orgs.RoleAdmin)
				return err
			}
		},
	},
	{
		// SELECT the inviter's profile; BEGIN; lock and SELECT organization
		// by slug; SELECT members whose profile matches the email; SELECT a
		// pending invitation for the email; INSERT invitation; INSERT event;
		// COMMIT.
		name: "CreateInvitation", sizes: [2]int{10, 1000}, want: 8, pgLock: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("invite-%d", size), size)
			return func() error {
				_, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: "new@invite.example", Role: orgs.RoleMember})
				return err
			}
		},
	},
	{
		// SELECT invitation by token; SELECT the user's profile; BEGIN;
		// lock and SELECT organization by ID; SELECT invitation by token; INSERT member; UPDATE member
		// count; UPDATE invitation; INSERT event; SELECT the member with
		// profile; COMMIT.
		name: "AcceptInvitation", sizes: [2]int{10, 1000}, want: 11, pgLock: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("accept-%d", size), size)
			invitee := fmt.Sprintf("accept-%d-invitee", size)
			u := bench.User(invitee)
			if err := e.Svc.PutUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			inv, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: u.Email, Role: orgs.RoleMember})
			if err != nil {
				t.Fatal(err)
			}
			return func() error {
				_, err := e.Svc.AcceptInvitation(ctx, orgs.UserActor(invitee), inv.Token)
				return err
			}
		},
	},
	{
		// BEGIN; lock and SELECT organization by slug; INSERT member;
		// UPDATE member count; SELECT the member with profile; INSERT event;
		// COMMIT.
		name: "AddMember", sizes: [2]int{10, 1000}, want: 7, pgLock: 1,
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
		name: "ListOrganizations/page of 100", sizes: [2]int{5, 150}, want: 1,
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
		// BEGIN; lock and SELECT organization by slug; SELECT team; SELECT
		// member; INSERT team member; UPDATE team member count; SELECT team
		// member with profile; INSERT event; COMMIT.
		name: "AddTeamMember", sizes: [2]int{10, 1000}, want: 9, pgLock: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("team-%d", size), size)
			team, err := e.Svc.CreateTeam(ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: "Team"})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users[:size/2] {
				if _, err := e.Svc.AddTeamMember(ctx, orgs.UserActor(owner), slug, team.Slug, u, orgs.TeamRoleMember); err != nil {
					t.Fatal(err)
				}
			}
			return func() error {
				_, err := e.Svc.AddTeamMember(ctx, orgs.UserActor(owner), slug, team.Slug, users[size-1], orgs.TeamRoleMember)
				return err
			}
		},
	},
}

// count runs op with the counter recording and returns its statements and
// the queries sent.
func count(t *testing.T, e *bench.Env, op func() error) (int64, []string) {
	t.Helper()
	e.Counter.Reset(true)
	err := op()
	n, _ := e.Counter.Counts()
	log := e.Counter.Log()
	e.Counter.Reset(false)
	if err != nil {
		t.Fatal(err)
	}
	return n, log
}

func TestQueryCounts(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := openEnv(t, backend)
			for _, c := range countCases {
				t.Run(c.name, func(t *testing.T) {
					var got [2]int64
					var logs [2][]string
					for i, size := range c.sizes {
						op := c.setup(t, e, size)
						got[i], logs[i] = count(t, e, op)
					}
					show := func(i int) string {
						qs := make([]string, len(logs[i]))
						for j, q := range logs[i] {
							q = strings.Join(strings.Fields(q), " ")
							if len(q) > 160 {
								q = q[:160] + "…"
							}
							qs[j] = q
						}
						return fmt.Sprintf("at size %d, %d statements:\n\t%s", c.sizes[i], got[i], strings.Join(qs, "\n\t"))
					}
					if got[0] != got[1] {
						t.Errorf("the statement count grows with the data: %s\n%s", show(0), show(1))
					}
					if c.atMost > 0 && got[1] > c.atMost {
						t.Errorf("target: at most %d statements, BEGIN and COMMIT included; %s", c.atMost, show(1))
					}
					want := c.want
					if e.PG {
						want += c.pgLock
					}
					if got[1] != want {
						t.Errorf("want %d statements (update countCases when a change is intended); %s", want, show(1))
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
