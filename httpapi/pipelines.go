package httpapi

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

func (h *Handler) listPipelines(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	ps, err := h.svc.ListPipelines(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	for i := range ps {
		presentPipeline(&ps[i])
	}
	return h.writeJSON(w, r, http.StatusOK, whole(ps))
}

func (h *Handler) createPipeline(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.PipelineInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := h.svc.CreatePipeline(r.Context(), actor, r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, presentPipeline(p))
}

func (h *Handler) getPipeline(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	p, err := h.svc.GetPipeline(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, presentPipeline(p))
}

func (h *Handler) updatePipeline(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.PipelineUpdate
	if err := decodeJSONSkipping(r, &in, pipelineReadOnly...); err != nil {
		return err
	}
	p, err := h.svc.UpdatePipeline(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, presentPipeline(p))
}

func (h *Handler) deletePipeline(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.DeletePipeline(r.Context(), actor, r.PathValue("slug"), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
