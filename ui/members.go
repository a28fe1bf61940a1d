package ui

import (
	"net/http"

	"github.com/tenantkit/orgs"
)

// membersPageSize is the default number of members a page lists.
const membersPageSize = 25

type membersData struct {
	List   *orgs.List[orgs.Member]
	Search string
	Role   string
	Roles  []orgs.OrganizationRole // every role of the organization, highest first (for the filter)
	Grant  []orgs.OrganizationRole // roles the user may grant: ranked at or below their own
	Pager  pager
}

// grantable lists the roles of the organization (the Service's and its
// own) ranked at or below the user's: what the role selects offer. The
// Service checks ranks again on every change.
func (h *Handler) grantable(rq *req, all []orgs.OrganizationRole) []orgs.OrganizationRole {
	rank := -1
	for _, d := range all {
		if d.Name == rq.org.Role {
			rank = d.Rank
		}
	}
	var out []orgs.OrganizationRole
	for _, d := range all {
		if d.Rank <= rank {
			out = append(out, d)
		}
	}
	return out
}

func (h *Handler) membersPage(rq *req) {
	q := rq.r.URL.Query()
	mq := orgs.MemberQuery{Role: orgs.Role(q.Get("role")), Search: q.Get("q"), Page: pageParams(rq.r, membersPageSize)}
	if rq.prob != nil {
		mq = orgs.MemberQuery{Page: orgs.Page{Limit: membersPageSize}}
	}
	l, err := h.svc.ListMembers(rq.r.Context(), rq.actor, rq.org.Slug, mq)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	roles := h.orgRoles(rq)
	h.render(rq, "members", http.StatusOK, &view{Title: h.t("members.title"), Tab: "members", Data: membersData{
		List: l, Search: mq.Search, Role: string(mq.Role), Roles: roles, Grant: h.grantable(rq, roles),
		Pager: pagerFor(rq.base+"/o/"+rq.org.Slug+"/members", q, l.PreviousCursor, l.NextCursor),
	}})
}

func (h *Handler) changeRole(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	m, err := h.svc.UpdateMemberRole(rq.r.Context(), rq.actor, rq.org.Slug, f.Get("user_id"), orgs.Role(f.Get("role")))
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/members" + returnQuery(f.Get("return")),
		flash: flash{Key: "flash.role_changed", Args: []string{displayName(m.Name, m.UserID), h.roleName(m.Role)}}}, nil
}

// returnQuery keeps a list page's query (search, filter, cursor) across a
// post, when it is a plain query string.
func returnQuery(q string) string {
	if q == "" || len(q) > 1024 {
		return ""
	}
	for _, c := range q {
		if c < 0x21 || c > 0x7e || c == '#' || c == '/' || c == '\\' {
			return ""
		}
	}
	return "?" + q
}

func displayName(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

type memberActionData struct {
	Member *orgs.Member
}

// memberFor loads the member named by the user_id parameter for a
// confirmation page.
func (h *Handler) memberFor(rq *req) (*orgs.Member, bool) {
	id := rq.r.URL.Query().Get("user_id")
	if id == "" && rq.r.PostForm != nil {
		id = rq.r.PostForm.Get("user_id")
	}
	m, err := h.svc.GetMember(rq.r.Context(), rq.actor, rq.org.Slug, id)
	if err != nil {
		if rq.prob != nil {
			h.render(rq, "error", rq.prob.Status, &view{Title: h.t("error.title." + statusKey(rq.prob.Status)), Data: map[string]any{
				"Heading": h.t("error.title." + statusKey(rq.prob.Status)), "Message": rq.prob.Message, "Status": rq.prob.Status,
			}})
			return nil, false
		}
		h.fail(rq, err, "")
		return nil, false
	}
	return m, true
}

func (h *Handler) removeMemberPage(rq *req) {
	m, ok := h.memberFor(rq)
	if !ok {
		return
	}
	h.render(rq, "remove_member", http.StatusOK, &view{Title: h.t("remove.title"), Tab: "members", Data: memberActionData{Member: m}})
}

func (h *Handler) removeMember(rq *req) (*outcome, error) {
	id := rq.r.PostForm.Get("user_id")
	if err := h.svc.RemoveMember(rq.r.Context(), rq.actor, rq.org.Slug, id); err != nil {
		return nil, err
	}
	if id == rq.userID {
		return &outcome{to: "/", flash: flash{Key: "flash.left", Args: []string{rq.org.Name}}}, nil
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/members", flash: flash{Key: "flash.member_removed", Args: []string{id}}}, nil
}

func (h *Handler) transferPage(rq *req) {
	m, ok := h.memberFor(rq)
	if !ok {
		return
	}
	h.render(rq, "transfer", http.StatusOK, &view{Title: h.t("transfer.title"), Tab: "members", Data: memberActionData{Member: m}})
}

func (h *Handler) transfer(rq *req) (*outcome, error) {
	id := rq.r.PostForm.Get("user_id")
	if err := h.svc.TransferOwnership(rq.r.Context(), rq.actor, rq.org.Slug, id); err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/members", flash: flash{Key: "flash.transferred", Args: []string{id}}}, nil
}
