package httpapi

import (
	"errors"
	"net/http"

	"github.com/tenantkit/orgs"
)

// Headers read by DemoAuthenticator.
const (
	HeaderUserID       = "X-User-ID"
	HeaderUserEmail    = "X-User-Email"
	HeaderUserName     = "X-User-Name"
	HeaderUserUsername = "X-User-Username"
)

// DemoAuthenticator returns an Options.Authenticate for demos and tests
// only — never for production: it believes whatever the client says, so any
// client can act as any user.
//
// The X-User-ID header names the caller (no header: 401). When any of the
// X-User-Email, X-User-Name or X-User-Username headers is present, the
// caller's profile is recorded with svc.PutUser before the request is
// served: the headers sent replace those fields, the others keep their
// recorded values, and the username defaults to the user ID. A malformed
// header answers 422 naming it (for example an X-User-Email that is not an
// email address). Accepting an invitation needs the caller's email on
// record, so send X-User-Email at least once before accepting.
func DemoAuthenticator(svc *orgs.Service) func(*http.Request) (string, error) {
	return func(r *http.Request) (string, error) {
		id := r.Header.Get(HeaderUserID)
		if id == "" {
			return "", errors.New("httpapi: no " + HeaderUserID + " header")
		}
		email, hasEmail := header(r, HeaderUserEmail)
		name, hasName := header(r, HeaderUserName)
		username, hasUsername := header(r, HeaderUserUsername)
		if !hasEmail && !hasName && !hasUsername {
			return id, nil
		}
		known, err := svc.Store().Users(r.Context(), []string{id})
		if err != nil {
			return "", err
		}
		u, ok := known[id]
		if !ok {
			u = orgs.User{ID: id}
		}
		if hasEmail {
			u.Email = email
		}
		if hasName {
			u.Name = name
		}
		if hasUsername {
			u.Username = username
		}
		if u.Username == "" {
			u.Username = id
		}
		if err := svc.PutUser(r.Context(), u); err != nil {
			return "", renameFields(err, map[string]string{
				"id": HeaderUserID, "email": HeaderUserEmail, "name": HeaderUserName, "username": HeaderUserUsername,
			})
		}
		return id, nil
	}
}

// header returns a request header's value and whether it was sent.
func header(r *http.Request, name string) (string, bool) {
	v := r.Header.Values(name)
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}
