package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/store/sqlite"
)

// fuzzRoutes are the routes FuzzRequestBody posts its bodies to, as the
// owner of organization "acme" (whose members are alice, the owner, and
// bob and carol). The routes were chosen for their bodies: every field
// type the API decodes (strings, integers, booleans, nullable fields,
// arrays of strings and of objects, maps), and the state they reach
// (creating, changing a member, accepting with a token).
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/organizations"},
	{"POST", "/organizations/acme/invitations"},
	{"PATCH", "/organizations/acme/members/carol"},
	{"POST", "/invitations/accept"},
	{"POST", "/organizations/acme/teams"},
	{"POST", "/organizations/acme/teams/core/members"},
	{"POST", "/organizations/acme/categories"},
	{"POST", "/organizations/acme/pipelines"},
	{"POST", "/organizations/acme/transfer-ownership"},
	{"PATCH", "/organizations/other"},
}

// FuzzRequestBody sends arbitrary bytes as the JSON body of the routes
// above, through the real Handler on a real SQLite store, and checks that
// the answer is never a server error, that every error is
// application/problem+json with the status and a code, and that every
// success is JSON. A route's index is taken modulo the number of routes.
//
//	go test ./httpapi -run '^$' -fuzz FuzzRequestBody -fuzztime 60s
//
// Seeds are added below and in testdata/fuzz/FuzzRequestBody.
func FuzzRequestBody(f *testing.F) {
	seeds := []string{
		`{"name": "Acme Two", "slug": "acme-two"}`,
		`{"name": "X", "metadata": {"a": "b"}, "domains": ["example.com"], "visibility": "public", "external_id": "e1"}`,
		`{"email": "dave@example.com", "role": "member"}`,
		`{"email": "dave@example.com", "role": "owner", "expires_in_seconds": 3600}`,
		`{"email": "dave@example.com", "role": "member", "expires_in_seconds": -1}`,
		`{"role": "admin"}`,
		`{"role": "owner"}`,
		`{"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`,
		`{"name": "Core", "slug": "core", "color": "#1f6feb"}`,
		`{"user_id": "bob", "role": "maintainer"}`,
		`{"name": "Finance", "position": 0}`,
		`{"name": "Hiring", "is_default": true, "stages": ["One", "Two"]}`,
		`{"user_id": "bob"}`,
		`{"name": "Renamed", "slug": "other-2", "metadata": null, "domains": null}`,
		``, `null`, `[]`, `"x"`, `1`, `{`, `{}`, `{}{}`, `{} x`, `{"name": 1}`, `{"name": null}`,
		`{"name": "a", "name": "b"}`, `{"NAME": "case"}`, `{"unknown": 1}`, `{"position": 1e400}`,
		`{"position": 9223372036854775808}`, `{"position": -1}`, `{"position": 1.5}`, `{"stages": [1]}`,
		`{"stages": [{"id": "x"}]}`, `{"metadata": {"k": 1}}`, `{"name": "\u0000"}`, `{"name": "\ud800"}`,
		`{"name": "` + strings.Repeat("a", 5000) + `"}`, `{"email": "a@b.c\u0000"}`, "{\"name\": \"\xff\xfe\"}",
		`{"is_default": "yes"}`, `{"visibility": ""}`, `{"token": null}`, `{"user_id": ""}`,
		`{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		req := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderUserID, "alice")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		got, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", r.method, r.path, body, res.StatusCode, got)
		}
		if res.StatusCode >= 400 {
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Fatalf("%s %s %q: %d with Content-Type %q", r.method, r.path, body, res.StatusCode, ct)
			}
			var p Problem
			if err := json.Unmarshal(got, &p); err != nil || p.Status != res.StatusCode || p.Code == "" {
				t.Fatalf("%s %s %q: %d with a bad problem: %s (%v)", r.method, r.path, body, res.StatusCode, got, err)
			}
			return
		}
		if res.StatusCode != http.StatusNoContent && !json.Valid(got) {
			t.Fatalf("%s %s %q: %d with a body that is not JSON: %q", r.method, r.path, body, res.StatusCode, got)
		}
	})
}

// fuzzHandler returns a Handler on a new SQLite store holding organization
// "acme" (owner alice; admin bob; member carol; team "core") and "other"
// (owner alice). Internal errors are logged to the test log.
func fuzzHandler(f *testing.F) http.Handler {
	f.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	svc, err := orgs.New(st, orgs.WithSeed(orgs.SeedWeb))
	if err != nil {
		f.Fatal(err)
	}
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		if err := svc.PutUser(ctx, orgs.User{ID: u, Email: u + "@example.com"}); err != nil {
			f.Fatal(err)
		}
	}
	must := func(_ any, err error) {
		f.Helper()
		if err != nil {
			f.Fatal(err)
		}
	}
	must(svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}))
	must(svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Other", Slug: "other"}))
	must(svc.AddMember(ctx, orgs.UserActor("alice"), "acme", "bob", orgs.RoleAdmin))
	must(svc.AddMember(ctx, orgs.UserActor("alice"), "acme", "carol", orgs.RoleMember))
	must(svc.CreateTeam(ctx, orgs.UserActor("alice"), "acme", orgs.TeamInput{Name: "Core", Slug: "core"}))
	h, err := New(svc, Options{
		Authenticate: DemoAuthenticator(svc),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxBodyBytes: 64 << 10,
	})
	if err != nil {
		f.Fatal(err)
	}
	return h
}
