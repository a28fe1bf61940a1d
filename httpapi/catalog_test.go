package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantkit/orgs"
)

func TestCategories(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug

		var l orgs.List[orgs.Category]
		e.call("GET", base+"/categories", member, nil).ok(200, &l)
		if len(l.Data) != 35 || l.Data[0].Position != 0 || l.Data[34].Position != 34 || l.HasMore {
			t.Fatalf("categories: %d", len(l.Data))
		}
		e.call("GET", base+"/categories", guest, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/categories", outsider, nil).problem(404, CodeNotFound)

		var c orgs.Category
		e.call("POST", base+"/categories", admin, map[string]any{"name": "Robotics", "position": 1}).ok(201, &c)
		if c.Name != "Robotics" || c.Position != 1 {
			t.Fatalf("created %+v", c)
		}
		e.call("POST", base+"/categories", admin, map[string]any{"name": "ROBOTICS"}).problem(409, CodeNameTaken)
		e.call("POST", base+"/categories", admin, map[string]any{"name": "Neg", "position": -1}, badRequest()).invalid("position")
		e.call("POST", base+"/categories", member, map[string]any{"name": "Mine"}).problem(403, CodeForbidden)

		e.call("PATCH", base+"/categories/"+c.ID, admin, map[string]any{"name": "Robots", "position": 0}).ok(200, &c)
		if c.Name != "Robots" || c.Position != 0 {
			t.Fatalf("updated %+v", c)
		}
		e.call("PATCH", base+"/categories/"+c.ID, admin, map[string]any{"name": "Finance"}).problem(409, CodeNameTaken)
		e.call("PATCH", base+"/categories/cat_nope", admin, map[string]any{"name": "X"}).problem(404, CodeNotFound)
		e.call("PATCH", base+"/categories/"+c.ID, admin, map[string]any{"name": " padded "}).invalid("name")

		e.call("DELETE", base+"/categories/"+c.ID, member, nil).problem(403, CodeForbidden)
		e.call("DELETE", base+"/categories/"+c.ID, admin, nil).ok(204, nil)
		e.call("DELETE", base+"/categories/"+c.ID, admin, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/categories", member, nil).ok(200, &l)
		for i, c := range l.Data {
			if c.Position != i {
				t.Fatalf("positions after delete: %+v", l.Data)
			}
		}

		// The cap on categories.
		for i := len(l.Data); i < orgs.MaxCategories; i++ {
			e.call("POST", base+"/categories", owner, map[string]any{"name": fmt.Sprintf("Extra %03d", i)}).ok(201, nil)
		}
		e.call("POST", base+"/categories", owner, map[string]any{"name": "One too many"}).problem(409, CodeLimitExceeded)
	})
}

func TestPipelines(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug

		var l orgs.List[orgs.Pipeline]
		e.call("GET", base+"/pipelines", member, nil).ok(200, &l)
		if len(l.Data) != 1 || !l.Data[0].IsDefault || len(l.Data[0].Stages) != 5 {
			t.Fatalf("pipelines %+v", l.Data)
		}
		e.call("GET", base+"/pipelines", guest, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/pipelines", outsider, nil).problem(404, CodeNotFound)

		var p orgs.Pipeline
		e.call("POST", base+"/pipelines", admin, map[string]any{"name": "Engineering", "is_default": true, "stages": []string{"Apply", "Code", "Offer"}}).ok(201, &p)
		if !p.IsDefault || len(p.Stages) != 3 || p.Stages[2].Name != "Offer" || p.Stages[2].Position != 2 {
			t.Fatalf("created %+v", p)
		}
		var empty orgs.Pipeline
		e.call("POST", base+"/pipelines", admin, map[string]any{"name": "Empty"}).ok(201, &empty)
		if empty.IsDefault || empty.Stages == nil || len(empty.Stages) != 0 {
			t.Fatalf("empty %+v", empty)
		}
		e.call("POST", base+"/pipelines", member, map[string]any{"name": "Mine"}).problem(403, CodeForbidden)
		e.call("POST", base+"/pipelines", admin, map[string]any{"name": "Bad", "stages": []string{""}}).invalid("stages")

		var got orgs.Pipeline
		e.call("GET", base+"/pipelines/"+p.ID, member, nil).ok(200, &got)
		if got.ID != p.ID || len(got.Stages) != 3 {
			t.Fatalf("got %+v", got)
		}
		e.call("GET", base+"/pipelines/pipe_nope", member, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/pipelines/"+p.ID, guest, nil).problem(403, CodeForbidden)

		// Stages: rename one, reorder, drop one, add one — in one PATCH.
		stages := []map[string]any{
			{"id": p.Stages[2].ID, "name": "Offer"},
			{"id": p.Stages[0].ID, "name": "Applied"},
			{"name": "Onsite"},
		}
		e.call("PATCH", base+"/pipelines/"+p.ID, admin, map[string]any{"name": "Eng", "stages": stages}).ok(200, &got)
		if got.Name != "Eng" || len(got.Stages) != 3 || got.Stages[0].ID != p.Stages[2].ID || got.Stages[1].Name != "Applied" || got.Stages[2].Name != "Onsite" {
			t.Fatalf("patched %+v", got)
		}
		e.call("PATCH", base+"/pipelines/"+p.ID, admin, map[string]any{"stages": []map[string]any{{"id": "stage_bogus", "name": "X"}}}).invalid("stages")
		e.call("PATCH", base+"/pipelines/"+p.ID, admin, map[string]any{"is_default": false}).invalid("is_default")
		e.call("PATCH", base+"/pipelines/"+f.pipelineID, admin, map[string]any{"is_default": true}).ok(200, &got)
		if !got.IsDefault {
			t.Fatalf("default %+v", got)
		}
		e.call("PATCH", base+"/pipelines/pipe_nope", admin, map[string]any{"name": "X"}).problem(404, CodeNotFound)
		e.call("PATCH", base+"/pipelines/"+p.ID, member, map[string]any{"name": "X"}).problem(403, CodeForbidden)

		e.call("DELETE", base+"/pipelines/"+p.ID, member, nil).problem(403, CodeForbidden)
		e.call("DELETE", base+"/pipelines/"+f.pipelineID, admin, nil).ok(204, nil)
		e.call("DELETE", base+"/pipelines/"+f.pipelineID, admin, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/pipelines", member, nil).ok(200, &l)
		if len(l.Data) != 2 || !l.Data[0].IsDefault {
			t.Fatalf("after delete %+v", l.Data)
		}

		// The cap on pipelines.
		for i := len(l.Data); i < orgs.MaxPipelines; i++ {
			e.call("POST", base+"/pipelines", owner, map[string]any{"name": fmt.Sprintf("P%d", i)}).ok(201, nil)
		}
		e.call("POST", base+"/pipelines", owner, map[string]any{"name": "One too many"}).problem(409, CodeLimitExceeded)
	})
}

func TestEvents(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		base := "/organizations/" + f.slug
		for i := range 9 {
			e.call("PATCH", base, owner, map[string]any{"description": fmt.Sprintf("v%d", i)}).ok(200, nil)
		}
		ids := walk(e, base+"/events", admin, 4, func(ev orgs.Event) string { return ev.ID })
		if n := e.eventCount(f.orgID); len(ids) != n {
			t.Fatalf("walked %d events, store has %d", len(ids), n)
		}
		var l orgs.List[orgs.Event]
		e.call("GET", base+"/events?type=organization.updated&limit=100", admin, nil).ok(200, &l)
		for _, ev := range l.Data {
			if ev.Type != "organization.updated" || ev.ActorID != owner || ev.OrganizationID != f.orgID {
				t.Fatalf("event %+v", ev)
			}
		}
		if len(l.Data) != 9 {
			t.Fatalf("organization.updated events: %d", len(l.Data))
		}
		e.call("GET", base+"/events", member, nil).problem(403, CodeForbidden)
		e.call("GET", base+"/events", outsider, nil).problem(404, CodeNotFound)
		e.call("GET", base+"/events?after=bogus", admin, nil).invalid("after")
		e.call("GET", base+"/events?type="+strings.Repeat("x", 65), admin, nil, badRequest()).invalid("type")
		e.call("GET", base+"/events?type=member.joined", admin, nil, badRequest()).invalid("type") // not an event type
	})
}
