package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIDocument checks the document describes exactly the routes the
// Handler serves. (That it is valid OpenAPI 3.1, and that every response of
// this package's tests matches it, is checked in the e2e module, which
// holds the OpenAPI validator so that hosts never download it.)
func TestOpenAPIDocument(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	var inDoc, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
		}
	}
	for _, r := range Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	sort.Strings(inDoc)
	sort.Strings(served)
	if !slices.Equal(inDoc, served) {
		t.Errorf("the document and the routes differ:\ndocument: %v\nroutes:   %v", inDoc, served)
	}
	// Every operation needs authentication unless the route is public.
	for _, r := range Routes() {
		var op struct {
			Security *[]map[string][]string `json:"security"`
		}
		if err := json.Unmarshal(doc.Paths[r.Path][strings.ToLower(r.Method)], &op); err != nil {
			t.Fatal(err)
		}
		public := op.Security != nil && len(*op.Security) == 0
		if public != r.Public {
			t.Errorf("%s %s: public %v in the document, %v in the routes", r.Method, r.Path, public, r.Public)
		}
	}
}

// TestOpenAPIServed checks GET /openapi.json serves the document without
// authentication, with the mount prefix as its server URL.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, openSQLite)
	var got map[string]any
	e.call("GET", "/openapi.json", "", nil).ok(200, &got)
	var want map[string]any
	if err := json.Unmarshal(OpenAPI(), &want); err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if !bytes.Equal(gj, wj) {
		t.Errorf("served document differs from OpenAPI()")
	}

	h, err := New(e.svc, Options{Authenticate: DemoAuthenticator(e.svc)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/orgs/", http.StripPrefix("/api/orgs", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/orgs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var mounted struct {
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&mounted); err != nil {
		t.Fatal(err)
	}
	if len(mounted.Servers) != 1 || mounted.Servers[0].URL != "/api/orgs" {
		t.Errorf("servers %+v, want /api/orgs", mounted.Servers)
	}
}
