DROP TABLE team_members;
--bun:split
DROP TABLE teams;
--bun:split
DROP TABLE invitations;
--bun:split
DROP TABLE events;
--bun:split
DROP TABLE stages;
--bun:split
DROP TABLE pipelines;
--bun:split
DROP TABLE categories;
--bun:split
DROP TABLE members;
--bun:split
DROP TABLE users;
--bun:split
DROP TABLE organization_domains;
--bun:split
DROP TABLE organizations;
