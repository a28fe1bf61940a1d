package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
)

// TestCrossOriginPostRefused: a state change posted from another site, or
// without the headers every browser sends, answers 403 and writes nothing.
//
// Negative control: with the check in Handler.ServeHTTP removed, each of
// these posts renames the organization (303) and the test fails on the
// status and on the event count.
func TestCrossOriginPostRefused(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		e.org("alice", "acme", nil)
		before := e.eventCount("alice", "acme")
		form := url.Values{"name": {"Pwned"}}
		for _, c := range []struct {
			name    string
			headers map[string]string
		}{
			{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
			{"same-site sibling", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://evil.example.com"}},
			{"foreign Origin only", map[string]string{"Origin": "https://evil.example"}},
			{"null Origin", map[string]string{"Origin": "null"}},
			{"neither header", nil},
		} {
			req := httptest.NewRequest("POST", "/ui/o/acme/settings", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			r := e.do(req, "alice")
			if r.code != http.StatusForbidden || !strings.Contains(r.body, "sent from another site") {
				t.Errorf("%s: %d\n%s", c.name, r.code, excerpt(r.body))
			}
		}
		// The same post from the same origin goes through.
		if r := e.post("alice", "/ui/o/acme/settings", form); r.code != http.StatusSeeOther {
			t.Fatalf("same-origin post: %d\n%s", r.code, excerpt(r.body))
		}
		if after := e.eventCount("alice", "acme"); after != before+1 {
			t.Errorf("events: %d before, %d after one accepted post", before, after)
		}
		o, err := e.svc.GetOrganization(context.Background(), orgs.UserActor("alice"), "acme")
		if err != nil || o.Name != "Pwned" {
			t.Errorf("after the same-origin post: %v %v", o, err)
		}
	})
}

// TestForgedPostsRefused: a member posting admin forms that their page
// never showed is refused by the Service (403) and nothing is written.
func TestForgedPostsRefused(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		f := e.fixture()
		ctx := context.Background()
		cats, _ := e.svc.ListCategories(ctx, orgs.UserActor("alice"), "acme")
		p, _ := e.svc.GetPipeline(ctx, orgs.UserActor("alice"), "acme", f.pipeline)
		before := e.eventCount("alice", "acme")
		posts := []struct {
			path string
			form url.Values
		}{
			{"/ui/o/acme/settings", url.Values{"name": {"Forged"}}},
			{"/ui/o/acme/settings/slug", url.Values{"slug": {"forged"}}},
			{"/ui/o/acme/settings/delete", url.Values{"confirm": {"acme"}}},
			{"/ui/o/acme/members/role", url.Values{"user_id": {"carol"}, "role": {"owner"}}},
			{"/ui/o/acme/members/remove", url.Values{"user_id": {"bob"}}},
			{"/ui/o/acme/members/transfer", url.Values{"user_id": {"bob"}}},
			{"/ui/o/acme/invitations", url.Values{"email": {"x@example.com"}, "role": {"member"}}},
			{"/ui/o/acme/invitations/revoke", url.Values{"id": {f.inv.ID}}},
			{"/ui/o/acme/invitations/resend", url.Values{"id": {f.inv.ID}}},
			{"/ui/o/acme/domains", url.Values{"domain": {"forged.example"}}},
			{"/ui/o/acme/domains/verify", url.Values{"id": {f.domain}}},
			{"/ui/o/acme/domains/remove", url.Values{"id": {f.domain}}},
			{"/ui/o/acme/teams", url.Values{"name": {"Forged"}}},
			{"/ui/o/acme/teams/platform", url.Values{"name": {"Forged"}}},
			{"/ui/o/acme/teams/platform/delete", nil},
			{"/ui/o/acme/categories", url.Values{"name": {"Forged"}}},
			{"/ui/o/acme/categories/rename", url.Values{"id": {cats[0].ID}, "name": {"Forged"}}},
			{"/ui/o/acme/categories/move", url.Values{"id": {cats[0].ID}, "position": {"3"}}},
			{"/ui/o/acme/categories/delete", url.Values{"id": {cats[0].ID}}},
			{"/ui/o/acme/pipelines", url.Values{"name": {"Forged"}}},
			{"/ui/o/acme/pipelines/" + f.pipeline, url.Values{"name": {"Forged"}}},
			{"/ui/o/acme/pipelines/" + f.pipeline + "/delete", nil},
			{"/ui/o/acme/pipelines/" + f.pipeline + "/stages", url.Values{"stage_name": {"Forged"}}},
			{"/ui/o/acme/pipelines/" + f.pipeline + "/stages/rename", url.Values{"stage_id": {p.Stages[0].ID}, "stage_name": {"Forged"}}},
			{"/ui/o/acme/pipelines/" + f.pipeline + "/stages/move", url.Values{"stage_id": {p.Stages[0].ID}, "direction": {"down"}}},
			{"/ui/o/acme/pipelines/" + f.pipeline + "/stages/remove", url.Values{"stage_id": {p.Stages[0].ID}}},
		}
		for _, p := range posts {
			r := e.post("carol", p.path, p.form)
			if r.code != http.StatusForbidden {
				t.Errorf("carol POST %s: %d, want 403\n%s", p.path, r.code, excerpt(r.body))
			}
			// A non-member cannot even learn the organization exists.
			if r := e.post("dave", p.path, p.form); r.code != http.StatusNotFound {
				t.Errorf("dave POST %s: %d, want 404", p.path, r.code)
			}
		}
		// A maintainer manages the team's members, and nothing else: the
		// team itself is beyond her.
		if after := e.eventCount("alice", "acme"); after != before {
			t.Errorf("forged posts wrote %d events", after-before)
		}
		// An admin cannot remove the owner: refused with the reason.
		r := e.post("bob", "/ui/o/acme/members/remove", url.Values{"user_id": {"alice"}})
		expect(t, r, http.StatusForbidden, "You can only remove members ranked below you")
		if after := e.eventCount("alice", "acme"); after != before {
			t.Errorf("bob's removal of alice wrote %d events", after-before)
		}
	})
}

// TestCrossTenantPostsRefused: an owner of one organization posting forms
// with another organization's IDs, through their own organization's paths
// or the other's, is refused and nothing is written in either.
func TestCrossTenantPostsRefused(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.org("alice", "acme", nil)
		e.org("gina", "globex", map[string]orgs.Role{"hank": orgs.RoleMember})
		inv, err := e.svc.CreateInvitation(ctx, orgs.UserActor("gina"), "globex", orgs.InvitationInput{Email: "x@example.com", Role: orgs.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.AddDomain(ctx, orgs.UserActor("gina"), "globex", "globex.example")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateTeam(ctx, orgs.UserActor("gina"), "globex", orgs.TeamInput{Name: "Sales"}); err != nil {
			t.Fatal(err)
		}
		cats, _ := e.svc.ListCategories(ctx, orgs.UserActor("gina"), "globex")
		ps, _ := e.svc.ListPipelines(ctx, orgs.UserActor("gina"), "globex")
		stage := ps[0].Stages[0].ID
		beforeAcme, beforeGlobex := e.eventCount("alice", "acme"), e.eventCount("gina", "globex")

		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/ui/o/acme/invitations/revoke", url.Values{"id": {inv.ID}}},
			{"/ui/o/acme/invitations/resend", url.Values{"id": {inv.ID}}},
			{"/ui/o/acme/domains/remove", url.Values{"id": {d.ID}}},
			{"/ui/o/acme/domains/verify", url.Values{"id": {d.ID}}},
			{"/ui/o/acme/categories/delete", url.Values{"id": {cats[0].ID}}},
			{"/ui/o/acme/categories/rename", url.Values{"id": {cats[0].ID}, "name": {"Mine"}}},
			{"/ui/o/acme/pipelines/" + ps[0].ID + "/delete", nil},
			{"/ui/o/acme/pipelines/" + ps[0].ID + "/stages/remove", url.Values{"stage_id": {stage}}},
			{"/ui/o/acme/teams/sales/delete", nil},
			{"/ui/o/acme/members/role", url.Values{"user_id": {"hank"}, "role": {"admin"}}},
			{"/ui/o/acme/members/remove", url.Values{"user_id": {"hank"}}},
			{"/ui/o/acme/members/transfer", url.Values{"user_id": {"gina"}}},
			{"/ui/o/globex/settings", url.Values{"name": {"Mine"}}},
			{"/ui/o/globex/members/remove", url.Values{"user_id": {"hank"}}},
			{"/ui/o/globex/invitations/revoke", url.Values{"id": {inv.ID}}},
		} {
			r := e.post("alice", p.path, p.form)
			if r.code != http.StatusNotFound && r.code != http.StatusConflict && r.code != http.StatusUnprocessableEntity {
				t.Errorf("alice POST %s: %d\n%s", p.path, r.code, excerpt(r.body))
			}
			if r.code/100 == 3 || r.code/100 == 2 || r.code >= 500 {
				t.Errorf("alice POST %s: %d", p.path, r.code)
			}
		}
		if a, g := e.eventCount("alice", "acme"), e.eventCount("gina", "globex"); a != beforeAcme || g != beforeGlobex {
			t.Errorf("cross-tenant posts wrote events: acme %d→%d, globex %d→%d", beforeAcme, a, beforeGlobex, g)
		}
		if i, err := e.svc.GetInvitation(ctx, orgs.UserActor("gina"), "globex", inv.ID); err != nil || i.Status != orgs.InvitationPending {
			t.Errorf("globex's invitation: %+v %v", i, err)
		}
	})
}

// TestBadInputNever5xx: malformed paths, parameters and forms get 4xx pages
// (or are ignored), never a 5xx.
func TestBadInputNever5xx(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		f := e.fixture()
		gets := []string{
			"/ui/o/acme/members?after=!!!", "/ui/o/acme/members?before=%ff%fe", "/ui/o/acme/members?limit=0",
			"/ui/o/acme/members?limit=abc", "/ui/o/acme/members?limit=100000", "/ui/o/acme/members?role=emperor",
			"/ui/o/acme/members?after=YQ&before=YQ", "/ui/o/acme/members?q=" + strings.Repeat("x", 5000),
			"/ui/o/acme/events?type=%00", "/ui/o/acme/events?before=zzz", "/ui/o/acme/invitations?status=weird",
			"/ui/o/acme/teams/NOPE", "/ui/o/acme/pipelines/pipe_x", "/ui/o/ACME/", "/ui/o/a/", "/ui/o/%ff/",
			"/ui/o/acme/members/remove?user_id=", "/ui/o/acme/members/transfer?user_id=%00",
			"/ui/switch?org=../../x", "/ui/accept?token=", "/ui/accept?token=" + strings.Repeat("a", 600),
			"/ui/assets/", "/ui/assets/../ui.go", "/ui/o/acme/teams?after=@@",
		}
		for _, p := range gets {
			if r := e.get("alice", p); r.code >= 500 {
				t.Errorf("GET %s: %d\n%s", p, r.code, excerpt(r.body))
			}
		}
		posts := []struct {
			path string
			form url.Values
		}{
			{"/ui/organizations", url.Values{"name": {""}}},
			{"/ui/organizations", url.Values{"name": {"\x00"}, "slug": {"Bad Slug!"}}},
			{"/ui/organizations", url.Values{"name": {strings.Repeat("n", 1000)}}},
			{"/ui/o/acme/settings", url.Values{"website": {"javascript:alert(1)"}, "contact_email": {"nope"}, "visibility": {"secret"}, "industry": {"Piracy"}}},
			{"/ui/o/acme/settings/slug", url.Values{"slug": {"--"}}},
			{"/ui/o/acme/settings/delete", url.Values{"confirm": {"wrong"}}},
			{"/ui/o/acme/members/role", url.Values{"user_id": {"nobody"}, "role": {"owner"}}},
			{"/ui/o/acme/members/role", url.Values{"user_id": {"carol"}, "role": {"emperor"}}},
			{"/ui/o/acme/members/transfer", url.Values{}},
			{"/ui/o/acme/invitations", url.Values{"email": {"not an email"}, "role": {"member"}, "expires_in": {"abc"}}},
			{"/ui/o/acme/invitations", url.Values{"email": {"a@example.com"}, "role": {"member"}, "expires_in": {"100000"}}},
			{"/ui/o/acme/invitations/revoke", url.Values{"id": {"inv_bogus"}}},
			{"/ui/o/acme/domains", url.Values{"domain": {"not a domain"}}},
			{"/ui/o/acme/domains/verify", url.Values{"id": {"x"}}},
			{"/ui/o/acme/teams", url.Values{"name": {"T"}, "color": {"red"}}},
			{"/ui/o/acme/teams/platform/members", url.Values{"user_id": {"ghost"}, "role": {"member"}}},
			{"/ui/o/acme/teams/platform/members/role", url.Values{"user_id": {"carol"}, "role": {"king"}}},
			{"/ui/o/acme/categories/move", url.Values{"id": {"cat_x"}, "position": {"x"}}},
			{"/ui/o/acme/categories", url.Values{"name": {"Software Development"}}},
			{"/ui/o/acme/pipelines", url.Values{"name": {""}, "stages": {strings.Repeat("s\n", 80)}}},
			{"/ui/o/acme/pipelines/" + f.pipeline + "/stages/move", url.Values{"stage_id": {"stage_x"}}},
			{"/ui/o/acme/pipelines/" + f.pipeline + "/stages/rename", url.Values{"stage_id": {"x"}, "stage_name": {""}}},
			{"/ui/accept", url.Values{"answer": {"accept"}}},
			{"/ui/o/acme/members/role?return=%0d%0aX:1", url.Values{"user_id": {"carol"}, "role": {"admin"}, "return": {"\r\nLocation: //evil"}}},
		}
		for _, p := range posts {
			r := e.post("alice", p.path, p.form)
			if r.code >= 500 {
				t.Errorf("POST %s %v: %d\n%s", p.path, p.form, r.code, excerpt(r.body))
			}
			if loc := r.hdr.Get("Location"); strings.ContainsAny(loc, "\r\n") || strings.HasPrefix(loc, "//") {
				t.Errorf("POST %s: Location %q", p.path, loc)
			}
		}
		// Field errors are shown beside their fields.
		r := e.post("alice", "/ui/o/acme/settings", url.Values{"name": {"Acme"}, "contact_email": {"nope"}})
		expect(t, r, http.StatusUnprocessableEntity, `id="profile-contact-email-error"`, `aria-invalid="true"`, `value="nope"`)
		r = e.post("alice", "/ui/o/acme/settings/delete", url.Values{"confirm": {"wrong"}})
		expect(t, r, http.StatusUnprocessableEntity, `id="delete-confirm-error"`, "does not match the slug")
		// A body over the limit.
		big := url.Values{"name": {strings.Repeat("x", 200<<10)}}
		if r := e.post("alice", "/ui/organizations", big); r.code != http.StatusRequestEntityTooLarge {
			t.Errorf("large body: %d", r.code)
		}
	})
}

// TestLastOwnerExplained: the only owner cannot leave, be demoted or be
// removed, and is told why.
func TestLastOwnerExplained(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		e.org("alice", "acme", map[string]orgs.Role{"bob": orgs.RoleAdmin})
		before := e.eventCount("alice", "acme")
		expect(t, e.post("alice", "/ui/o/acme/leave", nil), http.StatusConflict, "You are the only owner")
		expect(t, e.post("alice", "/ui/o/acme/members/role", url.Values{"user_id": {"alice"}, "role": {"admin"}}),
			http.StatusConflict, "This is the only owner")
		if after := e.eventCount("alice", "acme"); after != before {
			t.Errorf("wrote %d events", after-before)
		}
		// After transferring ownership alice can leave.
		r := e.post("alice", "/ui/o/acme/members/transfer", url.Values{"user_id": {"bob"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("transfer: %d\n%s", r.code, excerpt(r.body))
		}
		if r := e.post("alice", "/ui/o/acme/leave", nil); r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/ui/" {
			t.Fatalf("leave: %d %q", r.code, r.hdr.Get("Location"))
		}
	})
}
