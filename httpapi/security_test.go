package httpapi

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"testing"

	"github.com/tenantkit/orgs"
)

// TestPublicViewOverHTTP: what a non-member of a public organization sees
// is the public view, field by field, and the external-ID lookup finds
// nothing for them (issue 15, class 3).
func TestPublicViewOverHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		e.call("PATCH", "/organizations/acme", owner, map[string]any{
			"visibility": "public", "external_id": "crm-7", "contact_email": "legal@acme.example",
			"contact_phone": "+1 555 0100", "metadata": map[string]string{"plan": "gold"},
		}).ok(200, nil)

		var got map[string]json.RawMessage
		e.call("GET", "/organizations/acme", outsider, nil).ok(200, &got)
		want := []string{"id", "name", "slug", "handle", "description", "logo_url", "website", "industry",
			"visibility", "member_count", "team_count", "created_at", "updated_at", "categories", "pipelines"}
		if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, slices.Sorted(slices.Values(want))) {
			t.Fatalf("an outsider sees %v, want exactly %v", keys, want)
		}
		e.call("GET", "/organizations-by-external-id/crm-7", outsider, nil).problem(404, CodeNotFound)
		e.call("GET", "/organizations/acme/domains", outsider, nil).problem(403, CodeForbidden)

		// A member sees the whole record.
		var full orgs.OrganizationDetail
		e.call("GET", "/organizations/acme", member, nil).ok(200, &full)
		if full.ExternalID != "crm-7" || full.ContactEmail != "legal@acme.example" || len(full.Domains) != 1 || full.Metadata["plan"] != "gold" {
			t.Fatalf("a member sees %+v", full.Organization)
		}
		_ = f
	})
}

// TestConfusablesOverHTTP: a look-alike of an ASCII letter never acts as
// the ASCII original over HTTP — not in the accepting user's email, not in
// an organization's or a team's slug (issue 15, class 1).
func TestConfusablesOverHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		e.fixture("info")
		var inv orgs.Invitation
		e.call("POST", "/organizations/info/invitations", owner, map[string]any{"email": "kate@example.com", "role": "admin"}).ok(201, &inv)
		for _, c := range []string{"\u212A", "\uFF4B", "\u043A"} { // KELVIN SIGN, FULLWIDTH k, CYRILLIC ka
			impostor := "impostor-" + url.PathEscape(c)
			before := e.rowCounts()
			// The demo authenticator records the profile: a look-alike
			// address is refused, never folded into kate's.
			e.call("POST", "/invitations/accept", impostor, map[string]any{"token": inv.Token},
				withHeader(HeaderUserEmail, c+"ate@example.com")).invalid("X-User-Email")
			// Without a recorded email the accept cannot match kate's.
			e.call("POST", "/invitations/accept", impostor, map[string]any{"token": inv.Token}).problem(403, CodeEmailMismatch)
			e.call("POST", "/organizations/info/invitations", owner, map[string]any{"email": c + "ate@example.com", "role": "admin"}).invalid("email")
			if after := e.rowCounts(); !maps.Equal(before, after) {
				t.Fatalf("%q: refused calls wrote: %v → %v", c, before, after)
			}
		}
		e.call("POST", "/invitations/accept", "kate", map[string]any{"token": inv.Token},
			withHeader(HeaderUserEmail, "KATE@Example.com")).ok(200, nil)

		// Slugs: U+0130 and U+212A are not "i" and "k".
		e.call("GET", "/organizations/%C4%B0nfo", owner, nil).problem(404, CodeNotFound)
		e.call("GET", "/organizations/INFO", owner, nil).ok(200, nil) // ASCII case is the same slug
		e.call("POST", "/organizations", owner, map[string]any{"name": "Kelvin", "slug": "\u212Aelvin"}).invalid("slug")
		e.call("POST", "/organizations/info/teams", owner, map[string]any{"name": "Kelvin", "slug": "kelvin"}).ok(201, nil)
		e.call("GET", "/organizations/info/teams/%E2%84%AAelvin", owner, nil).problem(404, CodeNotFound)
		e.call("POST", "/organizations/info/teams", owner, map[string]any{"name": "Kelvin", "slug": "\u212Aelvin"}).invalid("slug")
	})
}

// TestInvitationRankOverHTTP: an admin can neither re-issue nor withdraw an
// owner's invitation (issue 15, class 2).
func TestInvitationRankOverHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db, orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1}))
		e.fixture("acme")
		var inv orgs.Invitation
		e.call("POST", "/organizations/acme/invitations", owner, map[string]any{"email": "boss@example.com", "role": "owner"}).ok(201, &inv)
		before := e.rowCounts()
		e.call("POST", "/organizations/acme/invitations/"+inv.ID+"/resend", admin, nil).problem(403, CodeForbidden)
		e.call("DELETE", "/organizations/acme/invitations/"+inv.ID, admin, nil).problem(403, CodeForbidden)
		e.call("POST", "/organizations/acme/invitations", admin, map[string]any{"email": "boss2@example.com", "role": "owner"}).problem(403, CodeForbidden)
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("refused calls wrote: %v → %v", before, after)
		}
		e.call("POST", "/organizations/acme/invitations/"+inv.ID+"/resend", owner, nil).ok(200, nil)
	})
}
