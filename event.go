package orgs

import (
	"context"
	"slices"
)

// EventType names what an Event records. Every type the Service emits is one
// of the constants below (AllEventTypes lists them); hosts may filter the
// audit log by them and webhooks subscribe to them.
type EventType string

// Event types, by what they record. Data names the keys each carries.
const (
	EventOrganizationCreated EventType = "organization.created" // slug, name
	EventOrganizationUpdated EventType = "organization.updated" // fields: the changed fields, comma-separated
	EventOrganizationDeleted EventType = "organization.deleted" // slug

	EventMemberAdded          EventType = "member.added"          // user_id, role
	EventMemberRoleUpdated    EventType = "member.role_updated"   // user_id, from, to
	EventMemberRemoved        EventType = "member.removed"        // user_id, role
	EventMemberLeft           EventType = "member.left"           // user_id, role
	EventOwnershipTransferred EventType = "ownership.transferred" // from (empty for the system caller), to
	EventMemberDeactivated    EventType = "member.deactivated"    // user_id, membership_id, role
	EventMemberReactivated    EventType = "member.reactivated"    // user_id, membership_id, role

	EventCategoryCreated EventType = "category.created" // category_id, name
	EventCategoryUpdated EventType = "category.updated" // category_id, name
	EventCategoryDeleted EventType = "category.deleted" // category_id, name

	EventPipelineCreated EventType = "pipeline.created" // pipeline_id, name
	EventPipelineUpdated EventType = "pipeline.updated" // pipeline_id, name
	EventPipelineDeleted EventType = "pipeline.deleted" // pipeline_id, name

	EventInvitationCreated  EventType = "invitation.created"  // invitation_id, email, role
	EventInvitationResent   EventType = "invitation.resent"   // invitation_id, email
	EventInvitationRevoked  EventType = "invitation.revoked"  // invitation_id, email (reason "replaced" when ReplacePending)
	EventInvitationAccepted EventType = "invitation.accepted" // invitation_id, user_id, role
	EventInvitationDeclined EventType = "invitation.declined" // invitation_id, user_id

	EventTeamCreated           EventType = "team.created"             // team_id, slug
	EventTeamUpdated           EventType = "team.updated"             // team_id, slug
	EventTeamDeleted           EventType = "team.deleted"             // team_id, slug
	EventTeamMemberAdded       EventType = "team.member_added"        // team_id, user_id, role
	EventTeamMemberRoleUpdated EventType = "team.member_role_updated" // team_id, user_id, role
	EventTeamMemberRemoved     EventType = "team.member_removed"      // team_id, user_id

	EventDomainAdded              EventType = "domain.added"               // domain_id, domain
	EventDomainDeleted            EventType = "domain.deleted"             // domain_id, domain
	EventDomainVerified           EventType = "domain.verified"            // domain_id, domain
	EventDomainVerificationFailed EventType = "domain.verification_failed" // domain_id, domain
	EventDomainStateUpdated       EventType = "domain.state_updated"       // domain_id, domain, state (set by the system caller)

	EventRoleCreated EventType = "role.created" // role_id, name, rank: an organization's own role
	EventRoleUpdated EventType = "role.updated" // role_id, name, rank, from (the old name, when renamed)
	EventRoleDeleted EventType = "role.deleted" // role_id, name, reassigned_to and reassigned (a count), when its holders were reassigned
)

// AllEventTypes lists every EventType the Service emits.
var AllEventTypes = []EventType{
	EventOrganizationCreated, EventOrganizationUpdated, EventOrganizationDeleted,
	EventMemberAdded, EventMemberRoleUpdated, EventMemberRemoved, EventMemberLeft, EventOwnershipTransferred,
	EventMemberDeactivated, EventMemberReactivated,
	EventCategoryCreated, EventCategoryUpdated, EventCategoryDeleted,
	EventPipelineCreated, EventPipelineUpdated, EventPipelineDeleted,
	EventInvitationCreated, EventInvitationResent, EventInvitationRevoked, EventInvitationAccepted, EventInvitationDeclined,
	EventTeamCreated, EventTeamUpdated, EventTeamDeleted, EventTeamMemberAdded, EventTeamMemberRoleUpdated, EventTeamMemberRemoved,
	EventDomainAdded, EventDomainDeleted, EventDomainVerified, EventDomainVerificationFailed,
	EventWebhookEndpointCreated, EventWebhookEndpointUpdated, EventWebhookEndpointDeleted,
	EventWebhookEndpointSecretRotated, EventWebhookEndpointDisabled, EventWebhookEndpointReplayed,
	EventDomainStateUpdated,
	EventRoleCreated, EventRoleUpdated, EventRoleDeleted,
}

// EventQuery filters ListEvents.
type EventQuery struct {
	Type EventType // only events of this type, such as EventMemberRoleUpdated
	Page
}

// ListEvents returns an organization's audit log, oldest first
// (PermEventsRead). Every EventType may appear; see AllEventTypes. A Type
// filter that is not one of them is a validation error.
func (s *Service) ListEvents(ctx context.Context, actor Actor, slug string, q EventQuery) (*List[Event], error) {
	r, err := q.Page.toRange()
	var fe fieldErrors
	fe.merge(err)
	if q.Type != "" && !slices.Contains(AllEventTypes, q.Type) {
		fe.add("type", "is not an event type")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	org, err := s.view(ctx, actor, slug, PermEventsRead)
	if err != nil {
		return nil, err
	}
	es, err := s.store.ListEvents(ctx, EventFilter{OrganizationID: org.ID, Type: q.Type, Range: r})
	if err != nil {
		return nil, err
	}
	return paginate(es, r, Event.listKey), nil
}
