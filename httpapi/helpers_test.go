package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/internal/testkit"
)

// opener opens a fresh, migrated, empty store for one test.
type opener func(t *testing.T) *sqlstore.Store

// eachDB runs fn on SQLite and on PostgreSQL.
func eachDB(t *testing.T, fn func(t *testing.T, db opener)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres) })
}

// openSQLite returns a migrated store on a new file, closed at cleanup.
func openSQLite(t *testing.T) *sqlstore.Store { return testdb.SQLite(t) }

// openPostgres returns a migrated store in a new schema, dropped at cleanup.
func openPostgres(t *testing.T) *sqlstore.Store { return testdb.Postgres(t) }

// fakeVerifier stands in for DNS: a domain whose first label is "fail" has
// no record, "dnserror" makes the lookup fail, any other is verified.
type fakeVerifier struct{}

func (fakeVerifier) VerifyDomain(_ context.Context, d orgs.Domain) (bool, error) {
	switch {
	case strings.HasPrefix(d.Domain, "fail."):
		return false, nil
	case strings.HasPrefix(d.Domain, "dnserror."):
		return false, fmt.Errorf("lookup %s on 10.0.0.53:53: i/o timeout", d.VerificationName)
	}
	return true, nil
}

// syncBuffer collects log output from the handler.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestLogger logs everything, as JSON, to w.
func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// env is one test's API: a Service on a fresh store, served by a Handler
// behind httptest.NewServer, and a client whose every request and response
// is checked against the OpenAPI document.
type env struct {
	t     *testing.T
	store *sqlstore.Store
	svc   *orgs.Service
	srv   *httptest.Server
	clock *testkit.Clock
	logs  *syncBuffer
	http  *http.Client
}

// guestRole is a role without any permission, registered in every test
// Service, to reach the 403s of the routes every built-in role may use.
var guestRole = orgs.RoleDef{Name: "guest", Rank: 50}

const acceptBase = "http://app.test/invitations/accept"

func newEnv(t *testing.T, db opener, opts ...orgs.Option) *env {
	t.Helper()
	st := db(t)
	clock := testkit.NewClock()
	opts = append([]orgs.Option{
		orgs.WithClock(clock.Now),
		orgs.WithDomainVerifier(fakeVerifier{}),
		orgs.WithRole(guestRole),
		orgs.WithInvitationOptions(orgs.InvitationOptions{AcceptURL: acceptBase}),
	}, opts...)
	svc, err := orgs.New(st, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, st, svc, clock)
}

// newEnvOn serves another Service over e's store.
func newEnvOn(t *testing.T, e *env, svc *orgs.Service) *env {
	return serve(t, e.store, svc, e.clock)
}

func serve(t *testing.T, st *sqlstore.Store, svc *orgs.Service, clock *testkit.Clock) *env {
	t.Helper()
	logs := &syncBuffer{}
	h, err := New(svc, Options{
		Authenticate: DemoAuthenticator(svc),
		Logger:       newTestLogger(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, store: st, svc: svc, srv: srv, clock: clock, logs: logs}
	e.http = &http.Client{Transport: &recordingTransport{base: http.DefaultTransport}}
	return e
}

// reqOption adjusts one test request.
type reqOption func(*http.Request)

// header sets a request header.
func withHeader(k, v string) reqOption { return func(r *http.Request) { r.Header.Set(k, v) } }

// badRequest marks a request that breaks the OpenAPI document on purpose:
// only its response is checked against it.
func badRequest() reqOption {
	return func(r *http.Request) { *r = *r.WithContext(context.WithValue(r.Context(), badRequestKey{}, true)) }
}

type badRequestKey struct{}

// reply is a response, read whole.
type reply struct {
	t      *testing.T
	req    string
	Status int
	Header http.Header
	Body   []byte
}

// call sends a request as actor ("" for none). body is nil (no body), a
// string or []byte (sent as is), or a value sent as JSON.
func (e *env) call(method, path, actor string, body any, opts ...reqOption) *reply {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		case []byte:
			rd = bytes.NewReader(b)
		default:
			j, err := json.Marshal(b)
			if err != nil {
				e.t.Fatal(err)
			}
			rd = bytes.NewReader(j)
		}
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if actor != "" {
		req.Header.Set(HeaderUserID, actor)
	} else {
		badRequest()(req) // no credentials: breaks the document's security requirement
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &reply{t: e.t, req: method + " " + path, Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// ok checks the status and decodes the body into v (when v is not nil).
func (r *reply) ok(status int, v any) *reply {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("%s: status %d, want %d; body: %s", r.req, r.Status, status, r.Body)
	}
	if v != nil {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			r.t.Fatalf("%s: Content-Type %q", r.req, ct)
		}
		if err := json.Unmarshal(r.Body, v); err != nil {
			r.t.Fatalf("%s: %v; body: %s", r.req, err, r.Body)
		}
	}
	return r
}

// problem checks the response is a problem with status and code, and
// returns it.
func (r *reply) problem(status int, code string) Problem {
	r.t.Helper()
	p, err := r.asProblem()
	if err != nil {
		r.t.Fatalf("%s: %v", r.req, err)
	}
	if p.Status != status || p.Code != code || r.Status != status {
		r.t.Fatalf("%s: %d %s, want %d %s; body: %s", r.req, r.Status, p.Code, status, code, r.Body)
	}
	return p
}

// asProblem decodes a problem and checks its invariants.
func (r *reply) asProblem() (Problem, error) {
	var p Problem
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		return p, fmt.Errorf("Content-Type %q, want application/problem+json; status %d; body: %s", ct, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return p, fmt.Errorf("%v; body: %s", err, r.Body)
	}
	if p.Status != r.Status || p.Type != "about:blank" || p.Title != http.StatusText(r.Status) || p.Code == "" || p.Detail == "" {
		return p, fmt.Errorf("malformed problem for status %d: %s", r.Status, r.Body)
	}
	if p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-Id") {
		return p, fmt.Errorf("request_id %q, X-Request-Id %q", p.RequestID, r.Header.Get("X-Request-Id"))
	}
	if (p.Code == CodeValidationFailed) != (len(p.Errors) > 0) {
		return p, fmt.Errorf("errors %v with code %s", p.Errors, p.Code)
	}
	return p, nil
}

// field checks a 422 names field.
func (r *reply) invalid(field string) Problem {
	r.t.Helper()
	p := r.problem(http.StatusUnprocessableEntity, CodeValidationFailed)
	for _, f := range p.Errors {
		if f.Field == field {
			return p
		}
	}
	r.t.Fatalf("%s: 422 does not name %q: %s", r.req, field, r.Body)
	return p
}

// users of every fixture: their IDs, and emails <id>@example.com.
const (
	owner    = "owner"
	admin    = "admin"
	member   = "member"
	target   = "target" // a plain member that others act on
	guest    = "guest"  // a member with the permissionless guest role
	outsider = "outsider"
	rival    = "rival" // owner of another organization
)

// fixture is an organization with one member of each role, a team with
// target in it, a pending invitation for outsider's email, the seeded
// categories and pipeline, and a role of its own, "editor", that no one
// holds; and rival's own organization.
type fixture struct {
	e            *env
	slug         string
	orgID        string
	team         string
	invitationID string
	token        string
	categoryID   string
	pipelineID   string
	domainID     string
	rivalSlug    string
}

func emailOf(user string) string { return user + "@example.com" }

func (e *env) fixture(slug string) *fixture {
	e.t.Helper()
	ctx := context.Background()
	svc := e.svc
	must := func(err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	for _, u := range []string{owner, admin, member, target, guest, outsider, rival} {
		must(svc.PutUser(ctx, orgs.User{ID: u, Username: u, Email: emailOf(u), Name: strings.ToUpper(u[:1]) + u[1:]}))
	}
	org, err := svc.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Org " + slug, Slug: slug})
	must(err)
	for u, role := range map[string]orgs.Role{admin: orgs.RoleAdmin, member: orgs.RoleMember, target: orgs.RoleMember, guest: "guest"} {
		_, err := svc.AddMember(ctx, orgs.UserActor(owner), slug, u, role)
		must(err)
	}
	_, err = svc.CreateTeam(ctx, orgs.UserActor(owner), slug, orgs.TeamInput{Name: "Core"})
	must(err)
	_, err = svc.AddTeamMember(ctx, orgs.UserActor(owner), slug, "core", target, orgs.TeamRoleMember)
	must(err)
	inv, err := svc.CreateInvitation(ctx, orgs.UserActor(owner), slug, orgs.InvitationInput{Email: emailOf(outsider), Role: orgs.RoleMember})
	must(err)
	cats, err := svc.ListCategories(ctx, orgs.UserActor(owner), slug)
	must(err)
	pipes, err := svc.ListPipelines(ctx, orgs.UserActor(owner), slug)
	must(err)
	dom, err := svc.AddDomain(ctx, orgs.UserActor(owner), slug, slug+".example.com")
	must(err)
	_, err = svc.CreateOrganizationRole(ctx, orgs.UserActor(owner), slug, orgs.OrganizationRoleInput{Name: "editor", Rank: 150,
		Permissions: []orgs.Permission{orgs.PermOrgRead, orgs.PermMembersRead}})
	must(err)
	rivalSlug := "rival-" + slug
	if _, err := svc.CreateOrganization(ctx, orgs.UserActor(rival), orgs.CreateOrganizationInput{Name: "Rival", Slug: rivalSlug}); err != nil {
		e.t.Fatal(err)
	}
	return &fixture{e: e, slug: slug, orgID: org.ID, team: "core", invitationID: inv.ID, token: inv.Token,
		categoryID: cats[0].ID, pipelineID: pipes[0].ID, domainID: dom.ID, rivalSlug: rivalSlug}
}

// rowCounts counts the rows of every table of the store: a fingerprint that
// changes with every write, since every mutation also appends an event.
func (e *env) rowCounts() map[string]int {
	e.t.Helper()
	ctx := context.Background()
	db := e.store.DB()
	var tables []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if db.Dialect().Name().String() == "pg" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Close(); err != nil {
		e.t.Fatal(err)
	}
	counts := map[string]int{}
	for _, tbl := range tables {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+tbl+`"`).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		counts[tbl] = n
	}
	return counts
}

// eventCount counts an organization's events through the store (it works
// after the organization is deleted, as its events stay).
func (e *env) eventCount(orgID string) int {
	e.t.Helper()
	n, after := 0, ""
	for {
		es, err := e.store.ListEvents(context.Background(), orgs.EventFilter{OrganizationID: orgID, Range: orgs.Range{After: after, MaxRows: orgs.MaxPageLimit}})
		if err != nil {
			e.t.Fatal(err)
		}
		n += len(es)
		if len(es) < orgs.MaxPageLimit {
			return n
		}
		after = es[len(es)-1].ID
	}
}

// walk follows a list's next cursors from path with the given page size,
// then walks back from the last page with the previous cursors, checks both
// directions see the same pages, and returns the items' keys in order.
func walk[T any](e *env, path, actor string, limit int, key func(T) string) []string {
	e.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	page := func(cursorParam, cursor string) ([]string, orgs.List[T]) {
		e.t.Helper()
		p := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if cursor != "" {
			p += "&" + cursorParam + "=" + url.QueryEscape(cursor)
		}
		var l orgs.List[T]
		e.call("GET", p, actor, nil).ok(200, &l)
		if len(l.Data) > limit {
			e.t.Fatalf("walk %s: %d items, limit %d", p, len(l.Data), limit)
		}
		keys := []string{}
		for _, it := range l.Data {
			keys = append(keys, key(it))
		}
		return keys, l
	}
	var pages [][]string
	var prevs []string
	cursor := ""
	for i := 0; ; i++ {
		if i > 1000 {
			e.t.Fatal("walk: too many pages")
		}
		keys, l := page("after", cursor)
		if (i > 0) != (l.PreviousCursor != "") {
			e.t.Fatalf("walk %s: page %d has previous_cursor %q", path, i, l.PreviousCursor)
		}
		pages, prevs = append(pages, keys), append(prevs, l.PreviousCursor)
		if !l.HasMore {
			break
		}
		if l.NextCursor == "" {
			e.t.Fatalf("walk %s: has_more without next_cursor", path)
		}
		cursor = l.NextCursor
	}
	before := prevs[len(prevs)-1]
	for i := len(pages) - 2; i >= 0; i-- {
		keys, l := page("before", before)
		if strings.Join(keys, ",") != strings.Join(pages[i], ",") {
			e.t.Fatalf("walk %s back: page %d is %v, forward it was %v", path, i, keys, pages[i])
		}
		if (i > 0) != l.HasMore || (i > 0) != (l.PreviousCursor != "") || l.NextCursor == "" {
			e.t.Fatalf("walk %s back: page %d has has_more %v, previous_cursor %q, next_cursor %q", path, i, l.HasMore, l.PreviousCursor, l.NextCursor)
		}
		before = l.PreviousCursor
	}
	var all []string
	for _, p := range pages {
		all = append(all, p...)
	}
	return all
}
