package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
)

// TestHomeInvitations: the home page lists the invitations addressed to
// the signed-in user, across organizations, and answers them there; no one
// else sees or answers them, and a refused answer writes nothing.
func TestHomeInvitations(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.org("alice", "acme", nil)
		e.org("carol", "globex", nil)
		e.user("bob")
		e.user("mallory")
		toAcme, err := e.svc.CreateInvitation(ctx, orgs.UserActor("alice"), "acme", orgs.InvitationInput{Email: "bob@example.com", Role: orgs.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		toGlobex, err := e.svc.CreateInvitation(ctx, orgs.UserActor("carol"), "globex", orgs.InvitationInput{Email: "bob@example.com", Role: orgs.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		bob, mallory := e.browser("bob"), e.browser("mallory")

		home := bob.get("/ui/")
		expect(t, home, http.StatusOK, "Your invitations", "Org acme", "Org globex", "invited by Alice", "invited by Carol",
			`action="/ui/invitations/`+toAcme.ID+`"`, `action="/ui/invitations/`+toGlobex.ID+`"`)
		if strings.Contains(home.body, toAcme.Token) {
			t.Fatal("the home page shows a token")
		}
		if r := mallory.get("/ui/"); strings.Contains(r.body, "Your invitations") || strings.Contains(r.body, toAcme.ID) {
			t.Fatalf("mallory sees bob's invitations:\n%s", excerpt(r.body))
		}

		// Someone else's, a bogus ID, a bogus answer: refused, nothing written.
		before := e.eventCount("alice", "acme")
		expect(t, mallory.post("/ui/invitations/"+toAcme.ID, url.Values{"answer": {"accept"}}), http.StatusNotFound)
		expect(t, bob.post("/ui/invitations/inv_nope", url.Values{"answer": {"accept"}}), http.StatusNotFound)
		expect(t, bob.post("/ui/invitations/"+toAcme.ID, url.Values{"answer": {"maybe"}}), http.StatusUnprocessableEntity, "accept or decline")
		if after := e.eventCount("alice", "acme"); after != before {
			t.Fatalf("refused, but written: %d -> %d events", before, after)
		}

		// Accept: to the organization, welcomed.
		r := bob.follow("/ui/invitations/"+toAcme.ID, url.Values{"answer": {"accept"}})
		expect(t, r, http.StatusOK, "Welcome to Org acme!")
		m, err := e.svc.GetMember(ctx, orgs.UserActor("alice"), "acme", "bob")
		if err != nil || m.Role != orgs.RoleAdmin {
			t.Fatalf("bob in acme: %+v, %v", m, err)
		}
		// Decline: back home, and the list is empty.
		r = bob.follow("/ui/invitations/"+toGlobex.ID, url.Values{"answer": {"decline"}})
		expect(t, r, http.StatusOK, "You declined the invitation.")
		if strings.Contains(r.body, "Your invitations") {
			t.Fatalf("answered invitations still listed:\n%s", excerpt(r.body))
		}
		// Answered already: said so on the home page.
		expect(t, bob.post("/ui/invitations/"+toAcme.ID, url.Values{"answer": {"decline"}}), http.StatusConflict)
	})
}
