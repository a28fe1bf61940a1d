package orgs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Durable consumers: the event log read in order by named readers that
// remember where they stopped (see RunConsumer).

var (
	// ErrConsumerBusy: another reader holds the consumer's lease.
	ErrConsumerBusy = errors.New("orgs: the consumer is held by another reader")
	// ErrLeaseLost: the lease (of a consumer, or of a webhook delivery)
	// ended and another reader took over, or the position was reset; the
	// work since the last advance will be done again (at-least-once).
	ErrLeaseLost = errors.New("orgs: the lease was lost")
)

// Consumer defaults.
const (
	DefaultConsumerBatchSize = 100
	MaxConsumerBatchSize     = 1000
	DefaultConsumerLease     = 30 * time.Second
	DefaultConsumerPoll      = time.Second
	DefaultConsumerRetry     = time.Second
	maxConsumerRetry         = time.Minute
)

// EventHandler handles one event for a consumer. Returning nil lets the
// consumer move past the event; an error keeps it there, and the event is
// handled again (after ConsumerOptions.RetryDelay, by RunConsumer).
// Handlers must be idempotent: after a crash, or a lease lost to a slow
// handler, an event is handled again (at-least-once). Event.ID is a stable
// key for de-duplication.
type EventHandler func(ctx context.Context, e Event) error

// ConsumerOptions configure RunConsumer and ConsumeEvents. The zero value
// uses the defaults.
type ConsumerOptions struct {
	// BatchSize is how many events are read at a time, 1 to
	// MaxConsumerBatchSize; 0 means DefaultConsumerBatchSize. The position
	// is stored once per batch (and at the first handler error), so a
	// crash repeats at most one batch.
	BatchSize int
	// Lease is how long a claim on the consumer lasts without renewal
	// (default DefaultConsumerLease). The reader renews it between events
	// once a third of it has passed; a handler that runs longer than Lease
	// lets a standby reader take over, and the batch is handled twice.
	Lease time.Duration
	// PollInterval is how long RunConsumer waits when it has caught up or
	// another reader holds the lease (default DefaultConsumerPoll).
	PollInterval time.Duration
	// RetryDelay is RunConsumer's first wait after a handler or store
	// error (default DefaultConsumerRetry); it doubles on each failure in
	// a row, up to a minute.
	RetryDelay time.Duration
	// Holder names this reader in ListConsumers; empty means
	// "HOSTNAME-PID-RANDOM", new for each call.
	Holder string
}

func (o ConsumerOptions) withDefaults() (ConsumerOptions, error) {
	var fe fieldErrors
	switch {
	case o.BatchSize == 0:
		o.BatchSize = DefaultConsumerBatchSize
	case o.BatchSize < 1 || o.BatchSize > MaxConsumerBatchSize:
		fe.add("batch_size", fmt.Sprintf("must be between 1 and %d", MaxConsumerBatchSize))
	}
	if o.Lease < 0 || o.PollInterval < 0 || o.RetryDelay < 0 {
		fe.add("options", "durations must not be negative")
	}
	if o.Lease == 0 {
		o.Lease = DefaultConsumerLease
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultConsumerPoll
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = DefaultConsumerRetry
	}
	if o.Holder == "" {
		host, _ := os.Hostname()
		o.Holder = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomSuffix(6))
	}
	if validateText(o.Holder, 200, false) != nil {
		fe.add("holder", "must be at most 200 characters of text")
	}
	return o, fe.err()
}

// Consumer is a durable consumer as ListConsumers reports it.
type Consumer struct {
	Name string `json:"name"`
	// Position is the log position of the last event handled; "" before
	// the first. It is opaque.
	Position string `json:"position"`
	// Holder is the reader holding the lease, "" when no lease holds now.
	Holder     string     `json:"holder"`
	LeaseUntil *time.Time `json:"lease_until"`
	// Lag counts the events after Position: those still to handle.
	Lag       int       `json:"lag"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ConsumerReset says where ResetConsumer moves a consumer. The zero value
// is the start of the log: every event is handled again.
type ConsumerReset struct {
	// ToEnd skips every event in the log now.
	ToEnd bool
	// AfterEvent resumes after this event (in log order).
	AfterEvent string
}

// eventLog returns the store's EventLog capability after checking that
// actor is the system caller and name is a consumer name (unless name is
// anyName).
func (s *Service) eventLog(actor Actor, name string) (EventLog, error) {
	if err := actor.check(); err != nil {
		return nil, err
	}
	if !actor.system {
		return nil, ErrForbidden
	}
	if name != anyName && !validConsumerName(name) {
		return nil, invalid("name", "must be 1–64 ASCII letters, digits, '.', '_', ':' or '-'")
	}
	log, ok := s.store.(EventLog)
	if !ok {
		return nil, fmt.Errorf("orgs: durable consumers: the store does not implement orgs.EventLog: %w", errors.ErrUnsupported)
	}
	return log, nil
}

// anyName is eventLog's name for calls about every consumer; it is not a
// valid consumer name.
const anyName = "*"

func validConsumerName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// RunConsumer runs the durable consumer name until ctx ends: it reads the
// event log — every organization's events, in commit order — after the
// consumer's stored position, calls handle for each event, and stores the
// new position only after handle returned nil. Delivery is at-least-once:
// after a crash the consumer resumes after the last stored position, and
// events handled since are handled again.
//
// Only the system caller may run consumers (others get ErrForbidden). Any
// number of processes may run the same consumer: a lease in the store
// (ConsumerOptions.Lease) lets one of them read at a time, and the others
// stand by, polling, to take over when it stops renewing. Different names
// are independent consumers, each with its own position. A new consumer
// starts at the beginning of the log; ResetConsumer moves it.
//
// A handler error keeps the consumer at that event: RunConsumer logs it
// (WithLogger) and retries after ConsumerOptions.RetryDelay, doubling up to
// a minute. Store errors are retried the same way. RunConsumer returns
// ctx's error when ctx ends (releasing its lease), or at once an error for
// a bad call: ErrForbidden, a *ValidationError, or errors.ErrUnsupported
// when the store lacks the EventLog capability.
func (s *Service) RunConsumer(ctx context.Context, actor Actor, name string, opts ConsumerOptions, handle EventHandler) error {
	log, err := s.eventLog(actor, name)
	if err != nil {
		return err
	}
	if opts, err = opts.withDefaults(); err != nil {
		return err
	}
	if handle == nil {
		return invalid("handle", "is required")
	}
	defer func() { _ = log.ReleaseConsumer(context.WithoutCancel(ctx), name, opts.Holder) }()
	retry := opts.RetryDelay
	for {
		n, err := s.consumeBatch(ctx, log, name, opts, handle)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := time.Duration(0)
		switch {
		case errors.Is(err, ErrConsumerBusy):
			wait = opts.PollInterval
		case errors.Is(err, ErrLeaseLost):
			s.logger.InfoContext(ctx, "orgs: consumer lease lost; the batch will be handled again", "consumer", name, "holder", opts.Holder)
		case err != nil:
			s.logger.WarnContext(ctx, "orgs: consumer failed; retrying", "consumer", name, "holder", opts.Holder, "retry_in", retry, "error", err)
			wait = retry
			retry = min(2*retry, max(maxConsumerRetry, opts.RetryDelay))
		case n == 0:
			retry = opts.RetryDelay
			wait = opts.PollInterval
		default:
			retry = opts.RetryDelay
		}
		if wait > 0 && !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// ConsumeEvents runs one batch of the durable consumer name (see
// RunConsumer): it claims the consumer's lease, handles up to
// ConsumerOptions.BatchSize events after its position, stores the position
// of the last one handled, and releases the lease. It returns how many
// events were handled, and the first handler error (wrapped), after which
// it stops. With another reader holding the lease it fails with
// ErrConsumerBusy and handles nothing. Use it to drive a consumer from a
// scheduler of your own; RunConsumer loops on it.
func (s *Service) ConsumeEvents(ctx context.Context, actor Actor, name string, opts ConsumerOptions, handle EventHandler) (int, error) {
	log, err := s.eventLog(actor, name)
	if err != nil {
		return 0, err
	}
	if opts, err = opts.withDefaults(); err != nil {
		return 0, err
	}
	if handle == nil {
		return 0, invalid("handle", "is required")
	}
	defer func() { _ = log.ReleaseConsumer(context.WithoutCancel(ctx), name, opts.Holder) }()
	return s.consumeBatch(ctx, log, name, opts, handle)
}

// consumeBatch claims (or renews) the lease, reads a batch and handles it,
// advancing once at the end, at the first error, and whenever a third of
// the lease has passed.
func (s *Service) consumeBatch(ctx context.Context, log EventLog, name string, opts ConsumerOptions, handle EventHandler) (int, error) {
	claim := func() ConsumerClaim {
		now := s.clock()
		return ConsumerClaim{Name: name, Holder: opts.Holder, Now: now, Until: now.Add(opts.Lease)}
	}
	c := claim()
	st, err := log.ClaimConsumer(ctx, c)
	if err != nil {
		return 0, err
	}
	renewAt := c.Now.Add(opts.Lease / 3)
	events, err := log.ReadEventLog(ctx, st.Position, opts.BatchSize)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	stored, done := st.Position, st.Position
	advance := func() error {
		if err := log.AdvanceConsumer(context.WithoutCancel(ctx), claim(), stored, done); err != nil {
			return err
		}
		stored = done
		renewAt = s.clock().Add(opts.Lease / 3)
		return nil
	}
	n := 0
	for _, e := range events {
		if ctx.Err() != nil {
			break
		}
		if !s.clock().Before(renewAt) {
			if err := advance(); err != nil {
				return n, err
			}
		}
		if err := callHandler(ctx, handle, e.Event); err != nil {
			if aerr := advance(); aerr != nil {
				return n, errors.Join(aerr, err)
			}
			return n, fmt.Errorf("orgs: consumer %s: event %s: %w", name, e.ID, err)
		}
		done = e.Position
		n++
	}
	if done == stored {
		return n, nil
	}
	return n, advance()
}

// callHandler calls handle, turning a panic into an error.
func callHandler(ctx context.Context, handle EventHandler, e Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return handle(ctx, e)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// ListConsumers lists the durable consumers with their positions, lease
// holders and lag (the system caller only).
func (s *Service) ListConsumers(ctx context.Context, actor Actor) ([]Consumer, error) {
	log, err := s.eventLog(actor, anyName)
	if err != nil {
		return nil, err
	}
	states, err := log.ListConsumers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Consumer, 0, len(states))
	for _, st := range states {
		c, err := s.presentConsumer(ctx, log, st)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// GetConsumer returns one durable consumer (the system caller only).
func (s *Service) GetConsumer(ctx context.Context, actor Actor, name string) (*Consumer, error) {
	log, err := s.eventLog(actor, name)
	if err != nil {
		return nil, err
	}
	st, err := log.GetConsumer(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.presentConsumer(ctx, log, *st)
}

func (s *Service) presentConsumer(ctx context.Context, log EventLog, st ConsumerState) (*Consumer, error) {
	lag, err := log.CountEventsAfter(ctx, st.Position)
	if err != nil {
		return nil, err
	}
	c := &Consumer{Name: st.Name, Position: st.Position, Lag: lag, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt}
	if st.Holder != "" && st.LeaseUntil.After(s.clock()) {
		until := st.LeaseUntil
		c.Holder, c.LeaseUntil = st.Holder, &until
	}
	return c, nil
}

// ResetConsumer moves a durable consumer (creating it when it does not
// exist): to the start of the log (the zero ConsumerReset), to its end, or
// after an event (the system caller only). A reader running it notices at
// its next advance (ErrLeaseLost, logged) and goes on from the new
// position; the events of its batch in progress may be handled once more.
func (s *Service) ResetConsumer(ctx context.Context, actor Actor, name string, to ConsumerReset) (*Consumer, error) {
	log, err := s.eventLog(actor, name)
	if err != nil {
		return nil, err
	}
	if to.ToEnd && to.AfterEvent != "" {
		return nil, invalid("after_event", "cannot be combined with to_end")
	}
	pos := ""
	switch {
	case to.ToEnd:
		if pos, err = log.EventLogPosition(ctx, ""); err != nil {
			return nil, err
		}
	case to.AfterEvent != "":
		if !validID(PrefixEvent, to.AfterEvent) {
			return nil, ErrNotFound
		}
		if pos, err = log.EventLogPosition(ctx, to.AfterEvent); err != nil {
			return nil, err
		}
	}
	if err := log.SetConsumerPosition(ctx, name, pos, s.clock()); err != nil {
		return nil, err
	}
	return s.GetConsumer(ctx, actor, name)
}

// DeleteConsumer deletes a durable consumer's position (the system caller
// only); running it again starts from the beginning.
func (s *Service) DeleteConsumer(ctx context.Context, actor Actor, name string) error {
	log, err := s.eventLog(actor, name)
	if err != nil {
		return err
	}
	return log.DeleteConsumer(ctx, name)
}
