package orgs

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"runtime"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Attribute keys of spans, metrics and logs.
const (
	AttrOperation    = "orgs.operation"       // the Service method, such as "AddMember"
	AttrOrganization = "orgs.organization.id" // the organization's ID, once known
	AttrOutcome      = "orgs.outcome"         // "ok", or the error code (ErrorCode)
	AttrErrorCode    = "orgs.error.code"      // the error code, on orgs.errors
	AttrActorType    = "orgs.actor.type"      // "user" or "system"
)

// instrumentation is the OpenTelemetry instrumentation scope.
const instrumentation = "github.com/tenantkit/orgs"

// WithTracerProvider traces Service calls (and, on a store with
// StatementTracer, its SQL statements) with tp.
//
// Observability goes through the OpenTelemetry API only — the host chooses
// exporters and SDK — and is off unless the host passes a provider:
//
//   - WithTracerProvider: a span per Service call, named "orgs.<Method>",
//     with the attributes AttrOperation, AttrActorType, AttrOrganization
//     and AttrOutcome (never a token, an email or a user ID);
//     and, on a store with StatementTracer (the SQL stores), a span per SQL
//     statement, naming the operation (SELECT, INSERT…) but never the
//     statement, whose values may be emails or token hashes.
//   - WithMeterProvider: the counters orgs.calls (by operation and
//     outcome) and orgs.errors (by operation and error code), and the
//     histogram orgs.duration (seconds, by operation and outcome).
//
// Calls are observed where every call passes: the transaction of every
// change (its span covers the lock, the checks, the writes and the
// events), the read of the organization every read starts with (its span
// covers that read and the authorization; the list that follows is traced
// by its SQL span), and the reads that read no organization first
// (ListOrganizations, GetOrganizationByExternalID, Authorize,
// PreviewInvitation, ListMyInvitations). A call refused by validation
// before it reaches the store is not observed.
//
// The Service's logs (WithLogger) carry the same attribute keys: a call
// that fails with an internal error is logged at level Error, and every
// observed call at level Debug.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(s *Service) error {
		if tp == nil {
			return nil
		}
		s.obs.tp = tp
		s.obs.tracer = tp.Tracer(instrumentation)
		return nil
	}
}

// WithMeterProvider records the Service's metrics with mp (see
// WithTracerProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(s *Service) error {
		if mp == nil {
			return nil
		}
		m := mp.Meter(instrumentation)
		var err error
		o := &s.obs
		if o.calls, err = m.Int64Counter("orgs.calls", metric.WithDescription("Service calls, by operation and outcome")); err != nil {
			return err
		}
		if o.errors, err = m.Int64Counter("orgs.errors", metric.WithDescription("Service calls that failed, by operation and error code")); err != nil {
			return err
		}
		if o.duration, err = m.Float64Histogram("orgs.duration", metric.WithUnit("s"),
			metric.WithDescription("Service call latency, by operation and outcome")); err != nil {
			return err
		}
		o.metered = true
		return nil
	}
}

// StatementTracer is an optional Store capability: the same store, tracing
// each SQL statement as a span of tp — the operation and the database, and
// never the statement's text or values. New uses it when given
// WithTracerProvider.
type StatementTracer interface {
	TraceStatements(tp trace.TracerProvider) Store
}

// observer holds the Service's instruments; the zero value observes
// nothing but logs.
type observer struct {
	tp       trace.TracerProvider
	tracer   trace.Tracer
	metered  bool
	calls    metric.Int64Counter
	errors   metric.Int64Counter
	duration metric.Float64Histogram
}

// call is one observed Service call.
type call struct {
	s     *Service
	ctx   context.Context
	actor Actor
	op    string
	orgID string
	start time.Time
	span  trace.Span
}

// observe starts observing a Service call by actor: the span, when
// tracing, becomes the parent of what ctx reaches.
func (s *Service) observe(ctx context.Context, actor Actor) (context.Context, *call) {
	c := &call{s: s, ctx: ctx, actor: actor}
	if s.obs.tracer == nil && !s.obs.metered {
		return ctx, c
	}
	c.op, c.start = operation(), time.Now()
	if s.obs.tracer != nil {
		ctx, c.span = s.obs.tracer.Start(ctx, "orgs."+c.op, trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithAttributes(attribute.String(AttrOperation, c.op), attribute.String(AttrActorType, actor.kind())))
		c.ctx = ctx
	}
	return ctx, c
}

// organization records the call's organization.
func (c *call) organization(org *Organization) {
	if org != nil {
		c.orgID = org.ID
	}
}

// end ends the call with its outcome.
func (c *call) end(err error) {
	s := c.s
	outcome := ErrorCode(err)
	logLevel := slog.LevelDebug
	if outcome == codeInternal {
		logLevel = slog.LevelError
	}
	logging := s.logger.Enabled(c.ctx, logLevel)
	if c.span == nil && !s.obs.metered && !logging {
		return
	}
	if c.op == "" {
		c.op = operation()
	}
	attrs := []attribute.KeyValue{attribute.String(AttrOperation, c.op), attribute.String(AttrOutcome, outcome)}
	if c.span != nil {
		if c.orgID != "" {
			c.span.SetAttributes(attribute.String(AttrOrganization, c.orgID))
		}
		c.span.SetAttributes(attribute.String(AttrOutcome, outcome))
		if outcome == codeInternal {
			c.span.SetStatus(codes.Error, "internal error")
		}
		c.span.End()
	}
	if s.obs.metered {
		set := metric.WithAttributes(attrs...)
		s.obs.calls.Add(c.ctx, 1, set)
		s.obs.duration.Record(c.ctx, time.Since(c.start).Seconds(), set)
		if outcome != codeOK {
			s.obs.errors.Add(c.ctx, 1, metric.WithAttributes(attribute.String(AttrOperation, c.op), attribute.String(AttrErrorCode, outcome)))
		}
	}
	if logging {
		la := []slog.Attr{slog.String(AttrOperation, c.op), slog.String(AttrOutcome, outcome), slog.String(AttrActorType, c.actor.kind())}
		if c.orgID != "" {
			la = append(la, slog.String(AttrOrganization, c.orgID))
		}
		if outcome == codeInternal {
			la = append(la, slog.Any("error", err))
		}
		s.logger.LogAttrs(c.ctx, logLevel, "orgs: call", la...)
	}
}

// kind is the actor's type, as events record it.
func (a Actor) kind() string {
	if a.system {
		return ActorTypeSystem
	}
	return ActorTypeUser
}

// servicePrefix is how the runtime names the Service's methods.
var servicePrefix = reflect.TypeFor[Service]().PkgPath() + ".(*Service)."

// operation names the exported Service method on the stack: the
// innermost one, so that a call that makes another (GetOrganizationDetail
// reads through GetOrganization) is named after the one that reads.
func operation() string {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if name, ok := strings.CutPrefix(f.Function, servicePrefix); ok && name != "" && name[0] >= 'A' && name[0] <= 'Z' &&
			!strings.ContainsRune(name, '.') {
			return name
		}
		if !more {
			return "unknown"
		}
	}
}

const (
	codeOK       = "ok"
	codeInternal = "internal"
)

// errorCodes are the codes ErrorCode answers, by sentinel; the first match
// wins.
var errorCodes = []struct {
	err  error
	code string
}{
	{errUnchanged, "ok"}, // a change with nothing to do succeeded
	{ErrUnauthenticated, "unauthenticated"},
	{ErrInvalid, "validation_failed"},
	{ErrEmailMismatch, "email_mismatch"},
	{ErrForbidden, "forbidden"},
	{ErrNotFound, "not_found"},
	{ErrSlugTaken, "slug_taken"},
	{ErrHandleTaken, "handle_taken"},
	{ErrExternalIDTaken, "external_id_taken"},
	{ErrNameTaken, "name_taken"},
	{ErrDomainTaken, "domain_taken"},
	{ErrLastOwner, "last_owner"},
	{ErrAlreadyMember, "already_member"},
	{ErrNotMember, "not_member"},
	{ErrAlreadyInvited, "already_invited"},
	{ErrInvitationNotPending, "invitation_not_pending"},
	{ErrLimitExceeded, "limit_exceeded"},
	{ErrRoleInUse, "role_in_use"},
	{ErrInvitationExpired, "invitation_expired"},
	{ErrResendTooSoon, "resend_too_soon"},
	{ErrDomainCheckFailed, "domain_check_failed"},
	{ErrClosed, "closed"},
	{ErrNotMigrated, "not_migrated"},
	{errors.ErrUnsupported, "not_implemented"},
	{context.Canceled, "canceled"},
	{context.DeadlineExceeded, "deadline_exceeded"},
}

// ErrorCode is the stable code of err, as observability records it: "ok"
// for nil, the code of the sentinel it wraps (the same codes as httpapi's
// problems: "not_found", "slug_taken"…), and "internal" for anything else.
func ErrorCode(err error) string {
	if err == nil {
		return codeOK
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return codeInternal
}
