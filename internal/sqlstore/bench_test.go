package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/internal/sqlstore"
)

// eachDBBench runs fn on a fresh store of each backend.
func eachDBBench(b *testing.B, fn func(b *testing.B, s *sqlstore.Store)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, openPostgres(b)) })
}

// BenchmarkCreateOrganization measures what creating an organization with
// the default seed costs the store: one Update with the organization and its
// owner, 35 categories, a pipeline with 5 stages and an event.
func BenchmarkCreateOrganization(b *testing.B) {
	eachDBBench(b, func(b *testing.B, s *sqlstore.Store) {
		i := 0
		for b.Loop() {
			i++
			err := s.Transact(ctx, func(ctx context.Context, tx orgs.Tx) error {
				if err := tx.LockUser(ctx, "alice"); err != nil {
					return err
				}
				o := &orgs.Organization{ID: orgs.NewID(orgs.PrefixOrganization), Name: "Org", Slug: fmt.Sprintf("org-%d", i),
					CreatedBy: "alice", CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertOrganization(ctx, o, &orgs.Member{UserID: "alice", Role: orgs.RoleOwner, JoinedAt: now}); err != nil {
					return err
				}
				cs := make([]orgs.Category, 35)
				for j := range cs {
					cs[j] = orgs.Category{ID: orgs.NewID(orgs.PrefixCategory), OrganizationID: o.ID, Name: fmt.Sprint("Category ", j), Position: j, CreatedAt: now}
				}
				if err := tx.InsertCategories(ctx, cs); err != nil {
					return err
				}
				p := &orgs.Pipeline{ID: orgs.NewID(orgs.PrefixPipeline), OrganizationID: o.ID, Name: "General Hiring Pipeline", IsDefault: true, CreatedAt: now}
				for j, name := range []string{"Screening", "Interview", "Technical Task", "Final Interview", "Offer"} {
					p.Stages = append(p.Stages, orgs.Stage{ID: orgs.NewID(orgs.PrefixStage), Name: name, Position: j})
				}
				if err := tx.InsertPipeline(ctx, p); err != nil {
					return err
				}
				return tx.InsertEvent(ctx, &orgs.Event{ID: orgs.NewID(orgs.PrefixEvent), OrganizationID: o.ID,
					Type: "organization.created", ActorID: "alice", Data: map[string]string{"slug": o.Slug}, CreatedAt: now})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListMembers lists a page of 20 deep in an organization of
// 100,000 members, plain and with a search.
func BenchmarkListMembers(b *testing.B) {
	eachDBBench(b, func(b *testing.B, s *sqlstore.Store) {
		const n = 100_000
		o := &orgs.Organization{ID: orgs.NewID(orgs.PrefixOrganization), Name: "Big", Slug: "big", CreatedBy: "u000000", CreatedAt: now, UpdatedAt: now}
		if err := s.InsertOrganization(ctx, o, &orgs.Member{UserID: "u000000", Role: orgs.RoleOwner, JoinedAt: now}); err != nil {
			b.Fatal(err)
		}
		// Bulk load through SQL: the store has no batch member insert.
		const batch = 5000
		for start := 1; start < n; start += batch {
			var ms, us []string
			var args []any
			var uargs []any
			for i := start; i < min(start+batch, n); i++ {
				id := fmt.Sprintf("u%06d", i)
				ms = append(ms, "(?, ?, 'member', ?)")
				args = append(args, o.ID, id, now)
				us = append(us, "(?, ?, ?, ?, '')")
				uargs = append(uargs, id, "user"+id, id+"@example.test", fmt.Sprint("User ", i))
			}
			if _, err := s.DB().ExecContext(ctx, "INSERT INTO members VALUES "+strings.Join(ms, ", "), args...); err != nil {
				b.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, "INSERT INTO users VALUES "+strings.Join(us, ", "), uargs...); err != nil {
				b.Fatal(err)
			}
		}
		for _, c := range []struct {
			name string
			f    orgs.MemberFilter
		}{
			{"deep", orgs.MemberFilter{Range: orgs.Range{After: "u090000", MaxRows: 21}}},
			{"backward", orgs.MemberFilter{Range: orgs.Range{Before: "u090000", MaxRows: 21}}},
			{"search", orgs.MemberFilter{Search: "U0999", Range: orgs.Range{MaxRows: 21}}},
		} {
			b.Run(c.name, func(b *testing.B) {
				for b.Loop() {
					f := c.f
					f.OrganizationID = o.ID
					ms, err := s.ListMembers(ctx, f)
					if err != nil || len(ms) != 21 {
						b.Fatal(len(ms), err)
					}
				}
			})
		}
	})
}
