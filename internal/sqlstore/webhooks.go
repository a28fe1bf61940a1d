package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// The optional capability orgs.WebhookStore. Host-level endpoints have a
// NULL organization_id; an organization's endpoints go with it (ON DELETE
// CASCADE), and an endpoint's deliveries and attempts with the endpoint.
// Claims lock the due rows with FOR UPDATE SKIP LOCKED on Postgres, so
// that instances claiming at once take different rows; SQLite serializes
// writers.

var _ orgs.WebhookStore = (*queries)(nil)

// endpointRow is a row of webhook_endpoints.
type endpointRow struct {
	ID                      string
	OrganizationID          *string
	URL                     string
	Description             string
	EventTypes              string
	Enabled                 bool
	DisabledReason          string
	FailingSince            *time.Time
	SigningSecret           string
	PreviousSecret          string
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

const endpointColumns = "id, organization_id, url, description, event_types, enabled, disabled_reason, failing_since, " +
	"signing_secret, previous_secret, previous_secret_expires_at, created_at, updated_at"

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r endpointRow) endpoint() orgs.WebhookEndpoint {
	ep := orgs.WebhookEndpoint{ID: r.ID, URL: r.URL, Description: r.Description, Enabled: r.Enabled,
		DisabledReason: r.DisabledReason, FailingSince: utcPtr(r.FailingSince), SigningSecret: r.SigningSecret,
		PreviousSecret: r.PreviousSecret, PreviousSecretExpiresAt: utcPtr(r.PreviousSecretExpiresAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.OrganizationID != nil {
		ep.OrganizationID = *r.OrganizationID
	}
	if r.EventTypes != "" {
		for _, t := range strings.Split(r.EventTypes, ",") {
			ep.EventTypes = append(ep.EventTypes, orgs.EventType(t))
		}
	}
	return ep
}

func encodeTypes(ts []orgs.EventType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}

// orgCondition selects an organization's rows, or the host's for "".
func orgCondition(col, orgID string) (string, []any) {
	if orgID == "" {
		return col + " IS NULL", nil
	}
	return col + " = ?", []any{orgID}
}

// InsertWebhookEndpoint inserts an endpoint.
func (q *queries) InsertWebhookEndpoint(ctx context.Context, ep *orgs.WebhookEndpoint) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, "INSERT INTO webhook_endpoints ("+endpointColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			ep.ID, nullString(ep.OrganizationID), ep.URL, ep.Description, encodeTypes(ep.EventTypes), ep.Enabled,
			ep.DisabledReason, utcPtr(ep.FailingSince), ep.SigningSecret, ep.PreviousSecret, utcPtr(ep.PreviousSecretExpiresAt),
			ep.CreatedAt.UTC(), ep.UpdatedAt.UTC())
		return err
	})
}

// UpdateWebhookEndpoint writes an endpoint's changeable fields.
func (q *queries) UpdateWebhookEndpoint(ctx context.Context, ep *orgs.WebhookEndpoint) error {
	cond, args := orgCondition("organization_id", ep.OrganizationID)
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, `UPDATE webhook_endpoints SET url = ?, description = ?, event_types = ?, enabled = ?,
			disabled_reason = ?, signing_secret = ?, previous_secret = ?, previous_secret_expires_at = ?, updated_at = ?
			WHERE id = ? AND `+cond,
			append([]any{ep.URL, ep.Description, encodeTypes(ep.EventTypes), ep.Enabled, ep.DisabledReason,
				ep.SigningSecret, ep.PreviousSecret, utcPtr(ep.PreviousSecretExpiresAt), ep.UpdatedAt.UTC(), ep.ID}, args...)...)
	})
}

// DeleteWebhookEndpoint deletes an endpoint; its deliveries and attempts
// cascade.
func (q *queries) DeleteWebhookEndpoint(ctx context.Context, orgID, id string) error {
	cond, args := orgCondition("organization_id", orgID)
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "DELETE FROM webhook_endpoints WHERE id = ? AND "+cond, append([]any{id}, args...)...)
	})
}

// GetWebhookEndpoint returns an endpoint of the organization (or the
// host's).
func (q *queries) GetWebhookEndpoint(ctx context.Context, orgID, id string) (*orgs.WebhookEndpoint, error) {
	cond, args := orgCondition("organization_id", orgID)
	var r endpointRow
	if err := q.get(ctx, &r, "SELECT "+endpointColumns+" FROM webhook_endpoints WHERE id = ? AND "+cond, append([]any{id}, args...)...); err != nil {
		return nil, err
	}
	ep := r.endpoint()
	return &ep, nil
}

// ListWebhookEndpoints returns the endpoints f selects, by ID.
func (q *queries) ListWebhookEndpoints(ctx context.Context, f orgs.WebhookEndpointFilter) ([]orgs.WebhookEndpoint, error) {
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	cond, args := orgCondition("organization_id", f.OrganizationID)
	if f.WithHost && f.OrganizationID != "" {
		cond = "(" + cond + " OR organization_id IS NULL)"
	}
	if f.EnabledOnly {
		cond += " AND enabled"
	}
	var rows []endpointRow
	if err := q.db.NewRaw("SELECT "+endpointColumns+" FROM webhook_endpoints WHERE "+cond+" ORDER BY id", args...).Scan(ctx, &rows); err != nil {
		return nil, q.interpretError(err)
	}
	out := make([]orgs.WebhookEndpoint, len(rows))
	for i, r := range rows {
		out[i] = r.endpoint()
	}
	return out, nil
}

// SetWebhookEndpointFailing sets failing_since when unset, or clears it.
func (q *queries) SetWebhookEndpointFailing(ctx context.Context, id string, since *time.Time) error {
	return q.write(ctx, func(w *queries) error {
		if since == nil {
			return w.execOne(ctx, "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?", id)
		}
		n, err := w.execCount(ctx, "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?", since.UTC(), id)
		if err == nil && n == 0 {
			err = orgs.ErrNotFound
		}
		return err
	})
}

// deliveryRow is a row of webhook_deliveries.
type deliveryRow struct {
	EndpointID     string
	EventID        string
	OrganizationID string
	State          string
	Attempts       int
	NextAttemptAt  time.Time
	Holder         *string
	LeaseUntil     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const deliveryColumns = "d.endpoint_id, d.event_id, d.organization_id, d.state, d.attempts, d.next_attempt_at, d.holder, d.lease_until, d.created_at, d.updated_at"

func (r deliveryRow) delivery() orgs.WebhookDelivery {
	d := orgs.WebhookDelivery{EndpointID: r.EndpointID, EventID: r.EventID, OrganizationID: r.OrganizationID,
		State: orgs.WebhookDeliveryState(r.State), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Holder != nil {
		d.Holder = *r.Holder
	}
	if r.LeaseUntil != nil {
		d.LeaseUntil = r.LeaseUntil.UTC()
	}
	return d
}

// ts is a placeholder for a time in a SELECT list (Postgres types a
// literal there as text, which does not convert to a timestamp implicitly).
func (q *queries) ts() string {
	if q.pg {
		return "?::timestamptz"
	}
	return "?"
}

// EnqueueWebhookDeliveries inserts deliveries in one statement, skipping
// existing ones and those whose endpoint is gone.
func (q *queries) EnqueueWebhookDeliveries(ctx context.Context, ds []orgs.WebhookDelivery) error {
	if len(ds) == 0 {
		return q.ready()
	}
	values := make([]string, len(ds))
	var args []any
	for i, d := range ds {
		values[i] = "(?, ?, ?, ?, ?, " + q.ts() + ", " + q.ts() + ")"
		args = append(args, d.EndpointID, d.EventID, d.OrganizationID, string(d.State), d.Attempts, d.NextAttemptAt.UTC(), d.CreatedAt.UTC())
	}
	query := `WITH v (endpoint_id, event_id, organization_id, state, attempts, next_attempt_at, created_at) AS (VALUES ` + strings.Join(values, ", ") + `)
		INSERT INTO webhook_deliveries (endpoint_id, event_id, organization_id, state, attempts, next_attempt_at, created_at, updated_at)
		SELECT v.endpoint_id, v.event_id, v.organization_id, v.state, v.attempts, v.next_attempt_at, v.created_at, v.created_at FROM v
		WHERE EXISTS (SELECT 1 FROM webhook_endpoints AS ep WHERE ep.id = v.endpoint_id)
		ON CONFLICT (endpoint_id, event_id) DO NOTHING`
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, query, args...)
		return err
	})
}

// replayCondition selects the events of a replay, on events aliased e.
func replayCondition(r orgs.WebhookReplayFilter) (string, []any) {
	var conds []string
	var args []any
	if r.OrganizationID != "" {
		conds, args = append(conds, "e.organization_id = ?"), append(args, r.OrganizationID)
	}
	if r.EventID != "" {
		conds, args = append(conds, "e.id = ?"), append(args, r.EventID)
	} else {
		conds, args = append(conds, "e.created_at >= ? AND e.created_at < ?"), append(args, r.Since.UTC(), r.Until.UTC())
	}
	if len(r.Types) > 0 {
		conds, args = append(conds, "e.type IN (?)"), append(args, bun.List(r.Types))
	}
	return strings.Join(conds, " AND "), args
}

// ReplayWebhookDeliveries counts the events a replay selects, then inserts
// or resets their deliveries in one statement.
func (q *queries) ReplayWebhookDeliveries(ctx context.Context, r orgs.WebhookReplayFilter) (int, error) {
	cond, args := replayCondition(r)
	var n int64
	err := q.write(ctx, func(w *queries) error {
		if err := w.execOne(ctx, "UPDATE webhook_endpoints SET id = id WHERE id = ?", r.EndpointID); err != nil {
			return err // the endpoint is gone (and is locked now, on Postgres)
		}
		count, err := w.count(ctx, "SELECT count(*) FROM events AS e WHERE "+cond, args...)
		if err != nil {
			return err
		}
		if r.MaxEvents > 0 && count > r.MaxEvents {
			return fmt.Errorf("store: %d events to replay, at most %d: %w", count, r.MaxEvents, orgs.ErrLimitExceeded)
		}
		now := r.Now.UTC()
		n, err = w.execCount(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, organization_id, state, attempts, next_attempt_at, created_at, updated_at)
			SELECT ?, e.id, e.organization_id, 'pending', 0, `+q.ts()+`, `+q.ts()+`, `+q.ts()+` FROM events AS e WHERE `+cond+`
			ON CONFLICT (endpoint_id, event_id) DO UPDATE SET state = 'pending', attempts = 0,
				next_attempt_at = excluded.next_attempt_at, holder = NULL, lease_until = NULL, updated_at = excluded.updated_at`,
			append([]any{r.EndpointID, now, now, now}, args...)...)
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// ClaimWebhookDeliveries locks due deliveries (skipping those another
// claim has locked, on Postgres), leases them, and reads their endpoints
// and events: four statements in one transaction.
func (q *queries) ClaimWebhookDeliveries(ctx context.Context, c orgs.WebhookClaim) ([]orgs.ClaimedWebhookDelivery, error) {
	var out []orgs.ClaimedWebhookDelivery
	err := q.write(ctx, func(w *queries) error {
		lock := ""
		if q.pg {
			lock = " FOR UPDATE OF d SKIP LOCKED"
		}
		now := c.Now.UTC()
		var rows []deliveryRow
		if err := w.db.NewRaw(`SELECT `+deliveryColumns+` FROM webhook_deliveries AS d
			JOIN webhook_endpoints AS ep ON ep.id = d.endpoint_id
			WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.holder IS NULL OR d.lease_until <= ?) AND ep.enabled
			ORDER BY d.next_attempt_at, d.event_id, d.endpoint_id LIMIT ?`+lock, now, now, c.Limit).Scan(ctx, &rows); err != nil {
			return w.interpretError(err)
		}
		if len(rows) == 0 {
			return nil
		}
		keys := make([]string, len(rows))
		var keyArgs []any
		epIDs, evIDs := map[string]bool{}, map[string]bool{}
		for i, r := range rows {
			keys[i] = "(?, ?)"
			keyArgs = append(keyArgs, r.EndpointID, r.EventID)
			epIDs[r.EndpointID], evIDs[r.EventID] = true, true
		}
		if _, err := w.exec(ctx, "UPDATE webhook_deliveries SET holder = ?, lease_until = ? WHERE (endpoint_id, event_id) IN (VALUES "+strings.Join(keys, ", ")+")",
			append([]any{c.Holder, c.Until.UTC()}, keyArgs...)...); err != nil {
			return err
		}
		var eps []endpointRow
		if err := w.db.NewRaw("SELECT "+endpointColumns+" FROM webhook_endpoints WHERE id IN (?)", bun.List(mapKeys(epIDs))).Scan(ctx, &eps); err != nil {
			return w.interpretError(err)
		}
		var evs []orgs.Event
		if err := w.db.NewRaw("SELECT id, organization_id, type, actor_type, actor_id, data, created_at FROM events WHERE id IN (?)", bun.List(mapKeys(evIDs))).Scan(ctx, &evs); err != nil {
			return w.interpretError(err)
		}
		byEP, byEV := map[string]orgs.WebhookEndpoint{}, map[string]orgs.Event{}
		for _, r := range eps {
			byEP[r.ID] = r.endpoint()
		}
		for _, e := range evs {
			utc(&e.CreatedAt)
			byEV[e.ID] = e
		}
		out = make([]orgs.ClaimedWebhookDelivery, len(rows))
		for i, r := range rows {
			d := r.delivery()
			d.Holder, d.LeaseUntil = c.Holder, c.Until.UTC()
			out[i] = orgs.ClaimedWebhookDelivery{Delivery: d, Endpoint: byEP[r.EndpointID], Event: byEV[r.EventID]}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func mapKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// FinishWebhookAttempt records the attempt and updates the delivery if
// the claim still holds, in one transaction; the attempt stays recorded
// when it does not.
func (q *queries) FinishWebhookAttempt(ctx context.Context, claimed orgs.WebhookDelivery, up orgs.WebhookDeliveryUpdate, a *orgs.WebhookAttempt) error {
	lost := false
	err := q.write(ctx, func(w *queries) error {
		if a != nil {
			if _, err := w.exec(ctx, `INSERT INTO webhook_attempts (id, endpoint_id, event_id, event_type, attempt, outcome, status_code, latency_ms, response, error, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.EndpointID, a.EventID, a.EventType, a.Attempt, a.Outcome,
				a.StatusCode, a.LatencyMS, a.Response, a.Error, a.CreatedAt.UTC()); err != nil {
				return err
			}
		}
		n, err := w.execCount(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, updated_at = ?, holder = NULL, lease_until = NULL
			WHERE endpoint_id = ? AND event_id = ? AND holder = ? AND attempts = ?`,
			string(up.State), up.Attempts, up.NextAttemptAt.UTC(), up.UpdatedAt.UTC(),
			claimed.EndpointID, claimed.EventID, claimed.Holder, claimed.Attempts)
		lost = n == 0
		return err
	})
	if err == nil && lost {
		err = fmt.Errorf("store: delivery of %s to %s: %w", claimed.EventID, claimed.EndpointID, orgs.ErrLeaseLost)
	}
	return err
}

// ListWebhookAttempts returns a page of an endpoint's attempts by ID.
func (q *queries) ListWebhookAttempts(ctx context.Context, f orgs.WebhookAttemptFilter) ([]orgs.WebhookAttempt, error) {
	sq := q.db.NewSelect().ColumnExpr("a.id, a.endpoint_id, a.event_id, a.event_type, a.attempt, a.outcome, a.status_code, a.latency_ms, a.response, a.error, a.created_at").
		TableExpr("webhook_attempts AS a").Where("a.endpoint_id = ?", f.EndpointID)
	if f.EventID != "" {
		sq.Where("a.event_id = ?", f.EventID)
	}
	as, err := list[orgs.WebhookAttempt](ctx, q, sq, "a.id", f.Range, nil)
	for i := range as {
		utc(&as[i].CreatedAt)
	}
	return as, err
}

// ListWebhookDeliveries returns a page of an endpoint's deliveries by
// event ID.
func (q *queries) ListWebhookDeliveries(ctx context.Context, f orgs.WebhookDeliveryFilter) ([]orgs.WebhookDelivery, error) {
	sq := q.db.NewSelect().ColumnExpr(deliveryColumns).TableExpr("webhook_deliveries AS d").Where("d.endpoint_id = ?", f.EndpointID)
	if f.State != "" {
		sq.Where("d.state = ?", string(f.State))
	}
	rows, err := list[deliveryRow](ctx, q, sq, "d.event_id", f.Range, nil)
	out := make([]orgs.WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, err
}
