package sqlstore

import (
	"context"

	"github.com/tenantkit/orgs"
)

// InsertEvent appends an event (Data as JSON text).
func (q *queries) InsertEvent(ctx context.Context, e *orgs.Event) error {
	return q.write(ctx, func(w *queries) error {
		_, err := w.exec(ctx, `INSERT INTO events (id, organization_id, type, actor_type, actor_id, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, e.OrganizationID, e.Type, e.ActorType, e.ActorID, encodeMap(e.Data), e.CreatedAt)
		return err
	})
}

// ListEvents returns a page of the organization's events: one keyset query
// on (organization_id, id).
func (q *queries) ListEvents(ctx context.Context, f orgs.EventFilter) ([]orgs.Event, error) {
	sq := q.db.NewSelect().ColumnExpr("e.id, e.organization_id, e.type, e.actor_type, e.actor_id, e.data, e.created_at").
		TableExpr("events AS e").
		Where("e.organization_id = ?", f.OrganizationID)
	if f.Type != "" {
		sq.Where("e.type = ?", f.Type)
	}
	es, err := list[orgs.Event](ctx, q, sq, "e.id", f.Range, nil)
	for i := range es {
		utc(&es[i].CreatedAt)
	}
	return es, err
}
