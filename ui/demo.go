package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantkit/orgs"
)

// The demo sign-in (Options.DemoSignIn): FOR DEMOS AND TESTS ONLY. A user
// types (or picks) a user ID, email and name; the profile is recorded with
// Service.PutUser, so invitations to that email can be accepted, and an
// unsigned cookie names the user from then on. Anyone can be anyone.

// demoUsers are the people the demo sign-in page offers with one click.
var demoUsers = []orgs.User{
	{ID: "alice", Username: "alice", Email: "alice@example.com", Name: "Alice Adams"},
	{ID: "bob", Username: "bob", Email: "bob@example.com", Name: "Bob Brown"},
	{ID: "carol", Username: "carol", Email: "carol@example.com", Name: "Carol Chen"},
}

func demoAuthenticate(r *http.Request) (string, error) {
	c, err := r.Cookie(demoCookie)
	if err != nil {
		return "", err
	}
	id, err := url.QueryUnescape(c.Value)
	if err != nil || id == "" {
		return "", errors.New("ui: malformed demo cookie")
	}
	return id, nil
}

type demoData struct {
	Users    []orgs.User
	ReturnTo string
}

// returnTo keeps a return_to value only when it is a path under the UI.
func (h *Handler) returnTo(r *http.Request, v string) string {
	base := h.base(r)
	if v == "" || !strings.HasPrefix(v, base+"/") || strings.HasPrefix(v, "//") || strings.ContainsAny(v, "\\\r\n") {
		return base + "/"
	}
	return v
}

func (h *Handler) demoSignInPage(w http.ResponseWriter, r *http.Request) {
	rq := &req{w: w, r: r, base: h.base(r)}
	if uid, ok := h.peekUser(r); ok {
		rq.userID, rq.actor = uid, actorFor(uid)
	}
	h.render(rq, "demo_signin", http.StatusOK, &view{Title: h.t("demo.title"), Data: demoData{
		Users: demoUsers, ReturnTo: h.returnTo(r, r.URL.Query().Get("return_to")),
	}})
}

func (h *Handler) demoSignIn(w http.ResponseWriter, r *http.Request) {
	rq := &req{w: w, r: r, base: h.base(r)}
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "error.bad_form")
		return
	}
	f := r.PostForm
	u := orgs.User{ID: strings.TrimSpace(f.Get("id")), Email: strings.TrimSpace(f.Get("email")), Name: strings.TrimSpace(f.Get("name"))}
	u.Username = u.ID
	back := h.returnTo(r, f.Get("return_to"))
	var err error
	if u.ID == "" {
		err = &orgs.ValidationError{Fields: []orgs.FieldError{{Field: "id", Message: "is required"}}}
	} else {
		err = h.svc.PutUser(r.Context(), u)
	}
	if err != nil {
		status, msg, fields := h.explain(err, "demo")
		rq.prob = &problem{Status: status, Message: msg, Fields: fields, Form: f, Action: "demo"}
		h.render(rq, "demo_signin", status, &view{Title: h.t("demo.title"), Data: demoData{Users: demoUsers, ReturnTo: back}})
		return
	}
	http.SetCookie(w, h.cookie(r, demoCookie, url.QueryEscape(u.ID), h.cookiePath(r), 0))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (h *Handler) demoSignOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, h.cookie(r, demoCookie, "", h.cookiePath(r), -1))
	http.Redirect(w, r, h.base(r)+"/demo/sign-in", http.StatusSeeOther)
}
