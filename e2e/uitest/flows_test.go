package uitest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
)

// TestUI runs every flow on SQLite and on Postgres, each in its own
// Chromium, in parallel.
func TestUI(t *testing.T) {
	for _, b := range []struct {
		name string
		open func(testing.TB) *sqlstore.Store
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, b.name, b.open(t))
			s.flows(t)
		})
	}
}

func (s *site) flows(t *testing.T) {
	ctx := context.Background()

	// Alice signs in with the demo sign-in and creates an organization.
	alice := s.person("alice")
	alice.open("/ui/")
	alice.sees("Demo sign-in", "Sign in as Alice Adams")
	alice.page("demo-sign-in")
	alice.clickIn("form", "Alice Adams", "button")
	alice.sees("Your organizations", "You are not in any organization yet")
	alice.page("organizations-empty")

	alice.fill("#create-name", "Acme Robotics", "#create-slug", "acme")
	alice.click("#orgs-main form[action$='/organizations'] button")
	alice.sees("Created Acme Robotics. You are its owner.", "Owner")
	alice.page("overview")

	// A field error from the Service, shown beside its field.
	alice.open("/ui/")
	alice.fill("#create-name", "Acme Again", "#create-slug", "Bad Slug!")
	if code := alice.click("#orgs-main form[action$='/organizations'] button"); code != 422 {
		t.Errorf("invalid slug: status %d", code)
	}
	alice.sees("Please correct the fields below")
	if _, err := chromedp.Run(alice.ctx, chromedp.Text(chromedp.CSS("#create-slug-error"))); err != nil {
		t.Errorf("no error beside the slug field: %v", err)
	}
	alice.page("create-organization-error")

	// Alice invites Bob and copies the link, shown once.
	alice.open("/ui/o/acme/invitations")
	alice.fill("#invite-email", "bob@example.com")
	alice.choose("#invite-role", "member")
	alice.choose("#invite-expires_in", "72")
	alice.click("#orgs-main form[action$='/invitations'] button[type=submit]")
	alice.sees("Invited bob@example.com.", "Invitation link", "Pending")
	link, err := chromedp.Run(alice.ctx, chromedp.Value(chromedp.CSS("#orgs-invite-link")))
	if err != nil || !strings.Contains(link, "/ui/accept?token=") {
		t.Fatalf("invitation link %q: %v", link, err)
	}
	if visible, _ := chromedp.Run(alice.ctx, chromedp.Evaluate[bool](`!document.querySelector("[data-copy]").hidden`)); !visible {
		t.Error("the copy button did not appear (ui.js did not run)")
	}
	alice.page("invitations")

	// Bob opens the link signed out: the token leaves the address bar at
	// once, he signs in and sees who invites him to what, as which role.
	bob := s.person("bob")
	u, _ := url.Parse(link)
	bob.open(u.RequestURI())
	if loc := bob.location(); strings.Contains(loc, "token") || !strings.Contains(loc, "/ui/demo/sign-in") {
		t.Fatalf("after opening the link: %s", loc)
	}
	bob.clickIn("form", "Bob Brown", "button")
	if loc := bob.location(); !strings.HasSuffix(loc, "/ui/accept") {
		t.Fatalf("after signing in: %s", loc)
	}
	history, _ := chromedp.Run(bob.ctx, chromedp.Evaluate[string](`location.href + " " + document.referrer`))
	if strings.Contains(history, "token") {
		t.Errorf("token visible to the page: %s", history)
	}
	bob.sees("Alice Adams invites you to join Acme Robotics", "Member", "Accept and join", "Decline")
	bob.page("accept-preview")
	bob.click("button[value=accept]")
	bob.sees("Welcome to Acme Robotics!")
	bob.page("overview-member")

	// Alice makes Bob an admin.
	alice.open("/ui/o/acme/members")
	alice.mark("tr", "Bob Brown", "select")
	alice.choose("[data-e2e-target]", "admin")
	alice.clickIn("tr", "Bob Brown", "form[action$='/members/role'] button")
	alice.sees("Bob Brown is now Admin.")
	alice.page("members")

	// Bob tries to remove Alice, and sees why not.
	bob.open("/ui/o/acme/members")
	bob.page("members-as-admin")
	bob.clickIn("tr", "Alice Adams", "a[href*='/members/remove']")
	bob.sees("Remove Alice Adams from Acme Robotics?")
	bob.page("remove-member")
	if code := bob.click("#orgs-main form button.orgs-danger"); code != 403 {
		t.Errorf("bob removing alice: status %d", code)
	}
	bob.sees("You can only remove members ranked below you")
	bob.page("remove-member-refused")

	// Alice transfers ownership to Bob, with a confirmation.
	alice.open("/ui/o/acme/members")
	alice.clickIn("tr", "Bob Brown", "a[href*='/members/transfer']")
	alice.sees("Make Bob Brown the owner?")
	alice.page("transfer-ownership")
	alice.click("#orgs-main form button.orgs-danger")
	alice.sees("is now an owner; you are an admin.")
	if m, err := s.svc.GetMember(ctx, orgs.UserActor("bob"), "acme", "bob"); err != nil || m.Role != orgs.RoleOwner {
		t.Fatalf("bob after the transfer: %+v %v", m, err)
	}

	// Bob, now the only owner, cannot leave: the last-owner rule, explained.
	bob.open("/ui/o/acme/leave")
	bob.page("leave")
	if code := bob.click("#orgs-main form button.orgs-danger"); code != 409 {
		t.Errorf("last owner leaving: status %d", code)
	}
	bob.sees("You are the only owner")
	bob.page("leave-refused")

	// Member search and role filter.
	alice.open("/ui/o/acme/members")
	alice.fill("#members-q", "bob")
	alice.choose("#members-role", "owner")
	alice.click("form.orgs-filters button")
	alice.sees("Bob Brown")
	if strings.Contains(alice.text(), "Alice Adams") {
		t.Error("the filtered member list shows Alice")
	}

	// Teams: Alice (admin) creates one and adds Bob as maintainer.
	alice.open("/ui/o/acme/teams")
	alice.fill("#team-create-name", "Platform", "#team-create-color", "#3366cc")
	alice.click("#orgs-main form[action$='/teams'] button")
	alice.sees("Created the team Platform.")
	alice.fill("#team-add-user", "bob")
	alice.choose("#team-add-role", "maintainer")
	alice.click("#orgs-main form[action$='/members'] button[type=submit]")
	alice.sees("Added Bob Brown to the team.", "Maintainer")
	alice.page("team")
	alice.open("/ui/o/acme/teams")
	alice.sees("Platform", "1 members")
	alice.page("teams")

	// Categories: add, move, rename, delete.
	alice.open("/ui/o/acme/categories")
	alice.fill("#category-add-name", "Robotics")
	alice.click("#orgs-main form[action$='/categories'] button")
	alice.sees("Added Robotics.")
	alice.clickIn("ol.orgs-rows > li", "Robotics", "form[action$='/move'] button")
	alice.sees("Moved.")
	cats, _ := s.svc.ListCategories(ctx, orgs.UserActor("alice"), "acme")
	if cats[len(cats)-2].Name != "Robotics" {
		t.Errorf("Robotics not moved up: %v", cats[len(cats)-2].Name)
	}
	alice.row("ol.orgs-rows > li", "Sustainability & ESG")
	alice.fill("[data-e2e-row] input[name=name]", "Sustainability")
	alice.click("[data-e2e-row] form[action$='/rename'] button")
	alice.sees("Saved.")
	alice.clickIn("ol.orgs-rows > li", "Robotics", "form[action$='/delete'] button")
	alice.sees("Category deleted.")
	alice.page("categories")

	// The pipeline editor: add, reorder, rename and remove stages.
	alice.open("/ui/o/acme/pipelines")
	alice.page("pipelines")
	alice.click("#orgs-main ul.orgs-stack a")
	alice.fill("#stage-add-stage-name", "Reference check")
	alice.click("#orgs-main form[action$='/stages'] button")
	alice.sees("Stage added.", "Reference check")
	alice.clickIn("ol.orgs-rows > li", "Reference check", "form[action$='/move'] button")
	alice.sees("Moved.")
	alice.row("ol.orgs-rows > li", "Screening")
	alice.fill("[data-e2e-row] input[name=stage_name]", "Phone screen")
	alice.click("[data-e2e-row] form[action$='/rename'] button")
	alice.clickIn("ol.orgs-rows > li", "Technical Task", "form[action$='/remove'] button")
	alice.sees("Stage removed.")
	ps, _ := s.svc.ListPipelines(ctx, orgs.UserActor("alice"), "acme")
	var names []string
	for _, st := range ps[0].Stages {
		names = append(names, st.Name)
	}
	if strings.Join(names, ",") != "Phone screen,Interview,Final Interview,Reference check,Offer" {
		t.Errorf("stages %v", names)
	}
	alice.page("pipeline")

	// Settings: profile fields, a field error, the slug change warning.
	alice.open("/ui/o/acme/settings")
	// (The browser checks an email field's shape itself; the Service
	// refuses a website that is not http or https.)
	alice.fill("#profile-description", "We build friendly robots.", "#profile-website", "ftp://files.acme.example")
	alice.choose("#profile-industry", "Software")
	if code := alice.click("#orgs-main form[action$='/settings'] button"); code != 422 {
		t.Errorf("invalid website: status %d", code)
	}
	alice.sees("Please correct the fields below")
	if _, err := chromedp.Run(alice.ctx, chromedp.Text(chromedp.CSS("#profile-website-error"))); err != nil {
		t.Errorf("no error beside the website field: %v", err)
	}
	alice.page("settings-error")
	alice.fill("#profile-website", "https://acme.example", "#profile-contact-email", "hello@acme.example")
	alice.click("#orgs-main form[action$='/settings'] button")
	alice.sees("Saved.")
	alice.sees("Warning: the slug")
	alice.page("settings")

	// Domains: instructions, verify (the record is missing), a verified one.
	alice.open("/ui/o/acme/domains")
	alice.fill("#domain-add-domain", "acme.example")
	alice.click("#orgs-main form[action$='/domains'] button")
	alice.sees("Publish its TXT record", "_orgs-challenge.acme.example")
	alice.click("#orgs-main form[action$='/verify'] button")
	alice.sees("could not be verified")
	alice.fill("#domain-add-domain", "ok.acme.example")
	alice.click("#orgs-main form[action$='/domains'] button")
	alice.clickIn("li.orgs-card", "ok.acme.example", "form[action$='/verify'] button")
	alice.sees("ok.acme.example is verified.")
	alice.page("domains")

	// The audit log, filtered by type.
	alice.open("/ui/o/acme/events")
	alice.sees("organization.created", "ownership.transferred")
	alice.page("events")
	alice.choose("#events-type", "member.role_updated")
	alice.click("form.orgs-filters button")
	alice.sees("member.role_updated")
	if strings.Contains(alice.text(), "organization.created ") {
		t.Error("the filtered log shows other types")
	}

	// Invitations that cannot be used, each with its page: for someone
	// else, revoked, expired.
	carol := s.person("carol")
	carol.open("/ui/demo/sign-in")
	carol.fill("#demo-id", "carol", "#demo-email", "carol@example.com", "#demo-name", "Carol Chen")
	carol.click("#orgs-main form.orgs-form button")
	carol.sees("Your organizations")

	invite := func(email string) string {
		inv, err := s.svc.CreateInvitation(ctx, orgs.UserActor("alice"), "acme", orgs.InvitationInput{Email: email, Role: orgs.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		return "/ui/accept?token=" + url.QueryEscape(inv.Token)
	}
	carol.open(invite("dan@example.com"))
	carol.click("button[value=accept]")
	carol.sees("This invitation is for someone else")
	carol.page("accept-wrong-email")

	l := invite("carol@example.com")
	alice.open("/ui/o/acme/invitations")
	alice.page("invitations-pending")
	alice.clickIn("tr", "carol@example.com", "form[action$='/revoke'] button")
	alice.sees("Invitation revoked.")
	carol.open(l)
	carol.sees("This invitation was revoked")
	carol.page("accept-revoked")

	past, err := orgs.New(s.st, orgs.WithClock(func() time.Time { return time.Now().Add(-10 * 24 * time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	old, err := past.CreateInvitation(ctx, orgs.UserActor("alice"), "acme", orgs.InvitationInput{Email: "carol@example.com", Role: orgs.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	carol.open("/ui/accept?token=" + old.Token)
	carol.sees("This invitation has expired")
	carol.page("accept-expired")

	// A member sees no admin controls.
	if _, err := s.svc.AddMember(ctx, orgs.UserActor("bob"), "acme", "carol", orgs.RoleMember); err != nil {
		t.Fatal(err)
	}
	carol.open("/ui/o/acme/members")
	for _, control := range []string{"Change role", "Remove…", "Make owner…", "Invitations", "Settings", "Audit log"} {
		if strings.Contains(carol.text(), control) {
			t.Errorf("carol (member) sees %q", control)
		}
	}
	carol.page("members-as-member")

	// Keyboard only: the skip link comes first and moves focus to the
	// content; focus is visible.
	carol.open("/ui/o/acme/")
	if err := chromedp.Do(carol.ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	focused, _ := chromedp.Run(carol.ctx, chromedp.Evaluate[string](`document.activeElement.className + "|" + getComputedStyle(document.activeElement).outlineStyle`))
	if !strings.HasPrefix(focused, "orgs-skip|") || strings.HasSuffix(focused, "|none") {
		t.Errorf("first Tab stop: %q", focused)
	}
	if err := chromedp.Do(carol.ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	if at, _ := chromedp.Run(carol.ctx, chromedp.Evaluate[string](`document.activeElement.id`)); at != "orgs-main" {
		t.Errorf("after the skip link, focus is on %q", at)
	}

	// Bob (owner) switches organizations and deletes one, typing its slug.
	bob.open("/ui/")
	bob.fill("#create-name", "Bobco")
	bob.click("#orgs-main form[action$='/organizations'] button")
	bob.choose("#orgs-switch", "acme")
	bob.click("form.orgs-switcher button")
	bob.sees("Acme Robotics")
	bob.page("switcher")
	bob.open("/ui/o/bobco/settings")
	bob.fill("#delete-confirm", "wrong")
	if code := bob.click("#orgs-main form[action$='/delete'] button"); code != 422 {
		t.Errorf("wrong confirmation: %d", code)
	}
	bob.sees("does not match the slug")
	bob.page("delete-confirm-error")
	bob.fill("#delete-confirm", "bobco")
	bob.click("#orgs-main form[action$='/delete'] button")
	bob.sees("Deleted Bobco.")
	bob.page("organizations")

	// An organization Bob cannot see, and an unknown page.
	if code := bob.open("/ui/o/bobco/"); code != 404 {
		t.Errorf("deleted organization: %d", code)
	}
	bob.sees("Not found")
	bob.page("not-found")

	// Without JavaScript every form still works.
	nojs := s.person("nojs")
	if _, err := chromedp.Call(nojs.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	nojs.open("/ui/demo/sign-in")
	nojs.clickIn("form", "Alice Adams", "button")
	nojs.open("/ui/o/acme/categories")
	nojs.fill("#category-add-name", "No Script")
	nojs.click("#orgs-main form[action$='/categories'] button")
	nojs.sees("Added No Script.")

	s.rolesAndWebhooks(t, alice, bob, carol)

	// Bob opens his invitation link again, long after accepting it.
	bob.open(u.RequestURI())
	bob.sees("This invitation was already used")
	bob.page("accept-used")

	for _, p := range []*person{alice, bob, carol, nojs} {
		p.noConsoleErrors("end")
	}
}

// rolesAndWebhooks: Bob (owner) defines a role of the organization's own,
// gives it to Carol from the members page, renames it, is told why it
// cannot be deleted while she holds it, and deletes it giving her another;
// Alice (admin) adds a webhook endpoint, sees its secret once, rotates it,
// reads the attempt log, disables the endpoint and deletes it.
func (s *site) rolesAndWebhooks(t *testing.T, alice, bob, carol *person) {
	ctx := context.Background()

	bob.open("/ui/o/acme/roles")
	bob.sees("Roles", "Owner", "Admin", "Member", "Define a role")
	bob.fill("#role-create-name", "reviewer", "#role-create-rank", "150")
	bob.tick("#orgs-main form[action$='/roles'] input[value='events:read']")
	bob.click("#orgs-main form[action$='/roles'] button[type=submit]")
	bob.sees("Created the role reviewer.", "this organization's")
	bob.page("roles")

	bob.open("/ui/o/acme/members")
	bob.mark("tr", "Carol Chen", "select")
	bob.choose("[data-e2e-target]", "reviewer")
	bob.clickIn("tr", "Carol Chen", "form[action$='/members/role'] button")
	bob.sees("Carol Chen is now reviewer.")
	bob.page("members-custom-role")
	if m, err := s.svc.GetMember(ctx, orgs.UserActor("bob"), "acme", "carol"); err != nil || m.Role != "reviewer" {
		t.Fatalf("carol after the role change: %+v %v", m, err)
	}
	// Her role's permissions decide her tabs: the audit log, not settings.
	carol.open("/ui/o/acme/")
	tabs, _ := chromedp.Run(carol.ctx, chromedp.Evaluate[string](`document.querySelector("nav.orgs-tabs").innerText`))
	if !strings.Contains(tabs, "Audit log") || strings.Contains(tabs, "Settings") || strings.Contains(tabs, "Roles") {
		t.Errorf("carol's (reviewer) tabs: %q", tabs)
	}

	// Renamed; deleting it while Carol holds it is refused, with the reason.
	bob.open("/ui/o/acme/roles")
	bob.fill("#role-update-reviewer-name", "senior-reviewer")
	bob.click("#orgs-main form[action$='/roles/reviewer'] button[type=submit]")
	bob.sees("Saved the role senior-reviewer.")
	if code := bob.click("#orgs-main form[action$='/roles/senior-reviewer/delete'] button"); code != 409 {
		t.Errorf("deleting a held role: status %d", code)
	}
	bob.sees("Members or pending invitations hold this role")
	bob.page("roles-delete-refused")
	bob.choose("#role-delete-senior-reviewer-reassign-to", "member")
	bob.click("#orgs-main form[action$='/roles/senior-reviewer/delete'] button")
	bob.sees("Deleted the role senior-reviewer; its members and pending invitations are now Member.")
	if m, err := s.svc.GetMember(ctx, orgs.UserActor("bob"), "acme", "carol"); err != nil || m.Role != orgs.RoleMember {
		t.Fatalf("carol after the delete: %+v %v", m, err)
	}

	// Webhooks: Alice (admin). An http URL is refused beside its field.
	alice.open("/ui/o/acme/webhooks")
	alice.sees("No webhook endpoints yet.")
	alice.fill("#webhook-create-url", "http://hooks.acme.example/orgs", "#webhook-create-description", "CRM sync")
	alice.tick("#orgs-main input[value='member.added']")
	alice.tick("#orgs-main input[value='member.removed']")
	if code := alice.click("#orgs-main form[action$='/webhooks'] button[type=submit]"); code != 422 {
		t.Errorf("http endpoint: status %d", code)
	}
	alice.sees("must be an https URL")
	alice.page("webhooks-error")
	// The URL is never delivered to: no delivery worker runs here.
	alice.fill("#webhook-create-url", "https://hooks.acme.example/orgs")
	alice.click("#orgs-main form[action$='/webhooks'] button[type=submit]")
	alice.sees("Added the endpoint https://hooks.acme.example/orgs", "Signing secret", "member.removed")
	loc := alice.location()
	secret, err := chromedp.Run(alice.ctx, chromedp.Value(chromedp.CSS("#orgs-webhook-secret")))
	if err != nil || !strings.HasPrefix(secret, "whsec_") || strings.Contains(loc, "whsec") {
		t.Fatalf("secret %q (%v) at %s", secret, err, loc)
	}
	alice.page("webhook-created")
	alice.open(strings.TrimPrefix(loc, s.url))
	if again, _ := chromedp.Run(alice.ctx, chromedp.Evaluate[bool](`!!document.querySelector("#orgs-webhook-secret") || document.documentElement.outerHTML.includes("whsec_")`)); again {
		t.Error("the secret is shown a second time")
	}
	epID := loc[strings.LastIndex(loc, "/")+1:]

	// Rotate, with an hour of overlap.
	alice.choose("#webhook-rotate-overlap", "1")
	alice.click("#orgs-main form[action$='/rotate'] button")
	alice.sees("New signing secret made. The previous one keeps signing until", "Previous secret signs until")
	if again, _ := chromedp.Run(alice.ctx, chromedp.Value(chromedp.CSS("#orgs-webhook-secret"))); !strings.HasPrefix(again, "whsec_") || again == secret {
		t.Errorf("rotated secret %q", again)
	}

	// The attempt log, once the worker has tried (recorded here as it would).
	s.attempts(epID)
	alice.click("#orgs-main a[href$='/attempts']")
	alice.sees("Delivery attempts", "Delivered", "Error status", "Timed out", "Internal Server Error")
	alice.page("webhook-attempts")
	alice.click("#orgs-main tbody tr form[action$='/replay'] button")
	alice.sees("Queued 1 messages for delivery again.")

	// Disable it.
	alice.click("#orgs-main form[action$='/enabled'] button")
	alice.sees("The endpoint is disabled", "Disabled", "Enable")
	alice.page("webhook")
	alice.open("/ui/o/acme/webhooks")
	alice.sees("https://hooks.acme.example/orgs", "Disabled")
	alice.page("webhooks")

	// Delete, confirming.
	alice.clickIn("tr", "hooks.acme.example", "a")
	alice.tick("#webhook-delete-confirm")
	alice.click("#orgs-main form[action$='/delete'] button")
	alice.sees("Endpoint deleted.", "No webhook endpoints yet.")
	if eps, err := s.svc.ListWebhookEndpoints(ctx, orgs.UserActor("alice"), "acme"); err != nil || len(eps) != 0 {
		t.Errorf("endpoints after the delete: %v %v", eps, err)
	}
}

// attempts records three delivery attempts of a member.added event to the
// endpoint, as the delivery worker would (enqueue, claim, finish): a 500,
// a timeout, a success.
func (s *site) attempts(epID string) {
	s.t.Helper()
	ctx := context.Background()
	evs, err := s.svc.ListEvents(ctx, orgs.UserActor("bob"), "acme", orgs.EventQuery{Type: orgs.EventMemberAdded, Page: orgs.Page{Limit: 1}})
	if err != nil || len(evs.Data) == 0 {
		s.t.Fatalf("events: %v %v", evs, err)
	}
	ev := evs.Data[0]
	ws := orgs.Store(s.st).(orgs.WebhookStore)
	now := time.Now().UTC()
	if err := ws.EnqueueWebhookDeliveries(ctx, []orgs.WebhookDelivery{{EndpointID: epID, EventID: ev.ID, OrganizationID: ev.OrganizationID,
		State: orgs.DeliveryPending, NextAttemptAt: now, CreatedAt: now}}); err != nil {
		s.t.Fatal(err)
	}
	for i, a := range []orgs.WebhookAttempt{
		{Outcome: "non_2xx", StatusCode: 500, LatencyMS: 84, Response: "Internal Server Error", Error: "receiver answered 500"},
		{Outcome: "timeout", LatencyMS: 15000, Error: "no response within 15s"},
		{Outcome: "success", StatusCode: 200, LatencyMS: 42, Response: `{"ok":true}`},
	} {
		at := now.Add(time.Duration(i+1) * time.Minute)
		cs, err := ws.ClaimWebhookDeliveries(ctx, orgs.WebhookClaim{Holder: "uitest", Now: at, Until: at.Add(time.Minute), Limit: 1})
		if err != nil || len(cs) != 1 {
			s.t.Fatalf("claim: %v %v", cs, err)
		}
		d := cs[0].Delivery
		a.ID, a.EndpointID, a.EventID, a.EventType, a.Attempt, a.CreatedAt = orgs.NewID(orgs.PrefixWebhookAttempt), epID, ev.ID, ev.Type, i+1, at
		state := orgs.DeliveryPending
		if a.Outcome == "success" {
			state = orgs.DeliverySucceeded
		}
		if err := ws.FinishWebhookAttempt(ctx, d, orgs.WebhookDeliveryUpdate{State: state, Attempts: d.Attempts + 1, NextAttemptAt: at, UpdatedAt: at}, &a); err != nil {
			s.t.Fatal(err)
		}
	}
}
