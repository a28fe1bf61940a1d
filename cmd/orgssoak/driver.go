package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/workload"
)

// statusError is an HTTP answer of 400 or more, wrapping the orgs sentinel
// its problem code means (none for a 5xx), so that the workload sees the
// Service's errors through the API.
type statusError struct {
	status int
	code   string
	err    error
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d %s", e.status, e.code) }
func (e *statusError) Unwrap() error { return e.err }

// sentinels maps httpapi's problem codes back to the Service's errors.
var sentinels = map[string]error{
	"unauthenticated": orgs.ErrUnauthenticated, "forbidden": orgs.ErrForbidden, "not_found": orgs.ErrNotFound,
	"validation_failed": orgs.ErrInvalid, "slug_taken": orgs.ErrSlugTaken, "handle_taken": orgs.ErrHandleTaken,
	"external_id_taken": orgs.ErrExternalIDTaken, "name_taken": orgs.ErrNameTaken, "domain_taken": orgs.ErrDomainTaken,
	"last_owner": orgs.ErrLastOwner, "already_member": orgs.ErrAlreadyMember, "not_member": orgs.ErrNotMember,
	"already_invited": orgs.ErrAlreadyInvited, "invitation_not_pending": orgs.ErrInvitationNotPending,
	"limit_exceeded": orgs.ErrLimitExceeded, "invitation_expired": orgs.ErrInvitationExpired,
	"email_mismatch": orgs.ErrEmailMismatch, "resend_too_soon": orgs.ErrResendTooSoon,
}

// httpDriver is the workload's Driver over the HTTP API.
type httpDriver struct{ s *soak }

var _ workload.Driver = httpDriver{}

func org(slug string) string { return "/organizations/" + url.PathEscape(slug) }

func (d httpDriver) call(ctx context.Context, actor, method, path string, body any) error {
	_, err := d.s.call(ctx, actor, method, path, body)
	return err
}

func (d httpDriver) Industries(ctx context.Context, actor string) error {
	return d.call(ctx, actor, "GET", "/industries", nil)
}

func (d httpDriver) CreateOrganization(ctx context.Context, actor string, in orgs.CreateOrganizationInput) (*orgs.Organization, error) {
	resp, err := d.s.call(ctx, actor, "POST", "/organizations", in)
	if err != nil {
		return nil, err
	}
	var o orgs.Organization
	return &o, json.Unmarshal(resp, &o)
}

func (d httpDriver) GetOrganization(ctx context.Context, actor, slug string) error {
	return d.call(ctx, actor, "GET", org(slug), nil)
}

func (d httpDriver) GetOrganizationByExternalID(ctx context.Context, actor, externalID string) error {
	return d.call(ctx, actor, "GET", "/organizations-by-external-id/"+url.PathEscape(externalID), nil)
}

func (d httpDriver) ListOrganizations(ctx context.Context, actor string, q orgs.OrganizationQuery) error {
	v := url.Values{}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return d.call(ctx, actor, "GET", "/organizations?"+v.Encode(), nil)
}

func (d httpDriver) UpdateOrganization(ctx context.Context, actor, slug string, in orgs.UpdateOrganizationInput) error {
	return d.call(ctx, actor, "PATCH", org(slug), in)
}

func (d httpDriver) DeleteOrganization(ctx context.Context, actor, slug string) error {
	return d.call(ctx, actor, "DELETE", org(slug), nil)
}

// AddMember has no route: members join by invitation.
func (d httpDriver) AddMember(context.Context, string, string, string, orgs.Role) error {
	return workload.ErrSkip
}

func (d httpDriver) GetMember(ctx context.Context, actor, slug, userID string) error {
	return d.call(ctx, actor, "GET", org(slug)+"/members/"+url.PathEscape(userID), nil)
}

func (d httpDriver) ListMembers(ctx context.Context, actor, slug string, q orgs.MemberQuery) error {
	v := url.Values{}
	if q.Role != "" {
		v.Set("role", string(q.Role))
	}
	if q.Search != "" {
		v.Set("search", q.Search)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return d.call(ctx, actor, "GET", org(slug)+"/members?"+v.Encode(), nil)
}

func (d httpDriver) UpdateMemberRole(ctx context.Context, actor, slug, userID string, role orgs.Role) error {
	return d.call(ctx, actor, "PATCH", org(slug)+"/members/"+url.PathEscape(userID), map[string]any{"role": role})
}

func (d httpDriver) RemoveMember(ctx context.Context, actor, slug, userID string) error {
	return d.call(ctx, actor, "DELETE", org(slug)+"/members/"+url.PathEscape(userID), nil)
}

func (d httpDriver) LeaveOrganization(ctx context.Context, actor, slug string) error {
	return d.call(ctx, actor, "POST", org(slug)+"/leave", nil)
}

func (d httpDriver) TransferOwnership(ctx context.Context, actor, slug, userID string) error {
	return d.call(ctx, actor, "POST", org(slug)+"/transfer-ownership", map[string]any{"user_id": userID})
}

func (d httpDriver) invitation(ctx context.Context, actor, method, path string, body any) (*orgs.Invitation, error) {
	resp, err := d.s.call(ctx, actor, method, path, body)
	if err != nil {
		return nil, err
	}
	var inv orgs.Invitation
	return &inv, json.Unmarshal(resp, &inv)
}

func (d httpDriver) CreateInvitation(ctx context.Context, actor, slug string, in orgs.InvitationInput) (*orgs.Invitation, error) {
	body := map[string]any{"email": in.Email, "role": in.Role}
	if in.ExpiresIn > 0 {
		body["expires_in_seconds"] = int(in.ExpiresIn.Seconds())
	}
	return d.invitation(ctx, actor, "POST", org(slug)+"/invitations", body)
}

func (d httpDriver) GetInvitation(ctx context.Context, actor, slug, id string) error {
	return d.call(ctx, actor, "GET", org(slug)+"/invitations/"+id, nil)
}

func (d httpDriver) ListInvitations(ctx context.Context, actor, slug string, q orgs.InvitationQuery) error {
	return d.call(ctx, actor, "GET", org(slug)+"/invitations?status="+string(q.Status), nil)
}

func (d httpDriver) ResendInvitation(ctx context.Context, actor, slug, id string) (*orgs.Invitation, error) {
	return d.invitation(ctx, actor, "POST", org(slug)+"/invitations/"+id+"/resend", nil)
}

func (d httpDriver) RevokeInvitation(ctx context.Context, actor, slug, id string) error {
	return d.call(ctx, actor, "DELETE", org(slug)+"/invitations/"+id, nil)
}

func (d httpDriver) AcceptInvitation(ctx context.Context, actor, token string) error {
	return d.call(ctx, actor, "POST", "/invitations/accept", map[string]any{"token": token})
}

func (d httpDriver) DeclineInvitation(ctx context.Context, actor, token string) error {
	return d.call(ctx, actor, "POST", "/invitations/decline", map[string]any{"token": token})
}

func team(slug, t string) string { return org(slug) + "/teams/" + url.PathEscape(t) }

func (d httpDriver) CreateTeam(ctx context.Context, actor, slug string, in orgs.TeamInput) error {
	return d.call(ctx, actor, "POST", org(slug)+"/teams", in)
}

func (d httpDriver) GetTeam(ctx context.Context, actor, slug, t string) error {
	return d.call(ctx, actor, "GET", team(slug, t), nil)
}

func (d httpDriver) ListTeams(ctx context.Context, actor, slug string) error {
	return d.call(ctx, actor, "GET", org(slug)+"/teams", nil)
}

func (d httpDriver) UpdateTeam(ctx context.Context, actor, slug, t string, in orgs.TeamUpdate) error {
	return d.call(ctx, actor, "PATCH", team(slug, t), in)
}

func (d httpDriver) DeleteTeam(ctx context.Context, actor, slug, t string) error {
	return d.call(ctx, actor, "DELETE", team(slug, t), nil)
}

func (d httpDriver) AddTeamMember(ctx context.Context, actor, slug, t, userID string, role orgs.TeamRole) error {
	return d.call(ctx, actor, "POST", team(slug, t)+"/members", map[string]any{"user_id": userID, "role": role})
}

func (d httpDriver) ListTeamMembers(ctx context.Context, actor, slug, t string) error {
	return d.call(ctx, actor, "GET", team(slug, t)+"/members", nil)
}

func (d httpDriver) UpdateTeamMemberRole(ctx context.Context, actor, slug, t, userID string, role orgs.TeamRole) error {
	return d.call(ctx, actor, "PATCH", team(slug, t)+"/members/"+url.PathEscape(userID), map[string]any{"role": role})
}

func (d httpDriver) RemoveTeamMember(ctx context.Context, actor, slug, t, userID string) error {
	return d.call(ctx, actor, "DELETE", team(slug, t)+"/members/"+url.PathEscape(userID), nil)
}

func (d httpDriver) ListCategories(ctx context.Context, actor, slug string) error {
	return d.call(ctx, actor, "GET", org(slug)+"/categories", nil)
}

func (d httpDriver) CreateCategory(ctx context.Context, actor, slug string, in orgs.CategoryInput) error {
	return d.call(ctx, actor, "POST", org(slug)+"/categories", in)
}

func (d httpDriver) UpdateCategory(ctx context.Context, actor, slug, id string, in orgs.CategoryUpdate) error {
	return d.call(ctx, actor, "PATCH", org(slug)+"/categories/"+id, in)
}

func (d httpDriver) DeleteCategory(ctx context.Context, actor, slug, id string) error {
	return d.call(ctx, actor, "DELETE", org(slug)+"/categories/"+id, nil)
}

func pipeline(slug, id string) string { return org(slug) + "/pipelines/" + id }

func (d httpDriver) ListPipelines(ctx context.Context, actor, slug string) error {
	return d.call(ctx, actor, "GET", org(slug)+"/pipelines", nil)
}

func (d httpDriver) GetPipeline(ctx context.Context, actor, slug, id string) error {
	return d.call(ctx, actor, "GET", pipeline(slug, id), nil)
}

func (d httpDriver) CreatePipeline(ctx context.Context, actor, slug string, in orgs.PipelineInput) error {
	return d.call(ctx, actor, "POST", org(slug)+"/pipelines", in)
}

func (d httpDriver) UpdatePipeline(ctx context.Context, actor, slug, id string, in orgs.PipelineUpdate) error {
	return d.call(ctx, actor, "PATCH", pipeline(slug, id), in)
}

func (d httpDriver) DeletePipeline(ctx context.Context, actor, slug, id string) error {
	return d.call(ctx, actor, "DELETE", pipeline(slug, id), nil)
}

// editStages reads the pipeline and sends back its stages as edit makes
// them: the API edits stages by sending the whole list.
func (d httpDriver) editStages(ctx context.Context, actor, slug, id string, edit func([]orgs.StageInput) ([]orgs.StageInput, error)) error {
	resp, err := d.s.call(ctx, actor, "GET", pipeline(slug, id), nil)
	if err != nil {
		return err
	}
	var p orgs.Pipeline
	if err := json.Unmarshal(resp, &p); err != nil {
		return err
	}
	in := make([]orgs.StageInput, len(p.Stages))
	for i, st := range p.Stages {
		in[i] = orgs.StageInput{ID: st.ID, Name: st.Name}
	}
	if in, err = edit(in); err != nil {
		return err
	}
	return d.call(ctx, actor, "PATCH", pipeline(slug, id), map[string]any{"stages": in})
}

func (d httpDriver) AddStage(ctx context.Context, actor, slug, pipelineID, name string) error {
	return d.editStages(ctx, actor, slug, pipelineID, func(in []orgs.StageInput) ([]orgs.StageInput, error) {
		return append(in, orgs.StageInput{Name: name}), nil
	})
}

func (d httpDriver) RemoveStage(ctx context.Context, actor, slug, pipelineID, stageID string) error {
	return d.editStages(ctx, actor, slug, pipelineID, func(in []orgs.StageInput) ([]orgs.StageInput, error) {
		for i, st := range in {
			if st.ID == stageID {
				return append(in[:i], in[i+1:]...), nil
			}
		}
		return nil, workload.ErrSkip // the stage went meanwhile
	})
}

func (d httpDriver) ReorderStages(ctx context.Context, actor, slug, pipelineID string, stageIDs []string) error {
	return d.editStages(ctx, actor, slug, pipelineID, func(in []orgs.StageInput) ([]orgs.StageInput, error) {
		byID := map[string]orgs.StageInput{}
		for _, st := range in {
			byID[st.ID] = st
		}
		out := make([]orgs.StageInput, 0, len(stageIDs))
		for _, id := range stageIDs {
			st, ok := byID[id]
			if !ok {
				st = orgs.StageInput{ID: id, Name: "Gone"} // refused: not a stage of the pipeline
			}
			out = append(out, st)
		}
		return out, nil
	})
}

func (d httpDriver) ListDomains(ctx context.Context, actor, slug string) error {
	return d.call(ctx, actor, "GET", org(slug)+"/domains", nil)
}

func (d httpDriver) AddDomain(ctx context.Context, actor, slug, domain string) error {
	return d.call(ctx, actor, "POST", org(slug)+"/domains", map[string]any{"domain": domain})
}

func (d httpDriver) DeleteDomain(ctx context.Context, actor, slug, id string) error {
	return d.call(ctx, actor, "DELETE", org(slug)+"/domains/"+id, nil)
}

func (d httpDriver) ListEvents(ctx context.Context, actor, slug string, q orgs.EventQuery) error {
	v := url.Values{}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return d.call(ctx, actor, "GET", org(slug)+"/events?"+v.Encode(), nil)
}
