package webhooks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/store/postgres"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/tenantkit/orgs/webhooks"
)

// Delivery end to end: a Service on SQLite or Postgres, the webhooks
// Worker, and a receiver over real HTTP that checks every signature with
// the official Standard Webhooks Go library (and, at the end, the official
// npm package). Faults: the receiver down, answering 500, answering after
// the timeout; the delivering process killed with SIGKILL mid-delivery and
// restarted; two instances on one Postgres. Each test logs its figures
// (messages sent, delivered, duplicated, lost) on a line starting with
// "FIGURES".

// receipt is one request the receiver accepted.
type receipt struct {
	path   string
	header http.Header
	body   []byte
}

// Receiver modes.
const (
	modeOK int32 = iota
	mode500
	modeSlow
)

// receiver verifies and counts webhooks per endpoint path. It listens on a
// fixed address that can be stopped (connections refused) and started
// again.
type receiver struct {
	t    *testing.T
	addr string
	mode atomic.Int32
	slow time.Duration
	busy sync.WaitGroup // requests being handled

	mu       sync.Mutex
	srv      *http.Server
	verifier map[string]*standardwebhooks.Webhook // by path
	count    map[string]int                       // "path id" → receipts answered 2xx
	bad      []string                             // failed verifications
	receipts []receipt
	answered int
}

func newReceiver(t *testing.T) *receiver {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, addr: ln.Addr().String(), slow: time.Second,
		verifier: map[string]*standardwebhooks.Webhook{}, count: map[string]int{}}
	r.serve(ln)
	t.Cleanup(r.stop)
	return r
}

func (r *receiver) url(path string) string { return "http://" + r.addr + path }

// expect registers an endpoint's path and secret.
func (r *receiver) expect(path, secret string) {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.verifier[path] = wh
}

func (r *receiver) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(r.handle)}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// stop closes the listener and every connection: the receiver is down.
func (r *receiver) stop() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// start listens again on the same address.
func (r *receiver) start() {
	var ln net.Listener
	var err error
	for range 100 {
		if ln, err = net.Listen("tcp4", r.addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.serve(ln)
}

func (r *receiver) handle(w http.ResponseWriter, req *http.Request) {
	r.busy.Add(1)
	defer r.busy.Done()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	r.mu.Lock()
	wh := r.verifier[req.URL.Path]
	r.mu.Unlock()
	if wh == nil {
		http.Error(w, "unknown endpoint", http.StatusNotFound)
		return
	}
	if err := wh.Verify(body, req.Header); err != nil {
		r.mu.Lock()
		r.bad = append(r.bad, fmt.Sprintf("%s %s: %v", req.URL.Path, req.Header.Get("webhook-id"), err))
		r.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	switch r.mode.Load() {
	case mode500:
		http.Error(w, "temporarily broken", http.StatusInternalServerError)
		return
	case modeSlow:
		time.Sleep(r.slow) // processes it, but answers after the sender's timeout
	}
	r.mu.Lock()
	r.count[req.URL.Path+" "+req.Header.Get("webhook-id")]++
	r.receipts = append(r.receipts, receipt{req.URL.Path, req.Header.Clone(), body})
	r.answered++
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) answeredCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answered
}

// figures compares what the receiver processed with the messages due:
// want maps "path id" keys to true.
type figures struct {
	sent, delivered, duplicated, lost int
}

func (r *receiver) figures(want map[string]bool) figures {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := figures{sent: len(want)}
	for k, n := range r.count {
		if !want[k] {
			r.t.Errorf("an unexpected message: %s", k)
			continue
		}
		f.delivered++
		f.duplicated += n - 1
	}
	f.lost = f.sent - f.delivered
	return f
}

// waitAll waits until every wanted message was processed at least once.
func (r *receiver) waitAll(t *testing.T, want map[string]bool, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if r.figures(want).lost == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	f := r.figures(want)
	t.Fatalf("after %s: %d of %d messages delivered, %d lost", timeout, f.delivered, f.sent, f.lost)
}

// quietLogger drops the worker's logs (failures are the point here).
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fastSchedule retries within a few seconds, long enough to outlast each
// fault window.
func fastSchedule() *webhooks.Schedule {
	return &webhooks.Schedule{Delays: []time.Duration{
		20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second, time.Second, time.Second, time.Second, time.Second,
	}, Jitter: 0.2}
}

// openStore opens a fresh migrated store: SQLite in a file, or Postgres in
// a schema; it returns the store and how to open it again (for more
// instances or a child process).
func openStore(t *testing.T, db string) (orgs.Store, string) {
	t.Helper()
	var spec string
	switch db {
	case "sqlite":
		spec = filepath.Join(t.TempDir(), "orgs.db")
	case "postgres":
		spec = testdb.PostgresSchemaURL(t)
	}
	st := reopen(t, spec)
	if err := st.(interface{ Migrate(context.Context) error }).Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, spec
}

// reopen opens another instance of the store at spec, closed at cleanup.
func reopen(t testing.TB, spec string) orgs.Store {
	var st orgs.Store
	var err error
	if strings.HasPrefix(spec, "postgres") {
		st, err = postgres.Open(spec)
	} else {
		st, err = sqlite.Open(spec)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// expected lists the messages due to an endpoint: "path id" for every
// event of the organizations that the endpoint wants, from its creation.
func expected(t *testing.T, svc *orgs.Service, slugs []string, path string, ep *orgs.WebhookEndpoint, want map[string]bool) {
	t.Helper()
	for _, slug := range slugs {
		p := orgs.Page{Limit: 100}
		for {
			l, err := svc.ListEvents(context.Background(), orgs.SystemActor(), slug, orgs.EventQuery{Page: p})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range l.Data {
				if ep.Wants(e.Type) && !e.CreatedAt.Before(ep.CreatedAt) {
					want[path+" "+e.ID] = true
				}
			}
			if !l.HasMore {
				break
			}
			p.After = l.NextCursor
		}
	}
}

// verifyWithNode runs every receipt through the official npm package.
func (r *receiver) verifyWithNode(t *testing.T, secrets map[string]string) {
	t.Helper()
	node := needNode(t)
	r.mu.Lock()
	receipts := append([]receipt(nil), r.receipts...)
	r.mu.Unlock()
	var cases []nodeCase
	for _, rc := range receipts {
		cases = append(cases, nodeCase{Op: "verify", Secret: secrets[rc.path], Body: rc.body, Headers: lowerHeaders(rc.header)})
	}
	failed := 0
	for i, res := range runNode(t, node, cases) {
		if !res.OK {
			failed++
			if failed < 5 {
				t.Errorf("node refuses receipt %d: %s", i, res.Error)
			}
		}
	}
	t.Logf("the official npm package verified %d of %d receipts", len(cases)-failed, len(cases))
}

func eachDB(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, "sqlite") })
	t.Run("postgres", func(t *testing.T) { testdb.PostgresURL(t); t.Parallel(); fn(t, "postgres") })
}

// TestDeliveryFaults delivers through a receiver that goes down, answers
// 500, and answers after the timeout, each for a while, and checks that
// every message arrives, signed, once or more; duplicates come from the
// slow answers (processed, but past the timeout, so retried).
func TestDeliveryFaults(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		ctx := context.Background()
		st, _ := openStore(t, db)
		svc, err := orgs.New(st, orgs.WithWebhookOptions(orgs.WebhookOptions{AllowHTTP: true}))
		if err != nil {
			t.Fatal(err)
		}
		recv := newReceiver(t)
		if _, err := svc.CreateOrganization(ctx, orgs.UserActor("olivia"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}); err != nil {
			t.Fatal(err)
		}
		host, err := svc.CreateWebhookEndpoint(ctx, orgs.SystemActor(), orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: recv.url("/host")})
		if err != nil {
			t.Fatal(err)
		}
		org, err := svc.CreateWebhookEndpoint(ctx, orgs.UserActor("olivia"), "acme", orgs.WebhookEndpointInput{
			URL: recv.url("/acme"), EventTypes: []orgs.EventType{orgs.EventMemberAdded}})
		if err != nil {
			t.Fatal(err)
		}
		recv.expect("/host", host.Secret)
		recv.expect("/acme", org.Secret)

		w, err := webhooks.NewWorker(svc, webhooks.WorkerOptions{
			Client:       webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true, Timeout: 300 * time.Millisecond}),
			Timeout:      300 * time.Millisecond,
			Schedule:     fastSchedule(),
			PollInterval: 10 * time.Millisecond,
			Consumer:     orgs.ConsumerOptions{PollInterval: 5 * time.Millisecond},
			Logger:       quietLogger(),
		})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(runCtx) }()

		n := 0
		events := func(k int) {
			for range k {
				n++
				if _, err := svc.AddMember(ctx, orgs.UserActor("olivia"), "acme", fmt.Sprintf("user-%03d", n), orgs.RoleMember); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Each fault lasts until the worker has met it at least once (an
		// attempt with its outcome is recorded), not for a fixed time: on a
		// loaded machine the worker may lag behind a clock-driven phase and
		// meet only the next one.
		endpoints := []*orgs.WebhookEndpoint{host, org}
		events(10) // all well
		recv.stop()
		events(10) // the receiver is down: connections refused
		waitOutcome(t, svc, endpoints, org, "connection_error")
		recv.start()
		recv.mode.Store(mode500)
		events(10) // 500s
		waitOutcome(t, svc, endpoints, org, "non_2xx")
		recv.mode.Store(modeSlow)
		events(10) // answers after the 300 ms timeout
		waitOutcome(t, svc, endpoints, org, "timeout")
		recv.mode.Store(modeOK)

		want := map[string]bool{}
		expected(t, svc, []string{"acme"}, "/host", host, want)
		expected(t, svc, []string{"acme"}, "/acme", org, want)
		recv.waitAll(t, want, 90*time.Second)
		stop()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v", err)
		}
		recv.busy.Wait() // the slow answers still sleeping are receipts too
		f := recv.figures(want)
		s := w.Stats()
		if len(recv.bad) > 0 {
			t.Errorf("%d receipts failed verification: %v", len(recv.bad), recv.bad[:min(3, len(recv.bad))])
		}
		if f.lost != 0 {
			t.Errorf("%d messages lost", f.lost)
		}
		outcomes := attemptOutcomes(t, svc, endpoints, org)
		for _, o := range []string{"success", "connection_error", "non_2xx", "timeout"} {
			if outcomes[o] == 0 {
				t.Errorf("no %s attempt: the fault was not exercised (%v)", o, outcomes)
			}
		}
		t.Logf("FIGURES faults (%s): %d messages sent, %d delivered, %d duplicated, %d lost; %d attempts %v; worker %+v",
			db, f.sent, f.delivered, f.duplicated, f.lost, s.Attempts, outcomes, s)
		recv.verifyWithNode(t, map[string]string{"/host": host.Secret, "/acme": org.Secret})
	})
}

// attemptOutcomes counts the attempts of endpoints by outcome; org is the
// organization's endpoint, the others the host's.
func attemptOutcomes(t *testing.T, svc *orgs.Service, endpoints []*orgs.WebhookEndpoint, org *orgs.WebhookEndpoint) map[string]int {
	t.Helper()
	outcomes := map[string]int{}
	for _, e := range endpoints {
		ref, actor := orgs.AllOrganizations, orgs.SystemActor()
		if e == org {
			ref = "acme"
		}
		p := orgs.Page{Limit: 100}
		for {
			l, err := svc.ListWebhookAttempts(context.Background(), actor, ref, e.ID, orgs.WebhookAttemptQuery{Page: p})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range l.Data {
				outcomes[a.Outcome]++
			}
			if !l.HasMore {
				break
			}
			p.After = l.NextCursor
		}
	}
	return outcomes
}

// waitOutcome waits until an attempt with outcome is recorded.
func waitOutcome(t *testing.T, svc *orgs.Service, endpoints []*orgs.WebhookEndpoint, org *orgs.WebhookEndpoint, outcome string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if attemptOutcomes(t, svc, endpoints, org)[outcome] > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s attempt after 60 s", outcome)
}

// childEnv names the store of TestDeliveryChild; unset, it skips.
const childEnv = "ORGS_E2E_WEBHOOK_CHILD_DB"

// TestDeliveryChild is TestDeliveryCrash's child process: a worker
// delivering from the store named by ORGS_E2E_WEBHOOK_CHILD_DB until it is
// killed.
func TestDeliveryChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("run by TestDeliveryCrash")
	}
	st := reopen(t, spec)
	svc, err := orgs.New(st)
	if err != nil {
		t.Fatal(err)
	}
	w, err := webhooks.NewWorker(svc, webhooks.WorkerOptions{
		HostClient:   webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true, Timeout: time.Second}),
		Timeout:      time.Second,
		Lease:        2 * time.Second,
		Schedule:     fastSchedule(),
		PollInterval: 10 * time.Millisecond,
		Consumer:     orgs.ConsumerOptions{PollInterval: 5 * time.Millisecond, Lease: time.Second},
		Logger:       quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("READY")
	_ = w.Run(context.Background()) // until SIGKILL
}

// TestDeliveryCrash kills the delivering process with SIGKILL while
// messages are in flight, three times, restarting it each time: nothing
// is lost, and the duplicates (messages the receiver processed whose
// attempt the killed process never recorded) are counted.
func TestDeliveryCrash(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		ctx := context.Background()
		st, spec := openStore(t, db)
		svc, err := orgs.New(st)
		if err != nil {
			t.Fatal(err)
		}
		recv := newReceiver(t)
		host, err := svc.CreateWebhookEndpoint(ctx, orgs.SystemActor(), orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: recv.url("/host")})
		if err != nil {
			t.Fatal(err)
		}
		recv.expect("/host", host.Secret)
		recv.slow = 30 * time.Millisecond
		recv.mode.Store(modeSlow) // slow enough that attempts are in flight when the child dies
		if _, err := svc.CreateOrganization(ctx, orgs.UserActor("olivia"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}); err != nil {
			t.Fatal(err)
		}
		const members = 300
		for i := range members {
			if _, err := svc.AddMember(ctx, orgs.UserActor("olivia"), "acme", fmt.Sprintf("user-%03d", i), orgs.RoleMember); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]bool{}
		expected(t, svc, []string{"acme"}, "/host", host, want)

		start := func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run", "^TestDeliveryChild$", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"="+spec)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return cmd
		}
		kills := 0
		for _, at := range []int{len(want) / 5, 2 * len(want) / 5, 3 * len(want) / 5} {
			cmd := start()
			for recv.answeredCount() < at {
				time.Sleep(2 * time.Millisecond)
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			_ = cmd.Wait()
			kills++
		}
		last := start()
		recv.waitAll(t, want, 2*time.Minute)
		_ = last.Process.Kill()
		_ = last.Wait()
		f := recv.figures(want)
		if len(recv.bad) > 0 {
			t.Errorf("%d receipts failed verification", len(recv.bad))
		}
		if f.lost != 0 {
			t.Errorf("%d messages lost", f.lost)
		}
		t.Logf("FIGURES crash (%s): %d SIGKILLs mid-delivery; %d messages sent, %d delivered, %d duplicated, %d lost",
			db, kills, f.sent, f.delivered, f.duplicated, f.lost)
	})
}

// TestDeliveryTwoInstances runs two workers on two connection pools (two
// application instances) of one Postgres database while both instances
// write events: no message is lost, and duplicates stay under 1%.
func TestDeliveryTwoInstances(t *testing.T) {
	testdb.PostgresURL(t)
	t.Parallel()
	ctx := context.Background()
	first, spec := openStore(t, "postgres")
	stores := []orgs.Store{first, reopen(t, spec)}
	var svcs []*orgs.Service
	for _, st := range stores {
		svc, err := orgs.New(st, orgs.WithWebhookOptions(orgs.WebhookOptions{AllowHTTP: true}))
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, svc)
	}
	recv := newReceiver(t)
	slugs := []string{"acme", "beta", "gamma", "delta"}
	for _, slug := range slugs {
		if _, err := svcs[0].CreateOrganization(ctx, orgs.UserActor("olivia"), orgs.CreateOrganizationInput{Name: slug, Slug: slug}); err != nil {
			t.Fatal(err)
		}
	}
	host, err := svcs[0].CreateWebhookEndpoint(ctx, orgs.SystemActor(), orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: recv.url("/host")})
	if err != nil {
		t.Fatal(err)
	}
	org, err := svcs[1].CreateWebhookEndpoint(ctx, orgs.UserActor("olivia"), "acme", orgs.WebhookEndpointInput{URL: recv.url("/acme")})
	if err != nil {
		t.Fatal(err)
	}
	recv.expect("/host", host.Secret)
	recv.expect("/acme", org.Secret)

	runCtx, stop := context.WithCancel(ctx)
	var workers []*webhooks.Worker
	var runs sync.WaitGroup
	for i, svc := range svcs {
		w, err := webhooks.NewWorker(svc, webhooks.WorkerOptions{
			Client:       webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true, Timeout: 5 * time.Second}),
			Timeout:      5 * time.Second,
			Schedule:     fastSchedule(),
			PollInterval: 10 * time.Millisecond,
			Holder:       fmt.Sprintf("instance-%d", i),
			Consumer:     orgs.ConsumerOptions{PollInterval: 5 * time.Millisecond, BatchSize: 20},
			Logger:       quietLogger(),
		})
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
		runs.Add(1)
		go func() { defer runs.Done(); _ = w.Run(runCtx) }()
	}
	const writers, perWriter = 8, 60
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc, slug := svcs[g%2], slugs[g%len(slugs)]
			for i := range perWriter {
				if _, err := svc.AddMember(ctx, orgs.UserActor("olivia"), slug, fmt.Sprintf("u-%d-%d", g, i), orgs.RoleMember); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	want := map[string]bool{}
	expected(t, svcs[0], slugs, "/host", host, want)
	expected(t, svcs[0], []string{"acme"}, "/acme", org, want)
	recv.waitAll(t, want, 2*time.Minute)
	stop()
	runs.Wait()
	f := recv.figures(want)
	if f.lost != 0 {
		t.Errorf("%d messages lost", f.lost)
	}
	if f.duplicated*100 >= f.sent {
		t.Errorf("%d duplicates of %d messages: 1%% or more", f.duplicated, f.sent)
	}
	if len(recv.bad) > 0 {
		t.Errorf("%d receipts failed verification", len(recv.bad))
	}
	s0, s1 := workers[0].Stats(), workers[1].Stats()
	t.Logf("FIGURES two instances (postgres): %d messages sent, %d delivered, %d duplicated, %d lost; instance 0 %+v; instance 1 %+v",
		f.sent, f.delivered, f.duplicated, f.lost, s0, s1)
}
