DROP TABLE event_consumers;
--bun:split
DROP TRIGGER events_log_seq;
--bun:split
DROP INDEX events_log_key;
--bun:split
ALTER TABLE events DROP COLUMN seq;
