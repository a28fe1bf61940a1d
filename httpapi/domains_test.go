package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
)

func TestDomains(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug

		var l orgs.List[orgs.Domain]
		e.call("GET", base+"/domains", admin, nil).ok(200, &l)
		if len(l.Data) != 1 || l.Data[0].ID != f.domainID || l.Data[0].State != orgs.DomainPending || l.Data[0].VerifiedAt != nil {
			t.Fatalf("domains %+v", l.Data)
		}
		e.call("GET", base+"/domains", member, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/domains", outsider, nil).problem(404, CodeNotFound)

		// Add: normalized, pending, with its verification record.
		var d orgs.Domain
		e.call("POST", base+"/domains", admin, map[string]any{"domain": "Jobs.Acme.TEST."}).ok(201, &d)
		if d.Domain != "jobs.acme.test" || d.State != orgs.DomainPending || !strings.HasPrefix(d.ID, "dom_") ||
			d.VerificationName != "_orgs-challenge.jobs.acme.test" || !strings.Contains(d.VerificationValue, d.VerificationToken) {
			t.Fatalf("added %+v", d)
		}
		e.call("POST", base+"/domains", admin, map[string]any{"domain": "jobs.acme.test"}).problem(409, CodeDomainTaken)
		e.call("POST", base+"/domains", admin, map[string]any{"domain": "not a domain"}).invalid("domain")
		var org orgs.Organization
		e.call("GET", base, member, nil).ok(200, &org)
		if !strings.Contains(strings.Join(org.Domains, ","), "jobs.acme.test") {
			t.Fatalf("organization domains %v", org.Domains)
		}

		// Verify: verified, failed, taken by another organization, DNS failure.
		var v orgs.Domain
		e.call("POST", base+"/domains/"+d.ID+"/verify", admin, nil).ok(200, &v)
		if v.State != orgs.DomainVerified || v.VerifiedAt == nil {
			t.Fatalf("verified %+v", v)
		}
		e.call("POST", base+"/domains", owner, map[string]any{"domain": "fail.acme.test"}).ok(201, &d)
		e.call("POST", base+"/domains/"+d.ID+"/verify", owner, nil).ok(200, &v)
		if v.State != orgs.DomainFailed || v.VerifiedAt != nil {
			t.Fatalf("failed %+v", v)
		}
		rivalBase := "/organizations/" + f.rivalSlug
		var other orgs.Domain
		e.call("POST", rivalBase+"/domains", rival, map[string]any{"domain": "jobs.acme.test"}).ok(201, &other)
		e.call("POST", rivalBase+"/domains/"+other.ID+"/verify", rival, nil).problem(409, CodeDomainTaken)
		e.call("POST", base+"/domains", owner, map[string]any{"domain": "dnserror.acme.test"}).ok(201, &d)
		p := e.call("POST", base+"/domains/"+d.ID+"/verify", owner, nil).problem(503, CodeDomainCheckFailed)
		if strings.Contains(p.Detail, "10.0.0.53") {
			t.Errorf("the DNS error shows: %s", p.Detail)
		}
		e.call("POST", base+"/domains/dom_nope/verify", owner, nil).problem(404, CodeNotFound)

		// Delete.
		e.call("DELETE", base+"/domains/"+d.ID, member, nil).problem(403, CodeForbidden)
		e.call("DELETE", base+"/domains/"+d.ID, admin, nil).ok(204, nil)
		e.call("DELETE", base+"/domains/"+d.ID, admin, nil).problem(404, CodeNotFound)
		e.call("DELETE", base+"/domains/dom_01ARZ3NDEKTSV4RRFFQ69G5FAV", admin, nil).problem(404, CodeNotFound)

		// The cap on domains.
		e.call("GET", base+"/domains", admin, nil).ok(200, &l)
		for i := len(l.Data); i < 20; i++ {
			e.call("POST", base+"/domains", owner, map[string]any{"domain": fmt.Sprintf("d%d.acme.test", i)}).ok(201, nil)
		}
		e.call("POST", base+"/domains", owner, map[string]any{"domain": "one-too-many.acme.test"}).problem(409, CodeLimitExceeded)
	})
}
