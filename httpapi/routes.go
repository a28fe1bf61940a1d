package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

// Route is one operation of the API: a method and a path pattern in
// net/http.ServeMux syntax, relative to where the Handler is mounted.
type Route struct {
	Method string
	Path   string
	// Public routes are served without calling Options.Authenticate.
	Public bool
}

// route is a Route and the method that serves it.
type route struct {
	Route
	op func(h *Handler, w http.ResponseWriter, r *http.Request, actor orgs.Actor) error
}

func rt(method, path string, op func(*Handler, http.ResponseWriter, *http.Request, orgs.Actor) error) route {
	return route{Route: Route{Method: method, Path: path}, op: op}
}

// routeTable is the API: New registers exactly these, and a test checks that
// the OpenAPI document describes exactly these.
var routeTable = []route{
	{Route: Route{Method: http.MethodGet, Path: "/openapi.json", Public: true}, op: (*Handler).openAPI},
	rt(http.MethodGet, "/industries", (*Handler).listIndustries),

	rt(http.MethodGet, "/organizations", (*Handler).listOrganizations),
	rt(http.MethodPost, "/organizations", (*Handler).createOrganization),
	rt(http.MethodGet, "/organizations/{slug}", (*Handler).getOrganization),
	rt(http.MethodPatch, "/organizations/{slug}", (*Handler).updateOrganization),
	rt(http.MethodDelete, "/organizations/{slug}", (*Handler).deleteOrganization),
	rt(http.MethodGet, "/organizations-by-external-id/{external_id}", (*Handler).getOrganizationByExternalID),

	rt(http.MethodGet, "/organizations/{slug}/members", (*Handler).listMembers),
	rt(http.MethodGet, "/organizations/{slug}/members/{user_id}", (*Handler).getMember),
	rt(http.MethodPatch, "/organizations/{slug}/members/{user_id}", (*Handler).updateMember),
	rt(http.MethodDelete, "/organizations/{slug}/members/{user_id}", (*Handler).removeMember),
	rt(http.MethodPost, "/organizations/{slug}/leave", (*Handler).leaveOrganization),
	rt(http.MethodPost, "/organizations/{slug}/transfer-ownership", (*Handler).transferOwnership),

	rt(http.MethodGet, "/organizations/{slug}/invitations", (*Handler).listInvitations),
	rt(http.MethodPost, "/organizations/{slug}/invitations", (*Handler).createInvitation),
	rt(http.MethodGet, "/organizations/{slug}/invitations/{id}", (*Handler).getInvitation),
	rt(http.MethodDelete, "/organizations/{slug}/invitations/{id}", (*Handler).revokeInvitation),
	rt(http.MethodPost, "/organizations/{slug}/invitations/{id}/resend", (*Handler).resendInvitation),
	rt(http.MethodPost, "/invitations/accept", (*Handler).acceptInvitation),
	rt(http.MethodPost, "/invitations/decline", (*Handler).declineInvitation),
	rt(http.MethodPost, "/invitations/preview", (*Handler).previewInvitation),
	rt(http.MethodGet, "/me/invitations", (*Handler).listMyInvitations),
	rt(http.MethodPost, "/me/invitations/{id}/accept", (*Handler).acceptMyInvitation),
	rt(http.MethodPost, "/me/invitations/{id}/decline", (*Handler).declineMyInvitation),

	rt(http.MethodGet, "/organizations/{slug}/teams", (*Handler).listTeams),
	rt(http.MethodPost, "/organizations/{slug}/teams", (*Handler).createTeam),
	rt(http.MethodGet, "/organizations/{slug}/teams/{team_slug}", (*Handler).getTeam),
	rt(http.MethodPatch, "/organizations/{slug}/teams/{team_slug}", (*Handler).updateTeam),
	rt(http.MethodDelete, "/organizations/{slug}/teams/{team_slug}", (*Handler).deleteTeam),
	rt(http.MethodGet, "/organizations/{slug}/teams/{team_slug}/members", (*Handler).listTeamMembers),
	rt(http.MethodPost, "/organizations/{slug}/teams/{team_slug}/members", (*Handler).addTeamMember),
	rt(http.MethodPatch, "/organizations/{slug}/teams/{team_slug}/members/{user_id}", (*Handler).updateTeamMember),
	rt(http.MethodDelete, "/organizations/{slug}/teams/{team_slug}/members/{user_id}", (*Handler).removeTeamMember),

	rt(http.MethodGet, "/organizations/{slug}/categories", (*Handler).listCategories),
	rt(http.MethodPost, "/organizations/{slug}/categories", (*Handler).createCategory),
	rt(http.MethodPatch, "/organizations/{slug}/categories/{id}", (*Handler).updateCategory),
	rt(http.MethodDelete, "/organizations/{slug}/categories/{id}", (*Handler).deleteCategory),

	rt(http.MethodGet, "/organizations/{slug}/pipelines", (*Handler).listPipelines),
	rt(http.MethodPost, "/organizations/{slug}/pipelines", (*Handler).createPipeline),
	rt(http.MethodGet, "/organizations/{slug}/pipelines/{id}", (*Handler).getPipeline),
	rt(http.MethodPatch, "/organizations/{slug}/pipelines/{id}", (*Handler).updatePipeline),
	rt(http.MethodDelete, "/organizations/{slug}/pipelines/{id}", (*Handler).deletePipeline),

	rt(http.MethodGet, "/organizations/{slug}/domains", (*Handler).listDomains),
	rt(http.MethodPost, "/organizations/{slug}/domains", (*Handler).addDomain),
	rt(http.MethodDelete, "/organizations/{slug}/domains/{id}", (*Handler).deleteDomain),
	rt(http.MethodPost, "/organizations/{slug}/domains/{id}/verify", (*Handler).verifyDomain),

	rt(http.MethodGet, "/organizations/{slug}/events", (*Handler).listEvents),

	rt(http.MethodGet, "/organizations/{slug}/roles", (*Handler).listRoles),
	rt(http.MethodPost, "/organizations/{slug}/roles", (*Handler).createRole),
	rt(http.MethodPatch, "/organizations/{slug}/roles/{role}", (*Handler).updateRole),
	rt(http.MethodDelete, "/organizations/{slug}/roles/{role}", (*Handler).deleteRole),
	rt(http.MethodGet, "/organizations/{slug}/webhooks", (*Handler).listWebhooks),
	rt(http.MethodPost, "/organizations/{slug}/webhooks", (*Handler).createWebhook),
	rt(http.MethodGet, "/organizations/{slug}/webhooks/{id}", (*Handler).getWebhook),
	rt(http.MethodPatch, "/organizations/{slug}/webhooks/{id}", (*Handler).updateWebhook),
	rt(http.MethodDelete, "/organizations/{slug}/webhooks/{id}", (*Handler).deleteWebhook),
	rt(http.MethodPost, "/organizations/{slug}/webhooks/{id}/rotate-secret", (*Handler).rotateWebhookSecret),
	rt(http.MethodGet, "/organizations/{slug}/webhooks/{id}/attempts", (*Handler).listWebhookAttempts),
	rt(http.MethodPost, "/organizations/{slug}/webhooks/{id}/replay", (*Handler).replayWebhooks),
}

// Routes lists every operation the Handler serves, in a stable order.
func Routes() []Route {
	out := make([]Route, len(routeTable))
	for i, r := range routeTable {
		out[i] = r.Route
	}
	return out
}
