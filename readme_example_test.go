package orgs_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/store/sqlite"
)

// quickStart is the README's first Go snippet, between the README: markers
// (readme_test.go checks the README shows exactly this code).
func quickStart(ctx context.Context) error {
	// README:quickstart {
	st, err := sqlite.Open("orgs.db") // or postgres.Open("postgres://…")
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

	alice, bob := orgs.UserActor("alice"), orgs.UserActor("bob")         // your users' IDs
	_ = svc.PutUser(ctx, orgs.User{ID: "bob", Email: "bob@example.com"}) // profiles, from your user store
	org, _ := svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: "Acme Robotics"})
	inv, _ := svc.CreateInvitation(ctx, alice, org.Slug, orgs.InvitationInput{Email: "bob@example.com", Role: orgs.RoleMember})
	m, _ := svc.AcceptInvitation(ctx, bob, inv.Token) // bob's recorded email is the invited one
	fmt.Println(org.Slug, m.Role, len(org.Domains))
	fmt.Println(svc.RemoveMember(ctx, bob, org.Slug, "alice")) // a member cannot remove an owner
	fmt.Println(svc.LeaveOrganization(ctx, alice, org.Slug))   // nor can the last owner leave
	// README:quickstart }
	return nil
}

// Example_quickStart runs the README's first snippet in a new directory.
func Example_quickStart() {
	dir, err := os.MkdirTemp("", "orgs-readme")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		log.Fatal(err)
	}
	defer os.Chdir(wd) //nolint:errcheck
	if err := quickStart(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// acme-robotics member 0
	// orgs: forbidden
	// orgs: organization must keep at least one owner
}
