DROP TABLE organization_roles;
