package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWorkOSAPI: with a WorkOS API key the server answers the WorkOS API at
// the root of its own listener (what the SDKs need) and under /workos/ on
// the main one, with the key and nothing else.
func TestWorkOSAPI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc, waddrc := make(chan string, 1), make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{addr: "127.0.0.1:0", db: filepath.Join(t.TempDir(), "orgs.db"), stderr: io.Discard,
			workosKey: "sk_test_example", workosAddr: "127.0.0.1:0",
			ready: func(a string) { addrc <- a }, workosUp: func(a string) { waddrc <- a }})
	}()
	var base, wbase string
	for base == "" {
		select {
		case a := <-addrc:
			base = "http://" + a
		case a := <-waddrc:
			wbase = "http://" + a
		case err := <-done:
			t.Fatal(err)
		case <-time.After(30 * time.Second):
			t.Fatal("the server did not start")
		}
	}
	if wbase == "" {
		wbase = "http://" + <-waddrc
	}
	call := func(method, url, key, body string, want int) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %v", method, url, resp.StatusCode, want, out)
		}
		return out
	}
	org := call("POST", wbase+"/organizations", "sk_test_example", `{"name":"Via SDK port"}`, 201)
	got := call("GET", base+"/workos/organizations/"+org["id"].(string), "sk_test_example", "", 200)
	if got["name"] != "Via SDK port" {
		t.Errorf("mounted read: %v", got)
	}
	call("GET", wbase+"/organizations", "wrong", "", 401)
	call("GET", base+"/workos/organizations", "", "", 401)
	// The demo API is untouched.
	call("GET", base+"/organizations", "", "", 401)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
