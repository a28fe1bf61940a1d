package webhooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
)

// receiver is a webhook endpoint as a host would write one: it verifies
// every request with Verify and answers 401 when that fails. It also checks
// the raw headers and records what it saw.
type receiver struct {
	t       *testing.T
	secrets []Secret
	now     func() time.Time
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	problem []string
}

var (
	rawID        = regexp.MustCompile(`^evt_[0-9A-Za-z]+$`)
	rawTimestamp = regexp.MustCompile(`^[1-9][0-9]{9}$`)
)

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.bodies = append(rc.bodies, body)
	rc.headers = append(rc.headers, r.Header.Clone())
	fail := func(format string, args ...any) { rc.problem = append(rc.problem, fmt.Sprintf(format, args...)) }
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		fail("%s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
	}
	for _, name := range []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"} {
		if len(r.Header[name]) != 1 {
			fail("%d %s headers", len(r.Header[name]), name)
		}
	}
	if id := r.Header.Get("webhook-id"); !rawID.MatchString(id) {
		fail("webhook-id %q", id)
	}
	if ts := r.Header.Get("webhook-timestamp"); !rawTimestamp.MatchString(ts) {
		fail("webhook-timestamp %q", ts)
	}
	sig := r.Header.Get("webhook-signature")
	if !headerSignature.MatchString(sig) || strings.Count(sig, "v1,") != len(rc.secrets) {
		fail("webhook-signature %q, want %d v1 signatures", sig, len(rc.secrets))
	}
	// Each secret alone verifies: either side of a rotation accepts it.
	for i, s := range rc.secrets {
		if err := (Verifier{Secrets: []Secret{s}, Now: rc.now}).Verify(r.Header, body); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "secret %d: %v", i, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) check() {
	rc.t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, p := range rc.problem {
		rc.t.Error("receiver: " + p)
	}
}

var testEvent = orgs.Event{
	ID: "evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", OrganizationID: "org_1", Type: "member.added", ActorID: "user_alice",
	Data: map[string]string{"user_id": "user_bob", "role": "member"}, CreatedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
}

func testMessage(t *testing.T) Message {
	msg, err := NewMessage(testEvent)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func localClient(o ClientOptions) *http.Client {
	o.AllowPrivate, o.AllowHTTP = true, true
	return NewClient(o)
}

func TestSendSigned(t *testing.T) {
	current, old := mustNewSecret(t), mustNewSecret(t)
	clock := func() time.Time { return time.Date(2026, 11, 23, 10, 0, 7, 900_000_000, time.UTC) }
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			rc := &receiver{t: t, secrets: []Secret{current, old}, now: clock}
			srv := startServer(t, "tcp4", "127.0.0.1:0", useTLS, rc.ServeHTTP)
			opts := ClientOptions{}
			if useTLS {
				opts = srv.tlsOptions(opts)
			}
			s := &Sender{Client: localClient(opts), Now: clock, UserAgent: "orgs-webhooks-test"}
			msg := testMessage(t)
			a := s.Send(context.Background(), Endpoint{ID: "ep_1", URL: srv.URL + "/hook", Secrets: []Secret{current, old}}, msg)
			rc.check()
			if a.Outcome != OutcomeSuccess || !a.Succeeded() || a.StatusCode != http.StatusNoContent || a.Err != nil {
				t.Fatalf("Attempt = %+v, want success 204", a)
			}
			if a.EndpointID != "ep_1" || a.MessageID != msg.ID || !a.SentAt.Equal(clock().Truncate(time.Second)) {
				t.Errorf("Attempt = %+v", a)
			}
			h := rc.headers[0]
			if string(rc.bodies[0]) != string(msg.Body) || h.Get("webhook-id") != msg.ID ||
				h.Get("webhook-timestamp") != strconv.FormatInt(clock().Unix(), 10) || h.Get("User-Agent") != "orgs-webhooks-test" {
				t.Errorf("received body %s and headers %v", rc.bodies[0], h)
			}
		})
	}
}

// Negative control for the receiver: a message signed with a secret it
// does not hold is refused, and the attempt says so.
func TestSendWrongSecret(t *testing.T) {
	rc := &receiver{t: t, secrets: []Secret{mustNewSecret(t)}}
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, rc.ServeHTTP)
	a := (&Sender{Client: localClient(ClientOptions{})}).Send(context.Background(), Endpoint{URL: srv.URL, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
	rc.check()
	if a.Outcome != OutcomeHTTPStatus || a.StatusCode != http.StatusUnauthorized || !strings.Contains(a.Response, "no matching signature") {
		t.Fatalf("Attempt = %+v, want non_2xx 401 saying no matching signature", a)
	}
}

func TestSendNon2xx(t *testing.T) {
	for _, code := range []int{http.StatusInternalServerError, http.StatusGone, http.StatusTooManyRequests, http.StatusFound, http.StatusOK, http.StatusAccepted} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := startServer(t, "tcp4", "127.0.0.1:0", false, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", "/elsewhere")
				w.WriteHeader(code)
				io.WriteString(w, "answer "+strconv.Itoa(code))
			})
			a := (&Sender{Client: localClient(ClientOptions{})}).Send(context.Background(), Endpoint{URL: srv.URL, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
			want := OutcomeHTTPStatus
			if code < 300 {
				want = OutcomeSuccess
			}
			if a.Outcome != want || a.StatusCode != code || a.Response != "answer "+strconv.Itoa(code) || (a.Err == nil) != (code < 300) {
				t.Fatalf("Attempt = %+v, want %s %d", a, want, code)
			}
		})
	}
}

func TestSendExcerptBounded(t *testing.T) {
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, strings.Repeat("é", 10_000))
	})
	a := (&Sender{Client: localClient(ClientOptions{}), ExcerptBytes: 9}).Send(context.Background(), Endpoint{URL: srv.URL, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
	if a.Response != "éééé" {
		t.Fatalf("Response = %q, want 4 é (8 of 9 bytes: the fifth é was cut)", a.Response)
	}
	a = (&Sender{Client: localClient(ClientOptions{})}).Send(context.Background(), Endpoint{URL: srv.URL, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
	if len(a.Response) != DefaultExcerptBytes {
		t.Fatalf("Response is %d bytes, want DefaultExcerptBytes", len(a.Response))
	}
}

// slowServer never answers until the test ends or the client hangs up.
func slowServer(t *testing.T) *testServer {
	release := make(chan struct{})
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server notices a hang-up
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for handlers
	return srv
}

func TestSendTimeout(t *testing.T) {
	srv := slowServer(t)
	ep := Endpoint{URL: srv.URL, Secrets: []Secret{mustNewSecret(t)}}
	a := (&Sender{Client: localClient(ClientOptions{Timeout: 50 * time.Millisecond})}).Send(context.Background(), ep, testMessage(t))
	if a.Outcome != OutcomeTimeout || a.StatusCode != 0 || a.Err == nil {
		t.Fatalf("client timeout: Attempt = %+v, want timeout", a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	a = (&Sender{Client: localClient(ClientOptions{})}).Send(ctx, ep, testMessage(t))
	if a.Outcome != OutcomeTimeout || !errors.Is(a.Err, context.DeadlineExceeded) {
		t.Fatalf("context deadline: Attempt = %+v, want timeout", a)
	}
	if srv.reqs.Load() != 2 {
		t.Fatalf("the slow receiver got %d requests, want 2: the timeouts must be its", srv.reqs.Load())
	}
}

// A receiver that answers 200 and then stalls the body has accepted the
// message: the status decides.
func TestSendSlowBodyAfterStatus(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := startServer(t, "tcp4", "127.0.0.1:0", false, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "accepted, ")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	a := (&Sender{Client: localClient(ClientOptions{Timeout: 50 * time.Millisecond})}).Send(context.Background(), Endpoint{URL: srv.URL, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
	if a.Outcome != OutcomeSuccess || a.Response != "accepted, " {
		t.Fatalf("Attempt = %+v, want success with the partial excerpt", a)
	}
}

func TestSendCanceled(t *testing.T) {
	srv := slowServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.reqs.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	a := (&Sender{Client: localClient(ClientOptions{})}).Send(ctx, Endpoint{URL: srv.URL, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
	if a.Outcome != OutcomeCanceled {
		t.Fatalf("Attempt = %+v, want canceled", a)
	}
}

func TestSendReceiverDown(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	a := (&Sender{Client: localClient(ClientOptions{})}).Send(context.Background(), Endpoint{URL: "http://" + addr, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
	if a.Outcome != OutcomeConnection || !errors.Is(a.Err, syscall.ECONNREFUSED) || a.StatusCode != 0 {
		t.Fatalf("Attempt = %+v, want connection_error (connection refused)", a)
	}
}

// The zero Sender uses the production policy.
func TestSendRefused(t *testing.T) {
	srv := startServer(t, "tcp4", "127.0.0.1:0", true, nil)
	for _, u := range []string{srv.URL, "https://169.254.169.254/", "http://example.com/"} {
		a := (&Sender{}).Send(context.Background(), Endpoint{URL: u, Secrets: []Secret{mustNewSecret(t)}}, testMessage(t))
		if a.Outcome != OutcomeRefused || !(errors.Is(a.Err, ErrDestinationRefused) || errors.Is(a.Err, ErrSchemeRefused)) {
			t.Errorf("%s: Attempt = %+v, want refused_destination", u, a)
		}
	}
	if n := srv.conns.Load(); n != 0 {
		t.Fatalf("the refused server accepted %d connections", n)
	}
}

func TestSendInvalid(t *testing.T) {
	sec := mustNewSecret(t)
	msg := testMessage(t)
	dotted := msg
	dotted.ID = "evt.1"
	for _, c := range []struct {
		name string
		ep   Endpoint
		msg  Message
		want error
	}{
		{"no secret", Endpoint{URL: "https://example.com"}, msg, ErrNoSecret},
		{"zero secret", Endpoint{URL: "https://example.com", Secrets: []Secret{{}}}, msg, ErrNoSecret},
		{"message ID with a dot", Endpoint{URL: "https://example.com", Secrets: []Secret{sec}}, dotted, ErrInvalidMessageID},
		{"relative URL", Endpoint{URL: "/hook", Secrets: []Secret{sec}}, msg, nil},
		{"no host", Endpoint{URL: "https:///hook", Secrets: []Secret{sec}}, msg, nil},
		{"unparsable, with a password", Endpoint{URL: "https://user:hunter2@exa mple.com/", Secrets: []Secret{sec}}, msg, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &dialRecorder{}
			a := (&Sender{Client: NewClient(ClientOptions{DialContext: rec.dial})}).Send(context.Background(), c.ep, c.msg)
			if a.Outcome != OutcomeInvalid || a.Err == nil || (c.want != nil && !errors.Is(a.Err, c.want)) {
				t.Fatalf("Attempt = %+v, want invalid (%v)", a, c.want)
			}
			if strings.Contains(a.Err.Error(), "hunter2") {
				t.Fatalf("the error shows the URL's password: %v", a.Err)
			}
			if d := rec.dialed(); len(d) != 0 {
				t.Fatalf("dialed %v", d)
			}
		})
	}
}
