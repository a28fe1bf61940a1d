package workos_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/memstore"
	"github.com/tenantkit/orgs/workos"
)

// A WorkOS client creates an organization with a verified domain and adds
// a member by user ID; the handler answers in WorkOS's shapes.
func Example() {
	svc, _ := orgs.New(memstore.New())
	h, _ := workos.New(svc, workos.Options{APIKeys: []string{"sk_test_123"}})
	srv := httptest.NewServer(h) // at the root: the WorkOS SDKs drop URL paths
	defer srv.Close()

	call := func(method, path, body string) string {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk_test_123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprint(resp.StatusCode, " ", len(b) > 0)
	}
	fmt.Println(call("POST", "/organizations", `{"name":"Acme","domain_data":[{"domain":"acme.com","state":"verified"}]}`))
	org, _ := svc.ListOrganizations(context.Background(), orgs.SystemActor(), orgs.OrganizationQuery{})
	fmt.Println(org.Data[0].Name, org.Data[0].MemberCount)
	fmt.Println(call("POST", "/user_management/organization_memberships",
		`{"organization_id":"`+org.Data[0].ID+`","user_id":"user_123","role_slug":"admin"}`))
	fmt.Println(call("GET", "/organizations", ""))
	// Output:
	// 201 true
	// Acme 0
	// 201 true
	// 200 true
}

// New's handler serves the API at the root of a port of its own (the
// WorkOS SDKs drop any path) and, for other clients, under a prefix.
func ExampleNew() {
	svc, _ := orgs.New(memstore.New())
	mux := http.NewServeMux()
	apiKey := "sk_test_123" // in production: a secret from your configuration

	// README:workos {
	h, err := workos.New(svc, workos.Options{APIKeys: []string{apiKey}})
	if err != nil {
		log.Fatal(err)
	}
	sdk := &http.Server{Addr: "127.0.0.1:8081", Handler: h} // the root of a port: the SDKs drop URL paths
	mux.Handle("/workos/", http.StripPrefix("/workos", h))  // for clients that take a base path
	// README:workos }

	fmt.Println(sdk.Addr)
	// Output: 127.0.0.1:8081
}
