package httpapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// The OpenAPI check: every request the tests send through env.call goes
// through checkingTransport, which validates the request (unless marked
// badRequest) and the response against the embedded OpenAPI document with
// libopenapi-validator — path, method, parameters, request body, status code,
// response content type, body schema (with additionalProperties false on
// every object, and the problem code enumerated per status and operation),
// and the X-Request-Id header — and fails the test on any mismatch. It also
// records which documented responses the suite has seen; TestMain fails a
// full run that leaves a documented (operation, status, code) unseen.

var openAPIValidator = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(OpenAPI())
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%v", errs)
	}
	return v, nil
})

// routeMux finds the route pattern of a request, as the Handler's mux does.
var routeMux = sync.OnceValue(func() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range routeTable {
		mux.Handle(r.Method+" "+r.Path, http.NotFoundHandler())
	}
	return mux
})

// seen records the documented responses observed: "METHOD PATH STATUS" or
// "METHOD PATH STATUS CODE".
var seen = struct {
	sync.Mutex
	m map[string]int
}{m: map[string]int{}}

type checkingTransport struct {
	e      *env // reports to e.t, the test in progress
	base   http.RoundTripper
	report func(format string, args ...any) // instead of e.t.Errorf, when set
}

func (c *checkingTransport) errorf(format string, args ...any) {
	if c.report != nil {
		c.report(format, args...)
		return
	}
	c.e.t.Helper()
	c.e.t.Errorf(format, args...)
}

func (c *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	_, pattern := routeMux().Handler(req)
	if pattern == "" {
		return resp, nil // the router's own 404 and 405: not operations
	}
	v, err := openAPIValidator()
	if err != nil {
		return nil, fmt.Errorf("OpenAPI document: %v", err)
	}
	clone := func() *http.Request {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		return r
	}
	what := req.Method + " " + req.URL.RequestURI()
	if bad, _ := req.Context().Value(badRequestKey{}).(bool); !bad {
		if ok, errs := v.ValidateHttpRequestSync(clone()); !ok {
			c.errorf("OpenAPI: request %s does not match the document:%s", what, describeErrors(errs))
		}
	}
	vresp := *resp
	vresp.Body = io.NopCloser(bytes.NewReader(respBody))
	if ok, errs := v.ValidateHttpResponse(clone(), &vresp); !ok {
		c.errorf("OpenAPI: response %d to %s does not match the document:%s\nbody: %.500s", resp.StatusCode, what, describeErrors(errs), respBody)
	}
	if c.report != nil {
		return resp, nil // a test of the check itself: not the API's coverage
	}
	key := pattern + " " + strconv.Itoa(resp.StatusCode)
	if resp.StatusCode >= 400 {
		var p Problem
		_ = json.Unmarshal(respBody, &p)
		key += " " + p.Code
	}
	seen.Lock()
	seen.m[key]++
	seen.Unlock()
	return resp, nil
}

func describeErrors(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s: %s", s.FieldPath+" "+s.KeywordLocation, s.Reason)
		}
	}
	return b.String()
}

// documented lists every response the document promises, as seen's keys.
func documented() ([]string, error) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		return nil, err
	}
	type response struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema struct {
				AllOf []struct {
					Properties struct {
						Code struct {
							Enum []string `json:"enum"`
						} `json:"code"`
					} `json:"properties"`
				} `json:"allOf"`
			} `json:"schema"`
		} `json:"content"`
	}
	var keys []string
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Responses map[string]response `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, err
			}
			for status, r := range op.Responses {
				if r.Ref != "" {
					name := strings.TrimPrefix(r.Ref, "#/components/responses/")
					r = response{}
					if err := json.Unmarshal(doc.Components.Responses[name], &r); err != nil {
						return nil, err
					}
				}
				base := strings.ToUpper(method) + " " + path + " " + status
				pj, ok := r.Content["application/problem+json"]
				if !ok {
					keys = append(keys, base)
					continue
				}
				for _, a := range pj.Schema.AllOf {
					for _, c := range a.Properties.Code.Enum {
						keys = append(keys, base+" "+c)
					}
				}
			}
		}
	}
	sort.Strings(keys)
	return keys, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	full := flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == ""
	if code == 0 && full {
		var missing []string
		keys, err := documented()
		if err != nil {
			fmt.Println("FAIL:", err)
			os.Exit(1)
		}
		seen.Lock()
		for _, k := range keys {
			if seen.m[k] == 0 {
				missing = append(missing, k)
			}
		}
		total := 0
		for _, n := range seen.m {
			total += n
		}
		seen.Unlock()
		fmt.Printf("OpenAPI check: %d responses validated; %d of %d documented (operation, status, code) seen\n",
			total, len(keys)-len(missing), len(keys))
		if len(missing) > 0 {
			fmt.Printf("FAIL: documented responses the tests never received:\n  %s\n", strings.Join(missing, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// TestCheckingTransportCatchesMismatches proves the OpenAPI check is not
// vacuous: a server whose answers stray from the document is reported.
func TestCheckingTransportCatchesMismatches(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "x")
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/industries": // data must be strings
			_, _ = w.Write([]byte(`{"data": [1], "next_cursor": "", "previous_cursor": "", "has_more": false}`))
		case "/organizations": // an undocumented field
			_, _ = w.Write([]byte(`{"data": [], "next_cursor": "", "previous_cursor": "", "has_more": false, "total": 0}`))
		case "/organizations/acme": // a status the operation does not document
			w.WriteHeader(http.StatusTeapot)
		case "/organizations/acme/members": // a code not documented for the status
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"type": "about:blank", "title": "Conflict", "status": 409, "detail": "d", "code": "slug_taken", "request_id": "x"}`))
		case "/organizations/acme/teams": // no X-Request-Id
			w.Header().Del("X-Request-Id")
			_, _ = w.Write([]byte(`{"data": [], "next_cursor": "", "previous_cursor": "", "has_more": false}`))
		}
	}))
	defer fake.Close()
	for _, path := range []string{"/industries", "/organizations", "/organizations/acme", "/organizations/acme/members", "/organizations/acme/teams"} {
		var reports []string
		c := &http.Client{Transport: &checkingTransport{base: http.DefaultTransport,
			report: func(format string, args ...any) { reports = append(reports, fmt.Sprintf(format, args...)) }}}
		req, _ := http.NewRequest("GET", fake.URL+path, nil)
		req.Header.Set(HeaderUserID, "alice")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if len(reports) == 0 {
			t.Errorf("GET %s: a response that strays from the document passed the check", path)
		}
	}
}

// TestOpenAPIDocument checks the document is valid OpenAPI 3.1 and describes
// exactly the routes the Handler serves.
func TestOpenAPIDocument(t *testing.T) {
	v, err := openAPIValidator()
	if err != nil {
		t.Fatal(err)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		t.Fatalf("the OpenAPI document is not valid:%s", describeErrors(errs))
	}
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
