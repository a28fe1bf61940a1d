-- The roles an organization defines for itself (orgs.OrganizationRoleStore).
-- Members and invitations refer to them by name; permissions are stored
-- space-separated.
CREATE TABLE organization_roles (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    rank            INTEGER NOT NULL,
    permissions     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX organization_roles_name_key ON organization_roles (organization_id, name);
