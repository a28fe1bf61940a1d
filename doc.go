// Package orgs gives a Go application multi-tenant organizations — members
// with roles, invitations, teams, per-organization categories and hiring
// pipelines, domains, and an audit log — inside the host's own binary and
// database.
//
// # Getting started
//
// Open a Store — store/sqlite (embedded, the default), store/postgres
// (production), or memstore (tests) — apply its migrations, and build a
// Service:
//
//	st, err := sqlite.Open("orgs.db")
//	if err != nil { … }
//	if err := st.Migrate(ctx); err != nil { … }
//	svc, err := orgs.New(st)
//
//	org, err := svc.CreateOrganization(ctx, orgs.UserActor("user_123"), orgs.CreateOrganizationInput{Name: "Acme"})
//
// Every method takes an Actor after the context: the host authenticates and
// names the actor, the Service authorizes. Organizations are addressed by
// slug or by ID: every parameter named slug accepts either. Package httpapi
// serves the same API over HTTP, package ui as web pages, package webhooks
// signs and delivers events; none of them holds a rule.
//
// # Callers
//
// An Actor is a user (UserActor), checked by the role the user holds in the
// organization — its permissions and its rank — or the system caller
// (SystemActor), the host's own backend, with every permission in every
// organization and membership in none. Data rules hold for both:
// validation, uniqueness, limits, and an organization that has an owner
// keeps at least one. See Actor.
//
// # Roles and permissions
//
// Roles are ranked: owner > admin > member; WithRole registers more. An actor
// may change or remove only members ranked below itself (owners may act on
// owners, themselves included) and may grant only roles ranked at or below its
// own. An organization always keeps at least one owner: demoting, removing or
// the leaving of the last owner fails with ErrLastOwner, whatever the
// concurrency. A private organization is invisible (ErrNotFound) to
// non-members; of a public one, anyone may read the public view (see
// Organization: its profile and counts, never its contact details, domains,
// external ID, metadata or creator), its categories and its pipelines, and
// nothing else.
//
// The rank rule is enforced in one place for every operation that gives,
// renews, transfers or withdraws a role (adding a member, changing a role,
// inviting, resending or revoking an invitation, transferring ownership):
// an admin can neither invite an owner nor re-issue or revoke an owner's
// invitation, and a host role holding ownership:transfer but ranked below
// owner cannot transfer ownership.
//
// # The system caller, memberships and statuses
//
// SystemActor is the host's backend (see Actor). What it adds, and the
// choices made where the design is silent:
//
//   - Environment-wide reads: ListOrganizations lists every organization
//     (OrganizationQuery.Domains is an any-of filter, Page.Descending lists
//     newest first); GetInvitationByID, FindInvitationByToken (never
//     returning the token) and ListAllInvitations (by organization and/or
//     email) read across organizations. They need the optional Store
//     capability SystemReader; without it they fail with an error wrapping
//     errors.ErrUnsupported.
//   - Memberships are resources (the Memberships capability): an "om_"
//     ID, JoinedAt as creation time, UpdatedAt, and a status. An inactive
//     member keeps its row, role, team memberships and seat (the member
//     limit counts it; reactivating needs no free seat) but has no
//     permission anywhere: the Service reads organizations for it as for a
//     non-member, its organization list leaves the organization out, and a
//     transfer cannot make it owner. The last-owner rule counts active
//     owners: deactivating, demoting or removing the last active owner
//     fails with ErrLastOwner; removing an inactive owner is allowed. No
//     membership is ever "pending" (memberships are made when invitations
//     are accepted), but the status is a valid filter.
//   - Descending lists ride on the ascending Range every Store serves (see
//     pagination_order.go): no Store learns of the order.
//   - AcceptInvitationFor accepts an invitation on a user's behalf: the
//     user ID given, else the directory's user with the invitation's
//     email, else a new opaque "user_…" ID recorded with that email.
//   - InvitationInput.InviterUserID (system only) records an inviter other
//     than the caller; ExpiresInDays gives the expiry in days (1–30). The
//     system caller's resends are not throttled unless
//     InvitationOptions.SystemMinResendInterval says so.
//   - Domains have a verification strategy: dns (VerifyDomain) or manual
//     (DomainInput with a state, SetDomainState — the system caller only
//     may set verified). Organizations carry their domains as objects in
//     DomainDetails beside the names in Domains.
//   - Organizations carry StripeCustomerID ("cus_…"), kept through updates
//     that do not name it, cleared by an empty string.
//
// httpapi's JSON and OpenAPI document do not show these fields; the
// WorkOS-compatible API (package workos) and cmd/orgsctl do.
//
// # Embedding: the host's resources, roles, transactions and traces
//
// A host organizes its own data by organization:
//
//   - Authorize answers whether an actor may do a permission in an
//     organization — built-in permissions, or the host's own registered
//     with WithPermissions and granted with WithGrant (owners hold them
//     all) — with the actor's Membership, in one statement (AccessReader).
//     httpapi.Guard does it for the host's routes.
//   - An organization's owners define roles of their own
//     (CreateOrganizationRole, OrganizationRoleStore): a rank below owner,
//     registered permissions. They are resolved in the organization that
//     defines them only, and follow the rank rule everywhere built-in
//     roles do.
//   - The invited user previews an invitation by its token
//     (PreviewInvitation), lists the invitations addressed to their email
//     (ListMyInvitations) and answers one by its ID (AcceptMyInvitation,
//     DeclineMyInvitation; InvitationsByEmailLister).
//   - Service calls run inside the host's own database transaction with
//     WithStore and a store bound to it (sqlite.Store.WithTx,
//     postgres.Store.WithSQLTx…): they commit or roll back with the host's
//     rows, events included.
//   - WithTracerProvider and WithMeterProvider trace and measure the
//     Service's calls and the stores' SQL statements through the
//     OpenTelemetry API, off unless given (see WithTracerProvider).
//
// # Identifiers and look-alike characters
//
// Slugs, handles, emails and domains are compared after one normalization
// each, and no normalization turns a non-ASCII character into ASCII or makes
// two different inputs equal, other than by ASCII case:
//
//   - Slugs and handles a caller gives must be ASCII; upper-case ASCII is
//     lower-cased. Anything else (U+212A KELVIN SIGN, U+0130 "İ", full-width
//     or Cyrillic letters) is refused before any case change, and a lookup
//     by such a slug finds nothing. Slugify, which only proposes a slug from
//     a name, transliterates Latin letters ("Müller" → "muller").
//   - Emails (NormalizeEmail) must have an ASCII local part, lower-cased for
//     ASCII letters only; an internationalized domain is stored as punycode.
//     Addresses with non-ASCII local parts are refused: the address an
//     invitation names is the only address that can accept it. The same
//     function normalizes both sides of every comparison — invitations,
//     acceptance (the directory's email is normalized too; one that does not
//     normalize matches nothing), the store's directory and member search.
//   - Domains (NormalizeDomain) are IDNA2008 names without mapping: an input
//     that needs Unicode case folding or width mapping is refused.
//   - Searches (members, organizations) ignore ASCII case only, on every
//     store.
//   - Names must have a visible character and may not start or end with a
//     space or an invisible one; inside, the zero-width joiners and
//     variation selectors that scripts and emoji need are allowed, and other
//     invisible format characters (zero-width space, word joiner, soft
//     hyphen, direction marks, byte order mark) are refused. Category names
//     are unique by NameKey: case-insensitive, with the allowed joiners
//     ignored, so "Fin\u200Dance" is "Finance" while a look-alike letter
//     makes another name.
//
// # Errors
//
// Errors wrap exported sentinels: test with errors.Is. Invalid input is a
// *ValidationError (errors.Is(err, ErrInvalid)) naming each field, and writes
// nothing. Conflicts (ErrSlugTaken, ErrExternalIDTaken, ErrNameTaken,
// ErrAlreadyMember, ErrAlreadyInvited) are decided by the database's unique
// constraints, not by a check before the write. A store whose schema is
// missing or out of date answers ErrNotMigrated; a feature the store cannot
// provide, an error wrapping errors.ErrUnsupported.
//
// # Transactions
//
// Every change follows one protocol, written once in the Service: in one
// Store.Transact transaction it locks the organization (SELECT … FOR NO KEY
// UPDATE on Postgres; SQLite serializes writers) and reads it as the actor
// sees it, checks the permission, applies the change's own rule on what it
// reads under the lock — the owner count, the member count for limits, an
// invitation's status — writes, and appends the change's audit Events. So
// rules hold across goroutines and across processes sharing one database,
// and the log and the data never disagree. Creating an organization inserts
// it, its owner, its seed categories and pipeline, and the event in one
// transaction.
//
// A change declares what its rules read (Reads): the store reads it all
// with the lock, and may hold the writes back to send them with the commit
// (the optional capabilities LockReader and WriteBatcher). On Postgres a
// change of one organization is then two round trips to the database —
// [BEGIN; lock; reads] and [writes; events; COMMIT] — and creating one is
// one.
//
// # Bulk operations
//
// Imports and team set-ups write many rows in one transaction, checking
// every row as the one-row operation does: AddMembers (up to MaxBulkRows
// users, 10,000), CreateInvitations, AddTeamMembers, and CreateTeam with
// TeamInput.Members. A BulkMode says whether a row that cannot be written
// fails the whole call (AllOrNothing, the error a *RowError naming the row)
// or is reported in the BulkResult while the others are written
// (SkipFailed); AddTeamMembers and CreateTeam are all or nothing. The limits
// count every row of the call under the organization's lock. A store with
// BulkWriter writes the rows in a few multi-row statements; without it they
// are written one by one, in the same transaction.
//
// # Defaults chosen
//
//   - Slugs are derived from the name when not given; a derived slug that is
//     taken fails with ErrSlugTaken like an explicit one (no silent suffix).
//   - Members are listed in user-ID order; organizations, invitations, teams
//     and events in ID (creation) order. Cursors are opaque.
//   - Events outlive their organization: deleting one appends
//     organization.deleted and keeps its log for the host to read.
//   - Member search matches the profiles recorded with Service.PutUser (the
//     store-backed directory), ignoring ASCII case only.
//   - Accepting an invitation requires the accepting user's email (from the
//     UserDirectory) to equal the invited one unless
//     InvitationOptions.SkipEmailCheck is set. Answering one by its ID
//     (AcceptMyInvitation) always requires it: an ID is no secret, and an
//     invitation addressed to another email is ErrNotFound.
//   - Anyone signed in who holds an invitation's token may preview it,
//     whatever their email: the token is the credential, as for accepting.
//   - Authorize never admits a non-member, not even to org:read of a
//     public organization (reads of the organization itself do); an
//     unregistered permission is a validation error, not a silent refusal.
//   - Owners hold every registered permission unless WithRole redefined
//     the owner role. An organization's own role may not take the name of
//     one of the Service's roles, is ranked from 1 to below owner, and a
//     user may define, change or delete only roles ranked at or below its
//     own and holding no permission it lacks. Renaming one carries its
//     members and pending invitations along; deleting one that is held
//     needs a role to reassign them to, and records one role.deleted event
//     with their number rather than an event per member.
//   - Inside the host's transaction the Notifier is called when the call
//     returns, before the host commits.
//
// # Migrations
//
// Schema changes are versioned migrations embedded in store/sqlite and
// store/postgres and applied only by an explicit Migrate call, which is safe
// to run from several processes at once. A Service used before it fails
// with ErrNotMigrated.
//
// # Durable consumers and webhooks
//
// Every change appends its event in its own transaction, so the audit log
// is also an outbox. RunConsumer (and ConsumeEvents, one batch) reads it as
// a durable consumer: every organization's events in commit order after
// the consumer's stored position, which moves only past events whose
// handler returned nil — at-least-once, resumed after a crash, one reader
// per consumer name across instances (a lease). ListConsumers reports
// positions and lag; ResetConsumer moves a consumer. Consumers are the
// system caller's. Webhook endpoints (CreateWebhookEndpoint…, permission
// webhooks:manage; AllOrganizations for the host's own) are managed here
// and delivered by package webhooks. Both need optional store capabilities,
// EventLog and WebhookStore, which the SQLite, Postgres and memory stores
// have; without them these calls fail with errors.ErrUnsupported.
//
// # Writing a Store
//
// Implement Store (its doc comments are the contract, in "must" language)
// and prove it with storetest.Run; memstore is a complete in-memory one to
// start from. The contract grows by optional capabilities (OrganizationLocker,
// LockReader, WriteBatcher, BulkWriter), small interfaces a Store or its Tx
// may implement:
// the Service uses them when present and falls back, or refuses only the
// feature that needs one, when absent. storetest tests the capabilities a
// store has and skips, saying so, those it lacks; a store that cannot pass
// some test declares it with storetest.RunWithOptions.
package orgs
