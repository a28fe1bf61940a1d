// Package webhooks_test checks our webhooks package against independent
// Standard Webhooks implementations: the official Go library here, and
// the official npm package in node_test.go.
package webhooks_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tenantkit/orgs"
	"github.com/tenantkit/orgs/webhooks"
)

// bodies are the payloads signed in every check: our own message, the
// spec's vector body, non-ASCII text, and an empty body.
func bodies(t *testing.T) map[string][]byte {
	msg, err := webhooks.NewMessage(orgs.Event{
		ID: "evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", OrganizationID: "org_1", Type: "member.added", ActorID: "user_alice",
		Data: map[string]string{"user_id": "user_bob", "name": "Zoë <Ω> & 東京 😀"}, CreatedAt: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"message":    msg.Body,
		"vector":     []byte(`{"test": 2432232314}`),
		"unicode":    []byte(`{"name":"Zoë 東京 😀","note":"a\nb"}`),
		"empty":      {},
		"whitespace": []byte(" {\n  \"a\": 1\n}\n"),
	}
}

// secrets returns n fresh secrets of assorted lengths (24 to 64 bytes).
func secrets(t *testing.T, n int) []webhooks.Secret {
	out := make([]webhooks.Secret, n)
	for i := range out {
		s, err := webhooks.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	return out
}

// Our signatures verify with the official library, for each of the
// secrets that signed them; a flipped body byte, another secret, and a
// stale timestamp fail there too (the negative controls).
func TestOurSignaturesVerifyWithOfficialGo(t *testing.T) {
	secs := secrets(t, 3)
	current, old, stranger := secs[0], secs[1], secs[2]
	for name, body := range bodies(t) {
		t.Run(name, func(t *testing.T) {
			h, err := webhooks.SignHeaders("evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", time.Now(), body, current, old)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range []webhooks.Secret{current, old} {
				wh, err := standardwebhooks.NewWebhook(s.Encoded())
				if err != nil {
					t.Fatal(err)
				}
				if err := wh.Verify(body, h); err != nil {
					t.Errorf("secret %d: the official library refuses our signature: %v", i, err)
				}
			}

			wh, _ := standardwebhooks.NewWebhook(current.Encoded())
			if len(body) > 0 {
				tampered := append([]byte(nil), body...)
				tampered[len(tampered)/2] ^= 0x01
				if err := wh.Verify(tampered, h); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
					t.Errorf("flipped body byte: %v, want ErrNoMatchingSignature", err)
				}
			}
			other, _ := standardwebhooks.NewWebhook(stranger.Encoded())
			if err := other.Verify(body, h); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
				t.Errorf("another secret: %v, want ErrNoMatchingSignature", err)
			}
			stale, _ := webhooks.SignHeaders("evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", time.Now().Add(-6*time.Minute), body, current)
			if err := wh.Verify(body, stale); !errors.Is(err, standardwebhooks.ErrMessageTooOld) {
				t.Errorf("stale timestamp: %v, want ErrMessageTooOld", err)
			}
		})
	}
}

// The official library's signatures verify with ours, and the two agree
// byte for byte on the signature itself.
func TestOfficialGoSignaturesVerifyWithOurs(t *testing.T) {
	sec := secrets(t, 1)[0]
	wh, err := standardwebhooks.NewWebhook(sec.Encoded())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range bodies(t) {
		t.Run(name, func(t *testing.T) {
			now := time.Now()
			theirs, err := wh.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", now, body)
			if err != nil {
				t.Fatal(err)
			}
			ours, err := webhooks.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", now, body, sec)
			if err != nil {
				t.Fatal(err)
			}
			if theirs != ours {
				t.Fatalf("signatures differ: official %s, ours %s", theirs, ours)
			}
			h := http.Header{}
			h.Set(standardwebhooks.HeaderWebhookID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
			h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
			h.Set(standardwebhooks.HeaderWebhookSignature, theirs)
			if err := webhooks.Verify(h, body, sec); err != nil {
				t.Fatalf("our Verify refuses the official signature: %v", err)
			}
			if err := webhooks.Verify(h, append(body, ' '), sec); !errors.Is(err, webhooks.ErrNoMatchingSignature) {
				t.Fatalf("negative control, body with an extra space: %v", err)
			}
		})
	}
}

// End to end over HTTP: our Sender delivers to a receiver written with the
// official library, the way a host's customer would write it.
func TestSenderToOfficialGoReceiver(t *testing.T) {
	secs := secrets(t, 2)
	current, old := secs[0], secs[1]
	wh, err := standardwebhooks.NewWebhook(old.Encoded()) // the receiver still holds the old secret
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := wh.Verify(body, r.Header); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "verified")
	}))
	defer receiver.Close()
	sender := &webhooks.Sender{Client: webhooks.NewClient(webhooks.ClientOptions{AllowPrivate: true, AllowHTTP: true})}
	msg, err := webhooks.NewMessage(orgs.Event{ID: "evt_01JD5Z6ZQ3K6X8W0V2Y4T6R8P0", Type: "organization.created", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}

	a := sender.Send(context.Background(), webhooks.Endpoint{URL: receiver.URL, Secrets: []webhooks.Secret{current, old}}, msg)
	if a.Outcome != webhooks.OutcomeSuccess || a.Response != "verified" {
		t.Fatalf("rotation overlap: %+v, want success", a)
	}
	// Negative control: once the sender drops the old secret, this receiver
	// refuses.
	a = sender.Send(context.Background(), webhooks.Endpoint{URL: receiver.URL, Secrets: []webhooks.Secret{current}}, msg)
	if a.StatusCode != http.StatusUnauthorized || !strings.Contains(a.Response, "no matching signature") {
		t.Fatalf("new secret only: %+v, want 401 no matching signature", a)
	}
}
