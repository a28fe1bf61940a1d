package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantkit/orgs/webhooks"
)

// TestWebhookFlags: with -webhook-url and -webhook-secret the server
// delivers every organization's events to that (loopback, http) URL,
// signed with the secret, says so loudly, and serves the organization
// webhook routes; a restart with another secret replaces it.
func TestWebhookFlags(t *testing.T) {
	secret := webhooks.MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	var mu sync.Mutex
	var types []string
	var bad int
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := webhooks.Verify(r.Header, body, secret); err != nil {
			bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p webhooks.Payload
		_ = json.Unmarshal(body, &p)
		types = append(types, string(p.Type))
	}))
	defer recv.Close()
	db := filepath.Join(t.TempDir(), "orgs.db")

	serve := func(cfg config) (base string, logs *lockedBuffer, stop func()) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		addrc := make(chan string, 1)
		logs = &lockedBuffer{}
		done := make(chan error, 1)
		cfg.addr, cfg.db, cfg.stderr, cfg.webhookPoll = "127.0.0.1:0", db, logs, 10*time.Millisecond
		cfg.ready = func(a string) { addrc <- a }
		go func() { done <- run(ctx, cfg) }()
		select {
		case a := <-addrc:
			base = "http://" + a
		case err := <-done:
			t.Fatal(err)
		}
		return base, logs, func() {
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("shutdown: %v", err)
			}
		}
	}
	base, logs, stop := serve(config{webhookURL: recv.URL + "/hook", webhookSecret: secret.Encoded()})
	if !strings.Contains(logs.String(), "WEBHOOKS: delivering") || !strings.Contains(logs.String(), "ALLOWED") {
		t.Errorf("no loud line about the webhook endpoint: %s", logs.String())
	}
	post := func(path, body string, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("X-User-ID", "alice")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %d, want %d: %s", path, resp.StatusCode, want, b)
		}
		return b
	}
	post("/organizations", `{"name": "Acme", "slug": "acme"}`, 201)
	// The organization routes: an admin adds the organization's own
	// endpoint; loopback is refused for it at delivery (production policy).
	var ep struct{ ID, Secret string }
	if err := json.Unmarshal(post("/organizations/acme/webhooks", `{"url": "https://127.0.0.1:1/x"}`, 201), &ep); err != nil || ep.Secret == "" {
		t.Fatalf("org endpoint: %+v %v", ep, err)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	has := func(typ string) func() bool {
		return func() bool {
			mu.Lock()
			defer mu.Unlock()
			for _, got := range types {
				if got == typ {
					return true
				}
			}
			return false
		}
	}
	waitFor("organization.created at the receiver", has("organization.created"))
	waitFor("webhook_endpoint.created at the receiver", has("webhook_endpoint.created"))
	waitFor("the organization's endpoint refused", func() bool {
		req, _ := http.NewRequest("GET", base+"/organizations/acme/webhooks/"+ep.ID+"/attempts", nil)
		req.Header.Set("X-User-ID", "alice")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var l struct{ Data []struct{ Outcome string } }
		_ = json.NewDecoder(resp.Body).Decode(&l)
		return len(l.Data) > 0 && l.Data[0].Outcome == "refused_destination"
	})
	stop()

	// Restarted with another secret: the endpoint now signs with it.
	next, _ := webhooks.NewSecret()
	mu.Lock()
	secret = next
	mu.Unlock()
	base, _, stop = serve(config{webhookURL: recv.URL + "/hook", webhookSecret: next.Encoded()})
	post("/organizations", `{"name": "Beta", "slug": "beta"}`, 201)
	waitFor("the second organization.created", func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, got := range types {
			if got == "organization.created" {
				n++
			}
		}
		return n == 2
	})
	stop()
	mu.Lock()
	defer mu.Unlock()
	if bad != 0 {
		t.Errorf("%d deliveries failed verification", bad)
	}
}

func TestWebhookFlagsRefuseBadSecrets(t *testing.T) {
	for _, cfg := range []config{
		{webhookURL: "http://127.0.0.1:1/hook"},
		{webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		{webhookURL: "http://127.0.0.1:1/hook", webhookSecret: "hunter2"},
		{webhookURL: "ftp://127.0.0.1/hook", webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
	} {
		cfg.addr, cfg.db, cfg.stderr = "127.0.0.1:0", filepath.Join(t.TempDir(), "orgs.db"), io.Discard
		if err := run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "webhook") {
			t.Errorf("%+v: %v, want an error naming the webhook flags", cfg, err)
		}
	}
}
