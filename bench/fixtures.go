package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

// Fixture sizes.
const (
	BigOrgMembers   = 100_000 // members of the organization listed by list_members
	DeepPosition    = 90_000  // the deep page starts after the member at this position
	UserOrgs        = 200     // organizations of the user listing their own
	TeamSize        = 10      // members added to a new team
	PageSize        = 100     // members (and organizations) per listed page
	insertBatchRows = 1000
)

// now is the time, as the Service writes it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// User is a bench user's profile, derived from its ID.
func User(id string) orgs.User {
	return orgs.User{ID: id, Username: "user-" + id, Email: id + "@bench.example",
		Name: "Bench User " + id, AvatarURL: "https://bench.example/avatars/" + id + ".png"}
}

// values returns "(?, …, ?), …" for rows rows of cols columns.
func values(rows, cols int) string {
	one := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// InsertUsers records the profiles of ids (see User) with bulk SQL inserts,
// in one transaction.
func (e *Env) InsertUsers(ctx context.Context, ids []string) error {
	tx, err := e.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	for start := 0; start < len(ids); start += insertBatchRows {
		chunk := ids[start:min(start+insertBatchRows, len(ids))]
		args := make([]any, 0, 5*len(chunk))
		for _, id := range chunk {
			u := User(id)
			args = append(args, u.ID, u.Username, u.Email, u.Name, u.AvatarURL)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO users (id, username, email, name, avatar_url) VALUES "+
			values(len(chunk), 5), args...); err != nil {
			return fmt.Errorf("bench: insert users: %w", err)
		}
	}
	return tx.Commit()
}

// InsertMembers makes ids members of orgID with role, and counts them, with
// bulk SQL inserts in one transaction.
func (e *Env) InsertMembers(ctx context.Context, orgID string, ids []string, role orgs.Role) error {
	tx, err := e.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	t := now()
	for start := 0; start < len(ids); start += insertBatchRows {
		chunk := ids[start:min(start+insertBatchRows, len(ids))]
		args := make([]any, 0, 5*len(chunk))
		for _, id := range chunk {
			args = append(args, orgID, id, role, t, orgs.NewID(orgs.PrefixMembership), t)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO members (organization_id, user_id, role, joined_at, id, updated_at) VALUES "+
			values(len(chunk), 6), args...); err != nil {
			return fmt.Errorf("bench: insert members: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE organizations SET member_count = member_count + ? WHERE id = ?",
		len(ids), orgID); err != nil {
		return err
	}
	return tx.Commit()
}

// ids returns n user IDs prefix-000000, prefix-000001, … (sorting in order).
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%06d", prefix, i)
	}
	return out
}

// newOrg creates an organization without seed data through the Service,
// owned by owner (whose profile it records), and returns its slug and ID.
func (e *Env) newOrg(ctx context.Context, owner, slug string) (string, string, error) {
	if err := e.Svc.PutUser(ctx, User(owner)); err != nil {
		return "", "", err
	}
	o, err := e.NoSeed.CreateOrganization(ctx, orgs.UserActor(owner), orgs.CreateOrganizationInput{Name: "Bench " + slug, Slug: slug})
	if err != nil {
		return "", "", fmt.Errorf("bench: create %s: %w", slug, err)
	}
	return o.Slug, o.ID, nil
}

// DetailOrg is the organization GetOrganizationDetail reads: the default
// seed (35 categories, a 5-stage pipeline), two domains and metadata.
type DetailOrg struct{ Slug, ID, Owner string }

// Detail returns the DetailOrg fixture.
func (e *Env) Detail(ctx context.Context) (DetailOrg, error) {
	return fixture(e, "detail", func() (DetailOrg, error) {
		d := DetailOrg{Owner: "detail-owner"}
		if err := e.Svc.PutUser(ctx, User(d.Owner)); err != nil {
			return d, err
		}
		o, err := e.Svc.CreateOrganization(ctx, orgs.UserActor(d.Owner), orgs.CreateOrganizationInput{
			Name: "Detail Org", Slug: "detail-org", Domains: []string{"detail.example", "detail-corp.example"},
			Metadata: map[string]string{"plan": "pro", "region": "eu"}, Industry: orgs.DefaultIndustries[0],
			Description: "The organization GetOrganizationDetail reads.",
		})
		if err != nil {
			return d, err
		}
		d.Slug, d.ID = o.Slug, o.ID
		return d, nil
	})
}

// BigOrg is an organization of BigOrgMembers members with profiles. Its
// owner is "big-owner"; the others are big-000000 … big-099998, all with
// the member role.
type BigOrg struct {
	Slug, ID, Owner string
	DeepAfter       string // the user ID at position DeepPosition, the deep page's cursor key
}

// Big returns the BigOrg fixture, seeding its rows with bulk SQL inserts.
func (e *Env) Big(ctx context.Context) (BigOrg, error) {
	return fixture(e, "big", func() (BigOrg, error) {
		b := BigOrg{Owner: "big-owner"}
		var err error
		if b.Slug, b.ID, err = e.newOrg(ctx, b.Owner, "big-org"); err != nil {
			return b, err
		}
		// Members sort big-000000 … big-099998, then big-owner.
		members := ids("big", BigOrgMembers-1)
		if err := e.InsertUsers(ctx, members); err != nil {
			return b, err
		}
		if err := e.InsertMembers(ctx, b.ID, members, orgs.RoleMember); err != nil {
			return b, err
		}
		b.DeepAfter = members[DeepPosition]
		return b, e.Settle(ctx)
	})
}

// Settle brings the database to the steady state time would bring after
// bulk loading or a burst of writes: on Postgres fresh planner statistics
// (autovacuum would ANALYZE the grown tables, but only a minute later: with
// stale ones Postgres scans every stage of every pipeline to join a few), on
// SQLite the WAL checkpointed into the database.
func (e *Env) Settle(ctx context.Context) error {
	q := "PRAGMA wal_checkpoint(TRUNCATE)"
	if e.PG {
		q = "ANALYZE"
	}
	_, err := e.DB.ExecContext(ctx, q)
	return err
}

// MultiUser is a user who is a member of UserOrgs organizations.
type MultiUser struct{ ID string }

// Multi returns the MultiUser fixture: UserOrgs organizations created by
// others through the Service, each with the user added as a member.
func (e *Env) Multi(ctx context.Context) (MultiUser, error) {
	return fixture(e, "multi", func() (MultiUser, error) {
		m := MultiUser{ID: "multi-user"}
		if err := e.Svc.PutUser(ctx, User(m.ID)); err != nil {
			return m, err
		}
		for i := range UserOrgs {
			owner := fmt.Sprintf("multi-owner-%03d", i)
			slug, _, err := e.newOrg(ctx, owner, fmt.Sprintf("multi-%03d", i))
			if err != nil {
				return m, err
			}
			if _, err := e.Svc.AddMember(ctx, orgs.UserActor(owner), slug, m.ID, orgs.RoleMember); err != nil {
				return m, err
			}
		}
		return m, e.Settle(ctx)
	})
}
