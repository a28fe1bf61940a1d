package orgs

import (
	"context"
	"time"
)

// WebhookStore is an optional capability of a Store and of its Tx: webhook
// endpoints, their deliveries (one per event and endpoint) and the log of
// delivery attempts. The Service manages endpoints through the Tx, inside
// its transactions (an organization's endpoints after LockOrganization);
// the delivery worker (package webhooks) uses the Store's own methods.
// Without it, the webhook methods fail with an error wrapping
// errors.ErrUnsupported. storetest's Webhooks area proves it.
//
// Deleting an organization (Tx.DeleteOrganization) must delete its
// endpoints, and deleting an endpoint its deliveries and attempts.
// Host-level endpoints have an empty OrganizationID.
type WebhookStore interface {
	// InsertWebhookEndpoint inserts an endpoint.
	InsertWebhookEndpoint(ctx context.Context, ep *WebhookEndpoint) error
	// UpdateWebhookEndpoint writes an endpoint's URL, Description,
	// EventTypes, Enabled, DisabledReason, signing secrets and UpdatedAt
	// (not FailingSince: see SetWebhookEndpointFailing); ErrNotFound
	// unless it exists with ep.OrganizationID.
	UpdateWebhookEndpoint(ctx context.Context, ep *WebhookEndpoint) error
	// DeleteWebhookEndpoint deletes an endpoint of the organization (orgID
	// "" for a host-level one) with its deliveries and attempts.
	DeleteWebhookEndpoint(ctx context.Context, orgID, id string) error
	// GetWebhookEndpoint returns an endpoint of the organization (orgID ""
	// for a host-level one), secrets included.
	GetWebhookEndpoint(ctx context.Context, orgID, id string) (*WebhookEndpoint, error)
	// ListWebhookEndpoints returns the endpoints f selects ordered by ID,
	// secrets included.
	ListWebhookEndpoints(ctx context.Context, f WebhookEndpointFilter) ([]WebhookEndpoint, error)
	// SetWebhookEndpointFailing sets FailingSince: to since when it is nil
	// (an endpoint already failing keeps its first time), or to nil when
	// since is nil. ErrNotFound when the endpoint does not exist.
	SetWebhookEndpointFailing(ctx context.Context, id string, since *time.Time) error

	// EnqueueWebhookDeliveries inserts deliveries, skipping any whose
	// (EndpointID, EventID) exists already, so that enqueueing an event
	// twice delivers it once.
	EnqueueWebhookDeliveries(ctx context.Context, ds []WebhookDelivery) error
	// ReplayWebhookDeliveries makes the events r selects due again for
	// r.EndpointID: pending, no attempts, NextAttemptAt r.Now, no lease;
	// new deliveries are inserted, existing ones reset. It returns how
	// many, and fails with ErrLimitExceeded, changing nothing, when more
	// than r.MaxEvents events match.
	ReplayWebhookDeliveries(ctx context.Context, r WebhookReplayFilter) (int, error)
	// ClaimWebhookDeliveries leases up to c.Limit due deliveries to
	// c.Holder until c.Until and returns them with their endpoints and
	// events: pending ones whose NextAttemptAt is at or before c.Now,
	// whose lease is free (no holder, or LeaseUntil at or before c.Now)
	// and whose endpoint is enabled, earliest NextAttemptAt first. Claims
	// are exclusive: concurrent claims, on any number of instances, never
	// return the same delivery while its lease holds (SELECT … FOR UPDATE
	// SKIP LOCKED on Postgres; SQLite serializes writers).
	ClaimWebhookDeliveries(ctx context.Context, c WebhookClaim) ([]ClaimedWebhookDelivery, error)
	// FinishWebhookAttempt records attempt a (when not nil) and, if the
	// delivery is still as claimed (claimed.Holder holds it and its
	// Attempts is claimed.Attempts), applies up and ends the lease, in one
	// transaction. Otherwise — the lease ended and another holder claimed
	// it, or a replay reset it — the attempt is still recorded, the
	// delivery is left alone, and it fails with ErrLeaseLost.
	FinishWebhookAttempt(ctx context.Context, claimed WebhookDelivery, up WebhookDeliveryUpdate, a *WebhookAttempt) error
	// ListWebhookAttempts returns the attempts f selects ordered by ID.
	ListWebhookAttempts(ctx context.Context, f WebhookAttemptFilter) ([]WebhookAttempt, error)
	// ListWebhookDeliveries returns the deliveries f selects ordered by
	// EventID.
	ListWebhookDeliveries(ctx context.Context, f WebhookDeliveryFilter) ([]WebhookDelivery, error)
}

// WebhookEndpointFilter selects endpoints.
type WebhookEndpointFilter struct {
	// OrganizationID selects the organization's endpoints; "" selects the
	// host-level ones.
	OrganizationID string
	// WithHost adds the host-level endpoints to an organization's.
	WithHost bool
	// EnabledOnly leaves out disabled endpoints.
	EnabledOnly bool
}

// WebhookDeliveryState is a delivery's state.
type WebhookDeliveryState string

// Delivery states.
const (
	DeliveryPending   WebhookDeliveryState = "pending"
	DeliverySucceeded WebhookDeliveryState = "succeeded"
	DeliveryFailed    WebhookDeliveryState = "failed"
)

// WebhookDelivery is one event to deliver to one endpoint, as a Store
// keeps it. (EndpointID, EventID) is unique.
type WebhookDelivery struct {
	EndpointID string
	EventID    string
	// OrganizationID is the event's organization.
	OrganizationID string
	State          WebhookDeliveryState
	// Attempts counts the attempts made.
	Attempts      int
	NextAttemptAt time.Time
	// Holder leases the delivery until LeaseUntil while it sends.
	Holder     string
	LeaseUntil time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ClaimedWebhookDelivery is a leased delivery with what sending it needs.
type ClaimedWebhookDelivery struct {
	Delivery WebhookDelivery
	Endpoint WebhookEndpoint
	Event    Event
}

// WebhookClaim asks ClaimWebhookDeliveries for due deliveries.
type WebhookClaim struct {
	Holder string
	Now    time.Time
	Until  time.Time
	Limit  int
}

// WebhookDeliveryUpdate is what FinishWebhookAttempt writes.
type WebhookDeliveryUpdate struct {
	State         WebhookDeliveryState
	Attempts      int
	NextAttemptAt time.Time
	UpdatedAt     time.Time
}

// WebhookReplayFilter selects the events ReplayWebhookDeliveries makes due
// again for one endpoint: the events of OrganizationID (every
// organization's when it is "", for a host-level endpoint) whose ID is
// EventID, when set, else created in [Since, Until); of Types only, when
// set.
type WebhookReplayFilter struct {
	EndpointID     string
	OrganizationID string
	EventID        string
	Since, Until   time.Time
	Types          []EventType
	Now            time.Time
	MaxEvents      int
}

// WebhookAttemptFilter selects the attempts of one endpoint.
type WebhookAttemptFilter struct {
	EndpointID string
	EventID    string // only the attempts for this event, when set
	Range
}

// WebhookDeliveryFilter selects the deliveries of one endpoint.
type WebhookDeliveryFilter struct {
	EndpointID string
	State      WebhookDeliveryState // only this state, when set
	Range                           // keys: event IDs
}
