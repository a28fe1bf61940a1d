package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantkit/orgs"
)

// The organization's own roles (PermRolesManage): the list of every role
// its members may hold, a form per role of its own (rename, rank,
// permissions, delete with a role to reassign its holders to) and a form to
// define one.

type rolesData struct {
	Roles       []orgs.OrganizationRole // every role, highest rank first
	Permissions []orgs.Permission       // the registered permissions, for the checkboxes
	MaxRank     int                     // the highest rank a role of its own may have (below owner)
}

// orgRoles lists the roles of the current organization — the Service's and
// its own — highest rank first, falling back to the Service's roles when the
// list cannot be read (a store without OrganizationRoleStore lists them
// anyway).
func (h *Handler) orgRoles(rq *req) []orgs.OrganizationRole {
	rs, err := h.svc.ListOrganizationRoles(rq.r.Context(), rq.actor, rq.org.Slug)
	if err == nil {
		return rs
	}
	var out []orgs.OrganizationRole
	for _, d := range h.svc.Roles() {
		out = append(out, orgs.OrganizationRole{Name: d.Name, Rank: d.Rank, Permissions: d.Permissions})
	}
	return out
}

func (h *Handler) rolesPage(rq *req) {
	rs, err := h.svc.ListOrganizationRoles(rq.r.Context(), rq.actor, rq.org.Slug)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	if rq.prob != nil && (rq.prob.Action == "role.update" || rq.prob.Action == "role.delete") {
		rq.prob.Action = roleForm(rq.prob.Action, orgs.Role(rq.r.PathValue("role")))
	}
	max := 0
	for _, d := range h.svc.Roles() {
		if d.Name == orgs.RoleOwner {
			max = d.Rank - 1
		}
	}
	h.render(rq, "roles", http.StatusOK, &view{Title: h.t("roles.title"), Tab: "roles", Data: rolesData{
		Roles: rs, Permissions: h.svc.Permissions(), MaxRank: max,
	}})
}

func (h *Handler) rolesPath(rq *req) string { return "/o/" + rq.org.Slug + "/roles" }

// formPermissions reads the checked permissions of a role form.
func formPermissions(f url.Values) []orgs.Permission {
	out := []orgs.Permission{}
	for _, p := range f["permissions"] {
		out = append(out, orgs.Permission(p))
	}
	return out
}

func (h *Handler) createRole(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	rank, err := formInt(f, "rank")
	if err != nil {
		return nil, err
	}
	r, err := h.svc.CreateOrganizationRole(rq.r.Context(), rq.actor, rq.org.Slug, orgs.OrganizationRoleInput{
		Name: orgs.Role(strings.TrimSpace(f.Get("name"))), Rank: rank, Permissions: formPermissions(f),
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.rolesPath(rq), flash: flash{Key: "flash.role_created", Args: []string{string(r.Name)}}}, nil
}

// roleForm names the form of one role on the roles page, so that a failed
// post shows its errors beside that role's fields only.
func roleForm(action string, role orgs.Role) string { return action + "." + string(role) }

func (h *Handler) updateRole(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	name := orgs.Role(strings.TrimSpace(f.Get("name")))
	rank, err := formInt(f, "rank")
	if err != nil {
		return nil, err
	}
	r, err := h.svc.UpdateOrganizationRole(rq.r.Context(), rq.actor, rq.org.Slug, orgs.Role(rq.r.PathValue("role")), orgs.OrganizationRoleUpdate{
		Name: &name, Rank: &rank, Permissions: formPermissions(f),
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.rolesPath(rq), flash: flash{Key: "flash.role_updated", Args: []string{string(r.Name)}}}, nil
}

func (h *Handler) deleteRole(rq *req) (*outcome, error) {
	name := orgs.Role(rq.r.PathValue("role"))
	to := orgs.Role(rq.r.PostForm.Get("reassign_to"))
	if err := h.svc.DeleteOrganizationRole(rq.r.Context(), rq.actor, rq.org.Slug, name, to); err != nil {
		return nil, err
	}
	if to != "" {
		return &outcome{to: h.rolesPath(rq), flash: flash{Key: "flash.role_deleted_reassigned", Args: []string{string(name), h.roleName(to)}}}, nil
	}
	return &outcome{to: h.rolesPath(rq), flash: flash{Key: "flash.role_deleted", Args: []string{string(name)}}}, nil
}

// roleName is a role's label: its message ("role.<name>") or its name.
func (h *Handler) roleName(r orgs.Role) string {
	if m, ok := h.msg["role."+string(r)]; ok {
		return m
	}
	return string(r)
}
