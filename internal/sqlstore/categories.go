package sqlstore

import (
	"context"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// categoryRow is a row of categories. NameKey, the lower-cased name, is
// unique per organization.
type categoryRow struct {
	bun.BaseModel `bun:"table:categories"`

	ID             string
	OrganizationID string
	Name           string
	NameKey        string
	Position       int
	CreatedAt      time.Time
}

// InsertCategories inserts cs in one statement.
func (q *queries) InsertCategories(ctx context.Context, cs []orgs.Category) error {
	return q.write(ctx, func(w *queries) error {
		if len(cs) == 0 {
			return nil
		}
		rows := make([]categoryRow, len(cs))
		for i, c := range cs {
			rows[i] = categoryRow{ID: c.ID, OrganizationID: c.OrganizationID, Name: c.Name,
				NameKey: orgs.NameKey(c.Name), Position: c.Position, CreatedAt: c.CreatedAt}
		}
		_, err := w.execQuery(ctx, w.db.NewInsert().Model(&rows))
		return err
	})
}

// ListCategories returns the organization's categories by position.
func (q *queries) ListCategories(ctx context.Context, f orgs.CategoryFilter) ([]orgs.Category, error) {
	orgID := f.OrganizationID
	if err := q.readyToRead(ctx); err != nil {
		return nil, err
	}
	var cs []orgs.Category
	err := q.db.NewRaw(`SELECT id, organization_id, name, position, created_at FROM categories
		WHERE organization_id = ? ORDER BY position, id`, orgID).Scan(ctx, &cs)
	if err != nil {
		return nil, q.interpretError(err)
	}
	for i := range cs {
		utc(&cs[i].CreatedAt)
	}
	return cs, nil
}

// UpdateCategory writes a category's name and position.
func (q *queries) UpdateCategory(ctx context.Context, c *orgs.Category) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, `UPDATE categories SET name = ?, name_key = ?, position = ?
			WHERE id = ? AND organization_id = ?`,
			c.Name, orgs.NameKey(c.Name), c.Position, c.ID, c.OrganizationID)
	})
}

// DeleteCategory deletes a category of the organization.
func (q *queries) DeleteCategory(ctx context.Context, orgID, id string) error {
	return q.write(ctx, func(w *queries) error {
		return w.execOne(ctx, "DELETE FROM categories WHERE id = ? AND organization_id = ?", id, orgID)
	})
}
