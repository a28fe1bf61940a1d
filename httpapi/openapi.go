package httpapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantkit/orgs"
)

//go:embed openapi.json
var openAPIJSON []byte

// OpenAPI returns the OpenAPI 3.1 document that describes the API: every
// route of Routes, its parameters, request bodies and responses, and the
// Problem schema. Its server URL is "/"; GET /openapi.json serves it with the
// server URL set to the prefix the Handler is mounted under.
func OpenAPI() []byte { return bytes.Clone(openAPIJSON) }

// document is the OpenAPI document split at its top level, so that the
// servers member can be replaced per request.
type document struct {
	top map[string]json.RawMessage
}

func loadDocument() (*document, error) {
	var d document
	if err := json.Unmarshal(openAPIJSON, &d.top); err != nil {
		return nil, fmt.Errorf("httpapi: the embedded OpenAPI document is not JSON: %w", err)
	}
	return &d, nil
}

// openAPI serves GET /openapi.json, without authentication.
func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request, _ orgs.Actor) error {
	servers, err := json.Marshal([]map[string]string{{
		"url":         mountPrefix(r),
		"description": "this API, where it is mounted",
	}})
	if err != nil {
		return err
	}
	top := make(map[string]json.RawMessage, len(h.doc.top))
	for k, v := range h.doc.top {
		top[k] = v
	}
	top["servers"] = servers
	return h.writeJSON(w, r, http.StatusOK, top)
}

// mountPrefix tells the path prefix a router stripped before the request
// reached the Handler (as http.StripPrefix does), from the difference between
// the request line's path and r.URL's; "/" when none.
func mountPrefix(r *http.Request) string {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return "/"
	}
	full, rest := u.EscapedPath(), r.URL.EscapedPath()
	prefix, ok := strings.CutSuffix(full, rest)
	if !ok || prefix == "" || !strings.HasPrefix(prefix, "/") {
		return "/"
	}
	return prefix
}
