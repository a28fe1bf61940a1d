// Package store implements orgs.Store on a SQL database through bun: SQLite
// (embedded, pure Go, the default) and PostgreSQL (production). Both share
// one code path and one set of queries; they differ only where the dialect
// must, as described below.
//
//	s, err := store.OpenSQLite("orgs.db") // or store.OpenPostgres("postgres://…")
//	if err != nil { … }
//	defer s.Close()
//	if err := s.Migrate(ctx); err != nil { … }
//	svc, err := orgs.New(s)
//
// # Schema and migrations
//
// The schema is a set of versioned SQL migrations embedded in the binary, one
// directory per dialect (migrations/sqlite, migrations/postgres) with the same
// versions. Migrate applies the missing ones, each in a transaction, and
// records them in the table orgs_migrations; nothing is applied implicitly.
// On Postgres, Migrate holds an advisory lock (per schema) while it runs, so
// that instances starting together migrate one at a time; the tables live in
// the connection's current schema (search_path).
//
// Every unique constraint is a named index, and a violation is reported as
// its sentinel, wrapping the driver's error: organizations' slug
// (ErrSlugTaken), handle (ErrHandleTaken) and external_id
// (ErrExternalIDTaken), which are NULL when empty so that empty ones never
// collide; members' and team_members' primary keys (ErrAlreadyMember);
// categories (organization_id, lower(name)) (ErrNameTaken); teams
// (organization_id, slug) (ErrSlugTaken); and invitations (organization_id,
// email) WHERE status = 'pending' (ErrAlreadyInvited). A write that refers
// to a missing organization (a foreign key violation) is ErrNotFound; adding
// a team member who is not a member of the organization is ErrNotMember (a
// foreign key from team_members to members, which also removes team
// memberships with the membership). Deleting an organization cascades to
// everything it owns but its events, which have no foreign key. Counters
// (member_count, team_count, teams' member_count) are updated in the same
// transaction as the rows they count.
//
// # SQLite
//
// OpenSQLite uses modernc.org/sqlite (no cgo) with the DSN SQLiteDSN
// returns: _txlock=immediate, so that every transaction (Update, and a
// Store-level write) takes the write lock at BEGIN and writers are
// serialized, with a busy_timeout of 5 s to wait for it; WAL, so that reads
// (plain statements, outside transactions) go on during a write;
// foreign_keys on (cascades need it) and synchronous=NORMAL. Serializing all
// writers is what makes LockOrganization and LockUser hold: on SQLite they
// only check that the organization exists, or do nothing. The busy wait does
// not observe a context's deadline: keep request timeouts above 5 s.
// LIKE searches ignore ASCII case only.
//
// # PostgreSQL
//
// OpenPostgres uses pgx's database/sql driver (which verifies TLS
// certificates, unlike bun's pgdriver) with pgdialect, keeping as many
// connections idle as it may open. Transactions run at READ COMMITTED:
// LockOrganization takes SELECT … FOR NO KEY UPDATE on the organization's row
// and LockUser a transaction-scoped advisory lock (pg_advisory_xact_lock) on
// the user ID, which serialize the Updates that take them across processes,
// as the Service's invariants (the last owner, limits, single-use
// invitations) require. Searches lower-case ASCII letters with translate()
// and use LIKE, not ILIKE, whose Unicode folding would let a look-alike
// letter match an ASCII one.
//
// # Transactions and failed writes
//
// Update runs fn in one transaction; a Store-level write runs in a
// transaction of its own. Inside Update, a write that fails (a conflict,
// ErrNotFound) leaves no partial change behind, but the databases differ on
// what follows: SQLite rolls back the failed statement only and the
// transaction goes on, while Postgres aborts the whole transaction, and
// every later statement in it fails (SQLSTATE 25P02). So fn must return an
// error after a failed write, as the Service does; a caller that wants to go
// on (say, replace an invitation after ErrAlreadyInvited) must look first,
// under LockOrganization. Reads that find nothing (ErrNotFound) do not abort
// anything. Savepoints would lift this, at the price of a statement per
// write and, on SQLite, a sub-journal.
//
// # Values
//
// Times are stored in UTC with microsecond precision (bun formats them; on
// SQLite as text that sorts in time order) and read back in UTC: a time
// written with finer precision reads back truncated. Metadata and event
// data are JSON text. Empty Domains, Metadata and Data, and lists with no
// rows, read back as nil; a pipeline's Stages are never nil. Organization
// slugs are stored and looked up as the Service normalized them (lower-case
// ASCII); category names are unique by orgs.NameKey. Domains keep their
// order (repeats are dropped). Invitations read back with their stored Status and
// InviterUsername (a snapshot taken by the Service) and IsExpired false:
// deciding expiry is the Service's. A Range with Limit 0 means no limit.
package store
