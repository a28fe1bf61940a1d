-- The event log in commit order, for durable consumers (orgs.EventLog).
-- SQLite serializes writers, so a sequence number drawn inside the writing
-- transaction is commit order. A trigger draws it (max + 1, on a unique
-- index) so that inserts need not name it. Existing events keep their ID
-- order.
ALTER TABLE events ADD COLUMN seq INTEGER;
--bun:split
UPDATE events SET seq = o.n
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM events) AS o
WHERE o.id = events.id;
--bun:split
CREATE UNIQUE INDEX events_log_key ON events (seq);
--bun:split
CREATE TRIGGER events_log_seq AFTER INSERT ON events FOR EACH ROW WHEN NEW.seq IS NULL
BEGIN
    UPDATE events SET seq = (SELECT COALESCE(max(seq), 0) + 1 FROM events) WHERE rowid = NEW.rowid;
END;
--bun:split
-- Durable consumers: a position in the log and a lease.
CREATE TABLE event_consumers (
    name        TEXT PRIMARY KEY,
    position    TEXT NOT NULL DEFAULT '',
    holder      TEXT,
    lease_until TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
