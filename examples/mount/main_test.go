package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantkit/orgs/store/sqlite"
)

// TestMounted drives the API under both routers' prefixes.
func TestMounted(t *testing.T) {
	for _, tc := range []struct {
		name, prefix string
		router       func(http.Handler) http.Handler
	}{
		{"std", "/api/orgs", stdRouter},
		{"chi", "/orgs", chiRouter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := sqlite.Open(filepath.Join(t.TempDir(), "orgs.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			api, err := newAPI(st)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(tc.router(api))
			defer srv.Close()
			do := func(method, path, token, body string, want int) string {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != want {
					t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
				}
				return string(b)
			}
			do("GET", "/", "", "", 200)
			do("POST", tc.prefix+"/organizations", "alice-token", `{"name": "Acme"}`, 201)
			do("POST", tc.prefix+"/organizations", "", `{"name": "Acme"}`, 401)
			do("POST", tc.prefix+"/organizations", "alice-token", `{"name": "API", "slug": "api"}`, 422)
			if got := do("GET", tc.prefix+"/organizations/acme", "alice-token", "", 200); !strings.Contains(got, `"role":"owner"`) {
				t.Errorf("GET acme: %s", got)
			}
			do("GET", tc.prefix+"/organizations/acme", "bob-token", "", 404)
			var doc struct {
				Servers []struct{ URL string } `json:"servers"`
			}
			if err := json.Unmarshal([]byte(do("GET", tc.prefix+"/openapi.json", "", "", 200)), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Servers) != 1 || doc.Servers[0].URL != tc.prefix {
				t.Errorf("servers %+v, want %s", doc.Servers, tc.prefix)
			}
		})
	}
}
