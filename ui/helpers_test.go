package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/ui"
)

// userHeader names the signed-in user in these tests.
const userHeader = "X-Test-User"

// env is a UI mounted at /ui on a real store.
type env struct {
	t   *testing.T
	st  *sqlstore.Store
	svc *orgs.Service
	ui  http.Handler // the UI itself
	h   http.Handler // the UI mounted at /ui/
}

// backends runs fn on SQLite and on Postgres (skipped loudly without
// ORGS_TEST_POSTGRES_URL, failing under CI=true), in parallel.
func backends(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range []struct {
		name string
		open func(testing.TB) *sqlstore.Store
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, b.open(t)))
		})
	}
}

func newEnv(t *testing.T, st *sqlstore.Store, opts ...orgs.Option) *env {
	t.Helper()
	svc, err := orgs.New(st, append([]orgs.Option{orgs.WithDomainVerifier(fakeDNS{})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ui.New(svc, ui.Options{
		Authenticate: func(r *http.Request) (string, error) { return r.Header.Get(userHeader), nil },
		SignInURL:    "/login",
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", h))
	return &env{t: t, st: st, svc: svc, ui: h, h: mux}
}

// fakeDNS verifies domains that start with "ok.".
type fakeDNS struct{}

func (fakeDNS) VerifyDomain(_ context.Context, d orgs.Domain) (bool, error) {
	return strings.HasPrefix(d.Domain, "ok."), nil
}

type resp struct {
	code int
	hdr  http.Header
	body string
}

func (e *env) do(req *http.Request, user string) resp {
	e.t.Helper()
	if user != "" {
		req.Header.Set(userHeader, user)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return resp{code: rec.Code, hdr: rec.Header(), body: string(b)}
}

func (e *env) get(user, path string) resp {
	e.t.Helper()
	return e.do(httptest.NewRequest("GET", path, nil), user)
}

// post sends a form as a same-origin browser does.
func (e *env) post(user, path string, form url.Values) resp {
	e.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.do(req, user)
}

// user records a profile, as the host's sign-up would.
func (e *env) user(id string) {
	e.t.Helper()
	if err := e.svc.PutUser(context.Background(), orgs.User{ID: id, Username: id, Email: id + "@example.com", Name: strings.ToUpper(id[:1]) + id[1:]}); err != nil {
		e.t.Fatal(err)
	}
}

// org creates an organization owned by owner, with members added with roles.
func (e *env) org(owner, slug string, members map[string]orgs.Role) *orgs.Organization {
	e.t.Helper()
	ctx := context.Background()
	e.user(owner)
	o, err := e.svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Org " + slug, Slug: slug})
	if err != nil {
		e.t.Fatal(err)
	}
	for id, role := range members {
		e.user(id)
		if _, err := e.svc.AddMember(ctx, orgs.UserActor(owner), slug, id, role); err != nil {
			e.t.Fatal(err)
		}
	}
	return o
}

// eventCount counts an organization's events: every write appends one, so
// an unchanged count means nothing was written.
func (e *env) eventCount(owner, slug string) int {
	e.t.Helper()
	n := 0
	p := orgs.Page{Limit: 100}
	for {
		l, err := e.svc.ListEvents(context.Background(), orgs.UserActor(owner), slug, orgs.EventQuery{Page: p})
		if err != nil {
			e.t.Fatal(err)
		}
		n += len(l.Data)
		if l.NextCursor == "" || !l.HasMore {
			return n
		}
		p.After = l.NextCursor
	}
}

func expect(t *testing.T, r resp, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d; body:\n%s", r.code, code, excerpt(r.body))
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Fatalf("body lacks %q:\n%s", s, excerpt(r.body))
		}
	}
}

var mainRe = regexp.MustCompile(`(?s)<main.*</main>`)

func excerpt(body string) string {
	if m := mainRe.FindString(body); m != "" {
		body = m
	}
	if len(body) > 4000 {
		body = body[:4000] + "…"
	}
	return body
}
