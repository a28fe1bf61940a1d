package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers. http.Header canonicalizes their names
// (Webhook-Id…); HTTP header names are case-insensitive.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far a webhook-timestamp may be from the verifier's
// clock, in the past or the future, before Verify refuses the message.
const DefaultTolerance = 5 * time.Minute

// signatureVersion identifies HMAC-SHA256 signatures in webhook-signature.
const signatureVersion = "v1"

// Errors from Sign and Verify. Verify wraps them with details; test with
// errors.Is.
var (
	// ErrNoSecret: Sign or Verify was given no secret, or a zero Secret.
	ErrNoSecret = errors.New("webhooks: no secret")
	// ErrInvalidMessageID: a message ID is empty, longer than 255 bytes, or
	// has a byte other than printable ASCII without space and '.' (the
	// specification forbids '.', which delimits the signed content).
	ErrInvalidMessageID = errors.New("webhooks: invalid message ID")
	// ErrMissingHeader: a webhook-id, webhook-timestamp or
	// webhook-signature header is absent or empty.
	ErrMissingHeader = errors.New("webhooks: missing header")
	// ErrInvalidTimestamp: webhook-timestamp is not a decimal number of
	// seconds.
	ErrInvalidTimestamp = errors.New("webhooks: invalid webhook-timestamp")
	// ErrTimestampTooOld: webhook-timestamp is more than the tolerance in
	// the past (a replay, or a very slow queue).
	ErrTimestampTooOld = errors.New("webhooks: message timestamp too old")
	// ErrTimestampTooNew: webhook-timestamp is more than the tolerance in
	// the future.
	ErrTimestampTooNew = errors.New("webhooks: message timestamp too new")
	// ErrNoMatchingSignature: no v1 signature in webhook-signature matches
	// any of the secrets.
	ErrNoMatchingSignature = errors.New("webhooks: no matching signature")
)

// Sign returns the webhook-signature header value for a message: for each
// secret, "v1," + base64(HMAC-SHA256(key, msgID + "." + unix seconds + "." +
// body)), joined by spaces. Pass every active secret during a rotation: a
// receiver holding either the old or the new one accepts the message.
//
// Sign uses the timestamp's whole seconds, as webhook-timestamp carries
// them: send the same timestamp in that header.
func Sign(msgID string, timestamp time.Time, body []byte, secrets ...Secret) (string, error) {
	if err := checkMessageID(msgID); err != nil {
		return "", err
	}
	if len(secrets) == 0 {
		return "", ErrNoSecret
	}
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		if s.IsZero() {
			return "", ErrNoSecret
		}
		sigs[i] = signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(s, msgID, timestamp.Unix(), body))
	}
	return strings.Join(sigs, " "), nil
}

// SignHeaders returns the three Standard Webhooks headers for a message
// sent at timestamp: webhook-id, webhook-timestamp (unix seconds) and
// webhook-signature (see Sign).
func SignHeaders(msgID string, timestamp time.Time, body []byte, secrets ...Secret) (http.Header, error) {
	sig, err := Sign(msgID, timestamp, body, secrets...)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, 3)
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return h, nil
}

// mac is HMAC-SHA256(key, msgID.timestamp.body).
func mac(s Secret, msgID string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(msgID))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(nil, unix, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// checkMessageID enforces what ErrInvalidMessageID says.
func checkMessageID(id string) error {
	if id == "" || len(id) > 255 {
		return fmt.Errorf("%w: %d bytes", ErrInvalidMessageID, len(id))
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' {
			return fmt.Errorf("%w: byte %q at %d", ErrInvalidMessageID, c, i)
		}
	}
	return nil
}

// Verifier checks Standard Webhooks signatures; its zero value (plus
// Secrets) is ready to use. Receivers use it, or the Verify shortcut.
type Verifier struct {
	// Secrets are the keys to accept; a message passes when any of its
	// signatures matches any of them (rotation on the receiver's side).
	Secrets []Secret
	// Tolerance bounds the distance between webhook-timestamp and Now;
	// zero means DefaultTolerance.
	Tolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verify is Verifier{Secrets: secrets}.Verify(header, body).
func Verify(header http.Header, body []byte, secrets ...Secret) error {
	return Verifier{Secrets: secrets}.Verify(header, body)
}

// Verify checks that header carries a webhook-id, a webhook-timestamp within
// the tolerance of the clock, and at least one "v1," signature in
// webhook-signature (a space-separated list) that matches body under one of
// the secrets. Signatures are compared in constant time; other versions
// (such as v1a) and malformed entries are skipped. body must be the raw
// request body: JSON parsed and re-encoded rarely has the same bytes.
//
// The error wraps ErrNoSecret, ErrMissingHeader, ErrInvalidTimestamp,
// ErrTimestampTooOld, ErrTimestampTooNew or ErrNoMatchingSignature.
func (v Verifier) Verify(header http.Header, body []byte) error {
	if len(v.Secrets) == 0 {
		return ErrNoSecret
	}
	for _, s := range v.Secrets {
		if s.IsZero() {
			return ErrNoSecret
		}
	}
	id, ts, sigs := header.Get(HeaderID), header.Get(HeaderTimestamp), header.Get(HeaderSignature)
	for _, h := range [...]struct{ name, value string }{{HeaderID, id}, {HeaderTimestamp, ts}, {HeaderSignature, sigs}} {
		if h.value == "" {
			return fmt.Errorf("%w: %s", ErrMissingHeader, h.name)
		}
	}
	unix, err := parseUnix(ts)
	if err != nil {
		return err
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	sent := time.Unix(unix, 0)
	switch n := now(); {
	case n.Sub(sent) > tolerance:
		return fmt.Errorf("%w: sent %s, now %s", ErrTimestampTooOld, sent.UTC().Format(time.RFC3339), n.UTC().Format(time.RFC3339))
	case sent.Sub(n) > tolerance:
		return fmt.Errorf("%w: sent %s, now %s", ErrTimestampTooNew, sent.UTC().Format(time.RFC3339), n.UTC().Format(time.RFC3339))
	}
	want := make([][]byte, len(v.Secrets))
	for i, s := range v.Secrets {
		want[i] = mac(s, id, unix, body)
	}
	for _, versioned := range strings.Split(sigs, " ") {
		version, enc, ok := strings.Cut(versioned, ",")
		if !ok || version != signatureVersion {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(got) != sha256.Size {
			continue
		}
		for _, w := range want {
			if hmac.Equal(got, w) {
				return nil
			}
		}
	}
	return ErrNoMatchingSignature
}

// parseUnix parses a webhook-timestamp: decimal digits only.
func parseUnix(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: %q", ErrInvalidTimestamp, s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrInvalidTimestamp, s)
	}
	return n, nil
}
