package workos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// apiError is the body of every error response: {code, message, errors?}
// — never OAuth's error/error_description keys, which the SDK would turn
// into an OauthException.
type apiError struct {
	Status  int          `json:"-"`
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// fieldError names an invalid field. The SDK shows only the codes, so each
// code starts with the field's name.
type fieldError struct {
	Field string `json:"field"`
	Code  string `json:"code"`
}

// invalid is a 422 for one field.
func invalid(field, code string) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request_parameters",
		Message: "Validation failed.", Errors: []fieldError{{Field: field, Code: code}}}
}

func notFound(what, id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "entity_not_found", Message: fmt.Sprintf("%s not found: '%s'.", what, id)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"server_error","message":"Internal server error."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeRateLimited(w http.ResponseWriter, after time.Duration) {
	secs := int((after + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeJSON(w, http.StatusTooManyRequests, apiError{Code: "rate_limit_exceeded", Message: "Too many requests."})
}

// conflicts maps the Service's conflict sentinels to 409 codes.
var conflicts = []struct {
	err  error
	code string
	msg  string
}{
	{orgs.ErrExternalIDTaken, "external_id_taken", "An organization with this external_id already exists."},
	{orgs.ErrDomainTaken, "domain_taken", "The domain is already verified by another organization, or given twice."},
	{orgs.ErrAlreadyMember, "already_member", "The user is already a member of the organization."},
	{orgs.ErrInvitationNotPending, "invitation_not_pending", "The invitation is not pending: it was accepted or revoked."},
	{orgs.ErrInvitationExpired, "invitation_expired", "The invitation has expired."},
	{orgs.ErrLastOwner, "last_owner", "The organization must keep at least one active owner."},
	{orgs.ErrAlreadyInvited, "already_invited", "A pending invitation for this email exists in the organization."},
	{orgs.ErrLimitExceeded, "limit_exceeded", "A configured limit would be exceeded."},
	{orgs.ErrSlugTaken, "slug_taken", "The organization's slug is already in use."},
	{orgs.ErrHandleTaken, "handle_taken", "The organization's handle is already in use."},
	{orgs.ErrNameTaken, "name_taken", "The name is already in use."},
}

// fieldNames maps the Service's field names to the WorkOS request's.
var fieldNames = map[string]string{"role": "role_slug", "domains": "domain_data", "expires_in": "expires_in_days"}

// writeError answers err: an *apiError as it is, the Service's sentinels
// by their meaning, anything else a logged 500.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var ve *orgs.ValidationError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &mbe):
		ae = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", Message: "The request body is too large."}
	case errors.As(err, &ve):
		ae = &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request_parameters", Message: "Validation failed."}
		for _, f := range ve.Fields {
			name := f.Field
			if n, ok := fieldNames[name]; ok {
				name = n
			}
			code := name + "_invalid"
			switch {
			case name == "expires_in_days":
				code = "expires_in_days_out_of_range"
			case strings.Contains(f.Message, "required"):
				code = name + "_required"
			}
			ae.Errors = append(ae.Errors, fieldError{Field: name, Code: code})
			ae.Message += " " + name + ": " + f.Message + "."
		}
	case errors.Is(err, orgs.ErrNotFound), errors.Is(err, orgs.ErrNotMember):
		ae = &apiError{Status: http.StatusNotFound, Code: "entity_not_found", Message: "Not found."}
	case errors.Is(err, orgs.ErrResendTooSoon):
		writeRateLimited(w, time.Minute)
		return
	case errors.Is(err, orgs.ErrForbidden):
		ae = &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "Forbidden."}
	case errors.Is(err, errors.ErrUnsupported):
		ae = &apiError{Status: http.StatusNotImplemented, Code: "not_implemented", Message: "The store does not support this operation."}
	default:
		for _, c := range conflicts {
			if errors.Is(err, c.err) {
				ae = &apiError{Status: http.StatusConflict, Code: c.code, Message: c.msg}
				break
			}
		}
		if ae == nil {
			h.log.ErrorContext(r.Context(), "workos: internal error", "request_id", w.Header().Get("X-Request-ID"),
				"method", r.Method, "path", r.URL.Path, "error", err)
			ae = &apiError{Status: http.StatusInternalServerError, Code: "server_error", Message: "Internal server error."}
		}
	}
	writeJSON(w, ae.Status, ae)
}

// decode reads a JSON object body into v. An empty body is {} (the SDK
// sends none on revoke and accept). Unknown keys are ignored; malformed
// JSON is a 400, a value of the wrong type a 422 naming its field.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err // *http.MaxBytesError: 413
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field, _, _ := strings.Cut(te.Field, ".")
			return invalid(field, field+"_invalid")
		}
		return &apiError{Status: http.StatusBadRequest, Code: "invalid_json", Message: "The request body is not a JSON object."}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &apiError{Status: http.StatusBadRequest, Code: "invalid_json", Message: "The request body has data after the JSON object."}
	}
	return nil
}

// nullable is a JSON field that tells absent (Set false), null (Set, Null)
// and a string apart.
type nullable struct {
	Set   bool
	Null  bool
	Value string
}

func (n *nullable) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Null = true
		return nil
	}
	return json.Unmarshal(b, &n.Value)
}

// ptr returns the update a nullable asks for: nil to keep, "" to clear.
func (n nullable) ptr() *string {
	if !n.Set {
		return nil
	}
	v := n.Value
	return &v
}

// timeLayout is WorkOS's: RFC 3339, UTC, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func tsPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := ts(*t)
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// list is WorkOS's list envelope.
type list[T any] struct {
	Object       string       `json:"object"`
	Data         []T          `json:"data"`
	ListMetadata listMetadata `json:"list_metadata"`
}

type listMetadata struct {
	Before *string `json:"before"`
	After  *string `json:"after"`
}

// page reads limit (1–100, default 10), order (desc by default, or asc),
// before and after (raw object IDs) from the query.
func page(r *http.Request) (orgs.Page, error) {
	q := r.URL.Query()
	p := orgs.Page{Limit: 10, Descending: true}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return p, invalid("limit", "limit_invalid")
		}
		p.Limit = n
	}
	switch q.Get("order") {
	case "", "desc":
	case "asc", "normal":
		p.Descending = false
	default:
		return p, invalid("order", "order_invalid")
	}
	before, after := q.Get("before"), q.Get("after")
	if before != "" && after != "" {
		return p, invalid("before", "before_invalid")
	}
	if after != "" {
		p.After = orgs.EncodeCursor(after)
	}
	if before != "" {
		p.Before = orgs.EncodeCursor(before)
	}
	return p, nil
}

// toList converts a Service page into WorkOS's envelope: the cursors are
// the raw IDs of the page's ends, null where nothing lies beyond.
func toList[T, W any](l *orgs.List[T], conv func(*T) W) list[W] {
	out := list[W]{Object: "list", Data: make([]W, 0, len(l.Data))}
	for i := range l.Data {
		out.Data = append(out.Data, conv(&l.Data[i]))
	}
	cursor := func(c string) *string {
		if c == "" {
			return nil
		}
		k, err := orgs.DecodeCursor(c)
		if err != nil {
			return nil
		}
		return &k
	}
	out.ListMetadata = listMetadata{Before: cursor(l.PreviousCursor), After: cursor(l.NextCursor)}
	return out
}

// emptyList is a list with nothing in it.
func emptyList[W any]() list[W] { return list[W]{Object: "list", Data: []W{}} }

// splitList splits a comma-joined query value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isID reports whether s could be one of our IDs with prefix (the Service
// checks the rest): an organization_id that is a slug must not find an
// organization by slug.
func isID(prefix, s string) bool { return strings.HasPrefix(s, prefix) }
