package httpapi_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/httpapi"
	"github.com/tenantkit/orgs/store/sqlite"
)

// A host guards its own routes with organization roles: the guard takes
// the organization from the path, authorizes the caller for the route's
// permission, and hands the membership to the handler — three lines.
func ExampleGuard() {
	dir, _ := os.MkdirTemp("", "guard-example")
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(filepath.Join(dir, "orgs.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	svc, err := orgs.New(st, orgs.WithPermissions("jobs:publish"), orgs.WithGrant(orgs.RoleAdmin, "jobs:publish"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}); err != nil {
		log.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, orgs.UserActor("alice"), "acme", "bob", orgs.RoleMember); err != nil {
		log.Fatal(err)
	}

	guard, err := httpapi.NewGuard(svc, httpapi.GuardOptions{
		Authenticate: func(r *http.Request) (string, error) { return r.Header.Get("X-Session-User"), nil }, // the host's own
	})
	if err != nil {
		log.Fatal(err)
	}
	// README:guard {
	mux := http.NewServeMux()
	mux.Handle("POST /orgs/{slug}/jobs", guard.Require("jobs:publish", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := httpapi.MembershipFrom(r.Context())
		fmt.Fprintf(w, "job published in %s by %s (%s)", m.OrganizationSlug, m.UserID, m.Role)
	})))
	// README:guard }

	for _, user := range []string{"alice", "bob", "mallory"} {
		req := httptest.NewRequest("POST", "/orgs/acme/jobs", nil)
		req.Header.Set("X-Session-User", user)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			fmt.Println(rec.Code, rec.Body)
		} else {
			fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	// Output:
	// 200 job published in acme by alice (owner)
	// 403 application/problem+json
	// 404 application/problem+json
}
