package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

var _ orgs.StatementTracer = (*Store)(nil)

// TraceStatements returns a Store over s's connection pool whose every
// statement is a span of tp (orgs.StatementTracer), named after the
// statement's operation ("SELECT", "INSERT"…), with the database system
// and the operation as attributes — never the statement's text, whose
// values bun formats into it (emails, token hashes). Closing either Store
// closes both.
func (s *Store) TraceStatements(tp trace.TracerProvider) orgs.Store {
	system := "sqlite"
	if s.d.Name == dialect.PG {
		system = "postgresql"
	}
	return s.WithQueryHook(&tracingHook{tracer: tp.Tracer("github.com/tenantkit/orgs/sql"), system: system})
}

// tracingHook is a bun.QueryHook that traces each statement.
type tracingHook struct {
	tracer trace.Tracer
	system string
}

var _ bun.QueryHook = (*tracingHook)(nil)

// spanKey keys a statement's span in its QueryEvent's Stash.
type spanKey struct{}

// BeforeQuery starts the statement's span and keeps it in the event, not
// in the context it returns: bun hands the context of BEGIN to every
// statement of the transaction, which would make them children of BEGIN.
// A pipeline (Postgres: several statements sent in one round trip, see
// pipeline.go) is one query event; it gets a span per statement, all
// lasting the round trip, so that a call's spans name its statements
// whichever way they were sent.
func (h *tracingHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	ops := []string{e.Operation()}
	if stmts, ok := e.Stash[pipelineKey{}].([]string); ok {
		ops = ops[:0]
		for _, st := range stmts {
			ops = append(ops, firstWord(st))
		}
	}
	spans := make([]trace.Span, len(ops))
	for i, op := range ops {
		op = statementOperation(op)
		_, spans[i] = h.tracer.Start(ctx, op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			attribute.String("db.system.name", h.system),
			attribute.String("db.operation.name", op)))
	}
	if e.Stash == nil {
		e.Stash = map[any]any{}
	}
	e.Stash[spanKey{}] = spans
	return ctx
}

func (h *tracingHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	spans, ok := e.Stash[spanKey{}].([]trace.Span)
	if !ok {
		return
	}
	for _, span := range spans {
		if e.Err != nil && !errors.Is(e.Err, sql.ErrNoRows) {
			// Not the error's text: a driver's message may quote a value.
			span.SetStatus(codes.Error, "statement failed")
		}
		span.End()
	}
}

// pipelineKey keys, in a pipeline's QueryEvent's Stash, its statements.
type pipelineKey struct{}

// firstWord is the first word of a statement, as bun's
// QueryEvent.Operation takes it from a query.
func firstWord(query string) string {
	query = strings.TrimLeft(query, " \t\r\n(")
	if i := strings.IndexAny(query, " \t\r\n("); i >= 0 {
		query = query[:i]
	}
	return strings.ToUpper(query)
}

// statementOperation is op when it is a plain SQL keyword (the first word
// of the statement), else "OTHER": nothing but a keyword leaves.
func statementOperation(op string) string {
	if op == "" {
		return "OTHER"
	}
	for i := 0; i < len(op); i++ {
		if c := op[i]; (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return "OTHER"
		}
	}
	return op
}
