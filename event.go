package orgs

import "context"

// EventQuery filters ListEvents.
type EventQuery struct {
	Type string // only events of this type, such as "member.role_updated"
	Page
}

// ListEvents returns an organization's audit log, oldest first
// (PermEventsRead). Event types: organization.created, .updated, .deleted;
// member.added, .role_updated, .removed, .left; ownership.transferred;
// category.created, .updated, .deleted; pipeline.created, .updated,
// .deleted; invitation.created, .resent, .revoked, .accepted, .declined;
// team.created, .updated, .deleted; team.member_added,
// .member_role_updated, .member_removed.
func (s *Service) ListEvents(ctx context.Context, actor, slug string, q EventQuery) (*List[Event], error) {
	r, err := q.Page.toRange()
	var fe fieldErrors
	fe.merge(err)
	fe.check("type", validateText(q.Type, 64, false))
	if err := fe.err(); err != nil {
		return nil, err
	}
	org, err := s.view(ctx, s.store, actor, slug, PermEventsRead)
	if err != nil {
		return nil, err
	}
	es, err := s.store.ListEvents(ctx, org.ID, EventFilter{Type: q.Type, Range: r})
	if err != nil {
		return nil, err
	}
	return paginate(es, r, Event.listKey), nil
}
