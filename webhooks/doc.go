// Package webhooks delivers organization events to customers' HTTP
// endpoints as Standard Webhooks 1.0 (https://www.standardwebhooks.com):
// signed, retried on a schedule, and sent only to the public internet.
//
// It has two layers. The storage-free foundation: signing and
// verification, the message built from an [orgs.Event], an HTTP client
// defended against server-side request forgery, one delivery attempt
// ([Sender.Send]) and the retry [Schedule]. On top of it, the [Worker]
// delivers the event outbox to the endpoints that organizations' admins
// and the host configure through [orgs.Service] (see "Delivery" below).
//
// # What is sent and signed
//
// Each event becomes one [Message]: a POST with a JSON body,
//
//	{"type":"member.added","timestamp":"2026-11-23T10:00:00Z",
//	 "organization_id":"org_…","actor_id":"user_alice",
//	 "data":{"role":"member","user_id":"user_bob"}}
//
// ([Payload]; "timestamp" is when the event happened, RFC 3339 in UTC) and
// three headers:
//
//	webhook-id:        evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0
//	webhook-timestamp: 1763892007
//	webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
//
// webhook-id is the event's ID: the same on every retry and for every
// endpoint, so receivers use it to process each event once.
// webhook-timestamp is the attempt's time in unix seconds; it changes on
// each retry. The signature is
//
//	"v1," + base64(HMAC-SHA256(key, webhook-id + "." + webhook-timestamp + "." + body))
//
// where key is the endpoint's secret decoded from its serialized form
// "whsec_" + base64 (24 to 64 random bytes; [NewSecret] makes 32). While a
// secret is being rotated, the message is signed with the new and the old
// secret and webhook-signature holds both, separated by a space: a
// receiver holding either accepts it. [Sign] and [SignHeaders] compute
// these; the results match the specification's published test vectors and
// the official libraries (the e2e module checks the Go library).
//
// # Verifying in Go
//
// Read the raw body and pass it to [Verify] with the endpoint's secret; do
// not parse and re-encode the JSON first, the bytes would differ.
//
//	secret, err := webhooks.ParseSecret(os.Getenv("ORGS_WEBHOOK_SECRET")) // "whsec_…"
//	if err != nil {
//		log.Fatal(err) // a *webhooks.SecretError: the value is not a whsec_ secret
//	}
//	http.HandleFunc("POST /webhooks/orgs", func(w http.ResponseWriter, r *http.Request) {
//		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//		if err != nil {
//			http.Error(w, "unreadable body", http.StatusBadRequest)
//			return
//		}
//		if err := webhooks.Verify(r.Header, body, secret); err != nil {
//			http.Error(w, "invalid signature", http.StatusUnauthorized)
//			return
//		}
//		var p webhooks.Payload
//		if err := json.Unmarshal(body, &p); err != nil { … }
//		// Skip p if r.Header.Get("webhook-id") was already processed.
//		w.WriteHeader(http.StatusNoContent) // any 2xx acknowledges
//	})
//
// Verify refuses a message whose webhook-timestamp is more than
// [DefaultTolerance] (5 minutes) away from the clock, in either direction,
// which stops replays; a [Verifier] sets another tolerance or clock, and
// accepts several secrets for the receiver's own rotation. Signatures are
// compared in constant time. Each failure wraps a sentinel error:
// [ErrMissingHeader], [ErrInvalidTimestamp], [ErrTimestampTooOld],
// [ErrTimestampTooNew], [ErrNoMatchingSignature], [ErrNoSecret].
//
// # Verifying in Node
//
// The official npm package standardwebhooks verifies the same messages
// (the e2e module runs this code against our signatures):
//
//	// npm install standardwebhooks express
//	const express = require("express");
//	const { Webhook } = require("standardwebhooks");
//
//	const wh = new Webhook(process.env.ORGS_WEBHOOK_SECRET); // "whsec_…"
//	const app = express();
//	// express.raw keeps the body as the exact bytes that were signed.
//	app.post("/webhooks/orgs", express.raw({ type: "application/json" }), (req, res) => {
//	  let payload;
//	  try {
//	    payload = wh.verify(req.body, req.headers); // throws WebhookVerificationError
//	  } catch (err) {
//	    return res.status(401).send("invalid signature");
//	  }
//	  // payload.type, payload.timestamp, payload.organization_id, payload.data;
//	  // req.headers["webhook-id"] is the idempotency key.
//	  res.sendStatus(204);
//	});
//
// # Destinations: the SSRF policy
//
// Endpoint URLs are typed in by customers, so a URL could point at the
// host's own network. [NewClient] returns the *http.Client that [Sender]
// uses by default; it refuses, before any packet is sent:
//
//   - URLs whose scheme is not https ([ErrSchemeRefused]);
//   - hosts that are, or resolve to, any address outside the public
//     internet ([ErrDestinationRefused]): "this network" 0.0.0.0/8 (and
//     the unspecified addresses 0.0.0.0 and ::), loopback 127.0.0.0/8 and
//     ::1, private 10/8, 172.16/12, 192.168/16, carrier-grade NAT
//     100.64/10, link-local 169.254/16 (with the cloud metadata address
//     169.254.169.254) and fe80::/10, unique-local fc00::/7, site-local
//     fec0::/10, multicast 224/4 and ff00::/8, reserved 240/4 (with the
//     broadcast address), IETF 192.0.0/24, benchmarking 198.18/15,
//     documentation 192.0.2/24, 198.51.100/24, 203.0.113/24 and
//     2001:db8::/32, discard 100::/64, IPv4-compatible ::/96; IPv4-mapped
//     (::ffff:10.0.0.1), NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
//     addresses are judged by the IPv4 address they carry.
//
// The client resolves the host itself, refuses the host if any of its
// addresses is refused, and connects only to an address it has checked,
// so a DNS answer cannot change between check and connect; the default
// dialer checks the socket's address again just before connecting.
// Environment proxies are ignored. Redirects are not followed (a 3xx is a
// failed attempt, as the specification advises) unless
// ClientOptions.MaxRedirects allows some, at most 10; every target is then
// checked the same way and https → http is refused ([ErrSchemeDowngrade]).
// Each request is bounded by ClientOptions.Timeout ([DefaultTimeout], 15
// s).
//
// Tests and local examples deliver to httptest servers on loopback; they
// opt out explicitly:
//
//	client := webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true})
//	sender := &webhooks.Sender{Client: client}
//
// Never set AllowPrivate in production: with it, an endpoint URL reaches
// the machine's internal network and the cloud metadata service.
//
// # Attempts
//
// [Sender.Send] makes one attempt and returns an [Attempt]: the status
// code, the latency, the first [DefaultExcerptBytes] of the response body
// as valid UTF-8 ([ReadExcerpt]), and an [Outcome]: success (any 2xx),
// non_2xx, refused_destination, timeout, connection_error, canceled (the
// caller's context), or invalid (the endpoint or message can never be
// sent as is). A 410 Gone asks the sender to stop: the worker may disable
// the endpoint.
//
// # Retries
//
// [DefaultSchedule] is Svix's: 8 attempts, at once, then after 5 s, 5
// min, 30 min, 2 h, 5 h, 10 h and 10 h (27 h 35 min in all); after the
// eighth failure the message has failed. Each delay is jittered by up to
// ±20% ([DefaultJitter]) so that endpoints that failed together are not
// retried together. Schedule.Next(attempts, now) returns when to make the
// next attempt, or false when there is none; the Schedule's fields set
// other delays, another jitter, and the random source (tests pin it).
//
// # Delivery
//
// Endpoints are managed through the core Service: an organization's
// admins manage its own (permission webhooks:manage; package httpapi
// serves them under /organizations/{slug}/webhooks), and the host manages
// host-level endpoints, which receive every organization's events, as the
// system caller with [orgs.AllOrganizations]. Each has a URL, the event
// types it wants (none: all), an enabled flag and a whsec_ signing secret,
// shown once and rotatable with an overlap during which both secrets sign.
//
// A [Worker] delivers:
//
//	w, err := webhooks.NewWorker(svc, webhooks.WorkerOptions{})
//	go w.Run(ctx) // in every application instance
//
// Run does two things. A durable consumer of the event log
// ([orgs.Service.RunConsumer], named "webhooks") fans each event out: one
// delivery row per enabled endpoint that wants the event's type and
// existed when it happened — the organization's and the host's. The rows
// are unique per (endpoint, event), so a fan-out repeated after a crash
// queues nothing twice. A delivery loop then claims due deliveries with a
// lease (request timeout + 30 s), at most WorkerOptions.Concurrency at a
// time, sends each, and records the attempt — outcome, status, latency,
// the start of the response — in the endpoint's attempt log
// ([orgs.Service.ListWebhookAttempts]). A failed attempt is retried on the
// Schedule; a message that exhausts it marks the endpoint failing, and an
// endpoint still failing WorkerOptions.DisableAfter later (5 days by
// default) is disabled, recording webhook_endpoint.disabled in its
// organization's log. A success ends the failing period; a 410 Gone
// disables the endpoint at once. [orgs.Service.ReplayWebhooks] sends one
// message, or a time range of them, again from the first attempt.
//
// Guarantees: every event is delivered to every endpoint that wants it at
// least once, across crashes (nothing is acknowledged before the database
// records it), and almost never twice. Any number of instances may run
// workers on one database: one of them fans out at a time (the consumer's
// lease), and each due delivery is claimed by one worker (FOR UPDATE SKIP
// LOCKED on Postgres; SQLite serializes writers). A message is sent twice
// only when a worker dies between sending and recording (the delivery is
// retried when its lease ends), or an attempt outlives its lease (it
// cannot: the lease is longer than the client's timeout), or a replay
// resets a delivery in flight. Receivers de-duplicate with webhook-id.
// Messages to one endpoint are not ordered: attempts run concurrently and
// retries overtake.
//
// Destinations are checked at delivery time against the resolved address
// (see "Destinations" above). Organizations' endpoints are sent with
// WorkerOptions.Client (by default the production policy: https, public
// addresses); host-level endpoints with WorkerOptions.HostClient, which
// the host may allow to reach its own network — the example server does,
// for a loopback receiver — without opening that network to its
// customers' URLs.
//
// # Why not River
//
// River (riverqueue) is a well-kept job queue for Go with Postgres and
// SQLite drivers that inserts jobs in the caller's transaction. We drive
// delivery from our own tables instead:
//
//   - The outbox exists already: every mutation appends its event in its
//     own transaction. A job per (event, endpoint) would copy it, and
//     inserting jobs in the mutation's transaction would make every
//     mutation pay for webhooks, used or not; a fan-out from the log
//     keeps the mutation path as it is.
//   - One behaviour on every store: delivery runs on SQLite, Postgres,
//     the memory store and any custom Store that passes storetest (the
//     orgs.EventLog and orgs.WebhookStore capabilities), with the same
//     tests. River needs its own schema, migrations and driver per
//     database (its SQLite driver is young), and no custom store could
//     carry it.
//   - Weight: River, its drivers and their dependencies would enter the
//     root module's go.mod, which every host downloads, webhooks or not.
//     What delivery needs from a queue — a lease, SKIP LOCKED, a next
//     attempt time, a unique key — is a few statements in our store.
//
// A host that runs River already can still use it: handle the log with
// [orgs.Service.RunConsumer] and insert its own jobs.

package webhooks
