package webhooks

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// signatureVectors are the published Standard Webhooks test vectors, copied
// from github.com/standard-webhooks/standard-webhooks at commit
// b2fa7b8719fb75d326b591077f5d1b385cfcdfae:
//   - libraries/go/webhook_test.go, TestWebhookSign (the same vector is in
//     javascript/src/webhook.test.ts "sign function works",
//     python/tests/test_webhooks.py, php/tests/WebhookTest.php,
//     ruby/spec/webhook_spec.rb, csharp and java TestScenario.validSigned);
//   - libraries/rust/src/lib.rs, test_sign.
var signatureVectors = []struct {
	name, secret, id string
	timestamp        int64
	body, signature  string
}{
	{
		name:      "libraries/go/webhook_test.go TestWebhookSign",
		secret:    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		id:        "msg_p5jXN8AQM9LWM0D4loKWxJek",
		timestamp: 1614265330,
		body:      `{"test": 2432232314}`,
		signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
	},
	{
		name:      "libraries/rust/src/lib.rs test_sign",
		secret:    "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
		id:        "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
		timestamp: 1649367553,
		body:      `{"email":"test@example.com","username":"test_user"}`,
		signature: "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
	},
}

// Signatures the same files use as wrong ones (go: "invalid signature is
// invalid"; rust: test_no_verify and test_*_multiple_signatures).
var wrongSignatures = []string{
	"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
	"v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU=",
	"v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ=",
	"v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q=",
	"v1,9DfC1c3eeOrXB6w/5dIDydLNQaEyww5KalE5jLBZucE=",
}

func vectorHeader(id string, ts int64, sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	return h
}

func at(unix int64) func() time.Time { return func() time.Time { return time.Unix(unix, 0) } }

func TestSignVectors(t *testing.T) {
	for _, v := range signatureVectors {
		t.Run(v.name, func(t *testing.T) {
			sec := MustParseSecret(v.secret)
			got, err := Sign(v.id, time.Unix(v.timestamp, 0), []byte(v.body), sec)
			if err != nil {
				t.Fatal(err)
			}
			if got != v.signature {
				t.Errorf("Sign = %s, want %s", got, v.signature)
			}
			h, err := SignHeaders(v.id, time.Unix(v.timestamp, 0), []byte(v.body), sec)
			if err != nil {
				t.Fatal(err)
			}
			if want := vectorHeader(v.id, v.timestamp, v.signature); !equalHeader(h, want) {
				t.Errorf("SignHeaders = %v, want %v", h, want)
			}
		})
	}
}

func TestVerifyVectors(t *testing.T) {
	for _, v := range signatureVectors {
		t.Run(v.name, func(t *testing.T) {
			ver := Verifier{Secrets: []Secret{MustParseSecret(v.secret)}, Now: at(v.timestamp)}
			if err := ver.Verify(vectorHeader(v.id, v.timestamp, v.signature), []byte(v.body)); err != nil {
				t.Fatalf("the published vector does not verify: %v", err)
			}
			// The spec libraries' multi-signature case: other versions and
			// wrong signatures around the right one.
			multi := strings.Join([]string{wrongSignatures[0], "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", v.signature, wrongSignatures[1]}, " ")
			if err := ver.Verify(vectorHeader(v.id, v.timestamp, multi), []byte(v.body)); err != nil {
				t.Fatalf("the vector among other signatures: %v", err)
			}
			// Negative control: the same call with only the wrong ones fails.
			wrong := strings.Join(wrongSignatures, " ")
			if err := ver.Verify(vectorHeader(v.id, v.timestamp, wrong), []byte(v.body)); !errors.Is(err, ErrNoMatchingSignature) {
				t.Fatalf("only wrong signatures: err = %v, want ErrNoMatchingSignature", err)
			}
		})
	}
}

// Each mutation of a valid message fails verification with its own error;
// the unmutated message passes, so every failure is the mutation's.
func TestVerifyRejects(t *testing.T) {
	v := signatureVectors[0]
	secret := MustParseSecret(v.secret)
	other := MustParseSecret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
	type msg struct {
		h       http.Header
		body    []byte
		secrets []Secret
		now     int64
	}
	valid := func() msg {
		return msg{vectorHeader(v.id, v.timestamp, v.signature), []byte(v.body), []Secret{secret}, v.timestamp}
	}
	cases := []struct {
		name   string
		mutate func(*msg)
		want   error // nil: passes
	}{
		{"unmutated", func(*msg) {}, nil},
		{"now at +tolerance", func(m *msg) { m.now += 300 }, nil},
		{"now at -tolerance", func(m *msg) { m.now -= 300 }, nil},
		{"receiver rotating: old and new secret", func(m *msg) { m.secrets = []Secret{other, secret} }, nil},
		{"lower-case header keys set directly", func(m *msg) {
			h := http.Header{}
			for k, vs := range m.h {
				h[strings.ToLower(k)] = vs
			}
			m.h = h
		}, ErrMissingHeader}, // http.Header.Get needs canonical keys, as net/http gives them
		{"flipped body byte", func(m *msg) { m.body = flip(m.body, 3) }, ErrNoMatchingSignature},
		{"flipped last body byte", func(m *msg) { m.body = flip(m.body, len(m.body)-1) }, ErrNoMatchingSignature},
		{"body with trailing newline", func(m *msg) { m.body = append(m.body, '\n') }, ErrNoMatchingSignature},
		{"flipped signature byte", func(m *msg) {
			m.h.Set("webhook-signature", string(flip([]byte(v.signature), 10)))
		}, ErrNoMatchingSignature},
		{"other message ID", func(m *msg) { m.h.Set("webhook-id", v.id+"x") }, ErrNoMatchingSignature},
		{"timestamp off by one second", func(m *msg) {
			m.h.Set("webhook-timestamp", strconv.FormatInt(v.timestamp+1, 10))
		}, ErrNoMatchingSignature},
		{"wrong secret", func(m *msg) { m.secrets = []Secret{other} }, ErrNoMatchingSignature},
		{"v1a (asymmetric) only", func(m *msg) {
			m.h.Set("webhook-signature", "v1a,"+strings.TrimPrefix(v.signature, "v1,"))
		}, ErrNoMatchingSignature},
		{"version missing", func(m *msg) {
			m.h.Set("webhook-signature", strings.TrimPrefix(v.signature, "v1,"))
		}, ErrNoMatchingSignature},
		{"partial: v1,", func(m *msg) { m.h.Set("webhook-signature", "v1,") }, ErrNoMatchingSignature},
		{"truncated signature", func(m *msg) { m.h.Set("webhook-signature", v.signature[:20]) }, ErrNoMatchingSignature},
		{"signature without padding", func(m *msg) {
			m.h.Set("webhook-signature", strings.TrimRight(v.signature, "="))
		}, ErrNoMatchingSignature},
		{"stale: tolerance + 1s", func(m *msg) { m.now += 301 }, ErrTimestampTooOld},
		{"stale by a day", func(m *msg) { m.now += 86400 }, ErrTimestampTooOld},
		{"future: tolerance + 1s", func(m *msg) { m.now -= 301 }, ErrTimestampTooNew},
		{"missing webhook-id", func(m *msg) { m.h.Del("webhook-id") }, ErrMissingHeader},
		{"missing webhook-timestamp", func(m *msg) { m.h.Del("webhook-timestamp") }, ErrMissingHeader},
		{"missing webhook-signature", func(m *msg) { m.h.Del("webhook-signature") }, ErrMissingHeader},
		{"empty webhook-signature", func(m *msg) { m.h.Set("webhook-signature", "") }, ErrMissingHeader},
		{"timestamp in milliseconds", func(m *msg) {
			m.h.Set("webhook-timestamp", strconv.FormatInt(v.timestamp*1000, 10))
		}, ErrTimestampTooNew},
		{"timestamp with sign", func(m *msg) {
			m.h.Set("webhook-timestamp", "+"+strconv.FormatInt(v.timestamp, 10))
		}, ErrInvalidTimestamp},
		{"timestamp not a number", func(m *msg) { m.h.Set("webhook-timestamp", "yesterday") }, ErrInvalidTimestamp},
		{"timestamp RFC 3339", func(m *msg) { m.h.Set("webhook-timestamp", "2021-02-25T15:02:10Z") }, ErrInvalidTimestamp},
		{"no secrets", func(m *msg) { m.secrets = nil }, ErrNoSecret},
		{"zero secret", func(m *msg) { m.secrets = []Secret{{}} }, ErrNoSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := valid()
			c.mutate(&m)
			err := Verifier{Secrets: m.secrets, Now: at(m.now)}.Verify(m.h, m.body)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify: %v, want %v", err, c.want)
			}
		})
	}
}

func TestVerifyTolerance(t *testing.T) {
	v := signatureVectors[0]
	h := vectorHeader(v.id, v.timestamp, v.signature)
	ver := Verifier{Secrets: []Secret{MustParseSecret(v.secret)}, Tolerance: time.Hour, Now: at(v.timestamp + 3600)}
	if err := ver.Verify(h, []byte(v.body)); err != nil {
		t.Fatalf("an hour old with a tolerance of an hour: %v", err)
	}
	ver.Now = at(v.timestamp + 3601)
	if err := ver.Verify(h, []byte(v.body)); !errors.Is(err, ErrTimestampTooOld) {
		t.Fatalf("an hour and a second old: %v, want ErrTimestampTooOld", err)
	}
	// Verify (no Verifier) uses the real clock and DefaultTolerance: the
	// vector from 2021 is stale, one signed now is not.
	if err := Verify(h, []byte(v.body), MustParseSecret(v.secret)); !errors.Is(err, ErrTimestampTooOld) {
		t.Fatalf("Verify of a 2021 message: %v, want ErrTimestampTooOld", err)
	}
	fresh, err := SignHeaders(v.id, time.Now(), []byte(v.body), MustParseSecret(v.secret))
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(fresh, []byte(v.body), MustParseSecret(v.secret)); err != nil {
		t.Fatalf("Verify of a message signed now: %v", err)
	}
}

var headerSignature = regexp.MustCompile(`^v1,[A-Za-z0-9+/]{43}=( v1,[A-Za-z0-9+/]{43}=)*$`)

// Rotation: one signature per secret, in order, each verifying alone.
func TestSignSeveralSecrets(t *testing.T) {
	old, current, stranger := mustNewSecret(t), mustNewSecret(t), mustNewSecret(t)
	ts := time.Unix(1700000000, 0)
	body := []byte(`{"type":"member.added"}`)
	h, err := SignHeaders("evt_1", ts, body, current, old)
	if err != nil {
		t.Fatal(err)
	}
	sig := h.Get("webhook-signature")
	if !headerSignature.MatchString(sig) || strings.Count(sig, " ") != 1 {
		t.Fatalf("webhook-signature %q is not two space-separated v1 signatures", sig)
	}
	for i, s := range []Secret{current, old} {
		one, _ := Sign("evt_1", ts, body, s)
		if got := strings.Split(sig, " ")[i]; got != one {
			t.Errorf("signature %d = %s, want %s (its secret alone)", i, got, one)
		}
		if err := (Verifier{Secrets: []Secret{s}, Now: at(ts.Unix())}).Verify(h, body); err != nil {
			t.Errorf("secret %d alone: %v", i, err)
		}
	}
	if err := (Verifier{Secrets: []Secret{stranger}, Now: at(ts.Unix())}).Verify(h, body); !errors.Is(err, ErrNoMatchingSignature) {
		t.Errorf("a third secret: %v, want ErrNoMatchingSignature", err)
	}
}

func TestSignRefuses(t *testing.T) {
	sec := MustParseSecret(signatureVectors[0].secret)
	ts := time.Unix(1700000000, 0)
	for _, id := range []string{"", "evt.1", "evt 1", "evt\t1", "evt\n1", "évt_1", "evt_\x7f", strings.Repeat("a", 256)} {
		if _, err := Sign(id, ts, nil, sec); !errors.Is(err, ErrInvalidMessageID) {
			t.Errorf("Sign(id %q): %v, want ErrInvalidMessageID", id, err)
		}
	}
	if _, err := Sign(strings.Repeat("a", 255), ts, nil, sec); err != nil {
		t.Errorf("a 255-byte ID: %v", err) // control for the 256-byte one
	}
	if _, err := Sign("evt_1", ts, nil); !errors.Is(err, ErrNoSecret) {
		t.Errorf("no secret: %v, want ErrNoSecret", err)
	}
	if _, err := SignHeaders("evt_1", ts, nil, sec, Secret{}); !errors.Is(err, ErrNoSecret) {
		t.Errorf("a zero secret: %v, want ErrNoSecret", err)
	}
}

func mustNewSecret(t testing.TB) Secret {
	t.Helper()
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") {
			return false
		}
	}
	return true
}
