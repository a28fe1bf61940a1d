-- The event log in commit order, for durable consumers (orgs.EventLog).
-- Each event records its transaction's ID (tx) and a sequence number
-- (seq); readers take events in (tx, seq) order, and only those whose
-- transaction is older than every transaction still running: an event ID
-- (a ULID made in Go) or a sequence value alone would let a transaction
-- that commits late land behind a reader. Existing events keep their ID
-- order, under this migration's transaction ID.
CREATE SEQUENCE events_seq;
--bun:split
ALTER TABLE events ADD COLUMN seq BIGINT, ADD COLUMN tx xid8;
--bun:split
WITH o AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM events)
UPDATE events AS e SET seq = o.n, tx = pg_current_xact_id() FROM o WHERE e.id = o.id;
--bun:split
SELECT setval('events_seq', (SELECT COALESCE(max(seq), 0) + 1 FROM events), false);
--bun:split
ALTER TABLE events
    ALTER COLUMN seq SET DEFAULT nextval('events_seq'), ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN tx SET DEFAULT pg_current_xact_id(), ALTER COLUMN tx SET NOT NULL;
--bun:split
ALTER SEQUENCE events_seq OWNED BY events.seq;
--bun:split
CREATE UNIQUE INDEX events_log_key ON events (tx, seq);
--bun:split
-- Durable consumers: a position in the log and a lease.
CREATE TABLE event_consumers (
    name        TEXT PRIMARY KEY,
    position    TEXT NOT NULL DEFAULT '',
    holder      TEXT,
    lease_until TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
