package ui_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/tenantkit/orgs/ui"
)

// A host mounts the UI under a prefix of its own router, with its own
// authentication and sign-in page. The handler is an ordinary
// http.Handler: here it is called directly, without a server.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "ui-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(filepath.Join(dir, "orgs.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	svc, err := orgs.New(st)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.CreateOrganization(context.Background(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme Robotics", Slug: "acme"}); err != nil {
		log.Fatal(err)
	}

	// README:ui {
	h, err := ui.New(svc, ui.Options{
		// The host's authentication; here a fixed session cookie.
		Authenticate: func(r *http.Request) (string, error) {
			c, err := r.Cookie("session")
			if err != nil || c.Value != "s3cret" {
				return "", fmt.Errorf("no session")
			}
			return "alice", nil
		},
		SignInURL:   "/login",
		ProductName: "Acme Admin",
		Theme:       ui.Theme{Accent: "#7a1fa2", Font: "Inter, system-ui, sans-serif"},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/orgs/", http.StripPrefix("/orgs", h))
	// README:ui }

	req := httptest.NewRequest("GET", "/orgs/o/acme/members", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "s3cret"})
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))

	req = httptest.NewRequest("GET", "/orgs/o/acme/members", nil) // no session
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 200 text/html; charset=utf-8
	// 303 /login?return_to=%2Forgs%2Fo%2Facme%2Fmembers
}
