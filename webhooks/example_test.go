package webhooks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/webhooks"
)

// Signing a message with the Standard Webhooks test vector.
func ExampleSign() {
	secret := webhooks.MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	sig, err := webhooks.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`), secret)
	if err != nil {
		panic(err)
	}
	fmt.Println(sig)
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

// During a rotation a message carries one signature per active secret.
func ExampleSignHeaders() {
	current := webhooks.MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	old := webhooks.MustParseSecret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
	h, err := webhooks.SignHeaders("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`), current, old)
	if err != nil {
		panic(err)
	}
	fmt.Println("webhook-id:", h.Get("webhook-id"))
	fmt.Println("webhook-timestamp:", h.Get("webhook-timestamp"))
	fmt.Println("webhook-signature:", h.Get("webhook-signature"))
	// Output:
	// webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek
	// webhook-timestamp: 1614265330
	// webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,78nXHjpFP0tVJQW5D0SBwmVyyW87BV/rL6MgfM/Bw44=
}

// A receiver verifies the raw body and the three headers. The clock is
// pinned here so that the 2021 test vector is within the tolerance.
func ExampleVerifier_Verify() {
	secret := webhooks.MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	header := http.Header{}
	header.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	header.Set("webhook-timestamp", "1614265330")
	header.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	v := webhooks.Verifier{
		Secrets: []webhooks.Secret{secret},
		Now:     func() time.Time { return time.Unix(1614265330+60, 0) },
	}

	fmt.Println(v.Verify(header, []byte(`{"test": 2432232314}`)))
	err := v.Verify(header, []byte(`{"test": 2432232315}`))
	fmt.Println(err, errors.Is(err, webhooks.ErrNoMatchingSignature))
	v.Now = func() time.Time { return time.Unix(1614265330+301, 0) }
	err = v.Verify(header, []byte(`{"test": 2432232314}`))
	fmt.Println(errors.Is(err, webhooks.ErrTimestampTooOld))
	// Output:
	// <nil>
	// webhooks: no matching signature true
	// true
}

// Verify in an HTTP handler: read the raw body, then verify it.
func ExampleVerify() {
	secret := webhooks.MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	handler := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := webhooks.Verify(r.Header, body, secret); err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent) // then process it, once per webhook-id
	}

	body := []byte(`{"type":"member.added","timestamp":"2026-11-23T10:00:00Z","data":{}}`)
	signed, _ := webhooks.SignHeaders("evt_1", time.Now(), body, secret)
	for _, h := range []http.Header{signed, {}} {
		req := httptest.NewRequest("POST", "/webhooks", bytes.NewReader(body))
		for k, v := range h {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		handler(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 204
	// 401
}

// The message for an audit event: the event ID is the webhook-id.
func ExampleNewMessage() {
	msg, err := webhooks.NewMessage(orgs.Event{
		ID: "evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", OrganizationID: "org_01JD5Z6Y", Type: "member.added", ActorType: "user", ActorID: "user_alice",
		Data:      map[string]string{"user_id": "user_bob", "role": "member"},
		CreatedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(msg.ID)
	fmt.Println(string(msg.Body))
	// Output:
	// evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0
	// {"type":"member.added","timestamp":"2026-11-23T10:00:00Z","organization_id":"org_01JD5Z6Y","actor_type":"user","actor_id":"user_alice","data":{"role":"member","user_id":"user_bob"}}
}

// One delivery attempt to a local test receiver: tests and examples allow
// private destinations and plain http; production code does not.
func ExampleSender_Send() {
	secret, err := webhooks.NewSecret()
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if webhooks.Verify(r.Header, body, secret) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "thanks")
	}))
	defer receiver.Close()

	sender := &webhooks.Sender{Client: webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true})}
	msg, _ := webhooks.NewMessage(orgs.Event{ID: "evt_1", Type: "organization.created", CreatedAt: time.Now()})
	a := sender.Send(context.Background(), webhooks.Endpoint{ID: "ep_1", URL: receiver.URL, Secrets: []webhooks.Secret{secret}}, msg)
	fmt.Println(a.Outcome, a.StatusCode, a.Response)

	// The production client refuses the same receiver: it is on loopback.
	a = (&webhooks.Sender{}).Send(context.Background(), webhooks.Endpoint{URL: receiver.URL, Secrets: []webhooks.Secret{secret}}, msg)
	fmt.Println(a.Outcome)
	// Output:
	// success 200 thanks
	// refused_destination
}

// The production client refuses the cloud metadata address before
// connecting.
func ExampleNewClient() {
	client := webhooks.NewClient(webhooks.ClientOptions{}) // https only, public addresses only
	_, err := client.Post("https://169.254.169.254/latest/meta-data/", "application/json", nil)
	fmt.Println(errors.Is(err, webhooks.ErrDestinationRefused))
	// Output:
	// true
}

func ExampleSchedule_Next() {
	s := webhooks.DefaultSchedule()
	s.Rand = func() float64 { return 0.5 } // the middle of ±20%: no jitter this time
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	now := start
	for attempts := 0; ; attempts++ {
		next, ok := s.Next(attempts, now)
		if !ok {
			fmt.Printf("after attempt %d the message has failed\n", attempts)
			break
		}
		fmt.Printf("attempt %d at +%v\n", attempts+1, next.Sub(start))
		now = next
	}
	// Output:
	// attempt 1 at +0s
	// attempt 2 at +5s
	// attempt 3 at +5m5s
	// attempt 4 at +35m5s
	// attempt 5 at +2h35m5s
	// attempt 6 at +7h35m5s
	// attempt 7 at +17h35m5s
	// attempt 8 at +27h35m5s
	// after attempt 8 the message has failed
}
