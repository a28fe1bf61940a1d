package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/tenantkit/orgs"
)

// Stable error codes: the "code" member of every problem. Codes are added,
// never renamed.
const (
	CodeInvalidJSON          = "invalid_json"           // 400: malformed body, or not a JSON object
	CodeUnauthenticated      = "unauthenticated"        // 401: Authenticate named no user
	CodeForbidden            = "forbidden"              // 403: a member without the permission or rank
	CodeEmailMismatch        = "email_mismatch"         // 403: the invitation is for another email
	CodeNotFound             = "not_found"              // 404: unknown, or not visible to the caller
	CodeMethodNotAllowed     = "method_not_allowed"     // 405: known path, other method
	CodeSlugTaken            = "slug_taken"             // 409
	CodeHandleTaken          = "handle_taken"           // 409
	CodeExternalIDTaken      = "external_id_taken"      // 409
	CodeNameTaken            = "name_taken"             // 409: category name
	CodeDomainTaken          = "domain_taken"           // 409: the organization has it, or another verified it
	CodeLastOwner            = "last_owner"             // 409
	CodeAlreadyMember        = "already_member"         // 409
	CodeNotMember            = "not_member"             // 409: the user is not a member of the organization
	CodeAlreadyInvited       = "already_invited"        // 409
	CodeInvitationNotPending = "invitation_not_pending" // 409
	CodeLimitExceeded        = "limit_exceeded"         // 409
	CodeRoleInUse            = "role_in_use"            // 409: members or pending invitations hold the role
	CodeInvitationExpired    = "invitation_expired"     // 410
	CodeBodyTooLarge         = "body_too_large"         // 413
	CodeUnsupportedMediaType = "unsupported_media_type" // 415: a body that is not application/json
	CodeValidationFailed     = "validation_failed"      // 422: with errors [{field, message}]
	CodeResendTooSoon        = "resend_too_soon"        // 429
	CodeInternal             = "internal"               // 500: logged with the request ID
	CodeNotImplemented       = "not_implemented"        // 501: the Service's store lacks what the route needs
	CodeDomainCheckFailed    = "domain_check_failed"    // 503: the DNS check could not be made
)

// Problem is an RFC 9457 problem detail, the body of every error response
// (Content-Type application/problem+json). Type is always "about:blank" and
// Title the status's reason phrase; Code is the stable, machine-readable
// error code and Detail a human-readable explanation. Errors lists the
// invalid fields of a 422.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Code      string            `json:"code"`
	RequestID string            `json:"request_id"`
	Errors    []orgs.FieldError `json:"errors,omitempty"`
}

// requestError is an error found by the Handler itself (decoding, query
// parameters, routing) rather than by the Service.
type requestError struct {
	status int
	code   string
	detail string
	fields []orgs.FieldError
}

func (e *requestError) Error() string { return e.detail }

// badJSON is a 400 invalid_json.
func badJSON(detail string) error {
	return &requestError{status: http.StatusBadRequest, code: CodeInvalidJSON, detail: detail}
}

// invalidField is a 422 validation_failed naming one field.
func invalidField(field, message string) error {
	return &orgs.ValidationError{Fields: []orgs.FieldError{{Field: field, Message: message}}}
}

// sentinels maps the Service's errors to statuses and codes. Order matters
// only for an error that wraps several sentinels: the first match wins.
var sentinels = []struct {
	err    error
	status int
	code   string
	detail string
}{
	{orgs.ErrUnauthenticated, http.StatusUnauthorized, CodeUnauthenticated, "the request does not name a user"},
	{orgs.ErrEmailMismatch, http.StatusForbidden, CodeEmailMismatch, "the invitation was sent to another email address"},
	{orgs.ErrForbidden, http.StatusForbidden, CodeForbidden, "you are not allowed to do this"},
	{orgs.ErrNotFound, http.StatusNotFound, CodeNotFound, "not found"},
	{orgs.ErrSlugTaken, http.StatusConflict, CodeSlugTaken, "slug already in use"},
	{orgs.ErrHandleTaken, http.StatusConflict, CodeHandleTaken, "handle already in use"},
	{orgs.ErrExternalIDTaken, http.StatusConflict, CodeExternalIDTaken, "external ID already in use"},
	{orgs.ErrNameTaken, http.StatusConflict, CodeNameTaken, "name already in use"},
	{orgs.ErrDomainTaken, http.StatusConflict, CodeDomainTaken, "domain already in use"},
	{orgs.ErrLastOwner, http.StatusConflict, CodeLastOwner, "the organization must keep at least one owner"},
	{orgs.ErrAlreadyMember, http.StatusConflict, CodeAlreadyMember, "already a member"},
	{orgs.ErrNotMember, http.StatusConflict, CodeNotMember, "the user is not a member of the organization"},
	{orgs.ErrAlreadyInvited, http.StatusConflict, CodeAlreadyInvited, "a pending invitation for this email exists"},
	{orgs.ErrInvitationNotPending, http.StatusConflict, CodeInvitationNotPending, "the invitation is no longer pending"},
	{orgs.ErrLimitExceeded, http.StatusConflict, CodeLimitExceeded, "a limit would be exceeded"},
	{orgs.ErrRoleInUse, http.StatusConflict, CodeRoleInUse, "members or pending invitations hold the role; delete it with reassign_to"},
	{orgs.ErrInvitationExpired, http.StatusGone, CodeInvitationExpired, "the invitation has expired"},
	{orgs.ErrResendTooSoon, http.StatusTooManyRequests, CodeResendTooSoon, "the invitation was sent too recently; try again later"},
	{orgs.ErrDomainCheckFailed, http.StatusServiceUnavailable, CodeDomainCheckFailed, "the domain could not be checked; try again later"},
	{errors.ErrUnsupported, http.StatusNotImplemented, CodeNotImplemented, "the server's store does not support this operation"},
}

// problemFor is the one place errors become problems: the Handler's own
// request errors, the Service's sentinels (with errors.Is) and validation
// errors; anything else is an internal error, whose cause is logged and not
// shown.
func (h *Handler) problemFor(r *http.Request, err error) Problem {
	p := Problem{Type: "about:blank", RequestID: RequestID(r)}
	var re *requestError
	var ve *orgs.ValidationError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &re):
		p.Status, p.Code, p.Detail, p.Errors = re.status, re.code, re.detail, re.fields
	case errors.As(err, &tooLarge):
		p.Status, p.Code = http.StatusRequestEntityTooLarge, CodeBodyTooLarge
		p.Detail = "the request body is larger than the limit"
	case errors.As(err, &ve):
		p.Status, p.Code, p.Detail = http.StatusUnprocessableEntity, CodeValidationFailed, "one or more fields are invalid"
		p.Errors = ve.Fields
	case errors.Is(err, orgs.ErrInvalid):
		p.Status, p.Code, p.Detail = http.StatusUnprocessableEntity, CodeValidationFailed, "one or more fields are invalid"
	default:
		for _, s := range sentinels {
			if errors.Is(err, s.err) {
				p.Status, p.Code, p.Detail = s.status, s.code, s.detail
				break
			}
		}
	}
	if p.Status == 0 {
		p.Status, p.Code, p.Detail = http.StatusInternalServerError, CodeInternal,
			"internal error; quote the request ID when reporting it"
		level := slog.LevelError
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			level = slog.LevelInfo // the client went away
		}
		h.log.Log(r.Context(), level, "httpapi: internal error", "request_id", p.RequestID,
			"method", r.Method, "path", r.URL.Path, "error", err)
	}
	if p.Code == CodeValidationFailed && len(p.Errors) == 0 {
		p.Errors = []orgs.FieldError{{Field: "", Message: "is invalid"}}
	}
	p.Title = http.StatusText(p.Status)
	return p
}

// writeProblem answers with the problem for err.
func (h *Handler) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := h.problemFor(r, err)
	body, mErr := json.Marshal(p)
	if mErr != nil { // cannot happen: Problem has only strings and ints
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal","detail":"internal error"}`)
		p.Status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(body, '\n'))
}

// writeJSON answers status with v as JSON.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
	return nil
}

// noContent answers 204.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
