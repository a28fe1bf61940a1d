package httpapi_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/httpapi"
	"github.com/tenantkit/orgs/store/sqlite"
)

// A host mounts the handler under a prefix of its own router and supplies
// its own authentication. The handler is an ordinary http.Handler: here it is
// called directly, without a server.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "httpapi-example")
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

	// README:mount {
	api, err := httpapi.New(svc, httpapi.Options{
		// The host's authentication; here a fixed session cookie.
		Authenticate: func(r *http.Request) (string, error) {
			c, err := r.Cookie("session")
			if err != nil || c.Value != "s3cret" {
				return "", fmt.Errorf("no session")
			}
			return "alice", nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/orgs/", http.StripPrefix("/api/orgs", api))
	// README:mount }

	req := httptest.NewRequest("POST", "/api/orgs/organizations", strings.NewReader(`{"name": "Acme Robotics"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "session", Value: "s3cret"})
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))

	req = httptest.NewRequest("GET", "/api/orgs/organizations/acme-robotics", nil) // no session
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output:
	// 201 application/json
	// 401 application/problem+json
}
