package sqlite_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantkit/orgs/store/sqlite"
)

// migrateChildEnv names the database file TestMigrateChild migrates; unset,
// that test is skipped (it only runs as a child of
// TestMigrateTwoProcessesSQLite).
const migrateChildEnv = "ORGS_MIGRATE_CHILD_DB"

// TestMigrateChild opens the SQLite file in ORGS_MIGRATE_CHILD_DB, waits
// for the instant in ORGS_MIGRATE_START (Unix nanoseconds), migrates, and
// prints "MIGRATED" or "ERROR …".
func TestMigrateChild(t *testing.T) {
	path := os.Getenv(migrateChildEnv)
	if path == "" {
		t.Skip("run by TestMigrateTwoProcessesSQLite")
	}
	*sqlite.SkipMigrationLock = os.Getenv("ORGS_MIGRATE_NO_LOCK") == "1"
	start, _ := strconv.ParseInt(os.Getenv("ORGS_MIGRATE_START"), 10, 64)
	s, err := sqlite.Open(path)
	if err != nil {
		fmt.Println("ERROR", err)
		return
	}
	defer s.Close()
	time.Sleep(time.Until(time.Unix(0, start)))
	if err := s.Migrate(t.Context()); err != nil {
		fmt.Println("ERROR", err)
		return
	}
	fmt.Println("MIGRATED")
}

// TestMigrateTwoProcessesSQLite starts two processes that migrate one new
// SQLite file at the same instant, as a supervisor starting two servers
// does: both must succeed, every round. With ORGS_NEGATIVE=1 it also runs
// the rounds without the migration lock and requires a failure, proving
// that the test can see the race.
func TestMigrateTwoProcessesSQLite(t *testing.T) {
	if os.Getenv(migrateChildEnv) != "" {
		t.Skip("in the child")
	}
	t.Parallel()
	const rounds = 5
	failures := migrateRounds(t, rounds, false)
	require.Zero(t, failures, "with the lock, every process must migrate")
	t.Logf("%d rounds × 2 processes on a new file: 0 failures", rounds)
	if os.Getenv("ORGS_NEGATIVE") == "1" {
		failures := migrateRounds(t, rounds, true)
		t.Logf("negative control, no lock: %d of %d processes failed", failures, 2*rounds)
		require.NotZero(t, failures, "without the lock the race must show")
	}
}

// migrateRounds runs the rounds and returns how many processes failed.
func migrateRounds(t *testing.T, rounds int, noLock bool) int {
	failures := 0
	for round := range rounds {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("race-%d.db", round))
		start := time.Now().Add(300 * time.Millisecond).UnixNano()
		var wg sync.WaitGroup
		outs := make([]string, 2)
		for i := range outs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateChild$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(), migrateChildEnv+"="+path,
					"ORGS_MIGRATE_START="+strconv.FormatInt(start, 10))
				if noLock {
					cmd.Env = append(cmd.Env, "ORGS_MIGRATE_NO_LOCK=1")
				}
				out, _ := cmd.CombinedOutput()
				outs[i] = string(out)
			}()
		}
		wg.Wait()
		for i, out := range outs {
			if !strings.Contains(out, "\nMIGRATED\n") {
				failures++
				if !noLock {
					t.Errorf("round %d, process %d did not migrate:\n%s", round, i, out)
				}
			}
		}
	}
	return failures
}
