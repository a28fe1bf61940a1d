// Package sqlstore is the SQL code path that store/sqlite and
// store/postgres share: one set of queries through bun, with the dialect's
// differences written inline (queries.pg) and the driver-specific parts —
// error classification, migrations, the migration lock — supplied by each
// package as a Dialect, so that neither driver is linked by a program that
// imports only the other store.
//
// # Schema
//
// Every unique constraint is a named index, and a violation is reported as
// its sentinel, wrapping the driver's error: organizations' slug
// (ErrSlugTaken), handle (ErrHandleTaken) and external_id
// (ErrExternalIDTaken), which are NULL when empty so that empty ones never
// collide; members' and team_members' primary keys (ErrAlreadyMember);
// categories (organization_id, name_key = orgs.NameKey(name))
// (ErrNameTaken); teams (organization_id, slug) (ErrSlugTaken); and
// invitations (organization_id, email) WHERE status = 'pending'
// (ErrAlreadyInvited); organization_roles (organization_id, name)
// (ErrNameTaken). A write that refers to a missing organization (a
// foreign key violation) is ErrNotFound; adding a team member who is not a
// member of the organization is ErrNotMember (a foreign key from
// team_members to members, which also removes team memberships with the
// membership). Deleting an organization cascades to everything it owns but
// its events, which have no foreign key. Counters (member_count, team_count,
// teams' member_count) are updated in the same transaction as the rows they
// count. A missing table or column is orgs.ErrNotMigrated.
//
// # Transactions and failed writes
//
// Transact runs fn in one transaction. A write that fails inside it (a
// conflict, ErrNotFound) leaves no partial change behind, but the databases
// differ on what follows: SQLite rolls back the failed statement only and
// the transaction goes on, while Postgres aborts the whole transaction, and
// every later statement in it fails (SQLSTATE 25P02). So fn must return an
// error after a failed write, as the Service does; a caller that wants to go
// on (say, replace an invitation after ErrAlreadyInvited) must look first,
// under LockOrganization. Reads that find nothing do not abort anything.
// Savepoints would lift this, at the price of a statement per write and, on
// SQLite, a sub-journal. The Store's own write methods (outside Transact,
// which the Service never calls but the tests do) run each in a transaction
// of its own.
//
// On Postgres transactions are pipelined (pipeline.go): the statements of
// a change go to the server in as few round trips as the Service's protocol
// allows, and after orgs.WriteBatcher's BatchWrites a write's error comes
// with the next read or the commit; a transaction with a failed write never
// commits. On SQLite the hot reads and writes run as prepared statements
// (prepared.go). Bulk writes (bulk.go) insert up to bulkChunk rows a
// statement; on SQLite a bulk write of several statements runs within a
// savepoint, so that it writes all its rows or none.
//
// # Host transactions
//
// Store.WithTx and Store.WithSQLTx bind a Store to a transaction the host
// began (hosttx.go): Transact runs fn in a savepoint of it and commits
// nothing; reads see its writes. A *sql.Tx is driven through the Store's
// *bun.DB, so bun formats, and query hooks see, every statement. Its
// statements are not pipelined (they run one at a time, on the host's
// transaction), and its prepared statements (SQLite) run in it.
//
// # Values
//
// Times are stored in UTC with microsecond precision and read back in UTC:
// a time written with finer precision reads back truncated. Metadata and
// event data are JSON text. Empty Domains, Metadata and Data, and lists with
// no rows, read back as nil; a pipeline's Stages are never nil. Slugs are
// stored and looked up as the Service normalized them (lower-case ASCII).
// Domains keep their order (repeats are dropped). Invitations read back
// with their stored Status and InviterUsername (a snapshot taken by the
// Service) and IsExpired false: deciding expiry is the Service's. A Range
// with MaxRows 0 means no limit.
package sqlstore
