package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
)

var _ orgs.LockReader = (*queries)(nil)

// LockAndRead locks the organization and reads it and what r names
// (orgs.LockReader). On Postgres, in a transaction, the statements are one
// pipeline — [BEGIN;] SELECT … FOR NO KEY UPDATE; then one SELECT per kind
// of read — sent in one round trip: the reads are statements after the
// locking one, each with a snapshot taken once the lock is held. On SQLite
// the immediate transaction already excludes every other writer; the reads
// run one after the other, the organization and its counts first, in one
// statement.
func (q *queries) LockAndRead(ctx context.Context, key orgs.OrganizationKey, viewer string, r orgs.Reads) (*orgs.Locked, error) {
	org, err := q.orgRef(key, r.InvitationTokenHash)
	if err != nil {
		return nil, err
	}
	got := orgs.NewLocked(nil)
	var locked string
	stmts := make([]stmt, 0, 10)
	oneStatement := q.pg && q.inTx && q.oneStatementLock
	if q.pg && q.inTx && !oneStatement {
		stmts = append(stmts, q.tstmt(tq{"SELECT o.id FROM organizations AS o WHERE " + org.cond.text + " FOR NO KEY UPDATE", org.cond.args},
			func(rows Rows) error { return rows.Scan(text{&locked}) }))
		stmts[0].lock = true
	}
	orgQuery := q.lockedOrgQuery(org, viewer, r)
	if oneStatement {
		orgQuery.text += " FOR NO KEY UPDATE OF o" // wrong: see oneStatementLock
	}
	stmts = append(stmts, q.tstmt(orgQuery, func(rows Rows) error {
		var o orgs.Organization
		var domains, metadata string
		f := orgFields(&o, &domains, &metadata)
		if r.Owners {
			f["owners"] = number(&got.Owners)
		}
		if !r.PendingAt.IsZero() {
			f["pending"] = number(&got.Pending)
		}
		if err := scanRow(rows, f); err != nil {
			return err
		}
		got.Organization = &o
		return finishOrg(&o, domains, metadata)
	}))
	// The other reads find rows by the organization's key (org.id), not by
	// an ID read in this round trip; when the organization does not exist
	// they find nothing, and the result is ErrNotFound anyway.
	var byEmail []orgs.Member
	if len(r.Members) > 0 {
		stmts = append(stmts, q.tstmt(tq{"SELECT " + memberColumns + ` FROM members AS m
			LEFT JOIN users AS u ON u.id = m.user_id
			WHERE m.organization_id = ` + org.id.text + " AND m.user_id IN (" + marks(len(r.Members)) + ")",
			concat(org.id.args, r.Members)},
			func(rows Rows) error {
				var m orgs.Member
				if err := scanRow(rows, memberFields(&m)); err != nil {
					return err
				}
				fixMember(&m)
				got.Members[m.UserID] = m
				return nil
			}))
	}
	if len(r.Users) > 0 {
		stmts = append(stmts, q.tstmt(tq{"SELECT id, username, email, name, avatar_url FROM users WHERE id IN (" + marks(len(r.Users)) + ")",
			concat(nil, r.Users)}, func(rows Rows) error {
			var u orgs.User
			if err := scanRow(rows, userFields(&u)); err != nil {
				return err
			}
			got.Users[u.ID] = u
			return nil
		}))
	}
	if len(r.MemberEmails) > 0 {
		stmts = append(stmts, q.tstmt(tq{"SELECT " + memberColumns + ` FROM users AS u
			JOIN members AS m ON m.organization_id = ` + org.id.text + ` AND m.user_id = u.id
			WHERE u.email IN (` + marks(len(r.MemberEmails)) + ") ORDER BY m.user_id", concat(org.id.args, r.MemberEmails)},
			func(rows Rows) error {
				var m orgs.Member
				if err := scanRow(rows, memberFields(&m)); err != nil {
					return err
				}
				fixMember(&m)
				byEmail = append(byEmail, m)
				return nil
			}))
	}
	var pending []orgs.Invitation
	if len(r.PendingEmails) > 0 {
		stmts = append(stmts, q.tstmt(tq{invitationSelect + "WHERE organization_id = " + org.id.text + " AND email IN (" +
			marks(len(r.PendingEmails)) + ") AND status = ?", append(concat(org.id.args, r.PendingEmails), string(orgs.InvitationPending))},
			invitations(&pending)))
	}
	var invs []orgs.Invitation
	if r.Invitation != "" {
		stmts = append(stmts, q.tstmt(tq{invitationSelect + "WHERE id = ? AND organization_id = " + org.id.text,
			append([]any{r.Invitation}, org.id.args...)}, invitations(&invs)))
	}
	if len(r.InvitationTokenHash) > 0 {
		stmts = append(stmts, q.tstmt(tq{invitationSelect + "WHERE token_hash = ? AND organization_id = " + org.id.text,
			append([]any{r.InvitationTokenHash}, org.id.args...)}, invitations(&invs)))
	}
	if r.Team != "" {
		stmts = append(stmts, q.tstmt(tq{"SELECT " + teamColumns + " FROM teams WHERE organization_id = " + org.id.text + " AND slug = ?",
			append(append([]any{}, org.id.args...), r.Team)}, func(rows Rows) error {
			var t orgs.Team
			if err := scanRow(rows, teamFields(&t)); err != nil {
				return err
			}
			got.Team = &t
			return nil
		}))
		if len(r.TeamMembers) > 0 {
			stmts = append(stmts, q.tstmt(tq{"SELECT " + teamMemberColumns + ` FROM team_members AS m
				JOIN teams AS t ON t.id = m.team_id
				LEFT JOIN users AS u ON u.id = m.user_id
				WHERE t.organization_id = ` + org.id.text + " AND t.slug = ? AND m.user_id IN (" + marks(len(r.TeamMembers)) + ")",
				concat(append(append([]any{}, org.id.args...), r.Team), r.TeamMembers)}, func(rows Rows) error {
				var m orgs.TeamMember
				if err := scanRow(rows, teamMemberFields(&m)); err != nil {
					return err
				}
				got.TeamMembers[m.UserID] = m
				return nil
			}))
		}
	}
	// The reads after the organization's fill in got: on SQLite, where they
	// run one at a time, none runs when there is no organization.
	if !q.pg || !q.inTx {
		if err := q.run(ctx, stmts[0]); err != nil {
			return nil, err
		}
		if got.Organization == nil {
			return nil, fmt.Errorf("%w: no such organization", orgs.ErrNotFound)
		}
		stmts = stmts[1:]
	}
	if err := q.run(ctx, stmts...); err != nil {
		return nil, err
	}
	if oneStatement && got.Organization != nil {
		locked = got.Organization.ID
	}
	if got.Organization == nil || (q.pg && q.inTx && locked != got.Organization.ID) {
		// The lock found no row (the organization does not exist, or its
		// slug changed while we waited): whatever the read found, it is
		// not locked.
		return nil, fmt.Errorf("%w: no such organization", orgs.ErrNotFound)
	}
	for _, m := range byEmail {
		if _, ok := got.MemberByEmail[m.Email]; !ok {
			got.MemberByEmail[m.Email] = m
		}
	}
	for _, inv := range pending {
		got.PendingByEmail[inv.Email] = inv
	}
	if len(invs) > 0 {
		got.Invitation = &invs[0]
	}
	if got.Team == nil {
		clear(got.TeamMembers)
	}
	return got, nil
}

// tq is a query with placeholders and its arguments (scalars only).
type tq struct {
	text string
	args []any
}

// maxPreparedArgs bounds the arguments of a statement prepared for reuse:
// reads of a few rows come back again and again with the same text; a
// read of a long list of IDs does not.
const maxPreparedArgs = 8

// tstmt is a read of t, reading each row with row: formatted (bun) for
// Postgres and the hooks, and on SQLite, when short, a prepared statement
// (see stmtCache).
func (q *queries) tstmt(t tq, row func(Rows) error) stmt {
	var st stmt
	if len(t.args) <= maxPreparedArgs {
		st = q.stmtOf(t.text, t.args)
	} else {
		st = stmt{query: q.gen.FormatQuery(t.text, t.args...)}
	}
	st.read = func(rows Rows) error { return each(rows, func() error { return row(rows) }) }
	return st
}

// marks returns n placeholders, comma-separated.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// concat returns args followed by ss.
func concat(args []any, ss []string) []any {
	out := append(make([]any, 0, len(args)+len(ss)), args...)
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

// invitations reads invitation rows into out.
func invitations(out *[]orgs.Invitation) func(Rows) error {
	return func(rows Rows) error {
		var inv orgs.Invitation
		if err := scanRow(rows, invitationFields(&inv)); err != nil {
			return err
		}
		*out = append(*out, inv)
		return nil
	}
}

// orgRef is how LockAndRead's statements find the organization: cond, a
// condition on organizations AS o, and id, its ID as a SQL value (the ID
// itself, or a subquery on the key).
type orgRef struct {
	cond, id tq
}

// orgRef returns the reference to the organization key names (the zero key:
// the organization of the invitation whose token hash is tokenHash).
func (q *queries) orgRef(key orgs.OrganizationKey, tokenHash []byte) (orgRef, error) {
	if key == (orgs.OrganizationKey{}) {
		if len(tokenHash) == 0 {
			return orgRef{}, orgs.ErrNotFound
		}
		sub := tq{"(SELECT i.organization_id FROM invitations AS i WHERE i.token_hash = ?)", []any{tokenHash}}
		return orgRef{cond: tq{"o.id = " + sub.text, sub.args}, id: sub}, nil
	}
	col, val, err := orgKeyColumn(key)
	if err != nil {
		return orgRef{}, err
	}
	cond := tq{col + " = ?", []any{val}}
	if col == "o.id" {
		return orgRef{cond: cond, id: tq{"?", []any{val}}}, nil
	}
	return orgRef{cond: cond, id: tq{"(SELECT o.id FROM organizations AS o WHERE " + cond.text + ")", cond.args}}, nil
}

// lockedOrgQuery reads the organization as viewer sees it, with the counts
// r asks for.
func (q *queries) lockedOrgQuery(org orgRef, viewer string, r orgs.Reads) tq {
	text := "SELECT " + q.orgColumns() + ", COALESCE(m.role, '') AS role, COALESCE(m.status, '') = 'inactive' AS viewer_inactive"
	var args []any
	if r.Owners {
		text += ", (SELECT count(*) FROM members AS w WHERE w.organization_id = o.id AND w.role = ? AND w.status = 'active') AS owners"
		args = append(args, string(orgs.RoleOwner))
	}
	if !r.PendingAt.IsZero() {
		text += `, (SELECT count(*) FROM invitations AS p WHERE p.organization_id = o.id
			AND p.status = ? AND p.expires_at > ?) AS pending`
		args = append(args, string(orgs.InvitationPending), r.PendingAt.UTC().Truncate(time.Microsecond))
	}
	text += " FROM organizations AS o LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ? WHERE " + org.cond.text
	return tq{text, append(append(args, viewer), org.cond.args...)}
}
