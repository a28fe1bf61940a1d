package webhooks

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenantkit/orgs"
)

// Worker defaults.
const (
	// DefaultConsumerName is the durable consumer the worker's fan-out
	// reads the event log with.
	DefaultConsumerName = "webhooks"
	// DefaultConcurrency bounds the attempts one worker makes at once.
	DefaultConcurrency = 16
	// DefaultDisableAfter is how long an endpoint may keep failing before
	// the worker disables it (Svix: 5 days).
	DefaultDisableAfter = 5 * 24 * time.Hour
	// DefaultPollInterval is how often an idle worker looks for due
	// deliveries (retries, and messages other instances queued).
	DefaultPollInterval = time.Second
	// leaseMargin is added to the request timeout to make a delivery's
	// lease.
	leaseMargin = 30 * time.Second
	// maxStoredError bounds WebhookAttempt.Error.
	maxStoredError = 500
)

// WorkerOptions configure a Worker. The zero value delivers with the
// production client policy (https only, public addresses only) on
// DefaultSchedule.
type WorkerOptions struct {
	// Client sends to organizations' endpoints; nil means
	// NewClient(ClientOptions{Timeout: Timeout}): public https
	// destinations only.
	Client *http.Client
	// HostClient sends to host-level endpoints, which the host configures
	// itself; nil means Client. Give it ClientOptions.AllowPrivate to
	// deliver to the host's own network (the example server does, for
	// loopback) without opening organizations' endpoints to it.
	HostClient *http.Client
	// Timeout bounds each request of the default clients; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// Concurrency bounds the attempts this worker makes at once; zero
	// means DefaultConcurrency.
	Concurrency int
	// Schedule says when to retry; nil means DefaultSchedule().
	Schedule *Schedule
	// DisableAfter is how long an endpoint may stay failing — since a
	// message first exhausted its retries, with no success since — before
	// the worker disables it (orgs.DisabledFailing, recording
	// webhook_endpoint.disabled); zero means DefaultDisableAfter.
	DisableAfter time.Duration
	// ConsumerName names the durable consumer of the fan-out; empty means
	// DefaultConsumerName. Instances sharing a database share it.
	ConsumerName string
	// Consumer configures the fan-out's consumer (batch size, lease,
	// polling).
	Consumer orgs.ConsumerOptions
	// Lease is how long a worker holds a delivery it claimed; zero means
	// the longest client timeout plus 30 seconds. It must be longer than
	// the clients' timeouts: a lease that ends while its attempt runs lets
	// another worker send the message too.
	Lease time.Duration
	// PollInterval is how often an idle worker looks for due deliveries;
	// zero means DefaultPollInterval. Events this worker fans out are sent
	// at once, without waiting for it.
	PollInterval time.Duration
	// Holder names this instance in leases; empty means
	// "HOSTNAME-PID-RANDOM".
	Holder string
	// Logger receives delivery failures and endpoint state changes; nil
	// means slog.Default().
	Logger *slog.Logger
	// Now is the worker's clock; nil means time.Now.
	Now func() time.Time
	// UserAgent is sent with every request when set.
	UserAgent string
}

// Worker delivers the organizations' events to webhook endpoints. Run
// drives it: a durable consumer of the event log (orgs.Service.RunConsumer)
// fans each event out — one delivery per enabled endpoint that wants its
// type, the organization's and the host-level ones, among those that
// existed when the event happened (a replay reaches older events) — and a
// delivery loop
// claims due deliveries and sends them, retrying on the Schedule. Any
// number of workers may run on one database; see the package
// documentation, "Delivery".
type Worker struct {
	svc          *orgs.Service
	ws           orgs.WebhookStore
	opts         WorkerOptions
	schedule     Schedule
	orgSender    *Sender
	hostSender   *Sender
	lease        time.Duration
	log          *slog.Logger
	wake         chan struct{}
	freed        chan struct{}
	inflight     atomic.Int32
	wg           sync.WaitGroup
	counters     counters
	consumerName string
}

// counters are the worker's figures (Stats).
type counters struct {
	fannedOut, attempts, succeeded, failed, retried, leaseLost, disabled atomic.Int64
}

// Stats are a worker's figures since it was made.
type Stats struct {
	// FannedOut counts deliveries queued by this worker's fan-out.
	FannedOut int64
	// Attempts counts attempts made (requests sent, or refused before
	// sending); Succeeded, Retried and Failed split them by result
	// (Failed: no attempt left, or one that can never succeed).
	Attempts, Succeeded, Retried, Failed int64
	// LeaseLost counts attempts whose result arrived after the delivery's
	// lease had passed to another worker or a replay: the message may
	// have been sent twice.
	LeaseLost int64
	// Disabled counts endpoints this worker disabled.
	Disabled int64
}

// NewWorker returns a worker over svc's store, which must implement
// orgs.WebhookStore and orgs.EventLog (the SQLite, Postgres and memory
// stores do); otherwise it fails with an error wrapping
// errors.ErrUnsupported.
func NewWorker(svc *orgs.Service, opts WorkerOptions) (*Worker, error) {
	if svc == nil {
		return nil, errors.New("webhooks: NewWorker needs a Service")
	}
	ws, ok := svc.Store().(orgs.WebhookStore)
	if !ok {
		return nil, fmt.Errorf("webhooks: the store does not implement orgs.WebhookStore: %w", errors.ErrUnsupported)
	}
	if _, ok := svc.Store().(orgs.EventLog); !ok {
		return nil, fmt.Errorf("webhooks: the store does not implement orgs.EventLog: %w", errors.ErrUnsupported)
	}
	if opts.Timeout < 0 || opts.Concurrency < 0 || opts.DisableAfter < 0 || opts.PollInterval < 0 || opts.Lease < 0 {
		return nil, errors.New("webhooks: WorkerOptions: durations and counts must not be negative")
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.DisableAfter == 0 {
		opts.DisableAfter = DefaultDisableAfter
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.ConsumerName == "" {
		opts.ConsumerName = DefaultConsumerName
	}
	if opts.Holder == "" {
		host, _ := os.Hostname()
		opts.Holder = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomString(6))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Client == nil {
		opts.Client = NewClient(ClientOptions{Timeout: opts.Timeout})
	}
	if opts.HostClient == nil {
		opts.HostClient = opts.Client
	}
	if opts.Consumer.Holder == "" {
		opts.Consumer.Holder = opts.Holder
	}
	w := &Worker{svc: svc, ws: ws, opts: opts, log: opts.Logger, wake: make(chan struct{}, 1), freed: make(chan struct{}, 1),
		consumerName: opts.ConsumerName}
	w.schedule = DefaultSchedule()
	if opts.Schedule != nil {
		w.schedule = *opts.Schedule
	}
	w.orgSender = &Sender{Client: opts.Client, Now: opts.Now, UserAgent: opts.UserAgent}
	w.hostSender = &Sender{Client: opts.HostClient, Now: opts.Now, UserAgent: opts.UserAgent}
	longest := max(opts.Timeout, opts.Client.Timeout, opts.HostClient.Timeout)
	w.lease = longest + leaseMargin
	if opts.Lease != 0 {
		if opts.Lease <= longest {
			return nil, fmt.Errorf("webhooks: WorkerOptions.Lease (%s) must be longer than the clients' timeout (%s)", opts.Lease, longest)
		}
		w.lease = opts.Lease
	}
	return w, nil
}

// Stats returns the worker's figures.
func (w *Worker) Stats() Stats {
	c := &w.counters
	return Stats{FannedOut: c.fannedOut.Load(), Attempts: c.attempts.Load(), Succeeded: c.succeeded.Load(),
		Retried: c.retried.Load(), Failed: c.failed.Load(), LeaseLost: c.leaseLost.Load(), Disabled: c.disabled.Load()}
}

// Run fans out and delivers until ctx ends, then waits for the attempts in
// flight (each bounded by its client's timeout) and returns ctx's error. It
// returns at once an error for a bad configuration.
func (w *Worker) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() {
		errc <- w.svc.RunConsumer(ctx, orgs.SystemActor(), w.consumerName, w.opts.Consumer, w.fanOut)
	}()
	w.deliverLoop(ctx)
	w.wg.Wait()
	err := <-errc
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// FanOut runs one batch of the fan-out (see orgs.Service.ConsumeEvents)
// and returns how many events it handled: for hosts that drive the worker
// from a scheduler of their own, and for tests. Run does this in a loop.
func (w *Worker) FanOut(ctx context.Context) (int, error) {
	return w.svc.ConsumeEvents(ctx, orgs.SystemActor(), w.consumerName, w.opts.Consumer, w.fanOut)
}

// DeliverDue claims the deliveries due now (at most Concurrency), sends
// them concurrently, waits for the attempts, and returns how many it made.
// Run does this in a loop.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	claims, err := w.claim(ctx, w.opts.Concurrency)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, c := range claims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.deliver(ctx, c)
		}()
	}
	wg.Wait()
	return len(claims), nil
}

// fanOut queues one delivery of e per enabled endpoint that wants it and
// existed when e happened.
func (w *Worker) fanOut(ctx context.Context, e orgs.Event) error {
	eps, err := w.ws.ListWebhookEndpoints(ctx, orgs.WebhookEndpointFilter{OrganizationID: e.OrganizationID, WithHost: true, EnabledOnly: true})
	if err != nil {
		return err
	}
	now := w.now()
	var ds []orgs.WebhookDelivery
	for _, ep := range eps {
		if ep.Wants(e.Type) && !e.CreatedAt.Before(ep.CreatedAt) {
			ds = append(ds, orgs.WebhookDelivery{EndpointID: ep.ID, EventID: e.ID, OrganizationID: e.OrganizationID,
				State: orgs.DeliveryPending, NextAttemptAt: now, CreatedAt: now})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	if err := w.ws.EnqueueWebhookDeliveries(ctx, ds); err != nil {
		return err
	}
	w.counters.fannedOut.Add(int64(len(ds)))
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return nil
}

func (w *Worker) now() time.Time { return w.opts.Now().UTC().Truncate(time.Microsecond) }

// claim leases up to limit due deliveries.
func (w *Worker) claim(ctx context.Context, limit int) ([]orgs.ClaimedWebhookDelivery, error) {
	now := w.now()
	return w.ws.ClaimWebhookDeliveries(ctx, orgs.WebhookClaim{Holder: w.opts.Holder, Now: now, Until: now.Add(w.lease), Limit: limit})
}

// deliverLoop claims due deliveries while slots are free and sends each in
// a goroutine of its own, until ctx ends.
func (w *Worker) deliverLoop(ctx context.Context) {
	backoff := w.opts.PollInterval
	for ctx.Err() == nil {
		free := w.opts.Concurrency - int(w.inflight.Load())
		if free <= 0 {
			select {
			case <-w.freed:
			case <-ctx.Done():
			}
			continue
		}
		claims, err := w.claim(ctx, free)
		if err != nil {
			if ctx.Err() == nil {
				w.log.WarnContext(ctx, "webhooks: claiming deliveries failed", "holder", w.opts.Holder, "error", err)
				wait(ctx, backoff, nil, nil)
				backoff = min(2*backoff, time.Minute)
			}
			continue
		}
		backoff = w.opts.PollInterval
		for _, c := range claims {
			w.inflight.Add(1)
			w.wg.Add(1)
			go func() {
				defer w.wg.Done()
				defer func() {
					w.inflight.Add(-1)
					select {
					case w.freed <- struct{}{}:
					default:
					}
				}()
				// An attempt in flight finishes even when ctx ends: its
				// client's timeout bounds it.
				w.deliver(context.WithoutCancel(ctx), c)
			}()
		}
		if len(claims) < free {
			wait(ctx, w.opts.PollInterval, w.wake, nil)
		}
	}
}

// wait waits d, or for a signal on wake, or until ctx ends.
func wait(ctx context.Context, d time.Duration, wake, other <-chan struct{}) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-wake:
	case <-other:
	case <-ctx.Done():
	}
}

// deliver makes one attempt of a claimed delivery and records it: the
// attempt in the log, the delivery's next state, and the endpoint's
// health.
func (w *Worker) deliver(ctx context.Context, c orgs.ClaimedWebhookDelivery) {
	ep, d := c.Endpoint, c.Delivery
	sender := w.orgSender
	if ep.IsHostLevel() {
		sender = w.hostSender
	}
	a := w.attempt(ctx, sender, c)
	now := w.now()
	number := d.Attempts + 1
	if a.Outcome == OutcomeCanceled { // not counted: due again at once
		w.finish(ctx, d, orgs.WebhookDeliveryUpdate{State: orgs.DeliveryPending, Attempts: d.Attempts, NextAttemptAt: now, UpdatedAt: now}, nil)
		return
	}
	w.counters.attempts.Add(1)
	up := orgs.WebhookDeliveryUpdate{State: orgs.DeliveryFailed, Attempts: number, NextAttemptAt: now, UpdatedAt: now}
	switch {
	case a.Succeeded():
		up.State = orgs.DeliverySucceeded
		w.counters.succeeded.Add(1)
	case a.Outcome == OutcomeInvalid:
		w.counters.failed.Add(1)
	default:
		if next, ok := w.schedule.Next(number, now); ok {
			up.State, up.NextAttemptAt = orgs.DeliveryPending, next.UTC().Truncate(time.Microsecond)
			w.counters.retried.Add(1)
		} else {
			w.counters.failed.Add(1)
		}
	}
	errText := ""
	if a.Err != nil {
		errText = clip(a.Err.Error(), maxStoredError)
	}
	rec := &orgs.WebhookAttempt{ID: orgs.NewID(orgs.PrefixWebhookAttempt), EndpointID: ep.ID, EventID: d.EventID,
		EventType: c.Event.Type, Attempt: number, Outcome: string(a.Outcome), StatusCode: a.StatusCode,
		LatencyMS: a.Latency.Milliseconds(), Response: a.Response, Error: errText, CreatedAt: now}
	if !w.finish(ctx, d, up, rec) {
		return
	}
	w.health(ctx, ep, a, up, now)
}

// attempt builds the message and sends it.
func (w *Worker) attempt(ctx context.Context, sender *Sender, c orgs.ClaimedWebhookDelivery) Attempt {
	msg, err := NewMessage(c.Event)
	if err != nil {
		return Attempt{EndpointID: c.Endpoint.ID, MessageID: c.Event.ID, SentAt: w.now(), Outcome: OutcomeInvalid, Err: err}
	}
	var secrets []Secret
	for _, s := range c.Endpoint.SigningSecrets(w.now()) {
		sec, err := ParseSecret(s)
		if err != nil {
			return Attempt{EndpointID: c.Endpoint.ID, MessageID: msg.ID, SentAt: w.now(), Outcome: OutcomeInvalid, Err: err}
		}
		secrets = append(secrets, sec)
	}
	return sender.Send(ctx, Endpoint{ID: c.Endpoint.ID, URL: c.Endpoint.URL, Secrets: secrets}, msg)
}

// finish records the attempt and the delivery's new state; it reports
// whether the claim still held.
func (w *Worker) finish(ctx context.Context, d orgs.WebhookDelivery, up orgs.WebhookDeliveryUpdate, a *orgs.WebhookAttempt) bool {
	err := w.ws.FinishWebhookAttempt(ctx, d, up, a)
	switch {
	case errors.Is(err, orgs.ErrLeaseLost):
		w.counters.leaseLost.Add(1)
		w.log.WarnContext(ctx, "webhooks: a delivery's lease passed to another worker during the attempt; the message may be sent twice",
			"endpoint_id", d.EndpointID, "event_id", d.EventID, "holder", w.opts.Holder)
		return false
	case err != nil:
		// The lease ends on its own and the delivery is attempted again.
		w.log.ErrorContext(ctx, "webhooks: recording an attempt failed", "endpoint_id", d.EndpointID, "event_id", d.EventID, "error", err)
		return false
	}
	return true
}

// health updates the endpoint after an attempt: a success ends its
// failing period, a message out of retries starts one, and an endpoint
// failing for longer than DisableAfter (or answering 410 Gone) is
// disabled.
func (w *Worker) health(ctx context.Context, ep orgs.WebhookEndpoint, a Attempt, up orgs.WebhookDeliveryUpdate, now time.Time) {
	var err error
	switch {
	case a.Succeeded():
		if ep.FailingSince != nil {
			err = w.ws.SetWebhookEndpointFailing(ctx, ep.ID, nil)
		}
	case a.StatusCode == http.StatusGone:
		w.disable(ctx, ep, orgs.DisabledGone)
	case ep.FailingSince != nil && !now.Before(ep.FailingSince.Add(w.opts.DisableAfter)):
		w.disable(ctx, ep, orgs.DisabledFailing)
	case up.State == orgs.DeliveryFailed && ep.FailingSince == nil:
		err = w.ws.SetWebhookEndpointFailing(ctx, ep.ID, &now)
		if err == nil {
			w.log.WarnContext(ctx, "webhooks: endpoint failing: a message exhausted its retries", "endpoint_id", ep.ID,
				"organization_id", ep.OrganizationID, "event_id", a.MessageID, "disable_after", w.opts.DisableAfter)
		}
	}
	if err != nil && !errors.Is(err, orgs.ErrNotFound) {
		w.log.ErrorContext(ctx, "webhooks: updating an endpoint's state failed", "endpoint_id", ep.ID, "error", err)
	}
}

// disable disables an endpoint through the Service, which records
// webhook_endpoint.disabled for an organization's endpoint.
func (w *Worker) disable(ctx context.Context, ep orgs.WebhookEndpoint, reason string) {
	ref := ep.OrganizationID
	if ep.IsHostLevel() {
		ref = orgs.AllOrganizations
	}
	got, err := w.svc.DisableWebhookEndpoint(ctx, orgs.SystemActor(), ref, ep.ID, reason)
	switch {
	case errors.Is(err, orgs.ErrNotFound):
	case err != nil:
		w.log.ErrorContext(ctx, "webhooks: disabling an endpoint failed", "endpoint_id", ep.ID, "error", err)
	case got.DisabledReason == reason:
		w.counters.disabled.Add(1)
		w.log.WarnContext(ctx, "webhooks: endpoint disabled", "endpoint_id", ep.ID, "organization_id", ep.OrganizationID, "reason", reason)
	}
}

// clip shortens s to at most n bytes of valid UTF-8 without NUL.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// randomString returns n random lower-case letters and digits.
func randomString(n int) string { return strings.ToLower(rand.Text()[:n]) }
