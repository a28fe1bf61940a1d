package sqlstore

import (
	"cmp"
	"context"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// domainRow is a row of organization_domains.
type domainRow struct {
	bun.BaseModel `bun:"table:organization_domains"`

	ID                string
	OrganizationID    string
	Domain            string
	State             string
	VerificationToken string
	CreatedAt         time.Time
	VerifiedAt        *time.Time
	Strategy          string
	UpdatedAt         *time.Time
}

func (r domainRow) domain() orgs.Domain {
	d := orgs.Domain{ID: r.ID, OrganizationID: r.OrganizationID, Domain: r.Domain,
		State: orgs.DomainState(r.State), VerificationToken: r.VerificationToken,
		CreatedAt: r.CreatedAt.UTC(), Strategy: orgs.DomainStrategy(r.Strategy), UpdatedAt: r.CreatedAt.UTC()}
	if r.UpdatedAt != nil {
		d.UpdatedAt = r.UpdatedAt.UTC()
	}
	if r.VerifiedAt != nil {
		t := r.VerifiedAt.UTC()
		d.VerifiedAt = &t
	}
	return d
}

const domainColumns = "id, organization_id, domain, state, verification_token, created_at, verified_at, strategy, updated_at"

// InsertDomains inserts domains in one statement.
func (q *queries) InsertDomains(ctx context.Context, ds []orgs.Domain) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]domainRow, len(ds))
	for i, d := range ds {
		rows[i] = domainRow{ID: d.ID, OrganizationID: d.OrganizationID, Domain: d.Domain,
			State: string(d.State), VerificationToken: d.VerificationToken, CreatedAt: d.CreatedAt,
			VerifiedAt: d.VerifiedAt, Strategy: string(cmp.Or(d.Strategy, orgs.DomainStrategyDNS)),
			UpdatedAt: ptr(updatedAt(d.UpdatedAt, d.CreatedAt))}
	}
	return q.write(ctx, func(w *queries) error {
		_, err := w.execQuery(ctx, w.db.NewInsert().Model(&rows))
		return err // a missing organization is ErrNotFound wrapping the driver's error
	})
}

// ListDomains returns the organization's domains by ID.
func (q *queries) ListDomains(ctx context.Context, f orgs.DomainFilter) ([]orgs.Domain, error) {
	orgID := f.OrganizationID
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	var rows []domainRow
	err := q.db.NewRaw("SELECT "+domainColumns+" FROM organization_domains WHERE organization_id = ? ORDER BY id", orgID).
		Scan(ctx, &rows)
	if err != nil {
		return nil, q.interpretError(err)
	}
	ds := make([]orgs.Domain, len(rows))
	for i, r := range rows {
		ds[i] = r.domain()
	}
	return ds, nil
}

// GetDomain returns a domain of the organization.
func (q *queries) GetDomain(ctx context.Context, orgID, id string) (*orgs.Domain, error) {
	var r domainRow
	if err := q.get(ctx, &r, "SELECT "+domainColumns+" FROM organization_domains WHERE organization_id = ? AND id = ?", orgID, id); err != nil {
		return nil, err
	}
	d := r.domain()
	return &d, nil
}

// UpdateDomain writes a domain's state and verification time.
func (q *queries) UpdateDomain(ctx context.Context, d *orgs.Domain) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, `UPDATE organization_domains SET state = ?, verified_at = ?, strategy = ?, updated_at = ?
			WHERE id = ? AND organization_id = ?`,
			string(d.State), d.VerifiedAt, string(cmp.Or(d.Strategy, orgs.DomainStrategyDNS)),
			updatedAt(d.UpdatedAt, d.CreatedAt), d.ID, d.OrganizationID)
	})
}

// DeleteDomain deletes a domain of the organization.
func (q *queries) DeleteDomain(ctx context.Context, orgID, id string) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "DELETE FROM organization_domains WHERE organization_id = ? AND id = ?", orgID, id)
	})
}

func ptr[T any](v T) *T { return &v }
