package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWalkthrough runs the server and the package doc's walk-through, then
// stops it as SIGINT would.
func TestWalkthrough(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{addr: "127.0.0.1:0", db: filepath.Join(t.TempDir(), "orgs.db"), stderr: logs,
			ready: func(a string) { addrc <- a }})
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-done:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	if !strings.Contains(logs.String(), "NOT for production") || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("no loud warning: %s", logs.String())
	}

	do := func(method, path, user string, hdr map[string]string, body string, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("X-User-ID", user)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		return b
	}
	do("POST", "/organizations", "alice", map[string]string{"X-User-Email": "alice@example.com"}, `{"name": "Acme Robotics", "slug": "acme"}`, 201)
	var inv struct {
		Token     string `json:"token"`
		AcceptURL string `json:"accept_url"`
	}
	if err := json.Unmarshal(do("POST", "/organizations/acme/invitations", "alice", nil, `{"email": "bob@example.com", "role": "member"}`, 201), &inv); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inv.AcceptURL, base+"/invitations/accept?token=") {
		t.Errorf("accept_url %q", inv.AcceptURL)
	}
	page := do("GET", strings.TrimPrefix(inv.AcceptURL, base), "", nil, "", 200)
	if !strings.Contains(string(page), inv.Token) {
		t.Errorf("accept page: %s", page)
	}
	do("POST", "/invitations/accept", "bob", map[string]string{"X-User-Email": "bob@example.com"}, `{"token": "`+inv.Token+`"}`, 200)
	var members struct {
		Data []struct {
			UserID string `json:"user_id"`
			Role   string
		}
	}
	if err := json.Unmarshal(do("GET", "/organizations/acme/members", "alice", nil, "", 200), &members); err != nil {
		t.Fatal(err)
	}
	if len(members.Data) != 2 || members.Data[0].UserID != "alice" || members.Data[1].UserID != "bob" {
		t.Fatalf("members: %+v", members.Data)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not stop")
	}
}
