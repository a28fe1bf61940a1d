-- Webhook endpoints (an organization's, or host-level ones with no
-- organization), one delivery per event and endpoint, and the log of
-- delivery attempts (orgs.WebhookStore).
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    organization_id            TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    url                        TEXT NOT NULL,
    description                TEXT NOT NULL DEFAULT '',
    event_types                TEXT NOT NULL DEFAULT '',
    enabled                    BOOLEAN NOT NULL,
    disabled_reason            TEXT NOT NULL DEFAULT '',
    failing_since              TIMESTAMP,
    signing_secret             TEXT NOT NULL,
    previous_secret            TEXT NOT NULL DEFAULT '',
    previous_secret_expires_at TIMESTAMP,
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX webhook_endpoints_organization_idx ON webhook_endpoints (organization_id, id);
--bun:split
-- (endpoint_id, event_id) is unique: an event is enqueued once per endpoint
-- however often the fan-out runs.
CREATE TABLE webhook_deliveries (
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    holder          TEXT,
    lease_until     TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (endpoint_id, event_id)
);
--bun:split
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
--bun:split
CREATE INDEX webhook_deliveries_state_idx ON webhook_deliveries (endpoint_id, state, event_id);
--bun:split
CREATE TABLE webhook_attempts (
    id          TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    latency_ms  BIGINT NOT NULL,
    response    TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id);
--bun:split
CREATE INDEX events_created_idx ON events (created_at);
