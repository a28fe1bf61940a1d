package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/tenantkit/orgs"
)

// Guard authorizes the host's own routes — its jobs, projects, documents —
// against organization roles: for each request it authenticates the
// caller, takes the organization (a slug or an ID) from a path value,
// checks the route's permission with orgs.Service.Authorize, and hands the
// caller's membership to the host's handler in the request's context
// (MembershipFrom). A refusal is answered as a problem, like the Handler's:
// 401 unauthenticated, 404 not_found (an organization that does not exist
// or that the caller may not know of), 403 forbidden, 500 internal (logged
// with the request ID). A Guard is safe for concurrent use.
//
//	guard, _ := httpapi.NewGuard(svc, httpapi.GuardOptions{Authenticate: sessions.UserID})
//	mux.Handle("POST /orgs/{slug}/jobs", guard.Require("jobs:publish", http.HandlerFunc(
//		func(w http.ResponseWriter, r *http.Request) {
//			m := httpapi.MembershipFrom(r.Context())
//			publishJob(w, r, m.OrganizationID)
//		})))
type Guard struct {
	svc  *orgs.Service
	opts GuardOptions
	h    *Handler // for its problems and logger
}

// GuardOptions configures a Guard.
type GuardOptions struct {
	// Authenticate names the user making the request, as
	// Options.Authenticate does for the Handler (required).
	Authenticate func(*http.Request) (userID string, err error)
	// PathValue names the wildcard of the host's route pattern that holds
	// the organization's slug or ID; default "slug".
	PathValue string
	// Logger receives internal errors; default slog.Default().
	Logger *slog.Logger
}

// NewGuard returns a Guard for svc. It fails when svc or
// opts.Authenticate is nil.
func NewGuard(svc *orgs.Service, opts GuardOptions) (*Guard, error) {
	if svc == nil {
		return nil, errors.New("httpapi: NewGuard needs a Service")
	}
	if opts.Authenticate == nil {
		return nil, errors.New("httpapi: GuardOptions.Authenticate is required")
	}
	if opts.PathValue == "" {
		opts.PathValue = "slug"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Handler{svc: svc, opts: Options{Authenticate: opts.Authenticate, Logger: opts.Logger}, log: opts.Logger}
	return &Guard{svc: svc, opts: opts, h: h}, nil
}

type membershipKey struct{}

// MembershipFrom returns the membership a Guard authorized for the request
// whose context ctx is, or nil outside a guarded route.
func MembershipFrom(ctx context.Context) *orgs.Membership {
	m, _ := ctx.Value(membershipKey{}).(*orgs.Membership)
	return m
}

// Require wraps next so that it runs only for a caller whose role in the
// request's organization holds perm, with the membership in the request's
// context. perm must be one the Service knows (built in, or registered
// with orgs.WithPermissions): Require panics otherwise, when the route is
// set up, as http.ServeMux does for a malformed pattern — a misspelt
// permission would refuse every request.
func (g *Guard) Require(perm orgs.Permission, next http.Handler) http.Handler {
	if !slices.Contains(g.svc.Permissions(), perm) {
		panic(fmt.Sprintf("httpapi: Guard.Require: permission %q is not registered with the Service (orgs.WithPermissions)", perm))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if RequestID(r) == "" {
			id := newRequestID()
			r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
			w.Header().Set("X-Request-Id", id)
		}
		user, err := g.h.authenticate(r)
		if err != nil {
			g.h.writeProblem(w, r, err)
			return
		}
		m, err := g.svc.Authorize(r.Context(), orgs.UserActor(user), r.PathValue(g.opts.PathValue), perm)
		if err != nil {
			g.h.writeProblem(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), membershipKey{}, m)))
	})
}
