// Package httpapi serves an orgs.Service as a JSON API over HTTP: one
// http.Handler, routed with the standard library's method and path patterns,
// that a host mounts under any prefix of its own router with its own
// authentication.
//
//	svc, _ := orgs.New(st, orgs.WithInvitationOptions(orgs.InvitationOptions{
//		AcceptURL: "https://app.example.com/invitations/accept", // the page that posts the token
//	}))
//	api, err := httpapi.New(svc, httpapi.Options{
//		Authenticate: func(r *http.Request) (string, error) {
//			return mySessions.UserID(r) // the host's own authentication
//		},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	mux := http.NewServeMux()
//	mux.Handle("/api/orgs/", http.StripPrefix("/api/orgs", api))
//
// Under chi: r.Mount("/orgs", http.StripPrefix("/orgs", api)). The
// examples/mount program shows both.
//
// # Routes
//
// Routes lists them: organizations (list, create, get with categories and
// pipelines, update, delete, and lookup by external ID), industries,
// members (list, get, change role, remove, leave, transfer ownership),
// invitations (list, create, get, resend, revoke; accept and decline by
// token), teams and their members, categories, pipelines with their
// stages, domains with verification, the audit log, and the
// organization's webhook endpoints (list, create, get, update, delete,
// rotate the secret, the attempt log, replay; the secret is answered only
// on create and rotate; host-level endpoints are not served: they are the
// host's, managed in code). GET /openapi.json serves the OpenAPI 3.1 document
// (OpenAPI) that describes each one, with its server URL set to the prefix
// the handler is mounted under. An unknown path answers 404 not_found and a
// known path with another method 405 method_not_allowed (with Allow), both
// as problems.
//
// # Authentication
//
// GET /openapi.json needs none; every other route calls Options.Authenticate
// first. No user (an error, or an empty ID) answers 401; an Authenticate
// error that is an *orgs.ValidationError answers 422 with its fields.
// DemoAuthenticator, which believes the X-User-ID header, is for demos and
// tests only.
//
// Invitation tokens and accept URLs are returned only by the routes that
// create or resend an invitation. The accept URL is built by the Service from
// orgs.InvitationOptions.AcceptURL: point it at a page of the host that
// signs the user in and POSTs the token to /invitations/accept.
//
// # Requests and responses
//
// Bodies are JSON objects with snake_case fields (Content-Type
// application/json; a missing Content-Type is taken as JSON, another one
// answers 415). Unknown fields are refused with a 422 naming them, so a
// misspelt optional field is not silently ignored. In PATCH bodies an absent
// or null field is left unchanged, and a resource can be sent back as it
// was read: its read-only fields (id, counts, times, the caller's role, a
// member's profile) are accepted and ignored. A single resource is answered as the
// object itself; a list as {"data": [...], "next_cursor", "previous_cursor",
// "has_more"}. Lists take limit (1–100, default 20) and the opaque cursors
// after and before; an empty cursor parameter counts as absent, and an empty
// next_cursor or previous_cursor means there is nothing that way. The lists
// of categories, pipelines and industries are short and answered whole, in
// the same shape. POST creates answer 201, deletes and actions without a
// result (leave, transfer-ownership, decline) 204, accepting an invitation
// 200 with the new member, resending one 200 with its new token.
//
// # Errors
//
// Every error is an RFC 9457 problem (Content-Type
// application/problem+json, see Problem) with a stable code: invalid_json
// 400, unauthenticated 401, forbidden and email_mismatch 403, not_found 404
// (also for an organization the caller may not see, exactly as for an
// unknown one), method_not_allowed 405, slug_taken, handle_taken,
// external_id_taken, name_taken, domain_taken, last_owner, already_member,
// not_member, already_invited, invitation_not_pending and limit_exceeded 409,
// invitation_expired 410, body_too_large 413, unsupported_media_type 415,
// validation_failed 422 (with errors: [{field, message}]), resend_too_soon
// 429, and internal 500. An internal error is logged with the request ID,
// which every response carries in the X-Request-Id header and every problem
// in request_id; its cause is never shown.
//
// The handler holds no business rule: permissions, role ranks, the
// last-owner rule, limits and invitation checks are the Service's, so a host
// calling the Service directly gets the same guarantees.
package httpapi
