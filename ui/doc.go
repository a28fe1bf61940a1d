// Package ui is a prebuilt web interface for organizations, server-rendered
// with html/template over an orgs.Service: one http.Handler a host mounts
// under any prefix of its own router, with its own authentication.
//
//	h, err := ui.New(svc, ui.Options{
//		Authenticate: func(r *http.Request) (string, error) {
//			return mySessions.UserID(r) // the host's own authentication
//		},
//		SignInURL: "/login", // signed-out users are sent here, with ?return_to=
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	mux.Handle("/orgs/", http.StripPrefix("/orgs", h))
//
// Under chi: r.Mount("/orgs", http.StripPrefix("/orgs", h)). Every link,
// redirect and cookie path is built from the mount point, which the UI
// derives from each request (the part of the request URI that StripPrefix
// removed) unless Options.BasePath names it.
//
// # Pages
//
// Paths are relative to the mount point; {slug} is an organization's slug.
//
//	/                              your organizations: search, switcher, create
//	/o/{slug}/                     overview; /o/{slug}/leave to leave
//	/o/{slug}/members              search, role filter, cursor pages, change role,
//	                               remove (…/members/remove), transfer ownership (…/members/transfer)
//	/o/{slug}/invitations          invite (email, role, expiry), status filter, resend, revoke, copy link
//	/o/{slug}/teams[/{team}]       teams; a team's members and team roles
//	/o/{slug}/categories           add, rename, reorder, delete
//	/o/{slug}/pipelines[/{id}]     pipelines; the stage editor (add, rename, reorder, remove)
//	/o/{slug}/settings             profile, visibility, slug change, delete
//	/o/{slug}/domains              domains, their TXT records, verify, remove
//	/o/{slug}/roles                the organization's roles; define, rename, rank and
//	                               permissions of its own, delete (with a role to reassign)
//	/o/{slug}/webhooks[/{id}]      webhook endpoints: add; one endpoint's page: edit,
//	                               enable/disable, rotate the secret, replay, delete
//	/o/{slug}/webhooks/{id}/attempts  its delivery attempt log, newest first
//	/o/{slug}/events               the audit log, newest first, by type
//	/accept                        the invitation link's page: preview, accept, decline
//
// Every page works without JavaScript: forms post and redirect (303 See
// Other) with a one-time message, lists page by cursor links (Next and
// Previous keep the search and filter), and a small embedded script only adds
// conveniences (a copy button, confirmations before deleting).
//
// # Authentication and authorization
//
// Options.Authenticate has the shape of httpapi.Options.Authenticate. A
// signed-out user is redirected to Options.SignInURL with a return_to query
// parameter (a path under the mount point), or shown a 401 page when there
// is none. The UI holds no business rule: every change is a Service call, and
// the Service's typed errors become pages and messages (ErrLastOwner explains
// that the organization must keep an owner, a *orgs.ValidationError's fields
// are shown beside their inputs). Controls a role cannot use are hidden, using
// Service.Can only for that; a forged post is refused by the Service anyway.
//
// # Security
//
// State changes are POSTs, refused unless same-origin: through
// http.CrossOriginProtection (Sec-Fetch-Site, else Origin against Host),
// and, stricter than it, a POST that carries neither header is refused too,
// since every browser sends one and the UI has no other client (add
// Options.TrustedOrigins for a cross-origin front end). A refused post
// answers 403 and changes nothing.
//
// Every response carries a strict Content-Security-Policy (default-src
// 'self', no inline script or style, frame-ancestors 'none', form-action
// 'self'), X-Frame-Options: DENY, nosniff and a same-origin Referrer-Policy;
// pages are Cache-Control: no-store. Templates escape everything.
//
// An invitation link (/accept?token=…) is answered at once with a redirect
// to /accept, the token moved into a short-lived HttpOnly cookie scoped to
// /accept (before sign-in, so it survives it): the token leaves the address
// bar, the history and any Referer immediately, and the accept and decline
// buttons post without it. The link to copy after inviting or resending is
// passed to the next page in a sealed (AES-GCM), HttpOnly, short-lived
// cookie and shown once.
//
// # Customization
//
//   - Options.Theme sets the CSS custom properties (colors, fonts, radius);
//     Options.Stylesheets adds the host's own stylesheets after ours;
//     Options.LogoURL and Options.ProductName brand the header.
//   - Options.Layout wraps every page in the host's own document: it gets
//     the page's title, the <head> elements and the content (navigation and
//     <main>) as a Page.
//   - Every word is in one table, DefaultMessages; Options.Messages replaces
//     any of them, for translation or tone, and Options.Lang sets <html lang>.
//
// # Choices made
//
//   - The organization's external ID and metadata belong to the host's
//     backend: the settings page shows the external ID and edits neither.
//   - Organization logos and avatars are shown as initials: loading images
//     from addresses members type would need a looser image policy.
//   - The link shown after inviting points at this UI's accept page (origin
//     from Options.PublicURL or the request), whatever
//     orgs.InvitationOptions.AcceptURL says; set that to the same page so
//     emailed links match.
//   - The audit log is shown newest first, by cursor; so is a webhook
//     endpoint's delivery attempt log (status, latency, the start of the
//     response, a replay button per message).
//   - A webhook endpoint's signing secret, returned by the Service only
//     when the endpoint is created or its secret rotated, is shown once on
//     the page the post redirects to: it travels there in the sealed
//     (AES-GCM), HttpOnly, five-minute flash cookie, which that page reads
//     and clears — never in a URL. A rotation offers an overlap of 24
//     hours (the default), 1 hour, 7 days or none. Replaying takes one
//     event ID or a start time (read as UTC); deleting an endpoint needs
//     its confirmation box checked.
//   - The roles page lists every role, built in or the organization's own;
//     only holders of roles:manage (owners) see its forms and its tab. The
//     members and invitations pages offer the organization's own roles in
//     their role selectors, ranked at or below the user's. Tabs and
//     controls follow the user's role in the organization, one of its own
//     included (resolved by Service.Authorize, once per request).
//   - The accept page previews the invitation (organization, inviter, role,
//     expiry, status) from the token with Service.PreviewInvitation;
//     accepting and declining go through the Service too.
//   - Options.DemoSignIn adds a demo sign-in page (anyone is anyone) for
//     the example server and tests; it is loudly labelled and never for
//     production.
package ui
