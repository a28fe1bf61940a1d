package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
)

func TestNewChecksOptions(t *testing.T) {
	e := newEnv(t, openSQLite)
	auth := func(*http.Request) (string, error) { return "a", nil }
	for _, c := range []struct {
		svc  *orgs.Service
		opts Options
	}{
		{nil, Options{Authenticate: auth}},
		{e.svc, Options{}},
		{e.svc, Options{Authenticate: auth, MaxBodyBytes: -1}},
	} {
		if _, err := New(c.svc, c.opts); err == nil {
			t.Errorf("New(%v, %+v) did not fail", c.svc, c.opts)
		}
	}
}

// serveWith serves e's Service with other options, behind the checking
// transport.
func serveWith(t *testing.T, e *env, opts Options) *env {
	t.Helper()
	h, err := New(e.svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	out := *e
	out.srv = srv
	out.http = &http.Client{Transport: &recordingTransport{base: http.DefaultTransport}}
	return &out
}

func TestOptions(t *testing.T) {
	e := newEnv(t, openSQLite)

	small := serveWith(t, e, Options{Authenticate: DemoAuthenticator(e.svc), MaxBodyBytes: 64})
	small.call("POST", "/organizations", "alice", map[string]any{"name": strings.Repeat("a", 100)}, badRequest()).problem(413, CodeBodyTooLarge)
	small.call("POST", "/organizations", "alice", map[string]any{"name": "Small"}).ok(201, nil)

	// An Authenticate that answers no user, or fails, is a 401 that does
	// not show its error; one that panics is a 500, logged.
	logs := &syncBuffer{}
	var mode string
	odd := serveWith(t, e, Options{Logger: newTestLogger(logs), Authenticate: func(r *http.Request) (string, error) {
		switch mode {
		case "empty":
			return "", nil
		case "error":
			return "", errors.New("session store unreachable: 10.0.0.7")
		default:
			panic("authenticator bug")
		}
	}})
	for _, mode = range []string{"empty", "error"} {
		p := odd.call("GET", "/industries", "alice", nil).problem(401, CodeUnauthenticated)
		if strings.Contains(p.Detail, "10.0.0.7") {
			t.Errorf("the 401 shows the authenticator's error: %s", p.Detail)
		}
	}
	mode = "panic"
	p := odd.call("GET", "/organizations", "alice", nil).problem(500, CodeInternal)
	if !strings.Contains(logs.String(), "authenticator bug") || !strings.Contains(logs.String(), p.RequestID) {
		t.Errorf("the panic is not logged with the request ID: %s", logs.String())
	}
}

func TestDemoAuthenticator(t *testing.T) {
	e := newEnv(t, openSQLite)
	ctx := context.Background()
	user := func(id string) orgs.User {
		t.Helper()
		us, err := e.store.Users(ctx, []string{id})
		if err != nil {
			t.Fatal(err)
		}
		return us[id]
	}
	// No profile headers: nothing recorded.
	e.call("GET", "/organizations", "dana", nil).ok(200, nil)
	if u := user("dana"); u.ID != "" {
		t.Fatalf("recorded without profile headers: %+v", u)
	}
	e.call("GET", "/organizations", "dana", nil, withHeader(HeaderUserEmail, "Dana@Example.com")).ok(200, nil)
	if u := user("dana"); u.Email != "dana@example.com" || u.Username != "dana" {
		t.Fatalf("recorded %+v", u)
	}
	// Later headers replace only their fields.
	e.call("GET", "/organizations", "dana", nil, withHeader(HeaderUserName, "Dana Scully"), withHeader(HeaderUserUsername, "scully")).ok(200, nil)
	if u := user("dana"); u.Email != "dana@example.com" || u.Name != "Dana Scully" || u.Username != "scully" {
		t.Fatalf("recorded %+v", u)
	}
	e.call("GET", "/organizations", "", nil).problem(401, CodeUnauthenticated)
	e.call("GET", "/organizations", "dana", nil, withHeader(HeaderUserEmail, "nope"), badRequest()).invalid(HeaderUserEmail)
}
