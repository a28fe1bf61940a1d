DROP TABLE event_consumers;
--bun:split
DROP INDEX events_log_key;
--bun:split
ALTER TABLE events DROP COLUMN seq, DROP COLUMN tx;
