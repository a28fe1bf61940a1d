package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/uptrace/bun"
)

// Floor is the raw-SQL floor: each operation's logical work — the same rows
// written, the same data read, the same permission checks and the same
// locking for correctness under concurrency — in the fewest statements of
// plain SQL, through the same *bun.DB (bun formats the arguments, as the
// store's queries do) and scanned by hand.
//
// Rules it follows:
//   - writes run in one transaction (on SQLite an immediate one, from the
//     store's DSN); reads run without one, as the Service's do;
//   - on Postgres a write locks the organization's row first (SELECT … FOR
//     NO KEY UPDATE) and reads what it checks after the lock, in a statement
//     of its own (FINDINGS: read then lock loses the last-owner rule; a
//     statement that waits for the lock reads the other tables as they were
//     when it started); on SQLite the immediate transaction already
//     serializes writers, so the check is read directly;
//   - on Postgres a write is two round trips — [BEGIN; lock; read] and
//     [writes; COMMIT], each one query string of several statements — the
//     fewest that let Go decide between reading and writing; a write that
//     decides nothing is one;
//   - one statement per table written, multi-row for several rows (at most
//     bulkRows a statement); reads needed to decide a write are merged into
//     one statement with joins;
//   - only the happy path is tuned: errors may take more statements.
type Floor struct {
	e *Env
}

// Floor returns the floor over e's database.
func (e *Env) Floor() *Floor { return &Floor{e: e} }

var errFloor = errors.New("bench: floor: unexpected state")

// bulkRows is the most rows of one multi-row INSERT of the floor, as the
// store's.
const bulkRows = 1000

// lock is the statement that locks the organization's row on Postgres
// (none on SQLite, whose write transactions are already exclusive).
func (f *Floor) lock(slug string) []fstmt {
	if !f.e.PG {
		return nil
	}
	return []fstmt{{query: f.q("SELECT id FROM organizations WHERE slug = ? FOR NO KEY UPDATE", slug)}}
}

// event is an INSERT of one event.
func (f *Floor) event(orgID, typ, actor string, data string, at time.Time) fstmt {
	return fstmt{query: f.q("INSERT INTO events (id, organization_id, type, actor_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		orgs.NewID(orgs.PrefixEvent), orgID, typ, actor, data, at)}
}

// inserts is multi-row INSERTs of n rows into table, bulkRows a statement.
func (f *Floor) inserts(table, columns string, n, cols int, row func(i int) []any) []fstmt {
	var out []fstmt
	for start := 0; start < n; start += bulkRows {
		end := min(start+bulkRows, n)
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
		one := "(" + strings.Repeat("?, ", cols-1) + "?)"
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(f.q(one, row(i)...))
		}
		out = append(out, fstmt{query: b.String()})
	}
	return out
}
func canManage(role string) bool {
	return role == string(orgs.RoleOwner) || role == string(orgs.RoleAdmin)
}

func eventData(kv ...string) string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// CreateOrganization creates an organization owned by actor with seed's
// categories and pipelines and an event: one INSERT per table (categories
// and stages multi-row), sent with BEGIN and COMMIT in one round trip on
// Postgres: nothing is read, nothing decided.
func (f *Floor) CreateOrganization(ctx context.Context, actor, name, slug string, seed orgs.Seed) (string, error) {
	t := now()
	orgID := orgs.NewID(orgs.PrefixOrganization)
	tx, err := f.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.end()
	stmts := []fstmt{
		{query: f.q(`INSERT INTO organizations (id, name, slug, visibility, member_count,
		team_count, created_by, created_at, updated_at) VALUES (?, ?, ?, 'private', 1, 0, ?, ?, ?)`, orgID, name, slug, actor, t, t)},
		{query: f.q("INSERT INTO members (organization_id, user_id, role, joined_at, id, status, updated_at) VALUES (?, ?, 'owner', ?, ?, 'active', ?)",
			orgID, actor, t, orgs.NewID(orgs.PrefixMembership), t)},
	}
	stmts = append(stmts, f.inserts("categories", "id, organization_id, name, name_key, position, created_at", len(seed.Categories), 6, func(i int) []any {
		c := seed.Categories[i]
		return []any{orgs.NewID(orgs.PrefixCategory), orgID, c, strings.ToLower(c), i, t}
	})...)
	if len(seed.Pipelines) > 0 {
		var pargs, sargs [][]any
		for i, p := range seed.Pipelines {
			pid := orgs.NewID(orgs.PrefixPipeline)
			pargs = append(pargs, []any{pid, orgID, p.Name, i == 0, t})
			for j, st := range p.Stages {
				sargs = append(sargs, []any{orgs.NewID(orgs.PrefixStage), pid, st, j})
			}
		}
		stmts = append(stmts, f.inserts("pipelines", "id, organization_id, name, is_default, created_at", len(pargs), 5, func(i int) []any { return pargs[i] })...)
		stmts = append(stmts, f.inserts("stages", "id, pipeline_id, name, position", len(sargs), 4, func(i int) []any { return sargs[i] })...)
	}
	stmts = append(stmts, f.event(orgID, "organization.created", actor, eventData("slug", slug, "name", name), t))
	return orgID, tx.round(ctx, true, stmts...)
}

// orgColumns are the columns scanOrg reads, from organizations AS o, the
// domains as JSON objects; the caller adds the viewer's role last.
func (f *Floor) orgColumns() string {
	agg := `json_group_array(json_object(%s) ORDER BY d.id)`
	if f.e.PG {
		agg = `json_agg(json_build_object(%s) ORDER BY d.id)::text`
	}
	return `o.id, o.name, o.slug, o.handle, o.description, o.logo_url, o.website, o.industry,
	o.contact_email, o.contact_phone, o.visibility, o.external_id, o.metadata, o.member_count,
	o.team_count, o.created_by, o.created_at, o.updated_at, o.stripe_customer_id,
	(SELECT ` + fmt.Sprintf(agg, `'id', d.id, 'domain', d.domain, 'state', d.state, 'token', d.verification_token,
		'strategy', d.strategy, 'created_at', d.created_at, 'updated_at', d.updated_at, 'verified_at', d.verified_at`) + `
	 FROM organization_domains AS d WHERE d.organization_id = o.id)`
}

type scanner interface{ Scan(dest ...any) error }

func scanOrg(r scanner, o *orgs.Organization) error {
	var handle, external, metadata, domains, role, stripe sql.NullString
	if err := r.Scan(&o.ID, &o.Name, &o.Slug, &handle, &o.Description, &o.LogoURL, &o.Website, &o.Industry,
		&o.ContactEmail, &o.ContactPhone, &o.Visibility, &external, &metadata, &o.MemberCount,
		&o.TeamCount, &o.CreatedBy, &o.CreatedAt, &o.UpdatedAt, &stripe, &domains, &role); err != nil {
		return err
	}
	o.Handle, o.ExternalID, o.Role, o.StripeCustomerID = handle.String, external.String, orgs.Role(role.String), stripe.String
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	if err := scanDomains(o, domains.String); err != nil {
		return err
	}
	o.Metadata = map[string]string{}
	if metadata.String != "" {
		if err := json.Unmarshal([]byte(metadata.String), &o.Metadata); err != nil {
			return err
		}
	}
	return nil
}

// readable checks what the Service's view does for org:read.
func readable(o *orgs.Organization) error {
	if o.Role == "" && o.Visibility != orgs.VisibilityPublic {
		return orgs.ErrNotFound
	}
	return nil
}

// GetOrganizationDetail reads the organization with the viewer's role and
// domains, its categories, and its pipelines joined with their stages: three
// queries.
func (f *Floor) GetOrganizationDetail(ctx context.Context, actor, slug string) (*orgs.OrganizationDetail, error) {
	d := &orgs.OrganizationDetail{}
	row := f.e.DB.QueryRowContext(ctx, "SELECT "+f.orgColumns()+`, m.role FROM organizations AS o
		LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ? WHERE o.slug = ?`, actor, slug)
	if err := scanOrg(row, &d.Organization); err != nil {
		return nil, err
	}
	if err := readable(&d.Organization); err != nil {
		return nil, err
	}
	rows, err := f.e.DB.QueryContext(ctx, `SELECT id, name, position, created_at FROM categories
		WHERE organization_id = ? ORDER BY position, id`, d.ID)
	if err != nil {
		return nil, err
	}
	d.Categories = make([]orgs.Category, 0, 40)
	for rows.Next() {
		c := orgs.Category{OrganizationID: d.ID}
		if err := rows.Scan(&c.ID, &c.Name, &c.Position, &c.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		d.Categories = append(d.Categories, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = f.e.DB.QueryContext(ctx, `SELECT p.id, p.name, p.is_default, p.created_at, s.id, s.name, s.position
		FROM pipelines AS p LEFT JOIN stages AS s ON s.pipeline_id = p.id
		WHERE p.organization_id = ? ORDER BY p.id, s.position, s.id`, d.ID)
	if err != nil {
		return nil, err
	}
	d.Pipelines = []orgs.Pipeline{}
	for rows.Next() {
		var p orgs.Pipeline
		var sid, sname sql.NullString
		var spos sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Name, &p.IsDefault, &p.CreatedAt, &sid, &sname, &spos); err != nil {
			rows.Close()
			return nil, err
		}
		if n := len(d.Pipelines); n == 0 || d.Pipelines[n-1].ID != p.ID {
			p.OrganizationID, p.CreatedAt = d.ID, p.CreatedAt.UTC()
			d.Pipelines = append(d.Pipelines, p)
		}
		if sid.Valid {
			last := &d.Pipelines[len(d.Pipelines)-1]
			last.Stages = append(last.Stages, orgs.Stage{ID: sid.String, PipelineID: p.ID, Name: sname.String, Position: int(spos.Int64)})
		}
	}
	return d, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// ListOrganizations reads a page of the user's organizations with their
// domains and the user's role: one keyset query, as the store's.
func (f *Floor) ListOrganizations(ctx context.Context, actor string, limit int) ([]orgs.Organization, error) {
	rows, err := f.e.DB.QueryContext(ctx, "SELECT "+f.orgColumns()+`, m.role FROM members AS m
		JOIN organizations AS o ON o.id = m.organization_id
		WHERE m.user_id = ? ORDER BY m.organization_id LIMIT ?`, actor, limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]orgs.Organization, 0, limit+1)
	for rows.Next() {
		out = append(out, orgs.Organization{})
		if err := scanOrg(rows, &out[len(out)-1]); err != nil {
			rows.Close()
			return nil, err
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return out[:min(len(out), limit)], nil
}

// ListMembers reads the organization's ID, visibility and the viewer's
// role, then a keyset page of members after afterKey, joined with their
// profiles: two queries.
func (f *Floor) ListMembers(ctx context.Context, actor, slug, afterKey string, limit int) ([]orgs.Member, error) {
	var orgID, vis string
	var role sql.NullString
	if err := f.e.DB.QueryRowContext(ctx, `SELECT o.id, o.visibility, m.role FROM organizations AS o
		LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ? WHERE o.slug = ?`,
		actor, slug).Scan(&orgID, &vis, &role); err != nil {
		return nil, err
	}
	if !role.Valid {
		return nil, orgs.ErrNotFound
	}
	// The page of members first, then their profiles: joining users before
	// the LIMIT lets Postgres merge-join users from their first ID up to the
	// page (90,000 rows for the deep page).
	q := "SELECT user_id, role, joined_at, id, status, updated_at FROM members WHERE organization_id = ?"
	args := []any{orgID}
	if afterKey != "" {
		q += " AND user_id > ?"
		args = append(args, afterKey)
	}
	args = append(args, limit+1)
	rows, err := f.e.DB.QueryContext(ctx, `SELECT m.user_id, m.role, m.joined_at, m.id, m.status, m.updated_at, u.username, u.email, u.name, u.avatar_url
		FROM (`+q+` ORDER BY user_id LIMIT ?) AS m LEFT JOIN users AS u ON u.id = m.user_id
		ORDER BY m.user_id`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]orgs.Member, 0, limit+1)
	for rows.Next() {
		m := orgs.Member{OrganizationID: orgID}
		var username, email, name, avatar, id sql.NullString
		var updated sql.NullTime
		if err := rows.Scan(&m.UserID, &m.Role, &m.JoinedAt, &id, &m.Status, &updated, &username, &email, &name, &avatar); err != nil {
			rows.Close()
			return nil, err
		}
		m.JoinedAt, m.ID, m.UpdatedAt = m.JoinedAt.UTC(), id.String, updated.Time.UTC()
		m.Username, m.Email, m.Name, m.AvatarURL = username.String, email.String, name.String, avatar.String
		out = append(out, m)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return out[:min(len(out), limit)], nil
}

// SearchMembers reads the organization's ID and the viewer's role, then the
// first page of its members whose name, username or email contains term
// (ASCII case ignored, as the store searches), with profiles: two queries.
func (f *Floor) SearchMembers(ctx context.Context, actor, slug, term string, limit int) ([]orgs.Member, error) {
	var orgID string
	var role sql.NullString
	if err := f.e.DB.QueryRowContext(ctx, `SELECT o.id, m.role FROM organizations AS o
		LEFT JOIN members AS m ON m.organization_id = o.id AND m.user_id = ? WHERE o.slug = ?`,
		actor, slug).Scan(&orgID, &role); err != nil {
		return nil, err
	}
	if !role.Valid {
		return nil, orgs.ErrNotFound
	}
	pattern := "%" + strings.ToLower(term) + "%"
	var conds []string
	for _, col := range []string{"u.name", "u.username", "u.email"} {
		if f.e.PG {
			col = "translate(" + col + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
		}
		conds = append(conds, col+" LIKE ?")
	}
	rows, err := f.e.DB.QueryContext(ctx, `SELECT m.user_id, m.role, m.joined_at, m.id, m.status, m.updated_at,
		u.username, u.email, u.name, u.avatar_url
		FROM members AS m JOIN users AS u ON u.id = m.user_id
		WHERE m.organization_id = ? AND (`+strings.Join(conds, " OR ")+`)
		ORDER BY m.user_id LIMIT ?`, orgID, pattern, pattern, pattern, limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]orgs.Member, 0, limit+1)
	for rows.Next() {
		m := orgs.Member{OrganizationID: orgID}
		var id sql.NullString
		var updated sql.NullTime
		if err := rows.Scan(&m.UserID, &m.Role, &m.JoinedAt, &id, &m.Status, &updated, &m.Username, &m.Email, &m.Name, &m.AvatarURL); err != nil {
			rows.Close()
			return nil, err
		}
		m.JoinedAt, m.ID, m.UpdatedAt = m.JoinedAt.UTC(), id.String, updated.Time.UTC()
		out = append(out, m)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return out[:min(len(out), limit)], nil
}

// AddMember adds userID to the organization with role: lock (Postgres) and
// one read of the organization, the actor's role and the new member's
// profile; then the membership, the member counter and the event, with
// COMMIT.
func (f *Floor) AddMember(ctx context.Context, actor, slug, userID string, role orgs.Role) (*orgs.Member, error) {
	tx, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	m := &orgs.Member{ID: orgs.NewID(orgs.PrefixMembership), UserID: userID, Role: role, Status: orgs.MembershipActive, JoinedAt: now()}
	m.UpdatedAt = m.JoinedAt
	var actorRole, username, email, name, avatar sql.NullString
	read := fstmt{query: f.q(`SELECT o.id, a.role, u.username, u.email, u.name, u.avatar_url
		FROM organizations AS o
		LEFT JOIN members AS a ON a.organization_id = o.id AND a.user_id = ?
		LEFT JOIN users AS u ON u.id = ?
		WHERE o.slug = ?`, actor, userID, slug), rows: one(&m.OrganizationID, &actorRole, &username, &email, &name, &avatar)}
	if err := tx.round(ctx, false, append(f.lock(slug), read)...); err != nil {
		return nil, err
	}
	if !canManage(actorRole.String) {
		return nil, orgs.ErrForbidden
	}
	m.Username, m.Email, m.Name, m.AvatarURL = username.String, email.String, name.String, avatar.String
	return m, tx.round(ctx, true,
		fstmt{query: f.q("INSERT INTO members (organization_id, user_id, role, joined_at, id, status, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?)",
			m.OrganizationID, userID, role, m.JoinedAt, m.ID, m.UpdatedAt)},
		fstmt{query: f.q("UPDATE organizations SET member_count = member_count + 1 WHERE id = ?", m.OrganizationID)},
		f.event(m.OrganizationID, "member.added", actor, eventData("user_id", userID, "role", string(role)), m.JoinedAt))
}

// UpdateMemberRole changes a member's role: lock (Postgres) and one read
// of the organization, the actor's role and the member with profile; then
// the update and the event, with COMMIT.
func (f *Floor) UpdateMemberRole(ctx context.Context, actor, slug, userID string, role orgs.Role) (*orgs.Member, error) {
	tx, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	m := &orgs.Member{UserID: userID}
	var actorRole, oldRole, username, email, name, avatar, id, status sql.NullString
	read := fstmt{query: f.q(`SELECT o.id, a.role, t.role, t.joined_at, t.id, t.status, u.username, u.email, u.name, u.avatar_url
		FROM organizations AS o
		LEFT JOIN members AS a ON a.organization_id = o.id AND a.user_id = ?
		LEFT JOIN members AS t ON t.organization_id = o.id AND t.user_id = ?
		LEFT JOIN users AS u ON u.id = t.user_id
		WHERE o.slug = ?`, actor, userID, slug), rows: one(&m.OrganizationID, &actorRole, &oldRole, ts{&m.JoinedAt}, &id, &status,
		&username, &email, &name, &avatar)}
	if err := tx.round(ctx, false, append(f.lock(slug), read)...); err != nil {
		return nil, err
	}
	if !canManage(actorRole.String) || !oldRole.Valid {
		return nil, errFloor
	}
	if oldRole.String == string(orgs.RoleOwner) && role != orgs.RoleOwner {
		// The last-owner check: not on the measured path.
		return nil, fmt.Errorf("%w: demoting an owner", errFloor)
	}
	m.Role, m.ID, m.Status, m.UpdatedAt = role, id.String, orgs.MembershipStatus(status.String), now()
	m.Username, m.Email, m.Name, m.AvatarURL = username.String, email.String, name.String, avatar.String
	return m, tx.round(ctx, true,
		fstmt{query: f.q("UPDATE members SET role = ?, status = ?, updated_at = ? WHERE organization_id = ? AND user_id = ?",
			role, m.Status, m.UpdatedAt, m.OrganizationID, userID)},
		f.event(m.OrganizationID, "member.role_updated", actor, eventData("user_id", userID, "from", oldRole.String, "to", string(role)), now()))
}

// RemoveMember removes a member: lock (Postgres) and one read of the
// organization, the actor's role and the member's; then the teams'
// counters, the membership (its team memberships by cascade), the member
// counter and the event, with COMMIT.
func (f *Floor) RemoveMember(ctx context.Context, actor, slug, userID string) error {
	tx, err := f.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end()
	var orgID string
	var actorRole, role sql.NullString
	read := fstmt{query: f.q(`SELECT o.id, a.role, t.role FROM organizations AS o
		LEFT JOIN members AS a ON a.organization_id = o.id AND a.user_id = ?
		LEFT JOIN members AS t ON t.organization_id = o.id AND t.user_id = ?
		WHERE o.slug = ?`, actor, userID, slug), rows: one(&orgID, &actorRole, &role)}
	if err := tx.round(ctx, false, append(f.lock(slug), read)...); err != nil {
		return err
	}
	if !canManage(actorRole.String) || !role.Valid || role.String == string(orgs.RoleOwner) {
		return errFloor // the rank rule and the last owner: not on the measured path
	}
	return tx.round(ctx, true,
		fstmt{query: f.q(`UPDATE teams SET member_count = member_count - 1 WHERE id IN
			(SELECT team_id FROM team_members WHERE organization_id = ? AND user_id = ?)`, orgID, userID)},
		fstmt{query: f.q("DELETE FROM members WHERE organization_id = ? AND user_id = ?", orgID, userID)},
		fstmt{query: f.q("UPDATE organizations SET member_count = member_count - 1 WHERE id = ?", orgID)},
		f.event(orgID, "member.removed", actor, eventData("user_id", userID, "role", role.String), now()))
}

// newToken returns a fresh invitation token and its hash, as the Service
// makes them.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(tok))
	return tok, h[:]
}

// CreateInvitation invites email with role: lock (Postgres) and one read of
// the organization, the actor's role and username, whether a member has the
// email and whether a pending invitation has it; then the invitation and
// the event, with COMMIT.
func (f *Floor) CreateInvitation(ctx context.Context, actor, slug, email string, role orgs.Role, ttl time.Duration) (string, error) {
	token, hash := newToken()
	t := now()
	tx, err := f.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.end()
	var orgID string
	var actorRole, inviter sql.NullString
	var member, pending bool
	read := fstmt{query: f.q(`SELECT o.id, a.role, u.username, EXISTS (SELECT 1 FROM members AS m
			JOIN users AS x ON x.id = m.user_id WHERE m.organization_id = o.id AND x.email = ?),
		EXISTS (SELECT 1 FROM invitations AS i WHERE i.organization_id = o.id AND i.email = ? AND i.status = 'pending')
		FROM organizations AS o
		LEFT JOIN members AS a ON a.organization_id = o.id AND a.user_id = ?
		LEFT JOIN users AS u ON u.id = ?
		WHERE o.slug = ?`, email, email, actor, actor, slug), rows: one(&orgID, &actorRole, &inviter, &member, &pending)}
	if err := tx.round(ctx, false, append(f.lock(slug), read)...); err != nil {
		return "", err
	}
	if !canManage(actorRole.String) {
		return "", orgs.ErrForbidden
	}
	if member || pending {
		return "", fmt.Errorf("%w: a member or a pending invitation has the email", errFloor)
	}
	invID := orgs.NewID(orgs.PrefixInvitation)
	return token, tx.round(ctx, true,
		fstmt{query: f.q(`INSERT INTO invitations (id, organization_id, email, role, status, invited_by,
		inviter_username, token_hash, resend_count, last_sent_at, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?, ?, ?)`,
			invID, orgID, email, role, actor, inviter.String, hash, t, t.Add(ttl), t, t)},
		f.event(orgID, "invitation.created", actor, eventData("invitation_id", invID, "email", email, "role", string(role)), t))
}

// AcceptInvitation accepts the invitation of token for actor: one UPDATE
// that checks status, expiry and the actor's email and returns the
// invitation and the actor's profile (single use under concurrency, as
// FINDINGS measured); then the membership, the member counter and the
// event, with COMMIT. It takes no organization lock: with no member limit
// configured (the benchmark's case, and the Service's default) nothing it
// checks depends on the organization's other rows, and the counter UPDATE
// locks the organization's row until commit anyway.
func (f *Floor) AcceptInvitation(ctx context.Context, actor, token string) (*orgs.Member, error) {
	h := sha256.Sum256([]byte(token))
	t := now()
	tx, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	m := &orgs.Member{ID: orgs.NewID(orgs.PrefixMembership), UserID: actor, JoinedAt: t, Status: orgs.MembershipActive, UpdatedAt: t}
	var invID string
	var username, email, name, avatar sql.NullString
	err = tx.round(ctx, false, fstmt{query: f.q(`UPDATE invitations SET status = 'accepted', accepted_by = ?, updated_at = ?, accepted_at = ?
		WHERE token_hash = ? AND status = 'pending' AND expires_at > ?
		AND email = (SELECT email FROM users WHERE id = ?)
		RETURNING id, organization_id, role, (SELECT username FROM users WHERE id = ?),
		(SELECT email FROM users WHERE id = ?), (SELECT name FROM users WHERE id = ?),
		(SELECT avatar_url FROM users WHERE id = ?)`,
		actor, t, t, h[:], t, actor, actor, actor, actor, actor), rows: one(&invID, &m.OrganizationID, &m.Role,
		&username, &email, &name, &avatar)})
	if err != nil {
		// Unknown, expired, not pending or another email: told apart off the
		// measured path.
		return nil, err
	}
	m.Username, m.Email, m.Name, m.AvatarURL = username.String, email.String, name.String, avatar.String
	return m, tx.round(ctx, true,
		fstmt{query: f.q("INSERT INTO members (organization_id, user_id, role, joined_at, id, status, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?)",
			m.OrganizationID, actor, m.Role, t, m.ID, t)},
		fstmt{query: f.q("UPDATE organizations SET member_count = member_count + 1 WHERE id = ?", m.OrganizationID)},
		f.event(m.OrganizationID, "invitation.accepted", actor, eventData("invitation_id", invID, "user_id", actor, "role", string(m.Role)), t))
}

// teamRead is the read of the team writes: the organization, the actor's
// role, and the memberships (with profiles) of users, one row each.
func (f *Floor) teamRead(slug, actor string, users []string, orgID *string, actorRole *string, byID map[string]orgs.TeamMember) fstmt {
	in := append([]string{actor}, users...)
	return fstmt{query: f.q(`SELECT o.id, m.user_id, m.role, u.username, u.email, u.name, u.avatar_url
		FROM organizations AS o JOIN members AS m ON m.organization_id = o.id AND m.user_id IN (?)
		LEFT JOIN users AS u ON u.id = m.user_id WHERE o.slug = ?`, bun.List(in), slug), rows: func(r rowScanner) error {
		for r.Next() {
			var uid, role string
			var username, email, uname, avatar sql.NullString
			if err := r.Scan(orgID, &uid, &role, &username, &email, &uname, &avatar); err != nil {
				return err
			}
			if uid == actor {
				*actorRole = role
			}
			byID[uid] = orgs.TeamMember{UserID: uid, Role: orgs.TeamRoleMember,
				Username: username.String, Email: email.String, Name: uname.String, AvatarURL: avatar.String}
		}
		return r.Err()
	}}
}

// teamWrites are the team memberships of users, their team's counter and
// their events.
func (f *Floor) teamWrites(actor, orgID, teamID string, users []string, byID map[string]orgs.TeamMember, t time.Time) ([]orgs.TeamMember, []fstmt, error) {
	members := make([]orgs.TeamMember, len(users))
	for i, u := range users {
		m, ok := byID[u]
		if !ok {
			return nil, nil, orgs.ErrNotMember
		}
		m.TeamID, m.JoinedAt = teamID, t
		members[i] = m
	}
	stmts := f.inserts("team_members", "team_id, user_id, organization_id, role, joined_at", len(users), 5, func(i int) []any {
		return []any{teamID, users[i], orgID, orgs.TeamRoleMember, t}
	})
	stmts = append(stmts, f.inserts("events", "id, organization_id, type, actor_id, data, created_at", len(users), 6, func(i int) []any {
		return []any{orgs.NewID(orgs.PrefixEvent), orgID, "team.member_added", actor,
			eventData("team_id", teamID, "user_id", users[i], "role", string(orgs.TeamRoleMember)), t}
	})...)
	return members, stmts, nil
}

// CreateTeamWithMembers creates a team and adds users to it as members, in
// one transaction: lock (Postgres) and one read of the actor's role and the
// users' memberships with profiles; then the team (its member count set),
// the organization's team counter, the team memberships and the events,
// with COMMIT.
func (f *Floor) CreateTeamWithMembers(ctx context.Context, actor, slug, name, teamSlug string, users []string) (*orgs.Team, []orgs.TeamMember, error) {
	t := now()
	tx, err := f.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.end()
	team := &orgs.Team{ID: orgs.NewID(orgs.PrefixTeam), Name: name, Slug: teamSlug, MemberCount: len(users), CreatedAt: t, UpdatedAt: t}
	byID := make(map[string]orgs.TeamMember, len(users)+1)
	var actorRole string
	if err := tx.round(ctx, false, append(f.lock(slug), f.teamRead(slug, actor, users, &team.OrganizationID, &actorRole, byID))...); err != nil {
		return nil, nil, err
	}
	if !canManage(actorRole) {
		return nil, nil, orgs.ErrForbidden
	}
	stmts := []fstmt{
		{query: f.q(`INSERT INTO teams (id, organization_id, name, slug, description, color,
		member_count, created_at, updated_at) VALUES (?, ?, ?, ?, '', '', ?, ?, ?)`, team.ID, team.OrganizationID, name, teamSlug, len(users), t, t)},
		{query: f.q("UPDATE organizations SET team_count = team_count + 1 WHERE id = ?", team.OrganizationID)},
		f.event(team.OrganizationID, "team.created", actor, eventData("team_id", team.ID, "slug", teamSlug), t),
	}
	members, writes, err := f.teamWrites(actor, team.OrganizationID, team.ID, users, byID, t)
	if err != nil {
		return nil, nil, err
	}
	return team, members, tx.round(ctx, true, append(stmts, writes...)...)
}

// AddTeamMembers adds users to the team as members: lock (Postgres) and one
// read of the actor's role, the team and the users' memberships with
// profiles; then the team memberships, the team's counter and the events,
// with COMMIT. AddTeamMember is AddTeamMembers of one user.
func (f *Floor) AddTeamMembers(ctx context.Context, actor, slug, teamSlug string, users []string) ([]orgs.TeamMember, error) {
	t := now()
	tx, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	var orgID, actorRole, teamID string
	byID := make(map[string]orgs.TeamMember, len(users)+1)
	team := fstmt{query: f.q("SELECT t.id FROM teams AS t JOIN organizations AS o ON o.id = t.organization_id WHERE o.slug = ? AND t.slug = ?",
		slug, teamSlug), rows: one(&teamID)}
	if err := tx.round(ctx, false, append(f.lock(slug), team, f.teamRead(slug, actor, users, &orgID, &actorRole, byID))...); err != nil {
		return nil, err
	}
	if !canManage(actorRole) {
		return nil, orgs.ErrForbidden
	}
	members, writes, err := f.teamWrites(actor, orgID, teamID, users, byID, t)
	if err != nil {
		return nil, err
	}
	writes = append(writes, fstmt{query: f.q("UPDATE teams SET member_count = member_count + ? WHERE id = ?", len(users), teamID)})
	return members, tx.round(ctx, true, writes...)
}

// AddMembers adds users as members with role, all or nothing (an import):
// lock (Postgres) and one read of the organization and the actor's role,
// one of those users already members, and one of their profiles; then the
// memberships, the member counter and the events, with COMMIT.
func (f *Floor) AddMembers(ctx context.Context, actor, slug string, users []string, role orgs.Role) ([]orgs.Member, error) {
	t := now()
	tx, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	var orgID string
	var actorRole sql.NullString
	org := fstmt{query: f.q(`SELECT o.id, a.role FROM organizations AS o
		LEFT JOIN members AS a ON a.organization_id = o.id AND a.user_id = ? WHERE o.slug = ?`, actor, slug), rows: one(&orgID, &actorRole)}
	existing := 0
	already := fstmt{query: f.q(`SELECT count(*) FROM members AS m JOIN organizations AS o ON o.id = m.organization_id
		WHERE o.slug = ? AND m.user_id IN (?)`, slug, bun.List(users)), rows: one(&existing)}
	profiles := make(map[string]orgs.User, len(users))
	users2 := fstmt{query: f.q("SELECT id, username, email, name, avatar_url FROM users WHERE id IN (?)", bun.List(users)),
		rows: func(r rowScanner) error {
			for r.Next() {
				var u orgs.User
				if err := r.Scan(&u.ID, &u.Username, &u.Email, &u.Name, &u.AvatarURL); err != nil {
					return err
				}
				profiles[u.ID] = u
			}
			return r.Err()
		}}
	if err := tx.round(ctx, false, append(f.lock(slug), org, already, users2)...); err != nil {
		return nil, err
	}
	if !canManage(actorRole.String) {
		return nil, orgs.ErrForbidden
	}
	if existing > 0 {
		return nil, orgs.ErrAlreadyMember
	}
	out := make([]orgs.Member, len(users))
	for i, u := range users {
		p := profiles[u]
		out[i] = orgs.Member{ID: orgs.NewID(orgs.PrefixMembership), OrganizationID: orgID, UserID: u, Role: role,
			Status: orgs.MembershipActive, JoinedAt: t, UpdatedAt: t,
			Username: p.Username, Email: p.Email, Name: p.Name, AvatarURL: p.AvatarURL}
	}
	stmts := f.inserts("members", "organization_id, user_id, role, joined_at, id, status, updated_at", len(users), 7, func(i int) []any {
		return []any{orgID, users[i], role, t, out[i].ID, orgs.MembershipActive, t}
	})
	stmts = append(stmts, fstmt{query: f.q("UPDATE organizations SET member_count = member_count + ? WHERE id = ?", len(users), orgID)})
	stmts = append(stmts, f.inserts("events", "id, organization_id, type, actor_id, data, created_at", len(users), 6, func(i int) []any {
		return []any{orgs.NewID(orgs.PrefixEvent), orgID, "member.added", actor, eventData("user_id", users[i], "role", string(role)), t}
	})...)
	return out, tx.round(ctx, true, stmts...)
}

// CreateInvitations invites emails with role, all or nothing (an import):
// lock (Postgres) and one read of the organization, the actor's role and
// username, one of the members with those emails and one of their pending
// invitations; then the invitations and the events, with COMMIT. It returns
// the tokens.
func (f *Floor) CreateInvitations(ctx context.Context, actor, slug string, emails []string, role orgs.Role, ttl time.Duration) ([]string, error) {
	t := now()
	tx, err := f.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	var orgID string
	var actorRole, inviter sql.NullString
	org := fstmt{query: f.q(`SELECT o.id, a.role, u.username FROM organizations AS o
		LEFT JOIN members AS a ON a.organization_id = o.id AND a.user_id = ?
		LEFT JOIN users AS u ON u.id = ? WHERE o.slug = ?`, actor, actor, slug), rows: one(&orgID, &actorRole, &inviter)}
	members, pending := 0, 0
	taken := fstmt{query: f.q(`SELECT count(*) FROM members AS m JOIN organizations AS o ON o.id = m.organization_id
		JOIN users AS u ON u.id = m.user_id WHERE o.slug = ? AND u.email IN (?)`, slug, bun.List(emails)), rows: one(&members)}
	invited := fstmt{query: f.q(`SELECT count(*) FROM invitations AS i JOIN organizations AS o ON o.id = i.organization_id
		WHERE o.slug = ? AND i.email IN (?) AND i.status = 'pending'`, slug, bun.List(emails)), rows: one(&pending)}
	if err := tx.round(ctx, false, append(f.lock(slug), org, taken, invited)...); err != nil {
		return nil, err
	}
	if !canManage(actorRole.String) {
		return nil, orgs.ErrForbidden
	}
	if members+pending > 0 {
		return nil, fmt.Errorf("%w: a member or a pending invitation has an email", errFloor)
	}
	tokens := make([]string, len(emails))
	ids := make([]string, len(emails))
	hashes := make([][]byte, len(emails))
	for i := range emails {
		tokens[i], hashes[i] = newToken()
		ids[i] = orgs.NewID(orgs.PrefixInvitation)
	}
	stmts := f.inserts("invitations", `id, organization_id, email, role, status, invited_by,
		inviter_username, token_hash, resend_count, last_sent_at, expires_at, created_at, updated_at`, len(emails), 13, func(i int) []any {
		return []any{ids[i], orgID, emails[i], role, orgs.InvitationPending, actor, inviter.String, hashes[i], 0, t, t.Add(ttl), t, t}
	})
	stmts = append(stmts, f.inserts("events", "id, organization_id, type, actor_id, data, created_at", len(emails), 6, func(i int) []any {
		return []any{orgs.NewID(orgs.PrefixEvent), orgID, "invitation.created", actor,
			eventData("invitation_id", ids[i], "email", emails[i], "role", string(role)), t}
	})...)
	return tokens, tx.round(ctx, true, stmts...)
}

// scanDomains decodes the domains orgColumns aggregates onto o.
func scanDomains(o *orgs.Organization, s string) error {
	if s == "" || s == "[]" {
		return nil
	}
	var rows []struct {
		ID, Domain, State, Token, Strategy string
		CreatedAt                          string  `json:"created_at"`
		UpdatedAt                          string  `json:"updated_at"`
		VerifiedAt                         *string `json:"verified_at"`
	}
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return err
	}
	for _, r := range rows {
		d := orgs.Domain{ID: r.ID, OrganizationID: o.ID, Domain: r.Domain, State: orgs.DomainState(r.State),
			VerificationToken: r.Token, Strategy: orgs.DomainStrategy(r.Strategy),
			VerificationName: "_orgs-challenge." + r.Domain, VerificationValue: "orgs-verification=" + r.Token}
		var err error
		if d.CreatedAt, err = parseTime(r.CreatedAt); err != nil {
			return err
		}
		if d.UpdatedAt, err = parseTime(r.UpdatedAt); err != nil {
			return err
		}
		if r.VerifiedAt != nil {
			t, err := parseTime(*r.VerifiedAt)
			if err != nil {
				return err
			}
			d.VerifiedAt = &t
		}
		o.Domains = append(o.Domains, d.Domain)
		o.DomainDetails = append(o.DomainDetails, d)
	}
	return nil
}

// parseTime reads a time as SQLite stores it or Postgres renders it in JSON.
func parseTime(s string) (time.Time, error) {
	for _, l := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00", time.RFC3339Nano} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bench: unreadable time %q", s)
}
