// Package workos serves a WorkOS-compatible API over an orgs.Service: the
// Organizations, Organization Memberships and Invitations endpoints of
// WorkOS's API, as the official SDKs send them, so that a team leaving
// WorkOS — or whose tooling speaks its API — can point an unmodified SDK at
// its own server:
//
//	h, err := workos.New(svc, workos.Options{APIKeys: []string{os.Getenv("ORGS_WORKOS_API_KEY")}})
//	go http.ListenAndServe("127.0.0.1:8081", h)
//
//	// Node: new WorkOS(key, { apiHostname: '127.0.0.1', port: 8081, https: false })
//
// # Serving it
//
// New returns an http.Handler that serves the API at its root. To mount it
// under a prefix, strip the prefix: mux.Handle("/workos/", http.StripPrefix("/workos", h)).
// The official Node SDK, however, cannot reach a prefix: it builds every
// URL as new URL(path, base) with an absolute path, which drops any path
// in apiHostname. SDK users therefore need the handler at the root of a
// host and port of its own (the example server's -workos-addr listener);
// the prefix serves clients that take a base URL with a path, and proxies.
//
// # Authentication and the caller
//
// Every request must carry "Authorization: Bearer KEY" with one of
// Options.APIKeys (compared in constant time, as SHA-256 digests, so that
// neither the key nor its length leaks); otherwise it answers 401 with a
// JSON body. An authenticated request acts as orgs.SystemActor: the host's
// backend, with authority over every organization. Every rule of the
// Service still holds (validation, uniqueness, limits, the last active
// owner), and every change is an event whose actor is the system.
//
// # Routes
//
//	POST   /organizations                         201 organization (Idempotency-Key)
//	GET    /organizations                         list: domains (comma-separated, any of), limit, order, before, after
//	GET    /organizations/{id}                    organization
//	PUT    /organizations/{id}                    organization (absent keeps; null clears external_id, stripe_customer_id)
//	DELETE /organizations/{id}                    204
//	GET    /organizations/external_id/{external_id}
//	POST   /user_management/organization_memberships               201 (Idempotency-Key)
//	GET    /user_management/organization_memberships               list: organization_id and/or user_id, statuses
//	GET    /user_management/organization_memberships/{id}
//	PUT    /user_management/organization_memberships/{id}          role_slug
//	DELETE /user_management/organization_memberships/{id}          204
//	PUT    /user_management/organization_memberships/{id}/deactivate
//	PUT    /user_management/organization_memberships/{id}/reactivate
//	POST   /user_management/invitations                            201 with token (Idempotency-Key)
//	GET    /user_management/invitations                            list: organization_id and/or email
//	GET    /user_management/invitations/{id}
//	GET    /user_management/invitations/by_token/{token}
//	POST   /user_management/invitations/{id}/resend                200 with the new token
//	POST   /user_management/invitations/{id}/revoke
//	POST   /user_management/invitations/{id}/accept                server-side accept
//
// Anything else answers a JSON 404 (or 405 with Allow, for a known path
// and another method).
//
// # Shapes
//
// Objects carry "object" (organization, organization_domain,
// organization_membership, invitation, list). Organizations always carry
// domains (objects, [] when none), external_id (null when unset) and
// metadata ({} when empty), and stripe_customer_id only when set. Lists are
// {object: "list", data, list_metadata: {before, after}}: limit 1–100
// (default 10), order desc (default) or asc, before and after raw object
// IDs; list_metadata.after is the last item's ID when more follow, else
// null (so the SDK's autoPagination ends), and before the first item's ID
// when items precede it. Times are RFC 3339 UTC with milliseconds. Errors
// are {code, message, errors?: [{field, code}]} — each errors[].code starts
// with its field's name, since the SDK shows only the codes — with 400
// (malformed JSON), 404, 409, 413, 422 and 429 (Retry-After in seconds);
// never the OAuth keys error/error_description. Request bodies may be
// empty (the SDK sends none on revoke and accept); unknown keys such as
// locale are ignored.
//
// # Choices where WorkOS and this library differ
//
//   - Organizations get a slug (this library's) derived from the name, with
//     a random suffix when taken: WorkOS allows two organizations of one name.
//   - domain_data domains have the manual verification strategy and the
//     given state (pending or verified); domains verified through DNS have
//     the dns strategy. A domain verified by another organization is a 409
//     domain_taken.
//   - Memberships: status is active or inactive (this library creates a
//     membership only when an invitation is accepted, so none is pending;
//     statuses=pending is valid and matches nothing). An inactive member
//     keeps its role and its seat but has no permission. role_slug
//     defaults to member; role_slugs may name one role. An unknown
//     organization_id in a list is an empty list; in a create, a 404.
//   - Invitations: organization_id is required (no environment-wide
//     invitations); expires_in_days 1–30 (default: the Service's TTL);
//     inviter_user_id is recorded as given, null when absent. token and
//     accept_invitation_url appear only in the answers to send and resend.
//     declined reads as revoked. Resends have no throttle unless the host
//     sets orgs.InvitationOptions.SystemMinResendInterval (then 429).
//     Accepting an expired invitation is a 409 invitation_expired.
//   - Server-side accept names no user: the user is the one of the store's
//     directory whose email is the invitation's, or a new opaque ID
//     ("user_…") recorded there with that email, so the same email resolves
//     to the same user next time (orgs.Service.AcceptInvitationFor).
//   - Idempotency-Key on the three creates replays the first response
//     (status and body) for a repeated key on the same path, for
//     Options.IdempotencyTTL, in this process's memory; the same key with a
//     different body is a 422. 5xx responses are not kept.
//
// # Safe IDs
//
// The SDK does not URL-encode path parameters, so an ID reaches the server
// intact only if it has no character a URL parser treats specially. Every
// ID this library mints (org_, om_, inv_, dom_ and a ULID) is safe, and
// invitation tokens are base64url. External IDs are the host's: this API
// refuses, with a 422 external_id_invalid, one containing '/', '\', '?',
// '#', '%', a space or control character, or equal to "." or "..". Others
// — letters, digits and "-_.~+:@!$&'()*,;=|^" — travel unchanged; non-ASCII
// letters are percent-encoded by the SDK and decoded by the server.
package workos
