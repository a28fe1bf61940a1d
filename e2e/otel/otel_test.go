// Package otel tests the Service's OpenTelemetry instrumentation with the
// OpenTelemetry SDK's in-memory exporters, on SQLite and Postgres. It lives
// in the e2e module so that the SDK never reaches a host's go.mod: the root
// module depends on the OpenTelemetry API only.
package otel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
)

// eachDB runs fn on a fresh store of each backend.
func eachDB(t *testing.T, fn func(t *testing.T, st *sqlstore.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, testdb.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, testdb.Postgres(t)) })
}

// secrets are values that must never appear in a span, a metric or a log
// attribute: emails, tokens, user IDs.
type secrets []string

func (s secrets) check(t *testing.T, where, text string) {
	t.Helper()
	for _, v := range s {
		if v != "" && strings.Contains(text, v) {
			t.Errorf("%s shows %q: %s", where, v, text)
		}
	}
}

func TestServiceTelemetry(t *testing.T) {
	eachDB(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := context.Background()
		spans := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		var logs bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		svc, err := orgs.New(st, orgs.WithTracerProvider(tp), orgs.WithMeterProvider(mp), orgs.WithLogger(logger),
			orgs.WithSeed(orgs.SeedNone))
		if err != nil {
			t.Fatal(err)
		}
		alice, bob := orgs.UserActor("alice-7f3a"), orgs.UserActor("bob-91c2")
		if err := svc.PutUser(ctx, orgs.User{ID: "bob-91c2", Email: "bob.secret@example.com"}); err != nil {
			t.Fatal(err)
		}

		// The host's own span is the parent of ours.
		ctx, root := tp.Tracer("host").Start(ctx, "host request")
		org, err := svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := svc.CreateInvitation(ctx, alice, "acme", orgs.InvitationInput{Email: "bob.secret@example.com", Role: orgs.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PreviewInvitation(ctx, bob, inv.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptInvitation(ctx, bob, inv.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddMember(ctx, alice, "acme", "bob-91c2", orgs.RoleMember); !errors.Is(err, orgs.ErrAlreadyMember) {
			t.Fatalf("AddMember: %v", err)
		}
		if _, err := svc.GetOrganization(ctx, orgs.UserActor("mallory"), "acme"); !errors.Is(err, orgs.ErrNotFound) {
			t.Fatalf("GetOrganization: %v", err)
		}
		if _, err := svc.Authorize(ctx, bob, "acme", orgs.PermMembersRead); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ListMembers(ctx, bob, "acme", orgs.MemberQuery{}); err != nil {
			t.Fatal(err)
		}
		root.End()

		secret := secrets{"bob.secret@example.com", inv.Token, "alice-7f3a", "bob-91c2", "mallory"}
		byName := map[string]sdktrace.ReadOnlySpan{}
		var sql []sdktrace.ReadOnlySpan
		for _, s := range spans.Ended() {
			text := s.Name()
			for _, a := range s.Attributes() {
				text += " " + string(a.Key) + "=" + a.Value.String()
			}
			text += " " + s.Status().Description
			for _, e := range s.Events() {
				text += " " + e.Name
			}
			secret.check(t, "span "+s.Name(), text)
			switch {
			case strings.HasPrefix(s.Name(), "orgs."):
				byName[s.Name()] = s
			case s.InstrumentationScope().Name == "github.com/tenantkit/orgs/sql":
				sql = append(sql, s)
			}
		}
		for name, want := range map[string]map[string]string{
			"orgs.CreateOrganization": {"orgs.operation": "CreateOrganization", "orgs.outcome": "ok", "orgs.organization.id": org.ID, "orgs.actor.type": "user"},
			"orgs.CreateInvitation":   {"orgs.outcome": "ok", "orgs.organization.id": org.ID},
			"orgs.PreviewInvitation":  {"orgs.outcome": "ok", "orgs.organization.id": org.ID},
			"orgs.AcceptInvitation":   {"orgs.outcome": "ok", "orgs.organization.id": org.ID},
			"orgs.AddMember":          {"orgs.outcome": "already_member", "orgs.organization.id": org.ID},
			"orgs.GetOrganization":    {"orgs.outcome": "not_found"},
			"orgs.Authorize":          {"orgs.outcome": "ok", "orgs.organization.id": org.ID},
			"orgs.ListMembers":        {"orgs.outcome": "ok", "orgs.organization.id": org.ID},
		} {
			s, ok := byName[name]
			if !ok {
				t.Errorf("no span %s (have %v)", name, keys(byName))
				continue
			}
			got := map[string]string{}
			for _, a := range s.Attributes() {
				got[string(a.Key)] = a.Value.String()
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %s = %q, want %q (all: %v)", name, k, got[k], v, got)
				}
			}
			if s.Parent().SpanID() != root.SpanContext().SpanID() {
				t.Errorf("%s is not a child of the host's span", name)
			}
		}

		// SQL statements: spans under the call's span, with the operation
		// and the system, never the statement.
		if len(sql) == 0 {
			t.Fatal("no SQL spans")
		}
		create := byName["orgs.CreateOrganization"]
		var underCreate []string
		for _, s := range sql {
			attrs := map[string]string{}
			for _, a := range s.Attributes() {
				attrs[string(a.Key)] = a.Value.String()
			}
			if attrs["db.system.name"] == "" || attrs["db.operation.name"] != s.Name() || len(attrs) != 2 {
				t.Errorf("SQL span %s: %v", s.Name(), attrs)
			}
			if s.Parent().SpanID() == create.SpanContext().SpanID() {
				underCreate = append(underCreate, s.Name())
			}
		}
		if !contains(underCreate, "INSERT") {
			t.Errorf("the organization's INSERT is not under orgs.CreateOrganization: %v", underCreate)
		}

		// Metrics: calls by outcome, errors by code, latency.
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(ctx, &rm); err != nil {
			t.Fatal(err)
		}
		calls, errs, durations := map[string]int64{}, map[string]int64{}, map[string]uint64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				switch d := m.Data.(type) {
				case metricdata.Sum[int64]:
					for _, p := range d.DataPoints {
						op, _ := p.Attributes.Value("orgs.operation")
						out, _ := p.Attributes.Value("orgs.outcome")
						code, _ := p.Attributes.Value("orgs.error.code")
						switch m.Name {
						case "orgs.calls":
							calls[op.AsString()+"/"+out.AsString()] += p.Value
						case "orgs.errors":
							errs[op.AsString()+"/"+code.AsString()] += p.Value
						}
					}
				case metricdata.Histogram[float64]:
					for _, p := range d.DataPoints {
						op, _ := p.Attributes.Value("orgs.operation")
						durations[op.AsString()] += p.Count
					}
				}
			}
		}
		for k, want := range map[string]int64{"CreateOrganization/ok": 1, "AddMember/already_member": 1, "GetOrganization/not_found": 1,
			"Authorize/ok": 1, "AcceptInvitation/ok": 1} {
			if calls[k] != want {
				t.Errorf("orgs.calls %s = %d, want %d (all: %v)", k, calls[k], want, calls)
			}
		}
		if errs["AddMember/already_member"] != 1 || errs["GetOrganization/not_found"] != 1 || errs["CreateOrganization/ok"] != 0 {
			t.Errorf("orgs.errors: %v", errs)
		}
		if durations["CreateOrganization"] != 1 || durations["ListMembers"] != 1 {
			t.Errorf("orgs.duration counts: %v", durations)
		}
		mj, _ := json.Marshal(rm)
		secret.check(t, "metrics", string(mj))

		// Logs: the same keys, the same values.
		found := false
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			secret.check(t, "log", line)
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatal(err)
			}
			if rec["orgs.operation"] == "AddMember" {
				found = true
				if rec["orgs.outcome"] != "already_member" || rec["orgs.organization.id"] != org.ID || rec["level"] != "DEBUG" {
					t.Errorf("log of AddMember: %v", rec)
				}
			}
		}
		if !found {
			t.Errorf("no log record of AddMember:\n%s", logs.String())
		}
	})
}

// TestTelemetryOffByDefault: without the options the Service records
// nothing, even with a global provider set.
func TestTelemetryOffByDefault(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prevT, prevM := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	t.Cleanup(func() { otel.SetTracerProvider(prevT); otel.SetMeterProvider(prevM) })

	svc, err := orgs.New(testdb.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOrganization(context.Background(), orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if n := len(spans.Ended()); n != 0 {
		t.Errorf("%d spans without WithTracerProvider", n)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if len(rm.ScopeMetrics) != 0 {
		t.Errorf("metrics without WithMeterProvider: %+v", rm.ScopeMetrics)
	}
}

// TestInternalErrorsObserved: a call that fails inside the store is an
// internal outcome: the span's status is an error (without the cause's
// text) and the log says so at level Error, with the cause.
func TestInternalErrorsObserved(t *testing.T) {
	st := testdb.SQLite(t)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	var logs bytes.Buffer
	svc, err := orgs.New(st, orgs.WithTracerProvider(tp), orgs.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	_, err = svc.GetOrganization(context.Background(), orgs.UserActor("alice"), "acme")
	if !errors.Is(err, orgs.ErrClosed) {
		t.Fatalf("GetOrganization on a closed store: %v", err)
	}
	if orgs.ErrorCode(err) != "closed" || orgs.ErrorCode(errors.New("x")) != "internal" || orgs.ErrorCode(nil) != "ok" {
		t.Errorf("ErrorCode: %q", orgs.ErrorCode(err))
	}
	_, err = svc.ListMembers(context.Background(), orgs.UserActor("alice"), "acme", orgs.MemberQuery{})
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(logs.String(), "\"level\":\"ERROR\"") {
		// A closed store is reported as "closed", not an internal error.
		t.Errorf("closed logged as an internal error: %s", logs.String())
	}

	// A store failing with an error of its own: internal.
	spans = tracetest.NewSpanRecorder()
	tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	logs.Reset()
	svc, err = orgs.New(failingStore{testdb.SQLite(t)}, orgs.WithTracerProvider(tp), orgs.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.GetOrganization(context.Background(), orgs.UserActor("alice"), "acme")
	if orgs.ErrorCode(err) != "internal" {
		t.Fatalf("err %v", err)
	}
	ended := spans.Ended()
	if len(ended) != 1 || ended[0].Name() != "orgs.GetOrganization" || ended[0].Status().Code != codes.Error ||
		strings.Contains(ended[0].Status().Description, "disk") {
		t.Fatalf("spans: %+v", ended)
	}
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	if rec["level"] != "ERROR" || rec["orgs.operation"] != "GetOrganization" || rec["orgs.outcome"] != "internal" ||
		!strings.Contains(rec["error"].(string), "disk on fire") {
		t.Errorf("log: %v", rec)
	}
}

// failingStore fails every organization read with an error of its own.
type failingStore struct{ orgs.Store }

func (failingStore) GetOrganization(context.Context, orgs.OrganizationKey, string) (*orgs.Organization, error) {
	return nil, errors.New("disk on fire")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
