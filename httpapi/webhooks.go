package httpapi

import (
	"net/http"
	"time"

	"github.com/tenantkit/orgs"
)

// An organization's webhook endpoints (permission webhooks:manage). Host-
// level endpoints are the host's, managed in code as the system caller:
// no route reaches them (a path with "*" for the slug is an unknown
// organization).

func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	eps, err := h.svc.ListWebhookEndpoints(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, whole(eps))
}

// webhookBody is the body of POST …/webhooks.
type webhookBody struct {
	URL         string           `json:"url"`
	Description string           `json:"description"`
	EventTypes  []orgs.EventType `json:"event_types"`
	Enabled     *bool            `json:"enabled"`
	Secret      string           `json:"secret"`
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in webhookBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ep, err := h.svc.CreateWebhookEndpoint(r.Context(), actor, r.PathValue("slug"), orgs.WebhookEndpointInput{
		URL: in.URL, Description: in.Description, EventTypes: in.EventTypes, Disabled: in.Enabled != nil && !*in.Enabled, Secret: in.Secret})
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusCreated, ep)
}

func (h *Handler) getWebhook(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	ep, err := h.svc.GetWebhookEndpoint(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, ep)
}

// webhookPatch is the body of PATCH …/webhooks/{id}.
type webhookPatch struct {
	URL         *string           `json:"url"`
	Description *string           `json:"description"`
	EventTypes  *[]orgs.EventType `json:"event_types"`
	Enabled     *bool             `json:"enabled"`
}

func (h *Handler) updateWebhook(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in webhookPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ep, err := h.svc.UpdateWebhookEndpoint(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"), orgs.WebhookEndpointUpdate{
		URL: in.URL, Description: in.Description, EventTypes: in.EventTypes, Enabled: in.Enabled})
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, ep)
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	if err := h.svc.DeleteWebhookEndpoint(r.Context(), actor, r.PathValue("slug"), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// rotateBody is the body of POST …/webhooks/{id}/rotate-secret: an
// optional new secret, and how long the old one keeps signing (absent: the
// default, 24 hours; 0: not at all).
type rotateBody struct {
	Secret         string `json:"secret"`
	OverlapSeconds *int64 `json:"overlap_seconds"`
}

// maxOverlapSeconds is 7 days, the Service's bound.
const maxOverlapSeconds = 7 * 24 * 3600

func (h *Handler) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in rotateBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rot := orgs.WebhookSecretRotation{Secret: in.Secret}
	if s := in.OverlapSeconds; s != nil {
		if *s < 0 || *s > maxOverlapSeconds {
			return invalidField("overlap_seconds", "must be between 0 and 604800 (7 days)")
		}
		rot.Overlap, rot.NoOverlap = time.Duration(*s)*time.Second, *s == 0
	}
	ep, err := h.svc.RotateWebhookSecret(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"), rot)
	if err != nil {
		return renameFields(err, map[string]string{"overlap": "overlap_seconds"})
	}
	return h.writeJSON(w, r, http.StatusOK, ep)
}

func (h *Handler) listWebhookAttempts(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListWebhookAttempts(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"),
		orgs.WebhookAttemptQuery{EventID: query(r, "event_id"), Page: page})
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusOK, l)
}

// replayBody is the body of POST …/webhooks/{id}/replay: one event, or a
// time range (RFC 3339; until defaults to now).
type replayBody struct {
	EventID string `json:"event_id"`
	Since   string `json:"since"`
	Until   string `json:"until"`
}

// replayResult answers a replay.
type replayResult struct {
	Count int `json:"count"`
}

func (h *Handler) replayWebhooks(w http.ResponseWriter, r *http.Request, actor orgs.Actor) error {
	var in replayBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep := orgs.WebhookReplay{EventID: in.EventID}
	var fe []orgs.FieldError
	for _, t := range []struct {
		field, value string
		dst          *time.Time
	}{{"since", in.Since, &rep.Since}, {"until", in.Until, &rep.Until}} {
		if t.value == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, t.value)
		if err != nil || len(t.value) > 64 {
			fe = append(fe, orgs.FieldError{Field: t.field, Message: "must be an RFC 3339 time such as 2026-01-02T15:04:05Z"})
			continue
		}
		*t.dst = v
	}
	if len(fe) > 0 {
		return &orgs.ValidationError{Fields: fe}
	}
	n, err := h.svc.ReplayWebhooks(r.Context(), actor, r.PathValue("slug"), r.PathValue("id"), rep)
	if err != nil {
		return err
	}
	return h.writeJSON(w, r, http.StatusAccepted, replayResult{Count: n})
}
