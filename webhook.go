package orgs

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook endpoints: where events are delivered as signed HTTP requests
// (package webhooks sends them). The Service manages the endpoints and the
// replay requests, checks permissions and records events; the delivery
// worker reads the store.

// PermWebhooksManage allows managing an organization's webhook endpoints:
// listing, creating, changing, deleting them, rotating their secrets,
// reading their delivery attempts and replaying messages. Owners and
// admins have it.
const PermWebhooksManage Permission = "webhooks:manage"

// ID prefixes of webhook rows.
const (
	PrefixWebhookEndpoint = "ep_"
	PrefixWebhookAttempt  = "atmpt_"
)

// AllOrganizations, passed as the organization to the webhook endpoint
// methods, selects the host-level endpoints: those that receive the events
// of every organization. Only the system caller may use it (for a user it
// is an organization that does not exist). It can never be a slug.
const AllOrganizations = "*"

// Webhook event types: changes to an organization's endpoints.
const (
	EventWebhookEndpointCreated       EventType = "webhook_endpoint.created"        // endpoint_id, url
	EventWebhookEndpointUpdated       EventType = "webhook_endpoint.updated"        // endpoint_id, fields: the changed fields, comma-separated
	EventWebhookEndpointDeleted       EventType = "webhook_endpoint.deleted"        // endpoint_id, url
	EventWebhookEndpointSecretRotated EventType = "webhook_endpoint.secret_rotated" // endpoint_id
	EventWebhookEndpointDisabled      EventType = "webhook_endpoint.disabled"       // endpoint_id, reason
	EventWebhookEndpointReplayed      EventType = "webhook_endpoint.replayed"       // endpoint_id, count, and event_id or since and until
)

// Reasons an endpoint is disabled (WebhookEndpoint.DisabledReason).
const (
	// DisabledManually: someone set Enabled to false.
	DisabledManually = "manual"
	// DisabledFailing: deliveries kept failing for longer than the
	// worker's failing period (see package webhooks).
	DisabledFailing = "failing"
	// DisabledGone: the endpoint answered 410 Gone.
	DisabledGone = "gone"
)

// WebhookEndpoint is a URL that receives events as Standard Webhooks
// messages. An organization's endpoints receive its events; host-level
// endpoints (OrganizationID "", see AllOrganizations) receive every
// organization's.
//
// Secret, the signing secret ("whsec_…"), is shown once: in the results of
// CreateWebhookEndpoint and RotateWebhookSecret. Afterwards only the
// store and the delivery worker see it (SigningSecret).
type WebhookEndpoint struct {
	ID             string `json:"id"`
	OrganizationID string `json:"-"`
	URL            string `json:"url"`
	Description    string `json:"description"`
	// EventTypes are the types the endpoint receives; empty means all.
	EventTypes []EventType `json:"event_types"`
	Enabled    bool        `json:"enabled"`
	// DisabledReason says why a disabled endpoint is: DisabledManually,
	// DisabledFailing or DisabledGone ("" while enabled).
	DisabledReason string `json:"disabled_reason"`
	// FailingSince is when a message last exhausted its retries with no
	// success since; nil while deliveries succeed.
	FailingSince *time.Time `json:"failing_since"`
	// PreviousSecretExpiresAt is when the secret replaced by the last
	// rotation stops signing; until then both sign each message.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
	// Secret is the signing secret, set only in the results of
	// CreateWebhookEndpoint and RotateWebhookSecret.
	Secret string `json:"secret,omitempty"`

	// SigningSecret and PreviousSecret are the stored secrets (the
	// store's and the worker's; blank in what the Service returns).
	SigningSecret  string `json:"-"`
	PreviousSecret string `json:"-"`
}

// Wants reports whether the endpoint receives events of type t.
func (ep *WebhookEndpoint) Wants(t EventType) bool {
	return len(ep.EventTypes) == 0 || slices.Contains(ep.EventTypes, t)
}

// SigningSecrets returns the secrets that sign a message sent at now: the
// current one, and the previous one until PreviousSecretExpiresAt.
func (ep *WebhookEndpoint) SigningSecrets(now time.Time) []string {
	out := []string{ep.SigningSecret}
	if ep.PreviousSecret != "" && ep.PreviousSecretExpiresAt != nil && now.Before(*ep.PreviousSecretExpiresAt) {
		out = append(out, ep.PreviousSecret)
	}
	return out
}

// IsHostLevel reports whether the endpoint receives every organization's
// events.
func (ep *WebhookEndpoint) IsHostLevel() bool { return ep.OrganizationID == "" }

// present blanks what callers never see again.
func (ep *WebhookEndpoint) present() *WebhookEndpoint {
	ep.SigningSecret, ep.PreviousSecret = "", ""
	if ep.EventTypes == nil {
		ep.EventTypes = []EventType{}
	}
	return ep
}

// WebhookAttempt is one delivery attempt of a message to an endpoint.
type WebhookAttempt struct {
	ID         string `json:"id"`
	EndpointID string `json:"endpoint_id"`
	// EventID is the message's ID (its webhook-id header).
	EventID   string    `json:"event_id"`
	EventType EventType `json:"event_type"`
	// Attempt numbers the attempts of one message, from 1 (a replay
	// starts again at 1).
	Attempt int `json:"attempt"`
	// Outcome is success, non_2xx, refused_destination, timeout,
	// connection_error or invalid (see package webhooks).
	Outcome string `json:"outcome"`
	// StatusCode is the response's status, 0 without a response.
	StatusCode int `json:"status_code"`
	// LatencyMS is the time to the response's headers, in milliseconds.
	LatencyMS int64 `json:"latency_ms"`
	// Response is the start of the response body.
	Response string `json:"response"`
	// Error says why the attempt failed ("" on success).
	Error     string    `json:"error"`
	CreatedAt time.Time `json:"created_at"`
}

func (a WebhookAttempt) listKey() string { return a.ID }

// WebhookOptions configure webhook endpoints (WithWebhookOptions).
type WebhookOptions struct {
	// MaxEndpointsPerOrganization caps an organization's endpoints; 0
	// means 20.
	MaxEndpointsPerOrganization int
	// AllowHTTP lets organizations' endpoints use http URLs (the delivery
	// worker must allow them too). Host-level endpoints always may: the
	// host configures them.
	AllowHTTP bool
	// SecretOverlap is how long a rotated-out secret keeps signing, when
	// a rotation does not say; 0 means 24 hours.
	SecretOverlap time.Duration
	// MaxReplayEvents caps the events one replay may select; 0 means
	// 10,000.
	MaxReplayEvents int
}

// Webhook bounds.
const (
	defaultMaxEndpoints     = 20
	defaultSecretOverlap    = 24 * time.Hour
	maxSecretOverlap        = 7 * 24 * time.Hour
	defaultMaxReplayEvents  = 10_000
	maxWebhookDescription   = 200
	maxDisabledReason       = 200
	webhookSecretPrefix     = "whsec_"
	minWebhookSecretBytes   = 24
	maxWebhookSecretBytes   = 64
	newWebhookSecretBytes   = 32
	maxWebhookEventTypesLen = 100
)

// WithWebhookOptions configures webhook endpoints.
func WithWebhookOptions(o WebhookOptions) Option {
	return func(s *Service) error {
		if o.MaxEndpointsPerOrganization < 0 || o.MaxReplayEvents < 0 || o.SecretOverlap < 0 || o.SecretOverlap > maxSecretOverlap {
			return invalid("webhook_options", "limits must not be negative, and SecretOverlap at most 7 days")
		}
		s.webhooks = o
		return nil
	}
}

func (o WebhookOptions) maxEndpoints() int {
	if o.MaxEndpointsPerOrganization == 0 {
		return defaultMaxEndpoints
	}
	return o.MaxEndpointsPerOrganization
}

func (o WebhookOptions) overlap() time.Duration {
	if o.SecretOverlap == 0 {
		return defaultSecretOverlap
	}
	return o.SecretOverlap
}

func (o WebhookOptions) maxReplay() int {
	if o.MaxReplayEvents == 0 {
		return defaultMaxReplayEvents
	}
	return o.MaxReplayEvents
}

// WebhookEndpointInput creates an endpoint.
type WebhookEndpointInput struct {
	// URL receives the messages: https (http only where allowed, see
	// WebhookOptions.AllowHTTP), with a host and no user or password,
	// at most 2048 characters.
	URL         string
	Description string      // at most 200 characters
	EventTypes  []EventType // empty: every type; else each of AllEventTypes
	// Disabled creates the endpoint disabled (DisabledManually).
	Disabled bool
	// Secret is the signing secret, "whsec_" and the base64 of 24 to 64
	// bytes; empty makes a new one (32 random bytes).
	Secret string
}

// WebhookEndpointUpdate changes an endpoint; nil fields stay.
type WebhookEndpointUpdate struct {
	URL         *string
	Description *string
	EventTypes  *[]EventType
	// Enabled re-enables (clearing DisabledReason and FailingSince) or
	// disables (DisabledManually) the endpoint.
	Enabled *bool
}

// WebhookSecretRotation rotates an endpoint's signing secret.
type WebhookSecretRotation struct {
	// Secret is the new secret; empty makes one.
	Secret string
	// Overlap is how long the old secret keeps signing alongside the new
	// one, at most 7 days; 0 means WebhookOptions.SecretOverlap (24 hours
	// by default).
	Overlap time.Duration
	// NoOverlap retires the old secret at once.
	NoOverlap bool
}

// WebhookReplay selects the messages to deliver again to an endpoint: one
// event (EventID), or the events created in [Since, Until) — Until zero
// means now. Only events of the types the endpoint receives are replayed.
type WebhookReplay struct {
	EventID      string
	Since, Until time.Time
}

// WebhookAttemptQuery filters ListWebhookAttempts.
type WebhookAttemptQuery struct {
	EventID string // only the attempts of this message, when set
	Page
}

// webhookStore returns the capability of r (a Store or a Tx).
func webhookStore(r any) (WebhookStore, error) {
	ws, ok := r.(WebhookStore)
	if !ok {
		return nil, fmt.Errorf("orgs: webhooks: the store does not implement orgs.WebhookStore: %w", errors.ErrUnsupported)
	}
	return ws, nil
}

// webhookScope reads which endpoints slug names, as actor, outside a
// transaction: an organization's (PermWebhooksManage) or, for
// AllOrganizations, the host's (the system caller only). It returns the
// organization's ID ("" for the host's).
func (s *Service) webhookScope(ctx context.Context, actor Actor, slug string) (string, WebhookStore, error) {
	ws, err := webhookStore(s.store)
	if err != nil {
		return "", nil, err
	}
	if slug == AllOrganizations {
		if err := actor.check(); err != nil {
			return "", nil, err
		}
		if !actor.system {
			return "", nil, ErrNotFound
		}
		return "", ws, nil
	}
	org, err := s.view(ctx, actor, slug, PermWebhooksManage)
	if err != nil {
		return "", nil, err
	}
	return org.ID, ws, nil
}

// webhookChange is one change of the endpoints slug names, in one
// transaction: for an organization, through mutate (locked, permission
// checked, recording events); for AllOrganizations, by the system caller
// only, recording none (host-level endpoints belong to no organization).
type webhookChange struct {
	ctx   context.Context
	tx    Tx
	ws    WebhookStore
	m     *mutation // nil for the host's endpoints
	orgID string
}

func (c *webhookChange) record(typ EventType, data map[string]string) {
	if c.m != nil {
		c.m.record(typ, data)
	}
}

func changeWebhooks[T any](ctx context.Context, s *Service, actor Actor, slug string, change func(c *webhookChange) (T, error)) (T, error) {
	var zero T
	if _, err := webhookStore(s.store); err != nil {
		return zero, err
	}
	if slug != AllOrganizations {
		return mutate(ctx, s, actor, slug, PermWebhooksManage, func(m *mutation) (T, error) {
			ws, err := webhookStore(m.tx)
			if err != nil {
				return zero, err
			}
			return change(&webhookChange{ctx: m.ctx, tx: m.tx, ws: ws, m: m, orgID: m.org.ID})
		})
	}
	if err := actor.check(); err != nil {
		return zero, err
	}
	if !actor.system {
		return zero, ErrNotFound
	}
	var out T
	err := s.store.Transact(ctx, func(ctx context.Context, tx Tx) error {
		ws, err := webhookStore(tx)
		if err != nil {
			return err
		}
		out, err = change(&webhookChange{ctx: ctx, tx: tx, ws: ws})
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// validateWebhookURL checks an endpoint URL; http is allowed when allowHTTP.
func validateWebhookURL(s string, allowHTTP bool) error {
	if s == "" {
		return invalid("", "is required")
	}
	if err := checkText(s, false); err != nil {
		return err
	}
	if len(s) > maxURLLen {
		return invalid("", fmt.Sprintf("must be at most %d characters", maxURLLen))
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "" || strings.ContainsAny(s, " \\"):
		return invalid("", "must be an absolute URL with a host")
	case u.User != nil:
		return invalid("", "must not contain a user name or password")
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	default:
		return invalid("", "must be an https URL")
	}
	return nil
}

// normalizeEventTypes checks a list of event types and returns it sorted
// without repeats (nil for none: every type).
func normalizeEventTypes(ts []EventType) ([]EventType, error) {
	if len(ts) > maxWebhookEventTypesLen {
		return nil, invalid("", "lists too many types")
	}
	var out []EventType
	for _, t := range ts {
		if !slices.Contains(AllEventTypes, t) {
			return nil, invalid("", fmt.Sprintf("%q is not an event type", truncate(string(t), 64)))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out, nil
}

// truncate shortens s to at most n bytes of whole runes, for messages.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// newWebhookSecret returns a new secret of 32 random bytes.
func newWebhookSecret() string {
	key := make([]byte, newWebhookSecretBytes)
	_, _ = rand.Read(key) // never fails (Go 1.24+)
	return webhookSecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// checkWebhookSecret checks a given secret: "whsec_" and standard base64,
// with padding, of 24 to 64 bytes (package webhooks' ParseSecret rule).
func checkWebhookSecret(s string) error {
	enc, ok := strings.CutPrefix(s, webhookSecretPrefix)
	if !ok {
		return invalid("", "must start with whsec_")
	}
	if strings.ContainsAny(enc, "\r\n") {
		return invalid("", "must be whsec_ and standard base64")
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return invalid("", "must be whsec_ and standard base64")
	}
	if len(key) < minWebhookSecretBytes || len(key) > maxWebhookSecretBytes {
		return invalid("", fmt.Sprintf("must hold %d to %d bytes", minWebhookSecretBytes, maxWebhookSecretBytes))
	}
	return nil
}

// ListWebhookEndpoints lists the endpoints of an organization
// (PermWebhooksManage), or the host-level ones for AllOrganizations (the
// system caller), ordered by ID, without their secrets.
func (s *Service) ListWebhookEndpoints(ctx context.Context, actor Actor, slug string) ([]WebhookEndpoint, error) {
	orgID, ws, err := s.webhookScope(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	eps, err := ws.ListWebhookEndpoints(ctx, WebhookEndpointFilter{OrganizationID: orgID})
	if err != nil {
		return nil, err
	}
	for i := range eps {
		eps[i].present()
	}
	return nonNil(eps), nil
}

// GetWebhookEndpoint returns one endpoint, without its secret.
func (s *Service) GetWebhookEndpoint(ctx context.Context, actor Actor, slug, id string) (*WebhookEndpoint, error) {
	orgID, ws, err := s.webhookScope(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	if !validID(PrefixWebhookEndpoint, id) {
		return nil, ErrNotFound
	}
	ep, err := ws.GetWebhookEndpoint(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return ep.present(), nil
}

// CreateWebhookEndpoint adds an endpoint to an organization
// (PermWebhooksManage; at most WebhookOptions.MaxEndpointsPerOrganization,
// else ErrLimitExceeded), or a host-level one for AllOrganizations (the
// system caller). The result carries the signing secret, shown this once.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, actor Actor, slug string, in WebhookEndpointInput) (*WebhookEndpoint, error) {
	var fe fieldErrors
	fe.check("url", validateWebhookURL(in.URL, s.webhooks.AllowHTTP || slug == AllOrganizations))
	fe.check("description", validateText(in.Description, maxWebhookDescription, false))
	types, err := normalizeEventTypes(in.EventTypes)
	fe.check("event_types", err)
	if in.Secret != "" {
		fe.check("secret", checkWebhookSecret(in.Secret))
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return changeWebhooks(ctx, s, actor, slug, func(c *webhookChange) (*WebhookEndpoint, error) {
		if c.m != nil {
			eps, err := c.ws.ListWebhookEndpoints(c.ctx, WebhookEndpointFilter{OrganizationID: c.orgID})
			if err != nil {
				return nil, err
			}
			if len(eps) >= s.webhooks.maxEndpoints() {
				return nil, ErrLimitExceeded
			}
		}
		now := s.clock()
		ep := &WebhookEndpoint{ID: NewID(PrefixWebhookEndpoint), OrganizationID: c.orgID, URL: in.URL,
			Description: in.Description, EventTypes: types, Enabled: !in.Disabled,
			SigningSecret: in.Secret, CreatedAt: now, UpdatedAt: now}
		if ep.SigningSecret == "" {
			ep.SigningSecret = newWebhookSecret()
		}
		if in.Disabled {
			ep.DisabledReason = DisabledManually
		}
		if err := c.ws.InsertWebhookEndpoint(c.ctx, ep); err != nil {
			return nil, err
		}
		c.record(EventWebhookEndpointCreated, map[string]string{"endpoint_id": ep.ID, "url": ep.URL})
		secret := ep.SigningSecret
		ep.present().Secret = secret
		return ep, nil
	})
}

// UpdateWebhookEndpoint changes an endpoint (PermWebhooksManage, or the
// system caller for AllOrganizations). Re-enabling one clears
// DisabledReason and FailingSince.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, actor Actor, slug, id string, in WebhookEndpointUpdate) (*WebhookEndpoint, error) {
	var fe fieldErrors
	if in.URL != nil {
		fe.check("url", validateWebhookURL(*in.URL, s.webhooks.AllowHTTP || slug == AllOrganizations))
	}
	if in.Description != nil {
		fe.check("description", validateText(*in.Description, maxWebhookDescription, false))
	}
	var types []EventType
	if in.EventTypes != nil {
		var err error
		types, err = normalizeEventTypes(*in.EventTypes)
		fe.check("event_types", err)
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return changeWebhooks(ctx, s, actor, slug, func(c *webhookChange) (*WebhookEndpoint, error) {
		ep, err := c.get(id)
		if err != nil {
			return nil, err
		}
		var changed []string
		if in.URL != nil && *in.URL != ep.URL {
			ep.URL, changed = *in.URL, append(changed, "url")
		}
		if in.Description != nil && *in.Description != ep.Description {
			ep.Description, changed = *in.Description, append(changed, "description")
		}
		if in.EventTypes != nil && !slices.Equal(types, ep.EventTypes) {
			ep.EventTypes, changed = types, append(changed, "event_types")
		}
		if in.Enabled != nil && *in.Enabled != ep.Enabled {
			ep.Enabled, changed = *in.Enabled, append(changed, "enabled")
			ep.DisabledReason = DisabledManually
			if ep.Enabled {
				ep.DisabledReason = ""
				if err := c.ws.SetWebhookEndpointFailing(c.ctx, ep.ID, nil); err != nil {
					return nil, err
				}
				ep.FailingSince = nil
			}
		}
		if len(changed) > 0 {
			ep.UpdatedAt = s.clock()
			if err := c.ws.UpdateWebhookEndpoint(c.ctx, ep); err != nil {
				return nil, err
			}
		}
		c.record(EventWebhookEndpointUpdated, map[string]string{"endpoint_id": ep.ID, "fields": strings.Join(changed, ",")})
		return ep.present(), nil
	})
}

// get reads endpoint id of the change's scope.
func (c *webhookChange) get(id string) (*WebhookEndpoint, error) {
	if !validID(PrefixWebhookEndpoint, id) {
		return nil, ErrNotFound
	}
	return c.ws.GetWebhookEndpoint(c.ctx, c.orgID, id)
}

// DeleteWebhookEndpoint deletes an endpoint with its pending deliveries
// and its attempt log.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, actor Actor, slug, id string) error {
	_, err := changeWebhooks(ctx, s, actor, slug, func(c *webhookChange) (struct{}, error) {
		ep, err := c.get(id)
		if err != nil {
			return struct{}{}, err
		}
		if err := c.ws.DeleteWebhookEndpoint(c.ctx, c.orgID, id); err != nil {
			return struct{}{}, err
		}
		c.record(EventWebhookEndpointDeleted, map[string]string{"endpoint_id": id, "url": ep.URL})
		return struct{}{}, nil
	})
	return err
}

// RotateWebhookSecret gives an endpoint a new signing secret, returned
// this once. The old one keeps signing alongside it for the overlap, so
// that receivers can switch without losing a message; a rotation during an
// overlap drops the oldest secret.
func (s *Service) RotateWebhookSecret(ctx context.Context, actor Actor, slug, id string, in WebhookSecretRotation) (*WebhookEndpoint, error) {
	var fe fieldErrors
	if in.Secret != "" {
		fe.check("secret", checkWebhookSecret(in.Secret))
	}
	if in.Overlap < 0 || in.Overlap > maxSecretOverlap {
		fe.add("overlap", "must be between 0 and 7 days")
	}
	if in.NoOverlap && in.Overlap != 0 {
		fe.add("overlap", "cannot be combined with no overlap")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	return changeWebhooks(ctx, s, actor, slug, func(c *webhookChange) (*WebhookEndpoint, error) {
		ep, err := c.get(id)
		if err != nil {
			return nil, err
		}
		now := s.clock()
		overlap := in.Overlap
		if overlap == 0 {
			overlap = s.webhooks.overlap()
		}
		ep.PreviousSecret, ep.PreviousSecretExpiresAt = "", nil
		if !in.NoOverlap {
			until := now.Add(overlap)
			ep.PreviousSecret, ep.PreviousSecretExpiresAt = ep.SigningSecret, &until
		}
		ep.SigningSecret = in.Secret
		if ep.SigningSecret == "" {
			ep.SigningSecret = newWebhookSecret()
		}
		ep.UpdatedAt = now
		if err := c.ws.UpdateWebhookEndpoint(c.ctx, ep); err != nil {
			return nil, err
		}
		c.record(EventWebhookEndpointSecretRotated, map[string]string{"endpoint_id": ep.ID})
		secret := ep.SigningSecret
		ep.present().Secret = secret
		return ep, nil
	})
}

// DisableWebhookEndpoint disables an endpoint, saying why (at most 200
// characters; "" means DisabledManually), and records
// webhook_endpoint.disabled with the reason. The delivery worker calls it
// as the system caller for an endpoint that kept failing (DisabledFailing)
// or answered 410 Gone (DisabledGone). An endpoint disabled already is
// returned as it is, recording nothing; no event is recorded for the
// host's endpoints (they belong to no organization).
func (s *Service) DisableWebhookEndpoint(ctx context.Context, actor Actor, slug, id, reason string) (*WebhookEndpoint, error) {
	if reason == "" {
		reason = DisabledManually
	}
	if err := validateText(reason, maxDisabledReason, false); err != nil {
		return nil, invalid("reason", "must be at most 200 characters of text")
	}
	if ep, err := s.GetWebhookEndpoint(ctx, actor, slug, id); err != nil || !ep.Enabled {
		return ep, err // disabled already: no change, no event
	}
	return changeWebhooks(ctx, s, actor, slug, func(c *webhookChange) (*WebhookEndpoint, error) {
		ep, err := c.get(id)
		if err != nil {
			return nil, err
		}
		if ep.Enabled {
			ep.Enabled, ep.DisabledReason, ep.UpdatedAt = false, reason, s.clock()
			if err := c.ws.UpdateWebhookEndpoint(c.ctx, ep); err != nil {
				return nil, err
			}
		}
		c.record(EventWebhookEndpointDisabled, map[string]string{"endpoint_id": ep.ID, "reason": ep.DisabledReason})
		return ep.present(), nil
	})
}

// ListWebhookAttempts returns an endpoint's delivery attempts, oldest
// first (page backwards with Before for the newest), each with its
// outcome, status code, latency and the start of the response.
func (s *Service) ListWebhookAttempts(ctx context.Context, actor Actor, slug, id string, q WebhookAttemptQuery) (*List[WebhookAttempt], error) {
	r, err := q.Page.toRange()
	var fe fieldErrors
	fe.merge(err)
	if q.EventID != "" && !validID(PrefixEvent, q.EventID) {
		fe.add("event_id", "is not an event ID")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	orgID, ws, err := s.webhookScope(ctx, actor, slug)
	if err != nil {
		return nil, err
	}
	if !validID(PrefixWebhookEndpoint, id) {
		return nil, ErrNotFound
	}
	if _, err := ws.GetWebhookEndpoint(ctx, orgID, id); err != nil {
		return nil, err
	}
	as, err := ws.ListWebhookAttempts(ctx, WebhookAttemptFilter{EndpointID: id, EventID: q.EventID, Range: r})
	if err != nil {
		return nil, err
	}
	return paginate(as, r, WebhookAttempt.listKey), nil
}

// ReplayWebhooks delivers messages to an endpoint again, from the first
// attempt of the retry schedule: one event (which must be the endpoint's
// organization's and of a type it receives, else ErrNotFound), or every
// such event created in a time range (at most
// WebhookOptions.MaxReplayEvents, else ErrLimitExceeded). It returns how
// many messages were queued and records webhook_endpoint.replayed. A
// disabled endpoint's messages wait until it is enabled.
func (s *Service) ReplayWebhooks(ctx context.Context, actor Actor, slug, id string, in WebhookReplay) (int, error) {
	var fe fieldErrors
	switch {
	case in.EventID != "" && (!in.Since.IsZero() || !in.Until.IsZero()):
		fe.add("event_id", "cannot be combined with since and until")
	case in.EventID != "":
		if !validID(PrefixEvent, in.EventID) {
			fe.add("event_id", "is not an event ID")
		}
	case in.Since.IsZero():
		fe.add("since", "is required without event_id")
	case !in.Until.IsZero() && !in.Until.After(in.Since):
		fe.add("until", "must be after since")
	}
	if err := fe.err(); err != nil {
		return 0, err
	}
	return changeWebhooks(ctx, s, actor, slug, func(c *webhookChange) (int, error) {
		ep, err := c.get(id)
		if err != nil {
			return 0, err
		}
		now := s.clock()
		r := WebhookReplayFilter{EndpointID: ep.ID, OrganizationID: c.orgID, EventID: in.EventID,
			Since: in.Since.UTC(), Until: in.Until.UTC(), Types: ep.EventTypes, Now: now, MaxEvents: s.webhooks.maxReplay()}
		if in.EventID == "" && r.Until.IsZero() {
			r.Until = now.Add(time.Microsecond)
		}
		n, err := c.ws.ReplayWebhookDeliveries(c.ctx, r)
		if err != nil {
			return 0, err
		}
		if in.EventID != "" && n == 0 {
			return 0, ErrNotFound
		}
		data := map[string]string{"endpoint_id": ep.ID, "count": fmt.Sprint(n)}
		if in.EventID != "" {
			data["event_id"] = in.EventID
		} else {
			data["since"], data["until"] = r.Since.Format(time.RFC3339Nano), r.Until.Format(time.RFC3339Nano)
		}
		c.record(EventWebhookEndpointReplayed, data)
		return n, nil
	})
}
