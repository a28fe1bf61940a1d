package httpapi

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tenantkit/orgs"
)

func TestMembers(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		ctx := context.Background()
		base := "/organizations/" + f.slug

		// List, filter, search, page.
		for i := range 30 {
			u := fmt.Sprintf("user%02d", i)
			if err := e.svc.PutUser(ctx, orgs.User{ID: u, Username: u, Email: u + "@corp.test", Name: fmt.Sprintf("Person %d", i)}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.AddMember(ctx, orgs.UserActor(owner), f.slug, u, orgs.RoleMember); err != nil {
				t.Fatal(err)
			}
		}
		ids := walk(e, base+"/members", member, 8, func(m orgs.Member) string { return m.UserID })
		if len(ids) != 35 || !slices.IsSorted(ids) {
			t.Fatalf("members: %d %v", len(ids), ids)
		}
		admins := walk(e, base+"/members?role=admin", member, 5, func(m orgs.Member) string { return m.UserID })
		if !slices.Equal(admins, []string{admin}) {
			t.Fatalf("admins: %v", admins)
		}
		var found orgs.List[orgs.Member]
		e.call("GET", base+"/members?search=USER02%40corp", member, nil).ok(200, &found)
		if len(found.Data) != 1 || found.Data[0].UserID != "user02" || found.Data[0].Email != "user02@corp.test" || found.Data[0].Name != "Person 2" {
			t.Fatalf("search: %+v", found.Data)
		}
		e.call("GET", base+"/members?role=emperor", member, nil).invalid("role")
		e.call("GET", base+"/members", outsider, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/members", guest, nil).problem(403, CodeForbidden)

		// One member.
		var m orgs.Member
		e.call("GET", base+"/members/"+admin, member, nil).ok(200, &m)
		if m.UserID != admin || m.Role != orgs.RoleAdmin || m.Username != admin || m.Email != emailOf(admin) || m.JoinedAt.IsZero() {
			t.Fatalf("member: %+v", m)
		}
		e.call("GET", base+"/members/nobody", member, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/members/"+admin, guest, nil).problem(403, CodeForbidden)

		// Change role.
		e.call("PATCH", base+"/members/user00", admin, map[string]any{"role": "admin"}).ok(200, &m)
		if m.Role != orgs.RoleAdmin {
			t.Fatalf("role: %s", m.Role)
		}
		e.call("PATCH", base+"/members/user00", admin, map[string]any{"role": "member"}).problem(403, CodeForbidden) // admin on admin
		e.call("PATCH", base+"/members/user01", admin, map[string]any{"role": "owner"}).problem(403, CodeForbidden)  // grants above itself
		e.call("PATCH", base+"/members/"+owner, owner, map[string]any{"role": "admin"}).problem(409, CodeLastOwner)
		e.call("PATCH", base+"/members/user01", owner, map[string]any{"role": "superuser"}).invalid("role")
		e.call("PATCH", base+"/members/nobody", owner, map[string]any{"role": "member"}).problem(404, CodeNotFound)

		// Remove.
		e.call("DELETE", base+"/members/user01", admin, nil).ok(204, nil)
		e.call("DELETE", base+"/members/user01", admin, nil).problem(404, CodeNotFound)
		e.call("DELETE", base+"/members/"+owner, owner, nil).problem(409, CodeLastOwner) // oneself: leaving
		e.call("DELETE", base+"/members/"+owner, admin, nil).problem(403, CodeForbidden)

		// Leave.
		e.call("POST", base+"/leave", "user02", nil).ok(204, nil)
		e.call("POST", base+"/leave", "user02", nil).problem(404, CodeNotFound)
		e.call("POST", base+"/leave", owner, nil).problem(409, CodeLastOwner)
		e.call("POST", base+"/leave", guest, nil).problem(403, CodeForbidden)
		// A non-member of a public organization sees it but is not a member.
		e.call("PATCH", base, owner, map[string]any{"visibility": "public"}).ok(200, nil)
		e.call("POST", base+"/leave", outsider, nil).problem(409, CodeNotMember)
		e.call("DELETE", base+"/members/"+outsider, outsider, nil).problem(409, CodeNotMember)

		// Transfer ownership: target becomes owner, the caller admin.
		e.call("POST", base+"/transfer-ownership", owner, map[string]any{"user_id": outsider}).problem(409, CodeNotMember)
		e.call("POST", base+"/transfer-ownership", owner, map[string]any{"user_id": owner}).invalid("user_id")
		e.call("POST", base+"/transfer-ownership", admin, map[string]any{"user_id": target}).problem(403, CodeForbidden)
		e.call("POST", base+"/transfer-ownership", owner, map[string]any{"user_id": target}).ok(204, nil)
		e.call("GET", base+"/members/"+target, member, nil).ok(200, &m)
		if m.Role != orgs.RoleOwner {
			t.Fatalf("new owner: %s", m.Role)
		}
		e.call("GET", base+"/members/"+owner, member, nil).ok(200, &m)
		if m.Role != orgs.RoleAdmin {
			t.Fatalf("old owner: %s", m.Role)
		}
		// Now the old owner, an admin, can leave; the new one cannot.
		e.call("POST", base+"/leave", owner, nil).ok(204, nil)
		e.call("POST", base+"/leave", target, nil).problem(409, CodeLastOwner)
		e.call("GET", base+"/members", "", nil).problem(401, CodeUnauthenticated)
	})
}
