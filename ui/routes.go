package ui

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantkit/orgs"
)

// routes registers every page and form. Paths are relative to the mount
// point; {slug} is the organization's slug.
func (h *Handler) routes() {
	m := http.NewServeMux()
	h.mux = m

	assets, _ := fs.Sub(assetFS, "assets")
	files := http.FileServerFS(assets)
	m.Handle("GET /assets/", http.StripPrefix("/assets", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		if r.URL.Path == "/theme.css" {
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			_, _ = w.Write(h.themeCSS)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/") {
			h.renderError(w, r, http.StatusNotFound, "error.not_found")
			return
		}
		files.ServeHTTP(w, r)
	})))

	// Organizations of the user.
	m.HandleFunc("GET /{$}", h.user(h.homePage))
	m.HandleFunc("GET /switch", h.user(h.switchOrg))
	m.HandleFunc("POST /organizations", h.user(h.action("create", h.homePage, h.createOrg)))
	m.HandleFunc("POST /invitations/{id}", h.user(h.action("invitation.answer", h.homePage, h.answerInvitation)))

	// One organization.
	m.HandleFunc("GET /o/{slug}/{$}", h.org(h.overviewPage))
	m.HandleFunc("GET /o/{slug}/leave", h.org(h.leavePage))
	m.HandleFunc("POST /o/{slug}/leave", h.org(h.action("leave", h.leavePage, h.leave)))

	m.HandleFunc("GET /o/{slug}/settings", h.org(h.settingsPage))
	m.HandleFunc("POST /o/{slug}/settings", h.org(h.action("profile", h.settingsPage, h.updateProfile)))
	m.HandleFunc("POST /o/{slug}/settings/slug", h.org(h.action("slug", h.settingsPage, h.changeSlug)))
	m.HandleFunc("POST /o/{slug}/settings/delete", h.org(h.action("delete", h.settingsPage, h.deleteOrg)))

	m.HandleFunc("GET /o/{slug}/domains", h.org(h.domainsPage))
	m.HandleFunc("POST /o/{slug}/domains", h.org(h.action("domain.add", h.domainsPage, h.addDomain)))
	m.HandleFunc("POST /o/{slug}/domains/verify", h.org(h.action("domain.verify", h.domainsPage, h.verifyDomain)))
	m.HandleFunc("POST /o/{slug}/domains/remove", h.org(h.action("domain.remove", h.domainsPage, h.removeDomain)))

	m.HandleFunc("GET /o/{slug}/members", h.org(h.membersPage))
	m.HandleFunc("POST /o/{slug}/members/role", h.org(h.action("member.role", h.membersPage, h.changeRole)))
	m.HandleFunc("GET /o/{slug}/members/remove", h.org(h.removeMemberPage))
	m.HandleFunc("POST /o/{slug}/members/remove", h.org(h.action("member.remove", h.removeMemberPage, h.removeMember)))
	m.HandleFunc("GET /o/{slug}/members/transfer", h.org(h.transferPage))
	m.HandleFunc("POST /o/{slug}/members/transfer", h.org(h.action("member.transfer", h.transferPage, h.transfer)))

	m.HandleFunc("GET /o/{slug}/invitations", h.org(h.invitationsPage))
	m.HandleFunc("POST /o/{slug}/invitations", h.org(h.action("invite", h.invitationsPage, h.invite)))
	m.HandleFunc("POST /o/{slug}/invitations/resend", h.org(h.action("invitation.resend", h.invitationsPage, h.resendInvitation)))
	m.HandleFunc("POST /o/{slug}/invitations/revoke", h.org(h.action("invitation.revoke", h.invitationsPage, h.revokeInvitation)))

	m.HandleFunc("GET /o/{slug}/teams", h.org(h.teamsPage))
	m.HandleFunc("POST /o/{slug}/teams", h.org(h.action("team.create", h.teamsPage, h.createTeam)))
	m.HandleFunc("GET /o/{slug}/teams/{team}", h.org(h.teamPage))
	m.HandleFunc("POST /o/{slug}/teams/{team}", h.org(h.action("team.update", h.teamPage, h.updateTeam)))
	m.HandleFunc("POST /o/{slug}/teams/{team}/delete", h.org(h.action("team.delete", h.teamPage, h.deleteTeam)))
	m.HandleFunc("POST /o/{slug}/teams/{team}/members", h.org(h.action("team.member.add", h.teamPage, h.addTeamMember)))
	m.HandleFunc("POST /o/{slug}/teams/{team}/members/role", h.org(h.action("team.member.role", h.teamPage, h.teamMemberRole)))
	m.HandleFunc("POST /o/{slug}/teams/{team}/members/remove", h.org(h.action("team.member.remove", h.teamPage, h.removeTeamMember)))

	m.HandleFunc("GET /o/{slug}/categories", h.org(h.categoriesPage))
	m.HandleFunc("POST /o/{slug}/categories", h.org(h.action("category.add", h.categoriesPage, h.addCategory)))
	m.HandleFunc("POST /o/{slug}/categories/rename", h.org(h.action("category.rename", h.categoriesPage, h.renameCategory)))
	m.HandleFunc("POST /o/{slug}/categories/move", h.org(h.action("category.move", h.categoriesPage, h.moveCategory)))
	m.HandleFunc("POST /o/{slug}/categories/delete", h.org(h.action("category.delete", h.categoriesPage, h.deleteCategory)))

	m.HandleFunc("GET /o/{slug}/pipelines", h.org(h.pipelinesPage))
	m.HandleFunc("POST /o/{slug}/pipelines", h.org(h.action("pipeline.create", h.pipelinesPage, h.createPipeline)))
	m.HandleFunc("GET /o/{slug}/pipelines/{id}", h.org(h.pipelinePage))
	m.HandleFunc("POST /o/{slug}/pipelines/{id}", h.org(h.action("pipeline.update", h.pipelinePage, h.updatePipeline)))
	m.HandleFunc("POST /o/{slug}/pipelines/{id}/delete", h.org(h.action("pipeline.delete", h.pipelinePage, h.deletePipeline)))
	m.HandleFunc("POST /o/{slug}/pipelines/{id}/stages", h.org(h.action("stage.add", h.pipelinePage, h.addStage)))
	m.HandleFunc("POST /o/{slug}/pipelines/{id}/stages/rename", h.org(h.action("stage.rename", h.pipelinePage, h.renameStage)))
	m.HandleFunc("POST /o/{slug}/pipelines/{id}/stages/move", h.org(h.action("stage.move", h.pipelinePage, h.moveStage)))
	m.HandleFunc("POST /o/{slug}/pipelines/{id}/stages/remove", h.org(h.action("stage.remove", h.pipelinePage, h.removeStage)))

	m.HandleFunc("GET /o/{slug}/roles", h.org(h.rolesPage))
	m.HandleFunc("POST /o/{slug}/roles", h.org(h.action("role.create", h.rolesPage, h.createRole)))
	m.HandleFunc("POST /o/{slug}/roles/{role}", h.org(h.action("role.update", h.rolesPage, h.updateRole)))
	m.HandleFunc("POST /o/{slug}/roles/{role}/delete", h.org(h.action("role.delete", h.rolesPage, h.deleteRole)))

	m.HandleFunc("GET /o/{slug}/webhooks", h.org(h.webhooksPage))
	m.HandleFunc("POST /o/{slug}/webhooks", h.org(h.action("webhook.create", h.webhooksPage, h.createWebhook)))
	m.HandleFunc("GET /o/{slug}/webhooks/{id}", h.org(h.webhookPage))
	m.HandleFunc("POST /o/{slug}/webhooks/{id}", h.org(h.action("webhook.update", h.webhookPage, h.updateWebhook)))
	m.HandleFunc("POST /o/{slug}/webhooks/{id}/enabled", h.org(h.action("webhook.enabled", h.webhookPage, h.enableWebhook)))
	m.HandleFunc("POST /o/{slug}/webhooks/{id}/rotate", h.org(h.action("webhook.rotate", h.webhookPage, h.rotateWebhook)))
	m.HandleFunc("POST /o/{slug}/webhooks/{id}/replay", h.org(h.action("webhook.replay", h.webhookPage, h.replayWebhook)))
	m.HandleFunc("POST /o/{slug}/webhooks/{id}/delete", h.org(h.action("webhook.delete", h.webhookPage, h.deleteWebhook)))
	m.HandleFunc("GET /o/{slug}/webhooks/{id}/attempts", h.org(h.attemptsPage))

	m.HandleFunc("GET /o/{slug}/events", h.org(h.eventsPage))

	// Invitations reached by link.
	m.HandleFunc("GET /accept", h.acceptGet)
	m.HandleFunc("POST /accept", h.user(h.acceptPost))

	if h.opts.DemoSignIn {
		m.HandleFunc("GET /demo/sign-in", h.demoSignInPage)
		m.HandleFunc("POST /demo/sign-in", h.demoSignIn)
		m.HandleFunc("POST /demo/sign-out", h.demoSignOut)
	}

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusNotFound, "error.not_found")
	})
}

// peekUser authenticates without answering.
func (h *Handler) peekUser(r *http.Request) (string, bool) {
	uid, err := h.authn(r)
	if err != nil || uid == "" {
		return "", false
	}
	return uid, true
}

// user wraps a handler that needs a signed-in user: a signed-out request is
// sent to sign in.
func (h *Handler) user(fn func(*req)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		uid, err := h.authn(r)
		if err != nil || uid == "" {
			if err != nil {
				h.log.DebugContext(r.Context(), "ui: authentication failed", "error", err)
			}
			h.signIn(w, r)
			return
		}
		rq := &req{w: w, r: r, userID: uid, actor: actorFor(uid), base: h.base(r)}
		rq.flash = h.takeFlash(w, r)
		fn(rq)
	}
}

// signIn redirects to the sign-in page, with the path to come back to, or
// explains that one must sign in.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	base := h.base(r)
	signIn := h.opts.SignInURL
	if signIn == "" && h.opts.DemoSignIn {
		signIn = base + "/demo/sign-in"
	}
	if signIn == "" {
		h.renderError(w, r, http.StatusUnauthorized, "error.sign_in_needed")
		return
	}
	back := base + r.URL.Path
	if r.Method != http.MethodGet {
		back = base + "/"
	} else if r.URL.RawQuery != "" && r.URL.Path != "/accept" {
		back += "?" + r.URL.RawQuery
	}
	u, err := url.Parse(signIn)
	if err != nil {
		h.renderError(w, r, http.StatusUnauthorized, "error.sign_in_needed")
		return
	}
	q := u.Query()
	q.Set("return_to", back)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// org wraps a handler of /o/{slug}/…: it loads the organization as the
// signed-in user sees it (ErrNotFound for a private one they are not in).
func (h *Handler) org(fn func(*req)) http.HandlerFunc {
	return h.user(func(rq *req) {
		org, err := h.svc.GetOrganization(rq.r.Context(), rq.actor, rq.r.PathValue("slug"))
		if err != nil {
			h.fail(rq, err, "")
			return
		}
		rq.org = org
		fn(rq)
	})
}

// outcome is what a successful form post leads to: a redirect (to a path
// under the mount point) and the message to show there.
type outcome struct {
	to    string
	flash flash
}

// action wraps a form post: it parses the form, runs do, and redirects
// (303) on success; on failure it re-renders page with the error, the
// Service's field errors beside their fields and the submitted values.
func (h *Handler) action(name string, page func(*req), do func(*req) (*outcome, error)) func(*req) {
	return func(rq *req) {
		if err := rq.r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				h.renderError(rq.w, rq.r, http.StatusRequestEntityTooLarge, "error.too_large")
				return
			}
			h.renderError(rq.w, rq.r, http.StatusBadRequest, "error.bad_form")
			return
		}
		out, err := do(rq)
		if err != nil {
			status, msg, fields := h.explain(err, name)
			if status == http.StatusInternalServerError {
				h.log.ErrorContext(rq.r.Context(), "ui: action failed", "action", name, "error", err)
			}
			if status == http.StatusNotFound && rq.org == nil {
				h.renderError(rq.w, rq.r, status, "error.not_found")
				return
			}
			rq.prob = &problem{Status: status, Message: msg, Fields: fields, Form: rq.r.PostForm, Action: name}
			page(rq)
			return
		}
		if out.flash.Key != "" {
			if out.flash.Kind == "" {
				out.flash.Kind = "success"
			}
			h.setFlash(rq.w, rq.r, out.flash)
		}
		http.Redirect(rq.w, rq.r, rq.base+out.to, http.StatusSeeOther)
	}
}

// fail answers a page that could not be shown.
func (h *Handler) fail(rq *req, err error, action string) {
	if errors.Is(err, orgs.ErrUnauthenticated) {
		h.signIn(rq.w, rq.r)
		return
	}
	status, msg, _ := h.explain(err, action)
	if status == http.StatusInternalServerError {
		h.log.ErrorContext(rq.r.Context(), "ui: page failed", "path", rq.r.URL.Path, "error", err)
	}
	h.render(rq, "error", status, &view{Title: h.t("error.title." + statusKey(status)), Data: map[string]any{
		"Heading": h.t("error.title." + statusKey(status)), "Message": msg, "Status": status,
	}})
}

// sentinels maps the Service's errors to a status and a message key suffix.
var sentinels = []struct {
	err    error
	status int
	key    string
}{
	{orgs.ErrUnauthenticated, http.StatusUnauthorized, "sign_in_needed"},
	{orgs.ErrNotFound, http.StatusNotFound, "not_found"},
	{orgs.ErrForbidden, http.StatusForbidden, "forbidden"},
	{orgs.ErrEmailMismatch, http.StatusForbidden, "email_mismatch"},
	{orgs.ErrSlugTaken, http.StatusConflict, "slug_taken"},
	{orgs.ErrHandleTaken, http.StatusConflict, "handle_taken"},
	{orgs.ErrExternalIDTaken, http.StatusConflict, "external_id_taken"},
	{orgs.ErrNameTaken, http.StatusConflict, "name_taken"},
	{orgs.ErrDomainTaken, http.StatusConflict, "domain_taken"},
	{orgs.ErrLastOwner, http.StatusConflict, "last_owner"},
	{orgs.ErrAlreadyMember, http.StatusConflict, "already_member"},
	{orgs.ErrNotMember, http.StatusConflict, "not_member"},
	{orgs.ErrAlreadyInvited, http.StatusConflict, "already_invited"},
	{orgs.ErrInvitationNotPending, http.StatusConflict, "invitation_not_pending"},
	{orgs.ErrLimitExceeded, http.StatusConflict, "limit_exceeded"},
	{orgs.ErrInvitationExpired, http.StatusGone, "invitation_expired"},
	{orgs.ErrResendTooSoon, http.StatusTooManyRequests, "resend_too_soon"},
	{orgs.ErrDomainCheckFailed, http.StatusServiceUnavailable, "domain_check_failed"},
	{orgs.ErrRoleInUse, http.StatusConflict, "role_in_use"},
	{orgs.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
	{errConfirm, http.StatusUnprocessableEntity, "invalid"},
	{errors.ErrUnsupported, http.StatusNotImplemented, "unsupported"},
}

// errConfirm is a form's own check that failed (a typed confirmation); it
// comes with a *orgs.ValidationError naming the field.
var errConfirm = errors.New("ui: confirmation does not match")

// explain turns an error into a status, a message (specific to the action
// when the messages have "error.<key>.<action>") and field messages.
func (h *Handler) explain(err error, action string) (int, string, map[string]string) {
	for _, s := range sentinels {
		if !errors.Is(err, s.err) {
			continue
		}
		var fields map[string]string
		var ve *orgs.ValidationError
		if errors.As(err, &ve) {
			fields = map[string]string{}
			for _, f := range ve.Fields {
				msg := f.Message
				if m, ok := h.msg["validation."+f.Message]; ok {
					msg = m
				}
				if prev, ok := fields[f.Field]; ok {
					msg = prev + "; " + msg
				}
				fields[f.Field] = msg
			}
		}
		key := "error." + s.key
		if action != "" {
			if _, ok := h.msg[key+"."+action]; ok {
				key += "." + action
			}
		}
		return s.status, h.t(key), fields
	}
	return http.StatusInternalServerError, h.t("error.internal"), nil
}

// invalidField builds the validation error of a form's own check.
func invalidField(field, msgKey string) error {
	return errors.Join(errConfirm, &orgs.ValidationError{Fields: []orgs.FieldError{{Field: field, Message: msgKey}}})
}
