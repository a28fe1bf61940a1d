package httpapi

import (
	"context"
	"encoding/base64"
	"maps"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
)

// TestInviteeRoutes: the invited user previews by token, lists what is
// addressed to them, and answers by ID — on both databases, with the
// refusals writing nothing and another organization's invitation never
// leading into this one.
func TestInviteeRoutes(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		ctx := context.Background()

		// Preview: anyone holding the token; never the token back; no write.
		before := e.rowCounts()
		for _, caller := range []string{outsider, member, rival} {
			var p orgs.InvitationPreview
			resp := e.call("POST", "/invitations/preview", caller, map[string]any{"token": f.token}).ok(200, &p)
			if p.InvitationID != f.invitationID || p.OrganizationSlug != f.slug || p.OrganizationName != "Org acme" ||
				p.Email != emailOf(outsider) || p.Role != orgs.RoleMember || p.Status != orgs.InvitationPending || p.InviterName != "Owner" {
				t.Fatalf("preview as %s: %+v", caller, p)
			}
			if strings.Contains(string(resp.Body), f.token) || strings.Contains(string(resp.Body), `"token"`) {
				t.Fatalf("the preview shows the token: %s", resp.Body)
			}
		}
		for name, body := range map[string]any{
			"unknown":   map[string]any{"token": base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
			"malformed": map[string]any{"token": "%%%"},
			"NUL":       map[string]any{"token": f.token[:5] + "\x00" + f.token[6:]},
			"SQL":       map[string]any{"token": "' OR 1=1 --"},
		} {
			t.Run("preview "+name, func(t *testing.T) {
				e.t = t
				e.call("POST", "/invitations/preview", outsider, body).problem(404, CodeNotFound)
			})
		}
		e.t = t
		e.call("POST", "/invitations/preview", outsider, map[string]any{}, badRequest()).invalid("token")
		e.call("POST", "/invitations/preview", outsider, map[string]any{"token": 42}, badRequest()).invalid("token")
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("previewing wrote: %v -> %v", before, after)
		}

		// An invitation to outsider from rival's organization too.
		rivalInv, err := e.svc.CreateInvitation(ctx, orgs.UserActor(rival), f.rivalSlug, orgs.InvitationInput{Email: emailOf(outsider), Role: orgs.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}

		// The list: outsider's two, across organizations; others none.
		var l orgs.List[orgs.InvitationPreview]
		e.call("GET", "/me/invitations", outsider, nil).ok(200, &l)
		if len(l.Data) != 2 || l.Data[0].InvitationID != f.invitationID || l.Data[1].InvitationID != rivalInv.ID ||
			l.Data[1].OrganizationSlug != f.rivalSlug || l.Data[1].Role != orgs.RoleAdmin || l.HasMore {
			t.Fatalf("my invitations: %+v", l)
		}
		e.call("GET", "/me/invitations?limit=1", outsider, nil).ok(200, &l)
		if len(l.Data) != 1 || !l.HasMore || l.NextCursor == "" {
			t.Fatalf("first page: %+v", l)
		}
		e.call("GET", "/me/invitations?limit=1&after="+url.QueryEscape(l.NextCursor), outsider, nil).ok(200, &l)
		if len(l.Data) != 1 || l.Data[0].InvitationID != rivalInv.ID || l.HasMore {
			t.Fatalf("second page: %+v", l)
		}
		e.call("GET", "/me/invitations", member, nil).ok(200, &l)
		if len(l.Data) != 0 {
			t.Fatalf("member's invitations: %+v", l)
		}
		e.call("GET", "/me/invitations?limit=0", outsider, nil, badRequest()).invalid("limit")
		e.call("GET", "/me/invitations?limit=abc", outsider, nil, badRequest()).invalid("limit")
		e.call("GET", "/me/invitations?after=%00", outsider, nil).invalid("after")
		e.call("GET", "/me/invitations?after=x&before=y", outsider, nil).invalid("before")

		// Answering by ID: not addressed to the caller, or not an ID —
		// not found, nothing written.
		before = e.rowCounts()
		for name, c := range map[string]struct{ caller, id string }{
			"another's":     {member, f.invitationID},
			"rival's owner": {rival, rivalInv.ID},
			"unknown":       {outsider, orgs.NewID(orgs.PrefixInvitation)},
			"malformed":     {outsider, "inv_nope"},
			"escaped":       {outsider, url.PathEscape("inv_' OR 1=1 --")},
			"NUL":           {outsider, "inv_%00"},
			"emoji":         {outsider, "inv_%F0%9F%92%A5"},
			"an org ID":     {outsider, f.orgID},
		} {
			t.Run("answer "+name, func(t *testing.T) {
				e.t = t
				e.call("POST", "/me/invitations/"+c.id+"/accept", c.caller, nil).problem(404, CodeNotFound)
				e.call("POST", "/me/invitations/"+c.id+"/decline", c.caller, nil).problem(404, CodeNotFound)
			})
		}
		e.t = t
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("refused, but written: %v -> %v", before, after)
		}

		// Accepting rival's invitation joins rival's organization only.
		var m orgs.Member
		e.call("POST", "/me/invitations/"+rivalInv.ID+"/accept", outsider, nil).ok(200, &m)
		if m.UserID != outsider || m.Role != orgs.RoleAdmin {
			t.Fatalf("joined %+v", m)
		}
		e.call("GET", "/organizations/"+f.rivalSlug+"/members/"+outsider, rival, nil).ok(200, nil)
		e.call("GET", "/organizations/"+f.slug, outsider, nil).problem(404, CodeNotFound)
		e.call("POST", "/me/invitations/"+rivalInv.ID+"/accept", outsider, nil).problem(409, CodeInvitationNotPending)
		e.call("POST", "/me/invitations/"+rivalInv.ID+"/decline", outsider, nil).problem(409, CodeInvitationNotPending)

		// Expired.
		e.clock.Advance(8 * 24 * time.Hour)
		before = e.rowCounts()
		e.call("POST", "/me/invitations/"+f.invitationID+"/accept", outsider, nil).problem(410, CodeInvitationExpired)
		e.call("POST", "/me/invitations/"+f.invitationID+"/decline", outsider, nil).problem(410, CodeInvitationExpired)
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("refused, but written: %v -> %v", before, after)
		}

		// Already a member: invited, then added directly.
		g := e.fixture("globex")
		inv, err := e.svc.CreateInvitation(ctx, orgs.UserActor(owner), g.slug, orgs.InvitationInput{Email: "late@example.com", Role: orgs.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.PutUser(ctx, orgs.User{ID: "late", Email: "late@example.com"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMember(ctx, orgs.UserActor(owner), g.slug, "late", orgs.RoleMember); err != nil {
			t.Fatal(err)
		}
		e.call("POST", "/me/invitations/"+inv.ID+"/accept", "late", nil).problem(409, CodeAlreadyMember)
		// Full: a Service with a member limit the organization has reached.
		full, err := orgs.New(e.store, orgs.WithClock(e.clock.Now), orgs.WithRole(guestRole), orgs.WithLimits(orgs.Limits{MembersPerOrganization: 2}))
		if err != nil {
			t.Fatal(err)
		}
		capped := newEnvOn(t, e, full)
		capped.call("POST", "/me/invitations/"+g.invitationID+"/accept", outsider, nil).problem(409, CodeLimitExceeded)
		// Declined: gone from the list.
		e.call("POST", "/me/invitations/"+g.invitationID+"/decline", outsider, nil).ok(204, nil)
		e.call("GET", "/me/invitations", outsider, nil).ok(200, &l)
		for _, p := range l.Data {
			if p.InvitationID == g.invitationID {
				t.Fatalf("a declined invitation is listed: %+v", l)
			}
		}
	})
}

// plainStore hides every optional capability of a store.
type plainStore struct{ orgs.Store }

// TestInviteeRoutesUnsupported: a Service whose store cannot list
// invitations by email answers 501 not_implemented on the routes that need
// it, and writes nothing; the preview still works.
func TestInviteeRoutesUnsupported(t *testing.T) {
	e := newEnv(t, openSQLite)
	f := e.fixture("acme")
	svc, err := orgs.New(plainStore{e.store}, orgs.WithClock(e.clock.Now), orgs.WithRole(guestRole))
	if err != nil {
		t.Fatal(err)
	}
	p := newEnvOn(t, e, svc)
	before := e.rowCounts()
	p.call("GET", "/me/invitations", outsider, nil).problem(501, CodeNotImplemented)
	p.call("POST", "/me/invitations/"+f.invitationID+"/accept", outsider, nil).problem(501, CodeNotImplemented)
	p.call("POST", "/me/invitations/"+f.invitationID+"/decline", outsider, nil).problem(501, CodeNotImplemented)
	if after := e.rowCounts(); !maps.Equal(before, after) {
		t.Fatalf("refused, but written: %v -> %v", before, after)
	}
	p.call("POST", "/invitations/preview", outsider, map[string]any{"token": f.token}).ok(200, nil)
	if strings.Contains(p.logs.String(), "internal error") {
		t.Errorf("a 501 was logged as an internal error: %s", p.logs.String())
	}
}
