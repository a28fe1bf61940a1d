package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantkit/orgs/internal/testdb"
)

// startServer runs the server with cfg (addr, stderr and ready filled in)
// until the test ends, and returns its base URL.
func startServer(t *testing.T, cfg config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	cfg.addr, cfg.stderr, cfg.ready = "127.0.0.1:0", io.Discard, func(a string) { addrc <- a }
	go func() { done <- run(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	select {
	case a := <-addrc:
		return "http://" + a
	case err := <-done:
		t.Fatalf("the server stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	return ""
}

// call sends one request as user and returns the status and body.
func call(t *testing.T, base, method, path, user, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-User-ID", user)
	req.Header.Set("X-User-Email", user+"@example.com")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// storm sends n requests at once and returns their statuses and the bodies
// of the successful ones.
func storm(t *testing.T, n int, req func(i int) (int, string)) (map[int]int, []string) {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	var ok []string
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code, body := req(i)
			if code != http.StatusCreated && code != http.StatusOK && !strings.Contains(body, `"code":"limit_exceeded"`) {
				t.Errorf("request %d: %d %s", i, code, body)
			}
			mu.Lock()
			defer mu.Unlock()
			statuses[code]++
			if code < 300 {
				ok = append(ok, body)
			}
		}()
	}
	close(start)
	wg.Wait()
	return statuses, ok
}

// TestLimitsOverHTTP starts the server with the limit flags' values and
// attacks each limit with concurrent requests: it holds, the excess answers
// 409 limit_exceeded, never a 5xx.
func TestLimitsOverHTTP(t *testing.T) {
	for _, backend := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "orgs.db") }},
		{"postgres", func(t *testing.T) string { return testdb.PostgresSchemaURL(t) }},
	} {
		t.Run(backend.name, func(t *testing.T) {
			cfg := config{db: backend.db(t)}
			cfg.limits.OrganizationsPerUser = 2
			cfg.limits.MembersPerOrganization = 6
			cfg.limits.PendingInvitationsPerOrganization = 3
			base := startServer(t, cfg)

			// Organizations per user: 2 of 10 concurrent creates.
			got, _ := storm(t, 10, func(i int) (int, string) {
				return call(t, base, "POST", "/organizations", "alice", fmt.Sprintf(`{"name": "Org %d", "slug": "org-%d"}`, i, i))
			})
			if got[201] != 2 || got[409] != 8 {
				t.Fatalf("organizations per user: %v, want 2×201 and 8×409", got)
			}
			if code, body := call(t, base, "POST", "/organizations", "bob", `{"name": "Bob's", "slug": "bobs"}`); code != 201 {
				t.Fatalf("another user: %d %s", code, body)
			}

			// Pending invitations: 3 of 12 concurrent invites.
			got, created := storm(t, 12, func(i int) (int, string) {
				return call(t, base, "POST", "/organizations/bobs/invitations", "bob", fmt.Sprintf(`{"email": "u%d@example.com", "role": "member"}`, i))
			})
			if got[201] != 3 || got[409] != 9 {
				t.Fatalf("pending invitations: %v, want 3×201 and 9×409", got)
			}

			// The 3 accept at once: bob and 3 members, 2 seats left.
			got, _ = storm(t, 3, func(i int) (int, string) {
				var inv struct{ Email, Token string }
				if err := json.Unmarshal([]byte(created[i]), &inv); err != nil {
					t.Error(err)
				}
				user, _, _ := strings.Cut(inv.Email, "@")
				return call(t, base, "POST", "/invitations/accept", user, `{"token": "`+inv.Token+`"}`)
			})
			if got[200] != 3 {
				t.Fatalf("accepts: %v", got)
			}

			// Members per organization, pending invitations included: 2 of
			// 12 concurrent invites (the pending limit of 3 does not bind).
			got, _ = storm(t, 12, func(i int) (int, string) {
				return call(t, base, "POST", "/organizations/bobs/invitations", "bob", fmt.Sprintf(`{"email": "v%d@example.com", "role": "member"}`, i))
			})
			if got[201] != 2 || got[409] != 10 {
				t.Fatalf("members per organization: %v, want 2×201 and 10×409", got)
			}
			if code, body := call(t, base, "GET", "/organizations/bobs", "bob", ""); code != 200 || !strings.Contains(body, `"member_count":4`) {
				t.Fatalf("organization: %d %s", code, body)
			}
		})
	}
}

// TestTwoServersStartTogether starts two servers on one new SQLite file at
// the same moment, as a supervisor would: both migrate (one after the other)
// and serve.
func TestTwoServersStartTogether(t *testing.T) {
	for round := range 3 {
		db := filepath.Join(t.TempDir(), fmt.Sprintf("together-%d.db", round))
		ctx, cancel := context.WithCancel(context.Background())
		addrs := make(chan string, 2)
		done := make(chan error, 2)
		for range 2 {
			go func() {
				done <- run(ctx, config{addr: "127.0.0.1:0", db: db, stderr: io.Discard,
					ready: func(a string) { addrs <- a }})
			}()
		}
		for range 2 {
			select {
			case a := <-addrs:
				if code, body := call(t, "http://"+a, "GET", "/organizations", "alice", ""); code != 200 {
					t.Errorf("round %d: %d %s", round, code, body)
				}
			case err := <-done:
				t.Fatalf("round %d: a server stopped: %v", round, err)
			case <-time.After(30 * time.Second):
				t.Fatalf("round %d: a server did not start", round)
			}
		}
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
	}
}
