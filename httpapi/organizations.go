package httpapi

import (
	"net/http"
	"time"

	"github.com/tenantkit/orgs"
)

// whole wraps a complete, unpaginated list in the list shape.
func whole[T any](items []T) *orgs.List[T] {
	if items == nil {
		items = []T{}
	}
	return &orgs.List[T]{Data: items}
}

func (h *Handler) listIndustries(w http.ResponseWriter, r *http.Request, _ orgs.Actor) error {
	return h.writeJSON(w, r, http.StatusOK, whole(h.svc.Industries()))
}

func (h *Handler) listOrganizations(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	q := orgs.OrganizationQuery{Domain: query(r, "domain"), Search: query(r, "q"), Page: page}
	l, err := h.svc.ListOrganizations(r.Context(), actor, q)
	if err != nil {
		return renameFields(err, map[string]string{"search": "q"})
	}
	for i := range l.Data {
		presentOrganization(&l.Data[i])
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}

func (h *Handler) createOrganization(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.CreateOrganizationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	org, err := h.svc.CreateOrganization(r.Context(), actor, in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, presentOrganization(org))
}

func (h *Handler) getOrganization(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	d, err := h.svc.GetOrganizationDetail(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	for i := range d.Pipelines {
		presentPipeline(&d.Pipelines[i])
	}
	if d.IsPublicView() {
		return h.writeJSON(w, r, http.StatusOK, publicOrganizationDetail{
			publicOrganization: publicView(&d.Organization), Categories: d.Categories, Pipelines: d.Pipelines})
	}
	presentOrganization(&d.Organization)
	return h.writeJSON(w, r, http.StatusOK, d)
}

// publicOrganization is the JSON of an organization's public view, what a
// user who is not a member of a public organization sees: the fields the
// Service's public view keeps, and no others (not even empty), so that the
// response says plainly what it is (PublicOrganizationDetail in the OpenAPI
// document).
type publicOrganization struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Slug        string          `json:"slug"`
	Handle      string          `json:"handle"`
	Description string          `json:"description"`
	LogoURL     string          `json:"logo_url"`
	Website     string          `json:"website"`
	Industry    string          `json:"industry"`
	Visibility  orgs.Visibility `json:"visibility"`
	MemberCount int             `json:"member_count"`
	TeamCount   int             `json:"team_count"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

type publicOrganizationDetail struct {
	publicOrganization
	Categories []orgs.Category `json:"categories"`
	Pipelines  []orgs.Pipeline `json:"pipelines"`
}

func publicView(o *orgs.Organization) publicOrganization {
	return publicOrganization{ID: o.ID, Name: o.Name, Slug: o.Slug, Handle: o.Handle,
		Description: o.Description, LogoURL: o.LogoURL, Website: o.Website, Industry: o.Industry,
		Visibility: o.Visibility, MemberCount: o.MemberCount, TeamCount: o.TeamCount,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

func (h *Handler) getOrganizationByExternalID(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	org, err := h.svc.GetOrganizationByExternalID(r.Context(), actor, r.PathValue("external_id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, presentOrganization(org))
}

func (h *Handler) updateOrganization(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in orgs.UpdateOrganizationInput
	if err := decodeJSONSkipping(r, &in, organizationReadOnly...); err != nil {
		return err
	}
	org, err := h.svc.UpdateOrganization(r.Context(), actor, r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, presentOrganization(org))
}

func (h *Handler) deleteOrganization(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.DeleteOrganization(r.Context(), actor, r.PathValue("slug")); err != nil {
		return err
	}
	return noContent(w)
}

// presentOrganization shows absent lists and maps as [] and {} rather than
// null, as the OpenAPI document promises.
func presentOrganization(o *orgs.Organization) *orgs.Organization {
	if o.Domains == nil {
		o.Domains = []string{}
	}
	if o.Metadata == nil {
		o.Metadata = map[string]string{}
	}
	return o
}

// presentPipeline shows a pipeline without stages with "stages": [].
func presentPipeline(p *orgs.Pipeline) *orgs.Pipeline {
	if p.Stages == nil {
		p.Stages = []orgs.Stage{}
	}
	return p
}
