package ui

import (
	"net/http"
	"strings"

	"github.com/tenantkit/orgs"
)

type settingsData struct {
	Industries []string
}

func (h *Handler) settingsPage(rq *req) {
	h.render(rq, "settings", http.StatusOK, &view{Title: h.t("settings.title"), Tab: "settings",
		Data: settingsData{Industries: h.svc.Industries()}})
}

// profileFields are the organization's profile fields the settings form
// edits, by form name (the Service's field names).
func (h *Handler) updateProfile(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	str := func(name string) *string {
		if _, ok := f[name]; !ok {
			return nil
		}
		v := f.Get(name)
		return &v
	}
	in := orgs.UpdateOrganizationInput{
		Name: str("name"), Handle: str("handle"), Description: str("description"),
		LogoURL: str("logo_url"), Website: str("website"), Industry: str("industry"),
		ContactEmail: str("contact_email"), ContactPhone: str("contact_phone"),
	}
	if _, ok := f["visibility"]; ok {
		v := orgs.Visibility(f.Get("visibility"))
		in.Visibility = &v
	}
	org, err := h.svc.UpdateOrganization(rq.r.Context(), rq.actor, rq.org.Slug, in)
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + org.Slug + "/settings", flash: flash{Key: "flash.saved"}}, nil
}

func (h *Handler) changeSlug(rq *req) (*outcome, error) {
	slug := strings.TrimSpace(rq.r.PostForm.Get("slug"))
	org, err := h.svc.UpdateOrganization(rq.r.Context(), rq.actor, rq.org.Slug, orgs.UpdateOrganizationInput{Slug: &slug})
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + org.Slug + "/settings", flash: flash{Key: "flash.slug_changed", Args: []string{org.Slug}}}, nil
}

func (h *Handler) deleteOrg(rq *req) (*outcome, error) {
	if strings.TrimSpace(rq.r.PostForm.Get("confirm")) != rq.org.Slug {
		return nil, invalidField("confirm", "confirm_slug")
	}
	if err := h.svc.DeleteOrganization(rq.r.Context(), rq.actor, rq.org.Slug); err != nil {
		return nil, err
	}
	return &outcome{to: "/", flash: flash{Key: "flash.org_deleted", Args: []string{rq.org.Name}}}, nil
}

type domainsData struct {
	Domains []orgs.Domain
}

func (h *Handler) domainsPage(rq *req) {
	ds, err := h.svc.ListDomains(rq.r.Context(), rq.actor, rq.org.Slug)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "domains", http.StatusOK, &view{Title: h.t("domains.title"), Tab: "domains", Data: domainsData{Domains: ds}})
}

func (h *Handler) addDomain(rq *req) (*outcome, error) {
	d, err := h.svc.AddDomain(rq.r.Context(), rq.actor, rq.org.Slug, strings.TrimSpace(rq.r.PostForm.Get("domain")))
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/domains", flash: flash{Key: "flash.domain_added", Args: []string{d.Domain}}}, nil
}

func (h *Handler) verifyDomain(rq *req) (*outcome, error) {
	d, err := h.svc.VerifyDomain(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PostForm.Get("id"))
	if err != nil {
		return nil, err
	}
	if d.State != orgs.DomainVerified {
		return &outcome{to: "/o/" + rq.org.Slug + "/domains", flash: flash{Kind: "error", Key: "flash.domain_not_verified", Args: []string{d.Domain}}}, nil
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/domains", flash: flash{Key: "flash.domain_verified", Args: []string{d.Domain}}}, nil
}

func (h *Handler) removeDomain(rq *req) (*outcome, error) {
	if err := h.svc.DeleteDomain(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PostForm.Get("id")); err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/domains", flash: flash{Key: "flash.domain_removed"}}, nil
}
