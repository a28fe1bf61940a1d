package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

func (h *Handler) listCategories(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	cs, err := h.svc.ListCategories(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, whole(cs))
}

func (h *Handler) createCategory(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.CategoryInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateCategory(r.Context(), actor, r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, c)
}

func (h *Handler) updateCategory(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.CategoryUpdate
	if err := decodeJSONSkipping(r, &in, categoryReadOnly...); err != nil {
		return err
	}
	c, err := h.svc.UpdateCategory(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, c)
}

func (h *Handler) deleteCategory(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.DeleteCategory(r.Context(), actor, r.PathValue("slug"), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
