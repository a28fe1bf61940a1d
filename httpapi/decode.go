package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/tenantkit/orgs"
)

// decodeJSON reads the request body into dst, a pointer to a struct. The body
// must be one JSON object (400 invalid_json otherwise: empty, malformed, not
// an object, or followed by more data) whose fields are all known and of the
// right type (422 validation_failed naming the field otherwise). A
// Content-Type other than application/json (or a +json type) answers 415; a
// missing one is taken as JSON. A body over the limit answers 413.
func decodeJSON(r *http.Request, dst any) error {
	return decodeJSONSkipping(r, dst)
}

// Read-only fields, by resource: a PATCH body may carry them — a client
// sends back what it read — and they are ignored (whatever their value:
// they cannot be changed).
var (
	organizationReadOnly = []string{"id", "role", "member_count", "team_count", "created_by", "created_at",
		"updated_at", "categories", "pipelines"}
	memberReadOnly   = []string{"user_id", "joined_at", "username", "email", "name", "avatar_url"}
	teamReadOnly     = []string{"id", "member_count", "created_at", "updated_at"}
	categoryReadOnly = []string{"id"}
	pipelineReadOnly = []string{"id"}
)

// decodeJSONSkipping is decodeJSON for a body that may also carry the
// top-level read-only fields named, which it drops before decoding.
func decodeJSONSkipping(r *http.Request, dst any, readOnly ...string) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return &requestError{status: http.StatusUnsupportedMediaType, code: CodeUnsupportedMediaType,
				detail: "send the body as JSON with Content-Type: application/json"}
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return badJSON("the request body could not be read")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return badJSON("the request body is empty; send a JSON object")
	case trimmed[0] != '{':
		if json.Valid(body) {
			return badJSON("the request body must be a JSON object")
		}
		return badJSON("the request body is not valid JSON")
	}
	if len(readOnly) > 0 {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return badJSON("the request body is not valid JSON")
		}
		for _, k := range readOnly {
			delete(obj, k)
		}
		if body, err = json.Marshal(obj); err != nil {
			return badJSON("the request body is not valid JSON")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badJSON("the request body has data after the JSON object")
	}
	return nil
}

// decodeError turns an encoding/json error into a request error.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return badJSON(fmt.Sprintf("the request body is not valid JSON (at byte %d): %s",
			syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: ")))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badJSON("the request body is not valid JSON: it ends too soon")
	case errors.As(err, &typ) && typ.Field != "":
		return invalidField(typ.Field, "must be "+describe(typ.Type))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unq, err := strconv.Unquote(name); err == nil {
			name = unq
		}
		return invalidField(name, "is not a known field")
	}
	return badJSON("the request body could not be decoded")
}

// describe names the JSON value a Go type expects.
func describe(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a valid value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a valid value"
}

// query returns the query parameter name; an empty value counts as absent.
func query(r *http.Request, name string) string {
	return r.URL.Query().Get(name)
}

// pageParams reads the cursor parameters limit, after and before. It only
// parses: the Service validates the page (cursors, ranges) and names the
// field. limit must be a whole number, and an explicit limit=0, which the
// Service reads as "the default", is refused on the wire.
func pageParams(r *http.Request) (orgs.Page, error) {
	q := r.URL.Query()
	p := orgs.Page{After: q.Get("after"), Before: q.Get("before")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n == 0 {
			return orgs.Page{}, &orgs.ValidationError{Fields: []orgs.FieldError{{Field: "limit",
				Message: fmt.Sprintf("must be an integer from 1 to %d", orgs.MaxPageLimit)}}}
		}
		p.Limit = n
	}
	return p, nil
}

// renameFields renames the fields of a validation error, for the few
// places where the wire name differs from the Service's.
func renameFields(err error, names map[string]string) error {
	var ve *orgs.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &orgs.ValidationError{Fields: make([]orgs.FieldError, len(ve.Fields))}
	for i, f := range ve.Fields {
		if n, ok := names[f.Field]; ok {
			f.Field = n
		}
		out.Fields[i] = f
	}
	return out
}
