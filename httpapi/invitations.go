package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tenantkit/orgs"
)

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	q := orgs.InvitationQuery{Status: orgs.InvitationStatus(query(r, "status")), Page: page}
	l, err := h.svc.ListInvitations(r.Context(), actor, r.PathValue("slug"), q)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}

// invitationBody is the body of POST …/invitations.
type invitationBody struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// ExpiresInSeconds overrides the configured validity; absent or null
	// means the configured one.
	ExpiresInSeconds *int64 `json:"expires_in_seconds"`
}

func (h *Handler) createInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in invitationBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	input := orgs.InvitationInput{Email: in.Email, Role: orgs.Role(in.Role)}
	if in.ExpiresInSeconds != nil {
		// Only a conversion guard: the Service checks the bounds.
		n := *in.ExpiresInSeconds
		if n < 1 || n > int64(orgs.MaxInvitationTTL/time.Second)*2 {
			return invalidField("expires_in_seconds", fmt.Sprintf("must be between %d and %d",
				int64(orgs.MinInvitationTTL/time.Second), int64(orgs.MaxInvitationTTL/time.Second)))
		}
		input.ExpiresIn = time.Duration(n) * time.Second
	}
	inv, err := h.svc.CreateInvitation(r.Context(), actor, r.PathValue("slug"), input)
	if err != nil {
		return renameFields(err, map[string]string{"expires_in": "expires_in_seconds"})
	}
	return h.writeJSON(w, r, http.StatusCreated, presentInvitation(inv))
}

func (h *Handler) getInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	inv, err := h.svc.GetInvitation(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, inv)
}

func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	inv, err := h.svc.ResendInvitation(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, presentInvitation(inv))
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.RevokeInvitation(r.Context(), actor, r.PathValue("slug"), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// tokenBody is the body of POST /invitations/accept and /decline.
type tokenBody struct {
	Token string `json:"token"`
}

func decodeToken(r *http.Request) (string, error) {
	var in tokenBody
	if err := decodeJSON(r, &in); err != nil {
		return "", err
	}
	if in.Token == "" {
		return "", invalidField("token", "is required")
	}
	return in.Token, nil
}

func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	token, err := decodeToken(r)
	if err != nil {
		return err
	}
	m, err := h.svc.AcceptInvitation(r.Context(), actor, token)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, m)
}

func (h *Handler) declineInvitation(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	token, err := decodeToken(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeclineInvitation(r.Context(), actor, token); err != nil {
		return err
	}
	return noContent(w)
}

// presentInvitation hides the Notifier's error text, which may name
// internal systems (the Service has logged it), behind a fixed message.
func presentInvitation(inv *orgs.Invitation) *orgs.Invitation {
	if inv.DeliveryError != "" {
		inv.DeliveryError = "the invitation could not be delivered; it is valid, and can be resent"
	}
	return inv
}
