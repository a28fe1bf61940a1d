package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Secret sizes and serialization, as the Standard Webhooks specification
// sets them for symmetric (HMAC-SHA256) signatures.
const (
	// SecretPrefix starts every serialized secret.
	SecretPrefix = "whsec_"
	// MinSecretBytes is the shortest key ParseSecret accepts (192 bits).
	MinSecretBytes = 24
	// MaxSecretBytes is the longest key ParseSecret accepts (512 bits).
	MaxSecretBytes = 64
	// NewSecretBytes is the length of the keys NewSecret makes (256 bits).
	NewSecretBytes = 32
)

// ErrMalformedSecret is the sentinel every *SecretError matches with
// errors.Is.
var ErrMalformedSecret = errors.New("webhooks: malformed secret")

// SecretError reports why ParseSecret refused a secret. It never contains
// the secret itself, so it is safe to log.
type SecretError struct {
	Reason string // such as "missing the whsec_ prefix"
}

// Error returns the reason, prefixed with the package name.
func (e *SecretError) Error() string { return "webhooks: malformed secret: " + e.Reason }

// Unwrap makes errors.Is(err, ErrMalformedSecret) true.
func (e *SecretError) Unwrap() error { return ErrMalformedSecret }

// Secret is an endpoint's signing key. The zero Secret is not usable: Sign
// and Verify refuse it.
//
// String and Format redact the key, so that a Secret printed or logged by
// accident does not leak (encoding/json sees no exported field and writes
// {}); Encoded returns the whsec_ form to store or to
// show to the endpoint's owner.
type Secret struct {
	key []byte
}

// NewSecret returns a new secret of NewSecretBytes random bytes from
// crypto/rand.
func NewSecret() (Secret, error) {
	key := make([]byte, NewSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return Secret{}, fmt.Errorf("webhooks: generating a secret: %w", err)
	}
	return Secret{key: key}, nil
}

// ParseSecret parses the serialized form "whsec_" + base64 (standard
// alphabet, with padding) of MinSecretBytes to MaxSecretBytes bytes. It
// refuses anything else with a *SecretError: a missing prefix, whitespace,
// other base64 alphabets, and keys too short or too long.
func ParseSecret(s string) (Secret, error) {
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return Secret{}, &SecretError{Reason: "missing the " + SecretPrefix + " prefix"}
	}
	// StdEncoding skips \r and \n; Strict refuses non-zero padding bits.
	if strings.ContainsAny(enc, "\r\n") {
		return Secret{}, &SecretError{Reason: "contains a line break"}
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return Secret{}, &SecretError{Reason: "not standard base64 with padding"}
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return Secret{}, &SecretError{Reason: fmt.Sprintf("decodes to %d bytes, want %d to %d", len(key), MinSecretBytes, MaxSecretBytes)}
	}
	return Secret{key: key}, nil
}

// MustParseSecret is ParseSecret for secrets written in source code, such
// as tests; it panics on error.
func MustParseSecret(s string) Secret {
	sec, err := ParseSecret(s)
	if err != nil {
		panic(err)
	}
	return sec
}

// Encoded returns the serialized form, "whsec_" + base64 of the key.
func (s Secret) Encoded() string {
	if s.key == nil {
		return ""
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(s.key)
}

// String returns "whsec_[redacted]" (or "" for the zero Secret).
func (s Secret) String() string {
	if s.key == nil {
		return ""
	}
	return SecretPrefix + "[redacted]"
}

// Format writes String for every verb (%v, %+v, %#v, %x, %d…), so that no
// fmt verb prints the key.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, s.String()) }

// IsZero reports whether s is the zero Secret.
func (s Secret) IsZero() bool { return s.key == nil }

// Equal reports whether s and t hold the same key.
func (s Secret) Equal(t Secret) bool { return string(s.key) == string(t.key) }
