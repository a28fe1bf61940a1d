package ui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// req is one request of a signed-in user (or, for public pages, of anyone).
type req struct {
	w      http.ResponseWriter
	r      *http.Request
	userID string
	actor  actor
	base   string
	org    *orgs.Organization // on /o/{slug}/… routes
	flash  *flash
	prob   *problem // the failed action to report, when re-rendering after one

	// perms caches what the user's role allows in org, for a role the
	// organization defined itself (see view.Can); all is set once the
	// whole set is known.
	perms map[orgs.Permission]bool
	all   bool
}

// problem is a failed form post: the status to answer, the message for the
// whole form, the Service's field errors and the submitted values.
type problem struct {
	Status  int
	Message string
	Fields  map[string]string
	Form    url.Values
	Action  string // which form failed (its "action" route name)
}

// view is what every page template gets.
type view struct {
	h      *Handler
	rq     *req
	Title  string
	Tab    string
	Org    *orgs.Organization
	Orgs   []orgs.Organization // the switcher
	Flash  *flash
	Prob   *problem
	Data   any
	Base   string
	UserID string
	Demo   bool
}

// Can reports whether the signed-in user's role in the current
// organization grants perm: only to decide which controls to show; the
// Service decides what happens. A role the organization defined itself is
// resolved by Service.Authorize (one statement, its answer kept for the
// request).
func (v *view) Can(perm string) bool {
	if v.Org == nil || v.Org.Role == "" {
		return false
	}
	if v.rq == nil {
		return v.h.svc.Can(v.Org.Role, orgs.Permission(perm))
	}
	return v.h.can(v.rq, v.Org, orgs.Permission(perm))
}

// can reports whether the user's role in org grants perm, to decide which
// controls to show: the Service's roles at once, the organization's own
// through rq.can.
func (h *Handler) can(rq *req, org *orgs.Organization, perm orgs.Permission) bool {
	if org == nil || org.Role == "" {
		return false
	}
	if h.builtin[org.Role] {
		return h.svc.Can(org.Role, perm)
	}
	return rq.can(h, org.ID, perm)
}

// can answers Can for a role the Service does not know.
func (rq *req) can(h *Handler, orgID string, perm orgs.Permission) bool {
	if ok, known := rq.perms[perm]; known || rq.all {
		return ok
	}
	if rq.perms == nil {
		rq.perms = map[orgs.Permission]bool{}
	}
	m, err := h.svc.Authorize(rq.r.Context(), rq.actor, orgID, perm)
	if err != nil {
		rq.perms[perm] = false
		return false
	}
	for _, p := range m.Permissions {
		rq.perms[p] = true
	}
	rq.all = true
	return rq.perms[perm]
}

// OrgPath is a path under the current organization.
func (v *view) OrgPath(parts ...string) string {
	p := v.Base + "/o/" + url.PathEscape(v.Org.Slug) + "/"
	for i, s := range parts {
		if i > 0 {
			p += "/"
		}
		p += url.PathEscape(s)
	}
	return p
}

// Path is a path under the UI's mount point.
func (v *view) Path(p string) string { return v.Base + p }

// Val is the submitted value of a form field when re-rendering a failed
// form, or def.
func (v *view) Val(action, name string, def any) string {
	if v.Prob != nil && v.Prob.Form != nil && v.Prob.Action == action {
		if _, ok := v.Prob.Form[name]; ok {
			return v.Prob.Form.Get(name)
		}
	}
	if def == nil {
		return ""
	}
	return fmt.Sprint(def)
}

// Checked reports whether a checkbox (name, value) of a form is checked:
// as submitted when re-rendering that form after a failed post, else def.
func (v *view) Checked(action, name, value string, def bool) bool {
	if v.Prob != nil && v.Prob.Form != nil && v.Prob.Action == action {
		for _, s := range v.Prob.Form[name] {
			if s == value {
				return true
			}
		}
		return false
	}
	return def
}

// Err is the error message for a field of the failed form.
func (v *view) Err(action, name string) string {
	if v.Prob == nil || v.Prob.Action != action {
		return ""
	}
	return v.Prob.Fields[name]
}

// FormError is the message of a failed form, shown above it.
func (v *view) FormError(action string) string {
	if v.Prob == nil || v.Prob.Action != action {
		return ""
	}
	return v.Prob.Message
}

// T translates a message key.
func (v *view) T(key string, args ...any) string { return v.h.t(key, args...) }

// t returns the message for key, formatted with args (fmt verbs; use
// explicit argument indexes such as %[2]s to reorder in a translation).
func (h *Handler) t(key string, args ...any) string {
	m, ok := h.msg[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"t": h.t,
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(h.msg["format.time"])
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"add": func(a, b int) int { return a + b },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, errors.New("dict: key is not a string")
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"initials": initials,
		"fid": func(form, name string) string {
			return strings.NewReplacer(".", "-", "_", "-").Replace(form + "-" + name)
		},
		"seq": func(s ...string) []string { return s },
		"str": func(v any) string { return fmt.Sprint(v) },
		"roleLabel": func(r orgs.Role) string {
			if m, ok := h.msg["role."+string(r)]; ok {
				return m
			}
			return string(r)
		},
		"perms": func(ps ...string) []orgs.Permission {
			out := make([]orgs.Permission, len(ps))
			for i, p := range ps {
				out[i] = orgs.Permission(p)
			}
			return out
		},
		"inPerms": func(l any, p orgs.Permission) bool {
			ps, _ := l.([]orgs.Permission)
			return slices.Contains(ps, p)
		},
		"inTypes": func(l any, t orgs.EventType) bool {
			ts, _ := l.([]orgs.EventType)
			return slices.Contains(ts, t)
		},
		"permLabel": func(p orgs.Permission) string {
			if m, ok := h.msg["perm."+string(p)]; ok {
				return m
			}
			return string(p)
		},
		"kv": func(m map[string]string) []string {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			out := make([]string, len(keys))
			for i, k := range keys {
				out[i] = k + "=" + m[k]
			}
			return out
		},
	}
}

// parseTemplates parses each page on a clone of the shared partials.
func (h *Handler) parseTemplates() error {
	shared, err := template.New("shared").Funcs(h.funcs()).ParseFS(templateFS, "templates/_*.html")
	if err != nil {
		return err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	h.pages = map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := shared.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFS, f); err != nil {
			return err
		}
		if name == "layout" {
			h.shell = t
			continue
		}
		h.pages[name] = t
	}
	if h.shell == nil {
		return errors.New("ui: no layout template")
	}
	return nil
}

// render writes a page: its content through the page template, then the
// whole document through the Layout.
func (h *Handler) render(rq *req, page string, status int, v *view) {
	w, r := rq.w, rq.r
	v.h, v.rq = h, rq
	v.Base, v.UserID, v.Demo = rq.base, rq.userID, h.opts.DemoSignIn
	if v.Org == nil {
		v.Org = rq.org
	}
	if v.Flash == nil {
		v.Flash = rq.flash
	}
	if v.Prob == nil {
		v.Prob = rq.prob
	}
	if rq.prob != nil && status == http.StatusOK {
		status = rq.prob.Status
	}
	if v.Orgs == nil && rq.userID != "" {
		if l, err := h.svc.ListOrganizations(r.Context(), rq.actor, orgs.OrganizationQuery{Page: orgs.Page{Limit: orgs.MaxPageLimit}}); err == nil {
			v.Orgs = l.Data
		}
	}
	t := h.pages[page]
	if t == nil {
		panic("ui: no page template " + page)
	}
	var content bytes.Buffer
	if err := t.ExecuteTemplate(&content, "frame", v); err != nil {
		h.log.ErrorContext(r.Context(), "ui: render", "page", page, "error", err)
		http.Error(w, h.t("error.internal"), http.StatusInternalServerError)
		return
	}
	title := h.t("app.name")
	if v.Title != "" {
		title = v.Title + " · " + title
	}
	var head bytes.Buffer
	if err := h.shell.ExecuteTemplate(&head, "head", map[string]any{"Base": rq.base, "Stylesheets": h.opts.Stylesheets}); err != nil {
		h.log.ErrorContext(r.Context(), "ui: render head", "error", err)
	}
	var doc bytes.Buffer
	err := h.layout(&doc, Page{
		Title: title, Head: template.HTML(head.String()), Content: template.HTML(content.String()),
		Lang: h.opts.Lang, UserID: rq.userID, Request: r,
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "ui: layout", "error", err)
		http.Error(w, h.t("error.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(doc.Bytes())
}

// defaultLayout is the Layout used when Options.Layout is nil.
func (h *Handler) defaultLayout(w2 io.Writer, p Page) error {
	base := ""
	signOut := h.opts.SignOutURL
	if p.Request != nil {
		base = h.base(p.Request)
		if h.opts.DemoSignIn && signOut == "" {
			signOut = base + "/demo/sign-out"
		}
	}
	return h.shell.ExecuteTemplate(w2, "layout", map[string]any{
		"Page": p, "Base": base, "LogoURL": h.opts.LogoURL, "SignOutURL": signOut,
	})
}

// DefaultLayout returns the layout the UI uses when Options.Layout is nil,
// for a host that wants to wrap or adapt it.
func (h *Handler) DefaultLayout() Layout { return h.defaultLayout }

// renderError answers with a page that explains a status.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	rq := &req{w: w, r: r, base: h.base(r)}
	if uid, ok := h.peekUser(r); ok {
		rq.userID, rq.actor = uid, actorFor(uid)
	}
	h.render(rq, "error", status, &view{Title: h.t("error.title." + statusKey(status)), Data: map[string]any{
		"Heading": h.t("error.title." + statusKey(status)), "Message": h.t(key, args...), "Status": status,
	}})
}

func statusKey(status int) string {
	switch status {
	case 400, 401, 403, 404, 405, 409, 410, 413, 422, 429, 501, 503:
		return fmt.Sprint(status)
	}
	return "500"
}

func initials(s string) string {
	var out []rune
	for _, f := range strings.Fields(s) {
		for _, c := range f {
			out = append(out, c)
			break
		}
		if len(out) == 2 {
			break
		}
	}
	return strings.ToUpper(string(out))
}

// tabPerm is the permission a tab of an organization needs to be shown.
var tabPerm = map[string]orgs.Permission{
	"overview": orgs.PermOrgRead, "members": orgs.PermMembersRead, "invitations": orgs.PermInvitationsManage,
	"teams": orgs.PermMembersRead, "categories": orgs.PermOrgRead, "pipelines": orgs.PermOrgRead,
	"settings": orgs.PermOrgUpdate, "domains": orgs.PermDomainsManage, "events": orgs.PermEventsRead,
	"roles": orgs.PermRolesManage, "webhooks": orgs.PermWebhooksManage,
}

// TabVisible reports whether the organization tab is shown to the user.
func (v *view) TabVisible(tab string) bool {
	if tab == "settings" && v.Can(string(orgs.PermOrgDelete)) {
		return true
	}
	return v.Can(string(tabPerm[tab]))
}

// TabPath is the path of an organization tab.
func (v *view) TabPath(tab string) string {
	if tab == "overview" {
		return v.OrgPath()
	}
	return v.OrgPath(tab)
}

// FlashText is a flash message, translated.
func (v *view) FlashText(f *flash) string {
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		args[i] = a
	}
	return v.h.t(f.Key, args...)
}

// FieldLabel names a form field in an error summary.
func (v *view) FieldLabel(field string) string {
	if m, ok := v.h.msg["field."+field]; ok {
		return m
	}
	return field
}

// Query is the current page's query string, for a form to come back to the
// same filter and page after a post.
func (v *view) Query() string {
	if v.rq == nil || v.rq.r.Method != http.MethodGet {
		return ""
	}
	return v.rq.r.URL.RawQuery
}

// Grantable reports whether role is among the grantable roles.
func (v *view) Grantable(role orgs.Role, grant []orgs.OrganizationRole) bool {
	for _, d := range grant {
		if d.Name == role {
			return true
		}
	}
	return false
}
