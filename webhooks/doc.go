// Package webhooks delivers organization events to customers' HTTP
// endpoints as Standard Webhooks 1.0 (https://www.standardwebhooks.com):
// signed, retried on a schedule, and sent only to the public internet.
//
// This package is the storage-free foundation: signing and verification,
// the message built from an [orgs.Event], an HTTP client defended against
// server-side request forgery, one delivery attempt ([Sender.Send]) and the
// retry [Schedule]. A worker that reads the event outbox and stored
// endpoints drives them (see "Wiring a worker" below). It uses only the
// standard library.
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
// # Wiring a worker
//
// The storage-backed worker is built on these pieces:
//
//	msg, err := webhooks.NewMessage(event)        // once per event from the outbox
//	for _, ep := range endpointsFor(event) {      // stored URL and whsec_ secrets (ParseSecret)
//		a := sender.Send(ctx, ep, msg)            // bounded concurrency is the worker's
//		store(a, attemptNumber)                   // Attempt's fields are plain values
//		if a.Succeeded() || a.Outcome == webhooks.OutcomeInvalid {
//			continue
//		}
//		if next, ok := schedule.Next(attemptNumber, a.SentAt); ok {
//			due(ep, msg, next)
//		} else {
//			failed(ep, msg)
//		}
//	}
//
// OutcomeCanceled means the worker itself stopped (as at shutdown): retry
// without counting the attempt.
package webhooks
