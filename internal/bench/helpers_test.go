package bench_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tenantkit/orgs/internal/bench"
	"github.com/tenantkit/orgs/internal/testdb"
)

var ctx = context.Background()

// postgresURL returns the test server's URL (testdb.PostgresURL): when
// ORGS_TEST_POSTGRES_URL is unset the test or benchmark is skipped, loudly,
// or fails on CI.
func postgresURL(tb testing.TB) string {
	tb.Helper()
	return testdb.PostgresURL(tb)
}

// openEnv opens a fresh Env on backend ("sqlite" or "postgres"), closed at
// cleanup.
func openEnv(tb testing.TB, backend string) *bench.Env {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "bench.db")
	if backend == "postgres" {
		dsn = postgresURL(tb)
	}
	e, err := bench.Open(ctx, dsn, false)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Error(err)
		}
	})
	return e
}

var backends = []string{"sqlite", "postgres"}

// shared holds one Env per backend for the benchmarks of the test binary:
// the fixtures (a 100,000-member organization…) are built once. TestMain
// closes them.
var shared struct {
	sync.Mutex
	envs map[string]*bench.Env
}

func sharedEnv(b *testing.B, backend string) *bench.Env {
	b.Helper()
	dsn := ""
	if backend == "postgres" {
		dsn = postgresURL(b)
	}
	shared.Lock()
	defer shared.Unlock()
	if e := shared.envs[backend]; e != nil {
		return e
	}
	e, err := bench.Open(ctx, dsn, false)
	if err != nil {
		b.Fatal(err)
	}
	if shared.envs == nil {
		shared.envs = map[string]*bench.Env{}
	}
	shared.envs[backend] = e
	return e
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, e := range shared.envs {
		_ = e.Close()
	}
	os.Exit(code)
}
