package workload

import (
	"context"

	"github.com/tenantkit/orgs"
)

// Service is the Driver that calls an orgs.Service directly.
type Service struct{ Svc *orgs.Service }

var _ Driver = Service{}

func u(id string) orgs.Actor { return orgs.UserActor(id) }

func drop[T any](_ T, err error) error { return err }

// Industries implements Driver.
func (s Service) Industries(context.Context, string) error { _ = s.Svc.Industries(); return nil }

// CreateOrganization implements Driver.
func (s Service) CreateOrganization(ctx context.Context, actor string, in orgs.CreateOrganizationInput) (*orgs.Organization, error) {
	return s.Svc.CreateOrganization(ctx, u(actor), in)
}

// GetOrganization implements Driver.
func (s Service) GetOrganization(ctx context.Context, actor, slug string) error {
	return drop(s.Svc.GetOrganizationDetail(ctx, u(actor), slug))
}

// GetOrganizationByExternalID implements Driver.
func (s Service) GetOrganizationByExternalID(ctx context.Context, actor, externalID string) error {
	return drop(s.Svc.GetOrganizationByExternalID(ctx, u(actor), externalID))
}

// ListOrganizations implements Driver.
func (s Service) ListOrganizations(ctx context.Context, actor string, q orgs.OrganizationQuery) error {
	return drop(s.Svc.ListOrganizations(ctx, u(actor), q))
}

// UpdateOrganization implements Driver.
func (s Service) UpdateOrganization(ctx context.Context, actor, slug string, in orgs.UpdateOrganizationInput) error {
	return drop(s.Svc.UpdateOrganization(ctx, u(actor), slug, in))
}

// DeleteOrganization implements Driver.
func (s Service) DeleteOrganization(ctx context.Context, actor, slug string) error {
	return s.Svc.DeleteOrganization(ctx, u(actor), slug)
}

// AddMember implements Driver.
func (s Service) AddMember(ctx context.Context, actor, slug, userID string, role orgs.Role) error {
	return drop(s.Svc.AddMember(ctx, u(actor), slug, userID, role))
}

// GetMember implements Driver.
func (s Service) GetMember(ctx context.Context, actor, slug, userID string) error {
	return drop(s.Svc.GetMember(ctx, u(actor), slug, userID))
}

// ListMembers implements Driver.
func (s Service) ListMembers(ctx context.Context, actor, slug string, q orgs.MemberQuery) error {
	return drop(s.Svc.ListMembers(ctx, u(actor), slug, q))
}

// UpdateMemberRole implements Driver.
func (s Service) UpdateMemberRole(ctx context.Context, actor, slug, userID string, role orgs.Role) error {
	return drop(s.Svc.UpdateMemberRole(ctx, u(actor), slug, userID, role))
}

// RemoveMember implements Driver.
func (s Service) RemoveMember(ctx context.Context, actor, slug, userID string) error {
	return s.Svc.RemoveMember(ctx, u(actor), slug, userID)
}

// LeaveOrganization implements Driver.
func (s Service) LeaveOrganization(ctx context.Context, actor, slug string) error {
	return s.Svc.LeaveOrganization(ctx, u(actor), slug)
}

// TransferOwnership implements Driver.
func (s Service) TransferOwnership(ctx context.Context, actor, slug, userID string) error {
	return s.Svc.TransferOwnership(ctx, u(actor), slug, userID)
}

// CreateInvitation implements Driver.
func (s Service) CreateInvitation(ctx context.Context, actor, slug string, in orgs.InvitationInput) (*orgs.Invitation, error) {
	return s.Svc.CreateInvitation(ctx, u(actor), slug, in)
}

// GetInvitation implements Driver.
func (s Service) GetInvitation(ctx context.Context, actor, slug, id string) error {
	return drop(s.Svc.GetInvitation(ctx, u(actor), slug, id))
}

// ListInvitations implements Driver.
func (s Service) ListInvitations(ctx context.Context, actor, slug string, q orgs.InvitationQuery) error {
	return drop(s.Svc.ListInvitations(ctx, u(actor), slug, q))
}

// ResendInvitation implements Driver.
func (s Service) ResendInvitation(ctx context.Context, actor, slug, id string) (*orgs.Invitation, error) {
	return s.Svc.ResendInvitation(ctx, u(actor), slug, id)
}

// RevokeInvitation implements Driver.
func (s Service) RevokeInvitation(ctx context.Context, actor, slug, id string) error {
	return s.Svc.RevokeInvitation(ctx, u(actor), slug, id)
}

// AcceptInvitation implements Driver.
func (s Service) AcceptInvitation(ctx context.Context, actor, token string) error {
	return drop(s.Svc.AcceptInvitation(ctx, u(actor), token))
}

// DeclineInvitation implements Driver.
func (s Service) DeclineInvitation(ctx context.Context, actor, token string) error {
	return s.Svc.DeclineInvitation(ctx, u(actor), token)
}

// CreateTeam implements Driver.
func (s Service) CreateTeam(ctx context.Context, actor, slug string, in orgs.TeamInput) error {
	return drop(s.Svc.CreateTeam(ctx, u(actor), slug, in))
}

// GetTeam implements Driver.
func (s Service) GetTeam(ctx context.Context, actor, slug, team string) error {
	return drop(s.Svc.GetTeam(ctx, u(actor), slug, team))
}

// ListTeams implements Driver.
func (s Service) ListTeams(ctx context.Context, actor, slug string) error {
	return drop(s.Svc.ListTeams(ctx, u(actor), slug, orgs.Page{}))
}

// UpdateTeam implements Driver.
func (s Service) UpdateTeam(ctx context.Context, actor, slug, team string, in orgs.TeamUpdate) error {
	return drop(s.Svc.UpdateTeam(ctx, u(actor), slug, team, in))
}

// DeleteTeam implements Driver.
func (s Service) DeleteTeam(ctx context.Context, actor, slug, team string) error {
	return s.Svc.DeleteTeam(ctx, u(actor), slug, team)
}

// AddTeamMember implements Driver.
func (s Service) AddTeamMember(ctx context.Context, actor, slug, team, userID string, role orgs.TeamRole) error {
	return drop(s.Svc.AddTeamMember(ctx, u(actor), slug, team, userID, role))
}

// ListTeamMembers implements Driver.
func (s Service) ListTeamMembers(ctx context.Context, actor, slug, team string) error {
	return drop(s.Svc.ListTeamMembers(ctx, u(actor), slug, team, orgs.Page{}))
}

// UpdateTeamMemberRole implements Driver.
func (s Service) UpdateTeamMemberRole(ctx context.Context, actor, slug, team, userID string, role orgs.TeamRole) error {
	return drop(s.Svc.UpdateTeamMemberRole(ctx, u(actor), slug, team, userID, role))
}

// RemoveTeamMember implements Driver.
func (s Service) RemoveTeamMember(ctx context.Context, actor, slug, team, userID string) error {
	return s.Svc.RemoveTeamMember(ctx, u(actor), slug, team, userID)
}

// ListCategories implements Driver.
func (s Service) ListCategories(ctx context.Context, actor, slug string) error {
	return drop(s.Svc.ListCategories(ctx, u(actor), slug))
}

// CreateCategory implements Driver.
func (s Service) CreateCategory(ctx context.Context, actor, slug string, in orgs.CategoryInput) error {
	return drop(s.Svc.CreateCategory(ctx, u(actor), slug, in))
}

// UpdateCategory implements Driver.
func (s Service) UpdateCategory(ctx context.Context, actor, slug, id string, in orgs.CategoryUpdate) error {
	return drop(s.Svc.UpdateCategory(ctx, u(actor), slug, id, in))
}

// DeleteCategory implements Driver.
func (s Service) DeleteCategory(ctx context.Context, actor, slug, id string) error {
	return s.Svc.DeleteCategory(ctx, u(actor), slug, id)
}

// ListPipelines implements Driver.
func (s Service) ListPipelines(ctx context.Context, actor, slug string) error {
	return drop(s.Svc.ListPipelines(ctx, u(actor), slug))
}

// GetPipeline implements Driver.
func (s Service) GetPipeline(ctx context.Context, actor, slug, id string) error {
	return drop(s.Svc.GetPipeline(ctx, u(actor), slug, id))
}

// CreatePipeline implements Driver.
func (s Service) CreatePipeline(ctx context.Context, actor, slug string, in orgs.PipelineInput) error {
	return drop(s.Svc.CreatePipeline(ctx, u(actor), slug, in))
}

// UpdatePipeline implements Driver.
func (s Service) UpdatePipeline(ctx context.Context, actor, slug, id string, in orgs.PipelineUpdate) error {
	return drop(s.Svc.UpdatePipeline(ctx, u(actor), slug, id, in))
}

// DeletePipeline implements Driver.
func (s Service) DeletePipeline(ctx context.Context, actor, slug, id string) error {
	return s.Svc.DeletePipeline(ctx, u(actor), slug, id)
}

// AddStage implements Driver.
func (s Service) AddStage(ctx context.Context, actor, slug, pipelineID, name string) error {
	return drop(s.Svc.AddStage(ctx, u(actor), slug, pipelineID, name))
}

// RemoveStage implements Driver.
func (s Service) RemoveStage(ctx context.Context, actor, slug, pipelineID, stageID string) error {
	return drop(s.Svc.RemoveStage(ctx, u(actor), slug, pipelineID, stageID))
}

// ReorderStages implements Driver.
func (s Service) ReorderStages(ctx context.Context, actor, slug, pipelineID string, stageIDs []string) error {
	return drop(s.Svc.ReorderStages(ctx, u(actor), slug, pipelineID, stageIDs))
}

// ListDomains implements Driver.
func (s Service) ListDomains(ctx context.Context, actor, slug string) error {
	return drop(s.Svc.ListDomains(ctx, u(actor), slug))
}

// AddDomain implements Driver.
func (s Service) AddDomain(ctx context.Context, actor, slug, domain string) error {
	return drop(s.Svc.AddDomain(ctx, u(actor), slug, domain))
}

// DeleteDomain implements Driver.
func (s Service) DeleteDomain(ctx context.Context, actor, slug, id string) error {
	return s.Svc.DeleteDomain(ctx, u(actor), slug, id)
}

// ListEvents implements Driver.
func (s Service) ListEvents(ctx context.Context, actor, slug string, q orgs.EventQuery) error {
	return drop(s.Svc.ListEvents(ctx, u(actor), slug, q))
}
