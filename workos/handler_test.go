package workos_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/tenantkit/orgs/workos"
)

const key = "sk_test_key"

// env is a handler over a fresh store, and a client for it.
type env struct {
	t   *testing.T
	svc *orgs.Service
	st  orgs.Store
	h   http.Handler
}

// backends are the stores every test runs on: in memory and a SQLite file
// (the SDK tests run on SQLite and Postgres).
var backends = []string{"memstore", "sqlite"}

func newEnv(t *testing.T, backend string, opts ...func(*workos.Options)) *env {
	t.Helper()
	var st orgs.Store
	switch backend {
	case "memstore":
		st = memstore.New()
	case "sqlite":
		s, err := sqlite.Open(t.TempDir() + "/orgs.db")
		require.NoError(t, err)
		require.NoError(t, s.Migrate(t.Context()))
		st = s
	}
	t.Cleanup(func() { _ = st.Close() })
	svc, err := orgs.New(st, orgs.WithSeed(orgs.SeedNone))
	require.NoError(t, err)
	o := workos.Options{APIKeys: []string{"other-key", key}, AcceptInvitationURL: "https://app.example/accept"}
	for _, f := range opts {
		f(&o)
	}
	h, err := workos.New(svc, o)
	require.NoError(t, err)
	return &env{t: t, svc: svc, st: st, h: h}
}

// each runs fn on every backend.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, b))
		})
	}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request with the API key; body is JSON-encoded unless it is a
// string (sent as is).
func (e *env) do(method, path string, body any, header ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(j)
	}
	r := httptest.NewRequest(method, path, rd)
	r.Header.Set("Authorization", "Bearer "+key)
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	res := response{status: w.Code, header: w.Header(), raw: w.Body.String()}
	if w.Body.Len() > 0 {
		require.NoError(e.t, json.Unmarshal(w.Body.Bytes(), &res.body), "%s %s: body %q", method, path, w.Body.String())
		assert.Contains(e.t, w.Header().Get("Content-Type"), "application/json")
		assert.NotContains(e.t, res.body, "error", "no OAuth error keys")
		assert.NotContains(e.t, res.body, "error_description")
	}
	assert.Less(e.t, w.Code, 500, "%s %s: never a 5xx: %s", method, path, w.Body.String())
	return res
}

// ok sends a request that must answer want, and returns the body.
func (e *env) ok(want int, method, path string, body any, header ...string) map[string]any {
	e.t.Helper()
	res := e.do(method, path, body, header...)
	require.Equal(e.t, want, res.status, "%s %s: %s", method, path, res.raw)
	return res.body
}

// world is everything the store holds, read as the system caller: every
// organization with its memberships, invitations and event count.
func (e *env) world() string {
	e.t.Helper()
	ctx := context.Background()
	sys := orgs.SystemActor()
	l, err := e.svc.ListOrganizations(ctx, sys, orgs.OrganizationQuery{Page: orgs.Page{Limit: 100}})
	require.NoError(e.t, err)
	var b strings.Builder
	for _, o := range l.Data {
		fmt.Fprintf(&b, "%s %s %s %s %v %v %d\n", o.ID, o.Name, o.ExternalID, o.StripeCustomerID, o.Domains, o.Metadata, o.MemberCount)
		for _, d := range o.DomainDetails {
			fmt.Fprintf(&b, "  domain %s %s %s\n", d.Domain, d.State, d.UpdatedAt)
		}
		ms, err := e.svc.ListMemberships(ctx, sys, orgs.MembershipQuery{Organization: o.ID, Page: orgs.Page{Limit: 100}})
		require.NoError(e.t, err)
		for _, m := range ms.Data {
			fmt.Fprintf(&b, "  member %s %s %s %s\n", m.ID, m.UserID, m.Role, m.Status)
		}
		is, err := e.svc.ListAllInvitations(ctx, sys, orgs.AllInvitationsQuery{Organization: o.ID, Page: orgs.Page{Limit: 100}})
		require.NoError(e.t, err)
		for _, i := range is.Data {
			fmt.Fprintf(&b, "  invitation %s %s %s %s\n", i.ID, i.Email, i.Status, i.ExpiresAt)
		}
		es, err := e.svc.ListEvents(ctx, sys, o.ID, orgs.EventQuery{Page: orgs.Page{Limit: 100}})
		require.NoError(e.t, err)
		fmt.Fprintf(&b, "  events %d\n", len(es.Data))
	}
	return b.String()
}

func TestAuth(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, auth := range []string{"", "Bearer", "Bearer ", "Bearer wrong", "bearer " + key, "Basic " + key, "Bearer " + key + " ", "Bearer " + key[:len(key)-1]} {
			r := httptest.NewRequest("POST", "/organizations", strings.NewReader(`{"name":"Intruder"}`))
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			assert.Equal(t, 401, w.Code, "%q", auth)
			assert.JSONEq(t, `{"code":"unauthorized","message":"Missing or invalid API key."}`, w.Body.String())
			assert.Contains(t, w.Header().Get("Content-Type"), "application/json")
		}
		assert.Empty(t, e.world(), "nothing written")
		// Both configured keys work.
		r := httptest.NewRequest("GET", "/organizations", nil)
		r.Header.Set("Authorization", "Bearer other-key")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		assert.Equal(t, 200, w.Code)
	})
	_, err := workos.New(nil, workos.Options{APIKeys: []string{"k"}})
	assert.Error(t, err)
	svc, err := orgs.New(memstore.New())
	require.NoError(t, err)
	_, err = workos.New(svc, workos.Options{})
	assert.Error(t, err, "no key")
	_, err = workos.New(svc, workos.Options{APIKeys: []string{""}})
	assert.Error(t, err, "an empty key")
}

func TestOrganizations(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		o := e.ok(201, "POST", "/organizations", map[string]any{
			"name": "Acme", "external_id": "acme-1", "metadata": map[string]string{"tier": "gold"},
			"domain_data": []map[string]string{{"domain": "Acme.Example", "state": "verified"}, {"domain": "pending.example", "state": "pending"}},
			"locale":      "fr", // unknown keys are ignored
		})
		assert.Equal(t, "organization", o["object"])
		assert.Equal(t, false, o["allow_profiles_outside_organization"])
		assert.Equal(t, "acme-1", o["external_id"])
		assert.NotContains(t, o, "stripe_customer_id")
		ds := o["domains"].([]any)
		require.Len(t, ds, 2)
		d0 := ds[0].(map[string]any)
		assert.Equal(t, "organization_domain", d0["object"])
		assert.Equal(t, "acme.example", d0["domain"])
		assert.Equal(t, "verified", d0["state"])
		assert.Equal(t, "manual", d0["verification_strategy"])
		assert.Equal(t, o["id"], d0["organization_id"])
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, o["created_at"])
		id := o["id"].(string)
		assert.Equal(t, o, e.ok(200, "GET", "/organizations/"+id, nil), "a read equals the create")
		assert.Equal(t, o, e.ok(200, "GET", "/organizations/external_id/acme-1", nil))

		// Same name again: WorkOS allows it.
		o2 := e.ok(201, "POST", "/organizations", map[string]any{"name": "Acme"})
		assert.Equal(t, []any{}, o2["domains"])
		assert.Nil(t, o2["external_id"])
		assert.Equal(t, map[string]any{}, o2["metadata"])

		// Update: set, keep, clear.
		u := e.ok(200, "PUT", "/organizations/"+id, map[string]any{"stripe_customer_id": "cus_123", "name": "Acme 2"})
		assert.Equal(t, "cus_123", u["stripe_customer_id"])
		assert.Equal(t, "acme-1", u["external_id"])
		assert.Len(t, u["domains"], 2)
		assert.Equal(t, u, e.ok(200, "GET", "/organizations/"+id, nil))
		u = e.ok(200, "PUT", "/organizations/"+id, `{}`)
		assert.Equal(t, "Acme 2", u["name"])
		u = e.ok(200, "PUT", "/organizations/"+id, `{"stripe_customer_id":null,"external_id":null,"metadata":{},"domain_data":[]}`)
		assert.NotContains(t, u, "stripe_customer_id")
		assert.Nil(t, u["external_id"])
		assert.Equal(t, []any{}, u["domains"])
		assert.Equal(t, map[string]any{}, u["metadata"])
		e.ok(404, "GET", "/organizations/external_id/acme-1", nil)

		// Delete.
		assert.Equal(t, 204, e.do("DELETE", "/organizations/"+id, nil).status)
		e.ok(404, "GET", "/organizations/"+id, nil)
		e.ok(404, "DELETE", "/organizations/"+id, nil)
	})
}

func TestListOrganizations(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var ids []string
		for i := range 7 {
			o := e.ok(201, "POST", "/organizations", map[string]any{"name": fmt.Sprintf("Org %d", i),
				"domain_data": []map[string]string{{"domain": fmt.Sprintf("d%d.example", i), "state": "pending"}}})
			ids = append(ids, o["id"].(string))
		}
		e.ok(201, "POST", "/organizations", map[string]any{"name": "Unrelated"})
		doms := "d0.example,d1.example,d2.example,d3.example,d4.example,d5.example,d6.example,"
		get := func(q string) ([]string, map[string]any) {
			b := e.ok(200, "GET", "/organizations?domains="+doms+q, nil)
			assert.Equal(t, "list", b["object"])
			var out []string
			for _, x := range b["data"].([]any) {
				out = append(out, x.(map[string]any)["id"].(string))
			}
			return out, b["list_metadata"].(map[string]any)
		}
		rev := func(s []string) []string {
			out := make([]string, len(s))
			for i := range s {
				out[i] = s[len(s)-1-i]
			}
			return out
		}
		desc := rev(ids)
		got, md := get("&limit=3")
		assert.Equal(t, desc[:3], got)
		assert.Nil(t, md["before"])
		assert.Equal(t, desc[2], md["after"])
		got, md = get("&limit=3&after=" + desc[2])
		assert.Equal(t, desc[3:6], got)
		assert.Equal(t, desc[3], md["before"])
		got, md = get("&limit=3&after=" + desc[5])
		assert.Equal(t, desc[6:], got)
		assert.Nil(t, md["after"], "null on the last page")
		got, _ = get("&limit=3&before=" + desc[3])
		assert.Equal(t, desc[:3], got)
		got, md = get("&limit=10&order=asc")
		assert.Equal(t, ids, got)
		assert.Nil(t, md["after"])
		got, _ = get("&limit=2&order=asc&before=" + ids[3])
		assert.Equal(t, ids[1:3], got)
		all := e.ok(200, "GET", "/organizations?domains=", nil)
		assert.Len(t, all["data"], 8, "an empty domains filter is none")
		none := e.ok(200, "GET", "/organizations?domains=nobody.example", nil)
		assert.Equal(t, []any{}, none["data"])
	})
}

func TestMemberships(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		org := e.ok(201, "POST", "/organizations", map[string]any{"name": "Team"})["id"].(string)
		m := e.ok(201, "POST", "/user_management/organization_memberships", map[string]any{"organization_id": org, "user_id": "user_a", "role_slug": "owner"})
		assert.Equal(t, "organization_membership", m["object"])
		assert.Equal(t, "Team", m["organization_name"])
		assert.Equal(t, map[string]any{"slug": "owner"}, m["role"])
		assert.Equal(t, "active", m["status"])
		mid := m["id"].(string)
		assert.True(t, strings.HasPrefix(mid, "om_"))
		assert.Equal(t, m, e.ok(200, "GET", "/user_management/organization_memberships/"+mid, nil))
		b := e.ok(201, "POST", "/user_management/organization_memberships", map[string]any{"organization_id": org, "user_id": "user_b"})
		assert.Equal(t, map[string]any{"slug": "member"}, b["role"], "member by default")
		e.ok(409, "POST", "/user_management/organization_memberships", map[string]any{"organization_id": org, "user_id": "user_b"})
		// The last active owner.
		res := e.do("PUT", "/user_management/organization_memberships/"+mid+"/deactivate", `{}`)
		assert.Equal(t, 409, res.status)
		assert.Equal(t, "last_owner", res.body["code"])
		e.ok(409, "PUT", "/user_management/organization_memberships/"+mid, map[string]any{"role_slug": "member"})
		e.ok(409, "DELETE", "/user_management/organization_memberships/"+mid, nil)
		// Deactivate / reactivate another.
		bid := b["id"].(string)
		off := e.ok(200, "PUT", "/user_management/organization_memberships/"+bid+"/deactivate", nil)
		assert.Equal(t, "inactive", off["status"])
		list := e.ok(200, "GET", "/user_management/organization_memberships?organization_id="+org+"&statuses=inactive", nil)
		assert.Len(t, list["data"], 1)
		list = e.ok(200, "GET", "/user_management/organization_memberships?user_id=user_b&statuses=active%2Cinactive", nil)
		assert.Len(t, list["data"], 1)
		on := e.ok(200, "PUT", "/user_management/organization_memberships/"+bid+"/reactivate", `{}`)
		assert.Equal(t, "active", on["status"])
		up := e.ok(200, "PUT", "/user_management/organization_memberships/"+bid, map[string]any{"role_slug": "admin"})
		assert.Equal(t, map[string]any{"slug": "admin"}, up["role"])
		assert.Equal(t, 204, e.do("DELETE", "/user_management/organization_memberships/"+bid, nil).status)
		e.ok(404, "GET", "/user_management/organization_memberships/"+bid, nil)
		empty := e.ok(200, "GET", "/user_management/organization_memberships?organization_id=org_01ARZ3NDEKTSV4RRFFQ69G5FAV", nil)
		assert.Equal(t, []any{}, empty["data"])
	})
}

func TestInvitations(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		org := e.ok(201, "POST", "/organizations", map[string]any{"name": "Inv"})["id"].(string)
		inv := e.ok(201, "POST", "/user_management/invitations", map[string]any{"email": "A@Example.com", "organization_id": org,
			"expires_in_days": 3, "inviter_user_id": "user_x", "role_slug": "admin", "locale": "fr"})
		assert.Equal(t, "invitation", inv["object"])
		assert.Equal(t, "a@example.com", inv["email"])
		assert.Equal(t, "pending", inv["state"])
		assert.Equal(t, "user_x", inv["inviter_user_id"])
		assert.Nil(t, inv["accepted_at"])
		token := inv["token"].(string)
		assert.Regexp(t, `^[A-Za-z0-9_-]{16,}$`, token)
		assert.Equal(t, "https://app.example/accept?invitation_token="+token, inv["accept_invitation_url"])
		id := inv["id"].(string)
		got := e.ok(200, "GET", "/user_management/invitations/"+id, nil)
		assert.NotContains(t, got, "token")
		assert.NotContains(t, got, "accept_invitation_url")
		assert.Equal(t, inv["expires_at"], got["expires_at"])
		assert.Equal(t, id, e.ok(200, "GET", "/user_management/invitations/by_token/"+token, nil)["id"])
		re := e.ok(200, "POST", "/user_management/invitations/"+id+"/resend", `{"locale":"de"}`)
		assert.NotEqual(t, token, re["token"])
		e.ok(404, "GET", "/user_management/invitations/by_token/"+token, nil)
		l := e.ok(200, "GET", "/user_management/invitations?email=a%40example.com&organization_id="+org+"&order=asc", nil)
		assert.Len(t, l["data"], 1)
		acc := e.ok(200, "POST", "/user_management/invitations/"+id+"/accept", "")
		assert.Equal(t, "accepted", acc["state"])
		assert.NotNil(t, acc["accepted_at"])
		uid := acc["accepted_user_id"].(string)
		ms := e.ok(200, "GET", "/user_management/organization_memberships?organization_id="+org, nil)
		require.Len(t, ms["data"], 1)
		m := ms["data"].([]any)[0].(map[string]any)
		assert.Equal(t, uid, m["user_id"])
		assert.Equal(t, map[string]any{"slug": "admin"}, m["role"])
		e.ok(409, "POST", "/user_management/invitations/"+id+"/accept", "")
		e.ok(409, "POST", "/user_management/invitations/"+id+"/revoke", "")
		two := e.ok(201, "POST", "/user_management/invitations", map[string]any{"email": "b@example.com", "organization_id": org})
		assert.Nil(t, two["inviter_user_id"])
		rv := e.ok(200, "POST", "/user_management/invitations/"+two["id"].(string)+"/revoke", "")
		assert.Equal(t, "revoked", rv["state"])
		assert.NotNil(t, rv["revoked_at"])
	})
}

// TestBadInput sends every route malformed, invalid, unknown and
// conflicting input: each answers a 4xx JSON error, never a 5xx, and
// nothing is written.
func TestBadInput(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		org := e.ok(201, "POST", "/organizations", map[string]any{"name": "Base", "external_id": "base",
			"domain_data": []map[string]string{{"domain": "base.example", "state": "verified"}}})["id"].(string)
		owner := e.ok(201, "POST", "/user_management/organization_memberships", map[string]any{"organization_id": org, "user_id": "u1", "role_slug": "owner"})["id"].(string)
		e.ok(201, "POST", "/user_management/invitations", map[string]any{"email": "x@example.com", "organization_id": org})
		accepted := e.ok(201, "POST", "/user_management/invitations", map[string]any{"email": "y@example.com", "organization_id": org})["id"].(string)
		e.ok(200, "POST", "/user_management/invitations/"+accepted+"/accept", nil)
		before := e.world()

		const om = "/user_management/organization_memberships"
		const inv = "/user_management/invitations"
		missingOrg, missingOM, missingInv := "org_01ARZ3NDEKTSV4RRFFQ69G5FAV", "om_01ARZ3NDEKTSV4RRFFQ69G5FAV", "inv_01ARZ3NDEKTSV4RRFFQ69G5FAV"
		long := strings.Repeat("x", 70)
		cases := []struct {
			method, path string
			body         any
			status       int
			code         string
		}{
			{"POST", "/organizations", `{`, 400, "invalid_json"},
			{"POST", "/organizations", `[]`, 400, "invalid_json"},
			{"POST", "/organizations", `{"name":"a"} {}`, 400, "invalid_json"},
			{"POST", "/organizations", `{}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":""}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":42}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"x\u0000y"}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","external_id":"a/b"}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","external_id":".."}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","external_id":"a%41"}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","external_id":"` + long + `"}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","external_id":"base"}`, 409, "external_id_taken"},
			{"POST", "/organizations", `{"name":"ok","domain_data":[{"domain":"base.example","state":"verified"}]}`, 409, "domain_taken"},
			{"POST", "/organizations", `{"name":"ok","domain_data":[{"domain":"not a domain","state":"pending"}]}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","domain_data":[{"domain":"a.example","state":"failed"}]}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","domain_data":"a.example"}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","metadata":{"k":1}}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","metadata":{"` + strings.Repeat("k", 41) + `":"v"}}`, 422, "invalid_request_parameters"},
			{"POST", "/organizations", `{"name":"ok","stripe_customer_id":"not-stripe"}`, 422, "invalid_request_parameters"},
			{"GET", "/organizations?limit=0", nil, 422, "invalid_request_parameters"},
			{"GET", "/organizations?limit=101", nil, 422, "invalid_request_parameters"},
			{"GET", "/organizations?limit=x", nil, 422, "invalid_request_parameters"},
			{"GET", "/organizations?order=up", nil, 422, "invalid_request_parameters"},
			{"GET", "/organizations?before=a&after=b", nil, 422, "invalid_request_parameters"},
			{"GET", "/organizations?domains=bad%20domain", nil, 422, "invalid_request_parameters"},
			{"GET", "/organizations?after=" + strings.Repeat("z", 600), nil, 422, "invalid_request_parameters"},
			{"GET", "/organizations/" + missingOrg, nil, 404, "entity_not_found"},
			{"GET", "/organizations/base", nil, 404, "entity_not_found"},
			{"GET", "/organizations/org_", nil, 404, "entity_not_found"},
			{"GET", "/organizations/", nil, 404, "not_found"},
			{"GET", "/organizations/external_id/missing", nil, 404, "entity_not_found"},
			{"GET", "/organizations/external_id/%00", nil, 404, "entity_not_found"},
			{"PUT", "/organizations/" + missingOrg, `{"name":"x"}`, 404, "entity_not_found"},
			{"PUT", "/organizations/" + org, `{"name":""}`, 422, "invalid_request_parameters"},
			{"PUT", "/organizations/" + org, `{"external_id":"a?b"}`, 422, "invalid_request_parameters"},
			{"PUT", "/organizations/" + org, `{"stripe_customer_id":"cus_ bad"}`, 422, "invalid_request_parameters"},
			{"PUT", "/organizations/" + org, `{"metadata":[]}`, 422, "invalid_request_parameters"},
			{"PUT", "/organizations/" + org, `{"domain_data":[{"domain":"x.example","state":"weird"}]}`, 422, "invalid_request_parameters"},
			{"PUT", "/organizations/" + org, `nope`, 400, "invalid_json"},
			{"DELETE", "/organizations/" + missingOrg, nil, 404, "entity_not_found"},
			{"PATCH", "/organizations/" + org, `{}`, 405, "method_not_allowed"},
			{"GET", "/nowhere", nil, 404, "not_found"},

			{"POST", om, `{}`, 422, "invalid_request_parameters"},
			{"POST", om, `{"organization_id":"` + org + `"}`, 422, "invalid_request_parameters"},
			{"POST", om, `{"organization_id":"` + missingOrg + `","user_id":"u9"}`, 404, "entity_not_found"},
			{"POST", om, `{"organization_id":"base","user_id":"u9"}`, 404, "entity_not_found"},
			{"POST", om, `{"organization_id":"` + org + `","user_id":"u9","role_slug":"emperor"}`, 422, "invalid_request_parameters"},
			{"POST", om, `{"organization_id":"` + org + `","user_id":"u9","role_slugs":["admin","member"]}`, 422, "invalid_request_parameters"},
			{"POST", om, `{"organization_id":"` + org + `","user_id":"u\u0000"}`, 422, "invalid_request_parameters"},
			{"POST", om, `{"organization_id":"` + org + `","user_id":"u1"}`, 409, "already_member"},
			{"GET", om, nil, 422, "invalid_request_parameters"},
			{"GET", om + "?organization_id=" + org + "&statuses=gone", nil, 422, "invalid_request_parameters"},
			{"GET", om + "/" + missingOM, nil, 404, "entity_not_found"},
			{"GET", om + "/nonsense", nil, 404, "entity_not_found"},
			{"PUT", om + "/" + missingOM, `{"role_slug":"member"}`, 404, "entity_not_found"},
			{"PUT", om + "/" + owner, `{"role_slug":"emperor"}`, 422, "invalid_request_parameters"},
			{"PUT", om + "/" + owner, `{"role_slug":"member"}`, 409, "last_owner"},
			{"PUT", om + "/" + owner + "/deactivate", `{}`, 409, "last_owner"},
			{"PUT", om + "/" + missingOM + "/deactivate", `{}`, 404, "entity_not_found"},
			{"PUT", om + "/" + missingOM + "/reactivate", `{}`, 404, "entity_not_found"},
			{"PUT", om + "/" + owner + "/reactivate", `{`, 400, "invalid_json"},
			{"DELETE", om + "/" + owner, nil, 409, "last_owner"},
			{"DELETE", om + "/" + missingOM, nil, 404, "entity_not_found"},

			{"POST", inv, `{}`, 422, "invalid_request_parameters"},
			{"POST", inv, `{"email":"z@example.com"}`, 422, "invalid_request_parameters"},
			{"POST", inv, `{"email":"not an email","organization_id":"` + org + `"}`, 422, "invalid_request_parameters"},
			{"POST", inv, `{"email":"z@example.com","organization_id":"` + org + `","expires_in_days":0}`, 422, "invalid_request_parameters"},
			{"POST", inv, `{"email":"z@example.com","organization_id":"` + org + `","expires_in_days":31}`, 422, "invalid_request_parameters"},
			{"POST", inv, `{"email":"z@example.com","organization_id":"` + org + `","expires_in_days":2.5}`, 422, "invalid_request_parameters"},
			{"POST", inv, `{"email":"z@example.com","organization_id":"` + org + `","role_slug":"emperor"}`, 422, "invalid_request_parameters"},
			{"POST", inv, `{"email":"z@example.com","organization_id":"` + missingOrg + `"}`, 404, "entity_not_found"},
			{"POST", inv, `{"email":"x@example.com","organization_id":"` + org + `"}`, 409, "already_invited"},
			{"GET", inv + "?email=bad", nil, 422, "invalid_request_parameters"},
			{"GET", inv + "?limit=500", nil, 422, "invalid_request_parameters"},
			{"GET", inv + "/" + missingInv, nil, 404, "entity_not_found"},
			{"GET", inv + "/by_token/short", nil, 404, "entity_not_found"},
			{"GET", inv + "/by_token/" + strings.Repeat("A", 43), nil, 404, "entity_not_found"},
			{"POST", inv + "/" + missingInv + "/resend", nil, 404, "entity_not_found"},
			{"POST", inv + "/" + missingInv + "/revoke", nil, 404, "entity_not_found"},
			{"POST", inv + "/" + missingInv + "/accept", nil, 404, "entity_not_found"},
			{"POST", inv + "/" + accepted + "/resend", nil, 409, "invitation_not_pending"},
			{"POST", inv + "/" + accepted + "/revoke", nil, 409, "invitation_not_pending"},
			{"POST", inv + "/" + accepted + "/accept", nil, 409, "invitation_not_pending"},
			{"POST", inv + "/" + accepted + "/accept", `{`, 400, "invalid_json"},
			{"DELETE", inv + "/" + accepted, nil, 405, "method_not_allowed"},
		}
		for _, c := range cases {
			res := e.do(c.method, c.path, c.body)
			assert.Equal(t, c.status, res.status, "%s %s %v: %s", c.method, c.path, c.body, res.raw)
			assert.Equal(t, c.code, res.body["code"], "%s %s %v", c.method, c.path, c.body)
			assert.NotEmpty(t, res.body["message"], "%s %s", c.method, c.path)
			if c.status == 422 {
				errs, _ := res.body["errors"].([]any)
				require.NotEmpty(t, errs, "%s %s %v: errors", c.method, c.path, c.body)
				for _, fe := range errs {
					f := fe.(map[string]any)
					assert.True(t, strings.HasPrefix(f["code"].(string), f["field"].(string)), "%v: the code names the field", f)
				}
			}
		}
		assert.Equal(t, before, e.world(), "nothing written by any refusal")
	})
}

func TestBodyLimitAndRateLimit(t *testing.T) {
	e := newEnv(t, "memstore", func(o *workos.Options) { o.MaxBodyBytes = 64 })
	res := e.do("POST", "/organizations", `{"name":"`+strings.Repeat("a", 100)+`"}`)
	assert.Equal(t, 413, res.status)
	assert.Equal(t, "body_too_large", res.body["code"])
	assert.Empty(t, e.world())

	calls := 0
	rl := newEnv(t, "memstore", func(o *workos.Options) {
		o.RateLimit = func(*http.Request) (bool, time.Duration) {
			calls++
			return calls <= 1, 1500 * time.Millisecond
		}
	})
	rl.ok(200, "GET", "/organizations", nil)
	res = rl.do("POST", "/organizations", `{"name":"Limited"}`)
	assert.Equal(t, 429, res.status)
	assert.Equal(t, "2", res.header.Get("Retry-After"), "whole seconds, rounded up")
	assert.Equal(t, "rate_limit_exceeded", res.body["code"])
	assert.Empty(t, rl.world())
}

func TestIdempotency(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		body := map[string]any{"name": "Once", "domain_data": []map[string]string{{"domain": "once.example", "state": "pending"}}}
		one := e.ok(201, "POST", "/organizations", body, "Idempotency-Key", "k1")
		two := e.ok(201, "POST", "/organizations", body, "Idempotency-Key", "k1")
		assert.Equal(t, one, two, "the first response again")
		l := e.ok(200, "GET", "/organizations?domains=once.example", nil)
		assert.Len(t, l["data"], 1, "one organization")
		res := e.do("POST", "/organizations", map[string]any{"name": "Other"}, "Idempotency-Key", "k1")
		assert.Equal(t, 422, res.status, "the same key with another body")
		// A refusal is replayed too, and a different key is a new request.
		e.ok(422, "POST", "/organizations", `{}`, "Idempotency-Key", "k2")
		e.ok(422, "POST", "/organizations", `{}`, "Idempotency-Key", "k2")
		e.ok(201, "POST", "/organizations", body, "Idempotency-Key", "k3")

		// Concurrent requests with one key create one organization.
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := httptest.NewRequest("POST", "/organizations", strings.NewReader(`{"name":"Race","domain_data":[{"domain":"race.example","state":"pending"}]}`))
				r.Header.Set("Authorization", "Bearer "+key)
				r.Header.Set("Idempotency-Key", "race")
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
				var b map[string]any
				_ = json.Unmarshal(w.Body.Bytes(), &b)
				ids[i], _ = b["id"].(string)
			}()
		}
		wg.Wait()
		for _, id := range ids {
			assert.Equal(t, ids[0], id)
		}
		l = e.ok(200, "GET", "/organizations?domains=race.example", nil)
		assert.Len(t, l["data"], 1)
	})
}

// TestMounted: under a prefix with http.StripPrefix.
func TestMounted(t *testing.T) {
	e := newEnv(t, "memstore")
	mux := http.NewServeMux()
	mux.Handle("/workos/", http.StripPrefix("/workos", e.h))
	r := httptest.NewRequest("POST", "/workos/organizations", strings.NewReader(`{"name":"Mounted"}`))
	r.Header.Set("Authorization", "Bearer "+key)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	assert.Equal(t, 201, w.Code, w.Body.String())
}
