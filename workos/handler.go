package workos

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// DefaultMaxBodyBytes bounds request bodies when Options.MaxBodyBytes is 0.
const DefaultMaxBodyBytes int64 = 1 << 20

// Options configures a Handler.
type Options struct {
	// APIKeys are the keys a client may send as "Authorization: Bearer
	// KEY" (at least one; each non-empty). They are compared in constant
	// time. Every request acts as orgs.SystemActor.
	APIKeys []string
	// AcceptInvitationURL is the base of an invitation's
	// accept_invitation_url when the Service builds none
	// (orgs.InvitationOptions.AcceptURL): the token is added as the
	// "invitation_token" query parameter. With neither, the field is left
	// out.
	AcceptInvitationURL string
	// MaxBodyBytes bounds request bodies; a larger one answers 413. Zero
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RateLimit, when set, is asked before each authenticated request;
	// when it refuses, the request answers 429 "rate_limit_exceeded" with a
	// Retry-After header of retryAfter in whole seconds (at least 1).
	RateLimit func(r *http.Request) (allow bool, retryAfter time.Duration)
	// IdempotencyTTL is how long a response to a create with an
	// Idempotency-Key is replayed (default 24 hours); IdempotencyMaxKeys
	// bounds how many are kept (default 10,000; the oldest go first).
	IdempotencyTTL     time.Duration
	IdempotencyMaxKeys int
	// Logger receives internal errors and recovered panics. Default:
	// slog.Default().
	Logger *slog.Logger
}

// Handler serves the WorkOS-compatible API (see the package
// documentation). It holds no rule of its own: it maps the WorkOS wire
// format to Service calls made as orgs.SystemActor, and the Service's
// errors to WorkOS's. It is safe for concurrent use.
type Handler struct {
	svc  *orgs.Service
	opts Options
	keys [][sha256.Size]byte
	mux  *http.ServeMux
	log  *slog.Logger
	idem *idempotency
}

// New returns a Handler serving svc.
func New(svc *orgs.Service, opts Options) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("workos: New needs a Service")
	}
	if len(opts.APIKeys) == 0 {
		return nil, errors.New("workos: Options.APIKeys needs at least one key")
	}
	h := &Handler{svc: svc, opts: opts, mux: http.NewServeMux(), log: opts.Logger}
	for _, k := range opts.APIKeys {
		if k == "" {
			return nil, errors.New("workos: an API key is empty")
		}
		h.keys = append(h.keys, sha256.Sum256([]byte(k)))
	}
	if opts.MaxBodyBytes < 0 || opts.IdempotencyTTL < 0 || opts.IdempotencyMaxKeys < 0 {
		return nil, errors.New("workos: negative option")
	}
	if h.opts.MaxBodyBytes == 0 {
		h.opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if h.opts.IdempotencyTTL == 0 {
		h.opts.IdempotencyTTL = 24 * time.Hour
	}
	if h.opts.IdempotencyMaxKeys == 0 {
		h.opts.IdempotencyMaxKeys = 10000
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.idem = newIdempotency(h.opts.IdempotencyTTL, h.opts.IdempotencyMaxKeys)
	h.routes()
	return h, nil
}

// route is a handler that returns its error for the Handler to answer.
type route func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) handle(pattern string, fn route) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	})
}

func (h *Handler) routes() {
	h.handle("POST /organizations", h.idempotent(h.createOrganization))
	h.handle("GET /organizations", h.listOrganizations)
	h.handle("GET /organizations/{id}", h.getOrganization)
	h.handle("PUT /organizations/{id}", h.updateOrganization)
	h.handle("DELETE /organizations/{id}", h.deleteOrganization)
	h.handle("GET /organizations/external_id/{external_id}", h.getOrganizationByExternalID)

	const om = "/user_management/organization_memberships"
	h.handle("POST "+om, h.idempotent(h.createMembership))
	h.handle("GET "+om, h.listMemberships)
	h.handle("GET "+om+"/{id}", h.getMembership)
	h.handle("PUT "+om+"/{id}", h.updateMembership)
	h.handle("DELETE "+om+"/{id}", h.deleteMembership)
	h.handle("PUT "+om+"/{id}/deactivate", h.deactivateMembership)
	h.handle("PUT "+om+"/{id}/reactivate", h.reactivateMembership)

	const inv = "/user_management/invitations"
	h.handle("POST "+inv, h.idempotent(h.sendInvitation))
	h.handle("GET "+inv, h.listInvitations)
	h.handle("GET "+inv+"/{id}", h.getInvitation)
	h.handle("GET "+inv+"/by_token/{token}", h.findInvitationByToken)
	h.handle("POST "+inv+"/{id}/resend", h.resendInvitation)
	h.handle("POST "+inv+"/{id}/revoke", h.revokeInvitation)
	h.handle("POST "+inv+"/{id}/accept", h.acceptInvitation)

	// Everything else: a JSON 404, or a JSON 405 naming the methods the
	// path allows (Go's mux would answer in plain text, which the SDK
	// cannot parse).
	h.mux.HandleFunc("/", h.notFound)
}

// ServeHTTP authenticates the request, applies the rate limit, and routes
// it. Panics answer a JSON 500.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	w.Header().Set("X-Request-ID", rid)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.ErrorContext(r.Context(), "workos: panic", "request_id", rid, "panic", p)
			writeJSON(w, http.StatusInternalServerError, apiError{Code: "server_error", Message: "Internal server error."})
		}
	}()
	if !h.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, apiError{Code: "unauthorized", Message: "Missing or invalid API key."})
		return
	}
	if h.opts.RateLimit != nil {
		if ok, after := h.opts.RateLimit(r); !ok {
			writeRateLimited(w, after)
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes)
	h.mux.ServeHTTP(w, r)
}

// authorized reports whether the request carries a configured key,
// comparing every key's hash in constant time.
func (h *Handler) authorized(r *http.Request) bool {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || key == "" {
		return false
	}
	sum := sha256.Sum256([]byte(key))
	match := 0
	for i := range h.keys {
		match |= subtle.ConstantTimeCompare(sum[:], h.keys[i][:])
	}
	return match == 1
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := h.mux.Handler(r2); pattern != "" && pattern != "/" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed", Message: "Method " + r.Method + " is not allowed here."})
		return
	}
	writeJSON(w, http.StatusNotFound, apiError{Code: "not_found", Message: "The requested path '" + r.URL.Path + "' could not be found."})
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "req_" + hex.EncodeToString(b)
}
