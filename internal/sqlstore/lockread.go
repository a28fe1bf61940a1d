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
// statement. On both, the reads of one row each (see joinReads) are LEFT
// JOINs of the organization's statement rather than statements of their own.
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
	team := r.Team // the team members' read names it, the team joined or not
	j := q.joinReads(got, &r)
	orgQuery := q.lockedOrgQuery(org, viewer, r, j)
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
		for k, v := range j.fields {
			f[k] = v
		}
		if err := scanRow(rows, f); err != nil {
			return err
		}
		got.Organization = &o
		for _, done := range j.done {
			done()
		}
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
	}
	if team != "" {
		if len(r.TeamMembers) > 0 {
			stmts = append(stmts, q.tstmt(tq{"SELECT " + teamMemberColumns + ` FROM team_members AS m
				JOIN teams AS t ON t.id = m.team_id
				LEFT JOIN users AS u ON u.id = m.user_id
				WHERE t.organization_id = ` + org.id.text + " AND t.slug = ? AND m.user_id IN (" + marks(len(r.TeamMembers)) + ")",
				concat(append(append([]any{}, org.id.args...), team), r.TeamMembers)}, func(rows Rows) error {
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
const maxPreparedArgs = 12

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
// r asks for and the joined reads j.
func (q *queries) lockedOrgQuery(org orgRef, viewer string, r orgs.Reads, j *joins) tq {
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
	text += j.cols + " FROM organizations AS o LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ?" + j.from +
		" WHERE " + org.cond.text
	args = append(append(args, viewer), j.args...)
	return tq{text, append(args, org.cond.args...)}
}

// joins are reads of one row each, made in the organization's statement
// as LEFT JOINs to it — one statement instead of one each, which on SQLite
// is work saved and on Postgres a statement less to parse and plan in the
// pipeline. Their columns are prefixed; a row that is not there reads as
// NULLs, and is left out.
type joins struct {
	cols   string // ", x.a AS p_a, …"
	from   string // " LEFT JOIN … ON …"
	args   []any  // of from
	fields fields // scan destinations of cols
	done   []func()
}

// Column lists of the joined reads.
var (
	memberCols     = []string{"organization_id", "user_id", "role", "joined_at", "id", "status", "updated_at"}
	profileCols    = []string{"username", "email", "name", "avatar_url"}
	userCols       = []string{"id", "username", "email", "name", "avatar_url"}
	invitationCols = []string{"id", "organization_id", "email", "role", "status", "invited_by", "inviter_username",
		"token_hash", "resend_count", "last_sent_at", "expires_at", "accepted_by", "created_at", "updated_at",
		"accepted_at", "revoked_at"}
	teamCols       = []string{"id", "organization_id", "name", "slug", "description", "color", "member_count", "created_at", "updated_at"}
	teamMemberCols = []string{"team_id", "user_id", "role", "joined_at"}
)

// add joins from (with args), selecting cols of each alias under prefix,
// scanned into f; done runs after the row is scanned.
func (j *joins) add(from string, args []any, prefix string, f fields, done func(), cols map[string][]string) {
	j.from += " " + from
	j.args = append(j.args, args...)
	for _, alias := range []string{"a", "b"} {
		for _, c := range cols[alias] {
			j.cols += ", " + prefix + alias + "." + c + " AS " + prefix + c
		}
	}
	if j.fields == nil {
		j.fields = fields{}
	}
	for k, v := range f {
		j.fields[prefix+k] = v
	}
	j.done = append(j.done, done)
}

// joinReads moves the reads of r that name one row into joins of the
// organization's statement, clearing them from r, and returns the joins.
// A joined member (or team member) is found when its user_id is set.
func (q *queries) joinReads(got *orgs.Locked, r *orgs.Reads) *joins {
	j := &joins{}
	if len(r.Members) == 1 {
		var m orgs.Member
		user := r.Members[0]
		j.add("LEFT JOIN members AS jma ON jma.organization_id = o.id AND jma.user_id = ? LEFT JOIN users AS jmb ON jmb.id = jma.user_id",
			[]any{user}, "jm", memberFields(&m), func() {
				if m.UserID != "" {
					fixMember(&m)
					got.Members[m.UserID] = m
				}
			}, map[string][]string{"a": memberCols, "b": profileCols})
		r.Members = nil
	}
	if len(r.Users) == 1 {
		var u orgs.User
		j.add("LEFT JOIN users AS jua ON jua.id = ?", []any{r.Users[0]}, "ju", userFields(&u), func() {
			if u.ID != "" {
				got.Users[u.ID] = u
			}
		}, map[string][]string{"a": userCols})
		r.Users = nil
	}
	if len(r.MemberEmails) == 1 {
		var m orgs.Member
		j.add(`LEFT JOIN members AS jea ON jea.organization_id = o.id AND jea.user_id = (SELECT x.id FROM users AS x
			JOIN members AS y ON y.organization_id = o.id AND y.user_id = x.id WHERE x.email = ? ORDER BY x.id LIMIT 1)
			LEFT JOIN users AS jeb ON jeb.id = jea.user_id`, []any{r.MemberEmails[0]}, "je", memberFields(&m), func() {
			if m.UserID != "" {
				fixMember(&m)
				got.MemberByEmail[m.Email] = m
			}
		}, map[string][]string{"a": memberCols, "b": profileCols})
		r.MemberEmails = nil
	}
	if len(r.PendingEmails) == 1 {
		var inv orgs.Invitation
		// The status is a literal: SQLite uses a partial index (pending
		// invitations by email) only when the query names its condition.
		j.add("LEFT JOIN invitations AS jpa ON jpa.organization_id = o.id AND jpa.email = ? AND jpa.status = '"+string(orgs.InvitationPending)+"'",
			[]any{r.PendingEmails[0]}, "jp", invitationFields(&inv), func() {
				if inv.ID != "" {
					got.PendingByEmail[inv.Email] = inv
				}
			}, map[string][]string{"a": invitationCols})
		r.PendingEmails = nil
	}
	if (r.Invitation == "") != (len(r.InvitationTokenHash) == 0) {
		var inv orgs.Invitation
		cond, arg := "jia.id = ?", any(r.Invitation)
		if r.Invitation == "" {
			cond, arg = "jia.token_hash = ?", any(r.InvitationTokenHash)
		}
		j.add("LEFT JOIN invitations AS jia ON jia.organization_id = o.id AND "+cond, []any{arg}, "ji", invitationFields(&inv), func() {
			if inv.ID != "" {
				got.Invitation = &inv
			}
		}, map[string][]string{"a": invitationCols})
		r.Invitation, r.InvitationTokenHash = "", nil
	}
	if r.Team != "" {
		var t orgs.Team
		j.add("LEFT JOIN teams AS jta ON jta.organization_id = o.id AND jta.slug = ?", []any{r.Team}, "jt", teamFields(&t), func() {
			if t.ID != "" {
				got.Team = &t
			}
		}, map[string][]string{"a": teamCols})
		if len(r.TeamMembers) > 2 {
			// Many team members: one statement of their own (the team's
			// read keeps its slug), not a join each.
			r.Team = ""
			return j
		}
		for i, user := range r.TeamMembers {
			var m orgs.TeamMember
			prefix := fmt.Sprintf("jt%d", i)
			j.add(fmt.Sprintf("LEFT JOIN team_members AS %[1]sa ON %[1]sa.team_id = jta.id AND %[1]sa.user_id = ? LEFT JOIN users AS %[1]sb ON %[1]sb.id = %[1]sa.user_id", prefix),
				[]any{user}, prefix, teamMemberFields(&m), func() {
					if m.UserID != "" {
						got.TeamMembers[m.UserID] = m
					}
				}, map[string][]string{"a": teamMemberCols, "b": profileCols})
		}
		r.Team, r.TeamMembers = "", nil
	}
	return j
}
