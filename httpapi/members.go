package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	q := orgs.MemberQuery{Role: orgs.Role(query(r, "role")), Search: query(r, "search"), Page: page}
	l, err := h.svc.ListMembers(r.Context(), actor, r.PathValue("slug"), q)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}

func (h *Handler) getMember(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	m, err := h.svc.GetMember(r.Context(), actor, r.PathValue("slug"), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, m)
}

// roleBody is the body of the routes that set a role.
type roleBody struct {
	Role string `json:"role"`
}

func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in roleBody
	if err := decodeJSONSkipping(r, &in, memberReadOnly...); err != nil {
		return err
	}
	m, err := h.svc.UpdateMemberRole(r.Context(), actor, r.PathValue("slug"), r.PathValue("user_id"), orgs.Role(in.Role))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, m)
}

func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.RemoveMember(r.Context(), actor, r.PathValue("slug"), r.PathValue("user_id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) leaveOrganization(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.LeaveOrganization(r.Context(), actor, r.PathValue("slug")); err != nil {
		return err
	}
	return noContent(w)
}

// transferBody is the body of POST …/transfer-ownership.
type transferBody struct {
	UserID string `json:"user_id"`
}

func (h *Handler) transferOwnership(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in transferBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.svc.TransferOwnership(r.Context(), actor, r.PathValue("slug"), in.UserID); err != nil {
		return err
	}
	return noContent(w)
}
