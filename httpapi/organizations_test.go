package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
)

func TestOrganizations(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db, orgs.WithLimits(orgs.Limits{OrganizationsPerUser: 30}))
		f := e.fixture("acme")

		// Create: 201 with the caller as owner; defaults seeded.
		var org orgs.Organization
		e.call("POST", "/organizations", "alice", map[string]any{
			"name": "Globex Corp", "description": "Widgets", "visibility": "public",
			"domains": []string{"Globex.com"}, "external_id": "crm-42", "metadata": map[string]string{"tier": "gold"},
			"industry": "Software", "handle": "globex",
		}).ok(201, &org)
		if org.Slug != "globex-corp" || org.Role != orgs.RoleOwner || org.MemberCount != 1 ||
			!slices.Equal(org.Domains, []string{"globex.com"}) || org.Metadata["tier"] != "gold" || !strings.HasPrefix(org.ID, "org_") {
			t.Fatalf("created %+v", org)
		}
		var detail orgs.OrganizationDetail
		e.call("GET", "/organizations/globex-corp", "alice", nil).ok(200, &detail)
		if len(detail.Categories) != 35 || len(detail.Pipelines) != 1 || len(detail.Pipelines[0].Stages) != 5 || detail.Role != orgs.RoleOwner {
			t.Fatalf("detail: %d categories, %+v", len(detail.Categories), detail.Pipelines)
		}
		// Slug case-insensitive.
		e.call("GET", "/organizations/GLOBEX-CORP", "alice", nil).ok(200, nil)

		// Conflicts.
		e.call("POST", "/organizations", "bob", map[string]any{"name": "Other", "slug": "globex-corp"}).problem(409, CodeSlugTaken)
		e.call("POST", "/organizations", "bob", map[string]any{"name": "Other", "handle": "globex"}).problem(409, CodeHandleTaken)
		e.call("POST", "/organizations", "bob", map[string]any{"name": "Other", "external_id": "crm-42"}).problem(409, CodeExternalIDTaken)
		e.call("POST", "/organizations", "bob", map[string]any{"name": "x", "slug": "no"}).invalid("slug")
		e.call("POST", "/organizations", "", map[string]any{"name": "Nobody"}).problem(401, CodeUnauthenticated)

		// Public organization: others read it (role ""), cannot see its members.
		var pub orgs.OrganizationDetail
		e.call("GET", "/organizations/globex-corp", "bob", nil).ok(200, &pub)
		if pub.Role != "" {
			t.Fatalf("role of a non-member: %q", pub.Role)
		}
		e.call("GET", "/organizations/globex-corp/members", "bob", nil).problem(403, CodeForbidden)
		// Private organization: 404 exactly as an unknown one.
		hidden := e.call("GET", "/organizations/acme", "bob", nil).problem(404, CodeNotFound)
		unknown := e.call("GET", "/organizations/nope-nope", "bob", nil).problem(404, CodeNotFound)
		if hidden.Detail != unknown.Detail {
			t.Errorf("a private organization's 404 differs from an unknown one's: %q vs %q", hidden.Detail, unknown.Detail)
		}
		e.call("GET", "/organizations/acme", guest, nil).problem(403, CodeForbidden)

		// By external ID.
		var byExt orgs.Organization
		e.call("GET", "/organizations-by-external-id/crm-42", "alice", nil).ok(200, &byExt)
		if byExt.ID != org.ID {
			t.Fatalf("by external id: %s", byExt.ID)
		}
		e.call("GET", "/organizations-by-external-id/crm-43", "alice", nil).problem(404, CodeNotFound)
		e.call("GET", "/organizations-by-external-id/crm-42", "", nil).problem(401, CodeUnauthenticated)
		if _, err := e.svc.UpdateOrganization(context.Background(), orgs.UserActor(owner), "acme", orgs.UpdateOrganizationInput{ExternalID: ptr("acme-ext")}); err != nil {
			t.Fatal(err)
		}
		e.call("GET", "/organizations-by-external-id/acme-ext", "bob", nil).problem(404, CodeNotFound)
		e.call("GET", "/organizations-by-external-id/acme-ext", guest, nil).problem(403, CodeForbidden)

		// Update.
		var upd orgs.Organization
		e.call("PATCH", "/organizations/globex-corp", "alice", map[string]any{"name": "Globex", "slug": "globex", "description": ""}).ok(200, &upd)
		if upd.Name != "Globex" || upd.Slug != "globex" || upd.Description != "" || upd.Website != "" || upd.Handle != "globex" {
			t.Fatalf("updated %+v", upd)
		}
		e.call("PATCH", "/organizations/globex", "alice", map[string]any{"slug": "acme"}).problem(409, CodeSlugTaken)
		e.call("PATCH", "/organizations/globex", "alice", map[string]any{"external_id": "acme-ext"}).problem(409, CodeExternalIDTaken)
		e.call("PATCH", "/organizations/acme", owner, map[string]any{"handle": "globex"}).problem(409, CodeHandleTaken)
		e.call("PATCH", "/organizations/globex", "alice", map[string]any{"visibility": "secret"}, badRequest()).invalid("visibility")
		e.call("PATCH", "/organizations/globex", "bob", map[string]any{"name": "Mine"}).problem(403, CodeForbidden) // public: visible, not editable
		e.call("PATCH", "/organizations/acme", "bob", map[string]any{"name": "Mine"}).problem(404, CodeNotFound)

		// List: the caller's organizations, with filters.
		for i := range 25 {
			e.call("POST", "/organizations", "carol", map[string]any{"name": fmt.Sprintf("Carol %02d", i),
				"domains": []string{fmt.Sprintf("d%d.example.org", i%3)}}).ok(201, nil)
		}
		all := walk(e, "/organizations", "carol", 7, func(o orgs.Organization) string { return o.Slug })
		if len(all) != 25 || !slices.IsSorted(all) {
			t.Fatalf("carol's organizations: %v", all)
		}
		byDomain := walk(e, "/organizations?domain=D1.example.org", "carol", 3, func(o orgs.Organization) string { return o.Slug })
		if len(byDomain) != 8 {
			t.Fatalf("by domain: %v", byDomain)
		}
		var search orgs.List[orgs.Organization]
		e.call("GET", "/organizations?q=carol+1", "carol", nil).ok(200, &search)
		if len(search.Data) != 10 {
			t.Fatalf("search: %d", len(search.Data))
		}
		var none orgs.List[orgs.Organization]
		e.call("GET", "/organizations", "nobody", nil).ok(200, &none)
		if len(none.Data) != 0 || none.HasMore || none.NextCursor != "" {
			t.Fatalf("empty list: %+v", none)
		}
		e.call("GET", "/organizations?limit=0", "carol", nil, badRequest()).invalid("limit")
		e.call("GET", "/organizations?domain=nope", "carol", nil).invalid("domain")
		e.call("GET", "/organizations", "", nil).problem(401, CodeUnauthenticated)

		// Limit: 30 organizations per user.
		for i := 25; i < 30; i++ {
			e.call("POST", "/organizations", "carol", map[string]any{"name": fmt.Sprintf("Carol %02d", i)}).ok(201, nil)
		}
		e.call("POST", "/organizations", "carol", map[string]any{"name": "One too many"}).problem(409, CodeLimitExceeded)

		// Delete.
		e.call("DELETE", "/organizations/acme", admin, nil).problem(403, CodeForbidden)
		e.call("DELETE", "/organizations/acme", "bob", nil).problem(404, CodeNotFound)
		e.call("DELETE", "/organizations/globex", "bob", nil).problem(403, CodeForbidden)
		e.call("DELETE", "/organizations/acme", owner, nil).ok(204, nil)
		e.call("GET", "/organizations/acme", owner, nil).problem(404, CodeNotFound)
		e.call("DELETE", "/organizations/acme", owner, nil).problem(404, CodeNotFound)
		_ = f
	})
}

func TestIndustries(t *testing.T) {
	e := newEnv(t, openSQLite)
	var l orgs.List[string]
	e.call("GET", "/industries", "alice", nil).ok(200, &l)
	if !slices.Equal(l.Data, orgs.DefaultIndustries) || l.HasMore || l.NextCursor != "" {
		t.Fatalf("industries: %+v", l)
	}
	e.call("GET", "/industries", "", nil).problem(401, CodeUnauthenticated)
}

func TestRouterAnswersProblems(t *testing.T) {
	e := newEnv(t, openSQLite)
	e.call("GET", "/nope", "alice", nil).problem(404, CodeNotFound)
	e.call("GET", "/organizations/acme/nope", "alice", nil).problem(404, CodeNotFound)
	r := e.call("PUT", "/organizations/acme", "alice", map[string]any{})
	r.problem(405, CodeMethodNotAllowed)
	if got := r.Header.Get("Allow"); got != "GET, HEAD, PATCH, DELETE" {
		t.Errorf("Allow: %q", got)
	}
	r = e.call("DELETE", "/organizations", "alice", nil)
	r.problem(405, CodeMethodNotAllowed)
	if got := r.Header.Get("Allow"); got != "GET, HEAD, POST" {
		t.Errorf("Allow: %q", got)
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	head := e.call("HEAD", "/industries", "alice", nil)
	if head.Status != http.StatusOK || len(head.Body) != 0 {
		t.Errorf("HEAD: %d %q", head.Status, head.Body)
	}
}

func ptr[T any](v T) *T { return &v }
