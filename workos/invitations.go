package workos

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantkit/orgs"
)

// invitation is WorkOS's invitation object. Token and
// AcceptInvitationURL are set only in the answers to send and resend: the
// store keeps only the token's hash.
type invitation struct {
	Object              string  `json:"object"`
	ID                  string  `json:"id"`
	Email               string  `json:"email"`
	State               string  `json:"state"`
	AcceptedAt          *string `json:"accepted_at"`
	RevokedAt           *string `json:"revoked_at"`
	ExpiresAt           string  `json:"expires_at"`
	OrganizationID      *string `json:"organization_id"`
	InviterUserID       *string `json:"inviter_user_id"`
	AcceptedUserID      *string `json:"accepted_user_id"`
	RoleSlug            string  `json:"role_slug"`
	Token               string  `json:"token,omitempty"`
	AcceptInvitationURL string  `json:"accept_invitation_url,omitempty"`
	CreatedAt           string  `json:"created_at"`
	UpdatedAt           string  `json:"updated_at"`
}

// states maps the Service's invitation statuses to WorkOS's states
// (declined, which WorkOS lacks, reads as revoked).
var states = map[orgs.InvitationStatus]string{
	orgs.InvitationPending: "pending", orgs.InvitationAccepted: "accepted", orgs.InvitationExpired: "expired",
	orgs.InvitationRevoked: "revoked", orgs.InvitationDeclined: "revoked",
}

func toInvitation(i *orgs.Invitation) invitation {
	return invitation{Object: "invitation", ID: i.ID, Email: i.Email, State: states[i.Status],
		AcceptedAt: tsPtr(i.AcceptedAt), RevokedAt: tsPtr(i.RevokedAt), ExpiresAt: ts(i.ExpiresAt),
		OrganizationID: strPtr(i.OrganizationID), InviterUserID: strPtr(i.InvitedBy),
		AcceptedUserID: strPtr(i.AcceptedBy), RoleSlug: string(i.Role),
		CreatedAt: ts(i.CreatedAt), UpdatedAt: ts(i.UpdatedAt)}
}

// withToken is toInvitation with the token and accept URL.
func (h *Handler) withToken(i *orgs.Invitation) invitation {
	out := toInvitation(i)
	out.Token, out.AcceptInvitationURL = i.Token, i.AcceptURL
	if out.AcceptInvitationURL == "" && h.opts.AcceptInvitationURL != "" && i.Token != "" {
		sep := "?"
		if strings.Contains(h.opts.AcceptInvitationURL, "?") {
			sep = "&"
		}
		out.AcceptInvitationURL = h.opts.AcceptInvitationURL + sep + "invitation_token=" + url.QueryEscape(i.Token)
	}
	return out
}

type sendInvitationBody struct {
	Email          string  `json:"email"`
	OrganizationID string  `json:"organization_id"`
	ExpiresInDays  *int    `json:"expires_in_days"`
	InviterUserID  *string `json:"inviter_user_id"`
	RoleSlug       *string `json:"role_slug"`
}

func (h *Handler) sendInvitation(w http.ResponseWriter, r *http.Request) error {
	var b sendInvitationBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.Email == "" {
		return invalid("email", "email_required")
	}
	if b.OrganizationID == "" {
		return invalid("organization_id", "organization_id_required")
	}
	if b.ExpiresInDays != nil && (*b.ExpiresInDays < 1 || *b.ExpiresInDays > 30) {
		return invalid("expires_in_days", "expires_in_days_out_of_range")
	}
	role, err := roleOf(b.RoleSlug, nil)
	if err != nil {
		return err
	}
	if !isID(orgs.PrefixOrganization, b.OrganizationID) {
		return notFound("Organization", b.OrganizationID)
	}
	in := orgs.InvitationInput{Email: b.Email, Role: role}
	if b.ExpiresInDays != nil {
		in.ExpiresInDays = *b.ExpiresInDays
	}
	if b.InviterUserID != nil {
		in.InviterUserID = *b.InviterUserID
	}
	inv, err := h.svc.CreateInvitation(r.Context(), orgs.SystemActor(), b.OrganizationID, in)
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Organization", b.OrganizationID)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, h.withToken(inv))
	return nil
}

// invitationByID reads the {id} invitation, across organizations.
func (h *Handler) invitationByID(r *http.Request) (*orgs.Invitation, error) {
	id := r.PathValue("id")
	inv, err := h.svc.GetInvitationByID(r.Context(), orgs.SystemActor(), id)
	if errors.Is(err, orgs.ErrNotFound) {
		return nil, notFound("Invitation", id)
	}
	return inv, err
}

func (h *Handler) getInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.invitationByID(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toInvitation(inv))
	return nil
}

func (h *Handler) findInvitationByToken(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.svc.FindInvitationByToken(r.Context(), orgs.SystemActor(), r.PathValue("token"))
	if errors.Is(err, orgs.ErrNotFound) {
		return &apiError{Status: http.StatusNotFound, Code: "entity_not_found", Message: "Invitation not found for this token."}
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toInvitation(inv))
	return nil
}

func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	found, err := h.invitationByID(r)
	if err != nil {
		return err
	}
	inv, err := h.svc.ResendInvitation(r.Context(), orgs.SystemActor(), found.OrganizationID, found.ID)
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Invitation", found.ID)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.withToken(inv))
	return nil
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	found, err := h.invitationByID(r)
	if err != nil {
		return err
	}
	if err := h.svc.RevokeInvitation(r.Context(), orgs.SystemActor(), found.OrganizationID, found.ID); errors.Is(err, orgs.ErrNotFound) {
		return notFound("Invitation", found.ID)
	} else if err != nil {
		return err
	}
	inv, err := h.invitationByID(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toInvitation(inv))
	return nil
}

func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	id := r.PathValue("id")
	_, inv, err := h.svc.AcceptInvitationFor(r.Context(), orgs.SystemActor(), id, "")
	if errors.Is(err, orgs.ErrNotFound) {
		return notFound("Invitation", id)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toInvitation(inv))
	return nil
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	q := orgs.AllInvitationsQuery{Organization: qv.Get("organization_id"), Email: qv.Get("email"), Page: p}
	if q.Organization != "" && !isID(orgs.PrefixOrganization, q.Organization) {
		writeJSON(w, http.StatusOK, emptyList[invitation]())
		return nil
	}
	l, err := h.svc.ListAllInvitations(r.Context(), orgs.SystemActor(), q)
	if errors.Is(err, orgs.ErrNotFound) {
		writeJSON(w, http.StatusOK, emptyList[invitation]())
		return nil
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toList(l, toInvitation))
	return nil
}
