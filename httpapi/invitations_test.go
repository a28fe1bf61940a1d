package httpapi

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
)

func TestInvitations(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug

		// Create: 201 with token and accept_url, once.
		var inv orgs.Invitation
		e.call("POST", base+"/invitations", admin, map[string]any{"email": "New.Person@Example.com", "role": "member", "expires_in_seconds": 7200}).ok(201, &inv)
		if inv.Email != "new.person@example.com" || inv.Status != orgs.InvitationPending || inv.Token == "" ||
			inv.AcceptURL != acceptBase+"?token="+url.QueryEscape(inv.Token) || inv.InvitedBy != admin || inv.InviterUsername != admin {
			t.Fatalf("created %+v", inv)
		}
		if d := inv.ExpiresAt.Sub(inv.CreatedAt); d != 2*time.Hour {
			t.Fatalf("expires in %v", d)
		}
		var got orgs.Invitation
		e.call("GET", base+"/invitations/"+inv.ID, admin, nil).ok(200, &got)
		if got.ID != inv.ID || got.Token != "" || got.AcceptURL != "" {
			t.Fatalf("got %+v", got)
		}
		e.call("GET", base+"/invitations/inv_nope", admin, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/invitations/"+inv.ID, member, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/invitations/"+inv.ID, outsider, nil).problem(404, CodeNotFound)

		// Conflicts and validation.
		e.call("POST", base+"/invitations", admin, map[string]any{"email": "NEW.PERSON@example.com", "role": "member"}).problem(409, CodeAlreadyInvited)
		e.call("POST", base+"/invitations", admin, map[string]any{"email": emailOf(member), "role": "member"}).problem(409, CodeAlreadyMember)
		e.call("POST", base+"/invitations", admin, map[string]any{"email": "x@example.com", "role": "owner"}).problem(403, CodeForbidden)
		e.call("POST", base+"/invitations", admin, map[string]any{"email": "x@example.com", "role": "member", "expires_in_seconds": 60}).invalid("expires_in_seconds")
		e.call("POST", base+"/invitations", admin, map[string]any{"email": "nope", "role": "king"}).invalid("email")

		// Resend: too soon, then a new token; the old one stops working.
		e.call("POST", base+"/invitations/"+inv.ID+"/resend", admin, nil).problem(429, CodeResendTooSoon)
		e.clock.Advance(2 * time.Minute)
		var resent orgs.Invitation
		e.call("POST", base+"/invitations/"+inv.ID+"/resend", admin, nil).ok(200, &resent)
		if resent.Token == "" || resent.Token == inv.Token || resent.ResendCount != 1 || !strings.Contains(resent.AcceptURL, url.QueryEscape(resent.Token)) {
			t.Fatalf("resent %+v", resent)
		}
		e.call("POST", base+"/invitations/inv_01ARZ3NDEKTSV4RRFFQ69G5FAV/resend", admin, nil).problem(404, CodeNotFound)

		// Accept: the invited email only; old token unknown.
		newUser := "newbie"
		hdr := withHeader(HeaderUserEmail, "new.person@example.com")
		e.call("POST", "/invitations/accept", newUser, map[string]any{"token": inv.Token}, hdr).problem(404, CodeNotFound)
		e.call("POST", "/invitations/accept", outsider, map[string]any{"token": resent.Token}).problem(403, CodeEmailMismatch)
		e.call("POST", "/invitations/decline", outsider, map[string]any{"token": resent.Token}).problem(403, CodeEmailMismatch)
		var joined orgs.Member
		e.call("POST", "/invitations/accept", newUser, map[string]any{"token": resent.Token}, hdr).ok(200, &joined)
		if joined.UserID != newUser || joined.Role != orgs.RoleMember || joined.Email != "new.person@example.com" || joined.Username != newUser {
			t.Fatalf("joined %+v", joined)
		}
		e.call("POST", "/invitations/accept", newUser, map[string]any{"token": resent.Token}).problem(409, CodeInvitationNotPending)
		e.call("POST", "/invitations/decline", newUser, map[string]any{"token": resent.Token}).problem(409, CodeInvitationNotPending)
		e.call("POST", base+"/invitations/"+inv.ID+"/resend", admin, nil).problem(409, CodeInvitationNotPending)
		e.call("GET", base+"/members/"+newUser, member, nil).ok(200, nil)

		// Accepting when already a member.
		var again orgs.Invitation
		e.call("POST", base+"/invitations", admin, map[string]any{"email": "later@example.com", "role": "member"}).ok(201, &again)
		if err := e.svc.PutUser(context.Background(), orgs.User{ID: "later", Email: "later@example.com"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMember(context.Background(), orgs.UserActor(owner), f.slug, "later", orgs.RoleMember); err != nil {
			t.Fatal(err)
		}
		e.call("POST", "/invitations/accept", "later", map[string]any{"token": again.Token}).problem(409, CodeAlreadyMember)

		// Decline.
		var declined orgs.Invitation
		e.call("POST", base+"/invitations", owner, map[string]any{"email": emailOf(rival), "role": "admin"}).ok(201, &declined)
		e.call("POST", "/invitations/decline", rival, map[string]any{"token": declined.Token}).ok(204, nil)
		e.call("POST", "/invitations/accept", rival, map[string]any{"token": declined.Token}).problem(409, CodeInvitationNotPending)
		e.call("POST", "/invitations/decline", rival, map[string]any{"token": "AAAA"}).problem(404, CodeNotFound)
		e.call("POST", "/invitations/decline", rival, map[string]any{}, badRequest()).invalid("token")

		// Revoke.
		e.call("DELETE", base+"/invitations/"+f.invitationID, member, nil).problem(403, CodeForbidden)
		e.call("DELETE", base+"/invitations/"+f.invitationID, admin, nil).ok(204, nil)
		e.call("DELETE", base+"/invitations/"+f.invitationID, admin, nil).problem(409, CodeInvitationNotPending)
		e.call("DELETE", base+"/invitations/inv_nope", admin, nil).problem(404, CodeNotFound)
		e.call("POST", "/invitations/accept", outsider, map[string]any{"token": f.token}).problem(409, CodeInvitationNotPending)

		// Expiry: 410 to accept and decline.
		var short orgs.Invitation
		e.call("POST", base+"/invitations", owner, map[string]any{"email": emailOf(outsider), "role": "member", "expires_in_seconds": 3600}).ok(201, &short)
		e.clock.Advance(61 * time.Minute)
		e.call("POST", "/invitations/accept", outsider, map[string]any{"token": short.Token}).problem(410, CodeInvitationExpired)
		e.call("POST", "/invitations/decline", outsider, map[string]any{"token": short.Token}).problem(410, CodeInvitationExpired)

		// List with status filter and paging.
		for i := range 12 {
			e.call("POST", base+"/invitations", owner, map[string]any{"email": fmt.Sprintf("bulk%02d@example.com", i), "role": "member"}).ok(201, nil)
		}
		all := walk(e, base+"/invitations", admin, 5, func(i orgs.Invitation) string { return i.ID })
		if len(all) != 17 || !slices.IsSorted(all) {
			t.Fatalf("invitations: %d", len(all))
		}
		statuses := map[string]int{}
		for _, s := range []string{"pending", "accepted", "revoked", "declined", "expired"} {
			var l orgs.List[orgs.Invitation]
			e.call("GET", base+"/invitations?limit=100&status="+s, admin, nil).ok(200, &l)
			for _, i := range l.Data {
				if string(i.Status) != s || i.Token != "" {
					t.Fatalf("status=%s listed %+v", s, i)
				}
			}
			statuses[s] = len(l.Data)
		}
		want := map[string]int{"pending": 13, "accepted": 1, "revoked": 1, "declined": 1, "expired": 1}
		if fmt.Sprint(statuses) != fmt.Sprint(want) {
			t.Fatalf("by status %v, want %v", statuses, want)
		}
		e.call("GET", base+"/invitations?status=lost", admin, nil, badRequest()).invalid("status")
		e.call("GET", base+"/invitations", member, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/invitations", outsider, nil).problem(404, CodeNotFound)
	})
}

func TestInvitationLimits(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db, orgs.WithLimits(orgs.Limits{PendingInvitationsPerOrganization: 2}))
		f := e.fixture("acme") // one pending invitation already
		base := "/organizations/" + f.slug
		e.call("POST", base+"/invitations", owner, map[string]any{"email": "a@example.com", "role": "member"}).ok(201, nil)
		e.call("POST", base+"/invitations", owner, map[string]any{"email": "b@example.com", "role": "member"}).problem(409, CodeLimitExceeded)

		// A second Service on the same store with a member limit the
		// organization has reached: accepting is refused.
		svc, err := orgs.New(e.store, orgs.WithLimits(orgs.Limits{MembersPerOrganization: 5}), orgs.WithClock(e.clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		full := newEnvOn(t, e, svc)
		full.call("POST", "/invitations/accept", outsider, map[string]any{"token": f.token}).problem(409, CodeLimitExceeded)
	})
}

func TestInvitationDeliveryFailure(t *testing.T) {
	failing := orgs.NotifierFunc(func(context.Context, orgs.InvitationNotice) error {
		return fmt.Errorf("smtp: dial tcp 10.0.0.25:25: connection refused")
	})
	e := newEnv(t, openSQLite, orgs.WithNotifier(failing))
	f := e.fixture("acme")
	var inv orgs.Invitation
	e.call("POST", "/organizations/"+f.slug+"/invitations", owner, map[string]any{"email": "x@example.com", "role": "member"}).ok(201, &inv)
	if inv.DeliveryError == "" || strings.Contains(inv.DeliveryError, "10.0.0.25") || inv.Token == "" {
		t.Fatalf("delivery error shown as %q", inv.DeliveryError)
	}
}
