package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
)

// hookFixture is acme (alice owner, bob admin, carol member) with a role
// of its own, "auditor" (held by nobody), and a webhook endpoint.
type hookFixture struct {
	ep *orgs.WebhookEndpoint
}

func (e *env) hookFixture() hookFixture {
	e.t.Helper()
	ctx := context.Background()
	e.org("alice", "acme", map[string]orgs.Role{"bob": orgs.RoleAdmin, "carol": orgs.RoleMember})
	e.user("dave")
	if _, err := e.svc.CreateOrganizationRole(ctx, orgs.UserActor("alice"), "acme", orgs.OrganizationRoleInput{
		Name: "auditor", Rank: 150, Permissions: []orgs.Permission{orgs.PermOrgRead, orgs.PermEventsRead}}); err != nil {
		e.t.Fatal(err)
	}
	ep, err := e.svc.CreateWebhookEndpoint(ctx, orgs.UserActor("bob"), "acme", orgs.WebhookEndpointInput{URL: "https://hooks.acme.example/orgs"})
	if err != nil {
		e.t.Fatal(err)
	}
	return hookFixture{ep: ep}
}

// attempts records n delivery attempts of an organization event to ep, as
// the delivery worker would: enqueue, claim, finish.
func (e *env) attempts(owner, slug string, ep *orgs.WebhookEndpoint, n int) {
	e.t.Helper()
	ctx := context.Background()
	evs, err := e.svc.ListEvents(ctx, orgs.UserActor(owner), slug, orgs.EventQuery{Page: orgs.Page{Limit: 1}})
	if err != nil || len(evs.Data) == 0 {
		e.t.Fatalf("events: %v %v", evs, err)
	}
	ev := evs.Data[0]
	ws := orgs.Store(e.st).(orgs.WebhookStore)
	now := time.Now().UTC()
	if err := ws.EnqueueWebhookDeliveries(ctx, []orgs.WebhookDelivery{{EndpointID: ep.ID, EventID: ev.ID, OrganizationID: ev.OrganizationID,
		State: orgs.DeliveryPending, NextAttemptAt: now, CreatedAt: now}}); err != nil {
		e.t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		cs, err := ws.ClaimWebhookDeliveries(ctx, orgs.WebhookClaim{Holder: "test", Now: time.Now().UTC().Add(time.Hour * time.Duration(i)), Until: time.Now().UTC().Add(time.Hour * time.Duration(i+1)), Limit: 1})
		if err != nil || len(cs) != 1 {
			e.t.Fatalf("claim %d: %v %v", i, cs, err)
		}
		d := cs[0].Delivery
		a := &orgs.WebhookAttempt{ID: orgs.NewID(orgs.PrefixWebhookAttempt), EndpointID: ep.ID, EventID: ev.ID, EventType: ev.Type,
			Attempt: i, Outcome: "non_2xx", StatusCode: 500, LatencyMS: int64(10 + i), Response: "oops <b>" + string(rune('a'+i%26)), Error: "receiver answered 500", CreatedAt: time.Now().UTC()}
		if err := ws.FinishWebhookAttempt(ctx, d, orgs.WebhookDeliveryUpdate{State: orgs.DeliveryPending, Attempts: d.Attempts + 1,
			NextAttemptAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}, a); err != nil {
			e.t.Fatal(err)
		}
	}
}

// withCookies sends the cookies a response set, as the browser would on
// the next request.
func withCookies(req *http.Request, from resp) *http.Request {
	for _, c := range (&http.Response{Header: from.hdr}).Cookies() {
		if c.MaxAge >= 0 && c.Value != "" {
			req.AddCookie(c)
		}
	}
	return req
}

var secretRe = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)

// TestRolesPage: the owner defines a role, it is offered in the members
// page's role selector and assigned from there, renamed, refused deletion
// while held (with the reason), deleted with reassignment; a member holding
// it sees the tabs its permissions open.
//
// Negative controls: with members.go offering svc.Roles() again, the
// "reviewer" option is missing; with view.Can back to svc.Can only, carol
// (reviewer, events:read) does not see the Audit log tab.
func TestRolesPage(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.hookFixture()
		expect(t, e.get("alice", "/ui/o/acme/roles"), http.StatusOK, "auditor", "Define a role", `href="/ui/o/acme/roles"`, `href="/ui/o/acme/webhooks"`)
		r := e.post("alice", "/ui/o/acme/roles", url.Values{"name": {"reviewer"}, "rank": {"150"}, "permissions": {"org:read", "members:read", "events:read"}})
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/ui/o/acme/roles" {
			t.Fatalf("create: %d %q\n%s", r.code, r.hdr.Get("Location"), excerpt(r.body))
		}
		// Offered on the members page, and assigned from there.
		expect(t, e.get("alice", "/ui/o/acme/members"), http.StatusOK, `<option value="reviewer">reviewer</option>`)
		expect(t, e.get("alice", "/ui/o/acme/members?role=reviewer"), http.StatusOK)
		expect(t, e.get("alice", "/ui/o/acme/invitations"), http.StatusOK, `<option value="reviewer">`)
		r = e.post("alice", "/ui/o/acme/members/role", url.Values{"user_id": {"carol"}, "role": {"reviewer"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("assign: %d\n%s", r.code, excerpt(r.body))
		}
		expect(t, e.do(withCookies(httptest.NewRequest("GET", r.hdr.Get("Location"), nil), r), "alice"), http.StatusOK, "Carol is now reviewer.")
		if m, err := e.svc.GetMember(ctx, orgs.UserActor("alice"), "acme", "carol"); err != nil || m.Role != "reviewer" {
			t.Fatalf("carol: %+v %v", m, err)
		}
		// Her role's permissions open the audit log, not the settings.
		home := e.get("carol", "/ui/o/acme/").body
		if !strings.Contains(home, `href="/ui/o/acme/events"`) || strings.Contains(home, `href="/ui/o/acme/settings"`) || strings.Contains(home, `href="/ui/o/acme/roles"`) {
			t.Errorf("carol's (reviewer) tabs:\n%s", excerpt(home))
		}
		expect(t, e.get("carol", "/ui/o/acme/events"), http.StatusOK, "role.created")
		// A role of its own with teams:manage manages teams on the team page.
		if _, err := e.svc.CreateOrganizationRole(ctx, orgs.UserActor("alice"), "acme", orgs.OrganizationRoleInput{
			Name: "team-lead", Rank: 120, Permissions: []orgs.Permission{orgs.PermOrgRead, orgs.PermMembersRead, orgs.PermTeamsManage}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateTeam(ctx, orgs.UserActor("alice"), "acme", orgs.TeamInput{Name: "Platform"}); err != nil {
			t.Fatal(err)
		}
		e.user("tess")
		if _, err := e.svc.AddMember(ctx, orgs.UserActor("alice"), "acme", "tess", "team-lead"); err != nil {
			t.Fatal(err)
		}
		expect(t, e.get("tess", "/ui/o/acme/teams/platform"), http.StatusOK, "Add to team", "Delete team")
		expect(t, e.get("tess", "/ui/o/acme/teams"), http.StatusOK, "Create team")
		// Renamed: carol follows.
		r = e.post("alice", "/ui/o/acme/roles/reviewer", url.Values{"name": {"senior-reviewer"}, "rank": {"160"}, "permissions": {"org:read", "members:read"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("rename: %d\n%s", r.code, excerpt(r.body))
		}
		if m, _ := e.svc.GetMember(ctx, orgs.UserActor("alice"), "acme", "carol"); m.Role != "senior-reviewer" {
			t.Fatalf("carol after the rename: %s", m.Role)
		}
		// Deleting it while held: refused, with the reason, nothing written.
		before := e.eventCount("alice", "acme")
		r = e.post("alice", "/ui/o/acme/roles/senior-reviewer/delete", nil)
		expect(t, r, http.StatusConflict, "Members or pending invitations hold this role")
		if after := e.eventCount("alice", "acme"); after != before {
			t.Errorf("refused delete wrote %d events", after-before)
		}
		// With a role to reassign: deleted, carol is a member again.
		r = e.post("alice", "/ui/o/acme/roles/senior-reviewer/delete", url.Values{"reassign_to": {"member"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("delete: %d\n%s", r.code, excerpt(r.body))
		}
		if m, _ := e.svc.GetMember(ctx, orgs.UserActor("alice"), "acme", "carol"); m.Role != orgs.RoleMember {
			t.Fatalf("carol after the delete: %s", m.Role)
		}
		// The admin (no roles:manage) sees no role forms and no tab.
		r = e.get("bob", "/ui/o/acme/roles")
		if strings.Contains(r.body, "Define a role") || strings.Contains(r.body, `action="/ui/o/acme/roles`) {
			t.Errorf("bob's roles page has forms")
		}
		if strings.Contains(e.get("bob", "/ui/o/acme/").body, `href="/ui/o/acme/roles"`) {
			t.Error("bob sees the Roles tab")
		}
	})
}

// TestWebhooksPages: an admin adds an endpoint and sees its secret once
// (in the page after the redirect, never in a URL), edits, disables and
// enables it, rotates the secret, replays, reads the attempt log page by
// page and deletes it after confirming.
//
// Negative controls: with the Secret left out of the flash in
// createWebhook, the page after the redirect shows no whsec_ and the test
// fails; with attemptsPage's page reversal removed, the first page starts
// with the oldest attempt and the order check fails.
func TestWebhooksPages(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.hookFixture()
		expect(t, e.get("bob", "/ui/o/acme/webhooks"), http.StatusOK, "https://hooks.acme.example/orgs", "Add an endpoint", "All events")
		r := e.post("bob", "/ui/o/acme/webhooks", url.Values{"url": {"https://receiver.example/hook"}, "description": {"CRM sync"},
			"event_types": {"member.added", "member.removed"}})
		loc := r.hdr.Get("Location")
		if r.code != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/o/acme/webhooks/ep_") {
			t.Fatalf("create: %d %q\n%s", r.code, loc, excerpt(r.body))
		}
		if strings.Contains(loc, "whsec") || strings.Contains(r.body, "whsec_") {
			t.Fatalf("the secret in the redirect: %q", loc)
		}
		id := strings.TrimPrefix(loc, "/ui/o/acme/webhooks/")
		page := e.do(withCookies(httptest.NewRequest("GET", loc, nil), r), "bob")
		expect(t, page, http.StatusOK, "Added the endpoint https://receiver.example/hook", "Signing secret", "member.removed")
		if n := len(secretRe.FindAllString(page.body, -1)); n != 1 {
			t.Fatalf("the page after creating shows %d secrets", n)
		}
		// Shown once: the page clears the cookie that brought it, and the
		// next view has none.
		cleared := false
		for _, c := range (&http.Response{Header: page.hdr}).Cookies() {
			cleared = cleared || (c.Name == "orgs_flash" && c.MaxAge < 0)
		}
		if !cleared {
			t.Error("the page showing the secret does not clear the flash cookie")
		}
		if again := e.get("bob", loc); strings.Contains(again.body, "whsec_") {
			t.Error("the secret is shown again")
		}
		// Edit.
		r = e.post("bob", loc, url.Values{"url": {"https://receiver.example/hook2"}, "description": {"CRM"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.code, excerpt(r.body))
		}
		ep, _ := e.svc.GetWebhookEndpoint(ctx, orgs.UserActor("bob"), "acme", id)
		if ep.URL != "https://receiver.example/hook2" || len(ep.EventTypes) != 0 {
			t.Fatalf("after the edit: %+v", ep)
		}
		// Disable, enable.
		e.post("bob", loc+"/enabled", url.Values{"enabled": {"false"}})
		if ep, _ := e.svc.GetWebhookEndpoint(ctx, orgs.UserActor("bob"), "acme", id); ep.Enabled || ep.DisabledReason != orgs.DisabledManually {
			t.Fatalf("after disabling: %+v", ep)
		}
		expect(t, e.get("bob", loc), http.StatusOK, "Disabled", "Enable")
		e.post("bob", loc+"/enabled", url.Values{"enabled": {"true"}})
		if ep, _ := e.svc.GetWebhookEndpoint(ctx, orgs.UserActor("bob"), "acme", id); !ep.Enabled {
			t.Fatalf("after enabling: %+v", ep)
		}
		// Rotate: a new secret, shown once, the old one signing for 7 days.
		r = e.post("bob", loc+"/rotate", url.Values{"overlap": {"168"}})
		page = e.do(withCookies(httptest.NewRequest("GET", r.hdr.Get("Location"), nil), r), "bob")
		expect(t, page, http.StatusOK, "The previous one keeps signing until", "Previous secret signs until")
		if n := len(secretRe.FindAllString(page.body, -1)); n != 1 {
			t.Fatalf("the page after rotating shows %d secrets", n)
		}
		// Replay since a time, and one event.
		r = e.post("bob", loc+"/replay", url.Values{"since": {time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04")}})
		page = e.do(withCookies(httptest.NewRequest("GET", r.hdr.Get("Location"), nil), r), "bob")
		expect(t, page, http.StatusOK, "messages for delivery again")
		// The attempt log, newest first, by pages.
		e.attempts("alice", "acme", ep, 25)
		r = e.get("bob", loc+"/attempts")
		expect(t, r, http.StatusOK, "Delivery attempts", "attempt 25", "Error status", "receiver answered 500", "oops &lt;b&gt;", "35 ms", "Older →")
		if strings.Contains(r.body, "attempt 5<") || strings.Index(r.body, "attempt 25") > strings.Index(r.body, "attempt 24") {
			t.Errorf("first page of attempts not the newest, newest first")
		}
		older := regexp.MustCompile(`href="([^"]+)">Older →`).FindStringSubmatch(r.body)
		if older == nil {
			t.Fatal("no Older link")
		}
		expect(t, e.get("bob", strings.ReplaceAll(older[1], "&amp;", "&")), http.StatusOK, "attempt 5<", "Newer")
		// Replay one event from the log.
		evID := regexp.MustCompile(`name="event_id" value="(evt_[0-9A-Za-z]+)"`).FindStringSubmatch(r.body)
		if evID == nil {
			t.Fatal("no replay button")
		}
		r = e.post("bob", loc+"/replay", url.Values{"event_id": {evID[1]}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("replay one: %d\n%s", r.code, excerpt(r.body))
		}
		// Delete: without the box checked, a field error; then deleted.
		expect(t, e.post("bob", loc+"/delete", nil), http.StatusUnprocessableEntity, `id="webhook-delete-confirm-error"`, "check the box to confirm")
		r = e.post("bob", loc+"/delete", url.Values{"confirm": {"yes"}})
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/ui/o/acme/webhooks" {
			t.Fatalf("delete: %d %q", r.code, r.hdr.Get("Location"))
		}
		if _, err := e.svc.GetWebhookEndpoint(ctx, orgs.UserActor("bob"), "acme", id); err == nil {
			t.Fatal("the endpoint survived")
		}
		if r := e.get("bob", loc); r.code != http.StatusNotFound {
			t.Errorf("deleted endpoint page: %d", r.code)
		}
		// Members neither see the tab nor the pages.
		if strings.Contains(e.get("carol", "/ui/o/acme/").body, `href="/ui/o/acme/webhooks"`) {
			t.Error("carol sees the Webhooks tab")
		}
		for _, p := range []string{"/ui/o/acme/webhooks", loc, loc + "/attempts"} {
			if r := e.get("carol", p); r.code != http.StatusForbidden {
				t.Errorf("carol GET %s: %d", p, r.code)
			}
			if r := e.get("dave", p); r.code != http.StatusNotFound {
				t.Errorf("dave GET %s: %d", p, r.code)
			}
		}
	})
}

// TestRolesWebhooksForgedPostsRefused: a member (and, for roles, an admin)
// posting the forms of the roles and webhook pages is refused (403) and
// nothing is written; a non-member gets 404.
//
// Negative control: with the UI calling UpdateOrganizationRole and
// DeleteWebhookEndpoint as orgs.SystemActor() instead of the user, carol's
// posts answer 303 and the event count changes.
func TestRolesWebhooksForgedPostsRefused(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		f := e.hookFixture()
		ep := "/ui/o/acme/webhooks/" + f.ep.ID
		before := e.eventCount("alice", "acme")
		roles := []struct {
			path string
			form url.Values
		}{
			{"/ui/o/acme/roles", url.Values{"name": {"forged"}, "rank": {"100"}, "permissions": {"org:read"}}},
			{"/ui/o/acme/roles/auditor", url.Values{"name": {"forged"}, "rank": {"100"}}},
			{"/ui/o/acme/roles/auditor/delete", nil},
			{"/ui/o/acme/roles/auditor/delete", url.Values{"reassign_to": {"member"}}},
		}
		hooks := []struct {
			path string
			form url.Values
		}{
			{"/ui/o/acme/webhooks", url.Values{"url": {"https://evil.example/"}}},
			{ep, url.Values{"url": {"https://evil.example/"}}},
			{ep + "/enabled", url.Values{"enabled": {"false"}}},
			{ep + "/rotate", url.Values{"overlap": {"0"}}},
			{ep + "/replay", url.Values{"since": {"2020-01-01T00:00"}}},
			{ep + "/delete", url.Values{"confirm": {"yes"}}},
		}
		for _, p := range append(roles, hooks...) {
			if r := e.post("carol", p.path, p.form); r.code != http.StatusForbidden {
				t.Errorf("carol POST %s: %d, want 403\n%s", p.path, r.code, excerpt(r.body))
			}
			if r := e.post("dave", p.path, p.form); r.code != http.StatusNotFound {
				t.Errorf("dave POST %s: %d, want 404", p.path, r.code)
			}
		}
		// Admins manage webhooks, not roles.
		for _, p := range roles {
			if r := e.post("bob", p.path, p.form); r.code != http.StatusForbidden {
				t.Errorf("bob POST %s: %d, want 403\n%s", p.path, r.code, excerpt(r.body))
			}
		}
		if after := e.eventCount("alice", "acme"); after != before {
			t.Errorf("forged posts wrote %d events", after-before)
		}
		if rs, _ := e.svc.ListOrganizationRoles(context.Background(), orgs.UserActor("alice"), "acme"); len(rs) != 4 {
			t.Errorf("roles after forged posts: %v", rs)
		}
		if got, _ := e.svc.GetWebhookEndpoint(context.Background(), orgs.UserActor("alice"), "acme", f.ep.ID); got == nil || !got.Enabled || got.URL != f.ep.URL {
			t.Errorf("endpoint after forged posts: %+v", got)
		}
	})
}

// TestRolesWebhooksCrossTenant: an admin (and an owner) of acme posting
// globex's role names and endpoint IDs, through acme's paths or globex's,
// is refused and nothing is written in either organization.
//
// Negative control: with the UI loading the organization and deleting
// roles and endpoints as orgs.SystemActor() (the UI deciding instead of
// the Service), bob's and alice's deletes in globex answer 303 and
// globex's event count changes.
func TestRolesWebhooksCrossTenant(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.hookFixture()
		e.org("gina", "globex", map[string]orgs.Role{"hank": orgs.RoleMember})
		if _, err := e.svc.CreateOrganizationRole(ctx, orgs.UserActor("gina"), "globex", orgs.OrganizationRoleInput{Name: "sales", Rank: 120, Permissions: []orgs.Permission{orgs.PermOrgRead}}); err != nil {
			t.Fatal(err)
		}
		gep, err := e.svc.CreateWebhookEndpoint(ctx, orgs.UserActor("gina"), "globex", orgs.WebhookEndpointInput{URL: "https://hooks.globex.example/"})
		if err != nil {
			t.Fatal(err)
		}
		beforeAcme, beforeGlobex := e.eventCount("alice", "acme"), e.eventCount("gina", "globex")
		posts := []struct {
			user, path string
			form       url.Values
		}{
			{"bob", "/ui/o/acme/webhooks/" + gep.ID, url.Values{"url": {"https://evil.example/"}}},
			{"bob", "/ui/o/acme/webhooks/" + gep.ID + "/enabled", url.Values{"enabled": {"false"}}},
			{"bob", "/ui/o/acme/webhooks/" + gep.ID + "/rotate", url.Values{"overlap": {"0"}}},
			{"bob", "/ui/o/acme/webhooks/" + gep.ID + "/replay", url.Values{"since": {"2020-01-01T00:00"}}},
			{"bob", "/ui/o/acme/webhooks/" + gep.ID + "/delete", url.Values{"confirm": {"yes"}}},
			{"bob", "/ui/o/globex/webhooks/" + gep.ID + "/delete", url.Values{"confirm": {"yes"}}},
			{"bob", "/ui/o/globex/webhooks", url.Values{"url": {"https://evil.example/"}}},
			{"alice", "/ui/o/acme/roles/sales", url.Values{"name": {"mine"}, "rank": {"100"}}},
			{"alice", "/ui/o/acme/roles/sales/delete", url.Values{"reassign_to": {"member"}}},
			{"alice", "/ui/o/globex/roles/sales/delete", url.Values{"reassign_to": {"member"}}},
			{"alice", "/ui/o/globex/roles", url.Values{"name": {"mine"}, "rank": {"100"}}},
			{"alice", "/ui/o/acme/members/role", url.Values{"user_id": {"hank"}, "role": {"sales"}}},
		}
		for _, p := range posts {
			r := e.post(p.user, p.path, p.form)
			if r.code != http.StatusNotFound && r.code != http.StatusConflict && r.code != http.StatusUnprocessableEntity {
				t.Errorf("%s POST %s: %d\n%s", p.user, p.path, r.code, excerpt(r.body))
			}
		}
		for _, p := range []string{"/ui/o/acme/webhooks/" + gep.ID, "/ui/o/acme/webhooks/" + gep.ID + "/attempts"} {
			if r := e.get("bob", p); r.code != http.StatusNotFound {
				t.Errorf("bob GET %s: %d", p, r.code)
			}
		}
		if a, g := e.eventCount("alice", "acme"), e.eventCount("gina", "globex"); a != beforeAcme || g != beforeGlobex {
			t.Errorf("cross-tenant posts wrote events: acme %d→%d, globex %d→%d", beforeAcme, a, beforeGlobex, g)
		}
		if got, err := e.svc.GetWebhookEndpoint(ctx, orgs.UserActor("gina"), "globex", gep.ID); err != nil || !got.Enabled || got.URL != gep.URL {
			t.Errorf("globex's endpoint: %+v %v", got, err)
		}
		// The same post by globex's owner, on its own path, goes through.
		if r := e.post("gina", "/ui/o/globex/webhooks/"+gep.ID+"/delete", url.Values{"confirm": {"yes"}}); r.code != http.StatusSeeOther {
			t.Errorf("gina's own delete: %d", r.code)
		}
	})
}

// TestRolesWebhooksBadInput: malformed forms get field errors beside their
// fields (422), never a 5xx, and write nothing.
//
// Negative controls: with rotateWebhook's overlap check loosened, overlap
// "5" rotates (303) and writes an event; with deleteWebhook's confirmation
// check removed, confirm=no deletes the endpoint.
func TestRolesWebhooksBadInput(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		f := e.hookFixture()
		ep := "/ui/o/acme/webhooks/" + f.ep.ID
		before := e.eventCount("alice", "acme")
		cases := []struct {
			path, field string
			form        url.Values
			want        []string
		}{
			{"/ui/o/acme/roles", "name", url.Values{"name": {"Bad Name!"}, "rank": {"100"}}, []string{`id="role-create-name-error"`, `value="Bad Name!"`}},
			{"/ui/o/acme/roles", "name", url.Values{"name": {"admin"}, "rank": {"100"}}, []string{`id="role-create-name-error"`, "every organization has"}},
			{"/ui/o/acme/roles", "rank", url.Values{"name": {"x"}, "rank": {"abc"}}, []string{`id="role-create-rank-error"`, "must be a number"}},
			{"/ui/o/acme/roles", "rank", url.Values{"name": {"x"}, "rank": {"999"}}, []string{`id="role-create-rank-error"`, "below owner"}},
			{"/ui/o/acme/roles", "permissions", url.Values{"name": {"x"}, "rank": {"100"}, "permissions": {"god:mode"}}, []string{`id="role-create-permissions-error"`}},
			{"/ui/o/acme/roles", "", url.Values{"name": {"auditor"}, "rank": {"100"}}, []string{"already has a role with that name"}},
			{"/ui/o/acme/roles/auditor", "name", url.Values{"name": {""}, "rank": {"100"}}, []string{`id="role-update-auditor-name-error"`}},
			{"/ui/o/acme/roles/auditor", "rank", url.Values{"name": {"auditor"}, "rank": {"-1"}}, []string{`id="role-update-auditor-rank-error"`}},
			{"/ui/o/acme/roles/auditor/delete", "reassign_to", url.Values{"reassign_to": {"auditor"}}, []string{`id="role-delete-auditor-reassign-to-error"`}},
			{"/ui/o/acme/roles/auditor/delete", "reassign_to", url.Values{"reassign_to": {"Nope!"}}, []string{`id="role-delete-auditor-reassign-to-error"`}},
			{"/ui/o/acme/webhooks", "url", url.Values{"url": {"http://plain.example/"}}, []string{`id="webhook-create-url-error"`, "https"}},
			{"/ui/o/acme/webhooks", "url", url.Values{"url": {"not a url"}}, []string{`id="webhook-create-url-error"`}},
			{"/ui/o/acme/webhooks", "url", url.Values{"url": {""}}, []string{`id="webhook-create-url-error"`}},
			{"/ui/o/acme/webhooks", "event_types", url.Values{"url": {"https://ok.example/"}, "event_types": {"nope.happened"}}, []string{`id="webhook-create-event-types-error"`}},
			{"/ui/o/acme/webhooks", "description", url.Values{"url": {"https://ok.example/"}, "description": {strings.Repeat("d", 300)}}, []string{`id="webhook-create-description-error"`}},
			{ep, "url", url.Values{"url": {"ftp://x.example/"}}, []string{`id="webhook-update-url-error"`}},
			{ep + "/rotate", "overlap", url.Values{"overlap": {"5"}}, []string{`id="webhook-rotate-overlap-error"`}},
			{ep + "/replay", "since", url.Values{"since": {"yesterday"}}, []string{`id="webhook-replay-since-error"`, "must be a date and time"}},
			{ep + "/replay", "since", url.Values{}, []string{`id="webhook-replay-since-error"`}},
			{ep + "/replay", "event_id", url.Values{"event_id": {"bogus"}}, []string{`id="webhook-replay-event-id-error"`}},
			{ep + "/delete", "confirm", url.Values{"confirm": {"no"}}, []string{`id="webhook-delete-confirm-error"`}},
			{ep + "/enabled", "", url.Values{"enabled": {"maybe"}}, []string{"Please correct"}},
		}
		for _, c := range cases {
			r := e.post("alice", c.path, c.form)
			if r.code >= 500 || r.code < 400 {
				t.Errorf("POST %s %v: %d\n%s", c.path, c.form, r.code, excerpt(r.body))
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("POST %s %v: body lacks %q\n%s", c.path, c.form, w, excerpt(r.body))
				}
			}
			if c.field != "" && r.code != http.StatusUnprocessableEntity {
				t.Errorf("POST %s %v: %d, want 422", c.path, c.form, r.code)
			}
		}
		for _, p := range []string{
			ep + "/attempts?after=!!!", ep + "/attempts?before=%ff", ep + "/attempts?limit=0", ep + "/attempts?limit=x",
			"/ui/o/acme/webhooks/ep_nope", "/ui/o/acme/webhooks/%00/attempts", "/ui/o/acme/webhooks/" + strings.Repeat("e", 300),
		} {
			if r := e.get("alice", p); r.code >= 500 {
				t.Errorf("GET %s: %d", p, r.code)
			}
		}
		for _, p := range []string{"/ui/o/acme/roles/nope", "/ui/o/acme/roles/nope/delete", "/ui/o/acme/webhooks/ep_nope/delete", "/ui/o/acme/webhooks/x/rotate"} {
			if r := e.post("alice", p, url.Values{"name": {"x"}, "rank": {"100"}, "confirm": {"yes"}, "overlap": {"24"}}); r.code >= 500 || r.code < 400 {
				t.Errorf("POST %s: %d", p, r.code)
			}
		}
		if after := e.eventCount("alice", "acme"); after != before {
			t.Errorf("bad input wrote %d events", after-before)
		}
	})
}
