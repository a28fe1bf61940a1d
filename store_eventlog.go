package orgs

import (
	"context"
	"time"
)

// EventLog is an optional Store capability: every organization's events as
// one log, in commit order, and the positions and leases of the durable
// consumers that read it (Service.RunConsumer). A Store implements it on
// itself, not on its Tx: consumers read and move outside the Service's
// transactions. Without it, the consumer methods fail with an error
// wrapping errors.ErrUnsupported. storetest's EventLog area proves it.
//
// Positions are opaque, non-empty strings the store makes; "" is the start
// of the log. The Service passes back only positions the store returned
// (or ""), and never compares them.
//
// # The log must be in commit order
//
// ReadEventLog(after) must never return an event whose position is at or
// before after once a reader has been given after, which rules out ordering
// by anything fixed before the transaction commits — event IDs (ULIDs made
// in Go) or a sequence drawn inside the transaction: a transaction that
// drew a smaller value and commits later would land behind a reader that
// has moved on. A store either serializes the transactions that append
// events (SQLite, memstore: a position drawn under the write lock is commit
// order), or returns only events that no transaction still running can
// precede (Postgres: events carry their transaction's ID, and the log ends
// before the oldest transaction still running — see store/postgres).
type EventLog interface {
	// ReadEventLog returns up to limit (1 ≤ limit ≤ 1000) events that
	// follow position after ("" is the start of the log) in log order,
	// each with its position, which increases along the log. Events of
	// every organization are included, with their Data.
	ReadEventLog(ctx context.Context, after string, limit int) ([]LoggedEvent, error)
	// EventLogPosition returns the position of the event with ID eventID
	// (ErrNotFound when there is none), or, when eventID is "", the
	// position of the last event ReadEventLog would return now ("" when
	// the log is empty).
	EventLogPosition(ctx context.Context, eventID string) (string, error)
	// CountEventsAfter counts the events after position after, those that
	// ReadEventLog would not return yet included (a consumer's lag).
	CountEventsAfter(ctx context.Context, after string) (int, error)

	// ClaimConsumer takes or renews the lease of consumer c.Name for
	// c.Holder until c.Until, creating the consumer at position "" when
	// it does not exist. It succeeds when the consumer has no holder,
	// when c.Holder holds it, or when its lease ended at or before c.Now;
	// otherwise it must fail with an error wrapping ErrConsumerBusy and
	// change nothing. It is one atomic step: of any number of concurrent
	// claims, on any number of instances, at most one succeeds while a
	// lease holds. It returns the consumer's state after the claim.
	ClaimConsumer(ctx context.Context, c ConsumerClaim) (*ConsumerState, error)
	// AdvanceConsumer moves consumer c.Name from position from to
	// position to (to may equal from: a renewal), renewing the lease until
	// c.Until and setting UpdatedAt to c.Now when the position changes, if
	// and only if c.Holder still holds it and its position is still from.
	// Otherwise — another holder claimed it after the lease ended, or
	// SetConsumerPosition moved it — it must fail with an error wrapping
	// ErrLeaseLost and change nothing.
	AdvanceConsumer(ctx context.Context, c ConsumerClaim, from, to string) error
	// ReleaseConsumer ends holder's lease of the consumer, if holder
	// holds it; otherwise it does nothing.
	ReleaseConsumer(ctx context.Context, name, holder string) error
	// GetConsumer returns a consumer's state, or ErrNotFound.
	GetConsumer(ctx context.Context, name string) (*ConsumerState, error)
	// ListConsumers returns every consumer's state ordered by name.
	ListConsumers(ctx context.Context) ([]ConsumerState, error)
	// SetConsumerPosition sets a consumer's position (UpdatedAt now),
	// creating it when it does not exist; its lease, if any, stays, and
	// the holder's next AdvanceConsumer fails with ErrLeaseLost.
	SetConsumerPosition(ctx context.Context, name, position string, now time.Time) error
	// DeleteConsumer deletes a consumer; ErrNotFound when there is none.
	DeleteConsumer(ctx context.Context, name string) error
}

// LoggedEvent is an event with its position in the event log.
type LoggedEvent struct {
	Event
	Position string
}

// ConsumerClaim names a consumer, the reader that holds (or claims) it,
// the time, and when the lease ends.
type ConsumerClaim struct {
	Name   string
	Holder string
	Now    time.Time
	Until  time.Time
}

// ConsumerState is a consumer as a Store keeps it.
type ConsumerState struct {
	Name string
	// Position is the position of the last event handled ("" for none).
	Position string
	// Holder is the reader holding the lease ("" for none) until
	// LeaseUntil; a lease that ended may still show its last holder.
	Holder     string
	LeaseUntil time.Time
	CreatedAt  time.Time
	// UpdatedAt is when Position last changed.
	UpdatedAt time.Time
}
