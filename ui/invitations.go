package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// expiryChoices are the invitation lifetimes the invite form offers, in
// hours (the Service accepts 1 hour to 30 days).
var expiryChoices = []int{24, 72, 168, 336, 720}

type invitationsData struct {
	List     *orgs.List[orgs.Invitation]
	Status   string
	Statuses []string
	Grant    []orgs.OrganizationRole
	Expiries []int
	Pager    pager
}

func (h *Handler) invitationsPage(rq *req) {
	q := rq.r.URL.Query()
	status := q.Get("status")
	if _, set := q["status"]; !set {
		status = string(orgs.InvitationPending)
	}
	filter := status
	if filter == "all" {
		filter = ""
	}
	iq := orgs.InvitationQuery{Status: orgs.InvitationStatus(filter), Page: pageParams(rq.r, orgs.DefaultPageLimit)}
	if rq.prob != nil {
		status = string(orgs.InvitationPending)
		iq = orgs.InvitationQuery{Status: orgs.InvitationPending}
	}
	l, err := h.svc.ListInvitations(rq.r.Context(), rq.actor, rq.org.Slug, iq)
	if err != nil {
		h.fail(rq, err, "")
		return
	}
	h.render(rq, "invitations", http.StatusOK, &view{Title: h.t("invitations.title"), Tab: "invitations", Data: invitationsData{
		List: l, Status: status, Grant: h.grantable(rq, h.orgRoles(rq)), Expiries: expiryChoices,
		Statuses: []string{"pending", "expired", "accepted", "declined", "revoked", "all"},
		Pager:    pagerFor(rq.base+"/o/"+rq.org.Slug+"/invitations", q, l.PreviousCursor, l.NextCursor),
	}})
}

// acceptLink is the link to copy for a new or resent invitation: this UI's
// accept page, which moves the token out of the address bar at once.
func (h *Handler) acceptLink(r *http.Request, token string) string {
	o := strings.TrimSuffix(h.opts.PublicURL, "/")
	if o == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		o = scheme + "://" + r.Host
	}
	return o + h.base(r) + "/accept?token=" + url.QueryEscape(token)
}

func (h *Handler) invite(rq *req) (*outcome, error) {
	f := rq.r.PostForm
	in := orgs.InvitationInput{Email: strings.TrimSpace(f.Get("email")), Role: orgs.Role(f.Get("role"))}
	if s := f.Get("expires_in"); s != "" {
		hours, err := strconv.Atoi(s)
		if err != nil || hours < 1 || hours > 24*365 {
			return nil, invalidField("expires_in", "expiry_choice")
		}
		in.ExpiresIn = time.Duration(hours) * time.Hour
	}
	inv, err := h.svc.CreateInvitation(rq.r.Context(), rq.actor, rq.org.Slug, in)
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/invitations", flash: flash{
		Key: "flash.invited", Args: []string{inv.Email}, Link: h.acceptLink(rq.r, inv.Token),
	}}, nil
}

func (h *Handler) resendInvitation(rq *req) (*outcome, error) {
	inv, err := h.svc.ResendInvitation(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PostForm.Get("id"))
	if err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/invitations", flash: flash{
		Key: "flash.resent", Args: []string{inv.Email}, Link: h.acceptLink(rq.r, inv.Token),
	}}, nil
}

func (h *Handler) revokeInvitation(rq *req) (*outcome, error) {
	if err := h.svc.RevokeInvitation(rq.r.Context(), rq.actor, rq.org.Slug, rq.r.PostForm.Get("id")); err != nil {
		return nil, err
	}
	return &outcome{to: "/o/" + rq.org.Slug + "/invitations", flash: flash{Key: "flash.revoked"}}, nil
}

// The accept page. An invitation link, GET /accept?token=…, is answered with
// a redirect to /accept that keeps the token in a short-lived HttpOnly
// cookie scoped to /accept: the token leaves the address bar, the history
// and the Referer at once, before anything else happens (even before
// sign-in). The page then previews the invitation and posts the answer.

type acceptData struct {
	Preview *invitationPreview
	State   string // "open", "expired", "revoked", "accepted", "declined", "email_mismatch", "not_found", "already_member", "none", "error"
	Message string
	OrgPath string // where to go after an already-member answer
}

func (h *Handler) acceptPath(r *http.Request) string { return h.base(r) + "/accept" }

func (h *Handler) acceptGet(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query(); q.Has("token") {
		w.Header().Set("Referrer-Policy", "no-referrer")
		if tok := q.Get("token"); tok != "" && len(tok) <= 256 {
			http.SetCookie(w, h.cookie(r, invitationCookie, url.QueryEscape(tok), h.acceptPath(r), invitationMaxAge))
		}
		http.Redirect(w, r, h.acceptPath(r), http.StatusSeeOther)
		return
	}
	h.user(h.acceptPage)(w, r)
}

func (h *Handler) invitationToken(r *http.Request) string {
	c, err := r.Cookie(invitationCookie)
	if err != nil {
		return ""
	}
	tok, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	return tok
}

func (h *Handler) acceptPage(rq *req) {
	tok := h.invitationToken(rq.r)
	if tok == "" {
		h.renderAccept(rq, http.StatusNotFound, &acceptData{State: "none"})
		return
	}
	p, err := h.preview(rq.r.Context(), rq.actor, tok)
	if err != nil {
		h.acceptFailed(rq, err, nil)
		return
	}
	d := &acceptData{Preview: p, State: "open"}
	switch p.Status {
	case orgs.InvitationExpired:
		d.State = "expired"
	case orgs.InvitationRevoked, orgs.InvitationAccepted, orgs.InvitationDeclined:
		d.State = string(p.Status)
	}
	status := http.StatusOK
	if d.State != "open" {
		status = http.StatusGone
		if d.State != "expired" {
			status = http.StatusConflict
		}
	}
	h.renderAccept(rq, status, d)
}

func (h *Handler) renderAccept(rq *req, status int, d *acceptData) {
	rq.w.Header().Set("Referrer-Policy", "no-referrer")
	h.render(rq, "accept", status, &view{Title: h.t("accept.title"), Data: d})
}

// acceptFailed shows why an invitation cannot be answered.
func (h *Handler) acceptFailed(rq *req, err error, p *invitationPreview) {
	d := &acceptData{Preview: p}
	status, msg, _ := h.explain(err, "accept")
	d.Message = msg
	switch {
	case errors.Is(err, orgs.ErrInvitationExpired):
		d.State = "expired"
	case errors.Is(err, orgs.ErrInvitationNotPending):
		d.State = "used"
		if p != nil && (p.Status == orgs.InvitationRevoked || p.Status == orgs.InvitationAccepted || p.Status == orgs.InvitationDeclined) {
			d.State = string(p.Status)
		}
	case errors.Is(err, orgs.ErrEmailMismatch):
		d.State = "email_mismatch"
	case errors.Is(err, orgs.ErrAlreadyMember):
		d.State = "already_member"
		if p != nil && p.OrganizationSlug != "" {
			d.OrgPath = rq.base + "/o/" + p.OrganizationSlug + "/"
		}
	case errors.Is(err, orgs.ErrNotFound):
		d.State = "not_found"
	case errors.Is(err, orgs.ErrUnauthenticated):
		h.signIn(rq.w, rq.r)
		return
	default:
		d.State = "error"
		if status == http.StatusInternalServerError {
			h.log.ErrorContext(rq.r.Context(), "ui: invitation", "error", err)
		}
	}
	h.renderAccept(rq, status, d)
}

func (h *Handler) acceptPost(rq *req) {
	if err := rq.r.ParseForm(); err != nil {
		h.renderError(rq.w, rq.r, http.StatusBadRequest, "error.bad_form")
		return
	}
	tok := h.invitationToken(rq.r)
	if tok == "" {
		h.renderAccept(rq, http.StatusNotFound, &acceptData{State: "none"})
		return
	}
	ctx := rq.r.Context()
	p, _ := h.preview(ctx, rq.actor, tok) // for the messages only; nil is fine
	clear := h.cookie(rq.r, invitationCookie, "", h.acceptPath(rq.r), -1)
	switch rq.r.PostForm.Get("answer") {
	case "accept":
		m, err := h.svc.AcceptInvitation(ctx, rq.actor, tok)
		if err != nil {
			h.acceptFailed(rq, err, p)
			return
		}
		http.SetCookie(rq.w, clear)
		to := "/"
		name := ""
		if org, err := h.svc.GetOrganizationByID(ctx, rq.actor, m.OrganizationID); err == nil {
			to, name = "/o/"+org.Slug+"/", org.Name
		}
		h.setFlash(rq.w, rq.r, flash{Kind: "success", Key: "flash.joined", Args: []string{name}})
		http.Redirect(rq.w, rq.r, rq.base+to, http.StatusSeeOther)
	case "decline":
		if err := h.svc.DeclineInvitation(ctx, rq.actor, tok); err != nil {
			h.acceptFailed(rq, err, p)
			return
		}
		http.SetCookie(rq.w, clear)
		h.setFlash(rq.w, rq.r, flash{Kind: "success", Key: "flash.declined"})
		http.Redirect(rq.w, rq.r, rq.base+"/", http.StatusSeeOther)
	default:
		h.renderError(rq.w, rq.r, http.StatusBadRequest, "error.bad_form")
	}
}
