-- An organization's domains in ID order, the order every read of an
-- organization aggregates them in, without a sort (on SQLite, a temporary
-- b-tree per read).
CREATE INDEX organization_domains_order_idx ON organization_domains (organization_id, id);
