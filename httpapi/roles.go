package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

// An organization's roles: GET lists every role its members may hold (the
// Service's and the organization's own); POST, PATCH and DELETE define,
// change and delete the organization's own.

func (h *Handler) listRoles(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	rs, err := h.svc.ListOrganizationRoles(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, whole(rs))
}

func (h *Handler) createRole(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.OrganizationRoleInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	role, err := h.svc.CreateOrganizationRole(r.Context(), actor, r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, role)
}

func (h *Handler) updateRole(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.OrganizationRoleUpdate
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	role, err := h.svc.UpdateOrganizationRole(r.Context(), actor, r.PathValue("slug"), orgs.Role(r.PathValue("role")), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, role)
}

func (h *Handler) deleteRole(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	err := h.svc.DeleteOrganizationRole(r.Context(), actor, r.PathValue("slug"), orgs.Role(r.PathValue("role")),
		orgs.Role(query(r, "reassign_to")))
	if err != nil {
		return err
	}
	return noContent(w)
}
