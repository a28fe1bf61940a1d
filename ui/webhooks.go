package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// The organization's webhook endpoints (PermWebhooksManage): the list with
// a form to add one, a page per endpoint (edit, enable or disable, rotate
// the secret, replay, delete) and its delivery attempt log. A new signing
// secret travels to the page after the redirect in the sealed flash cookie
// and is shown there once.

type webhooksData struct {
	Endpoints  []orgs.WebhookEndpoint
	EventTypes []orgs.EventType
}

func (h *Handler) webhooksPage(rq *req) {
	eps, err := h.svc.ListWebhookEndpoints(rq.r.Context(), rq.actor, rq.org.Slug)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "webhooks", http.StatusOK, &view{Title: h.t("webhooks.title"), Tab: "webhooks", Data: webhooksData{
		Endpoints: eps, EventTypes: orgs.AllEventTypes,
	}})
}

func (h *Handler) webhooksPath(rq *req) string { return "/o/" + rq.org.Slug + "/webhooks" }

func (h *Handler) webhookPath(rq *req, id string) string {
	return h.webhooksPath(rq) + "/" + url.PathEscape(id)
}

// formEventTypes reads the checked event types (none: every type).
func formEventTypes(f url.Values) []orgs.EventType {
	out := []orgs.EventType{}
	for _, t := range f["event_types"] {
		out = append(out, orgs.EventType(t))
	}
	return out
}

func (h *Handler) createWebhook(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	ep, err := h.svc.CreateWebhookEndpoint(rq.r.Context(), rq.actor, rq.org.Slug, orgs.WebhookEndpointInput{
		URL: strings.TrimSpace(f.Get("url")), Description: f.Get("description"), EventTypes: formEventTypes(f),
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.webhookPath(rq, ep.ID), flash: flash{Key: "flash.webhook_created", Args: []string{ep.URL}, Secret: ep.Secret}}, nil
}

type webhookData struct {
	Endpoint   *orgs.WebhookEndpoint
	EventTypes []orgs.EventType
	Overlaps   []string // the overlap choices of a rotation, in hours ("0": none)
}

// overlapChoices are the overlaps offered when rotating a secret, in hours;
// "0" retires the old secret at once.
var overlapChoices = []string{"24", "1", "168", "0"}

func (h *Handler) webhookPage(rq *req) {
	ep, err := h.svc.GetWebhookEndpoint(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"))
	if err != nil {
		if rq.prob != nil {
			// Gone (deleted meanwhile, or another organization's ID): show
			// the failure on the list.
			h.webhooksPage(rq)
			return
		}
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "webhook", http.StatusOK, &view{Title: h.t("webhook.title"), Tab: "webhooks", Data: webhookData{
		Endpoint: ep, EventTypes: orgs.AllEventTypes, Overlaps: overlapChoices,
	}})
}

func (h *Handler) updateWebhook(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	u, d, types := strings.TrimSpace(f.Get("url")), f.Get("description"), formEventTypes(f)
	ep, err := h.svc.UpdateWebhookEndpoint(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"), orgs.WebhookEndpointUpdate{
		URL: &u, Description: &d, EventTypes: &types,
	})
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.webhookPath(rq, ep.ID), flash: flash{Key: "flash.saved"}}, nil
}

func (h *Handler) enableWebhook(rq *req) (*outcome, error) {
	id := rq.r.PathValue("id")
	var err error
	switch rq.r.PostForm.Get("enabled") {
	case "true":
		on := true
		_, err = h.svc.UpdateWebhookEndpoint(rq.r.Context(), rq.actor, rq.org.Slug, id, orgs.WebhookEndpointUpdate{Enabled: &on})
	case "false":
		_, err = h.svc.DisableWebhookEndpoint(rq.r.Context(), rq.actor, rq.org.Slug, id, orgs.DisabledManually)
	default:
		err = invalidField("enabled", "enabled_choice")
	}
	if err != nil {
		return nil, err
	}
	key := "flash.webhook_enabled"
	if rq.r.PostForm.Get("enabled") == "false" {
		key = "flash.webhook_disabled"
	}
	return &outcome{to: h.webhookPath(rq, id), flash: flash{Key: key}}, nil
}

func (h *Handler) rotateWebhook(rq *req) (*outcome, error) {
	var in orgs.WebhookSecretRotation
	choice := rq.r.PostForm.Get("overlap")
	hours, err := strconv.Atoi(choice)
	if err != nil || !slices.Contains(overlapChoices, choice) {
		return nil, invalidField("overlap", "overlap_choice")
	}
	if hours == 0 {
		in.NoOverlap = true
	} else {
		in.Overlap = time.Duration(hours) * time.Hour
	}
	ep, err := h.svc.RotateWebhookSecret(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"), in)
	if err != nil {
		return nil, err
	}
	fl := flash{Key: "flash.webhook_rotated_now", Secret: ep.Secret}
	if ep.PreviousSecretExpiresAt != nil {
		fl = flash{Key: "flash.webhook_rotated", Args: []string{ep.PreviousSecretExpiresAt.UTC().Format(h.msg["format.time"])}, Secret: ep.Secret}
	}
	return &outcome{to: h.webhookPath(rq, ep.ID), flash: fl}, nil
}

// replayTimeLayout is the value of an <input type="datetime-local">, read
// as UTC.
const replayTimeLayout = "2006-01-02T15:04"

func (h *Handler) replayWebhook(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	var in orgs.WebhookReplay
	in.EventID = strings.TrimSpace(f.Get("event_id"))
	if s := strings.TrimSpace(f.Get("since")); s != "" {
		t, err := time.Parse(replayTimeLayout, s)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, s); err != nil {
				return nil, invalidField("since", "datetime")
			}
		}
		in.Since = t.UTC()
	}
	n, err := h.svc.ReplayWebhooks(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id"), in)
	if err != nil {
		return nil, err
	}
	return &outcome{to: h.webhookPath(rq, rq.r.PathValue("id")), flash: flash{Key: "flash.webhook_replayed", Args: []string{strconv.Itoa(n)}}}, nil
}

func (h *Handler) deleteWebhook(rq *req) (*outcome, error) {
	if rq.r.PostForm.Get("confirm") != "yes" {
		return nil, invalidField("confirm", "confirm_delete")
	}
	if err := h.svc.DeleteWebhookEndpoint(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PathValue("id")); err != nil {
		return nil, err
	}
	return &outcome{to: h.webhooksPath(rq), flash: flash{Key: "flash.webhook_deleted"}}, nil
}

type attemptsData struct {
	Endpoint *orgs.WebhookEndpoint
	Attempts []orgs.WebhookAttempt // newest first
	Pager    pager
}

// newestAttemptKey sorts after every attempt ID (see newestEventKey).
var newestAttemptKey = orgs.EncodeCursor(orgs.PrefixWebhookAttempt + strings.Repeat("Z", 26))

// attemptsPage shows an endpoint's delivery attempts newest first, as the
// audit log is shown.
func (h *Handler) attemptsPage(rq *req) {
	ctx := rq.r.Context()
	id := rq.r.PathValue("id")
	ep, err := h.svc.GetWebhookEndpoint(ctx, rq.actor, rq.org.Slug, id)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	q := rq.r.URL.Query()
	p := pageParams(rq.r, orgs.DefaultPageLimit)
	first := p.After == "" && p.Before == ""
	if first {
		p.Before = newestAttemptKey
	}
	l, err := h.svc.ListWebhookAttempts(ctx, rq.actor, rq.org.Slug, id, orgs.WebhookAttemptQuery{Page: p})
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	as := make([]orgs.WebhookAttempt, len(l.Data))
	for i, a := range l.Data {
		as[len(as)-1-i] = a
	}
	newer := l.NextCursor
	if first {
		newer = ""
	}
	h.render(rq, "attempts", http.StatusOK, &view{Title: h.t("attempts.title"), Tab: "webhooks", Data: attemptsData{
		Endpoint: ep, Attempts: as, Pager: pagerFor(rq.base+h.webhookPath(rq, id)+"/attempts", q, l.PreviousCursor, newer),
	}})
}
