package bench_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/bench"
)

// The benchmarks run each operation of bench.Ops on SQLite (a temporary
// file) and on Postgres (ORGS_TEST_POSTGRES_URL; skipped when unset), through
// the library ("ours") and through the raw-SQL floor ("floor"):
//
//	go test -run '^$' -bench . -count 10 ./internal/bench/ > new.txt; benchstat old.txt new.txt
//	scripts/test.sh ./internal/bench/ -run '^$' -bench . -count 10   # with a throwaway Postgres
//
// Besides ns/op they report stmts/op, the SQL statements per operation
// (BEGIN and COMMIT included), from the query hook.

func BenchmarkCreateOrganization(b *testing.B)       { runOp(b, "create_org") }
func BenchmarkCreateOrganizationNoSeed(b *testing.B) { runOp(b, "create_org_noseed") }
func BenchmarkGetOrganizationDetail(b *testing.B)    { runOp(b, "get_org_detail") }
func BenchmarkAddMember(b *testing.B)                { runOp(b, "add_member") }
func BenchmarkInviteAccept(b *testing.B)             { runOp(b, "invite_accept") }
func BenchmarkChangeRole(b *testing.B)               { runOp(b, "change_role") }
func BenchmarkListMembers(b *testing.B)              { runOp(b, "list_members") }
func BenchmarkListMembersDeep(b *testing.B)          { runOp(b, "list_members_deep") }
func BenchmarkCreateTeamAdd10(b *testing.B)          { runOp(b, "create_team_add_10") }
func BenchmarkListMyOrganizations(b *testing.B)      { runOp(b, "list_my_orgs") }

// runOp runs the operation named name as sub-benchmarks
// <backend>/<ours|floor>.
func runOp(b *testing.B, name string) {
	op, ok := bench.Lookup(name)
	if !ok {
		b.Fatalf("no operation %q", name)
	}
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			e := sharedEnv(b, backend)
			for _, impl := range []bench.Impl{bench.Ours, bench.Base} {
				b.Run(impl.String(), func(b *testing.B) {
					run, err := op.Prepare(ctx, e, impl, b.N)
					if err != nil {
						b.Fatal(err)
					}
					if err := e.Settle(ctx); err != nil {
						b.Fatal(err)
					}
					e.Counter.Reset(false)
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := run(ctx, i); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					stmts, _ := e.Counter.Counts()
					b.ReportMetric(float64(stmts)/float64(b.N), "stmts/op")
				})
			}
		})
	}
}

// BenchmarkHTTPGetOrganization compares GET /organizations/{slug} through
// the httpapi handler (httptest) with the Service call it makes,
// GetOrganizationDetail. The target: the handler within 25% of the service.
func BenchmarkHTTPGetOrganization(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			e := sharedEnv(b, backend)
			d, err := e.Detail(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("service", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.Svc.GetOrganizationDetail(ctx, orgs.UserActor(d.Owner), d.Slug); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("http", func(b *testing.B) {
				h, err := e.Handler()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/organizations/"+d.Slug, nil)
					req.Header.Set("X-User-ID", d.Owner)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("GET /organizations/%s: %d %s", d.Slug, rec.Code, rec.Body)
					}
				}
			})
		})
	}
}
