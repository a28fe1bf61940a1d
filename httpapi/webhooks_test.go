package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/webhooks"
)

// fixtureWebhooks holds the endpoint webhook made for each fixture.
var fixtureWebhooks sync.Map // *fixture → endpoint ID

// webhook returns an endpoint of the fixture's organization, made (as the
// owner) on first use.
func (f *fixture) webhook() string {
	f.e.t.Helper()
	if id, ok := fixtureWebhooks.Load(f); ok {
		if _, err := f.e.svc.GetWebhookEndpoint(context.Background(), orgs.UserActor(owner), f.slug, id.(string)); err == nil {
			return id.(string)
		}
	}
	ep, err := f.e.svc.CreateWebhookEndpoint(context.Background(), orgs.UserActor(owner), f.slug,
		orgs.WebhookEndpointInput{URL: "https://hooks.example.com/" + f.slug})
	if err != nil {
		f.e.t.Fatal(err)
	}
	fixtureWebhooks.Store(f, ep.ID)
	return ep.ID
}

// endpointJSON is an endpoint as the API answers it, secret included.
type endpointJSON struct {
	orgs.WebhookEndpoint
	Secret string `json:"secret"`
}

func TestWebhooks(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db, orgs.WithWebhookOptions(orgs.WebhookOptions{AllowHTTP: true}))
		f := e.fixture("acme")
		base := "/organizations/" + f.slug + "/webhooks"

		// A receiver the worker delivers to (loopback, allowed here).
		var got atomic.Int32
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.Add(1)
			io.WriteString(w, "thanks")
		}))
		defer recv.Close()

		e.clock.Advance(time.Second) // the fixture's events are older than the endpoint: not sent
		var created endpointJSON
		e.call("POST", base, admin, map[string]any{"url": recv.URL + "/hook", "description": "CRM",
			"event_types": []string{"member.added", "member.removed"}}).ok(201, &created)
		ep := created.WebhookEndpoint
		if !strings.HasPrefix(ep.ID, "ep_") || !strings.HasPrefix(created.Secret, "whsec_") || !ep.Enabled ||
			!slices.Equal(ep.EventTypes, []orgs.EventType{"member.added", "member.removed"}) || ep.FailingSince != nil {
			t.Fatalf("created %+v", created)
		}
		var l orgs.List[endpointJSON]
		e.call("GET", base, admin, nil).ok(200, &l)
		if len(l.Data) != 1 || l.Data[0].ID != ep.ID || l.Data[0].Secret != "" {
			t.Fatalf("list %+v: want the endpoint without its secret", l)
		}
		var one endpointJSON
		e.call("GET", base+"/"+ep.ID, owner, nil).ok(200, &one)
		if one.Secret != "" || one.URL != recv.URL+"/hook" {
			t.Fatalf("get %+v", one)
		}
		e.call("GET", base, member, nil).problem(403, CodeForbidden)
		e.call("GET", base, outsider, nil).problem(404, CodeNotFound)
		e.call("GET", "/organizations/*/webhooks", owner, nil).problem(404, CodeNotFound) // host-level: not over HTTP
		e.call("GET", "/organizations/"+f.rivalSlug+"/webhooks/"+ep.ID, rival, nil).problem(404, CodeNotFound)

		// The worker delivers a member.added; the attempt log shows it.
		w, err := webhooks.NewWorker(e.svc, webhooks.WorkerOptions{
			Client: webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true}),
			Now:    e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddMember(context.Background(), orgs.UserActor(owner), f.slug, "newbie", orgs.RoleMember); err != nil {
			t.Fatal(err)
		}
		// deliver runs the worker until the receiver has want requests (on
		// Postgres the event log may lag while another transaction on the
		// server is open).
		deliver := func(want int32) {
			t.Helper()
			deadline := time.Now().Add(time.Minute)
			for got.Load() < want && time.Now().Before(deadline) {
				if _, err := w.FanOut(context.Background()); err != nil {
					t.Fatal(err)
				}
				if _, err := w.DeliverDue(context.Background()); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
		}
		deliver(1)
		if got.Load() != 1 {
			t.Fatalf("the receiver got %d requests", got.Load())
		}
		var as orgs.List[orgs.WebhookAttempt]
		e.call("GET", base+"/"+ep.ID+"/attempts", admin, nil).ok(200, &as)
		if len(as.Data) != 1 || as.Data[0].Outcome != "success" || as.Data[0].StatusCode != 200 || as.Data[0].Response != "thanks" ||
			as.Data[0].EventType != "member.added" || as.Data[0].Attempt != 1 {
			t.Fatalf("attempts %+v", as)
		}
		msgID := as.Data[0].EventID
		e.call("GET", base+"/"+ep.ID+"/attempts?event_id="+msgID+"&limit=1", admin, nil).ok(200, &as)
		if len(as.Data) != 1 || as.HasMore {
			t.Fatalf("attempts of %s: %+v", msgID, as)
		}
		e.call("GET", base+"/"+ep.ID+"/attempts", member, nil).problem(403, CodeForbidden)

		// Replay the message, then a range; the worker sends again.
		var rep struct{ Count int }
		e.call("POST", base+"/"+ep.ID+"/replay", admin, map[string]any{"event_id": msgID}).ok(202, &rep)
		if rep.Count != 1 {
			t.Fatalf("replay: %+v", rep)
		}
		deliver(2)
		if got.Load() != 2 {
			t.Fatalf("after the replay the receiver got %d requests", got.Load())
		}
		since := e.clock.Now().UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
		e.call("POST", base+"/"+ep.ID+"/replay", admin, map[string]any{"since": since}).ok(202, &rep)
		if rep.Count != 1 {
			t.Fatalf("replay of a range: %+v (only member.added events count)", rep)
		}
		e.call("POST", base+"/"+ep.ID+"/replay", admin, map[string]any{"event_id": orgs.NewID(orgs.PrefixEvent)}).problem(404, CodeNotFound)

		// Update, disable, enable.
		var up endpointJSON
		e.call("PATCH", base+"/"+ep.ID, admin, map[string]any{"enabled": false, "event_types": []string{}}).ok(200, &up)
		if up.Enabled || up.DisabledReason != "manual" || len(up.EventTypes) != 0 || up.Secret != "" {
			t.Fatalf("updated %+v", up)
		}
		e.call("PATCH", base+"/"+ep.ID, admin, map[string]any{"enabled": true}).ok(200, &up)
		if !up.Enabled || up.DisabledReason != "" {
			t.Fatalf("re-enabled %+v", up)
		}

		// Rotate: the new secret shown once; overlap 0 ends the old one.
		var rot endpointJSON
		e.call("POST", base+"/"+ep.ID+"/rotate-secret", admin, map[string]any{}).ok(200, &rot)
		if rot.Secret == "" || rot.Secret == created.Secret || rot.PreviousSecretExpiresAt == nil {
			t.Fatalf("rotated %+v", rot)
		}
		e.call("POST", base+"/"+ep.ID+"/rotate-secret", admin, map[string]any{"overlap_seconds": 0}).ok(200, &rot)
		if rot.PreviousSecretExpiresAt != nil {
			t.Fatalf("rotated without overlap %+v", rot)
		}

		// The limits: endpoints per organization, messages per replay.
		cappedSvc, err := orgs.New(e.store, orgs.WithClock(e.clock.Now),
			orgs.WithWebhookOptions(orgs.WebhookOptions{MaxEndpointsPerOrganization: 1, MaxReplayEvents: 1}))
		if err != nil {
			t.Fatal(err)
		}
		capped := newEnvOn(t, e, cappedSvc)
		before := e.rowCounts()
		capped.call("POST", base, admin, map[string]any{"url": "https://hooks.example.com/2"}).problem(409, CodeLimitExceeded)
		capped.call("POST", base+"/"+ep.ID+"/replay", admin, map[string]any{"since": "2000-01-01T00:00:00Z"}).problem(409, CodeLimitExceeded)
		if after := e.rowCounts(); !maps.Equal(before, after) {
			t.Fatalf("refused, but written: %v -> %v", before, after)
		}

		// Delete.
		e.call("DELETE", base+"/"+ep.ID, admin, nil).ok(204, nil)
		e.call("GET", base+"/"+ep.ID, admin, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/"+ep.ID+"/attempts", admin, nil).problem(404, CodeNotFound)
	})
}

// TestWebhookBadInput: every bad request to the webhook routes is a 4xx
// problem naming the field, and writes nothing.
func TestWebhookBadInput(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug + "/webhooks"
		id := f.webhook()
		long := strings.Repeat("a", 3000)
		for _, c := range []struct {
			method, path string
			body         any
			status       int
			code, field  string
		}{
			{"POST", base, map[string]any{}, 422, CodeValidationFailed, "url"},
			{"POST", base, map[string]any{"url": "http://hooks.example.com/"}, 422, CodeValidationFailed, "url"},
			{"POST", base, map[string]any{"url": "https://u:p@hooks.example.com/"}, 422, CodeValidationFailed, "url"},
			{"POST", base, map[string]any{"url": "https://hooks.example.com/" + long}, 422, CodeValidationFailed, "url"},
			{"POST", base, map[string]any{"url": "https://hooks.example.com/\u0000"}, 422, CodeValidationFailed, "url"},
			{"POST", base, map[string]any{"url": "javascript:alert(1)"}, 422, CodeValidationFailed, "url"},
			{"POST", base, map[string]any{"url": 42}, 422, CodeValidationFailed, "url"},
			{"POST", base, map[string]any{"url": "https://hooks.example.com/", "event_types": []string{"member.joined"}}, 422, CodeValidationFailed, "event_types"},
			{"POST", base, map[string]any{"url": "https://hooks.example.com/", "event_types": "member.added"}, 422, CodeValidationFailed, "event_types"},
			{"POST", base, map[string]any{"url": "https://hooks.example.com/", "description": long}, 422, CodeValidationFailed, "description"},
			{"POST", base, map[string]any{"url": "https://hooks.example.com/", "secret": "hunter2"}, 422, CodeValidationFailed, "secret"},
			{"POST", base, map[string]any{"url": "https://hooks.example.com/", "enabled": "yes"}, 422, CodeValidationFailed, "enabled"},
			{"PATCH", base + "/" + id, map[string]any{"url": ""}, 422, CodeValidationFailed, "url"},
			{"PATCH", base + "/" + id, map[string]any{"event_types": []any{1}}, 422, CodeValidationFailed, "event_types"},
			{"PATCH", base + "/" + id, map[string]any{"id": "ep_x"}, 422, CodeValidationFailed, "id"},
			{"PATCH", base + "/ep_nope", map[string]any{"description": "x"}, 404, CodeNotFound, ""},
			{"POST", base + "/" + id + "/rotate-secret", map[string]any{"overlap_seconds": -1}, 422, CodeValidationFailed, "overlap_seconds"},
			{"POST", base + "/" + id + "/rotate-secret", map[string]any{"overlap_seconds": 604801}, 422, CodeValidationFailed, "overlap_seconds"},
			{"POST", base + "/" + id + "/rotate-secret", map[string]any{"overlap_seconds": 1e30}, 422, CodeValidationFailed, "overlap_seconds"},
			{"POST", base + "/" + id + "/rotate-secret", map[string]any{"secret": "whsec_"}, 422, CodeValidationFailed, "secret"},
			{"POST", base + "/" + id + "/replay", map[string]any{}, 422, CodeValidationFailed, "since"},
			{"POST", base + "/" + id + "/replay", map[string]any{"since": "yesterday"}, 422, CodeValidationFailed, "since"},
			{"POST", base + "/" + id + "/replay", map[string]any{"since": "2026-01-01T00:00:00Z", "until": "2025-01-01T00:00:00Z"}, 422, CodeValidationFailed, "until"},
			{"POST", base + "/" + id + "/replay", map[string]any{"event_id": "evt_x"}, 422, CodeValidationFailed, "event_id"},
			{"POST", base + "/" + id + "/replay", map[string]any{"event_id": orgs.NewID(orgs.PrefixEvent), "since": "2026-01-01T00:00:00Z"}, 422, CodeValidationFailed, "event_id"},
			{"POST", base + "/ep_nope/replay", map[string]any{"since": "2026-01-01T00:00:00Z"}, 404, CodeNotFound, ""},
			{"GET", base + "/" + id + "/attempts?limit=0", nil, 422, CodeValidationFailed, "limit"},
			{"GET", base + "/" + id + "/attempts?event_id=nope", nil, 422, CodeValidationFailed, "event_id"},
			{"GET", base + "/" + id + "/attempts?after=!!", nil, 422, CodeValidationFailed, "after"},
			{"DELETE", base + "/ep_%00", nil, 404, CodeNotFound, ""},
			{"DELETE", "/organizations/%2A/webhooks/" + id, nil, 404, CodeNotFound, ""},
		} {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				e.t = t
				before := e.rowCounts()
				resp := e.call(c.method, c.path, owner, c.body, badRequest())
				if resp.Status >= 500 {
					t.Fatalf("%d: %s", resp.Status, resp.Body)
				}
				if c.field != "" {
					resp.invalid(c.field)
				} else {
					resp.problem(c.status, c.code)
				}
				if after := e.rowCounts(); !maps.Equal(before, after) {
					t.Fatalf("bad input, but written: %v -> %v", before, after)
				}
			})
		}
	})
}

// TestOpenAPIEventTypes: every event-type enum in the document lists
// exactly orgs.AllEventTypes.
func TestOpenAPIEventTypes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Event struct {
					Properties struct {
						Type struct {
							Enum []string `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Event"`
				EventType struct {
					Enum []string `json:"enum"`
				} `json:"EventType"`
			} `json:"schemas"`
			Parameters struct {
				Type struct {
					Schema struct {
						Enum []string `json:"enum"`
					} `json:"schema"`
				} `json:"type"`
			} `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, et := range orgs.AllEventTypes {
		want = append(want, string(et))
	}
	slices.Sort(want)
	for name, got := range map[string][]string{
		"Event.type":     doc.Components.Schemas.Event.Properties.Type.Enum,
		"EventType":      doc.Components.Schemas.EventType.Enum,
		"parameter type": doc.Components.Parameters.Type.Schema.Enum,
	} {
		got = slices.Sorted(slices.Values(got))
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %v, want orgs.AllEventTypes %v", name, got, want)
		}
	}
}
