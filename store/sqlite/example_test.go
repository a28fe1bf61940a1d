package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/store/sqlite"
)

// A host creates its own tenant row and the organization in one
// transaction: both commit, or neither does — events included.
func ExampleStore_WithTx() {
	dir, _ := os.MkdirTemp("", "hosttx-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(dir, "app.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	svc, err := orgs.New(st, orgs.WithSeed(orgs.SeedNone))
	if err != nil {
		log.Fatal(err)
	}
	db := st.DB() // the host's own tables live in the same database
	if _, err := db.ExecContext(ctx, "CREATE TABLE tenants (id TEXT PRIMARY KEY, plan TEXT NOT NULL)"); err != nil {
		log.Fatal(err)
	}

	signUp := func(tenant, slug, plan string, fail bool) error {
		// README:hosttx {
		tx, err := db.BeginTx(ctx, nil) // immediate: the store's DSN says so
		if err != nil {
			return err
		}
		defer tx.Rollback() // a no-op after Commit
		if _, err := tx.ExecContext(ctx, "INSERT INTO tenants (id, plan) VALUES (?, ?)", tenant, plan); err != nil {
			return err
		}
		bound, err := st.WithTx(tx)
		if err != nil {
			return err
		}
		if _, err := svc.WithStore(bound).CreateOrganization(ctx, orgs.UserActor("alice"),
			orgs.CreateOrganizationInput{Name: "Tenant " + slug, Slug: slug}); err != nil {
			return err // the tenant row is rolled back with it
		}
		// README:hosttx }
		if fail {
			return errors.New("billing refused the card")
		}
		return tx.Commit()
	}

	fmt.Println(signUp("t1", "acme", "pro", false))
	fmt.Println(signUp("t2", "globex", "pro", true))
	err = signUp("t3", "acme", "free", false) // the slug is taken: nothing of this sign-up stays
	fmt.Println(errors.Is(err, orgs.ErrSlugTaken))

	var tenants int
	_ = db.NewRaw("SELECT count(*) FROM tenants").Scan(ctx, &tenants)
	l, _ := svc.ListOrganizations(ctx, orgs.UserActor("alice"), orgs.OrganizationQuery{})
	fmt.Println(tenants, "tenant,", len(l.Data), "organization:", l.Data[0].Slug)
	_, err = svc.GetOrganization(ctx, orgs.UserActor("alice"), "globex")
	fmt.Println(errors.Is(err, orgs.ErrNotFound))
	// Output:
	// <nil>
	// billing refused the card
	// true
	// 1 tenant, 1 organization: acme
	// true
}
