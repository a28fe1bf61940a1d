package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs/internal/testdb"
)

// TestCommand builds orgsctl and runs an operator's session with it, on a
// SQLite file and on a Postgres schema: every command, JSON output, and
// clear errors with a non-zero exit status for bad input.
func TestCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "orgsctl")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, b := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "orgs.db") }},
		{"postgres", func(t *testing.T) string { return testdb.PostgresSchemaURL(t) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.db(t)
			ctl := func(wantExit int, args ...string) (string, string) {
				t.Helper()
				cmd := exec.Command(bin, append([]string{"-db", db}, args...)...)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else {
					require.NoError(t, err)
				}
				require.Equal(t, wantExit, code, "orgsctl %v: stdout %s stderr %s", args, stdout.String(), stderr.String())
				return stdout.String(), stderr.String()
			}
			jsonOf := func(args ...string) map[string]any {
				t.Helper()
				out, _ := ctl(0, append(args, "-json")...)
				var v map[string]any
				require.NoError(t, json.Unmarshal([]byte(out), &v), out)
				return v
			}

			_, stderr := ctl(1, "organizations", "list")
			assert.Contains(t, stderr, "Migrate", "before migrate: a clear error")
			ctl(0, "migrate")
			ctl(0, "migrate") // again: nothing to do

			org := jsonOf("organizations", "create", "-name", "Acme Corp", "-external-id", "acme-1", "-domain", "acme.example", "-owner", "alice")
			assert.Equal(t, "acme-corp", org["slug"])
			assert.Equal(t, float64(1), org["member_count"])
			ds := org["domain_details"].([]any)
			require.Len(t, ds, 1)
			assert.Equal(t, "verified", ds[0].(map[string]any)["state"])
			id := org["id"].(string)

			m := jsonOf("members", "add", "acme-corp", "bob", "-role", "admin")
			assert.Equal(t, "admin", m["role"])
			assert.True(t, strings.HasPrefix(m["id"].(string), "om_"))
			out, _ := ctl(0, "members", "list", id)
			assert.Contains(t, out, "alice")
			assert.Contains(t, out, "bob")

			_, stderr = ctl(1, "members", "deactivate", "acme-corp", "alice")
			assert.Contains(t, stderr, "at least one owner")
			ctl(0, "transfer-ownership", "acme-corp", "bob")
			off := jsonOf("members", "deactivate", "acme-corp", "alice")
			assert.Equal(t, "inactive", off["status"])
			assert.Equal(t, "owner", off["role"])
			inactive := jsonOf("members", "list", "acme-corp", "-status", "inactive")
			assert.Len(t, inactive["data"], 1)
			ctl(0, "members", "reactivate", "acme-corp", "alice")
			set := jsonOf("members", "set-role", "acme-corp", "alice", "member")
			assert.Equal(t, "member", set["role"])
			ctl(0, "members", "remove", "acme-corp", "alice")
			_, stderr = ctl(1, "members", "remove", "acme-corp", "alice")
			assert.Contains(t, stderr, "not found")

			inv := jsonOf("invitations", "create", "acme-corp", "Carol@Example.com", "-days", "3", "-inviter", "bob")
			assert.Equal(t, "carol@example.com", inv["email"])
			assert.Equal(t, "bob", inv["invited_by"])
			assert.NotEmpty(t, inv["token"])
			l := jsonOf("invitations", "list", "-email", "carol@example.com")
			assert.Len(t, l["data"], 1)
			rv := jsonOf("invitations", "revoke", inv["id"].(string))
			assert.Equal(t, "revoked", rv["status"])
			assert.NotNil(t, rv["revoked_at"])
			_, stderr = ctl(1, "invitations", "revoke", inv["id"].(string))
			assert.Contains(t, stderr, "not pending")
			_, stderr = ctl(1, "invitations", "create", "acme-corp", "dave@example.com", "-days", "31")
			assert.Contains(t, stderr, "expires_in_days")

			up := jsonOf("organizations", "update", "acme-corp", "-stripe-customer-id", "cus_123", "-name", "Acme Inc")
			assert.Equal(t, "cus_123", up["stripe_customer_id"])
			got := jsonOf("organizations", "get", id)
			assert.Equal(t, "Acme Inc", got["name"])
			assert.Equal(t, "cus_123", got["stripe_customer_id"])
			_, stderr = ctl(1, "organizations", "update", "acme-corp", "-stripe-customer-id", "nope")
			assert.Contains(t, stderr, "stripe_customer_id")
			jsonOf("organizations", "create", "-name", "Other Co")
			listed := jsonOf("organizations", "list", "-domain", "acme.example", "-domain", "none.example")
			assert.Len(t, listed["data"], 1)
			all := jsonOf("organizations", "list", "-desc", "-limit", "1")
			require.Len(t, all["data"], 1)
			assert.Equal(t, "Other Co", all["data"].([]any)[0].(map[string]any)["name"])
			assert.NotEmpty(t, all["next_cursor"])

			out, _ = ctl(0, "events", "list", "acme-corp")
			for _, typ := range []string{"organization.created", "member.added", "ownership.transferred", "member.deactivated",
				"member.reactivated", "member.role_updated", "member.removed", "invitation.created", "invitation.revoked", "organization.updated"} {
				assert.Contains(t, out, typ)
			}
			assert.Contains(t, out, "system")
			// follow prints the events that come after it starts.
			follow := exec.Command(bin, "-db", db, "events", "follow", "acme-corp", "-max", "1", "-interval", "50ms", "-json")
			var fout bytes.Buffer
			follow.Stdout = &fout
			require.NoError(t, follow.Start())
			done := make(chan error, 1)
			go func() { done <- follow.Wait() }()
			// Add members until follow has printed one (it may not have read
			// the log's end when the first is added); no timing is asserted.
		wait:
			for i := 0; ; i++ {
				ctl(0, "members", "add", "acme-corp", "follower-"+strconv.Itoa(i))
				select {
				case err := <-done:
					require.NoError(t, err)
					break wait
				case <-time.After(2 * time.Second):
				}
			}
			var ev map[string]any
			require.NoError(t, json.Unmarshal(fout.Bytes(), &ev), fout.String())
			assert.Equal(t, "member.added", ev["type"])
			assert.Equal(t, "system", ev["actor_type"])

			ctl(0, "organizations", "delete", "acme-corp")
			_, stderr = ctl(1, "organizations", "get", "acme-corp")
			assert.Contains(t, stderr, "not found")
			_, stderr = ctl(2, "frobnicate")
			assert.Contains(t, stderr, "unknown command")
			ctl(2, "members", "add", "only-one-arg")
			ctl(2, "organizations", "list", "-nope")
			ctl(2)
			out, _ = ctl(0, "help")
			assert.Contains(t, out, "transfer-ownership")
		})
	}
}
