package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

// The invited user's routes: preview an invitation by its token (in the
// body, never in the URL, where it would land in logs), list the pending
// invitations addressed to the caller's email, and answer one by its ID.

func (h *Handler) previewInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	token, err := decodeToken(r)
	if err != nil {
		return err
	}
	p, err := h.svc.PreviewInvitation(r.Context(), actor, token)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, p)
}

func (h *Handler) listMyInvitations(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListMyInvitations(r.Context(), actor, page)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}

func (h *Handler) acceptMyInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	m, err := h.svc.AcceptMyInvitation(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, m)
}

func (h *Handler) declineMyInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.DeclineMyInvitation(r.Context(), actor, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
