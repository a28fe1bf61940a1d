// Command quickstart creates an organization on a SQLite file and prints it
// with its categories and hiring pipeline.
//
//	go run ./examples/quickstart [-db orgs-quickstart.db]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/store/sqlite"
)

func main() {
	dbPath := flag.String("db", "orgs-quickstart.db", "SQLite file")
	flag.Parse()
	if err := run(context.Background(), *dbPath); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dbPath string) error {
	st, err := sqlite.Open(dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	svc, err := orgs.New(st)
	if err != nil {
		return err
	}

	const alice = "user_alice"
	if err := svc.PutUser(ctx, orgs.User{ID: alice, Username: "alice", Email: "alice@example.com", Name: "Alice"}); err != nil {
		return err
	}
	org, err := svc.CreateOrganization(ctx, orgs.UserActor(alice), orgs.CreateOrganizationInput{
		Name: "Acme Robotics", Slug: "acme-robotics-" + strings.ToLower(orgs.NewID("")[20:]), Industry: "Software",
	})
	if err != nil {
		return err
	}
	detail, err := svc.GetOrganizationDetail(ctx, orgs.UserActor(alice), org.Slug)
	if err != nil {
		return err
	}

	w := os.Stdout
	fmt.Fprintf(w, "organization %s (%s), id %s, %d member, your role: %s\n",
		detail.Name, detail.Slug, detail.ID, detail.MemberCount, detail.Role)
	fmt.Fprintf(w, "%d categories:\n", len(detail.Categories))
	for _, c := range detail.Categories {
		fmt.Fprintf(w, "  %2d. %s\n", c.Position+1, c.Name)
	}
	for _, p := range detail.Pipelines {
		fmt.Fprintf(w, "pipeline %q (default: %t):\n", p.Name, p.IsDefault)
		for _, s := range p.Stages {
			fmt.Fprintf(w, "  %d. %s\n", s.Position+1, s.Name)
		}
	}
	fmt.Fprintf(w, "stored in %s\n", dbPath)
	return nil
}
