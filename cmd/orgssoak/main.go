// Command orgssoak runs the organizations HTTP API under load for a while
// and then checks that every rule still holds, to find what only shows
// after many thousands of requests: a 500 for a race the tests did not
// hit, a lost owner, a counter off by one, a leaked connection.
//
// It serves httpapi over loopback (httptest, the demo authenticator) on a
// store, and -workers goroutines run the workload the torture tests run
// (internal/workload: one table of operations) through the HTTP API — every
// operation of the API: creating, updating and deleting organizations;
// promoting, demoting and removing members, leaving and transferring
// ownership; inviting, resending, revoking, accepting and declining; teams
// and their members, categories, pipelines and stages, domains, events,
// lists and lookups — against a handful of organizations, for -duration.
// The workload reads the store directly to pick plausible actors (an owner
// to delete, a member to demote, a fresh token to accept), so most calls do
// something and many race each other. Then it checks, on the store itself,
// the invariants of storetest.CheckInvariants (owners, counters, limits,
// team membership, uniqueness, positions) and the workload's bookkeeping
// (each invitation accepted once, each success with its event).
//
// It prints
//
//	ops=<requests> errors_5xx=<responses ≥ 500> invariant_violations=<n> bad_problems=<4xx/5xx not problem+json>
//
// then one line per operation (ok, refused with a 4xx and its codes, failed
// otherwise) and one per status and error code, and exits 1 when
// errors_5xx, invariant_violations or bad_problems is not zero.
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
	"github.com/tenantkit/orgs/internal/workload"
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
	world  *workload.World
	base   string
	client *http.Client
	run    string   // prefix of this run's users and slugs
	users  []string // user IDs

	mu      sync.Mutex
	perOp   map[string]*opStats
	codes   map[string]int // "409 last_owner" → count
	samples []string       // the first 5xx responses
	ops     atomic.Int64
	x5xx    atomic.Int64
	badProb atomic.Int64
}

type opStats struct {
	ok, refused, failed int
	codes               map[string]int
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
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.workers}},
		perOp:  map[string]*opStats{}, codes: map[string]int{}}
	for i := range 16 {
		s.users = append(s.users, fmt.Sprintf("%s-u%02d", s.run, i))
	}
	var slugs []string
	for i := range cfg.orgs + cfg.orgs/2 + 1 {
		slugs = append(slugs, fmt.Sprintf("%s-org-%d", s.run, i))
	}
	s.world = workload.New(st, workload.Config{
		Users: s.users, Slugs: slugs, Teams: []string{"red", "green", "blue"},
		Categories: []string{"Alpha", "alpha", "Beta", "Gamma", "Delta"},
		ExtIDs:     []string{s.run + "-ext-0", s.run + "-ext-1", s.run + "-ext-2"},
		Handles:    []string{s.run + "-h0", s.run + "-h1"},
		Domains:    []string{"d0." + s.run + ".example.com", "d1." + s.run + ".example.com", "d2." + s.run + ".example.com"},
		AnyRole:    true,
	})
	if err := s.setUp(ctx, slugs); err != nil {
		return 0, fmt.Errorf("set-up: %w", err)
	}
	fmt.Fprintf(cfg.out, "# orgssoak: %s, %d workers, %v, seed %d, run %s, member limit %d\n", desc, cfg.workers, cfg.duration, cfg.seed, s.run, cfg.limit)

	start := time.Now()
	deadline := start.Add(cfg.duration)
	var wg sync.WaitGroup
	d := httpDriver{s}
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(cfg.seed, uint64(w)))
			for time.Now().Before(deadline) {
				op := workload.Pick(rng, weights)
				s.count(op, s.world.Run(ctx, d, rng, op))
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
	fmt.Fprintf(cfg.out, "# %.0f requests/s over %v; %d organizations created\n", float64(ops)/elapsed.Seconds(), elapsed.Round(time.Millisecond), len(s.world.Created()))
	for _, name := range slices.Sorted(maps.Keys(s.perOp)) {
		c := s.perOp[name]
		var codes []string
		for _, k := range slices.Sorted(maps.Keys(c.codes)) {
			codes = append(codes, fmt.Sprintf("%s:%d", strings.ReplaceAll(k, " ", "/"), c.codes[k]))
		}
		fmt.Fprintf(cfg.out, "op=%s ok=%d refused=%d failed=%d %s\n", name, c.ok, c.refused, c.failed, strings.Join(codes, ","))
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
func (s *soak) setUp(ctx context.Context, slugs []string) error {
	for _, u := range s.users {
		status, body, err := s.do(ctx, u, "GET", "/industries", nil, map[string]string{
			httpapi.HeaderUserEmail: u + "@example.com", httpapi.HeaderUserName: "User " + u})
		if err != nil || status != 200 {
			return fmt.Errorf("profile of %s: %d %s %v", u, status, body, err)
		}
	}
	for i := range s.cfg.orgs {
		first := s.users[i%len(s.users)]
		status, body, err := s.do(ctx, first, "POST", "/organizations", map[string]any{"name": "Soak " + slugs[i], "slug": slugs[i]}, nil)
		if err != nil || status != 201 {
			return fmt.Errorf("create %s: %d %s %v", slugs[i], status, body, err)
		}
		var org struct{ ID string }
		_ = json.Unmarshal(body, &org)
		s.world.NoteCreated(org.ID)
		for j, role := range []string{"admin", "member", "member"} {
			u := s.users[(i+1+j)%len(s.users)]
			status, body, err := s.do(ctx, first, "POST", "/organizations/"+slugs[i]+"/invitations",
				map[string]any{"email": u + "@example.com", "role": role}, nil)
			if err != nil || status != 201 {
				return fmt.Errorf("invite: %d %s %v", status, body, err)
			}
			var inv struct{ Token string }
			_ = json.Unmarshal(body, &inv)
			if status, body, err := s.do(ctx, u, "POST", "/invitations/accept", map[string]any{"token": inv.Token}, nil); err != nil || status != 200 {
				return fmt.Errorf("accept: %d %s %v", status, body, err)
			}
			s.world.ExpectEvent(orgs.EventInvitationCreated)
			s.world.ExpectEvent(orgs.EventInvitationAccepted)
		}
	}
	return nil
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

// call sends one request of the workload and counts its status; it
// returns the status and body, with an error for a status of 400 or more
// (a *statusError wrapping the orgs sentinel the problem's code means).
func (s *soak) call(ctx context.Context, user, method, path string, body any) ([]byte, error) {
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
		code = p.Code
	}
	key := fmt.Sprintf("%d %s", status, code)
	s.mu.Lock()
	s.codes[strings.TrimSpace(key)]++
	if status >= 500 {
		s.x5xx.Add(1)
		if len(s.samples) < 10 {
			s.samples = append(s.samples, fmt.Sprintf("%s %s as %s: %d %s", method, path, user, status, resp))
		}
		if s.cfg.verbose {
			fmt.Fprintf(os.Stderr, "5xx: %s %s: %d %s\n", method, path, status, resp)
		}
	}
	s.mu.Unlock()
	if status >= 400 {
		return resp, &statusError{status: status, code: code, err: sentinels[code]}
	}
	return resp, nil
}

// count records the outcome of one operation of the workload.
func (s *soak) count(op string, err error) {
	var se *statusError
	isStatus := errors.As(err, &se)
	if errors.Is(err, workload.ErrSkip) || !isStatus && errors.Is(err, orgs.ErrNotFound) {
		return // nothing called, or the picked organization went before the call
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.perOp[op]
	if c == nil {
		c = &opStats{codes: map[string]int{}}
		s.perOp[op] = c
	}
	switch {
	case err == nil:
		c.ok++
	case isStatus && se.status < 500:
		c.refused++
		c.codes[fmt.Sprintf("%d %s", se.status, se.code)]++
	default:
		c.failed++
	}
}

// weights of the workload's operations (workload.Ops). AddMember has no
// route of its own (members join by invitation), so it is left out.
var weights = map[string]int{
	"listOrgs": 3, "getOrg": 4, "getOrgByExternalID": 1, "industries": 1, "createOrg": 3,
	"updateOrg": 3, "deleteOrg": 1, "listMembers": 3, "getMember": 2, "updateRole": 5,
	"removeMember": 3, "leave": 3, "transfer": 2, "listInvitations": 2, "getInvitation": 1,
	"invite": 6, "resend": 2, "revoke": 1, "accept": 6, "decline": 1, "listTeams": 2,
	"createTeam": 2, "getTeam": 1, "updateTeam": 1, "deleteTeam": 1, "listTeamMembers": 1,
	"addTeamMember": 4, "updateTeamMember": 1, "removeTeamMember": 2, "listCategories": 1,
	"createCategory": 2, "moveCategory": 2, "deleteCategory": 1, "listPipelines": 1, "pipeline": 5,
	"listDomains": 1, "addDomain": 1, "deleteDomain": 1, "listEvents": 2,
}

// check runs storetest.CheckInvariants over this run's users and
// organizations, and the workload's bookkeeping: no invitation accepted
// twice, each accept and each other success with its event.
func (s *soak) check(ctx context.Context) ([]string, error) {
	vs, err := storetest.CheckInvariants(ctx, s.st, storetest.InvariantOptions{
		Users: s.users, OrganizationIDs: s.world.Created(), MemberLimit: s.cfg.limit})
	if err != nil {
		return nil, err
	}
	more, err := s.world.Bookkeeping(ctx)
	return append(vs, more...), err
}
