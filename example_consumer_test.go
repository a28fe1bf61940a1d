package orgs_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
)

// A durable consumer reacts to changes: here it keeps a seat count for
// billing. Each call handles the events after the consumer's stored
// position and moves it past those its handler accepted; an error keeps
// the consumer at that event for the next call.
func ExampleService_ConsumeEvents() {
	ctx := context.Background()
	svc, err := orgs.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	alice := orgs.UserActor("alice")
	_, _ = svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"})
	_, _ = svc.AddMember(ctx, alice, "acme", "bob", orgs.RoleMember)
	_, _ = svc.AddMember(ctx, alice, "acme", "carol", orgs.RoleMember)

	seats := map[string]int{}
	errBillingDown := errors.New("billing is down")
	billingDown := true
	sync := func(ctx context.Context, e orgs.Event) error {
		switch e.Type {
		case orgs.EventOrganizationCreated, orgs.EventMemberAdded:
			if e.Data["user_id"] == "carol" && billingDown {
				return errBillingDown
			}
			seats[e.OrganizationID]++
			fmt.Printf("seat for %s %q\n", e.Type, e.Data["user_id"])
		}
		return nil
	}
	system := orgs.SystemActor() // consumers are the host's
	n, err := svc.ConsumeEvents(ctx, system, "billing", orgs.ConsumerOptions{}, sync)
	fmt.Println(n, "handled; billing down:", errors.Is(err, errBillingDown))

	billingDown = false
	n, err = svc.ConsumeEvents(ctx, system, "billing", orgs.ConsumerOptions{}, sync)
	fmt.Println(n, "handled;", err)

	cs, _ := svc.ListConsumers(ctx, system)
	fmt.Printf("%s: lag %d\n", cs[0].Name, cs[0].Lag)
	// Output:
	// seat for organization.created ""
	// seat for member.added "bob"
	// 2 handled; billing down: true
	// seat for member.added "carol"
	// 1 handled; <nil>
	// billing: lag 0
}

// RunConsumer follows the log for as long as its context lives. Run it in
// every instance: a lease lets one read at a time, and another takes over
// when it stops. Handlers must tolerate an event twice (after a crash):
// Event.ID is a key to de-duplicate with.
func ExampleService_RunConsumer() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, err := orgs.New(memstore.New())
	if err != nil {
		log.Fatal(err)
	}
	welcomed := make(chan string)
	sendWelcome := func(ctx context.Context, userID, orgID string) error {
		welcomed <- userID
		return nil
	}

	// README:consumer {
	go func() {
		err := svc.RunConsumer(ctx, orgs.SystemActor(), "welcome-email", orgs.ConsumerOptions{},
			func(ctx context.Context, e orgs.Event) error {
				if e.Type != orgs.EventMemberAdded {
					return nil
				}
				// An error keeps the consumer here; it retries with backoff.
				return sendWelcome(ctx, e.Data["user_id"], e.OrganizationID)
			})
		if !errors.Is(err, context.Canceled) {
			log.Print(err) // a misconfiguration: not the system caller, a bad name…
		}
	}()
	// README:consumer }

	alice := orgs.UserActor("alice")
	_, _ = svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"})
	_, _ = svc.AddMember(ctx, alice, "acme", "bob", orgs.RoleMember)
	fmt.Println("welcome,", <-welcomed)
	// Output:
	// welcome, bob
}
