// Package workossdk runs the official WorkOS Node SDK (e2e/workos-sdk:
// @workos-inc/node pinned in package-lock.json, driven by sdk.test.mjs)
// against the WorkOS-compatible handler (package workos), served on a real
// port at the root of its own listener — the SDK drops any path prefix —
// on SQLite and on Postgres.
package workossdk

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/workos"
)

const sdkDir = "../workos-sdk"

// needNode returns the node binary once the pinned SDK is installed (npm
// ci). Without Node or npm the test is skipped, saying so, except under
// CI=true, where it fails: CI must run the SDK.
func needNode(t *testing.T) string {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: the WorkOS SDK tests must run, but "+format, args...)
		}
		t.Skipf("SKIPPING the WorkOS SDK tests: "+format, args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable("node is not installed (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(sdkDir, "node_modules", "@workos-inc", "node", "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			unavailable("npm is not installed (%v)", err)
		}
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = sdkDir
		if out, err := cmd.CombinedOutput(); err != nil {
			unavailable("npm ci in %s failed: %v\n%s", sdkDir, err, out)
		}
	}
	return node
}

var summary = regexp.MustCompile(`(?m)^# (tests|pass|fail|skipped|cancelled) \d+$`)

func TestOfficialSDK(t *testing.T) {
	node := needNode(t)
	for _, b := range []struct {
		name string
		open func(testing.TB) *sqlstore.Store
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			st := b.open(t)
			svc, err := orgs.New(st, orgs.WithSeed(orgs.SeedNone))
			if err != nil {
				t.Fatal(err)
			}
			const key = "sk_test_workossdk"
			h, err := workos.New(svc, workos.Options{APIKeys: []string{key}, AcceptInvitationURL: "https://app.example/accept"})
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: h}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })

			port := ln.Addr().(*net.TCPAddr).Port
			cmd := exec.CommandContext(t.Context(), node, "--test", "--test-reporter=tap", "sdk.test.mjs")
			cmd.Dir = sdkDir
			cmd.Env = append(os.Environ(), "WORKOS_API_HOSTNAME=127.0.0.1", "WORKOS_API_PORT="+strconv.Itoa(port),
				"WORKOS_API_KEY="+key, "WORKOS_E2E_KEEP=")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err = cmd.Run()
			for _, line := range summary.FindAllString(out.String(), -1) {
				t.Logf("%s: %s", b.name, line)
			}
			if err != nil {
				t.Fatalf("node --test sdk.test.mjs on %s: %v\n%s", b.name, err, out.String())
			}
		})
	}
}
