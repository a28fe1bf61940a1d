package sqlite_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/testdb"
	"github.com/tenantkit/orgs/store/sqlite"
	"github.com/tenantkit/orgs/storetest"
)

// Crash and contention tests of the SQLite store: a child process killed
// with SIGKILL while it writes, and many writers on one file.

var crashCycles = flag.Int("crash.cycles", envInt("ORGS_CRASH_CYCLES", 4), "store: SIGKILLs of the writing child in TestCrashSQLite")

// crashChildEnv names the database file of TestCrashChild; unset, the test
// is skipped (it only runs as TestCrashSQLite's child).
const crashChildEnv = "ORGS_CRASH_CHILD_DB"

// TestCrashChild is TestCrashSQLite's child process: 4 goroutines write
// organizations (fully seeded, with members, a team and an invitation),
// delete some, transfer ownership of others, until the process is killed.
// After each create it prints "CREATED <id>", after each delete
// "DELETED <id>": what it was told was committed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("run by TestCrashSQLite")
	}
	s, err := sqlite.Open(path)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	svc, err := orgs.New(s)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			boss := fmt.Sprintf("boss%d", g)
			var mine []*orgs.Organization
			for i := 0; ; i++ {
				slug := fmt.Sprintf("crash-%d-%d-%d", os.Getpid(), g, i)
				org, err := svc.CreateOrganization(ctx, orgs.UserActor(boss), orgs.CreateOrganizationInput{Name: "Crash " + slug, Slug: slug})
				if err != nil {
					say("ERROR create: %v", err)
					continue
				}
				say("CREATED %s", org.ID)
				mine = append(mine, org)
				steps := []func() error{
					func() error {
						_, err := svc.AddMember(ctx, orgs.UserActor(boss), slug, "ann", orgs.RoleAdmin)
						return err
					},
					func() error {
						_, err := svc.AddMember(ctx, orgs.UserActor(boss), slug, "bob", orgs.RoleMember)
						return err
					},
					func() error {
						_, err := svc.CreateTeam(ctx, orgs.UserActor(boss), slug, orgs.TeamInput{Name: "Core"})
						return err
					},
					func() error {
						_, err := svc.AddTeamMember(ctx, orgs.UserActor(boss), slug, "core", "bob", orgs.TeamRoleMember)
						return err
					},
					func() error {
						_, err := svc.CreateInvitation(ctx, orgs.UserActor(boss), slug, orgs.InvitationInput{Email: "carl@example.com", Role: orgs.RoleMember})
						return err
					},
				}
				for _, step := range steps {
					if err := step(); err != nil {
						say("ERROR step: %v", err)
					}
				}
				if i%3 == 2 {
					old := mine[0]
					mine = mine[1:]
					// Announced first: a kill between the commit and the
					// DELETED line leaves a delete that happened but was
					// never acknowledged.
					say("DELETING %s", old.ID)
					if err := svc.DeleteOrganization(ctx, orgs.UserActor(boss), old.Slug); err != nil {
						say("ERROR delete: %v", err)
					} else {
						say("DELETED %s", old.ID)
					}
				}
				if i%4 == 3 {
					if err := svc.RemoveMember(ctx, orgs.UserActor(boss), slug, "bob"); err != nil {
						say("ERROR remove: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestCrashSQLite kills a process writing to an SQLite file with SIGKILL,
// at a random moment, a few times over (-crash.cycles), and after each kill
// opens the file and checks: PRAGMA integrity_check is ok, no foreign key
// is broken, no row is orphaned, every organization is whole (its owner,
// its 35 categories, its pipeline of 5 stages, its organization.created
// event, exact counters) and the invariants hold; and every create or
// delete the child was told had committed is there.
func TestCrashSQLite(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "crash.db")
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	require.NoError(t, s.Close())

	created, deleted, deleting := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for cycle := range *crashCycles {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		// Kill it after a random number of creates, mid-write.
		killAfter := 1 + rand.IntN(12)
		lines := bufio.NewScanner(out)
		seen, errs, killed := 0, 0, false
		timeout := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			switch {
			case len(f) == 2 && f[0] == "CREATED":
				created[f[1]] = true
				seen++
			case len(f) == 2 && f[0] == "DELETING":
				deleting[f[1]] = true
			case len(f) == 2 && f[0] == "DELETED":
				deleted[f[1]] = true
			case len(f) > 0 && f[0] == "ERROR":
				errs++
				t.Errorf("cycle %d: child: %s", cycle, lines.Text())
			}
			if seen >= killAfter && !killed {
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				require.NoError(t, cmd.Process.Kill()) // SIGKILL
				killed = true
				// Go on reading: what the child printed before it died is
				// still in the pipe, and it was acknowledged.
			}
		}
		timeout.Stop()
		err = cmd.Wait()
		require.Error(t, err, "the child must have been killed")
		require.GreaterOrEqual(t, seen, killAfter, "cycle %d: the child stopped before it was killed: %v", cycle, err)
		n := checkCrashedFile(t, path, created, deleted, deleting)
		t.Logf("cycle %d: killed after %d creates acknowledged (%d errors); the file holds %d whole organizations", cycle, seen, errs, n)
	}
	t.Logf("%d SIGKILLs: %d creates and %d deletes acknowledged, all found; integrity ok after each", *crashCycles, len(created), len(deleted))
}

// checkCrashedFile opens the file after a crash and checks it (see
// TestCrashSQLite); it returns how many organizations it holds.
func checkCrashedFile(t *testing.T, path string, created, deleted, deleting map[string]bool) int {
	t.Helper()
	ctx := t.Context()
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	defer s.Close()
	var integrity []string
	require.NoError(t, s.DB().NewRaw("PRAGMA integrity_check").Scan(ctx, &integrity))
	require.Equal(t, []string{"ok"}, integrity, "integrity_check")
	rows, err := s.DB().QueryContext(ctx, "PRAGMA foreign_key_check")
	require.NoError(t, err)
	assert.False(t, rows.Next(), "foreign_key_check finds broken references")
	require.NoError(t, rows.Close())
	found, err := testdb.Orphans(ctx, s.DB())
	require.NoError(t, err)
	assert.Empty(t, found)

	var ids []string
	require.NoError(t, s.DB().NewRaw("SELECT id FROM organizations ORDER BY id").Scan(ctx, &ids))
	present := map[string]bool{}
	for _, id := range ids {
		present[id] = true
		var c struct{ Cats, Pipes, Stages, Owners, Created int }
		require.NoError(t, s.DB().NewRaw(`SELECT
			(SELECT count(*) FROM categories WHERE organization_id = ?0) AS cats,
			(SELECT count(*) FROM pipelines WHERE organization_id = ?0) AS pipes,
			(SELECT count(*) FROM stages WHERE pipeline_id IN (SELECT id FROM pipelines WHERE organization_id = ?0)) AS stages,
			(SELECT count(*) FROM members WHERE organization_id = ?0 AND role = 'owner') AS owners,
			(SELECT count(*) FROM events WHERE organization_id = ?0 AND type = 'organization.created') AS created`, id).Scan(ctx, &c))
		assert.Equal(t, struct{ Cats, Pipes, Stages, Owners, Created int }{35, 1, 5, 1, 1}, c, "organization %s is partial", id)
	}
	for id := range created {
		switch {
		case deleted[id]:
			assert.False(t, present[id], "organization %s: its delete was acknowledged but it is back", id)
		case deleting[id]:
			// Killed during its delete: gone or whole (checked above).
			if !present[id] {
				deleted[id] = true
			}
		default:
			assert.True(t, present[id], "organization %s: its create was acknowledged but it is lost", id)
		}
	}
	var users []string
	require.NoError(t, s.DB().NewRaw("SELECT DISTINCT user_id FROM members").Scan(ctx, &users))
	vs, err := storetest.CheckInvariants(ctx, s, storetest.InvariantOptions{Users: users, OrganizationIDs: ids})
	require.NoError(t, err)
	assert.Empty(t, vs, "invariants after the crash")
	return len(ids)
}

// TestSQLiteContention has 16 goroutines, over two stores (two pools, as
// two processes would be) on one SQLite file, run the torture mixes that
// write the most, then checks the file's integrity. With the store's DSN
// (immediate transactions, a 5 s busy timeout) writers queue: no call may
// fail, with SQLITE_BUSY or anything else, and nothing may break.
func TestSQLiteContention(t *testing.T) {
	t.Parallel()
	var busy, other int
	for _, sc := range []string{"Counters", "Uniqueness"} {
		path := filepath.Join(t.TempDir(), sc+".db")
		var stores []orgs.Store
		for range 2 {
			s, err := sqlite.Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			require.NoError(t, s.Migrate(t.Context()))
			stores = append(stores, s)
		}
		r := storetest.Torture(t, sc, stores, storetest.TortureOptions{Goroutines: 16})
		t.Log(r.String())
		for _, u := range r.Unexpected {
			if strings.Contains(u, "SQLITE_BUSY") || strings.Contains(u, "database is locked") {
				busy++
			} else {
				other++
			}
		}
		assert.Empty(t, r.Violations)
		if len(r.Unexpected) > 0 {
			t.Errorf("%s: %d unexpected errors, first: %s", sc, len(r.Unexpected), r.Unexpected[0])
		}
		var integrity []string
		require.NoError(t, stores[0].(*sqlite.Store).DB().NewRaw("PRAGMA integrity_check").Scan(t.Context(), &integrity))
		assert.Equal(t, []string{"ok"}, integrity)
	}
	t.Logf("SQLite contention: %d SQLITE_BUSY errors, %d other unexpected errors", busy, other)
}

// envInt returns the integer in the environment variable name, or def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
