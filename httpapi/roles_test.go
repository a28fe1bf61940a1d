package httpapi

import (
	"maps"
	"testing"

	"github.com/tenantkit/orgs"
)

// TestRoles: an organization's own roles over HTTP, on both databases —
// defining, the refusals (each writing nothing), assigning, renaming,
// deleting with and without reassignment, and another organization's
// owner reaching none of it.
func TestRoles(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := f.base()

		var l orgs.List[orgs.OrganizationRole]
		e.call("GET", base+"/roles", member, nil).ok(200, &l)
		var names []orgs.Role
		for _, r := range l.Data {
			names = append(names, r.Name)
		}
		if want := []orgs.Role{orgs.RoleOwner, orgs.RoleAdmin, "editor", orgs.RoleMember, "guest"}; !equalRoles(names, want) {
			t.Fatalf("roles %v, want %v", names, want)
		}
		if l.Data[2].ID == "" || !l.Data[2].Custom || l.Data[0].Custom || l.Data[0].ID != "" {
			t.Fatalf("roles %+v", l.Data)
		}

		var r orgs.OrganizationRole
		e.call("POST", base+"/roles", owner, map[string]any{"name": "reviewer", "rank": 120,
			"permissions": []string{"members:read", "org:read"}}).ok(201, &r)
		if r.Name != "reviewer" || r.Rank != 120 || !r.Custom || len(r.Permissions) != 2 || r.Permissions[0] != orgs.PermOrgRead {
			t.Fatalf("created %+v", r)
		}

		// Refusals: nothing written.
		before := e.rowCounts()
		e.call("POST", base+"/roles", owner, map[string]any{"name": "reviewer", "rank": 10}).problem(409, CodeNameTaken)
		e.call("POST", base+"/roles", owner, map[string]any{"name": "admin", "rank": 10}).invalid("name")
		e.call("POST", base+"/roles", owner, map[string]any{"name": "Bad Name", "rank": 10}).invalid("name")
		e.call("POST", base+"/roles", owner, map[string]any{"name": "x", "rank": 300}).invalid("rank")
		e.call("POST", base+"/roles", owner, map[string]any{"name": "x", "rank": 0}).invalid("rank")
		e.call("POST", base+"/roles", owner, map[string]any{"name": "x", "rank": 5, "permissions": []string{"root"}}).invalid("permissions")
		e.call("POST", base+"/roles", owner, map[string]any{"name": "x", "rank": "high"}, badRequest()).invalid("rank")
		e.call("POST", base+"/roles", owner, map[string]any{"name": "x", "rank": 1e30}, badRequest()).invalid("rank")
		e.call("POST", base+"/roles", owner, map[string]any{"name": "x", "rank": 5, "permissions": "org:read"}, badRequest()).invalid("permissions")
		e.call("POST", base+"/roles", admin, map[string]any{"name": "x", "rank": 5}).problem(403, CodeForbidden)
		e.call("PATCH", base+"/roles/reviewer", owner, map[string]any{"name": "editor"}).problem(409, CodeNameTaken)
		e.call("PATCH", base+"/roles/reviewer", owner, map[string]any{"rank": -1}).invalid("rank")
		e.call("PATCH", base+"/roles/nobody", owner, map[string]any{"rank": 1}).problem(404, CodeNotFound)
		e.call("PATCH", base+"/roles/admin", owner, map[string]any{"rank": 1}).problem(404, CodeNotFound)
		e.call("PATCH", base+"/roles/%00", owner, map[string]any{"rank": 1}).problem(404, CodeNotFound)
		e.call("DELETE", base+"/roles/nobody", owner, nil).problem(404, CodeNotFound)
		e.call("DELETE", base+"/roles/reviewer?reassign_to=reviewer", owner, nil).invalid("reassign_to")
		e.call("DELETE", base+"/roles/reviewer?reassign_to=ghost", owner, nil).invalid("reassign_to")
		e.call("DELETE", base+"/roles/reviewer?reassign_to=%00", owner, nil).invalid("reassign_to")
		// Another organization's owner: not found, whatever they try.
		e.call("PATCH", base+"/roles/reviewer", rival, map[string]any{"rank": 1}).problem(404, CodeNotFound)
		e.call("DELETE", base+"/roles/reviewer", rival, nil).problem(404, CodeNotFound)
		e.call("PATCH", "/organizations/"+f.rivalSlug+"/roles/reviewer", rival, map[string]any{"rank": 1}).problem(404, CodeNotFound)
		e.call("DELETE", "/organizations/"+f.rivalSlug+"/roles/reviewer", rival, nil).problem(404, CodeNotFound)
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("refused, but written: %v -> %v", before, after)
		}
		// Nor can they assign it in theirs.
		e.call("POST", "/organizations/"+f.rivalSlug+"/invitations", rival, map[string]any{"email": "x@example.com", "role": "reviewer"}).invalid("role")

		// Assigned; then in use; then renamed, and its holder follows.
		var m orgs.Member
		e.call("PATCH", base+"/members/"+target, owner, map[string]any{"role": "reviewer"}).ok(200, &m)
		e.call("DELETE", base+"/roles/reviewer", owner, nil).problem(409, CodeRoleInUse)
		e.call("PATCH", base+"/roles/reviewer", owner, map[string]any{"name": "critic", "permissions": []string{}}).ok(200, &r)
		if r.Name != "critic" || len(r.Permissions) != 0 {
			t.Fatalf("updated %+v", r)
		}
		e.call("GET", base+"/members/"+target, owner, nil).ok(200, &m)
		if m.Role != "critic" {
			t.Fatalf("the holder has %q", m.Role)
		}
		e.call("GET", base+"/members", target, nil).problem(403, CodeForbidden) // no members:read now
		// Deleted with reassignment.
		e.call("DELETE", base+"/roles/critic?reassign_to=editor", owner, nil).ok(204, nil)
		e.call("GET", base+"/members/"+target, owner, nil).ok(200, &m)
		if m.Role != "editor" {
			t.Fatalf("reassigned to %q", m.Role)
		}
		e.call("GET", base+"/members", target, nil).ok(200, nil)

		// The limit.
		capped, err := orgs.New(e.store, orgs.WithClock(e.clock.Now), orgs.WithRole(guestRole), orgs.WithLimits(orgs.Limits{RolesPerOrganization: 1}))
		if err != nil {
			t.Fatal(err)
		}
		before = e.rowCounts()
		newEnvOn(t, e, capped).call("POST", base+"/roles", owner, map[string]any{"name": "extra", "rank": 5}).problem(409, CodeLimitExceeded)
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("refused, but written: %v -> %v", before, after)
		}
	})
}

func equalRoles(a, b []orgs.Role) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRolesUnsupported: on a store that cannot keep an organization's own
// roles the routes that define them answer 501, writing nothing; the list
// still answers the Service's roles.
func TestRolesUnsupported(t *testing.T) {
	e := newEnv(t, openSQLite)
	f := e.fixture("acme")
	svc, err := orgs.New(plainStore{e.store}, orgs.WithClock(e.clock.Now), orgs.WithRole(guestRole))
	if err != nil {
		t.Fatal(err)
	}
	p := newEnvOn(t, e, svc)
	before := e.rowCounts()
	p.call("POST", f.base()+"/roles", owner, map[string]any{"name": "x", "rank": 5}).problem(501, CodeNotImplemented)
	p.call("PATCH", f.base()+"/roles/editor", owner, map[string]any{"rank": 5}).problem(501, CodeNotImplemented)
	p.call("DELETE", f.base()+"/roles/editor", owner, nil).problem(501, CodeNotImplemented)
	if after := e.rowCounts(); !maps.Equal(before, after) {
		t.Fatalf("refused, but written: %v -> %v", before, after)
	}
	var l orgs.List[orgs.OrganizationRole]
	p.call("GET", f.base()+"/roles", member, nil).ok(200, &l)
	if len(l.Data) != 4 {
		t.Fatalf("roles %+v", l.Data)
	}
}
