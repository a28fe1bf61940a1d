package httpapi

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tenantkit/orgs"
)

func TestTeams(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug

		// Create, get, conflicts.
		var team orgs.Team
		e.call("POST", base+"/teams", admin, map[string]any{"name": "Platform Team", "color": "#1F6FEB", "description": "Infra"}).ok(201, &team)
		if team.Slug != "platform-team" || team.Color != "#1f6feb" || team.MemberCount != 0 || !hasPrefix(team.ID, "team_") {
			t.Fatalf("created %+v", team)
		}
		e.call("POST", base+"/teams", admin, map[string]any{"name": "Other", "slug": "platform-team"}).problem(409, CodeSlugTaken)
		e.call("POST", base+"/teams", admin, map[string]any{"name": "Other", "color": "red"}).invalid("color")
		e.call("POST", base+"/teams", member, map[string]any{"name": "Mine"}).problem(403, CodeForbidden)
		var got orgs.Team
		e.call("GET", base+"/teams/platform-team", member, nil).ok(200, &got)
		if got.ID != team.ID {
			t.Fatalf("got %+v", got)
		}
		e.call("GET", base+"/teams/nope", member, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/teams/platform-team", guest, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/teams/platform-team", outsider, nil).problem(404, CodeNotFound)

		// Update.
		e.call("PATCH", base+"/teams/platform-team", admin, map[string]any{"name": "Platform", "slug": "platform", "color": nil}).ok(200, &got)
		if got.Name != "Platform" || got.Slug != "platform" || got.Color != "#1f6feb" {
			t.Fatalf("updated %+v", got)
		}
		e.call("PATCH", base+"/teams/platform", admin, map[string]any{"slug": "core"}).problem(409, CodeSlugTaken)
		e.call("PATCH", base+"/teams/platform", admin, map[string]any{"name": ""}).invalid("name")
		e.call("PATCH", base+"/teams/platform", member, map[string]any{"name": "X"}).problem(403, CodeForbidden)
		e.call("PATCH", base+"/teams/nope", admin, map[string]any{"name": "X"}).problem(404, CodeNotFound)

		// Team members: add (org members only), list, change, remove.
		var tm orgs.TeamMember
		e.call("POST", base+"/teams/platform/members", admin, map[string]any{"user_id": member, "role": "maintainer"}).ok(201, &tm)
		if tm.UserID != member || tm.Role != orgs.TeamRoleMaintainer || tm.Email != emailOf(member) {
			t.Fatalf("team member %+v", tm)
		}
		e.call("POST", base+"/teams/platform/members", admin, map[string]any{"user_id": member, "role": "member"}).problem(409, CodeAlreadyMember)
		e.call("POST", base+"/teams/platform/members", admin, map[string]any{"user_id": outsider, "role": "member"}).problem(409, CodeNotMember)
		e.call("POST", base+"/teams/platform/members", admin, map[string]any{"user_id": target, "role": "boss"}, badRequest()).invalid("role")
		e.call("POST", base+"/teams/platform/members", target, map[string]any{"user_id": target, "role": "member"}).problem(403, CodeForbidden)
		// A maintainer manages the team's membership.
		e.call("POST", base+"/teams/platform/members", member, map[string]any{"user_id": target, "role": "member"}).ok(201, nil)
		e.call("PATCH", base+"/teams/platform/members/"+target, member, map[string]any{"role": "maintainer"}).ok(200, &tm)
		if tm.Role != orgs.TeamRoleMaintainer {
			t.Fatalf("team role %s", tm.Role)
		}
		e.call("PATCH", base+"/teams/platform/members/"+target, member, map[string]any{"role": "chief"}, badRequest()).invalid("role")
		e.call("PATCH", base+"/teams/platform/members/"+outsider, admin, map[string]any{"role": "member"}).problem(404, CodeNotFound)
		e.call("PATCH", base+"/teams/core/members/"+target, member, map[string]any{"role": "member"}).problem(403, CodeForbidden)
		e.call("DELETE", base+"/teams/platform/members/"+target, member, nil).ok(204, nil)
		e.call("DELETE", base+"/teams/platform/members/"+target, member, nil).problem(404, CodeNotFound)
		e.call("DELETE", base+"/teams/core/members/"+target, member, nil).problem(403, CodeForbidden)

	})
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func TestTeamLists(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug
		ctx := context.Background()
		for i := range 13 {
			u := fmt.Sprintf("u%02d", i)
			if _, err := e.svc.AddMember(ctx, orgs.UserActor(owner), f.slug, u, orgs.RoleMember); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.AddTeamMember(ctx, orgs.UserActor(owner), f.slug, "core", u, orgs.TeamRoleMember); err != nil {
				t.Fatal(err)
			}
			e.call("POST", base+"/teams", owner, map[string]any{"name": fmt.Sprintf("Team %02d", i)}).ok(201, nil)
		}
		members := walk(e, base+"/teams/core/members", member, 4, func(m orgs.TeamMember) string { return m.UserID })
		if len(members) != 14 || !slices.IsSorted(members) {
			t.Fatalf("team members %v", members)
		}
		teams := walk(e, base+"/teams", member, 5, func(tm orgs.Team) string { return tm.ID })
		if len(teams) != 14 || !slices.IsSorted(teams) {
			t.Fatalf("teams %v", teams)
		}
		e.call("GET", base+"/teams/core/members", guest, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/teams/nope/members", member, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/teams/core/members?limit=500", member, nil, badRequest()).invalid("limit")
		e.call("GET", base+"/teams?limit=abc", member, nil, badRequest()).invalid("limit")
		e.call("GET", base+"/teams", guest, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/teams", outsider, nil).problem(404, CodeNotFound)

		// Delete: members go with the team.
		e.call("DELETE", base+"/teams/core", member, nil).problem(403, CodeForbidden)
		e.call("DELETE", base+"/teams/core", admin, nil).ok(204, nil)
		e.call("DELETE", base+"/teams/core", admin, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/teams/core/members", member, nil).problem(404, CodeNotFound)
	})
}
