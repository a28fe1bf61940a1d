package bench_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/bench"
)

// The embedding calls of issue 12, counted like countCases: Authorize must
// be one statement on both backends, whatever the organization's size and
// whether the member's role is one the organization defined.
var embedCountCases = []countCase{
	{
		// SELECT organization LEFT JOIN the member LEFT JOIN the
		// organization's role (orgs.AccessReader).
		name: "Authorize", sizes: [2]int{10, 1000}, sqlite: 1, pg: 1, atMost: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, _, users := org(t, e, fmt.Sprintf("authz-%d", size), size)
			return func() error {
				m, err := e.Svc.Authorize(ctx, orgs.UserActor(users[size/2]), slug, orgs.PermMembersRead)
				if err == nil && m.Role != orgs.RoleMember {
					err = fmt.Errorf("membership %+v", m)
				}
				return err
			}
		},
	},
	{
		// The same statement, for a role the organization defined.
		name: "Authorize/organization's own role", sizes: [2]int{10, 1000}, sqlite: 1, pg: 1, atMost: 1,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, users := org(t, e, fmt.Sprintf("authz-own-%d", size), size)
			if _, err := e.Svc.CreateOrganizationRole(ctx, orgs.UserActor(owner), slug, orgs.OrganizationRoleInput{
				Name: "editor", Rank: 150, Permissions: []orgs.Permission{orgs.PermMembersRead}}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Svc.UpdateMemberRole(ctx, orgs.UserActor(owner), slug, users[0], "editor"); err != nil {
				t.Fatal(err)
			}
			return func() error {
				m, err := e.Svc.Authorize(ctx, orgs.UserActor(users[0]), slug, orgs.PermMembersRead)
				if err == nil && m.Role != "editor" {
					err = fmt.Errorf("membership %+v", m)
				}
				return err
			}
		},
	},
	{
		// SELECT invitation by token hash; SELECT organization; SELECT the
		// inviter's profile.
		name: "PreviewInvitation", sizes: [2]int{10, 1000}, sqlite: 3, pg: 3,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			slug, owner, _ := org(t, e, fmt.Sprintf("preview-%d", size), size)
			inv, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: "preview@invite.example", Role: orgs.RoleMember})
			if err != nil {
				t.Fatal(err)
			}
			return func() error {
				_, err := e.Svc.PreviewInvitation(ctx, orgs.UserActor("someone"), inv.Token)
				return err
			}
		},
	},
	{
		// SELECT the user's profile; SELECT the page of invitations to
		// the email JOIN organizations; SELECT the inviters' profiles.
		name: "ListMyInvitations", sizes: [2]int{3, 60}, sqlite: 3, pg: 3,
		setup: func(t *testing.T, e *bench.Env, size int) func() error {
			invitee := fmt.Sprintf("mine-%d-invitee", size)
			u := bench.User(invitee)
			if err := e.Svc.PutUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			for i := range size {
				slug, owner, _ := org(t, e, fmt.Sprintf("mine-%d-%d", size, i), 1)
				if _, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: u.Email, Role: orgs.RoleMember}); err != nil {
					t.Fatal(err)
				}
			}
			return func() error {
				l, err := e.Svc.ListMyInvitations(ctx, orgs.UserActor(invitee), orgs.Page{Limit: 100})
				if err == nil && len(l.Data) != size {
					err = fmt.Errorf("%d invitations", len(l.Data))
				}
				return err
			}
		},
	},
}

func init() { countCases = append(countCases, embedCountCases...) }

// authzFx is BenchmarkAuthorize's organization, built once per Env.
type authzFx struct{ slug, member, editor string }

var authzFixtures sync.Map // *bench.Env → authzFx

func authorizeFixture(e *bench.Env, build func() (authzFx, error)) (authzFx, error) {
	if f, ok := authzFixtures.Load(e); ok {
		return f.(authzFx), nil
	}
	f, err := build()
	if err == nil {
		authzFixtures.Store(e, f)
	}
	return f, err
}

// BenchmarkAuthorize measures Service.Authorize — checks per second — on
// both backends, for a built-in role and for an organization's own role, in
// an organization of 1,000 members, one goroutine and all of them
// (RunParallel). Its statements and round trips per check (stmts/op,
// round_trips/op) must be 1.
func BenchmarkAuthorize(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			e := sharedEnv(b, backend)
			f, err := authorizeFixture(e, func() (authzFx, error) {
				type fx = authzFx
				name := "authz-bench"
				owner := name + "-owner"
				o, err := e.NoSeed.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Authz", Slug: name})
				if err != nil {
					return fx{}, err
				}
				var users []string
				for i := range 1000 {
					users = append(users, fmt.Sprintf("%s-%06d", name, i))
				}
				if err := e.InsertUsers(ctx, users); err != nil {
					return fx{}, err
				}
				if err := e.InsertMembers(ctx, o.ID, users, orgs.RoleMember); err != nil {
					return fx{}, err
				}
				if _, err := e.Svc.CreateOrganizationRole(ctx, orgs.UserActor(owner), name, orgs.OrganizationRoleInput{
					Name: "editor", Rank: 150, Permissions: []orgs.Permission{orgs.PermMembersRead}}); err != nil {
					return fx{}, err
				}
				if _, err := e.Svc.UpdateMemberRole(ctx, orgs.UserActor(owner), name, users[1], "editor"); err != nil {
					return fx{}, err
				}
				return fx{slug: name, member: users[500], editor: users[1]}, nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range []struct{ name, user string }{{"member", f.member}, {"own-role", f.editor}} {
				check := func() error {
					_, err := e.Svc.Authorize(ctx, orgs.UserActor(c.user), f.slug, orgs.PermMembersRead)
					return err
				}
				b.Run(c.name, func(b *testing.B) {
					e.Counter.Reset(false)
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := check(); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					stmts, trips := e.Counter.Counts()
					b.ReportMetric(float64(stmts)/float64(b.N), "stmts/op")
					b.ReportMetric(float64(trips)/float64(b.N), "round_trips/op")
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
				})
				b.Run(c.name+"/parallel", func(b *testing.B) {
					b.ReportAllocs()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := check(); err != nil {
								b.Error(err)
								return
							}
						}
					})
					b.StopTimer()
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
				})
			}
		})
	}
}
