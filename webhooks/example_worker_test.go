package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
	"github.com/tenantkit/orgs/webhooks"
)

// receiver is a customer's service receiving the webhooks of an
// organization: it verifies each message, processes each webhook-id once,
// and hands the payload on.
func receiver(secret webhooks.Secret, handle func(webhooks.Payload)) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	firstTime := func(id string) bool {
		mu.Lock()
		defer mu.Unlock()
		first := !seen[id]
		seen[id] = true
		return first
	}
	// README:receive {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/orgs", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20)) // the raw bytes: they are signed
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := webhooks.Verify(r.Header, body, secret); err != nil { // signature, and timestamp within 5 minutes
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		if !firstTime(r.Header.Get("webhook-id")) { // a retry of a message processed already
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var p webhooks.Payload // type, timestamp, organization_id, actor_type, actor_id, data
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		handle(p)
		w.WriteHeader(http.StatusNoContent) // any 2xx: delivered
	})
	// README:receive }
	return mux
}

// An organization's admin adds an endpoint; the worker delivers the
// organization's events to it, signed with the endpoint's secret.
func ExampleWorker() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, err := orgs.New(memstore.New(), orgs.WithWebhookOptions(orgs.WebhookOptions{AllowHTTP: true}))
	if err != nil {
		log.Fatal(err)
	}
	alice := orgs.UserActor("alice")
	_, _ = svc.CreateOrganization(ctx, alice, orgs.CreateOrganizationInput{Name: "Acme", Slug: "acme"})

	got := make(chan webhooks.Payload)
	var handler atomic.Value // set once the endpoint's secret is known
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.Load().(http.Handler).ServeHTTP(w, r)
	})) // the customer's service, on loopback here
	defer crm.Close()

	// README:worker {
	w, err := webhooks.NewWorker(svc, webhooks.WorkerOptions{
		// The production client refuses loopback; this example's receiver
		// is on it.
		Client: webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true}),
	})
	if err != nil {
		log.Fatal(err)
	}
	go w.Run(ctx) // in every instance: they share the work

	ep, err := svc.CreateWebhookEndpoint(ctx, alice, "acme", orgs.WebhookEndpointInput{
		URL:        crm.URL + "/webhooks/orgs",
		EventTypes: []orgs.EventType{orgs.EventMemberAdded, orgs.EventMemberRemoved},
	})
	if err != nil {
		log.Fatal(err)
	}
	secret := webhooks.MustParseSecret(ep.Secret) // shown once: give it to the receiver
	// README:worker }

	handler.Store(receiver(secret, func(p webhooks.Payload) { got <- p }))
	_, _ = svc.AddMember(ctx, alice, "acme", "bob", orgs.RoleMember)
	p := <-got
	fmt.Println(p.Type, p.Data["user_id"], p.Data["role"])
	// Output:
	// member.added bob member
}
