// Package orgs gives a Go application multi-tenant organizations — members
// with roles, invitations, teams, per-organization categories and hiring
// pipelines, and an audit log — inside the host's own binary and database.
//
// # Getting started
//
// Open a Store (package store: SQLite embedded, Postgres for production),
// apply its migrations, and build a Service:
//
//	st, err := store.OpenSQLite("orgs.db")
//	if err != nil { … }
//	if err := st.Migrate(ctx); err != nil { … }
//	svc, err := orgs.New(st)
//
//	org, err := svc.CreateOrganization(ctx, "user_123", orgs.CreateOrganizationInput{Name: "Acme"})
//
// Every method takes the acting user's ID (the actor) after the context: the
// host authenticates, the Service authorizes. Package httpapi serves the same
// API over HTTP for hosts that want it.
//
// # Roles and permissions
//
// Roles are ranked: owner > admin > member; WithRole registers more. An actor
// may change or remove only members ranked below itself (owners may act on
// owners, themselves included) and may grant only roles ranked at or below its
// own. An organization always keeps at least one owner: demoting, removing or
// the leaving of the last owner fails with ErrLastOwner, whatever the
// concurrency. A private organization is invisible (ErrNotFound) to
// non-members; a public one may be read by anyone, and nothing else.
//
// # Errors
//
// Errors wrap exported sentinels: test with errors.Is. Invalid input is a
// *ValidationError (errors.Is(err, ErrInvalid)) naming each field, and writes
// nothing. Conflicts (ErrSlugTaken, ErrExternalIDTaken, ErrNameTaken,
// ErrAlreadyMember, ErrAlreadyInvited) are decided by the database's unique
// constraints, not by a check before the write.
//
// # Transactions
//
// Every mutation runs in one Store.Update transaction, together with its audit
// Event. Mutations of an organization first lock it (SELECT … FOR NO KEY
// UPDATE on Postgres; SQLite serializes writers), then re-read what they
// check — the actor's role, the owner count, the member count for limits, an
// invitation's status — so rules hold across goroutines and across processes
// sharing one database. Creating an organization inserts it, its owner, its
// seed categories and pipeline, and the event in one transaction.
//
// # Defaults chosen where the design is silent
//
//   - Slugs are derived from the name when not given; a derived slug that is
//     taken fails with ErrSlugTaken like an explicit one (no silent suffix).
//   - Members are listed in user-ID order; organizations, invitations, teams
//     and events in ID (creation) order. Cursors are opaque.
//   - Events outlive their organization: deleting one appends
//     organization.deleted and keeps its log for the host to read.
//   - Member search matches the profiles recorded with Service.PutUser (the
//     store-backed directory), ASCII case-insensitively.
//   - Accepting an invitation requires the accepting user's email (from the
//     UserDirectory) to equal the invited one unless
//     InvitationOptions.SkipEmailCheck is set.
//
// # Migrations
//
// Schema changes are versioned migrations embedded in package store and
// applied only by an explicit (*store.Store).Migrate call.
//
// # Writing a Store
//
// Implement Store (its doc comments are the contract) and prove it with
// storetest.Run; examples/customstore is a complete in-memory one.
package orgs
