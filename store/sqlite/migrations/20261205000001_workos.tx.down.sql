DROP INDEX invitations_email_idx;
--bun:split
ALTER TABLE invitations DROP COLUMN revoked_at;
--bun:split
ALTER TABLE invitations DROP COLUMN accepted_at;
--bun:split
ALTER TABLE organization_domains DROP COLUMN updated_at;
--bun:split
ALTER TABLE organization_domains DROP COLUMN strategy;
--bun:split
ALTER TABLE organizations DROP COLUMN stripe_customer_id;
--bun:split
DROP INDEX members_user_id_idx;
--bun:split
DROP INDEX members_org_id_idx;
--bun:split
DROP INDEX members_id_key;
--bun:split
ALTER TABLE members DROP COLUMN updated_at;
--bun:split
ALTER TABLE members DROP COLUMN status;
--bun:split
ALTER TABLE members DROP COLUMN id;
