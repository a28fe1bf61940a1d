package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
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
		stmts = append(stmts, stmt{query: "SELECT o.id FROM organizations AS o WHERE " + org.cond + " FOR NO KEY UPDATE",
			lock: true, read: func(rows Rows) error {
				return each(rows, func() error { return rows.Scan(text{&locked}) })
			}})
	}
	orgQuery := q.lockedOrgQuery(org, viewer, r)
	if oneStatement {
		orgQuery += " FOR NO KEY UPDATE OF o" // wrong: see oneStatementLock
	}
	stmts = append(stmts, stmt{query: orgQuery, read: func(rows Rows) error {
		return each(rows, func() error {
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
		})
	}})
	// The other reads find rows by the organization's key (org.id), not by
	// an ID read in this round trip; when the organization does not exist
	// they find nothing, and the result is ErrNotFound anyway.
	var byEmail []orgs.Member
	if len(r.Members) > 0 {
		stmts = append(stmts, q.readStmt("SELECT "+memberColumns+` FROM members AS m
			LEFT JOIN users AS u ON u.id = m.user_id
			WHERE m.organization_id = ? AND m.user_id IN (?)`, []any{org.id, bun.List(r.Members)},
			func(rows Rows) error {
				var m orgs.Member
				if err := scanRow(rows, memberFields(&m)); err != nil {
					return err
				}
				got.Members[m.UserID] = m
				return nil
			}))
	}
	if len(r.Users) > 0 {
		stmts = append(stmts, q.readStmt("SELECT id, username, email, name, avatar_url FROM users WHERE id IN (?)",
			[]any{bun.List(r.Users)}, func(rows Rows) error {
				var u orgs.User
				if err := scanRow(rows, userFields(&u)); err != nil {
					return err
				}
				got.Users[u.ID] = u
				return nil
			}))
	}
	if len(r.MemberEmails) > 0 {
		stmts = append(stmts, q.readStmt("SELECT "+memberColumns+` FROM users AS u
			JOIN members AS m ON m.organization_id = ? AND m.user_id = u.id
			WHERE u.email IN (?) ORDER BY m.user_id`, []any{org.id, bun.List(r.MemberEmails)},
			func(rows Rows) error {
				var m orgs.Member
				if err := scanRow(rows, memberFields(&m)); err != nil {
					return err
				}
				byEmail = append(byEmail, m)
				return nil
			}))
	}
	var pending []orgs.Invitation
	if len(r.PendingEmails) > 0 {
		stmts = append(stmts, q.readStmt(invitationSelect+"WHERE organization_id = ? AND email IN (?) AND status = ?",
			[]any{org.id, bun.List(r.PendingEmails), orgs.InvitationPending}, invitations(&pending)))
	}
	var invs []orgs.Invitation
	if r.Invitation != "" {
		stmts = append(stmts, q.readStmt(invitationSelect+"WHERE id = ? AND organization_id = ?",
			[]any{r.Invitation, org.id}, invitations(&invs)))
	}
	if len(r.InvitationTokenHash) > 0 {
		stmts = append(stmts, q.readStmt(invitationSelect+"WHERE token_hash = ? AND organization_id = ?",
			[]any{r.InvitationTokenHash, org.id}, invitations(&invs)))
	}
	if r.Team != "" {
		stmts = append(stmts, q.readStmt("SELECT "+teamColumns+" FROM teams WHERE organization_id = ? AND slug = ?",
			[]any{org.id, r.Team}, func(rows Rows) error {
				var t orgs.Team
				if err := scanRow(rows, teamFields(&t)); err != nil {
					return err
				}
				got.Team = &t
				return nil
			}))
		if len(r.TeamMembers) > 0 {
			stmts = append(stmts, q.readStmt("SELECT "+teamMemberColumns+` FROM team_members AS m
				JOIN teams AS t ON t.id = m.team_id
				LEFT JOIN users AS u ON u.id = m.user_id
				WHERE t.organization_id = ? AND t.slug = ? AND m.user_id IN (?)`,
				[]any{org.id, r.Team, bun.List(r.TeamMembers)}, func(rows Rows) error {
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

// readStmt is a read of query with args, reading each row with row.
func (q *queries) readStmt(query string, args []any, row func(Rows) error) stmt {
	return stmt{query: q.gen.FormatQuery(query, args...), read: func(rows Rows) error {
		return each(rows, func() error { return row(rows) })
	}}
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
	cond string
	id   bun.Safe
}

// orgRef returns the reference to the organization key names (the zero key:
// the organization of the invitation whose token hash is tokenHash).
func (q *queries) orgRef(key orgs.OrganizationKey, tokenHash []byte) (orgRef, error) {
	if key == (orgs.OrganizationKey{}) {
		if len(tokenHash) == 0 {
			return orgRef{}, orgs.ErrNotFound
		}
		sub := q.gen.FormatQuery("(SELECT i.organization_id FROM invitations AS i WHERE i.token_hash = ?)", tokenHash)
		return orgRef{cond: "o.id = " + sub, id: bun.Safe(sub)}, nil
	}
	col, val, err := orgKeyColumn(key)
	if err != nil {
		return orgRef{}, err
	}
	cond := q.gen.FormatQuery("? = ?", bun.Safe(col), val)
	if col == "o.id" {
		return orgRef{cond: cond, id: bun.Safe(q.gen.FormatQuery("?", val))}, nil
	}
	return orgRef{cond: cond, id: bun.Safe("(SELECT o.id FROM organizations AS o WHERE " + cond + ")")}, nil
}

// lockedOrgQuery reads the organization as viewer sees it, with the counts
// r asks for.
func (q *queries) lockedOrgQuery(org orgRef, viewer string, r orgs.Reads) string {
	query := "SELECT " + q.orgColumns() + ", COALESCE(m.role, '') AS role"
	var args []any
	if r.Owners {
		query += ", (SELECT count(*) FROM members AS w WHERE w.organization_id = o.id AND w.role = ?) AS owners"
		args = append(args, orgs.RoleOwner)
	}
	if !r.PendingAt.IsZero() {
		query += `, (SELECT count(*) FROM invitations AS p WHERE p.organization_id = o.id
			AND p.status = ? AND p.expires_at > ?) AS pending`
		args = append(args, orgs.InvitationPending, r.PendingAt.UTC().Truncate(time.Microsecond))
	}
	query += " FROM organizations AS o LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ? WHERE ?"
	args = append(args, viewer, bun.Safe(org.cond)) // formatted already: never formatted again
	return q.gen.FormatQuery(query, args...)
}
