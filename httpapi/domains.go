package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

func (h *Handler) listDomains(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	ds, err := h.svc.ListDomains(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, whole(ds))
}

// domainBody is the body of POST …/domains.
type domainBody struct {
	Domain string `json:"domain"`
}

func (h *Handler) addDomain(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in domainBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	d, err := h.svc.AddDomain(r.Context(), actor, r.PathValue("slug"), in.Domain)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, d)
}

func (h *Handler) deleteDomain(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.DeleteDomain(r.Context(), actor, r.PathValue("slug"), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) verifyDomain(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	d, err := h.svc.VerifyDomain(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, d)
}
