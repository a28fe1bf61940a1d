package orgs

import "context"

// WriteBatcher is an optional Tx capability: let the Tx hold back its
// writes and send them together — with the next read, or with the commit —
// in one round trip to the database, instead of one round trip each.
//
// After BatchWrites, a write method of the Tx may return nil before its
// statement has run; its error (the same sentinel it would have returned,
// ErrAlreadyMember, ErrNotFound, …) is then returned by the next read of
// the Tx, by the next write that is not held back, or by Transact. Either
// way a transaction in which a write failed must never commit: Transact
// returns that write's error, and nothing of the transaction persists. The
// writes run in the order they were made, and every read of the Tx sees
// them all.
//
// The Service calls BatchWrites at the start of every transaction it runs:
// it stops at the first error and never goes on after a failed write, so a
// late error means the same to it as an early one.
type WriteBatcher interface {
	BatchWrites()
}

// BulkWriter is an optional Tx capability: insert many rows of one kind in
// a few statements — one per some hundreds of rows — rather than one
// statement each. Each method must write all its rows or none, fail as the
// one-row method fails for any row (ErrAlreadyMember when any membership
// exists already, or appears twice, …), and keep the counters exact. The
// Service's bulk operations use it, and loop over the one-row methods
// within their one transaction without it.
type BulkWriter interface {
	// InsertMembers inserts memberships of one organization, as
	// InsertMember each, counting them all.
	InsertMembers(ctx context.Context, ms []Member) error
	// InsertTeamMembers inserts memberships of one team, as
	// InsertTeamMember each (ErrNotMember for a user who is not a member
	// of the team's organization), counting them all.
	InsertTeamMembers(ctx context.Context, ms []TeamMember) error
	// InsertInvitations inserts invitations, as InsertInvitation each.
	InsertInvitations(ctx context.Context, invs []Invitation) error
	// InsertEvents appends events, as InsertEvent each.
	InsertEvents(ctx context.Context, es []Event) error
}

// insertMembers inserts ms with tx's BulkWriter, or one by one.
func insertMembers(ctx context.Context, tx Tx, ms []Member) error {
	if bw, ok := tx.(BulkWriter); ok {
		return bw.InsertMembers(ctx, ms)
	}
	for i := range ms {
		if err := tx.InsertMember(ctx, &ms[i]); err != nil {
			return err
		}
	}
	return nil
}

// insertTeamMembers inserts ms with tx's BulkWriter, or one by one.
func insertTeamMembers(ctx context.Context, tx Tx, ms []TeamMember) error {
	if bw, ok := tx.(BulkWriter); ok {
		return bw.InsertTeamMembers(ctx, ms)
	}
	for i := range ms {
		if err := tx.InsertTeamMember(ctx, &ms[i]); err != nil {
			return err
		}
	}
	return nil
}

// insertInvitations inserts invs with tx's BulkWriter, or one by one.
func insertInvitations(ctx context.Context, tx Tx, invs []Invitation) error {
	if bw, ok := tx.(BulkWriter); ok {
		return bw.InsertInvitations(ctx, invs)
	}
	for i := range invs {
		if err := tx.InsertInvitation(ctx, &invs[i]); err != nil {
			return err
		}
	}
	return nil
}

// insertEvents appends es with tx's BulkWriter when there are several, or
// one by one.
func insertEvents(ctx context.Context, tx Tx, es []*Event) error {
	if bw, ok := tx.(BulkWriter); ok && len(es) > 1 {
		rows := make([]Event, len(es))
		for i, e := range es {
			rows[i] = *e
		}
		return bw.InsertEvents(ctx, rows)
	}
	for _, e := range es {
		if err := tx.InsertEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}
