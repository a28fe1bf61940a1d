package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
	"github.com/tenantkit/orgs/memstore"
)

// The worker, driven step by step (FanOut, DeliverDue) over the memory
// store with a clock the test moves: fan-out, signatures, retries on the
// schedule, failing and disabled endpoints, timeouts, replays, rotation,
// and server-side request forgery. The e2e module runs it against real
// databases, a reference verifier, crashes and two instances.

var system = orgs.SystemActor()

// received is one request a hookReceiver got.
type received struct {
	id, timestamp, signature string
	body                     []byte
}

// hookReceiver is an HTTP server that records requests and answers with
// status(n) for the n-th (from 1).
type hookReceiver struct {
	*testServer
	mu     sync.Mutex
	got    []received
	status func(n int) int
	delay  time.Duration
}

func newHookReceiver(t *testing.T, status func(n int) int) *hookReceiver {
	r := &hookReceiver{status: status}
	r.testServer = startServer(t, "tcp4", "127.0.0.1:0", false, func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Get(HeaderID), req.Header.Get(HeaderTimestamp), req.Header.Get(HeaderSignature), body})
		n, delay := len(r.got), r.delay
		r.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-req.Context().Done():
			}
		}
		code := http.StatusOK
		if r.status != nil {
			code = r.status(n)
		}
		w.WriteHeader(code)
		io.WriteString(w, "answer "+http.StatusText(code))
	})
	return r
}

func (r *hookReceiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// env is a Service on the memory store, a test clock, and an organization
// "acme" owned by "olivia".
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *testkit.Clock
	svc   *orgs.Service
	store *memstore.Store
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, ctx: t.Context(), clock: testkit.NewClock(), store: memstore.New()}
	var err error
	e.svc, err = orgs.New(e.store, orgs.WithClock(e.clock.Now), orgs.WithWebhookOptions(orgs.WebhookOptions{AllowHTTP: true}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateOrganization(e.ctx, orgs.UserActor("olivia"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second) // endpoints made now get none of the events above
	return e
}

// worker returns a worker on e's clock with a client allowed to reach
// loopback over http, and a schedule of the given delays without jitter.
func (e *env) worker(opts WorkerOptions, delays ...time.Duration) *Worker {
	e.t.Helper()
	if opts.Client == nil {
		opts.Client = NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true, Timeout: opts.Timeout})
	}
	opts.Now = e.clock.Now
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Schedule = &Schedule{Delays: delays}
	w, err := NewWorker(e.svc, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

func (e *env) endpoint(slug, url string, types ...orgs.EventType) *orgs.WebhookEndpoint {
	e.t.Helper()
	actor := orgs.UserActor("olivia")
	if slug == orgs.AllOrganizations {
		actor = system
	}
	ep, err := e.svc.CreateWebhookEndpoint(e.ctx, actor, slug, orgs.WebhookEndpointInput{URL: url, EventTypes: types})
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

func (e *env) addMember(user string) {
	e.t.Helper()
	if _, err := e.svc.AddMember(e.ctx, orgs.UserActor("olivia"), "acme", user, orgs.RoleMember); err != nil {
		e.t.Fatal(err)
	}
}

// step fans out everything and makes every due attempt.
func (e *env) step(w *Worker) int {
	e.t.Helper()
	for {
		n, err := w.FanOut(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	total := 0
	for {
		n, err := w.DeliverDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

func (e *env) attempts(slug, id string) []orgs.WebhookAttempt {
	e.t.Helper()
	actor := orgs.UserActor("olivia")
	if slug == orgs.AllOrganizations {
		actor = system
	}
	l, err := e.svc.ListWebhookAttempts(e.ctx, actor, slug, id, orgs.WebhookAttemptQuery{Page: orgs.Page{Limit: 100}})
	if err != nil {
		e.t.Fatal(err)
	}
	return l.Data
}

func TestWorkerDeliversSignedMessages(t *testing.T) {
	e := newEnv(t)
	all := newHookReceiver(t, nil)
	members := newHookReceiver(t, nil)
	host := newHookReceiver(t, nil)
	epAll := e.endpoint("acme", all.URL)
	epMembers := e.endpoint("acme", members.URL, orgs.EventMemberAdded)
	epHost := e.endpoint(orgs.AllOrganizations, host.URL)
	w := e.worker(WorkerOptions{})
	e.addMember("bob")
	if _, err := e.svc.CreateOrganization(e.ctx, orgs.UserActor("zed"), orgs.CreateOrganizationInput{Name: "Other", Slug: "other"}); err != nil {
		t.Fatal(err)
	}
	if n := e.step(w); n == 0 {
		t.Fatal("nothing delivered")
	}

	// The organization's endpoint gets its events since the endpoint
	// existed (the endpoints' own creation events included); the filtered
	// one only member.added; the host's every organization's.
	types := func(r *hookReceiver, secret string) []string {
		var out []string
		sec := MustParseSecret(secret)
		for _, got := range r.requests() {
			h := http.Header{}
			h.Set(HeaderID, got.id)
			h.Set(HeaderTimestamp, got.timestamp)
			h.Set(HeaderSignature, got.signature)
			v := Verifier{Secrets: []Secret{sec}, Now: e.clock.Now}
			if err := v.Verify(h, got.body); err != nil {
				t.Errorf("signature: %v", err)
			}
			var p struct{ Type string }
			if err := json.Unmarshal(got.body, &p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p.Type)
		}
		slices.Sort(out) // attempts run concurrently: any order
		return out
	}
	if got := strings.Join(types(all, epAll.Secret), " "); got != "member.added webhook_endpoint.created webhook_endpoint.created" {
		t.Errorf("all: %s", got)
	}
	if got := strings.Join(types(members, epMembers.Secret), " "); got != "member.added" {
		t.Errorf("members: %s", got)
	}
	if got := strings.Join(types(host, epHost.Secret), " "); got != "member.added organization.created webhook_endpoint.created webhook_endpoint.created" {
		t.Errorf("host: %s", got)
	}
	// Each attempt is logged.
	as := e.attempts("acme", epMembers.ID)
	if len(as) != 1 || as[0].Outcome != "success" || as[0].StatusCode != 200 || as[0].Attempt != 1 || as[0].EventType != orgs.EventMemberAdded ||
		as[0].Response != "answer OK" || as[0].Error != "" {
		t.Errorf("attempts %+v", as)
	}
	if s := w.Stats(); s.Attempts != 8 || s.Succeeded != 8 || s.FannedOut != 8 || s.LeaseLost != 0 {
		t.Errorf("stats %+v", s)
	}
	// Nothing more: fanning out again queues nothing twice.
	if n := e.step(w); n != 0 {
		t.Errorf("%d more attempts", n)
	}
}

func TestWorkerRetriesOnSchedule(t *testing.T) {
	e := newEnv(t)
	r := newHookReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	ep := e.endpoint("acme", r.URL, orgs.EventMemberAdded)
	w := e.worker(WorkerOptions{}, 5*time.Second, time.Minute)
	e.addMember("bob")
	if n := e.step(w); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
	e.clock.Advance(4 * time.Second)
	if n := e.step(w); n != 0 {
		t.Fatal("retried before the schedule")
	}
	e.clock.Advance(time.Second)
	if n := e.step(w); n != 1 {
		t.Fatal("not retried after 5 s")
	}
	e.clock.Advance(time.Minute)
	if n := e.step(w); n != 1 {
		t.Fatal("not retried after a minute")
	}
	reqs := r.requests()
	if len(reqs) != 3 || reqs[0].id != reqs[2].id || reqs[0].timestamp == reqs[2].timestamp {
		t.Fatalf("requests %+v: want 3 with one webhook-id and new timestamps", reqs)
	}
	as := e.attempts("acme", ep.ID)
	var got []string
	for _, a := range as {
		got = append(got, a.Outcome+"/"+http.StatusText(a.StatusCode))
	}
	if strings.Join(got, " ") != "non_2xx/Internal Server Error non_2xx/Internal Server Error success/OK" || as[2].Attempt != 3 {
		t.Errorf("attempts: %v", got)
	}
	if !strings.Contains(as[0].Error, "500") || as[0].Response != "answer Internal Server Error" {
		t.Errorf("attempt 1: %+v", as[0])
	}
}

func TestWorkerFailingThenDisabled(t *testing.T) {
	e := newEnv(t)
	r := newHookReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	ep := e.endpoint("acme", r.URL, orgs.EventMemberAdded)
	w := e.worker(WorkerOptions{DisableAfter: time.Hour}, time.Second)
	get := func() *orgs.WebhookEndpoint {
		got, err := e.svc.GetWebhookEndpoint(e.ctx, orgs.UserActor("olivia"), "acme", ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	e.addMember("bob")
	e.step(w)
	e.clock.Advance(time.Second)
	e.step(w) // the second and last attempt
	got := get()
	if got.FailingSince == nil || !got.Enabled {
		t.Fatalf("after the retries: %+v, want failing and enabled", got)
	}
	failingSince := *got.FailingSince

	// More failures within the hour: still enabled, failing since the
	// first time.
	e.clock.Advance(30 * time.Minute)
	e.addMember("carol")
	e.step(w)
	if got := get(); !got.Enabled || !got.FailingSince.Equal(failingSince) {
		t.Fatalf("within the period: %+v", got)
	}
	// A failure after the period disables it, with an event.
	e.clock.Advance(31 * time.Minute)
	e.step(w)
	got = get()
	if got.Enabled || got.DisabledReason != orgs.DisabledFailing {
		t.Fatalf("after the period: %+v, want disabled as failing", got)
	}
	l, err := e.svc.ListEvents(e.ctx, orgs.UserActor("olivia"), "acme", orgs.EventQuery{Type: orgs.EventWebhookEndpointDisabled})
	if err != nil || len(l.Data) != 1 || l.Data[0].Data["reason"] != "failing" || l.Data[0].ActorType != orgs.ActorTypeSystem {
		t.Fatalf("disabled events: %+v %v", l, err)
	}
	// Disabled: nothing is sent, nothing queued.
	before := len(r.requests())
	e.addMember("dan")
	e.clock.Advance(time.Hour)
	e.step(w)
	if len(r.requests()) != before {
		t.Error("a disabled endpoint received a request")
	}
	if w.Stats().Disabled != 1 {
		t.Errorf("stats %+v", w.Stats())
	}

	// Re-enabled and answering: a success clears the failing state.
	r.status = func(int) int { return http.StatusOK }
	if _, err := e.svc.UpdateWebhookEndpoint(e.ctx, orgs.UserActor("olivia"), "acme", ep.ID, orgs.WebhookEndpointUpdate{Enabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ReplayWebhookDeliveries(e.ctx, orgs.WebhookReplayFilter{EndpointID: ep.ID, OrganizationID: got.OrganizationID,
		Since: time.Unix(0, 0), Until: e.clock.Now().Add(time.Second), Now: e.clock.Now(), Types: []orgs.EventType{orgs.EventMemberAdded}}); err != nil {
		t.Fatal(err)
	}
	e.step(w)
	if got := get(); got.FailingSince != nil || !got.Enabled {
		t.Fatalf("after a success: %+v", got)
	}
}

func TestWorkerGoneDisables(t *testing.T) {
	e := newEnv(t)
	r := newHookReceiver(t, func(int) int { return http.StatusGone })
	ep := e.endpoint("acme", r.URL, orgs.EventMemberAdded)
	w := e.worker(WorkerOptions{}, time.Second)
	e.addMember("bob")
	e.step(w)
	got, err := e.svc.GetWebhookEndpoint(e.ctx, orgs.UserActor("olivia"), "acme", ep.ID)
	if err != nil || got.Enabled || got.DisabledReason != orgs.DisabledGone {
		t.Fatalf("%+v %v: want disabled as gone", got, err)
	}
}

// A hookReceiver slower than the timeout: the attempt is a timeout, retried;
// an answer in time succeeds.
func TestWorkerTimeout(t *testing.T) {
	e := newEnv(t)
	r := newHookReceiver(t, nil)
	r.delay = 2 * time.Second
	ep := e.endpoint("acme", r.URL, orgs.EventMemberAdded)
	w := e.worker(WorkerOptions{Timeout: 200 * time.Millisecond}, time.Second)
	e.addMember("bob")
	e.step(w)
	r.mu.Lock()
	r.delay = 0
	r.mu.Unlock()
	e.clock.Advance(time.Second)
	e.step(w)
	as := e.attempts("acme", ep.ID)
	if len(as) != 2 || as[0].Outcome != string(OutcomeTimeout) || as[1].Outcome != "success" {
		t.Fatalf("attempts %+v: want a timeout, then a success", as)
	}
}

// Replays send a message again with the same webhook-id.
func TestWorkerReplay(t *testing.T) {
	e := newEnv(t)
	r := newHookReceiver(t, nil)
	ep := e.endpoint("acme", r.URL, orgs.EventMemberAdded)
	w := e.worker(WorkerOptions{})
	e.addMember("bob")
	e.step(w)
	first := r.requests()
	if len(first) != 1 {
		t.Fatalf("%d requests", len(first))
	}
	n, err := e.svc.ReplayWebhooks(e.ctx, orgs.UserActor("olivia"), "acme", ep.ID, orgs.WebhookReplay{EventID: first[0].id})
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	e.step(w)
	reqs := r.requests()
	if len(reqs) != 2 || reqs[1].id != first[0].id || string(reqs[1].body) != string(first[0].body) {
		t.Fatalf("replay: %+v", reqs)
	}
	// The replay's own event (webhook_endpoint.replayed) is not of the
	// endpoint's types: nothing else went out.
	if as := e.attempts("acme", ep.ID); len(as) != 2 || as[1].Attempt != 1 {
		t.Fatalf("attempts %+v", as)
	}
}

// During a rotation's overlap both secrets sign; after it, the new one
// only.
func TestWorkerRotation(t *testing.T) {
	e := newEnv(t)
	r := newHookReceiver(t, nil)
	ep := e.endpoint("acme", r.URL, orgs.EventMemberAdded)
	rot, err := e.svc.RotateWebhookSecret(e.ctx, orgs.UserActor("olivia"), "acme", ep.ID, orgs.WebhookSecretRotation{Overlap: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	w := e.worker(WorkerOptions{})
	e.addMember("bob")
	e.step(w)
	e.clock.Advance(time.Hour)
	e.addMember("carol")
	e.step(w)
	reqs := r.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	verify := func(got received, secret string) error {
		h := http.Header{}
		h.Set(HeaderID, got.id)
		h.Set(HeaderTimestamp, got.timestamp)
		h.Set(HeaderSignature, got.signature)
		return (&Verifier{Secrets: []Secret{MustParseSecret(secret)}, Now: e.clock.Now, Tolerance: 2 * time.Hour}).Verify(h, got.body)
	}
	if n := len(strings.Fields(reqs[0].signature)); n != 2 {
		t.Errorf("during the overlap: %d signatures", n)
	}
	for _, s := range []string{ep.Secret, rot.Secret} {
		if err := verify(reqs[0], s); err != nil {
			t.Errorf("during the overlap: %v", err)
		}
	}
	if err := verify(reqs[1], rot.Secret); err != nil {
		t.Errorf("after: %v", err)
	}
	if err := verify(reqs[1], ep.Secret); !errors.Is(err, ErrNoMatchingSignature) {
		t.Errorf("after the overlap the old secret still verifies: %v", err)
	}
}

// Server-side request forgery: organizations' endpoints that are, resolve
// to, or redirect to addresses outside the public internet are refused at
// delivery, and no request reaches them; a host-level endpoint on the
// host's own client may use them.
func TestWorkerRefusesPrivateDestinations(t *testing.T) {
	e := newEnv(t)
	target := startServer(t, "tcp4", "127.0.0.1:0", true, nil) // what an attacker aims at
	target6 := startServer(t, "tcp6", "[::1]:0", true, nil)
	redirector := startServer(t, "tcp4", "127.0.0.1:0", true, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://127.0.0.1:"+target.port()+"/metadata", http.StatusFound)
	})
	rec := &dialRecorder{route: map[string]string{"93.184.215.14:" + redirector.port(): redirector.Listener.Addr().String()}}
	resolver := fakeResolver{
		"loopback.test": {netip.MustParseAddr("127.0.0.1")},
		"example.com":   {netip.MustParseAddr("93.184.215.14")}, // a public address, routed to the redirector
	}
	strict := func(redirects int) *http.Client {
		return NewClient(redirector.tlsOptions(ClientOptions{Resolver: resolver, DialContext: rec.dial, MaxRedirects: redirects, Timeout: 5 * time.Second}))
	}
	urls := []string{
		"https://127.0.0.1:" + target.port() + "/",
		"https://10.0.0.1/",
		"https://169.254.169.254/latest/meta-data/",
		"https://[::1]:" + target6.port() + "/",
		"https://loopback.test:" + target.port() + "/",
	}
	var eps []*orgs.WebhookEndpoint
	for _, u := range urls {
		eps = append(eps, e.endpoint("acme", u, orgs.EventMemberAdded))
	}
	redirect := e.endpoint("acme", "https://example.com:"+redirector.port()+"/hook", orgs.EventMemberAdded)
	for _, redirects := range []int{0, 3} {
		w := e.worker(WorkerOptions{Client: strict(redirects)})
		e.addMember("bob" + string(rune('a'+redirects)))
		e.step(w)
		for i, ep := range eps {
			as := e.attempts("acme", ep.ID)
			if a := as[len(as)-1]; a.Outcome != string(OutcomeRefused) || a.StatusCode != 0 {
				t.Errorf("%s: %+v, want refused", urls[i], a)
			}
		}
		as := e.attempts("acme", redirect.ID)
		a := as[len(as)-1]
		switch redirects {
		case 0: // the 302 is the answer: not followed
			if a.Outcome != string(OutcomeHTTPStatus) || a.StatusCode != http.StatusFound {
				t.Errorf("redirect, not followed: %+v", a)
			}
		default: // followed, and the loopback target refused
			if a.Outcome != string(OutcomeRefused) || !strings.Contains(a.Error, "refused") {
				t.Errorf("redirect followed: %+v", a)
			}
		}
	}
	if n := target.conns.Load() + target6.conns.Load(); n != 0 {
		t.Errorf("the loopback targets accepted %d connections", n)
	}
	for _, addr := range rec.dialed() {
		if !strings.HasPrefix(addr, "93.184.215.14:") {
			t.Errorf("dialed %s", addr)
		}
	}
	if redirector.reqs.Load() != 2 {
		t.Errorf("the public redirector got %d requests, want 2 (the control: requests do leave)", redirector.reqs.Load())
	}

	// A host-level endpoint on the host's own client reaches loopback.
	host := e.endpoint(orgs.AllOrganizations, "https://127.0.0.1:"+target.port()+"/")
	w := e.worker(WorkerOptions{Client: strict(0), HostClient: NewClient(target.tlsOptions(ClientOptions{AllowPrivate: true}))})
	e.addMember("zoe")
	e.step(w)
	as := e.attempts(orgs.AllOrganizations, host.ID)
	if len(as) == 0 || as[len(as)-1].Outcome != "success" || target.reqs.Load() == 0 {
		t.Errorf("host-level endpoint on the host's client: %+v", as)
	}
}

// Run delivers as events happen, and stops when its context ends.
func TestWorkerRun(t *testing.T) {
	e := newEnv(t)
	r := newHookReceiver(t, nil)
	e.endpoint("acme", r.URL, orgs.EventMemberAdded)
	w, err := NewWorker(e.svc, WorkerOptions{Client: NewClient(ClientOptions{AllowPrivate: true, AllowHTTP: true}),
		PollInterval: 10 * time.Millisecond, Consumer: orgs.ConsumerOptions{PollInterval: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		e.addMember(u)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(r.requests()) < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if n := len(r.requests()); n != 5 {
		t.Fatalf("%d requests, want 5", n)
	}
}

func TestNewWorkerNeedsCapabilities(t *testing.T) {
	svc, err := orgs.New(plain{memstore.New()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewWorker(svc, WorkerOptions{}); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("NewWorker on a store without the capabilities: %v", err)
	}
	if _, err := NewWorker(nil, WorkerOptions{}); err == nil {
		t.Fatal("NewWorker(nil)")
	}
}

// plain hides a store's optional capabilities.
type plain struct{ orgs.Store }

func ptrTo[T any](v T) *T { return &v }
