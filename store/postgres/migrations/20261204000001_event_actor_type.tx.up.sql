-- Events record who acted: a user (actor_id) or the system caller.
ALTER TABLE events ADD COLUMN actor_type TEXT NOT NULL DEFAULT 'user';
