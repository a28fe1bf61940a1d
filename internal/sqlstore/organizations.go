package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// LockOrganization locks the organization's row until the transaction ends:
// on Postgres with SELECT … FOR NO KEY UPDATE (which still lets other
// transactions insert rows referring to it), on SQLite by the immediate
// transaction itself, which already excludes every other writer. Either way
// it checks that the organization exists.
func (q *queries) LockOrganization(ctx context.Context, orgID string) error {
	query := "SELECT id FROM organizations WHERE id = ?"
	if q.pg && q.inTx {
		query += " FOR NO KEY UPDATE"
	}
	var id string
	return q.get(ctx, &id, query, orgID)
}

// LockUser takes a transaction-scoped advisory lock on the user's ID on
// Postgres; on SQLite the immediate transaction already serializes writers.
func (q *queries) LockUser(ctx context.Context, userID string) error {
	if err := q.ready(); err != nil {
		return err
	}
	if !q.pg || !q.inTx {
		return nil
	}
	_, err := q.exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "orgs:user:"+userID)
	return err
}

// orgRow is an organization as read, with its domains aggregated.
type orgRow struct {
	orgs.Organization
	DomainsJSON string // the domains as a JSON array of objects, in ID order
}

// orgColumns selects an orgRow from organizations AS o. The domains are
// aggregated as JSON objects in the same query (json_agg on Postgres,
// json_group_array on SQLite, whose aggregate ORDER BY needs 3.44).
func (q *queries) orgColumns() string {
	cols := `o.id, o.name, o.slug, o.handle, o.description, o.logo_url, o.website, o.industry,
	o.contact_email, o.contact_phone, o.visibility, o.external_id, o.metadata, o.member_count,
	o.team_count, o.created_by, o.created_at, o.updated_at, o.stripe_customer_id, `
	obj := `'id', d.id, 'domain', d.domain, 'state', d.state, 'token', d.verification_token,
		'strategy', d.strategy, 'created_at', d.created_at, 'updated_at', d.updated_at, 'verified_at', d.verified_at`
	if q.pg {
		return cols + `(SELECT json_agg(json_build_object(` + obj + `) ORDER BY d.id)::text
	 FROM organization_domains AS d WHERE d.organization_id = o.id) AS domains_json`
	}
	return cols + `(SELECT json_group_array(json_object(` + obj + `) ORDER BY d.id)
	 FROM organization_domains AS d WHERE d.organization_id = o.id) AS domains_json`
}

func (r *orgRow) organization() (*orgs.Organization, error) {
	o := &r.Organization
	o.Domains, o.DomainDetails = nil, nil
	ds, err := decodeDomains(o.ID, r.DomainsJSON)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		o.Domains = append(o.Domains, d.Domain)
		o.DomainDetails = append(o.DomainDetails, d)
	}
	utc(&o.CreatedAt, &o.UpdatedAt)
	return o, nil
}

// encodeMap encodes m as JSON text, or NULL when empty.
func encodeMap(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m) // a map[string]string always encodes
	return string(b)
}

// InsertOrganization inserts org (slug lower-cased, member_count 1) and its
// owner, in two statements.
func (q *queries) InsertOrganization(ctx context.Context, org *orgs.Organization, owner *orgs.Member) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `INSERT INTO organizations (id, name, slug, handle, description, logo_url,
			website, industry, contact_email, contact_phone, visibility, external_id, metadata,
			member_count, team_count, created_by, created_at, updated_at, stripe_customer_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
			org.ID, org.Name, org.Slug, nullString(org.Handle), org.Description,
			org.LogoURL, org.Website, org.Industry, org.ContactEmail, org.ContactPhone, org.Visibility,
			nullString(org.ExternalID), encodeMap(org.Metadata), memberCount(owner), org.CreatedBy, org.CreatedAt, org.UpdatedAt,
			nullString(org.StripeCustomerID))
		if err != nil {
			return err
		}
		if owner == nil {
			return nil
		}
		_, err = w.exec(ctx, "INSERT INTO members (organization_id, user_id, role, joined_at, id, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			org.ID, owner.UserID, owner.Role, owner.JoinedAt, nullString(owner.ID), memberStatus(owner), memberUpdatedAt(owner))
		return err
	})
}

// memberCount is the member_count of an organization inserted with owner.
func memberCount(owner *orgs.Member) int {
	if owner == nil {
		return 0
	}
	return 1
}

// LockAndGetOrganization is LockOrganization and GetOrganization by any key
// (orgs.OrganizationLocker). On SQLite it is the read alone: the immediate
// transaction already excludes every other writer, so the read is current.
// On Postgres it is two statements: SELECT … FOR NO KEY UPDATE by the key,
// then the read. One statement cannot do both at READ COMMITTED: a
// statement that waited for the lock still reads the other tables (the
// viewer's membership, the domains) as they were when it started, before
// the transaction it waited for committed; only the locked row itself is
// re-read. The read after the lock is a new statement, with a new snapshot.
func (q *queries) LockAndGetOrganization(ctx context.Context, key orgs.OrganizationKey, viewer string) (*orgs.Organization, error) {
	if !q.pg || !q.inTx {
		return q.GetOrganization(ctx, key, viewer)
	}
	col, val, err := orgKeyColumn(key)
	if err != nil {
		return nil, err
	}
	var id string
	if err := q.get(ctx, &id, "SELECT id FROM organizations AS o WHERE ? = ? FOR NO KEY UPDATE", bun.Safe(col), val); err != nil {
		return nil, err
	}
	return q.GetOrganization(ctx, orgs.OrganizationKey{ID: id}, viewer)
}

// orgKeyColumn returns the column of organizations AS o that key selects by,
// and the value.
func orgKeyColumn(key orgs.OrganizationKey) (col, val string, err error) {
	switch {
	case key.ID != "":
		return "o.id", key.ID, nil
	case key.Slug != "":
		return "o.slug", key.Slug, nil
	case key.ExternalID != "":
		return "o.external_id", key.ExternalID, nil
	}
	return "", "", orgs.ErrNotFound
}

// GetOrganization returns the organization with its domains and the
// viewer's role, in one query.
func (q *queries) GetOrganization(ctx context.Context, key orgs.OrganizationKey, viewer string) (*orgs.Organization, error) {
	col, val, err := orgKeyColumn(key)
	if err != nil {
		return nil, err
	}
	query := "SELECT " + q.orgColumns() + `, COALESCE(m.role, '') AS role,
		COALESCE(m.status, '') = 'inactive' AS viewer_inactive
		FROM organizations AS o
		LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ?
		WHERE ? = ?`
	var row orgRow
	if err := q.get(ctx, &row, query, viewer, bun.Safe(col), val); err != nil {
		return nil, err
	}
	return row.organization()
}

// ListOrganizations returns a page of the user's organizations: one keyset
// query on members (user_id, organization_id), organizations joined to the
// page.
func (q *queries) ListOrganizations(ctx context.Context, f orgs.OrganizationFilter) ([]orgs.Organization, error) {
	page := q.db.NewSelect().ColumnExpr("m.organization_id, m.role").
		TableExpr("members AS m").
		Where("m.user_id = ?", f.UserID).
		Where("m.status = 'active'")
	if f.Domain != "" {
		page.Where(`EXISTS (SELECT 1 FROM organization_domains AS d
			WHERE d.organization_id = m.organization_id AND d.domain = ?)`, f.Domain)
	}
	if f.Search != "" {
		cond, args := q.contains(f.Search, "o.name")
		page.Join("JOIN organizations AS o ON o.id = m.organization_id").Where(cond, args...)
	}
	rows, err := list[orgRow](ctx, q, page, "m.organization_id", f.Range, func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.ColumnExpr(q.orgColumns()).ColumnExpr("m.role").
			Join("JOIN organizations AS o ON o.id = m.organization_id")
	})
	if err != nil {
		return nil, err
	}
	return organizations(rows)
}

// CountOrganizationsCreatedBy counts the organizations userID created.
func (q *queries) CountOrganizationsCreatedBy(ctx context.Context, userID string) (int, error) {
	return q.count(ctx, "SELECT count(*) FROM organizations WHERE created_by = ?", userID)
}

// UpdateOrganization writes org's mutable fields (not its domains).
func (q *queries) UpdateOrganization(ctx context.Context, org *orgs.Organization) error {
	return q.write(ctx, func(w *queries) error {
		err := w.execOne(ctx, `UPDATE organizations SET name = ?, slug = ?, handle = ?,
			description = ?, logo_url = ?, website = ?, industry = ?, contact_email = ?,
			contact_phone = ?, visibility = ?, external_id = ?, metadata = ?, updated_at = ?,
			stripe_customer_id = ?
			WHERE id = ?`,
			org.Name, org.Slug, nullString(org.Handle), org.Description, org.LogoURL,
			org.Website, org.Industry, org.ContactEmail, org.ContactPhone, org.Visibility,
			nullString(org.ExternalID), encodeMap(org.Metadata), org.UpdatedAt,
			nullString(org.StripeCustomerID), org.ID)
		return err
	})
}

// DeleteOrganization deletes the organization; foreign keys cascade to
// everything it owns but its events.
func (q *queries) DeleteOrganization(ctx context.Context, orgID string) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "DELETE FROM organizations WHERE id = ?", orgID)
	})
}
