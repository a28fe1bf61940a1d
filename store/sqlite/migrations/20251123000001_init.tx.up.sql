-- The initial schema (SQLite). Times are stored as bun writes them: UTC text
-- '2006-01-02 15:04:05.999999+00:00', which sorts and compares correctly.
CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    slug          TEXT NOT NULL,
    handle        TEXT,
    description   TEXT NOT NULL DEFAULT '',
    logo_url      TEXT NOT NULL DEFAULT '',
    website       TEXT NOT NULL DEFAULT '',
    industry      TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    visibility    TEXT NOT NULL DEFAULT 'private',
    external_id   TEXT,
    metadata      TEXT,
    member_count  INTEGER NOT NULL DEFAULT 0,
    team_count    INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);
--bun:split
CREATE UNIQUE INDEX organizations_handle_key ON organizations (handle);
--bun:split
CREATE UNIQUE INDEX organizations_external_id_key ON organizations (external_id);
--bun:split
CREATE INDEX organizations_created_by_idx ON organizations (created_by);
--bun:split
CREATE TABLE organization_domains (
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain             TEXT NOT NULL,
    state              TEXT NOT NULL,
    verification_token TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    verified_at        TIMESTAMP
) WITHOUT ROWID;
--bun:split
CREATE UNIQUE INDEX organization_domains_org_domain_key ON organization_domains (organization_id, domain);
--bun:split
CREATE UNIQUE INDEX organization_domains_verified_key ON organization_domains (domain) WHERE state = 'verified';
--bun:split
CREATE INDEX organization_domains_domain_idx ON organization_domains (domain);
--bun:split
CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    username   TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
--bun:split
CREATE INDEX users_email_idx ON users (email);
--bun:split
CREATE TABLE members (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    role            TEXT NOT NULL,
    joined_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (organization_id, user_id)
) WITHOUT ROWID;
--bun:split
CREATE INDEX members_user_idx ON members (user_id, organization_id);
--bun:split
CREATE INDEX members_role_idx ON members (organization_id, role, user_id);
--bun:split
CREATE TABLE categories (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    position        INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX categories_name_key ON categories (organization_id, name_key);
--bun:split
CREATE TABLE pipelines (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    is_default      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX pipelines_organization_idx ON pipelines (organization_id, id);
--bun:split
CREATE TABLE stages (
    id          TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL
);
--bun:split
CREATE INDEX stages_pipeline_idx ON stages (pipeline_id, position);
--bun:split
-- Events outlive their organization: no foreign key.
CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    type            TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    data            TEXT,
    created_at      TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX events_organization_idx ON events (organization_id, id);
--bun:split
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    status          TEXT NOT NULL,
    invited_by      TEXT NOT NULL,
    inviter_username TEXT NOT NULL DEFAULT '',
    token_hash      BLOB NOT NULL,
    resend_count    INTEGER NOT NULL DEFAULT 0,
    last_sent_at    TIMESTAMP,
    expires_at      TIMESTAMP NOT NULL,
    accepted_by     TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);
--bun:split
CREATE UNIQUE INDEX invitations_pending_email_key ON invitations (organization_id, email) WHERE status = 'pending';
--bun:split
CREATE INDEX invitations_organization_idx ON invitations (organization_id, id);
--bun:split
CREATE TABLE teams (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    slug            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    color           TEXT NOT NULL DEFAULT '',
    member_count    INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
--bun:split
CREATE UNIQUE INDEX teams_slug_key ON teams (organization_id, slug);
--bun:split
CREATE INDEX teams_organization_idx ON teams (organization_id, id);
--bun:split
-- A team member must be a member of the team's organization: the foreign key
-- to members enforces it and removes team memberships with the membership.
CREATE TABLE team_members (
    team_id         TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    role            TEXT NOT NULL,
    joined_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, user_id),
    FOREIGN KEY (organization_id, user_id) REFERENCES members (organization_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
--bun:split
CREATE INDEX team_members_member_idx ON team_members (organization_id, user_id);
