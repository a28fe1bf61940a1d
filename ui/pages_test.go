package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testdb"
)

// fixture is an organization with a team, a pipeline, a domain and a
// pending invitation, owned by alice, with bob (admin) and carol (member);
// dave is signed in but not a member.
type fixture struct {
	org      *orgs.Organization
	pipeline string
	inv      *orgs.Invitation
	domain   string
}

func (e *env) fixture() fixture {
	e.t.Helper()
	ctx := context.Background()
	o := e.org("alice", "acme", map[string]orgs.Role{"bob": orgs.RoleAdmin, "carol": orgs.RoleMember})
	e.user("dave")
	if _, err := e.svc.CreateTeam(ctx, orgs.UserActor("alice"), "acme", orgs.TeamInput{Name: "Platform", Color: "#3366cc"}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.AddTeamMember(ctx, orgs.UserActor("alice"), "acme", "platform", "carol", orgs.TeamRoleMaintainer); err != nil {
		e.t.Fatal(err)
	}
	ps, err := e.svc.ListPipelines(ctx, orgs.UserActor("alice"), "acme")
	if err != nil || len(ps) == 0 {
		e.t.Fatalf("pipelines: %v %v", ps, err)
	}
	inv, err := e.svc.CreateInvitation(ctx, orgs.UserActor("alice"), "acme", orgs.InvitationInput{Email: "erin@example.com", Role: orgs.RoleMember})
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := e.svc.AddDomain(ctx, orgs.UserActor("alice"), "acme", "acme.example")
	if err != nil {
		e.t.Fatal(err)
	}
	return fixture{org: o, pipeline: ps[0].ID, inv: inv, domain: d.ID}
}

// TestPagesRender: every page answers 200 with its content for the owner,
// the right status for the others, and carries the security headers.
func TestPagesRender(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		f := e.fixture()
		pages := []struct {
			path   string
			want   string
			member int // status for carol (member)
			other  int // status for dave (not a member)
		}{
			{"/ui/", "Org acme", 200, 200},
			{"/ui/o/acme/", "Org acme", 200, 404},
			{"/ui/o/acme/leave", "Leave Org acme?", 200, 404},
			{"/ui/o/acme/members", "Carol", 200, 404},
			{"/ui/o/acme/members?q=car&role=member", "Carol", 200, 404},
			{"/ui/o/acme/members/remove?user_id=carol", "Remove Carol from Org acme?", 200, 404},
			{"/ui/o/acme/members/transfer?user_id=bob", "Make Bob the owner?", 200, 404},
			{"/ui/o/acme/invitations", "erin@example.com", 403, 404},
			{"/ui/o/acme/invitations?status=all", "erin@example.com", 403, 404},
			{"/ui/o/acme/teams", "Platform", 200, 404},
			{"/ui/o/acme/teams/platform", "Carol", 200, 404},
			{"/ui/o/acme/categories", "Software Development", 200, 404},
			{"/ui/o/acme/pipelines", "General Hiring Pipeline", 200, 404},
			{"/ui/o/acme/pipelines/" + f.pipeline, "Technical Task", 200, 404},
			{"/ui/o/acme/settings", "Change the slug", 200, 404},
			{"/ui/o/acme/domains", "acme.example", 403, 404},
			{"/ui/o/acme/events", "organization.created", 403, 404},
			{"/ui/o/acme/events?type=member.added", "member.added", 403, 404},
		}
		for _, p := range pages {
			r := e.get("alice", p.path)
			expect(t, r, http.StatusOK, p.want)
			checkHeaders(t, p.path, r)
			if r := e.get("carol", p.path); r.code != p.member {
				t.Errorf("carol GET %s: %d, want %d", p.path, r.code, p.member)
			}
			if r := e.get("dave", p.path); r.code != p.other {
				t.Errorf("dave GET %s: %d, want %d", p.path, r.code, p.other)
			}
			// Signed out: to the sign-in page, coming back here afterwards.
			r = e.get("", p.path)
			if r.code != http.StatusSeeOther || !strings.HasPrefix(r.hdr.Get("Location"), "/login?return_to=%2Fui%2F") {
				t.Errorf("signed-out GET %s: %d %q", p.path, r.code, r.hdr.Get("Location"))
			}
		}
		// The member sees no admin controls.
		r := e.get("carol", "/ui/o/acme/members")
		for _, s := range []string{"Change role", "Remove…", "Make owner…", `action="/ui/o/acme/members/role"`} {
			if strings.Contains(r.body, s) {
				t.Errorf("carol's member page shows %q", s)
			}
		}
		if r := e.get("carol", "/ui/o/acme/settings"); strings.Contains(r.body, "<form") && strings.Contains(r.body, "settings/delete") {
			t.Errorf("carol's settings page has forms")
		}
		for _, tab := range []string{"/ui/o/acme/invitations", "/ui/o/acme/events", "/ui/o/acme/domains", "/ui/o/acme/settings"} {
			if strings.Contains(e.get("carol", "/ui/o/acme/").body, `href="`+tab+`"`) {
				t.Errorf("carol sees the tab %s", tab)
			}
		}
		// The team maintainer manages the team's membership, not the team.
		r = e.get("carol", "/ui/o/acme/teams/platform")
		if !strings.Contains(r.body, "Add to team") || strings.Contains(r.body, "Delete team") {
			t.Errorf("carol's team page: maintainer controls wrong:\n%s", excerpt(r.body))
		}
		// The admin sees the controls, but no delete and no transfer.
		r = e.get("bob", "/ui/o/acme/settings")
		if !strings.Contains(r.body, "Change slug") || strings.Contains(r.body, "Delete this organization") {
			t.Errorf("bob's settings page:\n%s", excerpt(r.body))
		}
		if strings.Contains(e.get("bob", "/ui/o/acme/members").body, "Make owner…") {
			t.Error("bob is offered to transfer ownership")
		}
		// Assets.
		for _, a := range []string{"/ui/assets/ui.css", "/ui/assets/ui.js", "/ui/assets/theme.css"} {
			if r := e.get("", a); r.code != 200 {
				t.Errorf("GET %s: %d", a, r.code)
			}
		}
		if r := e.get("alice", "/ui/nope"); r.code != 404 {
			t.Errorf("unknown page: %d", r.code)
		}
		if r := e.get("alice", "/ui/o/nope/members"); r.code != 404 {
			t.Errorf("unknown organization: %d", r.code)
		}
	})
}

func checkHeaders(t *testing.T, path string, r resp) {
	t.Helper()
	csp := r.hdr.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", path, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP %q", path, csp)
	}
	if r.hdr.Get("X-Frame-Options") != "DENY" || r.hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: headers %v", path, r.hdr)
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") || strings.Contains(r.body, "<style") {
		t.Errorf("%s: inline script or style", path)
	}
}

// TestMountPoint: links follow the mount point, whatever it is.
func TestMountPoint(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t))
	e.org("alice", "acme", nil)
	for _, prefix := range []string{"/ui", "/deep/admin/orgs"} {
		mux := http.NewServeMux()
		mux.Handle(prefix+"/", http.StripPrefix(prefix, e.ui))
		e2 := &env{t: t, svc: e.svc, h: mux}
		r := e2.get("alice", prefix+"/o/acme/members")
		expect(t, r, 200, `href="`+prefix+`/o/acme/teams"`, `href="`+prefix+`/assets/ui.css"`)
		r = e2.post("alice", prefix+"/o/acme/settings", url.Values{"name": {"Acme Two"}})
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != prefix+"/o/acme/settings" {
			t.Errorf("%s: redirect %d %q", prefix, r.code, r.hdr.Get("Location"))
		}
	}
}
