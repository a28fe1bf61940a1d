package httpapi

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
)

// sample is a valid request to one route, on a fixture.
type sample struct {
	path string
	body any // nil: no body
}

// samples has a valid request for every route; TestSamplesCoverRoutes keeps
// it complete, so the generic tests below reach every route.
var samples = map[string]func(f *fixture) sample{
	"GET /openapi.json": func(f *fixture) sample { return sample{path: "/openapi.json"} },
	"GET /industries":   func(f *fixture) sample { return sample{path: "/industries"} },

	"GET /organizations":  func(f *fixture) sample { return sample{path: "/organizations"} },
	"POST /organizations": func(f *fixture) sample { return sample{"/organizations", map[string]any{"name": "New " + f.slug}} },
	"GET /organizations/{slug}": func(f *fixture) sample {
		return sample{path: "/organizations/" + f.slug}
	},
	"PATCH /organizations/{slug}": func(f *fixture) sample {
		return sample{"/organizations/" + f.slug, map[string]any{"description": "changed"}}
	},
	"DELETE /organizations/{slug}": func(f *fixture) sample { return sample{path: "/organizations/" + f.slug} },
	"GET /organizations-by-external-id/{external_id}": func(f *fixture) sample {
		return sample{path: "/organizations-by-external-id/ext-" + f.slug}
	},

	"GET /organizations/{slug}/members": func(f *fixture) sample { return sample{path: f.base() + "/members"} },
	"GET /organizations/{slug}/members/{user_id}": func(f *fixture) sample {
		return sample{path: f.base() + "/members/" + target}
	},
	"PATCH /organizations/{slug}/members/{user_id}": func(f *fixture) sample {
		return sample{f.base() + "/members/" + target, map[string]any{"role": "admin"}}
	},
	"DELETE /organizations/{slug}/members/{user_id}": func(f *fixture) sample {
		return sample{path: f.base() + "/members/" + target}
	},
	"POST /organizations/{slug}/leave": func(f *fixture) sample { return sample{path: f.base() + "/leave"} },
	"POST /organizations/{slug}/transfer-ownership": func(f *fixture) sample {
		return sample{f.base() + "/transfer-ownership", map[string]any{"user_id": target}}
	},

	"GET /organizations/{slug}/invitations": func(f *fixture) sample { return sample{path: f.base() + "/invitations"} },
	"POST /organizations/{slug}/invitations": func(f *fixture) sample {
		return sample{f.base() + "/invitations", map[string]any{"email": "someone@example.com", "role": "member"}}
	},
	"GET /organizations/{slug}/invitations/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/invitations/" + f.invitationID}
	},
	"DELETE /organizations/{slug}/invitations/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/invitations/" + f.invitationID}
	},
	"POST /organizations/{slug}/invitations/{id}/resend": func(f *fixture) sample {
		f.e.clock.Advance(2 * time.Minute) // past the minimum resend interval
		return sample{path: f.base() + "/invitations/" + f.invitationID + "/resend"}
	},
	"POST /invitations/accept":  func(f *fixture) sample { return sample{"/invitations/accept", map[string]any{"token": f.token}} },
	"POST /invitations/decline": func(f *fixture) sample { return sample{"/invitations/decline", map[string]any{"token": f.token}} },
	"POST /invitations/preview": func(f *fixture) sample { return sample{"/invitations/preview", map[string]any{"token": f.token}} },
	"GET /me/invitations":       func(f *fixture) sample { return sample{path: "/me/invitations"} },
	"POST /me/invitations/{id}/accept": func(f *fixture) sample {
		return sample{path: "/me/invitations/" + f.invitationID + "/accept"}
	},
	"POST /me/invitations/{id}/decline": func(f *fixture) sample {
		return sample{path: "/me/invitations/" + f.invitationID + "/decline"}
	},

	"GET /organizations/{slug}/teams": func(f *fixture) sample { return sample{path: f.base() + "/teams"} },
	"POST /organizations/{slug}/teams": func(f *fixture) sample {
		return sample{f.base() + "/teams", map[string]any{"name": "Design"}}
	},
	"GET /organizations/{slug}/teams/{team_slug}": func(f *fixture) sample { return sample{path: f.base() + "/teams/core"} },
	"PATCH /organizations/{slug}/teams/{team_slug}": func(f *fixture) sample {
		return sample{f.base() + "/teams/core", map[string]any{"description": "The core team"}}
	},
	"DELETE /organizations/{slug}/teams/{team_slug}": func(f *fixture) sample { return sample{path: f.base() + "/teams/core"} },
	"GET /organizations/{slug}/teams/{team_slug}/members": func(f *fixture) sample {
		return sample{path: f.base() + "/teams/core/members"}
	},
	"POST /organizations/{slug}/teams/{team_slug}/members": func(f *fixture) sample {
		return sample{f.base() + "/teams/core/members", map[string]any{"user_id": admin, "role": "member"}}
	},
	"PATCH /organizations/{slug}/teams/{team_slug}/members/{user_id}": func(f *fixture) sample {
		return sample{f.base() + "/teams/core/members/" + target, map[string]any{"role": "maintainer"}}
	},
	"DELETE /organizations/{slug}/teams/{team_slug}/members/{user_id}": func(f *fixture) sample {
		return sample{path: f.base() + "/teams/core/members/" + target}
	},

	"GET /organizations/{slug}/categories": func(f *fixture) sample { return sample{path: f.base() + "/categories"} },
	"POST /organizations/{slug}/categories": func(f *fixture) sample {
		return sample{f.base() + "/categories", map[string]any{"name": "Robotics"}}
	},
	"PATCH /organizations/{slug}/categories/{id}": func(f *fixture) sample {
		return sample{f.base() + "/categories/" + f.categoryID, map[string]any{"name": "Renamed", "position": 3}}
	},
	"DELETE /organizations/{slug}/categories/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/categories/" + f.categoryID}
	},

	"GET /organizations/{slug}/pipelines": func(f *fixture) sample { return sample{path: f.base() + "/pipelines"} },
	"POST /organizations/{slug}/pipelines": func(f *fixture) sample {
		return sample{f.base() + "/pipelines", map[string]any{"name": "Sales", "stages": []string{"Call", "Offer"}}}
	},
	"GET /organizations/{slug}/pipelines/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/pipelines/" + f.pipelineID}
	},
	"PATCH /organizations/{slug}/pipelines/{id}": func(f *fixture) sample {
		return sample{f.base() + "/pipelines/" + f.pipelineID, map[string]any{"name": "Hiring", "stages": []map[string]any{{"name": "Only"}}}}
	},
	"DELETE /organizations/{slug}/pipelines/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/pipelines/" + f.pipelineID}
	},

	"GET /organizations/{slug}/domains": func(f *fixture) sample { return sample{path: f.base() + "/domains"} },
	"POST /organizations/{slug}/domains": func(f *fixture) sample {
		return sample{f.base() + "/domains", map[string]any{"domain": "jobs." + f.slug + ".example.com"}}
	},
	"DELETE /organizations/{slug}/domains/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/domains/" + f.domainID}
	},
	"POST /organizations/{slug}/domains/{id}/verify": func(f *fixture) sample {
		return sample{path: f.base() + "/domains/" + f.domainID + "/verify"}
	},

	"GET /organizations/{slug}/events": func(f *fixture) sample { return sample{path: f.base() + "/events"} },

	"GET /organizations/{slug}/roles": func(f *fixture) sample { return sample{path: f.base() + "/roles"} },
	"POST /organizations/{slug}/roles": func(f *fixture) sample {
		return sample{f.base() + "/roles", map[string]any{"name": "reviewer", "rank": 120, "permissions": []string{"org:read"}}}
	},
	"PATCH /organizations/{slug}/roles/{role}": func(f *fixture) sample {
		return sample{f.base() + "/roles/editor", map[string]any{"rank": 110}}
	},
	"DELETE /organizations/{slug}/roles/{role}": func(f *fixture) sample { return sample{path: f.base() + "/roles/editor"} },
	"GET /organizations/{slug}/webhooks":        func(f *fixture) sample { return sample{path: f.base() + "/webhooks"} },
	"POST /organizations/{slug}/webhooks": func(f *fixture) sample {
		return sample{f.base() + "/webhooks", map[string]any{"url": "https://hooks.example.com/" + f.slug}}
	},
	"GET /organizations/{slug}/webhooks/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/webhooks/" + f.webhook()}
	},
	"PATCH /organizations/{slug}/webhooks/{id}": func(f *fixture) sample {
		return sample{f.base() + "/webhooks/" + f.webhook(), map[string]any{"description": "CRM", "enabled": false}}
	},
	"DELETE /organizations/{slug}/webhooks/{id}": func(f *fixture) sample {
		return sample{path: f.base() + "/webhooks/" + f.webhook()}
	},
	"POST /organizations/{slug}/webhooks/{id}/rotate-secret": func(f *fixture) sample {
		return sample{f.base() + "/webhooks/" + f.webhook() + "/rotate-secret", map[string]any{"overlap_seconds": 3600}}
	},
	"GET /organizations/{slug}/webhooks/{id}/attempts": func(f *fixture) sample {
		return sample{path: f.base() + "/webhooks/" + f.webhook() + "/attempts"}
	},
	"POST /organizations/{slug}/webhooks/{id}/replay": func(f *fixture) sample {
		return sample{f.base() + "/webhooks/" + f.webhook() + "/replay", map[string]any{"since": "2000-01-01T00:00:00Z"}}
	},
}

func updateExternalID(id string) orgs.UpdateOrganizationInput {
	return orgs.UpdateOrganizationInput{ExternalID: &id}
}

func (f *fixture) base() string { return "/organizations/" + f.slug }

func TestSamplesCoverRoutes(t *testing.T) {
	var routes []string
	for _, r := range Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	slices.Sort(routes)
	have := slices.Sorted(maps.Keys(samples))
	if !slices.Equal(routes, have) {
		t.Fatalf("samples and routes differ:\nroutes:  %v\nsamples: %v", routes, have)
	}
}

// forEachRoute runs fn for every route with a fresh fixture each.
func forEachRoute(t *testing.T, e *env, fn func(t *testing.T, r Route, f *fixture, s sample)) {
	for i, r := range Routes() {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			f := e.fixture(fmt.Sprintf("route-%02d", i))
			fn(t, r, f, samples[r.Method+" "+r.Path](f))
		})
	}
}

// TestEveryRouteSucceeds sends each route's sample as the owner (or, for
// accept and decline, as the invited user).
func TestEveryRouteSucceeds(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		forEachRoute(t, e, func(t *testing.T, r Route, f *fixture, s sample) {
			e.t = t
			caller := owner
			if strings.HasPrefix(r.Path, "/invitations/") || strings.HasPrefix(r.Path, "/me/") {
				caller = outsider
			}
			if r.Path == "/organizations/{slug}/leave" {
				caller = member
			}
			if strings.HasPrefix(r.Path, "/organizations-by-external-id/") {
				if _, err := e.svc.UpdateOrganization(t.Context(), orgs.UserActor(owner), f.slug, updateExternalID("ext-"+f.slug)); err != nil {
					t.Fatal(err)
				}
			}
			resp := e.call(r.Method, s.path, caller, s.body)
			if resp.Status >= 300 {
				t.Fatalf("%d: %s", resp.Status, resp.Body)
			}
		})
	})
}

// TestEveryRouteNeedsAuthentication: no caller, 401 (but /openapi.json).
func TestEveryRouteNeedsAuthentication(t *testing.T) {
	e := newEnv(t, openSQLite)
	forEachRoute(t, e, func(t *testing.T, r Route, f *fixture, s sample) {
		e.t = t
		before := e.rowCounts()
		resp := e.call(r.Method, s.path, "", s.body)
		if r.Public {
			resp.ok(200, nil)
			return
		}
		resp.problem(401, CodeUnauthenticated)
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("refused, but written: %v -> %v", before, after)
		}
	})
}

// TestEveryOrganizationRouteHidesAndRefuses: an unknown organization is 404,
// and a member whose role grants nothing (guest) gets 403, on every route
// under /organizations/{slug}.
func TestEveryOrganizationRouteHidesAndRefuses(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		forEachRoute(t, e, func(t *testing.T, r Route, f *fixture, s sample) {
			e.t = t
			if !strings.HasPrefix(r.Path, "/organizations/{slug}") {
				return
			}
			before := e.rowCounts()
			e.call(r.Method, strings.Replace(s.path, f.slug, "no-such-org", 1), owner, s.body).problem(404, CodeNotFound)
			e.call(r.Method, s.path, guest, s.body).problem(403, CodeForbidden)
			if after := e.rowCounts(); !maps.Equal(before, after) {
				t.Fatalf("refused, but written: %v -> %v", before, after)
			}
		})
	})
}

// TestEveryRouteHidesInternalErrors: with the store closed, every route that
// reaches it answers 500 internal, with the request ID, logged with its
// cause, which the answer does not show.
func TestEveryRouteHidesInternalErrors(t *testing.T) {
	e := newEnv(t, openSQLite)
	type prepared struct {
		r Route
		s sample
	}
	var all []prepared
	for i, r := range Routes() {
		f := e.fixture(fmt.Sprintf("route-%02d", i))
		all = append(all, prepared{r, samples[r.Method+" "+r.Path](f)})
	}
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		t.Run(p.r.Method+" "+p.r.Path, func(t *testing.T) {
			e.t = t
			resp := e.call(p.r.Method, p.s.path, outsider, p.s.body)
			if p.r.Path == "/openapi.json" || p.r.Path == "/industries" {
				resp.ok(200, nil) // they do not use the store
				return
			}
			prob := resp.problem(500, CodeInternal)
			if strings.Contains(string(resp.Body), "closed") || strings.Contains(string(resp.Body), "orgs:") {
				t.Errorf("the problem shows the cause: %s", resp.Body)
			}
			if logs := e.logs.String(); !strings.Contains(logs, prob.RequestID) || !strings.Contains(logs, "closed") {
				t.Errorf("the log lacks the request ID %s or the cause: %s", prob.RequestID, logs)
			}
		})
	}
}

// matrix callers: a non-member, a member, an admin, the owner, and the owner
// of another organization.
var matrixCallers = []string{outsider, member, admin, owner, rival}

// authzMatrix is the expected status of every mutating route for each of
// matrixCallers, in order.
var authzMatrix = map[string][5]int{
	"POST /organizations":                                              {201, 201, 201, 201, 201},
	"PATCH /organizations/{slug}":                                      {404, 403, 200, 200, 404},
	"DELETE /organizations/{slug}":                                     {404, 403, 403, 204, 404},
	"PATCH /organizations/{slug}/members/{user_id}":                    {404, 403, 200, 200, 404},
	"DELETE /organizations/{slug}/members/{user_id}":                   {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/leave":                                 {404, 204, 204, 409, 404},
	"POST /organizations/{slug}/transfer-ownership":                    {404, 403, 403, 204, 404},
	"POST /organizations/{slug}/invitations":                           {404, 403, 201, 201, 404},
	"DELETE /organizations/{slug}/invitations/{id}":                    {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/invitations/{id}/resend":               {404, 403, 200, 200, 404},
	"POST /invitations/accept":                                         {200, 403, 403, 403, 403},
	"POST /invitations/decline":                                        {204, 403, 403, 403, 403},
	"POST /me/invitations/{id}/accept":                                 {200, 404, 404, 404, 404},
	"POST /me/invitations/{id}/decline":                                {204, 404, 404, 404, 404},
	"POST /organizations/{slug}/teams":                                 {404, 403, 201, 201, 404},
	"PATCH /organizations/{slug}/teams/{team_slug}":                    {404, 403, 200, 200, 404},
	"DELETE /organizations/{slug}/teams/{team_slug}":                   {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/teams/{team_slug}/members":             {404, 403, 201, 201, 404},
	"PATCH /organizations/{slug}/teams/{team_slug}/members/{user_id}":  {404, 403, 200, 200, 404},
	"DELETE /organizations/{slug}/teams/{team_slug}/members/{user_id}": {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/categories":                            {404, 403, 201, 201, 404},
	"PATCH /organizations/{slug}/categories/{id}":                      {404, 403, 200, 200, 404},
	"DELETE /organizations/{slug}/categories/{id}":                     {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/pipelines":                             {404, 403, 201, 201, 404},
	"PATCH /organizations/{slug}/pipelines/{id}":                       {404, 403, 200, 200, 404},
	"DELETE /organizations/{slug}/pipelines/{id}":                      {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/domains":                               {404, 403, 201, 201, 404},
	"DELETE /organizations/{slug}/domains/{id}":                        {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/domains/{id}/verify":                   {404, 403, 200, 200, 404},
	"POST /organizations/{slug}/roles":                                 {404, 403, 403, 201, 404},
	"PATCH /organizations/{slug}/roles/{role}":                         {404, 403, 403, 200, 404},
	"DELETE /organizations/{slug}/roles/{role}":                        {404, 403, 403, 204, 404},
	"POST /organizations/{slug}/webhooks":                              {404, 403, 201, 201, 404},
	"PATCH /organizations/{slug}/webhooks/{id}":                        {404, 403, 200, 200, 404},
	"DELETE /organizations/{slug}/webhooks/{id}":                       {404, 403, 204, 204, 404},
	"POST /organizations/{slug}/webhooks/{id}/rotate-secret":           {404, 403, 200, 200, 404},
	"POST /organizations/{slug}/webhooks/{id}/replay":                  {404, 403, 202, 202, 404},
}

// readOnlyPosts are the POST routes that write nothing (a token travels in
// a body, never in a URL); TestPreviewWritesNothing covers them.
var readOnlyPosts = map[string]bool{"POST /invitations/preview": true}

// TestAuthorizationMatrix sends every mutating route's sample as each caller
// on a fresh fixture, checks the status, and checks that a refusal writes
// nothing (every table's row count is unchanged: each change appends an
// event) and that a success writes something.
func TestAuthorizationMatrix(t *testing.T) {
	var mutating []string
	for _, r := range Routes() {
		if r.Method != http.MethodGet && !readOnlyPosts[r.Method+" "+r.Path] {
			mutating = append(mutating, r.Method+" "+r.Path)
		}
	}
	slices.Sort(mutating)
	if have := slices.Sorted(maps.Keys(authzMatrix)); !slices.Equal(mutating, have) {
		t.Fatalf("the matrix does not list every mutating route:\nroutes: %v\nmatrix: %v", mutating, have)
	}
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		n := 0
		for _, route := range mutating {
			method, path, _ := strings.Cut(route, " ")
			for ci, caller := range matrixCallers {
				want := authzMatrix[route][ci]
				t.Run(fmt.Sprintf("%s/%s", route, caller), func(t *testing.T) {
					e.t = t
					n++
					f := e.fixture(fmt.Sprintf("m%03d", n))
					s := samples[route](f)
					before := e.rowCounts()
					resp := e.call(method, s.path, caller, s.body)
					if resp.Status != want {
						t.Fatalf("%s as %s: %d, want %d: %s", route, caller, resp.Status, want, resp.Body)
					}
					after := e.rowCounts()
					if want >= 400 {
						if _, err := resp.asProblem(); err != nil {
							t.Fatal(err)
						}
						if !maps.Equal(before, after) {
							t.Fatalf("%s as %s refused, but written: %v -> %v", route, caller, before, after)
						}
					} else if maps.Equal(before, after) {
						t.Fatalf("%s as %s succeeded, but wrote nothing", route, caller)
					}
					_ = path
				})
			}
		}
	})
}
