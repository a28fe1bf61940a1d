package orgs_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/tenantkit/orgs"
)

// A host authorizes its own resources against organization roles: it
// registers the permissions it checks, grants them to roles, and asks
// Authorize, which answers with the caller's membership or a typed error.
func ExampleService_Authorize() {
	// README:authorize {
	svc, cleanup := newService(orgs.WithSeed(orgs.SeedNone),
		orgs.WithPermissions("jobs:publish", "jobs:read"), // the host's own permissions
		orgs.WithGrant(orgs.RoleAdmin, "jobs:publish", "jobs:read"),
		orgs.WithGrant(orgs.RoleMember, "jobs:read"))
	// README:authorize }
	defer cleanup()
	ctx := context.Background()
	if _, err := svc.CreateOrganization(ctx, orgs.UserActor("alice"), orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}); err != nil {
		log.Fatal(err)
	}
	if _, err := svc.AddMember(ctx, orgs.UserActor("alice"), "acme", "bob", orgs.RoleMember); err != nil {
		log.Fatal(err)
	}

	// README:authorize-call {
	m, err := svc.Authorize(ctx, orgs.UserActor("alice"), "acme", "jobs:publish") // one statement
	fmt.Println(m.Role, m.Can("jobs:publish"), err)                               // owner true <nil>
	// README:authorize-call }
	m, err = svc.Authorize(ctx, orgs.UserActor("bob"), "acme", "jobs:read")
	fmt.Println(m.Role, m.Permissions, err)
	_, err = svc.Authorize(ctx, orgs.UserActor("bob"), "acme", "jobs:publish")
	fmt.Println(errors.Is(err, orgs.ErrForbidden))
	_, err = svc.Authorize(ctx, orgs.UserActor("mallory"), "acme", "jobs:read")
	fmt.Println(errors.Is(err, orgs.ErrNotFound))
	// Output:
	// owner true <nil>
	// member [org:read members:read jobs:read] <nil>
	// true
	// true
}

// An organization's owners define roles of their own — a rank below
// owner, permissions drawn from the registered ones — and assign them like
// any role. The role means nothing in another organization.
func ExampleService_CreateOrganizationRole() {
	svc, cleanup := newService(orgs.WithSeed(orgs.SeedNone), orgs.WithPermissions("jobs:publish"))
	defer cleanup()
	ctx := context.Background()
	alice := orgs.UserActor("alice")
	for _, name := range []string{"Acme", "Globex"} {
		if _, err := svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: name}); err != nil {
			log.Fatal(err)
		}
	}
	// README:orgrole {
	r, err := svc.CreateOrganizationRole(ctx, alice, "acme", orgs.OrganizationRoleInput{
		Name: "recruiter", Rank: 150, Permissions: []orgs.Permission{"jobs:publish", orgs.PermOrgRead}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Name, r.Rank, r.Permissions)
	if _, err := svc.AddMember(ctx, alice, "acme", "carol", "recruiter"); err != nil {
		log.Fatal(err)
	}
	// README:orgrole }
	m, err := svc.Authorize(ctx, orgs.UserActor("carol"), "acme", "jobs:publish")
	fmt.Println(m.Role, err)
	_, err = svc.AddMember(ctx, alice, "globex", "carol", "recruiter")
	fmt.Println(errors.Is(err, orgs.ErrInvalid)) // globex has no such role

	// Renamed, its holders follow; deleted, they are reassigned.
	if _, err := svc.UpdateOrganizationRole(ctx, alice, "acme", "recruiter", orgs.OrganizationRoleUpdate{Name: ptr(orgs.Role("talent"))}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(errors.Is(svc.DeleteOrganizationRole(ctx, alice, "acme", "talent", ""), orgs.ErrRoleInUse))
	if err := svc.DeleteOrganizationRole(ctx, alice, "acme", "talent", orgs.RoleMember); err != nil {
		log.Fatal(err)
	}
	carol, _ := svc.GetMember(ctx, alice, "acme", "carol")
	fmt.Println(carol.Role)
	// Output:
	// recruiter 150 [org:read jobs:publish]
	// recruiter <nil>
	// true
	// true
	// member
}

func ptr[T any](v T) *T { return &v }

// The accept page shows whom an invitation is from before the user
// answers; the invited user also sees every invitation waiting for them,
// and may answer one by its ID.
func ExampleService_PreviewInvitation() {
	svc, cleanup := newService(orgs.WithSeed(orgs.SeedNone))
	defer cleanup()
	ctx := context.Background()
	alice, bob := orgs.UserActor("alice"), orgs.UserActor("bob")
	for _, u := range []orgs.User{{ID: "alice", Name: "Alice Adams"}, {ID: "bob", Email: "bob@example.com"}} {
		if err := svc.PutUser(ctx, u); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"}); err != nil {
		log.Fatal(err)
	}
	inv, err := svc.CreateInvitation(ctx, alice, "acme", orgs.InvitationInput{Email: "bob@example.com", Role: orgs.RoleAdmin})
	if err != nil {
		log.Fatal(err)
	}

	// README:invitee {
	p, err := svc.PreviewInvitation(ctx, bob, inv.Token) // for the accept page: never the token
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s invites you to %s (%s) as %s: %s\n", p.InviterName, p.OrganizationName, p.OrganizationSlug, p.Role, p.Status)

	mine, err := svc.ListMyInvitations(ctx, bob, orgs.Page{}) // addressed to bob's email, across organizations
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(mine.Data), "invitation waiting")
	m, err := svc.AcceptMyInvitation(ctx, bob, mine.Data[0].InvitationID) // by ID: the email must match
	if err != nil {
		log.Fatal(err)
	}
	// README:invitee }
	fmt.Println("joined as", m.Role)
	// Output:
	// Alice Adams invites you to Acme (acme) as admin: pending
	// 1 invitation waiting
	// joined as admin
}
