package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// The optional capability orgs.WebhookStore: endpoints, deliveries and
// attempts. Claims are exclusive because every write holds the store's
// lock.

var _ orgs.WebhookStore = (*txn)(nil)

// webhookState holds the webhook rows.
type webhookState struct {
	endpoints  map[string]orgs.WebhookEndpoint      // by ID
	deliveries map[deliveryKey]orgs.WebhookDelivery // by endpoint and event
	attempts   map[string]orgs.WebhookAttempt       // by ID
}

type deliveryKey struct{ endpoint, event string }

// webhooks returns st's webhook rows, made on first use.
func (st *state) webhooks() *webhookState {
	if st.hooks == nil {
		st.hooks = &webhookState{endpoints: map[string]orgs.WebhookEndpoint{},
			deliveries: map[deliveryKey]orgs.WebhookDelivery{}, attempts: map[string]orgs.WebhookAttempt{}}
	}
	return st.hooks
}

// deleteWebhooksOf deletes an organization's endpoints with their
// deliveries and attempts; DeleteOrganization calls it.
func (tx *txn) deleteWebhooksOf(st *state, orgID string) {
	w := st.webhooks()
	for _, id := range delWhere(tx, w.endpoints, func(ep orgs.WebhookEndpoint) bool { return ep.OrganizationID == orgID }) {
		tx.deleteEndpointRows(w, id)
	}
}

func (tx *txn) deleteEndpointRows(w *webhookState, id string) {
	delWhere(tx, w.deliveries, func(d orgs.WebhookDelivery) bool { return d.EndpointID == id })
	delWhere(tx, w.attempts, func(a orgs.WebhookAttempt) bool { return a.EndpointID == id })
}

func cloneEndpoint(ep orgs.WebhookEndpoint) orgs.WebhookEndpoint {
	ep.EventTypes = slices.Clone(ep.EventTypes)
	ep.FailingSince = cloneTime(ep.FailingSince)
	ep.PreviousSecretExpiresAt = cloneTime(ep.PreviousSecretExpiresAt)
	ep.Secret = ""
	return ep
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func (tx *txn) InsertWebhookEndpoint(ctx context.Context, ep *orgs.WebhookEndpoint) error {
	return write(ctx, tx, func(st *state) error {
		if ep.OrganizationID != "" {
			if err := st.requireOrg(ep.OrganizationID); err != nil {
				return err
			}
		}
		w := st.webhooks()
		if _, ok := w.endpoints[ep.ID]; ok {
			return fmt.Errorf("memstore: endpoint %q exists", ep.ID)
		}
		set(tx, w.endpoints, ep.ID, cloneEndpoint(*ep))
		return nil
	})
}

func (tx *txn) UpdateWebhookEndpoint(ctx context.Context, ep *orgs.WebhookEndpoint) error {
	return write(ctx, tx, func(st *state) error {
		w := st.webhooks()
		old, ok := w.endpoints[ep.ID]
		if !ok || old.OrganizationID != ep.OrganizationID {
			return notFound("webhook endpoint", ep.ID)
		}
		n := cloneEndpoint(*ep)
		n.OrganizationID, n.CreatedAt, n.FailingSince = old.OrganizationID, old.CreatedAt, old.FailingSince
		set(tx, w.endpoints, ep.ID, n)
		return nil
	})
}

func (tx *txn) DeleteWebhookEndpoint(ctx context.Context, orgID, id string) error {
	return write(ctx, tx, func(st *state) error {
		w := st.webhooks()
		if ep, ok := w.endpoints[id]; !ok || ep.OrganizationID != orgID {
			return notFound("webhook endpoint", id)
		}
		del(tx, w.endpoints, id)
		tx.deleteEndpointRows(w, id)
		return nil
	})
}

func (tx *txn) GetWebhookEndpoint(ctx context.Context, orgID, id string) (*orgs.WebhookEndpoint, error) {
	return read(ctx, tx, func(st *state) (*orgs.WebhookEndpoint, error) {
		ep, ok := st.webhooks().endpoints[id]
		if !ok || ep.OrganizationID != orgID {
			return nil, notFound("webhook endpoint", id)
		}
		c := cloneEndpoint(ep)
		return &c, nil
	})
}

func (tx *txn) ListWebhookEndpoints(ctx context.Context, f orgs.WebhookEndpointFilter) ([]orgs.WebhookEndpoint, error) {
	return read(ctx, tx, func(st *state) ([]orgs.WebhookEndpoint, error) {
		var out []orgs.WebhookEndpoint
		for _, ep := range st.webhooks().endpoints {
			if (ep.OrganizationID == f.OrganizationID || f.WithHost && ep.OrganizationID == "") && (ep.Enabled || !f.EnabledOnly) {
				out = append(out, cloneEndpoint(ep))
			}
		}
		slices.SortFunc(out, func(a, b orgs.WebhookEndpoint) int { return strings.Compare(a.ID, b.ID) })
		return out, nil
	})
}

func (tx *txn) SetWebhookEndpointFailing(ctx context.Context, id string, since *time.Time) error {
	return write(ctx, tx, func(st *state) error {
		w := st.webhooks()
		ep, ok := w.endpoints[id]
		if !ok {
			return notFound("webhook endpoint", id)
		}
		switch {
		case since == nil:
			ep.FailingSince = nil
		case ep.FailingSince == nil:
			ep.FailingSince = cloneTime(since)
		default:
			return nil
		}
		set(tx, w.endpoints, id, ep)
		return nil
	})
}

func (tx *txn) EnqueueWebhookDeliveries(ctx context.Context, ds []orgs.WebhookDelivery) error {
	return write(ctx, tx, func(st *state) error {
		w := st.webhooks()
		for _, d := range ds {
			k := deliveryKey{d.EndpointID, d.EventID}
			if _, ok := w.deliveries[k]; !ok && w.endpoints[d.EndpointID].ID != "" {
				set(tx, w.deliveries, k, d)
			}
		}
		return nil
	})
}

func (tx *txn) ReplayWebhookDeliveries(ctx context.Context, r orgs.WebhookReplayFilter) (int, error) {
	n := 0
	err := write(ctx, tx, func(st *state) error {
		w := st.webhooks()
		if _, ok := w.endpoints[r.EndpointID]; !ok {
			return notFound("webhook endpoint", r.EndpointID)
		}
		var match []orgs.Event
		for _, e := range st.events {
			switch {
			case r.OrganizationID != "" && e.OrganizationID != r.OrganizationID,
				len(r.Types) > 0 && !slices.Contains(r.Types, e.Type),
				r.EventID != "" && e.ID != r.EventID,
				r.EventID == "" && (e.CreatedAt.Before(r.Since) || !e.CreatedAt.Before(r.Until)):
				continue
			}
			match = append(match, e)
		}
		if r.MaxEvents > 0 && len(match) > r.MaxEvents {
			return fmt.Errorf("memstore: %d events to replay, at most %d: %w", len(match), r.MaxEvents, orgs.ErrLimitExceeded)
		}
		for _, e := range match {
			k := deliveryKey{r.EndpointID, e.ID}
			d, ok := w.deliveries[k]
			if !ok {
				d = orgs.WebhookDelivery{EndpointID: r.EndpointID, EventID: e.ID, OrganizationID: e.OrganizationID, CreatedAt: r.Now}
			}
			d.State, d.Attempts, d.NextAttemptAt, d.Holder, d.LeaseUntil, d.UpdatedAt =
				orgs.DeliveryPending, 0, r.Now, "", time.Time{}, r.Now
			set(tx, w.deliveries, k, d)
		}
		n = len(match)
		return nil
	})
	return n, err
}

func (tx *txn) ClaimWebhookDeliveries(ctx context.Context, c orgs.WebhookClaim) ([]orgs.ClaimedWebhookDelivery, error) {
	var out []orgs.ClaimedWebhookDelivery
	err := write(ctx, tx, func(st *state) error {
		w := st.webhooks()
		var due []orgs.WebhookDelivery
		for _, d := range w.deliveries {
			ep := w.endpoints[d.EndpointID]
			if d.State == orgs.DeliveryPending && !d.NextAttemptAt.After(c.Now) &&
				(d.Holder == "" || !d.LeaseUntil.After(c.Now)) && ep.Enabled {
				due = append(due, d)
			}
		}
		slices.SortFunc(due, func(a, b orgs.WebhookDelivery) int {
			if n := a.NextAttemptAt.Compare(b.NextAttemptAt); n != 0 {
				return n
			}
			return strings.Compare(a.EventID+a.EndpointID, b.EventID+b.EndpointID)
		})
		if len(due) > c.Limit {
			due = due[:c.Limit]
		}
		for _, d := range due {
			d.Holder, d.LeaseUntil = c.Holder, c.Until
			set(tx, w.deliveries, deliveryKey{d.EndpointID, d.EventID}, d)
			e := st.events[d.EventID]
			e.Data = cloneData(e.Data)
			out = append(out, orgs.ClaimedWebhookDelivery{Delivery: d, Endpoint: cloneEndpoint(w.endpoints[d.EndpointID]), Event: e})
		}
		return nil
	})
	return out, err
}

func cloneData(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (tx *txn) FinishWebhookAttempt(ctx context.Context, claimed orgs.WebhookDelivery, up orgs.WebhookDeliveryUpdate, a *orgs.WebhookAttempt) error {
	return write(ctx, tx, func(st *state) error {
		w := st.webhooks()
		if _, ok := w.endpoints[claimed.EndpointID]; !ok {
			return notFound("webhook endpoint", claimed.EndpointID)
		}
		if a != nil {
			set(tx, w.attempts, a.ID, *a)
		}
		k := deliveryKey{claimed.EndpointID, claimed.EventID}
		d, ok := w.deliveries[k]
		if !ok || d.Holder != claimed.Holder || d.Attempts != claimed.Attempts {
			return fmt.Errorf("memstore: delivery of %s to %s: %w", claimed.EventID, claimed.EndpointID, orgs.ErrLeaseLost)
		}
		d.State, d.Attempts, d.NextAttemptAt, d.UpdatedAt = up.State, up.Attempts, up.NextAttemptAt, up.UpdatedAt
		d.Holder, d.LeaseUntil = "", time.Time{}
		set(tx, w.deliveries, k, d)
		return nil
	})
}

func (tx *txn) ListWebhookAttempts(ctx context.Context, f orgs.WebhookAttemptFilter) ([]orgs.WebhookAttempt, error) {
	return read(ctx, tx, func(st *state) ([]orgs.WebhookAttempt, error) {
		var out []orgs.WebhookAttempt
		for _, a := range st.webhooks().attempts {
			if a.EndpointID == f.EndpointID && (f.EventID == "" || a.EventID == f.EventID) {
				out = append(out, a)
			}
		}
		return page(out, f.Range, func(a orgs.WebhookAttempt) string { return a.ID }), nil
	})
}

func (tx *txn) ListWebhookDeliveries(ctx context.Context, f orgs.WebhookDeliveryFilter) ([]orgs.WebhookDelivery, error) {
	return read(ctx, tx, func(st *state) ([]orgs.WebhookDelivery, error) {
		var out []orgs.WebhookDelivery
		for _, d := range st.webhooks().deliveries {
			if d.EndpointID == f.EndpointID && (f.State == "" || d.State == f.State) {
				out = append(out, d)
			}
		}
		return page(out, f.Range, func(d orgs.WebhookDelivery) string { return d.EventID }), nil
	})
}
