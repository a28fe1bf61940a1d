package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
)

// browser is a cookie-keeping client of the env's handler, as one user.
type browser struct {
	e       *env
	user    string
	cookies map[string]*http.Cookie
}

func (e *env) browser(user string) *browser {
	return &browser{e: e, user: user, cookies: map[string]*http.Cookie{}}
}

func (b *browser) send(req *http.Request) resp {
	b.e.t.Helper()
	for _, c := range b.cookies {
		if strings.HasPrefix(req.URL.Path, c.Path) {
			req.AddCookie(c)
		}
	}
	r := b.e.do(req, b.user)
	for _, c := range (&http.Response{Header: r.hdr}).Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return r
}

func (b *browser) get(path string) resp {
	return b.send(httptest.NewRequest("GET", path, nil))
}

func (b *browser) post(path string, form url.Values) resp {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.send(req)
}

// follow posts and follows the 303 redirect.
func (b *browser) follow(path string, form url.Values) resp {
	b.e.t.Helper()
	r := b.post(path, form)
	if r.code != http.StatusSeeOther {
		b.e.t.Fatalf("POST %s: %d, want 303\n%s", path, r.code, excerpt(r.body))
	}
	return b.get(r.hdr.Get("Location"))
}

var linkRe = regexp.MustCompile(`id="orgs-invite-link" type="text" readonly value="([^"]+)"`)

// TestInvitationFlow: invite, the link shown once, the token moved out of
// the URL at once, the preview, accepting; and every way an invitation can
// be unusable, each with its own page.
func TestInvitationFlow(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.org("alice", "acme", nil)
		e.user("bob")
		e.user("mallory")
		alice := e.browser("alice")

		r := alice.follow("/ui/o/acme/invitations", url.Values{"email": {"bob@example.com"}, "role": {"admin"}, "expires_in": {"72"}})
		m := linkRe.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no invitation link:\n%s", excerpt(r.body))
		}
		link := html.UnescapeString(m[1])
		if !strings.HasPrefix(link, "http://example.com/ui/accept?token=") {
			t.Fatalf("link %q", link)
		}
		if strings.Contains(alice.get("/ui/o/acme/invitations").body, link) {
			t.Error("the invitation link is shown twice")
		}
		expect(t, alice.get("/ui/o/acme/invitations"), 200, "bob@example.com", "Pending")

		// Bob opens the link: redirected at once to a token-free URL, the
		// token in an HttpOnly cookie scoped to /ui/accept.
		bob := e.browser("bob")
		u, _ := url.Parse(link)
		r = bob.get(u.RequestURI())
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/ui/accept" {
			t.Fatalf("open link: %d %q", r.code, r.hdr.Get("Location"))
		}
		c := bob.cookies["orgs_invitation"]
		if c == nil || !c.HttpOnly || c.Path != "/ui/accept" || c.MaxAge <= 0 || c.MaxAge > 3600 {
			t.Fatalf("token cookie %+v", c)
		}
		if r.hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("Referrer-Policy %q", r.hdr.Get("Referrer-Policy"))
		}
		r = bob.get("/ui/accept")
		expect(t, r, 200, "Alice invites you to join Org acme", "Admin", "Accept and join")
		if strings.Contains(r.body, u.Query().Get("token")) {
			t.Error("the accept page shows the token")
		}
		// Mallory, holding the link, is told it is not for her.
		mal := e.browser("mallory")
		mal.get(u.RequestURI())
		expect(t, mal.post("/ui/accept", url.Values{"answer": {"accept"}}), http.StatusForbidden, "This invitation is for someone else")

		// Bob accepts: into the organization, the cookie gone.
		r = bob.follow("/ui/accept", url.Values{"answer": {"accept"}})
		expect(t, r, 200, "Welcome to Org acme!")
		if _, ok := bob.cookies["orgs_invitation"]; ok {
			t.Error("the token cookie outlived the answer")
		}
		if mem, err := e.svc.GetMember(ctx, orgs.UserActor("alice"), "acme", "bob"); err != nil || mem.Role != orgs.RoleAdmin {
			t.Fatalf("bob: %+v %v", mem, err)
		}
		// The link again: already used.
		bob.get(u.RequestURI())
		expect(t, bob.get("/ui/accept"), http.StatusConflict, "This invitation was already used")

		// Revoked, declined, expired, unknown.
		newLink := func(email string) string {
			inv, err := e.svc.CreateInvitation(ctx, orgs.UserActor("alice"), "acme", orgs.InvitationInput{Email: email, Role: orgs.RoleMember})
			if err != nil {
				t.Fatal(err)
			}
			return "/ui/accept?token=" + url.QueryEscape(inv.Token)
		}
		e.user("carol")
		carol := e.browser("carol")
		l := newLink("carol@example.com")
		invs, _ := e.svc.ListInvitations(ctx, orgs.UserActor("alice"), "acme", orgs.InvitationQuery{Status: orgs.InvitationPending})
		alice.follow("/ui/o/acme/invitations/revoke", url.Values{"id": {invs.Data[len(invs.Data)-1].ID}})
		carol.get(l)
		expect(t, carol.get("/ui/accept"), http.StatusConflict, "This invitation was revoked")
		expect(t, carol.post("/ui/accept", url.Values{"answer": {"accept"}}), http.StatusConflict, "This invitation was revoked")

		e.user("dora")
		dora := e.browser("dora")
		dora.get(newLink("dora@example.com"))
		expect(t, dora.follow("/ui/accept", url.Values{"answer": {"decline"}}), 200, "You declined the invitation")
		if _, err := e.svc.GetMember(ctx, orgs.UserActor("alice"), "acme", "dora"); err == nil {
			t.Error("dora joined by declining")
		}

		past, err := orgs.New(e.st, orgs.WithClock(func() time.Time { return time.Now().Add(-10 * 24 * time.Hour) }))
		if err != nil {
			t.Fatal(err)
		}
		e.user("ed")
		inv, err := past.CreateInvitation(ctx, orgs.UserActor("alice"), "acme", orgs.InvitationInput{Email: "ed@example.com", Role: orgs.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		ed := e.browser("ed")
		ed.get("/ui/accept?token=" + inv.Token)
		expect(t, ed.get("/ui/accept"), http.StatusGone, "This invitation has expired")
		expect(t, ed.post("/ui/accept", url.Values{"answer": {"accept"}}), http.StatusGone, "This invitation has expired")

		nobody := e.browser("ed")
		nobody.get("/ui/accept?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		expect(t, nobody.get("/ui/accept"), http.StatusNotFound, "Invitation not found")
		expect(t, e.browser("ed").get("/ui/accept"), http.StatusNotFound, "No invitation to answer")

		// Signed out: the token still leaves the URL first, then sign-in,
		// coming back to the token-free page.
		anon := e.browser("")
		r = anon.get(newLink("fay@example.com"))
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/ui/accept" {
			t.Fatalf("signed-out link: %d %q", r.code, r.hdr.Get("Location"))
		}
		r = anon.get("/ui/accept")
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/login?return_to=%2Fui%2Faccept" {
			t.Fatalf("signed-out accept page: %d %q", r.code, r.hdr.Get("Location"))
		}
	})
}

// TestCreateAndManage walks the forms of each page once, checking they
// post, redirect and show their result.
func TestCreateAndManage(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		e.user("alice")
		e.user("bob")
		a := e.browser("alice")
		r := a.follow("/ui/organizations", url.Values{"name": {"Acme Robotics"}, "slug": {"acme"}})
		expect(t, r, 200, "Created Acme Robotics. You are its owner.")
		expect(t, a.post("/ui/organizations", url.Values{"name": {"Again"}, "slug": {"acme"}}), http.StatusConflict, "That slug is already in use")
		if _, err := e.svc.AddMember(context.Background(), orgs.UserActor("alice"), "acme", "bob", orgs.RoleMember); err != nil {
			t.Fatal(err)
		}
		expect(t, a.follow("/ui/o/acme/members/role?x", url.Values{"user_id": {"bob"}, "role": {"admin"}, "return": {"q=bo"}}), 200, "Bob is now Admin.", `value="bo"`)
		expect(t, a.follow("/ui/o/acme/settings", url.Values{"name": {"Acme"}, "description": {"Robots <b>"}, "visibility": {"public"}, "industry": {"Software"}}), 200, "Saved.", "Robots &lt;b&gt;")
		expect(t, a.follow("/ui/o/acme/settings/slug", url.Values{"slug": {"acme-2"}}), 200, "The slug is now acme-2.")
		expect(t, a.follow("/ui/o/acme-2/domains", url.Values{"domain": {"ok.acme.example"}}), 200, "Added ok.acme.example", "_orgs-challenge.ok.acme.example")
		ds, _ := e.svc.ListDomains(context.Background(), orgs.UserActor("alice"), "acme-2")
		expect(t, a.follow("/ui/o/acme-2/domains/verify", url.Values{"id": {ds[0].ID}}), 200, "ok.acme.example is verified.")
		expect(t, a.follow("/ui/o/acme-2/teams", url.Values{"name": {"Platform"}, "color": {"#3366cc"}}), 200, "Created the team Platform.")
		expect(t, a.follow("/ui/o/acme-2/teams/platform/members", url.Values{"user_id": {"bob"}, "role": {"maintainer"}}), 200, "Added Bob to the team.")
		expect(t, a.follow("/ui/o/acme-2/categories", url.Values{"name": {"Robotics"}}), 200, "Added Robotics.")
		r = a.follow("/ui/o/acme-2/pipelines", url.Values{"name": {"Interns"}, "stages": {"Apply\nChat\nOffer"}})
		expect(t, r, 200, "Created the pipeline Interns.", "Chat")
		ps, _ := e.svc.ListPipelines(context.Background(), orgs.UserActor("alice"), "acme-2")
		var p orgs.Pipeline
		for _, x := range ps {
			if x.Name == "Interns" {
				p = x
			}
		}
		base := "/ui/o/acme-2/pipelines/" + p.ID
		a.follow(base+"/stages", url.Values{"stage_name": {"Start"}})
		a.follow(base+"/stages/move", url.Values{"stage_id": {p.Stages[2].ID}, "direction": {"up"}})
		a.follow(base+"/stages/rename", url.Values{"stage_id": {p.Stages[0].ID}, "stage_name": {"Applied"}})
		a.follow(base+"/stages/remove", url.Values{"stage_id": {p.Stages[1].ID}})
		got, _ := e.svc.GetPipeline(context.Background(), orgs.UserActor("alice"), "acme-2", p.ID)
		var names []string
		for _, s := range got.Stages {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != "Applied,Offer,Start" {
			t.Errorf("stages: %v", names)
		}
		r = a.get("/ui/o/acme-2/events?type=pipeline.updated")
		expect(t, r, 200, "pipeline.updated")
		r = a.follow("/ui/o/acme-2/settings/delete", url.Values{"confirm": {"acme-2"}})
		expect(t, r, 200, "Deleted Acme.")
	})
}

// TestMembersPaginationAt100k pages through an organization of 100,000
// members by cursor links: first page, a deep page, and back.
func TestMembersPaginationAt100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 members: skipped in -short mode")
	}
	backends(t, func(t *testing.T, e *env) {
		o := e.org("alice", "big", nil)
		ctx := context.Background()
		db := e.st.DB()
		const n, batch = 100_000, 1000
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for start := 0; start < n; start += batch {
			var users, members strings.Builder
			var ua, ma []any
			for i := start; i < start+batch; i++ {
				id := fmt.Sprintf("u%06d", i)
				if i > start {
					users.WriteString(", ")
					members.WriteString(", ")
				}
				users.WriteString("(?, ?, ?, ?, ?)")
				members.WriteString("(?, ?, ?, ?)")
				ua = append(ua, id, id, id+"@example.com", "User "+id, "")
				ma = append(ma, o.ID, id, "member", now)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO users (id, username, email, name, avatar_url) VALUES "+users.String(), ua...); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO members (organization_id, user_id, role, joined_at) VALUES "+members.String(), ma...); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE organizations SET member_count = member_count + ? WHERE id = ?", n, o.ID); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}

		nextRe := regexp.MustCompile(`href="([^"]+)" rel="next"`)
		prevRe := regexp.MustCompile(`href="([^"]+)" rel="prev"`)
		r := e.get("alice", "/ui/o/big/members")
		expect(t, r, 200, "100001", "u000000", "u000023")
		if prevRe.MatchString(r.body) {
			t.Error("the first page links to a previous one")
		}
		// Five pages on by the Next links.
		for range 5 {
			m := nextRe.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("no next link:\n%s", excerpt(r.body))
			}
			r = e.get("alice", html.UnescapeString(m[1]))
			expect(t, r, 200)
		}
		expect(t, r, 200, "u000124", "u000148")
		// A deep page by its cursor, then back by the Previous link.
		r = e.get("alice", "/ui/o/big/members?limit=100&after="+orgs.EncodeCursor("u089999"))
		expect(t, r, 200, "u090000", "u090099")
		m := prevRe.FindStringSubmatch(r.body)
		if m == nil || !strings.Contains(m[1], "limit=100") {
			t.Fatalf("previous link %v", m)
		}
		expect(t, e.get("alice", html.UnescapeString(m[1])), 200, "u089900", "u089999")
		// Search and role filter, with their values kept in the links.
		r = e.get("alice", "/ui/o/big/members?q=User+u0999&role=member")
		expect(t, r, 200, "u099900", `value="User u0999"`)
		if m := nextRe.FindStringSubmatch(r.body); m == nil || !strings.Contains(html.UnescapeString(m[1]), "q=User+u0999") || !strings.Contains(m[1], "role=member") {
			t.Fatalf("filtered next link %v", m)
		}
	})
}
