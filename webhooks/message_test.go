package webhooks

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tenantkit/orgs"
)

func TestNewMessage(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	e := orgs.Event{
		ID: "evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", OrganizationID: "org_1", Type: "member.added", ActorType: "user", ActorID: "user_alice",
		Data:      map[string]string{"user_id": "user_bob", "role": "member", "note": "<b>&é"},
		CreatedAt: time.Date(2026, 11, 23, 11, 0, 0, 123456000, paris),
	}
	msg, err := NewMessage(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"member.added","timestamp":"2026-11-23T10:00:00.123456Z","organization_id":"org_1","actor_type":"user","actor_id":"user_alice",` +
		`"data":{"note":"\u003cb\u003e\u0026é","role":"member","user_id":"user_bob"}}`
	if string(msg.Body) != want {
		t.Errorf("Body =\n%s\nwant\n%s", msg.Body, want)
	}
	if msg.ID != e.ID || msg.Type != string(e.Type) || !msg.Timestamp.Equal(e.CreatedAt) || msg.Timestamp.Location() != time.UTC {
		t.Errorf("Message = %+v", msg)
	}
	// The body parses back to the payload: RFC 3339 timestamp, the data.
	var p Payload
	if err := json.Unmarshal(msg.Body, &p); err != nil {
		t.Fatal(err)
	}
	if !p.Timestamp.Equal(e.CreatedAt) || p.Data["note"] != "<b>&é" || p.OrganizationID != "org_1" {
		t.Errorf("decoded payload = %+v", p)
	}
	// The same event gives the same bytes (a worker may rebuild it).
	for range 20 {
		again, _ := NewMessage(e)
		if string(again.Body) != string(msg.Body) {
			t.Fatalf("NewMessage is not deterministic:\n%s\n%s", again.Body, msg.Body)
		}
	}
	// The payload copies Data: changing the event afterwards changes nothing.
	p2 := PayloadFromEvent(e)
	e.Data["role"] = "owner"
	if p2.Data["role"] != "member" {
		t.Error("PayloadFromEvent shares the event's Data map")
	}
}

func TestNewMessageEmptyData(t *testing.T) {
	msg, err := NewMessage(orgs.Event{ID: "evt_1", Type: "organization.deleted", CreatedAt: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"organization.deleted","timestamp":"1970-01-01T00:00:00Z","organization_id":"","actor_type":"","actor_id":"","data":{}}`
	if string(msg.Body) != want {
		t.Errorf("Body = %s, want %s", msg.Body, want)
	}
}

func TestNewMessageRefusesBadID(t *testing.T) {
	for _, id := range []string{"", "evt.1", "evt 1"} {
		if _, err := NewMessage(orgs.Event{ID: id}); !errors.Is(err, ErrInvalidMessageID) {
			t.Errorf("event ID %q: %v, want ErrInvalidMessageID", id, err)
		}
	}
}
