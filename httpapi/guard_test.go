package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
)

// TestGuard: a host route behind Guard.Require answers its handler only
// for a member whose role holds the permission — in that organization, not
// another — with the membership in the context; every refusal is a
// problem, and the handler never runs for one.
func TestGuard(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db, orgs.WithPermissions("jobs:publish"), orgs.WithGrant(orgs.RoleAdmin, "jobs:publish"))
		f := e.fixture("acme")
		ran := 0
		guard, err := NewGuard(e.svc, GuardOptions{Authenticate: DemoAuthenticator(e.svc), PathValue: "org", Logger: newTestLogger(e.logs)})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle("POST /host/orgs/{org}/jobs", guard.Require("jobs:publish", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ran++
			_ = json.NewEncoder(w).Encode(MembershipFrom(r.Context()))
		})))
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		call := func(caller, org string) (int, []byte, http.Header) {
			t.Helper()
			req, _ := http.NewRequest("POST", srv.URL+"/host/orgs/"+org+"/jobs", strings.NewReader("{}"))
			if caller != "" {
				req.Header.Set(HeaderUserID, caller)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b, resp.Header
		}
		for _, c := range []struct {
			caller, org string
			status      int
			code        string
		}{
			{owner, "acme", 200, ""},
			{admin, "acme", 200, ""},
			{admin, f.orgID, 200, ""},
			{member, "acme", 403, CodeForbidden},
			{guest, "acme", 403, CodeForbidden},
			{outsider, "acme", 404, CodeNotFound},
			{rival, "acme", 404, CodeNotFound},
			{owner, f.rivalSlug, 404, CodeNotFound},
			{owner, "no-such-org", 404, CodeNotFound},
			{owner, "%00", 404, CodeNotFound},
			{"", "acme", 401, CodeUnauthenticated},
			{strings.Repeat("u", 300), "acme", 401, CodeUnauthenticated},
		} {
			before := ran
			status, body, hdr := call(c.caller, c.org)
			if status != c.status {
				t.Fatalf("%s in %s: %d, want %d: %s", c.caller, c.org, status, c.status, body)
			}
			if c.status == 200 {
				var m orgs.Membership
				if err := json.Unmarshal(body, &m); err != nil || m.OrganizationID != f.orgID || m.UserID != c.caller || !m.Can("jobs:publish") {
					t.Fatalf("membership %s (%v)", body, err)
				}
				continue
			}
			if ran != before {
				t.Fatalf("%s in %s: refused, but the handler ran", c.caller, c.org)
			}
			var p Problem
			if err := json.Unmarshal(body, &p); err != nil || p.Code != c.code || p.Status != c.status ||
				hdr.Get("Content-Type") != "application/problem+json" || p.RequestID == "" || p.RequestID != hdr.Get("X-Request-Id") {
				t.Fatalf("%s in %s: problem %s (%v)", c.caller, c.org, body, err)
			}
		}
		if MembershipFrom(t.Context()) != nil {
			t.Fatal("a membership outside a guarded route")
		}

		// An internal error is hidden, and logged with the request ID.
		{
			closed := newEnv(t, db)
			g, _ := NewGuard(closed.svc, GuardOptions{Authenticate: DemoAuthenticator(closed.svc), Logger: newTestLogger(closed.logs)})
			h := g.Require(orgs.PermOrgRead, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("ran") }))
			_ = closed.store.Close()
			req := httptest.NewRequest("GET", "/x", nil)
			req.SetPathValue("slug", "acme")
			req.Header.Set(HeaderUserID, owner)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 500 || strings.Contains(rec.Body.String(), "closed") || !strings.Contains(closed.logs.String(), rec.Header().Get("X-Request-Id")) {
				t.Fatalf("closed store: %d %s; logs %s", rec.Code, rec.Body, closed.logs)
			}
		}
	})
}

// TestGuardSetup: NewGuard's required options, and Require's panic for a
// permission the Service does not know.
func TestGuardSetup(t *testing.T) {
	e := newEnv(t, openSQLite)
	if _, err := NewGuard(nil, GuardOptions{Authenticate: DemoAuthenticator(e.svc)}); err == nil {
		t.Error("NewGuard without a Service")
	}
	if _, err := NewGuard(e.svc, GuardOptions{}); err == nil {
		t.Error("NewGuard without Authenticate")
	}
	g, err := NewGuard(e.svc, GuardOptions{Authenticate: DemoAuthenticator(e.svc)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Require of an unregistered permission did not panic")
		}
	}()
	g.Require("jobs:publsh", http.NotFoundHandler())
}
