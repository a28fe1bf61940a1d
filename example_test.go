package orgs_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
	"github.com/tenantkit/orgs/store/sqlite"
)

// newService opens a Service on a fresh SQLite file and returns a cleanup.
func newService(opts ...orgs.Option) (*orgs.Service, func()) {
	dir, err := os.MkdirTemp("", "orgs-example")
	if err != nil {
		log.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(dir, "orgs.db"))
	if err != nil {
		log.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	svc, err := orgs.New(st, opts...)
	if err != nil {
		log.Fatal(err)
	}
	return svc, func() { st.Close(); os.RemoveAll(dir) }
}

func Example() {
	svc, cleanup := newService()
	defer cleanup()
	ctx := context.Background()

	org, err := svc.CreateOrganization(ctx, orgs.UserActor("user_alice"), orgs.CreateOrganizationInput{Name: "Acme Robotics"})
	if err != nil {
		log.Fatal(err)
	}
	detail, err := svc.GetOrganizationDetail(ctx, orgs.UserActor("user_alice"), org.Slug)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(detail.Slug, detail.Role, detail.MemberCount)
	fmt.Println(len(detail.Categories), "categories, first:", detail.Categories[0].Name)
	fmt.Println(detail.Pipelines[0].Name, len(detail.Pipelines[0].Stages), "stages")
	// Output:
	// acme-robotics owner 1
	// 35 categories, first: Software Development
	// General Hiring Pipeline 5 stages
}

func ExampleService_AcceptInvitation() {
	svc, cleanup := newService(orgs.WithInvitationOptions(orgs.InvitationOptions{
		AcceptURL: "https://app.example.com/invitations/accept",
	}))
	defer cleanup()
	ctx := context.Background()

	// The host records profiles; the accepting user's email must match.
	_ = svc.PutUser(ctx, orgs.User{ID: "user_bob", Username: "bob", Email: "Bob@Example.com"})
	_, _ = svc.CreateOrganization(ctx, orgs.UserActor("user_alice"), orgs.CreateOrganizationInput{Name: "Acme"})

	inv, err := svc.CreateInvitation(ctx, orgs.UserActor("user_alice"), "acme", orgs.InvitationInput{Email: "bob@example.com", Role: orgs.RoleAdmin})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Status, inv.Email, inv.Role, len(inv.Token) > 0)

	m, err := svc.AcceptInvitation(ctx, orgs.UserActor("user_bob"), inv.Token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.UserID, m.Role, m.Username)

	_, err = svc.AcceptInvitation(ctx, orgs.UserActor("user_bob"), inv.Token)
	fmt.Println(errors.Is(err, orgs.ErrInvitationNotPending))
	// Output:
	// pending bob@example.com admin true
	// user_bob admin bob
	// true
}

func ExampleService_LeaveOrganization() {
	svc, cleanup := newService(orgs.WithSeed(orgs.SeedNone))
	defer cleanup()
	ctx := context.Background()

	_, _ = svc.CreateOrganization(ctx, orgs.UserActor("user_alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	_, _ = svc.AddMember(ctx, orgs.UserActor("user_alice"), "acme", "user_bob", orgs.RoleMember)

	err := svc.LeaveOrganization(ctx, orgs.UserActor("user_alice"), "acme")
	fmt.Println(errors.Is(err, orgs.ErrLastOwner))

	// Hand over first; alice becomes an admin and may leave.
	_ = svc.TransferOwnership(ctx, orgs.UserActor("user_alice"), "acme", "user_bob")
	fmt.Println(svc.LeaveOrganization(ctx, orgs.UserActor("user_alice"), "acme"))
	// Output:
	// true
	// <nil>
}

func ExampleService_ListMembers() {
	svc, cleanup := newService(orgs.WithSeed(orgs.SeedNone))
	defer cleanup()
	ctx := context.Background()

	_, _ = svc.CreateOrganization(ctx, orgs.UserActor("user_00"), orgs.CreateOrganizationInput{Name: "Acme"})
	for i := 1; i < 5; i++ {
		_, _ = svc.AddMember(ctx, orgs.UserActor("user_00"), "acme", fmt.Sprintf("user_%02d", i), orgs.RoleMember)
	}
	page := orgs.Page{Limit: 2}
	for {
		l, err := svc.ListMembers(ctx, orgs.UserActor("user_00"), "acme", orgs.MemberQuery{Page: page})
		if err != nil {
			log.Fatal(err)
		}
		ids := []string{}
		for _, m := range l.Data {
			ids = append(ids, m.UserID)
		}
		fmt.Println(strings.Join(ids, " "))
		if !l.HasMore {
			break
		}
		page.After = l.NextCursor
	}
	// Output:
	// user_00 user_01
	// user_02 user_03
	// user_04
}

func ExampleService_UpdateOrganization() {
	svc, cleanup := newService(orgs.WithSeed(orgs.SeedNone))
	defer cleanup()
	ctx := context.Background()

	_, _ = svc.CreateOrganization(ctx, orgs.UserActor("user_alice"), orgs.CreateOrganizationInput{Name: "Acme"})
	_, _ = svc.CreateOrganization(ctx, orgs.UserActor("user_alice"), orgs.CreateOrganizationInput{Name: "Globex"})

	slug := "globex"
	_, err := svc.UpdateOrganization(ctx, orgs.UserActor("user_alice"), "acme", orgs.UpdateOrganizationInput{Slug: &slug})
	fmt.Println(errors.Is(err, orgs.ErrSlugTaken))

	website := "not a url"
	_, err = svc.UpdateOrganization(ctx, orgs.UserActor("user_alice"), "acme", orgs.UpdateOrganizationInput{Website: &website})
	var verr *orgs.ValidationError
	if errors.As(err, &verr) {
		fmt.Println(verr.Fields[0].Field, "—", verr.Fields[0].Message)
	}
	// Output:
	// true
	// website — must be an http or https URL
}

// The system caller provisions an organization with no members, adds an
// owner and a member by user ID, and deactivates the member: it keeps its
// role but loses every permission. The last active owner cannot be
// deactivated.
func ExampleService_DeactivateMembership() {
	ctx := context.Background()
	svc, _ := orgs.New(memstore.New(), orgs.WithSeed(orgs.SeedNone))
	sys := orgs.SystemActor()

	org, _ := svc.CreateOrganization(ctx, sys, orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme",
		DomainData: []orgs.DomainInput{{Domain: "acme.example", State: orgs.DomainVerified}}})
	fmt.Println(org.MemberCount, org.DomainDetails[0].Domain, org.DomainDetails[0].State, org.DomainDetails[0].Strategy)

	owner, _ := svc.AddMember(ctx, sys, "acme", "alice", orgs.RoleOwner)
	bob, _ := svc.AddMember(ctx, sys, "acme", "bob", orgs.RoleAdmin)
	bob, _ = svc.DeactivateMembership(ctx, sys, bob.ID)
	fmt.Println(bob.UserID, bob.Role, bob.Status)

	_, err := svc.GetOrganization(ctx, orgs.UserActor("bob"), "acme")
	fmt.Println(errors.Is(err, orgs.ErrNotFound))
	_, err = svc.DeactivateMembership(ctx, sys, owner.ID)
	fmt.Println(errors.Is(err, orgs.ErrLastOwner))
	// Output:
	// 0 acme.example verified manual
	// bob admin inactive
	// true
	// true
}
