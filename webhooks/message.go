package webhooks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tenantkit/orgs"
)

// Payload is the JSON body of every webhook, in the shape the Standard
// Webhooks specification recommends:
//
//	{"type":"member.added","timestamp":"2026-11-23T10:00:00Z",
//	 "organization_id":"org_…","actor_type":"user","actor_id":"user_…",
//	 "data":{"role":"member","user_id":"user_bob"}}
//
// type, timestamp and data are the specification's; organization_id,
// actor_type and actor_id are top-level metadata (the specification allows it), kept out of
// data so that they never collide with an event's own keys.
type Payload struct {
	// Type is the event type, such as "member.added" (orgs.AllEventTypes
	// lists them).
	Type orgs.EventType `json:"type"`
	// Timestamp is when the event happened, in UTC (RFC 3339 on the wire).
	// It stays the same across retries; webhook-timestamp is the attempt's.
	Timestamp time.Time `json:"timestamp"`
	// OrganizationID is the organization the event belongs to.
	OrganizationID string `json:"organization_id"`
	// ActorType is "user" or "system" (the host's backend), as orgs.Event
	// records it.
	ActorType string `json:"actor_type"`
	// ActorID is the user who caused the event; empty for the system.
	ActorID string `json:"actor_id"`
	// Data is the event's data; never null on the wire ({} when empty).
	Data map[string]string `json:"data"`
}

// PayloadFromEvent returns the payload for an event.
func PayloadFromEvent(e orgs.Event) Payload {
	data := make(map[string]string, len(e.Data))
	for k, v := range e.Data {
		data[k] = v
	}
	return Payload{
		Type:           e.Type,
		Timestamp:      e.CreatedAt.UTC(),
		OrganizationID: e.OrganizationID,
		ActorType:      e.ActorType,
		ActorID:        e.ActorID,
		Data:           data,
	}
}

// Message is what is delivered: the same ID and Body to every endpoint and
// on every attempt. A worker stores it once per event (or rebuilds it from
// the event with NewMessage, which gives the same bytes).
type Message struct {
	// ID is the webhook-id header, the receivers' idempotency key: the
	// event's ID ("evt_…"). It must pass ErrInvalidMessageID's rules.
	ID string
	// Type is the event type, for filtering endpoints and for records; it
	// is also inside Body.
	Type string
	// Timestamp is when the event happened; it is also inside Body.
	Timestamp time.Time
	// Body is the exact JSON that is signed and sent.
	Body []byte
}

// NewMessage returns the message for an event: ID = event ID, Body =
// the JSON of PayloadFromEvent (map keys sorted, so the same event always
// gives the same bytes).
func NewMessage(e orgs.Event) (Message, error) {
	if err := checkMessageID(e.ID); err != nil {
		return Message{}, err
	}
	p := PayloadFromEvent(e)
	body, err := json.Marshal(p)
	if err != nil {
		return Message{}, fmt.Errorf("webhooks: encoding event %s: %w", e.ID, err)
	}
	return Message{ID: e.ID, Type: string(p.Type), Timestamp: p.Timestamp, Body: body}, nil
}
