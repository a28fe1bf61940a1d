package httpapi

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/tenantkit/orgs"
)

// TestSendBackWhatWasRead: every resource a client can PATCH can be sent
// back exactly as it was read, read-only fields included, and nothing
// changes but the update time.
func TestSendBackWhatWasRead(t *testing.T) {
	eachDB(t, func(t *testing.T, db opener) {
		e := newEnv(t, db)
		f := e.fixture("acme")
		e.call("PATCH", "/organizations/acme", owner, map[string]any{"metadata": map[string]string{"plan": "gold"},
			"external_id": "crm-1"}).ok(200, nil)
		var pipes orgs.List[orgs.Pipeline]
		e.call("GET", "/organizations/acme/pipelines", owner, nil).ok(200, &pipes)
		for _, c := range []struct{ read, write string }{
			{"/organizations/acme", "/organizations/acme"},
			{"/organizations/acme/members/" + member, "/organizations/acme/members/" + member},
			{"/organizations/acme/teams/core", "/organizations/acme/teams/core"},
			{"/organizations/acme/teams/core/members", ""}, // list: its first item below
			{"/organizations/acme/pipelines/" + pipes.Data[0].ID, "/organizations/acme/pipelines/" + pipes.Data[0].ID},
		} {
			var read map[string]json.RawMessage
			e.call("GET", c.read, owner, nil).ok(200, &read)
			write := c.write
			if write == "" { // a team member, read from the list
				var l struct{ Data []map[string]json.RawMessage }
				e.call("GET", c.read, owner, nil).ok(200, &l)
				read, write = l.Data[0], "/organizations/acme/teams/core/members/"+target
			}
			var again map[string]json.RawMessage
			e.call("PATCH", write, owner, read).ok(200, &again)
			delete(read, "updated_at")
			delete(again, "updated_at")
			delete(read, "categories") // PATCH answers the organization without them
			delete(read, "pipelines")
			if !maps.EqualFunc(read, again, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
				t.Errorf("PATCH %s with what GET %s read changed it:\nread  %v\nafter %v", write, c.read, read, again)
			}
		}
		var cats orgs.List[orgs.Category]
		e.call("GET", "/organizations/acme/categories", owner, nil).ok(200, &cats)
		var cat orgs.Category
		e.call("PATCH", "/organizations/acme/categories/"+cats.Data[1].ID, owner, cats.Data[1]).ok(200, &cat)
		if cat != cats.Data[1] {
			t.Errorf("category sent back: %+v, read %+v", cat, cats.Data[1])
		}
		_ = f
	})
}
