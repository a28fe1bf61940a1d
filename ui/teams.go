package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantkit/orgs"
)

type teamsData struct {
	List  *orgs.List[orgs.Team]
	Pager pager
}

func (h *Handler) teamsPage(rq *req) {
	q := rq.r.URL.Query()
	p := pageParams(rq.r, orgs.DefaultPageLimit)
	if rq.prob != nil {
		p = orgs.Page{}
	}
	l, err := h.svc.ListTeams(rq.r.Context(), rq.actor, rq.org.Slug, p)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "teams", http.StatusOK, &view{Title: h.t("teams.title"), Tab: "teams", Data: teamsData{
		List: l, Pager: pagerFor(rq.base+"/o/"+rq.org.Slug+"/teams", q, l.PreviousCursor, l.NextCursor),
	}})
}

func (h *Handler) createTeam(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	t, err := h.svc.CreateTeam(rq.r.Context(), rq.actor, rq.org.Slug, orgs.TeamInput{
		Name: f.Get("name"), Slug: strings.TrimSpace(f.Get("slug")), Description: f.Get("description"), Color: f.Get("color"),
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/teams/" + t.Slug, flash: flash{Key: "flash.team_created", Args: []string{t.Name}}}, nil
}

type teamData struct {
	Team       *orgs.Team
	Members    *orgs.List[orgs.TeamMember]
	Pager      pager
	CanManage  bool            // teams:manage, or a maintainer of the team
	Candidates []orgs.Member   // organization members to pick from (first page)
	TeamRoles  []orgs.TeamRole // maintainer, member
}

func (h *Handler) teamPage(rq *req) {
	ctx := rq.r.Context()
	t, err := h.svc.GetTeam(ctx, rq.actor, rq.org.Slug, rq.r.PathValue("team"))
	if err != nil {
		if rq.prob != nil {
			// The team is gone or renamed by the failed post's neighbour;
			// show the failure on the team list.
			h.teamsPage(rq)
			return
		}
		h.fail(rq, err, "")
		return
	}
	q := rq.r.URL.Query()
	p := pageParams(rq.r, orgs.DefaultPageLimit)
	if rq.prob != nil {
		p = orgs.Page{}
	}
	ms, err := h.svc.ListTeamMembers(ctx, rq.actor, rq.org.Slug, t.Slug, p)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	d := teamData{Team: t, Members: ms, TeamRoles: []orgs.TeamRole{orgs.TeamRoleMember, orgs.TeamRoleMaintainer},
		Pager: pagerFor(rq.base+"/o/"+rq.org.Slug+"/teams/"+url.PathEscape(t.Slug), q, ms.PreviousCursor, ms.NextCursor)}
	d.CanManage = h.can(rq, rq.org, orgs.PermTeamsManage)
	if !d.CanManage {
		// A maintainer manages the team's membership too. Reading the
		// actor's own team role only decides which controls to show; the
		// Service checks again on every change.
		if tm, err := h.svc.Store().GetTeamMember(ctx, t.ID, rq.userID); err == nil && tm.Role == orgs.TeamRoleMaintainer {
			d.CanManage = true
		}
	}
	if d.CanManage {
		if l, err := h.svc.ListMembers(ctx, rq.actor, rq.org.Slug, orgs.MemberQuery{Page: orgs.Page{Limit: orgs.MaxPageLimit}}); err == nil {
			d.Candidates = l.Data
		}
	}
	h.render(rq, "team", http.StatusOK, &view{Title: t.Name, Tab: "teams", Data: d})
}

func (h *Handler) teamPath(rq *req, slug string) string {
	return "/o/" + rq.org.Slug + "/teams/" + url.PathEscape(slug)
}

func (h *Handler) updateTeam(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	str := func(name string) *string {
		if _, ok := f[name]; !ok {
			return nil
		}
		v := f.Get(name)
		return &v
	}
	t, err := h.svc.UpdateTeam(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("team"), orgs.TeamUpdate{
		Name: str("name"), Slug: str("slug"), Description: str("description"), Color: str("color"),
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.teamPath(rq, t.Slug), flash: flash{Key: "flash.saved"}}, nil
}

func (h *Handler) deleteTeam(rq *req) (*outcome, error) {
	if err := h.svc.DeleteTeam(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("team")); err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/teams", flash: flash{Key: "flash.team_deleted"}}, nil
}

func (h *Handler) addTeamMember(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	team := rq.r.PathValue("team")
	m, err := h.svc.AddTeamMember(rq.r.Context(), rq.actor, rq.org.Slug, team, strings.TrimSpace(f.Get("user_id")), orgs.TeamRole(f.Get("role")))
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.teamPath(rq, team), flash: flash{Key: "flash.team_member_added", Args: []string{displayName(m.Name, m.UserID)}}}, nil
}

func (h *Handler) teamMemberRole(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	team := rq.r.PathValue("team")
	m, err := h.svc.UpdateTeamMemberRole(rq.r.Context(), rq.actor, rq.org.Slug, team, f.Get("user_id"), orgs.TeamRole(f.Get("role")))
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.teamPath(rq, team), flash: flash{Key: "flash.role_changed", Args: []string{displayName(m.Name, m.UserID), h.t("teamrole." + string(m.Role))}}}, nil
}

func (h *Handler) removeTeamMember(rq *req) (*outcome, error) {
	team := rq.r.PathValue("team")
	if err := h.svc.RemoveTeamMember(rq.r.Context(), rq.actor, rq.org.Slug, team, rq.r.PostForm.Get("user_id")); err != nil {
		return nil, err
	}
	return &outcome{to: h.teamPath(rq, team), flash: flash{Key: "flash.team_member_removed"}}, nil
}
