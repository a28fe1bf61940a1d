-- Memberships become resources: a stable ID (om_ and 26 characters, as
-- Service IDs; existing rows get a random one), a status (an inactive member
-- keeps its row, role and seat but no permission) and an update time.
ALTER TABLE members ADD COLUMN id TEXT;
--bun:split
ALTER TABLE members ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
--bun:split
ALTER TABLE members ADD COLUMN updated_at TIMESTAMP;
--bun:split
UPDATE members SET id = 'om_0' || substr(hex(randomblob(13)), 1, 25), updated_at = joined_at;
--bun:split
CREATE UNIQUE INDEX members_id_key ON members (id);
--bun:split
CREATE INDEX members_org_id_idx ON members (organization_id, id);
--bun:split
CREATE INDEX members_user_id_idx ON members (user_id, id);
--bun:split
-- The host's Stripe customer for the organization.
ALTER TABLE organizations ADD COLUMN stripe_customer_id TEXT;
--bun:split
-- Domains: how they are verified (dns, or manual: set by the system caller),
-- and when their state last changed.
ALTER TABLE organization_domains ADD COLUMN strategy TEXT NOT NULL DEFAULT 'dns';
--bun:split
ALTER TABLE organization_domains ADD COLUMN updated_at TIMESTAMP;
--bun:split
UPDATE organization_domains SET updated_at = COALESCE(verified_at, created_at);
--bun:split
-- Invitations: when they were accepted or revoked; lists by email.
ALTER TABLE invitations ADD COLUMN accepted_at TIMESTAMP;
--bun:split
ALTER TABLE invitations ADD COLUMN revoked_at TIMESTAMP;
--bun:split
CREATE INDEX invitations_email_idx ON invitations (email, id);
