package workos

import (
	"errors"
	"net/http"

	"github.com/tenantkit/orgs"
)

// membership is WorkOS's organization_membership object.
type membership struct {
	Object           string            `json:"object"`
	ID               string            `json:"id"`
	UserID           string            `json:"user_id"`
	OrganizationID   string            `json:"organization_id"`
	OrganizationName string            `json:"organization_name"`
	Status           string            `json:"status"`
	Role             roleSlug          `json:"role"`
	DirectoryManaged bool              `json:"directory_managed"`
	CustomAttributes map[string]string `json:"custom_attributes"`
	CreatedAt        string            `json:"created_at"`
	UpdatedAt        string            `json:"updated_at"`
}

type roleSlug struct {
	Slug string `json:"slug"`
}

func toMembership(m *orgs.Member) membership {
	return membership{Object: "organization_membership", ID: m.ID, UserID: m.UserID, OrganizationID: m.OrganizationID,
		OrganizationName: m.OrganizationName, Status: string(m.Status), Role: roleSlug{string(m.Role)},
		CustomAttributes: map[string]string{}, CreatedAt: ts(m.JoinedAt), UpdatedAt: ts(m.UpdatedAt)}
}

// roleOf reads role_slug, or role_slugs with one element; "member" when
// neither is given.
func roleOf(slug *string, slugs []string) (orgs.Role, error) {
	switch {
	case len(slugs) > 1:
		return "", invalid("role_slugs", "role_slugs_unsupported")
	case len(slugs) == 1 && slug != nil && *slug != slugs[0]:
		return "", invalid("role_slugs", "role_slugs_invalid")
	case len(slugs) == 1:
		return orgs.Role(slugs[0]), nil
	case slug != nil:
		return orgs.Role(*slug), nil
	}
	return orgs.RoleMember, nil
}

type createMembershipBody struct {
	OrganizationID string   `json:"organization_id"`
	UserID         string   `json:"user_id"`
	RoleSlug       *string  `json:"role_slug"`
	RoleSlugs      []string `json:"role_slugs"`
}

func (h *Handler) createMembership(w http.ResponseWriter, r *http.Request) error {
	var b createMembershipBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.OrganizationID == "" {
		return invalid("organization_id", "organization_id_required")
	}
	if b.UserID == "" {
		return invalid("user_id", "user_id_required")
	}
	role, err := roleOf(b.RoleSlug, b.RoleSlugs)
	if err != nil {
		return err
	}
	if !isID(orgs.PrefixOrganization, b.OrganizationID) {
		return notFound("Organization", b.OrganizationID)
	}
	m, err := h.svc.AddMember(r.Context(), orgs.SystemActor(), b.OrganizationID, b.UserID, role)
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization", b.OrganizationID)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toMembership(m))
	return nil
}

// answerMembership writes the membership a call returned, or its error
// (an unknown ID as WorkOS's 404).
func answerMembership(w http.ResponseWriter, r *http.Request, m *orgs.Member, err error) error {
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization membership", r.PathValue("id"))
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMembership(m))
	return nil
}

func (h *Handler) getMembership(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.GetMembership(r.Context(), orgs.SystemActor(), r.PathValue("id"))
	return answerMembership(w, r, m, err)
}

type updateMembershipBody struct {
	RoleSlug  *string  `json:"role_slug"`
	RoleSlugs []string `json:"role_slugs"`
}

func (h *Handler) updateMembership(w http.ResponseWriter, r *http.Request) error {
	var b updateMembershipBody
	if err := decode(r, &b); err != nil {
		return err
	}
	id := r.PathValue("id")
	if b.RoleSlug == nil && b.RoleSlugs == nil {
		m, err := h.svc.GetMembership(r.Context(), orgs.SystemActor(), id) // nothing to change
		return answerMembership(w, r, m, err)
	}
	role, err := roleOf(b.RoleSlug, b.RoleSlugs)
	if err != nil {
		return err
	}
	m, err := h.svc.UpdateMembership(r.Context(), orgs.SystemActor(), id, role)
	return answerMembership(w, r, m, err)
}

func (h *Handler) deleteMembership(w http.ResponseWriter, r *http.Request) error {
	err := h.svc.DeleteMembership(r.Context(), orgs.SystemActor(), r.PathValue("id"))
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization membership", r.PathValue("id"))
	} else if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) deactivateMembership(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	m, err := h.svc.DeactivateMembership(r.Context(), orgs.SystemActor(), r.PathValue("id"))
	return answerMembership(w, r, m, err)
}

func (h *Handler) reactivateMembership(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	m, err := h.svc.ReactivateMembership(r.Context(), orgs.SystemActor(), r.PathValue("id"))
	return answerMembership(w, r, m, err)
}

func (h *Handler) listMemberships(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	q := orgs.MembershipQuery{Organization: qv.Get("organization_id"), UserID: qv.Get("user_id"), Page: p}
	if q.Organization == "" && q.UserID == "" {
		return invalid("organization_id", "organization_id_required")
	}
	for _, s := range splitList(qv.Get("statuses")) {
		q.Statuses = append(q.Statuses, orgs.MembershipStatus(s))
	}
	if q.Organization != "" && !isID(orgs.PrefixOrganization, q.Organization) {
		writeJSON(w, http.StatusOK, emptyList[membership]())
		return nil
	}
	l, err := h.svc.ListMemberships(r.Context(), orgs.SystemActor(), q)
	if errors.Is(err, orgs.ErrNotFound) {
		writeJSON(w, http.StatusOK, emptyList[membership]()) // an unknown organization has none
		return nil
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toList(l, toMembership))
	return nil
}
