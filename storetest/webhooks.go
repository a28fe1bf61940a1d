package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testkit"
)

// TestWebhooks covers webhook endpoints through the Service (permissions,
// validation, secrets shown once, rotation, events, limits, host-level
// endpoints) and the optional capability orgs.WebhookStore (deliveries
// enqueued once, exclusive claims and leases, the attempt log, replays,
// cascades). A store without the capability skips the area, saying so.
func TestWebhooks(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"Endpoints", testWebhookEndpoints},
		{"BadInputWritesNothing", testWebhookBadInput},
		{"HostLevel", testWebhookHostLevel},
		{"SecretRotation", testWebhookRotation},
		{"EndpointLimitConcurrency", testWebhookEndpointLimit},
		{"DeliveriesAndClaims", testWebhookDeliveries},
		{"ClaimStorm", testWebhookClaimStorm},
		{"Replay", testWebhookReplay},
		{"Cascades", testWebhookCascades},
		{"Failing", testWebhookFailing},
	})
}

// needWebhooks returns the store's WebhookStore, or skips the test.
func needWebhooks(t *testing.T, store orgs.Store) orgs.WebhookStore {
	t.Helper()
	ws, ok := store.(orgs.WebhookStore)
	if !ok {
		t.Skip("the store does not implement the optional capability orgs.WebhookStore: skipped (webhooks are unsupported)")
	}
	return ws
}

const hookURL = "https://hooks.example.com/orgs"

func testWebhookEndpoints(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	needWebhooks(t, f.store)
	ctx := f.ctx
	in := orgs.WebhookEndpointInput{URL: hookURL, Description: "CRM sync",
		EventTypes: []orgs.EventType{orgs.EventMemberAdded, orgs.EventMemberRemoved, orgs.EventMemberAdded}}

	// Who may.
	_, err := f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(member), "acme", in)
	require.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(outsider), "acme", in)
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.ListWebhookEndpoints(ctx, orgs.UserActor(member), "acme")
	require.ErrorIs(t, err, orgs.ErrForbidden)

	ep, err := f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", in)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ep.ID, orgs.PrefixWebhookEndpoint))
	assert.True(t, strings.HasPrefix(ep.Secret, "whsec_"), "the secret is shown on creation")
	assert.Empty(t, ep.SigningSecret, "the stored secret is not returned")
	assert.Equal(t, []orgs.EventType{orgs.EventMemberAdded, orgs.EventMemberRemoved}, ep.EventTypes, "sorted, without repeats")
	assert.True(t, ep.Enabled)
	assert.Equal(t, "webhook_endpoint.created", string(f.lastEvent().Type))
	assert.Equal(t, ep.ID, f.lastEvent().Data["endpoint_id"])

	got, err := f.svc.GetWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", ep.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Secret, "shown once")
	assert.Empty(t, got.SigningSecret)
	assert.Equal(t, ep.URL, got.URL)
	list, err := f.svc.ListWebhookEndpoints(ctx, orgs.UserActor(admin), "acme")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Empty(t, list[0].Secret)

	// The store keeps the secret for the worker.
	stored, err := f.store.(orgs.WebhookStore).GetWebhookEndpoint(ctx, f.org.ID, ep.ID)
	require.NoError(t, err)
	assert.Equal(t, ep.Secret, stored.SigningSecret)
	assert.True(t, stored.Wants(orgs.EventMemberAdded))
	assert.False(t, stored.Wants(orgs.EventTeamCreated))

	// Update.
	up, err := f.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", ep.ID, orgs.WebhookEndpointUpdate{
		URL: ptr("https://hooks.example.com/v2"), EventTypes: &[]orgs.EventType{}, Enabled: ptr(false)})
	require.NoError(t, err)
	assert.Equal(t, "https://hooks.example.com/v2", up.URL)
	assert.Empty(t, up.EventTypes, "every type")
	assert.False(t, up.Enabled)
	assert.Equal(t, orgs.DisabledManually, up.DisabledReason)
	assert.Equal(t, "url,event_types,enabled", f.lastEvent().Data["fields"])
	up, err = f.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", ep.ID, orgs.WebhookEndpointUpdate{Enabled: ptr(true)})
	require.NoError(t, err)
	assert.True(t, up.Enabled)
	assert.Empty(t, up.DisabledReason)

	// Disable with a reason (what the worker does), once.
	d, err := f.svc.DisableWebhookEndpoint(ctx, system, "acme", ep.ID, orgs.DisabledFailing)
	require.NoError(t, err)
	assert.False(t, d.Enabled)
	assert.Equal(t, orgs.DisabledFailing, d.DisabledReason)
	assert.Equal(t, "webhook_endpoint.disabled", string(f.lastEvent().Type))
	assert.Equal(t, orgs.DisabledFailing, f.lastEvent().Data["reason"])
	n := len(f.events())
	_, err = f.svc.DisableWebhookEndpoint(ctx, system, "acme", ep.ID, orgs.DisabledGone)
	require.NoError(t, err)
	assert.Len(t, f.events(), n, "disabling a disabled endpoint records nothing")

	// Another organization's endpoint is not found through this one.
	other, err := f.svc.CreateOrganization(ctx, orgs.UserActor(outsider), orgs.CreateOrganizationInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	_, err = f.svc.GetWebhookEndpoint(ctx, orgs.UserActor(outsider), other.Slug, ep.ID)
	require.ErrorIs(t, err, orgs.ErrNotFound)
	require.ErrorIs(t, f.svc.DeleteWebhookEndpoint(ctx, orgs.UserActor(outsider), other.Slug, ep.ID), orgs.ErrNotFound)
	_, err = f.svc.GetWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", "ep_nope")
	require.ErrorIs(t, err, orgs.ErrNotFound)

	// Delete.
	require.ErrorIs(t, f.svc.DeleteWebhookEndpoint(ctx, orgs.UserActor(member), "acme", ep.ID), orgs.ErrForbidden)
	require.NoError(t, f.svc.DeleteWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", ep.ID))
	assert.Equal(t, "webhook_endpoint.deleted", string(f.lastEvent().Type))
	require.ErrorIs(t, f.svc.DeleteWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", ep.ID), orgs.ErrNotFound)
	list, err = f.svc.ListWebhookEndpoints(ctx, orgs.UserActor(admin), "acme")
	require.NoError(t, err)
	assert.Empty(t, list)
	assert.NotNil(t, list, "an empty list, not nil")

	// A given secret is kept; the limit holds.
	lim := f.service(orgs.WithWebhookOptions(orgs.WebhookOptions{MaxEndpointsPerOrganization: 1}))
	const given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	ep, err = lim.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: hookURL, Secret: given, Disabled: true})
	require.NoError(t, err)
	assert.Equal(t, given, ep.Secret)
	assert.False(t, ep.Enabled)
	_, err = lim.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: hookURL})
	require.ErrorIs(t, err, orgs.ErrLimitExceeded)

	// http only where the host allows it.
	_, err = f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: "http://hooks.example.com/"})
	requireInvalid(t, err, "url")
	lax := f.service(orgs.WithWebhookOptions(orgs.WebhookOptions{AllowHTTP: true}))
	_, err = lax.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: "http://hooks.example.com/"})
	require.NoError(t, err)
}

// testWebhookBadInput: every invalid input is a validation error naming
// its field, and writes nothing.
func testWebhookBadInput(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	needWebhooks(t, f.store)
	ctx := f.ctx
	ep, err := f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: hookURL})
	require.NoError(t, err)
	stored, err := f.svc.GetWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", ep.ID)
	require.NoError(t, err)
	before := len(f.events())
	long := strings.Repeat("a", 2100)
	for _, tc := range []struct {
		field string
		in    orgs.WebhookEndpointInput
	}{
		{"url", orgs.WebhookEndpointInput{}},
		{"url", orgs.WebhookEndpointInput{URL: "hooks.example.com/x"}},
		{"url", orgs.WebhookEndpointInput{URL: "ftp://hooks.example.com/"}},
		{"url", orgs.WebhookEndpointInput{URL: "javascript:alert(1)"}},
		{"url", orgs.WebhookEndpointInput{URL: "https://user:pw@hooks.example.com/"}},
		{"url", orgs.WebhookEndpointInput{URL: "https://hooks.example.com/\x00"}},
		{"url", orgs.WebhookEndpointInput{URL: "https://hooks.example.com/" + long}},
		{"url", orgs.WebhookEndpointInput{URL: "https:///path"}},
		{"url", orgs.WebhookEndpointInput{URL: "https://hooks.example.com/a b"}},
		{"url", orgs.WebhookEndpointInput{URL: "https://hooks.example.com/\xff"}},
		{"description", orgs.WebhookEndpointInput{URL: hookURL, Description: strings.Repeat("d", 201)}},
		{"description", orgs.WebhookEndpointInput{URL: hookURL, Description: "a\nb"}},
		{"event_types", orgs.WebhookEndpointInput{URL: hookURL, EventTypes: []orgs.EventType{"member.nope"}}},
		{"event_types", orgs.WebhookEndpointInput{URL: hookURL, EventTypes: []orgs.EventType{""}}},
		{"secret", orgs.WebhookEndpointInput{URL: hookURL, Secret: "not-a-secret"}},
		{"secret", orgs.WebhookEndpointInput{URL: hookURL, Secret: "whsec_c2hvcnQ="}},
		{"secret", orgs.WebhookEndpointInput{URL: hookURL, Secret: "whsec_!!!!"}},
	} {
		_, err := f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", tc.in)
		requireInvalid(t, err, tc.field)
	}
	for _, tc := range []struct {
		field string
		in    orgs.WebhookEndpointUpdate
	}{
		{"url", orgs.WebhookEndpointUpdate{URL: ptr("")}},
		{"description", orgs.WebhookEndpointUpdate{Description: ptr(long)}},
		{"event_types", orgs.WebhookEndpointUpdate{EventTypes: &[]orgs.EventType{"x"}}},
	} {
		_, err := f.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", ep.ID, tc.in)
		requireInvalid(t, err, tc.field)
	}
	for _, tc := range []struct {
		field string
		in    orgs.WebhookSecretRotation
	}{
		{"secret", orgs.WebhookSecretRotation{Secret: "whsec_"}},
		{"overlap", orgs.WebhookSecretRotation{Overlap: -time.Second}},
		{"overlap", orgs.WebhookSecretRotation{Overlap: 8 * 24 * time.Hour}},
		{"overlap", orgs.WebhookSecretRotation{Overlap: time.Hour, NoOverlap: true}},
	} {
		_, err := f.svc.RotateWebhookSecret(ctx, orgs.UserActor(owner), "acme", ep.ID, tc.in)
		requireInvalid(t, err, tc.field)
	}
	now := f.clock.Now()
	for _, tc := range []struct {
		field string
		in    orgs.WebhookReplay
	}{
		{"since", orgs.WebhookReplay{}},
		{"event_id", orgs.WebhookReplay{EventID: "evt_nope"}},
		{"event_id", orgs.WebhookReplay{EventID: orgs.NewID(orgs.PrefixEvent), Since: now}},
		{"until", orgs.WebhookReplay{Since: now, Until: now}},
	} {
		_, err := f.svc.ReplayWebhooks(ctx, orgs.UserActor(owner), "acme", ep.ID, tc.in)
		requireInvalid(t, err, tc.field)
	}
	_, err = f.svc.ListWebhookAttempts(ctx, orgs.UserActor(owner), "acme", ep.ID, orgs.WebhookAttemptQuery{EventID: "x"})
	requireInvalid(t, err, "event_id")
	_, err = f.svc.ListWebhookAttempts(ctx, orgs.UserActor(owner), "acme", ep.ID, orgs.WebhookAttemptQuery{Page: orgs.Page{Limit: 101}})
	requireInvalid(t, err, "limit")
	_, err = f.svc.DisableWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", ep.ID, "a\x00")
	requireInvalid(t, err, "reason")

	assert.Len(t, f.events(), before, "no event: nothing was written")
	eps, err := f.svc.ListWebhookEndpoints(ctx, orgs.UserActor(owner), "acme")
	require.NoError(t, err)
	require.Len(t, eps, 1)
	assert.Equal(t, *stored, eps[0], "the endpoint is unchanged")
}

func testWebhookHostLevel(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	ws := needWebhooks(t, f.store)
	ctx := f.ctx
	before := len(f.events())
	// Users cannot see or make host-level endpoints.
	_, err := f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: hookURL})
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.ListWebhookEndpoints(ctx, orgs.UserActor(owner), orgs.AllOrganizations)
	require.ErrorIs(t, err, orgs.ErrNotFound)

	// The system caller can, with http too (the host's own choice).
	host, err := f.svc.CreateWebhookEndpoint(ctx, system, orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: "http://127.0.0.1:9/hook"})
	require.NoError(t, err)
	assert.NotEmpty(t, host.Secret)
	orgEP, err := f.svc.CreateWebhookEndpoint(ctx, system, "acme", orgs.WebhookEndpointInput{URL: hookURL})
	require.NoError(t, err)
	list, err := f.svc.ListWebhookEndpoints(ctx, system, orgs.AllOrganizations)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, host.ID, list[0].ID)
	_, err = f.svc.GetWebhookEndpoint(ctx, system, "acme", host.ID)
	require.ErrorIs(t, err, orgs.ErrNotFound, "a host-level endpoint is no organization's")
	_, err = f.svc.GetWebhookEndpoint(ctx, system, orgs.AllOrganizations, orgEP.ID)
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = f.svc.RotateWebhookSecret(ctx, system, orgs.AllOrganizations, host.ID, orgs.WebhookSecretRotation{NoOverlap: true})
	require.NoError(t, err)
	_, err = f.svc.UpdateWebhookEndpoint(ctx, system, orgs.AllOrganizations, host.ID, orgs.WebhookEndpointUpdate{Description: ptr("billing")})
	require.NoError(t, err)
	assert.Len(t, f.events(), before+1, "host-level changes record no event (only the organization's endpoint did)")

	// The worker's view: an organization's endpoints with the host's.
	all, err := ws.ListWebhookEndpoints(ctx, orgs.WebhookEndpointFilter{OrganizationID: f.org.ID, WithHost: true, EnabledOnly: true})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{host.ID, orgEP.ID}, []string{all[0].ID, all[1].ID})
	_, err = f.svc.DisableWebhookEndpoint(ctx, system, orgs.AllOrganizations, host.ID, orgs.DisabledFailing)
	require.NoError(t, err)
	all, err = ws.ListWebhookEndpoints(ctx, orgs.WebhookEndpointFilter{OrganizationID: f.org.ID, WithHost: true, EnabledOnly: true})
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, orgEP.ID, all[0].ID)
	require.NoError(t, f.svc.DeleteWebhookEndpoint(ctx, system, orgs.AllOrganizations, host.ID))
}

func testWebhookRotation(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore)
	ws := needWebhooks(t, f.store)
	ctx := f.ctx
	ep, err := f.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: hookURL})
	require.NoError(t, err)
	first := ep.Secret
	rot, err := f.svc.RotateWebhookSecret(ctx, orgs.UserActor(admin), "acme", ep.ID, orgs.WebhookSecretRotation{Overlap: time.Hour})
	require.NoError(t, err)
	second := rot.Secret
	assert.NotEqual(t, first, second)
	require.NotNil(t, rot.PreviousSecretExpiresAt)
	assert.Equal(t, f.clock.Now().Add(time.Hour), *rot.PreviousSecretExpiresAt)
	assert.Equal(t, "webhook_endpoint.secret_rotated", string(f.lastEvent().Type))

	stored, err := ws.GetWebhookEndpoint(ctx, f.org.ID, ep.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{second, first}, stored.SigningSecrets(f.clock.Now()), "both sign during the overlap")
	assert.Equal(t, []string{second}, stored.SigningSecrets(f.clock.Now().Add(time.Hour)), "the old one stops at the end")

	// The default overlap, and a rotation during an overlap drops the
	// oldest secret.
	rot, err = f.svc.RotateWebhookSecret(ctx, orgs.UserActor(admin), "acme", ep.ID, orgs.WebhookSecretRotation{})
	require.NoError(t, err)
	assert.Equal(t, f.clock.Now().Add(24*time.Hour), *rot.PreviousSecretExpiresAt)
	stored, err = ws.GetWebhookEndpoint(ctx, f.org.ID, ep.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{rot.Secret, second}, stored.SigningSecrets(f.clock.Now()))

	// No overlap, with a given secret.
	const given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	rot, err = f.svc.RotateWebhookSecret(ctx, orgs.UserActor(admin), "acme", ep.ID, orgs.WebhookSecretRotation{Secret: given, NoOverlap: true})
	require.NoError(t, err)
	assert.Equal(t, given, rot.Secret)
	assert.Nil(t, rot.PreviousSecretExpiresAt)
	stored, err = ws.GetWebhookEndpoint(ctx, f.org.ID, ep.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{given}, stored.SigningSecrets(f.clock.Now()))
	_, err = f.svc.RotateWebhookSecret(ctx, orgs.UserActor(member), "acme", ep.ID, orgs.WebhookSecretRotation{})
	require.ErrorIs(t, err, orgs.ErrForbidden)
}

// testWebhookEndpointLimit: concurrent creations never pass the limit.
func testWebhookEndpointLimit(t *testing.T, newStore NewStore) {
	f := newFixture(t, newStore, orgs.WithWebhookOptions(orgs.WebhookOptions{MaxEndpointsPerOrganization: 5}))
	needWebhooks(t, f.store)
	const n = 20
	errs := testkit.Storm(n, func(i int) error {
		_, err := f.svc.CreateWebhookEndpoint(f.ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: fmt.Sprintf("%s/%d", hookURL, i)})
		return err
	})
	o := tally(errs, orgs.ErrLimitExceeded)
	assert.Empty(t, o.other)
	assert.Equal(t, 5, o.ok)
	eps, err := f.svc.ListWebhookEndpoints(f.ctx, orgs.UserActor(owner), "acme")
	require.NoError(t, err)
	assert.Len(t, eps, 5)
	t.Logf("endpoint limit storm: %d created, %d refused, %d other", o.ok, o.expected[orgs.ErrLimitExceeded], len(o.other))
}

// hookFixture is a fixture with an endpoint and a few events.
type hookFixture struct {
	*fixture
	ws     orgs.WebhookStore
	ep     *orgs.WebhookEndpoint
	events []orgs.Event
}

func newHookFixture(t *testing.T, newStore NewStore) *hookFixture {
	f := newFixture(t, newStore)
	ws := needWebhooks(t, f.store)
	ep, err := f.svc.CreateWebhookEndpoint(f.ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: hookURL})
	require.NoError(t, err)
	return &hookFixture{fixture: f, ws: ws, ep: ep, events: f.events()}
}

func (h *hookFixture) enqueue(events ...orgs.Event) {
	h.t.Helper()
	ds := make([]orgs.WebhookDelivery, len(events))
	now := h.clock.Now().UTC()
	for i, e := range events {
		ds[i] = orgs.WebhookDelivery{EndpointID: h.ep.ID, EventID: e.ID, OrganizationID: e.OrganizationID,
			State: orgs.DeliveryPending, NextAttemptAt: now, CreatedAt: now}
	}
	require.NoError(h.t, h.ws.EnqueueWebhookDeliveries(h.ctx, ds))
}

func (h *hookFixture) claim(holder string, limit int, lease time.Duration) []orgs.ClaimedWebhookDelivery {
	h.t.Helper()
	now := h.clock.Now().UTC()
	cs, err := h.ws.ClaimWebhookDeliveries(h.ctx, orgs.WebhookClaim{Holder: holder, Now: now, Until: now.Add(lease), Limit: limit})
	require.NoError(h.t, err)
	return cs
}

func (h *hookFixture) deliveries() []orgs.WebhookDelivery {
	h.t.Helper()
	ds, err := h.ws.ListWebhookDeliveries(h.ctx, orgs.WebhookDeliveryFilter{EndpointID: h.ep.ID})
	require.NoError(h.t, err)
	return ds
}

func attemptFor(d orgs.WebhookDelivery, n int, outcome string, at time.Time) *orgs.WebhookAttempt {
	return &orgs.WebhookAttempt{ID: orgs.NewID(orgs.PrefixWebhookAttempt), EndpointID: d.EndpointID, EventID: d.EventID,
		EventType: orgs.EventMemberAdded, Attempt: n, Outcome: outcome, StatusCode: 500, LatencyMS: 12,
		Response: "oops ü", Error: "receiver answered 500", CreatedAt: at}
}

func testWebhookDeliveries(t *testing.T, newStore NewStore) {
	h := newHookFixture(t, newStore)
	ctx := h.ctx
	e0, e1 := h.events[0], h.events[1]
	h.enqueue(e0, e1)
	h.enqueue(e0, e1) // again: nothing new
	ds := h.deliveries()
	require.Len(t, ds, 2)
	for _, d := range ds {
		assert.Equal(t, orgs.DeliveryPending, d.State)
		assert.Zero(t, d.Attempts)
		assert.Equal(t, h.org.ID, d.OrganizationID)
	}
	// Enqueueing for an endpoint that is gone is skipped.
	require.NoError(t, h.ws.EnqueueWebhookDeliveries(ctx, []orgs.WebhookDelivery{{EndpointID: "ep_gone", EventID: e0.ID,
		OrganizationID: h.org.ID, State: orgs.DeliveryPending, NextAttemptAt: h.clock.Now(), CreatedAt: h.clock.Now()}}))

	// Claim: with endpoint (secret included) and event; leased.
	cs := h.claim("w1", 1, time.Minute)
	require.Len(t, cs, 1)
	c := cs[0]
	assert.Equal(t, e0.ID, c.Delivery.EventID, "earliest first, then by event")
	assert.Equal(t, "w1", c.Delivery.Holder)
	assert.Equal(t, h.ep.ID, c.Endpoint.ID)
	assert.Equal(t, h.ep.Secret, c.Endpoint.SigningSecret)
	assert.Equal(t, e0, c.Event)
	rest := h.claim("w2", 10, time.Minute)
	require.Len(t, rest, 1, "a leased delivery is not claimed again")
	assert.Equal(t, e1.ID, rest[0].Delivery.EventID)
	assert.Empty(t, h.claim("w3", 10, time.Minute))

	// Finish: a failed attempt, retried later.
	now := h.clock.Now().UTC()
	next := now.Add(5 * time.Second)
	require.NoError(t, h.ws.FinishWebhookAttempt(ctx, c.Delivery, orgs.WebhookDeliveryUpdate{State: orgs.DeliveryPending,
		Attempts: 1, NextAttemptAt: next, UpdatedAt: now}, attemptFor(c.Delivery, 1, "non_2xx", now)))
	assert.Empty(t, h.claim("w3", 10, time.Minute), "not due yet")
	h.clock.Advance(5 * time.Second)
	cs = h.claim("w3", 10, time.Minute)
	require.Len(t, cs, 1)
	assert.Equal(t, 1, cs[0].Delivery.Attempts)

	// A lease that ended: another holder takes the delivery; the first
	// holder's result is recorded as an attempt but does not apply.
	h.clock.Advance(time.Minute)
	stolen := h.claim("w4", 10, time.Minute)
	require.Len(t, stolen, 2, "both leases ended")
	late := attemptFor(cs[0].Delivery, 2, "success", h.clock.Now())
	err := h.ws.FinishWebhookAttempt(ctx, cs[0].Delivery, orgs.WebhookDeliveryUpdate{State: orgs.DeliverySucceeded,
		Attempts: 2, NextAttemptAt: h.clock.Now(), UpdatedAt: h.clock.Now()}, late)
	require.ErrorIs(t, err, orgs.ErrLeaseLost)
	for _, s := range stolen {
		require.NoError(t, h.ws.FinishWebhookAttempt(ctx, s.Delivery, orgs.WebhookDeliveryUpdate{State: orgs.DeliverySucceeded,
			Attempts: s.Delivery.Attempts + 1, NextAttemptAt: h.clock.Now(), UpdatedAt: h.clock.Now()},
			attemptFor(s.Delivery, s.Delivery.Attempts+1, "success", h.clock.Now())))
	}
	for _, d := range h.deliveries() {
		assert.Equal(t, orgs.DeliverySucceeded, d.State)
		assert.Empty(t, d.Holder)
	}
	assert.Empty(t, h.claim("w5", 10, time.Minute), "nothing pending")

	// The attempt log: every attempt, the lost one too, through the
	// Service.
	l, err := h.svc.ListWebhookAttempts(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookAttemptQuery{})
	require.NoError(t, err)
	require.Len(t, l.Data, 4)
	a := l.Data[0]
	assert.Equal(t, "non_2xx", a.Outcome)
	assert.Equal(t, 500, a.StatusCode)
	assert.Equal(t, int64(12), a.LatencyMS)
	assert.Equal(t, "oops ü", a.Response)
	assert.Equal(t, "receiver answered 500", a.Error)
	assert.Equal(t, now, a.CreatedAt)
	l, err = h.svc.ListWebhookAttempts(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookAttemptQuery{EventID: e1.ID})
	require.NoError(t, err)
	assert.Len(t, l.Data, 1)
	checkWalks(t, 1, []string{l.Data[0].ID}, func(a orgs.WebhookAttempt) string { return a.ID }, func(p orgs.Page) (*orgs.List[orgs.WebhookAttempt], error) {
		return h.svc.ListWebhookAttempts(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookAttemptQuery{EventID: e1.ID, Page: p})
	})
	_, err = h.svc.ListWebhookAttempts(ctx, orgs.UserActor(member), "acme", h.ep.ID, orgs.WebhookAttemptQuery{})
	require.ErrorIs(t, err, orgs.ErrForbidden)
	_, err = h.svc.ListWebhookAttempts(ctx, orgs.UserActor(admin), "acme", "ep_01ARZ3NDEKTSV4RRFFQ69G5FAV", orgs.WebhookAttemptQuery{})
	require.ErrorIs(t, err, orgs.ErrNotFound)

	// A disabled endpoint's deliveries wait.
	h.enqueue(h.events[2])
	_, err = h.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookEndpointUpdate{Enabled: ptr(false)})
	require.NoError(t, err)
	assert.Empty(t, h.claim("w6", 10, time.Minute))
	_, err = h.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookEndpointUpdate{Enabled: ptr(true)})
	require.NoError(t, err)
	assert.Len(t, h.claim("w6", 10, time.Minute), 1)
}

// testWebhookClaimStorm: goroutines claiming at once never get the same
// delivery twice, and together get every one.
func testWebhookClaimStorm(t *testing.T, newStore NewStore) {
	h := newHookFixture(t, newStore)
	for i := range 40 {
		_, err := h.svc.AddMember(h.ctx, orgs.UserActor(owner), "acme", fmt.Sprintf("m%02d", i), orgs.RoleMember)
		require.NoError(t, err)
	}
	events := h.fixture.events()
	h.enqueue(events...)
	var mu sync.Mutex
	got := map[string]int{}
	errs := testkit.Storm(16, func(i int) error {
		for {
			cs, err := h.ws.ClaimWebhookDeliveries(h.ctx, orgs.WebhookClaim{Holder: fmt.Sprintf("w%d", i), Now: h.clock.Now(), Until: h.clock.Now().Add(time.Hour), Limit: 3})
			if err != nil {
				return err
			}
			if len(cs) == 0 {
				return nil
			}
			mu.Lock()
			for _, c := range cs {
				got[c.Delivery.EventID]++
			}
			mu.Unlock()
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	twice := 0
	for _, e := range events {
		if got[e.ID] != 1 {
			twice++
			t.Errorf("delivery of %s claimed %d times", e.ID, got[e.ID])
		}
	}
	t.Logf("claim storm: %d deliveries, 16 claimers, %d claimed other than once", len(events), twice)
}

func testWebhookReplay(t *testing.T, newStore NewStore) {
	h := newHookFixture(t, newStore)
	ctx := h.ctx
	e0 := h.events[0]
	// One event: delivered again from the first attempt.
	h.enqueue(e0)
	cs := h.claim("w", 10, time.Minute)
	require.Len(t, cs, 1)
	require.NoError(t, h.ws.FinishWebhookAttempt(ctx, cs[0].Delivery, orgs.WebhookDeliveryUpdate{State: orgs.DeliveryFailed,
		Attempts: 8, NextAttemptAt: h.clock.Now(), UpdatedAt: h.clock.Now()}, nil))
	before := len(h.fixture.events())
	n, err := h.svc.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{EventID: e0.ID})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Len(t, h.fixture.events(), before+1)
	last := h.lastEvent()
	assert.Equal(t, "webhook_endpoint.replayed", string(last.Type))
	assert.Equal(t, map[string]string{"endpoint_id": h.ep.ID, "count": "1", "event_id": e0.ID}, last.Data)
	ds := h.deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, orgs.DeliveryPending, ds[0].State)
	assert.Zero(t, ds[0].Attempts)
	assert.Len(t, h.claim("w", 10, time.Minute), 1)

	// A replay during a claim: the holder's result no longer applies.
	require.ErrorIs(t, func() error {
		_, err := h.svc.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{EventID: e0.ID})
		if err != nil {
			return err
		}
		return h.ws.FinishWebhookAttempt(ctx, cs[0].Delivery, orgs.WebhookDeliveryUpdate{State: orgs.DeliverySucceeded,
			Attempts: 1, UpdatedAt: h.clock.Now(), NextAttemptAt: h.clock.Now()}, nil)
	}(), orgs.ErrLeaseLost)

	// Another organization's event, an unknown one, and one of a type the
	// endpoint does not receive are not found.
	other, err := h.svc.CreateOrganization(ctx, orgs.UserActor(outsider), orgs.CreateOrganizationInput{Name: "Other", Slug: "other"})
	require.NoError(t, err)
	otherEvents := allEvents(t, h.store, other.ID)
	_, err = h.svc.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{EventID: otherEvents[0].ID})
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.svc.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{EventID: orgs.NewID(orgs.PrefixEvent)})
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookEndpointUpdate{EventTypes: &[]orgs.EventType{orgs.EventTeamCreated}})
	require.NoError(t, err)
	_, err = h.svc.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{EventID: e0.ID})
	require.ErrorIs(t, err, orgs.ErrNotFound)
	_, err = h.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookEndpointUpdate{EventTypes: &[]orgs.EventType{orgs.EventMemberAdded}})
	require.NoError(t, err)

	// A time range: this organization's events of the endpoint's types
	// created in [since, until).
	h.clock.Advance(time.Second)
	start := h.clock.Now()
	h.clock.Advance(time.Second)
	for i := range 3 {
		_, err := h.svc.AddMember(ctx, orgs.UserActor(owner), "acme", fmt.Sprintf("r%d", i), orgs.RoleMember)
		require.NoError(t, err)
		h.clock.Advance(time.Second)
	}
	n, err = h.svc.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{Since: start, Until: start.Add(3 * time.Second)})
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the two member.added events in the range")
	n, err = h.svc.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{Since: start})
	require.NoError(t, err)
	assert.Equal(t, 3, n, "until now")
	assert.Equal(t, start.Add(4*time.Second).Add(time.Microsecond).Format(time.RFC3339Nano), h.lastEvent().Data["until"])

	// The cap.
	capped := h.service(orgs.WithWebhookOptions(orgs.WebhookOptions{MaxReplayEvents: 2}))
	_, err = capped.ReplayWebhooks(ctx, orgs.UserActor(admin), "acme", h.ep.ID, orgs.WebhookReplay{Since: start})
	require.ErrorIs(t, err, orgs.ErrLimitExceeded)
	_, err = h.svc.ReplayWebhooks(ctx, orgs.UserActor(member), "acme", h.ep.ID, orgs.WebhookReplay{Since: start})
	require.ErrorIs(t, err, orgs.ErrForbidden)

	// A host-level endpoint replays every organization's events.
	host, err := h.svc.CreateWebhookEndpoint(ctx, system, orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: hookURL})
	require.NoError(t, err)
	n, err = h.svc.ReplayWebhooks(ctx, system, orgs.AllOrganizations, host.ID, orgs.WebhookReplay{Since: time.Unix(0, 0)})
	require.NoError(t, err)
	assert.Equal(t, len(h.fixture.events())+len(otherEvents), n)
}

func testWebhookCascades(t *testing.T, newStore NewStore) {
	h := newHookFixture(t, newStore)
	ctx := h.ctx
	host, err := h.svc.CreateWebhookEndpoint(ctx, system, orgs.AllOrganizations, orgs.WebhookEndpointInput{URL: hookURL})
	require.NoError(t, err)
	h.enqueue(h.events[0])
	require.NoError(t, h.ws.EnqueueWebhookDeliveries(ctx, []orgs.WebhookDelivery{{EndpointID: host.ID, EventID: h.events[0].ID,
		OrganizationID: h.org.ID, State: orgs.DeliveryPending, NextAttemptAt: h.clock.Now(), CreatedAt: h.clock.Now()}}))
	cs := h.claim("w", 10, time.Minute)
	require.Len(t, cs, 2)
	for _, c := range cs {
		require.NoError(t, h.ws.FinishWebhookAttempt(ctx, c.Delivery, orgs.WebhookDeliveryUpdate{State: orgs.DeliverySucceeded,
			Attempts: 1, NextAttemptAt: h.clock.Now(), UpdatedAt: h.clock.Now()}, attemptFor(c.Delivery, 1, "success", h.clock.Now())))
	}
	second, err := h.svc.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: hookURL})
	require.NoError(t, err)
	require.NoError(t, h.svc.DeleteOrganization(ctx, orgs.UserActor(owner), "acme"))
	for _, id := range []string{h.ep.ID, second.ID} {
		_, err := h.ws.GetWebhookEndpoint(ctx, h.org.ID, id)
		require.ErrorIs(t, err, orgs.ErrNotFound, "the organization's endpoints go with it")
		as, err := h.ws.ListWebhookAttempts(ctx, orgs.WebhookAttemptFilter{EndpointID: id})
		require.NoError(t, err)
		assert.Empty(t, as)
		ds, err := h.ws.ListWebhookDeliveries(ctx, orgs.WebhookDeliveryFilter{EndpointID: id})
		require.NoError(t, err)
		assert.Empty(t, ds)
	}
	as, err := h.ws.ListWebhookAttempts(ctx, orgs.WebhookAttemptFilter{EndpointID: host.ID})
	require.NoError(t, err)
	assert.Len(t, as, 1, "host-level endpoints stay")
	require.NoError(t, h.svc.DeleteWebhookEndpoint(ctx, system, orgs.AllOrganizations, host.ID))
	as, err = h.ws.ListWebhookAttempts(ctx, orgs.WebhookAttemptFilter{EndpointID: host.ID})
	require.NoError(t, err)
	assert.Empty(t, as, "an endpoint's attempts go with it")
}

func testWebhookFailing(t *testing.T, newStore NewStore) {
	h := newHookFixture(t, newStore)
	ctx := h.ctx
	t0 := h.clock.Now().UTC()
	require.NoError(t, h.ws.SetWebhookEndpointFailing(ctx, h.ep.ID, &t0))
	t1 := t0.Add(time.Hour)
	require.NoError(t, h.ws.SetWebhookEndpointFailing(ctx, h.ep.ID, &t1))
	ep, err := h.svc.GetWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", h.ep.ID)
	require.NoError(t, err)
	require.NotNil(t, ep.FailingSince)
	assert.Equal(t, t0, *ep.FailingSince, "the first failing time stays")
	// An update does not touch it; re-enabling clears it.
	_, err = h.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", h.ep.ID, orgs.WebhookEndpointUpdate{Description: ptr("x")})
	require.NoError(t, err)
	ep, err = h.svc.GetWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", h.ep.ID)
	require.NoError(t, err)
	require.NotNil(t, ep.FailingSince)
	_, err = h.svc.DisableWebhookEndpoint(ctx, system, "acme", h.ep.ID, orgs.DisabledFailing)
	require.NoError(t, err)
	ep, err = h.svc.UpdateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", h.ep.ID, orgs.WebhookEndpointUpdate{Enabled: ptr(true)})
	require.NoError(t, err)
	assert.Nil(t, ep.FailingSince)
	ep, err = h.svc.GetWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", h.ep.ID)
	require.NoError(t, err)
	assert.Nil(t, ep.FailingSince)
	require.NoError(t, h.ws.SetWebhookEndpointFailing(ctx, h.ep.ID, nil))
	require.ErrorIs(t, h.ws.SetWebhookEndpointFailing(ctx, "ep_gone", &t0), orgs.ErrNotFound)

	// Without the capability the Service says so.
	plain := newService(t, plainStore{h.store})
	_, err = plain.ListWebhookEndpoints(ctx, orgs.UserActor(owner), "acme")
	require.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = plain.CreateWebhookEndpoint(ctx, orgs.UserActor(owner), "acme", orgs.WebhookEndpointInput{URL: hookURL})
	require.ErrorIs(t, err, errors.ErrUnsupported)
}
