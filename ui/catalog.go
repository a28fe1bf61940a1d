package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenantkit/orgs"
)

type categoriesData struct {
	Categories []orgs.Category
}

func (h *Handler) categoriesPage(rq *req) {
	cs, err := h.svc.ListCategories(rq.r.Context(), rq.actor, rq.org.Slug)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "categories", http.StatusOK, &view{Title: h.t("categories.title"), Tab: "categories", Data: categoriesData{Categories: cs}})
}

func (h *Handler) categoriesPath(rq *req) string { return "/o/" + rq.org.Slug + "/categories" }

func (h *Handler) addCategory(rq *req) (*outcome, error) {
	c, err := h.svc.CreateCategory(rq.r.Context(), rq.actor, rq.org.Slug, orgs.CategoryInput{Name: rq.r.PostForm.Get("name")})
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.categoriesPath(rq), flash: flash{Key: "flash.category_added", Args: []string{c.Name}}}, nil
}

func (h *Handler) renameCategory(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	name := f.Get("name")
	if _, err := h.svc.UpdateCategory(rq.r.Context(), rq.actor, rq.org.Slug, f.Get("id"), orgs.CategoryUpdate{Name: &name}); err != nil {
		return nil, err
	}
	return &outcome{to: h.categoriesPath(rq), flash: flash{Key: "flash.saved"}}, nil
}

// formInt reads an integer field; a malformed one is a field error.
func formInt(f url.Values, name string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
	if err != nil {
		return 0, invalidField(name, "number")
	}
	return n, nil
}

func (h *Handler) moveCategory(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	pos, err := formInt(f, "position")
	if err != nil {
		return nil, err
	}
	if pos < 0 {
		pos = 0
	}
	if _, err := h.svc.UpdateCategory(rq.r.Context(), rq.actor, rq.org.Slug, f.Get("id"), orgs.CategoryUpdate{Position: &pos}); err != nil {
		return nil, err
	}
	return &outcome{to: h.categoriesPath(rq), flash: flash{Key: "flash.moved"}}, nil
}

func (h *Handler) deleteCategory(rq *req) (*outcome, error) {
	if err := h.svc.DeleteCategory(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PostForm.Get("id")); err != nil {
		return nil, err
	}
	return &outcome{to: h.categoriesPath(rq), flash: flash{Key: "flash.category_deleted"}}, nil
}

type pipelinesData struct {
	Pipelines []orgs.Pipeline
}

func (h *Handler) pipelinesPage(rq *req) {
	ps, err := h.svc.ListPipelines(rq.r.Context(), rq.actor, rq.org.Slug)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "pipelines", http.StatusOK, &view{Title: h.t("pipelines.title"), Tab: "pipelines", Data: pipelinesData{Pipelines: ps}})
}

func (h *Handler) createPipeline(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	var stages []string
	for _, line := range strings.Split(f.Get("stages"), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			stages = append(stages, s)
		}
	}
	p, err := h.svc.CreatePipeline(rq.r.Context(), rq.actor, rq.org.Slug, orgs.PipelineInput{
		Name: f.Get("name"), IsDefault: f.Get("is_default") == "on", Stages: stages,
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/pipelines/" + p.ID, flash: flash{Key: "flash.pipeline_created", Args: []string{p.Name}}}, nil
}

type pipelineData struct {
	Pipeline *orgs.Pipeline
}

func (h *Handler) pipelinePage(rq *req) {
	p, err := h.svc.GetPipeline(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"))
	if err != nil {
		if rq.prob != nil {
			h.pipelinesPage(rq)
			return
		}
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "pipeline", http.StatusOK, &view{Title: p.Name, Tab: "pipelines", Data: pipelineData{Pipeline: p}})
}

func (h *Handler) pipelinePath(rq *req) string {
	return "/o/" + rq.org.Slug + "/pipelines/" + url.PathEscape(rq.r.PathValue("id"))
}

func (h *Handler) updatePipeline(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	var in orgs.PipelineUpdate
	if _, ok := f["name"]; ok {
		name := f.Get("name")
		in.Name = &name
	}
	if f.Get("is_default") == "on" {
		t := true
		in.IsDefault = &t
	}
	if _, err := h.svc.UpdatePipeline(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"), in); err != nil {
		return nil, err
	}
	return &outcome{to: h.pipelinePath(rq), flash: flash{Key: "flash.saved"}}, nil
}

func (h *Handler) deletePipeline(rq *req) (*outcome, error) {
	if err := h.svc.DeletePipeline(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id")); err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/pipelines", flash: flash{Key: "flash.pipeline_deleted"}}, nil
}

func (h *Handler) addStage(rq *req) (*outcome, error) {
	if _, err := h.svc.AddStage(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"), rq.r.PostForm.Get("stage_name")); err != nil {
		return nil, err
	}
	return &outcome{to: h.pipelinePath(rq), flash: flash{Key: "flash.stage_added"}}, nil
}

func (h *Handler) renameStage(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	if _, err := h.svc.RenameStage(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"), f.Get("stage_id"), f.Get("stage_name")); err != nil {
		return nil, err
	}
	return &outcome{to: h.pipelinePath(rq), flash: flash{Key: "flash.saved"}}, nil
}

// moveStage moves one stage up or down: it reads the pipeline and asks the
// Service for the new order (ReorderStages checks that the list is exactly
// the pipeline's stages, so a concurrent change fails instead of mixing).
func (h *Handler) moveStage(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	ctx := rq.r.Context()
	p, err := h.svc.GetPipeline(ctx, rq.actor, rq.org.Slug, rq.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(p.Stages))
	at := -1
	for i, s := range p.Stages {
		ids[i] = s.ID
		if s.ID == f.Get("stage_id") {
			at = i
		}
	}
	if at < 0 {
		return nil, orgs.ErrNotFound
	}
	to := at - 1
	if f.Get("direction") == "down" {
		to = at + 1
	}
	if to >= 0 && to < len(ids) {
		ids[at], ids[to] = ids[to], ids[at]
	}
	if _, err := h.svc.ReorderStages(ctx, rq.actor, rq.org.Slug, p.ID, ids); err != nil {
		return nil, err
	}
	return &outcome{to: h.pipelinePath(rq), flash: flash{Key: "flash.moved"}}, nil
}

func (h *Handler) removeStage(rq *req) (*outcome, error) {
	if _, err := h.svc.RemoveStage(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"), rq.r.PostForm.Get("stage_id")); err != nil {
		return nil, err
	}
	return &outcome{to: h.pipelinePath(rq), flash: flash{Key: "flash.stage_removed"}}, nil
}

type eventsData struct {
	Events []orgs.Event // newest first
	Type   string
	Types  []string
	Pager  pager
}

// eventTypes are the audit event types the filter offers (Service.ListEvents).
var eventTypes = []string{
	"organization.created", "organization.updated", "organization.deleted",
	"member.added", "member.role_updated", "member.removed", "member.left", "ownership.transferred",
	"member.deactivated", "member.reactivated",
	"invitation.created", "invitation.resent", "invitation.revoked", "invitation.accepted", "invitation.declined",
	"team.created", "team.updated", "team.deleted", "team.member_added", "team.member_role_updated", "team.member_removed",
	"category.created", "category.updated", "category.deleted",
	"pipeline.created", "pipeline.updated", "pipeline.deleted",
	"domain.added", "domain.verified", "domain.verification_failed", "domain.state_updated", "domain.deleted",
}

// newestEventKey sorts after every event ID ("evt_" and a ULID, whose
// Crockford base32 digits never exceed "Z"), so the first page of the log,
// asked for as the page before it, holds the newest events.
var newestEventKey = orgs.EncodeCursor(orgs.PrefixEvent + strings.Repeat("Z", 26))

// eventsPage shows the audit log newest first: the Service lists it oldest
// first, so the page is reversed and "Older" follows the previous cursor.
func (h *Handler) eventsPage(rq *req) {
	q := rq.r.URL.Query()
	p := pageParams(rq.r, orgs.DefaultPageLimit)
	first := p.After == "" && p.Before == ""
	if first {
		p.Before = newestEventKey
	}
	l, err := h.svc.ListEvents(rq.r.Context(), rq.actor, rq.org.Slug, orgs.EventQuery{Type: orgs.EventType(q.Get("type")), Page: p})
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	evs := make([]orgs.Event, len(l.Data))
	for i, e := range l.Data {
		evs[len(evs)-1-i] = e
	}
	newer := l.NextCursor
	if first {
		newer = ""
	}
	pg := pagerFor(rq.base+"/o/"+rq.org.Slug+"/events", q, l.PreviousCursor, newer)
	// Older is the page before; newer the page after.
	h.render(rq, "events", http.StatusOK, &view{Title: h.t("events.title"), Tab: "events", Data: eventsData{
		Events: evs, Type: q.Get("type"), Types: eventTypes, Pager: pg,
	}})
}
