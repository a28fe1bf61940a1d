// Package openapi is the OpenAPI contract test of package httpapi: every
// exchange httpapi's own test suite makes (recorded with
// ORGS_HTTP_TRANSCRIPT) must match the document the handler serves, and
// the suite must receive every documented (operation, status, code). It
// lives in the e2e module so that the validator (libopenapi) never reaches
// a host's go.mod.
package openapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/tenantkit/orgs/httpapi"
)

// envTranscript names the file httpapi's tests record to
// (httpapi/transcript_test.go).
const envTranscript = "ORGS_HTTP_TRANSCRIPT"

// exchange is httpapi's recorded Exchange (httpapi/transcript_test.go).
type exchange struct {
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	RequestHeader  http.Header `json:"request_header"`
	RequestBody    []byte      `json:"request_body"`
	BadRequest     bool        `json:"bad_request"`
	Status         int         `json:"status"`
	ResponseHeader http.Header `json:"response_header"`
	ResponseBody   []byte      `json:"response_body"`
}

var openAPIValidator = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(httpapi.OpenAPI())
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
	for _, r := range httpapi.Routes() {
		mux.Handle(r.Method+" "+r.Path, http.NotFoundHandler())
	}
	return mux
})

// check validates one exchange and returns what does not match the
// document, and the documented response it was ("" for the router's own
// 404 and 405, which are not operations).
func check(v validator.Validator, ex exchange) (problems []string, key string) {
	req, err := http.NewRequest(ex.Method, "http://api.test"+ex.URL, bytes.NewReader(ex.RequestBody))
	if err != nil {
		return []string{fmt.Sprintf("recorded request %s %s: %v", ex.Method, ex.URL, err)}, ""
	}
	req.Header = ex.RequestHeader.Clone()
	_, pattern := routeMux().Handler(req)
	if pattern == "" {
		return nil, ""
	}
	what := ex.Method + " " + ex.URL
	clone := func() *http.Request {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(ex.RequestBody))
		return r
	}
	if !ex.BadRequest {
		if ok, errs := v.ValidateHttpRequestSync(clone()); !ok {
			problems = append(problems, fmt.Sprintf("request %s does not match the document:%s", what, describe(errs)))
		}
	}
	resp := &http.Response{StatusCode: ex.Status, Header: ex.ResponseHeader.Clone(),
		Body: io.NopCloser(bytes.NewReader(ex.ResponseBody)), Request: clone()}
	if ok, errs := v.ValidateHttpResponse(clone(), resp); !ok {
		problems = append(problems, fmt.Sprintf("response %d to %s does not match the document:%s\nbody: %.500s",
			ex.Status, what, describe(errs), ex.ResponseBody))
	}
	key = pattern + " " + strconv.Itoa(ex.Status)
	if ex.Status >= 400 {
		var p httpapi.Problem
		_ = json.Unmarshal(ex.ResponseBody, &p)
		key += " " + p.Code
	}
	return problems, key
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s: %s", s.FieldPath+" "+s.KeywordLocation, s.Reason)
		}
	}
	return b.String()
}

// transcript returns httpapi's recorded exchanges: the file
// ORGS_HTTP_TRANSCRIPT names (scripts/test.sh records it while it runs the
// root module's tests), or a fresh recording of `go test ./httpapi/`.
func transcript(t *testing.T) []exchange {
	path := os.Getenv(envTranscript)
	if path == "" {
		path = filepath.Join(t.TempDir(), "transcript.jsonl")
		cmd := exec.Command("go", "test", "-count=1", "./httpapi/")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), envTranscript+"="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go test ./httpapi/: %v\n%s", err, out)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", envTranscript, err)
	}
	defer f.Close()
	var out []exchange
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ex exchange
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatalf("transcript line %d: %v", len(out)+1, err)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHTTPAPIContract validates every recorded exchange and checks that the
// suite received every documented (operation, status, code).
func TestHTTPAPIContract(t *testing.T) {
	v, err := openAPIValidator()
	if err != nil {
		t.Fatal(err)
	}
	exchanges := transcript(t)
	if len(exchanges) < 1000 {
		t.Fatalf("only %d exchanges recorded: the transcript is not of a full run of httpapi's tests", len(exchanges))
	}
	seen := map[string]int{}
	failed := 0
	for _, ex := range exchanges {
		problems, key := check(v, ex)
		for _, p := range problems {
			failed++
			if failed <= 50 {
				t.Error(p)
			}
		}
		if key != "" {
			seen[key]++
		}
	}
	if failed > 50 {
		t.Errorf("… and %d more mismatches", failed-50)
	}
	keys, err := documented()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, k := range keys {
		if seen[k] == 0 {
			missing = append(missing, k)
		}
	}
	t.Logf("OpenAPI contract: %d exchanges validated, %d mismatches; %d of %d documented (operation, status, code) seen",
		len(exchanges), failed, len(keys)-len(missing), len(keys))
	if len(missing) > 0 {
		t.Errorf("documented responses the tests never received:\n  %s", strings.Join(missing, "\n  "))
	}
}

// TestCheckCatchesMismatches proves the check is not vacuous, through the
// same path TestHTTPAPIContract reports with: answers that stray from the
// document produce problems.
func TestCheckCatchesMismatches(t *testing.T) {
	v, err := openAPIValidator()
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"x"}}
	problemJSON := http.Header{"Content-Type": {"application/problem+json"}, "X-Request-Id": {"x"}}
	user := http.Header{}
	user.Set(httpapi.HeaderUserID, "alice")
	for name, ex := range map[string]exchange{
		"data must be strings": {Method: "GET", URL: "/industries", RequestHeader: user, Status: 200, ResponseHeader: json,
			ResponseBody: []byte(`{"data": [1], "next_cursor": "", "previous_cursor": "", "has_more": false}`)},
		"an undocumented field": {Method: "GET", URL: "/organizations", RequestHeader: user, Status: 200, ResponseHeader: json,
			ResponseBody: []byte(`{"data": [], "next_cursor": "", "previous_cursor": "", "has_more": false, "total": 0}`)},
		"an undocumented status": {Method: "GET", URL: "/organizations/acme", RequestHeader: user, Status: 418, ResponseHeader: json},
		"a code not documented for the status": {Method: "GET", URL: "/organizations/acme/members", RequestHeader: user, Status: 409,
			ResponseHeader: problemJSON, ResponseBody: []byte(`{"type": "about:blank", "title": "Conflict", "status": 409, "detail": "d", "code": "slug_taken", "request_id": "x"}`)},
		"no X-Request-Id": {Method: "GET", URL: "/organizations/acme/teams", RequestHeader: user, Status: 200,
			ResponseHeader: http.Header{"Content-Type": {"application/json"}},
			ResponseBody:   []byte(`{"data": [], "next_cursor": "", "previous_cursor": "", "has_more": false}`)},
		"an unknown event type in the query": {Method: "GET", URL: "/organizations/acme/events?type=member.joined", RequestHeader: user,
			Status: 200, ResponseHeader: json, ResponseBody: []byte(`{"data": [], "next_cursor": "", "previous_cursor": "", "has_more": false}`)},
	} {
		if problems, _ := check(v, ex); len(problems) == 0 {
			t.Errorf("%s: an exchange that strays from the document passed the check", name)
		}
	}
	// And a conforming one passes.
	ok := exchange{Method: "GET", URL: "/industries", RequestHeader: user, Status: 200, ResponseHeader: json,
		ResponseBody: []byte(`{"data": ["Software"], "next_cursor": "", "previous_cursor": "", "has_more": false}`)}
	if problems, _ := check(v, ok); len(problems) != 0 {
		t.Errorf("a conforming exchange failed: %v", problems)
	}
}

// TestOpenAPIDocumentValid: the document is valid OpenAPI 3.1.
func TestOpenAPIDocumentValid(t *testing.T) {
	v, err := openAPIValidator()
	if err != nil {
		t.Fatal(err)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		t.Fatalf("the OpenAPI document is not valid:%s", describe(errs))
	}
}

// documented lists every response the document promises, as the keys
// check returns.
func documented() ([]string, error) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
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
