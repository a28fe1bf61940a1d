// Command orgssoak runs the organizations HTTP API under load for a while
// and then checks that every rule still holds, to find what only shows
// after many thousands of requests: a 500 for a race the tests did not
// hit, a lost owner, a counter off by one, a leaked connection.
//
// It serves httpapi over loopback (httptest, the demo authenticator) on a
// store, and -workers goroutines send a random mix of every operation of
// the API — creating, updating and deleting organizations; adding,
// promoting, demoting and removing members, leaving and transferring
// ownership; inviting, resending, revoking, accepting and declining;
// teams and their members, categories, pipelines and stages, domains,
// events, lists and lookups — against a handful of organizations, for
// -duration. The workers read the store directly to pick plausible actors
// (an owner to delete, a member to demote, a fresh token to accept), so
// most calls do something and many race each other. Then it checks, on the
// store itself, the invariants of storetest.CheckInvariants (owners,
// counters, limits, team membership, uniqueness, positions) and that each
// invitation accepted was accepted once.
//
// It prints
//
//	ops=<requests> errors_5xx=<responses ≥ 500> invariant_violations=<n> bad_problems=<4xx/5xx not problem+json>
//
// then one line per operation and one per status and error code, and exits
// 1 when errors_5xx, invariant_violations or bad_problems is not zero.
//
//	go run ./cmd/orgssoak                                    # 60 s, SQLite in a temporary file
//	go run ./cmd/orgssoak -db 'postgres://user@host/db' -duration 60s
//	go run ./cmd/orgssoak -db ./soak.db -workers 16 -duration 10m
//
// On Postgres it uses the database as it finds it (migrating it), with
// user IDs and slugs prefixed by a random run ID, so runs do not meet.
// Domain verification is left out of the mix: it asks DNS, which answers
// 503 when the network is unavailable.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/httpapi"
	"github.com/tenantkit/orgs/internal/dbflag"
	"github.com/tenantkit/orgs/storetest"
)

func main() {
	duration := flag.Duration("duration", 60*time.Second, "how long to send requests")
	db := flag.String("db", "", "SQLite file path, or a postgres:// URL (default: a new SQLite file in a temporary directory)")
	workers := flag.Int("workers", 8, "concurrent clients")
	nOrgs := flag.Int("orgs", 4, "organizations in play (slugs the workers create, rename to and delete)")
	limit := flag.Int("member-limit", 12, "members (plus pending invitations) per organization; 0: none")
	seed := flag.Uint64("seed", 0, "seed of the operations' choice (default random)")
	verbose := flag.Bool("v", false, "log every 5xx response's body")
	flag.Parse()
	if *seed == 0 {
		*seed = mrand.Uint64()
	}
	code, err := run(context.Background(), config{duration: *duration, db: *db, workers: *workers, orgs: *nOrgs,
		limit: *limit, seed: *seed, verbose: *verbose, out: os.Stdout})
	if err != nil {
		fmt.Fprintln(os.Stderr, "orgssoak:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

type config struct {
	duration time.Duration
	db       string
	workers  int
	orgs     int
	limit    int
	seed     uint64
	verbose  bool
	out      io.Writer
}

// soak is one run's shared state.
type soak struct {
	cfg    config
	st     orgs.Store
	base   string
	client *http.Client
	run    string   // prefix of this run's users and slugs
	users  []string // user IDs
	slugs  []string // organization slugs in play
	teams  []string
	cats   []string

	mu      sync.Mutex
	created []string          // organization IDs
	tokens  []tokenRef        // recent tokens, newest last
	accepts map[string]int    // invitation ID → successful accepts
	invOrg  map[string]string // invitation ID → organization ID
	perOp   map[string]*opStats
	codes   map[string]int // "409 last_owner" → count
	ops     atomic.Int64
	x5xx    atomic.Int64
	badProb atomic.Int64
	samples []string // a few 5xx bodies
}

type tokenRef struct{ token, invID, orgID, invitee string }

type opStats struct {
	ok, c4xx, c5xx int
	codes          map[string]int // 4xx and 5xx by status and code
}

func run(ctx context.Context, cfg config) (int, error) {
	if cfg.workers < 1 || cfg.orgs < 1 || cfg.duration <= 0 {
		return 0, errors.New("-workers and -orgs must be at least 1, -duration positive")
	}
	st, desc, cleanup, err := openStore(ctx, cfg.db)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	opts := []orgs.Option{orgs.WithSeed(orgs.SeedWeb),
		orgs.WithInvitationOptions(orgs.InvitationOptions{MinResendInterval: -1})}
	if cfg.limit > 0 {
		opts = append(opts, orgs.WithLimits(orgs.Limits{MembersPerOrganization: cfg.limit}))
	}
	svc, err := orgs.New(st, opts...)
	if err != nil {
		return 0, err
	}
	// Internal errors are logged by the handler: show them.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	api, err := httpapi.New(svc, httpapi.Options{Authenticate: httpapi.DemoAuthenticator(svc), Logger: logger})
	if err != nil {
		return 0, err
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	b := make([]byte, 4)
	_, _ = rand.Read(b)
	s := &soak{cfg: cfg, st: st, base: srv.URL, run: "s" + hex.EncodeToString(b),
		client:  &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.workers}},
		accepts: map[string]int{}, invOrg: map[string]string{}, perOp: map[string]*opStats{}, codes: map[string]int{},
		teams: []string{"red", "green", "blue"}, cats: []string{"Alpha", "alpha", "Beta", "Gamma", "Delta"}}
	for i := range 16 {
		s.users = append(s.users, fmt.Sprintf("%s-u%02d", s.run, i))
	}
	for i := range cfg.orgs + cfg.orgs/2 + 1 {
		s.slugs = append(s.slugs, fmt.Sprintf("%s-org-%d", s.run, i))
	}
	if err := s.setUp(ctx); err != nil {
		return 0, fmt.Errorf("set-up: %w", err)
	}
	fmt.Fprintf(cfg.out, "# orgssoak: %s, %d workers, %v, seed %d, run %s, member limit %d\n", desc, cfg.workers, cfg.duration, cfg.seed, s.run, cfg.limit)

	start := time.Now()
	deadline := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(cfg.seed, uint64(w)))
			for time.Now().Before(deadline) {
				s.step(ctx, rng)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	srv.Close()

	violations, err := s.check(ctx)
	if err != nil {
		return 0, fmt.Errorf("checking invariants: %w", err)
	}
	ops, x5xx, bad := s.ops.Load(), s.x5xx.Load(), s.badProb.Load()
	fmt.Fprintf(cfg.out, "ops=%d errors_5xx=%d invariant_violations=%d bad_problems=%d\n", ops, x5xx, len(violations), bad)
	fmt.Fprintf(cfg.out, "# %.0f ops/s over %v; %d organizations created\n", float64(ops)/elapsed.Seconds(), elapsed.Round(time.Millisecond), len(s.created))
	for _, name := range slices.Sorted(maps.Keys(s.perOp)) {
		c := s.perOp[name]
		var codes []string
		for _, k := range slices.Sorted(maps.Keys(c.codes)) {
			codes = append(codes, fmt.Sprintf("%s:%d", strings.ReplaceAll(k, " ", "/"), c.codes[k]))
		}
		fmt.Fprintf(cfg.out, "op=%s ok=%d 4xx=%d 5xx=%d %s\n", name, c.ok, c.c4xx, c.c5xx, strings.Join(codes, ","))
	}
	for _, code := range slices.Sorted(maps.Keys(s.codes)) {
		fmt.Fprintf(cfg.out, "status=%q count=%d\n", code, s.codes[code])
	}
	for _, v := range violations {
		fmt.Fprintf(cfg.out, "VIOLATION %s\n", v)
	}
	for _, b := range s.samples {
		fmt.Fprintf(cfg.out, "5XX %s\n", b)
	}
	if x5xx > 0 || len(violations) > 0 || bad > 0 {
		return 1, nil
	}
	return 0, nil
}

// openStore opens and migrates the store db names; cleanup closes it (and
// removes a temporary SQLite directory).
func openStore(ctx context.Context, db string) (orgs.Store, string, func(), error) {
	cleanup := func() {}
	temporary := ""
	if db == "" {
		dir, err := os.MkdirTemp("", "orgssoak")
		if err != nil {
			return nil, "", nil, err
		}
		cleanup = func() { _ = os.RemoveAll(dir) }
		db, temporary = filepath.Join(dir, "soak.db"), " (temporary)"
	}
	st, desc, err := dbflag.Open(ctx, db, true)
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return st, desc + temporary, func() { _ = st.Close(); cleanup() }, nil
}

// setUp records every user's profile (through the authenticator's
// headers) and creates the first organizations, each with an owner, an
// admin and two members.
func (s *soak) setUp(ctx context.Context) error {
	for _, u := range s.users {
		status, body, err := s.do(ctx, u, "GET", "/industries", nil, map[string]string{
			httpapi.HeaderUserEmail: u + "@example.com", httpapi.HeaderUserName: "User " + u})
		if err != nil || status != 200 {
			return fmt.Errorf("profile of %s: %d %s %v", u, status, body, err)
		}
	}
	for i := range s.cfg.orgs {
		first := s.users[i%len(s.users)]
		status, body, err := s.do(ctx, first, "POST", "/organizations", map[string]any{"name": "Soak " + s.slugs[i], "slug": s.slugs[i]}, nil)
		if err != nil || status != 201 {
			return fmt.Errorf("create %s: %d %s %v", s.slugs[i], status, body, err)
		}
		s.noteCreated(body)
		for j, role := range []string{"admin", "member", "member"} {
			u := s.users[(i+1+j)%len(s.users)]
			status, body, err := s.do(ctx, first, "POST", "/organizations/"+s.slugs[i]+"/invitations",
				map[string]any{"email": u + "@example.com", "role": role}, nil)
			if err != nil || status != 201 {
				return fmt.Errorf("invite: %d %s %v", status, body, err)
			}
			var inv struct{ Token string }
			_ = json.Unmarshal(body, &inv)
			if status, body, err := s.do(ctx, u, "POST", "/invitations/accept", map[string]any{"token": inv.Token}, nil); err != nil || status != 200 {
				return fmt.Errorf("accept: %d %s %v", status, body, err)
			}
		}
	}
	return nil
}

func (s *soak) noteCreated(body []byte) {
	var org struct{ ID string }
	if json.Unmarshal(body, &org) == nil && org.ID != "" {
		s.mu.Lock()
		s.created = append(s.created, org.ID)
		s.mu.Unlock()
	}
}

// do sends one request as user and returns the status and body. Extra
// headers are added; a body is sent as JSON.
func (s *soak) do(ctx context.Context, user, method, path string, body any, headers map[string]string) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set(httpapi.HeaderUserID, user)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		s.badProb.Add(1)
	}
	return resp.StatusCode, b, err
}

// call sends one request of operation op and counts its outcome.
func (s *soak) call(ctx context.Context, op, user, method, path string, body any) (int, []byte) {
	status, resp, err := s.do(ctx, user, method, path, body, nil)
	if err != nil {
		status = 599 // a transport error counts as a server error
		resp = []byte(err.Error())
	}
	s.ops.Add(1)
	code := ""
	if status >= 400 {
		var p struct{ Code string }
		_ = json.Unmarshal(resp, &p)
		code = " " + p.Code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.perOp[op]
	if c == nil {
		c = &opStats{codes: map[string]int{}}
		s.perOp[op] = c
	}
	switch {
	case status >= 500:
		c.c5xx++
		s.x5xx.Add(1)
		if len(s.samples) < 10 {
			s.samples = append(s.samples, fmt.Sprintf("%s %s %s as %s: %d %s", op, method, path, user, status, resp))
		}
		if s.cfg.verbose {
			fmt.Fprintf(os.Stderr, "5xx: %s %s %s: %d %s\n", op, method, path, status, resp)
		}
	case status >= 400:
		c.c4xx++
	default:
		c.ok++
	}
	s.codes[fmt.Sprintf("%d%s", status, code)]++
	if status >= 400 {
		c.codes[fmt.Sprintf("%d%s", status, code)]++
	}
	return status, resp
}

// target is an organization picked for a call, read from the store.
type target struct {
	org     *orgs.Organization
	members []orgs.Member
	path    string // "/organizations/<slug>"
}

func (s *soak) pick(ctx context.Context, rng *mrand.Rand) *target {
	for range 4 {
		org, err := s.st.GetOrganization(ctx, orgs.OrganizationKey{Slug: s.slugs[rng.IntN(len(s.slugs))]}, "")
		if err != nil {
			continue
		}
		if tg := s.pickOrg(ctx, org.ID); tg != nil {
			return tg
		}
	}
	return nil
}

func (s *soak) pickOrg(ctx context.Context, id string) *target {
	org, err := s.st.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, "")
	if err != nil {
		return nil
	}
	ms, err := s.st.ListMembers(ctx, orgs.MemberFilter{OrganizationID: org.ID, Range: orgs.Range{MaxRows: orgs.MaxPageLimit + 1}})
	if err != nil || len(ms) == 0 {
		return nil
	}
	return &target{org: org, members: ms, path: "/organizations/" + url.PathEscape(org.Slug)}
}

// someone returns a random member with one of roles (any when none), or a
// random member when none has them.
func (tg *target) someone(rng *mrand.Rand, roles ...orgs.Role) string {
	var ids []string
	for _, m := range tg.members {
		if len(roles) == 0 || slices.Contains(roles, m.Role) {
			ids = append(ids, m.UserID)
		}
	}
	if len(ids) == 0 {
		return tg.members[rng.IntN(len(tg.members))].UserID
	}
	return ids[rng.IntN(len(ids))]
}

// manager is an owner or admin, now and then a plain member.
func (tg *target) manager(rng *mrand.Rand) string {
	if rng.IntN(10) == 0 {
		return tg.someone(rng, orgs.RoleMember)
	}
	return tg.someone(rng, orgs.RoleOwner, orgs.RoleAdmin)
}

func (s *soak) user(rng *mrand.Rand) string { return s.users[rng.IntN(len(s.users))] }

func (s *soak) addToken(ref tokenRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invOrg[ref.invID] = ref.orgID
	s.tokens = append(s.tokens, ref)
	if len(s.tokens) > 8 {
		s.tokens = s.tokens[len(s.tokens)-8:]
	}
}

func (s *soak) recentToken(rng *mrand.Rand) (tokenRef, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) == 0 {
		return tokenRef{}, false
	}
	return s.tokens[rng.IntN(len(s.tokens))], true
}

// weights of the operations.
var weights = []struct {
	op string
	w  int
}{
	{"list_orgs", 3}, {"get_org", 4}, {"get_org_by_external_id", 1}, {"industries", 1}, {"create_org", 3},
	{"update_org", 3}, {"delete_org", 1}, {"list_members", 3}, {"get_member", 2}, {"update_member", 5},
	{"remove_member", 3}, {"leave", 3}, {"transfer", 2}, {"list_invitations", 2}, {"get_invitation", 1},
	{"invite", 6}, {"resend", 2}, {"revoke", 1}, {"accept", 6}, {"decline", 1}, {"list_teams", 2},
	{"create_team", 2}, {"get_team", 1}, {"update_team", 1}, {"delete_team", 1}, {"list_team_members", 1},
	{"add_team_member", 4}, {"update_team_member", 1}, {"remove_team_member", 2}, {"list_categories", 1},
	{"create_category", 2}, {"update_category", 2}, {"delete_category", 1}, {"list_pipelines", 1},
	{"create_pipeline", 1}, {"get_pipeline", 1}, {"update_pipeline", 2}, {"delete_pipeline", 1},
	{"list_domains", 1}, {"add_domain", 1}, {"delete_domain", 1}, {"list_events", 2},
}

var totalWeight = func() int {
	n := 0
	for _, w := range weights {
		n += w.w
	}
	return n
}()

func randomRole(rng *mrand.Rand) string { return []string{"owner", "admin", "member"}[rng.IntN(3)] }

// step makes one call of a random operation.
func (s *soak) step(ctx context.Context, rng *mrand.Rand) {
	n := rng.IntN(totalWeight)
	op := weights[0].op
	for _, w := range weights {
		if n < w.w {
			op = w.op
			break
		}
		n -= w.w
	}
	switch op {
	case "industries":
		s.call(ctx, op, s.user(rng), "GET", "/industries", nil)
		return
	case "list_orgs":
		q := ""
		if rng.IntN(2) == 0 {
			q = "?q=soak&limit=2"
		}
		s.call(ctx, op, s.user(rng), "GET", "/organizations"+q, nil)
		return
	case "create_org":
		body := map[string]any{"name": "Soak", "slug": s.slugs[rng.IntN(len(s.slugs))]}
		if rng.IntN(2) == 0 {
			body["external_id"] = fmt.Sprintf("%s-ext-%d", s.run, rng.IntN(3))
		}
		if status, resp := s.call(ctx, op, s.user(rng), "POST", "/organizations", body); status == 201 {
			s.noteCreated(resp)
		}
		return
	case "get_org_by_external_id":
		s.call(ctx, op, s.user(rng), "GET", "/organizations-by-external-id/"+fmt.Sprintf("%s-ext-%d", s.run, rng.IntN(3)), nil)
		return
	case "accept", "decline":
		ref, ok := s.recentToken(rng)
		if !ok {
			return
		}
		actor := ref.invitee // most of the time; others get 403 email_mismatch
		if rng.IntN(4) == 0 {
			actor = s.user(rng)
		}
		status, _ := s.call(ctx, op, actor, "POST", "/invitations/"+op, map[string]any{"token": ref.token})
		if op == "accept" && status == 200 {
			s.mu.Lock()
			s.accepts[ref.invID]++
			s.mu.Unlock()
		}
		return
	case "resend", "revoke", "get_invitation":
		ref, ok := s.recentToken(rng)
		if !ok {
			return
		}
		tg := s.pickOrg(ctx, ref.orgID)
		if tg == nil {
			return
		}
		p := tg.path + "/invitations/" + ref.invID
		switch op {
		case "resend":
			status, resp := s.call(ctx, op, tg.manager(rng), "POST", p+"/resend", nil)
			if status == 200 {
				var inv struct{ ID, Token string }
				if json.Unmarshal(resp, &inv) == nil {
					s.addToken(tokenRef{token: inv.Token, invID: inv.ID, orgID: ref.orgID, invitee: ref.invitee})
				}
			}
		case "revoke":
			s.call(ctx, op, tg.manager(rng), "DELETE", p, nil)
		default:
			s.call(ctx, op, tg.manager(rng), "GET", p, nil)
		}
		return
	}

	tg := s.pick(ctx, rng)
	if tg == nil {
		return
	}
	p := tg.path
	member := func() string { return url.PathEscape(tg.someone(rng)) }
	switch op {
	case "get_org":
		s.call(ctx, op, tg.someone(rng), "GET", p, nil)
	case "update_org":
		body := map[string]any{}
		switch rng.IntN(4) {
		case 0:
			body["slug"] = s.slugs[rng.IntN(len(s.slugs))]
		case 1:
			body["external_id"] = fmt.Sprintf("%s-ext-%d", s.run, rng.IntN(3))
		case 2:
			body["description"] = fmt.Sprintf("soak %d", rng.IntN(1000))
			body["metadata"] = map[string]string{"k": fmt.Sprint(rng.IntN(9))}
		default:
			body["visibility"] = []string{"public", "private"}[rng.IntN(2)]
		}
		s.call(ctx, op, tg.manager(rng), "PATCH", p, body)
	case "delete_org":
		s.call(ctx, op, tg.someone(rng, orgs.RoleOwner), "DELETE", p, nil)
	case "list_members":
		q := ""
		if rng.IntN(2) == 0 {
			q = "?role=member&search=u0&limit=3"
		}
		s.call(ctx, op, tg.someone(rng), "GET", p+"/members"+q, nil)
	case "get_member":
		s.call(ctx, op, tg.someone(rng), "GET", p+"/members/"+member(), nil)
	case "update_member":
		actor := tg.someone(rng, orgs.RoleOwner, orgs.RoleAdmin)
		target := actor
		if rng.IntN(2) == 0 {
			target = tg.someone(rng)
		}
		s.call(ctx, op, actor, "PATCH", p+"/members/"+url.PathEscape(target), map[string]any{"role": randomRole(rng)})
	case "remove_member":
		s.call(ctx, op, tg.manager(rng), "DELETE", p+"/members/"+member(), nil)
	case "leave":
		s.call(ctx, op, tg.someone(rng), "POST", p+"/leave", nil)
	case "transfer":
		actor, target := tg.someone(rng, orgs.RoleOwner), tg.someone(rng)
		if actor == target {
			return // 422: "must be another member"
		}
		s.call(ctx, op, actor, "POST", p+"/transfer-ownership", map[string]any{"user_id": target})
	case "list_invitations":
		s.call(ctx, op, tg.manager(rng), "GET", p+"/invitations?status="+[]string{"pending", "accepted", ""}[rng.IntN(3)], nil)
	case "invite":
		role := "member"
		if rng.IntN(4) == 0 {
			role = randomRole(rng)
		}
		invitee := s.user(rng)
		status, resp := s.call(ctx, op, tg.manager(rng), "POST", p+"/invitations", map[string]any{"email": invitee + "@example.com", "role": role})
		if status == 201 {
			var inv struct{ ID, Token string }
			if json.Unmarshal(resp, &inv) == nil {
				s.addToken(tokenRef{token: inv.Token, invID: inv.ID, orgID: tg.org.ID, invitee: invitee})
			}
		}
	case "list_teams":
		s.call(ctx, op, tg.someone(rng), "GET", p+"/teams", nil)
	case "create_team":
		s.call(ctx, op, tg.manager(rng), "POST", p+"/teams", map[string]any{"name": "Team", "slug": s.teams[rng.IntN(len(s.teams))], "color": "#1f6feb"})
	case "get_team":
		s.call(ctx, op, tg.someone(rng), "GET", p+"/teams/"+s.teams[rng.IntN(len(s.teams))], nil)
	case "update_team":
		s.call(ctx, op, tg.manager(rng), "PATCH", p+"/teams/"+s.teams[rng.IntN(len(s.teams))], map[string]any{"description": fmt.Sprint(rng.IntN(100))})
	case "delete_team":
		s.call(ctx, op, tg.manager(rng), "DELETE", p+"/teams/"+s.teams[rng.IntN(len(s.teams))], nil)
	case "list_team_members":
		s.call(ctx, op, tg.someone(rng), "GET", p+"/teams/"+s.teams[rng.IntN(len(s.teams))]+"/members", nil)
	case "add_team_member":
		target := tg.someone(rng)
		if rng.IntN(4) == 0 {
			target = s.user(rng)
		}
		s.call(ctx, op, tg.manager(rng), "POST", p+"/teams/"+s.teams[rng.IntN(len(s.teams))]+"/members",
			map[string]any{"user_id": target, "role": []string{"member", "maintainer"}[rng.IntN(2)]})
	case "update_team_member":
		s.call(ctx, op, tg.manager(rng), "PATCH", p+"/teams/"+s.teams[rng.IntN(len(s.teams))]+"/members/"+member(),
			map[string]any{"role": []string{"member", "maintainer"}[rng.IntN(2)]})
	case "remove_team_member":
		s.call(ctx, op, tg.manager(rng), "DELETE", p+"/teams/"+s.teams[rng.IntN(len(s.teams))]+"/members/"+member(), nil)
	case "list_categories":
		s.call(ctx, op, tg.someone(rng), "GET", p+"/categories", nil)
	case "create_category":
		body := map[string]any{"name": s.cats[rng.IntN(len(s.cats))]}
		if rng.IntN(2) == 0 {
			body["position"] = rng.IntN(7)
		}
		s.call(ctx, op, tg.manager(rng), "POST", p+"/categories", body)
	case "update_category", "delete_category":
		cs, err := s.st.ListCategories(ctx, orgs.CategoryFilter{OrganizationID: tg.org.ID})
		if err != nil || len(cs) == 0 {
			return
		}
		c := cs[rng.IntN(len(cs))]
		if op == "delete_category" {
			s.call(ctx, op, tg.manager(rng), "DELETE", p+"/categories/"+c.ID, nil)
			return
		}
		body := map[string]any{"position": rng.IntN(len(cs) + 1)}
		if rng.IntN(3) == 0 {
			body["name"] = s.cats[rng.IntN(len(s.cats))]
		}
		s.call(ctx, op, tg.manager(rng), "PATCH", p+"/categories/"+c.ID, body)
	case "list_pipelines":
		s.call(ctx, op, tg.someone(rng), "GET", p+"/pipelines", nil)
	case "create_pipeline":
		s.call(ctx, op, tg.manager(rng), "POST", p+"/pipelines", map[string]any{"name": "Pipe", "is_default": rng.IntN(2) == 0,
			"stages": []string{"One", "Two", "Three"}})
	case "get_pipeline", "update_pipeline", "delete_pipeline":
		ps, err := s.st.ListPipelines(ctx, orgs.PipelineFilter{OrganizationID: tg.org.ID})
		if err != nil || len(ps) == 0 {
			return
		}
		pl := ps[rng.IntN(len(ps))]
		pp := p + "/pipelines/" + pl.ID
		switch op {
		case "get_pipeline":
			s.call(ctx, op, tg.someone(rng), "GET", pp, nil)
		case "delete_pipeline":
			s.call(ctx, op, tg.manager(rng), "DELETE", pp, nil)
		default:
			stages := []map[string]string{}
			for _, st := range pl.Stages {
				stages = append(stages, map[string]string{"id": st.ID, "name": st.Name})
			}
			rng.Shuffle(len(stages), func(i, j int) { stages[i], stages[j] = stages[j], stages[i] })
			switch {
			case len(stages) > 2 && rng.IntN(3) == 0:
				stages = stages[1:]
			case len(stages) < 8 && rng.IntN(3) == 0:
				stages = append(stages, map[string]string{"name": fmt.Sprintf("Stage %d", rng.IntN(100))})
			}
			body := map[string]any{"stages": stages}
			if rng.IntN(3) == 0 {
				body["is_default"] = true
			}
			s.call(ctx, op, tg.manager(rng), "PATCH", pp, body)
		}
	case "list_domains":
		s.call(ctx, op, tg.manager(rng), "GET", p+"/domains", nil)
	case "add_domain":
		s.call(ctx, op, tg.manager(rng), "POST", p+"/domains", map[string]any{"domain": fmt.Sprintf("d%d.%s.example.com", rng.IntN(3), s.run)})
	case "delete_domain":
		ds, err := s.st.ListDomains(ctx, orgs.DomainFilter{OrganizationID: tg.org.ID})
		if err != nil || len(ds) == 0 {
			return
		}
		s.call(ctx, op, tg.manager(rng), "DELETE", p+"/domains/"+ds[rng.IntN(len(ds))].ID, nil)
	case "list_events":
		s.call(ctx, op, tg.manager(rng), "GET", p+"/events?limit=5", nil)
	default:
		panic("orgssoak: unknown operation " + op)
	}
}

// check runs storetest.CheckInvariants over this run's users and
// organizations, and checks that no invitation was accepted twice and that
// each accept left its event.
func (s *soak) check(ctx context.Context) ([]string, error) {
	vs, err := storetest.CheckInvariants(ctx, s.st, storetest.InvariantOptions{
		Users: s.users, OrganizationIDs: s.created, MemberLimit: s.cfg.limit})
	if err != nil {
		return nil, err
	}
	events := map[string]int{} // invitation ID → invitation.accepted events
	for _, id := range s.created {
		after := ""
		for {
			es, err := s.st.ListEvents(ctx, orgs.EventFilter{OrganizationID: id, Type: "invitation.accepted", Range: orgs.Range{After: after, MaxRows: orgs.MaxPageLimit + 1}})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				events[e.Data["invitation_id"]]++
			}
			if len(es) < orgs.MaxPageLimit+1 {
				break
			}
			after = es[len(es)-1].ID
		}
	}
	for invID := range s.invOrg {
		if n := s.accepts[invID]; n > 1 {
			vs = append(vs, fmt.Sprintf("invitation %s accepted %d times", invID, n))
		}
		if events[invID] != s.accepts[invID] {
			vs = append(vs, fmt.Sprintf("invitation %s: %d accepts answered 200, %d invitation.accepted events", invID, s.accepts[invID], events[invID]))
		}
	}
	return vs, nil
}
