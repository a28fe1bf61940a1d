package bench_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/bench"
)

// The floor must do the same logical work as the library, or the ratios
// mean nothing. These tests run each write through the library on one
// organization and through the floor on its twin, and compare what the
// Service then shows of both; and compare each floor read with the Service's.

// twin is an organization of members members, twice: a for the library, b
// for the floor.
type twin struct {
	owner        string
	aSlug, bSlug string
	users        []string
}

func newTwin(t *testing.T, e *bench.Env, name string, members int) twin {
	t.Helper()
	tw := twin{owner: name + "-owner", aSlug: name + "-a", bSlug: name + "-b"}
	for i := range members {
		tw.users = append(tw.users, fmt.Sprintf("%s-u%04d", name, i))
	}
	require.NoError(t, e.InsertUsers(ctx, append([]string{tw.owner}, tw.users...)))
	for _, slug := range []string{tw.aSlug, tw.bSlug} {
		o, err := e.NoSeed.CreateOrganization(ctx, orgs.UserActor(tw.owner), orgs.CreateOrganizationInput{Name: "Twin " + name, Slug: slug})
		require.NoError(t, err)
		require.NoError(t, e.InsertMembers(ctx, o.ID, tw.users, orgs.RoleMember))
	}
	return tw
}

// state is what the Service shows of an organization, with IDs and times
// blanked so that twins compare equal.
type state struct {
	Org     orgs.Organization
	Members []orgs.Member
	Events  []string
	Teams   []orgs.Team
	Invites []orgs.Invitation
	Detail  *orgs.OrganizationDetail
}

func stateOf(t *testing.T, e *bench.Env, owner, slug string) state {
	t.Helper()
	var s state
	d, err := e.Svc.GetOrganizationDetail(ctx, orgs.UserActor(owner), slug)
	require.NoError(t, err)
	s.Org = d.Organization
	s.Org.ID, s.Org.Name, s.Org.Slug, s.Org.CreatedAt, s.Org.UpdatedAt = "", "", "", time.Time{}, time.Time{}
	for i := range d.Categories {
		d.Categories[i].ID, d.Categories[i].OrganizationID, d.Categories[i].CreatedAt = "", "", time.Time{}
	}
	for i := range d.Pipelines {
		p := &d.Pipelines[i]
		p.ID, p.OrganizationID, p.CreatedAt = "", "", time.Time{}
		for j := range p.Stages {
			p.Stages[j].ID, p.Stages[j].PipelineID = "", ""
		}
	}
	d.Organization = orgs.Organization{}
	s.Detail = d
	ms, err := e.Svc.ListMembers(ctx, orgs.UserActor(owner), slug, orgs.MemberQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(t, err)
	for i := range s.Org.DomainDetails {
		d := &s.Org.DomainDetails[i]
		d.ID, d.OrganizationID, d.VerificationToken, d.VerificationValue = "", "", "", ""
		d.CreatedAt, d.UpdatedAt = time.Time{}, time.Time{}
	}
	for _, m := range ms.Data {
		m.OrganizationID, m.JoinedAt, m.ID, m.UpdatedAt = "", time.Time{}, "", time.Time{}
		s.Members = append(s.Members, m)
	}
	es, err := e.Svc.ListEvents(ctx, orgs.UserActor(owner), slug, orgs.EventQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(t, err)
	for _, ev := range es.Data {
		var kv []string
		for k, v := range ev.Data {
			if strings.HasSuffix(k, "_id") && k != "user_id" || k == "slug" || k == "name" {
				v = "…"
			}
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		s.Events = append(s.Events, string(ev.Type)+" by "+ev.ActorID+" "+strings.Join(kv, " "))
	}
	ts, err := e.Svc.ListTeams(ctx, orgs.UserActor(owner), slug, orgs.Page{Limit: 100})
	require.NoError(t, err)
	for _, tm := range ts.Data {
		tm.ID, tm.OrganizationID, tm.CreatedAt, tm.UpdatedAt = "", "", time.Time{}, time.Time{}
		s.Teams = append(s.Teams, tm)
	}
	is, err := e.Svc.ListInvitations(ctx, orgs.UserActor(owner), slug, orgs.InvitationQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(t, err)
	for _, inv := range is.Data {
		inv.ID, inv.OrganizationID, inv.TokenHash = "", "", nil
		inv.LastSentAt, inv.ExpiresAt, inv.CreatedAt, inv.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if inv.AcceptedAt != nil {
			inv.AcceptedAt = &time.Time{}
		}
		s.Invites = append(s.Invites, inv)
	}
	return s
}

func teamRows(users []string) []orgs.TeamMemberInput {
	rows := make([]orgs.TeamMemberInput, len(users))
	for i, u := range users {
		rows[i] = orgs.TeamMemberInput{UserID: u, Role: orgs.TeamRoleMember}
	}
	return rows
}

func TestFloorDoesTheSameWork(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := openEnv(t, backend)
			f := e.Floor()
			same := func(t *testing.T, tw twin) {
				t.Helper()
				assert.Equal(t, stateOf(t, e, tw.owner, tw.aSlug), stateOf(t, e, tw.owner, tw.bSlug))
			}

			t.Run("create_org", func(t *testing.T) {
				const owner = "creator"
				for _, seed := range []orgs.Seed{orgs.SeedWWW, orgs.SeedNone} {
					svc := e.Svc
					if len(seed.Categories) == 0 {
						svc = e.NoSeed
					}
					a, err := svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Created", Slug: fmt.Sprintf("created-a-%d", len(seed.Categories))})
					require.NoError(t, err)
					_, err = f.CreateOrganization(ctx, owner, "Created", fmt.Sprintf("created-b-%d", len(seed.Categories)), seed)
					require.NoError(t, err)
					assert.Equal(t, stateOf(t, e, owner, a.Slug), stateOf(t, e, owner, fmt.Sprintf("created-b-%d", len(seed.Categories))))
				}
			})

			t.Run("add_member", func(t *testing.T) {
				tw := newTwin(t, e, "add", 3)
				require.NoError(t, e.InsertUsers(ctx, []string{"add-new"}))
				want, err := e.Svc.AddMember(ctx, orgs.UserActor(tw.owner), tw.aSlug, "add-new", orgs.RoleMember)
				require.NoError(t, err)
				got, err := f.AddMember(ctx, tw.owner, tw.bSlug, "add-new", orgs.RoleMember)
				require.NoError(t, err)
				want.OrganizationID, got.OrganizationID, want.JoinedAt, got.JoinedAt = "", "", time.Time{}, time.Time{}
				want.ID, got.ID, want.UpdatedAt, got.UpdatedAt, want.OrganizationName = "", "", time.Time{}, time.Time{}, ""
				assert.Equal(t, want, got)
				same(t, tw)
			})

			t.Run("invite_accept", func(t *testing.T) {
				tw := newTwin(t, e, "inv", 3)
				u := bench.User("inv-new")
				require.NoError(t, e.InsertUsers(ctx, []string{u.ID}))
				inv, err := e.Svc.CreateInvitation(ctx, orgs.UserActor(tw.owner), tw.aSlug, orgs.InvitationInput{Email: u.Email, Role: orgs.RoleAdmin})
				require.NoError(t, err)
				want, err := e.Svc.AcceptInvitation(ctx, orgs.UserActor(u.ID), inv.Token)
				require.NoError(t, err)
				token, err := f.CreateInvitation(ctx, tw.owner, tw.bSlug, u.Email, orgs.RoleAdmin, orgs.DefaultInvitationOptions.TTL)
				require.NoError(t, err)
				got, err := f.AcceptInvitation(ctx, u.ID, token)
				require.NoError(t, err)
				want.OrganizationID, got.OrganizationID, want.JoinedAt, got.JoinedAt = "", "", time.Time{}, time.Time{}
				want.ID, got.ID, want.UpdatedAt, got.UpdatedAt, want.OrganizationName = "", "", time.Time{}, time.Time{}, ""
				assert.Equal(t, want, got)
				same(t, tw)
				// The floor refuses what the library refuses: a second accept.
				_, err = f.AcceptInvitation(ctx, u.ID, token)
				assert.Error(t, err)
			})

			t.Run("change_role", func(t *testing.T) {
				tw := newTwin(t, e, "role", 3)
				for _, role := range []orgs.Role{orgs.RoleAdmin, orgs.RoleMember} {
					want, err := e.Svc.UpdateMemberRole(ctx, orgs.UserActor(tw.owner), tw.aSlug, tw.users[1], role)
					require.NoError(t, err)
					got, err := f.UpdateMemberRole(ctx, tw.owner, tw.bSlug, tw.users[1], role)
					require.NoError(t, err)
					want.OrganizationID, got.OrganizationID, want.JoinedAt, got.JoinedAt = "", "", time.Time{}, time.Time{}
					want.ID, got.ID, want.UpdatedAt, got.UpdatedAt, want.OrganizationName = "", "", time.Time{}, time.Time{}, ""
					assert.Equal(t, want, got)
				}
				same(t, tw)
			})

			t.Run("create_team_add_10", func(t *testing.T) {
				tw := newTwin(t, e, "team", 12)
				members := tw.users[1:11]
				_, err := e.Svc.CreateTeam(ctx, orgs.UserActor(tw.owner), tw.aSlug, orgs.TeamInput{Name: "Team X", Slug: "team-x", Members: teamRows(members)})
				require.NoError(t, err)
				l, err := e.Svc.ListTeamMembers(ctx, orgs.UserActor(tw.owner), tw.aSlug, "team-x", orgs.Page{Limit: 100})
				require.NoError(t, err)
				want := l.Data
				_, got, err := f.CreateTeamWithMembers(ctx, tw.owner, tw.bSlug, "Team X", "team-x", members)
				require.NoError(t, err)
				for i := range want {
					want[i].TeamID, got[i].TeamID, want[i].JoinedAt, got[i].JoinedAt = "", "", time.Time{}, time.Time{}
				}
				assert.Equal(t, want, got)
				same(t, tw)
				for _, slug := range []string{tw.aSlug, tw.bSlug} {
					l, err := e.Svc.ListTeamMembers(ctx, orgs.UserActor(tw.owner), slug, "team-x", orgs.Page{Limit: 100})
					require.NoError(t, err)
					assert.Len(t, l.Data, 10)
				}
			})

			t.Run("add_team_members", func(t *testing.T) {
				tw := newTwin(t, e, "teamadd", 12)
				for _, slug := range []string{tw.aSlug, tw.bSlug} {
					_, err := e.Svc.CreateTeam(ctx, orgs.UserActor(tw.owner), slug, orgs.TeamInput{Name: "Team Y", Slug: "team-y"})
					require.NoError(t, err)
				}
				want, err := e.Svc.AddTeamMembers(ctx, orgs.UserActor(tw.owner), tw.aSlug, "team-y", teamRows(tw.users[:10]))
				require.NoError(t, err)
				got, err := f.AddTeamMembers(ctx, tw.owner, tw.bSlug, "team-y", tw.users[:10])
				require.NoError(t, err)
				one, err := e.Svc.AddTeamMember(ctx, orgs.UserActor(tw.owner), tw.aSlug, "team-y", tw.users[10], orgs.TeamRoleMember)
				require.NoError(t, err)
				want = append(want, *one)
				got1, err := f.AddTeamMembers(ctx, tw.owner, tw.bSlug, "team-y", tw.users[10:11])
				require.NoError(t, err)
				got = append(got, got1...)
				for i := range want {
					want[i].TeamID, got[i].TeamID, want[i].JoinedAt, got[i].JoinedAt = "", "", time.Time{}, time.Time{}
				}
				assert.Equal(t, want, got)
				same(t, tw)
			})

			t.Run("remove_member", func(t *testing.T) {
				tw := newTwin(t, e, "remove", 3)
				for _, slug := range []string{tw.aSlug, tw.bSlug} {
					_, err := e.Svc.CreateTeam(ctx, orgs.UserActor(tw.owner), slug, orgs.TeamInput{Name: "Team Z", Slug: "team-z", Members: teamRows(tw.users[1:])})
					require.NoError(t, err)
				}
				require.NoError(t, e.Svc.RemoveMember(ctx, orgs.UserActor(tw.owner), tw.aSlug, tw.users[1]))
				require.NoError(t, f.RemoveMember(ctx, tw.owner, tw.bSlug, tw.users[1]))
				same(t, tw)
			})

			t.Run("bulk", func(t *testing.T) {
				tw := newTwin(t, e, "bulk", 2)
				users := make([]string, 1500) // more than one statement's rows
				rows := make([]orgs.MemberInput, len(users))
				emails := make([]string, len(users))
				invs := make([]orgs.InvitationInput, len(users))
				for i := range users {
					users[i] = fmt.Sprintf("bulk-new-%04d", i)
					rows[i] = orgs.MemberInput{UserID: users[i], Role: orgs.RoleMember}
					emails[i] = fmt.Sprintf("bulk-inv-%04d@example.com", i)
					invs[i] = orgs.InvitationInput{Email: emails[i], Role: orgs.RoleMember}
				}
				require.NoError(t, e.InsertUsers(ctx, users))
				want, err := e.Svc.AddMembers(ctx, orgs.UserActor(tw.owner), tw.aSlug, rows, orgs.AllOrNothing)
				require.NoError(t, err)
				got, err := f.AddMembers(ctx, tw.owner, tw.bSlug, users, orgs.RoleMember)
				require.NoError(t, err)
				for i := range got {
					want.Done[i].OrganizationID, got[i].OrganizationID, want.Done[i].JoinedAt, got[i].JoinedAt = "", "", time.Time{}, time.Time{}
					want.Done[i].ID, got[i].ID, want.Done[i].UpdatedAt, got[i].UpdatedAt = "", "", time.Time{}, time.Time{}
				}
				assert.Equal(t, want.Done, got)
				_, err = e.Svc.CreateInvitations(ctx, orgs.UserActor(tw.owner), tw.aSlug, invs, orgs.AllOrNothing)
				require.NoError(t, err)
				tokens, err := f.CreateInvitations(ctx, tw.owner, tw.bSlug, emails, orgs.RoleMember, orgs.DefaultInvitationOptions.TTL)
				require.NoError(t, err)
				assert.Len(t, tokens, len(emails))
				same(t, tw)
				// The floor refuses what the library refuses: a member again.
				_, err = f.AddMembers(ctx, tw.owner, tw.bSlug, users[:1], orgs.RoleMember)
				assert.Error(t, err)
				_, err = f.CreateInvitations(ctx, tw.owner, tw.bSlug, emails[:1], orgs.RoleMember, time.Hour)
				assert.Error(t, err)
			})

			t.Run("member_search", func(t *testing.T) {
				slug, owner, _ := org(t, e, "searching", 250)
				for _, term := range []string{"SEARCHING-000123", "user-searching-0002", "nobody"} {
					want, err := e.Svc.ListMembers(ctx, orgs.UserActor(owner), slug, orgs.MemberQuery{Search: term, Page: orgs.Page{Limit: 100}})
					require.NoError(t, err)
					got, err := f.SearchMembers(ctx, owner, slug, term, 100)
					require.NoError(t, err)
					if len(want.Data) == 0 {
						assert.Empty(t, got)
						continue
					}
					assert.Equal(t, want.Data, got, "search %q", term)
				}
			})

			t.Run("get_org_detail", func(t *testing.T) {
				d, err := e.Detail(ctx)
				require.NoError(t, err)
				want, err := e.Svc.GetOrganizationDetail(ctx, orgs.UserActor(d.Owner), d.Slug)
				require.NoError(t, err)
				got, err := f.GetOrganizationDetail(ctx, d.Owner, d.Slug)
				require.NoError(t, err)
				assert.Equal(t, want, got)
			})

			t.Run("list_members", func(t *testing.T) {
				slug, owner, users := org(t, e, "listing", 250)
				for _, after := range []string{"", users[200]} {
					q := orgs.MemberQuery{Page: orgs.Page{Limit: 100}}
					if after != "" {
						q.After = orgs.EncodeCursor(after)
					}
					want, err := e.Svc.ListMembers(ctx, orgs.UserActor(owner), slug, q)
					require.NoError(t, err)
					got, err := f.ListMembers(ctx, owner, slug, after, 100)
					require.NoError(t, err)
					assert.Equal(t, want.Data, got, "after %q", after)
				}
			})

			t.Run("list_my_orgs", func(t *testing.T) {
				const user = "lister"
				for i := range 5 {
					_, err := e.NoSeed.CreateOrganization(ctx, orgs.UserActor(user), orgs.CreateOrganizationInput{Name: "Mine", Slug: fmt.Sprintf("lister-%d", i),
						Domains: []string{fmt.Sprintf("d%d.example", i), "shared.example"}, Metadata: map[string]string{"i": fmt.Sprint(i)}})
					require.NoError(t, err)
				}
				want, err := e.Svc.ListOrganizations(ctx, orgs.UserActor(user), orgs.OrganizationQuery{Page: orgs.Page{Limit: 100}})
				require.NoError(t, err)
				got, err := f.ListOrganizations(ctx, user, 100)
				require.NoError(t, err)
				assert.Equal(t, want.Data, got)
			})
		})
	}
}
