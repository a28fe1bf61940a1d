package sqlstore

import (
	"context"
	"strings"

	"github.com/tenantkit/orgs"
)

var _ orgs.BulkWriter = (*queries)(nil)

// bulkChunk is the most rows one multi-row INSERT carries: a bulk write of
// n rows is ⌈n/bulkChunk⌉ statements, and a counter update. In a pipelined
// transaction they all go with the commit, in one round trip.
const bulkChunk = 1000

// insertRows inserts n rows into table, values(i) giving row i's values in
// columns' order, in multi-row INSERTs of bulkChunk rows.
func (w *queries) insertRows(ctx context.Context, n int, table, columns string, values func(i int) []any) error {
	for start := 0; start < n; start += bulkChunk {
		end := min(start+bulkChunk, n)
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(w.tuple(values(i)))
		}
		if _, err := w.execStmt(ctx, stmt{query: b.String()}); err != nil {
			return err
		}
	}
	return nil
}

// atomically runs fn, a write of several statements of which more than the
// first may fail, so that it leaves nothing behind when it fails: on SQLite
// in a transaction, within a savepoint rolled back on failure (Postgres
// aborts the whole transaction anyway, and outside one write already runs
// in a transaction of its own).
func (w *queries) atomically(ctx context.Context, several bool, fn func() error) error {
	if w.pg || !w.inTx || !several {
		return fn()
	}
	if _, err := w.exec(ctx, "SAVEPOINT orgs_bulk"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		_, _ = w.exec(ctx, "ROLLBACK TO orgs_bulk")
		_, _ = w.exec(ctx, "RELEASE orgs_bulk")
		return err
	}
	_, err := w.exec(ctx, "RELEASE orgs_bulk")
	return err
}

// tuple formats values as "(v1, v2, …)".
func (w *queries) tuple(values []any) string {
	return w.gen.FormatQuery("("+strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")+")", values...)
}

// InsertMembers inserts memberships and counts them (orgs.BulkWriter), for
// each organization one UPDATE of its counter.
func (q *queries) InsertMembers(ctx context.Context, ms []orgs.Member) error {
	if len(ms) == 0 {
		return nil
	}
	return q.write(ctx, func(w *queries) error {
		err := w.atomically(ctx, len(ms) > bulkChunk, func() error {
			return w.insertRows(ctx, len(ms), "members", "organization_id, user_id, role, joined_at, id, status, updated_at", func(i int) []any {
				m := &ms[i]
				return []any{m.OrganizationID, m.UserID, m.Role, m.JoinedAt, nullString(m.ID), memberStatus(m), memberUpdatedAt(m)}
			})
		})
		if err != nil {
			return err
		}
		for org, n := range countBy(len(ms), func(i int) string { return ms[i].OrganizationID }) {
			if _, err := w.exec(ctx, "UPDATE organizations SET member_count = member_count + ? WHERE id = ?", n, org); err != nil {
				return err
			}
		}
		return nil
	})
}

// countBy counts n items by key.
func countBy(n int, key func(i int) string) map[string]int {
	out := map[string]int{}
	for i := range n {
		out[key(i)]++
	}
	return out
}

// InsertTeamMembers inserts team memberships, in their team's organization,
// and counts them (orgs.BulkWriter): per team one INSERT … SELECT over the
// rows (of bulkChunk at most) joined to the team, which inserts nothing for
// a missing team (ErrNotFound), and one UPDATE of its counter. A user who is
// not a member of the organization violates the foreign key to members:
// ErrNotMember.
func (q *queries) InsertTeamMembers(ctx context.Context, ms []orgs.TeamMember) error {
	if len(ms) == 0 {
		return nil
	}
	byTeam := map[string][]orgs.TeamMember{}
	var teams []string
	for _, m := range ms {
		if _, ok := byTeam[m.TeamID]; !ok {
			teams = append(teams, m.TeamID)
		}
		byTeam[m.TeamID] = append(byTeam[m.TeamID], m)
	}
	return q.write(ctx, func(w *queries) error {
		return w.atomically(ctx, len(teams) > 1 || len(ms) > bulkChunk, func() error {
			return w.insertTeamMembers(ctx, teams, byTeam)
		})
	})
}

// insertTeamMembers is InsertTeamMembers's statements.
func (w *queries) insertTeamMembers(ctx context.Context, teams []string, byTeam map[string][]orgs.TeamMember) error {
	for _, team := range teams {
		rows := byTeam[team]
		for start := 0; start < len(rows); start += bulkChunk {
			chunk := rows[start:min(start+bulkChunk, len(rows))]
			vals := make([]string, len(chunk))
			for i, m := range chunk {
				vals[i] = w.tuple([]any{m.UserID, m.Role, m.JoinedAt})
			}
			// The rows' columns: named on Postgres, whose VALUES
			// literals are text until cast; column1… on SQLite.
			sel, from := "v.column1, t.organization_id, v.column2, v.column3", "(VALUES "+strings.Join(vals, ", ")+") AS v"
			if w.pg {
				sel, from = "v.user_id, t.organization_id, v.role, v.joined_at::timestamptz", from+" (user_id, role, joined_at)"
			}
			// The rows are formatted already: concatenated, never formatted
			// again (a '?' in a value would be taken for a placeholder).
			query := "INSERT INTO team_members (team_id, user_id, organization_id, role, joined_at) SELECT t.id, " +
				sel + " FROM teams AS t, " + from + " WHERE t.id = " + w.gen.FormatQuery("?", team)
			if _, err := w.execStmt(ctx, stmt{query: query, expect: len(chunk), fk: orgs.ErrNotMember}); err != nil {
				return err
			}
		}
		if _, err := w.exec(ctx, "UPDATE teams SET member_count = member_count + ? WHERE id = ?", len(rows), team); err != nil {
			return err
		}
	}
	return nil
}

// InsertInvitations inserts invitations (orgs.BulkWriter); the partial
// unique index refuses a second pending one for an email
// (ErrAlreadyInvited).
func (q *queries) InsertInvitations(ctx context.Context, invs []orgs.Invitation) error {
	if len(invs) == 0 {
		return nil
	}
	return q.write(ctx, func(w *queries) error {
		return w.atomically(ctx, len(invs) > bulkChunk, func() error {
			return w.insertInvitations(ctx, invs)
		})
	})
}

// insertInvitations is InsertInvitations's statements.
func (w *queries) insertInvitations(ctx context.Context, invs []orgs.Invitation) error {
	return w.insertRows(ctx, len(invs), "invitations", `id, organization_id, email, role, status, invited_by,
			inviter_username, token_hash, resend_count, last_sent_at, expires_at, accepted_by, created_at, updated_at,
			accepted_at, revoked_at`,
		func(i int) []any {
			inv := &invs[i]
			return []any{inv.ID, inv.OrganizationID, inv.Email, inv.Role, inv.Status, inv.InvitedBy, inv.InviterUsername,
				inv.TokenHash, inv.ResendCount, nullTime(inv.LastSentAt), inv.ExpiresAt, nullString(inv.AcceptedBy),
				inv.CreatedAt, inv.UpdatedAt, inv.AcceptedAt, inv.RevokedAt}
		})
}

// InsertEvents appends events (orgs.BulkWriter).
func (q *queries) InsertEvents(ctx context.Context, es []orgs.Event) error {
	if len(es) == 0 {
		return nil
	}
	return q.write(ctx, func(w *queries) error {
		return w.insertRows(ctx, len(es), "events", "id, organization_id, type, actor_type, actor_id, data, created_at",
			func(i int) []any {
				e := &es[i]
				return []any{e.ID, e.OrganizationID, e.Type, e.ActorType, e.ActorID, encodeMap(e.Data), e.CreatedAt}
			})
	})
}
