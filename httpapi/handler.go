package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/tenantkit/orgs"
)

// DefaultMaxBodyBytes is the request body limit when Options.MaxBodyBytes is
// zero: 1 MiB.
const DefaultMaxBodyBytes int64 = 1 << 20

// Options configures a Handler.
//
// Invitation accept URLs are not configured here: the Service builds them
// from orgs.InvitationOptions.AcceptURL (orgs.WithInvitationOptions), and the
// handler returns them as the Service does, in the responses that create or
// resend an invitation.
type Options struct {
	// Authenticate names the user making the request. It is required. An
	// error, or an empty user ID, answers 401 with code "unauthenticated"
	// (the error is logged at level Info with the request ID, never shown),
	// except that an error that is an
	// *orgs.ValidationError answers 422 "validation_failed" with its fields,
	// so an authenticator can report a malformed credential or profile
	// header precisely (DemoAuthenticator does). GET /openapi.json is served
	// without calling it.
	Authenticate func(*http.Request) (userID string, err error)
	// Logger receives internal errors (with the request ID) and recovered
	// panics. Default: slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies (http.MaxBytesReader); a larger body
	// answers 413 "body_too_large". Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Handler serves the organizations API of a Service as JSON over HTTP. It is
// an http.Handler meant to be mounted under any prefix; see the package
// documentation. It holds no business rule: every rule and permission check is
// the Service's, and the Handler only decodes requests, calls the Service and
// maps its errors to statuses. A Handler is safe for concurrent use.
type Handler struct {
	svc  *orgs.Service
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
	doc  *document
}

// New returns a Handler serving svc. It fails when svc or
// opts.Authenticate is nil or opts.MaxBodyBytes is negative.
func New(svc *orgs.Service, opts Options) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("httpapi: New needs a Service")
	}
	if opts.Authenticate == nil {
		return nil, errors.New("httpapi: Options.Authenticate is required")
	}
	if opts.MaxBodyBytes < 0 {
		return nil, errors.New("httpapi: Options.MaxBodyBytes must not be negative")
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	doc, err := loadDocument()
	if err != nil {
		return nil, err
	}
	h := &Handler{svc: svc, opts: opts, log: opts.Logger, mux: http.NewServeMux(), doc: doc}

	// Every route of the table, and for each of its paths a method-less
	// pattern that answers 405 with the path's methods in Allow.
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range routeTable {
		h.mux.Handle(rt.Method+" "+rt.Path, h.endpoint(rt))
		if allowed[rt.Path] == nil {
			paths = append(paths, rt.Path)
		}
		allowed[rt.Path] = append(allowed[rt.Path], rt.Method)
		if rt.Method == http.MethodGet {
			allowed[rt.Path] = append(allowed[rt.Path], http.MethodHead)
		}
	}
	for _, p := range paths {
		allow := strings.Join(allowed[p], ", ")
		h.mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			h.writeProblem(w, r, &requestError{status: http.StatusMethodNotAllowed, code: CodeMethodNotAllowed,
				detail: fmt.Sprintf("%s is not allowed here; allowed: %s", r.Method, allow)})
		})
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.writeProblem(w, r, &requestError{status: http.StatusNotFound, code: CodeNotFound, detail: "no such route"})
	})
	return h, nil
}

type requestIDKey struct{}

// RequestID returns the ID the Handler gave the request (also sent in the
// X-Request-Id response header and in every problem's request_id), or "" for
// a request the Handler has not seen. Authenticate may call it to log.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := newRequestID()
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	hdr := w.Header()
	hdr.Set("X-Request-Id", id)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "httpapi: panic", "request_id", id,
				"method", r.Method, "path", r.URL.Path, "panic", v)
			h.writeProblem(w, r, fmt.Errorf("panic: %v", v))
		}
	}()
	h.mux.ServeHTTP(w, r)
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// endpoint adapts a route's operation to an http.Handler: it authenticates
// (unless the route is public) and turns the returned error into a problem.
func (h *Handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var actor orgs.Actor
		if !rt.Public {
			user, err := h.authenticate(r)
			if err != nil {
				h.writeProblem(w, r, err)
				return
			}
			actor = orgs.UserActor(user)
		}
		if err := rt.op(h, w, r, actor); err != nil {
			h.writeProblem(w, r, err)
		}
	})
}

func (h *Handler) authenticate(r *http.Request) (string, error) {
	user, err := h.opts.Authenticate(r)
	if err != nil {
		var ve *orgs.ValidationError
		if errors.As(err, &ve) {
			return "", ve
		}
		h.log.InfoContext(r.Context(), "httpapi: authentication failed", "request_id", RequestID(r), "error", err)
		return "", orgs.ErrUnauthenticated
	}
	if user == "" {
		return "", orgs.ErrUnauthenticated
	}
	return user, nil
}
