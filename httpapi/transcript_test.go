package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sync"
)

// The contract check. Every request the tests send through env.call goes
// through recordingTransport. When ORGS_HTTP_TRANSCRIPT names a file, each
// exchange — request and response, whole — is appended to it as one JSON
// line; the e2e module's OpenAPI contract test then validates every one
// against the OpenAPI document (path, method, parameters, bodies, status,
// content type, the problem code allowed per status and operation, the
// X-Request-Id header) and checks that the suite received every documented
// (operation, status, code). The validator lives in that module so that
// hosts' `go mod tidy` never downloads it. Without the variable, nothing is
// recorded.

// EnvTranscript names the environment variable that turns recording on.
const EnvTranscript = "ORGS_HTTP_TRANSCRIPT"

// Exchange is one recorded request and its response.
type Exchange struct {
	Method         string      `json:"method"`
	URL            string      `json:"url"` // path and query, relative to the handler
	RequestHeader  http.Header `json:"request_header"`
	RequestBody    []byte      `json:"request_body"`
	BadRequest     bool        `json:"bad_request"` // sent to test refusal: the request need not match the document
	Status         int         `json:"status"`
	ResponseHeader http.Header `json:"response_header"`
	ResponseBody   []byte      `json:"response_body"`
}

// transcript is the open recording file, shared by every test.
var transcript = sync.OnceValue(func() *recorder {
	path := os.Getenv(EnvTranscript)
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		panic("httpapi tests: " + EnvTranscript + ": " + err.Error())
	}
	return &recorder{enc: json.NewEncoder(f)}
})

type recorder struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (r *recorder) record(ex *Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.enc.Encode(ex); err != nil {
		panic("httpapi tests: recording: " + err.Error())
	}
}

// recordingTransport records the exchanges it carries (see above).
type recordingTransport struct {
	base http.RoundTripper
}

func (c *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := transcript()
	if rec == nil {
		return c.base.RoundTrip(req)
	}
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
	bad, _ := req.Context().Value(badRequestKey{}).(bool)
	rec.record(&Exchange{Method: req.Method, URL: req.URL.RequestURI(), RequestHeader: req.Header, RequestBody: reqBody,
		BadRequest: bad, Status: resp.StatusCode, ResponseHeader: resp.Header, ResponseBody: respBody})
	return resp, nil
}
