package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

func (h *Handler) listTeams(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListTeams(r.Context(), actor, r.PathValue("slug"), page)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}

func (h *Handler) createTeam(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.TeamInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.svc.CreateTeam(r.Context(), actor, r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, t)
}

func (h *Handler) getTeam(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	t, err := h.svc.GetTeam(r.Context(), actor, r.PathValue("slug"), r.PathValue("team_slug"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, t)
}

func (h *Handler) updateTeam(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.TeamUpdate
	if err := decodeJSONSkipping(r, &in, teamReadOnly...); err != nil {
		return err
	}
	t, err := h.svc.UpdateTeam(r.Context(), actor, r.PathValue("slug"), r.PathValue("team_slug"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, t)
}

func (h *Handler) deleteTeam(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.DeleteTeam(r.Context(), actor, r.PathValue("slug"), r.PathValue("team_slug")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) listTeamMembers(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListTeamMembers(r.Context(), actor, r.PathValue("slug"), r.PathValue("team_slug"), page)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}

// teamMemberBody is the body of POST …/teams/{team_slug}/members.
type teamMemberBody struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
}

func (h *Handler) addTeamMember(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in teamMemberBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := h.svc.AddTeamMember(r.Context(), actor, r.PathValue("slug"), r.PathValue("team_slug"), in.UserID, orgs.TeamRole(in.Role))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, m)
}

func (h *Handler) updateTeamMember(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in roleBody
	if err := decodeJSONSkipping(r, &in, memberReadOnly...); err != nil {
		return err
	}
	m, err := h.svc.UpdateTeamMemberRole(r.Context(), actor, r.PathValue("slug"), r.PathValue("team_slug"),
		r.PathValue("user_id"), orgs.TeamRole(in.Role))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, m)
}

func (h *Handler) removeTeamMember(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.RemoveTeamMember(r.Context(), actor, r.PathValue("slug"), r.PathValue("team_slug"), r.PathValue("user_id")); err != nil {
		return err
	}
	return noContent(w)
}
