package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenantkit/orgs"
)

// page reads the cursor parameters of a list page. Bad values are left to
// the Service, which refuses them with field errors.
func pageParams(r *http.Request, defLimit int) orgs.Page {
	q := r.URL.Query()
	p := orgs.Page{After: q.Get("after"), Before: q.Get("before"), Limit: defLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		p.Limit = n
	}
	return p
}

// pager holds the links of a list page.
type pager struct {
	Prev, Next string // hrefs, "" when there is nothing that way
}

// pagerFor builds the pager links of a list, keeping the page's other query
// parameters.
func pagerFor(path string, q url.Values, prevCursor, nextCursor string) pager {
	link := func(key, cursor string) string {
		if cursor == "" {
			return ""
		}
		v := url.Values{}
		for k, vs := range q {
			if k != "after" && k != "before" && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		v.Set(key, cursor)
		return path + "?" + v.Encode()
	}
	return pager{Prev: link("before", prevCursor), Next: link("after", nextCursor)}
}

type homeData struct {
	List   *orgs.List[orgs.Organization]
	Search string
	Pager  pager
	// Invitations are the pending invitations addressed to the user's
	// email (the first page), answered from the home page.
	Invitations []orgs.InvitationPreview
}

func (h *Handler) homePage(rq *req) {
	q := rq.r.URL.Query()
	l, err := h.svc.ListOrganizations(rq.r.Context(), rq.actor, orgs.OrganizationQuery{
		Search: q.Get("q"), Page: pageParams(rq.r, orgs.DefaultPageLimit),
	})
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	d := homeData{List: l, Search: q.Get("q"), Pager: pagerFor(rq.base+"/", q, l.PreviousCursor, l.NextCursor)}
	// A store that cannot list them (errors.ErrUnsupported), or a failed
	// read, leaves the section out: the page is about organizations.
	if mine, err := h.svc.ListMyInvitations(rq.r.Context(), rq.actor, orgs.Page{}); err == nil {
		d.Invitations = mine.Data
	} else {
		h.log.DebugContext(rq.r.Context(), "ui: no invitations list", "error", err)
	}
	status := http.StatusOK
	if rq.prob != nil {
		status = rq.prob.Status
	}
	h.render(rq, "home", status, &view{Title: h.t("home.title"), Data: d})
}

// answerInvitation accepts or declines, from the home page, an invitation
// addressed to the user (Service.AcceptMyInvitation, DeclineMyInvitation).
func (h *Handler) answerInvitation(rq *req) (*outcome, error) {
	ctx, id := rq.r.Context(), rq.r.PathValue("id")
	switch rq.r.PostForm.Get("answer") {
	case "accept":
		m, err := h.svc.AcceptMyInvitation(ctx, rq.actor, id)
		if err != nil {
			return nil, err
		}
		to, name := "/", ""
		if org, err := h.svc.GetOrganizationByID(ctx, rq.actor, m.OrganizationID); err == nil {
			to, name = "/o/"+org.Slug+"/", org.Name
		}
		return &outcome{to: to, flash: flash{Key: "flash.joined", Args: []string{name}}}, nil
	case "decline":
		if err := h.svc.DeclineMyInvitation(ctx, rq.actor, id); err != nil {
			return nil, err
		}
		return &outcome{to: "/", flash: flash{Key: "flash.declined"}}, nil
	}
	return nil, invalidField("answer", "answer_choice")
}

// switchOrg is the switcher's target (a GET form): it redirects to the
// chosen organization.
func (h *Handler) switchOrg(rq *req) {
	slug := strings.ToLower(rq.r.URL.Query().Get("org"))
	if !orgs.ValidSlug(slug) {
		http.Redirect(rq.w, rq.r, rq.base+"/", http.StatusSeeOther)
		return
	}
	http.Redirect(rq.w, rq.r, rq.base+"/o/"+slug+"/", http.StatusSeeOther)
}

func (h *Handler) createOrg(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	org, err := h.svc.CreateOrganization(rq.r.Context(), rq.actor, orgs.CreateOrganizationInput{
		Name: f.Get("name"), Slug: strings.TrimSpace(f.Get("slug")),
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + org.Slug + "/", flash: flash{Key: "flash.org_created", Args: []string{org.Name}}}, nil
}

func (h *Handler) overviewPage(rq *req) {
	h.render(rq, "overview", http.StatusOK, &view{Title: rq.org.Name, Tab: "overview"})
}

func (h *Handler) leavePage(rq *req) {
	h.render(rq, "leave", http.StatusOK, &view{Title: h.t("leave.title"), Tab: "overview"})
}

func (h *Handler) leave(rq *req) (*outcome, error) {
	if err := h.svc.LeaveOrganization(rq.r.Context(), rq.actor, rq.org.Slug); err != nil {
		return nil, err
	}
	return &outcome{to: "/", flash: flash{Key: "flash.left", Args: []string{rq.org.Name}}}, nil
}
